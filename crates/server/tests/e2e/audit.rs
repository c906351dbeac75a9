//! Sessions and the audit trail. A user's token sessions (ListUserSessions,
//! AdminListUserSessions, RevokeUserSession, AdminRevokeUserSession: aws-sdk-rust 1.144
//! predates them, so they go over raw JSON 1.1 as a newer SDK or the CLI sends them), and the
//! auth events of sign-in, sign-up and forgot password (AdminListUserAuthEvents,
//! UpdateAuthEventFeedback, AdminUpdateAuthEventFeedback, through the SDK and boto3).

use crate::harness::{err, raw_call, venv_python};
use crate::signin_support::{timestamp_now, Fixture, SrpClient, PASSWORD};
use aws_sdk_cognitoidentityprovider::types::{
    AdvancedSecurityModeType, AttributeType, AuthEventType, AuthFlowType, ChallengeName,
    ChallengeNameType, ChallengeResponse, ContextDataType, EventResponseType, EventType,
    FeedbackValueType, HttpHeader, RiskDecisionType, UserPoolAddOnsType, UserPoolTierType,
    VerifiedAttributeType,
};
use ironpool_api::types::UserStatusType;
use ironpool_store::RefreshToken;
use serde_json::{json, Value};
use std::path::PathBuf;

async fn call(f: &Fixture, op: &str, body: Value) -> (u16, Value) {
    let (status, _, json) = raw_call(&f.url(), Some(op), &body.to_string()).await;
    (status, json)
}

fn error(code: &str, message: &str) -> (u16, Value) {
    (400, json!({"__type": code, "message": message}))
}

async fn track_sessions(f: &Fixture) {
    let set = json!({"UserPoolId": f.pool, "UserSessionTracking": "ENABLED",
        "TokenSession": {"MaxPerUser": 20}});
    assert_eq!(call(f, "SetUserPoolSessionConfiguration", set).await.0, 200);
}

fn is_session_id(id: &str) -> bool {
    id.len() == 28
        && id.starts_with("tkn")
        && id[3..]
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

fn ids(listed: &Value) -> Vec<String> {
    listed["Sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["SessionId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn sessions_need_session_tracking_and_a_real_user() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    let t = f.sign_in("alice").await;
    let off = error(
        "OperationNotEnabledException",
        "User session tracking is not enabled for this user pool.",
    );
    let admin = json!({"UserPoolId": f.pool, "Username": "alice"});
    assert_eq!(call(&f, "AdminListUserSessions", admin.clone()).await, off);
    let own = json!({"AccessToken": t.access_token().unwrap()});
    assert_eq!(call(&f, "ListUserSessions", own).await, off);
    let revoke = json!({"UserPoolId": f.pool, "Username": "alice",
        "SessionId": "tkn0000000000000000000000000"});
    assert_eq!(call(&f, "AdminRevokeUserSession", revoke).await, off);

    track_sessions(&f).await;
    let nobody = json!({"UserPoolId": f.pool, "Username": "nobody"});
    assert_eq!(
        call(&f, "AdminListUserSessions", nobody).await,
        error("UserNotFoundException", "User does not exist.")
    );
    let no_pool = json!({"UserPoolId": "us-east-1_nopenope1", "Username": "alice"});
    assert_eq!(
        call(&f, "AdminListUserSessions", no_pool).await,
        error(
            "ResourceNotFoundException",
            "User pool us-east-1_nopenope1 does not exist."
        )
    );
    let bad_id = json!({"UserPoolId": f.pool, "Username": "alice", "SessionId": "sso1"});
    assert_eq!(
        call(&f, "AdminRevokeUserSession", bad_id).await.1["__type"],
        "InvalidParameterException"
    );
}

#[tokio::test]
async fn each_sign_in_is_a_session_and_a_revoked_one_ends_its_tokens() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    f.user("bob", &[]).await;
    track_sessions(&f).await;
    let start = f.app().now().floor();
    let a = f.sign_in("alice").await;
    f.advance(60);
    let b = f.sign_in("alice").await;
    f.sign_in("bob").await;

    // B refreshes half an hour later: its LastActiveDate moves, its CreateDate stays.
    f.advance(1800);
    f.c.initiate_auth()
        .client_id(&f.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", b.refresh_token().unwrap())
        .send()
        .await
        .unwrap();

    let (status, listed) = call(
        &f,
        "ListUserSessions",
        json!({"AccessToken": a.access_token().unwrap()}),
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    assert!(listed.get("NextToken").is_none());
    let sessions = listed["Sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{listed}");
    let (sa, sb) = (&sessions[0], &sessions[1]);
    for s in sessions {
        assert!(is_session_id(s["SessionId"].as_str().unwrap()), "{s}");
        assert_eq!(s["SessionType"], "TOKEN");
        assert_eq!(s["ClientId"], f.client_id.as_str());
    }
    assert_ne!(sa["SessionId"], sb["SessionId"]);
    assert_eq!(sa["IsCurrentSession"], true);
    assert_eq!(sb["IsCurrentSession"], false);
    assert_eq!(sa["CreateDate"].as_f64().unwrap(), start);
    assert_eq!(sa["LastActiveDate"].as_f64().unwrap(), start);
    assert_eq!(sb["CreateDate"].as_f64().unwrap(), start + 60.0);
    assert_eq!(sb["LastActiveDate"].as_f64().unwrap(), start + 1860.0);
    let (sa_id, sb_id) = (
        sa["SessionId"].as_str().unwrap().to_owned(),
        sb["SessionId"].as_str().unwrap().to_owned(),
    );

    // The administrator sees the same sessions, none of them current.
    let admin = json!({"UserPoolId": f.pool, "Username": "alice"});
    let (_, by_admin) = call(&f, "AdminListUserSessions", admin.clone()).await;
    assert_eq!(ids(&by_admin), [sa_id.clone(), sb_id.clone()]);
    assert!(by_admin["Sessions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["IsCurrentSession"] == false));

    // The caller's own session cannot be revoked this way; another one can, once.
    let revoke = |id: &str| json!({"AccessToken": a.access_token().unwrap(), "SessionId": id});
    assert_eq!(
        call(&f, "RevokeUserSession", revoke(&sa_id)).await,
        error(
            "InvalidParameterException",
            "The current session cannot be revoked; use GlobalSignOut or RevokeToken."
        )
    );
    assert_eq!(
        call(&f, "RevokeUserSession", revoke(&sb_id)).await,
        (200, json!({}))
    );
    assert_eq!(
        call(&f, "RevokeUserSession", revoke(&sb_id)).await,
        error("ResourceNotFoundException", "Session not found.")
    );

    // B's refresh token and access token are refused at once, as after RevokeToken.
    let e =
        f.c.get_tokens_from_refresh_token()
            .client_id(&f.client_id)
            .refresh_token(b.refresh_token().unwrap())
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "NotAuthorizedException".into(),
            "Refresh Token has been revoked".into()
        )
    );
    let e =
        f.c.get_user()
            .access_token(b.access_token().unwrap())
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "NotAuthorizedException".into(),
            "Access Token has been revoked".into()
        )
    );
    let (_, listed) = call(&f, "AdminListUserSessions", admin.clone()).await;
    assert_eq!(ids(&listed), [sa_id.as_str()]);

    // An administrator revokes only a session of the user named.
    let as_bob = json!({"UserPoolId": f.pool, "Username": "bob", "SessionId": sa_id});
    assert_eq!(
        call(&f, "AdminRevokeUserSession", as_bob).await,
        error("ResourceNotFoundException", "Session not found.")
    );
    let as_alice = json!({"UserPoolId": f.pool, "Username": "alice", "SessionId": sa_id,
        "RevokeAssociatedSessions": "LINKED"});
    assert_eq!(
        call(&f, "AdminRevokeUserSession", as_alice).await,
        (200, json!({}))
    );
    let e =
        f.c.get_user()
            .access_token(a.access_token().unwrap())
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "NotAuthorizedException".into(),
            "Access Token has been revoked".into()
        )
    );
    let (_, listed) = call(&f, "AdminListUserSessions", admin).await;
    assert_eq!(listed, json!({"Sessions": []}));
}

#[tokio::test]
async fn sessions_come_in_pages_of_125() {
    let f = Fixture::new().await;
    let alice = f.user("alice", &[]).await;
    track_sessions(&f).await;
    let t = f.sign_in("alice").await;
    let now = f.app().now();
    for i in 0..130 {
        let family = RefreshToken {
            pool_id: f.pool.clone(),
            origin_jti: format!("jti-{i:03}"),
            client_id: f.client_id.clone(),
            username: "alice".into(),
            sub: alice.sub.clone(),
            auth_time: now - 1000.0 + f64::from(i),
            expires_at: now + 86_400.0,
            revoked: false,
            scopes: None,
            superseded_until: None,
        };
        f.app()
            .store
            .create_refresh_token(&family, &format!("hash-{i}"))
            .await
            .unwrap();
    }
    let own = json!({"AccessToken": t.access_token().unwrap()});
    let (_, first) = call(&f, "ListUserSessions", own.clone()).await;
    assert_eq!(first["Sessions"].as_array().unwrap().len(), 125);
    let next = first["NextToken"].as_str().unwrap();
    let mut page = own.clone();
    page["NextToken"] = json!(next);
    let (_, second) = call(&f, "ListUserSessions", page).await;
    let rest = second["Sessions"].as_array().unwrap();
    assert_eq!(rest.len(), 6);
    assert!(second.get("NextToken").is_none());
    // The newest sign-in, the caller's, comes last.
    assert_eq!(rest[5]["IsCurrentSession"], true);
    let mut all = ids(&first);
    all.extend(ids(&second));
    all.dedup();
    assert_eq!(all.len(), 131);

    let mut bad = own;
    bad["NextToken"] = json!("bm9wZQ");
    assert_eq!(
        call(&f, "ListUserSessions", bad).await,
        error("InvalidParameterException", "Invalid pagination token.")
    );
}

/// Turns threat protection on (AUDIT, Plus tier), with email codes sent on sign-up.
async fn protect(f: &Fixture) {
    f.c.update_user_pool()
        .user_pool_id(&f.pool)
        .user_pool_tier(UserPoolTierType::Plus)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .user_pool_add_ons(
            UserPoolAddOnsType::builder()
                .advanced_security_mode(AdvancedSecurityModeType::Audit)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

async fn events(f: &Fixture, username: &str) -> Vec<AuthEventType> {
    f.c.admin_list_user_auth_events()
        .user_pool_id(&f.pool)
        .username(username)
        .send()
        .await
        .map_err(err)
        .unwrap()
        .auth_events()
        .to_vec()
}

fn add_on_off() -> (String, String) {
    (
        "UserPoolAddOnNotEnabledException".into(),
        "Threat protection (AdvancedSecurityMode AUDIT or ENFORCED) is not enabled for this user pool."
            .into(),
    )
}

#[tokio::test]
async fn auth_events_need_threat_protection_and_a_real_user() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    f.sign_in("alice").await;
    let e =
        f.c.admin_list_user_auth_events()
            .user_pool_id(&f.pool)
            .username("alice")
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(e), add_on_off());
    let e =
        f.c.admin_update_auth_event_feedback()
            .user_pool_id(&f.pool)
            .username("alice")
            .event_id("e1")
            .feedback_value(FeedbackValueType::Valid)
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(e), add_on_off());
    let e =
        f.c.update_auth_event_feedback()
            .user_pool_id(&f.pool)
            .username("alice")
            .event_id("e1")
            .feedback_token("token")
            .feedback_value(FeedbackValueType::Valid)
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(e), add_on_off());

    // A sign-in without threat protection left no event.
    protect(&f).await;
    assert!(events(&f, "alice").await.is_empty());
    let e =
        f.c.admin_list_user_auth_events()
            .user_pool_id(&f.pool)
            .username("nobody")
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    let e =
        f.c.admin_list_user_auth_events()
            .user_pool_id("us-east-1_nopenope1")
            .username("alice")
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            "User pool us-east-1_nopenope1 does not exist.".into()
        )
    );
}

fn context(event: &AuthEventType) -> (Option<&str>, Option<&str>) {
    let c = event.event_context_data().unwrap();
    (c.ip_address(), c.device_name())
}

fn password(event: &AuthEventType) -> Vec<(ChallengeName, ChallengeResponse)> {
    event
        .challenge_responses()
        .iter()
        .map(|c| {
            (
                c.challenge_name().unwrap().clone(),
                c.challenge_response().unwrap().clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn sign_ins_good_and_bad_are_recorded_newest_first() {
    let f = Fixture::new().await;
    let alice = f.user("alice", &[]).await;
    protect(&f).await;
    let start = f.app().now();
    f.sign_in("alice").await;
    f.advance(5);
    let e = f.sign_in_with("alice", "Wrong-pass-1").await.unwrap_err();
    assert_eq!(e.1, "Incorrect username or password.");
    f.advance(5);
    // A server signing its user in names the user's address and browser.
    f.c.admin_initiate_auth()
        .user_pool_id(&f.pool)
        .client_id(&f.client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .context_data(
            ContextDataType::builder()
                .ip_address("203.0.113.9")
                .server_name("app.example.com")
                .server_path("/login")
                .http_headers(
                    HttpHeader::builder()
                        .header_name("User-Agent")
                        .header_value("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    // An unknown name leaves nothing anywhere.
    f.sign_in_with("ghost", PASSWORD).await.unwrap_err();

    let listed = events(&f, "alice").await;
    assert_eq!(listed, events(&f, &alice.sub).await, "by sub too");
    assert_eq!(listed.len(), 3, "{listed:?}");
    let (admin, bad, good) = (&listed[0], &listed[1], &listed[2]);
    for (event, response, result, at) in [
        (
            admin,
            EventResponseType::Pass,
            ChallengeResponse::Success,
            10.0,
        ),
        (
            bad,
            EventResponseType::Fail,
            ChallengeResponse::Failure,
            5.0,
        ),
        (
            good,
            EventResponseType::Pass,
            ChallengeResponse::Success,
            0.0,
        ),
    ] {
        assert_eq!(event.event_type(), Some(&EventType::SignIn));
        assert_eq!(event.event_response(), Some(&response));
        assert_eq!(password(event), [(ChallengeName::Password, result)]);
        let risk = event.event_risk().unwrap();
        assert_eq!(risk.risk_decision(), Some(&RiskDecisionType::NoRisk));
        assert_eq!(risk.risk_level(), None);
        assert_eq!(risk.compromised_credentials_detected(), Some(false));
        let created = event.creation_date().unwrap().as_secs_f64();
        assert!((created - (start + at)).abs() < 0.01, "{created} {start}");
        assert!(event.event_feedback().is_none());
        assert_eq!(event.event_id().unwrap().len(), 36);
    }
    assert_eq!(
        context(admin),
        (Some("203.0.113.9"), Some("Chrome 120, Windows 10"))
    );
    for event in [bad, good] {
        let (ip, device) = context(event);
        assert_eq!(ip, Some("127.0.0.1"));
        assert!(device.unwrap().starts_with("aws-sdk-rust/"), "{device:?}");
    }
}

#[tokio::test]
async fn sign_up_resend_and_forgot_password_are_recorded() {
    let f = Fixture::new().await;
    f.user(
        "alice",
        &[("email", "alice@example.com"), ("email_verified", "true")],
    )
    .await;
    protect(&f).await;
    f.c.sign_up()
        .client_id(&f.client_id)
        .username("carol")
        .password(PASSWORD)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("carol@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    f.advance(1);
    f.c.resend_confirmation_code()
        .client_id(&f.client_id)
        .username("carol")
        .send()
        .await
        .unwrap();
    f.c.forgot_password()
        .client_id(&f.client_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    let kinds = |events: Vec<AuthEventType>| {
        events
            .iter()
            .map(|e| {
                (
                    e.event_type().unwrap().clone(),
                    e.event_response().unwrap().clone(),
                    e.challenge_responses().len(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kinds(events(&f, "carol").await),
        [
            (EventType::ResendCode, EventResponseType::Pass, 0),
            (EventType::SignUp, EventResponseType::Pass, 0),
        ]
    );
    assert_eq!(
        kinds(events(&f, "alice").await),
        [(EventType::ForgotPassword, EventResponseType::Pass, 0)]
    );
}

#[tokio::test]
async fn events_page_and_take_feedback() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    protect(&f).await;
    for _ in 0..5 {
        f.sign_in("alice").await;
        f.advance(1);
    }
    let all: Vec<String> = events(&f, "alice")
        .await
        .iter()
        .map(|e| e.event_id().unwrap().to_owned())
        .collect();
    assert_eq!(all.len(), 5);

    let mut pages = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let r =
            f.c.admin_list_user_auth_events()
                .user_pool_id(&f.pool)
                .username("alice")
                .max_results(2)
                .set_next_token(token.clone())
                .send()
                .await
                .unwrap();
        pages.push(
            r.auth_events()
                .iter()
                .map(|e| e.event_id().unwrap().to_owned())
                .collect::<Vec<_>>(),
        );
        token = r.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2, 1]);
    assert_eq!(pages.concat(), all);
    let e =
        f.c.admin_list_user_auth_events()
            .user_pool_id(&f.pool)
            .username("alice")
            .next_token("bm9wZQ")
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Invalid pagination token.".into()
        )
    );

    // The administrator's feedback, then the user's (with the token of the event only).
    let (first, second) = (&all[0], &all[1]);
    f.advance(7);
    f.c.admin_update_auth_event_feedback()
        .user_pool_id(&f.pool)
        .username("alice")
        .event_id(first)
        .feedback_value(FeedbackValueType::Valid)
        .send()
        .await
        .unwrap();
    let token_of = |id: &str| {
        f.app()
            .master_key
            .mac(&format!("auth-event-feedback:{}", f.pool), id.as_bytes())
    };
    let user_feedback = |id: &str, token: String| {
        f.c.update_auth_event_feedback()
            .user_pool_id(&f.pool)
            .username("alice")
            .event_id(id)
            .feedback_token(token)
            .feedback_value(FeedbackValueType::Invalid)
            .send()
    };
    let e = user_feedback(second, token_of(first)).await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "NotAuthorizedException".into(),
            "Invalid feedback token.".into()
        )
    );
    user_feedback(second, token_of(second)).await.unwrap();
    let e = user_feedback("no-such-event", token_of("no-such-event"))
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            "Auth event not found.".into()
        )
    );

    let now = f.app().now();
    let listed = events(&f, "alice").await;
    let feedback = |i: usize| {
        let fb = listed[i].event_feedback().unwrap();
        (
            fb.feedback_value().clone(),
            fb.provider().to_owned(),
            (fb.feedback_date().unwrap().as_secs_f64() - now).abs() < 0.01,
        )
    };
    assert_eq!(
        feedback(0),
        (FeedbackValueType::Valid, "Admin".into(), true)
    );
    assert_eq!(
        feedback(1),
        (FeedbackValueType::Invalid, "User".into(), true)
    );
    assert!(listed[2].event_feedback().is_none());

    // boto3's paginator walks the same pages.
    let Some(python) = venv_python("boto3") else {
        return;
    };
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/py/auth_events_paginator.py");
    let out = tokio::process::Command::new(python)
        .arg(script)
        .env("ENDPOINT", f.url())
        .env("POOL_ID", &f.pool)
        .env("USERNAME", "alice")
        .env("PAGE_SIZE", "2")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let walked: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(walked, pages);
}

/// The SRP flow's answers and a first sign-in through NEW_PASSWORD_REQUIRED end in the same
/// events as a password sign-in.
#[tokio::test]
async fn srp_and_new_password_sign_ins_are_recorded() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    f.user_with("bob", PASSWORD, UserStatusType::ForceChangePassword, &[])
        .await;
    protect(&f).await;
    for password in ["Wrong-pass-1", PASSWORD] {
        let srp = SrpClient::new();
        let r =
            f.c.initiate_auth()
                .client_id(&f.client_id)
                .auth_flow(AuthFlowType::UserSrpAuth)
                .auth_parameters("USERNAME", "alice")
                .auth_parameters("SRP_A", &srp.srp_a)
                .send()
                .await
                .unwrap();
        let params = r.challenge_parameters().unwrap();
        let answers = srp.respond(&f.pool, params, password, &timestamp_now());
        let _ =
            f.c.respond_to_auth_challenge()
                .client_id(&f.client_id)
                .challenge_name(ChallengeNameType::PasswordVerifier)
                .session(r.session().unwrap())
                .set_challenge_responses(Some(answers.into_iter().collect()))
                .send()
                .await;
        f.advance(1);
    }
    let outcomes = |events: Vec<AuthEventType>| {
        events
            .iter()
            .map(|e| (e.event_response().unwrap().clone(), password(e)))
            .collect::<Vec<_>>()
    };
    let pass = (
        EventResponseType::Pass,
        vec![(ChallengeName::Password, ChallengeResponse::Success)],
    );
    let fail = (
        EventResponseType::Fail,
        vec![(ChallengeName::Password, ChallengeResponse::Failure)],
    );
    assert_eq!(outcomes(events(&f, "alice").await), [pass.clone(), fail]);

    let r =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "bob")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap();
    assert_eq!(
        r.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    assert!(events(&f, "bob").await.is_empty(), "not signed in yet");
    f.c.respond_to_auth_challenge()
        .client_id(&f.client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(r.session().unwrap())
        .challenge_responses("USERNAME", "bob")
        .challenge_responses("NEW_PASSWORD", "Another-pass-2")
        .send()
        .await
        .unwrap();
    assert_eq!(outcomes(events(&f, "bob").await), [pass]);
}

/// A sign-in through MFA records the password and the second factor: a wrong code as a
/// failed sign-in (password Success, Mfa Failure), the right one as Pass with both.
#[tokio::test]
async fn mfa_answers_are_recorded_with_the_password() {
    use aws_sdk_cognitoidentityprovider::types::{
        SmsConfigurationType, SmsMfaConfigType, UserPoolMfaType,
    };
    let f = Fixture::new().await;
    f.user("mia", &[("phone_number", "+15555550123")]).await;
    protect(&f).await;
    f.c.set_user_pool_mfa_config()
        .user_pool_id(&f.pool)
        .mfa_configuration(UserPoolMfaType::On)
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_configuration(
                    SmsConfigurationType::builder()
                        .sns_caller_arn("arn:aws:iam::000000000000:role/sns")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    for code in [None, Some(())] {
        let r =
            f.c.initiate_auth()
                .client_id(&f.client_id)
                .auth_flow(AuthFlowType::UserPasswordAuth)
                .auth_parameters("USERNAME", "mia")
                .auth_parameters("PASSWORD", PASSWORD)
                .send()
                .await
                .unwrap();
        assert_eq!(r.challenge_name(), Some(&ChallengeNameType::SmsMfa));
        let sent = f.app().outbox.list(Some(&f.pool), Some("mia"));
        let right = sent.last().unwrap().code.clone();
        let given = code.map_or("000000".to_owned(), |()| right);
        let answer =
            f.c.respond_to_auth_challenge()
                .client_id(&f.client_id)
                .challenge_name(ChallengeNameType::SmsMfa)
                .session(r.session().unwrap())
                .challenge_responses("USERNAME", "mia")
                .challenge_responses("SMS_MFA_CODE", given)
                .send()
                .await;
        assert_eq!(answer.is_ok(), code.is_some());
        f.advance(1);
    }
    let listed = events(&f, "mia").await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    use ChallengeName::{Mfa, Password};
    use ChallengeResponse::{Failure, Success};
    assert_eq!(listed[0].event_response(), Some(&EventResponseType::Pass));
    assert_eq!(password(&listed[0]), [(Password, Success), (Mfa, Success)]);
    assert_eq!(listed[1].event_response(), Some(&EventResponseType::Fail));
    assert_eq!(password(&listed[1]), [(Password, Success), (Mfa, Failure)]);
}
