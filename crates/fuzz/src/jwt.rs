//! JWT parsing and RS256 verification against a JWKS: what the server does with tokens of
//! other issuers, and, with its own keys, with every token it is given.
//!
//! An input is a token. `fuzz/jwt.json` holds a JWKS and tokens its key signed (the private
//! key was dropped once they were made); a finding is a token verified that is not one of
//! those, byte for byte.

use base64::Engine;
use ironpool_core::jwt;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

struct Genuine {
    jwks: Value,
    tokens: Vec<String>,
}

fn data_file() -> std::path::PathBuf {
    crate::fuzz_dir().join("jwt.json")
}

fn genuine() -> &'static Genuine {
    static GENUINE: OnceLock<Genuine> = OnceLock::new();
    GENUINE.get_or_init(|| {
        let text = std::fs::read_to_string(data_file())
            .expect("fuzz/jwt.json (cargo run -p ironpool-fuzz -- seeds writes it)");
        let data: Value = serde_json::from_str(&text).expect("fuzz/jwt.json is JSON");
        let tokens = data["tokens"].as_array().expect("tokens");
        Genuine {
            jwks: data["jwks"].clone(),
            tokens: tokens
                .iter()
                .map(|t| t.as_str().expect("a token").to_owned())
                .collect(),
        }
    })
}

pub fn run(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let genuine = genuine();
    let _ = jwt::decode_unverified(token);
    if jwt::verify_with_jwks(token, &genuine.jwks).is_ok() {
        assert!(
            genuine.tokens.iter().any(|t| t == token),
            "a token verified that its key never signed: {token}"
        );
    }
}

/// Writes `fuzz/jwt.json` when it is missing (a new key, its JWKS, tokens it signed), and
/// returns its tokens and some that are not genuine.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    if !data_file().exists() {
        let (key, _) = jwt::SigningKey::generate().expect("an RSA key");
        let claims = |token_use: &str| -> Map<String, Value> {
            let claims = json!({
                "sub": "5f2b7c1e-0d3a-4b8e-9f1e-6c0d1d9b2a11",
                "iss": "http://localhost:9229/us-east-1_fuzz",
                "client_id": "fuzzclient",
                "token_use": token_use,
                "scope": "aws.cognito.signin.user.admin",
                "auth_time": 1_704_067_200,
                "exp": 1_704_070_800,
                "iat": 1_704_067_200,
                "jti": "2d4b7a0e-3c1f-4e8a-9b6d-5f0e1c2a3b4d",
                "username": "fuzzer",
            });
            claims.as_object().expect("claims").clone()
        };
        let tokens: Vec<String> = ["access", "id"]
            .iter()
            .map(|u| key.sign(&claims(u)).expect("signed"))
            .collect();
        let data = json!({ "jwks": jwt::jwks(&[&key]), "tokens": tokens });
        let text = serde_json::to_string_pretty(&data).expect("JSON") + "\n";
        std::fs::write(data_file(), text).expect("fuzz/jwt.json written");
    }
    let genuine = genuine();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let first = &genuine.tokens[0];
    let (signed, _) = first.rsplit_once('.').expect("three parts");
    let (_, payload) = signed.split_once('.').expect("three parts");
    let none = format!("{}.{payload}.", b64.encode(r#"{"alg":"none"}"#));
    let hs256 = format!(
        "{}.{payload}.c2lnbmF0dXJl",
        b64.encode(r#"{"alg":"HS256","kid":"x"}"#)
    );
    let mut seeds: Vec<(String, Vec<u8>)> = genuine
        .tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("genuine-{i}"), t.clone().into_bytes()))
        .collect();
    seeds.push(("alg-none".into(), none.into_bytes()));
    seeds.push(("alg-hs256".into(), hs256.into_bytes()));
    seeds.push(("two-parts".into(), signed.as_bytes().to_vec()));
    seeds
}
