//! The browser-side clients, run with `node`: amazon-cognito-identity-js and Amplify v6 sign in
//! with SRP (right and wrong password), and aws-jwt-verify verifies our ID and access tokens from our
//! JWKS and discovery document, and rejects a tampered one. Needs `scripts/setup-test-clients`
//! (npm ci in crates/server/tests/js); skipped with a message without it, unless
//! IRONPOOL_REQUIRE_CLIENTS=1.

use crate::signin_support::Fixture;
use aws_sdk_cognitoidentityprovider::types::MessageActionType;
use serde_json::Value;
use std::path::PathBuf;

pub(crate) fn js_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/js");
    let ready = dir.join("node_modules/amazon-cognito-identity-js").is_dir()
        && dir.join("node_modules/aws-jwt-verify").is_dir()
        && dir.join("node_modules/aws-amplify").is_dir();
    if ready {
        return Some(dir);
    }
    if std::env::var("IRONPOOL_REQUIRE_CLIENTS").as_deref() == Ok("1") {
        panic!("the JS clients are not installed: run scripts/setup-test-clients");
    }
    eprintln!("SKIPPED: the JS clients are not installed (run scripts/setup-test-clients)");
    None
}

pub(crate) async fn node(dir: &PathBuf, script: &str, env: &[(&str, &str)]) -> Value {
    let out = tokio::process::Command::new("node")
        .arg(script)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{script}: {e}: {stdout}"))
}

#[tokio::test]
async fn identity_js_and_amplify_sign_in_with_srp_and_jwt_verify_checks_the_tokens() {
    let Some(dir) = js_dir() else { return };
    let f = Fixture::new().await;
    f.c.admin_create_user()
        .user_pool_id(&f.pool)
        .username("alice")
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value("alice@example.com")
                .build()
                .unwrap(),
        )
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    f.c.admin_set_user_password()
        .user_pool_id(&f.pool)
        .username("alice")
        .password("Correct-horse-1")
        .permanent(true)
        .send()
        .await
        .unwrap();
    let url = f.url();
    let base = [
        ("ENDPOINT", url.as_str()),
        ("POOL_ID", f.pool.as_str()),
        ("CLIENT_ID", f.client_id.as_str()),
        ("USERNAME", "alice"),
    ];

    let wrong = node(
        &dir,
        "srp_sign_in.mjs",
        &[&base[..], &[("PASSWORD", "Wrong-pass-1")]].concat(),
    )
    .await;
    assert_eq!(wrong["ok"], false);
    assert_eq!(wrong["code"], "NotAuthorizedException");
    assert_eq!(wrong["message"], "Incorrect username or password.");

    let good = node(
        &dir,
        "srp_sign_in.mjs",
        &[&base[..], &[("PASSWORD", "Correct-horse-1")]].concat(),
    )
    .await;
    assert_eq!(good["ok"], true, "{good}");
    let id = good["idToken"].as_str().unwrap();
    let access = good["accessToken"].as_str().unwrap();

    let verdict = node(
        &dir,
        "verify_jwt.mjs",
        &[
            ("ENDPOINT", url.as_str()),
            ("POOL_ID", f.pool.as_str()),
            ("CLIENT_ID", f.client_id.as_str()),
            ("ID_TOKEN", id),
            ("ACCESS_TOKEN", access),
        ],
    )
    .await;
    assert_eq!(verdict["issuer"], format!("{url}/{}", f.pool).as_str());
    assert_eq!(verdict["id"]["valid"], true, "{verdict}");
    assert_eq!(verdict["access"]["valid"], true, "{verdict}");
    assert_eq!(verdict["tampered"]["valid"], false, "{verdict}");
    assert_eq!(
        verdict["tampered"]["message"], "Invalid signature",
        "{verdict}"
    );
    assert_eq!(verdict["idAsAccess"]["valid"], false, "{verdict}");

    // Amplify v6's signIn (its own SRP implementation).
    let wrong = node(
        &dir,
        "amplify_sign_in.mjs",
        &[&base[..], &[("PASSWORD", "Wrong-pass-1")]].concat(),
    )
    .await;
    assert_eq!(wrong["ok"], false, "{wrong}");
    assert_eq!(wrong["name"], "NotAuthorizedException", "{wrong}");
    assert_eq!(wrong["message"], "Incorrect username or password.");
    let good = node(
        &dir,
        "amplify_sign_in.mjs",
        &[&base[..], &[("PASSWORD", "Correct-horse-1")]].concat(),
    )
    .await;
    assert_eq!(good["ok"], true, "{good}");
    assert_eq!(good["step"], "DONE");
    let (_, claims) = crate::signin_support::decode(good["idToken"].as_str().unwrap());
    assert_eq!(claims["cognito:username"], "alice");
}
