//! `/forgotPassword` and `/confirmForgotPassword`: ForgotPassword sends a code (an unknown
//! user gets the same page where the client hides user existence, as the API answers), then
//! ConfirmForgotPassword sets the new password, then the sign-in form.

use super::login::sign_in_form;
use super::{call, csrf_holds, form, refused, secret_hash, Field, Form, CSRF_MESSAGE};
use crate::app::App;
use crate::oauth::request::{check, Params};
use crate::oauth::site::Site;
use crate::ops::sign_up::{confirm_forgot_password, forgot_password};
use crate::request_context::RequestContext;
use axum::extract::{ConnectInfo, Form as Posted, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use ironpool_api::Operation;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

fn username_form(site: &Site, query: &str) -> Form {
    Form {
        title: "Forgot your password?".into(),
        description: Some(
            "Enter your username and we will send you a code to reset your password.".into(),
        ),
        action: format!("{}?{query}", site.at("/forgotPassword")),
        fields: vec![Field::new("username", "Username", "text", "username")],
        submit: "Reset my password".into(),
        ..Form::default()
    }
}

fn reset_form(site: &Site, query: &str, username: &str, destination: Option<&str>) -> Form {
    Form {
        title: "Reset your password".into(),
        description: Some(match destination {
            Some(d) => format!("We sent a code to {d}. Enter it and your new password."),
            None => "Enter the code we sent you and your new password.".into(),
        }),
        action: format!("{}?{query}", site.at("/confirmForgotPassword")),
        hidden: vec![("username".into(), username.into())],
        fields: vec![
            Field::code("code", "Code"),
            Field::new("password", "New password", "password", "new-password"),
        ],
        submit: "Change password".into(),
        ..Form::default()
    }
}

/// `GET /forgotPassword`.
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
    let page = username_form(&site, &super::query_of(&params));
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

/// `POST /forgotPassword`.
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
    let mut page = username_form(&site, &query);
    if !csrf_holds(&headers, &json!(posted)) {
        page.error = Some(CSRF_MESSAGE.into());
        return form(&app, &site, &headers, &request, lang, page).await;
    }
    let username = posted.get("username").cloned().unwrap_or_default();
    let mut input = json!({ "ClientId": request.client_id, "Username": username });
    if let Some(hash) = secret_hash(&request.client, &request.client_id, &username) {
        input["SecretHash"] = json!(hash);
    }
    let context = RequestContext::of(Some(peer), &headers, &Value::Null);
    let result = context
        .scope(call(Operation::ForgotPassword, input, |i| {
            forgot_password(&app, i)
        }))
        .await;
    match result {
        Ok(r) => {
            let to = r.code_delivery_details.and_then(|d| d.destination);
            let page = reset_form(&site, &query, &username, to.as_deref());
            form(&app, &site, &headers, &request, lang, page).await
        }
        Err(e) => {
            page.error = Some(e.message);
            form(&app, &site, &headers, &request, lang, page).await
        }
    }
}

/// `POST /confirmForgotPassword`.
pub(crate) async fn confirm(
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
    let mut page = reset_form(&site, &query, &username, None);
    if !csrf_holds(&headers, &json!(posted)) {
        page.error = Some(CSRF_MESSAGE.into());
        return form(&app, &site, &headers, &request, lang, page).await;
    }
    let mut input = json!({
        "ClientId": request.client_id,
        "Username": username,
        "ConfirmationCode": posted.get("code").cloned().unwrap_or_default(),
        "Password": posted.get("password").cloned().unwrap_or_default(),
    });
    if let Some(hash) = secret_hash(&request.client, &request.client_id, &username) {
        input["SecretHash"] = json!(hash);
    }
    let context = RequestContext::of(Some(peer), &headers, &Value::Null);
    let result = context
        .scope(call(Operation::ConfirmForgotPassword, input, |i| {
            confirm_forgot_password(&app, i)
        }))
        .await;
    match result {
        Ok(_) => {
            let mut page = sign_in_form(&site, &request, &query, &username);
            page.info =
                Some("Your password has been reset. Sign in with your new password.".into());
            form(&app, &site, &headers, &request, lang, page).await
        }
        Err(e) => {
            page.error = Some(e.message);
            form(&app, &site, &headers, &request, lang, page).await
        }
    }
}
