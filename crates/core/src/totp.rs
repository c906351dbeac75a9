//! Time-based one-time passwords (RFC 6238) as Cognito's software tokens use them: a 160-bit
//! secret shown as base32, HMAC-SHA1, 6 digits, 30-second steps, the step before and after
//! the current one accepted too, and each step's code good once.

use crate::Rng;
use aws_lc_rs::hmac;
use subtle::ConstantTimeEq;

/// Bytes of a new secret (160 bits).
pub const SECRET_BYTES: usize = 20;
/// Seconds per step.
pub const STEP_SECONDS: u64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;

/// A new secret.
pub fn new_secret(rng: &dyn Rng) -> [u8; SECRET_BYTES] {
    let mut secret = [0u8; SECRET_BYTES];
    rng.fill(&mut secret);
    secret
}

/// RFC 4648 base32 without padding, as authenticator apps take a secret (Cognito's
/// `SecretCode`): 32 characters for 20 bytes.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u16, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u16::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[usize::from((buffer >> bits) & 31)] as char);
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(ALPHABET[usize::from((buffer << (5 - bits)) & 31)] as char);
    }
    out
}

/// The HOTP code (RFC 4226) of `counter` with `digits` digits, zero-padded.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let mac = hmac::sign(&key, &counter.to_be_bytes());
    let mac = mac.as_ref();
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let value = u32::from_be_bytes([
        mac[offset] & 0x7f,
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    let code = u64::from(value) % 10u64.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// The step `unix_seconds` falls in.
pub fn step_at(unix_seconds: u64) -> u64 {
    unix_seconds / STEP_SECONDS
}

/// The step at which `code` is accepted at `unix_seconds`: the current step's, or the one
/// before or after, and only a step later than `last_used` (the step of the code last
/// accepted), so no code is good twice. Compared in constant time.
pub fn verify(secret: &[u8], code: &str, unix_seconds: u64, last_used: Option<u64>) -> Option<u64> {
    let now = step_at(unix_seconds);
    let mut accepted = None;
    for step in [now.saturating_sub(1), now, now + 1] {
        let fresh = last_used.is_none_or(|last| step > last);
        let matches: bool = hotp(secret, step, DIGITS)
            .as_bytes()
            .ct_eq(code.as_bytes())
            .into();
        if matches && fresh && accepted.is_none() {
            accepted = Some(step);
        }
    }
    accepted
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn hotp_matches_rfc_4226() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(hotp(RFC_SECRET, counter as u64, 6), *code, "{counter}");
        }
    }

    #[test]
    fn totp_matches_rfc_6238_sha1() {
        for (time, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(hotp(RFC_SECRET, step_at(time), 8), code, "{time}");
        }
    }

    #[test]
    fn base32_matches_rfc_4648() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(plain.as_bytes()), encoded);
        }
        assert_eq!(base32(&new_secret(&crate::OsRng)).len(), 32);
    }

    #[test]
    fn a_code_is_good_one_step_either_side_and_once() {
        let t = 1_700_000_015; // inside a step
        let now = step_at(t);
        let code = |step| hotp(RFC_SECRET, step, DIGITS);
        assert_eq!(verify(RFC_SECRET, &code(now), t, None), Some(now));
        assert_eq!(verify(RFC_SECRET, &code(now - 1), t, None), Some(now - 1));
        assert_eq!(verify(RFC_SECRET, &code(now + 1), t, None), Some(now + 1));
        assert_eq!(verify(RFC_SECRET, &code(now - 2), t, None), None);
        assert_eq!(verify(RFC_SECRET, &code(now + 2), t, None), None);
        // Once accepted, that step and those before it are spent.
        assert_eq!(verify(RFC_SECRET, &code(now), t, Some(now)), None);
        assert_eq!(verify(RFC_SECRET, &code(now - 1), t, Some(now)), None);
        assert_eq!(
            verify(RFC_SECRET, &code(now + 1), t, Some(now)),
            Some(now + 1)
        );
        for bad in ["", "12345", "1234567", "abcdef"] {
            assert_eq!(verify(RFC_SECRET, bad, t, None), None, "{bad}");
        }
    }
}
