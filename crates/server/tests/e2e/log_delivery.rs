//! SetLogDeliveryConfiguration / GetLogDeliveryConfiguration.

use crate::harness::{err, TestServer};
use crate::seed;
use aws_sdk_cognitoidentityprovider::types::{
    CloudWatchLogsConfigurationType, EventSourceName, FirehoseConfigurationType,
    LogConfigurationType, LogLevel, S3ConfigurationType,
};

const LOG_GROUP: &str = "arn:aws:logs:us-east-1:123456789012:log-group:cognito";
const STREAM: &str = "arn:aws:firehose:us-east-1:123456789012:deliverystream/auth";

fn notification_to_cloudwatch() -> LogConfigurationType {
    LogConfigurationType::builder()
        .event_source(EventSourceName::UserNotification)
        .log_level(LogLevel::Error)
        .cloud_watch_logs_configuration(
            CloudWatchLogsConfigurationType::builder()
                .log_group_arn(LOG_GROUP)
                .build(),
        )
        .build()
        .unwrap()
}

fn auth_events_to_firehose() -> LogConfigurationType {
    LogConfigurationType::builder()
        .event_source(EventSourceName::UserAuthEvents)
        .log_level(LogLevel::Info)
        .firehose_configuration(
            FirehoseConfigurationType::builder()
                .stream_arn(STREAM)
                .build(),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn nothing_configured_is_an_empty_list() {
    let s = TestServer::start().await;
    let pool = seed::pool(&s).await;
    let got = s
        .client()
        .get_log_delivery_configuration()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let config = got.log_delivery_configuration().unwrap();
    assert_eq!(config.user_pool_id(), pool);
    assert!(config.log_configurations().is_empty());
}

#[tokio::test]
async fn set_then_get_and_clear() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = seed::plus_pool(&s).await;
    let set = c
        .set_log_delivery_configuration()
        .user_pool_id(&pool)
        .log_configurations(notification_to_cloudwatch())
        .log_configurations(auth_events_to_firehose())
        .send()
        .await
        .unwrap();
    let got = c
        .get_log_delivery_configuration()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.log_delivery_configuration(),
        set.log_delivery_configuration()
    );
    let configs = got
        .log_delivery_configuration()
        .unwrap()
        .log_configurations();
    assert_eq!(configs.len(), 2);
    assert_eq!(
        configs[0]
            .cloud_watch_logs_configuration()
            .unwrap()
            .log_group_arn(),
        Some(LOG_GROUP)
    );
    assert_eq!(
        configs[1].firehose_configuration().unwrap().stream_arn(),
        Some(STREAM)
    );

    c.set_log_delivery_configuration()
        .user_pool_id(&pool)
        .set_log_configurations(Some(vec![]))
        .send()
        .await
        .unwrap();
    let got = c
        .get_log_delivery_configuration()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert!(got
        .log_delivery_configuration()
        .unwrap()
        .log_configurations()
        .is_empty());
}

#[tokio::test]
async fn rules_of_each_event_source() {
    let s = TestServer::start().await;
    let c = s.client();
    let essentials = seed::pool(&s).await;
    let plus = seed::plus_pool(&s).await;

    let e = c
        .set_log_delivery_configuration()
        .user_pool_id(&essentials)
        .log_configurations(auth_events_to_firehose())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "FeatureUnavailableInTierException".into(),
            "Exporting userAuthEvents logs requires the PLUS feature plan.".into()
        )
    );

    let wrong_level = LogConfigurationType::builder()
        .event_source(EventSourceName::UserNotification)
        .log_level(LogLevel::Info)
        .cloud_watch_logs_configuration(
            CloudWatchLogsConfigurationType::builder()
                .log_group_arn(LOG_GROUP)
                .build(),
        )
        .build()
        .unwrap();
    let s3_notifications = LogConfigurationType::builder()
        .event_source(EventSourceName::UserNotification)
        .log_level(LogLevel::Error)
        .s3_configuration(
            S3ConfigurationType::builder()
                .bucket_arn("arn:aws:s3:::logs-bucket")
                .build(),
        )
        .build()
        .unwrap();
    let no_destination = LogConfigurationType::builder()
        .event_source(EventSourceName::UserAuthEvents)
        .log_level(LogLevel::Info)
        .build()
        .unwrap();
    let wrong_service = LogConfigurationType::builder()
        .event_source(EventSourceName::UserAuthEvents)
        .log_level(LogLevel::Info)
        .firehose_configuration(
            FirehoseConfigurationType::builder()
                .stream_arn(LOG_GROUP)
                .build(),
        )
        .build()
        .unwrap();
    let cases = [
        (vec![wrong_level], "LogLevel must be ERROR for EventSource userNotification.".to_string()),
        (
            vec![s3_notifications],
            "EventSource userNotification supports only CloudWatchLogsConfiguration.".into(),
        ),
        (
            vec![no_destination],
            "Exactly one of CloudWatchLogsConfiguration, S3Configuration or FirehoseConfiguration must be provided for each log configuration.".into(),
        ),
        (
            vec![wrong_service],
            format!("{LOG_GROUP} is not a valid firehose ARN."),
        ),
        (
            vec![notification_to_cloudwatch(), notification_to_cloudwatch()],
            "Duplicate log configuration for event source userNotification.".into(),
        ),
    ];
    for (configs, message) in cases {
        let e = c
            .set_log_delivery_configuration()
            .user_pool_id(&plus)
            .set_log_configurations(Some(configs))
            .send()
            .await
            .unwrap_err();
        assert_eq!(err(e), ("InvalidParameterException".into(), message));
    }
}

#[tokio::test]
async fn unknown_pool() {
    let s = TestServer::start().await;
    let e = s
        .client()
        .get_log_delivery_configuration()
        .user_pool_id(seed::MISSING_POOL)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!("User pool {} does not exist.", seed::MISSING_POOL)
        )
    );
}
