//! What the configuration resources of an app client share: the client must exist in the
//! pool, and `ALL` (or no client) names the pool's default.

use crate::app::{App, OrInternal};
use ironpool_api::ApiError;
use ironpool_store::Kind;

/// The key of the pool-wide default of per-client configuration.
pub(crate) const ALL: &str = "ALL";

/// ResourceNotFoundException unless the app client exists in this pool.
pub(crate) async fn require_client(
    app: &App,
    pool_id: &str,
    client_id: &str,
) -> Result<(), ApiError> {
    match app
        .store
        .get_resource(Kind::Client, pool_id, client_id)
        .await
        .or_internal()?
    {
        Some(_) => Ok(()),
        None => Err(super::clients::client_not_found(client_id)),
    }
}
