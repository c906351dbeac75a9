//! Which pool's domain a request is for: by its Host (`<prefix>.auth.<region>.localhost`, or
//! `.amazoncognito.com` where the name points here, or a custom domain's own name), or by the
//! path under the pool's issuer URL (`<public URL>/<pool id>/oauth2/...`).

use crate::app::{App, OrInternal};
use crate::ops::user_pools::get_pool;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::{header, request::Parts, StatusCode};
use axum::response::Response;
use ironpool_api::types::{DomainDescriptionType, UserPoolType};
use ironpool_api::{ApiError, ErrorCode};
use ironpool_store::{Kind, ResourcesExt};
use std::sync::Arc;

/// The first path segments of the domain's own endpoints: a request whose path starts with
/// anything else names a pool.
const ENDPOINTS: &[&str] = &[
    "oauth2",
    "login",
    "logout",
    "signup",
    "confirm",
    "forgotPassword",
    "confirmForgotPassword",
    "error",
    "saml2",
];

/// A pool's domain, as one request reached it.
#[derive(Clone, Debug)]
pub(crate) struct Site {
    pub pool: UserPoolType,
    /// The path the domain's endpoints are under: empty at the domain's own host,
    /// `/<pool id>` under the issuer URL.
    pub path: String,
    /// The absolute URL of that path: `<url>/oauth2/idpresponse` is where identity providers
    /// send users back to.
    pub url: String,
    /// The domain's ManagedLoginVersion: 1 styles the pages with the UI customization, 2 with
    /// the app client's managed login branding.
    pub managed_login_version: i32,
    /// Whether the request came over HTTPS (the cookies are `Secure` then).
    pub secure: bool,
}

impl Site {
    pub fn pool_id(&self) -> &str {
        self.pool.id.as_deref().unwrap_or_default()
    }

    /// The path of one of the domain's endpoints (`/login`), for links and redirects.
    pub fn at(&self, endpoint: &str) -> String {
        format!("{}{endpoint}", self.path)
    }
}

fn no_domain(what: &str) -> Response {
    crate::protocol::error_response(
        ApiError::new(
            ErrorCode::ResourceNotFoundException,
            format!("No user pool domain is served at {what}."),
        ),
        StatusCode::NOT_FOUND,
    )
}

/// The prefix of a prefix domain's host name, `<prefix>.auth.<region>.localhost` (or
/// `.amazoncognito.com`).
fn prefix_of(host: &str) -> Option<&str> {
    let (prefix, rest) = host.split_once(".auth.")?;
    let (region, suffix) = rest.split_once('.')?;
    (!prefix.is_empty()
        && !region.is_empty()
        && matches!(suffix, "localhost" | "amazoncognito.com"))
    .then_some(prefix)
}

/// The pool's domains, the prefix domain first.
pub(crate) async fn pool_domains(
    app: &App,
    pool_id: &str,
) -> Result<Vec<DomainDescriptionType>, ApiError> {
    let mut domains: Vec<DomainDescriptionType> = app
        .store
        .list(Kind::Domain, pool_id, None, 10)
        .await
        .or_internal()?
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    domains.sort_by_key(|d| d.custom_domain_config.is_some());
    Ok(domains)
}

impl FromRequestParts<Arc<App>> for Site {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Response> {
        let path = match parts.extensions.get::<OriginalUri>() {
            Some(original) => original.path().to_owned(),
            None => parts.uri.path().to_owned(),
        };
        let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
        let public = app.public_url.trim_end_matches('/');
        let internal =
            |e: ApiError| crate::protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR);
        if !ENDPOINTS.contains(&first) {
            // Under the issuer URL: the pool's prefix domain, else its custom domain.
            let pool = match get_pool(app, first).await {
                Ok(pool) => pool,
                Err(e) if e.code == ErrorCode::ResourceNotFoundException => {
                    return Err(no_domain(&format!("/{first}")))
                }
                Err(e) => return Err(internal(e)),
            };
            let domains = pool_domains(app, first).await.map_err(internal)?;
            let Some(domain) = domains.first() else {
                return Err(no_domain(&format!("/{first}")));
            };
            return Ok(Site {
                pool,
                managed_login_version: domain.managed_login_version.unwrap_or(1),
                path: format!("/{first}"),
                url: format!("{public}/{first}"),
                secure: public.starts_with("https:"),
            });
        }
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .unwrap_or("")
            .to_ascii_lowercase();
        let name = host.rsplit_once(':').map_or(host.as_str(), |(name, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                name
            } else {
                host.as_str()
            }
        });
        let key = prefix_of(name).unwrap_or(name);
        let found = app
            .store
            .find::<DomainDescriptionType>(Kind::Domain, key)
            .await
            .or_internal()
            .map_err(internal)?;
        let Some((pool_id, domain)) = found else {
            return Err(no_domain(&host));
        };
        // A prefix domain answers at its prefix host, a custom domain at its own name.
        if domain.custom_domain_config.is_some() == prefix_of(name).is_some() {
            return Err(no_domain(&host));
        }
        let pool = get_pool(app, &pool_id).await.map_err(|e| match e.code {
            ErrorCode::ResourceNotFoundException => no_domain(&host),
            _ => internal(e),
        })?;
        let scheme = if public.starts_with("https:") {
            "https"
        } else {
            "http"
        };
        Ok(Site {
            pool,
            managed_login_version: domain.managed_login_version.unwrap_or(1),
            path: String::new(),
            url: format!("{scheme}://{host}"),
            secure: scheme == "https",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_of;

    #[test]
    fn prefix_hosts() {
        assert_eq!(prefix_of("myapp.auth.us-east-1.localhost"), Some("myapp"));
        assert_eq!(
            prefix_of("myapp.auth.eu-west-1.amazoncognito.com"),
            Some("myapp")
        );
        assert_eq!(prefix_of("auth.example.com"), None);
        assert_eq!(prefix_of("myapp.auth.us-east-1.example.com"), None);
        assert_eq!(prefix_of(".auth.us-east-1.localhost"), None);
    }
}
