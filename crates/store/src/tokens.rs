//! What sign-in keeps: each pool's token signing keys, refresh tokens (only their hashes) and
//! the short-lived sessions between a challenge and its answer.

use crate::{StoreError, User};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A pool's two RSA keys (ID tokens and access tokens are signed by different keys), each
/// private key as PKCS#8 DER sealed with the master key.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningKeys {
    pub id_kid: String,
    pub id_sealed_key: String,
    pub access_kid: String,
    pub access_sealed_key: String,
    pub created: f64,
}

impl fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeys")
            .field("id_kid", &self.id_kid)
            .field("access_kid", &self.access_kid)
            .finish_non_exhaustive()
    }
}

/// One sign-in's refresh token family: every token issued from one authentication shares its
/// `origin_jti`; rotation replaces the current token's hash, revocation ends the family.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefreshToken {
    pub pool_id: String,
    pub origin_jti: String,
    pub client_id: String,
    pub username: String,
    pub sub: String,
    /// When the user authenticated (the tokens' `auth_time`).
    pub auth_time: f64,
    pub expires_at: f64,
    pub revoked: bool,
    /// The OAuth scopes (space-separated) of a sign-in through the authorization server, which
    /// its refreshed access tokens keep; None for the API's sign-ins.
    #[serde(default)]
    pub scopes: Option<String>,
    /// Set when the token presented is the family's previous one (rotated out): it works
    /// until then (the client's RetryGracePeriodSeconds).
    #[serde(default)]
    pub superseded_until: Option<f64>,
}

/// A pending challenge (SRP PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED): `doc` is opaque to
/// the store (the handler seals it), taken once.
#[derive(Clone, PartialEq)]
pub struct AuthSession {
    /// The digest of the Session string (never the string itself), unique.
    pub session_hash: String,
    pub pool_id: String,
    pub doc: String,
    pub expires_at: f64,
}

impl fmt::Debug for AuthSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthSession")
            .field("pool_id", &self.pool_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What checking an access token needs from the store, read in one round trip: each part is
/// read afresh (nothing that can be revoked or deleted is cached), so a deleted pool, user or
/// client and a revoked sign-in take effect at once on every server.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenAuthorization {
    pub pool_exists: bool,
    /// The user with the token's `sub`.
    pub user: Option<User>,
    /// Whether the sign-in's refresh token family (its `origin_jti`) is revoked; None when
    /// there is no such family.
    pub family_revoked: Option<bool>,
    /// The document of the token's app client (a `Kind::Client` resource), if it still exists.
    pub client_doc: Option<String>,
}

#[async_trait]
pub trait Tokens: Send + Sync {
    async fn get_signing_keys(&self, pool_id: &str) -> Result<Option<SigningKeys>, StoreError>;

    /// The pool's keys; stores `candidate` only if the pool has none yet, so two servers that
    /// race both end up with the same keys (the ones returned).
    async fn get_or_create_signing_keys(
        &self,
        pool_id: &str,
        candidate: &SigningKeys,
    ) -> Result<SigningKeys, StoreError>;

    /// Starts a refresh token family whose current token has hash `token_hash`.
    async fn create_refresh_token(
        &self,
        token: &RefreshToken,
        token_hash: &str,
    ) -> Result<(), StoreError>;

    /// The family whose current token (or previous token, see `superseded_until`) has this
    /// hash; revoked or expired ones too.
    async fn get_refresh_token(&self, token_hash: &str)
        -> Result<Option<RefreshToken>, StoreError>;

    /// The family of an `origin_jti` (to tell whether an access or ID token is revoked).
    async fn get_token_family(
        &self,
        pool_id: &str,
        origin_jti: &str,
    ) -> Result<Option<RefreshToken>, StoreError>;

    /// Replaces the current token of the live family of `old_hash` by `new_hash`. `old_hash`
    /// may be the current token (it then stays usable until `grace_until`) or, before its
    /// grace ends (`now`), the previous one (a retry). False otherwise.
    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new_hash: &str,
        expires_at: f64,
        now: f64,
        grace_until: f64,
    ) -> Result<bool, StoreError>;

    /// Revokes the family of the token with this hash; the family, or None if unknown.
    async fn revoke_refresh_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<RefreshToken>, StoreError>;

    /// The user's live families (neither revoked nor expired at `now`), oldest sign-in first,
    /// each with when it was last used: its latest refresh, or else its sign-in.
    async fn list_token_families(
        &self,
        pool_id: &str,
        sub: &str,
        now: f64,
    ) -> Result<Vec<(RefreshToken, f64)>, StoreError>;

    /// Records a use of the family of `origin_jti` (a refresh) at `now`.
    async fn touch_token_family(
        &self,
        pool_id: &str,
        origin_jti: &str,
        now: f64,
    ) -> Result<(), StoreError>;

    /// Revokes the family of `origin_jti`, as revoking its refresh token does; whether it was
    /// live.
    async fn revoke_token_family(
        &self,
        pool_id: &str,
        origin_jti: &str,
    ) -> Result<bool, StoreError>;

    /// Revokes every family of the user (GlobalSignOut); how many were live.
    async fn revoke_user_refresh_tokens(&self, pool_id: &str, sub: &str)
        -> Result<u64, StoreError>;

    /// The pool, user, refresh token family and client an access token names, together.
    async fn token_authorization(
        &self,
        pool_id: &str,
        sub: &str,
        origin_jti: &str,
        client_id: &str,
    ) -> Result<TokenAuthorization, StoreError>;

    /// Stores a new session; one with the digest of a used session takes its place (a step that
    /// may be answered again puts its session back).
    async fn create_auth_session(&self, session: &AuthSession) -> Result<(), StoreError>;

    /// Returns the session with this digest and marks it used (its `doc` emptied): a session
    /// answers once, and a used one is returned with an empty `doc` until it expires, so the
    /// caller tells "used" and "expired" (returned too) from "unknown" (None).
    async fn take_auth_session(
        &self,
        session_hash: &str,
    ) -> Result<Option<AuthSession>, StoreError>;
}
