//! The shared backend: PostgreSQL, for several servers on one database. The layout is the
//! embedded backend's (JSON documents plus the columns that are looked up); uniqueness and
//! single use come from constraints and conditional writes inside one statement or one
//! transaction, so concurrent servers never race a read against a write.
//!
//! Connections are encrypted as the URL's `sslmode` asks, with libpq's meanings (see `tls`).

mod auth_events;
mod devices;
mod import_jobs;
mod limits;
mod migrations;
mod pools;
mod resources;
mod tls;
mod tokens;
mod users;

use crate::{Store, StoreError};
use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Error, Row};

/// Connections kept open per server.
const POOL_SIZE: usize = 16;

/// How long opening a connection may take, unless the URL says (`connect_timeout=`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    namings: Arc<crate::users::Namings>,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`, with `sslmode` and
    /// `sslrootcert` as libpq takes them) and migrates the schema; servers starting at once
    /// take turns (an advisory lock).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let (mut config, tls) = tls::configure(url)?;
        if config.get_connect_timeout().is_none() {
            // An unreachable host fails the start (or one request) instead of hanging it.
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let manager = Manager::from_config(
            config,
            tls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| StoreError::Backend(format!("connection pool: {e}")))?;
        let store = Self {
            pool,
            namings: Arc::default(),
        };
        let mut client = store.client().await?;
        migrations::run(&mut client).await?;
        drop(client);
        Ok(store)
    }

    /// A connection of the pool, for one store call: its latency, waiting for it included,
    /// is recorded when it goes back.
    async fn client(&self) -> Result<Timed, StoreError> {
        let started = Instant::now();
        Ok(Timed(self.pool.get().await?, started))
    }
}

/// How many times in all a write is tried that the database ended because of another
/// transaction.
const ATTEMPTS: u32 = 5;

/// Runs `attempt` again, after a short random pause, while the database ends it because of
/// another transaction (a deadlock, a serialization failure: nothing of it was written), at
/// most [`ATTEMPTS`] times in all.
pub(super) async fn retried<T, F, Fut>(mut attempt: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(StoreError::Contended(_)) if tries < ATTEMPTS => {
                // Counted in the metrics as a store call of its own kind.
                crate::latency::record("postgres", "retried", Instant::now());
                let pause = rand::random_range(1..=10u64 << tries);
                tokio::time::sleep(Duration::from_millis(pause)).await;
                tries += 1;
            }
            other => return other,
        }
    }
}

/// A pooled connection that reports how long it was waited for and held.
struct Timed(Object, Instant);

impl std::ops::Deref for Timed {
    type Target = Object;
    fn deref(&self) -> &Object {
        &self.0
    }
}

impl std::ops::DerefMut for Timed {
    fn deref_mut(&mut self) -> &mut Object {
        &mut self.0
    }
}

impl Drop for Timed {
    fn drop(&mut self) {
        crate::latency::record("postgres", "call", self.1);
    }
}

/// A query by its text, on a statement the connection prepares once and keeps: one round trip
/// to the database per query instead of two (parse and describe, then bind and execute).
#[async_trait]
pub(super) trait Cached: GenericClient {
    async fn query_cached(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, Error> {
        self.query(&self.prepare_cached(sql).await?, params).await
    }

    async fn query_one_cached(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, Error> {
        self.query_one(&self.prepare_cached(sql).await?, params)
            .await
    }

    async fn query_opt_cached(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, Error> {
        self.query_opt(&self.prepare_cached(sql).await?, params)
            .await
    }

    async fn execute_cached(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, Error> {
        self.execute(&self.prepare_cached(sql).await?, params).await
    }
}

impl<C: GenericClient + ?Sized> Cached for C {}

#[async_trait]
impl Store for PostgresStore {
    async fn reset(&self) -> Result<(), StoreError> {
        self.client()
            .await?
            .batch_execute(migrations::TRUNCATE_ALL)
            .await?;
        self.namings.forget(None);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test]
    async fn only_contended_writes_are_tried_again_and_at_most_five_times_in_all() {
        let tries = Cell::new(0);
        let answer = retried(|| {
            tries.set(tries.get() + 1);
            let contended = tries.get() < 3;
            async move {
                match contended {
                    true => Err(StoreError::Contended("deadlock detected".into())),
                    false => Ok(7),
                }
            }
        })
        .await;
        assert_eq!((answer.unwrap(), tries.get()), (7, 3));

        tries.set(0);
        let answer: Result<(), _> = retried(|| {
            tries.set(tries.get() + 1);
            async { Err(StoreError::Contended("could not serialize access".into())) }
        })
        .await;
        assert!(
            matches!(answer, Err(StoreError::Contended(_))),
            "{answer:?}"
        );
        assert_eq!(tries.get(), ATTEMPTS);

        tries.set(0);
        let answer: Result<(), _> = retried(|| {
            tries.set(tries.get() + 1);
            async { Err(StoreError::Backend("connection refused".into())) }
        })
        .await;
        assert!(matches!(answer, Err(StoreError::Backend(_))), "{answer:?}");
        assert_eq!(tries.get(), 1);
    }
}
