//! pycognito's SRP sign-in (it answers PASSWORD_VERIFIER without a Session) with the right and
//! a wrong password, and its software token MFA. Needs `scripts/setup-test-clients` (pycognito in .venv); skipped with a
//! message without it, unless IRONPOOL_REQUIRE_CLIENTS=1.

use crate::harness::{venv_python, TestServer};
use crate::signin_support::{decode, Fixture, PASSWORD};
use std::path::PathBuf;

#[tokio::test]
async fn pycognito_signs_in_with_the_right_password_only() {
    let Some(python) = venv_python("pycognito") else {
        return;
    };
    let f = Fixture::new().await;
    let user = f.user("alice", &[]).await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/py/pycognito_srp.py");
    let out = tokio::process::Command::new(python)
        .arg(script)
        .env("ENDPOINT", f.url())
        .env("POOL_ID", &f.pool)
        .env("CLIENT_ID", &f.client_id)
        .env("USERNAME", "alice")
        .env("PASSWORD", PASSWORD)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["right"]["ok"], true, "{v}");
    let (_, id) = decode(v["right"]["idToken"].as_str().unwrap());
    assert_eq!(id["sub"], user.sub.as_str());
    assert_eq!(v["wrong"]["ok"], false);
    assert_eq!(v["wrong"]["code"], "NotAuthorizedException");
    assert_eq!(v["wrong"]["message"], "Incorrect username or password.");
}

/// On a server with the real clock: pyotp computes the codes at the real time.
#[tokio::test]
async fn pycognito_sets_up_and_answers_software_token_mfa() {
    let Some(python) = venv_python("pyotp") else {
        return;
    };
    let s = TestServer::start().await;
    let c = s.client();
    let pool = crate::harness::pool(&c).await;
    c.set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(aws_sdk_cognitoidentityprovider::types::UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            aws_sdk_cognitoidentityprovider::types::SoftwareTokenMfaConfigType::builder()
                .enabled(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let client = crate::harness::client_with(&c, &pool, |b| {
        b.explicit_auth_flows(
            aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserSrpAuth,
        )
    })
    .await;
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("alice")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    c.admin_set_user_password()
        .user_pool_id(&pool)
        .username("alice")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/py/pycognito_totp.py");
    let out = tokio::process::Command::new(python)
        .arg(script)
        .env("ENDPOINT", s.url())
        .env("POOL_ID", &pool)
        .env("CLIENT_ID", &client)
        .env("USERNAME", "alice")
        .env("PASSWORD", PASSWORD)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "secret_length": 32,
            "verified": true,
            "challenged": true,
            "username": "alice"
        })
    );
}
