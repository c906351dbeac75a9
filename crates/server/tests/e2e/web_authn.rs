//! Passkey registration through the SDK: StartWebAuthnRegistration, CompleteWebAuthnRegistration,
//! ListWebAuthnCredentials and DeleteWebAuthnCredential, answered by a software authenticator
//! with real P-256 keys (the test builds the authenticator's side by hand; the server verifies
//! it with its WebAuthn library).

use crate::signin_support::Fixture;
use crate::soft_authenticator::{encode, Authenticator, Cbor, Format, UP, UV};
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFactorType, SignInPolicyType, UserPoolMfaType, UserPoolPolicyType, UserVerificationType,
    WebAuthnConfigurationType,
};
use aws_smithy_types::Document;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde_json::{json, Value};

pub(crate) const RP: &str = "example.com";
pub(crate) const ORIGIN: &str = "https://example.com";

pub(crate) fn to_document(v: &Value) -> Document {
    serde_json::from_value::<DocumentJson>(v.clone()).unwrap().0
}

/// serde_json -> aws_smithy_types::Document.
struct DocumentJson(Document);

impl<'de> serde::Deserialize<'de> for DocumentJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fn conv(v: Value) -> Document {
            use aws_smithy_types::Number;
            match v {
                Value::Null => Document::Null,
                Value::Bool(b) => Document::Bool(b),
                Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                    (Some(u), _) => Document::Number(Number::PosInt(u)),
                    (_, Some(i)) => Document::Number(Number::NegInt(i)),
                    _ => Document::Number(Number::Float(n.as_f64().unwrap())),
                },
                Value::String(s) => Document::String(s),
                Value::Array(a) => Document::Array(a.into_iter().map(conv).collect()),
                Value::Object(o) => {
                    Document::Object(o.into_iter().map(|(k, v)| (k, conv(v))).collect())
                }
            }
        }
        Ok(DocumentJson(conv(Value::deserialize(d)?)))
    }
}

pub(crate) fn from_document(d: &Document) -> Value {
    use aws_smithy_types::Number;
    match d {
        Document::Null => Value::Null,
        Document::Bool(b) => json!(b),
        Document::Number(Number::PosInt(u)) => json!(u),
        Document::Number(Number::NegInt(i)) => json!(i),
        Document::Number(Number::Float(f)) => json!(f),
        Document::String(s) => json!(s),
        Document::Array(a) => Value::Array(a.iter().map(from_document).collect()),
        Document::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), from_document(v)))
                .collect(),
        ),
    }
}

/// A pool with passkeys on (WEB_AUTHN allowed first) and, when `rp_id` is given, that RP ID;
/// a signed-in user's access token.
async fn passkey_pool(rp_id: Option<&str>, web_authn: bool) -> (Fixture, String) {
    let f = Fixture::new().await;
    let mut factors = vec![AuthFactorType::Password];
    if web_authn {
        factors.push(AuthFactorType::WebAuthn);
    }
    f.c.update_user_pool()
        .user_pool_id(&f.pool)
        .policies(
            UserPoolPolicyType::builder()
                .sign_in_policy(
                    SignInPolicyType::builder()
                        .set_allowed_first_auth_factors(Some(factors))
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    if let Some(rp_id) = rp_id {
        f.c.set_user_pool_mfa_config()
            .user_pool_id(&f.pool)
            .mfa_configuration(UserPoolMfaType::Off)
            .web_authn_configuration(
                WebAuthnConfigurationType::builder()
                    .relying_party_id(rp_id)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    f.user("alice", &[]).await;
    let token = f.sign_in("alice").await.access_token.unwrap();
    (f, token)
}

pub(crate) async fn start(f: &Fixture, token: &str) -> Result<Value, (String, String)> {
    f.c.start_web_authn_registration()
        .access_token(token)
        .send()
        .await
        .map(|r| from_document(r.credential_creation_options()))
        .map_err(crate::harness::err)
}

pub(crate) async fn complete(
    f: &Fixture,
    token: &str,
    credential: &Value,
) -> Result<(), (String, String)> {
    f.c.complete_web_authn_registration()
        .access_token(token)
        .credential(to_document(credential))
        .send()
        .await
        .map(drop)
        .map_err(crate::harness::err)
}

pub(crate) async fn register(f: &Fixture, token: &str, a: &Authenticator, format: Format) {
    let options = start(f, token).await.unwrap();
    complete(f, token, &a.register(&options, ORIGIN, RP, format))
        .await
        .unwrap();
}

fn code(e: (String, String)) -> String {
    e.0
}

#[tokio::test]
async fn start_answers_the_creation_options_of_the_pool_and_user() {
    let (f, token) = passkey_pool(Some(RP), true).await;
    let o = start(&f, &token).await.unwrap();
    assert_eq!(o["rp"]["id"], RP);
    assert_eq!(o["rp"]["name"], "signin");
    assert_eq!(o["user"]["name"], "alice");
    assert_eq!(o["user"]["displayName"], "alice");
    let user = f
        .app()
        .store
        .get_user(&f.pool, "alice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(o["user"]["id"], B64.encode(user.sub.as_bytes()));
    assert_eq!(
        B64.decode(o["challenge"].as_str().unwrap()).unwrap().len(),
        32
    );
    let algs: Vec<i64> = o["pubKeyCredParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["type"], "public-key");
            p["alg"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(algs, vec![-7, -257]);
    assert_eq!(o["timeout"], 300_000);
    assert_eq!(o["attestation"], "none");
    assert_eq!(o["excludeCredentials"], json!([]));
    assert_eq!(o["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(o["authenticatorSelection"]["requireResidentKey"], true);
    assert_eq!(o["authenticatorSelection"]["userVerification"], "preferred");
    assert!(
        o.get("publicKey").is_none(),
        "the inner object, not wrapped"
    );
}

#[tokio::test]
async fn passkeys_register_list_in_pages_and_delete() {
    let (f, token) = passkey_pool(Some(RP), true).await;
    let first = Authenticator::new();
    register(&f, &token, &first, Format::None).await;
    // The next start excludes the passkey the user has.
    let options = start(&f, &token).await.unwrap();
    assert_eq!(
        options["excludeCredentials"][0]["id"],
        B64.encode(&first.id)
    );
    let second = Authenticator::new();
    let response = second.register(
        &options,
        "https://login.example.com",
        RP,
        Format::PackedSelf,
    );
    complete(&f, &token, &response).await.unwrap();

    let all =
        f.c.list_web_authn_credentials()
            .access_token(&token)
            .send()
            .await
            .unwrap();
    assert_eq!(all.next_token(), None);
    let creds = all.credentials();
    assert_eq!(creds.len(), 2);
    assert_eq!(creds[0].credential_id(), B64.encode(&first.id));
    assert_eq!(creds[1].credential_id(), B64.encode(&second.id));
    assert_eq!(creds[0].friendly_credential_name(), "Platform passkey");
    assert_eq!(creds[0].relying_party_id(), RP);
    assert_eq!(creds[0].authenticator_attachment(), Some("platform"));
    assert_eq!(creds[0].authenticator_transports(), ["internal", "hybrid"]);
    // The library's record is kept: the first attested `none`, the second `packed`.
    let stored = f
        .app()
        .store
        .get_user(&f.pool, "alice")
        .await
        .unwrap()
        .unwrap();
    let format = |i: usize| {
        serde_json::from_str::<Value>(&stored.web_authn[i].credential).unwrap()
            ["attestation_format"]
            .clone()
    };
    assert_eq!((format(0), format(1)), (json!("none"), json!("packed")));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((creds[0].created_at().secs() - now).abs() < 60);

    let page1 =
        f.c.list_web_authn_credentials()
            .access_token(&token)
            .max_results(1)
            .send()
            .await
            .unwrap();
    assert_eq!(page1.credentials().len(), 1);
    assert_eq!(
        page1.credentials()[0].credential_id(),
        B64.encode(&first.id)
    );
    let page2 =
        f.c.list_web_authn_credentials()
            .access_token(&token)
            .max_results(1)
            .next_token(page1.next_token().expect("a second page"))
            .send()
            .await
            .unwrap();
    assert_eq!(
        page2.credentials()[0].credential_id(),
        B64.encode(&second.id)
    );
    assert_eq!(page2.next_token(), None);

    f.c.delete_web_authn_credential()
        .access_token(&token)
        .credential_id(B64.encode(&first.id))
        .send()
        .await
        .unwrap();
    let left =
        f.c.list_web_authn_credentials()
            .access_token(&token)
            .send()
            .await
            .unwrap();
    assert_eq!(left.credentials().len(), 1);
    assert_eq!(
        left.credentials()[0].credential_id(),
        B64.encode(&second.id)
    );
    let again =
        f.c.delete_web_authn_credential()
            .access_token(&token)
            .credential_id(B64.encode(&first.id))
            .send()
            .await
            .map_err(crate::harness::err)
            .unwrap_err();
    assert_eq!(
        again,
        (
            "ResourceNotFoundException".to_owned(),
            "The passkey credential was not found.".to_owned()
        )
    );
}

#[tokio::test]
async fn a_challenge_is_single_use_current_and_expires() {
    let (f, token) = passkey_pool(Some(RP), true).await;
    let a = Authenticator::new();
    // No start at all.
    let stray = a.register(
        &json!({"challenge": B64.encode([7u8; 32])}),
        ORIGIN,
        RP,
        Format::None,
    );
    let e = complete(&f, &token, &stray).await.unwrap_err();
    assert_eq!(
        e,
        (
            "WebAuthnChallengeNotFoundException".to_owned(),
            "The passkey registration challenge was not found or has expired.".to_owned()
        )
    );
    // A response to an earlier start, replaced by a newer one.
    let old = start(&f, &token).await.unwrap();
    let _new = start(&f, &token).await.unwrap();
    let e = complete(&f, &token, &a.register(&old, ORIGIN, RP, Format::None)).await;
    assert_eq!(code(e.unwrap_err()), "WebAuthnChallengeNotFoundException");
    // Replayed after it succeeded.
    let options = start(&f, &token).await.unwrap();
    let response = a.register(&options, ORIGIN, RP, Format::None);
    complete(&f, &token, &response).await.unwrap();
    let e = complete(&f, &token, &response).await.unwrap_err();
    assert_eq!(code(e), "WebAuthnChallengeNotFoundException");
    // Expired after five minutes.
    let b = Authenticator::new();
    let options = start(&f, &token).await.unwrap();
    f.advance(301);
    let e = complete(&f, &token, &b.register(&options, ORIGIN, RP, Format::None)).await;
    assert_eq!(code(e.unwrap_err()), "WebAuthnChallengeNotFoundException");
}

#[tokio::test]
async fn origins_and_relying_party_ids_of_others_are_refused() {
    let (f, token) = passkey_pool(Some(RP), true).await;
    let a = Authenticator::new();
    for origin in [
        "https://evilexample.com",
        "http://example.com",
        "http://localhost:3000",
        "https://example.com.evil.net",
    ] {
        let options = start(&f, &token).await.unwrap();
        let e = complete(&f, &token, &a.register(&options, origin, RP, Format::None))
            .await
            .unwrap_err();
        assert_eq!(
            e,
            (
                "WebAuthnOriginNotAllowedException".to_owned(),
                "The passkey credential's origin is not allowed for the user pool's relying \
                 party ID."
                    .to_owned()
            ),
            "{origin}"
        );
    }
    let options = start(&f, &token).await.unwrap();
    let e = complete(
        &f,
        &token,
        &a.register(&options, ORIGIN, "other.com", Format::None),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e,
        (
            "WebAuthnRelyingPartyMismatchException".to_owned(),
            "The passkey credential is for a different relying party ID than the user pool's."
                .to_owned()
        )
    );
    // The pending start survives refusals: the right answer still registers.
    complete(&f, &token, &a.register(&options, ORIGIN, RP, Format::None))
        .await
        .unwrap();
}

#[tokio::test]
async fn localhost_relying_party_takes_http_localhost_on_any_port() {
    let (f, token) = passkey_pool(Some("localhost"), true).await;
    let options = start(&f, &token).await.unwrap();
    assert_eq!(options["rp"]["id"], "localhost");
    let a = Authenticator::new();
    complete(
        &f,
        &token,
        &a.register(&options, "http://localhost:5173", "localhost", Format::None),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn unsupported_algorithms_and_missing_verification_are_refused() {
    let (f, token) = passkey_pool(Some(RP), true).await;
    // An Ed25519 (EdDSA, -8) key: the options offer only ES256 and RS256.
    let ed = Ed25519KeyPair::generate().unwrap();
    let okp = encode(Cbor::Map(vec![
        (Cbor::Int(1), Cbor::Int(1)),
        (Cbor::Int(3), Cbor::Int(-8)),
        (Cbor::Int(-1), Cbor::Int(6)),
        (
            Cbor::Int(-2),
            Cbor::Bytes(ed.public_key().as_ref().to_vec()),
        ),
    ]));
    let a = Authenticator::new();
    let options = start(&f, &token).await.unwrap();
    let e = complete(
        &f,
        &token,
        &a.register_with(&options, ORIGIN, RP, Format::None, UP | UV, &okp),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e,
        (
            "WebAuthnCredentialNotSupportedException".to_owned(),
            "The passkey credential is from an unsupported device or provider.".to_owned()
        )
    );
    // UserVerification required: a credential made without verifying the user is refused.
    f.c.set_user_pool_mfa_config()
        .user_pool_id(&f.pool)
        .mfa_configuration(UserPoolMfaType::Off)
        .web_authn_configuration(
            WebAuthnConfigurationType::builder()
                .relying_party_id(RP)
                .user_verification(UserVerificationType::Required)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let options = start(&f, &token).await.unwrap();
    assert_eq!(
        options["authenticatorSelection"]["userVerification"],
        "required"
    );
    let e = complete(
        &f,
        &token,
        &a.register_with(&options, ORIGIN, RP, Format::None, UP, &a.cose_key()),
    )
    .await
    .unwrap_err();
    assert_eq!(code(e), "WebAuthnCredentialNotSupportedException");
    complete(&f, &token, &a.register(&options, ORIGIN, RP, Format::None))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_user_keeps_at_most_twenty_passkeys() {
    let (f, token) = passkey_pool(Some(RP), true).await;
    for _ in 0..20 {
        register(&f, &token, &Authenticator::new(), Format::None).await;
    }
    let e = start(&f, &token).await.unwrap_err();
    assert_eq!(
        e,
        (
            "LimitExceededException".to_owned(),
            "A user can register at most 20 passkeys.".to_owned()
        )
    );
    let listed =
        f.c.list_web_authn_credentials()
            .access_token(&token)
            .max_results(20)
            .send()
            .await
            .unwrap();
    assert_eq!(listed.credentials().len(), 20);
    assert_eq!(listed.next_token(), None);
}

#[tokio::test]
async fn passkeys_need_web_authn_allowed_and_a_relying_party() {
    let (f, token) = passkey_pool(Some(RP), false).await;
    let e = start(&f, &token).await.unwrap_err();
    assert_eq!(code(e), "WebAuthnNotEnabledException");

    let (f, token) = passkey_pool(None, true).await;
    let e = start(&f, &token).await.unwrap_err();
    assert_eq!(
        e,
        (
            "WebAuthnConfigurationMissingException".to_owned(),
            "The user pool has no relying party ID for passkeys: set WebAuthnConfiguration \
             RelyingPartyId or add a user pool domain."
                .to_owned()
        )
    );
    // The prefix domain becomes the relying party, and its origin is allowed.
    let prefix = format!("pk{}", &f.pool[10..].to_lowercase());
    f.c.create_user_pool_domain()
        .user_pool_id(&f.pool)
        .domain(&prefix)
        .send()
        .await
        .unwrap();
    let host = format!("{prefix}.auth.us-east-1.amazoncognito.com");
    let options = start(&f, &token).await.unwrap();
    assert_eq!(options["rp"]["id"], host.as_str());
    let a = Authenticator::new();
    complete(
        &f,
        &token,
        &a.register(&options, &format!("https://{host}"), &host, Format::None),
    )
    .await
    .unwrap();
    let listed =
        f.c.list_web_authn_credentials()
            .access_token(&token)
            .send()
            .await
            .unwrap();
    assert_eq!(listed.credentials()[0].relying_party_id(), host);
}
