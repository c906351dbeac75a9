//! Provisioned request rates: GetProvisionedLimit and UpdateProvisionedLimit, per account and
//! region (of the call) and API category. What is provisioned feeds the rate limiter when
//! `--rate-limits aws` is on (`crate::throttle`).

use crate::app::{App, OrInternal};
use crate::scope;
use crate::throttle::{self, ADJUSTABLE, MAX_PROVISIONED_FACTOR};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};

/// The category a definition names, with its default rate.
fn category(definition: &LimitDefinitionType) -> Result<(&str, i32), ApiError> {
    if let Some(other) = definition.attributes.keys().find(|k| *k != "Category") {
        return Err(ApiError::invalid_parameter(format!(
            "{other} is not a limit attribute; only Category is."
        )));
    }
    let Some(category) = definition.attributes.get("Category") else {
        return Err(ApiError::invalid_parameter(
            "The limit's Attributes must name its Category.",
        ));
    };
    match throttle::default_rate(category) {
        Some(rate) => Ok((category, rate)),
        None => Err(ApiError::invalid_parameter(format!(
            "{category} is not an API category."
        ))),
    }
}

/// What is provisioned for `category` in the caller's account and region, if anything.
async fn provisioned(app: &App, category: &str) -> Result<Option<i32>, ApiError> {
    let here = scope::current(app);
    let all = app
        .store
        .provisioned_limits(&here.account_id, &here.region)
        .await
        .or_internal()?;
    Ok(all.into_iter().find(|(c, _)| c == category).map(|(_, v)| v))
}

pub async fn get_provisioned_limit(
    app: &App,
    input: GetProvisionedLimitRequest,
) -> Result<GetProvisionedLimitResponse, ApiError> {
    let (name, free) = category(&input.limit_definition)?;
    let value = provisioned(app, name).await?.unwrap_or(free);
    Ok(GetProvisionedLimitResponse {
        limit: LimitType {
            limit_definition: input.limit_definition,
            provisioned_limit_value: value,
            free_limit_value: free,
        },
    })
}

/// Between the default and ten times it, for the adjustable categories; takes effect at once
/// on this server, and within `throttle::REFRESH` on the others of its database.
pub async fn update_provisioned_limit(
    app: &App,
    input: UpdateProvisionedLimitRequest,
) -> Result<UpdateProvisionedLimitResponse, ApiError> {
    let (name, free) = category(&input.limit_definition)?;
    if !ADJUSTABLE.contains(&name) {
        return Err(ApiError::invalid_parameter(format!(
            "The {name} limit cannot be provisioned."
        )));
    }
    let value = input.requested_limit_value;
    if value < free {
        return Err(ApiError::invalid_parameter(format!(
            "RequestedLimitValue must be at least the default limit of {free} for {name}."
        )));
    }
    let max = free * MAX_PROVISIONED_FACTOR;
    if value > max {
        return Err(ApiError::new(
            ErrorCode::ServiceQuotaExceededException,
            format!("RequestedLimitValue exceeds the account's maximum limit of {max} for {name}."),
        ));
    }
    let here = scope::current(app);
    app.store
        .put_provisioned_limit(&here.account_id, &here.region, name, value)
        .await
        .or_internal()?;
    let all = app
        .store
        .provisioned_limits(&here.account_id, &here.region)
        .await
        .or_internal()?;
    app.limiter.provision(&here, &all, app.clock.now());
    Ok(UpdateProvisionedLimitResponse {
        limit: LimitType {
            limit_definition: input.limit_definition,
            provisioned_limit_value: value,
            free_limit_value: free,
        },
    })
}
