//! pycognito's SRP sign-in (it answers PASSWORD_VERIFIER without a Session) with the right and
//! a wrong password. Needs `scripts/setup-test-clients` (pycognito in .venv); skipped with a
//! message without it, unless IRONPOOL_REQUIRE_CLIENTS=1.

use crate::harness::venv_python;
use crate::signin_support::{decode, Fixture, PASSWORD};
use std::path::PathBuf;

#[tokio::test]
async fn pycognito_signs_in_with_the_right_password_only() {
    let Some(python) = venv_python("pycognito") else {
        return;
    };
    let f = Fixture::new().await;
    let user = f.user("alice", &[]).await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/py/pycognito_srp.py");
    let out = tokio::process::Command::new(python)
        .arg(script)
        .env("ENDPOINT", f.url())
        .env("POOL_ID", &f.pool)
        .env("CLIENT_ID", &f.client_id)
        .env("USERNAME", "alice")
        .env("PASSWORD", PASSWORD)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["right"]["ok"], true, "{v}");
    let (_, id) = decode(v["right"]["idToken"].as_str().unwrap());
    assert_eq!(id["sub"], user.sub.as_str());
    assert_eq!(v["wrong"]["ok"], false);
    assert_eq!(v["wrong"]["code"], "NotAuthorizedException");
    assert_eq!(v["wrong"]["message"], "Incorrect username or password.");
}
