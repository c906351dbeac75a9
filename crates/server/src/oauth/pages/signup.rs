//! `/signup` and `/confirm`: SignUp with the pool's required attributes, then ConfirmSignUp
//! with the code that was sent (or sent again), then the sign-in form.

use super::login::sign_in_form;
use super::{call, csrf_holds, form, refused, secret_hash, Field, Form, Link, CSRF_MESSAGE};
use crate::app::App;
use crate::oauth::request::{check, AuthRequest, Params};
use crate::oauth::site::Site;
use crate::ops::sign_up::{confirm_sign_up, resend_confirmation_code, sign_up};
use crate::request_context::RequestContext;
use axum::extract::{ConnectInfo, Form as Posted, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use ironpool_api::types::*;
use ironpool_api::Operation;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

/// How a form labels an attribute.
pub(crate) fn attribute_label(name: &str) -> String {
    match name {
        "email" => "Email address".into(),
        "phone_number" => "Phone number".into(),
        "given_name" => "Given name".into(),
        "family_name" => "Family name".into(),
        "birthdate" => "Birthdate".into(),
        "preferred_username" => "Preferred username".into(),
        other => {
            let other = other.trim_start_matches("custom:").replace('_', " ");
            let mut chars = other.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        }
    }
}

fn input_kind(name: &str) -> (&'static str, &'static str) {
    match name {
        "email" => ("email", "email"),
        "phone_number" => ("tel", "tel"),
        "given_name" => ("text", "given-name"),
        "family_name" => ("text", "family-name"),
        "name" => ("text", "name"),
        "birthdate" => ("date", "bday"),
        _ => ("text", "on"),
    }
}

/// The attribute users sign up with as their username, if the pool has one.
fn username_attribute(pool: &UserPoolType) -> Option<&'static str> {
    let attrs = pool.username_attributes.as_deref().unwrap_or_default();
    if attrs.contains(&UsernameAttributeType::Email) {
        Some("email")
    } else if attrs.contains(&UsernameAttributeType::PhoneNumber) {
        Some("phone_number")
    } else {
        None
    }
}

fn signup_form(site: &Site, query: &str, posted: &HashMap<String, String>) -> Form {
    let value = |n: &str| posted.get(n).cloned().unwrap_or_default();
    let by = username_attribute(&site.pool);
    let mut fields = vec![match by {
        Some(attr) => {
            let (kind, auto) = input_kind(attr);
            Field::new("username", &attribute_label(attr), kind, auto)
        }
        None => Field::new("username", "Username", "text", "username"),
    }
    .with_value(&value("username"))];
    fields.push(Field::new(
        "password",
        "Password",
        "password",
        "new-password",
    ));
    for name in crate::ops::auth::required_attributes(&site.pool) {
        if Some(name.as_str()) == by {
            continue;
        }
        let (kind, auto) = input_kind(&name);
        let field_name = format!("attr.{name}");
        fields.push(
            Field::new(&field_name, &attribute_label(&name), kind, auto)
                .with_value(&value(&field_name)),
        );
    }
    Form {
        title: "Sign up".into(),
        action: format!("{}?{query}", site.at("/signup")),
        fields,
        submit: "Sign up".into(),
        links: vec![Link {
            text: "Already have an account?".into(),
            label: "Sign in".into(),
            href: format!("{}?{query}", site.at("/login")),
        }],
        ..Form::default()
    }
}

fn confirm_form(site: &Site, query: &str, username: &str, destination: Option<&str>) -> Form {
    Form {
        title: "Confirm your account".into(),
        description: Some(match destination {
            Some(d) => format!("We sent a code to {d}. Enter it below to confirm your account."),
            None => "Enter the code we sent you to confirm your account.".into(),
        }),
        action: format!("{}?{query}", site.at("/confirm")),
        hidden: vec![("username".into(), username.into())],
        fields: vec![Field::code("code", "Confirmation code")],
        submit: "Confirm account".into(),
        links: vec![Link {
            text: "Didn't receive a code?".into(),
            label: "Send a new code".into(),
            href: format!(
                "{}?{query}&{}",
                site.at("/confirm"),
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("resend", "1")
                    .append_pair("username", username)
                    .finish()
            ),
        }],
        ..Form::default()
    }
}

async fn checked(
    app: &App,
    site: &Site,
    headers: &HeaderMap,
    params: &Params,
) -> Result<AuthRequest, Response> {
    match check(app, site, params).await {
        Ok(r) => Ok(r),
        Err(refusal) => Err(refused(app, site, headers, params, refusal).await),
    }
}

/// `GET /signup`.
pub(crate) async fn show(
    State(app): State<Arc<App>>,
    site: Site,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    let request = match checked(&app, &site, &headers, &params).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    let page = signup_form(&site, &super::query_of(&params), &HashMap::new());
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

/// `POST /signup`.
pub(crate) async fn submit(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    site: Site,
    headers: HeaderMap,
    Query(params): Query<Params>,
    Posted(posted): Posted<HashMap<String, String>>,
) -> Response {
    let request = match checked(&app, &site, &headers, &params).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    let query = super::query_of(&params);
    let lang = params.lang.as_deref();
    let mut page = signup_form(&site, &query, &posted);
    if !csrf_holds(&headers, &json!(posted)) {
        page.error = Some(CSRF_MESSAGE.into());
        return form(&app, &site, &headers, &request, lang, page).await;
    }
    let username = posted.get("username").cloned().unwrap_or_default();
    let mut attributes: Vec<Value> = posted
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("attr.")?, v)))
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| json!({ "Name": k, "Value": v }))
        .collect();
    if let Some(attr) = username_attribute(&site.pool) {
        attributes.push(json!({ "Name": attr, "Value": username }));
    }
    let mut input = json!({
        "ClientId": request.client_id,
        "Username": username,
        "Password": posted.get("password").cloned().unwrap_or_default(),
        "UserAttributes": attributes,
    });
    if let Some(hash) = secret_hash(&request.client, &request.client_id, &username) {
        input["SecretHash"] = json!(hash);
    }
    let context = RequestContext::of(Some(peer), &headers, &Value::Null);
    let result = context
        .scope(call(Operation::SignUp, input, |i| sign_up(&app, i)))
        .await;
    match result {
        Ok(SignUpResponse {
            user_confirmed: true,
            ..
        }) => {
            let mut page = sign_in_form(&site, &request, &query, &username);
            page.info = Some("Your account is ready. Sign in to continue.".into());
            form(&app, &site, &headers, &request, lang, page).await
        }
        Ok(response) => {
            let destination = response
                .code_delivery_details
                .as_ref()
                .and_then(|d| d.destination.clone());
            let page = confirm_form(&site, &query, &username, destination.as_deref());
            form(&app, &site, &headers, &request, lang, page).await
        }
        Err(e) => {
            page.error = Some(e.message);
            form(&app, &site, &headers, &request, lang, page).await
        }
    }
}

/// `GET /confirm` (`resend=1` sends a new code first).
pub(crate) async fn show_confirm(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    site: Site,
    headers: HeaderMap,
    Query(params): Query<Params>,
    Query(extra): Query<HashMap<String, String>>,
) -> Response {
    let request = match checked(&app, &site, &headers, &params).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    let query = super::query_of(&params);
    let username = extra.get("username").cloned().unwrap_or_default();
    let mut page = confirm_form(&site, &query, &username, None);
    if extra.get("resend").map(String::as_str) == Some("1") && !username.is_empty() {
        let mut input = json!({ "ClientId": request.client_id, "Username": username });
        if let Some(hash) = secret_hash(&request.client, &request.client_id, &username) {
            input["SecretHash"] = json!(hash);
        }
        let context = RequestContext::of(Some(peer), &headers, &Value::Null);
        let sent = context
            .scope(call(Operation::ResendConfirmationCode, input, |i| {
                resend_confirmation_code(&app, i)
            }))
            .await;
        match sent {
            Ok(r) => {
                let to = r.code_delivery_details.and_then(|d| d.destination);
                page = confirm_form(&site, &query, &username, to.as_deref());
                page.info = Some("We sent a new code.".into());
            }
            Err(e) => page.error = Some(e.message),
        }
    }
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

/// `POST /confirm`.
pub(crate) async fn confirm(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    site: Site,
    headers: HeaderMap,
    Query(params): Query<Params>,
    Posted(posted): Posted<HashMap<String, String>>,
) -> Response {
    let request = match checked(&app, &site, &headers, &params).await {
        Ok(r) => r,
        Err(response) => return response,
    };
    let query = super::query_of(&params);
    let lang = params.lang.as_deref();
    let username = posted.get("username").cloned().unwrap_or_default();
    let mut page = confirm_form(&site, &query, &username, None);
    if !csrf_holds(&headers, &json!(posted)) {
        page.error = Some(CSRF_MESSAGE.into());
        return form(&app, &site, &headers, &request, lang, page).await;
    }
    let mut input = json!({
        "ClientId": request.client_id,
        "Username": username,
        "ConfirmationCode": posted.get("code").cloned().unwrap_or_default(),
    });
    if let Some(hash) = secret_hash(&request.client, &request.client_id, &username) {
        input["SecretHash"] = json!(hash);
    }
    let context = RequestContext::of(Some(peer), &headers, &Value::Null);
    let result = context
        .scope(call(Operation::ConfirmSignUp, input, |i| {
            confirm_sign_up(&app, i)
        }))
        .await;
    match result {
        Ok(_) => {
            let mut page = sign_in_form(&site, &request, &query, &username);
            page.info = Some("Your account is confirmed. Sign in to continue.".into());
            form(&app, &site, &headers, &request, lang, page).await
        }
        Err(e) => {
            page.error = Some(e.message);
            form(&app, &site, &headers, &request, lang, page).await
        }
    }
}
