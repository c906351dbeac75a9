//! One page of a pool's configuration resources, in key order, behind an opaque token.

use super::{decode_token, encode_token};
use crate::app::{App, OrInternal};
use ironpool_api::ApiError;
use ironpool_store::{Kind, ResourcesExt};
use serde::de::DeserializeOwned;

/// Up to `limit` resources after the key in `next_token`, and the token of the next page
/// (none on the last page, so the SDK paginators stop).
pub(crate) async fn resource_page<T: DeserializeOwned>(
    app: &App,
    kind: Kind,
    pool_id: &str,
    next_token: Option<&str>,
    limit: usize,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let after = next_token.map(decode_token).transpose()?;
    let limit = limit.max(1);
    let mut rows = app
        .store
        .list::<T>(kind, pool_id, after.as_deref(), limit + 1)
        .await
        .or_internal()?;
    let next = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|(key, _)| encode_token(key))
    } else {
        None
    };
    Ok((rows.into_iter().map(|(_, v)| v).collect(), next))
}
