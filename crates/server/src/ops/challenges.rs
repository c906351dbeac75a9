//! RespondToAuthChallenge and AdminRespondToAuthChallenge: PASSWORD_VERIFIER (the SRP proof,
//! really verified), NEW_PASSWORD_REQUIRED (a FORCE_CHANGE_PASSWORD user's first sign-in),
//! the MFA and one-time code challenges (`mfa_sign_in`), CUSTOM_CHALLENGE (`custom_auth`) and
//! USER_AUTH's SELECT_CHALLENGE and WEB_AUTHN (`user_auth`).

use super::auth::{
    check_can_sign_in, check_not_locked, check_secret_hash, decoy_write, failed_password,
    find_client, incorrect, missing, modify_user, open_verifier, simulated_verifier, unknown_user,
};
use super::auth_events;
use super::auth_triggers::SignInCall;
use super::client_documents::{client_id_of, StoredClient};
use super::clients::get_client;
use super::custom_auth;
use super::devices;
use super::mfa_sign_in;
use super::sign_in::{
    after_password, put_session, second_factor, session_expiry, session_id, session_user,
    srp_proof_holds, take_session, Claim, Outcome, Pending,
};
use super::user_attributes::{
    apply_changes, check, check_required, send_verification_codes, Write,
};
use super::user_auth;
use super::user_pools::get_pool;
use super::users::{check_policy, set_password};
use crate::app::{App, OrInternal};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ironpool_api::types::*;
use ironpool_api::ApiError;
use ironpool_core::srp;
use std::collections::BTreeMap;

pub(crate) async fn respond(
    app: &App,
    pool_id: &str,
    stored: &StoredClient,
    client_id: &str,
    challenge: ChallengeNameType,
    session: Option<String>,
    responses: BTreeMap<String, String>,
) -> Result<Outcome, ApiError> {
    let pool = get_pool(app, pool_id).await?;
    let client = &stored.client;
    let username = responses
        .get("USERNAME")
        .ok_or_else(|| missing("USERNAME"))?;
    check_secret_hash(
        stored,
        client_id,
        username,
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    match challenge {
        ChallengeNameType::PasswordVerifier => {
            password_verifier(app, &pool, client, client_id, session, &responses).await
        }
        ChallengeNameType::NewPasswordRequired => {
            let session = session.ok_or_else(|| missing("Session"))?;
            new_password_required(app, &pool, client, client_id, &session, &responses).await
        }
        ChallengeNameType::SelectChallenge
        | ChallengeNameType::Password
        | ChallengeNameType::PasswordSrp
        | ChallengeNameType::WebAuthn => {
            let session = session.ok_or_else(|| missing("Session"))?;
            let doc = take_session(app, pool_id, client_id, &session).await?;
            user_auth::respond(app, &pool, client, challenge, doc, &responses).await
        }
        ChallengeNameType::SmsMfa
        | ChallengeNameType::SmsOtp
        | ChallengeNameType::SoftwareTokenMfa
        | ChallengeNameType::EmailOtp
        | ChallengeNameType::SelectMfaType
        | ChallengeNameType::MfaSetup => {
            let session = session.ok_or_else(|| missing("Session"))?;
            let doc = take_session(app, pool_id, client_id, &session).await?;
            mfa_sign_in::respond(app, &pool, client, challenge, doc, &responses).await
        }
        ChallengeNameType::CustomChallenge => {
            custom_auth::respond(app, &pool, client, client_id, session, &responses).await
        }
        ChallengeNameType::DeviceSrpAuth => {
            devices::device_srp_auth(app, &pool, client, session, &responses).await
        }
        ChallengeNameType::DevicePasswordVerifier => {
            devices::device_password_verifier(app, &pool, client, session, &responses).await
        }
        _ => Err(ApiError::invalid_parameter(
            "Invalid challenge name or the challenge is not enabled.",
        )),
    }
}

/// PASSWORD_VERIFIER: the session is found by Session or, as pycognito answers without one,
/// by the secret block; the signature is checked in constant time against the SRP key.
async fn password_verifier(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    client_id: &str,
    session: Option<String>,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let get = |name: &str| responses.get(name).ok_or_else(|| missing(name));
    let signature = get("PASSWORD_CLAIM_SIGNATURE")?;
    let block = get("PASSWORD_CLAIM_SECRET_BLOCK")?;
    let timestamp = get("TIMESTAMP")?;
    let invalid_session = || ApiError::not_authorized("Invalid session for the user.");
    let block_bytes = B64.decode(block.trim()).map_err(|_| invalid_session())?;
    let session = session.unwrap_or_else(|| session_id(&block_bytes));
    let device_key = responses.get("DEVICE_KEY").map(String::as_str);
    let doc = take_session(app, pool_id, client_id, &session).await?;
    let Pending::PasswordVerifier {
        srp_b_secret,
        srp_b,
        srp_a,
        simulated,
        custom,
    } = &doc.pending
    else {
        return Err(invalid_session());
    };
    if session_id(&block_bytes) != session {
        return Err(invalid_session());
    }
    let user = app
        .store
        .get_user(pool_id, &doc.username)
        .await
        .or_internal()?;
    let verifier = match &user {
        Some(user) if !simulated => {
            check_can_sign_in(user)?;
            check_not_locked(app, user)?;
            open_verifier(app, user).ok_or_else(incorrect)?
        }
        _ if *simulated => simulated_verifier(app, pool_id, &doc.username),
        _ => return Err(unknown_user(client)),
    };
    let claim = Claim {
        secret_block: &block_bytes,
        timestamp,
        signature,
    };
    let good = srp_proof_holds(
        (srp_b_secret, srp_b, srp_a),
        &verifier.verifier,
        srp::pool_name(pool_id),
        &doc.srp_user_id,
        &claim,
    )?;
    match user {
        // A simulated challenge does the same work and an equivalent write, and fails.
        _ if *simulated => {
            let decoy = auth_events::decoy(app, pool_id, &doc.username);
            let (written, ()) = tokio::join!(decoy_write(app, pool_id, &doc.username, true), decoy);
            written?;
            Err(incorrect())
        }
        Some(user) if good => {
            // An unknown device key leaves the Session for the client's retry without it.
            if let Err(e) = devices::check_device_key(app, &user, device_key).await {
                put_session(app, pool_id, &session, &doc, session_expiry(app, client)).await?;
                return Err(e);
            }
            match custom {
                Some(history) => {
                    let history = history.clone();
                    custom_auth::after_password(app, pool, client, user, device_key, history).await
                }
                None => after_password(app, pool, client, user, device_key).await,
            }
        }
        Some(user) => Err(failed_password(app, user).await),
        None => Err(unknown_user(client)),
    }
}

/// NEW_PASSWORD_REQUIRED: the new password meets the policy, the required attributes are
/// given, and the user becomes CONFIRMED and signed in.
async fn new_password_required(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    client_id: &str,
    session: &str,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let new_password = responses
        .get("NEW_PASSWORD")
        .ok_or_else(|| missing("NEW_PASSWORD"))?;
    // A password the policy refuses leaves the session usable for another try.
    check_policy(pool, new_password)?;
    let doc = take_session(app, pool_id, client_id, session).await?;
    if !matches!(doc.pending, Pending::NewPasswordRequired) {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    }
    let user = session_user(app, client, pool_id, &doc).await?;
    let given: BTreeMap<String, String> = responses
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("userAttributes.")
                .map(|name| (name.to_owned(), v.clone()))
        })
        .collect();
    // The attributes given are checked as the client's writes; then every required one must
    // be there.
    let given_list: Vec<AttributeType> = given
        .iter()
        .map(|(name, value)| AttributeType {
            name: name.clone(),
            value: Some(value.clone().into()),
        })
        .collect();
    let given = check(pool, &given_list, Write::Update, Some(client))?;
    let mut merged = user.attributes.clone();
    merged.extend(given.clone());
    check_required(pool, &merged)?;
    let mut changed = user.clone();
    set_password(app, pool, &mut changed, new_password, false)?;
    let mut to_verify = Vec::new();
    let user = modify_user(app, user, |u| {
        u.password = changed.password.clone();
        u.password_history = changed.password_history.clone();
        u.failed_attempts = 0;
        u.locked_until = None;
        u.status = UserStatusType::Confirmed;
        to_verify = apply_changes(pool, u, &given, false);
    })
    .await?;
    let client_id = client_id_of(client);
    send_verification_codes(app, pool, &user, &to_verify, Some(&client_id)).await?;
    second_factor(app, pool, client, &user, None).await
}

/// Answers a challenge of InitiateAuth; a session answers once and expires after the client's
/// AuthSessionValidity.
pub async fn respond_to_auth_challenge(
    app: &App,
    input: RespondToAuthChallengeRequest,
) -> Result<RespondToAuthChallengeResponse, ApiError> {
    let client_id = input.client_id.expose();
    let (pool_id, stored) = find_client(app, client_id).await?;
    let call = SignInCall {
        challenge: Some(input.challenge_name),
        ..SignInCall::default()
    };
    call.scope(respond(
        app,
        &pool_id,
        &stored,
        client_id,
        input.challenge_name,
        input.session.map(|s| s.0),
        input.challenge_responses.map(|r| r.0).unwrap_or_default(),
    ))
    .await
    .map(Into::into)
}

/// As RespondToAuthChallenge, for sessions that AdminInitiateAuth started.
pub async fn admin_respond_to_auth_challenge(
    app: &App,
    input: AdminRespondToAuthChallengeRequest,
) -> Result<AdminRespondToAuthChallengeResponse, ApiError> {
    let client_id = input.client_id.expose();
    let stored = get_client(app, &input.user_pool_id, client_id).await?;
    let call = SignInCall {
        challenge: Some(input.challenge_name),
        ..SignInCall::default()
    };
    call.scope(respond(
        app,
        &input.user_pool_id,
        &stored,
        client_id,
        input.challenge_name,
        input.session.map(|s| s.0),
        input.challenge_responses.map(|r| r.0).unwrap_or_default(),
    ))
    .await
    .map(Into::into)
}
