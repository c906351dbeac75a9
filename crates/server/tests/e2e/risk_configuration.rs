//! SetRiskConfiguration / DescribeRiskConfiguration.

use crate::harness::{err, TestServer};
use crate::seed;
use aws_sdk_cognitoidentityprovider::types::{
    AccountTakeoverActionType, AccountTakeoverActionsType, AccountTakeoverEventActionType,
    AccountTakeoverRiskConfigurationType, CompromisedCredentialsActionsType,
    CompromisedCredentialsEventActionType, CompromisedCredentialsRiskConfigurationType,
    EventFilterType, NotifyConfigurationType, RiskExceptionConfigurationType,
};

fn compromised(
    action: CompromisedCredentialsEventActionType,
) -> CompromisedCredentialsRiskConfigurationType {
    CompromisedCredentialsRiskConfigurationType::builder()
        .event_filter(EventFilterType::SignIn)
        .actions(
            CompromisedCredentialsActionsType::builder()
                .event_action(action)
                .build()
                .unwrap(),
        )
        .build()
}

fn takeover(notify: bool, with_config: Option<&str>) -> AccountTakeoverRiskConfigurationType {
    let action = AccountTakeoverActionType::builder()
        .notify(notify)
        .event_action(AccountTakeoverEventActionType::MfaIfConfigured)
        .build()
        .unwrap();
    let mut b = AccountTakeoverRiskConfigurationType::builder().actions(
        AccountTakeoverActionsType::builder()
            .high_action(action)
            .build(),
    );
    if let Some(arn) = with_config {
        b = b.notify_configuration(
            NotifyConfigurationType::builder()
                .source_arn(arn)
                .from("security@example.com")
                .build()
                .unwrap(),
        );
    }
    b.build()
}

#[tokio::test]
async fn pool_level_then_client_falls_back_then_overrides() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = seed::plus_pool(&s).await;
    seed::client(&s, &pool, seed::CLIENT).await;

    // Nothing set: ids only.
    let d = c
        .describe_risk_configuration()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let rc = d.risk_configuration().unwrap();
    assert_eq!(rc.user_pool_id(), Some(pool.as_str()));
    assert!(rc.compromised_credentials_risk_configuration().is_none());
    assert!(rc.last_modified_date().is_none());

    let set = c
        .set_risk_configuration()
        .user_pool_id(&pool)
        .compromised_credentials_risk_configuration(compromised(
            CompromisedCredentialsEventActionType::Block,
        ))
        .account_takeover_risk_configuration(takeover(
            true,
            Some("arn:aws:ses:us-east-1:123456789012:identity/example.com"),
        ))
        .risk_exception_configuration(
            RiskExceptionConfigurationType::builder()
                .blocked_ip_range_list("192.0.2.0/24")
                .skipped_ip_range_list("2001:db8::/32")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool_rc = set.risk_configuration().unwrap().clone();
    assert!(pool_rc.client_id().is_none());
    assert!(pool_rc.last_modified_date().is_some());
    assert_eq!(
        pool_rc
            .risk_exception_configuration()
            .unwrap()
            .blocked_ip_range_list(),
        ["192.0.2.0/24"]
    );

    // The client has nothing of its own: it is described with the pool's.
    let d = c
        .describe_risk_configuration()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .send()
        .await
        .unwrap();
    assert_eq!(d.risk_configuration(), Some(&pool_rc));

    // Its own settings win.
    c.set_risk_configuration()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .compromised_credentials_risk_configuration(compromised(
            CompromisedCredentialsEventActionType::NoAction,
        ))
        .send()
        .await
        .unwrap();
    let d = c
        .describe_risk_configuration()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .send()
        .await
        .unwrap();
    let rc = d.risk_configuration().unwrap();
    assert_eq!(rc.client_id(), Some(seed::CLIENT));
    assert_eq!(
        rc.compromised_credentials_risk_configuration()
            .unwrap()
            .actions()
            .unwrap()
            .event_action(),
        &CompromisedCredentialsEventActionType::NoAction
    );
    assert!(rc.account_takeover_risk_configuration().is_none());

    // Setting nothing resets the client to the pool's again.
    c.set_risk_configuration()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .send()
        .await
        .unwrap();
    let d = c
        .describe_risk_configuration()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .send()
        .await
        .unwrap();
    assert_eq!(d.risk_configuration(), Some(&pool_rc));
}

#[tokio::test]
async fn needs_threat_protection() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = seed::pool(&s).await;
    let expected = (
        "UserPoolAddOnNotEnabledException".to_string(),
        "Threat protection (AdvancedSecurityMode AUDIT or ENFORCED) is not enabled for this user pool.".to_string(),
    );
    let e = c
        .describe_risk_configuration()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e), expected);
    let e = c
        .set_risk_configuration()
        .user_pool_id(&pool)
        .compromised_credentials_risk_configuration(compromised(
            CompromisedCredentialsEventActionType::Block,
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e), expected);
}

#[tokio::test]
async fn validation_rules() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = seed::plus_pool(&s).await;

    let e = c
        .describe_risk_configuration()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!("User pool client {} does not exist.", seed::CLIENT)
        )
    );

    let e = c
        .set_risk_configuration()
        .user_pool_id(&pool)
        .account_takeover_risk_configuration(takeover(true, None))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "NotifyConfiguration is required when Notify is true for any account takeover action."
                .into()
        )
    );

    let e = c
        .set_risk_configuration()
        .user_pool_id(&pool)
        .account_takeover_risk_configuration(takeover(
            false,
            Some("arn:aws:sns:us-east-1:123456789012:topic"),
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "SourceArn arn:aws:sns:us-east-1:123456789012:topic is not a valid Amazon SES identity ARN."
                .into()
        )
    );

    for bad in ["10.0.0.1", "10.0.0.0/33", "example.com/8"] {
        let e = c
            .set_risk_configuration()
            .user_pool_id(&pool)
            .risk_exception_configuration(
                RiskExceptionConfigurationType::builder()
                    .skipped_ip_range_list(bad)
                    .build(),
            )
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            err(e),
            (
                "InvalidParameterException".into(),
                format!("{bad} is not a valid IP range in CIDR notation.")
            )
        );
    }

    let e = c
        .set_risk_configuration()
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
