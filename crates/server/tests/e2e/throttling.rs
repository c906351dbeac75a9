//! `--rate-limits aws`: Cognito's per-category request rate quotas, on a clock the test moves.
//! DeleteUser (UserUpdate, 25 requests per second) is refused with TooManyRequestsException
//! once the category is used up, until time refills it; other categories, and operations
//! whose model has no TooManyRequestsException, go on. Without the flag nothing is throttled.

use crate::harness::{err, raw_call, sdk_client, KEY_ID, SECRET};
use ironpool_core::ManualClock;
use ironpool_server::throttle::RateLimits;
use ironpool_server::{App, Config, Server};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub(crate) async fn server(rate_limits: RateLimits) -> (Server, Arc<ManualClock>) {
    let mut app = App::from_config(Config {
        rate_limits,
        ..crate::harness::test_config()
    })
    .await
    .unwrap();
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    app.clock = clock.clone();
    (Server::start(app).await.unwrap(), clock)
}

const BAD_TOKEN: &str = "not-a-valid-token";

async fn delete_user(c: &aws_sdk_cognitoidentityprovider::Client) -> (String, String) {
    err(c
        .delete_user()
        .access_token(BAD_TOKEN)
        .send()
        .await
        .unwrap_err())
}

#[tokio::test]
async fn delete_user_is_throttled_when_its_category_quota_is_used_up() {
    let (s, clock) = server(RateLimits::Aws).await;
    let c = sdk_client(&s.url(), KEY_ID, SECRET, "us-east-1");
    let refused = delete_user(&c).await;
    assert_eq!(refused.0, "NotAuthorizedException");
    for _ in 1..25 {
        assert_eq!(delete_user(&c).await, refused);
    }
    let throttled = ("TooManyRequestsException".into(), "Rate exceeded".into());
    assert_eq!(delete_user(&c).await, throttled);
    // The same category (UserUpdate) is spent for every operation in it.
    let update = c
        .update_user_attributes()
        .access_token(BAD_TOKEN)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(update), throttled);
    // Wire form: HTTP 400 and the error type header.
    let (status, headers, body) = raw_call(
        &s.url(),
        Some("DeleteUser"),
        &format!(r#"{{"AccessToken":"{BAD_TOKEN}"}}"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(headers["x-amzn-errortype"], "TooManyRequestsException");
    assert_eq!(body["message"], "Rate exceeded");
    // AdminSetUserSettings is in UserUpdate, but its model has no TooManyRequestsException.
    let settings = c
        .admin_set_user_settings()
        .user_pool_id("us-east-1_NoSuchOne")
        .username("x")
        .set_mfa_options(Some(vec![]))
        .send()
        .await
        .unwrap_err();
    assert_ne!(err(settings).0, "TooManyRequestsException");
    // Another category (UserRead) has its own quota.
    let get = c
        .get_user()
        .access_token(BAD_TOKEN)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(get), refused);
    // A 25th of a second refills one request.
    clock.advance(Duration::from_millis(40));
    assert_eq!(delete_user(&c).await, refused);
    assert_eq!(delete_user(&c).await, throttled);
    clock.advance(Duration::from_secs(1));
    for _ in 0..25 {
        assert_eq!(delete_user(&c).await, refused);
    }
}

#[tokio::test]
async fn nothing_is_throttled_by_default() {
    let (s, _clock) = server(RateLimits::Off).await;
    let c = sdk_client(&s.url(), KEY_ID, SECRET, "us-east-1");
    for _ in 0..60 {
        assert_eq!(delete_user(&c).await.0, "NotAuthorizedException");
    }
}
