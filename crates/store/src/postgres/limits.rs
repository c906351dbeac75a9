use super::{Cached, PostgresStore};
use crate::limits::ProvisionedLimits;
use crate::StoreError;
use async_trait::async_trait;

#[async_trait]
impl ProvisionedLimits for PostgresStore {
    async fn provisioned_limits(
        &self,
        account_id: &str,
        region: &str,
    ) -> Result<Vec<(String, i32)>, StoreError> {
        let rows = self
            .client()
            .await?
            .query_cached(
                "SELECT category, value FROM provisioned_limits
                 WHERE account_id = $1 AND region = $2 ORDER BY category",
                &[&account_id, &region],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn put_provisioned_limit(
        &self,
        account_id: &str,
        region: &str,
        category: &str,
        value: i32,
    ) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute_cached(
                "INSERT INTO provisioned_limits (account_id, region, category, value)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (account_id, region, category) DO UPDATE SET value = excluded.value",
                &[&account_id, &region, &category, &value],
            )
            .await?;
        Ok(())
    }
}
