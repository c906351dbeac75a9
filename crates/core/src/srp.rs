//! Cognito's SRP-6a: the 3072-bit group of RFC 5054 with g = 2, SHA-256, and Cognito's
//! derivation of x from the pool name, the user's SRP id and the password.
//!
//! A user's password is kept only as its SRP verifier `v = g^x mod N` with a random salt, as
//! Cognito does; a plain-password sign-in recomputes `v` and compares in constant time. All
//! modular exponentiations here are constant-time (crypto-bigint's Montgomery form).

use crate::rng::Rng;
use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Odd, U256, U3072};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::OnceLock;
use subtle::ConstantTimeEq;

/// N, as amazon-cognito-identity-js and every Cognito SRP client have it.
pub const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1",
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245",
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D",
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D",
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9",
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64",
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B",
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31",
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// The group's Montgomery parameters, computed once.
pub fn params() -> &'static FixedMontyParams<{ U3072::LIMBS }> {
    static PARAMS: OnceLock<FixedMontyParams<{ U3072::LIMBS }>> = OnceLock::new();
    PARAMS.get_or_init(|| {
        let n = Odd::new(U3072::from_be_hex(N_HEX)).expect("N is odd");
        FixedMontyParams::new_vartime(n)
    })
}

/// `g^e mod N` for g = 2, in constant time.
pub fn g_pow(e: &U256) -> U3072 {
    FixedMontyForm::new(&U3072::from_u8(2), params())
        .pow(e)
        .retrieve()
}

/// The minimal big-endian bytes of a non-negative integer, with a 0x00 in front when the top
/// bit is set: what the clients' `padHex` feeds to SHA-256.
pub fn pad(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let digits = &bytes[start..];
    let mut out = Vec::with_capacity(digits.len() + 1);
    if digits.is_empty() || digits[0] & 0x80 != 0 {
        out.push(0);
    }
    out.extend_from_slice(digits);
    out
}

/// `x = H(pad(salt) | H(poolName | userIdForSrp | ":" | password))`, where poolName is the
/// part of the pool id after the underscore.
pub fn x(salt: &[u8], pool_name: &str, user_id_for_srp: &str, password: &str) -> U256 {
    let inner = Sha256::new()
        .chain_update(pool_name.as_bytes())
        .chain_update(user_id_for_srp.as_bytes())
        .chain_update(b":")
        .chain_update(password.as_bytes())
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(salt))
        .chain_update(inner)
        .finalize();
    U256::from_be_slice(&outer)
}

/// The pool name SRP hashes: the part of the pool id after the underscore.
pub fn pool_name(user_pool_id: &str) -> &str {
    user_pool_id
        .split_once('_')
        .map_or(user_pool_id, |(_, n)| n)
}

/// A password as Cognito keeps it: salt and verifier, never the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verifier {
    /// Random salt (sent to SRP clients as the challenge's SALT, in hex).
    #[serde(with = "hex_bytes")]
    pub salt: Vec<u8>,
    /// `g^x mod N`, 384 big-endian bytes.
    #[serde(with = "hex_bytes")]
    pub verifier: Vec<u8>,
}

impl Verifier {
    pub fn new(rng: &dyn Rng, pool_name: &str, user_id_for_srp: &str, password: &str) -> Self {
        let mut salt = vec![0u8; 16];
        rng.fill(&mut salt);
        let v = g_pow(&x(&salt, pool_name, user_id_for_srp, password));
        Self {
            salt,
            verifier: v.to_be_bytes().to_vec(),
        }
    }

    /// Whether `password` is the one this verifier was made from; constant-time in the
    /// comparison, one modular exponentiation of work.
    pub fn matches(&self, pool_name: &str, user_id_for_srp: &str, password: &str) -> bool {
        let v = g_pow(&x(&self.salt, pool_name, user_id_for_srp, password));
        v.to_be_bytes().as_ref().ct_eq(&self.verifier[..]).into()
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Verifier(*** redacted ***)")
    }
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OsRng;

    #[test]
    fn pad_matches_the_clients_pad_hex() {
        assert_eq!(pad(&[0x00, 0x00, 0x7f, 0x01]), [0x7f, 0x01]);
        assert_eq!(pad(&[0x00, 0x80, 0x01]), [0x00, 0x80, 0x01]);
        assert_eq!(pad(&[0xff]), [0x00, 0xff]);
        assert_eq!(pad(&[]), [0x00]);
    }

    #[test]
    fn the_group_is_the_3072_bit_one_with_generator_2() {
        assert_eq!(N_HEX.len(), 768);
        let one = g_pow(&U256::ZERO);
        assert_eq!(one, U3072::ONE);
        assert_eq!(g_pow(&U256::from_u8(10)), U3072::from_u16(1024));
    }

    #[test]
    fn a_verifier_accepts_only_its_password() {
        let v = Verifier::new(&OsRng, "AbCdEfGhI", "alice", "Correct-horse-1");
        assert_eq!(v.salt.len(), 16);
        assert_eq!(v.verifier.len(), 384);
        assert!(v.matches("AbCdEfGhI", "alice", "Correct-horse-1"));
        assert!(!v.matches("AbCdEfGhI", "alice", "Correct-horse-2"));
        assert!(!v.matches("AbCdEfGhI", "bob", "Correct-horse-1"));
        assert!(!v.matches("OtherPool", "alice", "Correct-horse-1"));
        assert!(!format!("{v:?}").contains(&hex::encode(&v.salt)));
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(serde_json::from_str::<Verifier>(&json).unwrap(), v);
    }

    #[test]
    fn pool_name_is_the_part_after_the_underscore() {
        assert_eq!(pool_name("us-east-1_AbCdEfGhI"), "AbCdEfGhI");
    }
}
