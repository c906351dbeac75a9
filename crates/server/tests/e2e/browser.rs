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
use serde_json::json;
use std::path::PathBuf;

/// The app the browser comes back to: any request gets a small page, or, with `dir`, the
/// file of `dir` its path names (`index.html` for paths without one). Its port.
pub(crate) async fn app_serving(dir: Option<PathBuf>) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let dir = dir.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 8192];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                let path = request.split_whitespace().nth(1).unwrap_or("/");
                let path = path.split('?').next().unwrap_or("/");
                let (body, kind) = match &dir {
                    Some(dir) if path.ends_with(".js") => (
                        std::fs::read(dir.join(path.trim_start_matches('/'))).unwrap_or_default(),
                        "text/javascript",
                    ),
                    Some(dir) => (
                        std::fs::read(dir.join("index.html")).unwrap_or_default(),
                        "text/html",
                    ),
                    None => (b"<!doctype html><title>app</title>".to_vec(), "text/html"),
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
            });
        }
    });
    port
}

pub(crate) fn chromium() -> bool {
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
    let port = app_serving(None).await;
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

#[tokio::test]
async fn amplify_sign_in_with_redirect_completes_over_https() {
    let Some(dir) = js_dir() else { return };
    if !chromium() {
        return;
    }
    let tls = tempfile::tempdir().unwrap();
    ironpool_server::tls::write_local_certificate(tls.path(), "us-east-1", &[]).unwrap();
    let s = TestServer::with_config(ironpool_server::Config {
        tls_cert: Some(tls.path().join("cert.pem")),
        tls_key: Some(tls.path().join("key.pem")),
        ..crate::harness::test_config()
    })
    .await;
    // The API over HTTPS, trusting the local CA.
    let ca =
        reqwest::Certificate::from_pem(&std::fs::read(tls.path().join("ca.pem")).unwrap()).unwrap();
    let https = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .unwrap();
    let url = s.url();
    let call = |op: &'static str, body: serde_json::Value| {
        let (https, url) = (https.clone(), url.clone());
        async move {
            let answer: serde_json::Value = https
                .post(&url)
                .header(
                    "x-amz-target",
                    format!("AWSCognitoIdentityProviderService.{op}"),
                )
                .header("content-type", "application/x-amz-json-1.1")
                .body(body.to_string())
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(answer.get("__type").is_none(), "{op}: {answer}");
            answer
        }
    };
    let pool = call("CreateUserPool", json!({"PoolName": "amplify"})).await["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let prefix = format!("amp-{}", pool.rsplit('_').next().unwrap().to_lowercase());
    call(
        "CreateUserPoolDomain",
        json!({"UserPoolId": pool, "Domain": prefix}),
    )
    .await;
    let app_dir = tempfile::tempdir().unwrap();
    let port = app_serving(Some(app_dir.path().to_owned())).await;
    let app = format!("http://localhost:{port}");
    let created = call(
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool, "ClientName": "app",
            "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": [format!("{app}/")],
            "LogoutURLs": [format!("{app}/")], "SupportedIdentityProviders": ["COGNITO"],
        }),
    )
    .await;
    let client_id = created["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    call(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "amy", "MessageAction": "SUPPRESS"}),
    )
    .await;
    call(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": "amy", "Password": PASSWORD, "Permanent": true}),
    )
    .await;
    let domain = format!(
        "{prefix}.auth.us-east-1.localhost:{}",
        s.server.local_addr().port()
    );
    let out = node(
        &dir,
        "amplify_redirect.mjs",
        &[
            ("APP_DIR", app_dir.path().to_str().unwrap()),
            ("APP", app.as_str()),
            ("DOMAIN", domain.as_str()),
            ("POOL_ID", pool.as_str()),
            ("CLIENT_ID", client_id.as_str()),
            ("USERNAME", "amy"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await;
    assert!(
        out["loginUrl"]
            .as_str()
            .unwrap()
            .starts_with(&format!("https://{domain}/login?")),
        "{out}"
    );
    assert_eq!(out["user"], "amy", "{out}");
    let (_, id) = decode(out["idToken"].as_str().unwrap());
    assert_eq!(id["cognito:username"], "amy");
    assert_eq!(id["aud"], client_id.as_str());
}
