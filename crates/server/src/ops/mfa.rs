//! A pool's MFA configuration: SetUserPoolMfaConfig, GetUserPoolMfaConfig.
//!
//! MfaConfiguration, SmsConfiguration and SmsAuthenticationMessage live on the pool (so
//! DescribeUserPool and GetUserPoolMfaConfig always agree); which factors are turned on, and
//! the email and passkey settings, are a `Kind::MfaConfig` document, only ever written
//! together with the pool (one transaction, over the pool's version).
//!
//! Messages: "Invalid MFA configuration given, can't turn off MFA and configure an MFA
//! together." (quoted by terraform-provider-aws's user_pool.go) and, for ON or OPTIONAL
//! without a factor, "Invalid MFA configuration given, can't disable all MFAs with a required
//! or optional configuration." (Cognito's answer). A default pool's answer is only
//! `{"MfaConfiguration":"OFF"}`: terraform's `web_authn_configuration` is not Computed and
//! its basic-pool test plans clean, so AWS returns no default WebAuthnConfiguration.

use super::user_pools::{get_pool, get_pool_versioned};
use super::versioned::{too_many_requests, written, ATTEMPTS};
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_store::{Kind, ResourcesExt};

const KEY: &str = "ALL";

/// The factors turned on, beyond what the pool itself holds.
#[derive(Clone, Debug, Default)]
pub(crate) struct MfaState {
    pub sms_enabled: bool,
    pub software_token: Option<SoftwareTokenMfaConfigType>,
    pub email: Option<EmailMfaConfigType>,
    pub web_authn: Option<WebAuthnConfigurationType>,
}

/// The second factors, by their challenge names.
pub(crate) const SMS_MFA: &str = "SMS_MFA";
pub(crate) const SOFTWARE_TOKEN_MFA: &str = "SOFTWARE_TOKEN_MFA";
pub(crate) const EMAIL_OTP: &str = "EMAIL_OTP";

impl MfaState {
    /// Whether the pool allows the second factor `factor` (a challenge name).
    pub fn allows(&self, factor: &str) -> bool {
        match factor {
            SMS_MFA => self.sms_enabled,
            SOFTWARE_TOKEN_MFA => self
                .software_token
                .as_ref()
                .is_some_and(|t| t.enabled == Some(true)),
            EMAIL_OTP => self.email.is_some(),
            _ => false,
        }
    }

    pub fn any_factor(&self) -> bool {
        [SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP]
            .into_iter()
            .any(|f| self.allows(f))
    }

    /// MFA OFF: every factor goes; passkeys are not MFA and stay.
    pub fn turn_off(&mut self) {
        self.sms_enabled = false;
        self.software_token = None;
        self.email = None;
    }
}

pub(crate) async fn load(app: &App, pool_id: &str) -> Result<MfaState, ApiError> {
    let doc: Option<GetUserPoolMfaConfigResponse> = app
        .store
        .get(Kind::MfaConfig, pool_id, KEY)
        .await
        .or_internal()?;
    Ok(match doc {
        None => MfaState::default(),
        Some(d) => MfaState {
            sms_enabled: d.sms_mfa_configuration.is_some(),
            software_token: d.software_token_mfa_configuration,
            email: d.email_mfa_configuration,
            web_authn: d.web_authn_configuration,
        },
    })
}

/// Reads the pool and then its factors, applies `change` to both and writes them together over
/// the pool's version, retrying when another change came in between (every change of the
/// factors changes the pool, so a newer factors document means a newer pool); returns both as
/// written.
pub(crate) async fn modify_pool_and_factors(
    app: &App,
    pool_id: &str,
    mut change: impl FnMut(&mut UserPoolType, &mut MfaState) -> Result<(), ApiError>,
) -> Result<(UserPoolType, MfaState), ApiError> {
    for _ in 0..ATTEMPTS {
        let (mut pool, version) = get_pool_versioned(app, pool_id).await?;
        let mut state = load(app, pool_id).await?;
        change(&mut pool, &mut state)?;
        let doc = GetUserPoolMfaConfigResponse {
            sms_mfa_configuration: state.sms_enabled.then(SmsMfaConfigType::default),
            software_token_mfa_configuration: state.software_token.clone(),
            email_mfa_configuration: state.email.clone(),
            mfa_configuration: None,
            web_authn_configuration: state.web_authn.clone(),
        };
        let doc = (
            Kind::MfaConfig,
            KEY.to_owned(),
            serde_json::to_string(&doc).or_internal()?,
        );
        let put = app.store.put_user_pool(&pool, version, vec![doc]).await;
        if written(put)? {
            return Ok((pool, state));
        }
    }
    Err(too_many_requests())
}

fn answer(pool: &UserPoolType, state: MfaState) -> GetUserPoolMfaConfigResponse {
    GetUserPoolMfaConfigResponse {
        sms_mfa_configuration: state.sms_enabled.then(|| SmsMfaConfigType {
            sms_authentication_message: pool.sms_authentication_message.clone(),
            sms_configuration: pool.sms_configuration.clone(),
        }),
        software_token_mfa_configuration: state.software_token,
        email_mfa_configuration: state.email,
        mfa_configuration: Some(pool.mfa_configuration.unwrap_or(UserPoolMfaType::Off)),
        web_authn_configuration: state.web_authn,
    }
}

/// Reads the MFA configuration; a pool never configured answers only `MfaConfiguration OFF`.
pub async fn get_user_pool_mfa_config(
    app: &App,
    input: GetUserPoolMfaConfigRequest,
) -> Result<GetUserPoolMfaConfigResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let state = load(app, &input.user_pool_id).await?;
    Ok(answer(&pool, state))
}

/// Replaces the MFA factors (those left out are turned off); OFF with any factor is refused,
/// ON/OPTIONAL needs one; email MFA needs DEVELOPER email and the Essentials tier or higher.
pub async fn set_user_pool_mfa_config(
    app: &App,
    input: SetUserPoolMfaConfigRequest,
) -> Result<SetUserPoolMfaConfigResponse, ApiError> {
    let (pool, state) = modify_pool_and_factors(app, &input.user_pool_id, |pool, state| {
        set_factors(&input, pool, state)?;
        pool.last_modified_date = Some(app.now());
        Ok(())
    })
    .await?;
    let a = answer(&pool, state);
    Ok(SetUserPoolMfaConfigResponse {
        sms_mfa_configuration: a.sms_mfa_configuration,
        software_token_mfa_configuration: a.software_token_mfa_configuration,
        email_mfa_configuration: a.email_mfa_configuration,
        mfa_configuration: a.mfa_configuration,
        web_authn_configuration: a.web_authn_configuration,
    })
}

/// What SetUserPoolMfaConfig changes in the pool and its factors.
fn set_factors(
    input: &SetUserPoolMfaConfigRequest,
    pool: &mut UserPoolType,
    state: &mut MfaState,
) -> Result<(), ApiError> {
    let mode = input
        .mfa_configuration
        .or(pool.mfa_configuration)
        .unwrap_or(UserPoolMfaType::Off);
    let token_on = input
        .software_token_mfa_configuration
        .as_ref()
        .is_some_and(|t| t.enabled == Some(true));
    if mode == UserPoolMfaType::Off {
        if input.sms_mfa_configuration.is_some()
            || token_on
            || input.email_mfa_configuration.is_some()
        {
            return Err(ApiError::invalid_parameter(
                "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
            ));
        }
        state.turn_off();
    } else {
        if input.sms_mfa_configuration.is_none()
            && !token_on
            && input.email_mfa_configuration.is_none()
        {
            return Err(ApiError::invalid_parameter(
                "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
            ));
        }
        if let Some(sms) = &input.sms_mfa_configuration {
            match (&sms.sms_configuration, &pool.sms_configuration) {
                (Some(c), _) => pool.sms_configuration = Some(c.clone()),
                (None, Some(_)) => {}
                (None, None) => {
                    return Err(ApiError::invalid_parameter(
                        "SMS configuration is required to enable SMS MFA.",
                    ))
                }
            }
            if let Some(message) = &sms.sms_authentication_message {
                pool.sms_authentication_message = Some(message.clone());
            }
        }
        if input.email_mfa_configuration.is_some() {
            if pool.user_pool_tier == Some(UserPoolTierType::Lite) {
                return Err(ApiError::new(
                    ErrorCode::FeatureUnavailableInTierException,
                    "Email MFA is not available in the LITE tier. Upgrade the user pool to the ESSENTIALS or PLUS tier.",
                ));
            }
            let developer = pool.email_configuration.as_ref().is_some_and(|e| {
                e.email_sending_account == Some(EmailSendingAccountType::Developer)
            });
            if !developer {
                return Err(ApiError::invalid_parameter(
                    "Email MFA requires the user pool to send email with Amazon SES: set EmailSendingAccount to DEVELOPER.",
                ));
            }
        }
        state.sms_enabled = input.sms_mfa_configuration.is_some();
        state.software_token = input
            .software_token_mfa_configuration
            .clone()
            .filter(|t| t.enabled == Some(true));
        state.email = input.email_mfa_configuration.clone();
    }
    if let Some(mut web) = input.web_authn_configuration.clone() {
        web.user_verification = Some(
            web.user_verification
                .unwrap_or(UserVerificationType::Preferred),
        );
        state.web_authn = Some(web);
    }
    pool.mfa_configuration = Some(mode);
    Ok(())
}
