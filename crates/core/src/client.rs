//! App client rules that need no I/O: token validity arithmetic, redirect URI checks, secret
//! shapes, domain prefix rules.

use crate::rng::{random_string, Rng};

/// The unit a token validity is counted in (`TokenValidityUnitsType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl TimeUnit {
    pub fn seconds(self) -> i64 {
        match self {
            TimeUnit::Seconds => 1,
            TimeUnit::Minutes => 60,
            TimeUnit::Hours => 3600,
            TimeUnit::Days => 86_400,
        }
    }
}

/// Access and ID tokens last between 5 minutes and 1 day.
pub const ACCESS_VALIDITY_SECONDS: (i64, i64) = (300, 86_400);
/// Refresh tokens last between 60 minutes and 10 years (3650 days).
pub const REFRESH_VALIDITY_SECONDS: (i64, i64) = (3_600, 315_360_000);
/// Without a value, access and ID tokens last 60 minutes (1 in the default unit, hours).
pub const DEFAULT_ACCESS_VALIDITY_SECONDS: i64 = 3_600;
/// Without a value, refresh tokens last 30 days.
pub const DEFAULT_REFRESH_VALIDITY_DAYS: i32 = 30;

/// Whether `value` counted in `unit` lies within `range` (in seconds), both ends included.
pub fn validity_in_range(value: i32, unit: TimeUnit, range: (i64, i64)) -> bool {
    let seconds = i64::from(value) * unit.seconds();
    seconds >= range.0 && seconds <= range.1
}

/// The default refresh token validity (30 days) expressed in `unit`.
pub fn default_refresh_validity(unit: TimeUnit) -> i32 {
    let seconds = i64::from(DEFAULT_REFRESH_VALIDITY_DAYS) * TimeUnit::Days.seconds();
    i32::try_from(seconds / unit.seconds()).unwrap_or(i32::MAX)
}

/// Why a callback or logout URL is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedirectUriError {
    /// Not an absolute URI (no scheme).
    NotAbsolute,
    /// Contains a `#fragment`.
    Fragment,
    /// Plain `http` on a host other than a loopback one.
    InsecureHttp,
}

/// Cognito's rules for a redirect URI: absolute, no fragment, HTTPS unless it is plain HTTP on
/// `localhost`, `127.0.0.1` or `[::1]` (any port), or on a `*.localhost` name, which is
/// loopback too (RFC 6761); app schemes such as `myapp://cb` are fine.
pub fn check_redirect_uri(uri: &str) -> Result<(), RedirectUriError> {
    let Some((scheme, rest)) = uri.split_once("://").or_else(|| {
        // `myapp:callback` style URIs are absolute too.
        uri.split_once(':')
    }) else {
        return Err(RedirectUriError::NotAbsolute);
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.is_empty() {
        return Err(RedirectUriError::NotAbsolute);
    }
    if uri.contains('#') {
        return Err(RedirectUriError::Fragment);
    }
    if scheme.eq_ignore_ascii_case("http") {
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        let host_port = authority.rsplit('@').next().unwrap_or_default();
        let host = if let Some(v6) = host_port.strip_prefix('[') {
            v6.split(']')
                .next()
                .map(|h| format!("[{h}]"))
                .unwrap_or_default()
        } else {
            host_port.split(':').next().unwrap_or_default().to_owned()
        };
        let host = host.to_ascii_lowercase();
        let loopback = matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]")
            || host.ends_with(".localhost");
        if !loopback {
            return Err(RedirectUriError::InsecureHttp);
        }
    }
    Ok(())
}

const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A generated client secret: 51 lowercase alphanumerics, as Cognito makes them.
pub fn client_secret(rng: &dyn Rng) -> String {
    random_string(rng, LOWER_ALNUM, 51)
}

/// A client secret id: `<client id>--<creation time in epoch milliseconds>`.
pub fn client_secret_id(client_id: &str, epoch_seconds: f64) -> String {
    format!("{client_id}--{}", (epoch_seconds * 1000.0) as i64)
}

/// Why a prefix domain is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DomainPrefixError {
    /// Anything but lowercase letters, digits and inner hyphens.
    InvalidCharacter,
    /// Contains `aws`, `amazon` or `cognito`.
    ReservedWord(&'static str),
}

/// The prefix of `<prefix>.auth.<region>.amazoncognito.com`.
pub fn check_domain_prefix(prefix: &str) -> Result<(), DomainPrefixError> {
    let bytes = prefix.as_bytes();
    let ok = !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-');
    if !ok {
        return Err(DomainPrefixError::InvalidCharacter);
    }
    for word in ["aws", "amazon", "cognito"] {
        if prefix.contains(word) {
            return Err(DomainPrefixError::ReservedWord(word));
        }
    }
    Ok(())
}

/// A stable fake CloudFront distribution name for `domain`: `d` and 13 lowercase
/// alphanumerics, then `.cloudfront.net`, as Cognito hands them out.
pub fn cloudfront_domain(domain: &str) -> String {
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in domain.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut name = String::from("d");
    for _ in 0..13 {
        name.push(LOWER_ALNUM[(h % 36) as usize] as char);
        h = (h / 36) ^ h.rotate_left(29);
    }
    format!("{name}.cloudfront.net")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OsRng;

    #[test]
    fn validity_ranges() {
        assert!(validity_in_range(
            5,
            TimeUnit::Minutes,
            ACCESS_VALIDITY_SECONDS
        ));
        assert!(!validity_in_range(
            4,
            TimeUnit::Minutes,
            ACCESS_VALIDITY_SECONDS
        ));
        assert!(validity_in_range(
            1,
            TimeUnit::Days,
            ACCESS_VALIDITY_SECONDS
        ));
        assert!(!validity_in_range(
            25,
            TimeUnit::Hours,
            ACCESS_VALIDITY_SECONDS
        ));
        assert!(validity_in_range(
            3650,
            TimeUnit::Days,
            REFRESH_VALIDITY_SECONDS
        ));
        assert!(!validity_in_range(
            3651,
            TimeUnit::Days,
            REFRESH_VALIDITY_SECONDS
        ));
        assert!(!validity_in_range(
            59,
            TimeUnit::Minutes,
            REFRESH_VALIDITY_SECONDS
        ));
        assert_eq!(default_refresh_validity(TimeUnit::Days), 30);
        assert_eq!(default_refresh_validity(TimeUnit::Hours), 720);
    }

    #[test]
    fn redirect_uris() {
        assert_eq!(check_redirect_uri("https://example.com/cb"), Ok(()));
        assert_eq!(check_redirect_uri("http://localhost:3000/cb"), Ok(()));
        assert_eq!(check_redirect_uri("http://app.localhost:3000/cb"), Ok(()));
        assert_eq!(check_redirect_uri("http://127.0.0.1/cb"), Ok(()));
        assert_eq!(check_redirect_uri("http://[::1]:8080"), Ok(()));
        assert_eq!(check_redirect_uri("myapp://callback"), Ok(()));
        assert_eq!(
            check_redirect_uri("http://example.com"),
            Err(RedirectUriError::InsecureHttp)
        );
        assert_eq!(
            check_redirect_uri("http://localhost.evil.com"),
            Err(RedirectUriError::InsecureHttp)
        );
        assert_eq!(
            check_redirect_uri("https://example.com/#x"),
            Err(RedirectUriError::Fragment)
        );
        assert_eq!(
            check_redirect_uri("example.com/cb"),
            Err(RedirectUriError::NotAbsolute)
        );
    }

    #[test]
    fn secrets_and_prefixes() {
        let s = client_secret(&OsRng);
        assert_eq!(s.len(), 51);
        assert!(s.bytes().all(|b| LOWER_ALNUM.contains(&b)));
        assert_eq!(client_secret_id("abc", 1.5), "abc--1500");
        assert_eq!(check_domain_prefix("my-app-1"), Ok(()));
        let cf = cloudfront_domain("auth.example.com");
        assert_eq!(cf, cloudfront_domain("auth.example.com"));
        assert_ne!(cf, cloudfront_domain("auth.example.org"));
        assert_eq!(cf.len(), "d0123456789abc.cloudfront.net".len());
        assert_eq!(
            check_domain_prefix("My-App"),
            Err(DomainPrefixError::InvalidCharacter)
        );
        assert_eq!(
            check_domain_prefix("-app"),
            Err(DomainPrefixError::InvalidCharacter)
        );
        assert_eq!(
            check_domain_prefix("myaws"),
            Err(DomainPrefixError::ReservedWord("aws"))
        );
    }
}
