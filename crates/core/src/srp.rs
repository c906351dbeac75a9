//! Cognito's SRP-6a: the 3072-bit group of RFC 5054 with g = 2, SHA-256, and Cognito's
//! derivation of x from the pool name, the user's SRP id and the password.
//!
//! A user's password is kept only as its SRP verifier `v = g^x mod N` with a random salt, as
//! Cognito does; a plain-password sign-in recomputes `v` and compares in constant time. All
//! modular arithmetic on secrets here is constant-time (AWS-LC's Montgomery arithmetic, through
//! [`crate::bignum`]).

use crate::bignum::{Bn, FixedBase, Modulus};
use crate::rng::Rng;
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

/// The size of N and of every number SRP sends, in bytes.
const N_BYTES: usize = 384;

/// N with its Montgomery context, computed once.
fn group() -> &'static Modulus {
    static GROUP: OnceLock<Modulus> = OnceLock::new();
    GROUP.get_or_init(|| Modulus::new(&hex::decode(N_HEX).expect("N_HEX is hex")))
}

/// The powers of the generator, 2, for 32-byte exponents (every secret exponent SRP raises g
/// to: x, b, a), computed once.
fn g() -> &'static FixedBase {
    static G: OnceLock<FixedBase> = OnceLock::new();
    G.get_or_init(|| FixedBase::new(group(), &group().reduce(&[2]), 32))
}

/// A value below N as its 384 big-endian bytes.
fn bytes(value: &Bn) -> Vec<u8> {
    value.to_be(N_BYTES).expect("values mod N fit in 384 bytes")
}

/// `g^e mod N` for g = 2, in constant time: 384 big-endian bytes.
pub fn g_pow(e: &[u8; 32]) -> Vec<u8> {
    bytes(&g().pow(group(), e))
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
pub fn x(salt: &[u8], pool_name: &str, user_id_for_srp: &str, password: &str) -> [u8; 32] {
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
    outer.into()
}

/// The pool name SRP hashes: the part of the pool id after the underscore.
pub fn pool_name(user_pool_id: &str) -> &str {
    user_pool_id
        .split_once('_')
        .map_or(user_pool_id, |(_, n)| n)
}

/// The SRP-6a multiplier `k = H(pad(N) | pad(g))`, computed once.
fn k() -> &'static Bn {
    static K: OnceLock<Bn> = OnceLock::new();
    K.get_or_init(|| {
        let n = hex::decode(N_HEX).expect("N_HEX is hex");
        let digest = Sha256::new()
            .chain_update(pad(&n))
            .chain_update(pad(&[2]))
            .finalize();
        group().reduce(&digest)
    })
}

/// Big-endian bytes of at most 384 (after leading zeros) as a number mod N.
fn widen(bytes: &[u8]) -> Option<Bn> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    (bytes.len() - start <= N_BYTES).then(|| group().reduce(&bytes[start..]))
}

/// `B = k·v + g^b mod N`.
fn public_b(v: &Bn, secret: &[u8; 32]) -> Bn {
    let n = group();
    n.add(&n.mul(k(), v), &g().pow(n, secret))
}

/// A big integer from the hex text SRP clients send (any length, odd digit counts too).
pub fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.len() % 2 == 1 {
        hex::decode(format!("0{text}")).ok()
    } else {
        hex::decode(text).ok()
    }
}

/// The client's SRP_A, checked as the challenge starts: hex of at most the modulus size (after
/// leading zeros) and not `0 mod N`. Its big-endian bytes, or `BadA`.
pub fn parse_a(text: &str) -> Result<Vec<u8>, SrpError> {
    let digits = text.trim().trim_start_matches('0');
    if digits.len() > 2 * N_BYTES {
        return Err(SrpError::BadA);
    }
    let bytes = parse_hex(text).ok_or(SrpError::BadA)?;
    match widen(&bytes) {
        Some(a) if !a.is_zero() => Ok(bytes),
        _ => Err(SrpError::BadA),
    }
}

/// Minimal lower-case hex of a big-endian integer, as Java's `BigInteger.toString(16)`.
pub fn to_hex(bytes: &[u8]) -> String {
    let text = hex::encode(bytes);
    let trimmed = text.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".into()
    } else {
        trimmed.into()
    }
}

fn hash_u(a: &[u8], b: &[u8]) -> [u8; 32] {
    Sha256::new()
        .chain_update(pad(a))
        .chain_update(pad(b))
        .finalize()
        .into()
}

/// Why an SRP exchange cannot go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SrpError {
    /// SRP_A is not a number, too long, or `A mod N == 0`.
    BadA,
    /// `u == 0` (never happens with honest values).
    ZeroU,
    /// The stored verifier is damaged.
    BadVerifier,
}

/// The server's half of one SRP exchange: the secret `b` (kept in the session) and the
/// public `B = k·v + g^b mod N` (sent as SRP_B).
#[derive(Clone)]
pub struct ServerEphemeral {
    /// The secret exponent, 32 big-endian bytes.
    pub secret: [u8; 32],
    /// `B`, 384 big-endian bytes.
    pub public: Vec<u8>,
}

impl fmt::Debug for ServerEphemeral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServerEphemeral(*** redacted ***)")
    }
}

impl ServerEphemeral {
    /// Draws a random 256-bit `b` (again when `B mod N == 0`) for the verifier `v`.
    pub fn new(rng: &dyn Rng, verifier: &[u8]) -> Result<Self, SrpError> {
        let v = widen(verifier).ok_or(SrpError::BadVerifier)?;
        loop {
            let mut secret = [0u8; 32];
            rng.fill(&mut secret);
            let b = public_b(&v, &secret);
            if !b.is_zero() {
                return Ok(Self {
                    secret,
                    public: bytes(&b),
                });
            }
        }
    }

    /// The 16-byte password authentication key from the client's `A`:
    /// `S = (A · v^u)^b mod N`, key = HKDF-SHA256(pad(S), salt pad(u), "Caldera Derived Key").
    pub fn key(&self, a: &[u8], verifier: &[u8]) -> Result<[u8; 16], SrpError> {
        let a_mod = widen(a).ok_or(SrpError::BadA)?;
        if a_mod.is_zero() {
            return Err(SrpError::BadA);
        }
        let u = hash_u(a, &self.public);
        if u.iter().all(|&b| b == 0) {
            return Err(SrpError::ZeroU);
        }
        let v = widen(verifier).ok_or(SrpError::BadVerifier)?;
        let n = group();
        let s = n.pow(
            &n.mul(&a_mod, &n.pow(&v, &Bn::from_be(&u))),
            &Bn::from_be(&self.secret),
        );
        Ok(hkdf(&bytes(&s), &u))
    }
}

/// Cognito's HKDF: one block of HKDF-SHA256 with info "Caldera Derived Key", cut to 16 bytes.
fn hkdf(s: &[u8], u: &[u8]) -> [u8; 16] {
    let prk = hmac(&pad(u), &[&pad(s)]);
    let okm = hmac(&prk, &[b"Caldera Derived Key", &[1]]);
    let mut key = [0u8; 16];
    key.copy_from_slice(&okm[..16]);
    key
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// `HMAC-SHA256(key, poolName | userIdForSrp | secretBlock | timestamp)`: what the client
/// sends (base64) as PASSWORD_CLAIM_SIGNATURE.
pub fn claim_signature(
    key: &[u8; 16],
    pool_name: &str,
    user_id_for_srp: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    hmac(
        key,
        &[
            pool_name.as_bytes(),
            user_id_for_srp.as_bytes(),
            secret_block,
            timestamp.as_bytes(),
        ],
    )
}

/// Checks a base64 PASSWORD_CLAIM_SIGNATURE in constant time.
pub fn verify_claim_signature(
    key: &[u8; 16],
    pool_name: &str,
    user_id_for_srp: &str,
    secret_block: &[u8],
    timestamp: &str,
    signature_b64: &str,
) -> bool {
    use base64::Engine;
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(signature_b64.trim()) else {
        return false;
    };
    let expected = claim_signature(key, pool_name, user_id_for_srp, secret_block, timestamp);
    given.len() == expected.len() && bool::from(given.ct_eq(&expected[..]))
}

/// The client's side of the exchange, as amazon-cognito-identity-js computes it, for tests and
/// tools: from the secret `a` and the `A = g^a` it sent (drawn before the sign-in, as
/// [`g_pow`]), the server's `B` and `salt`, the key.
pub fn client_key(
    a: &[u8; 32],
    big_a: &[u8],
    b_pub: &[u8],
    salt: &[u8],
    pool: &str,
    user: &str,
    password: &str,
) -> [u8; 16] {
    let n = group();
    let u = hash_u(big_a, b_pub);
    let x = x(salt, pool, user, password);
    let b_mod = widen(b_pub).unwrap_or_else(|| n.reduce(&[]));
    let base = n.sub(&b_mod, &n.mul(k(), &g().pow(n, &x)));
    let s = n.pow(&base, &Bn::from_be(&a_plus_ux(a, &u, &x)));
    hkdf(&bytes(&s), &u)
}

/// `a + u·x` as an integer (65 big-endian bytes), in constant time: the client's exponent.
fn a_plus_ux(a: &[u8; 32], u: &[u8; 32], x: &[u8; 32]) -> [u8; 65] {
    let limbs = |b: &[u8; 32]| -> [u64; 4] {
        std::array::from_fn(|i| {
            u64::from_be_bytes(b[32 - 8 * (i + 1)..32 - 8 * i].try_into().expect("8 bytes"))
        })
    };
    let (a, u, x) = (limbs(a), limbs(u), limbs(x));
    // 9 limbs, least significant first: a, then each partial product of u·x added in
    let mut acc = [0u64; 9];
    acc[..4].copy_from_slice(&a);
    for i in 0..4 {
        let mut carry = 0u128;
        for j in 0..4 {
            let t = u128::from(acc[i + j]) + u128::from(u[i]) * u128::from(x[j]) + carry;
            acc[i + j] = t as u64;
            carry = t >> 64;
        }
        for limb in acc.iter_mut().skip(i + 4) {
            let t = u128::from(*limb) + carry;
            *limb = t as u64;
            carry = t >> 64;
        }
    }
    let mut out = [0u8; 65];
    out[0] = acc[8] as u8;
    for (i, limb) in acc[..8].iter().enumerate() {
        out[65 - 8 * (i + 1)..65 - 8 * i].copy_from_slice(&limb.to_be_bytes());
    }
    out
}

/// The TIMESTAMP form SRP clients send: `EEE MMM d HH:mm:ss UTC yyyy`, day not padded.
const TIMESTAMP: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!(
    "[weekday repr:short] [month repr:short] [day padding:none] [hour]:[minute]:[second] UTC [year]"
);

/// The TIMESTAMP for `epoch_seconds`, as SRP clients write it.
pub fn format_timestamp(epoch_seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(epoch_seconds)
        .ok()
        .and_then(|t| t.format(TIMESTAMP).ok())
        .unwrap_or_default()
}

/// Reads a TIMESTAMP; `None` unless it is in Cognito's form (a zero-padded day is refused, as
/// Cognito refuses it).
pub fn parse_timestamp(text: &str) -> Option<i64> {
    if text
        .split(' ')
        .nth(2)
        .is_some_and(|day| day.starts_with('0'))
    {
        return None;
    }
    time::PrimitiveDateTime::parse(text, TIMESTAMP)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
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
        let verifier = g_pow(&x(&salt, pool_name, user_id_for_srp, password));
        Self { salt, verifier }
    }

    /// The verifier of a password nobody knows (one generated and never sent): a random
    /// number below N. No password's `g^x` is equal to it except by a chance of about
    /// 2^-2800 (there are 2^256 values of x), and finding one would mean solving a discrete
    /// logarithm; sign-in runs on it as on any verifier.
    pub fn unknowable(rng: &dyn Rng) -> Self {
        let mut salt = vec![0u8; 16];
        rng.fill(&mut salt);
        let mut verifier = vec![0u8; N_BYTES];
        rng.fill(&mut verifier);
        // N's top byte is 0xff: a clear top bit keeps the number below N; a set low bit keeps
        // it from zero.
        verifier[0] &= 0x7f;
        verifier[N_BYTES - 1] |= 1;
        Self { salt, verifier }
    }

    /// Whether `password` is the one this verifier was made from; constant-time in the
    /// comparison, one modular exponentiation of work.
    pub fn matches(&self, pool_name: &str, user_id_for_srp: &str, password: &str) -> bool {
        let v = g_pow(&x(&self.salt, pool_name, user_id_for_srp, password));
        v.ct_eq(&self.verifier[..]).into()
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
        let mut ten = [0u8; 32];
        ten[31] = 10;
        let (one, kibi) = (g_pow(&[0; 32]), g_pow(&ten));
        assert_eq!(
            (one.len(), one[383], one[..383].iter().all(|&b| b == 0)),
            (384, 1, true)
        );
        assert_eq!(
            (&kibi[382..], kibi[..382].iter().all(|&b| b == 0)),
            (&[4, 0][..], true)
        );
    }

    #[test]
    fn g_to_a_secret_is_the_generic_exponentiation_of_2() {
        let two = group().reduce(&[2]);
        for k in 0..16u8 {
            let e: [u8; 32] =
                std::array::from_fn(|i| (i as u8).wrapping_mul(k).wrapping_add(k ^ 0x5c));
            assert_eq!(g_pow(&e), bytes(&group().pow(&two, &Bn::from_be(&e))));
        }
        assert_eq!(
            g_pow(&[0xff; 32]),
            bytes(&group().pow(&two, &Bn::from_be(&[0xff; 32])))
        );
    }

    #[test]
    fn the_clients_exponent_is_a_plus_u_times_x() {
        let small = |v: u8| -> [u8; 32] { std::array::from_fn(|i| if i == 31 { v } else { 0 }) };
        let mut want = [0u8; 65];
        want[64] = 3 + 5 * 7;
        assert_eq!(a_plus_ux(&small(3), &small(5), &small(7)), want);
        // (2^256 - 1) + (2^256 - 1)^2 = 2^512 - 2^256
        let mut want = [0u8; 65];
        want[1..33].fill(0xff);
        assert_eq!(a_plus_ux(&[0xff; 32], &[0xff; 32], &[0xff; 32]), want);
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
    fn an_unknowable_verifier_is_a_number_below_n_that_sign_in_runs_on() {
        let n = hex::decode(N_HEX).unwrap();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..64 {
            let v = Verifier::unknowable(&OsRng);
            assert_eq!(v.salt.len(), 16);
            assert_eq!(v.verifier.len(), N_BYTES);
            assert!(v.verifier < n, "below N");
            assert!(v.verifier.iter().any(|&b| b != 0));
            assert!(seen.insert(v.verifier.clone()), "random");
            for pw in ["", "Correct-horse-1", "Temp-pass-1"] {
                assert!(!v.matches("AbCdEfGhI", "alice", pw));
            }
            // The server's half of SRP works on it; no password gives the client its key.
            let server = ServerEphemeral::new(&OsRng, &v.verifier).unwrap();
            let mut a = [0u8; 32];
            OsRng.fill(&mut a);
            let big_a = g_pow(&a);
            let client = client_key(
                &a,
                &big_a,
                &server.public,
                &v.salt,
                "AbCdEfGhI",
                "alice",
                "Temp-pass-1",
            );
            assert_ne!(server.key(&big_a, &v.verifier).unwrap(), client);
        }
    }

    #[test]
    fn server_and_client_derive_the_same_key_only_for_the_right_password() {
        let v = Verifier::new(&OsRng, "AbCdEfGhI", "alice", "Correct-horse-1");
        let server = ServerEphemeral::new(&OsRng, &v.verifier).unwrap();
        assert_eq!(server.public.len(), 384);
        let mut a = [0u8; 32];
        OsRng.fill(&mut a);
        let big_a = g_pow(&a);
        let client = client_key(
            &a,
            &big_a,
            &server.public,
            &v.salt,
            "AbCdEfGhI",
            "alice",
            "Correct-horse-1",
        );
        let key = server.key(&big_a, &v.verifier).unwrap();
        assert_eq!(key, client);
        let ts = format_timestamp(1_793_599_509);
        let sig = claim_signature(&client, "AbCdEfGhI", "alice", b"block", &ts);
        let sig64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, sig);
        assert!(verify_claim_signature(
            &key,
            "AbCdEfGhI",
            "alice",
            b"block",
            &ts,
            &sig64
        ));
        assert!(!verify_claim_signature(
            &key,
            "AbCdEfGhI",
            "alice",
            b"other",
            &ts,
            &sig64
        ));
        assert!(!verify_claim_signature(
            &key,
            "AbCdEfGhI",
            "alice",
            b"block",
            &ts,
            "AAAA"
        ));

        let wrong = client_key(
            &a,
            &big_a,
            &server.public,
            &v.salt,
            "AbCdEfGhI",
            "alice",
            "Correct-horse-2",
        );
        assert_ne!(server.key(&big_a, &v.verifier).unwrap(), wrong);
    }

    /// A fixed vector computed with pycognito's `aws_srp.py` (a = 0x1f.., b = 0x2e..).
    #[test]
    fn pycognito_signs_what_the_server_verifies() {
        let salt = hex::decode("8f1e2d3c4b5a69788796a5b4c3d2e1f0").unwrap();
        let x = x(&salt, "AbCdEfGhI", "alice", "Correct-horse-1");
        let verifier = g_pow(&x);
        let secret = [0x2e; 32];
        let public = bytes(&public_b(&widen(&verifier).unwrap(), &secret));
        assert!(to_hex(&public).starts_with("6ec57a6557200efaa023e36c55e4aa6c78ac5aef"));
        let server = ServerEphemeral { secret, public };
        let big_a = g_pow(&[0x1f; 32]);
        assert!(to_hex(big_a.as_ref()).starts_with("89830aec1b6010b91bc65e075a7732b2a68cb03f"));
        let key = server.key(big_a.as_ref(), &verifier).unwrap();
        assert!(verify_claim_signature(
            &key,
            "AbCdEfGhI",
            "alice",
            b"secret-block-bytes",
            "Sun Nov 2 06:05:09 UTC 2026",
            "kNamht/V0dW+UYVi64qaeUnMdbjWoSqWTL9PTN3U2ac=",
        ));
    }

    #[test]
    fn a_zero_a_is_refused() {
        let v = Verifier::new(&OsRng, "P", "u", "pw");
        let server = ServerEphemeral::new(&OsRng, &v.verifier).unwrap();
        let n = hex::decode(N_HEX).unwrap();
        assert_eq!(server.key(&n, &v.verifier), Err(SrpError::BadA));
        assert_eq!(server.key(&[0], &v.verifier), Err(SrpError::BadA));
        assert_eq!(server.key(&[1u8; 385], &v.verifier), Err(SrpError::BadA));
        assert!(format!("{server:?}").contains("redacted"));
    }

    #[test]
    fn srp_a_is_hex_below_the_modulus_size_and_not_zero_mod_n() {
        let a = to_hex(&g_pow(&[7; 32]));
        assert_eq!(parse_a(&a), Ok(parse_hex(&a).unwrap()));
        assert_eq!(
            parse_a(&format!("0000{a}")).map(|b| pad(&b)),
            Ok(pad(&parse_hex(&a).unwrap()))
        );
        let n = N_HEX.to_lowercase();
        for bad in [
            "0".to_owned(),
            "000".to_owned(),
            n.clone(),
            format!("0{n}"),
            to_hex(&[&[1u8][..], &[0; 384]].concat()),
            "f".repeat(770),
            "a".repeat(128 * 1024),
            "xyz".to_owned(),
            String::new(),
        ] {
            assert_eq!(
                parse_a(&bad),
                Err(SrpError::BadA),
                "{}",
                &bad[..bad.len().min(20)]
            );
        }
    }

    #[test]
    fn hex_as_the_clients_write_it() {
        assert_eq!(parse_hex("abc"), Some(vec![0x0a, 0xbc]));
        assert_eq!(parse_hex("00ff"), Some(vec![0x00, 0xff]));
        assert_eq!(parse_hex("xyz"), None);
        assert_eq!(parse_hex(""), None);
        assert_eq!(to_hex(&[0x00, 0x0a, 0xbc]), "abc");
        assert_eq!(to_hex(&[0, 0]), "0");
    }

    #[test]
    fn timestamps_in_cognitos_form() {
        assert_eq!(
            format_timestamp(1_793_599_509),
            "Mon Nov 2 06:05:09 UTC 2026"
        );
        assert_eq!(
            format_timestamp(1_709_251_199),
            "Thu Feb 29 23:59:59 UTC 2024"
        );
        assert_eq!(format_timestamp(0), "Thu Jan 1 00:00:00 UTC 1970");
        assert_eq!(
            parse_timestamp("Sun Nov 2 06:05:09 UTC 2026"),
            Some(1_793_599_509)
        );
        assert_eq!(parse_timestamp("Sun Nov 02 06:05:09 UTC 2026"), None);
        assert_eq!(
            parse_timestamp("Mon Nov 2 06:05:09 UTC 2026"),
            Some(1_793_599_509)
        );
        assert_eq!(parse_timestamp("Xyz Nov 2 06:05:09 UTC 2026"), None);
        assert_eq!(parse_timestamp("Sun Nov 2 06:05:09 GMT 2026"), None);
        assert_eq!(parse_timestamp("Sun Nov 2 6:05:09 UTC 2026"), None);
        assert_eq!(parse_timestamp("garbage"), None);
    }

    #[test]
    fn pool_name_is_the_part_after_the_underscore() {
        assert_eq!(pool_name("us-east-1_AbCdEfGhI"), "AbCdEfGhI");
    }
}
