//! Groups: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups.
//!
//! A group is stored as its `GroupType` under `Kind::Group`, keyed by name (case-sensitive,
//! as in Cognito). Membership is kept by the users store, which drops it with the group.

use super::pages::resource_page;
use super::user_pools::get_pool;
use super::versioned::modify;
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_store::{Kind, ResourcesExt, StoreError};

/// Cognito's quota of groups per user pool.
const MAX_GROUPS_PER_POOL: u64 = 10_000;

pub(crate) fn group_not_found() -> ApiError {
    ApiError::resource_not_found("Group not found.")
}

pub(crate) async fn get_group_of(
    app: &App,
    pool_id: &str,
    name: &str,
) -> Result<GroupType, ApiError> {
    get_pool(app, pool_id).await?;
    app.store
        .get::<GroupType>(Kind::Group, pool_id, name)
        .await
        .or_internal()?
        .ok_or_else(group_not_found)
}

/// Names are unique per pool and case-sensitive; an omitted Precedence stays null (it is not 0).
pub async fn create_group(
    app: &App,
    input: CreateGroupRequest,
) -> Result<CreateGroupResponse, ApiError> {
    let pool_id = input.user_pool_id;
    get_pool(app, &pool_id).await?;
    if app
        .store
        .count_resources(Kind::Group, &pool_id)
        .await
        .or_internal()?
        >= MAX_GROUPS_PER_POOL
    {
        return Err(ApiError::new(
            ErrorCode::LimitExceededException,
            format!("The user pool has reached its limit of {MAX_GROUPS_PER_POOL} groups."),
        ));
    }
    let now = app.now();
    let group = GroupType {
        group_name: Some(input.group_name.clone()),
        user_pool_id: Some(pool_id.clone()),
        description: input.description,
        role_arn: input.role_arn,
        precedence: input.precedence,
        last_modified_date: Some(now),
        creation_date: Some(now),
    };
    match app
        .store
        .create(Kind::Group, &pool_id, &input.group_name, &group)
        .await
    {
        Ok(()) => Ok(CreateGroupResponse { group: Some(group) }),
        Err(StoreError::Conflict) => Err(ApiError::new(
            ErrorCode::GroupExistsException,
            "A group with the name already exists.",
        )),
        Err(e) => Err(e).or_internal(),
    }
}

pub async fn get_group(app: &App, input: GetGroupRequest) -> Result<GetGroupResponse, ApiError> {
    Ok(GetGroupResponse {
        group: Some(get_group_of(app, &input.user_pool_id, &input.group_name).await?),
    })
}

/// Only the members sent change: an omitted Description, RoleArn or Precedence keeps its value.
pub async fn update_group(
    app: &App,
    input: UpdateGroupRequest,
) -> Result<UpdateGroupResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let pool_id = &input.user_pool_id;
    let group = modify(app, Kind::Group, pool_id, &input.group_name, |group| {
        let mut group: GroupType = group.ok_or_else(group_not_found)?;
        if input.description.is_some() {
            group.description = input.description.clone();
        }
        if input.role_arn.is_some() {
            group.role_arn = input.role_arn.clone();
        }
        if input.precedence.is_some() {
            group.precedence = input.precedence;
        }
        group.last_modified_date = Some(app.now());
        Ok(group)
    })
    .await?;
    Ok(UpdateGroupResponse { group: Some(group) })
}

/// Deleting a group that still has members is allowed: the members simply leave it.
pub async fn delete_group(app: &App, input: DeleteGroupRequest) -> Result<Empty, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    // The store removes the group's memberships with it (in the same transaction).
    if !app
        .store
        .delete_resource(Kind::Group, &input.user_pool_id, &input.group_name)
        .await
        .or_internal()?
    {
        return Err(group_not_found());
    }
    Ok(Empty {})
}

/// `Limit` 0..=60 (0 or absent means 60), in name order, with an opaque `NextToken`.
pub async fn list_groups(
    app: &App,
    input: ListGroupsRequest,
) -> Result<ListGroupsResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let limit = match input.limit {
        Some(n) if n > 0 => n as usize,
        _ => 60,
    };
    let (groups, next_token) = resource_page::<GroupType>(
        app,
        Kind::Group,
        &input.user_pool_id,
        input.next_token.as_deref(),
        limit,
    )
    .await?;
    Ok(ListGroupsResponse {
        groups: Some(groups),
        next_token,
    })
}
