//! SECRET_HASH: what a client with a client secret sends with every unauthenticated call,
//! `base64(HMAC-SHA256(key = client secret, message = username + client id))`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The SECRET_HASH a client computes for `username`.
pub fn compute(client_secret: &str, username: &str, client_id: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(client_secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `given` matches the hash under any of the client's active secrets (during a
/// rotation a client has two); constant-time per comparison.
pub fn verify<'a>(
    given: &str,
    secrets: impl IntoIterator<Item = &'a str>,
    username: &str,
    client_id: &str,
) -> bool {
    let mut ok = false;
    for secret in secrets {
        let expected = compute(secret, username, client_id);
        ok |= bool::from(expected.as_bytes().ct_eq(given.as_bytes()));
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_documented_computation() {
        // Computed with Python: base64(hmac.new(b"secret", b"alice" + b"client", sha256)).
        assert_eq!(
            compute("secret", "alice", "client"),
            "RTsve+FQ659UKyESgvLg9GYmZEL+QjzQsW/OjL77/b0="
        );
        let good = compute("two", "alice", "client");
        assert!(verify(&good, ["one", "two"], "alice", "client"));
        assert!(!verify(&good, ["one"], "alice", "client"));
        assert!(!verify(&good, ["two"], "bob", "client"));
        assert!(!verify("", ["two"], "alice", "client"));
    }
}
