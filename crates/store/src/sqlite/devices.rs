use super::SqliteStore;
use crate::devices::{Device, Devices};
use crate::StoreError;
use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

#[async_trait]
impl Devices for SqliteStore {
    async fn put_device(&self, device: &Device) -> Result<(), StoreError> {
        let doc = serde_json::to_string(device)?;
        let d = device.clone();
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO devices (pool_id, device_key, sub, remembered, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (pool_id, device_key)
                 DO UPDATE SET remembered = excluded.remembered, doc = excluded.doc",
            )?
            .execute(params![d.pool_id, d.device_key, d.sub, d.remembered, doc])?;
            Ok(())
        })
        .await
    }

    async fn get_device(
        &self,
        pool_id: &str,
        sub: &str,
        device_key: &str,
    ) -> Result<Option<Device>, StoreError> {
        let (pool_id, sub, key) = (pool_id.to_owned(), sub.to_owned(), device_key.to_owned());
        let doc: Option<String> = self
            .lookup(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT doc FROM devices
                         WHERE pool_id = ?1 AND device_key = ?2 AND sub = ?3",
                    )?
                    .query_row(params![pool_id, key, sub], |r| r.get(0))
                    .optional()?)
            })
            .await?;
        Ok(doc.map(|d| serde_json::from_str(&d)).transpose()?)
    }

    async fn list_devices(
        &self,
        pool_id: &str,
        sub: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Device>, StoreError> {
        let (pool_id, sub) = (pool_id.to_owned(), sub.to_owned());
        let after = after.unwrap_or("").to_owned();
        let docs: Vec<String> = self
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT doc FROM devices
                     WHERE pool_id = ?1 AND sub = ?2 AND remembered AND device_key > ?3
                     ORDER BY device_key LIMIT ?4",
                )?;
                let rows =
                    stmt.query_map(params![pool_id, sub, after, limit as i64], |r| r.get(0))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .await?;
        docs.iter().map(|d| Ok(serde_json::from_str(d)?)).collect()
    }

    async fn delete_device(
        &self,
        pool_id: &str,
        sub: &str,
        device_key: &str,
    ) -> Result<bool, StoreError> {
        let (pool_id, sub, key) = (pool_id.to_owned(), sub.to_owned(), device_key.to_owned());
        self.write(move |conn| {
            Ok(conn
                .prepare_cached(
                    "DELETE FROM devices WHERE pool_id = ?1 AND device_key = ?2 AND sub = ?3",
                )?
                .execute(params![pool_id, key, sub])?
                == 1)
        })
        .await
    }
}
