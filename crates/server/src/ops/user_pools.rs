//! User pools: CreateUserPool, DescribeUserPool, ListUserPools, DeleteUserPool.

use super::{decode_token, encode_token};
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::ApiError;
use ironpool_core::ids;
use ironpool_store::StoreError;

fn pool_not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("User pool {id} does not exist."))
}

pub(crate) async fn get_pool(app: &App, id: &str) -> Result<UserPoolType, ApiError> {
    app.store
        .get_user_pool(id)
        .await
        .or_internal()?
        .ok_or_else(|| pool_not_found(id))
}

/// Creates a pool; deletion protection defaults to INACTIVE through the API (the console
/// defaults to ACTIVE).
pub async fn create_user_pool(
    app: &App,
    input: CreateUserPoolRequest,
) -> Result<CreateUserPoolResponse, ApiError> {
    let now = app.now();
    let region = &app.config.region;
    let mut pool = UserPoolType {
        name: Some(input.pool_name),
        policies: input.policies,
        deletion_protection: Some(
            input
                .deletion_protection
                .unwrap_or(DeletionProtectionType::Inactive),
        ),
        lambda_config: Some(input.lambda_config.unwrap_or_default()),
        last_modified_date: Some(now),
        creation_date: Some(now),
        schema_attributes: input.schema,
        auto_verified_attributes: input.auto_verified_attributes,
        alias_attributes: input.alias_attributes,
        username_attributes: input.username_attributes,
        sms_verification_message: input.sms_verification_message,
        email_verification_message: input.email_verification_message,
        email_verification_subject: input.email_verification_subject,
        verification_message_template: input.verification_message_template,
        sms_authentication_message: input.sms_authentication_message,
        user_attribute_update_settings: input.user_attribute_update_settings,
        mfa_configuration: Some(input.mfa_configuration.unwrap_or(UserPoolMfaType::Off)),
        device_configuration: input.device_configuration,
        estimated_number_of_users: Some(0),
        email_configuration: input.email_configuration,
        sms_configuration: input.sms_configuration,
        user_pool_tags: input.user_pool_tags,
        admin_create_user_config: input.admin_create_user_config,
        user_pool_add_ons: input.user_pool_add_ons,
        username_configuration: input.username_configuration,
        account_recovery_setting: input.account_recovery_setting,
        user_pool_tier: input.user_pool_tier,
        ..Default::default()
    };
    // A fresh random id; a collision is astronomically rare but costs only a retry.
    loop {
        let id = ids::user_pool_id(app.rng.as_ref(), region);
        pool.arn = Some(ids::user_pool_arn(region, &app.config.account_id, &id));
        pool.id = Some(id);
        match app.store.create_user_pool(&pool).await {
            Ok(()) => break,
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e).or_internal(),
        }
    }
    Ok(CreateUserPoolResponse {
        user_pool: Some(pool),
    })
}

pub async fn describe_user_pool(
    app: &App,
    input: DescribeUserPoolRequest,
) -> Result<DescribeUserPoolResponse, ApiError> {
    Ok(DescribeUserPoolResponse {
        user_pool: Some(get_pool(app, &input.user_pool_id).await?),
    })
}

/// Lists pools `MaxResults` (1..=60) at a time with an opaque `NextToken`.
pub async fn list_user_pools(
    app: &App,
    input: ListUserPoolsRequest,
) -> Result<ListUserPoolsResponse, ApiError> {
    let after = input.next_token.as_deref().map(decode_token).transpose()?;
    let limit = input.max_results.max(1) as usize;
    let mut pools = app
        .store
        .list_user_pools(after.as_deref(), limit + 1)
        .await
        .or_internal()?;
    let next_token = if pools.len() > limit {
        pools.truncate(limit);
        pools.last().and_then(|p| p.id.as_deref()).map(encode_token)
    } else {
        None
    };
    Ok(ListUserPoolsResponse {
        user_pools: Some(
            pools
                .into_iter()
                .map(|p| UserPoolDescriptionType {
                    id: p.id,
                    name: p.name,
                    lambda_config: p.lambda_config,
                    status: p.status,
                    last_modified_date: p.last_modified_date,
                    creation_date: p.creation_date,
                    ..Default::default()
                })
                .collect(),
        ),
        next_token,
    })
}

/// Refused with InvalidParameterException while deletion protection is ACTIVE; the pool and
/// its users stay.
pub async fn delete_user_pool(app: &App, input: DeleteUserPoolRequest) -> Result<Empty, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    if pool.deletion_protection == Some(DeletionProtectionType::Active) {
        return Err(ApiError::invalid_parameter(
            "The user pool cannot be deleted because deletion protection is activated. \
             Deletion protection must be inactivated first.",
        ));
    }
    if !app
        .store
        .delete_user_pool(&input.user_pool_id)
        .await
        .or_internal()?
    {
        return Err(pool_not_found(&input.user_pool_id));
    }
    Ok(Empty {})
}
