//! The shared backend: PostgreSQL, for several servers on one database. The layout is the
//! embedded backend's (JSON documents plus the columns that are looked up); uniqueness and
//! single use come from constraints and conditional writes inside one statement or one
//! transaction, so concurrent servers never race a read against a write.
//!
//! Connections are plain TCP (no TLS): run the database on a trusted network.

mod auth_events;
mod devices;
mod import_jobs;
mod limits;
mod migrations;
mod pools;
mod resources;
mod tokens;
mod users;

use crate::{Store, StoreError};
use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use std::time::{Duration, Instant};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Error, NoTls, Row};

/// Connections kept open per server.
const POOL_SIZE: usize = 16;

/// How long opening a connection may take, unless the URL says (`connect_timeout=`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`) and migrates the
    /// schema; servers starting at once take turns (an advisory lock).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Backend(format!("database URL: {e}")))?;
        if config.get_connect_timeout().is_none() {
            // An unreachable host fails the start (or one request) instead of hanging it.
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| StoreError::Backend(format!("connection pool: {e}")))?;
        let store = Self { pool };
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
        Ok(())
    }
}
