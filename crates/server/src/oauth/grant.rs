//! What an authorization request ends in: an authorization code (single use, five minutes,
//! kept sealed with the tokens it stands for) or the implicit grant's tokens, and the SSO
//! session cookie that lets the next authorization request skip the sign-in form.

use super::request::{with_params, AuthRequest, ResponseType};
use super::site::Site;
use crate::app::{App, OrInternal};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use ironpool_api::types::AuthenticationResultType;
use ironpool_api::ApiError;
use ironpool_core::ids;
use ironpool_store::AuthSession;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long an authorization code may be redeemed.
const CODE_SECONDS: f64 = 300.0;
/// How long the SSO session of the managed login pages lasts.
const SSO_SECONDS: i64 = 3600;
/// The SSO session cookie, named as Cognito's.
pub(crate) const SSO_COOKIE: &str = "cognito";

/// The tokens of a sign-in, as the token endpoint hands them out.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Tokens {
    pub id_token: Option<String>,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: i32,
}

impl Tokens {
    /// A sign-in's tokens; an ID token only where `openid` was asked for.
    pub fn of(result: AuthenticationResultType, scopes: &[String]) -> Self {
        let openid = scopes.iter().any(|s| s == "openid");
        Tokens {
            id_token: result
                .id_token
                .filter(|_| openid)
                .map(|t| t.expose().clone()),
            access_token: result
                .access_token
                .map(|t| t.expose().clone())
                .unwrap_or_default(),
            refresh_token: result.refresh_token.map(|t| t.expose().clone()),
            expires_in: result.expires_in.unwrap_or(3600),
        }
    }
}

/// What an authorization code stands for.
#[derive(Serialize, Deserialize)]
pub(crate) struct Code {
    pub client_id: String,
    pub redirect_uri: String,
    pub pkce: Option<(String, String)>,
    pub tokens: Tokens,
}

fn code_hash(code: &str) -> String {
    hex::encode(Sha256::digest(
        format!("authorization-code:{code}").as_bytes(),
    ))
}

fn code_context(pool_id: &str, code: &str) -> String {
    format!("authorization-code:{pool_id}:{code}")
}

/// Keeps `code` (sealed) and returns the code string, a UUID as Cognito's.
async fn new_code(app: &App, pool_id: &str, code: &Code) -> Result<String, ApiError> {
    let id = ids::uuid_v4(app.rng.as_ref());
    let plain = serde_json::to_vec(code).or_internal()?;
    app.store
        .create_auth_session(&AuthSession {
            session_hash: code_hash(&id),
            pool_id: pool_id.to_owned(),
            doc: app
                .master_key
                .seal(app.rng.as_ref(), &code_context(pool_id, &id), &plain),
            expires_at: app.now() + CODE_SECONDS,
        })
        .await
        .or_internal()?;
    Ok(id)
}

/// Redeems a code of `pool_id` (once): None when unknown, used, expired or of another pool.
pub(crate) async fn take_code(
    app: &App,
    pool_id: &str,
    code: &str,
) -> Result<Option<Code>, ApiError> {
    let Some(session) = app
        .store
        .take_auth_session(&code_hash(code))
        .await
        .or_internal()?
    else {
        return Ok(None);
    };
    if session.pool_id != pool_id || session.doc.is_empty() || app.now() >= session.expires_at {
        return Ok(None);
    }
    Ok(app
        .master_key
        .open(&code_context(pool_id, code), &session.doc)
        .ok()
        .and_then(|plain| serde_json::from_slice(&plain).ok()))
}

/// The SSO session: who signed in, when, until when, and through which SAML provider.
#[derive(Serialize, Deserialize)]
pub(crate) struct Sso {
    pub username: String,
    pub sub: String,
    pub auth_time: i64,
    pub expires: i64,
    #[serde(default)]
    pub saml: Option<SamlLogin>,
}

/// A sign-in through a SAML provider, for its single logout.
#[derive(Serialize, Deserialize, Clone)]
pub(crate) struct SamlLogin {
    pub provider: String,
    pub name_id: String,
    pub session_index: Option<String>,
}

fn sso_context(pool_id: &str) -> String {
    format!("sso-session:{pool_id}")
}

/// A `Set-Cookie` value for the domain's path (HttpOnly, SameSite=Lax, Secure over HTTPS).
pub(crate) fn cookie(site: &Site, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let path = if site.path.is_empty() {
        "/"
    } else {
        &site.path
    };
    let secure = if site.secure { "; Secure" } else { "" };
    let text =
        format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The value of the request's cookie `name`.
pub(crate) fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The SSO session the request's cookie holds, if it is this pool's and not over.
pub(crate) fn sso_session(app: &App, site: &Site, headers: &HeaderMap) -> Option<Sso> {
    let sealed = read_cookie(headers, SSO_COOKIE)?;
    let sealed = B64URL.decode(sealed).ok()?;
    let sealed = String::from_utf8(sealed).ok()?;
    let plain = app
        .master_key
        .open(&sso_context(site.pool_id()), &sealed)
        .ok()?;
    let sso: Sso = serde_json::from_slice(&plain).ok()?;
    (app.now() < sso.expires as f64).then_some(sso)
}

/// The cookie that starts an SSO session for `sso`.
fn sso_cookie(app: &App, site: &Site, sso: &Sso) -> Result<HeaderValue, ApiError> {
    let plain = serde_json::to_vec(sso).or_internal()?;
    let sealed = app
        .master_key
        .seal(app.rng.as_ref(), &sso_context(site.pool_id()), &plain);
    Ok(cookie(
        site,
        SSO_COOKIE,
        &B64URL.encode(sealed),
        SSO_SECONDS,
    ))
}

/// The cookie that ends the SSO session.
pub(crate) fn sso_cleared(site: &Site) -> HeaderValue {
    cookie(site, SSO_COOKIE, "", 0)
}

/// A 302 to `location`, with cookies to set.
pub(crate) fn redirect(location: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    for c in cookies {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The end of a sign-in for `request`: back to its redirect URI with a code (or, implicit
/// grant, the tokens), and the SSO session started (or kept, from `sso`).
pub(crate) async fn complete(
    app: &App,
    site: &Site,
    request: &AuthRequest,
    result: AuthenticationResultType,
    sso: Sso,
) -> Result<Response, ApiError> {
    let tokens = Tokens::of(result, &request.scopes);
    let state = request.state.as_deref();
    let location = match request.response_type {
        ResponseType::Code => {
            let code = Code {
                client_id: request.client_id.clone(),
                redirect_uri: request.redirect_uri.clone(),
                pkce: request.pkce.clone(),
                tokens,
            };
            let code = new_code(app, site.pool_id(), &code).await?;
            let mut params = vec![("code", code.as_str())];
            params.extend(state.map(|s| ("state", s)));
            with_params(&request.redirect_uri, false, &params)
        }
        ResponseType::Token => {
            let expires_in = tokens.expires_in.to_string();
            let mut params = Vec::new();
            if let Some(id) = tokens.id_token.as_deref() {
                params.push(("id_token", id));
            }
            params.push(("access_token", tokens.access_token.as_str()));
            params.push(("expires_in", expires_in.as_str()));
            params.push(("token_type", "Bearer"));
            params.extend(state.map(|s| ("state", s)));
            with_params(&request.redirect_uri, true, &params)
        }
    };
    Ok(redirect(&location, vec![sso_cookie(app, site, &sso)?]))
}

/// A new SSO session for a user who signed in now.
pub(crate) fn new_sso(app: &App, username: &str, sub: &str) -> Sso {
    let now = app.now().floor() as i64;
    Sso {
        username: username.to_owned(),
        sub: sub.to_owned(),
        auth_time: now,
        expires: now + SSO_SECONDS,
        saml: None,
    }
}
