use super::{Cached, PostgresStore};
use crate::devices::{Device, Devices};
use crate::StoreError;
use async_trait::async_trait;

#[async_trait]
impl Devices for PostgresStore {
    async fn put_device(&self, device: &Device) -> Result<(), StoreError> {
        let doc = serde_json::to_string(device)?;
        let d = device;
        self.client()
            .await?
            .execute_cached(
                "INSERT INTO devices (pool_id, device_key, sub, remembered, doc)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (pool_id, device_key)
                 DO UPDATE SET remembered = excluded.remembered, doc = excluded.doc",
                &[&d.pool_id, &d.device_key, &d.sub, &d.remembered, &doc],
            )
            .await?;
        Ok(())
    }

    async fn get_device(
        &self,
        pool_id: &str,
        sub: &str,
        device_key: &str,
    ) -> Result<Option<Device>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt_cached(
                "SELECT doc FROM devices WHERE pool_id = $1 AND device_key = $2 AND sub = $3",
                &[&pool_id, &device_key, &sub],
            )
            .await?;
        Ok(row
            .map(|r| serde_json::from_str(r.get::<_, &str>(0)))
            .transpose()?)
    }

    async fn list_devices(
        &self,
        pool_id: &str,
        sub: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Device>, StoreError> {
        let rows = self
            .client()
            .await?
            .query_cached(
                "SELECT doc FROM devices
                 WHERE pool_id = $1 AND sub = $2 AND remembered AND device_key > $3
                 ORDER BY device_key LIMIT $4",
                &[&pool_id, &sub, &after.unwrap_or(""), &(limit as i64)],
            )
            .await?;
        rows.iter()
            .map(|r| Ok(serde_json::from_str(r.get::<_, &str>(0))?))
            .collect()
    }

    async fn delete_device(
        &self,
        pool_id: &str,
        sub: &str,
        device_key: &str,
    ) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute_cached(
                "DELETE FROM devices WHERE pool_id = $1 AND device_key = $2 AND sub = $3",
                &[&pool_id, &device_key, &sub],
            )
            .await?;
        Ok(n == 1)
    }
}
