//! Each account's provisioned request rates (UpdateProvisionedLimit), per region and API
//! category; a category never provisioned is at its default, which the store does not keep.

use crate::StoreError;
use async_trait::async_trait;

#[async_trait]
pub trait ProvisionedLimits: Send + Sync {
    /// The (category, requests per second) provisioned for `account_id` in `region`.
    async fn provisioned_limits(
        &self,
        account_id: &str,
        region: &str,
    ) -> Result<Vec<(String, i32)>, StoreError>;

    /// Sets one category's rate, replacing what was provisioned before.
    async fn put_provisioned_limit(
        &self,
        account_id: &str,
        region: &str,
        category: &str,
        value: i32,
    ) -> Result<(), StoreError>;
}
