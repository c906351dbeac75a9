//! What Cognito checks in, and adds to, an identity provider's ProviderDetails, per type.
//!
//! Social providers get fixed endpoint URLs (exactly the values AWS documents in the
//! `ProviderDetails` reference, which Terraform's aws provider compares against to suppress
//! diffs). Sign in with Apple's `private_key` is kept but never returned. OIDC endpoints
//! are not discovered (no outbound network): either all four are given or none, and with
//! none they are left for discovery at sign-in. SAML `MetadataURL` is not fetched; a
//! `MetadataFile` is scanned for its HTTP-Redirect SSO and SLO locations.

use ironpool_api::types::IdentityProviderTypeType as T;
use ironpool_api::ApiError;
use std::collections::BTreeMap;

pub(crate) type Details = BTreeMap<String, String>;

/// Keys Cognito computes; what a client sends for them is replaced.
const COMPUTED: &[&str] = &[
    "attributes_url",
    "attributes_url_add_attributes",
    "authorize_url",
    "oidc_issuer",
    "token_request_method",
    "token_url",
];
const SAML_COMPUTED: &[&str] = &[
    "ActiveEncryptionCertificate",
    "SSORedirectBindingURI",
    "SLORedirectBindingURI",
];
const OIDC_ENDPOINTS: &[&str] = &["authorize_url", "token_url", "attributes_url", "jwks_uri"];
const SOCIAL_NAMES: &[&str] = &["Google", "Facebook", "LoginWithAmazon", "SignInWithApple"];
const BOOLEAN_SAML_FLAGS: &[&str] = &["IDPSignout", "IDPInit", "EncryptedResponses"];

pub(crate) fn type_name(t: T) -> &'static str {
    match t {
        T::Saml => "SAML",
        T::Facebook => "Facebook",
        T::Google => "Google",
        T::LoginWithAmazon => "LoginWithAmazon",
        T::SignInWithApple => "SignInWithApple",
        T::Oidc => "OIDC",
    }
}

fn is_social(t: T) -> bool {
    !matches!(t, T::Saml | T::Oidc)
}

/// Social providers must be named after their type; SAML and OIDC providers may not take a
/// social provider's name or `Cognito`, which the hosted UI reserves.
pub(crate) fn check_name(name: &str, t: T) -> Result<(), ApiError> {
    let type_name = type_name(t);
    if is_social(t) {
        if name != type_name {
            return Err(ApiError::invalid_parameter(format!(
                "The provider name of a {type_name} identity provider must be {type_name}."
            )));
        }
        return Ok(());
    }
    if name.eq_ignore_ascii_case("cognito")
        || SOCIAL_NAMES.iter().any(|s| s.eq_ignore_ascii_case(name))
    {
        return Err(ApiError::invalid_parameter(format!(
            "The provider name {name} is reserved."
        )));
    }
    Ok(())
}

fn required(t: T) -> &'static [&'static str] {
    match t {
        T::Google | T::Facebook | T::LoginWithAmazon => {
            &["client_id", "client_secret", "authorize_scopes"]
        }
        T::SignInWithApple => &[
            "client_id",
            "team_id",
            "key_id",
            "private_key",
            "authorize_scopes",
        ],
        T::Oidc => &[
            "client_id",
            "attributes_request_method",
            "oidc_issuer",
            "authorize_scopes",
        ],
        T::Saml => &[],
    }
}

fn missing(key: &str, t: T) -> ApiError {
    ApiError::invalid_parameter(format!(
        "{key} is required for {} identity providers.",
        type_name(t)
    ))
}

/// Checks `details` for type `t` and returns what Cognito stores: the client's keys plus the
/// computed ones. `previous` is the stored details on update (Apple's unreadable
/// `private_key` carries over when omitted).
pub(crate) fn complete(
    t: T,
    mut details: Details,
    previous: Option<&Details>,
) -> Result<Details, ApiError> {
    if t == T::SignInWithApple && !details.contains_key("private_key") {
        if let Some(key) = previous.and_then(|p| p.get("private_key")) {
            details.insert("private_key".into(), key.clone());
        }
    }
    for key in required(t) {
        if details.get(*key).is_none_or(|v| v.trim().is_empty()) {
            return Err(missing(key, t));
        }
    }
    match t {
        T::Saml => complete_saml(details),
        T::Oidc => complete_oidc(details),
        _ => complete_social(t, details),
    }
}

fn complete_social(t: T, mut details: Details) -> Result<Details, ApiError> {
    for key in COMPUTED {
        details.remove(*key);
    }
    let fixed: Vec<(&str, String)> = match t {
        T::Google => vec![
            (
                "attributes_url",
                "https://people.googleapis.com/v1/people/me?personFields=".into(),
            ),
            ("attributes_url_add_attributes", "true".into()),
            (
                "authorize_url",
                "https://accounts.google.com/o/oauth2/v2/auth".into(),
            ),
            ("oidc_issuer", "https://accounts.google.com".into()),
            ("token_request_method", "POST".into()),
            (
                "token_url",
                "https://www.googleapis.com/oauth2/v4/token".into(),
            ),
        ],
        T::LoginWithAmazon => vec![
            (
                "attributes_url",
                "https://api.amazon.com/user/profile".into(),
            ),
            ("attributes_url_add_attributes", "false".into()),
            ("authorize_url", "https://www.amazon.com/ap/oa".into()),
            ("token_request_method", "POST".into()),
            ("token_url", "https://api.amazon.com/auth/o2/token".into()),
        ],
        T::SignInWithApple => vec![
            ("attributes_url_add_attributes", "false".into()),
            (
                "authorize_url",
                "https://appleid.apple.com/auth/authorize".into(),
            ),
            ("oidc_issuer", "https://appleid.apple.com".into()),
            ("token_request_method", "POST".into()),
            ("token_url", "https://appleid.apple.com/auth/token".into()),
        ],
        T::Facebook => {
            // Without api_version, Facebook's unversioned endpoints (its oldest live version).
            let version = match details.get("api_version") {
                Some(v) if is_facebook_version(v) => format!("/{v}"),
                Some(v) => {
                    return Err(ApiError::invalid_parameter(format!(
                        "Invalid api_version {v} for the Facebook identity provider."
                    )))
                }
                None => String::new(),
            };
            vec![
                (
                    "attributes_url",
                    format!("https://graph.facebook.com{version}/me?fields="),
                ),
                ("attributes_url_add_attributes", "true".into()),
                (
                    "authorize_url",
                    format!("https://www.facebook.com{version}/dialog/oauth"),
                ),
                ("token_request_method", "GET".into()),
                (
                    "token_url",
                    format!("https://graph.facebook.com{version}/oauth/access_token"),
                ),
            ]
        }
        T::Saml | T::Oidc => Vec::new(),
    };
    for (k, v) in fixed {
        details.insert(k.into(), v);
    }
    Ok(details)
}

/// `v` then digits, a dot and digits, e.g. `v17.0`.
fn is_facebook_version(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('v') else {
        return false;
    };
    let mut parts = rest.split('.');
    let digits =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    digits(parts.next()) && digits(parts.next()) && parts.next().is_none()
}

fn complete_oidc(mut details: Details) -> Result<Details, ApiError> {
    let method = details.get("attributes_request_method").map(String::as_str);
    if !matches!(method, Some("GET" | "POST")) {
        return Err(ApiError::invalid_parameter(
            "attributes_request_method must be GET or POST.",
        ));
    }
    let issuer = details.get("oidc_issuer").map(String::as_str).unwrap_or("");
    // Plain HTTP only on loopback, as for callback URLs (a provider run locally).
    let loopback =
        issuer.starts_with("http://") && ironpool_core::client::check_redirect_uri(issuer).is_ok();
    if !issuer.starts_with("https://") && !loopback {
        return Err(ApiError::invalid_parameter(
            "oidc_issuer must be an https URL.",
        ));
    }
    let given = OIDC_ENDPOINTS
        .iter()
        .filter(|k| details.get(**k).is_some_and(|v| !v.is_empty()))
        .count();
    if given != 0 && given != OIDC_ENDPOINTS.len() {
        return Err(ApiError::invalid_parameter(
            "authorize_url, token_url, attributes_url and jwks_uri must be provided together.",
        ));
    }
    details.insert("attributes_url_add_attributes".into(), "false".into());
    Ok(details)
}

fn complete_saml(mut details: Details) -> Result<Details, ApiError> {
    for key in SAML_COMPUTED {
        details.remove(*key);
    }
    let url = details.get("MetadataURL").filter(|v| !v.is_empty());
    let file = details.get("MetadataFile").filter(|v| !v.is_empty());
    let file = match (url, file) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid_parameter(
                "Only one of MetadataURL or MetadataFile can be specified.",
            ))
        }
        (None, None) => {
            return Err(ApiError::invalid_parameter(
                "Either MetadataURL or MetadataFile must be specified.",
            ))
        }
        (Some(_), None) => None,
        (None, Some(file)) => Some(file.clone()),
    };
    for flag in BOOLEAN_SAML_FLAGS {
        if let Some(v) = details.get(*flag) {
            if v != "true" && v != "false" {
                return Err(ApiError::invalid_parameter(format!(
                    "{flag} must be true or false."
                )));
            }
        }
    }
    if let Some(alg) = details.get("RequestSigningAlgorithm") {
        if alg != "rsa-sha256" {
            return Err(ApiError::invalid_parameter(
                "RequestSigningAlgorithm must be rsa-sha256.",
            ));
        }
    }
    if let Some(file) = file {
        let metadata = ironpool_core::saml::parse_metadata(&file).ok();
        let sso = metadata
            .as_ref()
            .and_then(|m| m.sso_redirect.clone())
            .ok_or_else(|| {
                ApiError::invalid_parameter(
                    "Could not find an SSO endpoint with the HTTP-Redirect binding in the SAML metadata.",
                )
            })?;
        details.insert("SSORedirectBindingURI".into(), sso);
        if let Some(slo) = metadata.and_then(|m| m.slo_redirect) {
            details.insert("SLORedirectBindingURI".into(), slo);
        }
    }
    Ok(details)
}

/// The user-pool `username` mapping Cognito adds when the request has none.
pub(crate) fn default_username_claim(t: T) -> Option<&'static str> {
    match t {
        T::Google | T::SignInWithApple | T::Oidc => Some("sub"),
        T::Facebook => Some("id"),
        T::LoginWithAmazon => Some("user_id"),
        T::Saml => None,
    }
}

/// What Describe returns: everything but Sign in with Apple's private key.
pub(crate) fn visible(t: T, details: &Details) -> Details {
    let mut out = details.clone();
    if t == T::SignInWithApple {
        out.remove("private_key");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facebook_versions() {
        assert!(is_facebook_version("v17.0"));
        assert!(!is_facebook_version("17.0"));
        assert!(!is_facebook_version("v17"));
        assert!(!is_facebook_version("v1.2.3"));
    }
}
