//! Sign-in: InitiateAuth and AdminInitiateAuth (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH
//! and its old name ADMIN_NO_SRP_AUTH, USER_SRP_AUTH, REFRESH_TOKEN_AUTH/REFRESH_TOKEN,
//! CUSTOM_AUTH through `custom_auth`, USER_AUTH through `user_auth`), and
//! what every sign-in step shares: the client's flows and secret, finding the user by name or
//! alias, the password check with lockout. Challenges, Sessions and the end of a sign-in are
//! the pipeline's (`sign_in`).

use super::auth_events::{self, Event};
use super::auth_triggers::pre_authentication;
use super::client_documents::{self, client_id_of, StoredClient};
use super::clients::{client_not_found, get_client};
use super::custom_auth::{self, ChallengeResult};
use super::sign_in::{after_password, srp_user_id, start_session, Outcome, Pending, SessionDoc};
use super::tokens;
use super::user_auth;
use super::user_migration::{migrate, Migration};
use super::user_pools::get_pool;
use crate::app::{App, OrInternal};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_core::lockout::Lockout;
use ironpool_core::{secret_hash, srp};
use ironpool_store::User;
use std::collections::BTreeMap;

/// The app client named by a ClientId alone, and its pool.
pub(crate) async fn find_client(
    app: &App,
    client_id: &str,
) -> Result<(String, StoredClient), ApiError> {
    client_documents::find(app, client_id)
        .await?
        .ok_or_else(|| client_not_found(client_id))
}

/// Whether the client's ExplicitAuthFlows allow `flow`. A client created without any allows
/// SRP, custom and refresh auth (AWS's default); legacy-named lists always allow SRP and
/// refresh.
pub(crate) fn check_flow(client: &UserPoolClientType, flow: &str) -> Result<(), ApiError> {
    use ExplicitAuthFlowsType as F;
    let default = [
        F::AllowUserSrpAuth,
        F::AllowCustomAuth,
        F::AllowRefreshTokenAuth,
    ];
    let flows: &[F] = client.explicit_auth_flows.as_deref().unwrap_or(&default);
    let legacy = flows.iter().any(|f| {
        matches!(
            f,
            F::AdminNoSrpAuth | F::CustomAuthFlowOnly | F::UserPasswordAuth
        )
    });
    let allowed = match flow {
        "USER_PASSWORD_AUTH" => flows
            .iter()
            .any(|f| matches!(f, F::AllowUserPasswordAuth | F::UserPasswordAuth)),
        "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => flows
            .iter()
            .any(|f| matches!(f, F::AllowAdminUserPasswordAuth | F::AdminNoSrpAuth)),
        "USER_SRP_AUTH" => legacy || flows.contains(&F::AllowUserSrpAuth),
        "CUSTOM_AUTH" => flows
            .iter()
            .any(|f| matches!(f, F::AllowCustomAuth | F::CustomAuthFlowOnly)),
        "USER_AUTH" => flows.contains(&F::AllowUserAuth),
        "CLIENT_TOKEN_AUTH" => flows.contains(&F::AllowClientTokenAuth),
        "TOKEN_EXCHANGE_IMPERSONATION" => flows.contains(&F::AllowTokenExchangeImpersonation),
        "TOKEN_EXCHANGE_DELEGATION" => flows.contains(&F::AllowTokenExchangeDelegation),
        _ => legacy || flows.contains(&F::AllowRefreshTokenAuth),
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(format!(
            "{flow} flow not enabled for this client"
        )))
    }
}

/// SECRET_HASH, when the client has a secret: missing and wrong are told apart, as Cognito
/// does.
pub(crate) fn check_secret_hash(
    client: &StoredClient,
    client_id: &str,
    username: &str,
    given: Option<&str>,
) -> Result<(), ApiError> {
    if !client.has_secret() {
        return Ok(());
    }
    let Some(given) = given else {
        return Err(ApiError::not_authorized(format!(
            "Client {client_id} is configured with secret but SECRET_HASH was not received"
        )));
    };
    if secret_hash::verify(&client.active_secrets(), username, client_id, given) {
        Ok(())
    } else {
        Err(ApiError::not_authorized(format!(
            "Unable to verify secret hash for client {client_id}"
        )))
    }
}

pub(crate) fn missing(name: &str) -> ApiError {
    ApiError::invalid_parameter(format!("Missing required parameter {name}"))
}

pub(crate) fn incorrect() -> ApiError {
    ApiError::not_authorized("Incorrect username or password.")
}

/// Whether the client's PreventUserExistenceErrors is ENABLED.
pub(crate) fn hides_existence(client: &UserPoolClientType) -> bool {
    client.prevent_user_existence_errors == Some(PreventUserExistenceErrorTypes::Enabled)
}

/// What an unknown user gets: UserNotFoundException, or with PreventUserExistenceErrors the
/// same answer as a wrong password.
pub(crate) fn unknown_user(client: &UserPoolClientType) -> ApiError {
    if hides_existence(client) {
        incorrect()
    } else {
        ApiError::new(ErrorCode::UserNotFoundException, "User does not exist.")
    }
}

/// For a request naming nobody (or a user it must not reveal) when the client hides user
/// existence: the durable write an existing user's request makes, a checked change (`locked`:
/// a failure count, a code's check) or a new code, so both cost the same. The row is picked
/// by a keyed hash of the name, among 4096 per pool; the name itself is not stored.
pub(crate) async fn decoy_write(
    app: &App,
    pool_id: &str,
    name: &str,
    locked: bool,
) -> Result<(), ApiError> {
    let mac = app
        .master_key
        .mac(&format!("decoy:{pool_id}"), name.as_bytes());
    app.store
        .write_decoy(pool_id, &mac[..3], app.now(), locked)
        .await
        .or_internal()
}

/// The attributes other than the username that users of `pool` sign in with: its alias
/// attributes and its username attributes.
pub(crate) fn sign_in_attributes(pool: &UserPoolType) -> Vec<&'static str> {
    use super::admin_users::{has_alias, has_username_attribute};
    [
        (
            "email",
            has_alias(pool, AliasAttributeType::Email)
                || has_username_attribute(pool, UsernameAttributeType::Email),
        ),
        (
            "phone_number",
            has_alias(pool, AliasAttributeType::PhoneNumber)
                || has_username_attribute(pool, UsernameAttributeType::PhoneNumber),
        ),
        (
            "preferred_username",
            has_alias(pool, AliasAttributeType::PreferredUsername),
        ),
    ]
    .into_iter()
    .filter_map(|(attribute, yes)| yes.then_some(attribute))
    .collect()
}

/// The user a sign-in name means: the username, or an email, phone number or preferred
/// username that the pool lets users sign in with (verified aliases only). Only the
/// attributes the pool signs in with are looked up.
pub(crate) async fn find_sign_in_user(
    app: &App,
    pool: &UserPoolType,
    name: &str,
) -> Result<Option<User>, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    if let Some(user) = app.store.get_user(pool_id, name).await.or_internal()? {
        return Ok(Some(user));
    }
    for attribute in sign_in_attributes(pool) {
        if let Some(user) = app
            .store
            .find_user_by_alias(pool_id, attribute, name)
            .await
            .or_internal()?
        {
            return Ok(Some(user));
        }
    }
    Ok(None)
}

/// The user's verifier, opened (the users' store seals it; see `users::set_password`).
pub(crate) fn open_verifier(app: &App, user: &User) -> Option<srp::Verifier> {
    super::users::open_verifier(app, user).map(|(_, v)| v)
}

/// Whether `password` is the user's current one (one modular exponentiation).
pub(crate) fn password_matches(app: &App, user: &User, password: &str) -> Result<bool, ApiError> {
    let (Some(verifier), Some(record)) = (open_verifier(app, user), &user.password) else {
        return Ok(false);
    };
    Ok(verifier.matches(srp::pool_name(&user.pool_id), &record.srp_user_id, password))
}

/// Re-reads and rewrites the user until the versioned write lands.
pub(crate) async fn modify_user(
    app: &App,
    mut user: User,
    mut change: impl FnMut(&mut User),
) -> Result<User, ApiError> {
    for _ in 0..8 {
        change(&mut user);
        user.modified = app.now();
        if super::users::save(app, &user).await? {
            user.version += 1;
            return Ok(user);
        }
        user = app
            .store
            .get_user(&user.pool_id, &user.username)
            .await
            .or_internal()?
            .ok_or_else(|| {
                ApiError::new(ErrorCode::UserNotFoundException, "User does not exist.")
            })?;
    }
    Err(ApiError::internal())
}

fn lockout_of(user: &User) -> Lockout {
    Lockout {
        failed_attempts: user.failed_attempts,
        locked_until: user.locked_until,
    }
}

fn locked() -> ApiError {
    ApiError::not_authorized("Password attempts exceeded")
}

/// Refuses a password attempt while the user is locked out.
pub(crate) fn check_not_locked(app: &App, user: &User) -> Result<(), ApiError> {
    if lockout_of(user).is_locked(app.now()) {
        Err(locked())
    } else {
        Ok(())
    }
}

/// Counts a failed sign-in attempt (a wrong password or MFA code) toward lockout.
pub(crate) async fn count_failure(app: &App, user: User) -> Result<(), ApiError> {
    let now = app.now();
    let mut locks = false;
    modify_user(app, user, |u| {
        let next = lockout_of(u).after_failure(now);
        locks = next.is_locked(now) && !lockout_of(u).is_locked(now);
        u.failed_attempts = next.failed_attempts;
        u.locked_until = next.locked_until;
    })
    .await?;
    if locks {
        crate::metrics::lockout();
    }
    Ok(())
}

/// Counts a wrong password (and answers what Cognito answers for it).
pub(crate) async fn failed_password(app: &App, user: User) -> ApiError {
    let recorded = auth_events::record(app, &user, Event::WrongPassword);
    let (result, ()) = tokio::join!(count_failure(app, user), recorded);
    match result {
        Ok(()) => incorrect(),
        Err(e) => e,
    }
}

/// Clears the failure count after a good password.
pub(crate) async fn good_password(app: &App, user: User) -> Result<User, ApiError> {
    if user.failed_attempts == 0 && user.locked_until.is_none() {
        return Ok(user);
    }
    modify_user(app, user, |u| {
        u.failed_attempts = 0;
        u.locked_until = None;
    })
    .await
}

/// Refusals that come before any password check: an UNCONFIRMED user hears so whatever the
/// password (on SRP, as the challenge starts).
pub(crate) fn check_can_sign_in(user: &User) -> Result<(), ApiError> {
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    if user.status == UserStatusType::Unconfirmed {
        return Err(ApiError::new(
            ErrorCode::UserNotConfirmedException,
            "User is not confirmed.",
        ));
    }
    if user.status == UserStatusType::ResetRequired {
        return Err(ApiError::new(
            ErrorCode::PasswordResetRequiredException,
            "Password reset required for the user",
        ));
    }
    Ok(())
}

/// The pool's required attributes (schema `Required: true`), `sub` aside.
pub(crate) fn required_attributes(pool: &UserPoolType) -> Vec<String> {
    pool.schema_attributes
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter(|a| a.required == Some(true))
        .filter_map(|a| a.name.clone())
        .filter(|n| n != "sub")
        .collect()
}

/// USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH: the password checked against the verifier.
pub(crate) async fn password_auth(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    username: &str,
    password: &str,
    device_key: Option<&str>,
) -> Result<Outcome, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let found = match find_sign_in_user(app, pool, username).await? {
        Some(user) => Some(user),
        None => {
            let why = Migration::Authentication(password);
            migrate(app, pool, client, username, why).await?
        }
    };
    let Some(user) = found else {
        // Same work as a real check (and its failure count), so timing does not tell the
        // cases apart.
        let dummy = simulated_verifier(app, pool_id, username);
        let _ = dummy.matches(srp::pool_name(pool_id), username, password);
        if hides_existence(client) {
            pre_authentication(app, pool, client, username, None).await?;
            let decoy = auth_events::decoy(app, pool_id, username);
            let (written, ()) = tokio::join!(decoy_write(app, pool_id, username, true), decoy);
            written?;
        }
        return Err(unknown_user(client));
    };
    check_can_sign_in(&user)?;
    check_not_locked(app, &user)?;
    pre_authentication(app, pool, client, username, Some(&user)).await?;
    check_password(app, pool, client, user, password, device_key).await
}

/// The password of a user found, allowed to sign in, not locked out and past
/// PreAuthentication; then what follows it.
pub(crate) async fn check_password(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: User,
    password: &str,
    device_key: Option<&str>,
) -> Result<Outcome, ApiError> {
    if !password_matches(app, &user, password)? {
        return Err(failed_password(app, user).await);
    }
    after_password(app, pool, client, user, device_key).await
}

/// A wrong password for a user that does not exist: the same verifier work, the same write
/// (a decoy's) and the same refusal as for one that does.
pub(crate) async fn no_such_password(
    app: &App,
    pool_id: &str,
    username: &str,
    password: &str,
) -> ApiError {
    let dummy = simulated_verifier(app, pool_id, username);
    let _ = dummy.matches(srp::pool_name(pool_id), username, password);
    let decoy = auth_events::decoy(app, pool_id, username);
    let (written, ()) = tokio::join!(decoy_write(app, pool_id, username, true), decoy);
    written.err().unwrap_or_else(incorrect)
}

/// A value derived from the master key, stable for one (pool, name): what a simulated SRP
/// challenge for an unknown user shows, so asking twice gives the same SALT.
pub(crate) fn stable_bytes(app: &App, purpose: &str, pool_id: &str, name: &str) -> Vec<u8> {
    let mac = app
        .master_key
        .mac(&format!("{purpose}:{pool_id}"), name.as_bytes());
    hex::decode(mac).unwrap_or_default()
}

/// The USERNAME and USER_ID_FOR_SRP a simulated challenge shows for an unknown `name`, as a
/// real user's would look: the name under the pool's case rule, or, for an email or phone
/// number in a pool where such a name signs in through an attribute (whose users' usernames
/// are then UUIDs or at least not addresses), a UUID derived from it.
pub(crate) fn simulated_username(app: &App, pool: &UserPoolType, name: &str) -> String {
    use ironpool_core::attributes::{is_email, is_phone};
    let folded = ironpool_store::users::username_key(pool, name);
    let signs_in_with = sign_in_attributes(pool);
    let by_attribute = (is_email(name) && signs_in_with.contains(&"email"))
        || (is_phone(name) && signs_in_with.contains(&"phone_number"));
    if !by_attribute {
        return folded;
    }
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&stable_bytes(app, "srp-user-id", pool_id, &folded)[..16]);
    ironpool_core::ids::uuid_from(bytes)
}

/// The salt and verifier a simulated challenge for `username` (see [`simulated_username`])
/// uses: derived from the master key, stable, and as cheap to get as a real user's.
pub(crate) fn simulated_verifier(app: &App, pool_id: &str, username: &str) -> srp::Verifier {
    let salt = stable_bytes(app, "srp-salt", pool_id, username)[..16].to_vec();
    let verifier = (0..12)
        .flat_map(|i| stable_bytes(app, &format!("srp-verifier-{i}"), pool_id, username))
        .collect();
    srp::Verifier { salt, verifier }
}

fn invalid_srp_a() -> ApiError {
    ApiError::invalid_parameter("Invalid SRP_A value.")
}

/// USER_SRP_AUTH: the PASSWORD_VERIFIER challenge (SALT, SRP_B, SECRET_BLOCK,
/// USER_ID_FOR_SRP, USERNAME); simulated, identically shaped and costing the same, for unknown
/// users when the client hides user existence. SRP_A is checked before anything is stored.
/// In the custom flow, `custom` is the history the answer continues; PreAuthentication runs
/// unless the sign-in ran it as it started (a custom flow, or USER_AUTH: `pre_authenticated`).
pub(crate) async fn srp_auth(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    (username, srp_a): (&str, &str),
    custom: Option<Vec<ChallengeResult>>,
    pre_authenticated: bool,
) -> Result<Outcome, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let pre_authenticate = custom.is_none() && !pre_authenticated;
    srp::parse_a(srp_a).map_err(|_| invalid_srp_a())?;
    let user = find_sign_in_user(app, pool, username).await?;
    let (doc_username, srp_user_id, verifier, simulated) = match &user {
        Some(user) => {
            check_can_sign_in(user)?;
            if pre_authenticate {
                pre_authentication(app, pool, client, username, Some(user)).await?;
            }
            let Some(verifier) = open_verifier(app, user) else {
                return Err(incorrect());
            };
            (user.username.clone(), srp_user_id(user), verifier, false)
        }
        None if hides_existence(client) => {
            if pre_authenticate {
                pre_authentication(app, pool, client, username, None).await?;
            }
            let shown = simulated_username(app, pool, username);
            let verifier = simulated_verifier(app, pool_id, &shown);
            (shown.clone(), shown, verifier, true)
        }
        None => return Err(unknown_user(client)),
    };
    let ephemeral = srp::ServerEphemeral::new(app.rng.as_ref(), &verifier.verifier)
        .map_err(|e| format!("{e:?}"))
        .or_internal()?;
    let doc = SessionDoc {
        client_id: client_id_of(client),
        username: doc_username.clone(),
        srp_user_id: srp_user_id.clone(),
        from_device: None,
        pending: Pending::PasswordVerifier {
            srp_b_secret: hex::encode(ephemeral.secret),
            srp_b: hex::encode(&ephemeral.public),
            srp_a: srp_a.to_owned(),
            simulated,
            custom,
        },
    };
    let (id, raw) = start_session(app, pool_id, client, &doc).await?;
    let mut parameters = BTreeMap::new();
    parameters.insert("SALT".into(), srp::to_hex(&verifier.salt));
    parameters.insert("SRP_B".into(), srp::to_hex(&ephemeral.public));
    parameters.insert("SECRET_BLOCK".into(), B64.encode(raw));
    parameters.insert("USER_ID_FOR_SRP".into(), srp_user_id);
    parameters.insert("USERNAME".into(), doc_username);
    Ok(Outcome::Challenge {
        name: ChallengeNameType::PasswordVerifier,
        session: Some(id),
        parameters,
    })
}

/// REFRESH_TOKEN_AUTH: new ID and access tokens; with rotation on, only
/// GetTokensFromRefreshToken may refresh.
async fn refresh_auth(
    app: &App,
    pool: &UserPoolType,
    stored: &StoredClient,
    client_id: &str,
    params: &BTreeMap<String, String>,
) -> Result<Outcome, ApiError> {
    let token = params
        .get("REFRESH_TOKEN")
        .ok_or_else(|| missing("REFRESH_TOKEN"))?;
    if stored.has_secret() {
        // The SECRET_HASH of a refresh is computed over the user's name (or sub); its errors
        // read differently from the other flows'.
        let Some(given) = params.get("SECRET_HASH") else {
            return Err(ApiError::not_authorized(format!(
                "Client {client_id} is configured for secret but secret was not received."
            )));
        };
        let family = tokens::refresh_family(app, &stored.client, token).await?;
        let secrets = stored.active_secrets();
        let ok = [&family.username, &family.sub]
            .iter()
            .any(|name| secret_hash::verify(&secrets, name, client_id, given));
        if !ok {
            return Err(ApiError::not_authorized(format!(
                "SecretHash does not match for the client: {client_id}"
            )));
        }
    }
    let device_key = params.get("DEVICE_KEY").map(String::as_str);
    // InitiateAuth's ClientMetadata does not reach PreTokenGeneration.
    let result = tokens::refresh(app, pool, &stored.client, token, false, device_key, None).await?;
    Ok(Outcome::Authenticated(result))
}

/// One sign-in start, for both InitiateAuth (`admin` false) and AdminInitiateAuth.
async fn initiate(
    app: &App,
    pool_id: &str,
    stored: &StoredClient,
    client_id: &str,
    (flow, session): (AuthFlowType, Option<&str>),
    params: BTreeMap<String, String>,
    admin: bool,
) -> Result<Outcome, ApiError> {
    let pool = get_pool(app, pool_id).await?;
    let client = &stored.client;
    let flow_name = serde_json::to_value(flow)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let user_flow = matches!(
        flow,
        AuthFlowType::UserPasswordAuth
            | AuthFlowType::UserSrpAuth
            | AuthFlowType::CustomAuth
            | AuthFlowType::RefreshTokenAuth
            | AuthFlowType::RefreshToken
            | AuthFlowType::UserAuth
    );
    let admin_flow = matches!(
        flow,
        AuthFlowType::AdminUserPasswordAuth
            | AuthFlowType::AdminNoSrpAuth
            | AuthFlowType::UserSrpAuth
            | AuthFlowType::CustomAuth
            | AuthFlowType::RefreshTokenAuth
            | AuthFlowType::RefreshToken
            | AuthFlowType::UserAuth
    );
    if (admin && !admin_flow) || (!admin && !user_flow) {
        return Err(ApiError::invalid_parameter(
            "Initiate Auth method not supported.",
        ));
    }
    check_flow(client, &flow_name)?;
    if matches!(
        flow,
        AuthFlowType::RefreshTokenAuth | AuthFlowType::RefreshToken
    ) {
        return refresh_auth(app, &pool, stored, client_id, &params).await;
    }
    let username = params.get("USERNAME").ok_or_else(|| missing("USERNAME"))?;
    check_secret_hash(
        stored,
        client_id,
        username,
        params.get("SECRET_HASH").map(String::as_str),
    )?;
    match flow {
        AuthFlowType::UserSrpAuth => {
            let srp_a = params.get("SRP_A").ok_or_else(|| missing("SRP_A"))?;
            srp_auth(app, &pool, client, (username, srp_a), None, false).await
        }
        AuthFlowType::CustomAuth => custom_auth::start(app, &pool, client, username, &params).await,
        AuthFlowType::UserAuth => {
            let named = (username.as_str(), session);
            user_auth::start(app, &pool, client, named, &params).await
        }
        _ => {
            let password = params.get("PASSWORD").ok_or_else(|| missing("PASSWORD"))?;
            let device_key = params.get("DEVICE_KEY").map(String::as_str);
            password_auth(app, &pool, client, username, password, device_key).await
        }
    }
}

/// Public sign-in: the flow must be one of the client's ExplicitAuthFlows; unknown users answer
/// per PreventUserExistenceErrors; lockout after five wrong passwords.
pub async fn initiate_auth(
    app: &App,
    input: InitiateAuthRequest,
) -> Result<InitiateAuthResponse, ApiError> {
    let client_id = input.client_id.expose();
    let (pool_id, stored) = find_client(app, client_id).await?;
    let params = input.auth_parameters.map(|p| p.0).unwrap_or_default();
    initiate(
        app,
        &pool_id,
        &stored,
        client_id,
        (
            input.auth_flow,
            input.session.as_ref().map(|s| s.expose().as_str()),
        ),
        params,
        false,
    )
    .await
    .map(Into::into)
}

/// Server-side sign-in: ADMIN_USER_PASSWORD_AUTH (ADMIN_NO_SRP_AUTH is its old name), SRP and
/// refresh; USER_PASSWORD_AUTH is "Initiate Auth method not supported." here.
pub async fn admin_initiate_auth(
    app: &App,
    input: AdminInitiateAuthRequest,
) -> Result<AdminInitiateAuthResponse, ApiError> {
    let client_id = input.client_id.expose();
    let stored = get_client(app, &input.user_pool_id, client_id).await?;
    let params = input.auth_parameters.map(|p| p.0).unwrap_or_default();
    initiate(
        app,
        &input.user_pool_id,
        &stored,
        client_id,
        (
            input.auth_flow,
            input.session.as_ref().map(|s| s.expose().as_str()),
        ),
        params,
        true,
    )
    .await
    .map(Into::into)
}
