//! The backend test suite: every backend runs exactly these cases, through
//! [`backend_suite!`](crate::backend_suite), each on a fresh, empty store.

use crate::{Kind, ResourcesExt, Store, StoreError};
use ironpool_api::types::{GroupType, UserPoolType};

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
    assert!(
        !store.put_user_pool(&p).await.unwrap(),
        "put of a missing pool"
    );
    store.create_user_pool(&p).await.unwrap();
    p.name = Some("renamed".into());
    assert!(store.put_user_pool(&p).await.unwrap());
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
    store.put(Kind::Group, a, "g", &group("one")).await.unwrap();
    store.put(Kind::Group, a, "g", &group("two")).await.unwrap();
    let got: Option<GroupType> = store.get(Kind::Group, a, "g").await.unwrap();
    assert_eq!(got, Some(group("two")));
    assert!(store.delete_resource(Kind::Group, a, "g").await.unwrap());
    assert!(!store.delete_resource(Kind::Group, a, "g").await.unwrap());

    store
        .put(Kind::Client, a, "client", &group("c"))
        .await
        .unwrap();
    assert!(store.delete_user_pool(a).await.unwrap());
    let gone: Option<(String, GroupType)> = store.find(Kind::Client, "client").await.unwrap();
    assert_eq!(gone, None, "a pool's resources are deleted with it");
}

/// Expands to one `#[tokio::test]` per suite case; `$make` is an async expression that
/// yields a fresh, empty backend (any type that implements [`Store`]) and a guard that keeps
/// its resources (a temp directory, a database) alive until the case ends.
#[macro_export]
macro_rules! backend_suite {
    ($make:expr) => {
        $crate::backend_suite!(@cases $make;
            user_pool_round_trip,
            user_pool_ids_are_unique,
            user_pools_list_in_pages,
            user_pool_put_and_delete,
            reset_wipes_everything,
            resources_round_trip_and_list_in_pages,
            resource_keys_are_unique_per_pool_or_globally,
            resources_put_delete_and_go_with_their_pool,
        );
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let (store, _guard) = $make.await;
                $crate::suite::$case(&store).await;
            }
        )*
    };
}
