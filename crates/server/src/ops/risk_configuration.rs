//! Threat protection settings: SetRiskConfiguration, DescribeRiskConfiguration.
//!
//! Kept per app client, or under `ALL` for the pool's default; a client without its own
//! settings inherits the pool's.

use super::app_client_ref::{require_client, ALL};
use super::user_pools::get_pool;
use super::versioned::modify;
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_store::{Kind, ResourcesExt};
use std::net::IpAddr;

/// Whether the pool has threat protection (AdvancedSecurityMode AUDIT or ENFORCED).
pub(crate) fn threat_protection(pool: &UserPoolType) -> bool {
    pool.user_pool_add_ons
        .as_ref()
        .is_some_and(|a| a.advanced_security_mode != AdvancedSecurityModeType::Off)
}

/// UserPoolAddOnNotEnabledException for a pool without threat protection.
pub(crate) fn require_threat_protection(pool: &UserPoolType) -> Result<(), ApiError> {
    if threat_protection(pool) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::UserPoolAddOnNotEnabledException,
            "Threat protection (AdvancedSecurityMode AUDIT or ENFORCED) is not enabled for this user pool.",
        ))
    }
}

/// The pool and, when given, the app client the request is about; `None` for the pool.
async fn scope(
    app: &App,
    pool_id: &str,
    client_id: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let pool = get_pool(app, pool_id).await?;
    require_threat_protection(&pool)?;
    match client_id {
        None | Some(ALL) => Ok(None),
        Some(client) => {
            require_client(app, pool_id, client).await?;
            Ok(Some(client.to_owned()))
        }
    }
}

/// Replaces the whole configuration of the pool or client; with none of the three settings
/// it deletes it, so a client falls back to the pool's again.
pub async fn set_risk_configuration(
    app: &App,
    input: SetRiskConfigurationRequest,
) -> Result<SetRiskConfigurationResponse, ApiError> {
    let pool_id = input.user_pool_id;
    let client = scope(
        app,
        &pool_id,
        input.client_id.as_deref().map(String::as_str),
    )
    .await?;
    if let Some(takeover) = &input.account_takeover_risk_configuration {
        validate_account_takeover(takeover)?;
    }
    if let Some(exceptions) = &input.risk_exception_configuration {
        validate_exceptions(exceptions)?;
    }
    let key = client.as_deref().unwrap_or(ALL);
    let mut doc = RiskConfigurationType {
        user_pool_id: Some(pool_id.clone()),
        client_id: client.clone().map(Into::into),
        ..Default::default()
    };
    if input.compromised_credentials_risk_configuration.is_none()
        && input.account_takeover_risk_configuration.is_none()
        && input.risk_exception_configuration.is_none()
    {
        app.store
            .delete_resource(Kind::RiskConfiguration, &pool_id, key)
            .await
            .or_internal()?;
        return Ok(SetRiskConfigurationResponse {
            risk_configuration: doc,
        });
    }
    doc.compromised_credentials_risk_configuration =
        input.compromised_credentials_risk_configuration;
    doc.account_takeover_risk_configuration = input.account_takeover_risk_configuration;
    doc.risk_exception_configuration = input.risk_exception_configuration;
    doc.last_modified_date = Some(app.now());
    modify(app, Kind::RiskConfiguration, &pool_id, key, |_| {
        Ok(doc.clone())
    })
    .await?;
    Ok(SetRiskConfigurationResponse {
        risk_configuration: doc,
    })
}

fn validate_account_takeover(
    config: &AccountTakeoverRiskConfigurationType,
) -> Result<(), ApiError> {
    let actions = &config.actions;
    let notifies = [
        &actions.low_action,
        &actions.medium_action,
        &actions.high_action,
    ]
    .into_iter()
    .flatten()
    .any(|a| a.notify);
    match &config.notify_configuration {
        None if notifies => Err(ApiError::invalid_parameter(
            "NotifyConfiguration is required when Notify is true for any account takeover action.",
        )),
        Some(notify) if !is_ses_identity_arn(&notify.source_arn) => {
            Err(ApiError::invalid_parameter(format!(
                "SourceArn {} is not a valid Amazon SES identity ARN.",
                notify.source_arn
            )))
        }
        _ => Ok(()),
    }
}

/// `arn:aws:ses:<region>:<account>:identity/<email or domain>`.
fn is_ses_identity_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    parts.len() == 6
        && parts[2] == "ses"
        && parts[5]
            .strip_prefix("identity/")
            .is_some_and(|identity| !identity.is_empty())
}

fn validate_exceptions(config: &RiskExceptionConfigurationType) -> Result<(), ApiError> {
    let lists = [&config.blocked_ip_range_list, &config.skipped_ip_range_list];
    for range in lists.into_iter().flatten().flatten() {
        if !is_cidr(range) {
            return Err(ApiError::invalid_parameter(format!(
                "{range} is not a valid IP range in CIDR notation."
            )));
        }
    }
    Ok(())
}

/// An IPv4 or IPv6 address with a prefix length that fits it, as `192.0.2.0/24`.
pub(crate) fn is_cidr(range: &str) -> bool {
    let Some((addr, prefix)) = range.split_once('/') else {
        return false;
    };
    let (Ok(addr), Ok(prefix)) = (addr.parse::<IpAddr>(), prefix.parse::<u8>()) else {
        return false;
    };
    if prefix.to_string() != range.rsplit('/').next().unwrap_or_default() {
        return false;
    }
    match addr {
        IpAddr::V4(_) => prefix <= 32,
        IpAddr::V6(_) => prefix <= 128,
    }
}

/// A client without settings of its own is described with the pool's (which carry no
/// ClientId); with nothing set anywhere the answer is the ids alone, not an error.
pub async fn describe_risk_configuration(
    app: &App,
    input: DescribeRiskConfigurationRequest,
) -> Result<DescribeRiskConfigurationResponse, ApiError> {
    let pool_id = input.user_pool_id;
    let client = scope(
        app,
        &pool_id,
        input.client_id.as_deref().map(String::as_str),
    )
    .await?;
    let mut found = None;
    if let Some(client) = &client {
        found = app
            .store
            .get::<RiskConfigurationType>(Kind::RiskConfiguration, &pool_id, client)
            .await
            .or_internal()?;
    }
    if found.is_none() {
        found = app
            .store
            .get::<RiskConfigurationType>(Kind::RiskConfiguration, &pool_id, ALL)
            .await
            .or_internal()?;
    }
    let risk_configuration = found.unwrap_or(RiskConfigurationType {
        user_pool_id: Some(pool_id),
        client_id: client.map(Into::into),
        ..Default::default()
    });
    Ok(DescribeRiskConfigurationResponse { risk_configuration })
}

#[cfg(test)]
mod tests {
    use super::is_cidr;

    #[test]
    fn cidr_ranges() {
        assert!(is_cidr("192.0.2.0/24"));
        assert!(is_cidr("10.0.0.1/32"));
        assert!(is_cidr("2001:db8::/32"));
        assert!(!is_cidr("192.0.2.0"));
        assert!(!is_cidr("192.0.2.0/33"));
        assert!(!is_cidr("2001:db8::/129"));
        assert!(!is_cidr("192.0.2.0/+8"));
        assert!(!is_cidr("not-an-ip/8"));
    }
}
