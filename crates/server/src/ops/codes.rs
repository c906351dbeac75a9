//! One-time codes and the messages that carry them: verification codes (24 hours), reset
//! codes (1 hour), invitations with a temporary password; destinations masked in
//! CodeDeliveryDetails as Cognito masks them.

use super::user_attributes::auto_verified;
use crate::app::{App, OrInternal};
use crate::messages::Message;
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_core::attributes::{self, defaults};
use ironpool_store::{CodeOutcome, CodePurpose, User};

/// What a code is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Purpose<'a> {
    SignUp,
    ForgotPassword,
    VerifyAttribute(&'a str),
}

impl Purpose<'_> {
    fn store(self) -> CodePurpose {
        match self {
            Purpose::SignUp => CodePurpose::SignUp,
            Purpose::ForgotPassword => CodePurpose::ForgotPassword,
            Purpose::VerifyAttribute(a) => CodePurpose::VerifyAttribute(a.to_owned()),
        }
    }

    fn validity_seconds(self) -> f64 {
        match self {
            Purpose::ForgotPassword => 3600.0,
            _ => 24.0 * 3600.0,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Purpose::SignUp => "sign_up",
            Purpose::ForgotPassword => "forgot_password",
            Purpose::VerifyAttribute(_) => "verify_attribute",
        }
    }
}

/// Where a message goes: the attribute, its value, EMAIL or SMS.
#[derive(Clone, Debug)]
pub(crate) struct Destination {
    pub attribute: &'static str,
    pub value: String,
    pub medium: DeliveryMediumType,
}

impl Destination {
    fn of(user: &User, attribute: &'static str) -> Option<Self> {
        let value = user.attribute(attribute)?.to_owned();
        let medium = if attribute == "email" {
            DeliveryMediumType::Email
        } else {
            DeliveryMediumType::Sms
        };
        Some(Self {
            attribute,
            value,
            medium,
        })
    }

    pub fn details(&self) -> CodeDeliveryDetailsType {
        let masked = if self.medium == DeliveryMediumType::Email {
            attributes::mask_email(&self.value)
        } else {
            attributes::mask_phone(&self.value)
        };
        CodeDeliveryDetailsType {
            destination: Some(masked),
            delivery_medium: Some(self.medium),
            attribute_name: Some(self.attribute.to_owned()),
        }
    }
}

/// Sign-up codes go to the auto-verified attributes: the phone number first, else the email.
pub(crate) fn sign_up_destination(pool: &UserPoolType, user: &User) -> Option<Destination> {
    ["phone_number", "email"]
        .into_iter()
        .filter(|a| auto_verified(pool, a))
        .find_map(|a| Destination::of(user, a))
}

/// Reset codes follow the pool's AccountRecoverySetting, by priority, to a verified email or
/// phone number.
pub(crate) fn recovery_destination(pool: &UserPoolType, user: &User) -> Option<Destination> {
    let mut options = pool
        .account_recovery_setting
        .as_ref()
        .and_then(|a| a.recovery_mechanisms.clone())
        .unwrap_or_default();
    options.sort_by_key(|o| o.priority);
    options.into_iter().find_map(|o| {
        let attr = match o.name {
            RecoveryOptionNameType::VerifiedEmail => "email",
            RecoveryOptionNameType::VerifiedPhoneNumber => "phone_number",
            RecoveryOptionNameType::AdminOnly => return None,
        };
        user.verified(attr)
            .then(|| Destination::of(user, attr))
            .flatten()
    })
}

fn medium_name(m: DeliveryMediumType) -> &'static str {
    match m {
        DeliveryMediumType::Email => "EMAIL",
        DeliveryMediumType::Sms => "SMS",
    }
}

fn code_hash(app: &App, user: &User, purpose: &CodePurpose, code: &str) -> String {
    app.master_key.mac(
        &format!("code:{}:{}:{}", user.pool_id, user.sub, purpose.as_key()),
        code.as_bytes(),
    )
}

/// Creates a code for `purpose` (replacing any earlier one), sends it to `dest` rendered
/// from the pool's verification template, and returns the CodeDeliveryDetails.
pub(crate) async fn send_code_to(
    app: &App,
    pool: &UserPoolType,
    user: &User,
    purpose: Purpose<'_>,
    dest: &Destination,
) -> Result<CodeDeliveryDetailsType, ApiError> {
    let code = attributes::code(app.rng.as_ref());
    let stored = purpose.store();
    let hash = code_hash(app, user, &stored, &code);
    let expires = app.now() + purpose.validity_seconds();
    app.store
        .put_code(&user.pool_id, &user.username, &stored, &hash, expires)
        .await
        .or_internal()?;
    let t = pool
        .verification_message_template
        .clone()
        .unwrap_or_default();
    let (subject, template) = match dest.medium {
        DeliveryMediumType::Email => (
            Some(
                t.email_subject
                    .unwrap_or_else(|| defaults::VERIFICATION_SUBJECT.into()),
            ),
            t.email_message
                .unwrap_or_else(|| defaults::VERIFICATION_MESSAGE.into()),
        ),
        DeliveryMediumType::Sms => (
            None,
            t.sms_message
                .unwrap_or_else(|| defaults::VERIFICATION_MESSAGE.into()),
        ),
    };
    app.deliver(Message {
        pool_id: user.pool_id.clone(),
        username: user.username.clone(),
        purpose: purpose.name().into(),
        destination: dest.value.clone(),
        medium: medium_name(dest.medium).into(),
        subject,
        body: attributes::render(&template, &user.username, &code),
        code,
        time: app.now(),
    });
    Ok(dest.details())
}

/// Sends a code to where `purpose` sends it; None when the user has no such destination.
pub(crate) async fn send_code(
    app: &App,
    pool: &UserPoolType,
    user: &User,
    purpose: Purpose<'_>,
) -> Result<Option<CodeDeliveryDetailsType>, ApiError> {
    let dest = match purpose {
        Purpose::SignUp => sign_up_destination(pool, user),
        Purpose::ForgotPassword => recovery_destination(pool, user),
        Purpose::VerifyAttribute(a) => ["email", "phone_number"]
            .into_iter()
            .find(|x| *x == a)
            .and_then(|a| Destination::of(user, a)),
    };
    match dest {
        Some(d) => Ok(Some(send_code_to(app, pool, user, purpose, &d).await?)),
        None => Ok(None),
    }
}

/// Presents a code: single use; Cognito's errors for a wrong, expired or exhausted one.
pub(crate) async fn check_code(
    app: &App,
    user: &User,
    purpose: Purpose<'_>,
    code: &str,
) -> Result<(), ApiError> {
    let stored = purpose.store();
    let hash = code_hash(app, user, &stored, code);
    let outcome = app
        .store
        .consume_code(&user.pool_id, &user.username, &stored, &hash, app.now())
        .await
        .or_internal()?;
    match outcome {
        CodeOutcome::Accepted => Ok(()),
        CodeOutcome::Mismatch { .. } => Err(ApiError::new(
            ErrorCode::CodeMismatchException,
            "Invalid verification code provided, please try again.",
        )),
        CodeOutcome::Expired | CodeOutcome::Missing => Err(ApiError::new(
            ErrorCode::ExpiredCodeException,
            "Invalid code provided, please request a code again.",
        )),
        CodeOutcome::TooManyFailures => Err(ApiError::new(
            ErrorCode::LimitExceededException,
            "Attempt limit exceeded, please try after some time.",
        )),
    }
}

/// The invitation of AdminCreateUser, from InviteMessageTemplate, over each requested medium
/// the user has a destination for.
pub(crate) fn send_invitation(
    app: &App,
    pool: &UserPoolType,
    user: &User,
    temporary_password: &str,
    mediums: &[DeliveryMediumType],
) {
    let t = pool
        .admin_create_user_config
        .as_ref()
        .and_then(|c| c.invite_message_template.clone())
        .unwrap_or_default();
    for medium in mediums {
        let attr = match medium {
            DeliveryMediumType::Email => "email",
            DeliveryMediumType::Sms => "phone_number",
        };
        let Some(dest) = Destination::of(user, attr) else {
            continue;
        };
        let (subject, template) = match medium {
            DeliveryMediumType::Email => (
                Some(
                    t.email_subject
                        .clone()
                        .unwrap_or_else(|| defaults::INVITE_SUBJECT.into()),
                ),
                t.email_message
                    .clone()
                    .unwrap_or_else(|| defaults::INVITE_MESSAGE.into()),
            ),
            DeliveryMediumType::Sms => (
                None,
                t.sms_message
                    .clone()
                    .unwrap_or_else(|| defaults::INVITE_MESSAGE.into()),
            ),
        };
        app.deliver(Message {
            pool_id: user.pool_id.clone(),
            username: user.username.clone(),
            purpose: "invitation".into(),
            destination: dest.value,
            medium: medium_name(*medium).into(),
            subject,
            body: attributes::render(&template, &user.username, temporary_password),
            code: temporary_password.to_owned(),
            time: app.now(),
        });
    }
}
