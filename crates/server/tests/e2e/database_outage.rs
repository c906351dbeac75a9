//! A server on a PostgreSQL reached over TLS only (`sslmode=verify-full` with the cluster's
//! CA), through the database being stopped and started again: while it is down every call
//! answers InternalErrorException at once and the log says why; afterwards the same process
//! answers again with nothing acknowledged lost. Skipped, with a message, when PostgreSQL is
//! not installed (and failing instead under IRONPOOL_REQUIRE_CLIENTS=1).

use crate::harness::{err, sdk_client, Process, KEY_ID, SECRET};
use aws_sdk_cognitoidentityprovider::types::MessageActionType;
use ironpool_testpg::{Cluster, Setup};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use std::time::{Duration, Instant};

/// A CA (PEM) and a certificate it signed for `localhost` with its key (PEM).
fn certificates() -> (String, String, String) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Ironpool database CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &Issuer::from_params(&ca_params, &ca_key))
        .unwrap();
    (ca.pem(), cert.pem(), key.serialize_pem())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_stopped_and_started_again_under_a_server_on_tls() {
    let (ca, cert, key) = certificates();
    let Some(cluster) = Cluster::create(&Setup {
        settings: &[
            "ssl = on",
            "ssl_cert_file = 'server.crt'",
            "ssl_key_file = 'server.key'",
        ],
        files: &[("server.crt", &cert), ("server.key", &key)],
        hba: Some("local all all trust\nhostssl all all 127.0.0.1/32 trust\n"),
    }) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca).unwrap();
    let master = dir.path().join("master.key");
    std::fs::write(&master, "3c".repeat(32)).unwrap();
    let url = cluster.url(
        "localhost",
        &format!("?sslmode=verify-full&sslrootcert={}", ca_file.display()),
    );
    let server = Process::spawn(&[
        "--database",
        &url,
        "--master-key-file",
        master.to_str().unwrap(),
    ]);
    let c = sdk_client(&server.url(), KEY_ID, SECRET, "us-east-1");
    let pool = crate::harness::pool(&c).await;
    let create = |name: &str| {
        c.admin_create_user()
            .user_pool_id(&pool)
            .username(name)
            .message_action(MessageActionType::Suppress)
            .send()
    };
    create("before").await.unwrap();

    let cluster = tokio::task::spawn_blocking(move || {
        cluster.stop();
        cluster
    })
    .await
    .unwrap();
    let started = Instant::now();
    let e = c
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InternalErrorException".to_owned(),
            "An internal error occurred.".to_owned()
        )
    );
    let e = create("during").await.unwrap_err();
    assert_eq!(err(e).0, "InternalErrorException");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let log =
        server.log_when(|l| l.contains("database connection") && l.contains("internal error"));
    assert!(
        log.contains("database connection") && log.contains("internal error"),
        "{log}"
    );

    let cluster = tokio::task::spawn_blocking(move || {
        cluster.start();
        cluster
    })
    .await
    .unwrap();
    create("after").await.unwrap();
    for name in ["before", "after"] {
        let user = c
            .admin_get_user()
            .user_pool_id(&pool)
            .username(name)
            .send()
            .await
            .unwrap();
        assert_eq!(user.username(), name);
    }
    let e = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("during")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "UserNotFoundException");
    drop(server);
    drop(cluster);
}
