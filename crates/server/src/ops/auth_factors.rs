//! GetUserAuthFactors and AdminGetUserAuthFactors: a user's MFA settings and the first factors
//! choice-based sign-in (USER_AUTH) offers it.

use super::tokens::authorize;
use super::user_auth::user_factors;
use super::user_mfa::mfa_fields;
use super::user_pools::get_pool;
use super::users::load_user;
use crate::app::App;
use ironpool_api::types::*;
use ironpool_api::{ApiError, Sensitive};
use ironpool_store::User;

fn factors_of(pool: &UserPoolType, user: &User) -> GetUserAuthFactorsResponse {
    let mfa = mfa_fields(user);
    GetUserAuthFactorsResponse {
        username: Sensitive::new(user.username.clone()),
        preferred_mfa_setting: mfa.preferred,
        user_mfa_setting_list: mfa.list,
        configured_user_auth_factors: Some(user_factors(pool, user)),
    }
}

/// The signed-in user's factors (an access token with `aws.cognito.signin.user.admin`).
pub async fn get_user_auth_factors(
    app: &App,
    input: GetUserAuthFactorsRequest,
) -> Result<GetUserAuthFactorsResponse, ApiError> {
    let (user, _, _) = authorize(app, input.access_token.expose()).await?;
    let pool = get_pool(app, &user.pool_id).await?;
    Ok(factors_of(&pool, &user))
}

/// Any user's factors, by username or alias.
pub async fn admin_get_user_auth_factors(
    app: &App,
    input: AdminGetUserAuthFactorsRequest,
) -> Result<AdminGetUserAuthFactorsResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let user = load_user(app, &pool, input.username.expose()).await?;
    let f = factors_of(&pool, &user);
    Ok(AdminGetUserAuthFactorsResponse {
        username: f.username,
        preferred_mfa_setting: f.preferred_mfa_setting,
        user_mfa_setting_list: f.user_mfa_setting_list,
        configured_user_auth_factors: f.configured_user_auth_factors,
    })
}
