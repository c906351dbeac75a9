//! Cognito's passkey (WebAuthn) rules that need no cryptography: which relying party a pool
//! uses, which web origins may speak for it, how many passkeys a user keeps and how a passkey
//! is named. Attestation and assertion verification is the WebAuthn library's job, never ours.

/// Cognito keeps at most this many passkeys per user.
pub const MAX_PASSKEYS_PER_USER: usize = 20;

/// How long a registration or sign-in ceremony may take, in seconds (also the `timeout` the
/// options announce, in milliseconds).
pub const CEREMONY_SECONDS: u64 = 300;

/// The host name of a pool's prefix domain, `<prefix>.auth.<region>.amazoncognito.com`.
pub fn prefix_domain_host(prefix: &str, region: &str) -> String {
    format!("{prefix}.auth.{region}.amazoncognito.com")
}

/// The relying party ID of a pool: the configured `RelyingPartyId`, else its custom domain,
/// else its prefix domain's host name; `None` when it has none of them.
pub fn relying_party_id(
    configured: Option<&str>,
    custom_domain: Option<&str>,
    prefix_domain_host: Option<&str>,
) -> Option<String> {
    configured
        .or(custom_domain)
        .or(prefix_domain_host)
        .filter(|id| !id.is_empty())
        .map(str::to_ascii_lowercase)
}

/// Whether a ceremony's `clientData.origin` may speak for relying party `rp_id`:
/// `https://<rp_id>` or `https://<any subdomain>.<rp_id>` on the default port, one of
/// `exact` (the pool's managed login origins), or, only when the RP ID is `localhost`,
/// `http(s)://localhost` on any port. Hosts compare case-insensitively; an origin carries no
/// path, query, user or trailing dot.
pub fn origin_allowed(rp_id: &str, origin: &str, exact: &[String]) -> bool {
    let origin_lc = origin.to_ascii_lowercase();
    if exact.iter().any(|o| o.eq_ignore_ascii_case(origin)) {
        return true;
    }
    let rp_id = rp_id.to_ascii_lowercase();
    let (scheme, rest) = match origin_lc.split_once("://") {
        Some(p) => p,
        None => return false,
    };
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', '\\']) {
        return false;
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            (h, Some(p))
        }
        Some(_) => return false,
        None => (rest, None),
    };
    if rp_id == "localhost" {
        return host == "localhost" && matches!(scheme, "http" | "https");
    }
    if scheme != "https" || port.is_some_and(|p| p != "443") {
        return false;
    }
    let host_ok = |h: &str| {
        !h.is_empty()
            && !h.starts_with('.')
            && !h.ends_with('.')
            && !h.contains("..")
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    };
    host_ok(host)
        && host_ok(&rp_id)
        && (host == rp_id
            || host
                .strip_suffix(&rp_id)
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')))
}

/// The name a passkey is listed under: Cognito names it after the kind of authenticator that
/// made it (the `authenticatorAttachment` the browser reported), not after the user's input.
pub fn friendly_name(authenticator_attachment: Option<&str>) -> &'static str {
    match authenticator_attachment {
        Some("platform") => "Platform passkey",
        Some("cross-platform") => "Security key",
        _ => "Passkey",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_of_the_rp_id_and_its_subdomains_over_https() {
        let none: &[String] = &[];
        assert!(origin_allowed("example.com", "https://example.com", none));
        assert!(origin_allowed(
            "example.com",
            "https://EXAMPLE.com:443",
            none
        ));
        assert!(origin_allowed(
            "example.com",
            "https://login.example.com",
            none
        ));
        assert!(origin_allowed(
            "Example.COM",
            "https://a.b.example.com",
            none
        ));
        assert!(!origin_allowed("example.com", "http://example.com", none));
        assert!(!origin_allowed(
            "example.com",
            "https://example.com:8443",
            none
        ));
        assert!(!origin_allowed(
            "example.com",
            "https://evilexample.com",
            none
        ));
        assert!(!origin_allowed(
            "example.com",
            "https://example.com.evil.net",
            none
        ));
        assert!(!origin_allowed("example.com", "https://.example.com", none));
        assert!(!origin_allowed("example.com", "https://example.com/", none));
        assert!(!origin_allowed(
            "example.com",
            "https://x@example.com",
            none
        ));
        assert!(!origin_allowed(
            "example.com",
            "android:apk-key-hash:abc",
            none
        ));
        assert!(!origin_allowed(
            "login.example.com",
            "https://example.com",
            none
        ));
    }

    #[test]
    fn localhost_over_http_only_for_a_localhost_rp_id() {
        let none: &[String] = &[];
        assert!(origin_allowed("localhost", "http://localhost:5173", none));
        assert!(origin_allowed("localhost", "http://localhost", none));
        assert!(origin_allowed("localhost", "https://localhost:8443", none));
        assert!(!origin_allowed("localhost", "http://127.0.0.1:5173", none));
        assert!(!origin_allowed(
            "example.com",
            "http://localhost:5173",
            none
        ));
        assert!(!origin_allowed("localhost", "http://localhost:abc", none));
    }

    #[test]
    fn managed_login_origins_are_allowed_as_they_are() {
        let managed = vec!["https://myapp.auth.us-east-1.amazoncognito.com".to_owned()];
        assert!(origin_allowed(
            "example.com",
            "https://myapp.auth.us-east-1.amazoncognito.com",
            &managed
        ));
        assert!(!origin_allowed(
            "example.com",
            "https://other.auth.us-east-1.amazoncognito.com",
            &managed
        ));
    }

    #[test]
    fn rp_id_prefers_configuration_then_custom_then_prefix_domain() {
        let prefix = prefix_domain_host("myapp", "eu-west-1");
        assert_eq!(prefix, "myapp.auth.eu-west-1.amazoncognito.com");
        assert_eq!(
            relying_party_id(Some("Example.com"), Some("auth.x.org"), Some(&prefix)).as_deref(),
            Some("example.com")
        );
        assert_eq!(
            relying_party_id(None, Some("auth.x.org"), Some(&prefix)).as_deref(),
            Some("auth.x.org")
        );
        assert_eq!(
            relying_party_id(None, None, Some(&prefix)).as_deref(),
            Some(prefix.as_str())
        );
        assert_eq!(relying_party_id(None, None, None), None);
        assert_eq!(friendly_name(Some("platform")), "Platform passkey");
        assert_eq!(friendly_name(None), "Passkey");
    }
}
