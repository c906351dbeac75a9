//! An OIDC (or OAuth 2.0 social) identity provider, as Cognito uses one: its endpoints (given,
//! or discovered from `oidc_issuer`), the authorization request it is sent, and the claims of
//! the user it sends back: the code exchanged at its token endpoint (client secret in the
//! body), the ID token verified against its JWKS (issuer, audience, nonce, expiry), and its
//! userInfo (`attributes_url`) added.

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
    super::request::with_params(
        &endpoints.authorize,
        false,
        &[
            ("response_type", "code"),
            (
                "client_id",
                details.get("client_id").map_or("", String::as_str),
            ),
            ("redirect_uri", redirect_uri),
            ("scope", &scope),
            ("state", state),
            ("nonce", nonce),
        ],
    )
}

/// The claims of the user the provider sent back with `code`.
pub(crate) async fn claims(
    app: &App,
    endpoints: &Endpoints,
    details: &BTreeMap<String, String>,
    redirect_uri: &str,
    code: &str,
    nonce: &str,
) -> Result<Map<String, Value>, Refused> {
    let client_id = details.get("client_id").map_or("", String::as_str);
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", client_id),
    ];
    if let Some(secret) = details.get("client_secret") {
        form.push(("client_secret", secret));
    }
    let response = app
        .web
        .post(&endpoints.token)
        .header("accept", "application/json")
        .form(&form)
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
            nonce,
        )?;
        claims = verified;
    }
    if let (Some(url), Some(access)) = (&endpoints.userinfo, tokens["access_token"].as_str()) {
        let post = details.get("attributes_request_method").map(String::as_str) == Some("POST");
        let request = if post {
            app.web.post(url)
        } else {
            app.web.get(url)
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
                for (k, v) in info {
                    claims.entry(k).or_insert(v);
                }
            }
        }
    }
    if claims.is_empty() {
        return Err(refused("the provider told nothing of the user"));
    }
    Ok(claims)
}

/// An ID token's issuer, audience, nonce and expiry.
fn check_id_token(
    app: &App,
    claims: &Map<String, Value>,
    issuer: Option<&str>,
    client_id: &str,
    nonce: &str,
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
    if text("nonce") != Some(nonce) {
        return Err(refused("the ID token's nonce does not match"));
    }
    let exp = claims.get("exp").and_then(Value::as_f64).unwrap_or(0.0);
    if app.now() >= exp {
        return Err(refused("the ID token has expired"));
    }
    Ok(())
}
