//! Tags on a user pool's ARN: TagResource, UntagResource, ListTagsForResource. They are the
//! pool's `UserPoolTags`, so DescribeUserPool, CreateUserPool and UpdateUserPool see the same
//! map; a replica's ARN (the pool's id in the replica's region) names the replica's own tags.

use super::replicas::{replica_in, Replica};
use super::user_pools::{get_pool, modify_pool};
use super::versioned::modify;
use crate::app::App;
use crate::scope::{of_arn, Scope};
use ironpool_api::types::*;
use ironpool_api::ApiError;
use ironpool_core::ids;
use ironpool_store::Kind;
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

/// What an ARN names: a pool (`arn:<partition>:cognito-idp:<region>:<account>:userpool/<id>`
/// of its own region and account) or one of its replicas (the same, in the replica's region);
/// anything else is ResourceNotFoundException.
enum Tagged {
    Pool(String),
    Replica(String, String),
}

async fn resource_of(app: &App, arn: &str) -> Result<Tagged, ApiError> {
    let not_found = || ApiError::resource_not_found(format!("Resource {arn} does not exist."));
    let id = arn
        .rsplit_once(":userpool/")
        .map(|(_, id)| id)
        .ok_or_else(not_found)?;
    let pool = get_pool(app, id).await.map_err(|_| not_found())?;
    if pool.arn.as_deref() == Some(arn) {
        return Ok(Tagged::Pool(id.to_owned()));
    }
    let home = Scope::of_pool(app, &pool);
    let named = of_arn(arn).ok_or_else(not_found)?;
    if named.account_id != home.account_id
        || arn != ids::user_pool_arn(&named.region, &named.account_id, id)
        || replica_in(app, id, &named.region).await?.is_none()
    {
        return Err(not_found());
    }
    Ok(Tagged::Replica(id.to_owned(), named.region))
}

/// Changes the tags of what `arn` names.
async fn change_tags(
    app: &App,
    arn: &str,
    change: impl Fn(&mut BTreeMap<String, String>) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    match resource_of(app, arn).await? {
        Tagged::Pool(id) => {
            modify_pool(app, &id, |pool| {
                let mut tags = pool.user_pool_tags.take().unwrap_or_default();
                change(&mut tags)?;
                pool.user_pool_tags = Some(tags);
                Ok(())
            })
            .await?;
        }
        Tagged::Replica(id, region) => {
            modify(app, Kind::Replica, &id, &region, |r: Option<Replica>| {
                let mut r = r.ok_or_else(|| {
                    ApiError::resource_not_found(format!("Resource {arn} does not exist."))
                })?;
                change(&mut r.tags)?;
                Ok(r)
            })
            .await?;
        }
    }
    Ok(())
}

/// Adds or overwrites tags; more than 50 on the pool is refused and nothing changes.
pub async fn tag_resource(
    app: &App,
    input: TagResourceRequest,
) -> Result<TagResourceResponse, ApiError> {
    change_tags(app, &input.resource_arn, |tags| {
        tags.extend(input.tags.clone());
        check_limit(Some(tags))
    })
    .await?;
    Ok(TagResourceResponse {})
}

/// Removes the keys given; keys that are not there are ignored.
pub async fn untag_resource(
    app: &App,
    input: UntagResourceRequest,
) -> Result<UntagResourceResponse, ApiError> {
    change_tags(app, &input.resource_arn, |tags| {
        for key in &input.tag_keys {
            tags.remove(key);
        }
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
    let tags = match resource_of(app, &input.resource_arn).await? {
        Tagged::Pool(id) => get_pool(app, &id).await?.user_pool_tags,
        Tagged::Replica(id, region) => replica_in(app, &id, &region).await?.map(|r| r.tags),
    };
    Ok(ListTagsForResourceResponse {
        tags: Some(tags.unwrap_or_default()),
    })
}
