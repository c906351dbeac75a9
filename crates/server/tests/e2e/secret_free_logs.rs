//! The log of the real binary, in both formats (JSON at debug level), never holds a secret:
//! no verification code, temporary password, password, token or SMTP password after sign-up,
//! invitation, forgot-password, sign-in, a wrong password and a token refresh, with email
//! delivery failing (so its failure lines are checked too).

use crate::harness::{client_with, pool_with, sdk_client, Process, KEY_ID, SECRET};
use crate::users::attr;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, DeliveryMediumType, ExplicitAuthFlowsType, VerifiedAttributeType,
};
use aws_sdk_cognitoidentityprovider::Client;
use std::time::{Duration, Instant};

const SIGN_UP_PASSWORD: &str = "First-secret-pw1";
const NEW_PASSWORD: &str = "Second-secret-pw2";
const WRONG_PASSWORD: &str = "Wrong-secret-pw3";
const SMTP_PASSWORD: &str = "smtp-Pa55word-never-logged";

/// The newest code the outbox holds for `user`, read over HTTP as a developer would.
async fn code(url: &str, pool: &str, user: &str) -> String {
    let out: serde_json::Value = reqwest::get(format!(
        "{url}/_ironpool/outbox?pool={pool}&username={user}"
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let newest = out.as_array().unwrap().first().expect("a message");
    newest["code"].as_str().unwrap().to_owned()
}

/// Runs every flow that handles a secret; returns the secrets it saw.
async fn exercise(url: &str) -> Vec<String> {
    let c: Client = sdk_client(url, KEY_ID, SECRET, "us-east-1");
    let pool = pool_with(&c, |b| {
        b.auto_verified_attributes(VerifiedAttributeType::Email)
    })
    .await;
    let client_id = client_with(&c, &pool, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
    })
    .await;
    c.sign_up()
        .client_id(&client_id)
        .username("sam")
        .password(SIGN_UP_PASSWORD)
        .user_attributes(attr("email", "sam@example.com"))
        .send()
        .await
        .unwrap();
    let sign_up_code = code(url, &pool, "sam").await;
    c.confirm_sign_up()
        .client_id(&client_id)
        .username("sam")
        .confirmation_code(&sign_up_code)
        .send()
        .await
        .unwrap();
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("dave")
        .user_attributes(attr("email", "dave@example.com"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    let temporary_password = code(url, &pool, "dave").await;
    c.forgot_password()
        .client_id(&client_id)
        .username("sam")
        .send()
        .await
        .unwrap();
    let reset_code = code(url, &pool, "sam").await;
    c.confirm_forgot_password()
        .client_id(&client_id)
        .username("sam")
        .confirmation_code(&reset_code)
        .password(NEW_PASSWORD)
        .send()
        .await
        .unwrap();
    let sign_in = |password: &str| {
        c.initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "sam")
            .auth_parameters("PASSWORD", password)
            .send()
    };
    assert!(sign_in(WRONG_PASSWORD).await.is_err());
    let signed_in = sign_in(NEW_PASSWORD).await.unwrap();
    let tokens = signed_in.authentication_result().unwrap();
    let refreshed = c
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", tokens.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    let again = refreshed.authentication_result().unwrap();
    vec![
        sign_up_code,
        temporary_password,
        reset_code,
        SIGN_UP_PASSWORD.into(),
        NEW_PASSWORD.into(),
        WRONG_PASSWORD.into(),
        tokens.access_token().unwrap().into(),
        tokens.id_token().unwrap().into(),
        tokens.refresh_token().unwrap().into(),
        again.access_token().unwrap().into(),
        again.id_token().unwrap().into(),
        SMTP_PASSWORD.into(),
    ]
}

/// Whether `secret` is in `log`; a numeric code counts only standing alone, not as a run of
/// digits inside a longer number (a timestamp, a duration).
fn holds(log: &str, secret: &str) -> bool {
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    log.match_indices(secret).any(|(i, _)| {
        !secret.chars().all(|c| c.is_ascii_digit())
            || !(digit(log[..i].chars().next_back())
                || digit(log[i + secret.len()..].chars().next()))
    })
}

/// A loopback port nothing listens on: every delivery fails at once.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn no_secret_reaches_the_log_in_either_format() {
    let dir = tempfile::tempdir().unwrap();
    let password_file = dir.path().join("smtp-password");
    std::fs::write(&password_file, format!("{SMTP_PASSWORD}\n")).unwrap();
    let in_url = format!("smtp://mailer:{SMTP_PASSWORD}@127.0.0.1:{}", closed_port());
    let in_file = format!("smtp://mailer@127.0.0.1:{}", closed_port());
    let runs: [(&str, &str, Vec<&str>); 2] = [
        ("text", "info", vec!["--smtp-url", &in_url]),
        (
            "json",
            "debug",
            vec![
                "--smtp-url",
                &in_file,
                "--smtp-password-file",
                password_file.to_str().unwrap(),
            ],
        ),
    ];
    for (format, level, smtp_args) in runs {
        let mut args = vec!["--memory", "--log-format", format];
        args.extend(smtp_args);
        let process = Process::try_spawn_with_env(&args, &[("IRONPOOL_LOG", level)]).unwrap();
        let secrets = exercise(&process.url()).await;
        // Three emails (sign-up, invitation, reset) fail to go out; wait for their lines.
        let deadline = Instant::now() + Duration::from_secs(20);
        while process.log().matches("email delivery failed").count() < 3 {
            assert!(Instant::now() < deadline, "{}", process.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let log = process.log();
        assert!(process.terminate().success());
        assert_eq!(log.matches("message to user").count(), 3, "{log}");
        assert!(log.contains("InitiateAuth"), "{log}");
        assert!(log.contains("smtp://127.0.0.1:"), "{log}");
        for secret in &secrets {
            assert!(
                !holds(&log, secret),
                "the {format} log holds the secret {secret}:\n{log}"
            );
        }
    }
}
