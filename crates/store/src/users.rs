//! The users of a pool, their group memberships and their one-time codes.
//!
//! The pool's own settings decide two uniqueness rules, and the store applies them inside the
//! write, never as a read-then-write in a handler:
//! - usernames are unique per pool, case-insensitively when the pool's
//!   `UsernameConfiguration.CaseSensitive` is false (the key is the lowercased name; the
//!   username is kept as created);
//! - an email or phone number that is a user's sign-in name (UsernameAttributes) or a verified
//!   alias (AliasAttributes), and a preferred_username alias, belong to one user only.

use crate::StoreError;
use async_trait::async_trait;
use ironpool_api::types::{
    AliasAttributeType, UserPoolType, UserStatusType, UsernameAttributeType,
    UsernameConfigurationType,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};

/// A user as the store keeps it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub pool_id: String,
    /// As created (case kept even in case-insensitive pools).
    pub username: String,
    /// UUID v4, unique in the pool, never changes.
    pub sub: String,
    /// Every attribute except `sub`, including `email_verified` etc. as "true"/"false".
    pub attributes: BTreeMap<String, String>,
    pub status: UserStatusType,
    pub enabled: bool,
    pub created: f64,
    pub modified: f64,
    pub password: Option<PasswordRecord>,
    /// Earlier sealed verifiers, newest first (for PasswordHistorySize).
    #[serde(default)]
    pub password_history: Vec<String>,
    #[serde(default)]
    pub failed_attempts: u32,
    #[serde(default)]
    pub locked_until: Option<f64>,
    /// Tokens issued before this instant are revoked (GlobalSignOut).
    #[serde(default)]
    pub tokens_valid_after: Option<f64>,
    /// New email / phone_number values waiting for verification in pools whose
    /// UserAttributeUpdateSettings require it: the current value in `attributes` stays (and
    /// stays verified, for sign-in, tokens and messages) until a code sent to the new one
    /// confirms it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending_attributes: BTreeMap<String, String>,
    /// The user's second factors.
    #[serde(default, skip_serializing_if = "UserMfa::is_empty")]
    pub mfa: UserMfa,
    /// The user's passkeys, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub web_authn: Vec<WebAuthnCredential>,
    /// The registration ceremony StartWebAuthnRegistration began, sealed with the master key
    /// (context `webauthn-registration:{pool_id}:{sub}`): single use, replaced by a new start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_web_authn: Option<String>,
    /// Optimistic concurrency: `update_user` succeeds only if the stored version is this one,
    /// and stores `version + 1`. Set by the store; 0 on a user not yet created.
    #[serde(default)]
    pub version: i64,
}

impl User {
    /// A user about to be created at `now`: enabled, with no password or second factor yet.
    pub fn new(
        pool_id: String,
        (username, sub): (String, String),
        attributes: BTreeMap<String, String>,
        status: UserStatusType,
        now: f64,
    ) -> Self {
        Self {
            pool_id,
            username,
            sub,
            attributes,
            status,
            enabled: true,
            created: now,
            modified: now,
            password: None,
            password_history: Vec::new(),
            failed_attempts: 0,
            locked_until: None,
            tokens_valid_after: None,
            pending_attributes: BTreeMap::new(),
            mfa: UserMfa::default(),
            web_authn: Vec::new(),
            pending_web_authn: None,
            version: 0,
        }
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    /// Whether `<name>_verified` is "true".
    pub fn verified(&self, name: &str) -> bool {
        self.attribute(&format!("{name}_verified")) == Some("true")
    }
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("pool_id", &self.pool_id)
            .field("username", &self.username)
            .field("sub", &self.sub)
            .field("status", &self.status)
            .field("enabled", &self.enabled)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// A user's MFA settings: the factors turned on, the preferred one, and the software token
/// (its secret sealed with the master key, context `totp:{pool_id}:{sub}`).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserMfa {
    #[serde(default)]
    pub sms: bool,
    #[serde(default)]
    pub software_token: bool,
    #[serde(default)]
    pub email: bool,
    /// `SMS_MFA`, `SOFTWARE_TOKEN_MFA` or `EMAIL_OTP`.
    #[serde(default)]
    pub preferred: Option<String>,
    /// The verified software token's sealed secret.
    #[serde(default)]
    pub totp_secret: Option<String>,
    #[serde(default)]
    pub totp_name: Option<String>,
    /// The last time step a code was accepted for (each step is accepted once).
    #[serde(default)]
    pub totp_last_step: Option<u64>,
    /// A secret from AssociateSoftwareToken not yet verified.
    #[serde(default)]
    pub pending_totp_secret: Option<String>,
}

impl UserMfa {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A registered passkey.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebAuthnCredential {
    /// The credential ID, base64url without padding (as ListWebAuthnCredentials shows it).
    pub credential_id: String,
    /// The WebAuthn library's record of the credential (public key, signature counter, flags,
    /// attestation), as its own JSON: public data, no secret.
    pub credential: String,
    pub friendly_name: String,
    pub relying_party_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
    #[serde(default)]
    pub transports: Vec<String>,
    pub created_at: f64,
}

/// A password as kept: the SRP verifier sealed with the master key
/// (context `verifier:{pool_id}:{srp_user_id}`), never the password.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordRecord {
    /// The USER_ID_FOR_SRP the verifier was made for: the username, or the `sub` in pools
    /// whose UsernameAttributes make email/phone the sign-in name.
    pub srp_user_id: String,
    pub sealed_verifier: String,
    /// Set by an administrator as temporary (FORCE_CHANGE_PASSWORD).
    pub temporary: bool,
    pub set_at: f64,
}

impl fmt::Debug for PasswordRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordRecord")
            .field("srp_user_id", &self.srp_user_id)
            .field("temporary", &self.temporary)
            .field("set_at", &self.set_at)
            .finish_non_exhaustive()
    }
}

/// Why a user write was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserConflict {
    /// The username (under the pool's case rule) or the sub is taken.
    UsernameExists,
    /// The named attribute's value is another user's sign-in name or alias.
    AliasExists(String),
    /// The pool was deleted (by another request, perhaps on another server) before the user
    /// could be written.
    PoolGone,
}

/// `=` or `^=` in a ListUsers filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterOp {
    Equals,
    StartsWith,
}

/// One ListUsers filter: `attribute` is `username`, `sub`, `cognito:user_status` (a
/// UserStatusType name), `status` (`Enabled`/`Disabled`) or an attribute name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserFilter {
    pub attribute: String,
    pub op: FilterOp,
    pub value: String,
}

/// What a one-time code is for; one live code per user and purpose.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CodePurpose {
    SignUp,
    ForgotPassword,
    /// Verification of an attribute (`email`, `phone_number`).
    VerifyAttribute(String),
}

impl CodePurpose {
    pub fn as_key(&self) -> String {
        match self {
            CodePurpose::SignUp => "sign_up".into(),
            CodePurpose::ForgotPassword => "forgot_password".into(),
            CodePurpose::VerifyAttribute(a) => format!("verify:{a}"),
        }
    }
}

/// The result of presenting a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeOutcome {
    /// It matched and is now used up.
    Accepted,
    /// Wrong code; the live code stays. `failures` counts wrong tries of this code so far.
    Mismatch { failures: u32 },
    /// The code was right or wrong but had expired; it is deleted.
    Expired,
    /// No code of that purpose is live for the user (never sent, used, or replaced).
    Missing,
    /// [`MAX_CODE_FAILURES`] wrong tries already: the code is not even compared (it stays,
    /// until a new one replaces it).
    TooManyFailures,
}

/// Wrong tries a code survives; then only a new code helps.
pub const MAX_CODE_FAILURES: u32 = 5;

#[async_trait]
pub trait Users: Send + Sync {
    /// Inserts a new user (its `version` is stored as 0). With `force_alias`, an alias value
    /// held by another user moves to this one (that user's `<attr>_verified` becomes
    /// "false"); without it that is `AliasExists`. `PoolGone` if the pool does not exist; a
    /// deletion of the pool racing this waits for it, then deletes the user too.
    async fn create_user_if_absent(
        &self,
        user: &User,
        force_alias: bool,
    ) -> Result<Result<(), UserConflict>, StoreError>;

    /// By username under the pool's case rule.
    async fn get_user(&self, pool_id: &str, username: &str) -> Result<Option<User>, StoreError>;

    async fn get_user_by_sub(&self, pool_id: &str, sub: &str) -> Result<Option<User>, StoreError>;

    /// The user whose sign-in name or alias `attribute` (`email`, `phone_number`,
    /// `preferred_username`) is `value`: only values that count under the pool's rules
    /// (verified aliases, username attributes) are found.
    async fn find_user_by_alias(
        &self,
        pool_id: &str,
        attribute: &str,
        value: &str,
    ) -> Result<Option<User>, StoreError>;

    /// Replaces the user if its stored version is `user.version` (storing `version + 1`);
    /// `Ok(Ok(false))` if it changed meanwhile or is gone.
    async fn update_user(&self, user: &User) -> Result<Result<bool, UserConflict>, StoreError>;

    /// Deletes the user, its memberships and codes; false if there was none.
    async fn delete_user(&self, pool_id: &str, username: &str) -> Result<bool, StoreError>;

    /// Up to `limit` users in username-key order after the key `after` (see
    /// [`Users::user_key`]), matching `filter`.
    async fn list_users(
        &self,
        pool_id: &str,
        filter: Option<&UserFilter>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError>;

    async fn count_users(&self, pool_id: &str) -> Result<u64, StoreError>;

    /// The key users are ordered and paged by (the username, lowercased in case-insensitive
    /// pools).
    async fn user_key(&self, pool_id: &str, username: &str) -> Result<String, StoreError>;

    /// Adds the user to the group (both must exist; adding twice is fine); false if either
    /// is missing.
    async fn add_user_to_group(
        &self,
        pool_id: &str,
        username: &str,
        group: &str,
    ) -> Result<bool, StoreError>;

    /// False if the user was not in the group.
    async fn remove_user_from_group(
        &self,
        pool_id: &str,
        username: &str,
        group: &str,
    ) -> Result<bool, StoreError>;

    /// Group names of the user, in name order, after `after`.
    async fn list_groups_for_user(
        &self,
        pool_id: &str,
        username: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<String>, StoreError>;

    /// Members of the group, in username-key order after the key `after`.
    async fn list_users_in_group(
        &self,
        pool_id: &str,
        group: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<User>, StoreError>;

    /// Stores the (hash of the) code for `purpose`, replacing any earlier one; false if the
    /// user does not exist.
    async fn put_code(
        &self,
        pool_id: &str,
        username: &str,
        purpose: &CodePurpose,
        code_hash: &str,
        expires_at: f64,
    ) -> Result<bool, StoreError>;

    /// A durable write standing in for the one a request about an existing user makes, so
    /// that a request naming nobody costs the same: counts up the row `slot` of the pool (one
    /// small row per pool and slot). `locked`: shaped as a checked change (a code's check, a
    /// failure count: the row read locked, then written); otherwise as a new code (one
    /// statement). The pool must exist.
    async fn write_decoy(
        &self,
        pool_id: &str,
        slot: &str,
        now: f64,
        locked: bool,
    ) -> Result<(), StoreError>;

    /// Checks a presented code's hash and, if it matches and is live, deletes it: single use.
    async fn consume_code(
        &self,
        pool_id: &str,
        username: &str,
        purpose: &CodePurpose,
        code_hash: &str,
        now: f64,
    ) -> Result<CodeOutcome, StoreError>;
}

/// What of a pool decides how its users are named and found: whether user names are
/// case-sensitive, and which attributes are sign-in names or aliases. None of it changes after
/// the pool is created. Read from the pool's stored document alone, without the rest of the
/// pool, for each user write and each read by user name.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Naming {
    #[serde(rename = "UsernameConfiguration", default)]
    username_configuration: Option<UsernameConfigurationType>,
    #[serde(rename = "UsernameAttributes", default)]
    username_attributes: Option<Vec<UsernameAttributeType>>,
    #[serde(rename = "AliasAttributes", default)]
    alias_attributes: Option<Vec<AliasAttributeType>>,
}

impl From<&UserPoolType> for Naming {
    fn from(pool: &UserPoolType) -> Self {
        Self {
            username_configuration: pool.username_configuration.clone(),
            username_attributes: pool.username_attributes.clone(),
            alias_attributes: pool.alias_attributes.clone(),
        }
    }
}

impl Naming {
    /// Whether user names are case-sensitive: the API's default is yes.
    pub fn case_sensitive(&self) -> bool {
        self.username_configuration
            .as_ref()
            .is_none_or(|c| c.case_sensitive)
    }

    /// Whether any attribute can be a sign-in name or an alias: if not, no user of the pool
    /// ever holds an alias value ([`alias_keys`] is empty for all of them).
    pub fn has_aliases(&self) -> bool {
        [
            self.username_attributes.as_ref().map(Vec::len),
            self.alias_attributes.as_ref().map(Vec::len),
        ]
        .into_iter()
        .any(|n| n.unwrap_or(0) > 0)
    }

    /// The key a user name is unique under.
    pub fn username_key(&self, username: &str) -> String {
        if self.case_sensitive() {
            username.to_owned()
        } else {
            username.to_lowercase()
        }
    }
}

/// How each pool names its users, as a store last read it, with the pool's version then: a
/// user write or a read by user name need not read and parse the pool's document each time.
///
/// A pool's naming never changes, but a pool can be deleted and created again under its id
/// (a seed names its pools' ids), by this server or another one sharing the store. So an
/// entry goes when this store deletes the pool or is reset, and whenever the pool's version is
/// read (every request reads it before it works in the pool) and is not the entry's: a pool
/// created again starts at a random version, and a change of the pool only costs one more read.
#[derive(Default)]
pub(crate) struct Namings(Mutex<HashMap<String, (Arc<Naming>, i64)>>);

/// More pools than any account holds; past it the map starts again empty.
const MAX_NAMINGS: usize = 10_000;

impl Namings {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Arc<Naming>, i64)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The naming kept for the pool, if any.
    pub(crate) fn get(&self, pool_id: &str) -> Option<Arc<Naming>> {
        self.get_versioned(pool_id).map(|(naming, _)| naming)
    }

    /// The naming kept for the pool, if any, with the pool's version it was read at.
    pub(crate) fn get_versioned(&self, pool_id: &str) -> Option<(Arc<Naming>, i64)> {
        self.map().get(pool_id).cloned()
    }

    /// Keeps `doc`'s naming for the pool, read at `version`.
    pub(crate) fn keep(
        &self,
        pool_id: &str,
        doc: &str,
        version: i64,
    ) -> Result<Arc<Naming>, StoreError> {
        let naming = Arc::new(serde_json::from_str::<Naming>(doc)?);
        let mut map = self.map();
        if map.len() >= MAX_NAMINGS {
            map.clear();
        }
        map.insert(pool_id.to_owned(), (naming.clone(), version));
        Ok(naming)
    }

    /// Forgets the pool `pool_id` (every pool for `None`): it is deleted.
    pub(crate) fn forget(&self, pool_id: Option<&str>) {
        match pool_id {
            Some(id) => {
                self.map().remove(id);
            }
            None => self.map().clear(),
        }
    }

    /// The pool's version as just read (`None`: there is no such pool): an entry kept at
    /// another version goes.
    pub(crate) fn check(&self, pool_id: &str, version: Option<i64>) {
        let mut map = self.map();
        if map.get(pool_id).is_some_and(|(_, v)| Some(*v) != version) {
            map.remove(pool_id);
        }
    }
}

/// The key a username is unique under in `pool`.
pub fn username_key(pool: &UserPoolType, username: &str) -> String {
    Naming::from(pool).username_key(username)
}

/// The key an alias value is unique under (emails and preferred usernames compare
/// case-insensitively).
pub fn alias_value_key(attribute: &str, value: &str) -> String {
    if attribute == "phone_number" {
        value.to_owned()
    } else {
        value.to_lowercase()
    }
}

/// The (attribute, value key) pairs that must be unique to `user` in `pool`: the sign-in
/// attributes of UsernameAttributes pools, verified email/phone aliases and a preferred
/// username alias.
pub fn alias_keys(pool: &Naming, user: &User) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let username_attrs = pool.username_attributes.as_deref().unwrap_or_default();
    let alias_attrs = pool.alias_attributes.as_deref().unwrap_or_default();
    for (name, as_username, as_alias) in [
        (
            "email",
            username_attrs.contains(&UsernameAttributeType::Email),
            alias_attrs.contains(&AliasAttributeType::Email),
        ),
        (
            "phone_number",
            username_attrs.contains(&UsernameAttributeType::PhoneNumber),
            alias_attrs.contains(&AliasAttributeType::PhoneNumber),
        ),
    ] {
        if let Some(v) = user.attribute(name) {
            if as_username || (as_alias && user.verified(name)) {
                out.push((name.to_owned(), alias_value_key(name, v)));
            }
        }
    }
    if alias_attrs.contains(&AliasAttributeType::PreferredUsername) {
        if let Some(v) = user.attribute("preferred_username") {
            out.push((
                "preferred_username".to_owned(),
                alias_value_key("preferred_username", v),
            ));
        }
    }
    out
}

/// The stored name of a user's status (the `status` column both backends filter on).
pub(crate) fn status_name(user: &User) -> Result<String, StoreError> {
    match serde_json::to_value(user.status)? {
        serde_json::Value::String(s) => Ok(s),
        _ => Err(StoreError::Backend("user status is not a string".into())),
    }
}

/// A user from its stored document; the version column is the truth.
pub(crate) fn user_from_doc(doc: &str, version: i64) -> Result<User, StoreError> {
    let mut user: User = serde_json::from_str(doc)?;
    user.version = version;
    Ok(user)
}

/// The smallest string greater than every string that starts with `prefix` (keys compare by
/// code point).
pub(crate) fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// Whether `attribute` is a sign-in name of the pool (UsernameAttributes): such a value never
/// moves to another user, even with ForceAliasCreation.
pub(crate) fn is_username_attribute(pool: &Naming, attribute: &str) -> bool {
    pool.username_attributes
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|a| serde_json::to_value(a).ok() == Some(serde_json::json!(attribute)))
}

/// Compares code hashes without an early exit.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
