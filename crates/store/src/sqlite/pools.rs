use super::SqliteStore;
use crate::pools::pool_id;
use crate::{StoreError, UserPools};
use async_trait::async_trait;
use ironpool_api::types::UserPoolType;
use rusqlite::{params, OptionalExtension};

#[async_trait]
impl UserPools for SqliteStore {
    async fn create_user_pool(&self, pool: &UserPoolType) -> Result<(), StoreError> {
        let id = pool_id(pool)?;
        let doc = serde_json::to_string(pool)?;
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO user_pools (id, doc) VALUES (?1, ?2)",
                params![id, doc],
            )?;
            Ok(())
        })
        .await
    }

    async fn get_user_pool(&self, id: &str) -> Result<Option<UserPoolType>, StoreError> {
        let id = id.to_owned();
        let doc: Option<String> = self
            .read(move |conn| {
                Ok(conn
                    .prepare_cached("SELECT doc FROM user_pools WHERE id = ?1")?
                    .query_row(params![id], |r| r.get(0))
                    .optional()?)
            })
            .await?;
        Ok(doc.map(|d| serde_json::from_str(&d)).transpose()?)
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

    async fn put_user_pool(&self, pool: &UserPoolType) -> Result<bool, StoreError> {
        let id = pool_id(pool)?;
        let doc = serde_json::to_string(pool)?;
        self.write(move |conn| {
            Ok(conn.execute(
                "UPDATE user_pools SET doc = ?2 WHERE id = ?1",
                params![id, doc],
            )? == 1)
        })
        .await
    }

    async fn delete_user_pool(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.write(move |conn| {
            Ok(conn.execute("DELETE FROM user_pools WHERE id = ?1", params![id])? == 1)
        })
        .await
    }
}
