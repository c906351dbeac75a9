//! Suite cases for [`Tokens`](crate::Tokens); run through [`backend_suite!`](crate::backend_suite).

use crate::suite::{user, users_pool, UP};
use crate::{AuthSession, Kind, RefreshToken, SigningKeys, Store, TokenAuthorization};
use ironpool_api::types::UserPoolType;

const POOL: &str = "us-east-1_AAAAAAAAA";

async fn pool(store: &dyn Store) {
    let p = UserPoolType {
        id: Some(POOL.into()),
        name: Some("p".into()),
        ..Default::default()
    };
    store.create_user_pool(&p).await.unwrap();
}

fn keys(tag: &str) -> SigningKeys {
    SigningKeys {
        id_kid: format!("{tag}-id"),
        id_sealed_key: format!("{tag}-id-sealed"),
        access_kid: format!("{tag}-access"),
        access_sealed_key: format!("{tag}-access-sealed"),
        created: 1.0,
    }
}

pub async fn signing_keys_are_created_once(store: &dyn Store) {
    pool(store).await;
    assert_eq!(store.get_signing_keys(POOL).await.unwrap(), None);
    let first = store
        .get_or_create_signing_keys(POOL, &keys("a"))
        .await
        .unwrap();
    assert_eq!(first, keys("a"));
    let second = store
        .get_or_create_signing_keys(POOL, &keys("b"))
        .await
        .unwrap();
    assert_eq!(second, keys("a"), "a racing second candidate loses");
    assert_eq!(store.get_signing_keys(POOL).await.unwrap(), Some(keys("a")));
    store.delete_user_pool(POOL).await.unwrap();
    assert_eq!(store.get_signing_keys(POOL).await.unwrap(), None);
}

fn family(jti: &str, sub: &str) -> RefreshToken {
    RefreshToken {
        pool_id: POOL.into(),
        origin_jti: jti.into(),
        client_id: "client".into(),
        username: "alice".into(),
        sub: sub.into(),
        auth_time: 100.0,
        expires_at: 1000.0,
        revoked: false,
        scopes: None,
        superseded_until: None,
    }
}

/// A user's live families are their token sessions: listed oldest first with their last use,
/// revoked one by one by `origin_jti`, expired ones left out.
pub async fn token_families_list_touch_and_revoke(store: &dyn Store) {
    pool(store).await;
    let mut later = family("j2", "s1");
    later.auth_time = 200.0;
    later.scopes = Some("openid email".into());
    store.create_refresh_token(&later, "h2").await.unwrap();
    assert_eq!(
        store.get_refresh_token("h2").await.unwrap(),
        Some(later.clone()),
        "a family keeps its OAuth scopes"
    );
    assert_eq!(
        store.get_token_family(POOL, "j2").await.unwrap(),
        Some(later.clone())
    );
    store
        .create_refresh_token(&family("j1", "s1"), "h1")
        .await
        .unwrap();
    store
        .create_refresh_token(&family("j3", "s2"), "h3")
        .await
        .unwrap();
    let listed = |now: f64| async move {
        store
            .list_token_families(POOL, "s1", now)
            .await
            .unwrap()
            .into_iter()
            .map(|(f, used)| (f.origin_jti, used))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        listed(300.0).await,
        [("j1".into(), 100.0), ("j2".into(), 200.0)]
    );
    store.touch_token_family(POOL, "j1", 250.0).await.unwrap();
    assert_eq!(
        listed(300.0).await,
        [("j1".into(), 250.0), ("j2".into(), 200.0)]
    );
    assert!(
        listed(1000.0).await.is_empty(),
        "expired families are no sessions"
    );

    assert!(store.revoke_token_family(POOL, "j1").await.unwrap());
    assert!(!store.revoke_token_family(POOL, "j1").await.unwrap());
    assert!(!store.revoke_token_family(POOL, "nope").await.unwrap());
    assert_eq!(listed(300.0).await, [("j2".into(), 200.0)]);
    assert!(
        store
            .get_refresh_token("h1")
            .await
            .unwrap()
            .unwrap()
            .revoked
    );
    assert!(
        !store
            .get_refresh_token("h3")
            .await
            .unwrap()
            .unwrap()
            .revoked
    );
}

pub async fn refresh_tokens_rotate_and_revoke(store: &dyn Store) {
    pool(store).await;
    store
        .create_refresh_token(&family("j1", "s1"), "h1")
        .await
        .unwrap();
    store
        .create_refresh_token(&family("j2", "s1"), "h2")
        .await
        .unwrap();
    store
        .create_refresh_token(&family("j3", "s2"), "h3")
        .await
        .unwrap();
    assert_eq!(
        store.get_refresh_token("h1").await.unwrap(),
        Some(family("j1", "s1"))
    );
    assert_eq!(store.get_refresh_token("nope").await.unwrap(), None);

    // Rotation at t=100 with a 10 s grace: the old token still reads, marked superseded.
    assert!(store
        .rotate_refresh_token("h1", "h1b", 2000.0, 100.0, 110.0)
        .await
        .unwrap());
    let old = store.get_refresh_token("h1").await.unwrap().unwrap();
    assert_eq!(old.superseded_until, Some(110.0));
    let rotated = store.get_refresh_token("h1b").await.unwrap().unwrap();
    assert_eq!(
        (
            rotated.origin_jti.as_str(),
            rotated.expires_at,
            rotated.superseded_until
        ),
        ("j1", 2000.0, None)
    );
    // A retry with the old token within the grace rotates again; the grace does not move.
    assert!(store
        .rotate_refresh_token("h1", "h1c", 2000.0, 105.0, 115.0)
        .await
        .unwrap());
    assert_eq!(store.get_refresh_token("h1b").await.unwrap(), None);
    let old = store.get_refresh_token("h1").await.unwrap().unwrap();
    assert_eq!(old.superseded_until, Some(110.0));
    assert!(
        !store
            .rotate_refresh_token("h1", "h1d", 2000.0, 110.0, 120.0)
            .await
            .unwrap(),
        "after the grace the old token rotates no more"
    );
    assert!(store
        .rotate_refresh_token("h1c", "h1e", 2000.0, 111.0, 111.0)
        .await
        .unwrap());
    assert!(
        !store
            .rotate_refresh_token("h1c", "h1f", 2000.0, 112.0, 112.0)
            .await
            .unwrap(),
        "without grace a rotated token rotates once"
    );

    let revoked = store.revoke_refresh_token("h2").await.unwrap().unwrap();
    assert_eq!(revoked.origin_jti, "j2");
    assert!(
        store
            .get_token_family(POOL, "j2")
            .await
            .unwrap()
            .unwrap()
            .revoked
    );
    assert!(!store
        .rotate_refresh_token("h2", "h2b", 2000.0, 100.0, 100.0)
        .await
        .unwrap());
    assert_eq!(store.revoke_refresh_token("nope").await.unwrap(), None);

    assert_eq!(
        store.revoke_user_refresh_tokens(POOL, "s1").await.unwrap(),
        1
    );
    assert!(
        store
            .get_token_family(POOL, "j1")
            .await
            .unwrap()
            .unwrap()
            .revoked
    );
    assert!(
        !store
            .get_token_family(POOL, "j3")
            .await
            .unwrap()
            .unwrap()
            .revoked
    );
    assert_eq!(store.get_token_family(POOL, "j9").await.unwrap(), None);
}

pub async fn auth_sessions_are_taken_once(store: &dyn Store) {
    pool(store).await;
    let session = AuthSession {
        session_hash: "digest-of-sess".into(),
        pool_id: POOL.into(),
        doc: "sealed".into(),
        expires_at: 500.0,
    };
    store.create_auth_session(&session).await.unwrap();
    // A live session is not replaced.
    let other = AuthSession {
        doc: "other".into(),
        ..session.clone()
    };
    store.create_auth_session(&other).await.unwrap();
    let used = AuthSession {
        doc: String::new(),
        ..session.clone()
    };
    let take = || store.take_auth_session("digest-of-sess");
    assert_eq!(take().await.unwrap(), Some(session.clone()));
    assert_eq!(take().await.unwrap(), Some(used.clone()));
    assert_eq!(take().await.unwrap(), Some(used));
    // A used session can be put back.
    store.create_auth_session(&other).await.unwrap();
    assert_eq!(take().await.unwrap(), Some(other));
    assert_eq!(store.take_auth_session("unknown").await.unwrap(), None);
}

/// Refresh token families and challenge sessions that ended more than a day before a new one
/// starts are removed when it is written, the oldest first and 16 at most each time: a
/// backlog (a server stopped for months) goes a little at each sign-in, never in one long
/// write.
pub async fn ended_families_and_sessions_go_sixteen_at_a_time(store: &dyn Store) {
    pool(store).await;
    let old = |n: usize| format!("old{n}");
    for n in 0..20 {
        let ended = RefreshToken {
            expires_at: 1000.0 + n as f64,
            ..family(&old(n), "s")
        };
        store.create_refresh_token(&ended, &old(n)).await.unwrap();
        let session = AuthSession {
            session_hash: old(n),
            pool_id: POOL.into(),
            doc: "sealed".into(),
            expires_at: 1000.0 + n as f64,
        };
        store.create_auth_session(&session).await.unwrap();
    }
    // A day and more after they all ended.
    let later = 1020.0 + 86_400.0 + 1.0;
    for (round, left) in [(1, 16..20), (2, 20..20)] {
        let new = RefreshToken {
            auth_time: later,
            expires_at: later + 1000.0,
            ..family(&format!("new{round}"), "s")
        };
        store
            .create_refresh_token(&new, &format!("new{round}"))
            .await
            .unwrap();
        let mut families = vec![];
        for n in 0..20 {
            if store.get_refresh_token(&old(n)).await.unwrap().is_some() {
                families.push(n);
            }
        }
        assert_eq!(families, left.clone().collect::<Vec<_>>(), "round {round}");
    }
    for (round, left) in [(1, 16..20), (2, 20..20)] {
        let new = AuthSession {
            session_hash: format!("new{round}"),
            pool_id: POOL.into(),
            doc: "sealed".into(),
            expires_at: later + 86_400.0,
        };
        store.create_auth_session(&new).await.unwrap();
        let mut sessions = vec![];
        for n in 0..20 {
            // Taking a session marks it used: each is looked at once per round, and a used
            // one is still there (returned with an empty doc).
            if store.take_auth_session(&old(n)).await.unwrap().is_some() {
                sessions.push(n);
            }
        }
        assert_eq!(sessions, left.clone().collect::<Vec<_>>(), "round {round}");
    }
}

pub async fn token_authorization_reads_pool_user_family_and_client(store: &dyn Store) {
    let nothing = TokenAuthorization {
        pool_exists: false,
        user: None,
        family_revoked: None,
        client_doc: None,
    };
    let read = || store.token_authorization(UP, "sub-alice", "j1", "c1");
    assert_eq!(read().await.unwrap(), nothing);

    users_pool(store).await;
    let alice = user("alice", &[("email", "a@example.com")]);
    store
        .create_user_if_absent(&alice, false)
        .await
        .unwrap()
        .unwrap();
    let mut token = family("j1", "sub-alice");
    token.pool_id = UP.into();
    store.create_refresh_token(&token, "h1").await.unwrap();
    store
        .create_resource(Kind::Client, UP, "c1", r#"{"c":1}"#.into())
        .await
        .unwrap();
    let all = TokenAuthorization {
        pool_exists: true,
        user: Some(alice.clone()),
        family_revoked: Some(false),
        client_doc: Some(r#"{"c":1}"#.into()),
    };
    assert_eq!(read().await.unwrap(), all);
    assert_eq!(
        store
            .token_authorization(UP, "sub-bob", "j2", "c2")
            .await
            .unwrap(),
        TokenAuthorization {
            pool_exists: true,
            ..nothing.clone()
        }
    );

    store.revoke_refresh_token("h1").await.unwrap();
    let mut changed = alice.clone();
    changed.enabled = false;
    assert!(store.update_user(&changed).await.unwrap().unwrap());
    store.delete_resource(Kind::Client, UP, "c1").await.unwrap();
    let after = read().await.unwrap();
    assert_eq!(after.family_revoked, Some(true));
    assert_eq!(after.client_doc, None);
    let stored = after.user.unwrap();
    assert!(!stored.enabled);
    assert_eq!(stored.version, 1);

    store.delete_user(UP, "alice").await.unwrap();
    assert_eq!(read().await.unwrap().user, None);
    store.delete_user_pool(UP).await.unwrap();
    assert_eq!(read().await.unwrap(), nothing);
}
