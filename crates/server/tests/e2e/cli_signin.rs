//! The AWS CLI signing a user up and in against a fresh server, as the README shows:
//! sign-up, admin-confirm-sign-up, initiate-auth (USER_PASSWORD_AUTH), get-user,
//! initiate-auth (REFRESH_TOKEN_AUTH), global-sign-out.

use crate::cli::{aws, aws_cli, json};
use crate::harness::{TestServer, KEY_ID, SECRET};

#[tokio::test(flavor = "multi_thread")]
async fn sign_up_and_in_with_the_aws_cli() {
    let Some(cli) = aws_cli() else { return };
    let s = TestServer::start().await;
    let url = s.url();
    let env = [("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", url.as_str())];
    let run = |args: &[&str]| {
        let mut all = vec!["cognito-idp"];
        all.extend_from_slice(args);
        aws(&cli, KEY_ID, SECRET, &env, &all)
    };
    let pool = json(&run(&["create-user-pool", "--pool-name", "demo"]))["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = json(&run(&[
        "create-user-pool-client",
        "--user-pool-id",
        &pool,
        "--client-name",
        "cli",
        "--explicit-auth-flows",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]))["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let signed_up = json(&run(&[
        "sign-up",
        "--client-id",
        &client,
        "--username",
        "alice",
        "--password",
        "Correct-horse-1",
        "--user-attributes",
        "Name=email,Value=alice@example.com",
    ]));
    assert_eq!(signed_up["UserConfirmed"], false);
    json_or_empty(&run(&[
        "admin-confirm-sign-up",
        "--user-pool-id",
        &pool,
        "--username",
        "alice",
    ]));
    let auth = json(&run(&[
        "initiate-auth",
        "--client-id",
        &client,
        "--auth-flow",
        "USER_PASSWORD_AUTH",
        "--auth-parameters",
        "USERNAME=alice,PASSWORD=Correct-horse-1",
    ]));
    let result = &auth["AuthenticationResult"];
    assert_eq!(result["TokenType"], "Bearer");
    assert_eq!(result["ExpiresIn"], 3600);
    let access = result["AccessToken"].as_str().unwrap();
    let me = json(&run(&["get-user", "--access-token", access]));
    assert_eq!(me["Username"], "alice");
    let refreshed = json(&run(&[
        "initiate-auth",
        "--client-id",
        &client,
        "--auth-flow",
        "REFRESH_TOKEN_AUTH",
        "--auth-parameters",
        &format!("REFRESH_TOKEN={}", result["RefreshToken"].as_str().unwrap()),
    ]));
    assert!(refreshed["AuthenticationResult"]["AccessToken"].is_string());
    assert!(refreshed["AuthenticationResult"]
        .get("RefreshToken")
        .is_none());
    json_or_empty(&run(&["global-sign-out", "--access-token", access]));
    let after = run(&["get-user", "--access-token", access]);
    assert!(!after.status.success());
    let stderr = String::from_utf8_lossy(&after.stderr);
    assert!(
        stderr.contains("NotAuthorizedException")
            && stderr.contains("Access Token has been revoked"),
        "{stderr}"
    );
}

/// Operations with an empty answer print nothing.
fn json_or_empty(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "aws failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
