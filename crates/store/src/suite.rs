//! The backend test suite: every backend runs exactly these cases, through
//! [`backend_suite!`](crate::backend_suite), each on a fresh, empty store.

use crate::{Store, StoreError};
use ironpool_api::types::UserPoolType;

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
