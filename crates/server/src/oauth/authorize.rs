//! `GET /oauth2/authorize`: the request checked, then the SSO session (unless `prompt=login`)
//! signs the user in at once; otherwise the managed login pages (`/login`, with the same
//! parameters), or `error=login_required` for `prompt=none`.

use super::grant::{complete, redirect, sso_session};
use super::pages::refused;
use super::request::{check, with_params, Params, ResponseType};
use super::site::Site;
use crate::app::{App, OrInternal};
use crate::ops::auth::check_can_sign_in;
use crate::ops::token_triggers::Generation;
use crate::ops::tokens::{issue, OAuthGrant};
use crate::protocol;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::sync::Arc;

pub(crate) async fn authorize(
    State(app): State<Arc<App>>,
    site: Site,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    let request = match check(&app, &site, &params).await {
        Ok(r) => r,
        Err(refusal) => return refused(&app, &site, &headers, &params, refusal).await,
    };
    let prompts: Vec<&str> = params
        .prompt
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let back_with = |error: &str| {
        let mut pairs = vec![("error", error)];
        pairs.extend(request.state.as_deref().map(|s| ("state", s)));
        let fragment = request.response_type == ResponseType::Token;
        redirect(
            &with_params(&request.redirect_uri, fragment, &pairs),
            Vec::new(),
        )
    };
    if !prompts.contains(&"login") {
        if let Some(sso) = sso_session(&app, &site, &headers) {
            match sso_sign_in(&app, &site, &request, sso).await {
                Ok(Some(response)) => return response,
                Ok(None) => {}
                Err(e) => return protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR),
            }
        }
    }
    if prompts.contains(&"none") {
        return back_with("login_required");
    }
    if let Some(provider) = &request.identity_provider {
        return match super::federation::start(&app, &site, &request, &params, provider).await {
            Ok(response) => response,
            Err(e) => protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR),
        };
    }
    let query = super::pages::query_of(&params);
    redirect(&format!("{}?{query}", site.at("/login")), Vec::new())
}

/// New tokens for the SSO session's user, if that user may still sign in.
async fn sso_sign_in(
    app: &App,
    site: &Site,
    request: &super::request::AuthRequest,
    sso: super::grant::Sso,
) -> Result<Option<Response>, ironpool_api::ApiError> {
    let Some(user) = app
        .store
        .get_user_by_sub(site.pool_id(), &sso.sub)
        .await
        .or_internal()?
    else {
        return Ok(None);
    };
    if check_can_sign_in(&user).is_err()
        || user
            .tokens_valid_after
            .is_some_and(|after| (sso.auth_time as f64) < after.floor())
    {
        return Ok(None);
    }
    let grant = OAuthGrant {
        scopes: request.scopes.clone(),
        nonce: request.nonce.clone(),
        auth_time: Some(sso.auth_time),
    };
    let generation = Generation {
        pool: &site.pool,
        source: "TokenGeneration_HostedAuth",
        client_metadata: None,
        oauth: Some(&grant),
    };
    let result = issue(app, &generation, &request.client.client, &user, None).await?;
    complete(app, site, request, result, sso).await.map(Some)
}
