//! Encryption at rest: SRP verifiers, client secrets and private keys are sealed with the
//! server's master key (AES-256-GCM) before they reach storage.

use crate::rng::Rng;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use std::fmt;

const PREFIX: &str = "v1.";

/// The 32-byte key everything secret at rest is sealed with.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl MasterKey {
    pub fn generate(rng: &dyn Rng) -> Self {
        let mut key = [0u8; 32];
        rng.fill(&mut key);
        Self(key)
    }

    /// From its file form: 64 hex digits (surrounding white space ignored).
    pub fn from_hex(text: &str) -> Result<Self, String> {
        let bytes = hex::decode(text.trim()).map_err(|_| "the master key is not hex")?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "the master key must be 32 bytes (64 hex digits)")?;
        Ok(Self(key))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Encrypts `plaintext`, bound to `context` (what the secret is and whose: a sealed value
    /// moved to another row does not open there).
    pub fn seal(&self, rng: &dyn Rng, context: &str, plaintext: &[u8]) -> String {
        let mut nonce = [0u8; 12];
        rng.fill(&mut nonce);
        let cipher = Aes256Gcm::new((&self.0).into());
        let payload = Payload {
            msg: plaintext,
            aad: context.as_bytes(),
        };
        // Encryption with a valid key and nonce length cannot fail.
        let sealed = cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}", B64.encode(out))
    }

    /// A keyed hash of `data` bound to `context` (HMAC-SHA256, hex): what one-time codes are
    /// stored as, so a copy of the database does not reveal them.
    pub fn mac(&self, context: &str, data: &[u8]) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(context.as_bytes());
        mac.update(&[0]);
        mac.update(data);
        hex::encode(mac.finalize().into_bytes())
    }

    /// Decrypts what [`MasterKey::seal`] made with the same key and context.
    pub fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>, SealError> {
        let raw = sealed
            .strip_prefix(PREFIX)
            .and_then(|b| B64.decode(b).ok())
            .filter(|r| r.len() >= 12 + 16)
            .ok_or(SealError)?;
        let (nonce, ciphertext) = raw.split_at(12);
        let cipher = Aes256Gcm::new((&self.0).into());
        let payload = Payload {
            msg: ciphertext,
            aad: context.as_bytes(),
        };
        cipher
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| SealError)
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(*** redacted ***)")
    }
}

/// A sealed value that does not open: wrong key, wrong context, or damaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealError;

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sealed secret does not open with this master key")
    }
}

impl std::error::Error for SealError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OsRng;

    #[test]
    fn sealed_values_open_only_with_their_key_and_context() {
        let key = MasterKey::generate(&OsRng);
        let sealed = key.seal(&OsRng, "verifier:pool:alice", b"secret");
        assert!(sealed.starts_with("v1."));
        assert!(!sealed.contains("secret"));
        assert_eq!(key.open("verifier:pool:alice", &sealed).unwrap(), b"secret");
        assert_eq!(key.open("verifier:pool:bob", &sealed), Err(SealError));
        let other = MasterKey::generate(&OsRng);
        assert_eq!(other.open("verifier:pool:alice", &sealed), Err(SealError));
        assert_eq!(key.open("verifier:pool:alice", "v1.AAAA"), Err(SealError));
        assert_ne!(sealed, key.seal(&OsRng, "verifier:pool:alice", b"secret"));
    }

    #[test]
    fn the_key_round_trips_through_hex_and_never_prints() {
        let key = MasterKey::generate(&OsRng);
        let back = MasterKey::from_hex(&format!("{}\n", key.to_hex())).unwrap();
        assert_eq!(back.to_hex(), key.to_hex());
        assert!(!format!("{key:?}").contains(&key.to_hex()));
        assert!(MasterKey::from_hex("abcd").is_err());
    }
}
