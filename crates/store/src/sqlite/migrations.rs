//! Schema migrations, embedded and applied at start; `PRAGMA user_version` counts them.

use crate::StoreError;
use rusqlite::Connection;

/// Each entry moves the schema one version up. Never edit an entry that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: user pools, kept as the JSON of their UserPoolType.
    "CREATE TABLE user_pools (
        id TEXT PRIMARY KEY NOT NULL,
        doc TEXT NOT NULL
    ) STRICT;",
    // 2: the configuration resources inside pools, as JSON documents.
    "CREATE TABLE resources (
        kind TEXT NOT NULL,
        pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (kind, pool_id, key)
    ) STRICT;
    CREATE INDEX resources_by_pool ON resources(pool_id);
    CREATE UNIQUE INDEX resources_global_key ON resources(kind, key)
        WHERE kind IN ('client', 'domain');",
];

/// Every table with state, children before parents (the order `reset` deletes in).
pub(super) const TABLES: &[&str] = &["resources", "user_pools"];

pub(super) fn run(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > MIGRATIONS.len() as i64 {
        return Err(StoreError::Backend(format!(
            "the database is at schema version {current}, newer than this Ironpool knows ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
