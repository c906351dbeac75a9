//! `POST /oauth2/token`: authorization_code (single use, PKCE checked), refresh_token (with
//! the client's rotation), client_credentials and token exchange (RFC 8693); the client
//! authenticates with HTTP Basic or `client_id`/`client_secret` in the body. Failures are OAuth
//! JSON errors.

use super::grant::take_code;
use super::site::Site;
use crate::app::App;
use crate::ops::client_documents::{self, StoredClient};
use crate::ops::{client_tokens, tokens};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use base64::Engine;
use ironpool_api::types::*;
use ironpool_api::ErrorCode;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// An OAuth error answer (RFC 6749 section 5.2).
pub(crate) fn oauth_error(status: StatusCode, error: &str) -> Response {
    let mut response = (status, Json(json!({ "error": error }))).into_response();
    no_store(response.headers_mut());
    response
        .extensions_mut()
        .insert(OAuthError(error.to_owned()));
    response
}

/// The OAuth error an answer carries, for the metrics.
#[derive(Clone)]
struct OAuthError(String);

fn no_store(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

fn bad(error: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, error)
}

fn percent_decoded(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The client id and secret of an `Authorization: Basic` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(B64.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((percent_decoded(id), percent_decoded(secret)))
}

/// The authenticated client: its secret checked (constant time) when it has one.
async fn authenticate(
    app: &App,
    site: &Site,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(String, StoredClient), Response> {
    let basic = basic_credentials(headers);
    if headers.contains_key(header::AUTHORIZATION) && basic.is_none() {
        return Err(bad("invalid_client"));
    }
    let body_id = form.get("client_id").filter(|c| !c.is_empty());
    let (client_id, secret) = match (&basic, body_id) {
        (Some((id, _)), Some(body)) if id != body => return Err(bad("invalid_client")),
        (Some((id, secret)), _) => (id.clone(), Some(secret.clone())),
        (None, Some(id)) => (id.clone(), form.get("client_secret").cloned()),
        (None, None) => return Err(bad("invalid_client")),
    };
    let stored = match client_documents::find(app, &client_id).await {
        Ok(Some((pool_id, stored))) if pool_id == site.pool_id() => stored,
        Ok(_) => return Err(bad("invalid_client")),
        Err(e) => return Err(internal(e)),
    };
    if stored.has_secret() {
        let given = secret.unwrap_or_default();
        let holds = stored
            .active_secrets()
            .iter()
            .any(|s| bool::from(s.as_bytes().ct_eq(given.as_bytes())));
        if !holds {
            return Err(bad("invalid_client"));
        }
    }
    Ok((client_id, stored))
}

fn internal(e: ironpool_api::ApiError) -> Response {
    crate::protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR)
}

fn allows(client: &UserPoolClientType, flow: OAuthFlowType) -> bool {
    client.allowed_o_auth_flows_user_pool_client == Some(true)
        && client
            .allowed_o_auth_flows
            .as_deref()
            .unwrap_or_default()
            .contains(&flow)
}

/// Whether `verifier` answers the PKCE challenge.
fn pkce_holds(challenge: &str, method: &str, verifier: &str) -> bool {
    let expected = match method {
        "S256" => B64URL.encode(Sha256::digest(verifier.as_bytes())),
        _ => verifier.to_owned(),
    };
    (43..=128).contains(&verifier.len())
        && bool::from(expected.as_bytes().ct_eq(challenge.as_bytes()))
}

fn tokens_answer(body: Map<String, Value>) -> Response {
    let mut response = Json(Value::Object(body)).into_response();
    no_store(response.headers_mut());
    response
}

const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// `POST /oauth2/token`, counted as a sign-in of flow `oauth2:<grant_type>`.
pub(crate) async fn token(
    state: State<Arc<App>>,
    site: Site,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let grant = url::form_urlencoded::parse(&body)
        .find(|(name, _)| name == "grant_type")
        .map(|(_, value)| value.into_owned());
    let response = grant_tokens(state, site, headers, body).await;
    let flow = match grant.as_deref() {
        Some(g @ ("authorization_code" | "refresh_token" | "client_credentials")) => g,
        Some(TOKEN_EXCHANGE) => "token-exchange",
        _ => "-",
    };
    let outcome = match response.extensions().get::<OAuthError>() {
        Some(OAuthError(error)) => error.as_str(),
        None if response.status().is_success() => "authenticated",
        None => "InternalErrorException",
    };
    crate::metrics::sign_in(&format!("oauth2:{flow}"), outcome);
    response
}

async fn grant_tokens(
    State(app): State<Arc<App>>,
    site: Site,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form_encoded = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_encoded {
        return bad("invalid_request");
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let grant_type = match form.get("grant_type").map(String::as_str) {
        None | Some("") => return bad("invalid_request"),
        Some(
            g @ ("authorization_code" | "refresh_token" | "client_credentials" | TOKEN_EXCHANGE),
        ) => g.to_owned(),
        Some(_) => return bad("unsupported_grant_type"),
    };
    let (client_id, stored) = match authenticate(&app, &site, &headers, &form).await {
        Ok(c) => c,
        Err(response) => return response,
    };
    let client = &stored.client;
    match grant_type.as_str() {
        "authorization_code" => {
            if !allows(client, OAuthFlowType::Code) {
                return bad("unauthorized_client");
            }
            let (Some(code), Some(redirect_uri)) = (form.get("code"), form.get("redirect_uri"))
            else {
                return bad("invalid_request");
            };
            let code = match take_code(&app, site.pool_id(), code).await {
                Ok(Some(code)) => code,
                Ok(None) => return bad("invalid_grant"),
                Err(e) => return internal(e),
            };
            if code.client_id != client_id || &code.redirect_uri != redirect_uri {
                return bad("invalid_grant");
            }
            if let Some((challenge, method)) = &code.pkce {
                let verifier = form.get("code_verifier").map(String::as_str).unwrap_or("");
                if !pkce_holds(challenge, method, verifier) {
                    return bad("invalid_grant");
                }
            }
            let tokens = code.tokens;
            let mut body = Map::new();
            if let Some(id) = tokens.id_token {
                body.insert("id_token".into(), json!(id));
            }
            body.insert("access_token".into(), json!(tokens.access_token));
            if let Some(refresh) = tokens.refresh_token {
                body.insert("refresh_token".into(), json!(refresh));
            }
            body.insert("expires_in".into(), json!(tokens.expires_in));
            body.insert("token_type".into(), json!("Bearer"));
            tokens_answer(body)
        }
        "refresh_token" => {
            let Some(token) = form.get("refresh_token").filter(|t| !t.is_empty()) else {
                return bad("invalid_request");
            };
            let family = match tokens::refresh_family(&app, client, token).await {
                Ok(f) => f,
                Err(e) if e.code == ErrorCode::NotAuthorizedException => {
                    return bad("invalid_grant")
                }
                Err(e) => return internal(e),
            };
            let rotate = tokens::rotation_enabled(client);
            let result =
                match tokens::refresh(&app, &site.pool, client, token, rotate, None, None).await {
                    Ok(r) => r,
                    Err(e) if e.code == ErrorCode::NotAuthorizedException => {
                        return bad("invalid_grant")
                    }
                    Err(e) => return api_failure(e),
                };
            let openid = family
                .scopes
                .as_deref()
                .is_none_or(|s| s.split(' ').any(|s| s == "openid"));
            let mut body = Map::new();
            if let Some(id) = result.id_token.filter(|_| openid) {
                body.insert("id_token".into(), json!(id.expose()));
            }
            if let Some(access) = result.access_token {
                body.insert("access_token".into(), json!(access.expose()));
            }
            if let Some(refresh) = result.refresh_token {
                body.insert("refresh_token".into(), json!(refresh.expose()));
            }
            body.insert(
                "expires_in".into(),
                json!(result.expires_in.unwrap_or(3600)),
            );
            body.insert("token_type".into(), json!("Bearer"));
            tokens_answer(body)
        }
        TOKEN_EXCHANGE => token_exchange(&app, &site, &stored, &form).await,
        _ => client_credentials(&app, &site, &stored, &form).await,
    }
}

/// client_credentials: a confidential client allowed the flow, resource-server scopes only;
/// `aws_client_metadata` (URL-encoded JSON) goes to a PreTokenGeneration function.
async fn client_credentials(
    app: &App,
    site: &Site,
    stored: &StoredClient,
    form: &HashMap<String, String>,
) -> Response {
    let client = &stored.client;
    if !stored.has_secret() {
        return bad("invalid_client");
    }
    if !allows(client, OAuthFlowType::ClientCredentials) {
        return bad("unauthorized_client");
    }
    let requested: Option<Vec<String>> = form
        .get("scope")
        .map(|s| s.split_whitespace().map(str::to_owned).collect());
    let metadata: Option<BTreeMap<String, String>> = match form.get("aws_client_metadata") {
        None => None,
        Some(text) => match serde_json::from_str(text) {
            Ok(map) => Some(map),
            Err(_) => return bad("invalid_request"),
        },
    };
    let scopes = match client_tokens::machine_scopes(
        app,
        site.pool_id(),
        client,
        requested.as_deref(),
    )
    .await
    {
        Ok(scopes) => scopes,
        Err(e) if client_tokens::is_scope_error(&e) => return bad("invalid_scope"),
        Err(e) => return internal(e),
    };
    match client_tokens::machine_token(app, &site.pool, client, &scopes, metadata.as_ref()).await {
        Ok((token, expires_in)) => {
            let mut body = Map::new();
            body.insert("access_token".into(), json!(token));
            body.insert("expires_in".into(), json!(expires_in));
            body.insert("token_type".into(), json!("Bearer"));
            tokens_answer(body)
        }
        Err(e) => api_failure(e),
    }
}

/// A failure of the sign-in machinery behind a grant (a trigger's, say): its message as the
/// OAuth error, as Cognito's token endpoint answers.
fn api_failure(e: ironpool_api::ApiError) -> Response {
    if e.code == ErrorCode::InternalErrorException {
        return internal(e);
    }
    oauth_error(StatusCode::BAD_REQUEST, &e.message)
}

const TOKEN_TYPE_URN: &str = "urn:ietf:params:oauth:token-type:";

/// An RFC 8693 token type URN as the API's token type.
fn token_type(urn: &str) -> Option<TokenTypeIdentifierType> {
    match urn.strip_prefix(TOKEN_TYPE_URN)? {
        "access_token" => Some(TokenTypeIdentifierType::AccessToken),
        "id_token" => Some(TokenTypeIdentifierType::IdToken),
        "saml2" => Some(TokenTypeIdentifierType::Saml2),
        _ => None,
    }
}

/// urn:ietf:params:oauth:grant-type:token-exchange (RFC 8693), as GetDerivedToken.
async fn token_exchange(
    app: &App,
    site: &Site,
    stored: &StoredClient,
    form: &HashMap<String, String>,
) -> Response {
    let given = |name: &str| form.get(name).filter(|v| !v.is_empty()).cloned();
    let (Some(subject_token), Some(subject_type)) = (
        given("subject_token"),
        given("subject_token_type").and_then(|t| token_type(&t)),
    ) else {
        return bad("invalid_request");
    };
    let actor = match (given("actor_token"), given("actor_token_type")) {
        (None, None) => None,
        (Some(token), Some(kind)) => match token_type(&kind) {
            Some(kind) => Some((token, kind, None)),
            None => return bad("invalid_request"),
        },
        _ => return bad("invalid_request"),
    };
    let requested = match given("requested_token_type").as_deref().map(token_type) {
        None | Some(Some(TokenTypeIdentifierType::AccessToken)) => {
            IssuedTokenTypeIdentifierType::AccessToken
        }
        Some(Some(TokenTypeIdentifierType::IdToken)) => IssuedTokenTypeIdentifierType::IdToken,
        Some(_) => return bad("invalid_request"),
    };
    if client_tokens::check_exchange_flow(&stored.client, actor.is_some()).is_err() {
        return bad("unauthorized_client");
    }
    let request = client_tokens::Exchange {
        subject_token,
        subject_token_type: subject_type,
        subject_provider: None,
        actor,
        scopes: given("scope").map(|s| s.split_whitespace().map(str::to_owned).collect()),
        audience: given("audience"),
        resource: given("resource"),
        requested,
    };
    match client_tokens::exchange(app, &site.pool, &stored.client, request).await {
        Ok(derived) => {
            let access = derived.kind == IssuedTokenTypeIdentifierType::AccessToken;
            let issued = if access { "access_token" } else { "id_token" };
            let mut body = Map::new();
            body.insert("access_token".into(), json!(derived.token));
            body.insert(
                "issued_token_type".into(),
                json!(format!("{TOKEN_TYPE_URN}{issued}")),
            );
            body.insert(
                "token_type".into(),
                json!(if access { "Bearer" } else { "N_A" }),
            );
            body.insert("expires_in".into(), json!(derived.expires_in));
            if access && !derived.scopes.is_empty() {
                body.insert("scope".into(), json!(derived.scopes.join(" ")));
            }
            tokens_answer(body)
        }
        Err(e) if client_tokens::is_scope_error(&e) => bad("invalid_scope"),
        Err(e) if e.code == ErrorCode::InvalidParameterException => bad("invalid_request"),
        Err(e)
            if matches!(
                e.code,
                ErrorCode::NotAuthorizedException
                    | ErrorCode::UserNotFoundException
                    | ErrorCode::UserNotConfirmedException
                    | ErrorCode::PasswordResetRequiredException
            ) =>
        {
            bad("invalid_grant")
        }
        Err(e) => api_failure(e),
    }
}

#[cfg(test)]
mod tests {
    use super::pkce_holds;

    #[test]
    fn pkce_rfc7636_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_holds(challenge, "S256", verifier));
        assert!(!pkce_holds(
            challenge,
            "S256",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx"
        ));
        assert!(pkce_holds(verifier, "plain", verifier));
        assert!(!pkce_holds("short", "plain", "short"));
    }
}
