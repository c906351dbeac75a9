//! Choice-based sign-in (USER_AUTH). The user signs in with a first factor that the pool's
//! `SignInPolicy.AllowedFirstAuthFactors` allows and the user has: a password (PASSWORD, or
//! PASSWORD_SRP), a code by email (EMAIL_OTP) or text message (SMS_OTP), or a passkey
//! (WEB_AUTHN).
//!
//! - PREFERRED_CHALLENGE picks the factor up front when it is available; otherwise
//!   SELECT_CHALLENGE lists AvailableChallenges, and the ANSWER starts the chosen challenge
//!   (PASSWORD and PASSWORD_SRP carry their PASSWORD or SRP_A along).
//! - A password goes on as in the password flows (NEW_PASSWORD_REQUIRED, devices, MFA); a code
//!   or a passkey stands in for MFA.
//! - Codes are eight digits, good for 3 minutes and one answer; wrong ones count toward
//!   lockout.
//! - A user that does not exist, when the client hides user existence, gets the same
//!   challenges, simulated, that fail as wrong answers do.

use super::auth::{
    check_can_sign_in, check_not_locked, check_password, decoy_write, find_sign_in_user,
    hides_existence, incorrect, missing, no_such_password, password_auth, srp_auth, unknown_user,
};
use super::auth_events;
use super::auth_triggers::pre_authentication;
use super::client_documents::client_id_of;
use super::mfa;
use super::mfa_sign_in::{delivery_parameters, send_code, session};
use super::sign_in::{
    finish_sign_in, session_user, start_session, take_session, Outcome, Pending, SessionDoc,
};
use super::web_authn;
use crate::app::App;
use ironpool_api::types::*;
use ironpool_api::ApiError;
use ironpool_store::User;
use std::collections::BTreeMap;
use ChallengeNameType as C;

/// The first factors the pool allows (PASSWORD when it never said).
pub(crate) fn allowed_factors(pool: &UserPoolType) -> Vec<AuthFactorType> {
    pool.policies
        .as_ref()
        .and_then(|p| p.sign_in_policy.as_ref())
        .and_then(|s| s.allowed_first_auth_factors.clone())
        .unwrap_or_else(|| vec![AuthFactorType::Password])
}

/// Whether users of the pool may have no password: it signs them in with codes.
pub(crate) fn signs_in_without_password(pool: &UserPoolType) -> bool {
    allowed_factors(pool)
        .iter()
        .any(|f| matches!(f, AuthFactorType::EmailOtp | AuthFactorType::SmsOtp))
}

/// Whether users of the pool may sign in with more than a password.
pub(crate) fn offers_choice(pool: &UserPoolType) -> bool {
    allowed_factors(pool)
        .iter()
        .any(|f| *f != AuthFactorType::Password)
}

/// Whether the user has what `factor` needs: a password, an email address, a phone number, a
/// passkey.
fn user_has(user: &User, factor: AuthFactorType) -> bool {
    match factor {
        AuthFactorType::Password => user.password.is_some(),
        AuthFactorType::EmailOtp => user.attribute("email").is_some(),
        AuthFactorType::SmsOtp => user.attribute("phone_number").is_some(),
        AuthFactorType::WebAuthn => !user.web_authn.is_empty(),
        AuthFactorType::SoftwareToken => false,
    }
}

/// The first factors the user can sign in with (ConfiguredUserAuthFactors), in the model's
/// order. A user who must change a temporary password signs in with it.
pub(crate) fn user_factors(pool: &UserPoolType, user: &User) -> Vec<AuthFactorType> {
    let allowed = allowed_factors(pool);
    let passwordless = user.status != UserStatusType::ForceChangePassword;
    [
        AuthFactorType::Password,
        AuthFactorType::EmailOtp,
        AuthFactorType::SmsOtp,
        AuthFactorType::WebAuthn,
    ]
    .into_iter()
    .filter(|f| allowed.contains(f) && user_has(user, *f))
    .filter(|f| passwordless || *f == AuthFactorType::Password)
    .collect()
}

/// The challenges of first factors: a password is answered as PASSWORD or PASSWORD_SRP.
fn challenges_of(factors: &[AuthFactorType]) -> Vec<ChallengeNameType> {
    factors
        .iter()
        .flat_map(|f| match f {
            AuthFactorType::Password => vec![C::Password, C::PasswordSrp],
            AuthFactorType::EmailOtp => vec![C::EmailOtp],
            AuthFactorType::SmsOtp => vec![C::SmsOtp],
            AuthFactorType::WebAuthn => vec![C::WebAuthn],
            AuthFactorType::SoftwareToken => vec![],
        })
        .collect()
}

fn is_first_factor(challenge: ChallengeNameType) -> bool {
    matches!(
        challenge,
        C::Password | C::PasswordSrp | C::EmailOtp | C::SmsOtp | C::WebAuthn
    )
}

/// InitiateAuth and AdminInitiateAuth with USER_AUTH, for `username` (SECRET_HASH checked);
/// with ConfirmSignUp's `session`, the confirmed sign-up signs the user in.
pub(crate) async fn start(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    (username, session): (&str, Option<&str>),
    params: &BTreeMap<String, String>,
) -> Result<Outcome, ApiError> {
    if let Some(id) = session {
        return after_sign_up(app, pool, client, username, id).await;
    }
    let preferred = match params.get("PREFERRED_CHALLENGE") {
        None => None,
        Some(name) => Some(
            C::from_value(name)
                .filter(|c| is_first_factor(*c))
                .ok_or_else(|| {
                    ApiError::invalid_parameter(format!(
                        "Invalid PREFERRED_CHALLENGE: {name} is not a first authentication factor."
                    ))
                })?,
        ),
    };
    let allowed = challenges_of(&allowed_factors(pool));
    let device_key = params.get("DEVICE_KEY").map(String::as_str);
    // A password given up front goes the way of the password flows (user migration, unknown
    // users, lockout, what follows a password).
    match preferred {
        Some(C::Password) if allowed.contains(&C::Password) => {
            let password = params.get("PASSWORD").ok_or_else(|| missing("PASSWORD"))?;
            return password_auth(app, pool, client, username, password, device_key).await;
        }
        Some(C::PasswordSrp) if allowed.contains(&C::PasswordSrp) => {
            let srp_a = params.get("SRP_A").ok_or_else(|| missing("SRP_A"))?;
            return srp_auth(app, pool, client, (username, srp_a), None, false).await;
        }
        _ => {}
    }
    let Some(user) = find_sign_in_user(app, pool, username).await? else {
        if !hides_existence(client) {
            return Err(unknown_user(client));
        }
        pre_authentication(app, pool, client, username, None).await?;
        return simulated(
            app,
            pool,
            client,
            username,
            preferred.filter(|p| allowed.contains(p)),
        )
        .await;
    };
    check_can_sign_in(&user)?;
    check_not_locked(app, &user)?;
    pre_authentication(app, pool, client, username, Some(&user)).await?;
    let available = challenges_of(&user_factors(pool, &user));
    match preferred.filter(|p| available.contains(p)) {
        Some(choice) => begin(app, pool, client, user, choice, params).await,
        None => select(app, client, &user, available).await,
    }
}

/// USER_AUTH with ConfirmSignUp's Session: the code that confirmed the sign-up was the first
/// factor; once, within the session's validity, for the user it confirmed.
async fn after_sign_up(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    username: &str,
    id: &str,
) -> Result<Outcome, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let doc = take_session(app, pool_id, &client_id_of(client), id).await?;
    let named = find_sign_in_user(app, pool, username).await?;
    let same = named.is_some_and(|u| u.username == doc.username);
    if !matches!(doc.pending, Pending::SignUpConfirmed) || !same {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    }
    let user = session_user(app, client, pool_id, &doc).await?;
    pre_authentication(app, pool, client, username, Some(&user)).await?;
    finish_sign_in(app, pool, client, &user, None, false).await
}

/// SELECT_CHALLENGE: a session that remembers what the user may pick.
async fn select(
    app: &App,
    client: &UserPoolClientType,
    user: &User,
    available: Vec<ChallengeNameType>,
) -> Result<Outcome, ApiError> {
    if available.is_empty() {
        return Err(ApiError::not_authorized("Incorrect username or password."));
    }
    let pending = Pending::SelectChallenge {
        choices: available.iter().map(|c| c.as_str().to_owned()).collect(),
        simulated: false,
    };
    let session = session(app, client, user, None, pending).await?;
    Ok(Outcome::Select { session, available })
}

/// Starts the challenge `choice` for `user`: a password or SRP_A in `responses` is checked or
/// begun now; a code is sent; a passkey gets its CREDENTIAL_REQUEST_OPTIONS.
async fn begin(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: User,
    choice: ChallengeNameType,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome, ApiError> {
    let device_key = responses.get("DEVICE_KEY").map(String::as_str);
    match choice {
        C::Password => {
            let password = responses
                .get("PASSWORD")
                .ok_or_else(|| missing("PASSWORD"))?;
            check_password(app, pool, client, user, password, device_key).await
        }
        C::PasswordSrp => {
            let srp_a = responses.get("SRP_A").ok_or_else(|| missing("SRP_A"))?;
            srp_auth(app, pool, client, (&user.username, srp_a), None, true).await
        }
        C::EmailOtp | C::SmsOtp => {
            let medium = if choice == C::EmailOtp {
                DeliveryMediumType::Email
            } else {
                DeliveryMediumType::Sms
            };
            let state = mfa::load(app, &user.pool_id).await?;
            let (code_mac, sent_at) =
                send_code(app, (pool, client), &user, (&state, medium), true).await?;
            let mut parameters = BTreeMap::new();
            delivery_parameters(&mut parameters, &user, medium);
            let pending = if choice == C::EmailOtp {
                Pending::EmailOtp {
                    code_mac,
                    sent_at,
                    first_factor: true,
                    simulated: false,
                }
            } else {
                Pending::SmsOtp {
                    code_mac,
                    sent_at,
                    simulated: false,
                }
            };
            Ok(Outcome::Challenge {
                name: choice,
                session: Some(session(app, client, &user, device_key, pending).await?),
                parameters,
            })
        }
        C::WebAuthn => {
            let (options, state) = web_authn::request_options(app, pool, &user).await?;
            let pending = Pending::WebAuthn {
                state,
                simulated: false,
            };
            Ok(Outcome::Challenge {
                name: choice,
                session: Some(session(app, client, &user, device_key, pending).await?),
                parameters: BTreeMap::from([("CREDENTIAL_REQUEST_OPTIONS".to_owned(), options)]),
            })
        }
        _ => Err(not_enabled()),
    }
}

fn not_enabled() -> ApiError {
    ApiError::invalid_parameter("Invalid challenge name or the challenge is not enabled.")
}

/// For a user that does not exist: the challenge asked for (or SELECT_CHALLENGE with every
/// factor the pool allows), shaped as a real one, whose answers fail.
async fn simulated(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    name: &str,
    preferred: Option<ChallengeNameType>,
) -> Result<Outcome, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let shown = super::auth::simulated_username(app, pool, name);
    let doc = |pending| SessionDoc {
        client_id: client_id_of(client),
        username: shown.clone(),
        srp_user_id: shown.clone(),
        from_device: None,
        pending,
    };
    let sent_at = app.now();
    let code_mac = String::new();
    let mut parameters = BTreeMap::new();
    let mut delivered = |medium: &str, destination: String| {
        parameters.insert(
            "CODE_DELIVERY_DELIVERY_MEDIUM".to_owned(),
            medium.to_owned(),
        );
        parameters.insert("CODE_DELIVERY_DESTINATION".to_owned(), destination);
    };
    let (challenge, pending) = match preferred {
        Some(C::EmailOtp) => {
            delivered("EMAIL", ironpool_core::attributes::mask_email(name));
            let pending = Pending::EmailOtp {
                code_mac,
                sent_at,
                first_factor: true,
                simulated: true,
            };
            (C::EmailOtp, pending)
        }
        Some(C::SmsOtp) => {
            delivered("SMS", ironpool_core::attributes::mask_phone(name));
            let pending = Pending::SmsOtp {
                code_mac,
                sent_at,
                simulated: true,
            };
            (C::SmsOtp, pending)
        }
        Some(C::WebAuthn) => {
            let options = web_authn::simulated_options(app, pool, &shown).await?;
            parameters.insert("CREDENTIAL_REQUEST_OPTIONS".to_owned(), options);
            let pending = Pending::WebAuthn {
                state: String::new(),
                simulated: true,
            };
            (C::WebAuthn, pending)
        }
        _ => {
            let available = challenges_of(&allowed_factors(pool));
            let pending = Pending::SelectChallenge {
                choices: available.iter().map(|c| c.as_str().to_owned()).collect(),
                simulated: true,
            };
            let (session, _) = start_session(app, pool_id, client, &doc(pending)).await?;
            return Ok(Outcome::Select { session, available });
        }
    };
    let (session, _) = start_session(app, pool_id, client, &doc(pending)).await?;
    Ok(Outcome::Challenge {
        name: challenge,
        session: Some(session),
        parameters,
    })
}

/// The answer to SELECT_CHALLENGE (or a PASSWORD or PASSWORD_SRP answer to its session): the
/// chosen challenge begins; or the answer to WEB_AUTHN: the passkey's assertion.
pub(crate) async fn respond(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    challenge: ChallengeNameType,
    doc: SessionDoc,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    if challenge == C::WebAuthn {
        return passkey_answer(app, pool, client, doc, responses).await;
    }
    let Pending::SelectChallenge {
        choices,
        simulated: for_nobody,
    } = &doc.pending
    else {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    };
    let choice = match challenge {
        C::SelectChallenge => {
            let answer = responses.get("ANSWER").ok_or_else(|| missing("ANSWER"))?;
            C::from_value(answer).ok_or_else(not_enabled)?
        }
        other => other,
    };
    if !choices.iter().any(|c| c == choice.as_str()) {
        return Err(not_enabled());
    }
    if *for_nobody {
        return match choice {
            C::Password => {
                let password = responses
                    .get("PASSWORD")
                    .ok_or_else(|| missing("PASSWORD"))?;
                Err(no_such_password(app, pool_id, &doc.username, password).await)
            }
            C::PasswordSrp => {
                let srp_a = responses.get("SRP_A").ok_or_else(|| missing("SRP_A"))?;
                srp_auth(app, pool, client, (&doc.username, srp_a), None, true).await
            }
            other => simulated(app, pool, client, &doc.username, Some(other)).await,
        };
    }
    let user = session_user(app, client, pool_id, &doc).await?;
    begin(app, pool, client, user, choice, responses).await
}

/// WEB_AUTHN's CREDENTIAL (an AuthenticationResponseJSON), checked against the ceremony the
/// session keeps; a passkey stands in for MFA.
async fn passkey_answer(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    doc: SessionDoc,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let Pending::WebAuthn { state, simulated } = &doc.pending else {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    };
    let credential = responses
        .get("CREDENTIAL")
        .ok_or_else(|| missing("CREDENTIAL"))?;
    if *simulated {
        // Nobody to sign in: the same pool checks, an equivalent write, the same refusal.
        web_authn::relying_party(app, pool).await?;
        let decoy = auth_events::decoy(app, pool_id, &doc.username);
        let (written, ()) = tokio::join!(decoy_write(app, pool_id, &doc.username, true), decoy);
        written?;
        return Err(incorrect());
    }
    let user = session_user(app, client, pool_id, &doc).await?;
    let user = web_authn::verify_assertion(app, pool, user, state, credential).await?;
    finish_sign_in(app, pool, client, &user, doc.from_device.as_deref(), false).await
}
