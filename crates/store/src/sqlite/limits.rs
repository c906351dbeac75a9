use super::SqliteStore;
use crate::limits::ProvisionedLimits;
use crate::StoreError;
use async_trait::async_trait;
use rusqlite::params;

#[async_trait]
impl ProvisionedLimits for SqliteStore {
    async fn provisioned_limits(
        &self,
        account_id: &str,
        region: &str,
    ) -> Result<Vec<(String, i32)>, StoreError> {
        let (account_id, region) = (account_id.to_owned(), region.to_owned());
        self.lookup(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT category, value FROM provisioned_limits
                 WHERE account_id = ?1 AND region = ?2 ORDER BY category",
            )?;
            let rows = statement
                .query_map(params![account_id, region], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    async fn put_provisioned_limit(
        &self,
        account_id: &str,
        region: &str,
        category: &str,
        value: i32,
    ) -> Result<(), StoreError> {
        let args = [account_id, region, category].map(str::to_owned);
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO provisioned_limits (account_id, region, category, value)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (account_id, region, category) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![args[0], args[1], args[2], value])?;
            Ok(())
        })
        .await
    }
}
