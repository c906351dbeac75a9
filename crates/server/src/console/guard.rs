//! Who may use the console, in which account and region, and the CSRF checks of its forms.

use super::Form;
use crate::app::App;
use crate::scope::Scope;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path};
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path as FilePath;
use std::sync::Arc;
use subtle::ConstantTimeEq;

pub(crate) const CSRF_COOKIE: &str = "ironpool-console-csrf";
const REALM: &str = "Basic realm=\"Ironpool console\", charset=\"UTF-8\"";

/// The console as one request reached it: who signed in, where, and the CSRF token.
pub(crate) struct Console {
    pub app: Arc<App>,
    pub scope: Scope,
    /// The access key id or `admin` that signed in; empty where no sign-in is asked.
    pub signed_in: String,
    pub csrf: String,
    /// Whether the CSRF cookie is new (set with this response).
    pub new_csrf: bool,
    /// The request's own origin, `http://<Host>` (or https), for posted forms.
    origins: [String; 2],
    origin: Option<String>,
}

/// The console password file's first line, hashed.
pub fn read_password(path: &FilePath) -> Result<[u8; 32], String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let password = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if password.len() < 8 {
        return Err(format!(
            "{}: the console password must be at least 8 characters",
            path.display()
        ));
    }
    Ok(Sha256::digest(password.as_bytes()).into())
}

/// Whether the console can tell who is there: on a loopback address, or with credentials or a
/// console password to check.
pub fn can_guard(app: &App) -> bool {
    app.config.listen.ip().is_loopback()
        || !app.credentials.is_empty()
        || app.console_password.is_some()
}

fn sign_in_required(app: &App) -> bool {
    !app.credentials.is_empty()
        || app.console_password.is_some()
        || !app.config.listen.ip().is_loopback()
}

fn refuse(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        text.to_owned(),
    )
        .into_response()
}

/// A Host that names this machine's loopback interface.
fn loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The account a Basic sign-in may browse (`None`: every account), or why it is refused.
fn sign_in(app: &App, headers: &HeaderMap) -> Result<(String, Option<String>), ()> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .ok_or(())?;
    let decoded = B64.decode(value.trim()).map_err(|_| ())?;
    let decoded = String::from_utf8(decoded).map_err(|_| ())?;
    let (user, password) = decoded.split_once(':').ok_or(())?;
    if let Some(hash) = &app.console_password {
        let given: [u8; 32] = Sha256::digest(password.as_bytes()).into();
        if user == "admin" && bool::from(given.ct_eq(hash)) {
            return Ok((user.to_owned(), None));
        }
    }
    if app.credentials.holds(user, password) {
        let account = app
            .credentials
            .account_id(user)
            .unwrap_or(&app.config.account_id);
        return Ok((user.to_owned(), Some(account.to_owned())));
    }
    Err(())
}

/// The console's CSRF cookie: 32 bytes in hex, or none.
fn csrf_cookie(headers: &HeaderMap) -> Option<String> {
    crate::oauth::grant::read_cookie(headers, CSRF_COOKIE)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
}

impl FromRequestParts<Arc<App>> for Console {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Response> {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("")
            .to_owned();
        if app.config.listen.ip().is_loopback() && !loopback_host(&host) {
            return Err(refuse(
                StatusCode::MISDIRECTED_REQUEST,
                "The console answers only at a loopback name (localhost, 127.0.0.1 or [::1]).",
            ));
        }
        let (signed_in, only_account) = if sign_in_required(app) {
            match sign_in(app, &parts.headers) {
                Ok(who) => who,
                Err(()) => {
                    let mut response = refuse(
                        StatusCode::UNAUTHORIZED,
                        "Sign in with an access key id and its secret access key, or as admin \
                         with the console password.",
                    );
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM));
                    return Err(response);
                }
            }
        } else {
            (String::new(), None)
        };
        let params = Path::<HashMap<String, String>>::from_request_parts(parts, app)
            .await
            .map(|Path(p)| p)
            .unwrap_or_default();
        let scope = match (params.get("account"), params.get("region")) {
            (Some(account), Some(region)) => {
                if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(refuse(StatusCode::NOT_FOUND, "An account id is 12 digits."));
                }
                if !ironpool_sigv4::is_region_name(region) {
                    return Err(refuse(StatusCode::NOT_FOUND, "No such region."));
                }
                Scope {
                    account_id: account.clone(),
                    region: region.clone(),
                }
            }
            _ => Scope {
                account_id: only_account
                    .clone()
                    .unwrap_or_else(|| app.config.account_id.clone()),
                region: app.config.region.clone(),
            },
        };
        if only_account
            .as_ref()
            .is_some_and(|only| *only != scope.account_id)
        {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                "This access key may browse its own account only.",
            ));
        }
        let (csrf, new_csrf) = match csrf_cookie(&parts.headers) {
            Some(token) => (token, false),
            None => {
                let mut bytes = [0u8; 32];
                app.rng.fill(&mut bytes);
                (hex::encode(bytes), true)
            }
        };
        let origin = parts
            .headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(Console {
            app: app.clone(),
            scope,
            signed_in,
            csrf,
            new_csrf,
            origins: [format!("http://{host}"), format!("https://{host}")],
            origin,
        })
    }
}

/// A form refused (403), and why.
pub(crate) struct Refused(&'static str);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        refuse(StatusCode::FORBIDDEN, self.0)
    }
}

impl Console {
    /// A posted form, once it is known to come from the console's own page: no other origin,
    /// and the CSRF token of the console's cookie.
    pub(crate) fn form(&self, body: &Bytes) -> Result<Form, Refused> {
        if self
            .origin
            .as_ref()
            .is_some_and(|o| !self.origins.contains(o))
        {
            return Err(Refused("A form of another site was refused."));
        }
        let form = Form(serde_urlencoded::from_bytes(body).unwrap_or_default());
        let given = form.get("csrf").as_bytes();
        if self.new_csrf
            || given.len() != self.csrf.len()
            || !bool::from(given.ct_eq(self.csrf.as_bytes()))
        {
            return Err(Refused(
                "The form has expired or was not the console's: reload the page and try again.",
            ));
        }
        Ok(form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost:9229",
            "127.0.0.1:80",
            "[::1]:9229",
            "a.auth.us-east-1.localhost",
        ] {
            assert!(loopback_host(host), "{host}");
        }
        for host in [
            "evil.example:9229",
            "10.0.0.1",
            "",
            "localhost.evil.example",
        ] {
            assert!(!loopback_host(host), "{host}");
        }
    }
}
