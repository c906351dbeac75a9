//! Passkeys in a real browser: headless Chromium (Debian's `chromium`, driven by Playwright)
//! with its virtual authenticator (the CDP WebAuthn domain) registers a passkey and signs in
//! with it on the managed login pages, and Amplify v6 in the page registers, lists, signs in
//! with and deletes one. Needs `scripts/setup-test-clients`; skipped with a message without
//! Chromium, unless IRONPOOL_REQUIRE_CLIENTS=1.

use crate::browser::{app_serving, chromium};
use crate::harness::TestServer;
use crate::js_clients::{js_dir, node};
use crate::signin_support::{decode, PASSWORD};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFactorType, ExplicitAuthFlowsType, MessageActionType, OAuthFlowType, SignInPolicyType,
    UserPoolMfaType, UserPoolPolicyType, WebAuthnConfigurationType,
};
use serde_json::json;

/// A pool that signs in with a password or a passkey, passkeys for `http://localhost` on any
/// port (RP ID "localhost"), managed login version 2, user "pat" with PASSWORD, and a client
/// with USER_AUTH and the code grant back to `callback`. The pool and client ids.
async fn passkey_pool(s: &TestServer, callback: &str) -> (String, String) {
    let c = s.client();
    let pool = crate::harness::pool_with(&c, |b| {
        b.policies(
            UserPoolPolicyType::builder()
                .sign_in_policy(
                    SignInPolicyType::builder()
                        .allowed_first_auth_factors(AuthFactorType::Password)
                        .allowed_first_auth_factors(AuthFactorType::WebAuthn)
                        .build(),
                )
                .build(),
        )
    })
    .await;
    c.set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::Off)
        .web_authn_configuration(
            WebAuthnConfigurationType::builder()
                .relying_party_id("localhost")
                .build(),
        )
        .send()
        .await
        .unwrap();
    c.create_user_pool_domain()
        .user_pool_id(&pool)
        .domain(format!(
            "pk-{}",
            pool.rsplit('_').next().unwrap().to_lowercase()
        ))
        .managed_login_version(2)
        .send()
        .await
        .unwrap();
    let client_id = crate::harness::client_with(&c, &pool, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_flows(OAuthFlowType::Code)
            .allowed_o_auth_scopes("openid")
            .callback_urls(callback)
            .supported_identity_providers("COGNITO")
    })
    .await;
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("pat")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    c.admin_set_user_password()
        .user_pool_id(&pool)
        .username("pat")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    (pool, client_id)
}

/// The server's API at `http://localhost:<port>`: the origin passkeys of RP ID "localhost" take.
fn localhost(s: &TestServer) -> String {
    format!("http://localhost:{}", s.server.local_addr().port())
}

/// The signature counter the server keeps for pat's only passkey.
async fn kept_counter(s: &TestServer, pool: &str) -> serde_json::Value {
    let user = s
        .server
        .app()
        .store
        .get_user(pool, "pat")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.web_authn.len(), 1);
    let kept: serde_json::Value = serde_json::from_str(&user.web_authn[0].credential).unwrap();
    kept["counter"].clone()
}

#[tokio::test]
async fn chromium_registers_a_passkey_and_signs_in_with_it_on_the_managed_login_pages() {
    let Some(dir) = js_dir() else { return };
    if !chromium() {
        return;
    }
    let app = format!("http://localhost:{}", app_serving(None).await);
    let callback = format!("{app}/cb");
    let s = TestServer::start().await;
    let (pool, client_id) = passkey_pool(&s, &callback).await;
    let endpoint = localhost(&s);
    let base = format!("{endpoint}/{pool}");
    let out = node(
        &dir,
        "managed_login_passkey.mjs",
        &[
            ("ENDPOINT", endpoint.as_str()),
            ("BASE", base.as_str()),
            ("APP", app.as_str()),
            ("CLIENT_ID", client_id.as_str()),
            ("CALLBACK", callback.as_str()),
            ("USERNAME", "pat"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await;
    assert_eq!(out.get("error"), None, "{out}");
    assert_eq!(out["registered"], json!([out["createdId"]]), "{out}");
    assert_eq!(out["choices"], json!(["PASSWORD", "WEB_AUTHN"]), "{out}");
    assert_eq!(out["state"], "pk", "{out}");
    let (_, id) = decode(out["idToken"].as_str().unwrap());
    assert_eq!(id["cognito:username"], "pat");
    assert_eq!(id["aud"], client_id.as_str());
    // The server kept the counter of the authenticator's last signature.
    assert_eq!(kept_counter(&s, &pool).await, out["signCount"], "{out}");
}

#[tokio::test]
async fn amplify_registers_lists_signs_in_with_and_deletes_a_passkey_in_chromium() {
    let Some(dir) = js_dir() else { return };
    if !chromium() {
        return;
    }
    let app_dir = tempfile::tempdir().unwrap();
    let app = format!(
        "http://localhost:{}",
        app_serving(Some(app_dir.path().to_owned())).await
    );
    let s = TestServer::start().await;
    let (pool, client_id) = passkey_pool(&s, &format!("{app}/cb")).await;
    let endpoint = localhost(&s);
    let out = node(
        &dir,
        "amplify_passkey.mjs",
        &[
            ("APP_DIR", app_dir.path().to_str().unwrap()),
            ("APP", app.as_str()),
            ("ENDPOINT", endpoint.as_str()),
            ("POOL_ID", pool.as_str()),
            ("CLIENT_ID", client_id.as_str()),
            ("USERNAME", "pat"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await;
    assert_eq!(out.get("error"), None, "{out}");
    assert_eq!(
        out["steps"],
        json!([
            "DONE",
            "DONE",
            "user:pat",
            "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
            "available:PASSWORD,PASSWORD_SRP,WEB_AUTHN",
            "DONE",
            "user:pat",
        ]),
        "{out}"
    );
    assert_eq!(
        out["listed"],
        json!([{
            "relyingPartyId": "localhost",
            "friendlyCredentialName": "Platform passkey",
            "authenticatorAttachment": "platform",
            "created": true,
        }]),
        "{out}"
    );
    assert_eq!(out["left"], 0, "{out}");
}
