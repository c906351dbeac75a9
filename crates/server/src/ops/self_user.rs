//! What a signed-in user does with an access token: GetUser, ChangePassword, DeleteUser.
//! Each refuses expired, revoked, forged, ID and foreign tokens (see `tokens::authorize`).

use super::auth::{failed_password, modify_user, password_matches};
use super::tokens::authorize;
use super::user_mfa::mfa_fields;
use super::user_pools::get_pool;
use super::users::set_password;
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode, Sensitive};
use ironpool_core::lockout::Lockout;
use ironpool_store::User;

/// The user's attributes as its app client may read them (all of them when the client has no
/// ReadAttributes or is gone), `sub` first.
fn readable_attributes(user: &User, client: &UserPoolClientType) -> Vec<AttributeType> {
    let read = client.read_attributes.as_deref();
    let readable = |name: &str| read.is_none_or(|l| l.iter().any(|a| a == name));
    let mut out = Vec::with_capacity(user.attributes.len() + 1);
    out.push(AttributeType {
        name: "sub".into(),
        value: Some(Sensitive(user.sub.clone())),
    });
    out.extend(
        user.attributes
            .iter()
            .filter(|(k, _)| readable(k))
            .map(|(k, v)| AttributeType {
                name: k.clone(),
                value: Some(Sensitive(v.clone())),
            }),
    );
    out
}

/// The signed-in user's username and the attributes its app client may read.
pub async fn get_user(app: &App, input: GetUserRequest) -> Result<GetUserResponse, ApiError> {
    let (user, _, client) = authorize(app, input.access_token.expose()).await?;
    let mfa = mfa_fields(&user);
    Ok(GetUserResponse {
        user_attributes: readable_attributes(&user, &client),
        username: Sensitive(user.username),
        mfa_options: mfa.mfa_options,
        preferred_mfa_setting: mfa.preferred,
        user_mfa_setting_list: mfa.list,
    })
}

/// Needs the previous password (counted toward lockout, which answers LimitExceededException
/// here) and a new one that meets the pool's policy; other sessions stay signed in.
pub async fn change_password(
    app: &App,
    input: ChangePasswordRequest,
) -> Result<ChangePasswordResponse, ApiError> {
    let (user, _, _) = authorize(app, input.access_token.expose()).await?;
    let pool = get_pool(app, &user.pool_id).await?;
    let locked = Lockout {
        failed_attempts: user.failed_attempts,
        locked_until: user.locked_until,
    }
    .is_locked(app.now());
    if locked {
        return Err(ApiError::new(
            ErrorCode::LimitExceededException,
            "Attempt limit exceeded, please try after some time.",
        ));
    }
    if user.password.is_some() {
        let previous = input
            .previous_password
            .as_ref()
            .map(|p| p.expose().as_str())
            .ok_or_else(|| {
                ApiError::invalid_parameter("Missing required parameter PreviousPassword")
            })?;
        if !password_matches(app, &user, previous)? {
            return Err(failed_password(app, user).await);
        }
    }
    let mut changed = user.clone();
    set_password(
        app,
        &pool,
        &mut changed,
        input.proposed_password.expose(),
        false,
    )?;
    modify_user(app, user, |u| {
        u.password = changed.password.clone();
        u.password_history = changed.password_history.clone();
        u.failed_attempts = 0;
        u.locked_until = None;
    })
    .await?;
    Ok(ChangePasswordResponse::default())
}

/// Deletes the signed-in user for good; its tokens stop working at once.
pub async fn delete_user(app: &App, input: DeleteUserRequest) -> Result<Empty, ApiError> {
    let (user, _, _) = authorize(app, input.access_token.expose()).await?;
    app.store
        .revoke_user_refresh_tokens(&user.pool_id, &user.sub)
        .await
        .or_internal()?;
    app.store
        .delete_user(&user.pool_id, &user.username)
        .await
        .or_internal()?;
    Ok(Empty::default())
}
