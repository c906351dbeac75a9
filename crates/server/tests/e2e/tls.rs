//! HTTPS with a certificate from `ironpool cert`, and the `*.localhost` names that are loopback
//! (RFC 6761): in callback URLs, and in Ironpool's own outbound calls.

use crate::harness::{test_config, TestServer};
use crate::lambdas::lambdas;
use crate::triggers::answering;
use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;
use ironpool_server::Config;

fn trusting(ca: &std::path::Path) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(&std::fs::read(ca).unwrap()).unwrap();
    reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_server_speaks_https_with_a_local_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let binary = crate::harness::Process::binary();
    let out = std::process::Command::new(binary)
        .args(["cert", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = TestServer::with_config(Config {
        tls_cert: Some(dir.path().join("cert.pem")),
        tls_key: Some(dir.path().join("key.pem")),
        ..test_config()
    })
    .await;
    let url = s.url();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let client = trusting(&dir.path().join("ca.pem"));
    let health: serde_json::Value = client
        .get(format!("{url}/_ironpool/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let created: serde_json::Value = client
        .post(&url)
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.CreateUserPool",
        )
        .header("content-type", "application/x-amz-json-1.1")
        .body(r#"{"PoolName":"tls"}"#)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pool = created["UserPool"]["Id"].as_str().unwrap();
    let discovery: serde_json::Value = client
        .get(format!("{url}/{pool}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        discovery["issuer"],
        format!("{url}/{pool}"),
        "the public URL is https"
    );
    // A client that does not trust the local CA is refused by TLS, and plain HTTP gets nothing.
    assert!(reqwest::get(format!("{url}/_ironpool/health"))
        .await
        .is_err());
    let plain = url.replace("https://", "http://");
    assert!(reqwest::get(format!("{plain}/_ironpool/health"))
        .await
        .is_err());
}

#[tokio::test]
async fn localhost_names_are_loopback_for_callbacks_and_outbound_calls() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = crate::harness::pool(&c).await;
    let made = c
        .create_user_pool_client()
        .user_pool_id(&p)
        .client_name("web")
        .callback_urls("http://app.localhost:3000/cb")
        .send()
        .await;
    assert!(made.is_ok(), "{made:?}");
    let evil = c
        .create_user_pool_client()
        .user_pool_id(&p)
        .client_name("web")
        .callback_urls("http://localhost.example.com/cb")
        .send()
        .await;
    assert_eq!(
        crate::harness::err(evil.unwrap_err()).0,
        "InvalidParameterException"
    );

    // A Lambda endpoint named lambda.localhost is reached without the system resolver.
    let Some(l) = lambdas() else { return };
    let arn = l.function(&answering("{ autoConfirmUser: true }")).await;
    let mut config = l.config();
    config.aws.lambda_endpoint = Some(l.url.replace("127.0.0.1", "lambda.localhost"));
    let s = TestServer::with_config(config).await;
    let c = s.client();
    let p = c
        .create_user_pool()
        .pool_name("localhost")
        .lambda_config(LambdaConfigType::builder().pre_sign_up(&arn).build())
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let cid = crate::harness::client_with(&c, &p, |b| b).await;
    let signed_up = c
        .sign_up()
        .client_id(&cid)
        .username("lou")
        .password("Correct-horse-1")
        .send()
        .await
        .unwrap();
    assert!(
        signed_up.user_confirmed(),
        "the function at lambda.localhost confirmed the user"
    );
}
