//! Passkeys (WebAuthn): StartWebAuthnRegistration, CompleteWebAuthnRegistration,
//! ListWebAuthnCredentials, DeleteWebAuthnCredential, and the assertion check of USER_AUTH's
//! WEB_AUTHN challenge ([`request_options`], [`verify_assertion`]).
//!
//! Every attestation and assertion is verified by `webauthn-rs-core`; this module only picks
//! the relying party, the origins, the user verification policy and the algorithms (ES256,
//! RS256), and keeps the ceremony state sealed. The pure rules (origins, RP ID choice, limits)
//! are in `ironpool_core::webauthn`.
//!
//! Passkeys are on when the pool's `SignInPolicy.AllowedFirstAuthFactors` has WEB_AUTHN
//! (WebAuthnNotEnabledException otherwise); the RP ID is `WebAuthnConfiguration.RelyingPartyId`,
//! else the custom domain, else the prefix domain (WebAuthnConfigurationMissingException with
//! none).

use super::auth::{check_not_locked, count_failure, incorrect, modify_user};
use super::tokens::authorize;
use super::user_pools::get_pool;
use super::{decode_token, encode_token, mfa};
use crate::app::{App, OrInternal};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_core::webauthn as rules;
use ironpool_store::{Kind, ResourcesExt, User, WebAuthnCredential};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use webauthn_rs_core::error::WebauthnError;
use webauthn_rs_core::proto::{
    AttestationConveyancePreference, AttestationFormat, AuthenticationState, COSEAlgorithm,
    Credential, PublicKeyCredential, RegisterPublicKeyCredential, RegistrationState,
    UserVerificationPolicy,
};
use webauthn_rs_core::WebauthnCore;

/// A pool's relying party, as its settings are now.
pub(crate) struct RelyingParty {
    pub id: String,
    /// The name authenticators show: the pool's name.
    name: String,
    /// The pool's managed login origins (prefix and custom domain), allowed as they are.
    managed_origins: Vec<String>,
    policy: UserVerificationPolicy,
}

fn not_enabled() -> ApiError {
    ApiError::new(
        ErrorCode::WebAuthnNotEnabledException,
        "Passkeys are not enabled for this user pool: add WEB_AUTHN to the pool's \
         AllowedFirstAuthFactors.",
    )
}

fn challenge_not_found() -> ApiError {
    ApiError::new(
        ErrorCode::WebAuthnChallengeNotFoundException,
        "The passkey registration challenge was not found or has expired.",
    )
}

fn not_supported() -> ApiError {
    ApiError::new(
        ErrorCode::WebAuthnCredentialNotSupportedException,
        "The passkey credential is from an unsupported device or provider.",
    )
}

fn too_many() -> ApiError {
    ApiError::new(
        ErrorCode::LimitExceededException,
        format!(
            "A user can register at most {} passkeys.",
            rules::MAX_PASSKEYS_PER_USER
        ),
    )
}

/// The relying party of `pool`, or why passkeys cannot be used in it.
pub(crate) async fn relying_party(
    app: &App,
    pool: &UserPoolType,
) -> Result<RelyingParty, ApiError> {
    let enabled = pool
        .policies
        .as_ref()
        .and_then(|p| p.sign_in_policy.as_ref())
        .and_then(|s| s.allowed_first_auth_factors.as_ref())
        .is_some_and(|f| f.contains(&AuthFactorType::WebAuthn));
    if !enabled {
        return Err(not_enabled());
    }
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let config = mfa::load(app, pool_id).await?.web_authn.unwrap_or_default();
    let domains = app
        .store
        .list::<DomainDescriptionType>(Kind::Domain, pool_id, None, 10)
        .await
        .or_internal()?;
    let (mut custom, mut prefix) = (None, None);
    for (_, d) in &domains {
        let Some(name) = d.domain.clone() else {
            continue;
        };
        if d.custom_domain_config.is_some() {
            custom = Some(name.to_ascii_lowercase());
        } else {
            let region = crate::scope::region_of_pool_id(pool_id);
            prefix = Some(rules::prefix_domain_host(&name, region));
        }
    }
    let id = rules::relying_party_id(
        config.relying_party_id.as_deref(),
        custom.as_deref(),
        prefix.as_deref(),
    )
    .ok_or_else(|| {
        ApiError::new(
            ErrorCode::WebAuthnConfigurationMissingException,
            "The user pool has no relying party ID for passkeys: set WebAuthnConfiguration \
             RelyingPartyId or add a user pool domain.",
        )
    })?;
    let policy = match config.user_verification {
        Some(UserVerificationType::Required) => UserVerificationPolicy::Required,
        _ => UserVerificationPolicy::Preferred,
    };
    Ok(RelyingParty {
        id,
        name: pool.name.clone().unwrap_or_default(),
        managed_origins: custom
            .into_iter()
            .chain(prefix)
            .map(|host| format!("https://{host}"))
            .collect(),
        policy,
    })
}

impl RelyingParty {
    /// The library's verifier for a ceremony from `origin` (already checked against our rules:
    /// the library's own subdomain matching is a plain suffix match, so it gets only this one).
    fn core(&self, origin: &str) -> Result<WebauthnCore, ApiError> {
        let origin = url::Url::parse(origin).map_err(|_| origin_not_allowed())?;
        Ok(WebauthnCore::new_unsafe_experts_only(
            if self.name.is_empty() {
                &self.id
            } else {
                &self.name
            },
            &self.id,
            vec![origin],
            Duration::from_secs(rules::CEREMONY_SECONDS),
            Some(false),
            Some(false),
        ))
    }

    /// The verifier for the origin a response's client data names, refused unless allowed.
    fn core_for_response(&self, response: &serde_json::Value) -> Result<WebauthnCore, ApiError> {
        let origin = client_origin(response)?;
        if !rules::origin_allowed(&self.id, &origin, &self.managed_origins) {
            return Err(origin_not_allowed());
        }
        self.core(&origin)
    }
}

fn origin_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::WebAuthnOriginNotAllowedException,
        "The passkey credential's origin is not allowed for the user pool's relying party ID.",
    )
}

fn malformed() -> ApiError {
    ApiError::invalid_parameter("The passkey credential is not a valid WebAuthn response.")
}

/// `clientDataJSON.origin` of a RegistrationResponseJSON or AuthenticationResponseJSON.
fn client_origin(response: &serde_json::Value) -> Result<String, ApiError> {
    let encoded = response
        .pointer("/response/clientDataJSON")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(malformed)?;
    let raw = URL_SAFE_NO_PAD
        .decode(encoded.trim_end_matches('='))
        .map_err(|_| malformed())?;
    let data: serde_json::Value = serde_json::from_slice(&raw).map_err(|_| malformed())?;
    data.get("origin")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(malformed)
}

/// What a failed registration answers.
fn registration_error(e: WebauthnError) -> ApiError {
    use WebauthnError as E;
    match e {
        E::MismatchedChallenge | E::ChallengeNotFound => challenge_not_found(),
        E::InvalidRPOrigin | E::CredentialCrossOrigin => origin_not_allowed(),
        E::InvalidRPIDHash => ApiError::new(
            ErrorCode::WebAuthnRelyingPartyMismatchException,
            "The passkey credential is for a different relying party ID than the user pool's.",
        ),
        E::InvalidClientDataType
        | E::ParseBase64Failure(_)
        | E::ParseCBORFailure(_)
        | E::ParseJSONFailure(_)
        | E::ParseNOMFailure
        | E::ParseInsufficientBytesAvailable
        | E::MissingAttestationCredentialData => malformed(),
        E::UserNotPresent => ApiError::invalid_parameter("The user was not present."),
        _ => not_supported(),
    }
}

/// A registration ceremony in progress, kept sealed on the user.
#[derive(Serialize, Deserialize)]
struct PendingRegistration {
    state: RegistrationState,
    expires_at: f64,
}

fn registration_context(user: &User) -> String {
    format!("webauthn-registration:{}:{}", user.pool_id, user.sub)
}

/// The user handle of a user's passkeys: its `sub`.
fn user_handle(user: &User) -> &[u8] {
    user.sub.as_bytes()
}

fn stored_credentials(user: &User) -> Result<Vec<Credential>, ApiError> {
    user.web_authn
        .iter()
        .map(|c| serde_json::from_str::<Credential>(&c.credential))
        .collect::<Result<_, _>>()
        .or_internal()
}

/// Starts a registration for the signed-in user: the creation options (the WebAuthn JSON
/// `publicKey` object, resident key required, the user's passkeys excluded) for their
/// authenticator; a new start replaces an unfinished one.
pub async fn start_web_authn_registration(
    app: &App,
    input: StartWebAuthnRegistrationRequest,
) -> Result<StartWebAuthnRegistrationResponse, ApiError> {
    let (user, _, _) = authorize(app, input.access_token.expose()).await?;
    let pool = get_pool(app, &user.pool_id).await?;
    let rp = relying_party(app, &pool).await?;
    if user.web_authn.len() >= rules::MAX_PASSKEYS_PER_USER {
        return Err(too_many());
    }
    let core = rp.core(&format!("https://{}", rp.id))?;
    let exclude = stored_credentials(&user)?
        .into_iter()
        .map(|c| c.cred_id)
        .collect();
    let display = user
        .attribute("name")
        .filter(|n| !n.is_empty())
        .unwrap_or(&user.username)
        .to_owned();
    let builder = core
        .new_challenge_register_builder(user_handle(&user), &user.username, &display)
        .or_internal()?
        .attestation(AttestationConveyancePreference::None)
        .user_verification_policy(rp.policy)
        .exclude_credentials(Some(exclude))
        .credential_algorithms(vec![COSEAlgorithm::ES256, COSEAlgorithm::RS256])
        .require_resident_key(true);
    let (options, state) = core.generate_challenge_register(builder).or_internal()?;
    let pending = PendingRegistration {
        state,
        expires_at: app.now() + rules::CEREMONY_SECONDS as f64,
    };
    let sealed = app.master_key.seal(
        app.rng.as_ref(),
        &registration_context(&user),
        &serde_json::to_vec(&pending).or_internal()?,
    );
    modify_user(app, user, |u| u.pending_web_authn = Some(sealed.clone())).await?;
    Ok(StartWebAuthnRegistrationResponse {
        credential_creation_options: serde_json::to_value(&options.public_key).or_internal()?,
    })
}

/// Verifies the authenticator's RegistrationResponseJSON against the pending start (single
/// use, five minutes) and keeps the passkey: `none` or `packed` attestation, ES256 or RS256,
/// an origin of the relying party, at most 20 passkeys.
pub async fn complete_web_authn_registration(
    app: &App,
    input: CompleteWebAuthnRegistrationRequest,
) -> Result<CompleteWebAuthnRegistrationResponse, ApiError> {
    let (user, _, _) = authorize(app, input.access_token.expose()).await?;
    let pool = get_pool(app, &user.pool_id).await?;
    let rp = relying_party(app, &pool).await?;
    let sealed = user
        .pending_web_authn
        .clone()
        .ok_or_else(challenge_not_found)?;
    let pending: PendingRegistration = app
        .master_key
        .open(&registration_context(&user), &sealed)
        .ok()
        .and_then(|plain| serde_json::from_slice(&plain).ok())
        .ok_or_else(challenge_not_found)?;
    if app.now() >= pending.expires_at {
        return Err(challenge_not_found());
    }
    let response: RegisterPublicKeyCredential =
        serde_json::from_value(input.credential.clone()).map_err(|_| malformed())?;
    let core = rp.core_for_response(&input.credential)?;
    let credential = core
        .register_credential(&response, &pending.state, None)
        .map_err(registration_error)?;
    if !matches!(
        credential.attestation_format,
        AttestationFormat::None | AttestationFormat::Packed
    ) {
        return Err(not_supported());
    }
    let credential_id = URL_SAFE_NO_PAD.encode(credential.cred_id.as_slice());
    if user
        .web_authn
        .iter()
        .any(|c| c.credential_id == credential_id)
    {
        return Err(ApiError::invalid_parameter(
            "This passkey is already registered for the user.",
        ));
    }
    if user.web_authn.len() >= rules::MAX_PASSKEYS_PER_USER {
        return Err(too_many());
    }
    let attachment = input
        .credential
        .get("authenticatorAttachment")
        .and_then(serde_json::Value::as_str)
        .filter(|a| matches!(*a, "platform" | "cross-platform"))
        .map(str::to_owned);
    let transports = input
        .credential
        .pointer("/response/transports")
        .and_then(serde_json::Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(serde_json::Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let record = WebAuthnCredential {
        credential_id,
        credential: serde_json::to_string(&credential).or_internal()?,
        friendly_name: rules::friendly_name(attachment.as_deref()).to_owned(),
        relying_party_id: rp.id.clone(),
        authenticator_attachment: attachment,
        transports,
        created_at: app.now(),
    };
    // Only the start this response answers is consumed; a concurrent new start or a second
    // completion of the same one finds it gone.
    let mut raced = false;
    modify_user(app, user, |u| {
        raced = u.pending_web_authn.as_deref() != Some(sealed.as_str())
            || u.web_authn.len() >= rules::MAX_PASSKEYS_PER_USER;
        if !raced {
            u.pending_web_authn = None;
            u.web_authn.push(record.clone());
        }
    })
    .await?;
    if raced {
        return Err(challenge_not_found());
    }
    Ok(CompleteWebAuthnRegistrationResponse::default())
}

/// The signed-in user's passkeys, oldest first, in pages of MaxResults (default and at most
/// 20).
pub async fn list_web_authn_credentials(
    app: &App,
    input: ListWebAuthnCredentialsRequest,
) -> Result<ListWebAuthnCredentialsResponse, ApiError> {
    let (user, _, _) = authorize(app, input.access_token.expose()).await?;
    let max = input
        .max_results
        .filter(|&n| n > 0)
        .map_or(rules::MAX_PASSKEYS_PER_USER, |n| n as usize);
    let start = match &input.next_token {
        None => 0,
        Some(token) => {
            let after = decode_token(token)?;
            user.web_authn
                .iter()
                .position(|c| c.credential_id == after)
                .map(|i| i + 1)
                .ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token."))?
        }
    };
    let page: Vec<&WebAuthnCredential> = user.web_authn.iter().skip(start).take(max).collect();
    let next_token = (start + page.len() < user.web_authn.len())
        .then(|| page.last().map(|c| encode_token(&c.credential_id)))
        .flatten();
    Ok(ListWebAuthnCredentialsResponse {
        credentials: page
            .into_iter()
            .map(|c| WebAuthnCredentialDescription {
                credential_id: c.credential_id.clone(),
                friendly_credential_name: c.friendly_name.clone(),
                relying_party_id: c.relying_party_id.clone(),
                authenticator_attachment: c.authenticator_attachment.clone(),
                authenticator_transports: c.transports.clone(),
                created_at: c.created_at,
            })
            .collect(),
        next_token,
    })
}

/// Deletes one of the signed-in user's passkeys; an ID the user has no passkey under is
/// ResourceNotFoundException.
pub async fn delete_web_authn_credential(
    app: &App,
    input: DeleteWebAuthnCredentialRequest,
) -> Result<DeleteWebAuthnCredentialResponse, ApiError> {
    let (user, _, _) = authorize(app, input.access_token.expose()).await?;
    let id = input.credential_id.trim_end_matches('=');
    let not_found = || {
        ApiError::new(
            ErrorCode::ResourceNotFoundException,
            "The passkey credential was not found.",
        )
    };
    if !user.web_authn.iter().any(|c| c.credential_id == id) {
        return Err(not_found());
    }
    let mut found = false;
    modify_user(app, user, |u| {
        let before = u.web_authn.len();
        u.web_authn.retain(|c| c.credential_id != id);
        found = u.web_authn.len() < before;
    })
    .await?;
    if !found {
        return Err(not_found());
    }
    Ok(DeleteWebAuthnCredentialResponse::default())
}

/// A sign-in ceremony in progress, as [`request_options`] hands it to the sign-in pipeline.
#[derive(Serialize, Deserialize)]
struct PendingAssertion {
    sub: String,
    rp_id: String,
    expires_at: f64,
    state: AuthenticationState,
}

/// For USER_AUTH's WEB_AUTHN challenge: the CREDENTIAL_REQUEST_OPTIONS (the WebAuthn JSON
/// `publicKey` request options: challenge, rpId, the user's passkeys as allowCredentials, the
/// pool's userVerification, timeout) and the ceremony state, an opaque string the caller keeps
/// sealed in its session (never shown to the client) and hands back to [`verify_assertion`].
/// Fails as the registration operations do when
/// passkeys are off or have no relying party.
pub(crate) async fn request_options(
    app: &App,
    pool: &UserPoolType,
    user: &User,
) -> Result<(String, String), ApiError> {
    let rp = relying_party(app, pool).await?;
    let core = rp.core(&format!("https://{}", rp.id))?;
    let builder = core
        .new_challenge_authenticate_builder(stored_credentials(user)?, Some(rp.policy))
        .or_internal()?;
    let (options, state) = core
        .generate_challenge_authenticate(builder)
        .or_internal()?;
    let pending = PendingAssertion {
        sub: user.sub.clone(),
        rp_id: rp.id,
        expires_at: app.now() + rules::CEREMONY_SECONDS as f64,
        state,
    };
    Ok((
        serde_json::to_string(&options.public_key).or_internal()?,
        serde_json::to_string(&pending).or_internal()?,
    ))
}

/// For a user that does not exist (PreventUserExistenceErrors): CREDENTIAL_REQUEST_OPTIONS
/// shaped as [`request_options`] makes them, listing one passkey ID derived from `name` (the
/// same on every call), after the same pool checks.
pub(crate) async fn simulated_options(
    app: &App,
    pool: &UserPoolType,
    name: &str,
) -> Result<String, ApiError> {
    let rp = relying_party(app, pool).await?;
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let mut challenge = [0u8; 32];
    app.rng.fill(&mut challenge);
    let id = super::auth::stable_bytes(app, "webauthn-credential", pool_id, name);
    let options = serde_json::json!({
        "challenge": URL_SAFE_NO_PAD.encode(challenge),
        "timeout": rules::CEREMONY_SECONDS * 1000,
        "rpId": rp.id,
        "allowCredentials": [{"type": "public-key", "id": URL_SAFE_NO_PAD.encode(&id[..16])}],
        "userVerification": rp.policy,
    });
    serde_json::to_string(&options).or_internal()
}

/// For USER_AUTH's WEB_AUTHN challenge: verifies `credential` (an AuthenticationResponseJSON)
/// against `state` from [`request_options`] for this `user`: the signature by one of the
/// user's passkeys as stored now, the challenge, the origin, the RP ID hash, user presence,
/// user verification as the pool requires it, the user handle (when given) and the signature
/// counter (a counter that does not go up is refused once either side is non-zero). On success
/// the passkey's counter is saved and the user returned as written; any failure counts toward
/// lockout and answers NotAuthorizedException.
pub(crate) async fn verify_assertion(
    app: &App,
    pool: &UserPoolType,
    user: User,
    state: &str,
    credential: &str,
) -> Result<User, ApiError> {
    check_not_locked(app, &user)?;
    let rp = relying_party(app, pool).await?;
    let verified = check_assertion(app, &rp, &user, state, credential);
    let (index, result) = match verified {
        Ok(v) => v,
        Err(reason) => {
            tracing::info!(pool = %user.pool_id, reason, "passkey assertion refused");
            count_failure(app, user).await?;
            return Err(incorrect());
        }
    };
    let id = user.web_authn[index].credential_id.clone();
    let mut fail = false;
    let user = modify_user(app, user, |u| {
        let Some(stored) = u.web_authn.iter_mut().find(|c| c.credential_id == id) else {
            fail = true;
            return;
        };
        match serde_json::from_str::<Credential>(&stored.credential) {
            Ok(mut cred) => {
                if result.counter() > cred.counter {
                    cred.counter = result.counter();
                }
                cred.backup_state = result.backup_state();
                cred.backup_eligible = result.backup_eligible();
                match serde_json::to_string(&cred) {
                    Ok(json) => stored.credential = json,
                    Err(_) => fail = true,
                }
            }
            Err(_) => fail = true,
        }
    })
    .await?;
    if fail {
        return Err(incorrect());
    }
    Ok(user)
}

/// The checks of [`verify_assertion`]: the index of the passkey used and the library's result,
/// or why the assertion is refused (for the log).
fn check_assertion(
    app: &App,
    rp: &RelyingParty,
    user: &User,
    state: &str,
    credential: &str,
) -> Result<(usize, webauthn_rs_core::proto::AuthenticationResult), &'static str> {
    let mut pending: PendingAssertion =
        serde_json::from_str(state).map_err(|_| "state does not parse")?;
    if pending.sub != user.sub || pending.rp_id != rp.id {
        return Err("state is for another user or relying party");
    }
    if app.now() >= pending.expires_at {
        return Err("challenge expired");
    }
    let value: serde_json::Value =
        serde_json::from_str(credential).map_err(|_| "credential is not JSON")?;
    let response: PublicKeyCredential =
        serde_json::from_value(value.clone()).map_err(|_| "credential does not parse")?;
    if let Some(handle) = &response.response.user_handle {
        if handle.as_slice() != user_handle(user) {
            return Err("user handle of another user");
        }
    }
    let core = rp
        .core_for_response(&value)
        .map_err(|_| "origin not allowed")?;
    // Only the passkeys the user has now, with their current counters.
    let stored = stored_credentials(user).map_err(|_| "stored passkey does not parse")?;
    let index = stored
        .iter()
        .position(|c| c.cred_id.as_slice() == response.raw_id.as_slice())
        .ok_or("not one of the user's passkeys")?;
    pending.state.set_allowed_credentials(stored);
    let result = core
        .authenticate_credential(&response, &pending.state)
        .map_err(|_| "assertion does not verify")?;
    Ok((index, result))
}

#[cfg(test)]
#[path = "web_authn_tests.rs"]
mod tests;
