use super::SqliteStore;
use crate::auth_events::{AuthEvent, AuthEvents};
use crate::StoreError;
use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row};

fn event(r: &Row<'_>) -> rusqlite::Result<AuthEvent> {
    Ok(AuthEvent {
        pool_id: r.get(0)?,
        sub: r.get(1)?,
        event_id: r.get(2)?,
        created: r.get(3)?,
        doc: r.get(4)?,
    })
}

#[async_trait]
impl AuthEvents for SqliteStore {
    async fn add_auth_event(&self, event: &AuthEvent, keep: u32) -> Result<(), StoreError> {
        let e = event.clone();
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO auth_events (pool_id, sub, event_id, created, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![e.pool_id, e.sub, e.event_id, e.created, e.doc])?;
            conn.prepare_cached(
                "DELETE FROM auth_events WHERE pool_id = ?1 AND sub = ?2
                   AND (created, event_id) < (
                     SELECT created, event_id FROM auth_events WHERE pool_id = ?1 AND sub = ?2
                     ORDER BY created DESC, event_id DESC LIMIT 1 OFFSET ?3)",
            )?
            .execute(params![e.pool_id, e.sub, keep.saturating_sub(1)])?;
            Ok(())
        })
        .await
    }

    async fn list_auth_events(
        &self,
        pool_id: &str,
        sub: &str,
        before: Option<(f64, String)>,
        limit: u32,
    ) -> Result<Vec<AuthEvent>, StoreError> {
        let (pool_id, sub) = (pool_id.to_owned(), sub.to_owned());
        let (created, id) = before.unwrap_or((f64::INFINITY, String::new()));
        let first = id.is_empty();
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT pool_id, sub, event_id, created, doc FROM auth_events
                 WHERE pool_id = ?1 AND sub = ?2 AND (?3 OR (created, event_id) < (?4, ?5))
                 ORDER BY created DESC, event_id DESC LIMIT ?6",
            )?;
            let rows = statement
                .query_map(params![pool_id, sub, first, created, id, limit], event)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    async fn get_auth_event(
        &self,
        pool_id: &str,
        sub: &str,
        event_id: &str,
    ) -> Result<Option<AuthEvent>, StoreError> {
        let args = [pool_id, sub, event_id].map(str::to_owned);
        self.lookup(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT pool_id, sub, event_id, created, doc FROM auth_events
                     WHERE pool_id = ?1 AND sub = ?2 AND event_id = ?3",
                )?
                .query_row(params![args[0], args[1], args[2]], event)
                .optional()?)
        })
        .await
    }

    async fn put_auth_event(&self, event: &AuthEvent) -> Result<bool, StoreError> {
        let e = event.clone();
        self.write(move |conn| {
            Ok(conn
                .prepare_cached(
                    "UPDATE auth_events SET doc = ?4
                 WHERE pool_id = ?1 AND sub = ?2 AND event_id = ?3",
                )?
                .execute(params![e.pool_id, e.sub, e.event_id, e.doc])?
                == 1)
        })
        .await
    }
}
