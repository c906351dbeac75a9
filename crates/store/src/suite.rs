//! The backend test suite: every backend runs exactly these cases, through
//! [`backend_suite!`](crate::backend_suite), each on a fresh, empty store.

use crate::{
    CodeOutcome, CodePurpose, FilterOp, Kind, ResourcesExt, Store, StoreError, User, UserConflict,
    UserFilter,
};
use ironpool_api::types::{
    AliasAttributeType, GroupType, UserPoolType, UserStatusType, UsernameAttributeType,
    UsernameConfigurationType,
};

fn pool(id: &str, name: &str) -> UserPoolType {
    UserPoolType {
        id: Some(id.into()),
        name: Some(name.into()),
        ..Default::default()
    }
}

pub async fn user_pool_round_trip(store: &dyn Store) {
    let mut p = pool("us-east-1_AAAAAAAAA", "one");
    p.creation_date = Some(1_700_000_000.5);
    store.create_user_pool(&p).await.unwrap();
    assert_eq!(
        store.get_user_pool("us-east-1_AAAAAAAAA").await.unwrap(),
        Some(p)
    );
    assert_eq!(
        store.get_user_pool("us-east-1_BBBBBBBBB").await.unwrap(),
        None
    );
}

pub async fn user_pool_ids_are_unique(store: &dyn Store) {
    store
        .create_user_pool(&pool("us-east-1_AAAAAAAAA", "one"))
        .await
        .unwrap();
    let again = store
        .create_user_pool(&pool("us-east-1_AAAAAAAAA", "two"))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict)), "{again:?}");
    let kept = store.get_user_pool("us-east-1_AAAAAAAAA").await.unwrap();
    assert_eq!(kept.and_then(|p| p.name).as_deref(), Some("one"));
}

pub async fn user_pools_list_in_pages(store: &dyn Store) {
    for i in 0..5 {
        store
            .create_user_pool(&pool(&format!("us-east-1_P{i:08}"), &format!("p{i}")))
            .await
            .unwrap();
    }
    let first = store.list_user_pools(None, 2).await.unwrap();
    let ids = |v: &[UserPoolType]| v.iter().filter_map(|p| p.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&first), ["us-east-1_P00000000", "us-east-1_P00000001"]);
    let rest = store
        .list_user_pools(Some("us-east-1_P00000001"), 10)
        .await
        .unwrap();
    assert_eq!(
        ids(&rest),
        [
            "us-east-1_P00000002",
            "us-east-1_P00000003",
            "us-east-1_P00000004"
        ]
    );
}

pub async fn user_pool_put_and_delete(store: &dyn Store) {
    let mut p = pool("us-east-1_AAAAAAAAA", "one");
    let missing = store.put_user_pool(&p, 0, vec![]).await;
    assert!(matches!(missing, Err(StoreError::Conflict)), "{missing:?}");
    store.create_user_pool(&p).await.unwrap();
    let version = store
        .user_pool_version("us-east-1_AAAAAAAAA")
        .await
        .unwrap();
    p.name = Some("renamed".into());
    store
        .put_user_pool(&p, version.unwrap(), vec![])
        .await
        .unwrap();
    assert_eq!(
        store.get_user_pool("us-east-1_AAAAAAAAA").await.unwrap(),
        Some(p)
    );
    assert!(store.delete_user_pool("us-east-1_AAAAAAAAA").await.unwrap());
    assert!(!store.delete_user_pool("us-east-1_AAAAAAAAA").await.unwrap());
    assert_eq!(
        store.get_user_pool("us-east-1_AAAAAAAAA").await.unwrap(),
        None
    );
}

/// Two changes made from the same version: the second is refused and changes nothing, not
/// even the documents it would have written with the pool.
pub async fn user_pool_puts_are_versioned(store: &dyn Store) {
    let id = "us-east-1_AAAAAAAAA";
    store.create_user_pool(&pool(id, "one")).await.unwrap();
    let (mut first, v) = store.get_user_pool_versioned(id).await.unwrap().unwrap();
    assert_eq!(store.user_pool_version(id).await.unwrap(), Some(v));
    let mut second = first.clone();
    first.name = Some("first".into());
    let doc = |name: &str| serde_json::to_string(&group(name)).unwrap();
    store
        .put_user_pool(&first, v, vec![(Kind::MfaConfig, "ALL".into(), doc("a"))])
        .await
        .unwrap();
    second.name = Some("second".into());
    let late = store
        .put_user_pool(&second, v, vec![(Kind::MfaConfig, "ALL".into(), doc("b"))])
        .await;
    assert!(matches!(late, Err(StoreError::Conflict)), "{late:?}");
    let (kept, version) = store.get_user_pool_versioned(id).await.unwrap().unwrap();
    assert_eq!((kept.name.as_deref(), version), (Some("first"), v + 1));
    assert_eq!(store.user_pool_version(id).await.unwrap(), Some(v + 1));
    let mfa: Option<(GroupType, i64)> = store
        .get_versioned(Kind::MfaConfig, id, "ALL")
        .await
        .unwrap();
    assert_eq!(mfa, Some((group("a"), 0)));

    // The documents written with the pool are replaced (and versioned) too.
    store
        .put_user_pool(
            &second,
            v + 1,
            vec![(Kind::MfaConfig, "ALL".into(), doc("b"))],
        )
        .await
        .unwrap();
    let mfa: Option<(GroupType, i64)> = store
        .get_versioned(Kind::MfaConfig, id, "ALL")
        .await
        .unwrap();
    assert_eq!(mfa, Some((group("b"), 1)));
    let (kept, version) = store.get_user_pool_versioned(id).await.unwrap().unwrap();
    assert_eq!((kept.name.as_deref(), version), (Some("second"), v + 2));

    // A pool created again under the same id starts at another version, so a copy of the
    // one before cannot pass for it.
    assert!(store.delete_user_pool(id).await.unwrap());
    assert_eq!(store.user_pool_version(id).await.unwrap(), None);
    store.create_user_pool(&pool(id, "again")).await.unwrap();
    let again = store.user_pool_version(id).await.unwrap().unwrap();
    assert!(![v, v + 1, v + 2].contains(&again), "{again}");
    assert!((0..1 << 62).contains(&again));
}

pub async fn reset_wipes_everything(store: &dyn Store) {
    store
        .create_user_pool(&pool("us-east-1_AAAAAAAAA", "one"))
        .await
        .unwrap();
    store.reset().await.unwrap();
    assert!(store.list_user_pools(None, 60).await.unwrap().is_empty());
}

async fn two_pools(store: &dyn Store) {
    for id in ["us-east-1_AAAAAAAAA", "us-east-1_BBBBBBBBB"] {
        store.create_user_pool(&pool(id, id)).await.unwrap();
    }
}

fn group(name: &str) -> GroupType {
    GroupType {
        group_name: Some(name.into()),
        precedence: Some(1),
        ..Default::default()
    }
}

pub async fn resources_round_trip_and_list_in_pages(store: &dyn Store) {
    two_pools(store).await;
    let a = "us-east-1_AAAAAAAAA";
    for name in ["c", "a", "b"] {
        store
            .create(Kind::Group, a, name, &group(name))
            .await
            .unwrap();
    }
    store
        .create(Kind::Group, "us-east-1_BBBBBBBBB", "z", &group("z"))
        .await
        .unwrap();
    let got: Option<GroupType> = store.get(Kind::Group, a, "b").await.unwrap();
    assert_eq!(got, Some(group("b")));
    let none: Option<GroupType> = store.get(Kind::Client, a, "b").await.unwrap();
    assert_eq!(none, None, "kinds are separate");

    let first: Vec<(String, GroupType)> = store.list(Kind::Group, a, None, 2).await.unwrap();
    let keys: Vec<_> = first.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["a", "b"]);
    let rest: Vec<(String, GroupType)> = store.list(Kind::Group, a, Some("b"), 10).await.unwrap();
    assert_eq!(rest, [("c".to_string(), group("c"))]);
    assert_eq!(store.count_resources(Kind::Group, a).await.unwrap(), 3);
}

pub async fn resource_keys_are_unique_per_pool_or_globally(store: &dyn Store) {
    two_pools(store).await;
    let (a, b) = ("us-east-1_AAAAAAAAA", "us-east-1_BBBBBBBBB");
    for kind in Kind::ALL {
        store.create(kind, a, "key", &group("first")).await.unwrap();
        let same_pool = store.create(kind, a, "key", &group("again")).await;
        assert!(matches!(same_pool, Err(StoreError::Conflict)), "{kind:?}");
        let other_pool = store.create(kind, b, "key", &group("other")).await;
        if kind.globally_unique() {
            assert!(matches!(other_pool, Err(StoreError::Conflict)), "{kind:?}");
            let found: Option<(String, GroupType)> = store.find(kind, "key").await.unwrap();
            assert_eq!(found, Some((a.to_string(), group("first"))), "{kind:?}");
        } else {
            other_pool.unwrap();
        }
    }
}

pub async fn resources_put_delete_and_go_with_their_pool(store: &dyn Store) {
    two_pools(store).await;
    let a = "us-east-1_AAAAAAAAA";
    store
        .create(Kind::Group, a, "g", &group("one"))
        .await
        .unwrap();
    store
        .put(Kind::Group, a, "g", &group("two"), 0)
        .await
        .unwrap();
    let got: Option<GroupType> = store.get(Kind::Group, a, "g").await.unwrap();
    assert_eq!(got, Some(group("two")));
    assert!(store.delete_resource(Kind::Group, a, "g").await.unwrap());
    assert!(!store.delete_resource(Kind::Group, a, "g").await.unwrap());
    let gone = store.put(Kind::Group, a, "g", &group("three"), 1).await;
    assert!(matches!(gone, Err(StoreError::Conflict)), "{gone:?}");

    store
        .create(Kind::Client, a, "client", &group("c"))
        .await
        .unwrap();
    assert!(store.delete_user_pool(a).await.unwrap());
    let gone: Option<(String, GroupType)> = store.find(Kind::Client, "client").await.unwrap();
    assert_eq!(gone, None, "a pool's resources are deleted with it");
}

/// Two changes made from the same version: the second is refused and changes nothing.
pub async fn resource_puts_are_versioned(store: &dyn Store) {
    two_pools(store).await;
    let a = "us-east-1_AAAAAAAAA";
    store
        .create(Kind::Client, a, "c", &group("new"))
        .await
        .unwrap();
    let (read, version): (GroupType, i64) = store
        .get_versioned(Kind::Client, a, "c")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((read, version), (group("new"), 0));
    store
        .put(Kind::Client, a, "c", &group("first"), 0)
        .await
        .unwrap();
    let late = store.put(Kind::Client, a, "c", &group("second"), 0).await;
    assert!(matches!(late, Err(StoreError::Conflict)), "{late:?}");
    let kept: Option<(GroupType, i64)> = store.get_versioned(Kind::Client, a, "c").await.unwrap();
    assert_eq!(kept, Some((group("first"), 1)));
    store
        .put(Kind::Client, a, "c", &group("second"), 1)
        .await
        .unwrap();
    let kept: Option<(GroupType, i64)> = store.get_versioned(Kind::Client, a, "c").await.unwrap();
    assert_eq!(kept, Some((group("second"), 2)));
    let elsewhere = store
        .put(Kind::Client, "us-east-1_BBBBBBBBB", "c", &group("x"), 2)
        .await;
    assert!(
        matches!(elsewhere, Err(StoreError::Conflict)),
        "{elsewhere:?}"
    );
}

pub async fn resources_are_scanned_across_pools(store: &dyn Store) {
    two_pools(store).await;
    let (a, b) = ("us-east-1_AAAAAAAAA", "us-east-1_BBBBBBBBB");
    for (pool, key) in [(b, "x"), (a, "z"), (a, "y")] {
        store
            .create(Kind::Client, pool, key, &group(key))
            .await
            .unwrap();
    }
    store
        .create(Kind::Group, a, "g", &group("g"))
        .await
        .unwrap();
    let first = store.scan_resources(Kind::Client, None, 2).await.unwrap();
    let doc = |k: &str| serde_json::to_string(&group(k)).unwrap();
    assert_eq!(
        first,
        [
            (a.to_string(), "y".to_string(), doc("y")),
            (a.to_string(), "z".to_string(), doc("z")),
        ]
    );
    let rest = store
        .scan_resources(Kind::Client, Some((a.into(), "z".into())), 2)
        .await
        .unwrap();
    assert_eq!(rest, [(b.to_string(), "x".to_string(), doc("x"))]);
}

pub(crate) const UP: &str = "us-east-1_UUUUUUUUU";

/// A pool with case-insensitive usernames and email/preferred_username aliases.
pub(crate) async fn users_pool(store: &dyn Store) {
    let mut p = pool(UP, "users");
    p.username_configuration = Some(UsernameConfigurationType {
        case_sensitive: false,
    });
    p.alias_attributes = Some(vec![
        AliasAttributeType::Email,
        AliasAttributeType::PreferredUsername,
    ]);
    store.create_user_pool(&p).await.unwrap();
}

pub(crate) fn user(name: &str, attrs: &[(&str, &str)]) -> User {
    User {
        pool_id: UP.into(),
        username: name.into(),
        sub: format!("sub-{}", name.to_lowercase()),
        attributes: attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        status: UserStatusType::Confirmed,
        enabled: true,
        created: 1.0,
        modified: 1.0,
        password: None,
        password_history: vec![],
        failed_attempts: 0,
        locked_until: None,
        tokens_valid_after: None,
        pending_attributes: Default::default(),
        mfa: Default::default(),
        web_authn: vec![],
        pending_web_authn: None,
        version: 0,
    }
}

fn names(users: &[User]) -> Vec<&str> {
    users.iter().map(|u| u.username.as_str()).collect()
}

pub async fn users_are_unique_by_username_under_the_pool_case_rule(store: &dyn Store) {
    users_pool(store).await;
    let alice = user("Alice", &[("name", "A")]);
    store
        .create_user_if_absent(&alice, false)
        .await
        .unwrap()
        .unwrap();
    let again = store
        .create_user_if_absent(&user("ALICE", &[]), false)
        .await
        .unwrap();
    assert_eq!(again, Err(UserConflict::UsernameExists));
    let mut same_sub = user("bob", &[]);
    same_sub.sub = alice.sub.clone();
    let again = store.create_user_if_absent(&same_sub, false).await.unwrap();
    assert_eq!(again, Err(UserConflict::UsernameExists), "subs are unique");
    let got = store.get_user(UP, "aLiCe").await.unwrap().unwrap();
    assert_eq!(got, alice, "kept as created");
    assert_eq!(
        store.get_user_by_sub(UP, "sub-alice").await.unwrap(),
        Some(alice)
    );
    assert_eq!(store.count_users(UP).await.unwrap(), 1);

    // Case-sensitive pools (the API's default) keep Alice and alice apart.
    let cs = "us-east-1_CCCCCCCCC";
    store.create_user_pool(&pool(cs, "cs")).await.unwrap();
    for n in ["Alice", "alice"] {
        let mut u = user(n, &[]);
        u.pool_id = cs.into();
        u.sub = format!("cs-{n}");
        store
            .create_user_if_absent(&u, false)
            .await
            .unwrap()
            .unwrap();
    }
    assert_eq!(store.get_user(cs, "ALICE").await.unwrap(), None);
    assert_eq!(store.count_users(cs).await.unwrap(), 2);
}

/// A pool deleted (or wiped by a reset) and created again under its id names its users its
/// own way: nothing of how the pool before it named them is kept.
pub async fn a_pool_created_again_under_its_id_names_users_its_own_way(store: &dyn Store) {
    for wipe in ["DeleteUserPool", "reset"] {
        users_pool(store).await;
        store
            .create_user_if_absent(&user("Alice", &[]), false)
            .await
            .unwrap()
            .unwrap();
        assert!(store.get_user(UP, "aLiCe").await.unwrap().is_some());
        assert_eq!(store.user_key(UP, "ALICE").await.unwrap(), "alice");
        if wipe == "reset" {
            store.reset().await.unwrap();
        } else {
            assert!(store.delete_user_pool(UP).await.unwrap());
        }
        // The same id, case-sensitive this time (the API's default).
        store.create_user_pool(&pool(UP, "again")).await.unwrap();
        let mut again = user("Alice", &[]);
        again.sub = "again".into();
        store
            .create_user_if_absent(&again, false)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(store.get_user(UP, "aLiCe").await.unwrap(), None, "{wipe}");
        assert_eq!(
            store.user_key(UP, "ALICE").await.unwrap(),
            "ALICE",
            "{wipe}"
        );
        let mut lower = user("alice", &[]);
        lower.sub = "lower".into();
        assert_eq!(
            store.create_user_if_absent(&lower, false).await.unwrap(),
            Ok(()),
            "{wipe}: alice is another user than Alice"
        );
        assert_eq!(store.count_users(UP).await.unwrap(), 2, "{wipe}");
        assert!(store.delete_user_pool(UP).await.unwrap());
    }
}

pub async fn verified_aliases_belong_to_one_user(store: &dyn Store) {
    users_pool(store).await;
    let a = user(
        "a",
        &[("email", "X@example.com"), ("email_verified", "true")],
    );
    store
        .create_user_if_absent(&a, false)
        .await
        .unwrap()
        .unwrap();
    // An unverified copy is fine; a verified one is not, unless forced.
    let b = user(
        "b",
        &[("email", "x@example.com"), ("email_verified", "false")],
    );
    store
        .create_user_if_absent(&b, false)
        .await
        .unwrap()
        .unwrap();
    let c = user(
        "c",
        &[("email", "x@EXAMPLE.com"), ("email_verified", "true")],
    );
    let refused = store.create_user_if_absent(&c, false).await.unwrap();
    assert_eq!(refused, Err(UserConflict::AliasExists("email".into())));
    assert_eq!(
        store.get_user(UP, "c").await.unwrap(),
        None,
        "nothing written"
    );
    let found = store
        .find_user_by_alias(UP, "email", "x@example.com")
        .await
        .unwrap();
    assert_eq!(found.map(|u| u.username), Some("a".into()));

    store
        .create_user_if_absent(&c, true)
        .await
        .unwrap()
        .unwrap();
    let found = store
        .find_user_by_alias(UP, "email", "X@example.com")
        .await
        .unwrap();
    assert_eq!(found.map(|u| u.username), Some("c".into()));
    let a = store.get_user(UP, "a").await.unwrap().unwrap();
    assert_eq!(a.attribute("email_verified"), Some("false"));
    assert_eq!(a.version, 1);

    // Verifying b's email by update now collides with c.
    let mut b = store.get_user(UP, "b").await.unwrap().unwrap();
    b.attributes.insert("email_verified".into(), "true".into());
    let refused = store.update_user(&b).await.unwrap();
    assert_eq!(refused, Err(UserConflict::AliasExists("email".into())));

    // preferred_username is unique verified or not; username-attribute pools likewise.
    let p = user("p", &[("preferred_username", "Pat")]);
    store
        .create_user_if_absent(&p, false)
        .await
        .unwrap()
        .unwrap();
    let q = user("q", &[("preferred_username", "pat")]);
    let refused = store.create_user_if_absent(&q, true).await.unwrap();
    assert_eq!(
        refused,
        Err(UserConflict::AliasExists("preferred_username".into()))
    );

    let ep = "us-east-1_EEEEEEEEE";
    let mut e = pool(ep, "by-email");
    e.username_attributes = Some(vec![UsernameAttributeType::Email]);
    store.create_user_pool(&e).await.unwrap();
    let mut u1 = user("11111111-aaaa", &[("email", "e@example.com")]);
    u1.pool_id = ep.into();
    store
        .create_user_if_absent(&u1, false)
        .await
        .unwrap()
        .unwrap();
    let mut u2 = user("22222222-bbbb", &[("email", "e@example.com")]);
    u2.pool_id = ep.into();
    let refused = store.create_user_if_absent(&u2, true).await.unwrap();
    assert_eq!(refused, Err(UserConflict::AliasExists("email".into())));
    let found = store
        .find_user_by_alias(ep, "email", "e@example.com")
        .await
        .unwrap();
    assert_eq!(found.map(|u| u.username), Some("11111111-aaaa".into()));
}

pub async fn user_updates_are_versioned(store: &dyn Store) {
    users_pool(store).await;
    store
        .create_user_if_absent(&user("u", &[("name", "one")]), false)
        .await
        .unwrap()
        .unwrap();
    let first = store.get_user(UP, "u").await.unwrap().unwrap();
    assert_eq!(first.version, 0);
    let mut a = first.clone();
    a.attributes.insert("name".into(), "two".into());
    a.enabled = false;
    a.pending_attributes
        .insert("email".into(), "next@example.com".into());
    assert_eq!(store.update_user(&a).await.unwrap(), Ok(true));
    let mut stale = first.clone();
    stale.attributes.insert("name".into(), "three".into());
    assert_eq!(store.update_user(&stale).await.unwrap(), Ok(false));
    let now = store.get_user(UP, "U").await.unwrap().unwrap();
    assert_eq!(now.version, 1);
    assert_eq!(now.attribute("name"), Some("two"));
    assert!(!now.enabled);
    assert_eq!(
        now.pending_attributes.get("email").map(String::as_str),
        Some("next@example.com")
    );
    assert_eq!(
        store
            .find_user_by_alias(UP, "email", "next@example.com")
            .await
            .unwrap(),
        None,
        "a value waiting for verification is nobody's alias"
    );
    assert!(store.delete_user(UP, "U").await.unwrap());
    assert!(!store.delete_user(UP, "u").await.unwrap());
    assert_eq!(store.update_user(&now).await.unwrap(), Ok(false), "gone");
}

/// Passkeys and a pending registration ride on the user document and come back as written.
pub async fn user_passkeys_round_trip(store: &dyn Store) {
    users_pool(store).await;
    let mut u = user("p", &[]);
    u.web_authn.push(crate::WebAuthnCredential {
        credential_id: "AQID".into(),
        credential: r#"{"cred_id":"AQID","counter":7}"#.into(),
        friendly_name: "Security key".into(),
        relying_party_id: "example.com".into(),
        authenticator_attachment: Some("cross-platform".into()),
        transports: vec!["usb".into(), "nfc".into()],
        created_at: 12.5,
    });
    u.pending_web_authn = Some("sealed-state".into());
    store
        .create_user_if_absent(&u, false)
        .await
        .unwrap()
        .unwrap();
    let mut got = store.get_user(UP, "p").await.unwrap().unwrap();
    assert_eq!(got.web_authn, u.web_authn);
    assert_eq!(got.pending_web_authn.as_deref(), Some("sealed-state"));
    got.web_authn.clear();
    got.pending_web_authn = None;
    assert_eq!(store.update_user(&got).await.unwrap(), Ok(true));
    let back = store.get_user(UP, "p").await.unwrap().unwrap();
    assert!(back.web_authn.is_empty());
    assert_eq!(back.pending_web_authn, None);
}

pub async fn users_list_by_filter_in_pages(store: &dyn Store) {
    users_pool(store).await;
    for (n, email, status) in [
        ("carol", "carol@x.com", UserStatusType::Confirmed),
        ("Alice", "alice@x.com", UserStatusType::Unconfirmed),
        ("bob", "bob@y.com", UserStatusType::Confirmed),
        ("alina", "alina@x.com", UserStatusType::ForceChangePassword),
    ] {
        let mut u = user(n, &[("email", email), ("given_name", n)]);
        u.status = status;
        u.enabled = n != "bob";
        store
            .create_user_if_absent(&u, false)
            .await
            .unwrap()
            .unwrap();
    }
    let all = store.list_users(UP, None, None, 60).await.unwrap();
    assert_eq!(names(&all), ["Alice", "alina", "bob", "carol"]);
    let page = store.list_users(UP, None, None, 2).await.unwrap();
    assert_eq!(names(&page), ["Alice", "alina"]);
    let key = store.user_key(UP, "ALINA").await.unwrap();
    let rest = store.list_users(UP, None, Some(&key), 2).await.unwrap();
    assert_eq!(names(&rest), ["bob", "carol"]);

    let f = |a: &str, op, v: &str| UserFilter {
        attribute: a.into(),
        op,
        value: v.into(),
    };
    let cases = [
        (f("email", FilterOp::Equals, "bob@y.com"), vec!["bob"]),
        (
            f("email", FilterOp::StartsWith, "al"),
            vec!["Alice", "alina"],
        ),
        (
            f("email", FilterOp::StartsWith, ""),
            vec!["Alice", "alina", "bob", "carol"],
        ),
        (f("given_name", FilterOp::Equals, "alice"), vec![]),
        (f("username", FilterOp::Equals, "ALICE"), vec!["Alice"]),
        (
            f("username", FilterOp::StartsWith, "AL"),
            vec!["Alice", "alina"],
        ),
        (f("sub", FilterOp::Equals, "sub-carol"), vec!["carol"]),
        (
            f("cognito:user_status", FilterOp::Equals, "CONFIRMED"),
            vec!["bob", "carol"],
        ),
        (
            f("cognito:user_status", FilterOp::StartsWith, "FORCE"),
            vec!["alina"],
        ),
        (f("status", FilterOp::Equals, "Disabled"), vec!["bob"]),
        (
            f("status", FilterOp::Equals, "Enabled"),
            vec!["Alice", "alina", "carol"],
        ),
        (f("status", FilterOp::Equals, "enabled"), vec![]),
    ];
    for (filter, want) in cases {
        let got = store.list_users(UP, Some(&filter), None, 60).await.unwrap();
        assert_eq!(names(&got), want, "{filter:?}");
    }
    let filter = f("email", FilterOp::StartsWith, "");
    let page = store
        .list_users(UP, Some(&filter), Some("alina"), 1)
        .await
        .unwrap();
    assert_eq!(names(&page), ["bob"]);
}

/// An update writes only the attribute rows that changed; what ListUsers finds by attribute
/// is exactly the user's attributes after each one (a value changed, one kept, one removed,
/// one added, then all removed).
pub async fn attribute_rows_follow_every_update(store: &dyn Store) {
    users_pool(store).await;
    let attrs = [("email", "a@x.com"), ("name", "one"), ("family_name", "f")];
    store
        .create_user_if_absent(&user("u", &attrs), false)
        .await
        .unwrap()
        .unwrap();
    let f = |a: &str, v: &str| UserFilter {
        attribute: a.into(),
        op: FilterOp::Equals,
        value: v.into(),
    };
    let found = |filter: UserFilter| async move {
        let users = store.list_users(UP, Some(&filter), None, 60).await.unwrap();
        users.into_iter().map(|u| u.username).collect::<Vec<_>>()
    };
    let mut u = store.get_user(UP, "u").await.unwrap().unwrap();
    u.attributes.insert("email".into(), "b@x.com".into());
    u.attributes.remove("family_name");
    u.attributes.insert("given_name".into(), "g".into());
    assert_eq!(store.update_user(&u).await.unwrap(), Ok(true));
    assert!(found(f("email", "a@x.com")).await.is_empty());
    assert_eq!(found(f("email", "b@x.com")).await, ["u"]);
    assert_eq!(found(f("name", "one")).await, ["u"]);
    assert!(found(f("family_name", "f")).await.is_empty());
    assert_eq!(found(f("given_name", "g")).await, ["u"]);

    let mut u = store.get_user(UP, "u").await.unwrap().unwrap();
    u.attributes.clear();
    assert_eq!(store.update_user(&u).await.unwrap(), Ok(true));
    for (name, value) in [("email", "b@x.com"), ("name", "one"), ("given_name", "g")] {
        assert!(found(f(name, value)).await.is_empty(), "{name}");
    }
    assert!(store
        .get_user(UP, "u")
        .await
        .unwrap()
        .unwrap()
        .attributes
        .is_empty());
}

pub async fn group_membership_goes_with_user_group_and_pool(store: &dyn Store) {
    users_pool(store).await;
    for g in ["admins", "staff"] {
        store.create(Kind::Group, UP, g, &group(g)).await.unwrap();
    }
    for n in ["ann", "Ben"] {
        store
            .create_user_if_absent(&user(n, &[]), false)
            .await
            .unwrap()
            .unwrap();
    }
    assert!(store.add_user_to_group(UP, "ANN", "staff").await.unwrap());
    assert!(
        store.add_user_to_group(UP, "ann", "staff").await.unwrap(),
        "twice is fine"
    );
    assert!(store.add_user_to_group(UP, "ann", "admins").await.unwrap());
    assert!(store.add_user_to_group(UP, "ben", "staff").await.unwrap());
    assert!(!store
        .add_user_to_group(UP, "nobody", "staff")
        .await
        .unwrap());
    assert!(!store.add_user_to_group(UP, "ann", "nogroup").await.unwrap());
    let groups = store
        .list_groups_for_user(UP, "ann", None, 60)
        .await
        .unwrap();
    assert_eq!(groups, ["admins", "staff"]);
    let groups = store
        .list_groups_for_user(UP, "ann", Some("admins"), 60)
        .await
        .unwrap();
    assert_eq!(groups, ["staff"]);
    let members = store
        .list_users_in_group(UP, "staff", None, 60)
        .await
        .unwrap();
    assert_eq!(names(&members), ["ann", "Ben"]);
    let members = store
        .list_users_in_group(UP, "staff", Some("ann"), 60)
        .await
        .unwrap();
    assert_eq!(names(&members), ["Ben"]);

    assert!(store
        .remove_user_from_group(UP, "ann", "admins")
        .await
        .unwrap());
    assert!(!store
        .remove_user_from_group(UP, "ann", "admins")
        .await
        .unwrap());
    assert!(store.delete_user(UP, "ben").await.unwrap());
    let members = store
        .list_users_in_group(UP, "staff", None, 60)
        .await
        .unwrap();
    assert_eq!(names(&members), ["ann"]);
    assert!(store
        .delete_resource(Kind::Group, UP, "staff")
        .await
        .unwrap());
    store
        .create(Kind::Group, UP, "staff", &group("staff"))
        .await
        .unwrap();
    let members = store
        .list_users_in_group(UP, "staff", None, 60)
        .await
        .unwrap();
    assert!(members.is_empty(), "a group's members leave with it");

    assert!(store.add_user_to_group(UP, "ann", "admins").await.unwrap());
    assert!(store.delete_user_pool(UP).await.unwrap());
    users_pool(store).await;
    assert_eq!(
        store.count_users(UP).await.unwrap(),
        0,
        "users go with their pool"
    );
}

pub async fn codes_are_single_use_and_expire(store: &dyn Store) {
    users_pool(store).await;
    store
        .create_user_if_absent(&user("u", &[]), false)
        .await
        .unwrap()
        .unwrap();
    let p = CodePurpose::SignUp;
    assert_eq!(
        store.consume_code(UP, "u", &p, "h1", 10.0).await.unwrap(),
        CodeOutcome::Missing
    );
    assert!(!store.put_code(UP, "nobody", &p, "h1", 100.0).await.unwrap());
    assert!(store.put_code(UP, "u", &p, "h1", 100.0).await.unwrap());
    assert!(
        store.put_code(UP, "U", &p, "h2", 100.0).await.unwrap(),
        "replaces h1"
    );
    let reset = CodePurpose::ForgotPassword;
    assert!(store.put_code(UP, "u", &reset, "r1", 50.0).await.unwrap());
    for failures in 1..=2 {
        assert_eq!(
            store.consume_code(UP, "u", &p, "h1", 10.0).await.unwrap(),
            CodeOutcome::Mismatch { failures }
        );
    }
    assert_eq!(
        store.consume_code(UP, "u", &p, "h2", 10.0).await.unwrap(),
        CodeOutcome::Accepted
    );
    assert_eq!(
        store.consume_code(UP, "u", &p, "h2", 10.0).await.unwrap(),
        CodeOutcome::Missing,
        "single use"
    );
    assert_eq!(
        store
            .consume_code(UP, "u", &reset, "r1", 50.0)
            .await
            .unwrap(),
        CodeOutcome::Expired
    );
    assert_eq!(
        store
            .consume_code(UP, "u", &reset, "r1", 10.0)
            .await
            .unwrap(),
        CodeOutcome::Missing
    );
}

/// 40 read-modify-write increments of one resource, all at once over `stores` (clones of one
/// store, or stores of one database), each retrying when another write came in between:
/// every increment is kept. Not in [`backend_suite!`]: each backend's tests call it with
/// their own stores.
pub async fn concurrent_changes_lose_nothing<S: Store + Clone + 'static>(stores: Vec<S>) {
    let id = "us-east-1_AAAAAAAAA";
    stores[0].create_user_pool(&pool(id, "one")).await.unwrap();
    stores[0]
        .create(Kind::Group, id, "counter", &0u32)
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..40 {
        let store = stores[n % stores.len()].clone();
        tasks.spawn(async move {
            let mut conflicts = 0;
            loop {
                let (count, version): (u32, i64) = store
                    .get_versioned(Kind::Group, id, "counter")
                    .await
                    .unwrap()
                    .unwrap();
                match store
                    .put(Kind::Group, id, "counter", &(count + 1), version)
                    .await
                {
                    Ok(()) => return conflicts,
                    Err(StoreError::Conflict) => conflicts += 1,
                    Err(e) => panic!("{e}"),
                }
            }
        });
    }
    let conflicts: u32 = tasks.join_all().await.into_iter().sum();
    let (count, version): (u32, i64) = stores[0]
        .get_versioned(Kind::Group, id, "counter")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((count, version), (40, 40), "{conflicts} conflicts");
}

pub async fn decoy_writes_count_up_and_go_with_their_pool(store: &dyn Store) {
    users_pool(store).await;
    for (now, locked) in [(1.0, true), (2.0, false)] {
        store.write_decoy(UP, "abc", now, locked).await.unwrap();
    }
    store.write_decoy(UP, "def", 3.0, true).await.unwrap();
    for locked in [true, false] {
        assert!(store
            .write_decoy("us-east-1_NOPOOLXXX", "abc", 4.0, locked)
            .await
            .is_err());
    }
    assert!(store.delete_user_pool(UP).await.unwrap());
    for locked in [true, false] {
        assert!(store.write_decoy(UP, "abc", 5.0, locked).await.is_err());
    }
}

pub async fn provisioned_limits_are_kept_per_account_and_region(store: &dyn Store) {
    let none = store
        .provisioned_limits("111122223333", "us-east-1")
        .await
        .unwrap();
    assert!(none.is_empty());
    for (account, region, category, value) in [
        ("111122223333", "us-east-1", "UserAuthentication", 300),
        ("111122223333", "us-east-1", "UserCreation", 60),
        ("111122223333", "us-east-1", "UserAuthentication", 200),
        ("111122223333", "eu-west-1", "UserAuthentication", 150),
        ("444455556666", "us-east-1", "UserRead", 130),
    ] {
        store
            .put_provisioned_limit(account, region, category, value)
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .provisioned_limits("111122223333", "us-east-1")
            .await
            .unwrap(),
        vec![
            ("UserAuthentication".to_owned(), 200),
            ("UserCreation".to_owned(), 60)
        ]
    );
    assert_eq!(
        store
            .provisioned_limits("444455556666", "us-east-1")
            .await
            .unwrap(),
        vec![("UserRead".to_owned(), 130)]
    );
    store.reset().await.unwrap();
    assert!(store
        .provisioned_limits("111122223333", "eu-west-1")
        .await
        .unwrap()
        .is_empty());
}

pub use crate::suite_auth_events::*;
pub use crate::suite_devices::*;
pub use crate::suite_import_jobs::*;
pub use crate::suite_tokens::*;

/// Expands to one `#[tokio::test]` per suite case; `$make` is an async expression that
/// yields a fresh, empty backend (any type that implements [`Store`]) and a guard that keeps
/// its resources (a temp directory, a database) alive until the case ends. With `optional`,
/// `$make` yields an `Option` of them, and a case whose backend is unavailable passes
/// without running (the maker says why).
#[macro_export]
macro_rules! backend_suite {
    (optional $make:expr) => {
        $crate::backend_suite!(@cases $make;
            user_pool_round_trip,
            user_pool_ids_are_unique,
            user_pools_list_in_pages,
            user_pool_put_and_delete,
            user_pool_puts_are_versioned,
            reset_wipes_everything,
            resources_round_trip_and_list_in_pages,
            resource_keys_are_unique_per_pool_or_globally,
            resources_put_delete_and_go_with_their_pool,
            resource_puts_are_versioned,
            resources_are_scanned_across_pools,
            users_are_unique_by_username_under_the_pool_case_rule,
            a_pool_created_again_under_its_id_names_users_its_own_way,
            verified_aliases_belong_to_one_user,
            user_updates_are_versioned,
            user_passkeys_round_trip,
            users_list_by_filter_in_pages,
            attribute_rows_follow_every_update,
            group_membership_goes_with_user_group_and_pool,
            codes_are_single_use_and_expire,
            decoy_writes_count_up_and_go_with_their_pool,
            signing_keys_are_created_once,
            refresh_tokens_rotate_and_revoke,
            auth_sessions_are_taken_once,
            ended_families_and_sessions_go_sixteen_at_a_time,
            token_authorization_reads_pool_user_family_and_client,
            devices_list_in_pages_and_go_with_their_user,
            token_families_list_touch_and_revoke,
            auth_events_page_newest_first_and_go_with_their_user,
            a_stop_changes_a_running_import_job_over_any_version,
            import_jobs_list_newest_first_and_go_with_their_pool,
            import_batches_write_users_and_progress_together,
            provisioned_limits_are_kept_per_account_and_region,
        );
    };
    ($make:expr) => {
        $crate::backend_suite!(optional async { Some($make.await) });
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let Some((store, _guard)) = $make.await else {
                    return;
                };
                $crate::suite::$case(&store).await;
            }
        )*
    };
}
