//! A software authenticator with real P-256 keys, for the passkey tests: it builds what a
//! browser hands the server (RegistrationResponseJSON, AuthenticationResponseJSON) by hand;
//! verifying them is the server's WebAuthn library's job. Shared by the e2e tests and the
//! server's unit tests (`#[path]`).

#![allow(dead_code)]

use aws_lc_rs::digest::{digest, SHA256};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde_json::{json, Value};

/// A minimal CBOR writer (RFC 8949 major types 0-3 and 5).
pub enum Cbor {
    Int(i64),
    Bytes(Vec<u8>),
    Text(&'static str),
    Map(Vec<(Cbor, Cbor)>),
}

fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend([m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend((n as u16).to_be_bytes());
        }
        _ => {
            out.push(m | 26);
            out.extend((n as u32).to_be_bytes());
        }
    }
}

fn cbor(value: &Cbor, out: &mut Vec<u8>) {
    match value {
        Cbor::Int(i) if *i >= 0 => head(out, 0, *i as u64),
        Cbor::Int(i) => head(out, 1, (-1 - *i) as u64),
        Cbor::Bytes(b) => {
            head(out, 2, b.len() as u64);
            out.extend(b);
        }
        Cbor::Text(t) => {
            head(out, 3, t.len() as u64);
            out.extend(t.as_bytes());
        }
        Cbor::Map(pairs) => {
            head(out, 5, pairs.len() as u64);
            for (k, v) in pairs {
                cbor(k, out);
                cbor(v, out);
            }
        }
    }
}

pub fn encode(value: Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    cbor(&value, &mut out);
    out
}

/// Authenticator data flags.
pub const UP: u8 = 0x01;
pub const UV: u8 = 0x04;
pub const AT: u8 = 0x40;

/// How the authenticator attests a new credential.
#[derive(Clone, Copy, PartialEq)]
pub enum Format {
    None,
    /// `packed` self attestation: signed by the credential's own key.
    PackedSelf,
}

/// A software authenticator holding one credential.
pub struct Authenticator {
    key: EcdsaKeyPair,
    pub id: Vec<u8>,
}

impl Authenticator {
    pub fn new() -> Self {
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap();
        let id = digest(&SHA256, key.public_key().as_ref()).as_ref()[..16].to_vec();
        Self { key, id }
    }

    pub fn cose_key(&self) -> Vec<u8> {
        let point = self.key.public_key().as_ref();
        encode(Cbor::Map(vec![
            (Cbor::Int(1), Cbor::Int(2)),
            (Cbor::Int(3), Cbor::Int(-7)),
            (Cbor::Int(-1), Cbor::Int(1)),
            (Cbor::Int(-2), Cbor::Bytes(point[1..33].to_vec())),
            (Cbor::Int(-3), Cbor::Bytes(point[33..65].to_vec())),
        ]))
    }

    pub fn sign(&self, data: &[u8]) -> Vec<u8> {
        self.key
            .sign(&SystemRandom::new(), data)
            .unwrap()
            .as_ref()
            .to_vec()
    }

    /// The RegistrationResponseJSON answering `options`, made at `origin` for RP `rp_id`.
    pub fn register(&self, options: &Value, origin: &str, rp_id: &str, format: Format) -> Value {
        self.register_with(options, origin, rp_id, format, UP | UV, &self.cose_key())
    }

    pub fn register_with(
        &self,
        options: &Value,
        origin: &str,
        rp_id: &str,
        format: Format,
        flags: u8,
        cose_key: &[u8],
    ) -> Value {
        let client_data = json!({
            "type": "webauthn.create",
            "challenge": options["challenge"],
            "origin": origin,
            "crossOrigin": false,
        })
        .to_string();
        let mut auth_data = digest(&SHA256, rp_id.as_bytes()).as_ref().to_vec();
        auth_data.push(flags | AT);
        auth_data.extend(0u32.to_be_bytes());
        auth_data.extend([0u8; 16]);
        auth_data.extend((self.id.len() as u16).to_be_bytes());
        auth_data.extend(&self.id);
        auth_data.extend(cose_key);
        let (fmt, statement) = match format {
            Format::None => ("none", Cbor::Map(vec![])),
            Format::PackedSelf => {
                let mut signed = auth_data.clone();
                signed.extend(digest(&SHA256, client_data.as_bytes()).as_ref());
                (
                    "packed",
                    Cbor::Map(vec![
                        (Cbor::Text("alg"), Cbor::Int(-7)),
                        (Cbor::Text("sig"), Cbor::Bytes(self.sign(&signed))),
                    ]),
                )
            }
        };
        let attestation = encode(Cbor::Map(vec![
            (Cbor::Text("fmt"), Cbor::Text(fmt)),
            (Cbor::Text("attStmt"), statement),
            (Cbor::Text("authData"), Cbor::Bytes(auth_data)),
        ]));
        json!({
            "id": B64.encode(&self.id),
            "rawId": B64.encode(&self.id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": B64.encode(client_data),
                "attestationObject": B64.encode(attestation),
                "transports": ["internal", "hybrid"],
            },
        })
    }

    /// The AuthenticationResponseJSON answering request `options`, made at `origin` for RP
    /// `rp_id` with signature counter `counter`, under user handle `user_handle`.
    pub fn assert(
        &self,
        options: &Value,
        origin: &str,
        rp_id: &str,
        counter: u32,
        user_handle: &[u8],
    ) -> Value {
        let client_data = json!({
            "type": "webauthn.get",
            "challenge": options["challenge"],
            "origin": origin,
            "crossOrigin": false,
        })
        .to_string();
        let mut auth_data = digest(&SHA256, rp_id.as_bytes()).as_ref().to_vec();
        auth_data.push(UP | UV);
        auth_data.extend(counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend(digest(&SHA256, client_data.as_bytes()).as_ref());
        json!({
            "id": B64.encode(&self.id),
            "rawId": B64.encode(&self.id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": B64.encode(client_data),
                "authenticatorData": B64.encode(auth_data),
                "signature": B64.encode(self.sign(&signed)),
                "userHandle": B64.encode(user_handle),
            },
        })
    }
}
