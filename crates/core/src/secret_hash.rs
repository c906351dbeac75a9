//! SECRET_HASH: `base64(HMAC-SHA256(key = client secret, message = username + client id))`.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub fn compute(secret: &str, username: &str, client_id: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

/// Whether `given` is the hash under any of `secrets`; constant-time per comparison.
pub fn verify(secrets: &[&str], username: &str, client_id: &str, given: &str) -> bool {
    let mut ok = false;
    for secret in secrets {
        let want = compute(secret, username, client_id);
        ok |= bool::from(want.as_bytes().ct_eq(given.as_bytes()));
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_documented_construction() {
        let h = compute("secret", "alice", "client");
        assert!(verify(&["other", "secret"], "alice", "client", &h));
        assert!(!verify(&["other"], "alice", "client", &h));
        assert!(!verify(&["secret"], "bob", "client", &h));
    }
}
