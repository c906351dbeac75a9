//! Sessions and the audit trail. A user's token sessions (ListUserSessions,
//! AdminListUserSessions, RevokeUserSession, AdminRevokeUserSession: aws-sdk-rust 1.144
//! predates them, so they go over raw JSON 1.1 as a newer SDK or the CLI sends them), and the
//! auth events of sign-in, sign-up and forgot password (AdminListUserAuthEvents,
//! UpdateAuthEventFeedback, AdminUpdateAuthEventFeedback, through the SDK and boto3).

use crate::harness::{err, raw_call};
use crate::signin_support::{decode, Fixture};
use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use ironpool_store::RefreshToken;
use serde_json::{json, Value};

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
    assert_eq!(ids(&listed), [sa_id.clone()]);

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
    let (_, claims) = decode(t.access_token().unwrap());
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
    assert_eq!(claims["origin_jti"].as_str().is_some(), true);
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
