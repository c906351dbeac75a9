//! What sign-in refuses before any password is checked: UNCONFIRMED users on every flow, and
//! SRP_A values that are not a number SRP can use; and how a pending challenge is kept: its
//! Session string only as a digest.

use crate::harness::{client_with, err, pool, test_config, TestServer};
use crate::signin_support::{timestamp_now, Fixture, SrpClient, PASSWORD};
use crate::users::{confirmed, create, PW};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, MessageActionType,
    PreventUserExistenceErrorTypes,
};
use ironpool_api::types::UserStatusType;
use ironpool_server::Config;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn not_confirmed() -> (String, String) {
    (
        "UserNotConfirmedException".into(),
        "User is not confirmed.".into(),
    )
}

#[tokio::test]
async fn unconfirmed_users_are_told_so_whatever_the_password_on_every_flow() {
    use PreventUserExistenceErrorTypes::{Enabled, Legacy};
    for prevent in [Legacy, Enabled] {
        let f = Fixture::with_client(|b| b.prevent_user_existence_errors(prevent)).await;
        f.user_with("una", PASSWORD, UserStatusType::Unconfirmed, &[])
            .await;
        for password in [PASSWORD, "Wrong-pass-1"] {
            assert_eq!(
                f.sign_in_with("una", password).await.unwrap_err(),
                not_confirmed()
            );
            for flow in [
                AuthFlowType::AdminUserPasswordAuth,
                AuthFlowType::AdminNoSrpAuth,
            ] {
                let r =
                    f.c.admin_initiate_auth()
                        .user_pool_id(&f.pool)
                        .client_id(&f.client_id)
                        .auth_flow(flow)
                        .auth_parameters("USERNAME", "una")
                        .auth_parameters("PASSWORD", password)
                        .send()
                        .await;
                assert_eq!(err(r.unwrap_err()), not_confirmed());
            }
        }
        // SRP: refused as the challenge starts, before any proof.
        let r =
            f.c.initiate_auth()
                .client_id(&f.client_id)
                .auth_flow(AuthFlowType::UserSrpAuth)
                .auth_parameters("USERNAME", "una")
                .auth_parameters("SRP_A", &SrpClient::new().srp_a)
                .send()
                .await;
        assert_eq!(err(r.unwrap_err()), not_confirmed());
        // No attempt was counted toward lockout.
        let user = f.app().store.get_user(&f.pool, "una").await.unwrap();
        assert_eq!(user.unwrap().failed_attempts, 0);
    }
}

#[tokio::test]
async fn srp_a_values_srp_cannot_use_are_refused_at_the_challenge_start() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    let n = ironpool_core::srp::N_HEX.to_lowercase();
    let too_long = format!("1{}", "0".repeat(768));
    for a in [
        "0".to_owned(),
        "000".to_owned(),
        n.clone(),
        format!("00{n}"),
        too_long,
        "f".repeat(100_000),
        "not-hex".to_owned(),
    ] {
        for name in ["alice", "nobody"] {
            let r =
                f.c.initiate_auth()
                    .client_id(&f.client_id)
                    .auth_flow(AuthFlowType::UserSrpAuth)
                    .auth_parameters("USERNAME", name)
                    .auth_parameters("SRP_A", &a)
                    .send()
                    .await;
            assert_eq!(
                err(r.unwrap_err()),
                (
                    "InvalidParameterException".into(),
                    "Invalid SRP_A value.".into()
                ),
                "SRP_A {}...",
                &a[..a.len().min(12)]
            );
        }
    }
}

/// Every text the server's storage holds: the embedded store's files (database and WAL) or a
/// dump of the PostgreSQL database.
fn stored_text(config: &Config) -> String {
    match &config.database {
        Some(url) => {
            let out = std::process::Command::new(pg_bin("pg_dump"))
                .args(["--data-only", url])
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
            String::from_utf8_lossy(&out.stdout).into_owned()
        }
        None => {
            let mut text = String::new();
            read_all(&config.data_dir, &mut text);
            text
        }
    }
}

fn read_all(dir: &Path, text: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read_all(&path, text);
        } else {
            text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
}

fn pg_bin(tool: &str) -> PathBuf {
    if let Ok(dir) = std::env::var("IRONPOOL_PG_BIN") {
        return PathBuf::from(dir).join(tool);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    versions.sort();
    versions
        .pop()
        .map_or_else(|| PathBuf::from(tool), |v| v.join("bin").join(tool))
}

#[tokio::test]
async fn challenge_sessions_are_stored_only_as_digests() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        memory: false,
        data_dir: dir.path().to_owned(),
        ..test_config()
    };
    let s = TestServer::with_config(config.clone()).await;
    let c = s.client();
    let p = pool(&c).await;
    let cid = client_with(&c, &p, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
    })
    .await;
    confirmed(&c, &p, "alice", &[]).await;
    let srp = SrpClient::new();
    let challenge = c
        .initiate_auth()
        .client_id(&cid)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("SRP_A", &srp.srp_a)
        .send()
        .await
        .unwrap();
    create(&c, &p, "newbie", &[]).await;
    c.admin_set_user_password()
        .user_pool_id(&p)
        .username("newbie")
        .password("Temp-pass-1")
        .permanent(false)
        .send()
        .await
        .unwrap();
    let forced = c
        .admin_initiate_auth()
        .user_pool_id(&p)
        .client_id(&cid)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "newbie")
        .auth_parameters("PASSWORD", "Temp-pass-1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        forced.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let params = challenge.challenge_parameters().unwrap();
    let stored = stored_text(&config);
    for session in [challenge.session().unwrap(), forced.session().unwrap()] {
        // As Cognito's: never taken for an option by the AWS CLI (`--session -...`).
        assert!(session.starts_with("AYAB"), "{session}");
        assert!(!stored.contains(session), "a Session is stored as given");
        let digest = hex::encode(Sha256::digest(session.as_bytes()));
        assert!(stored.contains(&digest), "its SHA-256 is the key");
    }
    assert!(!stored.contains(params["SECRET_BLOCK"].as_str()));

    // Both still answer.
    let done = c
        .respond_to_auth_challenge()
        .client_id(&cid)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .session(challenge.session().unwrap())
        .set_challenge_responses(Some(
            srp.respond(&p, params, PW, &timestamp_now())
                .into_iter()
                .collect(),
        ))
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());
    let done = c
        .admin_respond_to_auth_challenge()
        .user_pool_id(&p)
        .client_id(&cid)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(forced.session().unwrap())
        .challenge_responses("USERNAME", "newbie")
        .challenge_responses("NEW_PASSWORD", PW)
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());
}

/// AdminCreateUser with SUPPRESS and no TemporaryPassword: the password it generates goes to
/// nobody, so it is kept as a verifier no password matches. The user answers every flow as a
/// FORCE_CHANGE_PASSWORD user given a wrong password does, SRP included, until an
/// administrator gives it a password.
#[tokio::test]
async fn a_suppressed_invitation_without_a_password_leaves_none_that_signs_in() {
    let f = Fixture::new().await;
    let create = |name: &'static str, temporary: Option<&'static str>| {
        f.c.admin_create_user()
            .user_pool_id(&f.pool)
            .username(name)
            .set_temporary_password(temporary.map(str::to_owned))
            .message_action(MessageActionType::Suppress)
            .send()
    };
    let quiet = create("quiet", None).await.unwrap();
    assert_eq!(
        quiet.user().unwrap().user_status(),
        Some(&aws_sdk_cognitoidentityprovider::types::UserStatusType::ForceChangePassword)
    );
    create("known", Some("Temp-pass-1")).await.unwrap();
    let stored = f
        .app()
        .store
        .get_user(&f.pool, "quiet")
        .await
        .unwrap()
        .unwrap();
    let record = stored.password.as_ref().expect("a password is kept");
    assert!(record.temporary);
    assert_eq!(record.srp_user_id, "quiet");
    assert!(record.sealed_verifier.starts_with("v1."));

    let incorrect = (
        "NotAuthorizedException".to_owned(),
        "Incorrect username or password.".to_owned(),
    );
    let password_auth = |name: &'static str, password: &'static str| {
        f.c.admin_initiate_auth()
            .user_pool_id(&f.pool)
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", name)
            .auth_parameters("PASSWORD", password)
            .send()
    };
    let known = password_auth("known", "Temp-pass-1").await.unwrap();
    assert_eq!(
        known.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    for guess in ["Temp-pass-1", PASSWORD, "", "x"] {
        assert_eq!(
            err(password_auth("quiet", guess).await.unwrap_err()),
            incorrect
        );
        let known = password_auth("known", guess).await.map_err(err);
        match guess {
            "Temp-pass-1" => assert!(known.is_ok()),
            _ => assert_eq!(known.unwrap_err(), incorrect),
        }
    }
    // SRP starts as for any user (salt, B, the user's SRP id) and refuses the claim.
    let srp = SrpClient::new();
    let started =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", "quiet")
            .auth_parameters("SRP_A", &srp.srp_a)
            .send()
            .await
            .unwrap();
    assert_eq!(
        started.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let params = started.challenge_parameters().unwrap();
    assert_eq!(params["USER_ID_FOR_SRP"], "quiet");
    // The 16-byte salt as SRP clients read it: hex without leading zeros.
    let salt = &params["SALT"];
    assert!(
        (1..=32).contains(&salt.len()) && salt.chars().all(|c| c.is_ascii_hexdigit()),
        "{params:?}"
    );
    let answers = srp.respond(&f.pool, params, "Temp-pass-1", &timestamp_now());
    let refused =
        f.c.respond_to_auth_challenge()
            .client_id(&f.client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .session(started.session().unwrap())
            .set_challenge_responses(Some(answers.into_iter().collect()))
            .send()
            .await;
    assert_eq!(err(refused.unwrap_err()), incorrect);

    // An administrator's password is the one that works.
    f.c.admin_set_user_password()
        .user_pool_id(&f.pool)
        .username("quiet")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    assert!(f.sign_in("quiet").await.access_token().is_some());
}
