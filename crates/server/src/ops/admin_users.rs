//! Administrators creating and managing users: AdminCreateUser, AdminSetUserPassword,
//! AdminConfirmSignUp, AdminResetUserPassword.

use super::codes::{self, Purpose};
use super::compose::Occasion;
use super::triggers;
use super::user_attributes::{self as attrs, Write};
use super::user_pools::{get_pool, pool_not_found};
use super::users::{
    keep_unknowable_password, load_user, modify_user, set_password, user_disabled, user_type,
};
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_core::attributes::{is_email, is_phone};
use ironpool_core::{ids, password};
use ironpool_store::{User, UserConflict};
use std::collections::BTreeMap;

/// The wire name of a status ("CONFIRMED", ...).
pub(crate) fn status_name(s: UserStatusType) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub(crate) fn has_username_attribute(pool: &UserPoolType, a: UsernameAttributeType) -> bool {
    pool.username_attributes
        .as_deref()
        .unwrap_or_default()
        .contains(&a)
}

pub(crate) fn has_alias(pool: &UserPoolType, a: AliasAttributeType) -> bool {
    pool.alias_attributes
        .as_deref()
        .unwrap_or_default()
        .contains(&a)
}

/// The username and sub of a new user. In pools whose UsernameAttributes make email or phone
/// the sign-in name, the given name must be one (it becomes that attribute) and the stored
/// username is the sub, a UUID; in alias pools the username may not look like an alias.
pub(crate) fn new_identity(
    app: &App,
    pool: &UserPoolType,
    given: &str,
    attributes: &mut BTreeMap<String, String>,
) -> Result<(String, String), ApiError> {
    identity(app.rng.as_ref(), pool, given, attributes)
}

/// [`new_identity`] with the randomness given.
pub(crate) fn identity(
    rng: &dyn ironpool_core::Rng,
    pool: &UserPoolType,
    given: &str,
    attributes: &mut BTreeMap<String, String>,
) -> Result<(String, String), ApiError> {
    let sub = ids::uuid_v4(rng);
    let by_email = has_username_attribute(pool, UsernameAttributeType::Email);
    let by_phone = has_username_attribute(pool, UsernameAttributeType::PhoneNumber);
    if by_email || by_phone {
        if by_email && is_email(given) {
            attributes.insert("email".into(), given.to_owned());
        } else if by_phone && is_phone(given) {
            attributes.insert("phone_number".into(), given.to_owned());
        } else {
            return Err(ApiError::invalid_parameter(match (by_email, by_phone) {
                (true, true) => "Username should be either an email or a phone number.",
                (true, false) => "Username should be an email.",
                _ => "Username should be a phone number.",
            }));
        }
        return Ok((sub.clone(), sub));
    }
    if has_alias(pool, AliasAttributeType::Email) && is_email(given) {
        return Err(ApiError::invalid_parameter(
            "Username cannot be of email format, since user pool is configured for email alias.",
        ));
    }
    if has_alias(pool, AliasAttributeType::PhoneNumber) && is_phone(given) {
        return Err(ApiError::invalid_parameter(
            "Username cannot be of phone number format, since user pool is configured for phone number alias.",
        ));
    }
    Ok((given.to_owned(), sub))
}

/// The error for a refused insert: in email/phone-as-username pools a taken sign-in value is
/// UsernameExistsException, in alias pools AliasExistsException.
pub(crate) fn create_conflict(pool: &UserPoolType, c: UserConflict, taken: &str) -> ApiError {
    match c {
        UserConflict::UsernameExists => ApiError::new(ErrorCode::UsernameExistsException, taken),
        // Deleted while this request wrote to it: answered as if the request came after.
        UserConflict::PoolGone => pool_not_found(pool.id.as_deref().unwrap_or_default()),
        UserConflict::AliasExists(a) => {
            let as_username = (a == "email"
                && has_username_attribute(pool, UsernameAttributeType::Email))
                || (a == "phone_number"
                    && has_username_attribute(pool, UsernameAttributeType::PhoneNumber));
            let message = format!("An account with the given {a} already exists.");
            if as_username {
                ApiError::new(ErrorCode::UsernameExistsException, message)
            } else {
                ApiError::new(ErrorCode::AliasExistsException, message)
            }
        }
    }
}

/// Each medium DesiredDeliveryMediums names needs its address on the user.
fn check_delivery_mediums(user: &User, mediums: &[DeliveryMediumType]) -> Result<(), ApiError> {
    for medium in mediums {
        let (attribute, message) = match medium {
            DeliveryMediumType::Email => (
                "email",
                "No email provided but desired delivery medium was Email",
            ),
            DeliveryMediumType::Sms => (
                "phone_number",
                "No phone number provided but desired delivery medium was SMS",
            ),
        };
        if user.attribute(attribute).is_none() {
            return Err(ApiError::invalid_parameter(message));
        }
    }
    Ok(())
}

/// FORCE_CHANGE_PASSWORD with a temporary password (given, or generated to the policy);
/// the invitation goes by SMS unless DesiredDeliveryMediums says otherwise, never with
/// SUPPRESS (a generated password that is not sent is one nobody knows); RESEND re-invites
/// an existing FORCE_CHANGE_PASSWORD user with a new password.
/// Mediums named explicitly need the matching address.
pub async fn admin_create_user(
    app: &App,
    input: AdminCreateUserRequest,
) -> Result<AdminCreateUserResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let given = input.username.expose().clone();
    let temporary = match &input.temporary_password {
        Some(p) => p.expose().clone(),
        None => password::generate(app.rng.as_ref(), &super::users::policy(&pool).0),
    };
    let desired = input
        .desired_delivery_mediums
        .clone()
        .filter(|m| !m.is_empty());
    let sends = input.message_action != Some(MessageActionType::Suppress);
    let mediums = desired
        .clone()
        .unwrap_or_else(|| vec![DeliveryMediumType::Sms]);

    if input.message_action == Some(MessageActionType::Resend) {
        let current = load_user(app, &pool, &given).await?;
        if current.status != UserStatusType::ForceChangePassword {
            return Err(ApiError::new(
                ErrorCode::UnsupportedUserStateException,
                format!(
                    "Resend not possible. {} status is not FORCE_CHANGE_PASSWORD",
                    current.username
                ),
            ));
        }
        if let Some(m) = &desired {
            check_delivery_mediums(&current, m)?;
        }
        let (user, ()) = modify_user(app, &pool, &given, |u| {
            set_password(app, &pool, u, &temporary, true)
        })
        .await?;
        codes::send_invitation(app, &pool, &user, &temporary, &mediums).await?;
        return Ok(AdminCreateUserResponse {
            user: Some(user_type(&user, None)),
        });
    }

    let mut attributes = attrs::check(
        &pool,
        input.user_attributes.as_deref().unwrap_or_default(),
        Write::Create,
        None,
    )?;
    attributes.retain(|_, v| !v.is_empty());
    let (username, sub) = new_identity(app, &pool, &given, &mut attributes)?;
    attrs::check_required(&pool, &attributes)?;
    let pool_id = input.user_pool_id.clone();
    let status = UserStatusType::ForceChangePassword;
    let mut user = User::new(pool_id, (username, sub), attributes, status, app.now());
    if let Some(m) = desired.as_deref().filter(|_| sends) {
        check_delivery_mediums(&user, m)?;
    }
    let decision = triggers::pre_sign_up(
        app,
        &pool,
        "PreSignUp_AdminCreateUser",
        &user,
        None,
        input.validation_data.as_deref(),
    )
    .await?;
    decision.verify(&mut user.attributes);
    match &input.temporary_password {
        None if !sends => keep_unknowable_password(app, &mut user)?,
        _ => set_password(app, &pool, &mut user, &temporary, true)?,
    }
    let force = input.force_alias_creation.unwrap_or(false);
    if let Err(c) = app
        .store
        .create_user_if_absent(&user, force)
        .await
        .or_internal()?
    {
        return Err(create_conflict(&pool, c, "User account already exists"));
    }
    if sends {
        codes::send_invitation(app, &pool, &user, &temporary, &mediums).await?;
    }
    Ok(AdminCreateUserResponse {
        user: Some(user_type(&user, None)),
    })
}

/// Permanent makes the user CONFIRMED (even from UNCONFIRMED or RESET_REQUIRED); otherwise
/// FORCE_CHANGE_PASSWORD. The policy applies, and PasswordHistorySize to permanent ones.
pub async fn admin_set_user_password(
    app: &App,
    input: AdminSetUserPasswordRequest,
) -> Result<AdminSetUserPasswordResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let permanent = input.permanent.unwrap_or(false);
    let pw = input.password.expose();
    modify_user(app, &pool, input.username.expose(), |u| {
        set_password(app, &pool, u, pw, !permanent)?;
        u.status = if permanent {
            UserStatusType::Confirmed
        } else {
            UserStatusType::ForceChangePassword
        };
        Ok(())
    })
    .await?;
    Ok(AdminSetUserPasswordResponse {})
}

pub(crate) fn cannot_confirm(status: UserStatusType) -> ApiError {
    ApiError::not_authorized(format!(
        "User cannot be confirmed. Current status is {}",
        status_name(status)
    ))
}

/// Only an UNCONFIRMED user can be confirmed; no attribute becomes verified.
pub async fn admin_confirm_sign_up(
    app: &App,
    input: AdminConfirmSignUpRequest,
) -> Result<AdminConfirmSignUpResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let (confirmed, ()) = modify_user(app, &pool, input.username.expose(), |u| {
        if u.status != UserStatusType::Unconfirmed {
            return Err(cannot_confirm(u.status));
        }
        u.status = UserStatusType::Confirmed;
        Ok(())
    })
    .await?;
    triggers::post_confirmation(
        app,
        &pool,
        "PostConfirmation_ConfirmSignUp",
        &confirmed,
        None,
    )
    .await?;
    Ok(AdminConfirmSignUpResponse {})
}

/// A user still on an administrator's temporary password (FORCE_CHANGE_PASSWORD) has no
/// password of its own to reset.
pub(crate) fn cannot_reset_in_state() -> ApiError {
    ApiError::not_authorized("User password cannot be reset in the current state.")
}

pub(crate) fn no_recovery_destination() -> ApiError {
    ApiError::invalid_parameter(
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    )
}

/// RESET_REQUIRED, and a reset code (1 hour) to the first verified destination of the
/// pool's AccountRecoverySetting; with none, InvalidParameterException and no change. Not for
/// FORCE_CHANGE_PASSWORD users.
pub async fn admin_reset_user_password(
    app: &App,
    input: AdminResetUserPasswordRequest,
) -> Result<AdminResetUserPasswordResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let current = load_user(app, &pool, input.username.expose()).await?;
    if !current.enabled {
        return Err(user_disabled());
    }
    if current.status == UserStatusType::ForceChangePassword {
        return Err(cannot_reset_in_state());
    }
    let dest = codes::recovery_destination(&pool, &current);
    if dest.is_none() && !codes::admin_only_recovery(&pool) {
        return Err(no_recovery_destination());
    }
    let (user, ()) = modify_user(app, &pool, &current.username, |u| {
        u.status = UserStatusType::ResetRequired;
        Ok(())
    })
    .await?;
    if let Some(d) = dest {
        let why = (Purpose::ForgotPassword, Occasion::ForgotPassword, None);
        codes::send_code_to(app, &pool, &user, why, &d).await?;
    }
    Ok(AdminResetUserPasswordResponse {})
}
