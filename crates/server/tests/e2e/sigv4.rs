//! SigV4: required for IAM operations once credentials are configured, never for the
//! operations a token or client id authorizes.

use crate::harness::{err, raw_call, sdk_client, TestServer, KEY_ID, SECRET};
use ironpool_core::ManualClock;
use ironpool_server::{App, Config, Server};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

#[tokio::test]
async fn a_valid_signature_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let s = TestServer::with_credentials(dir.path()).await;
    let created = s
        .client()
        .create_user_pool()
        .pool_name("signed")
        .send()
        .await
        .unwrap();
    assert_eq!(created.user_pool().unwrap().name(), Some("signed"));
}

#[tokio::test]
async fn a_wrong_secret_is_an_invalid_signature() {
    let dir = tempfile::tempdir().unwrap();
    let s = TestServer::with_credentials(dir.path()).await;
    let client = sdk_client(&s.url(), KEY_ID, "not-the-secret", "us-east-1");
    let e = client
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidSignatureException".into(),
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service \
             documentation for details."
                .into()
        )
    );
}

#[tokio::test]
async fn an_unknown_key_is_an_unrecognized_client() {
    let dir = tempfile::tempdir().unwrap();
    let s = TestServer::with_credentials(dir.path()).await;
    let client = sdk_client(&s.url(), "AKIAUNKNOWNUNKNOWN00", SECRET, "us-east-1");
    let e = client
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "UnrecognizedClientException".into(),
            "The security token included in the request is invalid.".into()
        )
    );
}

#[tokio::test]
async fn a_signature_for_another_region_acts_there_and_a_made_up_region_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = TestServer::with_credentials(dir.path()).await;
    let ireland = sdk_client(&s.url(), KEY_ID, SECRET, "eu-west-1");
    let made = ireland
        .create_user_pool()
        .pool_name("p")
        .send()
        .await
        .unwrap();
    let id = made.user_pool().unwrap().id().unwrap();
    assert!(id.starts_with("eu-west-1_"), "{id}");

    let nowhere = sdk_client(&s.url(), KEY_ID, SECRET, "Moon");
    let e = nowhere
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .unwrap_err();
    let (code, message) = err(e);
    assert_eq!(code, "InvalidSignatureException");
    assert!(
        message.contains("Credential should be scoped to a valid region."),
        "{message}"
    );
}

#[tokio::test]
async fn an_unsigned_iam_call_is_missing_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let s = TestServer::with_credentials(dir.path()).await;
    let (status, headers, body) =
        raw_call(&s.url(), Some("ListUserPools"), r#"{"MaxResults":10}"#).await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "MissingAuthenticationTokenException");
    assert_eq!(body["message"], "Missing Authentication Token");
    assert_eq!(
        headers["x-amzn-errortype"],
        "MissingAuthenticationTokenException"
    );
}

#[tokio::test]
async fn unsigned_operations_need_no_signature_and_take_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let s = TestServer::with_credentials(dir.path()).await;
    // Unsigned: reaches the operation (here, its validation), not the signature check.
    let (status, _, body) = raw_call(
        &s.url(),
        Some("InitiateAuth"),
        r#"{"AuthFlow":"USER_PASSWORD_AUTH"}"#,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "InvalidParameterException", "{body}");
    // Signed with a wrong secret: still not a signature error.
    let client = sdk_client(&s.url(), KEY_ID, "not-the-secret", "us-east-1");
    let e = client
        .initiate_auth()
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .client_id("a".repeat(300))
        .send()
        .await
        .unwrap_err();
    let (code, _) = err(e);
    assert_eq!(code, "InvalidParameterException");
}

#[tokio::test]
async fn stale_and_future_signatures_are_refused_and_small_skew_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    std::fs::write(
        &file,
        format!("[ci]\naws_access_key_id={KEY_ID}\naws_secret_access_key={SECRET}\n"),
    )
    .unwrap();
    let mut app = App::from_config(Config {
        credentials_file: Some(file),
        ..crate::harness::test_config()
    })
    .await
    .unwrap();
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    app.clock = clock.clone();
    let server = Server::start(app).await.unwrap();
    let client = sdk_client(&server.url(), KEY_ID, SECRET, "us-east-1");
    let call = || client.list_user_pools().max_results(1).send();

    // Our clock 6 minutes ahead: the client's signature is stale.
    clock.set(SystemTime::now() + Duration::from_secs(360));
    let (code, message) = err(call().await.unwrap_err());
    assert_eq!(code, "InvalidSignatureException");
    assert!(message.starts_with("Signature expired: "), "{message}");

    // Our clock 6 minutes behind: the signature is from the future.
    clock.set(SystemTime::now() - Duration::from_secs(360));
    let (code, message) = err(call().await.unwrap_err());
    assert_eq!(code, "InvalidSignatureException");
    assert!(
        message.starts_with("Signature not yet current: "),
        "{message}"
    );

    // Four minutes either way is within AWS's five.
    clock.set(SystemTime::now() + Duration::from_secs(240));
    call().await.unwrap();
    clock.set(SystemTime::now() - Duration::from_secs(240));
    call().await.unwrap();
}

#[tokio::test]
async fn without_credentials_the_admin_api_is_open() {
    let s = TestServer::start().await;
    let (status, _, body) = raw_call(&s.url(), Some("ListUserPools"), r#"{"MaxResults":10}"#).await;
    assert_eq!(status, 200, "{body}");
    // Any signature is taken as it is.
    let client = sdk_client(&s.url(), "AKIAANYTHING", "whatever", "ap-south-1");
    client
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .unwrap();
}
