use super::SqliteStore;
use crate::pools::{first_version, pool_id};
use crate::{Kind, StoreError, UserPools};
use async_trait::async_trait;
use ironpool_api::types::UserPoolType;
use rusqlite::{params, OptionalExtension};

#[async_trait]
impl UserPools for SqliteStore {
    async fn create_user_pool(&self, pool: &UserPoolType) -> Result<(), StoreError> {
        let id = pool_id(pool)?;
        let doc = serde_json::to_string(pool)?;
        self.write(move |conn| {
            conn.prepare_cached("INSERT INTO user_pools (id, doc, version) VALUES (?1, ?2, ?3)")?
                .execute(params![id, doc, first_version()])?;
            Ok(())
        })
        .await
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
        let row: Option<(String, i64)> = self
            .lookup({
                let id = id.to_owned();
                move |conn| {
                    Ok(conn
                        .prepare_cached("SELECT doc, version FROM user_pools WHERE id = ?1")?
                        .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()?)
                }
            })
            .await?;
        self.inner.namings.check(id, row.as_ref().map(|(_, v)| *v));
        row.map(|(d, v)| Ok((serde_json::from_str(&d)?, v)))
            .transpose()
    }

    async fn user_pool_version(&self, id: &str) -> Result<Option<i64>, StoreError> {
        let version = self
            .lookup({
                let id = id.to_owned();
                move |conn| {
                    Ok(conn
                        .prepare_cached("SELECT version FROM user_pools WHERE id = ?1")?
                        .query_row(params![id], |r| r.get(0))
                        .optional()?)
                }
            })
            .await?;
        self.inner.namings.check(id, version);
        Ok(version)
    }

    async fn list_user_pools(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<UserPoolType>, StoreError> {
        let after = after.unwrap_or("").to_owned();
        let docs: Vec<String> = self
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT doc FROM user_pools WHERE id > ?1 ORDER BY id LIMIT ?2",
                )?;
                let rows = stmt.query_map(params![after, limit as i64], |r| r.get(0))?;
                Ok(rows.collect::<Result<Vec<String>, _>>()?)
            })
            .await?;
        docs.iter().map(|d| Ok(serde_json::from_str(d)?)).collect()
    }

    async fn put_user_pool(
        &self,
        pool: &UserPoolType,
        version: i64,
        resources: Vec<(Kind, String, String)>,
    ) -> Result<(), StoreError> {
        let id = pool_id(pool)?;
        let doc = serde_json::to_string(pool)?;
        self.write(move |conn| {
            // An error rolls back this write's savepoint, the pool's update with it.
            let updated = conn
                .prepare_cached(
                    "UPDATE user_pools SET doc = ?2, version = version + 1
                 WHERE id = ?1 AND version = ?3",
                )?
                .execute(params![id, doc, version])?;
            if updated != 1 {
                return Err(StoreError::Conflict);
            }
            for (kind, key, doc) in resources {
                conn.prepare_cached(
                    "INSERT INTO resources (kind, pool_id, key, doc) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (kind, pool_id, key)
                     DO UPDATE SET doc = excluded.doc, version = version + 1",
                )?
                .execute(params![kind.as_str(), id, key, doc])?;
            }
            Ok(())
        })
        .await
    }

    async fn delete_user_pool(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_owned();
        let namings = self.inner.namings.clone();
        self.write(move |conn| {
            let deleted = conn
                .prepare_cached("DELETE FROM user_pools WHERE id = ?1")?
                .execute(params![id])?
                == 1;
            namings.forget(Some(&id));
            Ok(deleted)
        })
        .await
    }
}
