//! Group membership: AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser,
//! ListUsersInGroup.

use super::groups::get_group_of;
use super::users::{load_user, user_type};
use super::{decode_token, encode_token};
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::ApiError;
use ironpool_store::users::username_key;
use ironpool_store::{Kind, ResourcesExt};

/// Adding a member twice is fine; the user may be named by an alias or sub.
pub async fn admin_add_user_to_group(
    app: &App,
    input: AdminAddUserToGroupRequest,
) -> Result<Empty, ApiError> {
    let pool = super::user_pools::get_pool(app, &input.user_pool_id).await?;
    get_group_of(app, &input.user_pool_id, &input.group_name).await?;
    let user = load_user(app, &pool, input.username.expose()).await?;
    if !app
        .store
        .add_user_to_group(&user.pool_id, &user.username, &input.group_name)
        .await
        .or_internal()?
    {
        // The user or the group went away meanwhile.
        get_group_of(app, &input.user_pool_id, &input.group_name).await?;
        return Err(super::users::user_not_found());
    }
    Ok(Empty {})
}

/// Removing a user who is not in the group succeeds.
pub async fn admin_remove_user_from_group(
    app: &App,
    input: AdminRemoveUserFromGroupRequest,
) -> Result<Empty, ApiError> {
    let pool = super::user_pools::get_pool(app, &input.user_pool_id).await?;
    get_group_of(app, &input.user_pool_id, &input.group_name).await?;
    let user = load_user(app, &pool, input.username.expose()).await?;
    app.store
        .remove_user_from_group(&user.pool_id, &user.username, &input.group_name)
        .await
        .or_internal()?;
    Ok(Empty {})
}

/// The user's groups in name order, as full GroupType, paged by NextToken.
pub async fn admin_list_groups_for_user(
    app: &App,
    input: AdminListGroupsForUserRequest,
) -> Result<AdminListGroupsForUserResponse, ApiError> {
    let pool = super::user_pools::get_pool(app, &input.user_pool_id).await?;
    let user = load_user(app, &pool, input.username.expose()).await?;
    let limit = input.limit.unwrap_or(60).clamp(1, 60) as usize;
    let after = input.next_token.as_deref().map(decode_token).transpose()?;
    let mut names = app
        .store
        .list_groups_for_user(&user.pool_id, &user.username, after.as_deref(), limit + 1)
        .await
        .or_internal()?;
    let more = names.len() > limit;
    names.truncate(limit);
    let mut groups = Vec::with_capacity(names.len());
    for n in &names {
        if let Some(g) = app
            .store
            .get::<GroupType>(Kind::Group, &user.pool_id, n)
            .await
            .or_internal()?
        {
            groups.push(g);
        }
    }
    Ok(AdminListGroupsForUserResponse {
        groups: Some(groups),
        next_token: if more {
            names.last().map(|n| encode_token(n))
        } else {
            None
        },
    })
}

/// Members in username order, paged by NextToken; the group must exist.
pub async fn list_users_in_group(
    app: &App,
    input: ListUsersInGroupRequest,
) -> Result<ListUsersInGroupResponse, ApiError> {
    let pool = super::user_pools::get_pool(app, &input.user_pool_id).await?;
    get_group_of(app, &input.user_pool_id, &input.group_name).await?;
    let limit = input.limit.unwrap_or(60).clamp(1, 60) as usize;
    let after = input.next_token.as_deref().map(decode_token).transpose()?;
    let mut users = app
        .store
        .list_users_in_group(
            &input.user_pool_id,
            &input.group_name,
            after.as_deref(),
            limit + 1,
        )
        .await
        .or_internal()?;
    let more = users.len() > limit;
    users.truncate(limit);
    Ok(ListUsersInGroupResponse {
        next_token: match (more, users.last()) {
            (true, Some(u)) => Some(encode_token(&username_key(&pool, &u.username))),
            _ => None,
        },
        users: Some(users.iter().map(|u| user_type(u, None)).collect()),
    })
}
