//! Session tracking configuration: SetUserPoolSessionConfiguration,
//! GetUserPoolSessionConfiguration, SetUserPoolClientSessionConfiguration,
//! GetUserPoolClientSessionConfiguration.
//!
//! The pool's settings are kept under `ALL`, a client's under its id. Setting either is a
//! full replacement and needs the Essentials or Plus tier.

use super::app_client_ref::{require_client, ALL};
use super::user_pools::get_pool;
use super::versioned::modify;
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_store::{Kind, ResourcesExt};

/// Cognito's defaults before any Set: tracking DISABLED, 20 token sessions per user.
pub(crate) const DEFAULT_MAX_PER_USER: i32 = 20;
/// A client silently reuses an SSO session for 60 minutes unless told otherwise.
pub(crate) const DEFAULT_SSO_MAX_VALIDITY_MINUTES: i32 = 60;

fn require_tier(pool: &UserPoolType) -> Result<(), ApiError> {
    match pool.user_pool_tier.unwrap_or(UserPoolTierType::Essentials) {
        UserPoolTierType::Lite => Err(ApiError::new(
            ErrorCode::FeatureUnavailableInTierException,
            "Session configuration requires the Essentials or Plus feature plan.",
        )),
        _ => Ok(()),
    }
}

pub(crate) async fn pool_config(
    app: &App,
    pool_id: &str,
) -> Result<SetUserPoolSessionConfigurationResponse, ApiError> {
    Ok(app
        .store
        .get::<SetUserPoolSessionConfigurationResponse>(Kind::SessionConfiguration, pool_id, ALL)
        .await
        .or_internal()?
        .unwrap_or(SetUserPoolSessionConfigurationResponse {
            user_pool_id: Some(pool_id.to_owned()),
            user_session_tracking: Some(UserSessionTrackingType::Disabled),
            token_session: Some(UserPoolTokenSessionConfigType {
                max_per_user: DEFAULT_MAX_PER_USER,
            }),
        }))
}

/// Replaces both settings at once; a LITE pool gets FeatureUnavailableInTierException.
pub async fn set_user_pool_session_configuration(
    app: &App,
    input: SetUserPoolSessionConfigurationRequest,
) -> Result<SetUserPoolSessionConfigurationResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    require_tier(&pool)?;
    let doc = SetUserPoolSessionConfigurationResponse {
        user_pool_id: Some(input.user_pool_id.clone()),
        user_session_tracking: Some(input.user_session_tracking),
        token_session: Some(input.token_session),
    };
    let pool_id = &input.user_pool_id;
    modify(app, Kind::SessionConfiguration, pool_id, ALL, |_| {
        Ok(doc.clone())
    })
    .await?;
    Ok(doc)
}

/// Never set: the defaults (DISABLED, MaxPerUser 20), not an error.
pub async fn get_user_pool_session_configuration(
    app: &App,
    input: GetUserPoolSessionConfigurationRequest,
) -> Result<GetUserPoolSessionConfigurationResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let doc = pool_config(app, &input.user_pool_id).await?;
    Ok(GetUserPoolSessionConfigurationResponse {
        user_pool_id: doc.user_pool_id,
        user_session_tracking: doc.user_session_tracking,
        token_session: doc.token_session,
    })
}

/// Needs session tracking ENABLED on the pool; the client's settings survive the pool
/// turning tracking off again (dormant until it is back on).
pub async fn set_user_pool_client_session_configuration(
    app: &App,
    input: SetUserPoolClientSessionConfigurationRequest,
) -> Result<SetUserPoolClientSessionConfigurationResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let client_id = input.client_id.expose().clone();
    require_client(app, &input.user_pool_id, &client_id).await?;
    require_tier(&pool)?;
    if pool_config(app, &input.user_pool_id)
        .await?
        .user_session_tracking
        != Some(UserSessionTrackingType::Enabled)
    {
        return Err(ApiError::invalid_parameter(
            "Session tracking must be enabled for the user pool before you configure app client sessions.",
        ));
    }
    let doc = SetUserPoolClientSessionConfigurationResponse {
        user_pool_id: Some(input.user_pool_id.clone()),
        client_id: Some(input.client_id),
        sso_session: Some(input.sso_session),
    };
    let pool_id = &input.user_pool_id;
    modify(app, Kind::SessionConfiguration, pool_id, &client_id, |_| {
        Ok(doc.clone())
    })
    .await?;
    Ok(doc)
}

/// Never set: the default SSO session validity of 60 minutes.
pub async fn get_user_pool_client_session_configuration(
    app: &App,
    input: GetUserPoolClientSessionConfigurationRequest,
) -> Result<GetUserPoolClientSessionConfigurationResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let client_id = input.client_id.expose().clone();
    require_client(app, &input.user_pool_id, &client_id).await?;
    let doc = app
        .store
        .get::<SetUserPoolClientSessionConfigurationResponse>(
            Kind::SessionConfiguration,
            &input.user_pool_id,
            &client_id,
        )
        .await
        .or_internal()?
        .unwrap_or(SetUserPoolClientSessionConfigurationResponse {
            user_pool_id: Some(input.user_pool_id),
            client_id: Some(input.client_id),
            sso_session: Some(ClientSSOSessionConfigType {
                max_validity_minutes: DEFAULT_SSO_MAX_VALIDITY_MINUTES,
            }),
        });
    Ok(GetUserPoolClientSessionConfigurationResponse {
        user_pool_id: doc.user_pool_id,
        client_id: doc.client_id,
        sso_session: doc.sso_session,
    })
}
