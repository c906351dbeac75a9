//! PostgreSQL as operators meet it: only reachable over TLS, and stopped and started again
//! under load. Each test has a cluster of its own (skipped, with a message, when PostgreSQL is
//! not installed).

use ironpool_store::{PostgresStore, StoreError, UserPools};
use ironpool_testpg::{Cluster, Setup};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

/// A CA named `ca` and a server certificate it signed for `names`, as PEM: (CA, certificate,
/// key).
fn certificates(ca: &str, names: &[&str]) -> (String, String, String) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.distinguished_name.push(DnType::CommonName, ca);
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(names)
        .unwrap()
        .signed_by(&key, &Issuer::from_params(&ca_params, &ca_key))
        .unwrap();
    (ca.pem(), cert.pem(), key.serialize_pem())
}

fn pool(id: &str) -> ironpool_api::types::UserPoolType {
    ironpool_api::types::UserPoolType {
        id: Some(id.into()),
        ..Default::default()
    }
}

async fn refused(url: &str) -> String {
    match PostgresStore::connect(url).await {
        Ok(_) => panic!("{url} connected"),
        Err(StoreError::Backend(why)) => why,
        Err(other) => panic!("{url}: {other:?}"),
    }
}

/// A cluster that takes TCP connections over TLS only (its certificate is for `localhost`):
/// each sslmode connects or is refused as libpq's would be.
#[tokio::test]
async fn tls_modes_connect_and_check_the_certificate_as_libpq_does() {
    let (ca, cert, key) = certificates("Ironpool test CA", &["localhost"]);
    let hba = "local all all trust\n\
               hostssl all all 127.0.0.1/32 trust\n\
               hostnossl all all 127.0.0.1/32 reject\n";
    let Some(cluster) = Cluster::create(&Setup {
        settings: &[
            "ssl = on",
            "ssl_cert_file = 'server.crt'",
            "ssl_key_file = 'server.key'",
        ],
        files: &[("server.crt", &cert), ("server.key", &key)],
        hba: Some(hba),
    }) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca).unwrap();
    let (other_ca, _, _) = certificates("Another CA", &["localhost"]);
    let other_ca_file = dir.path().join("other-ca.pem");
    std::fs::write(&other_ca_file, &other_ca).unwrap();
    let root = |file: &std::path::Path| format!("sslrootcert={}", file.display());

    // Plain TCP is refused by the server: every mode that connects below is encrypted.
    let why = refused(&cluster.url("127.0.0.1", "?sslmode=disable")).await;
    assert!(
        why.contains("no encryption") || why.contains("pg_hba.conf"),
        "{why}"
    );

    // Encrypted without checking the certificate: prefer (the default) and require.
    for params in ["", "?sslmode=prefer", "?sslmode=require"] {
        let store = PostgresStore::connect(&cluster.url("127.0.0.1", params))
            .await
            .unwrap_or_else(|e| panic!("{params}: {e:?}"));
        store
            .create_user_pool(&pool(&format!("us-east-1_T{}", params.len())))
            .await
            .unwrap();
    }

    // verify-full: the right CA and the certificate's name.
    let full = format!("?sslmode=verify-full&{}", root(&ca_file));
    let store = PostgresStore::connect(&cluster.url("localhost", &full))
        .await
        .unwrap();
    assert!(store
        .user_pool_version("us-east-1_T0")
        .await
        .unwrap()
        .is_some());

    // verify-full refuses a host the certificate is not for; verify-ca takes it.
    let why = refused(&cluster.url("127.0.0.1", &full)).await;
    assert!(why.contains("certificate not valid for name"), "{why}");
    let ca_only = format!("?sslmode=verify-ca&{}", root(&ca_file));
    PostgresStore::connect(&cluster.url("127.0.0.1", &ca_only))
        .await
        .unwrap();

    // Another CA is refused by verify-ca and verify-full, and by require once a CA is given.
    for mode in ["verify-full", "verify-ca", "require"] {
        let url = cluster.url(
            "localhost",
            &format!("?sslmode={mode}&{}", root(&other_ca_file)),
        );
        let why = refused(&url).await;
        assert!(why.contains("UnknownIssuer"), "{mode}: {why}");
    }

    // The Unix-domain socket (`local` in pg_hba.conf) has no TLS: as with libpq, sslmode does
    // not apply there, whichever is given.
    for params in [
        "",
        "?sslmode=prefer",
        "?sslmode=require",
        "?sslmode=disable",
    ] {
        let url = cluster.socket_url(params);
        let store = PostgresStore::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e:?}"));
        assert!(store
            .user_pool_version("us-east-1_T0")
            .await
            .unwrap()
            .is_some());
    }
}

/// Stores read and write while the database is stopped and started again: while it is down
/// every call fails at once with a backend error (no hang), afterwards the same store works
/// again without being reconnected, and every write it acknowledged is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_stopped_and_started_again_under_load() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    let Some(cluster) = Cluster::create(&Setup::default()) else {
        return;
    };
    let store = PostgresStore::connect(&cluster.url("127.0.0.1", "?sslmode=disable"))
        .await
        .unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (store, done) = (store.clone(), done.clone());
            tokio::spawn(async move {
                let (mut acknowledged, mut failed) = (Vec::new(), 0);
                for n in 0.. {
                    if done.load(Ordering::Relaxed) {
                        break;
                    }
                    let id = format!("us-east-1_W{w}x{n}");
                    let started = Instant::now();
                    let written = store.create_user_pool(&pool(&id)).await;
                    let took = started.elapsed();
                    assert!(took < Duration::from_secs(5), "{id} took {took:?}");
                    match written {
                        Ok(()) => acknowledged.push(id),
                        Err(StoreError::Backend(_)) => failed += 1,
                        Err(other) => panic!("{id}: {other:?}"),
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                (acknowledged, failed)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let cluster = tokio::task::spawn_blocking(move || {
        cluster.stop();
        std::thread::sleep(Duration::from_millis(300));
        cluster.start();
        cluster
    })
    .await
    .unwrap();
    // The writes after the restart are the last each writer makes: all of them must succeed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after: Vec<_> = writes_after(&store).await;
    done.store(true, Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    let mut failed = 0;
    for writer in writers {
        let (ids, f) = writer.await.unwrap();
        acknowledged.extend(ids);
        failed += f;
    }
    assert!(failed > 0, "the database was never seen down");
    assert_eq!(after.len(), 20, "after the restart: {after:?}");
    for id in &acknowledged {
        assert!(
            store.user_pool_version(id).await.unwrap().is_some(),
            "{id} was lost"
        );
    }
    drop(cluster);
}

/// Twenty writes right after the restart, each of which must succeed.
async fn writes_after(store: &PostgresStore) -> Vec<String> {
    let mut ids = Vec::new();
    for n in 0..20 {
        let id = format!("us-east-1_After{n}");
        store.create_user_pool(&pool(&id)).await.unwrap();
        ids.push(id);
    }
    ids
}
