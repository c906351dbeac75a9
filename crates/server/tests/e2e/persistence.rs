//! The binary: durability across kill -9 and SIGTERM, --memory, refusing an open admin API
//! on the network, and --help.

use crate::harness::{sdk_client, Process, KEY_ID, SECRET};
use std::process::Command;

async fn create_pool(url: &str, name: &str) -> (String, String, f64) {
    let out = sdk_client(url, KEY_ID, SECRET, "us-east-1")
        .create_user_pool()
        .pool_name(name)
        .send()
        .await
        .unwrap();
    let pool = out.user_pool().unwrap();
    (
        pool.id().unwrap().to_owned(),
        pool.arn().unwrap().to_owned(),
        pool.creation_date().unwrap().as_secs_f64(),
    )
}

#[tokio::test]
async fn an_acknowledged_write_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let first = Process::spawn(&["--data-dir", data]);
    let (id, arn, created) = create_pool(&first.url(), "durable").await;
    first.kill9();

    let second = Process::spawn(&["--data-dir", data]);
    let client = sdk_client(&second.url(), KEY_ID, SECRET, "us-east-1");
    let out = client
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    let pool = out.user_pool().unwrap();
    assert_eq!(pool.name(), Some("durable"));
    assert_eq!(pool.arn(), Some(arn.as_str()));
    assert_eq!(pool.creation_date().unwrap().as_secs_f64(), created);
}

#[test]
fn the_master_key_is_generated_owner_only_and_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = Process::spawn(&["--data-dir", data.to_str().unwrap()]);
    first.kill9();
    let key_file = data.join("master.key");
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "master.key must be readable by its owner only"
    );
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(key.trim().len(), 64);
    Process::spawn(&["--data-dir", data.to_str().unwrap()]).kill9();
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap(),
        key,
        "the key is reused"
    );

    std::fs::write(&key_file, "not a key").unwrap();
    let refused = Process::try_spawn(&["--data-dir", data.to_str().unwrap()])
        .err()
        .expect("a damaged key must stop the server");
    assert!(
        refused.contains("master.key: the master key is not hex"),
        "{refused}"
    );
}

#[tokio::test]
async fn sigterm_stops_cleanly_and_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let first = Process::spawn(&["--data-dir", data]);
    let (id, _, _) = create_pool(&first.url(), "kept").await;
    assert!(first.terminate().success());

    let second = Process::spawn(&["--data-dir", data]);
    let listed = sdk_client(&second.url(), KEY_ID, SECRET, "us-east-1")
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    let ids: Vec<_> = listed.user_pools().iter().filter_map(|p| p.id()).collect();
    assert_eq!(ids, [id.as_str()]);
}

#[tokio::test]
async fn memory_mode_keeps_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let first = Process::spawn(&["--memory", "--data-dir", data]);
    create_pool(&first.url(), "ephemeral").await;
    first.kill9();
    assert!(!dir.path().join("data").exists(), "--memory wrote to disk");

    let second = Process::spawn(&["--memory", "--data-dir", data]);
    let listed = sdk_client(&second.url(), KEY_ID, SECRET, "us-east-1")
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert!(listed.user_pools().is_empty());
}

#[test]
fn an_open_admin_api_is_not_put_on_the_network_unless_asked() {
    let refused = Process::try_spawn(&["--memory", "--listen", "0.0.0.0:0"])
        .err()
        .expect("must refuse to listen");
    assert!(
        refused.contains("refusing to listen on 0.0.0.0:0"),
        "{refused}"
    );

    Process::spawn(&[
        "--memory",
        "--listen",
        "0.0.0.0:0",
        "--allow-unauthenticated",
    ]);
}

#[test]
fn a_credentials_file_allows_a_network_address() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    std::fs::write(
        &file,
        format!("[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"),
    )
    .unwrap();
    Process::spawn(&[
        "--memory",
        "--listen",
        "0.0.0.0:0",
        "--credentials-file",
        file.to_str().unwrap(),
    ]);
}

#[test]
fn help_explains_every_flag_and_its_variable() {
    let out = Command::new(Process::binary())
        .args(["serve", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for (flag, var) in [
        ("--listen", "IRONPOOL_LISTEN"),
        ("--data-dir", "IRONPOOL_DATA_DIR"),
        ("--memory", "IRONPOOL_MEMORY"),
        ("--region", "IRONPOOL_REGION"),
        ("--account-id", "IRONPOOL_ACCOUNT_ID"),
        ("--public-url", "IRONPOOL_PUBLIC_URL"),
        ("--credentials-file", "IRONPOOL_CREDENTIALS_FILE"),
        ("--log-format", "IRONPOOL_LOG_FORMAT"),
        ("--allow-unauthenticated", "IRONPOOL_ALLOW_UNAUTHENTICATED"),
        ("--dev-endpoints", "IRONPOOL_DEV_ENDPOINTS"),
        ("--master-key-file", "IRONPOOL_MASTER_KEY_FILE"),
        ("--console", "IRONPOOL_CONSOLE"),
        ("--console-password-file", "IRONPOOL_CONSOLE_PASSWORD_FILE"),
        ("--metrics", "IRONPOOL_METRICS"),
        ("--seed", "IRONPOOL_SEED"),
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
        assert!(help.contains(var), "{var} missing from:\n{help}");
    }
    assert!(help.contains("[default: 127.0.0.1:9229]"), "{help}");
}

#[test]
fn environment_variables_configure_the_server() {
    let out = Command::new(Process::binary())
        .args(["serve"])
        .env("IRONPOOL_LISTEN", "not-an-address")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("not-an-address"), "{stderr}");
}
