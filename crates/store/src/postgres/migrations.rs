//! Schema migrations, embedded and applied at start inside one transaction that holds an
//! advisory lock, so servers starting together apply each migration once; the table
//! `ironpool_schema` holds the version reached.

use crate::StoreError;
use tokio_postgres::Client;

/// The advisory lock key ("Ironpool" in ASCII).
const LOCK_KEY: i64 = 0x4972_6f6e_706f_6f6c;

/// Each entry moves the schema one version up. Never edit an entry that has shipped. Keys are
/// `COLLATE "C"`: ordering and prefix ranges compare code points, as on SQLite, whatever the
/// database's default collation.
const MIGRATIONS: &[&str] = &[
    // 1: the embedded backend's schema 1-4: pools, resources, users with their lookup
    // tables and codes, signing keys, refresh token families and challenge sessions.
    r#"CREATE TABLE user_pools (
        id TEXT COLLATE "C" PRIMARY KEY,
        doc TEXT NOT NULL
    );
    CREATE TABLE resources (
        kind TEXT COLLATE "C" NOT NULL,
        pool_id TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
        key TEXT COLLATE "C" NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (kind, pool_id, key)
    );
    CREATE INDEX resources_by_pool ON resources(pool_id);
    CREATE UNIQUE INDEX resources_global_key ON resources(kind, key)
        WHERE kind IN ('client', 'domain');
    CREATE TABLE users (
        pool_id TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
        username_key TEXT COLLATE "C" NOT NULL,
        username TEXT NOT NULL,
        sub TEXT COLLATE "C" NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        enabled BOOLEAN NOT NULL,
        version BIGINT NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (pool_id, username_key)
    );
    CREATE UNIQUE INDEX users_by_sub ON users(pool_id, sub);
    CREATE INDEX users_by_status ON users(pool_id, status, username_key);
    CREATE INDEX users_by_enabled ON users(pool_id, enabled, username_key);
    CREATE TABLE user_attributes (
        pool_id TEXT COLLATE "C" NOT NULL,
        username_key TEXT COLLATE "C" NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        value TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (pool_id, username_key, name),
        FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key)
            ON DELETE CASCADE ON UPDATE CASCADE
    );
    CREATE INDEX user_attributes_by_value ON user_attributes(pool_id, name, value, username_key);
    CREATE TABLE user_aliases (
        pool_id TEXT COLLATE "C" NOT NULL,
        name TEXT COLLATE "C" NOT NULL,
        value_key TEXT COLLATE "C" NOT NULL,
        username_key TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (pool_id, name, value_key),
        FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key)
            ON DELETE CASCADE ON UPDATE CASCADE
    );
    CREATE INDEX user_aliases_by_user ON user_aliases(pool_id, username_key);
    CREATE TABLE group_members (
        pool_id TEXT COLLATE "C" NOT NULL,
        group_kind TEXT COLLATE "C" NOT NULL DEFAULT 'group' CHECK (group_kind = 'group'),
        group_name TEXT COLLATE "C" NOT NULL,
        username_key TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (pool_id, group_name, username_key),
        FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key)
            ON DELETE CASCADE ON UPDATE CASCADE,
        FOREIGN KEY (group_kind, pool_id, group_name) REFERENCES resources(kind, pool_id, key)
            ON DELETE CASCADE
    );
    CREATE INDEX group_members_by_user ON group_members(pool_id, username_key, group_name);
    CREATE TABLE user_codes (
        pool_id TEXT COLLATE "C" NOT NULL,
        username_key TEXT COLLATE "C" NOT NULL,
        purpose TEXT COLLATE "C" NOT NULL,
        code_hash TEXT NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (pool_id, username_key, purpose),
        FOREIGN KEY (pool_id, username_key) REFERENCES users(pool_id, username_key)
            ON DELETE CASCADE ON UPDATE CASCADE
    );
    CREATE TABLE signing_keys (
        pool_id TEXT COLLATE "C" PRIMARY KEY REFERENCES user_pools(id) ON DELETE CASCADE,
        doc TEXT NOT NULL
    );
    CREATE TABLE refresh_tokens (
        pool_id TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
        origin_jti TEXT COLLATE "C" NOT NULL,
        token_hash TEXT COLLATE "C" NOT NULL UNIQUE,
        client_id TEXT NOT NULL,
        username TEXT NOT NULL,
        sub TEXT COLLATE "C" NOT NULL,
        auth_time DOUBLE PRECISION NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL,
        revoked BOOLEAN NOT NULL,
        previous_hash TEXT COLLATE "C",
        previous_valid_until DOUBLE PRECISION,
        PRIMARY KEY (pool_id, origin_jti)
    );
    CREATE INDEX refresh_tokens_by_previous ON refresh_tokens(previous_hash);
    CREATE INDEX refresh_tokens_by_user ON refresh_tokens(pool_id, sub);
    CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens(expires_at);
    CREATE TABLE auth_sessions (
        id TEXT COLLATE "C" PRIMARY KEY,
        pool_id TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
        doc TEXT NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX auth_sessions_by_expiry ON auth_sessions(expires_at);"#,
    // 2: versions of pools and resources: a change is written only over the version it was
    // made from.
    "ALTER TABLE user_pools ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE resources ADD COLUMN version BIGINT NOT NULL DEFAULT 0;",
    // 3: challenge sessions are kept under the SHA-256 of their Session string, never the string;
    // pending ones (minutes long) are dropped and their sign-ins start over.
    "DELETE FROM auth_sessions;
    ALTER TABLE auth_sessions RENAME COLUMN id TO session_hash;",
    // 4: the rows that requests naming no user write to, so they cost what an existing user's
    // do (a slot is picked by a keyed hash of the name; names are never stored).
    r#"CREATE TABLE decoys (
        pool_id TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
        slot TEXT COLLATE "C" NOT NULL,
        writes BIGINT NOT NULL,
        written_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (pool_id, slot)
    );"#,
    // 5: users' devices (the JSON of the store's Device, with the columns that are looked
    // up); a device goes with its user.
    r#"CREATE TABLE devices (
        pool_id TEXT COLLATE "C" NOT NULL,
        device_key TEXT COLLATE "C" NOT NULL,
        sub TEXT COLLATE "C" NOT NULL,
        remembered BOOLEAN NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (pool_id, device_key),
        FOREIGN KEY (pool_id, sub) REFERENCES users(pool_id, sub) ON DELETE CASCADE
    );
    CREATE INDEX devices_by_user ON devices(pool_id, sub, device_key);"#,
    // 6: when each refresh token family (a user's token session) was last refreshed.
    "ALTER TABLE refresh_tokens ADD COLUMN last_used DOUBLE PRECISION;",
    // 7: each user's auth events (sign-in, sign-up, forgot password...), newest first; they go
    // with the user.
    r#"CREATE TABLE auth_events (
        pool_id TEXT COLLATE "C" NOT NULL,
        sub TEXT COLLATE "C" NOT NULL,
        event_id TEXT COLLATE "C" NOT NULL,
        created DOUBLE PRECISION NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (pool_id, sub, event_id),
        FOREIGN KEY (pool_id, sub) REFERENCES users(pool_id, sub) ON DELETE CASCADE
    );
    CREATE INDEX auth_events_by_time ON auth_events(pool_id, sub, created, event_id);"#,
    // 8: the OAuth scopes of a refresh token family (signed in through the authorization
    // server); NULL for the API's sign-ins.
    "ALTER TABLE refresh_tokens ADD COLUMN scopes TEXT;",
    // 9: user import jobs (the JSON of the store's ImportJob, with the columns looked up) and
    // the files uploaded for them, in chunks; both go with their pool.
    r#"CREATE TABLE user_import_jobs (
        pool_id TEXT COLLATE "C" NOT NULL REFERENCES user_pools(id) ON DELETE CASCADE,
        job_id TEXT COLLATE "C" NOT NULL,
        created DOUBLE PRECISION NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        version BIGINT NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (pool_id, job_id)
    );
    CREATE INDEX user_import_jobs_by_created ON user_import_jobs(pool_id, created, job_id);
    CREATE INDEX user_import_jobs_by_status ON user_import_jobs(status);
    CREATE TABLE user_import_chunks (
        pool_id TEXT COLLATE "C" NOT NULL,
        job_id TEXT COLLATE "C" NOT NULL,
        upload_id TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        bytes BYTEA NOT NULL,
        PRIMARY KEY (pool_id, job_id, upload_id, seq),
        FOREIGN KEY (pool_id, job_id) REFERENCES user_import_jobs(pool_id, job_id)
            ON DELETE CASCADE
    );"#,
    // 10: each account's provisioned request rates, per region and API category.
    r#"CREATE TABLE provisioned_limits (
        account_id TEXT COLLATE "C" NOT NULL,
        region TEXT COLLATE "C" NOT NULL,
        category TEXT COLLATE "C" NOT NULL,
        value INTEGER NOT NULL,
        PRIMARY KEY (account_id, region, category)
    );"#,
];

/// Empties every table with state (`reset`).
pub(super) const TRUNCATE_ALL: &str = "TRUNCATE user_pools, resources, users, user_attributes,
    user_aliases, group_members, user_codes, signing_keys, refresh_tokens, auth_sessions, decoys,
    devices, auth_events, user_import_jobs, user_import_chunks, provisioned_limits";

pub(super) async fn run(client: &mut Client) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS ironpool_schema (version INTEGER NOT NULL)")
        .await?;
    let current: i32 = tx
        .query_opt("SELECT version FROM ironpool_schema", &[])
        .await?
        .map_or(0, |r| r.get(0));
    if current as usize > MIGRATIONS.len() {
        return Err(StoreError::Backend(format!(
            "the database is at schema version {current}, newer than this Ironpool knows ({})",
            MIGRATIONS.len()
        )));
    }
    for sql in &MIGRATIONS[current as usize..] {
        tx.batch_execute(sql).await?;
    }
    let version = MIGRATIONS.len() as i32;
    tx.execute("DELETE FROM ironpool_schema", &[]).await?;
    tx.execute(
        "INSERT INTO ironpool_schema (version) VALUES ($1)",
        &[&version],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
