//! Passkey sign-in through the SDK: USER_AUTH's WEB_AUTHN challenge (by SELECT_CHALLENGE or
//! PREFERRED_CHALLENGE), its CREDENTIAL_REQUEST_OPTIONS, the assertion of a software
//! authenticator with real P-256 keys, the signature counter, passkeys of other users and other
//! origins, MFA, and users that do not exist.

use crate::signin_support::Fixture;
use crate::soft_authenticator::{Authenticator, Format};
use crate::user_auth::{answer, start, step_of, Step};
use crate::web_authn::{register, ORIGIN, RP};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFactorType, ChallengeNameType, ExplicitAuthFlowsType, PreventUserExistenceErrorTypes,
    SignInPolicyType, SoftwareTokenMfaConfigType, UserPoolMfaType, UserPoolPolicyType,
    WebAuthnConfigurationType,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde_json::Value;

use ChallengeNameType as C;

/// A pool that signs in with a password or a passkey (RP ID example.com), optional MFA, and a
/// USER_AUTH client that hides user existence.
async fn fixture() -> Fixture {
    let f = Fixture::with_client(|b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
    })
    .await;
    f.c.update_user_pool()
        .user_pool_id(&f.pool)
        .policies(
            UserPoolPolicyType::builder()
                .sign_in_policy(
                    SignInPolicyType::builder()
                        .allowed_first_auth_factors(AuthFactorType::Password)
                        .allowed_first_auth_factors(AuthFactorType::WebAuthn)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    set_mfa(&f, UserPoolMfaType::Optional).await;
    f
}

async fn set_mfa(f: &Fixture, mfa: UserPoolMfaType) {
    f.c.set_user_pool_mfa_config()
        .user_pool_id(&f.pool)
        .mfa_configuration(mfa)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .web_authn_configuration(
            WebAuthnConfigurationType::builder()
                .relying_party_id(RP)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// A user with a registered passkey of a new authenticator.
async fn user_with_passkey(f: &Fixture, name: &str) -> (Authenticator, Vec<u8>) {
    let user = f.user(name, &[]).await;
    let token = f.sign_in(name).await.access_token.unwrap();
    let a = Authenticator::new();
    register(f, &token, &a, Format::None).await;
    (a, user.sub.into_bytes())
}

fn options(step: &Step) -> Value {
    assert_eq!(step.name, Some(C::WebAuthn), "{step:?}");
    let json = &step.parameters["CREDENTIAL_REQUEST_OPTIONS"];
    serde_json::from_str(json).unwrap()
}

async fn passkey_challenge(f: &Fixture, name: &str) -> Step {
    start(f, name, &[("PREFERRED_CHALLENGE", "WEB_AUTHN")])
        .await
        .unwrap()
}

async fn answer_with(f: &Fixture, step: &Step, name: &str, credential: &Value) -> Step {
    answer(
        f,
        C::WebAuthn,
        &step.session,
        &[("USERNAME", name), ("CREDENTIAL", &credential.to_string())],
    )
    .await
    .map(|r| step_of(&r))
    .unwrap()
}

fn refused() -> (String, String) {
    (
        "NotAuthorizedException".to_owned(),
        "Incorrect username or password.".to_owned(),
    )
}

#[tokio::test]
async fn a_passkey_signs_in_by_choice_or_preference_and_stands_in_for_mfa() {
    let f = fixture().await;
    let (a, handle) = user_with_passkey(&f, "alice").await;
    f.user("carol", &[]).await;

    let factors =
        f.c.admin_get_user_auth_factors()
            .user_pool_id(&f.pool)
            .username("alice")
            .send()
            .await
            .unwrap();
    assert_eq!(
        factors.configured_user_auth_factors(),
        [AuthFactorType::Password, AuthFactorType::WebAuthn]
    );
    // MFA required from now on: the password needs a second factor, a passkey does not.
    set_mfa(&f, UserPoolMfaType::On).await;

    let select = start(&f, "alice", &[]).await.unwrap();
    assert_eq!(select.name, Some(C::SelectChallenge));
    assert_eq!(select.available, [C::Password, C::PasswordSrp, C::WebAuthn]);
    // A user without a passkey is not offered one, even when asking for it.
    let carol = passkey_challenge(&f, "carol").await;
    assert_eq!(carol.name, Some(C::SelectChallenge));
    assert_eq!(carol.available, [C::Password, C::PasswordSrp]);

    let r = answer(
        &f,
        C::SelectChallenge,
        &select.session,
        &[("USERNAME", "alice"), ("ANSWER", "WEB_AUTHN")],
    )
    .await
    .unwrap();
    let step = step_of(&r);
    let o = options(&step);
    assert_eq!(o["rpId"], RP);
    assert_eq!(o["userVerification"], "preferred");
    assert_eq!(o["timeout"], 300_000);
    assert_eq!(o["allowCredentials"][0]["id"], B64.encode(&a.id));
    assert_eq!(o["allowCredentials"][0]["type"], "public-key");
    assert_eq!(
        B64.decode(o["challenge"].as_str().unwrap()).unwrap().len(),
        32
    );
    assert_eq!(step.parameters.len(), 1, "{:?}", step.parameters);

    let done = answer_with(&f, &step, "alice", &a.assert(&o, ORIGIN, RP, 1, &handle)).await;
    let token = done.access_token.expect("tokens after the passkey alone");
    let me = f.c.get_user().access_token(&token).send().await.unwrap();
    assert_eq!(me.username(), "alice");

    // Asked for up front; the same counter again is a cloned authenticator's: refused.
    let step = passkey_challenge(&f, "alice").await;
    let o = options(&step);
    let e = answer(
        &f,
        C::WebAuthn,
        &step.session,
        &[
            ("USERNAME", "alice"),
            (
                "CREDENTIAL",
                &a.assert(&o, ORIGIN, RP, 1, &handle).to_string(),
            ),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(e, refused());
    let step = passkey_challenge(&f, "alice").await;
    let o = options(&step);
    let done = answer_with(&f, &step, "alice", &a.assert(&o, ORIGIN, RP, 2, &handle)).await;
    assert!(done.access_token.is_some());

    // The password still asks for the second factor.
    let pw = answer(
        &f,
        C::SelectChallenge,
        &start(&f, "alice", &[]).await.unwrap().session,
        &[
            ("USERNAME", "alice"),
            ("ANSWER", "PASSWORD"),
            ("PASSWORD", crate::signin_support::PASSWORD),
        ],
    )
    .await
    .unwrap();
    assert_eq!(pw.challenge_name(), Some(&C::MfaSetup));
}

#[tokio::test]
async fn passkeys_of_other_users_and_other_origins_do_not_sign_in() {
    let f = fixture().await;
    let (alice, alice_handle) = user_with_passkey(&f, "alice").await;
    let (bob, bob_handle) = user_with_passkey(&f, "bob").await;

    let other_challenge = serde_json::json!({"challenge": B64.encode([9u8; 32])});
    let attempts: [&dyn Fn(&Value) -> Value; 5] = [
        // Bob's passkey, under his own user handle and under Alice's.
        &|o| bob.assert(o, ORIGIN, RP, 1, &bob_handle),
        &|o| bob.assert(o, ORIGIN, RP, 1, &alice_handle),
        // Alice's passkey, signed at another origin, for another RP ID, or another challenge.
        &|o| alice.assert(o, "https://evil.example.net", RP, 1, &alice_handle),
        &|o| alice.assert(o, ORIGIN, "evil.example.net", 1, &alice_handle),
        &|_| alice.assert(&other_challenge, ORIGIN, RP, 1, &alice_handle),
    ];
    for (i, make) in attempts.iter().enumerate() {
        let step = passkey_challenge(&f, "alice").await;
        let credential = make(&options(&step));
        let e = answer(
            &f,
            C::WebAuthn,
            &step.session,
            &[
                ("USERNAME", "alice"),
                ("CREDENTIAL", &credential.to_string()),
            ],
        )
        .await
        .unwrap_err();
        assert_eq!(e, refused(), "attempt {i}");
    }
    let user = f
        .app()
        .store
        .get_user(&f.pool, "alice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        user.failed_attempts, 5,
        "each refusal counts toward lockout"
    );
    // Alice's own passkey, right in every way, works once the lockout is over.
    f.advance(1000);
    let step = passkey_challenge(&f, "alice").await;
    let o = options(&step);
    let done = answer_with(
        &f,
        &step,
        "alice",
        &alice.assert(&o, ORIGIN, RP, 1, &alice_handle),
    )
    .await;
    assert!(done.access_token.is_some());

    // Bob signs in with his own.
    let step = passkey_challenge(&f, "bob").await;
    let o = options(&step);
    let done = answer_with(
        &f,
        &step,
        "bob",
        &bob.assert(&o, ORIGIN, RP, 1, &bob_handle),
    )
    .await;
    assert!(done.access_token.is_some());

    // The answer needs its CREDENTIAL, and a session answers once.
    let step = passkey_challenge(&f, "bob").await;
    let e = answer(&f, C::WebAuthn, &step.session, &[("USERNAME", "bob")])
        .await
        .unwrap_err();
    assert_eq!(
        e,
        (
            "InvalidParameterException".to_owned(),
            "Missing required parameter CREDENTIAL".to_owned()
        )
    );
    let step = passkey_challenge(&f, "bob").await;
    let o = options(&step);
    let good = bob.assert(&o, ORIGIN, RP, 2, &bob_handle);
    answer_with(&f, &step, "bob", &good).await;
    let e = answer(
        &f,
        C::WebAuthn,
        &step.session,
        &[("USERNAME", "bob"), ("CREDENTIAL", &good.to_string())],
    )
    .await
    .unwrap_err();
    assert_eq!(e.0, "NotAuthorizedException");
}

#[tokio::test]
async fn an_unknown_user_gets_a_passkey_challenge_of_the_same_shape_that_fails() {
    let f = fixture().await;
    let (_, _) = user_with_passkey(&f, "alice").await;
    let real = options(&passkey_challenge(&f, "alice").await);
    let step = passkey_challenge(&f, "nobody").await;
    let fake = options(&step);
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&fake), keys(&real));
    assert_eq!(
        keys(&fake["allowCredentials"][0]),
        keys(&real["allowCredentials"][0])
    );
    assert_eq!(fake["rpId"], RP);
    assert_eq!(fake["timeout"], real["timeout"]);
    let id = fake["allowCredentials"][0]["id"].as_str().unwrap();
    assert_eq!(B64.decode(id).unwrap().len(), 16);
    // The same passkey ID each time; a fresh challenge each time.
    let again = options(&passkey_challenge(&f, "nobody").await);
    assert_eq!(again["allowCredentials"], fake["allowCredentials"]);
    assert_ne!(again["challenge"], fake["challenge"]);

    let a = Authenticator::new();
    let e = answer(
        &f,
        C::WebAuthn,
        &step.session,
        &[
            ("USERNAME", "nobody"),
            (
                "CREDENTIAL",
                &a.assert(&fake, ORIGIN, RP, 1, b"x").to_string(),
            ),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(e, refused());
    // SELECT_CHALLENGE for nobody lists every factor the pool allows.
    let select = start(&f, "nobody", &[]).await.unwrap();
    assert_eq!(select.available, [C::Password, C::PasswordSrp, C::WebAuthn]);
    let r = answer(
        &f,
        C::SelectChallenge,
        &select.session,
        &[("USERNAME", "nobody"), ("ANSWER", "WEB_AUTHN")],
    )
    .await
    .unwrap();
    assert_eq!(keys(&options(&step_of(&r))), keys(&real));
}
