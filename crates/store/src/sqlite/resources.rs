use super::SqliteStore;
use crate::resources::{Kind, Resources};
use crate::StoreError;
use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

#[async_trait]
impl Resources for SqliteStore {
    async fn create_resource(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
        doc: String,
    ) -> Result<(), StoreError> {
        let (pool_id, key) = (pool_id.to_owned(), key.to_owned());
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO resources (kind, pool_id, key, doc) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![kind.as_str(), pool_id, key, doc])?;
            Ok(())
        })
        .await
    }

    async fn get_resource(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
    ) -> Result<Option<(String, i64)>, StoreError> {
        let (pool_id, key) = (pool_id.to_owned(), key.to_owned());
        self.lookup(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT doc, version FROM resources
                     WHERE kind = ?1 AND pool_id = ?2 AND key = ?3",
                )?
                .query_row(params![kind.as_str(), pool_id, key], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?)
        })
        .await
    }

    async fn find_resource(
        &self,
        kind: Kind,
        key: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        let key = key.to_owned();
        self.lookup(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT pool_id, doc FROM resources WHERE kind = ?1 AND key = ?2 LIMIT 1",
                )?
                .query_row(params![kind.as_str(), key], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?)
        })
        .await
    }

    async fn put_resource(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
        doc: String,
        version: i64,
    ) -> Result<(), StoreError> {
        let (pool_id, key) = (pool_id.to_owned(), key.to_owned());
        self.write(move |conn| {
            let updated = conn
                .prepare_cached(
                    "UPDATE resources SET doc = ?4, version = version + 1
                 WHERE kind = ?1 AND pool_id = ?2 AND key = ?3 AND version = ?5",
                )?
                .execute(params![kind.as_str(), pool_id, key, doc, version])?;
            if updated != 1 {
                return Err(StoreError::Conflict);
            }
            Ok(())
        })
        .await
    }

    async fn delete_resource(
        &self,
        kind: Kind,
        pool_id: &str,
        key: &str,
    ) -> Result<bool, StoreError> {
        let (pool_id, key) = (pool_id.to_owned(), key.to_owned());
        self.write(move |conn| {
            Ok(conn
                .prepare_cached(
                    "DELETE FROM resources WHERE kind = ?1 AND pool_id = ?2 AND key = ?3",
                )?
                .execute(params![kind.as_str(), pool_id, key])?
                == 1)
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
        let (pool_id, after) = (pool_id.to_owned(), after.unwrap_or("").to_owned());
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT key, doc FROM resources WHERE kind = ?1 AND pool_id = ?2 AND key > ?3
                 ORDER BY key LIMIT ?4",
            )?;
            let rows = stmt
                .query_map(params![kind.as_str(), pool_id, after, limit as i64], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn count_resources(&self, kind: Kind, pool_id: &str) -> Result<u64, StoreError> {
        let pool_id = pool_id.to_owned();
        self.read(move |conn| {
            let n: i64 = conn
                .prepare_cached("SELECT COUNT(*) FROM resources WHERE kind = ?1 AND pool_id = ?2")?
                .query_row(params![kind.as_str(), pool_id], |r| r.get(0))?;
            Ok(n as u64)
        })
        .await
    }

    async fn scan_resources(
        &self,
        kind: Kind,
        after: Option<(String, String)>,
        limit: usize,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        let (after_pool, after_key) = after.unwrap_or_default();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT pool_id, key, doc FROM resources WHERE kind = ?1 AND (pool_id, key) > (?2, ?3)
                 ORDER BY pool_id, key LIMIT ?4",
            )?;
            let rows = stmt.query_map(
                params![kind.as_str(), after_pool, after_key, limit as i64],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}
