//! `GET /logout` (ends the SSO session, and a SAML provider's through its single logout where
//! its IDPSignout is set: back to a `logout_uri` of the client's LogoutURLs, or, with
//! `redirect_uri` and `response_type`, to the sign-in page again) and
//! `POST /oauth2/revoke` (RevokeToken's endpoint: a refresh token and all that its sign-in
//! issued).

use super::grant::{redirect, sso_cleared, sso_session};
use super::pages::{error_page, query_of};
use super::request::Params;
use super::site::Site;
use super::token::oauth_error;
use crate::app::App;
use crate::ops::client_documents;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ironpool_api::types::RevokeTokenRequest;
use ironpool_api::{ErrorCode, Sensitive};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Deserialize)]
pub(crate) struct LogoutParams {
    client_id: Option<String>,
    logout_uri: Option<String>,
    #[serde(flatten)]
    authorize: HashMap<String, String>,
}

pub(crate) async fn logout(
    State(app): State<Arc<App>>,
    site: Site,
    headers: HeaderMap,
    Query(params): Query<LogoutParams>,
) -> Response {
    let client = match params.client_id.as_deref() {
        Some(id) => match client_documents::find(&app, id).await {
            Ok(Some((pool_id, stored))) if pool_id == site.pool_id() => stored.client,
            Ok(_) => return error_page(&app, &site, &headers, Some("invalid_request")).await,
            Err(e) => return crate::protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR),
        },
        None => return error_page(&app, &site, &headers, Some("invalid_request")).await,
    };
    let target = if let Some(uri) = params.logout_uri.as_deref() {
        let listed = client
            .logout_ur_ls
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|u| u == uri);
        if !listed {
            return error_page(&app, &site, &headers, Some("redirect_mismatch")).await;
        }
        uri.to_owned()
    } else {
        // Signing in again: the parameters of an authorization request.
        let mut authorize: Params =
            serde_json::from_value(serde_json::json!(params.authorize)).unwrap_or_default();
        authorize.client_id = params.client_id.clone();
        if authorize.redirect_uri.is_none() || authorize.response_type.is_none() {
            return error_page(&app, &site, &headers, Some("invalid_request")).await;
        }
        format!("{}?{}", site.at("/login"), query_of(&authorize))
    };
    let cleared = vec![sso_cleared(&site)];
    // A user of a SAML provider whose IDPSignout is set signs out there too, first.
    if let Some(login) = sso_session(&app, &site, &headers).and_then(|sso| sso.saml) {
        match super::saml::single_logout(&app, &site, &login, &target).await {
            Ok(Some(location)) => return redirect(&location, cleared),
            Ok(None) => {}
            Err(e) => return crate::protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
    redirect(&target, cleared)
}

/// `POST /oauth2/revoke`: `token` (a refresh token), the client by HTTP Basic or `client_id`
/// (and `client_secret`); 200 with an empty body, as RevokeToken.
pub(crate) async fn revoke(
    State(app): State<Arc<App>>,
    _site: Site,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| B64.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(i, s)| (i.to_owned(), s.to_owned())));
    let (client_id, secret) = match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (
            form.get("client_id").cloned(),
            form.get("client_secret").cloned(),
        ),
    };
    let (Some(client_id), Some(token)) = (client_id, form.get("token").cloned()) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    let input = RevokeTokenRequest {
        token: Sensitive(token),
        client_id: Sensitive(client_id),
        client_secret: secret.map(Sensitive),
        revoke_associated_sessions: None,
    };
    match crate::ops::tokens::revoke_token(&app, input).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(e) => match e.code {
            ErrorCode::InternalErrorException => {
                crate::protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR)
            }
            ErrorCode::UnsupportedTokenTypeException => {
                oauth_error(StatusCode::BAD_REQUEST, "unsupported_token_type")
            }
            ErrorCode::NotAuthorizedException | ErrorCode::ResourceNotFoundException => {
                oauth_error(StatusCode::BAD_REQUEST, "invalid_client")
            }
            _ => oauth_error(StatusCode::BAD_REQUEST, "invalid_request"),
        },
    }
}
