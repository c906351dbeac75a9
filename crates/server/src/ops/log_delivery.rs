//! Log export: SetLogDeliveryConfiguration, GetLogDeliveryConfiguration.
//!
//! One document per pool (key `ALL`). Ironpool delivers no logs; it keeps and checks the
//! configuration the way Cognito does, so Terraform and the console see what they set.

use super::user_pools::get_pool;
use super::versioned::modify;
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_store::{Kind, ResourcesExt};

const KEY: &str = "ALL";

/// Replaces the whole list (an empty list turns logging off); `userNotification` goes to
/// CloudWatch Logs at ERROR only, `userAuthEvents` at INFO only and needs the PLUS tier.
pub async fn set_log_delivery_configuration(
    app: &App,
    input: SetLogDeliveryConfigurationRequest,
) -> Result<SetLogDeliveryConfigurationResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let tier = pool.user_pool_tier.unwrap_or(UserPoolTierType::Essentials);
    let mut seen = Vec::new();
    for config in &input.log_configurations {
        validate(config, tier)?;
        if seen.contains(&config.event_source) {
            return Err(ApiError::invalid_parameter(format!(
                "Duplicate log configuration for event source {}.",
                config.event_source.as_str()
            )));
        }
        seen.push(config.event_source);
    }
    let doc = LogDeliveryConfigurationType {
        user_pool_id: input.user_pool_id.clone(),
        log_configurations: input.log_configurations,
    };
    if doc.log_configurations.is_empty() {
        app.store
            .delete_resource(Kind::LogDeliveryConfiguration, &input.user_pool_id, KEY)
            .await
            .or_internal()?;
    } else {
        let pool_id = &input.user_pool_id;
        modify(app, Kind::LogDeliveryConfiguration, pool_id, KEY, |_| {
            Ok(doc.clone())
        })
        .await?;
    }
    Ok(SetLogDeliveryConfigurationResponse {
        log_delivery_configuration: Some(doc),
    })
}

fn validate(config: &LogConfigurationType, tier: UserPoolTierType) -> Result<(), ApiError> {
    let destinations = [
        config.cloud_watch_logs_configuration.is_some(),
        config.s3_configuration.is_some(),
        config.firehose_configuration.is_some(),
    ]
    .iter()
    .filter(|d| **d)
    .count();
    if destinations != 1 {
        return Err(ApiError::invalid_parameter(
            "Exactly one of CloudWatchLogsConfiguration, S3Configuration or FirehoseConfiguration must be provided for each log configuration.",
        ));
    }
    match config.event_source {
        EventSourceName::UserNotification => {
            if config.log_level != LogLevel::Error {
                return Err(ApiError::invalid_parameter(
                    "LogLevel must be ERROR for EventSource userNotification.",
                ));
            }
            if config.cloud_watch_logs_configuration.is_none() {
                return Err(ApiError::invalid_parameter(
                    "EventSource userNotification supports only CloudWatchLogsConfiguration.",
                ));
            }
        }
        EventSourceName::UserAuthEvents => {
            if config.log_level != LogLevel::Info {
                return Err(ApiError::invalid_parameter(
                    "LogLevel must be INFO for EventSource userAuthEvents.",
                ));
            }
            if tier != UserPoolTierType::Plus {
                return Err(ApiError::new(
                    ErrorCode::FeatureUnavailableInTierException,
                    "Exporting userAuthEvents logs requires the PLUS feature plan.",
                ));
            }
        }
    }
    let arn = config
        .cloud_watch_logs_configuration
        .as_ref()
        .and_then(|c| c.log_group_arn.as_deref().map(|a| (a, "logs")))
        .or_else(|| {
            config
                .s3_configuration
                .as_ref()
                .and_then(|c| c.bucket_arn.as_deref().map(|a| (a, "s3")))
        })
        .or_else(|| {
            config
                .firehose_configuration
                .as_ref()
                .and_then(|c| c.stream_arn.as_deref().map(|a| (a, "firehose")))
        });
    match arn {
        None => Err(ApiError::invalid_parameter(
            "The log destination must have an ARN.",
        )),
        Some((arn, service)) if arn.split(':').nth(2) != Some(service) => Err(
            ApiError::invalid_parameter(format!("{arn} is not a valid {service} ARN.")),
        ),
        Some(_) => Ok(()),
    }
}

/// With nothing configured Cognito still answers a configuration: the pool id and an empty
/// list, never ResourceNotFoundException.
pub async fn get_log_delivery_configuration(
    app: &App,
    input: GetLogDeliveryConfigurationRequest,
) -> Result<GetLogDeliveryConfigurationResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let doc = app
        .store
        .get::<LogDeliveryConfigurationType>(
            Kind::LogDeliveryConfiguration,
            &input.user_pool_id,
            KEY,
        )
        .await
        .or_internal()?
        .unwrap_or(LogDeliveryConfigurationType {
            user_pool_id: input.user_pool_id,
            log_configurations: Vec::new(),
        });
    Ok(GetLogDeliveryConfigurationResponse {
        log_delivery_configuration: Some(doc),
    })
}
