//! The second factor of a sign-in: which MFA challenge a pool and a user call for, the codes
//! sent by text message and email, and the answers to SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP,
//! SELECT_MFA_TYPE and MFA_SETUP.
//!
//! - OFF: no second factor. OPTIONAL: the factors the user turned on. ON (and OPTIONAL for a
//!   user whose factors can no longer be used): those, else a verified software token, a phone
//!   number (SMS) or an email address (email MFA) the pool allows; a user with none of them
//!   sets one up first (MFA_SETUP).
//! - Several factors and no preferred one: SELECT_MFA_TYPE.
//! - A code is good for 3 minutes and one answer: a wrong one ends the session (the user signs
//!   in again) and counts toward the user's lockout, as a wrong password does.

use super::auth::{count_failure, decoy_write, missing};
use super::auth_events::{self, Event};
use super::client_documents::client_id_of;
use super::compose::{compose_and_send, Draft, Occasion};
use super::mfa::{self, MfaState, EMAIL_OTP, SMS_MFA, SOFTWARE_TOKEN_MFA};
use super::sign_in::{
    finish_sign_in, session_user, srp_user_id, start_session, Outcome, Pending, SessionDoc,
};
use crate::app::{App, OrInternal};

use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_core::attributes::{self, mask_email, mask_phone};
use ironpool_core::totp;
use ironpool_store::User;
use std::collections::BTreeMap;
use subtle::ConstantTimeEq;

/// How long an SMS or email code is good for.
const CODE_SECONDS: f64 = 180.0;
const DEFAULT_SMS_MESSAGE: &str = "Your authentication code is {####}. ";
const DEFAULT_EMAIL_MESSAGE: &str = "Your authentication code is {####}. ";
const DEFAULT_EMAIL_SUBJECT: &str = "Your authentication code";

/// Whether the user could answer `factor`: a phone number, a verified token, an email address.
pub(crate) fn user_can(user: &User, factor: &str) -> bool {
    match factor {
        SMS_MFA => user.attribute("phone_number").is_some(),
        SOFTWARE_TOKEN_MFA => user.mfa.totp_secret.is_some(),
        EMAIL_OTP => user.attribute("email").is_some(),
        _ => false,
    }
}

/// The factors the user turned on, in Cognito's order (UserMFASettingList).
pub(crate) fn enabled_factors(user: &User) -> Vec<&'static str> {
    let m = &user.mfa;
    [
        (SMS_MFA, m.sms),
        (SOFTWARE_TOKEN_MFA, m.software_token),
        (EMAIL_OTP, m.email),
    ]
    .into_iter()
    .filter(|(_, on)| *on)
    .map(|(f, _)| f)
    .collect()
}

/// The MFA challenge for a user who passed the first factor; None when no second factor is due.
pub(crate) async fn challenge(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: &User,
    device_key: Option<&str>,
) -> Result<Option<Outcome>, ApiError> {
    let mode = pool.mfa_configuration.unwrap_or(UserPoolMfaType::Off);
    if mode == UserPoolMfaType::Off {
        return Ok(None);
    }
    let state = mfa::load(app, &user.pool_id).await?;
    let usable = |f: &&str| state.allows(f) && user_can(user, f);
    let enabled = enabled_factors(user);
    let mut factors: Vec<&str> = enabled.iter().copied().filter(usable).collect();
    // MFA is due in an ON pool, and for a user who turned a factor on that can no longer be
    // used (its phone number deleted, say): never the password alone.
    if factors.is_empty() && (mode == UserPoolMfaType::On || !enabled.is_empty()) {
        factors = [SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP]
            .into_iter()
            .filter(usable)
            .take(1)
            .collect();
        if factors.is_empty() {
            return setup_challenge(app, client, user, device_key, &state)
                .await
                .map(Some);
        }
    }
    let preferred = user
        .mfa
        .preferred
        .as_deref()
        .filter(|p| factors.contains(p));
    let outcome = match (preferred, factors.as_slice()) {
        (_, []) => return Ok(None),
        (Some(one), _) | (None, &[one]) => {
            factor_challenge(app, pool, client, user, device_key, (&state, one)).await?
        }
        (None, several) => {
            let choices: Vec<String> = several.iter().map(|f| f.to_string()).collect();
            let mut parameters = base_parameters(user);
            parameters.insert(
                "MFAS_CAN_CHOOSE".into(),
                serde_json::to_string(&choices).or_internal()?,
            );
            let pending = Pending::SelectMfaType { choices };
            let session = session(app, client, user, device_key, pending).await?;
            Outcome::Challenge {
                name: ChallengeNameType::SelectMfaType,
                session: Some(session),
                parameters,
            }
        }
    };
    Ok(Some(outcome))
}

fn base_parameters(user: &User) -> BTreeMap<String, String> {
    let mut parameters = BTreeMap::new();
    parameters.insert("USER_ID_FOR_SRP".into(), srp_user_id(user));
    parameters
}

/// A new session of `user` waiting for `pending`.
pub(crate) async fn session(
    app: &App,
    client: &UserPoolClientType,
    user: &User,
    device_key: Option<&str>,
    pending: Pending,
) -> Result<String, ApiError> {
    let doc = SessionDoc {
        client_id: client_id_of(client),
        username: user.username.clone(),
        srp_user_id: srp_user_id(user),
        from_device: device_key.map(str::to_owned),
        pending,
    };
    Ok(start_session(app, &user.pool_id, client, &doc).await?.0)
}

/// MFA_SETUP: what the user may set up (MFAS_CAN_SETUP).
async fn setup_challenge(
    app: &App,
    client: &UserPoolClientType,
    user: &User,
    device_key: Option<&str>,
    state: &MfaState,
) -> Result<Outcome, ApiError> {
    let can: Vec<&str> = [SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP]
        .into_iter()
        .filter(|f| state.allows(f))
        .collect();
    let mut parameters = base_parameters(user);
    parameters.insert(
        "MFAS_CAN_SETUP".into(),
        serde_json::to_string(&can).or_internal()?,
    );
    let pending = Pending::MfaSetup {
        totp_secret: None,
        verified: false,
    };
    Ok(Outcome::Challenge {
        name: ChallengeNameType::MfaSetup,
        session: Some(session(app, client, user, device_key, pending).await?),
        parameters,
    })
}

/// The MAC a session keeps of a code sent to the user `sub` of `pool_id`.
fn code_mac(app: &App, (pool_id, sub): (&str, &str), code: &str) -> String {
    app.master_key
        .mac(&format!("mfa-code:{pool_id}:{sub}"), code.as_bytes())
}

/// The response that carries the code of a code challenge.
fn code_field(challenge: ChallengeNameType) -> Option<&'static str> {
    match challenge {
        ChallengeNameType::SmsMfa => Some("SMS_MFA_CODE"),
        ChallengeNameType::SmsOtp => Some("SMS_OTP_CODE"),
        ChallengeNameType::EmailOtp => Some("EMAIL_OTP_CODE"),
        _ => None,
    }
}

/// The challenge of one factor; SMS and email codes are sent now.
async fn factor_challenge(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: &User,
    device_key: Option<&str>,
    (state, factor): (&MfaState, &str),
) -> Result<Outcome, ApiError> {
    let mut parameters = base_parameters(user);
    let (name, pending) = match factor {
        SOFTWARE_TOKEN_MFA => {
            if let Some(name) = &user.mfa.totp_name {
                parameters.insert("FRIENDLY_DEVICE_NAME".into(), name.clone());
            }
            (
                ChallengeNameType::SoftwareTokenMfa,
                Pending::SoftwareTokenMfa,
            )
        }
        SMS_MFA => {
            let (code_mac, sent_at) = send_code(
                app,
                (pool, client),
                user,
                (state, DeliveryMediumType::Sms),
                false,
            )
            .await?;
            delivery_parameters(&mut parameters, user, DeliveryMediumType::Sms);
            (
                ChallengeNameType::SmsMfa,
                Pending::SmsMfa { code_mac, sent_at },
            )
        }
        _ => {
            let medium = DeliveryMediumType::Email;
            let (code_mac, sent_at) =
                send_code(app, (pool, client), user, (state, medium), false).await?;
            delivery_parameters(&mut parameters, user, medium);
            let pending = Pending::EmailOtp {
                code_mac,
                sent_at,
                first_factor: false,
                simulated: false,
            };
            (ChallengeNameType::EmailOtp, pending)
        }
    };
    Ok(Outcome::Challenge {
        name,
        session: Some(session(app, client, user, device_key, pending).await?),
        parameters,
    })
}

/// CODE_DELIVERY_DELIVERY_MEDIUM and CODE_DELIVERY_DESTINATION (masked) of a code sent to the
/// user's phone number or email address.
pub(crate) fn delivery_parameters(
    parameters: &mut BTreeMap<String, String>,
    user: &User,
    medium: DeliveryMediumType,
) {
    let (name, destination) = match medium {
        DeliveryMediumType::Sms => (
            "SMS",
            mask_phone(user.attribute("phone_number").unwrap_or_default()),
        ),
        DeliveryMediumType::Email => (
            "EMAIL",
            mask_email(user.attribute("email").unwrap_or_default()),
        ),
    };
    parameters.insert("CODE_DELIVERY_DELIVERY_MEDIUM".into(), name.into());
    parameters.insert("CODE_DELIVERY_DESTINATION".into(), destination);
}

/// Sends a new sign-in code by text message (the pool's SmsAuthenticationMessage) or email
/// (the email MFA template) to the user's phone number or email address: six digits for MFA,
/// eight for a passwordless sign-in (`first_factor`). Returns its MAC and when it was sent.
pub(crate) async fn send_code(
    app: &App,
    (pool, client): (&UserPoolType, &UserPoolClientType),
    user: &User,
    (state, medium): (&MfaState, DeliveryMediumType),
    first_factor: bool,
) -> Result<(String, f64), ApiError> {
    let (digits, purpose) = if first_factor {
        (8, "sign_in")
    } else {
        (6, "mfa")
    };
    let (destination, subject, template) = match medium {
        DeliveryMediumType::Sms => (
            user.attribute("phone_number").unwrap_or_default(),
            None,
            pool.sms_authentication_message
                .clone()
                .unwrap_or_else(|| DEFAULT_SMS_MESSAGE.into()),
        ),
        DeliveryMediumType::Email => {
            let config = state.email.clone().unwrap_or_default();
            (
                user.attribute("email").unwrap_or_default(),
                Some(
                    config
                        .subject
                        .unwrap_or_else(|| DEFAULT_EMAIL_SUBJECT.into()),
                ),
                config
                    .message
                    .unwrap_or_else(|| DEFAULT_EMAIL_MESSAGE.into()),
            )
        }
    };
    let code = attributes::code_of(app.rng.as_ref(), digits);
    let mac = code_mac(app, (&user.pool_id, &user.sub), &code);
    let draft = Draft {
        purpose,
        medium,
        destination: destination.to_owned(),
        subject,
        template,
        code,
    };
    let client_id = client_id_of(client);
    compose_and_send(
        app,
        pool,
        user,
        Occasion::Authentication,
        Some(&client_id),
        draft,
    )
    .await?;
    Ok((mac, app.now()))
}

/// A wrong MFA code: counted toward lockout, as a wrong password is, and recorded.
async fn wrong_code(app: &App, user: User) -> Result<(), ApiError> {
    let recorded = auth_events::record(app, &user, Event::WrongMfaCode);
    let (counted, ()) = tokio::join!(count_failure(app, user), recorded);
    counted
}

fn code_mismatch(message: &str) -> ApiError {
    ApiError::new(ErrorCode::CodeMismatchException, message)
}

/// Answers an MFA challenge whose session `doc` was taken: the code, the choice, or the
/// finished setup.
pub(crate) async fn respond(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    challenge: ChallengeNameType,
    doc: SessionDoc,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let invalid_session = || ApiError::not_authorized("Invalid session for the user.");
    let get = |name: &str| responses.get(name).ok_or_else(|| missing(name));
    if doc.pending.simulated() {
        // Nobody to sign in: the same check, an equivalent write, and the same refusal.
        let field = code_field(challenge).ok_or_else(invalid_session)?;
        let _ = code_mac(app, (pool_id, &doc.username), get(field)?);
        let decoy = auth_events::decoy(app, pool_id, &doc.username);
        let (written, ()) = tokio::join!(decoy_write(app, pool_id, &doc.username, true), decoy);
        written?;
        return Err(code_mismatch("Invalid code or auth state for the user."));
    }
    let user = session_user(app, client, pool_id, &doc).await?;
    let device_key = doc.from_device.as_deref();
    match (challenge, &doc.pending) {
        (
            ChallengeNameType::SmsMfa,
            Pending::SmsMfa {
                code_mac: mac,
                sent_at,
            },
        )
        | (
            ChallengeNameType::SmsOtp,
            Pending::SmsOtp {
                code_mac: mac,
                sent_at,
                ..
            },
        )
        | (
            ChallengeNameType::EmailOtp,
            Pending::EmailOtp {
                code_mac: mac,
                sent_at,
                ..
            },
        ) => {
            let code = get(code_field(challenge).ok_or_else(invalid_session)?)?;
            let good: bool = code_mac(app, (pool_id, &user.sub), code)
                .as_bytes()
                .ct_eq(mac.as_bytes())
                .into();
            if !good {
                wrong_code(app, user).await?;
                return Err(code_mismatch("Invalid code or auth state for the user."));
            }
            if app.now() > sent_at + CODE_SECONDS {
                return Err(ApiError::new(
                    ErrorCode::ExpiredCodeException,
                    "Your code has expired, please sign in again.",
                ));
            }
            // A passwordless first factor stands in for MFA.
            let mfa = matches!(
                doc.pending,
                Pending::SmsMfa { .. }
                    | Pending::EmailOtp {
                        first_factor: false,
                        ..
                    }
            );
            finish_sign_in(app, pool, client, &user, device_key, mfa).await
        }
        (ChallengeNameType::SoftwareTokenMfa, Pending::SoftwareTokenMfa) => {
            let code = get("SOFTWARE_TOKEN_MFA_CODE")?;
            let user = accept_token_code(app, user, code).await?;
            finish_sign_in(app, pool, client, &user, device_key, true).await
        }
        (ChallengeNameType::SelectMfaType, Pending::SelectMfaType { choices }) => {
            let answer = get("ANSWER")?;
            if !choices.iter().any(|c| c == answer) {
                return Err(ApiError::invalid_parameter(
                    "Invalid challenge response: ANSWER is not an MFA type the user can choose.",
                ));
            }
            let state = mfa::load(app, pool_id).await?;
            factor_challenge(app, pool, client, &user, device_key, (&state, answer)).await
        }
        (ChallengeNameType::MfaSetup, Pending::MfaSetup { verified: true, .. }) => {
            finish_sign_in(app, pool, client, &user, device_key, true).await
        }
        (ChallengeNameType::MfaSetup, Pending::MfaSetup { .. })
            if responses.contains_key("EMAIL") =>
        {
            setup_email(app, pool, client, user, device_key, &responses["EMAIL"]).await
        }
        (ChallengeNameType::MfaSetup, Pending::MfaSetup { .. }) => Err(ApiError::new(
            ErrorCode::SoftwareTokenMFANotFoundException,
            "Software Token MFA has not been verified for the user.",
        )),
        _ => Err(invalid_session()),
    }
}

/// MFA_SETUP answered with an email address: it becomes the user's (unverified) email, email
/// MFA is turned on, and the EMAIL_OTP challenge follows.
async fn setup_email(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: User,
    device_key: Option<&str>,
    email: &str,
) -> Result<Outcome, ApiError> {
    let state = mfa::load(app, &user.pool_id).await?;
    if !state.allows(EMAIL_OTP) {
        return Err(ApiError::invalid_parameter(
            "EMAIL_OTP is not enabled for the user pool.",
        ));
    }
    if !attributes::is_email(email) {
        return Err(ApiError::invalid_parameter("Invalid email address format."));
    }
    let user = super::auth::modify_user(app, user, |u| {
        if u.attribute("email") != Some(email) {
            u.attributes.insert("email".into(), email.to_owned());
            u.attributes.insert("email_verified".into(), "false".into());
        }
        u.mfa.email = true;
    })
    .await?;
    factor_challenge(app, pool, client, &user, device_key, (&state, EMAIL_OTP)).await
}

/// Checks a code of the user's verified software token: each time step's code is accepted
/// once; a wrong code counts toward lockout.
pub(crate) async fn accept_token_code(app: &App, user: User, code: &str) -> Result<User, ApiError> {
    let Some(sealed) = user.mfa.totp_secret.clone() else {
        return Err(ApiError::new(
            ErrorCode::SoftwareTokenMFANotFoundException,
            "Software Token MFA not found for the user.",
        ));
    };
    let secret = open_secret(app, &user, &sealed)?;
    let now = app.now().max(0.0) as u64;
    let Some(step) = totp::verify(&secret, code, now, user.mfa.totp_last_step) else {
        wrong_code(app, user).await?;
        return Err(code_mismatch("Invalid code received for user"));
    };
    super::auth::modify_user(app, user, |u| {
        u.mfa.totp_last_step = Some(step.max(u.mfa.totp_last_step.unwrap_or(0)));
    })
    .await
}

fn totp_context(user: &User) -> String {
    format!("totp:{}:{}", user.pool_id, user.sub)
}

/// Seals a software token secret for the user.
pub(crate) fn seal_secret(app: &App, user: &User, secret: &[u8]) -> String {
    app.master_key
        .seal(app.rng.as_ref(), &totp_context(user), secret)
}

pub(crate) fn open_secret(app: &App, user: &User, sealed: &str) -> Result<Vec<u8>, ApiError> {
    app.master_key
        .open(&totp_context(user), sealed)
        .map_err(|_| "a software token secret does not open")
        .or_internal()
}
