use super::{retried, Cached, PostgresStore};
use crate::resources::{Kind, Resources};
use crate::StoreError;
use async_trait::async_trait;

#[async_trait]
impl Resources for PostgresStore {
    async fn create_resource(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
        doc: String,
    ) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute_cached(
                "INSERT INTO resources (kind, pool_id, key, doc) VALUES ($1, $2, $3, $4)",
                &[&kind.as_str(), &pool_id, &key, &doc],
            )
            .await?;
        Ok(())
    }

    async fn get_resource(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
    ) -> Result<Option<(String, i64)>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt_cached(
                "SELECT doc, version FROM resources WHERE kind = $1 AND pool_id = $2 AND key = $3",
                &[&kind.as_str(), &pool_id, &key],
            )
            .await?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    async fn find_resource(
        &self,
        kind: Kind,
        key: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt_cached(
                "SELECT pool_id, doc FROM resources WHERE kind = $1 AND key = $2 LIMIT 1",
                &[&kind.as_str(), &key],
            )
            .await?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    async fn put_resource(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
        doc: String,
        version: i64,
    ) -> Result<(), StoreError> {
        let updated = self
            .client()
            .await?
            .execute_cached(
                "UPDATE resources SET doc = $4, version = version + 1
                 WHERE kind = $1 AND pool_id = $2 AND key = $3 AND version = $5",
                &[&kind.as_str(), &pool_id, &key, &doc, &version],
            )
            .await?;
        if updated != 1 {
            return Err(StoreError::Conflict);
        }
        Ok(())
    }

    async fn delete_resource(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
    ) -> Result<bool, StoreError> {
        // A group's cascade (its memberships) may deadlock with a write.
        retried(|| async {
            let n = self
                .client()
                .await?
                .execute_cached(
                    "DELETE FROM resources WHERE kind = $1 AND pool_id = $2 AND key = $3",
                    &[&kind.as_str(), &pool_id, &key],
                )
                .await?;
            Ok(n == 1)
        })
        .await
    }

    async fn list_resources(
        &self,
        kind: Kind,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows = self
            .client()
            .await?
            .query_cached(
                "SELECT key, doc FROM resources WHERE kind = $1 AND pool_id = $2 AND key > $3
                 ORDER BY key LIMIT $4",
                &[
                    &kind.as_str(),
                    &pool_id,
                    &after.unwrap_or(""),
                    &(limit as i64),
                ],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn count_resources(&self, kind: Kind, pool_id: &str) -> Result<u64, StoreError> {
        let row = self
            .client()
            .await?
            .query_one_cached(
                "SELECT COUNT(*) FROM resources WHERE kind = $1 AND pool_id = $2",
                &[&kind.as_str(), &pool_id],
            )
            .await?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    async fn scan_resources(
        &self,
        kind: Kind,
        after: Option<(String, String)>,
        limit: usize,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        let (after_pool, after_key) = after.unwrap_or_default();
        let rows = self
            .client()
            .await?
            .query_cached(
                "SELECT pool_id, key, doc FROM resources
                 WHERE kind = $1 AND (pool_id, key) > ($2, $3)
                 ORDER BY pool_id, key LIMIT $4",
                &[&kind.as_str(), &after_pool, &after_key, &(limit as i64)],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }
}
