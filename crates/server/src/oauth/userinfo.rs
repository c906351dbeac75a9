//! `GET|POST /oauth2/userInfo`: the user's attributes, as far as the access token's scopes
//! allow (it must have `openid`): `openid` alone gives every attribute the app client reads;
//! `profile`, `email` and `phone` each add theirs. Values are strings, as Cognito's.

use super::site::Site;
use crate::app::App;
use crate::ops::tokens;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ironpool_api::ErrorCode;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// A 401 with the Bearer challenge of RFC 6750.
fn unauthorized(error: &str, description: &str) -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response();
    let challenge = format!("Bearer error=\"{error}\", error_description=\"{description}\"");
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

const PROFILE: &[&str] = &[
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "updated_at",
    "address",
];

/// Whether the scopes let userInfo answer with `attribute`.
fn in_scope(scopes: &[&str], attribute: &str) -> bool {
    let only_openid = !scopes
        .iter()
        .any(|s| matches!(*s, "profile" | "email" | "phone"));
    only_openid
        || attribute == "sub"
        || (scopes.contains(&"profile")
            && (PROFILE.contains(&attribute) || attribute.starts_with("custom:")))
        || (scopes.contains(&"email") && matches!(attribute, "email" | "email_verified"))
        || (scopes.contains(&"phone")
            && matches!(attribute, "phone_number" | "phone_number_verified"))
}

pub(crate) async fn user_info(
    State(app): State<Arc<App>>,
    site: Site,
    headers: HeaderMap,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned());
    let Some(token) = bearer else {
        return unauthorized("invalid_request", "Access token is missing");
    };
    let (user, claims, client) =
        match tokens::verify(&app, &token, tokens::TokenUse::Access, None).await {
            Ok(found) => found,
            Err(e) if e.code == ErrorCode::InternalErrorException => {
                return crate::protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR)
            }
            Err(e) => return unauthorized("invalid_token", &e.message),
        };
    if user.pool_id != site.pool_id() {
        return unauthorized("invalid_token", "Invalid Access Token");
    }
    let scope = claims.get("scope").and_then(Value::as_str).unwrap_or("");
    let scopes: Vec<&str> = scope.split(' ').collect();
    if !scopes.contains(&"openid") {
        return unauthorized(
            "invalid_token",
            "Access token does not contain openid scope",
        );
    }
    let readable = |name: &str| {
        client
            .read_attributes
            .as_ref()
            .is_none_or(|list| list.iter().any(|a| a == name))
    };
    let mut body = Map::new();
    body.insert("sub".into(), json!(user.sub));
    for (name, value) in &user.attributes {
        if name != "sub" && readable(name) && in_scope(&scopes, name) {
            body.insert(name.clone(), json!(value));
        }
    }
    body.insert("username".into(), json!(user.username));
    let mut response = Json(Value::Object(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::in_scope;

    #[test]
    fn scopes_choose_attributes() {
        assert!(in_scope(&["openid"], "custom:team"));
        assert!(in_scope(&["openid"], "email"));
        assert!(in_scope(&["openid", "email"], "email_verified"));
        assert!(!in_scope(&["openid", "email"], "phone_number"));
        assert!(!in_scope(&["openid", "email"], "name"));
        assert!(in_scope(&["openid", "profile"], "custom:team"));
        assert!(in_scope(&["openid", "phone"], "phone_number_verified"));
    }
}
