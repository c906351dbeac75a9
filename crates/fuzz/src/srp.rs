//! SRP as USER_SRP_AUTH and PASSWORD_VERIFIER run it: the client's SRP_A, the shared key, the
//! TIMESTAMP and the PASSWORD_CLAIM_SIGNATURE; and a password checked against its verifier.
//!
//! An input is four lines: SRP_A (hex), TIMESTAMP, PASSWORD_CLAIM_SIGNATURE (base64), a
//! password. A finding is a claim signature accepted (it needs the password, which the
//! fuzzer is never given the verifier of, and the server's secret, drawn afresh each time)
//! or a password other than the right one that matches the verifier.

use ironpool_core::srp::{self, ServerEphemeral, Verifier};
use ironpool_core::OsRng;
use std::sync::OnceLock;

const POOL: &str = "fuzz";
const USER: &str = "fuzzer";
const PASSWORD: &str = "Fuzz-Passw0rd!";

fn verifier() -> &'static Verifier {
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    VERIFIER.get_or_init(|| Verifier::new(&OsRng, POOL, USER, PASSWORD))
}

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let mut next = || lines.next().unwrap_or("");
    let (a, timestamp, signature, password) = (next(), next(), next(), next());
    let verifier = verifier();
    let _ = srp::parse_hex(a);
    let _ = srp::parse_timestamp(timestamp);
    if let Ok(a) = srp::parse_a(a) {
        let server = ServerEphemeral::new(&OsRng, &verifier.verifier).expect("B");
        if let Ok(key) = server.key(&a, &verifier.verifier) {
            let accepted = srp::verify_claim_signature(
                &key,
                POOL,
                USER,
                b"secret block",
                timestamp,
                signature,
            );
            assert!(!accepted, "a claim signature accepted without the password");
        }
    }
    if !password.is_empty() {
        assert_eq!(
            verifier.matches(POOL, USER, password),
            password == PASSWORD,
            "the verifier's answer for {password:?}"
        );
    }
}

pub fn seeds() -> Vec<(String, Vec<u8>)> {
    let a = srp::to_hex(&srp::g_pow(&[7; 32]));
    let timestamp = srp::format_timestamp(1_704_067_200);
    let signature = "c2lnbmF0dXJlIG9mIDMyIGJ5dGVzIGV4YWN0bHkgISEhISE=";
    [
        ("typical", format!("{a}\n{timestamp}\n{signature}\nwrong")),
        (
            "right-password",
            format!("{a}\n{timestamp}\n{signature}\n{PASSWORD}"),
        ),
        ("zero", "0\nMon Jan 1 00:00:00 UTC 2024\n\n".to_owned()),
        (
            "modulus",
            format!("{}\n\n\n", srp::to_hex(&srp::pad(&[0xff; 384]))),
        ),
    ]
    .into_iter()
    .map(|(name, input)| (name.to_owned(), input.into_bytes()))
    .collect()
}
