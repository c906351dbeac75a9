//! One-time codes and the messages that carry them: verification codes (24 hours), reset
//! codes (1 hour), invitations with a temporary password; destinations masked in
//! CodeDeliveryDetails as Cognito masks them.

use super::auth::stable_bytes;
use super::compose::{compose_and_send, Draft, Occasion};
use super::user_attributes::auto_verified;
use crate::app::{App, OrInternal};
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
        Some(Self::new(attribute, user.attribute(attribute)?.to_owned()))
    }

    fn new(attribute: &'static str, value: String) -> Self {
        let medium = if attribute == "email" {
            DeliveryMediumType::Email
        } else {
            DeliveryMediumType::Sms
        };
        Self {
            attribute,
            value,
            medium,
        }
    }

    /// Where a verification code for `attribute` goes: the value waiting for verification,
    /// else the current one.
    fn to_verify(user: &User, attribute: &'static str) -> Option<Self> {
        match user.pending_attributes.get(attribute) {
            Some(v) => Some(Self::new(attribute, v.clone())),
            None => Self::of(user, attribute),
        }
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

/// The attributes sign-up codes go to: the auto-verified ones, the phone number first.
fn sign_up_attributes(pool: &UserPoolType) -> Vec<&'static str> {
    ["phone_number", "email"]
        .into_iter()
        .filter(|a| auto_verified(pool, a))
        .collect()
}

/// Sign-up codes go to the auto-verified attributes: the phone number first, else the email.
pub(crate) fn sign_up_destination(pool: &UserPoolType, user: &User) -> Option<Destination> {
    sign_up_attributes(pool)
        .into_iter()
        .find_map(|a| Destination::of(user, a))
}

/// Whether the pool's AccountRecoverySetting leaves password resets to administrators.
pub(crate) fn admin_only_recovery(pool: &UserPoolType) -> bool {
    pool.account_recovery_setting
        .as_ref()
        .and_then(|a| a.recovery_mechanisms.as_deref())
        .is_some_and(|m| {
            m.iter()
                .any(|o| o.name == RecoveryOptionNameType::AdminOnly)
        })
}

/// The attributes of the pool's AccountRecoverySetting, by priority.
fn recovery_attributes(pool: &UserPoolType) -> Vec<&'static str> {
    let mut options = pool
        .account_recovery_setting
        .as_ref()
        .and_then(|a| a.recovery_mechanisms.clone())
        .unwrap_or_default();
    options.sort_by_key(|o| o.priority);
    options
        .into_iter()
        .filter_map(|o| match o.name {
            RecoveryOptionNameType::VerifiedEmail => Some("email"),
            RecoveryOptionNameType::VerifiedPhoneNumber => Some("phone_number"),
            RecoveryOptionNameType::AdminOnly => None,
        })
        .collect()
}

/// Reset codes follow the pool's AccountRecoverySetting, by priority, to a verified email or
/// phone number.
pub(crate) fn recovery_destination(pool: &UserPoolType, user: &User) -> Option<Destination> {
    recovery_attributes(pool).into_iter().find_map(|attr| {
        user.verified(attr)
            .then(|| Destination::of(user, attr))
            .flatten()
    })
}

/// What a code was "sent" to when the app client hides user existence and the user does not
/// exist, is disabled or cannot be reached (Cognito's simulated delivery): a name given as an
/// email or phone number is masked as given; otherwise the first attribute the pool would
/// use, with an address derived from the name, so that asking again answers the same.
fn simulated_delivery(
    app: &App,
    pool: &UserPoolType,
    name: &str,
    attributes: &[&'static str],
) -> CodeDeliveryDetailsType {
    let dest = if attributes::is_email(name) {
        Destination::new("email", name.to_owned())
    } else if attributes::is_phone(name) {
        Destination::new("phone_number", name.to_owned())
    } else {
        let pool_id = pool.id.as_deref().unwrap_or_default();
        let bytes = stable_bytes(app, "simulated-delivery", pool_id, name);
        let pick = |i: usize, n: u8| bytes.get(i).map_or(0, |b| b % n);
        match attributes.first().copied().unwrap_or("email") {
            "email" => {
                let letter = |i| char::from(b'a' + pick(i, 26));
                Destination::new("email", format!("{}@{}", letter(0), letter(1)))
            }
            _ => {
                let digits: String = (0..10).map(|i| char::from(b'0' + pick(i, 10))).collect();
                Destination::new("phone_number", format!("+1{digits}"))
            }
        }
    };
    dest.details()
}

/// ForgotPassword's simulated delivery: by the pool's recovery mechanisms.
pub(crate) fn simulated_recovery(
    app: &App,
    pool: &UserPoolType,
    name: &str,
) -> CodeDeliveryDetailsType {
    simulated_delivery(app, pool, name, &recovery_attributes(pool))
}

/// ResendConfirmationCode's simulated delivery: by the pool's auto-verified attributes.
pub(crate) fn simulated_sign_up(
    app: &App,
    pool: &UserPoolType,
    name: &str,
) -> CodeDeliveryDetailsType {
    simulated_delivery(app, pool, name, &sign_up_attributes(pool))
}

fn code_hash(app: &App, user: &User, purpose: &CodePurpose, code: &str) -> String {
    app.master_key.mac(
        &format!("code:{}:{}:{}", user.pool_id, user.sub, purpose.as_key()),
        code.as_bytes(),
    )
}

/// Creates a code for `purpose` (replacing any earlier one), sends it to `dest` rendered
/// from the pool's verification template (through [`compose_and_send`] on `occasion`), and
/// returns the CodeDeliveryDetails.
pub(crate) async fn send_code_to(
    app: &App,
    pool: &UserPoolType,
    user: &User,
    (purpose, occasion, client_id): (Purpose<'_>, Occasion, Option<&str>),
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
    let draft = Draft {
        purpose: purpose.name(),
        medium: dest.medium,
        destination: dest.value.clone(),
        subject,
        template,
        code,
    };
    compose_and_send(app, pool, user, occasion, client_id, draft).await?;
    Ok(dest.details())
}

/// Sends a code to where `purpose` sends it; None when the user has no such destination.
pub(crate) async fn send_code(
    app: &App,
    pool: &UserPoolType,
    user: &User,
    why: (Purpose<'_>, Occasion, Option<&str>),
) -> Result<Option<CodeDeliveryDetailsType>, ApiError> {
    let dest = match why.0 {
        Purpose::SignUp => sign_up_destination(pool, user),
        Purpose::ForgotPassword => recovery_destination(pool, user),
        Purpose::VerifyAttribute(a) => ["email", "phone_number"]
            .into_iter()
            .find(|x| *x == a)
            .and_then(|a| Destination::to_verify(user, a)),
    };
    match dest {
        Some(d) => Ok(Some(send_code_to(app, pool, user, why, &d).await?)),
        None => Ok(None),
    }
}

pub(crate) fn code_mismatch() -> ApiError {
    ApiError::new(
        ErrorCode::CodeMismatchException,
        "Invalid verification code provided, please try again.",
    )
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
        CodeOutcome::Mismatch { .. } => Err(code_mismatch()),
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
pub(crate) async fn send_invitation(
    app: &App,
    pool: &UserPoolType,
    user: &User,
    temporary_password: &str,
    mediums: &[DeliveryMediumType],
) -> Result<(), ApiError> {
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
        let draft = Draft {
            purpose: "invitation",
            medium: *medium,
            destination: dest.value,
            subject,
            template,
            code: temporary_password.to_owned(),
        };
        compose_and_send(app, pool, user, Occasion::AdminCreateUser, None, draft).await?;
    }
    Ok(())
}
