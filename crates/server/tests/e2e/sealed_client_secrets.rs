//! Client secrets at rest: sealed with the master key in the stored client document (never in
//! plain bytes in the SQLite file, its WAL or the PostgreSQL row), yet DescribeUserPoolClient
//! returns them and SECRET_HASH sign-in accepts each; documents written with plain-text
//! secrets are sealed when a server starts on them.

use crate::harness::{client_with, err, pool, test_config, TestServer};
use crate::users::PW;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ExplicitAuthFlowsType};
use aws_sdk_cognitoidentityprovider::Client;
use ironpool_server::Config;
use ironpool_store::Kind;
use serde_json::{json, Value};
use std::path::Path;

const SECOND: &str = "aSecondSecretOfEnoughLength0123456789abcdef";

/// A configuration whose store outlives its server: a SQLite file in `dir`, or the test's
/// PostgreSQL database.
fn reopenable(dir: &Path) -> Config {
    let config = test_config();
    if config.database.is_some() {
        return config;
    }
    Config {
        memory: false,
        data_dir: dir.to_path_buf(),
        ..config
    }
}

/// A confidential client allowing password sign-in; its id and secret.
async fn confidential_client(c: &Client, p: &str) -> (String, String) {
    let id = client_with(c, p, |b| {
        b.generate_secret(true)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
    })
    .await;
    (id.clone(), described_secret(c, p, &id).await.unwrap())
}

async fn described_secret(c: &Client, p: &str, id: &str) -> Option<String> {
    c.describe_user_pool_client()
        .user_pool_id(p)
        .client_id(id)
        .send()
        .await
        .unwrap()
        .user_pool_client()
        .unwrap()
        .client_secret()
        .map(str::to_owned)
}

async fn confirmed_user(c: &Client, p: &str) {
    c.admin_create_user()
        .user_pool_id(p)
        .username("alice")
        .send()
        .await
        .unwrap();
    c.admin_set_user_password()
        .user_pool_id(p)
        .username("alice")
        .password(PW)
        .permanent(true)
        .send()
        .await
        .unwrap();
}

/// Signs alice in with a SECRET_HASH made with `secret`.
async fn sign_in_with(c: &Client, client_id: &str, secret: &str) -> Result<(), (String, String)> {
    c.initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PW)
        .auth_parameters(
            "SECRET_HASH",
            ironpool_core::secret_hash::compute(secret, "alice", client_id),
        )
        .send()
        .await
        .map(|r| assert!(r.authentication_result().unwrap().access_token().is_some()))
        .map_err(err)
}

/// The client's document as the store holds it.
async fn stored_doc(s: &TestServer, p: &str, id: &str) -> (String, i64) {
    s.server
        .app()
        .store
        .get_resource(Kind::Client, p, id)
        .await
        .unwrap()
        .unwrap()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Waits until the store of a stopped server has closed its last connection (which folds
/// the WAL into the database and removes it); on a loaded machine that can take seconds.
async fn closed(dir: &Path) {
    for _ in 0..600 {
        if !dir.join("ironpool.sqlite3-wal").exists() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the WAL is still there");
}

/// Every file of the SQLite database in `dir` (the database, its WAL) holds none of `secrets`.
fn assert_not_in_files(dir: &Path, secrets: &[&str]) {
    let mut read = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("ironpool.sqlite3") {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue; // the WAL goes when the last connection closes
        };
        read += bytes.len();
        for secret in secrets {
            assert!(!contains(&bytes, secret), "a client secret in {name}");
        }
    }
    assert!(read > 0, "no database files in {}", dir.display());
}

#[tokio::test]
async fn client_secrets_are_sealed_at_rest() {
    let dir = tempfile::tempdir().unwrap();
    let config = reopenable(dir.path());
    let sqlite = config.database.is_none();
    let s = TestServer::with_config(config).await;
    let c = s.client();
    let p = pool(&c).await;
    let (id, first) = confidential_client(&c, &p).await;
    c.add_user_pool_client_secret()
        .user_pool_id(&p)
        .client_id(&id)
        .client_secret(SECOND)
        .send()
        .await
        .unwrap();
    c.update_user_pool_client()
        .user_pool_id(&p)
        .client_id(&id)
        .client_name("renamed")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    confirmed_user(&c, &p).await;

    assert_eq!(described_secret(&c, &p, &id).await, Some(first.clone()));
    sign_in_with(&c, &id, &first).await.unwrap();
    sign_in_with(&c, &id, SECOND).await.unwrap();
    assert_eq!(
        sign_in_with(&c, &id, "notTheSecret").await,
        Err((
            "NotAuthorizedException".into(),
            format!("Unable to verify secret hash for client {id}"),
        ))
    );

    let (doc, _) = stored_doc(&s, &p, &id).await;
    assert!(!doc.contains(&first) && !doc.contains(SECOND), "{doc}");
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["ClientName"], "renamed");
    assert_eq!(doc["IronpoolSealedSecrets"].as_array().unwrap().len(), 2);
    if sqlite {
        assert_not_in_files(dir.path(), &[&first, SECOND]);
        drop(c);
        s.server.stop().await;
        closed(dir.path()).await;
        assert_not_in_files(dir.path(), &[&first, SECOND]);
    }
}

#[tokio::test]
async fn plain_text_secrets_are_sealed_when_a_server_starts() {
    let dir = tempfile::tempdir().unwrap();
    let config = reopenable(dir.path());
    let config_is_sqlite = config.database.is_none();
    let s = TestServer::with_config(config.clone()).await;
    let c = s.client();
    let p = pool(&c).await;
    confirmed_user(&c, &p).await;
    // A client with two secrets, and one from before secrets could rotate (one ClientSecret).
    let (rotated, first) = confidential_client(&c, &p).await;
    c.add_user_pool_client_secret()
        .user_pool_id(&p)
        .client_id(&rotated)
        .client_secret(SECOND)
        .send()
        .await
        .unwrap();
    let listed = c
        .list_user_pool_client_secrets()
        .user_pool_id(&p)
        .client_id(&rotated)
        .send()
        .await
        .unwrap();
    let ids: Vec<String> = listed
        .client_secrets()
        .iter()
        .map(|s| s.client_secret_id().unwrap().to_owned())
        .collect();
    let (single, only) = confidential_client(&c, &p).await;

    // Their documents as they were kept before secrets were sealed.
    let plain = |doc: &str, secrets: Value| {
        let mut doc: Value = serde_json::from_str(doc).unwrap();
        let first = secrets[0]["ClientSecretValue"].clone();
        let doc_mut = doc.as_object_mut().unwrap();
        doc_mut.remove("IronpoolSealedSecrets");
        doc_mut.insert("ClientSecret".into(), first);
        if secrets.as_array().unwrap().len() > 1 {
            doc_mut.insert("IronpoolClientSecrets".into(), secrets);
        }
        doc.to_string()
    };
    let (doc, version) = stored_doc(&s, &p, &rotated).await;
    let secrets = json!([
        {"ClientSecretId": ids[0], "ClientSecretValue": first, "ClientSecretCreateDate": 1.7e9},
        {"ClientSecretId": ids[1], "ClientSecretValue": SECOND, "ClientSecretCreateDate": 1.8e9},
    ]);
    let store = &s.server.app().store;
    store
        .put_resource(Kind::Client, &p, &rotated, plain(&doc, secrets), version)
        .await
        .unwrap();
    let (doc, version) = stored_doc(&s, &p, &single).await;
    let secrets = json!([{"ClientSecretValue": only}]);
    store
        .put_resource(Kind::Client, &p, &single, plain(&doc, secrets), version)
        .await
        .unwrap();
    assert!(stored_doc(&s, &p, &rotated).await.0.contains(SECOND));
    drop(c);
    s.server.stop().await;
    if config_is_sqlite {
        closed(dir.path()).await;
    }

    let s = TestServer::with_config(config).await;
    let c = s.client();
    for (id, secrets) in [(&rotated, vec![&first, SECOND]), (&single, vec![&only])] {
        let (doc, _) = stored_doc(&s, &p, id).await;
        for secret in &secrets {
            assert!(!doc.contains(*secret), "{doc}");
            sign_in_with(&c, id, secret).await.unwrap();
        }
        let doc: Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(
            doc["IronpoolSealedSecrets"].as_array().unwrap().len(),
            secrets.len()
        );
        assert_eq!(
            described_secret(&c, &p, id).await.as_deref(),
            Some(secrets[0])
        );
    }
    let listed = c
        .list_user_pool_client_secrets()
        .user_pool_id(&p)
        .client_id(&rotated)
        .send()
        .await
        .unwrap();
    let kept: Vec<(&str, f64)> = listed
        .client_secrets()
        .iter()
        .map(|s| {
            (
                s.client_secret_id().unwrap(),
                s.client_secret_create_date().unwrap().as_secs_f64(),
            )
        })
        .collect();
    assert_eq!(kept, [(ids[0].as_str(), 1.7e9), (ids[1].as_str(), 1.8e9)]);
    if config_is_sqlite {
        drop(c);
        s.server.stop().await;
        closed(dir.path()).await;
        assert_not_in_files(dir.path(), &[&first, SECOND, &only]);
    }
}
