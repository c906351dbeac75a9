//! Model validation: one case per constraint kind, with AWS's exact message.

use crate::harness::{err, raw_call, TestServer};
use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, SchemaAttributeType, UserPoolMfaType,
};

async fn invalid(s: &TestServer, target: &str, body: &str) -> String {
    let (status, _, body) = raw_call(&s.url(), Some(target), body).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["__type"], "InvalidParameterException", "{body}");
    body["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn required_members() {
    let s = TestServer::start().await;
    assert_eq!(
        invalid(&s, "DescribeUserPool", "{}").await,
        "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: \
         Member must not be null"
    );
    assert_eq!(
        invalid(&s, "AdminGetUser", "{}").await,
        "2 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: \
         Member must not be null; Value null at 'username' failed to satisfy constraint: \
         Member must not be null"
    );
}

#[tokio::test]
async fn patterns() {
    let s = TestServer::start().await;
    let e = s
        .client()
        .describe_user_pool()
        .user_pool_id("not a pool id")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "1 validation error detected: Value 'not a pool id' at 'userPoolId' failed to \
             satisfy constraint: Member must satisfy regular expression pattern: \
             [\\w-]+_[0-9a-zA-Z]+"
                .into()
        )
    );
    // Java's \w is ASCII: a non-ASCII letter does not match it.
    let e = s
        .client()
        .describe_user_pool()
        .user_pool_id("us-east-1_äbc")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "InvalidParameterException");
}

#[tokio::test]
async fn lengths_and_ranges() {
    let s = TestServer::start().await;
    let e = s
        .client()
        .create_user_pool()
        .pool_name("p".repeat(129))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e).1,
        format!(
            "1 validation error detected: Value '{}' at 'poolName' failed to satisfy \
             constraint: Member must have length less than or equal to 128",
            "p".repeat(129)
        )
    );
    for (n, bound) in [
        (0, "greater than or equal to 1"),
        (61, "less than or equal to 60"),
    ] {
        let e = s
            .client()
            .list_user_pools()
            .max_results(n)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            err(e).1,
            format!(
                "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy \
                 constraint: Member must have value {bound}"
            )
        );
    }
}

#[tokio::test]
async fn enums_and_list_members() {
    let s = TestServer::start().await;
    let e = s
        .client()
        .create_user_pool()
        .pool_name("p")
        .mfa_configuration(UserPoolMfaType::from("MAYBE"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e).1,
        "1 validation error detected: Value 'MAYBE' at 'mfaConfiguration' failed to satisfy \
         constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]"
    );
    let e = s
        .client()
        .create_user_pool_client()
        .user_pool_id("us-east-1_AAAAAAAAA")
        .client_name("c")
        .explicit_auth_flows(ExplicitAuthFlowsType::from("ALLOW_EVERYTHING"))
        .send()
        .await
        .unwrap_err();
    let message = err(e).1;
    assert!(
        message.starts_with(
            "1 validation error detected: Value '[ALLOW_EVERYTHING]' at 'explicitAuthFlows' \
             failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy \
             enum value set: ["
        ),
        "{message}"
    );
}

#[tokio::test]
async fn nested_members_and_sensitive_values() {
    let s = TestServer::start().await;
    let e = s
        .client()
        .create_user_pool()
        .pool_name("p")
        .schema(SchemaAttributeType::builder().name("n".repeat(21)).build())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e).1,
        format!(
            "1 validation error detected: Value '{}' at 'schema.1.member.name' failed to \
             satisfy constraint: Member must have length less than or equal to 20",
            "n".repeat(21)
        )
    );
    // A client id is sensitive: its value is never echoed.
    let message = invalid(
        &s,
        "InitiateAuth",
        r#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"bad id!"}"#,
    )
    .await;
    assert_eq!(
        message,
        "1 validation error detected: Value at 'clientId' failed to satisfy constraint: Member \
         must satisfy regular expression pattern: [\\w+]+"
    );
}
