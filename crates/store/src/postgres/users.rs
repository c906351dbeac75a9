use super::{retried, Cached, PostgresStore};
use crate::users::{
    alias_keys, alias_value_key, constant_time_eq, is_username_attribute, prefix_end, status_name,
    user_from_doc, CodeOutcome, CodePurpose, FilterOp, Naming, Namings, User, UserConflict,
    UserFilter, Users, MAX_CODE_FAILURES,
};
use crate::StoreError;
use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Object, Transaction};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

/// How the users of `pool_id` are named, read from its stored document; `None` when there
/// is no such pool.
pub(super) async fn pool_naming<C: GenericClient + Sync>(
    c: &C,
    pool_id: &str,
) -> Result<Option<Naming>, StoreError> {
    let row = c
        .query_opt_cached("SELECT doc FROM user_pools WHERE id = $1", &[&pool_id])
        .await?;
    Ok(row
        .map(|r| serde_json::from_str(r.get::<_, &str>(0)))
        .transpose()?)
}

/// As [`pool_naming`], keeping the pool row from being deleted until the transaction ends: a
/// deletion of the pool waits for the write, then deletes what it wrote too (instead of the
/// write failing on the foreign key).
async fn pool_naming_locked(
    tx: &Transaction<'_>,
    pool_id: &str,
) -> Result<Option<Naming>, StoreError> {
    let row = tx
        .query_opt_cached(
            "SELECT doc FROM user_pools WHERE id = $1 FOR KEY SHARE",
            &[&pool_id],
        )
        .await?;
    Ok(row
        .map(|r| serde_json::from_str(r.get::<_, &str>(0)))
        .transpose()?)
}

/// The key `username` is stored under in the pool (as given when there is no such pool: it
/// matches no user then), with the pool's naming as kept in `namings` or read now.
async fn key_of<C: GenericClient + Sync>(
    c: &C,
    namings: &Namings,
    pool_id: &str,
    username: &str,
) -> Result<String, StoreError> {
    let naming = match namings.get(pool_id) {
        Some(naming) => Some(naming),
        None => c
            .query_opt_cached(
                "SELECT doc, version FROM user_pools WHERE id = $1",
                &[&pool_id],
            )
            .await?
            .map(|r| namings.keep(pool_id, r.get(0), r.get(1)))
            .transpose()?,
    };
    Ok(naming.map_or_else(|| username.to_owned(), |pool| pool.username_key(username)))
}

fn user_from_row(r: &Row) -> Result<User, StoreError> {
    user_from_doc(r.get(0), r.get(1))
}

async fn get_by_key<C: GenericClient + Sync>(
    c: &C,
    pool_id: &str,
    key: &str,
) -> Result<Option<User>, StoreError> {
    let row = c
        .query_opt_cached(
            "SELECT doc, version FROM users WHERE pool_id = $1 AND username_key = $2",
            &[&pool_id, &key],
        )
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// Drops the alias values the user keyed `key` holds, before an update claims its new ones.
async fn drop_aliases(tx: &Transaction<'_>, pool_id: &str, key: &str) -> Result<(), StoreError> {
    tx.execute_cached(
        "DELETE FROM user_aliases WHERE pool_id = $1 AND username_key = $2",
        &[&pool_id, &key],
    )
    .await?;
    Ok(())
}

/// Claims the alias values of `user` (keyed `key`) or reports whose they are. Each claim is
/// one statement that either inserts it or locks the existing one and names its holder, so
/// two servers claiming one value at once cannot both win. The user holds none when it starts
/// (a new user; an update drops the old ones first, [`drop_aliases`]).
async fn claim_aliases(
    tx: &Transaction<'_>,
    pool: &Naming,
    user: &User,
    key: &str,
    force: bool,
    now: f64,
) -> Result<Result<(), UserConflict>, StoreError> {
    let pool_id = &user.pool_id;
    for (name, value_key) in alias_keys(pool, user) {
        let holder: String = tx
            .query_one_cached(
                "INSERT INTO user_aliases (pool_id, name, value_key, username_key)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (pool_id, name, value_key)
                 DO UPDATE SET username_key = user_aliases.username_key
                 RETURNING username_key",
                &[pool_id, &name, &value_key, &key],
            )
            .await?
            .get(0);
        if holder == key {
            continue;
        }
        if !force || is_username_attribute(pool, &name) || name == "preferred_username" {
            return Ok(Err(UserConflict::AliasExists(name)));
        }
        // ForceAliasCreation: the value moves here; the other user keeps the attribute but
        // it is no longer verified, so no longer an alias.
        if let Some(mut previous) = get_by_key(tx, pool_id, &holder).await? {
            previous
                .attributes
                .insert(format!("{name}_verified"), "false".into());
            previous.modified = now;
            write_doc(tx, &previous, &holder, previous.version + 1).await?;
            write_attributes(tx, &previous, &holder).await?;
        }
        tx.execute_cached(
            "UPDATE user_aliases SET username_key = $4
             WHERE pool_id = $1 AND name = $2 AND value_key = $3",
            &[pool_id, &name, &value_key, &key],
        )
        .await?;
    }
    Ok(Ok(()))
}

async fn write_doc(
    tx: &Transaction<'_>,
    user: &User,
    key: &str,
    version: i64,
) -> Result<(), StoreError> {
    let mut stored = user.clone();
    stored.version = version;
    tx.execute_cached(
        "UPDATE users SET status = $3, enabled = $4, version = $5, doc = $6
         WHERE pool_id = $1 AND username_key = $2",
        &[
            &user.pool_id,
            &key,
            &status_name(user)?,
            &user.enabled,
            &version,
            &serde_json::to_string(&stored)?,
        ],
    )
    .await?;
    Ok(())
}

/// The user's attribute names and values, as two arrays of one order.
fn attribute_columns(user: &User) -> (Vec<&str>, Vec<&str>) {
    let names = user.attributes.keys().map(String::as_str).collect();
    let values = user.attributes.values().map(String::as_str).collect();
    (names, values)
}

/// What a user write as one statement binds besides the user's own columns (see
/// `PostgresStore::one_statement`).
struct OneStatement<'u> {
    /// The username's key under the pool's naming.
    key: String,
    /// The pool's version that naming was read at: the write is made only at it.
    pool_version: i64,
    /// The user's document as stored.
    doc: String,
    names: Vec<&'u str>,
    values: Vec<&'u str>,
}

/// Makes the user's attribute rows its attributes in one statement that writes only the rows
/// that changed: names the user no longer has are deleted, new or changed values upserted,
/// unchanged rows left alone (no new row versions, no index churn).
async fn write_attributes(tx: &Transaction<'_>, user: &User, key: &str) -> Result<(), StoreError> {
    let (names, values) = attribute_columns(user);
    tx.execute_cached(
        "WITH gone AS (
            DELETE FROM user_attributes
            WHERE pool_id = $1 AND username_key = $2 AND name <> ALL($3::TEXT[])
         )
         INSERT INTO user_attributes (pool_id, username_key, name, value)
         SELECT $1, $2, n, v FROM unnest($3::TEXT[], $4::TEXT[]) AS a(n, v)
         ON CONFLICT (pool_id, username_key, name) DO UPDATE SET value = excluded.value
         WHERE user_attributes.value <> excluded.value",
        &[&user.pool_id, &key, &names, &values],
    )
    .await?;
    Ok(())
}

/// Creates `user` in `pool` unless its username, sub or an alias value is taken: a user
/// import's insert, inside the caller's transaction. Each claim is one statement that inserts
/// or does nothing, so a server racing this one cannot make both win; a refused alias takes
/// the new row (and what it claimed) away again.
pub(super) async fn insert_new_user(
    tx: &Transaction<'_>,
    pool: &Naming,
    user: &User,
) -> Result<Option<UserConflict>, StoreError> {
    let key = pool.username_key(&user.username);
    let mut stored = user.clone();
    stored.version = 0;
    let inserted = tx
        .execute_cached(
            "INSERT INTO users (pool_id, username_key, username, sub, status, enabled,
             version, doc) VALUES ($1, $2, $3, $4, $5, $6, 0, $7)
             ON CONFLICT DO NOTHING",
            &[
                &user.pool_id,
                &key,
                &user.username,
                &user.sub,
                &status_name(user)?,
                &user.enabled,
                &serde_json::to_string(&stored)?,
            ],
        )
        .await?;
    if inserted == 0 {
        return Ok(Some(UserConflict::UsernameExists));
    }
    for (name, value_key) in alias_keys(pool, user) {
        let claimed = tx
            .execute_cached(
                "INSERT INTO user_aliases (pool_id, name, value_key, username_key)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&user.pool_id, &name, &value_key, &key],
            )
            .await?;
        if claimed == 0 {
            tx.execute_cached(
                "DELETE FROM users WHERE pool_id = $1 AND username_key = $2",
                &[&user.pool_id, &key],
            )
            .await?;
            return Ok(Some(UserConflict::AliasExists(name)));
        }
    }
    write_attributes(tx, user, &key).await?;
    Ok(None)
}

/// The parameters of a statement built piece by piece.
type Args = Vec<Box<dyn ToSql + Sync + Send>>;

/// Adds a parameter; its placeholder.
fn arg<T: ToSql + Sync + Send + 'static>(args: &mut Args, value: T) -> String {
    args.push(Box::new(value));
    format!("${}", args.len())
}

/// `column` equal to, or starting with, `value`, as an indexable range.
fn matches(column: &str, op: FilterOp, value: String, args: &mut Args) -> String {
    match op {
        FilterOp::Equals => format!("{column} = {}", arg(args, value)),
        FilterOp::StartsWith => {
            let hi = arg(args, prefix_end(&value));
            format!("{column} >= {} AND {column} < {hi}", arg(args, value))
        }
    }
}

impl PostgresStore {
    async fn query_users(&self, sql: &str, args: Args) -> Result<Vec<User>, StoreError> {
        let refs: Vec<&(dyn ToSql + Sync)> = args
            .iter()
            .map(|a| a.as_ref() as &(dyn ToSql + Sync))
            .collect();
        let rows = self.client().await?.query_cached(sql, &refs).await?;
        rows.iter().map(user_from_row).collect()
    }
}

#[async_trait]
impl Users for PostgresStore {
    async fn create_user_if_absent(
        &self,
        user: &User,
        force_alias: bool,
    ) -> Result<Result<(), UserConflict>, StoreError> {
        retried(|| self.create_user_if_absent_once(user, force_alias)).await
    }

    async fn get_user(&self, pool_id: &str, username: &str) -> Result<Option<User>, StoreError> {
        let client = self.client().await?;
        let client: &Object = &client;
        let key = key_of(client, &self.namings, pool_id, username).await?;
        get_by_key(client, pool_id, &key).await
    }

    async fn get_user_by_sub(&self, pool_id: &str, sub: &str) -> Result<Option<User>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt_cached(
                "SELECT doc, version FROM users WHERE pool_id = $1 AND sub = $2",
                &[&pool_id, &sub],
            )
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn find_user_by_alias(
        &self,
        pool_id: &str,
        attribute: &str,
        value: &str,
    ) -> Result<Option<User>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt_cached(
                "SELECT u.doc, u.version FROM user_aliases a
                 JOIN users u ON u.pool_id = a.pool_id AND u.username_key = a.username_key
                 WHERE a.pool_id = $1 AND a.name = $2 AND a.value_key = $3",
                &[&pool_id, &attribute, &alias_value_key(attribute, value)],
            )
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn update_user(&self, user: &User) -> Result<Result<bool, UserConflict>, StoreError> {
        retried(|| self.update_user_once(user)).await
    }

    async fn delete_user(&self, pool_id: &str, username: &str) -> Result<bool, StoreError> {
        // The cascade locks rows of several tables: a deadlock with a write is possible.
        retried(|| async {
            let client = self.client().await?;
            let key = key_of(&*client, &self.namings, pool_id, username).await?;
            let n = client
                .execute_cached(
                    "DELETE FROM users WHERE pool_id = $1 AND username_key = $2",
                    &[&pool_id, &key],
                )
                .await?;
            Ok(n == 1)
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
        // Every query orders by the username key and pages after it ($2, limit $3); a filter
        // adds one indexed condition on a users column or on the attribute table.
        let mut args: Args = vec![
            Box::new(pool_id.to_owned()),
            Box::new(after.unwrap_or("").to_owned()),
            Box::new(limit as i64),
        ];
        let users_where = |cond: String| {
            format!(
                "SELECT doc, version FROM users WHERE pool_id = $1 AND {cond}
                 AND username_key > $2 ORDER BY username_key LIMIT $3"
            )
        };
        let Some(f) = filter else {
            return self.query_users(&users_where("TRUE".into()), args).await;
        };
        let value = f.value.clone();
        let sql = match f.attribute.as_str() {
            "username" => {
                let key = self.user_key(pool_id, &value).await?;
                users_where(matches("username_key", f.op, key, &mut args))
            }
            "sub" => users_where(matches("sub", f.op, value, &mut args)),
            "cognito:user_status" => users_where(matches("status", f.op, value, &mut args)),
            "status" => {
                // Enabled/Disabled, matched on their names.
                let names = |n: &str| match f.op {
                    FilterOp::StartsWith => n.starts_with(&value),
                    FilterOp::Equals => n == value,
                };
                let cond = match (names("Enabled"), names("Disabled")) {
                    (true, true) => "TRUE",
                    (true, false) => "enabled",
                    (false, true) => "NOT enabled",
                    (false, false) => "FALSE",
                };
                users_where(cond.into())
            }
            // The page's keys come from the attribute index alone; only they are joined.
            attribute => {
                let name = arg(&mut args, attribute.to_owned());
                format!(
                    "SELECT u.doc, u.version FROM (
                         SELECT username_key FROM user_attributes
                         WHERE pool_id = $1 AND name = {name} AND {}
                         AND username_key > $2 ORDER BY username_key LIMIT $3
                     ) k JOIN users u ON u.pool_id = $1 AND u.username_key = k.username_key
                     ORDER BY u.username_key",
                    matches("value", f.op, value, &mut args)
                )
            }
        };
        self.query_users(&sql, args).await
    }

    async fn count_users(&self, pool_id: &str) -> Result<u64, StoreError> {
        let row = self
            .client()
            .await?
            .query_one_cached("SELECT COUNT(*) FROM users WHERE pool_id = $1", &[&pool_id])
            .await?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    async fn user_key(&self, pool_id: &str, username: &str) -> Result<String, StoreError> {
        let client = self.client().await?;
        key_of(&*client, &self.namings, pool_id, username).await
    }

    async fn add_user_to_group(
        &self,
        pool_id: &str,
        username: &str,
        group: &str,
    ) -> Result<bool, StoreError> {
        // A deadlock is possible: the statement's two foreign-key checks against the
        // cascade of a pool deletion.
        retried(|| async {
            let client = self.client().await?;
            let key = key_of(&*client, &self.namings, pool_id, username).await?;
            // Both exist, and the membership is there after this statement, new or not (a
            // conflict with a concurrent add waits for it and returns its row).
            let row = client
                .query_opt_cached(
                    "INSERT INTO group_members (pool_id, group_name, username_key)
                     SELECT $1::TEXT, $2::TEXT, $3::TEXT
                     WHERE EXISTS (SELECT 1 FROM users WHERE pool_id = $1 AND username_key = $3)
                       AND EXISTS (SELECT 1 FROM resources WHERE kind = 'group'
                                   AND pool_id = $1 AND key = $2)
                     ON CONFLICT (pool_id, group_name, username_key)
                     DO UPDATE SET username_key = excluded.username_key
                     RETURNING 1",
                    &[&pool_id, &group, &key],
                )
                .await?;
            Ok(row.is_some())
        })
        .await
    }

    async fn remove_user_from_group(
        &self,
        pool_id: &str,
        username: &str,
        group: &str,
    ) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let key = key_of(&*client, &self.namings, pool_id, username).await?;
        let n = client
            .execute_cached(
                "DELETE FROM group_members WHERE pool_id = $1 AND group_name = $2
                 AND username_key = $3",
                &[&pool_id, &group, &key],
            )
            .await?;
        Ok(n == 1)
    }

    async fn list_groups_for_user(
        &self,
        pool_id: &str,
        username: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let client = self.client().await?;
        let key = key_of(&*client, &self.namings, pool_id, username).await?;
        let rows = client
            .query_cached(
                "SELECT group_name FROM group_members WHERE pool_id = $1 AND username_key = $2
                 AND group_name > $3 ORDER BY group_name LIMIT $4",
                &[&pool_id, &key, &after.unwrap_or(""), &(limit as i64)],
            )
            .await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    async fn list_users_in_group(
        &self,
        pool_id: &str,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError> {
        let args: Args = vec![
            Box::new(pool_id.to_owned()),
            Box::new(group.to_owned()),
            Box::new(after.unwrap_or("").to_owned()),
            Box::new(limit as i64),
        ];
        self.query_users(
            "SELECT u.doc, u.version FROM group_members m
             JOIN users u ON u.pool_id = m.pool_id AND u.username_key = m.username_key
             WHERE m.pool_id = $1 AND m.group_name = $2 AND m.username_key > $3
             ORDER BY m.username_key LIMIT $4",
            args,
        )
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
        let client = self.client().await?;
        let key = key_of(&*client, &self.namings, pool_id, username).await?;
        let n = client
            .execute_cached(
                "INSERT INTO user_codes (pool_id, username_key, purpose, code_hash, expires_at)
                 SELECT $1::TEXT, $2::TEXT, $3::TEXT, $4::TEXT, $5::DOUBLE PRECISION
                 WHERE EXISTS (SELECT 1 FROM users WHERE pool_id = $1 AND username_key = $2)
                 ON CONFLICT (pool_id, username_key, purpose) DO UPDATE
                 SET code_hash = excluded.code_hash, expires_at = excluded.expires_at,
                     failures = 0",
                &[&pool_id, &key, &purpose.as_key(), &code_hash, &expires_at],
            )
            .await?;
        Ok(n == 1)
    }

    async fn write_decoy(
        &self,
        pool_id: &str,
        slot: &str,
        now: f64,
        locked: bool,
    ) -> Result<(), StoreError> {
        retried(|| self.write_decoy_once(pool_id, slot, now, locked)).await
    }

    async fn consume_code(
        &self,
        pool_id: &str,
        username: &str,
        purpose: &CodePurpose,
        code_hash: &str,
        now: f64,
    ) -> Result<CodeOutcome, StoreError> {
        retried(|| self.consume_code_once(pool_id, username, purpose, code_hash, now)).await
    }
}

/// The bodies of the writes above that run in a transaction, each tried again by [`retried`]
/// when the database ends it because of another transaction.
impl PostgresStore {
    async fn write_decoy_once(
        &self,
        pool_id: &str,
        slot: &str,
        now: f64,
        locked: bool,
    ) -> Result<(), StoreError> {
        const UPSERT: &str = "INSERT INTO decoys (pool_id, slot, writes, written_at)
             VALUES ($1, $2, 1, $3)
             ON CONFLICT (pool_id, slot)
             DO UPDATE SET writes = decoys.writes + 1, written_at = excluded.written_at";
        let mut client = self.client().await?;
        if !locked {
            // As a code is stored: the pool read for its name rule, one statement.
            if pool_naming(&*client, pool_id).await?.is_none() {
                return Err(StoreError::ParentGone("user pool does not exist".into()));
            }
            client
                .execute_cached(UPSERT, &[&pool_id, &slot, &now])
                .await?;
            return Ok(());
        }
        // As a checked change: pool, locked row, write, commit.
        let tx = client.transaction().await?;
        if pool_naming(&tx, pool_id).await?.is_none() {
            return Err(StoreError::ParentGone("user pool does not exist".into()));
        }
        tx.query_opt_cached(
            "SELECT writes FROM decoys WHERE pool_id = $1 AND slot = $2 FOR UPDATE",
            &[&pool_id, &slot],
        )
        .await?;
        tx.execute_cached(UPSERT, &[&pool_id, &slot, &now]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_user_if_absent_once(
        &self,
        user: &User,
        force_alias: bool,
    ) -> Result<Result<(), UserConflict>, StoreError> {
        if let Some(done) = self.create_user_in_one_statement(user).await? {
            return Ok(done);
        }
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let Some(pool) = pool_naming_locked(&tx, &user.pool_id).await? else {
            return Ok(Err(UserConflict::PoolGone));
        };
        let key = pool.username_key(&user.username);
        let mut stored = user.clone();
        stored.version = 0;
        // A concurrent insert of the same username or sub waits for the first to commit,
        // then inserts nothing.
        let inserted = tx
            .execute_cached(
                "INSERT INTO users (pool_id, username_key, username, sub, status, enabled,
                 version, doc) VALUES ($1, $2, $3, $4, $5, $6, 0, $7)
                 ON CONFLICT DO NOTHING",
                &[
                    &user.pool_id,
                    &key,
                    &user.username,
                    &user.sub,
                    &status_name(user)?,
                    &user.enabled,
                    &serde_json::to_string(&stored)?,
                ],
            )
            .await?;
        if inserted == 0 {
            tx.rollback().await?;
            return Ok(Err(UserConflict::UsernameExists));
        }
        if let Err(c) = claim_aliases(&tx, &pool, user, &key, force_alias, user.created).await? {
            tx.rollback().await?;
            return Ok(Err(c));
        }
        write_attributes(&tx, user, &key).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    async fn update_user_once(
        &self,
        user: &User,
    ) -> Result<Result<bool, UserConflict>, StoreError> {
        if self.update_user_in_one_statement(user).await? {
            return Ok(Ok(true));
        }
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let Some(pool) = pool_naming_locked(&tx, &user.pool_id).await? else {
            return Ok(Ok(false));
        };
        let key = pool.username_key(&user.username);
        // The row stays locked until commit: a concurrent update waits, then sees the new
        // version and fails its check.
        let stored = tx
            .query_opt_cached(
                "SELECT version, sub, doc FROM users WHERE pool_id = $1 AND username_key = $2
                 FOR UPDATE",
                &[&user.pool_id, &key],
            )
            .await?;
        let Some(stored) = stored
            .filter(|r| r.get::<_, i64>(0) == user.version && r.get::<_, &str>(1) == user.sub)
        else {
            return Ok(Ok(false));
        };
        // A change that leaves the attributes as they are (a password, a failure count, the
        // status) leaves their aliases and lookup rows alone: two round trips fewer.
        let attributes_changed = serde_json::from_str::<User>(stored.get(2))
            .map_or(true, |before| before.attributes != user.attributes);
        if attributes_changed {
            drop_aliases(&tx, &user.pool_id, &key).await?;
            if let Err(c) = claim_aliases(&tx, &pool, user, &key, false, user.modified).await? {
                tx.rollback().await?;
                return Ok(Err(c));
            }
        }
        write_doc(&tx, user, &key, user.version + 1).await?;
        if attributes_changed {
            write_attributes(&tx, user, &key).await?;
        }
        tx.commit().await?;
        Ok(Ok(true))
    }

    /// What a write of `user` as one statement binds besides the user's own columns, its
    /// document stored at `version`; `None` unless the pool's naming is kept and the pool has
    /// no aliases (a user write there has no alias value to claim or give back, so it needs no
    /// transaction).
    fn one_statement<'u>(
        &self,
        user: &'u User,
        version: i64,
    ) -> Result<Option<OneStatement<'u>>, StoreError> {
        let Some((naming, pool_version)) = self.namings.get_versioned(&user.pool_id) else {
            return Ok(None);
        };
        if naming.has_aliases() {
            return Ok(None);
        }
        let mut stored = user.clone();
        stored.version = version;
        let (names, values) = attribute_columns(user);
        Ok(Some(OneStatement {
            key: naming.username_key(&user.username),
            pool_version,
            doc: serde_json::to_string(&stored)?,
            names,
            values,
        }))
    }

    /// [`create_user_if_absent`](Users::create_user_if_absent) as one statement, without a
    /// transaction: one round trip, one commit. Only in a pool without aliases, with the
    /// naming kept, and only while the pool is at the version that naming was read at (so it
    /// is the pool the naming is of). `None`: nothing written; the transaction decides.
    async fn create_user_in_one_statement(
        &self,
        user: &User,
    ) -> Result<Option<Result<(), UserConflict>>, StoreError> {
        let Some(w) = self.one_statement(user, 0)? else {
            return Ok(None);
        };
        // Nothing is inserted when the username or sub is taken (a concurrent insert of
        // either waits for the first to commit): the pool is then found at the version.
        let row = self
            .client()
            .await?
            .query_one_cached(
                "WITH inserted AS (
                    INSERT INTO users (pool_id, username_key, username, sub, status, enabled,
                    version, doc)
                    SELECT $1::TEXT, $2::TEXT, $3::TEXT, $4::TEXT, $5::TEXT, $6::BOOLEAN, 0,
                    $7::TEXT FROM user_pools WHERE id = $1 AND version = $8
                    ON CONFLICT DO NOTHING RETURNING 1
                 ), attributes AS (
                    INSERT INTO user_attributes (pool_id, username_key, name, value)
                    SELECT $1, $2, n, v FROM unnest($9::TEXT[], $10::TEXT[]) AS a(n, v)
                    WHERE EXISTS (SELECT 1 FROM inserted)
                 )
                 SELECT EXISTS (SELECT 1 FROM inserted),
                 EXISTS (SELECT 1 FROM user_pools WHERE id = $1 AND version = $8)",
                &[
                    &user.pool_id,
                    &w.key,
                    &user.username,
                    &user.sub,
                    &status_name(user)?,
                    &user.enabled,
                    &w.doc,
                    &w.pool_version,
                    &w.names,
                    &w.values,
                ],
            )
            .await;
        // The pool was deleted after the statement began: the transaction says so.
        let row = match row {
            Err(e) => match StoreError::from(e) {
                StoreError::ParentGone(_) => return Ok(None),
                other => return Err(other),
            },
            Ok(row) => row,
        };
        Ok(match (row.get(0), row.get(1)) {
            (true, _) => Some(Ok(())),
            (false, true) => Some(Err(UserConflict::UsernameExists)),
            (false, false) => None,
        })
    }

    /// [`update_user`](Users::update_user) as one statement, without a transaction, on the
    /// same terms as [`Self::create_user_in_one_statement`]: the user's row, at the version
    /// and sub given, and its attribute rows (only those that changed). `false`: nothing
    /// written (another version, another sub, no such user or the pool moved); the
    /// transaction decides.
    async fn update_user_in_one_statement(&self, user: &User) -> Result<bool, StoreError> {
        let Some(w) = self.one_statement(user, user.version + 1)? else {
            return Ok(false);
        };
        // The update locks the user's row: a concurrent update waits for this one, then
        // finds another version and writes nothing, attributes included (they are written
        // only when the update is).
        let updated = self
            .client()
            .await?
            .query_one_cached(
                "WITH updated AS (
                    UPDATE users SET status = $3, enabled = $4, version = $5 + 1, doc = $6
                    WHERE pool_id = $1 AND username_key = $2 AND version = $5 AND sub = $7
                    AND EXISTS (SELECT 1 FROM user_pools WHERE id = $1 AND version = $8)
                    RETURNING 1
                 ), gone AS (
                    DELETE FROM user_attributes
                    WHERE pool_id = $1 AND username_key = $2 AND name <> ALL($9::TEXT[])
                    AND EXISTS (SELECT 1 FROM updated)
                 ), put AS (
                    INSERT INTO user_attributes (pool_id, username_key, name, value)
                    SELECT $1, $2, n, v FROM unnest($9::TEXT[], $10::TEXT[]) AS a(n, v)
                    WHERE EXISTS (SELECT 1 FROM updated) AND NOT EXISTS (
                        SELECT 1 FROM user_attributes o WHERE o.pool_id = $1
                        AND o.username_key = $2 AND o.name = a.n AND o.value = a.v
                    )
                    ON CONFLICT (pool_id, username_key, name)
                    DO UPDATE SET value = excluded.value
                 )
                 SELECT EXISTS (SELECT 1 FROM updated)",
                &[
                    &user.pool_id,
                    &w.key,
                    &status_name(user)?,
                    &user.enabled,
                    &user.version,
                    &w.doc,
                    &user.sub,
                    &w.pool_version,
                    &w.names,
                    &w.values,
                ],
            )
            .await?;
        Ok(updated.get(0))
    }

    async fn consume_code_once(
        &self,
        pool_id: &str,
        username: &str,
        purpose: &CodePurpose,
        code_hash: &str,
        now: f64,
    ) -> Result<CodeOutcome, StoreError> {
        let purpose = purpose.as_key();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let key = key_of(&tx, &self.namings, pool_id, username).await?;
        // Locked until commit: of two servers presenting one code, the second finds it gone.
        let row = tx
            .query_opt_cached(
                "SELECT code_hash, expires_at, failures FROM user_codes
                 WHERE pool_id = $1 AND username_key = $2 AND purpose = $3 FOR UPDATE",
                &[&pool_id, &key, &purpose],
            )
            .await?;
        let Some(row) = row else {
            return Ok(CodeOutcome::Missing);
        };
        let (stored, expires_at, failures): (&str, f64, i32) = (row.get(0), row.get(1), row.get(2));
        let matches = constant_time_eq(stored.as_bytes(), code_hash.as_bytes());
        let delete = "DELETE FROM user_codes WHERE pool_id = $1 AND username_key = $2
                      AND purpose = $3";
        let outcome = if failures >= MAX_CODE_FAILURES as i32 && now < expires_at {
            CodeOutcome::TooManyFailures
        } else if now >= expires_at {
            tx.execute_cached(delete, &[&pool_id, &key, &purpose])
                .await?;
            CodeOutcome::Expired
        } else if matches {
            tx.execute_cached(delete, &[&pool_id, &key, &purpose])
                .await?;
            CodeOutcome::Accepted
        } else {
            tx.execute_cached(
                "UPDATE user_codes SET failures = failures + 1 WHERE pool_id = $1
                 AND username_key = $2 AND purpose = $3",
                &[&pool_id, &key, &purpose],
            )
            .await?;
            CodeOutcome::Mismatch {
                failures: (failures + 1) as u32,
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }
}
