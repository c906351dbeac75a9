use super::{Cached, PostgresStore};
use crate::tokens::{AuthSession, RefreshToken, SigningKeys, TokenAuthorization, Tokens};
use crate::users::user_from_doc;
use crate::StoreError;
use async_trait::async_trait;
use tokio_postgres::Row;

const FAMILY_COLUMNS: &str =
    "pool_id, origin_jti, client_id, username, sub, auth_time, expires_at, revoked, scopes";

/// Removes up to 16 refresh token families that ended before `$1`, the oldest first. A
/// prepared statement runs on PostgreSQL's generic plan, which cannot see `$1` and guesses that
/// a third of the table matches a bare `expires_at < $1`: that plan scans the whole table, at
/// every sign-in. Ordered and limited, the plan walks the expiry index from its start, and each
/// sign-in's share of the cleanup stays bounded; rows another sign-in is removing are left to
/// it rather than waited for.
pub(super) const END_REFRESH_TOKENS: &str = "DELETE FROM refresh_tokens WHERE token_hash IN
    (SELECT token_hash FROM refresh_tokens WHERE expires_at < $1 ORDER BY expires_at LIMIT 16
     FOR UPDATE SKIP LOCKED)";

/// The same for the challenge sessions that ended before `$1`.
pub(super) const END_AUTH_SESSIONS: &str = "DELETE FROM auth_sessions WHERE session_hash IN
    (SELECT session_hash FROM auth_sessions WHERE expires_at < $1 ORDER BY expires_at LIMIT 16
     FOR UPDATE SKIP LOCKED)";

fn family(r: &Row) -> RefreshToken {
    RefreshToken {
        pool_id: r.get(0),
        origin_jti: r.get(1),
        client_id: r.get(2),
        username: r.get(3),
        sub: r.get(4),
        auth_time: r.get(5),
        expires_at: r.get(6),
        revoked: r.get(7),
        scopes: r.get(8),
        superseded_until: r.get(9),
    }
}

#[async_trait]
impl Tokens for PostgresStore {
    async fn get_signing_keys(&self, pool_id: &str) -> Result<Option<SigningKeys>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt_cached(
                "SELECT doc FROM signing_keys WHERE pool_id = $1",
                &[&pool_id],
            )
            .await?;
        Ok(row
            .map(|r| serde_json::from_str(r.get::<_, &str>(0)))
            .transpose()?)
    }

    async fn get_or_create_signing_keys(
        &self,
        pool_id: &str,
        candidate: &SigningKeys,
    ) -> Result<SigningKeys, StoreError> {
        let doc = serde_json::to_string(candidate)?;
        let client = self.client().await?;
        // A racing insert waits for the first to commit and then does nothing; the next
        // statement sees the winner's keys.
        client
            .execute_cached(
                "INSERT INTO signing_keys (pool_id, doc) VALUES ($1, $2)
                 ON CONFLICT (pool_id) DO NOTHING",
                &[&pool_id, &doc],
            )
            .await?;
        let row = client
            .query_one_cached(
                "SELECT doc FROM signing_keys WHERE pool_id = $1",
                &[&pool_id],
            )
            .await?;
        Ok(serde_json::from_str(row.get::<_, &str>(0))?)
    }

    async fn create_refresh_token(
        &self,
        token: &RefreshToken,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        let t = token;
        let client = self.client().await?;
        // Families that ended long ago go when new ones start, in the same statement (one
        // round trip, one commit).
        client
            .execute_cached(
                &format!(
                    "WITH ended AS ({END_REFRESH_TOKENS})
                     INSERT INTO refresh_tokens ({FAMILY_COLUMNS}, token_hash)
                     VALUES ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                ),
                &[
                    &(t.auth_time - 86_400.0),
                    &t.pool_id,
                    &t.origin_jti,
                    &t.client_id,
                    &t.username,
                    &t.sub,
                    &t.auth_time,
                    &t.expires_at,
                    &t.revoked,
                    &t.scopes,
                    &token_hash,
                ],
            )
            .await?;
        Ok(())
    }

    async fn get_refresh_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<RefreshToken>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt_cached(
                &format!(
                    "SELECT {FAMILY_COLUMNS},
                        CASE WHEN token_hash = $1 THEN NULL ELSE previous_valid_until END
                     FROM refresh_tokens WHERE token_hash = $1 OR previous_hash = $1"
                ),
                &[&token_hash],
            )
            .await?;
        Ok(row.as_ref().map(family))
    }

    async fn get_token_family(
        &self,
        pool_id: &str,
        origin_jti: &str,
    ) -> Result<Option<RefreshToken>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt_cached(
                &format!(
                    "SELECT {FAMILY_COLUMNS}, NULL::DOUBLE PRECISION FROM refresh_tokens
                     WHERE pool_id = $1 AND origin_jti = $2"
                ),
                &[&pool_id, &origin_jti],
            )
            .await?;
        Ok(row.as_ref().map(family))
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        expires_at: f64,
        now: f64,
        grace_until: f64,
    ) -> Result<bool, StoreError> {
        // The CASEs read the row as it was before this update; a concurrent rotation of the
        // same token re-checks the WHERE on the row it waited for, so only one wins.
        let n = self
            .client()
            .await?
            .execute_cached(
                "UPDATE refresh_tokens SET
                    previous_hash = CASE WHEN token_hash = $1 THEN $1 ELSE previous_hash END,
                    previous_valid_until =
                        CASE WHEN token_hash = $1 THEN $5 ELSE previous_valid_until END,
                    token_hash = $2,
                    expires_at = $3
                 WHERE NOT revoked
                   AND (token_hash = $1 OR (previous_hash = $1 AND previous_valid_until > $4))",
                &[&old_hash, &new_hash, &expires_at, &now, &grace_until],
            )
            .await?;
        Ok(n == 1)
    }

    async fn revoke_refresh_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<RefreshToken>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt_cached(
                &format!(
                    "UPDATE refresh_tokens SET revoked = TRUE
                     WHERE token_hash = $1 OR previous_hash = $1
                     RETURNING {FAMILY_COLUMNS}, NULL::DOUBLE PRECISION"
                ),
                &[&token_hash],
            )
            .await?;
        Ok(row.as_ref().map(family))
    }

    async fn list_token_families(
        &self,
        pool_id: &str,
        sub: &str,
        now: f64,
    ) -> Result<Vec<(RefreshToken, f64)>, StoreError> {
        let rows = self
            .client()
            .await?
            .query_cached(
                &format!(
                    "SELECT {FAMILY_COLUMNS}, NULL::DOUBLE PRECISION,
                        COALESCE(last_used, auth_time) FROM refresh_tokens
                     WHERE pool_id = $1 AND sub = $2 AND NOT revoked AND expires_at > $3
                     ORDER BY auth_time, origin_jti"
                ),
                &[&pool_id, &sub, &now],
            )
            .await?;
        Ok(rows.iter().map(|r| (family(r), r.get(10))).collect())
    }

    async fn touch_token_family(
        &self,
        pool_id: &str,
        origin_jti: &str,
        now: f64,
    ) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute_cached(
                "UPDATE refresh_tokens SET last_used = $3 WHERE pool_id = $1 AND origin_jti = $2",
                &[&pool_id, &origin_jti, &now],
            )
            .await?;
        Ok(())
    }

    async fn revoke_token_family(
        &self,
        pool_id: &str,
        origin_jti: &str,
    ) -> Result<bool, StoreError> {
        let n = self
            .client()
            .await?
            .execute_cached(
                "UPDATE refresh_tokens SET revoked = TRUE
                 WHERE pool_id = $1 AND origin_jti = $2 AND NOT revoked",
                &[&pool_id, &origin_jti],
            )
            .await?;
        Ok(n == 1)
    }

    async fn revoke_user_refresh_tokens(
        &self,
        pool_id: &str,
        sub: &str,
    ) -> Result<u64, StoreError> {
        Ok(self
            .client()
            .await?
            .execute_cached(
                "UPDATE refresh_tokens SET revoked = TRUE
                 WHERE pool_id = $1 AND sub = $2 AND NOT revoked",
                &[&pool_id, &sub],
            )
            .await?)
    }

    async fn token_authorization(
        &self,
        pool_id: &str,
        sub: &str,
        origin_jti: &str,
        client_id: &str,
    ) -> Result<TokenAuthorization, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one_cached(
                "SELECT EXISTS (SELECT 1 FROM user_pools WHERE id = $1), u.doc, u.version,
                   (SELECT revoked FROM refresh_tokens WHERE pool_id = $1 AND origin_jti = $3),
                   (SELECT doc FROM resources
                    WHERE kind = 'client' AND pool_id = $1 AND key = $4)
                 FROM (SELECT 1) AS one LEFT JOIN users u ON u.pool_id = $1 AND u.sub = $2",
                &[&pool_id, &sub, &origin_jti, &client_id],
            )
            .await?;
        let user = match (row.get::<_, Option<&str>>(1), row.get(2)) {
            (Some(doc), Some(version)) => Some(user_from_doc(doc, version)?),
            _ => None,
        };
        Ok(TokenAuthorization {
            pool_exists: row.get(0),
            user,
            family_revoked: row.get(3),
            client_doc: row.get(4),
        })
    }

    async fn create_auth_session(&self, session: &AuthSession) -> Result<(), StoreError> {
        let s = session;
        let client = self.client().await?;
        client
            .execute_cached(END_AUTH_SESSIONS, &[&(s.expires_at - 86_400.0)])
            .await?;
        client
            .execute_cached(
                "INSERT INTO auth_sessions (session_hash, pool_id, doc, expires_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (session_hash) DO UPDATE SET pool_id = excluded.pool_id,
                 doc = excluded.doc, expires_at = excluded.expires_at WHERE auth_sessions.doc = ''",
                &[&s.session_hash, &s.pool_id, &s.doc, &s.expires_at],
            )
            .await?;
        Ok(())
    }

    async fn take_auth_session(
        &self,
        session_hash: &str,
    ) -> Result<Option<AuthSession>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt_cached(
                "UPDATE auth_sessions s SET doc = ''
                 FROM (SELECT session_hash, doc FROM auth_sessions WHERE session_hash = $1
                       FOR UPDATE) old
                 WHERE s.session_hash = old.session_hash
                 RETURNING s.session_hash, s.pool_id, old.doc, s.expires_at",
                &[&session_hash],
            )
            .await?;
        Ok(row.map(|r| AuthSession {
            session_hash: r.get(0),
            pool_id: r.get(1),
            doc: r.get(2),
            expires_at: r.get(3),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::{END_AUTH_SESSIONS, END_REFRESH_TOKENS};
    use crate::PostgresStore;
    use ironpool_testpg::TestPostgres;

    /// The cleanups that run at every sign-in walk the expiry index on the plan a prepared
    /// statement gets after its first runs (the generic plan), with 20,000 families and
    /// sessions that have not ended, inserted in no order of expiry and not yet analyzed.
    #[tokio::test]
    async fn the_cleanup_at_each_sign_in_reads_the_expiry_index_not_the_table() {
        let Some(db) = TestPostgres::start() else {
            return;
        };
        PostgresStore::connect(db.url()).await.unwrap();
        let (client, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(
                "INSERT INTO user_pools (id, doc, version) VALUES ('us-east-1_PLANPLAN', '{}', 1);
                 INSERT INTO refresh_tokens (pool_id, origin_jti, token_hash, client_id,
                     username, sub, auth_time, expires_at, revoked)
                 SELECT 'us-east-1_PLANPLAN', 'o' || n, 'h' || n, 'c', 'u' || n, 's' || n,
                     1e9, 2e9 + random() * 1e6, false FROM generate_series(1, 20000) n;
                 INSERT INTO auth_sessions (session_hash, pool_id, doc, expires_at)
                 SELECT 'h' || n, 'us-east-1_PLANPLAN', 'd', 2e9 + random() * 1e6
                 FROM generate_series(1, 20000) n;
                 SET plan_cache_mode = force_generic_plan;",
            )
            .await
            .unwrap();
        for (name, statement) in [
            ("refresh_tokens", END_REFRESH_TOKENS),
            ("auth_sessions", END_AUTH_SESSIONS),
        ] {
            client
                .batch_execute(&format!("PREPARE cleanup (float8) AS {statement}"))
                .await
                .unwrap();
            let plan: Vec<String> = client
                .query("EXPLAIN EXECUTE cleanup (1.5e9)", &[])
                .await
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            let plan = plan.join("\n");
            assert!(plan.contains(&format!("{name}_by_expiry")), "{plan}");
            assert!(!plan.contains("Seq Scan"), "{plan}");
            client.batch_execute("DEALLOCATE cleanup").await.unwrap();
        }
    }
}
