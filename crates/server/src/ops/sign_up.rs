//! Self-service by ClientId (+ SecretHash): SignUp, ConfirmSignUp, ResendConfirmationCode,
//! ForgotPassword, ConfirmForgotPassword.

use super::admin_users::{
    cannot_confirm, cannot_reset_in_state, create_conflict, new_identity, no_recovery_destination,
};
use super::auth::{
    check_flow, check_secret_hash, decoy_write, find_client, hides_existence, sign_in_attributes,
};
use super::auth_events::{self, Event};
use super::client_documents::{client_id_of, StoredClient};
use super::codes::{self, Purpose};
use super::compose::Occasion;
use super::sign_in::{start_session, take_session, Pending, SessionDoc};
use super::triggers;
use super::user_attributes::{self as attrs, Write};
use super::user_auth;
use super::user_migration::{migrate, Migration};
use super::user_pools::get_pool;
use super::users::{
    alias_exists, check_policy, find_user, modify_user, set_password, user_disabled,
};
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode, Sensitive};
use ironpool_store::User;

/// The pool and client of a ClientId-authorized call, with its SECRET_HASH checked against
/// every active secret of the client.
pub(crate) async fn client_call(
    app: &App,
    client_id: &str,
    username: &str,
    hash: Option<&Sensitive<String>>,
) -> Result<(UserPoolType, StoredClient), ApiError> {
    let (pool_id, client) = find_client(app, client_id).await?;
    let pool = get_pool(app, &pool_id).await?;
    check_secret_hash(
        &client,
        client_id,
        username,
        hash.map(|h| h.expose().as_str()),
    )?;
    Ok((pool, client))
}

fn combination_not_found() -> ApiError {
    ApiError::new(
        ErrorCode::UserNotFoundException,
        "Username/client id combination not found.",
    )
}

/// The user a code is presented for; an unknown one is UserNotFoundException, or, when the
/// client hides user existence (PreventUserExistenceErrors), the answer to a wrong code.
async fn code_user(
    app: &App,
    pool: &UserPoolType,
    client: &StoredClient,
    name: &str,
) -> Result<User, ApiError> {
    match find_user(app, pool, name).await? {
        Some(user) => Ok(user),
        None if hides_existence(&client.client) => Err(hidden_mismatch(app, pool, name).await),
        None => Err(combination_not_found()),
    }
}

/// A wrong code's answer for a user the client does not reveal, after the write a wrong code
/// makes.
async fn hidden_mismatch(app: &App, pool: &UserPoolType, name: &str) -> ApiError {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    match decoy_write(app, pool_id, name, true).await {
        Ok(()) => codes::code_mismatch(),
        Err(e) => e,
    }
}

/// A simulated delivery for a user the client does not reveal, after the write a new code
/// makes.
async fn hidden_delivery(
    app: &App,
    pool: &UserPoolType,
    name: &str,
    details: CodeDeliveryDetailsType,
) -> Result<CodeDeliveryDetailsType, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let decoy = auth_events::decoy(app, pool_id, name);
    let (written, ()) = tokio::join!(decoy_write(app, pool_id, name, false), decoy);
    written?;
    Ok(details)
}

/// UNCONFIRMED until confirmed; the code goes to the auto-verified attribute (phone first);
/// the client's WriteAttributes bound what may be set; refused in admin-only pools.
pub async fn sign_up(app: &App, input: SignUpRequest) -> Result<SignUpResponse, ApiError> {
    let given = input.username.expose().clone();
    let client_id = input.client_id.expose().clone();
    let (pool, client) = client_call(app, &client_id, &given, input.secret_hash.as_ref()).await?;
    if pool
        .admin_create_user_config
        .as_ref()
        .and_then(|c| c.allow_admin_create_user_only)
        == Some(true)
    {
        return Err(ApiError::not_authorized(
            "SignUp is not permitted for this user pool",
        ));
    }
    let mut attributes = attrs::check(
        &pool,
        input.user_attributes.as_deref().unwrap_or_default(),
        Write::Create,
        Some(&client.client),
    )?;
    attributes.retain(|_, v| !v.is_empty());
    let (username, sub) = new_identity(app, &pool, &given, &mut attributes)?;
    attrs::check_required(&pool, &attributes)?;
    let pw = input
        .password
        .as_ref()
        .map(|p| p.expose().clone())
        .unwrap_or_default();
    // Without a password, where the pool signs users in with codes.
    let passwordless = pw.is_empty() && user_auth::signs_in_without_password(&pool);
    if !passwordless {
        check_policy(&pool, &pw)?;
    }
    let pool_id = pool.id.clone().unwrap_or_default();
    let status = UserStatusType::Unconfirmed;
    let mut user = User::new(
        pool_id,
        (username, sub.clone()),
        attributes,
        status,
        app.now(),
    );
    let decision = triggers::pre_sign_up(
        app,
        &pool,
        "PreSignUp_SignUp",
        &user,
        Some(&client_id),
        input.validation_data.as_deref(),
    )
    .await?;
    for attr in ["email", "phone_number"] {
        if user.attributes.contains_key(attr) {
            user.attributes
                .entry(format!("{attr}_verified"))
                .or_insert_with(|| "false".into());
        }
    }
    decision.verify(&mut user.attributes);
    if decision.auto_confirm_user {
        user.status = UserStatusType::Confirmed;
    }
    if !passwordless {
        set_password(app, &pool, &mut user, &pw, false)?;
    }
    if let Err(c) = app
        .store
        .create_user_if_absent(&user, false)
        .await
        .or_internal()?
    {
        return Err(create_conflict(&pool, c, "User already exists"));
    }
    let recorded = auth_events::record(app, &user, Event::SignedUp);
    if decision.auto_confirm_user {
        recorded.await;
        triggers::post_confirmation(
            app,
            &pool,
            "PostConfirmation_ConfirmSignUp",
            &user,
            Some(&client_id),
        )
        .await?;
        return Ok(SignUpResponse {
            user_confirmed: true,
            code_delivery_details: None,
            user_sub: sub,
            session: sign_up_session(app, &client, &user, Pending::SignUpConfirmed).await?,
        });
    }
    let (details, ()) = tokio::join!(
        codes::send_code(
            app,
            &pool,
            &user,
            (Purpose::SignUp, Occasion::SignUp, Some(&client_id))
        ),
        recorded
    );
    let details = details?;
    Ok(SignUpResponse {
        user_confirmed: false,
        code_delivery_details: details,
        user_sub: sub,
        session: sign_up_session(app, &client, &user, Pending::SignUp).await?,
    })
}

/// The Session that carries a sign-up on to a sign-in (`pending`: to ConfirmSignUp, or,
/// confirmed, to USER_AUTH), for clients that sign in with USER_AUTH.
async fn sign_up_session(
    app: &App,
    client: &StoredClient,
    user: &User,
    pending: Pending,
) -> Result<Option<Sensitive<String>>, ApiError> {
    if check_flow(&client.client, "USER_AUTH").is_err() {
        return Ok(None);
    }
    let doc = SessionDoc {
        client_id: client_id_of(&client.client),
        username: user.username.clone(),
        srp_user_id: user.username.clone(),
        from_device: None,
        pending,
    };
    let (id, _) = start_session(app, &user.pool_id, &client.client, &doc).await?;
    Ok(Some(Sensitive(id)))
}

/// The code is single use and lives 24 hours; confirming verifies the attribute it was sent
/// to; a user not UNCONFIRMED gets "User cannot be confirmed. Current status is ...". A
/// client that hides user existence answers CodeMismatchException for an unknown user.
pub async fn confirm_sign_up(
    app: &App,
    input: ConfirmSignUpRequest,
) -> Result<ConfirmSignUpResponse, ApiError> {
    let name = input.username.expose().clone();
    let (pool, client) = client_call(
        app,
        input.client_id.expose(),
        &name,
        input.secret_hash.as_ref(),
    )
    .await?;
    let user = code_user(app, &pool, &client, &name).await?;
    if user.status != UserStatusType::Unconfirmed {
        return Err(cannot_confirm(user.status));
    }
    let verified = codes::sign_up_destination(&pool, &user).map(|d| d.attribute);
    // Verifying may make the value an alias another user holds (where the pool signs in with
    // it): refused before the code is spent, or (ForceAliasCreation) taken from that user,
    // whose copy becomes unverified.
    let alias = verified.filter(|a| sign_in_attributes(&pool).contains(a));
    let holder = match alias.and_then(|a| user.attribute(a).map(|v| (a, v))) {
        Some((a, v)) => app
            .store
            .find_user_by_alias(&user.pool_id, a, v)
            .await
            .or_internal()?
            .filter(|other| other.sub != user.sub)
            .map(|other| (a, other)),
        None => None,
    };
    if let Some((a, _)) = &holder {
        if !input.force_alias_creation.unwrap_or(false) {
            return Err(alias_exists(a));
        }
    }
    codes::check_code(app, &user, Purpose::SignUp, &input.confirmation_code).await?;
    if let Some((a, other)) = holder {
        modify_user(app, &pool, &other.username, |o| {
            o.attributes.insert(format!("{a}_verified"), "false".into());
            Ok(())
        })
        .await?;
    }
    let (confirmed, ()) = modify_user(app, &pool, &user.username, |u| {
        u.status = UserStatusType::Confirmed;
        if let Some(a) = verified {
            u.attributes.insert(format!("{a}_verified"), "true".into());
        }
        Ok(())
    })
    .await?;
    triggers::post_confirmation(
        app,
        &pool,
        "PostConfirmation_ConfirmSignUp",
        &confirmed,
        Some(input.client_id.expose()),
    )
    .await?;
    // The code stands in for a first factor: a Session that signs the confirmed user in (as
    // Amplify's autoSignIn expects, whether or not SignUp's Session came along; one that did
    // must be that sign-up's).
    if let Some(id) = &input.session {
        let client_id = input.client_id.expose();
        let doc = take_session(app, &confirmed.pool_id, client_id, id.expose()).await?;
        if !matches!(doc.pending, Pending::SignUp) || doc.username != confirmed.username {
            return Err(ApiError::not_authorized("Invalid session for the user."));
        }
    }
    let session = sign_up_session(app, &client, &confirmed, Pending::SignUpConfirmed).await?;
    Ok(ConfirmSignUpResponse { session })
}

/// A new code replaces the old one; a confirmed user gets "User is already confirmed.". A
/// client that hides user existence answers a simulated delivery for a user that does not
/// exist or is disabled.
pub async fn resend_confirmation_code(
    app: &App,
    input: ResendConfirmationCodeRequest,
) -> Result<ResendConfirmationCodeResponse, ApiError> {
    let name = input.username.expose().clone();
    let (pool, client) = client_call(
        app,
        input.client_id.expose(),
        &name,
        input.secret_hash.as_ref(),
    )
    .await?;
    let user = match find_user(app, &pool, &name).await? {
        Some(u) if u.enabled || !hides_existence(&client.client) => u,
        None if !hides_existence(&client.client) => return Err(combination_not_found()),
        _ => {
            let details = codes::simulated_sign_up(app, &pool, &name);
            return Ok(ResendConfirmationCodeResponse {
                code_delivery_details: Some(hidden_delivery(app, &pool, &name, details).await?),
            });
        }
    };
    if user.status != UserStatusType::Unconfirmed {
        return Err(ApiError::invalid_parameter("User is already confirmed."));
    }
    let dest = codes::sign_up_destination(&pool, &user).ok_or_else(|| {
        ApiError::invalid_parameter("Cannot resend codes. Auto verification not turned on.")
    })?;
    let recorded = auth_events::record(app, &user, Event::ResendCode);
    let client_id = client_id_of(&client.client);
    let why = (
        Purpose::SignUp,
        Occasion::ResendCode,
        Some(client_id.as_str()),
    );
    let sent = codes::send_code_to(app, &pool, &user, why, &dest);
    let (details, ()) = tokio::join!(sent, recorded);
    let details = details?;
    Ok(ResendConfirmationCodeResponse {
        code_delivery_details: Some(details),
    })
}

/// The reset code (1 hour) goes to the first verified destination in the pool's
/// AccountRecoverySetting; the current password keeps working until it is replaced. With
/// admin_only recovery only an administrator resets passwords. A client that hides user
/// existence answers a simulated delivery for a user that does not exist, is disabled or has
/// no verified destination.
pub async fn forgot_password(
    app: &App,
    input: ForgotPasswordRequest,
) -> Result<ForgotPasswordResponse, ApiError> {
    let name = input.username.expose().clone();
    let (pool, client) = client_call(
        app,
        input.client_id.expose(),
        &name,
        input.secret_hash.as_ref(),
    )
    .await?;
    if codes::admin_only_recovery(&pool) {
        return Err(ApiError::not_authorized(
            "Contact administrator to reset password.",
        ));
    }
    let hide = hides_existence(&client.client);
    let simulated = || async {
        let details = codes::simulated_recovery(app, &pool, &name);
        Ok(ForgotPasswordResponse {
            code_delivery_details: Some(hidden_delivery(app, &pool, &name, details).await?),
        })
    };
    let found = match find_user(app, &pool, &name).await? {
        Some(user) => Some(user),
        None => migrate(app, &pool, &client.client, &name, Migration::ForgotPassword).await?,
    };
    let Some(user) = found else {
        return if hide {
            simulated().await
        } else {
            Err(combination_not_found())
        };
    };
    if !user.enabled {
        return if hide {
            simulated().await
        } else {
            Err(user_disabled())
        };
    }
    if user.status == UserStatusType::ForceChangePassword {
        return Err(cannot_reset_in_state());
    }
    let Some(dest) = codes::recovery_destination(&pool, &user) else {
        return if hide {
            simulated().await
        } else {
            Err(no_recovery_destination())
        };
    };
    let recorded = auth_events::record(app, &user, Event::ForgotPassword);
    let client_id = client_id_of(&client.client);
    let why = (
        Purpose::ForgotPassword,
        Occasion::ForgotPassword,
        Some(client_id.as_str()),
    );
    let sent = codes::send_code_to(app, &pool, &user, why, &dest);
    let (details, ()) = tokio::join!(sent, recorded);
    let details = details?;
    Ok(ForgotPasswordResponse {
        code_delivery_details: Some(details),
    })
}

/// The new password must meet the policy before the code is spent; a user in
/// RESET_REQUIRED or FORCE_CHANGE_PASSWORD becomes CONFIRMED. A client that hides user
/// existence answers CodeMismatchException for a user that does not exist or is disabled,
/// after the same policy check.
pub async fn confirm_forgot_password(
    app: &App,
    input: ConfirmForgotPasswordRequest,
) -> Result<ConfirmForgotPasswordResponse, ApiError> {
    let name = input.username.expose().clone();
    let (pool, client) = client_call(
        app,
        input.client_id.expose(),
        &name,
        input.secret_hash.as_ref(),
    )
    .await?;
    let pw = input.password.expose();
    let hide = hides_existence(&client.client);
    if hide {
        check_policy(&pool, pw)?;
    }
    let user = code_user(app, &pool, &client, &name).await?;
    if !user.enabled {
        return Err(if hide {
            hidden_mismatch(app, &pool, &name).await
        } else {
            user_disabled()
        });
    }
    check_policy(&pool, pw)?;
    codes::check_code(
        app,
        &user,
        Purpose::ForgotPassword,
        &input.confirmation_code,
    )
    .await?;
    let (reset, ()) = modify_user(app, &pool, &user.username, |u| {
        set_password(app, &pool, u, pw, false)?;
        if matches!(
            u.status,
            UserStatusType::ResetRequired | UserStatusType::ForceChangePassword
        ) {
            u.status = UserStatusType::Confirmed;
        }
        Ok(())
    })
    .await?;
    triggers::post_confirmation(
        app,
        &pool,
        "PostConfirmation_ConfirmForgotPassword",
        &reset,
        Some(input.client_id.expose()),
    )
    .await?;
    Ok(ConfirmForgotPasswordResponse {})
}
