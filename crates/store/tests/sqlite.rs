//! The backend suite on the embedded SQLite backend, in memory and on disk.

mod in_memory {
    ironpool_store::backend_suite!(async {
        (ironpool_store::SqliteStore::open_in_memory().unwrap(), ())
    });
}

mod on_disk {
    ironpool_store::backend_suite!(async {
        let dir = tempfile::tempdir().unwrap();
        let store = ironpool_store::SqliteStore::open(&dir.path().join("db.sqlite")).unwrap();
        (store, dir)
    });
}

#[tokio::test]
async fn data_survives_reopening() {
    use ironpool_store::UserPools;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    {
        let store = ironpool_store::SqliteStore::open(&path).unwrap();
        let pool = ironpool_api::types::UserPoolType {
            id: Some("us-east-1_AAAAAAAAA".into()),
            ..Default::default()
        };
        store.create_user_pool(&pool).await.unwrap();
    }
    let store = ironpool_store::SqliteStore::open(&path).unwrap();
    assert!(store
        .get_user_pool("us-east-1_AAAAAAAAA")
        .await
        .unwrap()
        .is_some());
}

/// A closed store leaves no WAL behind, however its writer thread and read connections race
/// to close: the read-only connections close first, so the writer's is the file's last and
/// removes the WAL.
#[tokio::test]
async fn a_closed_store_leaves_no_wal() {
    use ironpool_store::UserPools;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let wal = dir.path().join("db.sqlite-wal");
    for i in 0..20 {
        {
            let store = ironpool_store::SqliteStore::open(&path).unwrap();
            let pool = ironpool_api::types::UserPoolType {
                id: Some(format!("us-east-1_AAAAAAA{i:02}")),
                ..Default::default()
            };
            store.create_user_pool(&pool).await.unwrap();
            // Reads open read-only connections beside the writer's.
            let read = || store.get_user_pool("us-east-1_AAAAAAA00");
            let _ = tokio::join!(read(), read(), read(), read());
        }
        let mut waited = 0;
        while wal.exists() && waited < 200 {
            std::thread::sleep(std::time::Duration::from_millis(10));
            waited += 1;
        }
        assert!(!wal.exists(), "round {i}: the WAL outlived its store");
    }
}

/// ListUsers filters on 100,000 users: the right answers, and the times printed for a look
/// (run with `--ignored --nocapture`; the load benchmark is where times are judged).
#[tokio::test]
#[ignore]
async fn list_users_filters_on_100k_users() {
    use ironpool_store::{FilterOp, User, UserFilter, UserPools, Users};
    use std::time::Instant;
    let store = ironpool_store::SqliteStore::open_in_memory().unwrap();
    let pool_id = "us-east-1_BENCHBENC";
    let pool = ironpool_api::types::UserPoolType {
        id: Some(pool_id.into()),
        ..Default::default()
    };
    store.create_user_pool(&pool).await.unwrap();
    let start = Instant::now();
    for i in 0..100_000 {
        let user = User {
            pool_id: pool_id.into(),
            username: format!("user{i:06}"),
            sub: format!("sub-{i}"),
            attributes: [
                ("email".to_string(), format!("u{i}@example{}.com", i % 100)),
                ("name".to_string(), format!("Name {i}")),
            ]
            .into(),
            status: Default::default(),
            enabled: true,
            created: 0.0,
            modified: 0.0,
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
        };
        store
            .create_user_if_absent(&user, false)
            .await
            .unwrap()
            .unwrap();
    }
    println!("insert 100k: {:?}", start.elapsed());
    for (op, value, want) in [
        (FilterOp::Equals, "u77777@example77.com", 1),
        (FilterOp::StartsWith, "u7777", 11),
        (FilterOp::StartsWith, "u", 60),
        (FilterOp::StartsWith, "x", 0),
        (FilterOp::Equals, "nobody@example.com", 0),
    ] {
        let f = UserFilter {
            attribute: "email".into(),
            op,
            value: value.into(),
        };
        let t = Instant::now();
        let got = store.list_users(pool_id, Some(&f), None, 60).await.unwrap();
        let took = t.elapsed();
        println!("email {op:?} {value:?}: {} in {took:?}", got.len());
        assert_eq!(got.len(), want);
    }
}

/// Concurrent writes share commits; one that fails (a duplicate key) fails alone and every
/// other write of its batch is committed, visible to readers, and still there after reopening.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_write_in_a_group_commit_loses_no_other_write() {
    use ironpool_store::{Kind, Resources, StoreError, UserPools};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let pool_id = "us-east-1_GROUPCOMM";
    {
        let store = ironpool_store::SqliteStore::open(&path).unwrap();
        let pool = ironpool_api::types::UserPoolType {
            id: Some(pool_id.into()),
            ..Default::default()
        };
        store.create_user_pool(&pool).await.unwrap();
        let writes = (0..200).map(|i| {
            let store = store.clone();
            // Every fourth write reuses key "dup": exactly one of those may succeed.
            let key = if i % 4 == 0 {
                "dup".to_string()
            } else {
                format!("k{i}")
            };
            tokio::spawn(async move {
                let doc = format!("{{\"n\":{i}}}");
                store.create_resource(Kind::Group, pool_id, &key, doc).await
            })
        });
        let mut results = Vec::new();
        for write in writes.collect::<Vec<_>>() {
            results.push(write.await.unwrap());
        }
        let conflicts = results
            .iter()
            .filter(|r| matches!(r, Err(StoreError::Conflict)))
            .count();
        assert_eq!(conflicts, 49);
        assert!(results
            .iter()
            .all(|r| matches!(r, Ok(()) | Err(StoreError::Conflict))));
        assert_eq!(
            store.count_resources(Kind::Group, pool_id).await.unwrap(),
            151
        );
    }
    let store = ironpool_store::SqliteStore::open(&path).unwrap();
    assert_eq!(
        store.count_resources(Kind::Group, pool_id).await.unwrap(),
        151
    );
    let doc = store
        .get_resource(Kind::Group, pool_id, "k199")
        .await
        .unwrap();
    assert_eq!(doc, Some(("{\"n\":199}".to_string(), 0)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_changes_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = ironpool_store::SqliteStore::open(&dir.path().join("db.sqlite")).unwrap();
    ironpool_store::suite::concurrent_changes_lose_nothing(vec![store]).await;
}
