//! The managed login pages in a real browser: headless Chromium (Debian's `chromium`) driven by
//! Playwright walks sign-up, confirmation, sign-in with the keyboard, authenticator setup from
//! the QR page, the code's redemption, the SSO session and sign-out. A screenshot of the
//! sign-in page is left in `target/test-artifacts/`. Needs `scripts/setup-test-clients`;
//! skipped with a message without Chromium, unless IRONPOOL_REQUIRE_CLIENTS=1.

use crate::harness::TestServer;
use crate::js_clients::{js_dir, node};
use crate::signin_support::{decode, PASSWORD};
use aws_sdk_cognitoidentityprovider::types::{
    OAuthFlowType, SoftwareTokenMfaConfigType, UserPoolMfaType, VerifiedAttributeType,
};
use std::path::PathBuf;

/// The app the browser comes back to: any request gets a small page. Its port.
async fn app() -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let body = "<!doctype html><title>app</title>";
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    port
}

fn chromium() -> bool {
    if std::path::Path::new("/usr/bin/chromium").exists() {
        return true;
    }
    if std::env::var("IRONPOOL_REQUIRE_CLIENTS").as_deref() == Ok("1") {
        panic!("chromium is not installed: run scripts/setup-test-clients");
    }
    eprintln!("SKIPPED: chromium is not installed (run scripts/setup-test-clients)");
    false
}

#[tokio::test]
async fn chromium_walks_sign_up_sign_in_mfa_setup_sso_and_sign_out() {
    let Some(dir) = js_dir() else { return };
    if !chromium() {
        return;
    }
    let port = app().await;
    let callback = format!("http://localhost:{port}/cb");
    let logout = format!("http://localhost:{port}/bye");
    let (callback, logout) = (callback.as_str(), logout.as_str());
    let s = TestServer::start().await;
    let c = s.client();
    let pool = crate::harness::pool_with(&c, |b| {
        b.auto_verified_attributes(VerifiedAttributeType::Email)
            .schema(
                aws_sdk_cognitoidentityprovider::types::SchemaAttributeType::builder()
                    .name("email")
                    .required(true)
                    .mutable(true)
                    .build(),
            )
    })
    .await;
    c.set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::On)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .unwrap();
    c.create_user_pool_domain()
        .user_pool_id(&pool)
        .domain(format!(
            "walk-{}",
            pool.rsplit('_').next().unwrap().to_lowercase()
        ))
        .send()
        .await
        .unwrap();
    let client_id = crate::harness::client_with(&c, &pool, |b| {
        b.allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_flows(OAuthFlowType::Code)
            .allowed_o_auth_scopes("openid")
            .allowed_o_auth_scopes("email")
            .callback_urls(callback)
            .logout_urls(logout)
            .supported_identity_providers("COGNITO")
    })
    .await;
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let screenshot = artifacts.join("managed-login.png");
    let _ = std::fs::remove_file(&screenshot);
    let base = format!("{}/{pool}", s.url());
    let out = node(
        &dir,
        "managed_login_browser.mjs",
        &[
            ("ENDPOINT", s.url().as_str()),
            ("BASE", base.as_str()),
            ("POOL_ID", pool.as_str()),
            ("CLIENT_ID", client_id.as_str()),
            ("CALLBACK", callback),
            ("LOGOUT", logout),
            ("PASSWORD", PASSWORD),
            ("SCREENSHOT", screenshot.to_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(out["signInTitle"], "Sign in", "{out}");
    assert_eq!(out["confirmTitle"], "Confirm your account");
    assert_eq!(
        out["confirmed"],
        "Your account is confirmed. Sign in to continue."
    );
    assert_eq!(out["setupTitle"], "Set up an authenticator app");
    assert_eq!(out["qr"], 1);
    assert_eq!(out["state"], "one");
    let (_, id) = decode(out["idToken"].as_str().unwrap());
    assert_eq!(id["cognito:username"], "walker");
    assert_eq!(id["email"], "walker@example.com");
    assert_eq!(out["cookie"]["httpOnly"], true);
    assert_eq!(out["cookie"]["sameSite"], "Lax");
    assert_eq!(out["ssoState"], "two");
    assert_eq!(out["afterLogoutCookie"], false);
    assert_eq!(out["afterLogoutTitle"], "Sign in");
    assert!(
        std::fs::metadata(&screenshot).unwrap().len() > 1000,
        "a screenshot"
    );
}
