use super::{retried, Cached, PostgresStore};
use crate::pools::{first_version, pool_id};
use crate::{Kind, StoreError, UserPools};
use async_trait::async_trait;
use ironpool_api::types::UserPoolType;

#[async_trait]
impl UserPools for PostgresStore {
    async fn create_user_pool(&self, pool: &UserPoolType) -> Result<(), StoreError> {
        let (id, doc) = (pool_id(pool)?, serde_json::to_string(pool)?);
        self.client()
            .await?
            .execute_cached(
                "INSERT INTO user_pools (id, doc, version) VALUES ($1, $2, $3)",
                &[&id, &doc, &first_version()],
            )
            .await?;
        Ok(())
    }

    async fn get_user_pool(&self, id: &str) -> Result<Option<UserPoolType>, StoreError> {
        Ok(self
            .get_user_pool_versioned(id)
            .await?
            .map(|(pool, _)| pool))
    }

    async fn get_user_pool_versioned(
        &self,
        id: &str,
    ) -> Result<Option<(UserPoolType, i64)>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt_cached("SELECT doc, version FROM user_pools WHERE id = $1", &[&id])
            .await?;
        self.namings
            .check(id, row.as_ref().map(|r| r.get::<_, i64>(1)));
        row.map(|r| Ok((serde_json::from_str(r.get::<_, &str>(0))?, r.get(1))))
            .transpose()
    }

    async fn user_pool_version(&self, id: &str) -> Result<Option<i64>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt_cached("SELECT version FROM user_pools WHERE id = $1", &[&id])
            .await?;
        let version = row.map(|r| r.get(0));
        self.namings.check(id, version);
        Ok(version)
    }

    async fn list_user_pools(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserPoolType>, StoreError> {
        let rows = self
            .client()
            .await?
            .query_cached(
                "SELECT doc FROM user_pools WHERE id > $1 ORDER BY id LIMIT $2",
                &[&after.unwrap_or(""), &(limit as i64)],
            )
            .await?;
        rows.iter()
            .map(|r| Ok(serde_json::from_str(r.get::<_, &str>(0))?))
            .collect()
    }

    async fn put_user_pool(
        &self,
        pool: &UserPoolType,
        version: i64,
        resources: Vec<(Kind, String, String)>,
    ) -> Result<(), StoreError> {
        retried(|| self.put_user_pool_once(pool, version, &resources)).await
    }

    async fn delete_user_pool(&self, id: &str) -> Result<bool, StoreError> {
        // The cascade locks rows of every table: a deadlock with a write is possible.
        retried(|| async {
            let n = self
                .client()
                .await?
                .execute_cached("DELETE FROM user_pools WHERE id = $1", &[&id])
                .await?;
            self.namings.forget(Some(id));
            Ok(n == 1)
        })
        .await
    }
}

/// The bodies of the writes above that run in a transaction, each tried again by [`retried`]
/// when the database ends it because of another transaction.
impl PostgresStore {
    async fn put_user_pool_once(
        &self,
        pool: &UserPoolType,
        version: i64,
        resources: &[(Kind, String, String)],
    ) -> Result<(), StoreError> {
        let (id, doc) = (pool_id(pool)?, serde_json::to_string(pool)?);
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // A concurrent update of the pool waits for this row lock, then finds the version
        // moved and updates nothing.
        let updated = tx
            .execute_cached(
                "UPDATE user_pools SET doc = $2, version = version + 1
                 WHERE id = $1 AND version = $3",
                &[&id, &doc, &version],
            )
            .await?;
        if updated != 1 {
            return Err(StoreError::Conflict);
        }
        for (kind, key, doc) in resources {
            tx.execute_cached(
                "INSERT INTO resources (kind, pool_id, key, doc) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (kind, pool_id, key)
                 DO UPDATE SET doc = excluded.doc, version = resources.version + 1",
                &[&kind.as_str(), &id, key, doc],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
