//! RS256 JSON Web Tokens as Cognito issues them: per-pool RSA-2048 keys, a `kid` in every
//! header, and the JWKS that publishes the public halves.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64URL};
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::fmt;

/// A JSON object: a token's header or claims.
pub type Object = Map<String, Value>;

/// One signing key: the private key (parsed once, kept for the life of the process), its
/// `kid`, and the public key parsed for verification.
pub struct SigningKey {
    kid: String,
    pair: KeyPair,
    public: ParsedPublicKey,
    n: String,
    e: String,
}

/// Why a key or token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtError {
    /// Not three base64url parts of JSON, or not RS256.
    Malformed,
    /// The `kid` names none of the keys given.
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
    /// A stored key does not parse, or the crypto library failed.
    Key,
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            JwtError::Malformed => "malformed token",
            JwtError::UnknownKey => "unknown signing key",
            JwtError::BadSignature => "bad signature",
            JwtError::Key => "signing key unusable",
        };
        f.write_str(text)
    }
}

impl std::error::Error for JwtError {}

impl SigningKey {
    /// A new RSA-2048 key; returns it and its PKCS#8 DER (to be sealed before storage).
    pub fn generate() -> Result<(Self, Vec<u8>), JwtError> {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| JwtError::Key)?;
        let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair)
            .map_err(|_| JwtError::Key)?
            .as_ref()
            .to_vec();
        Ok((Self::from_pair(pair)?, der))
    }

    /// The key from its PKCS#8 DER.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, JwtError> {
        Self::from_pair(KeyPair::from_pkcs8(der).map_err(|_| JwtError::Key)?)
    }

    fn from_pair(pair: KeyPair) -> Result<Self, JwtError> {
        use aws_lc_rs::signature::KeyPair as _;
        let public_key = pair.public_key();
        let components = PublicKeyComponents::<Vec<u8>>::from(public_key);
        let public = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public_key.as_ref())
            .map_err(|_| JwtError::Key)?;
        // Cognito's kids are base64 of 32 bytes; ours is the SHA-256 of the public key.
        let kid = STANDARD.encode(Sha256::digest(public_key.as_ref()));
        Ok(Self {
            kid,
            pair,
            public,
            n: B64URL.encode(&components.n),
            e: B64URL.encode(&components.e),
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The key's entry in the JWKS, fields in Cognito's order.
    pub fn jwk(&self) -> Value {
        json!({
            "alg": "RS256",
            "e": self.e,
            "kid": self.kid,
            "kty": "RSA",
            "n": self.n,
            "use": "sig",
        })
    }

    /// Signs `claims` into a compact JWT with header `{"kid":..,"alg":"RS256"}`.
    pub fn sign(&self, claims: &Map<String, Value>) -> Result<String, JwtError> {
        let header = json!({ "kid": self.kid, "alg": "RS256" });
        let mut token = format!(
            "{}.{}",
            B64URL.encode(header.to_string()),
            B64URL.encode(serde_json::to_vec(claims).map_err(|_| JwtError::Key)?)
        );
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let mut signature = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(&RSA_PKCS1_SHA256, &rng, token.as_bytes(), &mut signature)
            .map_err(|_| JwtError::Key)?;
        token.push('.');
        token.push_str(&B64URL.encode(signature));
        Ok(token)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({}, *** redacted ***)", self.kid)
    }
}

/// The JWKS document for `keys`.
pub fn jwks(keys: &[&SigningKey]) -> Value {
    json!({ "keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>() })
}

/// An ES256 JWT signed with a P-256 private key given as PKCS#8, in PEM (a `.p8` file's text)
/// or bare base64: how Sign in with Apple wants a client secret made from a developer's key.
pub fn sign_es256(private_key: &str, kid: &str, claims: &Object) -> Result<String, JwtError> {
    use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    let base64: String = private_key
        .replace("\\n", "\n")
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .flat_map(|line| line.chars().filter(|c| !c.is_whitespace()))
        .collect();
    let der = STANDARD.decode(base64).map_err(|_| JwtError::Key)?;
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der)
        .map_err(|_| JwtError::Key)?;
    let header = json!({ "alg": "ES256", "kid": kid });
    let mut token = format!(
        "{}.{}",
        B64URL.encode(header.to_string()),
        B64URL.encode(serde_json::to_vec(claims).map_err(|_| JwtError::Key)?)
    );
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let signature = pair
        .sign(&rng, token.as_bytes())
        .map_err(|_| JwtError::Key)?;
    token.push('.');
    token.push_str(&B64URL.encode(signature.as_ref()));
    Ok(token)
}

/// A token's parts before any check: header and claims.
pub fn decode_unverified(token: &str) -> Result<(Object, Object), JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let object = |part: &str| -> Result<Map<String, Value>, JwtError> {
        let bytes = B64URL.decode(part).map_err(|_| JwtError::Malformed)?;
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(JwtError::Malformed),
        }
    };
    Ok((object(h)?, object(c)?))
}

/// Verifies the signature of `token` with whichever of `keys` its `kid` names, and returns its
/// claims. Expiry and the other claims are the caller's to check.
pub fn verify(token: &str, keys: &[&SigningKey]) -> Result<Map<String, Value>, JwtError> {
    let (header, claims) = decode_unverified(token)?;
    check_signature(token, &header, keys)?;
    Ok(claims)
}

/// The signature check of [`verify`], for a caller that already decoded `token` (into
/// `header`): the claims it decoded are then the verified ones.
pub fn check_signature(token: &str, header: &Object, keys: &[&SigningKey]) -> Result<(), JwtError> {
    verify_signature(token, key_named(header, keys)?)
}

/// The one of `keys` an RS256 token's `header` names by `kid`.
fn key_named<'k>(header: &Object, keys: &[&'k SigningKey]) -> Result<&'k SigningKey, JwtError> {
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(JwtError::Malformed);
    }
    let kid = header.get("kid").and_then(Value::as_str);
    keys.iter()
        .copied()
        .find(|k| Some(k.kid.as_str()) == kid)
        .ok_or(JwtError::UnknownKey)
}

fn verify_signature(token: &str, key: &SigningKey) -> Result<(), JwtError> {
    let (signed, signature) = token.rsplit_once('.').ok_or(JwtError::Malformed)?;
    let signature = B64URL.decode(signature).map_err(|_| JwtError::Malformed)?;
    key.public
        .verify_sig(signed.as_bytes(), &signature)
        .map_err(|_| JwtError::BadSignature)
}

/// The tokens whose signature [`VerifiedSignatures::check`] has verified, each by the SHA-256
/// of all its bytes, so that a token presented again is not verified again. Only the signature
/// is remembered, never a verdict: expiry, revocation, the user and the rest are the caller's
/// to check at every use. An entry vouches for those exact bytes under the key their header
/// names, and that key is still looked up at each check by its `kid`, which is the SHA-256 of
/// its public key: a pool's new key (a pool created again under its id) shares no `kid` with
/// the old one, so nothing verified under the old key passes under the new.
#[derive(Default)]
pub struct VerifiedSignatures(std::sync::Mutex<std::collections::HashSet<[u8; 32]>>);

impl VerifiedSignatures {
    /// Tokens kept at most (a table of about 4 MB when full); past it the set starts over.
    const MAX: usize = 65_536;

    /// [`check_signature`], skipping the RSA verification for a token verified before.
    pub fn check(
        &self,
        token: &str,
        header: &Object,
        keys: &[&SigningKey],
    ) -> Result<(), JwtError> {
        let key = key_named(header, keys)?;
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let lock = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        if lock().contains(&digest) {
            return Ok(());
        }
        verify_signature(token, key)?;
        let mut verified = lock();
        if verified.len() >= Self::MAX {
            verified.clear();
        }
        verified.insert(digest);
        Ok(())
    }
}

/// Verifies an RS256 `token` of another issuer against its JWKS document (`{"keys": [...]}`),
/// with the RSA key its `kid` names (or the only RSA key when it names none), and returns its
/// header and claims. Expiry and the other claims are the caller's to check.
pub fn verify_with_jwks(token: &str, jwks: &Value) -> Result<(Object, Object), JwtError> {
    let (header, claims) = decode_unverified(token)?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(JwtError::Malformed);
    }
    let kid = header.get("kid").and_then(Value::as_str);
    let rsa: Vec<&Value> = jwks["keys"]
        .as_array()
        .map(|keys| keys.iter().filter(|k| k["kty"] == "RSA").collect())
        .unwrap_or_default();
    let key = match kid {
        Some(kid) => rsa.iter().find(|k| k["kid"].as_str() == Some(kid)),
        None if rsa.len() == 1 => rsa.first(),
        None => None,
    }
    .ok_or(JwtError::UnknownKey)?;
    let part = |name: &str| {
        key[name]
            .as_str()
            .and_then(|v| B64URL.decode(v).ok())
            .ok_or(JwtError::Malformed)
    };
    let (n, e) = (part("n")?, part("e")?);
    let (signed, signature) = token.rsplit_once('.').ok_or(JwtError::Malformed)?;
    let signature = B64URL.decode(signature).map_err(|_| JwtError::Malformed)?;
    PublicKeyComponents {
        n: &n[..],
        e: &e[..],
    }
    .verify(&RSA_PKCS1_2048_8192_SHA256, signed.as_bytes(), &signature)
    .map_err(|_| JwtError::BadSignature)?;
    Ok((header, claims))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_es256_token_verifies_with_the_public_half_of_a_pem_key() {
        use aws_lc_rs::signature::{
            EcdsaKeyPair, KeyPair as _, UnparsedPublicKey, ECDSA_P256_SHA256_FIXED,
            ECDSA_P256_SHA256_FIXED_SIGNING,
        };
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let public = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der.as_ref())
            .unwrap()
            .public_key()
            .as_ref()
            .to_vec();
        let body = STANDARD.encode(der.as_ref());
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            lines.join("\n")
        );
        let claims = json!({ "iss": "TEAM123456", "sub": "com.example.app" });
        for key in [pem.clone(), pem.replace('\n', "\\n"), body] {
            let token = sign_es256(&key, "KEY1234567", claims.as_object().unwrap()).unwrap();
            let (header, decoded) = decode_unverified(&token).unwrap();
            assert_eq!(
                Value::Object(header),
                json!({ "alg": "ES256", "kid": "KEY1234567" })
            );
            assert_eq!(Value::Object(decoded), claims);
            let (signed, signature) = token.rsplit_once('.').unwrap();
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &public)
                .verify(signed.as_bytes(), &B64URL.decode(signature).unwrap())
                .unwrap();
        }
        assert_eq!(
            sign_es256("not a key", "k", claims.as_object().unwrap()),
            Err(JwtError::Key)
        );
    }

    #[test]
    fn tokens_verify_only_with_their_key_and_unaltered() {
        let (key, der) = SigningKey::generate().unwrap();
        let (other, _) = SigningKey::generate().unwrap();
        assert_ne!(key.kid(), other.kid());
        assert_eq!(key.kid().len(), 44);
        let mut claims = Map::new();
        claims.insert("sub".into(), json!("abc"));
        claims.insert("token_use".into(), json!("access"));
        let token = key.sign(&claims).unwrap();
        let (header, _) = decode_unverified(&token).unwrap();
        assert_eq!(header.get("alg"), Some(&json!("RS256")));
        assert_eq!(header.get("kid"), Some(&json!(key.kid())));
        assert_eq!(verify(&token, &[&other, &key]).unwrap(), claims);
        assert_eq!(verify(&token, &[&other]), Err(JwtError::UnknownKey));
        let published = jwks(&[&other, &key]);
        assert_eq!(verify_with_jwks(&token, &published).unwrap().1, claims);
        assert_eq!(
            verify_with_jwks(&token, &jwks(&[&other])),
            Err(JwtError::UnknownKey)
        );

        let (head, rest) = token.split_once('.').unwrap();
        let (_, sig) = rest.split_once('.').unwrap();
        let forged = format!(
            "{head}.{}.{sig}",
            B64URL.encode(r#"{"sub":"evil","token_use":"access"}"#)
        );
        assert_eq!(verify(&forged, &[&key]), Err(JwtError::BadSignature));
        assert_eq!(verify("a.b", &[&key]), Err(JwtError::Malformed));
        assert_eq!(verify("x.y.z", &[&key]), Err(JwtError::Malformed));

        let again = SigningKey::from_pkcs8(&der).unwrap();
        assert_eq!(again.kid(), key.kid());
        assert_eq!(
            verify(&again.sign(&claims).unwrap(), &[&key]).unwrap(),
            claims
        );
        assert!(!format!("{key:?}").contains(&hex::encode(&der[..8])));
    }

    #[test]
    fn a_remembered_signature_passes_only_for_the_same_bytes_under_the_same_key() {
        let (key, _) = SigningKey::generate().unwrap();
        let (other, _) = SigningKey::generate().unwrap();
        let claims = json!({ "sub": "abc", "token_use": "access" });
        let token = key.sign(claims.as_object().unwrap()).unwrap();
        let (header, _) = decode_unverified(&token).unwrap();
        let verified = VerifiedSignatures::default();
        for _ in 0..2 {
            assert_eq!(verified.check(&token, &header, &[&other, &key]), Ok(()));
        }
        // The pool's key is another one now: the token names a key that is not there.
        assert_eq!(
            verified.check(&token, &header, &[&other]),
            Err(JwtError::UnknownKey)
        );
        // Another header (alg) is looked at before anything remembered.
        let mut none = header.clone();
        none.insert("alg".into(), json!("none"));
        assert_eq!(
            verified.check(&token, &none, &[&key]),
            Err(JwtError::Malformed)
        );
        // Other claims under the remembered signature, and a signature altered by one byte.
        let (head, rest) = token.split_once('.').unwrap();
        let (_, sig) = rest.split_once('.').unwrap();
        let forged = format!("{head}.{}.{sig}", B64URL.encode(r#"{"sub":"evil"}"#));
        let mut altered = token.clone().into_bytes();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        for bad in [&forged, &altered] {
            for _ in 0..2 {
                assert_eq!(
                    verified.check(bad, &header, &[&key]),
                    Err(JwtError::BadSignature)
                );
            }
        }
        // Past its bound the set starts over and still verifies.
        for n in 0..VerifiedSignatures::MAX + 1 {
            verified
                .0
                .lock()
                .unwrap()
                .insert(Sha256::digest(n.to_string()).into());
        }
        let fresh = key
            .sign(json!({ "sub": "def" }).as_object().unwrap())
            .unwrap();
        assert_eq!(verified.check(&fresh, &header, &[&key]), Ok(()));
        assert_eq!(verified.0.lock().unwrap().len(), 1);
    }

    #[test]
    fn the_jwks_has_cognitos_shape() {
        let (key, _) = SigningKey::generate().unwrap();
        let set = jwks(&[&key]);
        let jwk = &set["keys"][0];
        assert_eq!(jwk["alg"], "RS256");
        assert_eq!(jwk["e"], "AQAB");
        assert_eq!(jwk["kty"], "RSA");
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["kid"], key.kid());
        let n = B64URL.decode(jwk["n"].as_str().unwrap()).unwrap();
        assert_eq!(n.len(), 256);
        assert!(n[0] & 0x80 != 0, "no leading zero byte in n");
    }
}
