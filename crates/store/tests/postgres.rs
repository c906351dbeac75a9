//! The backend suite on PostgreSQL, each case on a fresh database of a throwaway server
//! (skipped, with a message, when PostgreSQL is not installed), and what only a shared
//! database can show: several stores racing on one database.

use ironpool_store::{
    CodeOutcome, CodePurpose, FilterOp, PostgresStore, User, UserConflict, UserFilter, UserPools,
    Users,
};
use ironpool_testpg::TestPostgres;

ironpool_store::backend_suite!(optional async {
    let db = TestPostgres::start()?;
    let store = PostgresStore::connect(db.url()).await.unwrap();
    Some((store, db))
});

const POOL: &str = "us-east-1_RACERACER";

fn user(name: &str, n: usize) -> User {
    User {
        pool_id: POOL.into(),
        username: name.into(),
        sub: format!("sub-{n}"),
        attributes: Default::default(),
        pending_attributes: Default::default(),
        mfa: Default::default(),
        web_authn: vec![],
        pending_web_authn: None,
        status: Default::default(),
        enabled: true,
        created: 0.0,
        modified: 0.0,
        password: None,
        password_history: vec![],
        failed_attempts: 0,
        locked_until: None,
        tokens_valid_after: None,
        version: 0,
    }
}

/// `count` creations of the user "same" at once, spread over `stores`: one is made, every
/// other one finds the username taken.
async fn one_of_racing_creations_wins(stores: &[PostgresStore], count: usize) {
    let mut creates = tokio::task::JoinSet::new();
    for n in 0..count {
        let store = stores[n % stores.len()].clone();
        creates.spawn(async move { store.create_user_if_absent(&user("same", n), false).await });
    }
    let results: Vec<_> = creates
        .join_all()
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(results
        .iter()
        .all(|r| r.is_ok() || *r == Err(UserConflict::UsernameExists)));
}

/// Eight servers starting at once on an empty database (the migration lock), then 50
/// creations of one username and 20 uses of one code spread over them: one of each wins.
#[tokio::test]
async fn racing_stores_on_one_database() {
    let Some(db) = TestPostgres::start() else {
        return;
    };
    let mut starts = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let url = db.url().to_owned();
        starts.spawn(async move { PostgresStore::connect(&url).await.unwrap() });
    }
    let stores = starts.join_all().await;
    let pool = ironpool_api::types::UserPoolType {
        id: Some(POOL.into()),
        ..Default::default()
    };
    stores[0].create_user_pool(&pool).await.unwrap();

    one_of_racing_creations_wins(&stores, 50).await;
    assert_eq!(stores[1].count_users(POOL).await.unwrap(), 1);

    let purpose = CodePurpose::SignUp;
    assert!(stores[2]
        .put_code(POOL, "same", &purpose, "hash", 100.0)
        .await
        .unwrap());
    let mut uses = tokio::task::JoinSet::new();
    for n in 0..20 {
        let store = stores[n % stores.len()].clone();
        let purpose = purpose.clone();
        uses.spawn(async move {
            store
                .consume_code(POOL, "same", &purpose, "hash", 1.0)
                .await
        });
    }
    let outcomes: Vec<_> = uses
        .join_all()
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let accepted = outcomes
        .iter()
        .filter(|o| **o == CodeOutcome::Accepted)
        .count();
    assert_eq!(accepted, 1, "{outcomes:?}");
    assert!(outcomes
        .iter()
        .all(|o| matches!(o, CodeOutcome::Accepted | CodeOutcome::Missing)));
}

/// A pool deleted on one server and created again under its id, with another naming, by a
/// second one: the first server, which had read the old pool's naming, finds users by the new
/// one once it has read the pool's version (as every request does first).
#[tokio::test]
async fn a_pool_created_again_by_another_store_is_named_its_own_way() {
    let Some(db) = TestPostgres::start() else {
        return;
    };
    let one = PostgresStore::connect(db.url()).await.unwrap();
    let two = PostgresStore::connect(db.url()).await.unwrap();
    let mut insensitive = ironpool_api::types::UserPoolType {
        id: Some(POOL.into()),
        ..Default::default()
    };
    insensitive.username_configuration = Some(ironpool_api::types::UsernameConfigurationType {
        case_sensitive: false,
    });
    one.create_user_pool(&insensitive).await.unwrap();
    one.create_user_if_absent(&user("Alice", 1), false)
        .await
        .unwrap()
        .unwrap();
    assert!(one.get_user(POOL, "ALICE").await.unwrap().is_some());
    assert_eq!(one.user_key(POOL, "ALICE").await.unwrap(), "alice");

    assert!(two.delete_user_pool(POOL).await.unwrap());
    let sensitive = ironpool_api::types::UserPoolType {
        id: Some(POOL.into()),
        ..Default::default()
    };
    two.create_user_pool(&sensitive).await.unwrap();
    two.create_user_if_absent(&user("Alice", 2), false)
        .await
        .unwrap()
        .unwrap();

    assert!(one.user_pool_version(POOL).await.unwrap().is_some());
    assert_eq!(one.user_key(POOL, "ALICE").await.unwrap(), "ALICE");
    assert_eq!(one.get_user(POOL, "ALICE").await.unwrap(), None);
    let alice = one.get_user(POOL, "Alice").await.unwrap().unwrap();
    assert_eq!(alice.sub, "sub-2");
}

/// Read-modify-write changes of one document from four stores on one database lose nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_changes_over_stores_lose_nothing() {
    let Some(db) = TestPostgres::start() else {
        return;
    };
    let mut stores = Vec::new();
    for _ in 0..4 {
        stores.push(PostgresStore::connect(db.url()).await.unwrap());
    }
    ironpool_store::suite::concurrent_changes_lose_nothing(stores).await;
}

/// Creations and updates of users racing the deletion of their pool on several stores: each
/// write either lands before the deletion or finds the pool gone, and none fails as a backend
/// error (no foreign-key violation, deadlock or serialization failure escapes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_racing_a_pool_deletion() {
    let Some(db) = TestPostgres::start() else {
        return;
    };
    let mut stores = Vec::new();
    for _ in 0..4 {
        stores.push(PostgresStore::connect(db.url()).await.unwrap());
    }
    for round in 0..10 {
        let pool = ironpool_api::types::UserPoolType {
            id: Some(POOL.into()),
            ..Default::default()
        };
        stores[0].create_user_pool(&pool).await.unwrap();
        for n in 0..20 {
            stores[0]
                .create_user_if_absent(&user(&format!("u{n}"), n), false)
                .await
                .unwrap()
                .unwrap();
        }
        let mut writes = tokio::task::JoinSet::new();
        for n in 0..40 {
            let store = stores[n % stores.len()].clone();
            writes.spawn(async move {
                if n % 2 == 0 {
                    let mut u = user(&format!("new{n}"), 100 + n);
                    u.attributes
                        .insert("email".into(), format!("new{n}@example.com"));
                    match store.create_user_if_absent(&u, false).await? {
                        Ok(()) | Err(UserConflict::PoolGone) => Ok(()),
                        Err(other) => panic!("new{n}: {other:?}"),
                    }
                } else {
                    match store.get_user(POOL, &format!("u{}", n % 20)).await? {
                        Some(mut u) => {
                            u.attributes.insert("name".into(), format!("round {n}"));
                            store.update_user(&u).await.map(|_| ())
                        }
                        None => Ok(()),
                    }
                }
            });
        }
        let deleter = stores[round % stores.len()].clone();
        writes.spawn(async move { deleter.delete_user_pool(POOL).await.map(|_| ()) });
        for result in writes.join_all().await {
            if let Err(e) = result {
                panic!("round {round}: {e:?}");
            }
        }
        stores[1].delete_user_pool(POOL).await.unwrap();
        assert_eq!(
            stores[2].count_users(POOL).await.unwrap(),
            0,
            "round {round}"
        );
    }
}

/// Writes of users in a pool without aliases, each one statement once a store knows the
/// pool's naming, racing over four stores: one of 40 creations of a username wins, 40
/// read-modify-write updates of one user (its failure count, an attribute) all land one after
/// the other, a stale update writes nothing, and the attribute rows are the last update's.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_statement_user_writes_race_like_transactions() {
    let Some(db) = TestPostgres::start() else {
        return;
    };
    let mut stores = Vec::new();
    for _ in 0..4 {
        stores.push(PostgresStore::connect(db.url()).await.unwrap());
    }
    let pool = ironpool_api::types::UserPoolType {
        id: Some(POOL.into()),
        ..Default::default()
    };
    stores[0].create_user_pool(&pool).await.unwrap();
    for store in &stores {
        // Each store keeps the pool's naming.
        assert_eq!(store.get_user(POOL, "same").await.unwrap(), None);
    }

    one_of_racing_creations_wins(&stores, 40).await;

    let mut updates = tokio::task::JoinSet::new();
    for n in 0..40 {
        let store = stores[n % stores.len()].clone();
        updates.spawn(async move {
            loop {
                let mut u = store.get_user(POOL, "same").await.unwrap().unwrap();
                u.failed_attempts += 1;
                let count = u.failed_attempts.to_string();
                u.attributes.insert("custom:count".into(), count);
                if n % 2 == 0 {
                    // Half of them also take an attribute away, or give it back.
                    match u.attributes.remove("name") {
                        Some(_) => {}
                        None => drop(u.attributes.insert("name".into(), "Sam".into())),
                    }
                }
                match store.update_user(&u).await.unwrap() {
                    Ok(true) => return,
                    Ok(false) => continue,
                    Err(conflict) => panic!("{conflict:?}"),
                }
            }
        });
    }
    updates.join_all().await;
    let same = stores[1].get_user(POOL, "same").await.unwrap().unwrap();
    assert_eq!((same.failed_attempts, same.version), (40, 40));
    assert_eq!(same.attributes["custom:count"], "40");
    assert!(!same.attributes.contains_key("name"), "{same:?}");

    let mut stale = same.clone();
    stale.version = 39;
    stale.failed_attempts = 0;
    assert_eq!(stores[2].update_user(&stale).await.unwrap(), Ok(false));
    let mut unchanged = same.clone();
    unchanged.failed_attempts = 41;
    assert_eq!(stores[3].update_user(&unchanged).await.unwrap(), Ok(true));
    let same = stores[0].get_user(POOL, "same").await.unwrap().unwrap();
    assert_eq!((same.failed_attempts, same.version), (41, 41));

    let by = |name: &str, value: &str| UserFilter {
        attribute: name.into(),
        op: FilterOp::Equals,
        value: value.into(),
    };
    let found = stores[0]
        .list_users(POOL, Some(&by("custom:count", "40")), None, 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    for (value, n) in [("39", 0), ("1", 0)] {
        let found = stores[0]
            .list_users(POOL, Some(&by("custom:count", value)), None, 10)
            .await
            .unwrap();
        assert_eq!(found.len(), n, "custom:count = {value}");
    }
    let named = stores[0]
        .list_users(POOL, Some(&by("name", "Sam")), None, 10)
        .await
        .unwrap();
    assert_eq!(named, vec![]);
}

/// A real deadlock on a production path: another session locks the user's row, the store's
/// update (holding its share lock on the pool) waits for it, and the session then asks for the
/// pool's row. PostgreSQL ends the update's transaction (40P01, the first to wait is the first
/// to check); the store tries it again once the session is gone, and the update lands. The
/// pool has an alias attribute: its user writes are transactions (in a pool without aliases
/// an update is one statement, which takes no lock on the pool).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadlocked_update_is_tried_again() {
    let Some(db) = TestPostgres::start() else {
        return;
    };
    let store = PostgresStore::connect(db.url()).await.unwrap();
    let pool = ironpool_api::types::UserPoolType {
        id: Some(POOL.into()),
        alias_attributes: Some(vec![ironpool_api::types::AliasAttributeType::Email]),
        ..Default::default()
    };
    store.create_user_pool(&pool).await.unwrap();
    store
        .create_user_if_absent(&user("dee", 1), false)
        .await
        .unwrap()
        .unwrap();
    let (mut other, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let tx = other.transaction().await.unwrap();
    tx.execute(
        "SELECT 1 FROM users WHERE pool_id = $1 FOR UPDATE",
        &[&POOL],
    )
    .await
    .unwrap();

    let mut changed = store.get_user(POOL, "dee").await.unwrap().unwrap();
    changed.attributes.insert("name".into(), "Dee".into());
    let update = tokio::spawn({
        let store = store.clone();
        async move { store.update_user(&changed).await }
    });
    // The update waits for the row.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let waiting: i64 = tx
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if waiting == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the update never waited"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // The cycle: granted only once PostgreSQL has ended the update's transaction.
    tx.execute(
        "SELECT 1 FROM user_pools WHERE id = $1 FOR UPDATE",
        &[&POOL],
    )
    .await
    .unwrap();
    assert!(!update.is_finished(), "the update ended instead of waiting");
    tx.rollback().await.unwrap();
    assert_eq!(update.await.unwrap().unwrap(), Ok(true));
    let stored = store.get_user(POOL, "dee").await.unwrap().unwrap();
    assert_eq!(
        stored.attributes.get("name").map(String::as_str),
        Some("Dee")
    );
}
