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
    // 3: users (the JSON of the store's User, with the columns that are looked up), their
    // attributes indexed for ListUsers filters, the values that must be unique to one user
    // (sign-in attributes and aliases), group membership and one-time codes.
    "CREATE TABLE users (
        pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
        username_key TEXT NOT NULL,
        username TEXT NOT NULL,
        sub TEXT NOT NULL,
        status TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        version INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (pool_id, username_key)
    ) STRICT;
    CREATE UNIQUE INDEX users_by_sub ON users(pool_id, sub);
    CREATE INDEX users_by_status ON users(pool_id, status, username_key);
    CREATE INDEX users_by_enabled ON users(pool_id, enabled, username_key);
    CREATE TABLE user_attributes (
        pool_id TEXT NOT NULL,
        username_key TEXT NOT NULL,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (pool_id, username_key, name),
        FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key)
            ON DELETE CASCADE ON UPDATE CASCADE
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX user_attributes_by_value ON user_attributes(pool_id, name, value, username_key);
    CREATE TABLE user_aliases (
        pool_id TEXT NOT NULL,
        name TEXT NOT NULL,
        value_key TEXT NOT NULL,
        username_key TEXT NOT NULL,
        PRIMARY KEY (pool_id, name, value_key),
        FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key)
            ON DELETE CASCADE ON UPDATE CASCADE
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX user_aliases_by_user ON user_aliases(pool_id, username_key);
    CREATE TABLE group_members (
        pool_id TEXT NOT NULL,
        group_kind TEXT NOT NULL DEFAULT 'group' CHECK (group_kind = 'group'),
        group_name TEXT NOT NULL,
        username_key TEXT NOT NULL,
        PRIMARY KEY (pool_id, group_name, username_key),
        FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key)
            ON DELETE CASCADE ON UPDATE CASCADE,
        FOREIGN KEY (group_kind, pool_id, group_name) REFERENCES resources(kind, pool_id, key)
            ON DELETE CASCADE
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX group_members_by_user ON group_members(pool_id, username_key, group_name);
    CREATE TABLE user_codes (
        pool_id TEXT NOT NULL,
        username_key TEXT NOT NULL,
        purpose TEXT NOT NULL,
        code_hash TEXT NOT NULL,
        expires_at REAL NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (pool_id, username_key, purpose),
        FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key)
            ON DELETE CASCADE ON UPDATE CASCADE
    ) STRICT, WITHOUT ROWID;",
    // 4: sign-in: each pool's signing keys (sealed), refresh token families (the current
    // token's hash, and the rotated-out one during its retry grace period) and pending challenge sessions.
    "CREATE TABLE signing_keys (
        pool_id TEXT PRIMARY KEY NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
        doc TEXT NOT NULL
    ) STRICT;
    CREATE TABLE refresh_tokens (
        pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
        origin_jti TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        client_id TEXT NOT NULL,
        username TEXT NOT NULL,
        sub TEXT NOT NULL,
        auth_time REAL NOT NULL,
        expires_at REAL NOT NULL,
        revoked INTEGER NOT NULL,
        previous_hash TEXT,
        previous_valid_until REAL,
        PRIMARY KEY (pool_id, origin_jti)
    ) STRICT;
    CREATE INDEX refresh_tokens_by_previous ON refresh_tokens(previous_hash);
    CREATE INDEX refresh_tokens_by_user ON refresh_tokens(pool_id, sub);
    CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens(expires_at);
    CREATE TABLE auth_sessions (
        id TEXT PRIMARY KEY NOT NULL,
        pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
        doc TEXT NOT NULL,
        expires_at REAL NOT NULL
    ) STRICT;
    CREATE INDEX auth_sessions_by_expiry ON auth_sessions(expires_at);",
    // 5: versions of pools and resources: a change is written only over the version it was
    // made from.
    "ALTER TABLE user_pools ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE resources ADD COLUMN version INTEGER NOT NULL DEFAULT 0;",
    // 6: challenge sessions are kept under the SHA-256 of their Session string, never the string;
    // pending ones (minutes long) are dropped and their sign-ins start over.
    "DELETE FROM auth_sessions;
    ALTER TABLE auth_sessions RENAME COLUMN id TO session_hash;",
    // 7: the rows that requests naming no user write to, so they cost what an existing user's
    // do (a slot is picked by a keyed hash of the name; names are never stored).
    "CREATE TABLE decoys (
        pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
        slot TEXT NOT NULL,
        writes INTEGER NOT NULL,
        written_at REAL NOT NULL,
        PRIMARY KEY (pool_id, slot)
    ) STRICT, WITHOUT ROWID;",
    // 8: users' devices (the JSON of the store's Device, with the columns that are looked
    // up); a device goes with its user.
    "CREATE TABLE devices (
        pool_id TEXT NOT NULL,
        device_key TEXT NOT NULL,
        sub TEXT NOT NULL,
        remembered INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (pool_id, device_key),
        FOREIGN KEY (pool_id, sub) REFERENCES users(pool_id, sub) ON DELETE CASCADE
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX devices_by_user ON devices(pool_id, sub, device_key);",
    // 9: when each refresh token family (a user's token session) was last refreshed.
    "ALTER TABLE refresh_tokens ADD COLUMN last_used REAL;",
    // 10: each user's auth events (sign-in, sign-up, forgot password...), newest first; they go
    // with the user.
    "CREATE TABLE auth_events (
        pool_id TEXT NOT NULL,
        sub TEXT NOT NULL,
        event_id TEXT NOT NULL,
        created REAL NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (pool_id, sub, event_id),
        FOREIGN KEY (pool_id, sub) REFERENCES users(pool_id, sub) ON DELETE CASCADE
    ) STRICT;
    CREATE INDEX auth_events_by_time ON auth_events(pool_id, sub, created, event_id);",
    // 11: the OAuth scopes of a refresh token family (signed in through the authorization
    // server); NULL for the API's sign-ins.
    "ALTER TABLE refresh_tokens ADD COLUMN scopes TEXT;",
    // 12: user import jobs (the JSON of the store's ImportJob, with the columns looked up) and
    // the files uploaded for them, in chunks; both go with their pool.
    "CREATE TABLE user_import_jobs (
        pool_id TEXT NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
        job_id TEXT NOT NULL,
        created REAL NOT NULL,
        status TEXT NOT NULL,
        version INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (pool_id, job_id)
    ) STRICT;
    CREATE INDEX user_import_jobs_by_created ON user_import_jobs(pool_id, created, job_id);
    CREATE INDEX user_import_jobs_by_status ON user_import_jobs(status);
    CREATE TABLE user_import_chunks (
        pool_id TEXT NOT NULL,
        job_id TEXT NOT NULL,
        upload_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (pool_id, job_id, upload_id, seq),
        FOREIGN KEY (pool_id, job_id) REFERENCES user_import_jobs(pool_id, job_id)
            ON DELETE CASCADE
    ) STRICT;",
    // 13: each account's provisioned request rates, per region and API category.
    "CREATE TABLE provisioned_limits (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        category TEXT NOT NULL,
        value INTEGER NOT NULL,
        PRIMARY KEY (account_id, region, category)
    ) STRICT;",
];

/// Every table with state, children before parents (the order `reset` deletes in).
pub(super) const TABLES: &[&str] = &[
    "provisioned_limits",
    "user_import_chunks",
    "user_import_jobs",
    "auth_events",
    "auth_sessions",
    "refresh_tokens",
    "signing_keys",
    "devices",
    "user_codes",
    "group_members",
    "user_aliases",
    "user_attributes",
    "users",
    "resources",
    "decoys",
    "user_pools",
];

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
