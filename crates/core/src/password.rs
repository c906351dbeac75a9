//! Password policy: Cognito's checks and messages, and temporary passwords generated to fit.

use crate::rng::{random_string, Rng};

/// The characters Cognito counts as symbols.
pub const SYMBOLS: &str = "^$*.[]{}()?-\"!@#%&/\\,><':;|_~`+=";

/// A pool's PasswordPolicy with Cognito's defaults filled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub minimum_length: usize,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
        }
    }
}

/// The message of InvalidPasswordException for the first rule `password` breaks.
pub fn check(policy: &Policy, password: &str) -> Result<(), String> {
    let fail = |why: &str| Err(format!("Password did not conform with policy: {why}"));
    if password.chars().count() < policy.minimum_length {
        return fail("Password not long enough");
    }
    if policy.require_lowercase && !password.chars().any(|c| c.is_lowercase()) {
        return fail("Password must have lowercase characters");
    }
    if policy.require_uppercase && !password.chars().any(|c| c.is_uppercase()) {
        return fail("Password must have uppercase characters");
    }
    if policy.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
        return fail("Password must have numeric characters");
    }
    if policy.require_symbols && !password.chars().any(|c| SYMBOLS.contains(c) || c == ' ') {
        return fail("Password must have symbol characters");
    }
    Ok(())
}

/// A random temporary password that satisfies `policy` (at least 8 characters, one of every
/// class, in random positions).
pub fn generate(rng: &dyn Rng, policy: &Policy) -> String {
    let len = policy.minimum_length.max(8);
    let mut chars: Vec<char> = [
        random_string(rng, b"ABCDEFGHJKLMNPQRSTUVWXYZ", 1),
        random_string(rng, b"abcdefghijkmnopqrstuvwxyz", 1),
        random_string(rng, b"23456789", 1),
        random_string(rng, b"^$*.!@#%&", 1),
        random_string(
            rng,
            b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789",
            len - 4,
        ),
    ]
    .concat()
    .chars()
    .collect();
    // Fisher-Yates with the injected randomness.
    for i in (1..chars.len()).rev() {
        let mut b = [0u8; 4];
        rng.fill(&mut b);
        let j = (u32::from_le_bytes(b) as usize) % (i + 1);
        chars.swap(i, j);
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OsRng;

    #[test]
    fn checks_in_cognitos_order_with_its_messages() {
        let p = Policy::default();
        let msg = |pw: &str| check(&p, pw).unwrap_err();
        assert_eq!(
            msg("Ab1!"),
            "Password did not conform with policy: Password not long enough"
        );
        assert_eq!(
            msg("ABCDEFG1!"),
            "Password did not conform with policy: Password must have lowercase characters"
        );
        assert_eq!(
            msg("abcdefg1!"),
            "Password did not conform with policy: Password must have uppercase characters"
        );
        assert_eq!(
            msg("Abcdefgh!"),
            "Password did not conform with policy: Password must have numeric characters"
        );
        assert_eq!(
            msg("Abcdefgh1"),
            "Password did not conform with policy: Password must have symbol characters"
        );
        assert!(check(&p, "Abcdefg1!").is_ok());
        let lax = Policy {
            minimum_length: 6,
            require_uppercase: false,
            require_lowercase: false,
            require_numbers: false,
            require_symbols: false,
        };
        assert!(check(&lax, "aaaaaa").is_ok());
    }

    #[test]
    fn generated_passwords_fit_the_policy() {
        for len in [6, 8, 20] {
            let p = Policy {
                minimum_length: len,
                ..Policy::default()
            };
            let pw = generate(&OsRng, &p);
            assert!(pw.len() >= len.max(8));
            assert_eq!(check(&p, &pw), Ok(()), "{pw}");
        }
    }
}
