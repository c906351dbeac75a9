//! A user's second factors: AssociateSoftwareToken and VerifySoftwareToken (by access token, or
//! by the Session of an MFA_SETUP challenge), SetUserMFAPreference, AdminSetUserMFAPreference,
//! AdminDeleteSoftwareToken, and the legacy SetUserSettings / AdminSetUserSettings (SMS only).
//!
//! Verifying a token with an access token registers it; the user turns it on with
//! SetUserMFAPreference. Verifying it during MFA_SETUP also turns it on (and prefers it when
//! nothing else is preferred), since the pool requires a second factor.

use super::clients::get_client;
use super::mfa::{self, MfaState, EMAIL_OTP, SMS_MFA, SOFTWARE_TOKEN_MFA};
use super::mfa_sign_in::{open_secret, seal_secret, user_can};
use super::sign_in::{put_session, start_session, take_any_session, Pending, SessionDoc};
use super::tokens::authorize;
use super::user_pools::get_pool;
use super::users;
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode, Sensitive};
use ironpool_core::totp;
use ironpool_store::User;

fn token_not_enabled() -> ApiError {
    ApiError::new(
        ErrorCode::SoftwareTokenMFANotFoundException,
        "Software Token MFA is not enabled for the user pool.",
    )
}

fn token_mismatch() -> ApiError {
    ApiError::new(
        ErrorCode::EnableSoftwareTokenMFAException,
        "Code mismatch and fail enable Software Token MFA",
    )
}

/// Exactly one of an access token and a session.
fn one_of<'a>(
    access_token: &'a Option<Sensitive<String>>,
    session: &'a Option<Sensitive<String>>,
) -> Result<Result<&'a str, &'a str>, ApiError> {
    match (access_token, session) {
        (Some(t), None) => Ok(Ok(t.expose())),
        (None, Some(s)) => Ok(Err(s.expose())),
        _ => Err(ApiError::invalid_parameter(
            "Exactly one of AccessToken and Session is required.",
        )),
    }
}

/// A new secret (160 bits) and its base32 form, the SecretCode.
fn new_secret(app: &App) -> ([u8; totp::SECRET_BYTES], String) {
    let secret = totp::new_secret(app.rng.as_ref());
    let code = totp::base32(&secret);
    (secret, code)
}

/// A fresh secret for the user's authenticator app; it counts once verified.
pub async fn associate_software_token(
    app: &App,
    input: AssociateSoftwareTokenRequest,
) -> Result<AssociateSoftwareTokenResponse, ApiError> {
    match one_of(&input.access_token, &input.session)? {
        Ok(token) => {
            let (user, _, _) = authorize(app, token).await?;
            if !mfa::load(app, &user.pool_id)
                .await?
                .allows(SOFTWARE_TOKEN_MFA)
            {
                return Err(token_not_enabled());
            }
            let (secret, code) = new_secret(app);
            let sealed = seal_secret(app, &user, &secret);
            super::auth::modify_user(app, user, |u| {
                u.mfa.pending_totp_secret = Some(sealed.clone());
            })
            .await?;
            Ok(AssociateSoftwareTokenResponse {
                secret_code: Some(Sensitive(code)),
                session: None,
            })
        }
        Err(session) => {
            let taken = take_any_session(app, session).await?;
            if !matches!(taken.doc.pending, Pending::MfaSetup { .. }) {
                return Err(ApiError::not_authorized("Invalid session for the user."));
            }
            let (secret, code) = new_secret(app);
            let doc = SessionDoc {
                pending: Pending::MfaSetup {
                    totp_secret: Some(hex::encode(secret)),
                    verified: false,
                },
                ..taken.doc
            };
            let client = get_client(app, &taken.pool_id, &doc.client_id).await?;
            let (id, _) = start_session(app, &taken.pool_id, &client.client, &doc).await?;
            Ok(AssociateSoftwareTokenResponse {
                secret_code: Some(Sensitive(code)),
                session: Some(Sensitive(id)),
            })
        }
    }
}

/// Checks a code from the new secret; a wrong one is EnableSoftwareTokenMFAException (during
/// MFA_SETUP the session stays usable for another try).
pub async fn verify_software_token(
    app: &App,
    input: VerifySoftwareTokenRequest,
) -> Result<VerifySoftwareTokenResponse, ApiError> {
    let code = input.user_code.expose();
    let name = input.friendly_device_name.clone();
    let now = app.now().max(0.0) as u64;
    match one_of(&input.access_token, &input.session)? {
        Ok(token) => {
            let (user, _, _) = authorize(app, token).await?;
            let Some(sealed) = user.mfa.pending_totp_secret.clone() else {
                return Err(ApiError::new(
                    ErrorCode::SoftwareTokenMFANotFoundException,
                    "Software Token MFA has not been associated with the user.",
                ));
            };
            let secret = open_secret(app, &user, &sealed)?;
            let step = totp::verify(&secret, code, now, None).ok_or_else(token_mismatch)?;
            super::auth::modify_user(app, user, |u| register(u, &sealed, &name, step)).await?;
            Ok(VerifySoftwareTokenResponse {
                status: Some(VerifySoftwareTokenResponseType::Success),
                session: None,
            })
        }
        Err(session) => {
            let taken = take_any_session(app, session).await?;
            let Pending::MfaSetup {
                totp_secret: Some(secret_hex),
                ..
            } = &taken.doc.pending
            else {
                return Err(ApiError::not_authorized("Invalid session for the user."));
            };
            let secret = hex::decode(secret_hex).or_internal()?;
            let Some(step) = totp::verify(&secret, code, now, None) else {
                put_session(app, &taken.pool_id, session, &taken.doc, taken.expires_at).await?;
                return Err(token_mismatch());
            };
            let user = app
                .store
                .get_user(&taken.pool_id, &taken.doc.username)
                .await
                .or_internal()?
                .ok_or_else(users::user_not_found)?;
            let sealed = seal_secret(app, &user, &secret);
            super::auth::modify_user(app, user, |u| {
                register(u, &sealed, &name, step);
                u.mfa.software_token = true;
                if u.mfa.preferred.is_none() {
                    u.mfa.preferred = Some(SOFTWARE_TOKEN_MFA.into());
                }
            })
            .await?;
            let doc = SessionDoc {
                pending: Pending::MfaSetup {
                    totp_secret: None,
                    verified: true,
                },
                ..taken.doc
            };
            let client = get_client(app, &taken.pool_id, &doc.client_id).await?;
            let (id, _) = start_session(app, &taken.pool_id, &client.client, &doc).await?;
            Ok(VerifySoftwareTokenResponse {
                status: Some(VerifySoftwareTokenResponseType::Success),
                session: Some(Sensitive(id)),
            })
        }
    }
}

/// Makes the verified token the user's: its sealed secret, name and the step of the code that
/// verified it (that code is not accepted again).
fn register(user: &mut User, sealed: &str, name: &Option<String>, step: u64) {
    user.mfa.totp_secret = Some(sealed.to_owned());
    user.mfa.pending_totp_secret = None;
    user.mfa.totp_name = name.clone();
    user.mfa.totp_last_step = Some(step);
}

/// One factor's requested (Enabled, PreferredMfa).
type Setting = (Option<bool>, Option<bool>);

/// Applies the settings given (those left out stay as they are); a factor the pool does not
/// allow or the user cannot answer is InvalidParameterException, and one factor at most is
/// preferred.
fn apply_preference(
    state: &MfaState,
    user: &mut User,
    settings: &[(&str, Option<Setting>)],
) -> Result<(), ApiError> {
    let preferred: Vec<&str> = settings
        .iter()
        .filter(|(_, s)| s.is_some_and(|(_, p)| p == Some(true)))
        .map(|(f, _)| *f)
        .collect();
    if preferred.len() > 1 {
        return Err(ApiError::invalid_parameter(
            "Only one MFA method can be preferred.",
        ));
    }
    for &(factor, setting) in settings {
        let Some((enabled, prefer)) = setting else {
            continue;
        };
        let prefer = prefer == Some(true);
        let on = enabled == Some(true) || prefer;
        if on && !state.allows(factor) {
            return Err(ApiError::invalid_parameter(format!(
                "{factor} is not enabled for the user pool."
            )));
        }
        if on && !user_can(user, factor) {
            return Err(ApiError::invalid_parameter(format!(
                "User does not have delivery config set to turn on {factor}"
            )));
        }
        let flag = match factor {
            SMS_MFA => &mut user.mfa.sms,
            SOFTWARE_TOKEN_MFA => &mut user.mfa.software_token,
            _ => &mut user.mfa.email,
        };
        if enabled.is_some() || prefer {
            *flag = on;
        }
        if prefer {
            user.mfa.preferred = Some(factor.to_owned());
        } else if user.mfa.preferred.as_deref() == Some(factor) {
            user.mfa.preferred = None;
        }
    }
    Ok(())
}

fn settings(
    sms: Option<SMSMfaSettingsType>,
    token: Option<SoftwareTokenMfaSettingsType>,
    email: Option<EmailMfaSettingsType>,
) -> [(&'static str, Option<Setting>); 3] {
    [
        (SMS_MFA, sms.map(|s| (s.enabled, s.preferred_mfa))),
        (
            SOFTWARE_TOKEN_MFA,
            token.map(|s| (s.enabled, s.preferred_mfa)),
        ),
        (EMAIL_OTP, email.map(|s| (s.enabled, s.preferred_mfa))),
    ]
}

/// Turns the signed-in user's factors on or off and picks the preferred one.
pub async fn set_user_mfa_preference(
    app: &App,
    input: SetUserMFAPreferenceRequest,
) -> Result<SetUserMFAPreferenceResponse, ApiError> {
    let (user, _, _) = authorize(app, input.access_token.expose()).await?;
    let state = mfa::load(app, &user.pool_id).await?;
    let given = settings(
        input.sms_mfa_settings,
        input.software_token_mfa_settings,
        input.email_mfa_settings,
    );
    let mut checked = user.clone();
    apply_preference(&state, &mut checked, &given)?;
    super::auth::modify_user(app, user, |u| u.mfa = checked.mfa.clone()).await?;
    Ok(SetUserMFAPreferenceResponse {})
}

/// As SetUserMFAPreference, for any user of the pool.
pub async fn admin_set_user_mfa_preference(
    app: &App,
    input: AdminSetUserMFAPreferenceRequest,
) -> Result<AdminSetUserMFAPreferenceResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let state = mfa::load(app, &input.user_pool_id).await?;
    let given = settings(
        input.sms_mfa_settings,
        input.software_token_mfa_settings,
        input.email_mfa_settings,
    );
    users::modify_user(app, &pool, input.username.expose(), |u| {
        apply_preference(&state, u, &given)
    })
    .await?;
    Ok(AdminSetUserMFAPreferenceResponse {})
}

/// Removes the user's software token (verified or not); the user can associate a new one.
pub async fn admin_delete_software_token(
    app: &App,
    input: AdminDeleteSoftwareTokenRequest,
) -> Result<AdminDeleteSoftwareTokenResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    users::modify_user(app, &pool, input.username.expose(), |u| {
        u.mfa.totp_secret = None;
        u.mfa.pending_totp_secret = None;
        u.mfa.totp_name = None;
        u.mfa.totp_last_step = None;
        u.mfa.software_token = false;
        if u.mfa.preferred.as_deref() == Some(SOFTWARE_TOKEN_MFA) {
            u.mfa.preferred = None;
        }
        Ok(())
    })
    .await?;
    Ok(AdminDeleteSoftwareTokenResponse {})
}

/// The legacy MFAOptions: SMS to the phone number turns SMS MFA on, an empty list turns it off.
fn apply_mfa_options(
    state: &MfaState,
    user: &mut User,
    options: &[MFAOptionType],
) -> Result<(), ApiError> {
    let sms = match options {
        [] => false,
        [MFAOptionType {
            delivery_medium: Some(DeliveryMediumType::Sms),
            attribute_name: Some(name),
        }] if name == "phone_number" => true,
        _ => {
            return Err(ApiError::invalid_parameter(
                "Only SMS to the phone_number attribute can be set with MFAOptions.",
            ))
        }
    };
    let setting = (Some(sms), None);
    apply_preference(state, user, &[(SMS_MFA, Some(setting))])
}

/// SetUserSettings: the signed-in user's legacy MFAOptions.
pub async fn set_user_settings(
    app: &App,
    input: SetUserSettingsRequest,
) -> Result<SetUserSettingsResponse, ApiError> {
    let (user, _, _) = authorize(app, input.access_token.expose()).await?;
    let state = mfa::load(app, &user.pool_id).await?;
    let mut checked = user.clone();
    apply_mfa_options(&state, &mut checked, &input.mfa_options)?;
    super::auth::modify_user(app, user, |u| u.mfa = checked.mfa.clone()).await?;
    Ok(SetUserSettingsResponse {})
}

/// AdminSetUserSettings: any user's legacy MFAOptions.
pub async fn admin_set_user_settings(
    app: &App,
    input: AdminSetUserSettingsRequest,
) -> Result<AdminSetUserSettingsResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let state = mfa::load(app, &input.user_pool_id).await?;
    users::modify_user(app, &pool, input.username.expose(), |u| {
        apply_mfa_options(&state, u, &input.mfa_options)
    })
    .await?;
    Ok(AdminSetUserSettingsResponse {})
}

/// What GetUser and AdminGetUser say of a user's factors: MFAOptions (SMS on),
/// PreferredMfaSetting and UserMFASettingList, each left out when empty.
pub(crate) struct MfaFields {
    pub mfa_options: Option<Vec<MFAOptionType>>,
    pub preferred: Option<String>,
    pub list: Option<Vec<String>>,
}

pub(crate) fn mfa_fields(user: &User) -> MfaFields {
    let list: Vec<String> = super::mfa_sign_in::enabled_factors(user)
        .into_iter()
        .map(str::to_owned)
        .collect();
    MfaFields {
        mfa_options: user.mfa.sms.then(|| {
            vec![MFAOptionType {
                delivery_medium: Some(DeliveryMediumType::Sms),
                attribute_name: Some("phone_number".into()),
            }]
        }),
        preferred: user.mfa.preferred.clone(),
        list: (!list.is_empty()).then_some(list),
    }
}
