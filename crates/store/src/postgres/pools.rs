use super::PostgresStore;
use crate::pools::pool_id;
use crate::{StoreError, UserPools};
use async_trait::async_trait;
use ironpool_api::types::UserPoolType;

#[async_trait]
impl UserPools for PostgresStore {
    async fn create_user_pool(&self, pool: &UserPoolType) -> Result<(), StoreError> {
        let (id, doc) = (pool_id(pool)?, serde_json::to_string(pool)?);
        self.client()
            .await?
            .execute(
                "INSERT INTO user_pools (id, doc) VALUES ($1, $2)",
                &[&id, &doc],
            )
            .await?;
        Ok(())
    }

    async fn get_user_pool(&self, id: &str) -> Result<Option<UserPoolType>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt("SELECT doc FROM user_pools WHERE id = $1", &[&id])
            .await?;
        Ok(row
            .map(|r| serde_json::from_str(r.get::<_, &str>(0)))
            .transpose()?)
    }

    async fn list_user_pools(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserPoolType>, StoreError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT doc FROM user_pools WHERE id > $1 ORDER BY id LIMIT $2",
                &[&after.unwrap_or(""), &(limit as i64)],
            )
            .await?;
        rows.iter()
            .map(|r| Ok(serde_json::from_str(r.get::<_, &str>(0))?))
            .collect()
    }

    async fn put_user_pool(&self, pool: &UserPoolType) -> Result<bool, StoreError> {
        let (id, doc) = (pool_id(pool)?, serde_json::to_string(pool)?);
        let n = self
            .client()
            .await?
            .execute("UPDATE user_pools SET doc = $2 WHERE id = $1", &[&id, &doc])
            .await?;
        Ok(n == 1)
    }

    async fn delete_user_pool(&self, id: &str) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute("DELETE FROM user_pools WHERE id = $1", &[&id])
            .await?;
        Ok(n == 1)
    }
}
