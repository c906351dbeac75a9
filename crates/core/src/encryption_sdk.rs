//! AWS Encryption SDK messages (format version 2, algorithm suite
//! `AES_256_GCM_HKDF_SHA512_COMMIT_KEY`, one final frame): what Cognito hands a custom sender
//! function as `request.code`, which the function decrypts with the Encryption SDK and a KMS
//! keyring. The data key comes from KMS (GenerateDataKey) and travels encrypted in the message.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use aws_lc_rs::hkdf::{KeyType, Salt, HKDF_SHA512};
use std::collections::BTreeMap;

/// `AES_256_GCM_HKDF_SHA512_COMMIT_KEY`: key commitment, no signature.
const SUITE_ID: u16 = 0x0478;
const FRAME_LENGTH: u32 = 4096;
const FINAL_FRAME: &str = "AWSKMSEncryptionClient Final Frame";

/// A data key encrypted by a key provider (`aws-kms` and the KMS key ARN for KMS).
pub struct EncryptedDataKey<'a> {
    pub provider_id: &'a str,
    pub provider_info: &'a str,
    pub ciphertext: &'a [u8],
}

struct Len(usize);

impl KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn hkdf(data_key: &[u8; 32], message_id: &[u8; 32], info: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    Salt::new(HKDF_SHA512, message_id)
        .extract(data_key)
        .expand(&[info], Len(32))
        .and_then(|okm| okm.fill(&mut out))
        .expect("32 bytes is a valid HKDF-SHA512 length");
    out
}

fn put_u16(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes());
}

/// Encrypts `plaintext` (at most one frame) under `data_key`, whose encrypted copy `edk` the
/// message carries, bound to `context`; `message_id` must be random.
pub fn encrypt(
    data_key: &[u8; 32],
    edk: &EncryptedDataKey<'_>,
    context: &BTreeMap<String, String>,
    plaintext: &[u8],
    message_id: [u8; 32],
) -> Vec<u8> {
    assert!(
        plaintext.len() <= FRAME_LENGTH as usize,
        "one frame at most"
    );
    let mut derive_info = SUITE_ID.to_be_bytes().to_vec();
    derive_info.extend_from_slice(b"DERIVEKEY");
    let key = hkdf(data_key, &message_id, &derive_info);
    let commitment = hkdf(data_key, &message_id, b"COMMITKEY");
    let cipher = Aes256Gcm::new_from_slice(&key).expect("a 256-bit key");

    let mut out = vec![0x02];
    out.extend_from_slice(&SUITE_ID.to_be_bytes());
    out.extend_from_slice(&message_id);
    if context.is_empty() {
        put_u16(&mut out, 0);
    } else {
        let mut pairs = Vec::new();
        put_u16(&mut pairs, context.len());
        for (k, v) in context {
            put_u16(&mut pairs, k.len());
            pairs.extend_from_slice(k.as_bytes());
            put_u16(&mut pairs, v.len());
            pairs.extend_from_slice(v.as_bytes());
        }
        put_u16(&mut out, pairs.len());
        out.extend_from_slice(&pairs);
    }
    put_u16(&mut out, 1);
    for field in [
        edk.provider_id.as_bytes(),
        edk.provider_info.as_bytes(),
        edk.ciphertext,
    ] {
        put_u16(&mut out, field.len());
        out.extend_from_slice(field);
    }
    out.push(0x02); // framed content
    out.extend_from_slice(&FRAME_LENGTH.to_be_bytes());
    out.extend_from_slice(&commitment);
    // The header's authentication tag: GCM over nothing, the header as associated data.
    let mut empty = Vec::new();
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(&[0u8; 12]), &out, &mut empty)
        .expect("GCM seals");
    out.extend_from_slice(&tag);

    // The body: one final frame, sequence number 1.
    let sequence: u32 = 1;
    let mut iv = [0u8; 12];
    iv[8..].copy_from_slice(&sequence.to_be_bytes());
    let mut aad = message_id.to_vec();
    aad.extend_from_slice(FINAL_FRAME.as_bytes());
    aad.extend_from_slice(&sequence.to_be_bytes());
    aad.extend_from_slice(&(plaintext.len() as u64).to_be_bytes());
    let mut body = plaintext.to_vec();
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(&iv), &aad, &mut body)
        .expect("GCM seals");
    out.extend_from_slice(&u32::MAX.to_be_bytes());
    out.extend_from_slice(&sequence.to_be_bytes());
    out.extend_from_slice(&iv);
    out.extend_from_slice(&(plaintext.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&tag);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_has_the_v2_layout() {
        let edk = EncryptedDataKey {
            provider_id: "aws-kms",
            provider_info: "arn:aws:kms:us-east-1:111122223333:key/k",
            ciphertext: b"wrapped",
        };
        let m = encrypt(&[7; 32], &edk, &BTreeMap::new(), b"123456", [9; 32]);
        assert_eq!(&m[..3], &[0x02, 0x04, 0x78]);
        assert_eq!(&m[3..35], &[9; 32]);
        // No context, one data key, framed, 4096-byte frames, the commitment.
        let header_len = 35 + 2 + 2 + (2 + 7) + (2 + 40) + (2 + 7) + 1 + 4 + 32;
        assert_eq!(m.len(), header_len + 16 + 4 + 4 + 12 + 4 + 6 + 16);
        assert_eq!(&m[header_len + 16..header_len + 20], &[0xff; 4]);
        // Another data key gives another commitment and ciphertext.
        let other = encrypt(&[8; 32], &edk, &BTreeMap::new(), b"123456", [9; 32]);
        assert_ne!(
            m[header_len - 32..header_len],
            other[header_len - 32..header_len]
        );
        assert_ne!(m[m.len() - 22..], other[other.len() - 22..]);
    }
}
