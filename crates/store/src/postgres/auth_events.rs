use super::{Cached, PostgresStore};
use crate::auth_events::{AuthEvent, AuthEvents};
use crate::StoreError;
use async_trait::async_trait;
use tokio_postgres::Row;

fn event(r: &Row) -> AuthEvent {
    AuthEvent {
        pool_id: r.get(0),
        sub: r.get(1),
        event_id: r.get(2),
        created: r.get(3),
        doc: r.get(4),
    }
}

#[async_trait]
impl AuthEvents for PostgresStore {
    async fn add_auth_event(&self, e: &AuthEvent, keep: u32) -> Result<(), StoreError> {
        let offset = i64::from(keep.saturating_sub(1));
        let client = self.client().await?;
        client
            .execute_cached(
                "INSERT INTO auth_events (pool_id, sub, event_id, created, doc)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&e.pool_id, &e.sub, &e.event_id, &e.created, &e.doc],
            )
            .await?;
        client
            .execute_cached(
                "DELETE FROM auth_events WHERE pool_id = $1 AND sub = $2
                   AND (created, event_id) < (
                     SELECT created, event_id FROM auth_events WHERE pool_id = $1 AND sub = $2
                     ORDER BY created DESC, event_id DESC LIMIT 1 OFFSET $3)",
                &[&e.pool_id, &e.sub, &offset],
            )
            .await?;
        Ok(())
    }

    async fn list_auth_events(
        &self,
        pool_id: &str,
        sub: &str,
        before: Option<(f64, String)>,
        limit: u32,
    ) -> Result<Vec<AuthEvent>, StoreError> {
        let (created, id) = before.unwrap_or((f64::INFINITY, String::new()));
        let first = id.is_empty();
        let limit = i64::from(limit);
        let rows = self
            .client()
            .await?
            .query_cached(
                "SELECT pool_id, sub, event_id, created, doc FROM auth_events
                 WHERE pool_id = $1 AND sub = $2 AND ($3 OR (created, event_id) < ($4, $5))
                 ORDER BY created DESC, event_id DESC LIMIT $6",
                &[&pool_id, &sub, &first, &created, &id, &limit],
            )
            .await?;
        Ok(rows.iter().map(event).collect())
    }

    async fn get_auth_event(
        &self,
        pool_id: &str,
        sub: &str,
        event_id: &str,
    ) -> Result<Option<AuthEvent>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt_cached(
                "SELECT pool_id, sub, event_id, created, doc FROM auth_events
                 WHERE pool_id = $1 AND sub = $2 AND event_id = $3",
                &[&pool_id, &sub, &event_id],
            )
            .await?;
        Ok(row.as_ref().map(event))
    }

    async fn put_auth_event(&self, e: &AuthEvent) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute_cached(
                "UPDATE auth_events SET doc = $4
                 WHERE pool_id = $1 AND sub = $2 AND event_id = $3",
                &[&e.pool_id, &e.sub, &e.event_id, &e.doc],
            )
            .await?;
        Ok(n == 1)
    }
}
