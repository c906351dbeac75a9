//! `/login`: the sign-in form, then each challenge the sign-in pipeline asks for (new
//! password, the MFA codes, choosing a factor, setting up an authenticator app), through the
//! same steps as InitiateAuth and RespondToAuthChallenge; at the end, back to the app with a
//! code or tokens and an SSO session. On managed login (version 2) pages of a pool whose users
//! may sign in without a password, the form asks for the username and the sign-in is
//! choice-based (USER_AUTH): a password, a code by email or text message, or a passkey.

use super::{call, csrf_holds, form, refused, Choice, Field, Form, Link, CSRF_MESSAGE};
use crate::app::App;
use crate::oauth::grant::{complete, new_sso};
use crate::oauth::request::{check, AuthRequest, Params};
use crate::oauth::site::Site;
use crate::ops::auth::password_auth;
use crate::ops::auth_triggers::SignInCall;
use crate::ops::challenges::respond;
use crate::ops::client_documents::StoredClient;
use crate::ops::sign_in::Outcome;
use crate::ops::tokens::OAuthGrant;
use crate::ops::user_auth;
use crate::ops::user_mfa::{associate_software_token, verify_software_token};
use crate::protocol;
use crate::request_context::RequestContext;
use axum::extract::{ConnectInfo, Form as Posted, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ironpool_api::types::*;
use ironpool_api::{ApiError, Operation};
use ironpool_core::jwt;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;

/// What the sign-in form says of its username field: the attribute users sign in with.
fn username_label(pool: &UserPoolType) -> &'static str {
    let attrs = pool.username_attributes.as_deref().unwrap_or_default();
    match (
        attrs.contains(&UsernameAttributeType::Email),
        attrs.contains(&UsernameAttributeType::PhoneNumber),
    ) {
        (true, true) => "Email address or phone number",
        (true, false) => "Email address",
        (false, true) => "Phone number",
        (false, false) => "Username",
    }
}

/// How a sign-in button names an identity provider.
fn provider_label(name: &str) -> &str {
    match name {
        "LoginWithAmazon" => "Amazon",
        "SignInWithApple" => "Apple",
        other => other,
    }
}

/// The sign-in form: a button for each identity provider of the app client, and the user
/// pool's own username and password where the client has COGNITO.
pub(crate) fn sign_in_form(
    site: &Site,
    request: &AuthRequest,
    query: &str,
    username: &str,
) -> Form {
    let supported = request
        .client
        .client
        .supported_identity_providers
        .as_deref()
        .unwrap_or_default();
    let mut params: Params = serde_urlencoded::from_str(query).unwrap_or_default();
    let providers = supported
        .iter()
        .filter(|p| *p != "COGNITO")
        .map(|name| {
            params.identity_provider = Some(name.clone());
            Link {
                text: String::new(),
                label: format!("Continue with {}", provider_label(name)),
                href: format!(
                    "{}?{}",
                    site.at("/oauth2/authorize"),
                    super::query_of(&params)
                ),
            }
        })
        .collect();
    let mut page = Form {
        title: "Sign in".into(),
        providers,
        ..Form::default()
    };
    if !supported.iter().any(|p| p == "COGNITO") {
        return page;
    }
    page.links.push(Link {
        text: String::new(),
        label: "Forgot your password?".into(),
        href: format!("{}?{query}", site.at("/forgotPassword")),
    });
    let admin_only = site
        .pool
        .admin_create_user_config
        .as_ref()
        .and_then(|c| c.allow_admin_create_user_only)
        .unwrap_or(false);
    if !admin_only {
        page.links.push(Link {
            text: "Need an account?".into(),
            label: "Sign up".into(),
            href: format!("{}?{query}", site.at("/signup")),
        });
    }
    page.action = format!("{}?{query}", site.at("/login"));
    page.fields = vec![
        Field::new("username", username_label(&site.pool), "text", "username").with_value(username),
        Field::new("password", "Password", "password", "current-password"),
    ];
    page.submit = "Sign in".into();
    if by_choice(site) {
        page.fields.truncate(1);
        page.submit = "Continue".into();
    }
    page
}

/// Whether the pages sign in by choice (USER_AUTH): managed login, version 2, of a pool whose
/// users may sign in with more than a password.
fn by_choice(site: &Site) -> bool {
    site.managed_login_version >= 2 && user_auth::offers_choice(&site.pool)
}

/// The first factors a user may choose on the pages (SRP is for SDKs).
fn choice_page(
    site: &Site,
    query: &str,
    (session, available): (String, Vec<ChallengeNameType>),
    username: &str,
) -> Form {
    let choices = available
        .into_iter()
        .filter_map(|c| {
            let label = match c {
                ChallengeNameType::Password => "Password",
                ChallengeNameType::EmailOtp => "Email",
                ChallengeNameType::SmsOtp => "Text message",
                ChallengeNameType::WebAuthn => "Passkey",
                _ => return None,
            };
            Some(Choice {
                value: c.as_str().to_owned(),
                label: label.into(),
            })
        })
        .collect();
    Form {
        title: "Sign in".into(),
        action: format!("{}?{query}", site.at("/login")),
        fields: vec![Field {
            name: "answer".into(),
            label: "Sign in with".into(),
            choices,
            ..Field::default()
        }],
        hidden: vec![
            ("challenge".into(), "SELECT_CHALLENGE".into()),
            ("session".into(), session),
            ("username".into(), username.to_owned()),
        ],
        submit: "Continue".into(),
        ..Form::default()
    }
}

/// The password of a choice-based sign-in, answered with SELECT_CHALLENGE's session.
fn password_page(site: &Site, query: &str, session: &str, username: &str) -> Form {
    Form {
        title: "Sign in".into(),
        action: format!("{}?{query}", site.at("/login")),
        fields: vec![Field::new(
            "password",
            "Password",
            "password",
            "current-password",
        )],
        hidden: vec![
            ("challenge".into(), "SELECT_CHALLENGE".into()),
            ("answer".into(), "PASSWORD".into()),
            ("session".into(), session.to_owned()),
            ("username".into(), username.to_owned()),
        ],
        submit: "Sign in".into(),
        ..Form::default()
    }
}

/// `GET /login`.
pub(crate) async fn show(
    State(app): State<Arc<App>>,
    site: Site,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    let request = match check(&app, &site, &params).await {
        Ok(r) => r,
        Err(refusal) => return refused(&app, &site, &headers, &params, refusal).await,
    };
    let query = super::query_of(&params);
    let page = sign_in_form(&site, &request, &query, "");
    form(
        &app,
        &site,
        &headers,
        &request,
        params.lang.as_deref(),
        page,
    )
    .await
}

/// A challenge's page: its inputs, and the Session and username it carries.
async fn challenge_page(
    app: &App,
    site: &Site,
    query: &str,
    name: ChallengeNameType,
    session: Option<String>,
    parameters: &BTreeMap<String, String>,
    username: &str,
) -> Result<Form, ApiError> {
    let mut session = session.unwrap_or_default();
    let mut page = Form {
        action: format!("{}?{query}", site.at("/login")),
        submit: "Continue".into(),
        ..Form::default()
    };
    let destination = parameters
        .get("CODE_DELIVERY_DESTINATION")
        .cloned()
        .unwrap_or_default();
    match name {
        ChallengeNameType::SoftwareTokenMfa => {
            page.title = "Multi-factor authentication".into();
            page.description = Some("Enter the code from your authenticator app.".into());
            page.fields = vec![Field::code("code", "Code")];
        }
        ChallengeNameType::SmsMfa => {
            page.title = "Multi-factor authentication".into();
            page.description = Some(format!(
                "We texted a code to {destination}. Enter it below."
            ));
            page.fields = vec![Field::code("code", "Code")];
        }
        ChallengeNameType::EmailOtp => {
            page.title = "Multi-factor authentication".into();
            page.description = Some(format!(
                "We emailed a code to {destination}. Enter it below."
            ));
            page.fields = vec![Field::code("code", "Code")];
        }
        // Passwordless first factors.
        ChallengeNameType::SmsOtp => {
            page.title = "Sign in".into();
            page.description = Some(format!(
                "We texted a code to {destination}. Enter it below."
            ));
            page.fields = vec![Field::code("code", "Code")];
        }
        ChallengeNameType::WebAuthn => {
            page.title = "Sign in".into();
            page.passkey = parameters.get("CREDENTIAL_REQUEST_OPTIONS").cloned();
        }
        ChallengeNameType::SelectMfaType => {
            page.title = "Choose how to verify".into();
            let choices: Vec<String> = parameters
                .get("MFAS_CAN_CHOOSE")
                .and_then(|c| serde_json::from_str(c).ok())
                .unwrap_or_default();
            page.fields = vec![Field {
                name: "answer".into(),
                label: "Sign in with".into(),
                choices: choices
                    .into_iter()
                    .map(|c| Choice {
                        label: match c.as_str() {
                            "SOFTWARE_TOKEN_MFA" => "Authenticator app".into(),
                            "SMS_MFA" => "Text message".into(),
                            "EMAIL_OTP" => "Email".into(),
                            _ => c.clone(),
                        },
                        value: c,
                    })
                    .collect(),
                ..Field::default()
            }];
        }
        ChallengeNameType::NewPasswordRequired => {
            page.title = "Change password".into();
            page.description = Some("Please enter a new password.".into());
            page.fields = vec![Field::new(
                "new_password",
                "New password",
                "password",
                "new-password",
            )];
            let required: Vec<String> = parameters
                .get("requiredAttributes")
                .and_then(|c| serde_json::from_str(c).ok())
                .unwrap_or_default();
            for attribute in required {
                let name = attribute.trim_start_matches("userAttributes.");
                page.fields.push(Field::new(
                    &format!("userAttributes.{name}"),
                    &super::signup::attribute_label(name),
                    "text",
                    "on",
                ));
            }
        }
        ChallengeNameType::MfaSetup => {
            let associated = associate_software_token(
                app,
                AssociateSoftwareTokenRequest {
                    access_token: None,
                    session: Some(ironpool_api::Sensitive(session.clone())),
                },
            )
            .await?;
            session = associated.session.map(|s| s.0).unwrap_or_default();
            let secret = associated.secret_code.map(|s| s.0).unwrap_or_default();
            let issuer = site.pool.name.clone().unwrap_or_else(|| "Ironpool".into());
            let uri = format!(
                "otpauth://totp/{}:{}?secret={secret}&issuer={}",
                url_escape(&issuer),
                url_escape(username),
                url_escape(&issuer)
            );
            page.title = "Set up an authenticator app".into();
            page.description = Some(
                "Scan the QR code with your authenticator app, then enter the code it shows."
                    .into(),
            );
            page.qr = qr_svg(&uri);
            page.secret = Some(secret);
            page.fields = vec![Field::code("code", "Code")];
        }
        _ => {
            return Err(ApiError::invalid_parameter(
                "This sign-in step is not available on the managed login pages.",
            ))
        }
    }
    page.hidden = vec![
        ("challenge".into(), name.as_str().to_owned()),
        ("session".into(), session),
        ("username".into(), username.to_owned()),
    ];
    Ok(page)
}

fn url_escape(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The QR code of an `otpauth://` URI, as inline SVG.
fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .build(),
    )
}

/// The answers RespondToAuthChallenge would carry for a posted challenge form.
fn responses(
    name: ChallengeNameType,
    form: &HashMap<String, String>,
    username: &str,
) -> BTreeMap<String, String> {
    let mut responses = BTreeMap::new();
    responses.insert("USERNAME".to_owned(), username.to_owned());
    let code = form.get("code").cloned().unwrap_or_default();
    match name {
        ChallengeNameType::SoftwareTokenMfa => {
            responses.insert("SOFTWARE_TOKEN_MFA_CODE".into(), code);
        }
        ChallengeNameType::SmsMfa => {
            responses.insert("SMS_MFA_CODE".into(), code);
        }
        ChallengeNameType::EmailOtp => {
            responses.insert("EMAIL_OTP_CODE".into(), code);
        }
        ChallengeNameType::SmsOtp => {
            responses.insert("SMS_OTP_CODE".into(), code);
        }
        ChallengeNameType::WebAuthn => {
            let credential = form.get("credential").cloned().unwrap_or_default();
            responses.insert("CREDENTIAL".into(), credential);
        }
        ChallengeNameType::SelectChallenge => {
            for (field, name) in [("answer", "ANSWER"), ("password", "PASSWORD")] {
                if let Some(value) = form.get(field) {
                    responses.insert(name.into(), value.clone());
                }
            }
        }
        ChallengeNameType::SelectMfaType => {
            let answer = form.get("answer").cloned().unwrap_or_default();
            responses.insert("ANSWER".into(), answer);
        }
        ChallengeNameType::NewPasswordRequired => {
            let password = form.get("new_password").cloned().unwrap_or_default();
            responses.insert("NEW_PASSWORD".into(), password);
            for (k, v) in form {
                if k.starts_with("userAttributes.") {
                    responses.insert(k.clone(), v.clone());
                }
            }
        }
        _ => {}
    }
    responses
}

/// One step of the sign-in: the password, or the answer to a challenge.
async fn step(
    app: &App,
    site: &Site,
    request: &AuthRequest,
    form: &HashMap<String, String>,
    challenge: Option<ChallengeNameType>,
) -> Result<Outcome, ApiError> {
    let grant = Arc::new(OAuthGrant {
        scopes: request.scopes.clone(),
        nonce: request.nonce.clone(),
        auth_time: None,
    });
    // The pages are the client: no SECRET_HASH is asked of them.
    let client = StoredClient {
        client: request.client.client.clone(),
        secrets: Vec::new(),
    };
    let username = form.get("username").map(String::as_str).unwrap_or("");
    let call = SignInCall {
        challenge,
        oauth: Some(grant),
    };
    let Some(name) = challenge else {
        if by_choice(site) && !form.contains_key("password") {
            check_input(Operation::InitiateAuth, username, "-")?;
            let (named, none) = ((username, None), BTreeMap::new());
            let start = user_auth::start(app, &site.pool, &client.client, named, &none);
            return call.scope(start).await;
        }
        let password = form.get("password").map(String::as_str).unwrap_or("");
        check_input(Operation::InitiateAuth, username, password)?;
        return call
            .scope(password_auth(
                app,
                &site.pool,
                &client.client,
                username,
                password,
                None,
            ))
            .await;
    };
    let mut session = form.get("session").cloned();
    if name == ChallengeNameType::MfaSetup {
        let verified = call_verify(app, session.clone(), form).await?;
        session = verified;
    }
    call.scope(respond(
        app,
        site.pool_id(),
        &client,
        &request.client_id,
        name,
        session,
        responses(name, form, username),
    ))
    .await
}

/// A sign-in step of the pages in the metrics, as the API's are counted: the flow
/// (`managed_login:PASSWORD`, or `managed_login:USER_AUTH` for the username first) or the
/// challenge answered, with `authenticated`, `challenge` or the error type.
fn count(
    site: &Site,
    form: &HashMap<String, String>,
    challenge: Option<ChallengeNameType>,
    outcome: &Result<Outcome, ApiError>,
) {
    let result = match outcome {
        Ok(Outcome::Authenticated(_)) => "authenticated",
        Ok(_) => "challenge",
        Err(e) => e.code.as_str(),
    };
    match challenge {
        Some(name) => crate::metrics::challenge_response(name.as_str(), result),
        None if by_choice(site) && !form.contains_key("password") => {
            crate::metrics::sign_in("managed_login:USER_AUTH", result)
        }
        None => crate::metrics::sign_in("managed_login:PASSWORD", result),
    }
}

/// The username and password as InitiateAuth's model takes them.
fn check_input(op: Operation, username: &str, password: &str) -> Result<(), ApiError> {
    if username.is_empty() {
        return Err(ApiError::invalid_parameter(
            "Missing required parameter USERNAME",
        ));
    }
    if password.is_empty() {
        return Err(ApiError::invalid_parameter(
            "Missing required parameter PASSWORD",
        ));
    }
    let _ = op;
    if username.chars().count() > 128 || password.chars().count() > 256 {
        return Err(ApiError::not_authorized("Incorrect username or password."));
    }
    Ok(())
}

/// MFA_SETUP: the code of the new authenticator checked (VerifySoftwareToken), the session
/// that answers the challenge.
async fn call_verify(
    app: &App,
    session: Option<String>,
    form: &HashMap<String, String>,
) -> Result<Option<String>, ApiError> {
    let input = json!({
        "Session": session.unwrap_or_default(),
        "UserCode": form.get("code").cloned().unwrap_or_default(),
    });
    let verified = call(Operation::VerifySoftwareToken, input, |i| {
        verify_software_token(app, i)
    })
    .await?;
    Ok(verified.session.map(|s| s.0))
}

/// The user a sign-in's access token names.
fn signed_in(result: &AuthenticationResultType) -> Option<(String, String)> {
    let token = result.access_token.as_ref()?.expose();
    let (_, claims) = jwt::decode_unverified(token).ok()?;
    let claim = |n: &str| claims.get(n).and_then(Value::as_str).map(str::to_owned);
    Some((claim("username")?, claim("sub")?))
}

/// `POST /login`: one step of the sign-in.
pub(crate) async fn submit(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    site: Site,
    headers: HeaderMap,
    Query(params): Query<Params>,
    Posted(posted): Posted<HashMap<String, String>>,
) -> Response {
    let request = match check(&app, &site, &params).await {
        Ok(r) => r,
        Err(refusal) => return refused(&app, &site, &headers, &params, refusal).await,
    };
    let query = super::query_of(&params);
    let lang = params.lang.as_deref();
    let username = posted.get("username").cloned().unwrap_or_default();
    if !csrf_holds(&headers, &json!(posted)) {
        let mut page = sign_in_form(&site, &request, &query, &username);
        page.error = Some(CSRF_MESSAGE.into());
        return form(&app, &site, &headers, &request, lang, page).await;
    }
    let challenge = posted
        .get("challenge")
        .and_then(|c| serde_json::from_value::<ChallengeNameType>(json!(c)).ok());
    // The password chosen: its page, for the same session.
    if challenge == Some(ChallengeNameType::SelectChallenge)
        && posted.get("answer").map(String::as_str) == Some("PASSWORD")
        && !posted.contains_key("password")
    {
        let session = posted.get("session").map(String::as_str).unwrap_or("");
        let page = password_page(&site, &query, session, &username);
        return form(&app, &site, &headers, &request, lang, page).await;
    }
    let context = RequestContext::of(Some(peer), &headers, &Value::Null);
    let outcome = context
        .scope(step(&app, &site, &request, &posted, challenge))
        .await;
    count(&site, &posted, challenge, &outcome);
    match outcome {
        Ok(Outcome::Authenticated(result)) => {
            let Some((name, sub)) = signed_in(&result) else {
                return protocol::error_response(
                    ApiError::new(
                        ironpool_api::ErrorCode::InternalErrorException,
                        "Internal error",
                    ),
                    StatusCode::INTERNAL_SERVER_ERROR,
                );
            };
            let sso = new_sso(&app, &name, &sub);
            match complete(&app, &site, &request, result, sso).await {
                Ok(response) => response,
                Err(e) => protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR),
            }
        }
        Ok(Outcome::Challenge {
            name,
            session,
            parameters,
        }) => {
            let shown = parameters
                .get("USER_ID_FOR_SRP")
                .cloned()
                .unwrap_or_else(|| username.clone());
            match challenge_page(&app, &site, &query, name, session, &parameters, &shown).await {
                Ok(page) => form(&app, &site, &headers, &request, lang, page).await,
                Err(e) => {
                    let mut page = sign_in_form(&site, &request, &query, "");
                    page.error = Some(e.message);
                    form(&app, &site, &headers, &request, lang, page).await
                }
            }
        }
        Ok(Outcome::Select { session, available }) => {
            let page = choice_page(&site, &query, (session, available), &username);
            form(&app, &site, &headers, &request, lang, page).await
        }
        Err(e) if e.code == ironpool_api::ErrorCode::InternalErrorException => {
            protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR)
        }
        Err(e) => {
            // A wrong code ends the session, as in the API: the sign-in starts over.
            let shown = if challenge.is_none() {
                username.as_str()
            } else {
                ""
            };
            let mut page = sign_in_form(&site, &request, &query, shown);
            page.error = Some(e.message);
            form(&app, &site, &headers, &request, lang, page).await
        }
    }
}
