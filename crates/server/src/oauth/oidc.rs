//! An OIDC (or OAuth 2.0 social) identity provider, as Cognito uses one: its endpoints (given,
//! or discovered from `oidc_issuer`), the authorization request it is sent, and the claims of
//! the user it sends back: the code exchanged at its token endpoint (client secret in the
//! body, by GET where `token_request_method` says so, as Facebook's; for Sign in with Apple a
//! secret signed with the developer's key), the ID token verified against its JWKS (issuer,
//! audience, nonce, expiry), and its userInfo (`attributes_url`, with the mapped attributes
//! asked for where `attributes_url_add_attributes` says so) added.

use crate::app::App;
use ironpool_core::jwt;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Why a provider's answer is refused (what the app's redirect URI is told).
#[derive(Debug)]
pub(crate) struct Refused(pub String);

fn refused(what: impl Into<String>) -> Refused {
    Refused(what.into())
}

/// Where a provider's endpoints are.
pub(crate) struct Endpoints {
    pub issuer: Option<String>,
    pub authorize: String,
    pub token: String,
    pub userinfo: Option<String>,
    pub jwks: Option<String>,
}

async fn get_json(app: &App, url: &str) -> Result<Value, Refused> {
    let response = app
        .web
        .get(url)
        .send()
        .await
        .map_err(|e| refused(format!("{url} could not be reached: {e}")))?;
    if !response.status().is_success() {
        return Err(refused(format!("{url} answered {}", response.status())));
    }
    response
        .json()
        .await
        .map_err(|_| refused(format!("{url} did not answer JSON")))
}

/// The provider's endpoints: its ProviderDetails, else its discovery document.
pub(crate) async fn endpoints(
    app: &App,
    details: &BTreeMap<String, String>,
) -> Result<Endpoints, Refused> {
    let get = |k: &str| details.get(k).filter(|v| !v.is_empty()).cloned();
    let issuer = get("oidc_issuer");
    if let (Some(authorize), Some(token)) = (get("authorize_url"), get("token_url")) {
        return Ok(Endpoints {
            issuer,
            authorize,
            token,
            userinfo: get("attributes_url"),
            jwks: get("jwks_uri"),
        });
    }
    let issuer = issuer.ok_or_else(|| refused("the provider has no oidc_issuer"))?;
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let doc = get_json(app, &url).await?;
    let field = |k: &str| doc[k].as_str().map(str::to_owned);
    Ok(Endpoints {
        authorize: field("authorization_endpoint")
            .ok_or_else(|| refused("the discovery document has no authorization_endpoint"))?,
        token: field("token_endpoint")
            .ok_or_else(|| refused("the discovery document has no token_endpoint"))?,
        userinfo: field("userinfo_endpoint"),
        jwks: field("jwks_uri"),
        issuer: Some(issuer),
    })
}

/// The provider's authorization request for a user on its way back to `redirect_uri`.
pub(crate) fn authorize_url(
    endpoints: &Endpoints,
    details: &BTreeMap<String, String>,
    redirect_uri: &str,
    state: &str,
    nonce: &str,
) -> String {
    let scope = details
        .get("authorize_scopes")
        .map(|s| s.replace(',', " "))
        .unwrap_or_else(|| "openid".into());
    let mut pairs = vec![
        ("response_type", "code"),
        (
            "client_id",
            details.get("client_id").map_or("", String::as_str),
        ),
        ("redirect_uri", redirect_uri),
        ("scope", &scope),
        ("state", state),
        ("nonce", nonce),
    ];
    // Apple posts its answer (it must, when the name or email is asked for).
    if is_apple(details) {
        pairs.push(("response_mode", "form_post"));
    }
    super::request::with_params(&endpoints.authorize, false, &pairs)
}

/// Whether the provider is Sign in with Apple (its key instead of a client secret).
fn is_apple(details: &BTreeMap<String, String>) -> bool {
    ["team_id", "key_id", "private_key"]
        .iter()
        .all(|k| details.contains_key(*k))
}

/// The client secret the token endpoint is sent: the one given, or for Sign in with Apple a
/// short-lived ES256 JWT signed with the developer's key, as Apple requires.
fn client_secret(details: &BTreeMap<String, String>, now: i64) -> Result<Option<String>, Refused> {
    if !is_apple(details) {
        return Ok(details.get("client_secret").cloned());
    }
    let claims = serde_json::json!({
        "iss": details["team_id"],
        "iat": now,
        "exp": now + 300,
        "aud": "https://appleid.apple.com",
        "sub": details.get("client_id").map_or("", String::as_str),
    });
    let claims = claims.as_object().cloned().unwrap_or_default();
    jwt::sign_es256(&details["private_key"], &details["key_id"], &claims)
        .map(Some)
        .map_err(|_| refused("the private_key is not a P-256 key in PKCS#8"))
}

/// The userInfo URL, with the mapped provider attributes appended where the provider wants
/// them listed (`attributes_url_add_attributes`, as Facebook's `fields=`).
fn attributes_url(url: &str, details: &BTreeMap<String, String>, mapped: &[&str]) -> String {
    if details
        .get("attributes_url_add_attributes")
        .map(String::as_str)
        != Some("true")
    {
        return url.to_owned();
    }
    let mut names: Vec<&str> = mapped.to_vec();
    names.sort_unstable();
    names.dedup();
    format!("{url}{}", names.join(","))
}

/// The user the provider sent back with `code`.
pub(crate) struct Answer<'a> {
    pub code: &'a str,
    pub nonce: &'a str,
    pub redirect_uri: &'a str,
    /// The provider attributes the pool maps.
    pub mapped: &'a [&'a str],
}

/// The claims of the user the provider sent back (the ID token's, then userInfo's), and
/// what the provider told as it told it (`tokenResponse`, `idToken`, `userInfo`).
pub(crate) async fn claims(
    app: &App,
    endpoints: &Endpoints,
    details: &BTreeMap<String, String>,
    answer: &Answer<'_>,
) -> Result<(Map<String, Value>, Value), Refused> {
    let client_id = details.get("client_id").map_or("", String::as_str);
    let secret = client_secret(details, app.now() as i64)?;
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", answer.code),
        ("redirect_uri", answer.redirect_uri),
        ("client_id", client_id),
    ];
    if let Some(secret) = &secret {
        form.push(("client_secret", secret));
    }
    let request = if details.get("token_request_method").map(String::as_str) == Some("GET") {
        app.web.get(&endpoints.token).query(&form)
    } else {
        app.web.post(&endpoints.token).form(&form)
    };
    let response = request
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| refused(format!("the token endpoint could not be reached: {e}")))?;
    let status = response.status();
    let tokens: Value = response
        .json()
        .await
        .map_err(|_| refused("the token endpoint did not answer JSON"))?;
    if !status.is_success() {
        let error = tokens["error"].as_str().unwrap_or("no error given");
        return Err(refused(format!(
            "the token endpoint refused the code: {error}"
        )));
    }
    let mut claims = Map::new();
    if let Some(id_token) = tokens["id_token"].as_str() {
        let jwks_uri = endpoints
            .jwks
            .as_deref()
            .ok_or_else(|| refused("the provider has no jwks_uri"))?;
        let jwks = get_json(app, jwks_uri).await?;
        let (_, verified) = jwt::verify_with_jwks(id_token, &jwks)
            .map_err(|_| refused("the ID token's signature does not verify"))?;
        check_id_token(
            app,
            &verified,
            endpoints.issuer.as_deref(),
            client_id,
            Some(answer.nonce),
        )?;
        claims = verified;
    }
    let mut raw = Map::new();
    raw.insert("tokenResponse".into(), string_map(&tokens));
    raw.insert("idToken".into(), string_map(&Value::Object(claims.clone())));
    if let (Some(url), Some(access)) = (&endpoints.userinfo, tokens["access_token"].as_str()) {
        let post = details.get("attributes_request_method").map(String::as_str) == Some("POST");
        let url = attributes_url(url, details, answer.mapped);
        let request = if post {
            app.web.post(&url)
        } else {
            app.web.get(&url)
        };
        let response = request
            .bearer_auth(access)
            .send()
            .await
            .map_err(|e| refused(format!("the userInfo endpoint could not be reached: {e}")))?;
        if response.status().is_success() {
            if let Ok(Value::Object(info)) = response.json().await {
                if claims
                    .get("sub")
                    .is_some_and(|s| info.get("sub").is_some_and(|i| i != s))
                {
                    return Err(refused("userInfo names another user than the ID token"));
                }
                raw.insert("userInfo".into(), string_map(&Value::Object(info.clone())));
                for (k, v) in info {
                    claims.entry(k).or_insert(v);
                }
            }
        }
    }
    if claims.is_empty() {
        return Err(refused("the provider told nothing of the user"));
    }
    Ok((claims, Value::Object(raw)))
}

/// An object's values as strings (a trigger's `StringMap`).
pub(crate) fn string_map(value: &Value) -> Value {
    let map = value.as_object().cloned().unwrap_or_default();
    map.into_iter()
        .filter_map(|(k, v)| super::federation::claim_text(&v).map(|t| (k, Value::String(t))))
        .collect::<Map<_, _>>()
        .into()
}

/// The claims of an ID token the provider issued to its client (the pool) and the user
/// presents (for token exchange): verified against its JWKS, issuer, audience and expiry.
pub(crate) async fn presented_id_token(
    app: &App,
    endpoints: &Endpoints,
    details: &BTreeMap<String, String>,
    token: &str,
) -> Result<Map<String, Value>, Refused> {
    let jwks_uri = endpoints
        .jwks
        .as_deref()
        .ok_or_else(|| refused("the provider has no jwks_uri"))?;
    let jwks = get_json(app, jwks_uri).await?;
    let (_, verified) = jwt::verify_with_jwks(token, &jwks)
        .map_err(|_| refused("the ID token's signature does not verify"))?;
    let client_id = details.get("client_id").map_or("", String::as_str);
    check_id_token(app, &verified, endpoints.issuer.as_deref(), client_id, None)?;
    Ok(verified)
}

/// An ID token's issuer, audience, nonce (when the pool sent one) and expiry.
fn check_id_token(
    app: &App,
    claims: &Map<String, Value>,
    issuer: Option<&str>,
    client_id: &str,
    nonce: Option<&str>,
) -> Result<(), Refused> {
    let text = |k: &str| claims.get(k).and_then(Value::as_str);
    if let Some(issuer) = issuer {
        if text("iss").map(|i| i.trim_end_matches('/')) != Some(issuer.trim_end_matches('/')) {
            return Err(refused("the ID token is of another issuer"));
        }
    }
    let audience_holds = match claims.get("aud") {
        Some(Value::String(aud)) => aud == client_id,
        Some(Value::Array(list)) => list.iter().any(|a| a == client_id),
        _ => false,
    };
    if !audience_holds {
        return Err(refused("the ID token is for another client"));
    }
    if nonce.is_some_and(|nonce| text("nonce") != Some(nonce)) {
        return Err(refused("the ID token's nonce does not match"));
    }
    let exp = claims.get("exp").and_then(Value::as_f64).unwrap_or(0.0);
    if app.now() >= exp {
        return Err(refused("the ID token has expired"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn apple_is_asked_to_post_and_sent_a_secret_signed_with_the_developers_key() {
        use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
        use base64::Engine;
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let key = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
        let apple = details(&[
            ("client_id", "com.example.web"),
            ("team_id", "TEAM123456"),
            ("key_id", "KEY1234567"),
            ("private_key", &key),
            ("authorize_scopes", "email name"),
        ]);
        let secret = client_secret(&apple, 1_700_000_000).unwrap().unwrap();
        let (header, claims) = jwt::decode_unverified(&secret).unwrap();
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["kid"], "KEY1234567");
        assert_eq!(
            Value::Object(claims),
            serde_json::json!({
                "iss": "TEAM123456", "iat": 1_700_000_000, "exp": 1_700_000_300,
                "aud": "https://appleid.apple.com", "sub": "com.example.web",
            })
        );
        let endpoints = Endpoints {
            issuer: None,
            authorize: "https://appleid.apple.com/auth/authorize".into(),
            token: String::new(),
            userinfo: None,
            jwks: None,
        };
        let url = authorize_url(&endpoints, &apple, "https://x/oauth2/idpresponse", "s", "n");
        assert!(url.contains("response_mode=form_post"), "{url}");
        assert!(
            url.contains("scope=email+name") || url.contains("scope=email%20name"),
            "{url}"
        );

        let broken = details(&[("team_id", "T"), ("key_id", "K"), ("private_key", "nope")]);
        assert!(client_secret(&broken, 0).is_err());
        let google = details(&[("client_id", "c"), ("client_secret", "shh")]);
        assert_eq!(client_secret(&google, 0).unwrap().as_deref(), Some("shh"));
        let url = authorize_url(&endpoints, &google, "https://x/cb", "s", "n");
        assert!(!url.contains("response_mode"), "{url}");
    }

    #[test]
    fn facebook_is_asked_for_the_mapped_attributes() {
        let facebook = details(&[("attributes_url_add_attributes", "true")]);
        assert_eq!(
            attributes_url(
                "https://graph.facebook.com/v17.0/me?fields=",
                &facebook,
                &["id", "email", "name", "email"]
            ),
            "https://graph.facebook.com/v17.0/me?fields=email,id,name"
        );
        let amazon = details(&[("attributes_url_add_attributes", "false")]);
        assert_eq!(
            attributes_url("https://api.amazon.com/user/profile", &amazon, &["user_id"]),
            "https://api.amazon.com/user/profile"
        );
    }
}
