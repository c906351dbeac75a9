use crate::{Kind, StoreError};
use async_trait::async_trait;
use ironpool_api::types::UserPoolType;

/// User pools, stored as the full `UserPoolType` that DescribeUserPool returns, each with a
/// version that every change moves up by one: a change names the version it was made from and
/// is refused if another came in between (optimistic concurrency, as for users). A new pool's
/// version starts at a random number ([`first_version`]), so a pool deleted and created again
/// under the same id does not repeat the versions of the one before.
#[async_trait]
pub trait UserPools: Send + Sync {
    /// Inserts a new pool; `Conflict` if its id exists.
    async fn create_user_pool(&self, pool: &UserPoolType) -> Result<(), StoreError>;

    async fn get_user_pool(&self, id: &str) -> Result<Option<UserPoolType>, StoreError>;

    /// The pool and its version.
    async fn get_user_pool_versioned(
        &self,
        id: &str,
    ) -> Result<Option<(UserPoolType, i64)>, StoreError>;

    /// The pool's version alone, none if there is no such pool: what a copy of the pool kept
    /// in memory is checked against.
    async fn user_pool_version(&self, id: &str) -> Result<Option<i64>, StoreError>;

    /// Up to `limit` pools in id order, starting after the id `after`.
    async fn list_user_pools(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserPoolType>, StoreError>;

    /// Replaces the pool if its stored version is `version` (storing `version + 1`), and in
    /// the same transaction inserts or replaces the documents `resources` (kind, key,
    /// document) of the pool, so settings kept beside the pool change with it. `Conflict` if
    /// the pool changed meanwhile or is gone.
    async fn put_user_pool(
        &self,
        pool: &UserPoolType,
        version: i64,
        resources: Vec<(Kind, String, String)>,
    ) -> Result<(), StoreError>;

    /// Deletes a pool and everything in it; false if there was none.
    async fn delete_user_pool(&self, id: &str) -> Result<bool, StoreError>;
}

/// The version a new pool starts at: random, below 2^62 (room for every change after it).
pub(crate) fn first_version() -> i64 {
    (rand::random::<u64>() >> 2) as i64
}

/// The id a pool is stored under; a pool without one is a bug of the caller.
pub(crate) fn pool_id(pool: &UserPoolType) -> Result<String, StoreError> {
    pool.id
        .clone()
        .ok_or_else(|| StoreError::Backend("user pool without an id".into()))
}
