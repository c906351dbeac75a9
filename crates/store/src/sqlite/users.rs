use super::SqliteStore;
use crate::users::{
    alias_keys, alias_value_key, constant_time_eq, is_username_attribute, prefix_end, status_name,
    user_from_doc, CodeOutcome, CodePurpose, FilterOp, Naming, Namings, User, UserConflict,
    UserFilter, Users, MAX_CODE_FAILURES,
};
use crate::StoreError;
use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};
use std::sync::Arc;

/// How the users of `pool_id` are named, read from its stored document; `None` when there
/// is no such pool.
pub(super) fn pool_naming(conn: &Connection, pool_id: &str) -> Result<Option<Naming>, StoreError> {
    let doc: Option<String> = conn
        .prepare_cached("SELECT doc FROM user_pools WHERE id = ?1")?
        .query_row(params![pool_id], |r| r.get(0))
        .optional()?;
    Ok(doc.map(|d| serde_json::from_str(&d)).transpose()?)
}

/// The pool's naming on the writer's connection, kept for the next time. Only the writer keeps
/// what it reads, in the order of its writes, so no entry outlives its pool's deletion (a read
/// connection's snapshot may be older than a deletion: it only looks).
pub(super) fn naming_writing(
    namings: &Namings,
    conn: &Connection,
    pool_id: &str,
) -> Result<Option<Arc<Naming>>, StoreError> {
    if let Some(naming) = namings.get(pool_id) {
        return Ok(Some(naming));
    }
    let row: Option<(String, i64)> = conn
        .prepare_cached("SELECT doc, version FROM user_pools WHERE id = ?1")?
        .query_row(params![pool_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(doc, version)| namings.keep(pool_id, &doc, version))
        .transpose()
}

/// The pool's naming on a read connection: as kept, or as this connection reads it.
fn naming_reading(
    namings: &Namings,
    conn: &Connection,
    pool_id: &str,
) -> Result<Option<Arc<Naming>>, StoreError> {
    match namings.get(pool_id) {
        Some(naming) => Ok(Some(naming)),
        None => Ok(pool_naming(conn, pool_id)?.map(Arc::new)),
    }
}

/// The key `username` is stored under in a pool named `naming` (as given when there is no
/// such pool: it matches no user then).
fn key_of(naming: Option<Arc<Naming>>, username: &str) -> String {
    naming.map_or_else(|| username.to_owned(), |pool| pool.username_key(username))
}

const SELECT_USER: &str = "SELECT doc, version FROM users";

fn get_by_key(conn: &Connection, pool_id: &str, key: &str) -> Result<Option<User>, StoreError> {
    let row: Option<(String, i64)> = conn
        .prepare_cached(&format!(
            "{SELECT_USER} WHERE pool_id = ?1 AND username_key = ?2"
        ))?
        .query_row(params![pool_id, key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(d, v)| user_from_doc(&d, v)).transpose()
}

/// Claims the alias values of `user` (keyed `key`) or reports whose they are.
fn claim_aliases(
    tx: &Connection,
    pool: &Naming,
    user: &User,
    key: &str,
    force: bool,
    now: f64,
) -> Result<Result<(), UserConflict>, StoreError> {
    let pool_id = &user.pool_id;
    let wanted = alias_keys(pool, user);
    // Only what changed is written: the user's aliases are usually the ones it holds.
    let held: Vec<(String, String)> = tx
        .prepare_cached(
            "SELECT name, value_key FROM user_aliases WHERE pool_id = ?1 AND username_key = ?2",
        )?
        .query_map(params![pool_id, key], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (name, value_key) in held.iter().filter(|h| !wanted.contains(h)) {
        tx.prepare_cached(
            "DELETE FROM user_aliases WHERE pool_id = ?1 AND name = ?2 AND value_key = ?3",
        )?
        .execute(params![pool_id, name, value_key])?;
    }
    for (name, value_key) in wanted.into_iter().filter(|w| !held.contains(w)) {
        let holder: Option<String> = tx
            .prepare_cached(
                "SELECT username_key FROM user_aliases
                 WHERE pool_id = ?1 AND name = ?2 AND value_key = ?3",
            )?
            .query_row(params![pool_id, name, value_key], |r| r.get(0))
            .optional()?;
        if let Some(other) = holder {
            if !force || is_username_attribute(pool, &name) || name == "preferred_username" {
                return Ok(Err(UserConflict::AliasExists(name)));
            }
            // ForceAliasCreation: the value moves here; the other user keeps the attribute
            // but it is no longer verified, so no longer an alias.
            if let Some(mut previous) = get_by_key(tx, pool_id, &other)? {
                previous
                    .attributes
                    .insert(format!("{name}_verified"), "false".into());
                previous.modified = now;
                write_doc(tx, &previous, &other, previous.version + 1)?;
                write_attributes(tx, &previous, &other)?;
            }
            tx.prepare_cached(
                "DELETE FROM user_aliases WHERE pool_id = ?1 AND name = ?2 AND value_key = ?3",
            )?
            .execute(params![pool_id, name, value_key])?;
        }
        tx.prepare_cached(
            "INSERT INTO user_aliases (pool_id, name, value_key, username_key)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![pool_id, name, value_key, key])?;
    }
    Ok(Ok(()))
}

fn write_doc(tx: &Connection, user: &User, key: &str, version: i64) -> Result<(), StoreError> {
    let mut stored = user.clone();
    stored.version = version;
    tx.prepare_cached(
        "UPDATE users SET status = ?3, enabled = ?4, version = ?5, doc = ?6
         WHERE pool_id = ?1 AND username_key = ?2",
    )?
    .execute(params![
        user.pool_id,
        key,
        status_name(user)?,
        user.enabled,
        version,
        serde_json::to_string(&stored)?
    ])?;
    Ok(())
}

/// Makes the user's attribute rows its attributes, writing only the rows that changed (a
/// delete of all of them would also make SQLite build a temporary table each time).
fn write_attributes(tx: &Connection, user: &User, key: &str) -> Result<(), StoreError> {
    let pool_id = &user.pool_id;
    let stored: Vec<(String, String)> = tx
        .prepare_cached(
            "SELECT name, value FROM user_attributes WHERE pool_id = ?1 AND username_key = ?2",
        )?
        .query_map(params![pool_id, key], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (name, _) in &stored {
        if !user.attributes.contains_key(name) {
            tx.prepare_cached(
                "DELETE FROM user_attributes WHERE pool_id = ?1 AND username_key = ?2 AND name = ?3",
            )?
            .execute(params![pool_id, key, name])?;
        }
    }
    let mut upsert = tx.prepare_cached(
        "INSERT INTO user_attributes (pool_id, username_key, name, value) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (pool_id, username_key, name) DO UPDATE SET value = excluded.value",
    )?;
    for (name, value) in &user.attributes {
        let unchanged = stored.iter().any(|(n, v)| n == name && v == value);
        if !unchanged {
            upsert.execute(params![pool_id, key, name, value])?;
        }
    }
    Ok(())
}

/// The attribute rows of a user that has none yet.
fn insert_attributes(tx: &Connection, user: &User, key: &str) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO user_attributes (pool_id, username_key, name, value) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (name, value) in &user.attributes {
        insert.execute(params![user.pool_id, key, name, value])?;
    }
    Ok(())
}

/// Creates `user` in `pool` unless its username, sub or an alias value is taken (a taken
/// username wins over a taken alias, as in `create_user_if_absent`): a user import's insert.
/// The users row goes first with `OR IGNORE`, so the usual case (nothing taken) costs no
/// lookup of its own; a row refused for an alias is deleted again.
pub(super) fn insert_new_user(
    tx: &Connection,
    pool: &Naming,
    user: &User,
) -> Result<Option<UserConflict>, StoreError> {
    let key = pool.username_key(&user.username);
    let mut stored = user.clone();
    stored.version = 0;
    let inserted = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO users (pool_id, username_key, username, sub, status, enabled,
             version, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)",
        )?
        .execute(params![
            user.pool_id,
            key,
            user.username,
            user.sub,
            status_name(user)?,
            user.enabled,
            serde_json::to_string(&stored)?
        ])?;
    if inserted == 0 {
        return Ok(Some(UserConflict::UsernameExists));
    }
    let aliases = alias_keys(pool, user);
    let mut held = tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM user_aliases
         WHERE pool_id = ?1 AND name = ?2 AND value_key = ?3)",
    )?;
    for (name, value_key) in &aliases {
        if held.query_row(params![user.pool_id, name, value_key], |r| {
            r.get::<_, bool>(0)
        })? {
            tx.prepare_cached("DELETE FROM users WHERE pool_id = ?1 AND username_key = ?2")?
                .execute(params![user.pool_id, key])?;
            return Ok(Some(UserConflict::AliasExists(name.clone())));
        }
    }
    let mut claim = tx.prepare_cached(
        "INSERT INTO user_aliases (pool_id, name, value_key, username_key)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (name, value_key) in &aliases {
        claim.execute(params![user.pool_id, name, value_key, key])?;
    }
    insert_attributes(tx, user, &key)?;
    Ok(None)
}

#[async_trait]
impl Users for SqliteStore {
    async fn create_user_if_absent(
        &self,
        user: &User,
        force_alias: bool,
    ) -> Result<Result<(), UserConflict>, StoreError> {
        let user = user.clone();
        let namings = self.inner.namings.clone();
        self.write(move |conn| {
            let tx = conn.savepoint()?;
            let Some(pool) = naming_writing(&namings, &tx, &user.pool_id)? else {
                return Ok(Err(UserConflict::PoolGone));
            };
            let key = pool.username_key(&user.username);
            let taken: bool = tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM users WHERE pool_id = ?1
                 AND (username_key = ?2 OR sub = ?3))",
                )?
                .query_row(params![user.pool_id, key, user.sub], |r| r.get(0))?;
            if taken {
                return Ok(Err(UserConflict::UsernameExists));
            }
            let mut stored = user.clone();
            stored.version = 0;
            tx.prepare_cached(
                "INSERT INTO users (pool_id, username_key, username, sub, status, enabled,
                 version, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)",
            )?
            .execute(params![
                user.pool_id,
                key,
                user.username,
                user.sub,
                status_name(&user)?,
                user.enabled,
                serde_json::to_string(&stored)?
            ])?;
            if let Err(c) = claim_aliases(&tx, &pool, &user, &key, force_alias, user.created)? {
                return Ok(Err(c));
            }
            write_attributes(&tx, &user, &key)?;
            tx.commit()?;
            Ok(Ok(()))
        })
        .await
    }

    async fn get_user(&self, pool_id: &str, username: &str) -> Result<Option<User>, StoreError> {
        let (pool_id, username) = (pool_id.to_owned(), username.to_owned());
        let namings = self.inner.namings.clone();
        self.lookup(move |conn| {
            let key = key_of(naming_reading(&namings, conn, &pool_id)?, &username);
            get_by_key(conn, &pool_id, &key)
        })
        .await
    }

    async fn get_user_by_sub(&self, pool_id: &str, sub: &str) -> Result<Option<User>, StoreError> {
        let (pool_id, sub) = (pool_id.to_owned(), sub.to_owned());
        self.lookup(move |conn| {
            let row: Option<(String, i64)> = conn
                .prepare_cached(&format!("{SELECT_USER} WHERE pool_id = ?1 AND sub = ?2"))?
                .query_row(params![pool_id, sub], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            row.map(|(d, v)| user_from_doc(&d, v)).transpose()
        })
        .await
    }

    async fn find_user_by_alias(
        &self,
        pool_id: &str,
        attribute: &str,
        value: &str,
    ) -> Result<Option<User>, StoreError> {
        let (pool_id, name) = (pool_id.to_owned(), attribute.to_owned());
        let value_key = alias_value_key(attribute, value);
        self.lookup(move |conn| {
            let key: Option<String> = conn
                .prepare_cached(
                    "SELECT username_key FROM user_aliases
                     WHERE pool_id = ?1 AND name = ?2 AND value_key = ?3",
                )?
                .query_row(params![pool_id, name, value_key], |r| r.get(0))
                .optional()?;
            match key {
                Some(key) => get_by_key(conn, &pool_id, &key),
                None => Ok(None),
            }
        })
        .await
    }

    async fn update_user(&self, user: &User) -> Result<Result<bool, UserConflict>, StoreError> {
        let user = user.clone();
        let namings = self.inner.namings.clone();
        self.write(move |conn| {
            let tx = conn.savepoint()?;
            let Some(pool) = naming_writing(&namings, &tx, &user.pool_id)? else {
                return Ok(Ok(false));
            };
            let key = pool.username_key(&user.username);
            let stored: Option<(i64, String)> = tx
                .prepare_cached(
                    "SELECT version, sub FROM users WHERE pool_id = ?1 AND username_key = ?2",
                )?
                .query_row(params![user.pool_id, key], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            match stored {
                Some((v, sub)) if v == user.version && sub == user.sub => {}
                _ => return Ok(Ok(false)),
            }
            if let Err(c) = claim_aliases(&tx, &pool, &user, &key, false, user.modified)? {
                return Ok(Err(c));
            }
            write_doc(&tx, &user, &key, user.version + 1)?;
            write_attributes(&tx, &user, &key)?;
            tx.commit()?;
            Ok(Ok(true))
        })
        .await
    }

    async fn delete_user(&self, pool_id: &str, username: &str) -> Result<bool, StoreError> {
        let (pool_id, username) = (pool_id.to_owned(), username.to_owned());
        let namings = self.inner.namings.clone();
        self.write(move |conn| {
            let key = key_of(naming_writing(&namings, conn, &pool_id)?, &username);
            Ok(conn
                .prepare_cached("DELETE FROM users WHERE pool_id = ?1 AND username_key = ?2")?
                .execute(params![pool_id, key])?
                == 1)
        })
        .await
    }

    async fn list_users(
        &self,
        pool_id: &str,
        filter: Option<&UserFilter>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError> {
        let pool_id = pool_id.to_owned();
        let filter = filter.cloned();
        let after = after.unwrap_or("").to_owned();
        let namings = self.inner.namings.clone();
        self.read(move |conn| {
            // Every query orders by the username key and pages after it; a filter adds one
            // indexed condition on a users column or on the attribute table.
            let range = |column: &str| match filter.as_ref().map(|f| f.op) {
                Some(FilterOp::StartsWith) => format!("{column} >= ?4 AND {column} < ?5"),
                _ => format!("{column} = ?4"),
            };
            let users_where = |cond: String| {
                format!(
                    "SELECT doc, version FROM users WHERE pool_id = ?1 AND {cond}
                     AND username_key > ?2 ORDER BY username_key LIMIT ?3"
                )
            };
            let mut value = filter.as_ref().map(|f| f.value.clone()).unwrap_or_default();
            let sql = match filter.as_ref().map(|f| f.attribute.as_str()) {
                None => users_where("1 = 1".into()),
                Some("username") => {
                    value = key_of(naming_reading(&namings, conn, &pool_id)?, &value);
                    users_where(range("username_key"))
                }
                Some("sub") => users_where(range("sub")),
                Some("cognito:user_status") => users_where(range("status")),
                Some("status") => {
                    // Enabled/Disabled, matched on their names.
                    let names = |n: &str| match filter.as_ref().map(|f| f.op) {
                        Some(FilterOp::StartsWith) => n.starts_with(&value),
                        _ => n == value,
                    };
                    let cond = match (names("Enabled"), names("Disabled")) {
                        (true, true) => "1 = 1",
                        (true, false) => "enabled = 1",
                        (false, true) => "enabled = 0",
                        (false, false) => "1 = 0",
                    };
                    users_where(cond.into())
                }
                // The page's keys come from the covering index alone; only they are joined.
                Some(_) => format!(
                    "SELECT u.doc, u.version FROM (
                         SELECT username_key FROM user_attributes INDEXED BY user_attributes_by_value
                         WHERE pool_id = ?1 AND name = ?6 AND {}
                         AND username_key > ?2 ORDER BY username_key LIMIT ?3
                     ) k JOIN users u ON u.pool_id = ?1 AND u.username_key = k.username_key
                     ORDER BY u.username_key",
                    range("value")
                ),
            };
            let attribute = filter
                .as_ref()
                .map(|f| f.attribute.clone())
                .unwrap_or_default();
            let hi = prefix_end(&value);
            let mut stmt = conn.prepare_cached(&sql)?;
            let all: [&dyn rusqlite::ToSql; 6] =
                [&pool_id, &after, &(limit as i64), &value, &hi, &attribute];
            let used = stmt.parameter_count();
            let rows = stmt.query_map(&all[..used], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?;
            rows.map(|r| {
                let (d, v) = r?;
                user_from_doc(&d, v)
            })
            .collect()
        })
        .await
    }

    async fn count_users(&self, pool_id: &str) -> Result<u64, StoreError> {
        let pool_id = pool_id.to_owned();
        self.read(move |conn| {
            let n: i64 = conn
                .prepare_cached("SELECT COUNT(*) FROM users WHERE pool_id = ?1")?
                .query_row(params![pool_id], |r| r.get(0))?;
            Ok(n as u64)
        })
        .await
    }

    async fn user_key(&self, pool_id: &str, username: &str) -> Result<String, StoreError> {
        let (pool_id, username) = (pool_id.to_owned(), username.to_owned());
        let namings = self.inner.namings.clone();
        self.lookup(move |conn| Ok(key_of(naming_reading(&namings, conn, &pool_id)?, &username)))
            .await
    }

    async fn add_user_to_group(
        &self,
        pool_id: &str,
        username: &str,
        group: &str,
    ) -> Result<bool, StoreError> {
        let (pool_id, username, group) =
            (pool_id.to_owned(), username.to_owned(), group.to_owned());
        let namings = self.inner.namings.clone();
        self.write(move |conn| {
            let key = key_of(naming_writing(&namings, conn, &pool_id)?, &username);
            let n = conn
                .prepare_cached(
                    "INSERT INTO group_members (pool_id, group_name, username_key)
                 SELECT ?1, ?2, ?3
                 WHERE EXISTS (SELECT 1 FROM users WHERE pool_id = ?1 AND username_key = ?3)
                   AND EXISTS (SELECT 1 FROM resources WHERE kind = 'group' AND pool_id = ?1
                               AND key = ?2)
                 ON CONFLICT DO NOTHING",
                )?
                .execute(params![pool_id, group, key])?;
            if n == 1 {
                return Ok(true);
            }
            let present: bool = conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM group_members WHERE pool_id = ?1
                 AND group_name = ?2 AND username_key = ?3)",
                )?
                .query_row(params![pool_id, group, key], |r| r.get(0))?;
            Ok(present)
        })
        .await
    }

    async fn remove_user_from_group(
        &self,
        pool_id: &str,
        username: &str,
        group: &str,
    ) -> Result<bool, StoreError> {
        let (pool_id, username, group) =
            (pool_id.to_owned(), username.to_owned(), group.to_owned());
        let namings = self.inner.namings.clone();
        self.write(move |conn| {
            let key = key_of(naming_writing(&namings, conn, &pool_id)?, &username);
            Ok(conn
                .prepare_cached(
                    "DELETE FROM group_members WHERE pool_id = ?1 AND group_name = ?2
                 AND username_key = ?3",
                )?
                .execute(params![pool_id, group, key])?
                == 1)
        })
        .await
    }

    async fn list_groups_for_user(
        &self,
        pool_id: &str,
        username: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let (pool_id, username) = (pool_id.to_owned(), username.to_owned());
        let after = after.unwrap_or("").to_owned();
        let namings = self.inner.namings.clone();
        self.read(move |conn| {
            let key = key_of(naming_reading(&namings, conn, &pool_id)?, &username);
            let mut stmt = conn.prepare_cached(
                "SELECT group_name FROM group_members WHERE pool_id = ?1 AND username_key = ?2
                 AND group_name > ?3 ORDER BY group_name LIMIT ?4",
            )?;
            let rows = stmt.query_map(params![pool_id, key, after, limit as i64], |r| r.get(0))?;
            Ok(rows.collect::<Result<Vec<String>, _>>()?)
        })
        .await
    }

    async fn list_users_in_group(
        &self,
        pool_id: &str,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError> {
        let (pool_id, group) = (pool_id.to_owned(), group.to_owned());
        let after = after.unwrap_or("").to_owned();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT u.doc, u.version FROM group_members m
                 JOIN users u ON u.pool_id = m.pool_id AND u.username_key = m.username_key
                 WHERE m.pool_id = ?1 AND m.group_name = ?2 AND m.username_key > ?3
                 ORDER BY m.username_key LIMIT ?4",
            )?;
            let rows = stmt.query_map(params![pool_id, group, after, limit as i64], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?;
            rows.map(|r| {
                let (d, v) = r?;
                user_from_doc(&d, v)
            })
            .collect()
        })
        .await
    }

    async fn put_code(
        &self,
        pool_id: &str,
        username: &str,
        purpose: &CodePurpose,
        code_hash: &str,
        expires_at: f64,
    ) -> Result<bool, StoreError> {
        let (pool_id, username) = (pool_id.to_owned(), username.to_owned());
        let (purpose, code_hash) = (purpose.as_key(), code_hash.to_owned());
        let namings = self.inner.namings.clone();
        self.write(move |conn| {
            let key = key_of(naming_writing(&namings, conn, &pool_id)?, &username);
            Ok(conn
                .prepare_cached(
                    "INSERT INTO user_codes (pool_id, username_key, purpose, code_hash, expires_at)
                 SELECT ?1, ?2, ?3, ?4, ?5
                 WHERE EXISTS (SELECT 1 FROM users WHERE pool_id = ?1 AND username_key = ?2)
                 ON CONFLICT (pool_id, username_key, purpose) DO UPDATE
                 SET code_hash = excluded.code_hash, expires_at = excluded.expires_at,
                     failures = 0",
                )?
                .execute(params![pool_id, key, purpose, code_hash, expires_at])?
                == 1)
        })
        .await
    }

    async fn write_decoy(
        &self,
        pool_id: &str,
        slot: &str,
        now: f64,
        _locked: bool,
    ) -> Result<(), StoreError> {
        let (pool_id, slot) = (pool_id.to_owned(), slot.to_owned());
        self.write(move |conn| {
            // Shaped as a code's write (pool, row, write); the single writer needs no lock.
            if pool_naming(conn, &pool_id)?.is_none() {
                return Err(StoreError::ParentGone("user pool does not exist".into()));
            }
            conn.prepare_cached(
                "INSERT INTO decoys (pool_id, slot, writes, written_at) VALUES (?1, ?2, 1, ?3)
                 ON CONFLICT (pool_id, slot)
                 DO UPDATE SET writes = writes + 1, written_at = excluded.written_at",
            )?
            .execute(params![pool_id, slot, now])?;
            Ok(())
        })
        .await
    }

    async fn consume_code(
        &self,
        pool_id: &str,
        username: &str,
        purpose: &CodePurpose,
        code_hash: &str,
        now: f64,
    ) -> Result<CodeOutcome, StoreError> {
        let (pool_id, username) = (pool_id.to_owned(), username.to_owned());
        let (purpose, code_hash) = (purpose.as_key(), code_hash.to_owned());
        let namings = self.inner.namings.clone();
        self.write(move |conn| {
            let tx = conn.savepoint()?;
            let key = key_of(naming_writing(&namings, &tx, &pool_id)?, &username);
            let row: Option<(String, f64, i64)> = tx
                .prepare_cached(
                    "SELECT code_hash, expires_at, failures FROM user_codes
                     WHERE pool_id = ?1 AND username_key = ?2 AND purpose = ?3",
                )?
                .query_row(params![pool_id, key, purpose], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()?;
            let Some((stored, expires_at, failures)) = row else {
                return Ok(CodeOutcome::Missing);
            };
            let matches = constant_time_eq(stored.as_bytes(), code_hash.as_bytes());
            let outcome = if failures >= i64::from(MAX_CODE_FAILURES) && now < expires_at {
                CodeOutcome::TooManyFailures
            } else if now >= expires_at {
                tx.prepare_cached(
                    "DELETE FROM user_codes WHERE pool_id = ?1 AND username_key = ?2
                     AND purpose = ?3",
                )?
                .execute(params![pool_id, key, purpose])?;
                CodeOutcome::Expired
            } else if matches {
                tx.prepare_cached(
                    "DELETE FROM user_codes WHERE pool_id = ?1 AND username_key = ?2
                     AND purpose = ?3",
                )?
                .execute(params![pool_id, key, purpose])?;
                CodeOutcome::Accepted
            } else {
                tx.prepare_cached(
                    "UPDATE user_codes SET failures = failures + 1 WHERE pool_id = ?1
                     AND username_key = ?2 AND purpose = ?3",
                )?
                .execute(params![pool_id, key, purpose])?;
                CodeOutcome::Mismatch {
                    failures: (failures + 1) as u32,
                }
            };
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }
}
