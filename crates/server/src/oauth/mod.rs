//! The authorization server of a pool's domain (Cognito's user pool endpoints): the OAuth 2.0
//! and OpenID Connect endpoints and the managed login pages. A domain answers at its own host
//! (`<prefix>.auth.<region>.localhost:<port>`, or a custom domain's name) and, for clients
//! that cannot choose a host, under the pool's issuer URL (`<public URL>/<pool id>/...`).

mod authorize;
pub(crate) mod federation;
pub(crate) mod grant;
mod logout;
pub(crate) mod oidc;
mod pages;
mod request;
mod saml;
mod site;
mod token;
mod userinfo;

pub(crate) use site::pool_domains;

use crate::app::App;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// The domain's endpoints, mounted at the root (by Host) and under `/{pool}`.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/oauth2/authorize", get(authorize::authorize))
        .route("/oauth2/token", post(token::token))
        .route(
            "/oauth2/userInfo",
            get(userinfo::user_info).post(userinfo::user_info),
        )
        .route("/oauth2/revoke", post(logout::revoke))
        .route(
            "/oauth2/idpresponse",
            get(federation::idp_response).post(federation::idp_response_posted),
        )
        .route("/saml2/idpresponse", post(saml::idp_response))
        .route("/saml2/metadata", get(saml::sp_metadata))
        .route("/saml2/logout", get(saml::logout))
        .route("/logout", get(logout::logout))
        .route("/login", get(pages::login::show).post(pages::login::submit))
        .route(
            "/signup",
            get(pages::signup::show).post(pages::signup::submit),
        )
        .route(
            "/confirm",
            get(pages::signup::show_confirm).post(pages::signup::confirm),
        )
        .route(
            "/forgotPassword",
            get(pages::forgot::show).post(pages::forgot::submit),
        )
        .route("/confirmForgotPassword", post(pages::forgot::confirm))
        .route("/error", get(pages::error))
        .route("/passkey.js", get(pages::passkey_script))
}
