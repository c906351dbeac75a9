use crate::StoreError;
use async_trait::async_trait;
use ironpool_api::types::UserPoolType;

/// User pools, stored as the full `UserPoolType` that DescribeUserPool returns.
#[async_trait]
pub trait UserPools: Send + Sync {
    /// Inserts a new pool; `Conflict` if its id exists.
    async fn create_user_pool(&self, pool: &UserPoolType) -> Result<(), StoreError>;

    async fn get_user_pool(&self, id: &str) -> Result<Option<UserPoolType>, StoreError>;

    /// Up to `limit` pools in id order, starting after the id `after`.
    async fn list_user_pools(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserPoolType>, StoreError>;

    /// Replaces an existing pool; false if there is none.
    async fn put_user_pool(&self, pool: &UserPoolType) -> Result<bool, StoreError>;

    /// Deletes a pool and everything in it; false if there was none.
    async fn delete_user_pool(&self, id: &str) -> Result<bool, StoreError>;
}

/// The id a pool is stored under; a pool without one is a bug of the caller.
pub(crate) fn pool_id(pool: &UserPoolType) -> Result<String, StoreError> {
    pool.id
        .clone()
        .ok_or_else(|| StoreError::Backend("user pool without an id".into()))
}
