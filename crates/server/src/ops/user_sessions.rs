//! A user's token sessions: ListUserSessions, AdminListUserSessions, RevokeUserSession,
//! AdminRevokeUserSession.
//!
//! A token session is a refresh token family (one sign-in to one app client): its SessionId is
//! derived from the family's `origin_jti`, so the access tokens of a sign-in name their session.
//! Revoking one is what RevokeToken does to its refresh token: the family is marked revoked,
//! and its refresh token and every access token issued with it are refused from then on.
//! Listing and revoking need the pool's session tracking ENABLED.

use super::sessions::pool_config;
use super::tokens::authorize;
use super::user_pools::get_pool;
use super::users::load_user;
use super::{decode_token, encode_token};
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode, Sensitive};
use ironpool_store::User;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Cognito answers every session of a user in one page of up to 125.
const PAGE_SIZE: usize = 125;

/// `tkn` and 25 lowercase hex digits, stable for a sign-in.
fn session_id(origin_jti: &str) -> String {
    let digest = hex::encode(Sha256::digest(format!("token-session:{origin_jti}")));
    format!("tkn{}", &digest[..25])
}

/// OperationNotEnabledException unless the pool tracks sessions.
async fn require_tracking(app: &App, pool_id: &str) -> Result<(), ApiError> {
    let config = pool_config(app, pool_id).await?;
    if config.user_session_tracking == Some(UserSessionTrackingType::Enabled) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::OperationNotEnabledException,
            "User session tracking is not enabled for this user pool.",
        ))
    }
}

/// The user's live sessions from `next_token` on, one page, and the token of the next page.
/// `current` is the `origin_jti` of the caller's own sign-in, if any.
async fn page(
    app: &App,
    user: &User,
    current: Option<&str>,
    next_token: Option<&str>,
) -> Result<(Vec<SessionDescriptionType>, Option<String>), ApiError> {
    let after = next_token.map(decode_token).transpose()?;
    let families = app
        .store
        .list_token_families(&user.pool_id, &user.sub, app.now())
        .await
        .or_internal()?;
    let mut sessions: Vec<SessionDescriptionType> = families
        .into_iter()
        .map(|(family, last_used)| SessionDescriptionType {
            session_id: Some(session_id(&family.origin_jti)),
            session_type: Some(SessionTypeType::Token),
            client_id: Some(Sensitive(family.client_id)),
            create_date: Some(family.auth_time),
            last_active_date: Some(last_used.floor()),
            is_current_session: Some(current == Some(family.origin_jti.as_str())),
            ..Default::default()
        })
        .collect();
    if let Some(after) = after {
        let Some(at) = sessions
            .iter()
            .position(|s| s.session_id.as_deref() == Some(after.as_str()))
        else {
            return Err(ApiError::invalid_parameter("Invalid pagination token."));
        };
        sessions.drain(..=at);
    }
    let next = (sessions.len() > PAGE_SIZE).then(|| {
        sessions.truncate(PAGE_SIZE);
        encode_token(
            sessions[PAGE_SIZE - 1]
                .session_id
                .as_deref()
                .unwrap_or_default(),
        )
    });
    Ok((sessions, next))
}

/// Revokes the user's session `id`: ResourceNotFoundException when the user has no live
/// session of that id; the caller's own session (`current`) cannot be revoked this way.
async fn revoke(app: &App, user: &User, current: Option<&str>, id: &str) -> Result<(), ApiError> {
    let families = app
        .store
        .list_token_families(&user.pool_id, &user.sub, app.now())
        .await
        .or_internal()?;
    let family = families
        .into_iter()
        .map(|(family, _)| family)
        .find(|f| session_id(&f.origin_jti) == id)
        .ok_or_else(|| ApiError::new(ErrorCode::ResourceNotFoundException, "Session not found."))?;
    if current == Some(family.origin_jti.as_str()) {
        return Err(ApiError::invalid_parameter(
            "The current session cannot be revoked; use GlobalSignOut or RevokeToken.",
        ));
    }
    app.store
        .revoke_token_family(&user.pool_id, &family.origin_jti)
        .await
        .or_internal()?;
    Ok(())
}

fn origin_jti(claims: &serde_json::Map<String, Value>) -> Option<&str> {
    claims.get("origin_jti").and_then(Value::as_str)
}

/// Every live session of the caller across all app clients; IsCurrentSession marks the one
/// the access token came from.
pub async fn list_user_sessions(
    app: &App,
    input: ListUserSessionsRequest,
) -> Result<ListUserSessionsResponse, ApiError> {
    let (user, claims, _) = authorize(app, input.access_token.expose()).await?;
    require_tracking(app, &user.pool_id).await?;
    let (sessions, next_token) =
        page(app, &user, origin_jti(&claims), input.next_token.as_deref()).await?;
    Ok(ListUserSessionsResponse {
        sessions: Some(sessions),
        next_token,
    })
}

/// As ListUserSessions, for an administrator: IsCurrentSession is always false.
pub async fn admin_list_user_sessions(
    app: &App,
    input: AdminListUserSessionsRequest,
) -> Result<AdminListUserSessionsResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    require_tracking(app, &input.user_pool_id).await?;
    let user = load_user(app, &pool, input.username.expose()).await?;
    let (sessions, next_token) = page(app, &user, None, input.next_token.as_deref()).await?;
    Ok(AdminListUserSessionsResponse {
        sessions: Some(sessions),
        next_token,
    })
}

/// Ends another session of the caller (another device or app client): its refresh token and
/// access tokens stop working at once. RevokeAssociatedSessions LINKED changes nothing here:
/// token sessions started through the API have no SSO session.
pub async fn revoke_user_session(
    app: &App,
    input: RevokeUserSessionRequest,
) -> Result<RevokeUserSessionResponse, ApiError> {
    let (user, claims, _) = authorize(app, input.access_token.expose()).await?;
    require_tracking(app, &user.pool_id).await?;
    revoke(app, &user, origin_jti(&claims), &input.session_id).await?;
    Ok(RevokeUserSessionResponse::default())
}

/// Ends any session of the user, which must own it.
pub async fn admin_revoke_user_session(
    app: &App,
    input: AdminRevokeUserSessionRequest,
) -> Result<AdminRevokeUserSessionResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    require_tracking(app, &input.user_pool_id).await?;
    let user = load_user(app, &pool, input.username.expose()).await?;
    revoke(app, &user, None, &input.session_id).await?;
    Ok(AdminRevokeUserSessionResponse::default())
}
