//! Tags on a user pool's ARN: TagResource, UntagResource, ListTagsForResource. They are the
//! pool's `UserPoolTags`, so DescribeUserPool, CreateUserPool and UpdateUserPool see the same
//! map.

use super::user_pools::{get_pool, modify_pool};
use crate::app::App;
use ironpool_api::types::*;
use ironpool_api::ApiError;
use std::collections::BTreeMap;

/// Cognito's limit of tags on one user pool.
const MAX_TAGS: usize = 50;

pub(crate) fn check_limit(tags: Option<&BTreeMap<String, String>>) -> Result<(), ApiError> {
    if tags.is_some_and(|t| t.len() > MAX_TAGS) {
        return Err(ApiError::invalid_parameter(format!(
            "A user pool can have at most {MAX_TAGS} tags."
        )));
    }
    Ok(())
}

/// The pool an ARN names: only `arn:<partition>:cognito-idp:<our region>:<our account>:userpool/<id>`
/// of an existing pool is a resource; anything else is ResourceNotFoundException.
async fn pool_of(app: &App, arn: &str) -> Result<UserPoolType, ApiError> {
    let not_found = || ApiError::resource_not_found(format!("Resource {arn} does not exist."));
    let id = arn
        .rsplit_once(":userpool/")
        .map(|(_, id)| id)
        .ok_or_else(not_found)?;
    let pool = get_pool(app, id).await.map_err(|_| not_found())?;
    if pool.arn.as_deref() != Some(arn) {
        return Err(not_found());
    }
    Ok(pool)
}

/// Adds or overwrites tags; more than 50 on the pool is refused and nothing changes.
pub async fn tag_resource(
    app: &App,
    input: TagResourceRequest,
) -> Result<TagResourceResponse, ApiError> {
    let pool = pool_of(app, &input.resource_arn).await?;
    modify_pool(app, pool.id.as_deref().unwrap_or_default(), |pool| {
        let mut tags = pool.user_pool_tags.take().unwrap_or_default();
        tags.extend(input.tags.clone());
        check_limit(Some(&tags))?;
        pool.user_pool_tags = Some(tags);
        Ok(())
    })
    .await?;
    Ok(TagResourceResponse {})
}

/// Removes the keys given; keys that are not there are ignored.
pub async fn untag_resource(
    app: &App,
    input: UntagResourceRequest,
) -> Result<UntagResourceResponse, ApiError> {
    let pool = pool_of(app, &input.resource_arn).await?;
    modify_pool(app, pool.id.as_deref().unwrap_or_default(), |pool| {
        let mut tags = pool.user_pool_tags.take().unwrap_or_default();
        for key in &input.tag_keys {
            tags.remove(key);
        }
        pool.user_pool_tags = Some(tags);
        Ok(())
    })
    .await?;
    Ok(UntagResourceResponse {})
}

/// Lists the pool's tags; a pool without tags answers an empty `Tags` map.
pub async fn list_tags_for_resource(
    app: &App,
    input: ListTagsForResourceRequest,
) -> Result<ListTagsForResourceResponse, ApiError> {
    let pool = pool_of(app, &input.resource_arn).await?;
    Ok(ListTagsForResourceResponse {
        tags: Some(pool.user_pool_tags.unwrap_or_default()),
    })
}
