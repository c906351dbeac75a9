//! The embedded backend: one SQLite file in WAL mode with `synchronous=FULL`, so every
//! acknowledged write has reached the disk before the answer leaves.
//!
//! Writes go to one writer thread that commits whatever has queued up as one transaction
//! (group commit: one fsync for many writes, see [`writer`]); reads run on their own
//! read-only connections and never wait behind a write: a lookup by key in the calling task,
//! a read that may walk many rows on a blocking thread.

mod auth_events;
mod devices;
mod import_jobs;
mod limits;
mod migrations;
mod pools;
mod resources;
mod tokens;
mod users;
mod writer;

use crate::{Store, StoreError};
use async_trait::async_trait;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, Savepoint};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a connection waits for a lock before it reports the database busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

/// Fields drop in order: the read connections close first, so the writer's connection is the
/// file's last and, closing, folds the WAL into the database and removes it (a read-only
/// connection closing last would leave the WAL behind).
struct Inner {
    /// Read-only connections to the file; `None` in memory, where reads go to the writer.
    readers: Option<Readers>,
    writer: writer::Writer,
    namings: Arc<crate::users::Namings>,
}

/// How many read connections may be open at once. Each keeps its own page cache (about 2 MB
/// once warm), so an unbounded number under high concurrency costs memory, not speed: the
/// reads are CPU-bound on the same cores.
const MAX_READERS: usize = 8;

/// The writer connection's page cache, in KiB.
const WRITER_CACHE_KIB: i64 = 64 * 1024;

/// Idle read connections to one database file, opened as needed (at most [`MAX_READERS`]) and
/// kept for reuse. In WAL mode each reads the last committed state without waiting for the
/// writer.
struct Readers {
    path: PathBuf,
    /// One permit per connection in use.
    slots: Arc<tokio::sync::Semaphore>,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    fn take(&self) -> Result<Connection, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        if let Some(conn) = idle {
            return Ok(conn);
        }
        let conn = Connection::open(&self.path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        stable_plans(&conn)?;
        // A read that tried to write would fail here rather than slip past the writer.
        conn.pragma_update(None, "query_only", "ON")?;
        Ok(conn)
    }

    /// Runs `f` on an idle connection (or a new one), then keeps the connection for reuse.
    fn run<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = self.take()?;
        let result = f(&conn);
        self.give_back(conn);
        result
    }

    fn give_back(&self, conn: Connection) {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(conn);
    }
}

/// Plans that do not depend on bound values. Without it SQLite re-prepares a cached statement
/// whenever the value bound to a parameter it compared with the partial index
/// `resources_global_key` changes, i.e. on nearly every call; our lookups are by key and gain
/// nothing from value-dependent plans.
///
/// Each connection also keeps every statement it has prepared (there are fewer than
/// [`STATEMENTS`]), so none is parsed again: a statement is prepared once per connection.
fn stable_plans(conn: &Connection) -> Result<(), StoreError> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(STATEMENTS);
    Ok(())
}

/// Room in each connection's statement cache: more than the store's distinct statements.
const STATEMENTS: usize = 256;

impl SqliteStore {
    /// Opens (creating if needed) the database file `path` and migrates it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // What a write replaces or deletes is overwritten with zeros where that costs no I/O,
        // so no old copy of a document (one written before its secrets were sealed, say)
        // lingers in the file.
        conn.pragma_update(None, "secure_delete", "FAST")?;
        // The writer's page cache (SQLite's default is 2 MB): index pages of a large pool that
        // inserts touch (a user import writes millions of index entries) stay in memory
        // instead of being read back from the file at each write. Used as filled, not reserved.
        conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
        let readers = Readers {
            path: path.to_owned(),
            slots: Arc::new(tokio::sync::Semaphore::new(MAX_READERS)),
            idle: Mutex::new(Vec::new()),
        };
        Self::init(conn, Some(readers))
    }

    /// A database that lives in memory only (`--memory`).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?, None)
    }

    fn init(mut conn: Connection, readers: Option<Readers>) -> Result<Self, StoreError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        stable_plans(&conn)?;
        migrations::run(&mut conn)?;
        Ok(Self {
            inner: Arc::new(Inner {
                writer: writer::Writer::start(conn)?,
                readers,
                namings: Arc::default(),
            }),
        })
    }

    /// Runs `f` in its own savepoint of the writer's next group commit; answers once that
    /// commit is on disk. An error from `f` rolls back its savepoint only.
    async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Savepoint<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let started = std::time::Instant::now();
        let result = self.inner.writer.run(f).await;
        crate::latency::record("sqlite", "write", started);
        result
    }

    /// Runs `f` as a transaction of its own, not in a savepoint of a group commit: for a
    /// write of thousands of rows. Answers once it is on disk; an error rolls it back.
    async fn write_alone<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let started = std::time::Instant::now();
        let result = self.inner.writer.run_alone(f).await;
        crate::latency::record("sqlite", "bulk_write", started);
        result
    }

    /// Runs `f`, a read that may walk many rows (a list, a count, a scan), on a read connection
    /// off the async runtime (on the writer in memory).
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let Some(readers) = &self.inner.readers else {
            return self.write(move |conn| f(conn)).await;
        };
        // The semaphore is never closed, so this always holds a permit.
        let started = std::time::Instant::now();
        let slot = readers.slots.clone().acquire_owned().await.ok();
        let inner = self.inner.clone();
        let result = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            inner.readers.as_ref().expect("checked above").run(f)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("storage task: {e}")))?;
        crate::latency::record("sqlite", "read", started);
        result
    }

    /// Runs `f`, a read of a few rows by key, on a read connection in the calling task (on the
    /// writer in memory). Such a read takes microseconds in pages already cached, less than
    /// handing it to a blocking thread and back would (two thread wake-ups per read).
    async fn lookup<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let Some(readers) = &self.inner.readers else {
            return self.write(move |conn| f(conn)).await;
        };
        let started = std::time::Instant::now();
        let _slot = readers.slots.acquire().await.ok();
        let result = readers.run(f);
        crate::latency::record("sqlite", "read", started);
        result
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn reset(&self) -> Result<(), StoreError> {
        let namings = self.inner.namings.clone();
        self.write(move |conn| {
            for table in migrations::TABLES {
                conn.execute(&format!("DELETE FROM {table}"), [])?;
            }
            namings.forget(None);
            Ok(())
        })
        .await
    }

    async fn release_memory(&self) -> Result<(), StoreError> {
        // The writer's page cache, filled by the bulk write, goes back to empty; it fills
        // again as writes need pages.
        self.write_alone(|conn| {
            conn.execute_batch("PRAGMA shrink_memory")?;
            Ok(())
        })
        .await?;
        crate::return_freed_memory();
        Ok(())
    }
}
