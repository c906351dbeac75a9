//! `/_ironpool/outbox` as a developer reads it: newest first, so after a resend the first
//! entry holds the code that works.

use crate::harness::{client_with, err, pool_with, TestServer};
use crate::users::{attr, PW};
use aws_sdk_cognitoidentityprovider::types::VerifiedAttributeType;
use serde_json::Value;

#[tokio::test]
async fn outbox_lists_newest_first() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool_with(&c, |b| {
        b.auto_verified_attributes(VerifiedAttributeType::Email)
    })
    .await;
    let client = client_with(&c, &p, |b| b).await;
    c.sign_up()
        .client_id(&client)
        .username("sam")
        .password(PW)
        .user_attributes(attr("email", "sam@example.com"))
        .send()
        .await
        .unwrap();
    c.resend_confirmation_code()
        .client_id(&client)
        .username("sam")
        .send()
        .await
        .unwrap();

    let url = format!("{}/_ironpool/outbox?pool={p}&username=sam", s.url());
    let out: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    let out = out.as_array().unwrap();
    assert_eq!(out.len(), 2, "{out:?}");
    let sent = s.server.app().outbox.list(Some(&p), Some("sam"));
    assert_eq!(out[0]["code"], sent[1].code.as_str());
    assert_eq!(out[1]["code"], sent[0].code.as_str());
    assert_ne!(out[0]["code"], out[1]["code"]);

    let stale = out[1]["code"].as_str().unwrap();
    let e = c
        .confirm_sign_up()
        .client_id(&client)
        .username("sam")
        .confirmation_code(stale)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "CodeMismatchException".into(),
            "Invalid verification code provided, please try again.".into()
        )
    );
    c.confirm_sign_up()
        .client_id(&client)
        .username("sam")
        .confirmation_code(out[0]["code"].as_str().unwrap())
        .send()
        .await
        .unwrap();
}

/// The dev endpoints hold codes and wipe state: no web page may read or call them. They carry
/// no CORS headers, and a browser's request (it names its Origin) is refused, preflight too.
#[tokio::test]
async fn dev_endpoints_refuse_web_pages() {
    let s = TestServer::start().await;
    let c = s.client();
    pool_with(&c, |b| b).await;
    let http = reqwest::Client::new();
    let outbox = format!("{}/_ironpool/outbox", s.url());
    let reset = format!("{}/_ironpool/reset", s.url());
    let origin = "https://evil.example";

    let r = http.get(&outbox).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("access-control-allow-origin").is_none());

    for r in [
        http.get(&outbox)
            .header("origin", origin)
            .send()
            .await
            .unwrap(),
        http.post(&reset)
            .header("origin", origin)
            .send()
            .await
            .unwrap(),
        http.request(reqwest::Method::OPTIONS, &outbox)
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(r.status(), 403, "{}", r.url());
        assert!(r.headers().get("access-control-allow-origin").is_none());
    }
    // The refused reset wiped nothing.
    let pools = c.list_user_pools().max_results(10).send().await.unwrap();
    assert_eq!(pools.user_pools().len(), 1);

    // The API itself stays open to browsers.
    let r = http
        .request(reqwest::Method::OPTIONS, s.url())
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
}
