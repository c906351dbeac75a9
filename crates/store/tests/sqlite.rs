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
