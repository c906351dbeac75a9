//! An authorization request (`/oauth2/authorize`, and the managed login pages it leads to,
//! which carry the same parameters): checked as Cognito checks it. A request whose client or
//! redirect URI is wrong goes to the error page (nothing may be sent to an unchecked URI); any
//! other fault goes back to the redirect URI with `error=`.

use super::site::Site;
use crate::app::{App, OrInternal};
use crate::ops::client_documents::{self, StoredClient};
use ironpool_api::types::{IdentityProviderType, OAuthFlowType};
use ironpool_api::ApiError;
use ironpool_store::{Kind, ResourcesExt};
use serde::{Deserialize, Serialize};

/// The parameters of an authorization request, as the query string has them.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub(crate) struct Params {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub state: Option<String>,
    pub scope: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub identity_provider: Option<String>,
    pub idp_identifier: Option<String>,
    pub prompt: Option<String>,
    pub lang: Option<String>,
}

/// How the result goes back: an authorization code in the query, or tokens in the fragment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResponseType {
    Code,
    Token,
}

/// A checked authorization request.
#[derive(Clone)]
pub(crate) struct AuthRequest {
    pub client: StoredClient,
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: ResponseType,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    /// The PKCE challenge and its method (`S256` or `plain`).
    pub pkce: Option<(String, String)>,
    /// `identity_provider`, unless it is COGNITO (the managed login pages).
    pub identity_provider: Option<String>,
}

/// Why a request is refused.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// The client or the redirect URI is wrong: the error page, with this error.
    Page(&'static str),
    /// Back to the redirect URI with `error` (and `error_description`).
    Redirect {
        redirect_uri: String,
        fragment: bool,
        error: &'static str,
        description: Option<String>,
        state: Option<String>,
    },
    /// The store failed.
    Internal(ApiError),
}

/// `uri` with `params` added: to the query, or (implicit grant) as the fragment.
pub(crate) fn with_params(uri: &str, fragment: bool, params: &[(&str, &str)]) -> String {
    let mut out = String::from(uri);
    if fragment {
        out.push('#');
        let mut encoder = url::form_urlencoded::Serializer::new(String::new());
        encoder.extend_pairs(params);
        out.push_str(&encoder.finish());
        return out;
    }
    match url::Url::parse(uri) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(params);
            url.to_string()
        }
        Err(_) => {
            let mut encoder = url::form_urlencoded::Serializer::new(String::new());
            encoder.extend_pairs(params);
            let sep = if uri.contains('?') { '&' } else { '?' };
            format!("{uri}{sep}{}", encoder.finish())
        }
    }
}

impl Refusal {
    /// The URL a refusal redirects to: the redirect URI with `error=`, or the error page.
    pub fn location(&self, site: &Site, client_id: Option<&str>) -> Option<String> {
        match self {
            Refusal::Page(error) => {
                let mut params = vec![("error", *error)];
                if let Some(id) = client_id {
                    params.push(("client_id", id));
                }
                Some(with_params(&site.at("/error"), false, &params))
            }
            Refusal::Redirect {
                redirect_uri,
                fragment,
                error,
                description,
                state,
            } => {
                let mut params = vec![("error", *error)];
                if let Some(d) = description {
                    params.push(("error_description", d));
                }
                if let Some(s) = state {
                    params.push(("state", s));
                }
                Some(with_params(redirect_uri, *fragment, &params))
            }
            Refusal::Internal(_) => None,
        }
    }
}

/// Checks an authorization request against the pool and its app client.
pub(crate) async fn check(app: &App, site: &Site, params: &Params) -> Result<AuthRequest, Refusal> {
    let client_id = params
        .client_id
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or(Refusal::Page("invalid_request"))?;
    let stored = match client_documents::find(app, client_id).await {
        Ok(Some((pool_id, stored))) if pool_id == site.pool_id() => stored,
        Ok(_) => return Err(Refusal::Page("invalid_request")),
        Err(e) => return Err(Refusal::Internal(e)),
    };
    let client = &stored.client;
    let redirect_uri = params
        .redirect_uri
        .as_deref()
        .filter(|uri| {
            client
                .callback_ur_ls
                .as_deref()
                .unwrap_or_default()
                .iter()
                .any(|c| c == uri)
        })
        .ok_or(Refusal::Page("redirect_mismatch"))?
        .to_owned();
    let fragment = params.response_type.as_deref() == Some("token");
    let refuse = |error: &'static str, description: Option<&str>| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        fragment,
        error,
        description: description.map(str::to_owned),
        state: params.state.clone(),
    };
    let (response_type, flow) = match params.response_type.as_deref() {
        Some("code") => (ResponseType::Code, OAuthFlowType::Code),
        Some("token") => (ResponseType::Token, OAuthFlowType::Implicit),
        None | Some("") => {
            return Err(refuse("invalid_request", Some("response_type is required")))
        }
        Some(_) => return Err(refuse("unsupported_response_type", None)),
    };
    let flows = client.allowed_o_auth_flows.as_deref().unwrap_or_default();
    if client.allowed_o_auth_flows_user_pool_client != Some(true) || !flows.contains(&flow) {
        return Err(refuse("unauthorized_client", None));
    }
    let allowed = client.allowed_o_auth_scopes.as_deref().unwrap_or_default();
    let scopes: Vec<String> = match params.scope.as_deref().map(str::trim) {
        None | Some("") => allowed.to_vec(),
        Some(requested) => {
            let mut scopes: Vec<String> = Vec::new();
            for scope in requested.split_whitespace() {
                if !allowed.iter().any(|a| a == scope) {
                    return Err(refuse("invalid_scope", None));
                }
                if !scopes.iter().any(|s| s == scope) {
                    scopes.push(scope.to_owned());
                }
            }
            scopes
        }
    };
    let pkce = match (
        params.code_challenge.as_deref().filter(|c| !c.is_empty()),
        params.code_challenge_method.as_deref(),
    ) {
        _ if response_type == ResponseType::Token => None,
        (None, None) => None,
        (Some(challenge), method) => {
            let method = method.unwrap_or("plain");
            if !matches!(method, "S256" | "plain") {
                return Err(refuse(
                    "invalid_request",
                    Some("Unsupported code_challenge_method"),
                ));
            }
            Some((challenge.to_owned(), method.to_owned()))
        }
        (None, Some(_)) => {
            return Err(refuse(
                "invalid_request",
                Some("code_challenge is required with code_challenge_method"),
            ))
        }
    };
    let providers = client
        .supported_identity_providers
        .as_deref()
        .unwrap_or_default();
    let identity_provider = match (
        params
            .identity_provider
            .as_deref()
            .filter(|p| !p.is_empty()),
        params.idp_identifier.as_deref().filter(|p| !p.is_empty()),
    ) {
        (Some(name), _) if providers.iter().any(|p| p == name) => {
            (name != "COGNITO").then(|| name.to_owned())
        }
        (Some(_), _) => return Err(refuse("unauthorized_client", None)),
        (None, Some(identifier)) => {
            let found = by_identifier(app, site, identifier)
                .await
                .map_err(Refusal::Internal)?;
            match found {
                Some(name) if providers.contains(&name) => Some(name),
                _ => {
                    return Err(refuse(
                        "invalid_request",
                        Some("No identity provider has this idp_identifier"),
                    ))
                }
            }
        }
        // A client of one provider, not the user pool's own directory, goes to that provider;
        // a client of several has the sign-in page offer them.
        (None, None) if !providers.iter().any(|p| p == "COGNITO") => match providers {
            [] => return Err(refuse("unauthorized_client", None)),
            [only] => Some(only.clone()),
            _ => None,
        },
        (None, None) => None,
    };
    if let Some(prompt) = params.prompt.as_deref() {
        if !prompt
            .split_whitespace()
            .all(|p| matches!(p, "none" | "login" | "consent" | "select_account"))
        {
            return Err(refuse("invalid_request", Some("Invalid prompt value")));
        }
    }
    Ok(AuthRequest {
        client_id: client_id.to_owned(),
        client: stored,
        redirect_uri,
        response_type,
        scopes,
        state: params.state.clone(),
        nonce: params.nonce.clone(),
        pkce,
        identity_provider,
    })
}

/// The name of the pool's identity provider with this IdpIdentifier.
async fn by_identifier(
    app: &App,
    site: &Site,
    identifier: &str,
) -> Result<Option<String>, ApiError> {
    let providers: Vec<(String, IdentityProviderType)> = app
        .store
        .list(Kind::IdentityProvider, site.pool_id(), None, 1000)
        .await
        .or_internal()?;
    Ok(providers
        .into_iter()
        .find(|(_, p)| {
            p.idp_identifiers
                .as_deref()
                .unwrap_or_default()
                .iter()
                .any(|i| i.eq_ignore_ascii_case(identifier))
        })
        .and_then(|(_, p)| p.provider_name))
}

#[cfg(test)]
mod tests {
    use super::with_params;

    #[test]
    fn redirect_parameters() {
        assert_eq!(
            with_params(
                "http://localhost:3000/cb",
                false,
                &[("code", "a b"), ("state", "x&y")]
            ),
            "http://localhost:3000/cb?code=a+b&state=x%26y"
        );
        assert_eq!(
            with_params("https://app.example/cb?tab=1", false, &[("code", "c")]),
            "https://app.example/cb?tab=1&code=c"
        );
        assert_eq!(
            with_params("myapp://cb", true, &[("access_token", "t")]),
            "myapp://cb#access_token=t"
        );
    }
}
