//! [`request_options`] and [`verify_assertion`] against a software authenticator's real
//! assertions, as USER_AUTH's WEB_AUTHN challenge will call them.

use super::*;
use crate::config::Config;
use ironpool_api::Operation;
use serde_json::{json, Value};

#[path = "../../tests/e2e/soft_authenticator.rs"]
mod soft_authenticator;
use soft_authenticator::{Authenticator, Format};

const RP: &str = "example.com";
const ORIGIN: &str = "https://example.com";

async fn call(app: &App, op: Operation, input: Value) -> Value {
    serde_json::from_slice(&super::super::dispatch(app, op, input).await.unwrap()).unwrap()
}

/// An app with a passkey pool (RP ID example.com).
async fn setup() -> (App, UserPoolType) {
    let app = App::from_config(Config::ephemeral()).await.unwrap();
    let created = call(
        &app,
        Operation::CreateUserPool,
        json!({"PoolName": "pk", "Policies": {"SignInPolicy":
            {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}}),
    )
    .await;
    let pool_id = created["UserPool"]["Id"].as_str().unwrap().to_owned();
    call(
        &app,
        Operation::SetUserPoolMfaConfig,
        json!({"UserPoolId": pool_id, "MfaConfiguration": "OFF",
            "WebAuthnConfiguration": {"RelyingPartyId": RP}}),
    )
    .await;
    let pool = get_pool(&app, &pool_id).await.unwrap();
    (app, pool)
}

/// A confirmed user holding the passkey of `a`, registered through the library.
async fn user_with_passkey(app: &App, pool: &UserPoolType, name: &str, a: &Authenticator) -> User {
    let pool_id = pool.id.clone().unwrap();
    let sub = format!("sub-{name}");
    let user = User::new(
        pool_id.clone(),
        (name.to_owned(), sub),
        Default::default(),
        UserStatusType::Confirmed,
        app.now(),
    );
    app.store
        .create_user_if_absent(&user, false)
        .await
        .unwrap()
        .unwrap();
    let user = app.store.get_user(&pool_id, name).await.unwrap().unwrap();
    let rp = relying_party(app, pool).await.unwrap();
    let core = rp.core(ORIGIN).unwrap();
    let builder = core
        .new_challenge_register_builder(user_handle(&user), name, name)
        .unwrap();
    let (options, state) = core.generate_challenge_register(builder).unwrap();
    let options = serde_json::to_value(&options.public_key).unwrap();
    let response = a.register(&options, ORIGIN, RP, Format::None);
    let response: RegisterPublicKeyCredential = serde_json::from_value(response).unwrap();
    let cred = core.register_credential(&response, &state, None).unwrap();
    let record = WebAuthnCredential {
        credential_id: URL_SAFE_NO_PAD.encode(cred.cred_id.as_slice()),
        credential: serde_json::to_string(&cred).unwrap(),
        friendly_name: "Passkey".into(),
        relying_party_id: RP.into(),
        authenticator_attachment: None,
        transports: vec![],
        created_at: app.now(),
    };
    modify_user(app, user, |u| u.web_authn.push(record.clone()))
        .await
        .unwrap()
}

fn counter_of(user: &User) -> u32 {
    serde_json::from_str::<Credential>(&user.web_authn[0].credential)
        .unwrap()
        .counter
}

#[tokio::test]
async fn an_assertion_of_the_users_passkey_signs_in_once_and_keeps_its_counter() {
    let (app, pool) = setup().await;
    let a = Authenticator::new();
    let user = user_with_passkey(&app, &pool, "alice", &a).await;

    let (options, state) = request_options(&app, &pool, &user).await.unwrap();
    let options: Value = serde_json::from_str(&options).unwrap();
    assert_eq!(options["rpId"], RP);
    assert_eq!(options["userVerification"], "preferred");
    assert_eq!(options["timeout"], 300_000);
    assert_eq!(
        options["allowCredentials"][0]["id"],
        URL_SAFE_NO_PAD.encode(&a.id)
    );
    assert_eq!(options["allowCredentials"][0]["type"], "public-key");

    let good = a.assert(&options, ORIGIN, RP, 5, user.sub.as_bytes());
    let signed_in = verify_assertion(&app, &pool, user, &state, &good.to_string())
        .await
        .unwrap();
    assert_eq!(signed_in.username, "alice");
    assert_eq!(counter_of(&signed_in), 5);
    assert_eq!(signed_in.failed_attempts, 0);

    // The same assertion again: its counter did not go up.
    let e = verify_assertion(&app, &pool, signed_in, &state, &good.to_string())
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            ErrorCode::NotAuthorizedException,
            "Incorrect username or password."
        )
    );
    let after = app
        .store
        .get_user(pool.id.as_deref().unwrap(), "alice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        after.failed_attempts, 1,
        "a refused passkey counts toward lockout"
    );
    assert_eq!(counter_of(&after), 5);

    // A fresh challenge and a higher counter sign in again.
    let (options, state) = request_options(&app, &pool, &after).await.unwrap();
    let options: Value = serde_json::from_str(&options).unwrap();
    let next = a.assert(&options, ORIGIN, RP, 6, after.sub.as_bytes());
    let again = verify_assertion(&app, &pool, after, &state, &next.to_string())
        .await
        .unwrap();
    assert_eq!(counter_of(&again), 6);
}

#[tokio::test]
async fn assertions_of_other_users_origins_or_challenges_are_refused() {
    let (app, pool) = setup().await;
    let alice_key = Authenticator::new();
    let bob_key = Authenticator::new();
    let alice = user_with_passkey(&app, &pool, "alice", &alice_key).await;
    let bob = user_with_passkey(&app, &pool, "bob", &bob_key).await;
    let (options, state) = request_options(&app, &pool, &alice).await.unwrap();
    let options: Value = serde_json::from_str(&options).unwrap();
    let refused = |e: ApiError| {
        assert_eq!(e.code, ErrorCode::NotAuthorizedException);
    };
    // Bob's passkey, even under Alice's user handle.
    let bobs = bob_key.assert(&options, ORIGIN, RP, 1, alice.sub.as_bytes());
    refused(
        verify_assertion(&app, &pool, alice.clone(), &state, &bobs.to_string())
            .await
            .unwrap_err(),
    );
    // Alice's passkey for Bob's sign-in (state of another user).
    let alices = alice_key.assert(&options, ORIGIN, RP, 1, alice.sub.as_bytes());
    refused(
        verify_assertion(&app, &pool, bob, &state, &alices.to_string())
            .await
            .unwrap_err(),
    );
    // Another origin, another RP ID, another challenge.
    let alice = app
        .store
        .get_user(pool.id.as_deref().unwrap(), "alice")
        .await
        .unwrap()
        .unwrap();
    for bad in [
        alice_key.assert(&options, "https://evil.com", RP, 1, alice.sub.as_bytes()),
        alice_key.assert(&options, ORIGIN, "evil.com", 1, alice.sub.as_bytes()),
        alice_key.assert(
            &json!({"challenge": URL_SAFE_NO_PAD.encode([1u8; 32])}),
            ORIGIN,
            RP,
            1,
            alice.sub.as_bytes(),
        ),
    ] {
        refused(
            verify_assertion(&app, &pool, alice.clone(), &state, &bad.to_string())
                .await
                .unwrap_err(),
        );
    }
    // And the right one still works (nothing was locked: fewer than five failures).
    let good = alice_key.assert(&options, ORIGIN, RP, 1, alice.sub.as_bytes());
    let latest = app
        .store
        .get_user(pool.id.as_deref().unwrap(), "alice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.failed_attempts, 4);
    verify_assertion(&app, &pool, latest, &state, &good.to_string())
        .await
        .unwrap();
}
