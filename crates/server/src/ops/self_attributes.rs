//! A signed-in user's own attributes: UpdateUserAttributes, DeleteUserAttributes,
//! GetUserAttributeVerificationCode, VerifyUserAttribute. Writes go through the app client's
//! WriteAttributes (the access token names the client).

use super::client_documents::client_id_of;
use super::codes::{self, Purpose};
use super::compose::Occasion;
use super::tokens::authorize;
use super::user_attributes::{
    apply_changes, check, check_removable, remove_attribute, send_verification_codes, Write,
};
use super::user_pools::get_pool;
use super::users::modify_user;
use crate::app::App;
use ironpool_api::types::*;
use ironpool_api::ApiError;
use ironpool_store::User;

/// The signed-in user, its pool and the app client its token was issued to.
async fn signed_in(
    app: &App,
    token: &str,
) -> Result<(User, UserPoolType, UserPoolClientType), ApiError> {
    let (user, _, client) = authorize(app, token).await?;
    let pool = get_pool(app, &user.pool_id).await?;
    Ok((user, pool, client))
}

fn verifiable(name: &str) -> Result<(), ApiError> {
    if name == "email" || name == "phone_number" {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(
            "Invalid attribute name. Only phone_number and email can be verified",
        ))
    }
}

/// Only the client's WriteAttributes may change; a new email or phone number is unverified
/// (or waits for verification, see `user_attributes::apply_changes`) and, where the pool
/// auto-verifies it, a code goes to the new value (listed in CodeDeliveryDetailsList).
pub async fn update_user_attributes(
    app: &App,
    input: UpdateUserAttributesRequest,
) -> Result<UpdateUserAttributesResponse, ApiError> {
    let (user, pool, client) = signed_in(app, input.access_token.expose()).await?;
    let changes = check(&pool, &input.user_attributes, Write::Update, Some(&client))?;
    let (user, to_verify) = modify_user(app, &pool, &user.username, |u| {
        Ok(apply_changes(&pool, u, &changes, false))
    })
    .await?;
    let client_id = client_id_of(&client);
    let details = send_verification_codes(app, &pool, &user, &to_verify, Some(&client_id)).await?;
    Ok(UpdateUserAttributesResponse {
        code_delivery_details_list: Some(details),
    })
}

/// Required, immutable and unknown attributes cannot go; `sub` never.
pub async fn delete_user_attributes(
    app: &App,
    input: DeleteUserAttributesRequest,
) -> Result<DeleteUserAttributesResponse, ApiError> {
    let (user, pool, client) = signed_in(app, input.access_token.expose()).await?;
    check_removable(&pool, &input.user_attribute_names, Some(&client))?;
    modify_user(app, &pool, &user.username, |u| {
        for name in &input.user_attribute_names {
            remove_attribute(u, name);
        }
        Ok(())
    })
    .await?;
    Ok(DeleteUserAttributesResponse {})
}

/// Sends a code (valid 24 hours) to the user's email or phone number.
pub async fn get_user_attribute_verification_code(
    app: &App,
    input: GetUserAttributeVerificationCodeRequest,
) -> Result<GetUserAttributeVerificationCodeResponse, ApiError> {
    let (user, pool, client) = signed_in(app, input.access_token.expose()).await?;
    let name = input.attribute_name.as_str();
    verifiable(name)?;
    let client_id = client_id_of(&client);
    let why = (
        Purpose::VerifyAttribute(name),
        Occasion::VerifyUserAttribute,
        Some(client_id.as_str()),
    );
    let details = codes::send_code(app, &pool, &user, why)
        .await?
        .ok_or_else(|| {
            ApiError::invalid_parameter(format!("User does not have a value for {name}"))
        })?;
    Ok(GetUserAttributeVerificationCodeResponse {
        code_delivery_details: Some(details),
    })
}

/// A right code marks the attribute verified (single use, 24 hours); a value waiting for
/// verification replaces the current one.
pub async fn verify_user_attribute(
    app: &App,
    input: VerifyUserAttributeRequest,
) -> Result<VerifyUserAttributeResponse, ApiError> {
    let (user, pool, _) = signed_in(app, input.access_token.expose()).await?;
    let name = input.attribute_name.as_str();
    verifiable(name)?;
    codes::check_code(app, &user, Purpose::VerifyAttribute(name), &input.code).await?;
    let flag = format!("{name}_verified");
    modify_user(app, &pool, &user.username, |u| {
        if let Some(value) = u.pending_attributes.remove(name) {
            u.attributes.insert(name.to_owned(), value);
        }
        if u.attributes.contains_key(name) {
            u.attributes.insert(flag.clone(), "true".into());
        }
        Ok(())
    })
    .await?;
    Ok(VerifyUserAttributeResponse {})
}
