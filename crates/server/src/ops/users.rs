//! Users: what every user operation shares (lookup by username, alias or sub; optimistic
//! writes; passwords; the wire shapes), and AdminGetUser, AdminDeleteUser,
//! AdminEnableUser, AdminDisableUser and ListUsers.

use super::tokens::sign_out_everywhere;
use super::user_pools::get_pool;
use super::{decode_token, encode_token};
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode, Sensitive};
use ironpool_core::{attributes, ids, password, srp};
use ironpool_store::users::username_key;
use ironpool_store::{FilterOp, PasswordRecord, User, UserConflict, UserFilter};

pub(crate) fn user_not_found() -> ApiError {
    ApiError::new(ErrorCode::UserNotFoundException, "User does not exist.")
}

pub(crate) fn user_disabled() -> ApiError {
    ApiError::not_authorized("User is disabled.")
}

pub(crate) fn alias_exists(attribute: &str) -> ApiError {
    ApiError::new(
        ErrorCode::AliasExistsException,
        format!("An account with the given {attribute} already exists."),
    )
}

/// The user an admin or self-service call names: Cognito accepts the username, any alias
/// the user signs in with, or the sub.
pub(crate) async fn find_user(
    app: &App,
    pool: &UserPoolType,
    name: &str,
) -> Result<Option<User>, ApiError> {
    let id = pool.id.as_deref().unwrap_or_default();
    if let Some(u) = app.store.get_user(id, name).await.or_internal()? {
        return Ok(Some(u));
    }
    // Only what the name can be is looked up, so a name that means nobody costs no more
    // reads than one that means a user.
    let attr = if attributes::is_email(name) {
        "email"
    } else if attributes::is_phone(name) {
        "phone_number"
    } else {
        "preferred_username"
    };
    if super::auth::sign_in_attributes(pool).contains(&attr) {
        if let Some(u) = app
            .store
            .find_user_by_alias(id, attr, name)
            .await
            .or_internal()?
        {
            return Ok(Some(u));
        }
    }
    if !ids::is_uuid(name) {
        return Ok(None);
    }
    app.store.get_user_by_sub(id, name).await.or_internal()
}

pub(crate) async fn load_user(
    app: &App,
    pool: &UserPoolType,
    name: &str,
) -> Result<User, ApiError> {
    find_user(app, pool, name).await?.ok_or_else(user_not_found)
}

/// Writes `user` (read at its version); `Ok(false)` if it changed meanwhile.
pub(crate) async fn save(app: &App, user: &User) -> Result<bool, ApiError> {
    match app.store.update_user(user).await.or_internal()? {
        Ok(done) => Ok(done),
        Err(UserConflict::AliasExists(a)) => Err(alias_exists(&a)),
        Err(UserConflict::UsernameExists) => Err(ApiError::new(
            ErrorCode::UsernameExistsException,
            "User account already exists",
        )),
        // An update of a user whose pool is gone finds nothing to update.
        Err(UserConflict::PoolGone) => Ok(false),
    }
}

/// Reads the user named `name`, applies `change` and writes it, retrying when another write
/// came in between. Returns the user as written and what `change` returned.
pub(crate) async fn modify_user<T>(
    app: &App,
    pool: &UserPoolType,
    name: &str,
    mut change: impl FnMut(&mut User) -> Result<T, ApiError>,
) -> Result<(User, T), ApiError> {
    let mut user = load_user(app, pool, name).await?;
    for _ in 0..8 {
        let out = change(&mut user)?;
        user.modified = app.now();
        if save(app, &user).await? {
            user.version += 1;
            return Ok((user, out));
        }
        user = app
            .store
            .get_user(&user.pool_id, &user.username)
            .await
            .or_internal()?
            .ok_or_else(user_not_found)?;
    }
    Err(ApiError::new(
        ErrorCode::TooManyRequestsException,
        "Too many requests",
    ))
}

/// The attributes as Cognito lists them: `sub` first, then the others by name; only the
/// named ones when `only` is given.
pub(crate) fn attribute_list(user: &User, only: Option<&[String]>) -> Vec<AttributeType> {
    let wanted = |n: &str| only.is_none_or(|o| o.iter().any(|x| x == n));
    let mut out = Vec::new();
    if wanted("sub") {
        out.push(AttributeType {
            name: "sub".into(),
            value: Some(Sensitive::new(user.sub.clone())),
        });
    }
    for (k, v) in &user.attributes {
        if wanted(k) {
            out.push(AttributeType {
                name: k.clone(),
                value: Some(Sensitive::new(v.clone())),
            });
        }
    }
    out
}

pub(crate) fn user_type(user: &User, only: Option<&[String]>) -> UserType {
    UserType {
        username: Some(Sensitive::new(user.username.clone())),
        attributes: Some(attribute_list(user, only)),
        user_create_date: Some(user.created),
        user_last_modified_date: Some(user.modified),
        enabled: Some(user.enabled),
        user_status: Some(user.status),
        ..Default::default()
    }
}

/// The pool's password policy with Cognito's defaults.
pub(crate) fn policy(pool: &UserPoolType) -> (password::Policy, usize) {
    let p = pool
        .policies
        .as_ref()
        .and_then(|p| p.password_policy.clone())
        .unwrap_or_default();
    let d = password::Policy::default();
    (
        password::Policy {
            minimum_length: p
                .minimum_length
                .map_or(d.minimum_length, |n| n.max(0) as usize),
            require_uppercase: p.require_uppercase.unwrap_or(d.require_uppercase),
            require_lowercase: p.require_lowercase.unwrap_or(d.require_lowercase),
            require_numbers: p.require_numbers.unwrap_or(d.require_numbers),
            require_symbols: p.require_symbols.unwrap_or(d.require_symbols),
        },
        p.password_history_size.unwrap_or(0).max(0) as usize,
    )
}

pub(crate) fn invalid_password(message: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidPasswordException, message)
}

/// Checks `pw` against the pool's policy.
pub(crate) fn check_policy(pool: &UserPoolType, pw: &str) -> Result<(), ApiError> {
    password::check(&policy(pool).0, pw).map_err(invalid_password)
}

fn verifier_context(pool_id: &str, srp_user_id: &str) -> String {
    format!("verifier:{pool_id}:{srp_user_id}")
}

/// The user's password as kept (its verifier sealed with the master key) and whether it is
/// temporary, for `ironpool export --sealed-passwords`; none where the verifier was made for
/// another name than the username (it could not follow the user to a new pool).
pub(crate) fn sealed_password(user: &User) -> Option<(&str, bool)> {
    let record = user.password.as_ref()?;
    (record.srp_user_id == user.username).then_some((&record.sealed_verifier, record.temporary))
}

/// Whether `sealed` opens with this server's master key as the verifier of `username` in
/// `pool_id`.
pub(crate) fn sealed_password_opens(
    app: &App,
    pool_id: &str,
    username: &str,
    sealed: &str,
) -> bool {
    app.master_key
        .open(&verifier_context(pool_id, username), sealed)
        .is_ok()
}

/// Gives the user `sealed` as its password (a seed's `SealedPassword`): CONFIRMED, or
/// FORCE_CHANGE_PASSWORD when `temporary`.
pub(crate) async fn restore_sealed_password(
    app: &App,
    pool_id: &str,
    username: &str,
    sealed: &str,
    temporary: bool,
) -> Result<(), ApiError> {
    let pool = get_pool(app, pool_id).await?;
    let now = app.now();
    modify_user(app, &pool, username, |user| {
        user.password = Some(PasswordRecord {
            srp_user_id: user.username.clone(),
            sealed_verifier: sealed.to_owned(),
            temporary,
            set_at: now,
        });
        user.status = match temporary {
            true => UserStatusType::ForceChangePassword,
            false => UserStatusType::Confirmed,
        };
        Ok(())
    })
    .await
    .map(|_| ())
}

/// The user's SRP verifier, opened with the master key (what sign-in checks against).
pub(crate) fn open_verifier(app: &App, user: &User) -> Option<(String, srp::Verifier)> {
    let record = user.password.as_ref()?;
    let json = app
        .master_key
        .open(
            &verifier_context(&user.pool_id, &record.srp_user_id),
            &record.sealed_verifier,
        )
        .ok()?;
    let verifier = serde_json::from_slice(&json).ok()?;
    Some((record.srp_user_id.clone(), verifier))
}

/// Whether `pw` is the password of the sealed verifier.
fn sealed_matches(app: &App, pool_id: &str, srp_user_id: &str, sealed: &str, pw: &str) -> bool {
    app.master_key
        .open(&verifier_context(pool_id, srp_user_id), sealed)
        .ok()
        .and_then(|json| serde_json::from_slice::<srp::Verifier>(&json).ok())
        .is_some_and(|v| v.matches(srp::pool_name(pool_id), srp_user_id, pw))
}

/// Whether `pw` is the current password of user `name` of pool `pool_id` (false when there is
/// no such user or it has no password).
pub(crate) async fn password_matches(
    app: &App,
    pool_id: &str,
    name: &str,
    pw: &str,
) -> Result<bool, ApiError> {
    let pool = super::user_pools::get_pool(app, pool_id).await?;
    let Some(user) = find_user(app, &pool, name).await? else {
        return Ok(false);
    };
    Ok(
        open_verifier(app, &user)
            .is_some_and(|(id, v)| v.matches(srp::pool_name(pool_id), &id, pw)),
    )
}

/// Sets the user's password: policy (InvalidPasswordException), then for permanent passwords
/// the pool's PasswordHistorySize, then the SRP verifier sealed with the master key. The
/// status is the caller's business.
pub(crate) fn set_password(
    app: &App,
    pool: &UserPoolType,
    user: &mut User,
    pw: &str,
    temporary: bool,
) -> Result<(), ApiError> {
    let (policy, history) = policy(pool);
    password::check(&policy, pw).map_err(invalid_password)?;
    // USER_ID_FOR_SRP is the username (in email/phone-as-username pools that is a UUID,
    // the sub).
    let srp_user_id = user.username.clone();
    let pool_id = user.pool_id.clone();
    if !temporary && history > 0 {
        let previous = user
            .password
            .iter()
            .filter(|p| !p.temporary)
            .map(|p| (p.srp_user_id.clone(), p.sealed_verifier.clone()))
            .chain(
                user.password_history
                    .iter()
                    .map(|s| (srp_user_id.clone(), s.clone())),
            )
            .take(history);
        for (id, sealed) in previous {
            if sealed_matches(app, &pool_id, &id, &sealed, pw) {
                return Err(invalid_password(
                    "Password did not conform with policy: Password has previously been used"
                        .into(),
                ));
            }
        }
    }
    keep_password(app, user, pw, temporary, history)
}

/// Stores `pw` as the user's password (its sealed SRP verifier), the one it replaces moving
/// into the history (`history` long); no policy check (see [`set_password`]).
pub(crate) fn keep_password(
    app: &App,
    user: &mut User,
    pw: &str,
    temporary: bool,
    history: usize,
) -> Result<(), ApiError> {
    let srp_user_id = user.username.clone();
    let pool_id = user.pool_id.clone();
    let verifier = srp::Verifier::new(app.rng.as_ref(), srp::pool_name(&pool_id), &srp_user_id, pw);
    keep_verifier(app, user, verifier, temporary, history)
}

/// A new user's temporary password that nobody will ever know (generated, and not sent
/// because the invitation is suppressed): kept as [`srp::Verifier::unknowable`], which no
/// password matches, instead of the verifier of a password thrown away.
pub(crate) fn keep_unknowable_password(app: &App, user: &mut User) -> Result<(), ApiError> {
    keep_verifier(
        app,
        user,
        srp::Verifier::unknowable(app.rng.as_ref()),
        true,
        0,
    )
}

fn keep_verifier(
    app: &App,
    user: &mut User,
    verifier: srp::Verifier,
    temporary: bool,
    history: usize,
) -> Result<(), ApiError> {
    let srp_user_id = user.username.clone();
    let pool_id = user.pool_id.clone();
    let json = serde_json::to_string(&verifier).or_internal()?;
    let sealed = app.master_key.seal(
        app.rng.as_ref(),
        &verifier_context(&pool_id, &srp_user_id),
        json.as_bytes(),
    );
    if let Some(old) = user.password.take() {
        if !old.temporary {
            user.password_history.insert(0, old.sealed_verifier);
        }
    }
    user.password_history.truncate(history);
    user.password = Some(PasswordRecord {
        srp_user_id,
        sealed_verifier: sealed,
        temporary,
        set_at: app.now(),
    });
    user.failed_attempts = 0;
    user.locked_until = None;
    Ok(())
}

/// Returns the user with every attribute and its MFA settings.
pub async fn admin_get_user(
    app: &App,
    input: AdminGetUserRequest,
) -> Result<AdminGetUserResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let user = load_user(app, &pool, input.username.expose()).await?;
    let mfa = super::user_mfa::mfa_fields(&user);
    Ok(AdminGetUserResponse {
        username: Sensitive::new(user.username.clone()),
        user_attributes: Some(attribute_list(&user, None)),
        user_create_date: Some(user.created),
        user_last_modified_date: Some(user.modified),
        enabled: Some(user.enabled),
        user_status: Some(user.status),
        mfa_options: mfa.mfa_options,
        preferred_mfa_setting: mfa.preferred,
        user_mfa_setting_list: mfa.list,
    })
}

/// Deletes the user with its group memberships and codes; the name may be an alias or sub.
pub async fn admin_delete_user(
    app: &App,
    input: AdminDeleteUserRequest,
) -> Result<Empty, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let user = load_user(app, &pool, input.username.expose()).await?;
    if !app
        .store
        .delete_user(&user.pool_id, &user.username)
        .await
        .or_internal()?
    {
        return Err(user_not_found());
    }
    Ok(Empty {})
}

/// Enabling an enabled user is fine; the user's status does not change.
pub async fn admin_enable_user(
    app: &App,
    input: AdminEnableUserRequest,
) -> Result<AdminEnableUserResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    modify_user(app, &pool, input.username.expose(), |u| {
        u.enabled = true;
        Ok(())
    })
    .await?;
    Ok(AdminEnableUserResponse {})
}

/// Disabling also revokes every token issued so far (as GlobalSignOut does).
pub async fn admin_disable_user(
    app: &App,
    input: AdminDisableUserRequest,
) -> Result<AdminDisableUserResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let now = app.now();
    let (user, ()) = modify_user(app, &pool, input.username.expose(), |u| {
        u.enabled = false;
        u.tokens_valid_after = Some(now);
        Ok(())
    })
    .await?;
    // Every sign-in's refresh token family goes, and with it each access and ID token issued
    // in it, those of the current second too (`tokens_valid_after` only counts whole seconds).
    sign_out_everywhere(app, &user).await?;
    Ok(AdminDisableUserResponse {})
}

/// The attributes ListUsers can filter on.
const FILTERABLE: &[&str] = &[
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

fn bad_filter() -> ApiError {
    ApiError::invalid_parameter("Error while parsing filter.")
}

/// `attribute = "value"` or `attribute ^= "value"` (blanks around the operator allowed,
/// `\"` and `\\` escaped in the value); the empty filter is no filter.
pub(crate) fn parse_filter(text: &str) -> Result<Option<UserFilter>, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let name_end = text
        .find(|c: char| c.is_whitespace() || c == '=' || c == '^')
        .ok_or_else(bad_filter)?;
    let (attribute, rest) = text.split_at(name_end);
    let rest = rest.trim_start();
    let (op, rest) = if let Some(r) = rest.strip_prefix("^=") {
        (FilterOp::StartsWith, r)
    } else if let Some(r) = rest.strip_prefix('=') {
        (FilterOp::Equals, r)
    } else {
        return Err(bad_filter());
    };
    let quoted = rest.trim_start().strip_prefix('"').ok_or_else(bad_filter)?;
    let mut value = String::new();
    let mut chars = quoted.chars();
    let mut closed = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.push(chars.next().ok_or_else(bad_filter)?),
            '"' => {
                closed = true;
                break;
            }
            c => value.push(c),
        }
    }
    if !closed || !chars.as_str().trim().is_empty() || attribute.is_empty() {
        return Err(bad_filter());
    }
    if !FILTERABLE.contains(&attribute) {
        return Err(bad_filter());
    }
    Ok(Some(UserFilter {
        attribute: attribute.to_owned(),
        op,
        value,
    }))
}

/// Up to 60 users in username order; PaginationToken continues after the last one;
/// AttributesToGet limits the attributes (sub included only when named).
pub async fn list_users(app: &App, input: ListUsersRequest) -> Result<ListUsersResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let filter = match input.filter.as_deref() {
        Some(f) => parse_filter(f)?,
        None => None,
    };
    if let Some(names) = &input.attributes_to_get {
        let schema = pool.schema_attributes.as_deref().unwrap_or_default();
        for n in names {
            if !schema.iter().any(|s| s.name.as_deref() == Some(n.as_str())) {
                return Err(ApiError::invalid_parameter(
                    "One or more requested attributes do not exist.",
                ));
            }
        }
    }
    let limit = input.limit.unwrap_or(60).clamp(1, 60) as usize;
    let after = input
        .pagination_token
        .as_deref()
        .map(decode_token)
        .transpose()?;
    let mut users = app
        .store
        .list_users(
            &input.user_pool_id,
            filter.as_ref(),
            after.as_deref(),
            limit + 1,
        )
        .await
        .or_internal()?;
    let more = users.len() > limit;
    users.truncate(limit);
    let token = match (more, users.last()) {
        (true, Some(last)) => Some(encode_token(&username_key(&pool, &last.username))),
        _ => None,
    };
    let only = input.attributes_to_get.as_deref();
    Ok(ListUsersResponse {
        users: Some(users.iter().map(|u| user_type(u, only)).collect()),
        pagination_token: token,
    })
}
