//! The authorization server with real OAuth 2.0 / OIDC clients, for users and for services
//! (M2M): openid-client (Node, with aws-jwt-verify checking the tokens) and Authlib (Python).
//! Needs `scripts/setup-test-clients`; skipped with a message without it, unless
//! IRONPOOL_REQUIRE_CLIENTS=1.

use crate::harness::venv_python;
use crate::js_clients::{js_dir, node};
use crate::oauth_support::{OAuth, CALLBACK, LOGOUT};
use crate::signin_support::PASSWORD;
use serde_json::json;
use std::path::PathBuf;

#[tokio::test]
async fn openid_client_signs_in_with_code_and_pkce_and_uses_every_endpoint() {
    let Some(dir) = js_dir() else { return };
    let o = OAuth::with(true, |b| b).await;
    let user =
        o.f.user(
            "alice",
            &[("email", "alice@example.com"), ("name", "Alice A")],
        )
        .await;
    let out = node(
        &dir,
        "openid_client.mjs",
        &[
            ("ISSUER", o.base.as_str()),
            ("CLIENT_ID", o.f.client_id.as_str()),
            ("CLIENT_SECRET", o.secret.as_deref().unwrap()),
            ("REDIRECT_URI", CALLBACK),
            ("LOGOUT_URI", LOGOUT),
            ("USERNAME", "alice"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await;
    assert_eq!(
        out["metadata"]["token_endpoint"],
        format!("{}/oauth2/token", o.base)
    );
    assert_eq!(
        out["metadata"]["end_session_endpoint"],
        format!("{}/logout", o.base)
    );
    assert_eq!(out["claims"]["sub"], user.sub.as_str());
    assert_eq!(out["claims"]["email"], "alice@example.com");
    assert_eq!(out["claims"]["aud"], o.f.client_id.as_str());
    assert_eq!(
        out["verifiedSub"],
        user.sub.as_str(),
        "aws-jwt-verify accepts the ID token"
    );
    assert_eq!(out["scope"], "openid email profile");
    assert_eq!(
        out["userinfo"],
        json!({"sub": user.sub, "email": "alice@example.com", "name": "Alice A", "username": "alice"})
    );
    assert!(
        out["sso"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{CALLBACK}?code=")),
        "{out}"
    );
    assert_eq!(out["refreshedScope"], "openid email profile");
    assert_eq!(out["afterRevocation"], "invalid_grant");
    assert_eq!(out["logout"]["status"], 302);
    assert_eq!(out["logout"]["location"], LOGOUT);
    assert_eq!(out["logout"]["cookie"], "", "the SSO cookie is cleared");
}

#[tokio::test]
async fn authlib_signs_in_with_code_and_pkce_refreshes_and_revokes() {
    let Some(python) = venv_python("authlib") else {
        return;
    };
    let o = OAuth::with(true, |b| b).await;
    let user =
        o.f.user(
            "bob",
            &[("email", "bob@example.com"), ("email_verified", "true")],
        )
        .await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/py/authlib_client.py");
    let out = tokio::process::Command::new(python)
        .arg(script)
        .env("ISSUER", &o.base)
        .env("CLIENT_ID", &o.f.client_id)
        .env("CLIENT_SECRET", o.secret.as_deref().unwrap())
        .env("REDIRECT_URI", CALLBACK)
        .env("USERNAME", "bob")
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
    assert_eq!(v["state_returned"], true);
    assert_eq!(v["sub"], user.sub.as_str());
    assert_eq!(v["nonce"], "py-nonce");
    assert_eq!(
        v["userinfo"],
        json!({"sub": user.sub, "email": "bob@example.com", "email_verified": "true", "username": "bob"})
    );
    assert_eq!(v["refreshed"], true);
    assert_eq!(v["revoked"], 200);
    assert_eq!(v["after_revocation"], "invalid_grant");
}

#[tokio::test]
async fn openid_client_gets_machine_tokens_and_exchanges_a_users_token() {
    let Some(dir) = js_dir() else { return };
    let e = crate::m2m::exchange_setup().await;
    let out = node(
        &dir,
        "m2m_client.mjs",
        &[
            ("ISSUER", e.o.base.as_str()),
            ("CLIENT_ID", e.id.as_str()),
            ("CLIENT_SECRET", e.secret.as_str()),
            ("SUBJECT_TOKEN", e.subject.as_str()),
        ],
    )
    .await;
    assert_eq!(out["tokenType"], "bearer", "{out}");
    assert_eq!(
        out["sub"],
        e.id.as_str(),
        "aws-jwt-verify accepts the M2M token"
    );
    assert_eq!(out["scope"], "orders/read");
    assert_eq!(out["refused"], "invalid_scope");
    assert_eq!(
        out["issuedTokenType"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    assert_eq!(out["exchangedScope"], "api/read");
    assert_eq!(out["act"], json!({"sub": e.id, "client_id": e.id}));
}

#[tokio::test]
async fn authlib_gets_a_machine_token_with_a_resource_servers_scope() {
    let Some(python) = venv_python("authlib") else {
        return;
    };
    let o = OAuth::new().await;
    let (id, secret) = crate::m2m::worker(&o, &[]).await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/py/authlib_m2m.py");
    let out = tokio::process::Command::new(python)
        .arg(script)
        .env("ISSUER", &o.base)
        .env("CLIENT_ID", &id)
        .env("CLIENT_SECRET", &secret)
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
    assert_eq!(
        v,
        json!({"token_type": "Bearer", "sub": id, "scope": "orders/write", "refused": "invalid_scope"})
    );
}
