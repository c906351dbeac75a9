use super::SqliteStore;
use crate::tokens::{AuthSession, RefreshToken, SigningKeys, TokenAuthorization, Tokens};
use crate::users::user_from_doc;
use crate::StoreError;
use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row};

const FAMILY_COLUMNS: &str =
    "pool_id, origin_jti, client_id, username, sub, auth_time, expires_at, revoked, scopes";

fn family(r: &Row<'_>) -> rusqlite::Result<RefreshToken> {
    Ok(RefreshToken {
        pool_id: r.get(0)?,
        origin_jti: r.get(1)?,
        client_id: r.get(2)?,
        username: r.get(3)?,
        sub: r.get(4)?,
        auth_time: r.get(5)?,
        expires_at: r.get(6)?,
        revoked: r.get::<_, i64>(7)? != 0,
        scopes: r.get(8)?,
        superseded_until: r.get(9)?,
    })
}

#[async_trait]
impl Tokens for SqliteStore {
    async fn get_signing_keys(&self, pool_id: &str) -> Result<Option<SigningKeys>, StoreError> {
        let pool_id = pool_id.to_owned();
        let doc: Option<String> = self
            .lookup(move |conn| {
                Ok(conn
                    .prepare_cached("SELECT doc FROM signing_keys WHERE pool_id = ?1")?
                    .query_row(params![pool_id], |r| r.get(0))
                    .optional()?)
            })
            .await?;
        Ok(doc.map(|d| serde_json::from_str(&d)).transpose()?)
    }

    async fn get_or_create_signing_keys(
        &self,
        pool_id: &str,
        candidate: &SigningKeys,
    ) -> Result<SigningKeys, StoreError> {
        let pool_id = pool_id.to_owned();
        let doc = serde_json::to_string(candidate)?;
        let stored: String = self
            .write(move |conn| {
                let tx = conn.savepoint()?;
                tx.prepare_cached(
                    "INSERT INTO signing_keys (pool_id, doc) VALUES (?1, ?2)
                     ON CONFLICT (pool_id) DO NOTHING",
                )?
                .execute(params![pool_id, doc])?;
                let stored = tx
                    .prepare_cached("SELECT doc FROM signing_keys WHERE pool_id = ?1")?
                    .query_row(params![pool_id], |r| r.get(0))?;
                tx.commit()?;
                Ok(stored)
            })
            .await?;
        Ok(serde_json::from_str(&stored)?)
    }

    async fn create_refresh_token(
        &self,
        token: &RefreshToken,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        let t = token.clone();
        let hash = token_hash.to_owned();
        self.write(move |conn| {
            // Families that ended long ago go when new ones start, 16 at most each time (a
            // backlog goes a little at each sign-in, never in one long write).
            conn.prepare_cached(
                "DELETE FROM refresh_tokens WHERE rowid IN (SELECT rowid FROM refresh_tokens
                 WHERE expires_at < ?1 ORDER BY expires_at LIMIT 16)",
            )?
            .execute(params![t.auth_time - 86_400.0])?;
            conn.prepare_cached(&format!(
                "INSERT INTO refresh_tokens ({FAMILY_COLUMNS}, token_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ))?
            .execute(params![
                t.pool_id,
                t.origin_jti,
                t.client_id,
                t.username,
                t.sub,
                t.auth_time,
                t.expires_at,
                i64::from(t.revoked),
                t.scopes,
                hash
            ])?;
            Ok(())
        })
        .await
    }

    async fn get_refresh_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<RefreshToken>, StoreError> {
        let hash = token_hash.to_owned();
        self.lookup(move |conn| {
            Ok(conn
                .query_row(
                    &format!(
                        "SELECT {FAMILY_COLUMNS},
                            CASE WHEN token_hash = ?1 THEN NULL ELSE previous_valid_until END
                         FROM refresh_tokens WHERE token_hash = ?1 OR previous_hash = ?1"
                    ),
                    params![hash],
                    family,
                )
                .optional()?)
        })
        .await
    }

    async fn get_token_family(
        &self,
        pool_id: &str,
        origin_jti: &str,
    ) -> Result<Option<RefreshToken>, StoreError> {
        let (pool_id, jti) = (pool_id.to_owned(), origin_jti.to_owned());
        self.lookup(move |conn| {
            Ok(conn
                .query_row(
                    &format!(
                        "SELECT {FAMILY_COLUMNS}, NULL FROM refresh_tokens
                         WHERE pool_id = ?1 AND origin_jti = ?2"
                    ),
                    params![pool_id, jti],
                    family,
                )
                .optional()?)
        })
        .await
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        expires_at: f64,
        now: f64,
        grace_until: f64,
    ) -> Result<bool, StoreError> {
        let (old, new) = (old_hash.to_owned(), new_hash.to_owned());
        self.write(move |conn| {
            // The CASEs read the row as it was before this update.
            Ok(conn
                .prepare_cached(
                    "UPDATE refresh_tokens SET
                    previous_hash = CASE WHEN token_hash = ?1 THEN ?1 ELSE previous_hash END,
                    previous_valid_until =
                        CASE WHEN token_hash = ?1 THEN ?5 ELSE previous_valid_until END,
                    token_hash = ?2,
                    expires_at = ?3
                 WHERE revoked = 0
                   AND (token_hash = ?1 OR (previous_hash = ?1 AND previous_valid_until > ?4))",
                )?
                .execute(params![old, new, expires_at, now, grace_until])?
                == 1)
        })
        .await
    }

    async fn revoke_refresh_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<RefreshToken>, StoreError> {
        let hash = token_hash.to_owned();
        self.write(move |conn| {
            Ok(conn
                .query_row(
                    &format!(
                        "UPDATE refresh_tokens SET revoked = 1
                         WHERE token_hash = ?1 OR previous_hash = ?1
                         RETURNING {FAMILY_COLUMNS}, NULL"
                    ),
                    params![hash],
                    family,
                )
                .optional()?)
        })
        .await
    }

    async fn list_token_families(
        &self,
        pool_id: &str,
        sub: &str,
        now: f64,
    ) -> Result<Vec<(RefreshToken, f64)>, StoreError> {
        let (pool_id, sub) = (pool_id.to_owned(), sub.to_owned());
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {FAMILY_COLUMNS}, NULL, COALESCE(last_used, auth_time) FROM refresh_tokens
                 WHERE pool_id = ?1 AND sub = ?2 AND revoked = 0 AND expires_at > ?3
                 ORDER BY auth_time, origin_jti"
            ))?;
            let rows = statement
                .query_map(params![pool_id, sub, now], |r| Ok((family(r)?, r.get(10)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }

    async fn touch_token_family(
        &self,
        pool_id: &str,
        origin_jti: &str,
        now: f64,
    ) -> Result<(), StoreError> {
        let (pool_id, jti) = (pool_id.to_owned(), origin_jti.to_owned());
        self.write(move |conn| {
            conn.prepare_cached(
                "UPDATE refresh_tokens SET last_used = ?3 WHERE pool_id = ?1 AND origin_jti = ?2",
            )?
            .execute(params![pool_id, jti, now])?;
            Ok(())
        })
        .await
    }

    async fn revoke_token_family(
        &self,
        pool_id: &str,
        origin_jti: &str,
    ) -> Result<bool, StoreError> {
        let (pool_id, jti) = (pool_id.to_owned(), origin_jti.to_owned());
        self.write(move |conn| {
            Ok(conn
                .prepare_cached(
                    "UPDATE refresh_tokens SET revoked = 1
                 WHERE pool_id = ?1 AND origin_jti = ?2 AND revoked = 0",
                )?
                .execute(params![pool_id, jti])?
                == 1)
        })
        .await
    }

    async fn revoke_user_refresh_tokens(
        &self,
        pool_id: &str,
        sub: &str,
    ) -> Result<u64, StoreError> {
        let (pool_id, sub) = (pool_id.to_owned(), sub.to_owned());
        self.write(move |conn| {
            Ok(conn
                .prepare_cached(
                    "UPDATE refresh_tokens SET revoked = 1
                 WHERE pool_id = ?1 AND sub = ?2 AND revoked = 0",
                )?
                .execute(params![pool_id, sub])? as u64)
        })
        .await
    }

    async fn token_authorization(
        &self,
        pool_id: &str,
        sub: &str,
        origin_jti: &str,
        client_id: &str,
    ) -> Result<TokenAuthorization, StoreError> {
        let args = [pool_id, sub, origin_jti, client_id].map(str::to_owned);
        self.lookup(move |conn| {
            let (pool_exists, doc, version, revoked, client_doc) = conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM user_pools WHERE id = ?1), u.doc, u.version,
                       (SELECT revoked FROM refresh_tokens
                        WHERE pool_id = ?1 AND origin_jti = ?3),
                       (SELECT doc FROM resources
                        WHERE kind = 'client' AND pool_id = ?1 AND key = ?4)
                     FROM (SELECT 1) LEFT JOIN users u ON u.pool_id = ?1 AND u.sub = ?2",
                )?
                .query_row(params![args[0], args[1], args[2], args[3]], |r| {
                    Ok((
                        r.get::<_, bool>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<i64>>(2)?,
                        r.get::<_, Option<bool>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ))
                })?;
            let user = match (doc, version) {
                (Some(doc), Some(version)) => Some(user_from_doc(&doc, version)?),
                _ => None,
            };
            Ok(TokenAuthorization {
                pool_exists,
                user,
                family_revoked: revoked,
                client_doc,
            })
        })
        .await
    }

    async fn create_auth_session(&self, session: &AuthSession) -> Result<(), StoreError> {
        let s = session.clone();
        self.write(move |conn| {
            conn.prepare_cached(
                "DELETE FROM auth_sessions WHERE rowid IN (SELECT rowid FROM auth_sessions
                 WHERE expires_at < ?1 ORDER BY expires_at LIMIT 16)",
            )?
            .execute(params![s.expires_at - 86_400.0])?;
            conn.prepare_cached("INSERT INTO auth_sessions (session_hash, pool_id, doc, expires_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (session_hash) DO UPDATE SET pool_id = excluded.pool_id,
                 doc = excluded.doc, expires_at = excluded.expires_at WHERE auth_sessions.doc = ''")?.execute(
                params![s.session_hash, s.pool_id, s.doc, s.expires_at],
            )?;
            Ok(())
        })
        .await
    }

    async fn take_auth_session(
        &self,
        session_hash: &str,
    ) -> Result<Option<AuthSession>, StoreError> {
        let session_hash = session_hash.to_owned();
        self.write(move |conn| {
            let session = conn
                .prepare_cached(
                    "SELECT session_hash, pool_id, doc, expires_at FROM auth_sessions
                     WHERE session_hash = ?1",
                )?
                .query_row(params![session_hash], |r| {
                    Ok(AuthSession {
                        session_hash: r.get(0)?,
                        pool_id: r.get(1)?,
                        doc: r.get(2)?,
                        expires_at: r.get(3)?,
                    })
                })
                .optional()?;
            if session.as_ref().is_some_and(|s| !s.doc.is_empty()) {
                conn.prepare_cached("UPDATE auth_sessions SET doc = '' WHERE session_hash = ?1")?
                    .execute(params![session_hash])?;
            }
            Ok(session)
        })
        .await
    }
}
