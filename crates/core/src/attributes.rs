//! Pure rules about user attributes and the messages sent to users: masking of delivery
//! destinations as Cognito shows them, message templates, one-time codes.

use crate::rng::{random_string, Rng};

/// `alice@example.com` -> `a***@e***`: the first character of the local part and of the
/// domain.
pub fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***", first(local), first(domain))
}

/// `+15555551234` -> `+*******1234`: the plus, stars, the last four digits.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let keep = chars.len().saturating_sub(4);
    let (head, tail) = chars.split_at(keep);
    let stars = head.iter().filter(|c| **c != '+').count();
    let plus = if head.first() == Some(&'+') { "+" } else { "" };
    format!(
        "{plus}{}{}",
        "*".repeat(stars),
        tail.iter().collect::<String>()
    )
}

/// A six-digit code.
pub fn code(rng: &dyn Rng) -> String {
    code_of(rng, 6)
}

/// A code of `digits` digits (eight for a passwordless sign-in).
pub fn code_of(rng: &dyn Rng, digits: usize) -> String {
    random_string(rng, b"0123456789", digits)
}

/// `template` with `{username}` and `{####}` replaced.
pub fn render(template: &str, username: &str, code: &str) -> String {
    template
        .replace("{username}", username)
        .replace("{####}", code)
}

/// Cognito's texts when a pool sets none.
pub mod defaults {
    pub const VERIFICATION_SUBJECT: &str = "Your verification code";
    pub const VERIFICATION_MESSAGE: &str = "Your verification code is {####}. ";
    pub const INVITE_SUBJECT: &str = "Your temporary password";
    pub const INVITE_MESSAGE: &str =
        "Your username is {username} and temporary password is {####}. ";
}

/// Whether `value` looks like an email address as Cognito accepts one.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !value.chars().any(char::is_whitespace)
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// E.164: a plus and up to 15 digits.
pub fn is_phone(value: &str) -> bool {
    value
        .strip_prefix('+')
        .is_some_and(|d| (2..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_as_cognito_does() {
        assert_eq!(mask_email("alice@example.com"), "a***@e***");
        assert_eq!(mask_phone("+15555551234"), "+*******1234");
        assert_eq!(
            render("Hi {username}, {####}", "bo", "123456"),
            "Hi bo, 123456"
        );
    }

    #[test]
    fn formats() {
        assert!(is_email("a@b.co"));
        assert!(!is_email("a@"));
        assert!(!is_email("ab.co"));
        assert!(is_phone("+15555551234"));
        assert!(!is_phone("15555551234"));
    }
}
