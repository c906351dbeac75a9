//! Session tracking configuration. aws-sdk-rust 1.144 predates these operations, so they go
//! over raw JSON 1.1 (as a newer SDK or the CLI would send them).

use crate::harness::{raw_call, TestServer};
use crate::seed;
use aws_sdk_cognitoidentityprovider::types::UserPoolTierType;
use serde_json::{json, Value};

async fn call(s: &TestServer, op: &str, body: Value) -> (u16, Value) {
    let (status, _, json) = raw_call(&s.url(), Some(op), &body.to_string()).await;
    (status, json)
}

fn error(code: &str, message: &str) -> (u16, Value) {
    (400, json!({"__type": code, "message": message}))
}

#[tokio::test]
async fn pool_defaults_then_set() {
    let s = TestServer::start().await;
    let pool = seed::pool(&s).await;
    assert_eq!(
        call(
            &s,
            "GetUserPoolSessionConfiguration",
            json!({"UserPoolId": pool})
        )
        .await,
        (
            200,
            json!({"UserPoolId": pool, "UserSessionTracking": "DISABLED", "TokenSession": {"MaxPerUser": 20}})
        )
    );
    let set = json!({"UserPoolId": pool, "UserSessionTracking": "ENABLED", "TokenSession": {"MaxPerUser": 5}});
    assert_eq!(
        call(&s, "SetUserPoolSessionConfiguration", set.clone()).await,
        (200, set.clone())
    );
    assert_eq!(
        call(
            &s,
            "GetUserPoolSessionConfiguration",
            json!({"UserPoolId": pool})
        )
        .await,
        (200, set)
    );
}

#[tokio::test]
async fn client_needs_tracking_on_the_pool() {
    let s = TestServer::start().await;
    let pool = seed::pool(&s).await;
    seed::client(&s, &pool, seed::CLIENT).await;
    let client = json!({"UserPoolId": pool, "ClientId": seed::CLIENT});
    assert_eq!(
        call(&s, "GetUserPoolClientSessionConfiguration", client.clone()).await,
        (
            200,
            json!({"UserPoolId": pool, "ClientId": seed::CLIENT, "SSOSession": {"MaxValidityMinutes": 60}})
        )
    );
    let set = json!({"UserPoolId": pool, "ClientId": seed::CLIENT, "SSOSession": {"MaxValidityMinutes": 43200}});
    assert_eq!(
        call(&s, "SetUserPoolClientSessionConfiguration", set.clone()).await,
        error(
            "InvalidParameterException",
            "Session tracking must be enabled for the user pool before you configure app client sessions."
        )
    );
    call(
        &s,
        "SetUserPoolSessionConfiguration",
        json!({"UserPoolId": pool, "UserSessionTracking": "ENABLED", "TokenSession": {"MaxPerUser": 20}}),
    )
    .await;
    assert_eq!(
        call(&s, "SetUserPoolClientSessionConfiguration", set.clone()).await,
        (200, set.clone())
    );
    assert_eq!(
        call(&s, "GetUserPoolClientSessionConfiguration", client).await,
        (200, set)
    );
}

#[tokio::test]
async fn errors() {
    let s = TestServer::start().await;
    let lite = s
        .client()
        .create_user_pool()
        .pool_name("lite")
        .user_pool_tier(UserPoolTierType::Lite)
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    assert_eq!(
        call(
            &s,
            "SetUserPoolSessionConfiguration",
            json!({"UserPoolId": lite, "UserSessionTracking": "ENABLED", "TokenSession": {"MaxPerUser": 20}}),
        )
        .await,
        error(
            "FeatureUnavailableInTierException",
            "Session configuration requires the Essentials or Plus feature plan."
        )
    );
    assert_eq!(
        call(
            &s,
            "GetUserPoolClientSessionConfiguration",
            json!({"UserPoolId": lite, "ClientId": seed::CLIENT}),
        )
        .await,
        error(
            "ResourceNotFoundException",
            &format!("User pool client {} does not exist.", seed::CLIENT)
        )
    );
    assert_eq!(
        call(
            &s,
            "GetUserPoolSessionConfiguration",
            json!({"UserPoolId": seed::MISSING_POOL}),
        )
        .await,
        error(
            "ResourceNotFoundException",
            &format!("User pool {} does not exist.", seed::MISSING_POOL)
        )
    );
    let (status, body) = call(
        &s,
        "SetUserPoolSessionConfiguration",
        json!({"UserPoolId": lite, "UserSessionTracking": "ENABLED", "TokenSession": {"MaxPerUser": 101}}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "InvalidParameterException");
}
