//! Tokens for services: GetClientToken and the token endpoint's client_credentials grant (an
//! M2M access token whose subject is the app client itself), and GetDerivedToken and the
//! token-exchange grant (RFC 8693: a user's token narrowed to a resource server or an audience,
//! with an `act` claim when an actor token names the service acting for the user).

use super::auth::{check_flow, find_client};
use super::client_documents;
use super::clients::custom_scope_exists;
use super::token_triggers::{client_credentials_generation, scopes};
use super::tokens::{
    check_plain_secret, issuer, sign_in_family, user_claims, validities, verify, Claims, Origin,
    TokenUse,
};
use super::user_pools::get_pool;
use crate::app::{App, OrInternal};
use crate::keys::pool_keys;
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode, Sensitive};
use ironpool_core::{ids, jwt};
use ironpool_store::{Kind, ResourcesExt};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// A scope that is not the client's, or names no resource server's scope.
pub(crate) fn invalid_scope(scope: &str) -> ApiError {
    ApiError::invalid_parameter(format!("Invalid scope requested: {scope}"))
}

/// Whether an error of this module is about the scopes asked for (`invalid_scope` at the
/// token endpoint).
pub(crate) fn is_scope_error(e: &ApiError) -> bool {
    e.code == ErrorCode::InvalidParameterException && e.message.starts_with("Invalid scope")
}

/// The scopes of an M2M token: the ones asked for, each a scope the client is allowed and of a
/// resource server of the pool; when none are asked for, every custom scope of the client.
pub(crate) async fn machine_scopes(
    app: &App,
    pool_id: &str,
    client: &UserPoolClientType,
    requested: Option<&[String]>,
) -> Result<Vec<String>, ApiError> {
    let allowed: Vec<&String> = client
        .allowed_o_auth_scopes
        .iter()
        .flatten()
        .filter(|s| s.contains('/'))
        .collect();
    let scopes: Vec<String> = match requested.filter(|r| !r.is_empty()) {
        Some(requested) => requested.to_vec(),
        None => allowed.iter().map(|s| s.to_string()).collect(),
    };
    if scopes.is_empty() {
        return Err(invalid_scope(""));
    }
    for scope in &scopes {
        if !allowed.contains(&scope) || !custom_scope_exists(app, pool_id, scope).await? {
            return Err(invalid_scope(scope));
        }
    }
    let mut unique = Vec::new();
    for scope in scopes {
        if !unique.contains(&scope) {
            unique.push(scope);
        }
    }
    Ok(unique)
}

/// Signs an M2M access token: `sub` and `client_id` are the client, `scope` its resource-server
/// scopes, no user and no refresh token; a `V3_0` PreTokenGeneration function may change it.
pub(crate) async fn machine_token(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    scopes: &[String],
    client_metadata: Option<&BTreeMap<String, String>>,
) -> Result<(String, i64), ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let client_id = client_documents::client_id_of(client);
    let now = app.now().floor() as i64;
    let (validity, _, _) = validities(client);
    let mut access = Map::new();
    access.insert("sub".into(), json!(client_id));
    access.insert("token_use".into(), json!("access"));
    access.insert("scope".into(), json!(scopes.join(" ")));
    access.insert("auth_time".into(), json!(now));
    access.insert("iss".into(), json!(issuer(app, pool_id)));
    access.insert("exp".into(), json!(now + validity));
    access.insert("iat".into(), json!(now));
    access.insert("version".into(), json!(2));
    access.insert("jti".into(), json!(ids::uuid_v4(app.rng.as_ref())));
    access.insert("client_id".into(), json!(client_id));
    client_credentials_generation(app, pool, &client_id, client_metadata, &mut access).await?;
    let keys = pool_keys(app, pool_id).await?;
    Ok((keys.access.sign(&access).or_internal()?, validity))
}

/// An access token for the app client itself: its secret, ALLOW_CLIENT_TOKEN_AUTH, and scopes
/// of resource servers.
pub async fn get_client_token(
    app: &App,
    input: GetClientTokenRequest,
) -> Result<GetClientTokenResponse, ApiError> {
    let client_id = input.client_id.expose();
    let (pool_id, stored) = find_client(app, client_id).await?;
    if !stored.has_secret() {
        return Err(ApiError::not_authorized(format!(
            "Client {client_id} is not configured with a secret"
        )));
    }
    check_plain_secret(&stored, client_id, Some(&input.secret))?;
    check_flow(&stored.client, "CLIENT_TOKEN_AUTH")?;
    let scopes = machine_scopes(app, &pool_id, &stored.client, input.scopes.as_deref()).await?;
    let pool = get_pool(app, &pool_id).await?;
    let (token, expires_in) = machine_token(
        app,
        &pool,
        &stored.client,
        &scopes,
        input.client_metadata.as_ref(),
    )
    .await?;
    Ok(GetClientTokenResponse {
        client_authentication_result: Some(ClientAuthenticationResultType {
            access_token: Some(Sensitive(token)),
            expires_in: Some(expires_in as i32),
            token_type: Some("Bearer".into()),
        }),
    })
}

/// What a token exchange asks for, from GetDerivedToken or the token endpoint.
pub(crate) struct Exchange {
    pub subject_token: String,
    pub subject_token_type: TokenTypeIdentifierType,
    pub subject_provider: Option<String>,
    pub actor: Option<(String, TokenTypeIdentifierType, Option<String>)>,
    pub scopes: Option<Vec<String>>,
    pub audience: Option<String>,
    pub resource: Option<String>,
    pub requested: IssuedTokenTypeIdentifierType,
}

/// The token a token exchange issued.
pub(crate) struct Derived {
    pub token: String,
    pub kind: IssuedTokenTypeIdentifierType,
    pub expires_in: i64,
    pub scopes: Vec<String>,
}

/// Impersonation (no actor token) and delegation (an actor token) are separate flows of the
/// requesting client.
pub(crate) fn check_exchange_flow(
    client: &UserPoolClientType,
    delegation: bool,
) -> Result<(), ApiError> {
    check_flow(
        client,
        if delegation {
            "TOKEN_EXCHANGE_DELEGATION"
        } else {
            "TOKEN_EXCHANGE_IMPERSONATION"
        },
    )
}

/// This pool's tokens only: a SAML assertion or an identity provider's token is refused.
fn own_token_use(
    kind: &TokenTypeIdentifierType,
    provider: Option<&String>,
    parameter: &str,
) -> Result<TokenUse, ApiError> {
    match (kind, provider) {
        (TokenTypeIdentifierType::AccessToken, None) => Ok(TokenUse::Access),
        (TokenTypeIdentifierType::IdToken, None) => Ok(TokenUse::Id),
        _ => Err(ApiError::invalid_parameter(format!(
            "{parameter} must be an access token or an ID token of this user pool."
        ))),
    }
}

/// The claims of an actor token: signed by this pool for its kind, current. The actor may be a
/// service (an M2M token) and so no user of the pool.
async fn actor_claims(
    app: &App,
    pool_id: &str,
    token: &str,
    kind: TokenUse,
) -> Result<Map<String, Value>, ApiError> {
    let invalid = || ApiError::not_authorized("Invalid ActorToken");
    let (header, claims) = jwt::decode_unverified(token).map_err(|_| invalid())?;
    let keys = pool_keys(app, pool_id).await?;
    app.verified_signatures
        .check(token, &header, &[kind.key(&keys)])
        .map_err(|_| invalid())?;
    let iss = claims.get("iss").and_then(Value::as_str);
    if iss != Some(issuer(app, pool_id).as_str())
        || claims.get("token_use").and_then(Value::as_str) != Some(kind.claim())
    {
        return Err(invalid());
    }
    let exp = claims.get("exp").and_then(Value::as_f64).unwrap_or(0.0);
    if app.now() >= exp {
        return Err(ApiError::not_authorized("ActorToken has expired"));
    }
    Ok(claims)
}

/// RFC 8693 token exchange for `client` (authenticated, its flow checked): the subject token,
/// a current token of a user of this pool, becomes an access token (or an ID token) of
/// `client` for that user, bound to one resource server or audience, with the intersection of
/// the scopes asked for, the subject's and the client's, no refresh token, and, with an actor
/// token, an `act` claim naming the actor (the subject's own `act` nested inside).
pub(crate) async fn exchange(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    request: Exchange,
) -> Result<Derived, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    if request.audience.is_some() && request.resource.is_some() {
        return Err(ApiError::invalid_parameter(
            "You can't request both Audiences and Resources in the same request.",
        ));
    }
    let (user, subject, subject_use) = match &request.subject_provider {
        None => {
            let subject_use = own_token_use(&request.subject_token_type, None, "SubjectToken")?;
            let (user, subject, _) = verify(app, &request.subject_token, subject_use, None).await?;
            if user.pool_id != pool_id {
                return Err(subject_use.invalid());
            }
            (user, subject, subject_use)
        }
        Some(provider) => {
            let (user, subject) = provider_subject(app, pool, client, provider, &request).await?;
            (user, subject, TokenUse::Id)
        }
    };
    let act = match &request.actor {
        None => None,
        Some((token, kind, provider)) => {
            let actor_use = own_token_use(kind, provider.as_ref(), "ActorToken")?;
            let actor = actor_claims(app, pool_id, token, actor_use).await?;
            let mut act = Map::new();
            for (claim, from) in [
                ("sub", "sub"),
                ("client_id", "client_id"),
                ("client_id", "aud"),
            ] {
                if let Some(value) = actor.get(from).filter(|_| !act.contains_key(claim)) {
                    act.insert(claim.into(), value.clone());
                }
            }
            if let Some(prior) = subject.get("act") {
                act.insert("act".into(), prior.clone());
            }
            Some(Value::Object(act))
        }
    };
    let resource = match &request.resource {
        Some(identifier) => {
            let server: Option<ResourceServerType> = app
                .store
                .get(Kind::ResourceServer, pool_id, identifier)
                .await
                .or_internal()?;
            if server.is_none() {
                return Err(ApiError::invalid_parameter(format!(
                    "Invalid resource requested: {identifier}"
                )));
            }
            Some(identifier.clone())
        }
        None => None,
    };

    // Scopes: the subject's, narrowed to what is asked for and the client allows, and to the
    // resource server's.
    let subject_scopes = scopes(&subject);
    let mut scopes: Vec<String> = match request.scopes.as_deref().filter(|s| !s.is_empty()) {
        None => subject_scopes,
        Some(asked) => {
            let allowed = client.allowed_o_auth_scopes.clone().unwrap_or_default();
            let mut granted: Vec<String> = Vec::new();
            for scope in asked {
                let of_subject = subject_use == TokenUse::Id || subject_scopes.contains(scope);
                if of_subject && allowed.contains(scope) && !granted.contains(scope) {
                    granted.push(scope.clone());
                }
            }
            if granted.is_empty() {
                return Err(invalid_scope(&asked.join(" ")));
            }
            granted
        }
    };
    if let Some(identifier) = &resource {
        let prefix = format!("{identifier}/");
        scopes.retain(|s| s.starts_with(&prefix));
        if scopes.is_empty() {
            return Err(invalid_scope(identifier));
        }
    }

    let now = app.now().floor() as i64;
    let (access_validity, id_validity, refresh_validity) = validities(client);
    let origin = match subject.get("origin_jti").and_then(Value::as_str) {
        Some(origin_jti) => Origin {
            origin_jti: origin_jti.to_owned(),
            auth_time: subject
                .get("auth_time")
                .and_then(Value::as_i64)
                .unwrap_or(0),
            scopes: Some(scopes.join(" ")),
        },
        // A provider's token: a sign-in of its own, which revocation and sign-out end.
        None => {
            let origin = Origin {
                origin_jti: ids::uuid_v4(app.rng.as_ref()),
                auth_time: now,
                scopes: Some(scopes.join(" ")),
            };
            // Its refresh token is not handed out: a token exchange issues none.
            sign_in_family(app, client, &user, &origin, now + refresh_validity).await?;
            origin
        }
    };
    let Claims { id, mut access } = user_claims(
        app,
        None,
        client,
        &user,
        &origin,
        now,
        (access_validity, id_validity),
    )
    .await?;
    let audience = request.audience.or(resource);
    let keys = pool_keys(app, pool_id).await?;
    let (kind, mut claims, expires_in) = match request.requested {
        IssuedTokenTypeIdentifierType::AccessToken => {
            if scopes.is_empty() {
                access.remove("scope");
            }
            (TokenUse::Access, access, access_validity)
        }
        IssuedTokenTypeIdentifierType::IdToken => (TokenUse::Id, id, id_validity),
    };
    if let Some(audience) = audience {
        claims.insert("aud".into(), json!(audience));
    }
    if let Some(act) = act {
        claims.insert("act".into(), act);
    }
    Ok(Derived {
        token: kind.key(&keys).sign(&claims).or_internal()?,
        kind: request.requested,
        expires_in,
        scopes,
    })
}

/// The user a provider's ID token names (SubjectTokenProviderName): the token verified
/// against the provider's keys, issuer and the pool's client ID at the provider, and its user
/// the pool's user of that provider, made or brought up to date as a sign-in through the
/// provider would.
async fn provider_subject(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    name: &str,
    request: &Exchange,
) -> Result<(ironpool_store::User, Map<String, Value>), ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let idp: Option<IdentityProviderType> = app
        .store
        .get(Kind::IdentityProvider, pool_id, name)
        .await
        .or_internal()?;
    let Some(idp) = idp else {
        return Err(ApiError::invalid_parameter(format!(
            "SubjectTokenProviderName {name} is not an identity provider of this user pool."
        )));
    };
    let saml = idp.provider_type == Some(IdentityProviderTypeType::Saml);
    if saml || request.subject_token_type != TokenTypeIdentifierType::IdToken {
        return Err(ApiError::invalid_parameter(
            "A SubjectToken of an identity provider must be an ID token of an OIDC or social \
             provider.",
        ));
    }
    let details = idp.provider_details.clone().unwrap_or_default();
    let invalid = |why: String| ApiError::not_authorized(format!("Invalid SubjectToken: {why}"));
    let endpoints = crate::oauth::oidc::endpoints(app, &details)
        .await
        .map_err(|r| invalid(r.0))?;
    let mut claims =
        crate::oauth::oidc::presented_id_token(app, &endpoints, &details, &request.subject_token)
            .await
            .map_err(|r| invalid(r.0))?;
    // Only this pool's tokens carry an `act` it vouches for.
    claims.remove("act");
    let mapping = idp.attribute_mapping.clone().unwrap_or_default();
    let user_claim = mapping.get("username").map_or("sub", String::as_str);
    let user_id = claims
        .get(user_claim)
        .and_then(crate::oauth::federation::claim_text)
        .ok_or_else(|| invalid(format!("the ID token has no {user_claim}")))?;
    let told = crate::oauth::federation::Federated {
        user_id,
        claims: claims.clone(),
        raw: json!({ "idToken": crate::oauth::oidc::string_map(&Value::Object(claims.clone())) }),
        saml: None,
    };
    let client_id = client_documents::client_id_of(client);
    let user = crate::oauth::federation::federated_user(app, pool, &client_id, &idp, &told).await?;
    Ok((user, claims))
}

/// RFC 8693 token exchange through the API.
pub async fn get_derived_token(
    app: &App,
    input: GetDerivedTokenRequest,
) -> Result<GetDerivedTokenResponse, ApiError> {
    let client_id = input.client_id.expose();
    let (pool_id, stored) = find_client(app, client_id).await?;
    check_plain_secret(&stored, client_id, input.client_secret.as_ref())?;
    let actor = match (input.actor_token, input.actor_token_type) {
        (Some(token), Some(kind)) => Some((token.0, kind, input.actor_token_provider_name)),
        (Some(_), None) => {
            return Err(ApiError::invalid_parameter(
                "ActorTokenType is required when ActorToken is provided.",
            ))
        }
        (None, _) => None,
    };
    check_exchange_flow(&stored.client, actor.is_some())?;
    let pool = get_pool(app, &pool_id).await?;
    let first = |list: Option<Vec<String>>| list.and_then(|l| l.into_iter().next());
    let request = Exchange {
        subject_token: input.subject_token.0,
        subject_token_type: input.subject_token_type,
        subject_provider: input.subject_token_provider_name,
        actor,
        scopes: input.scopes,
        audience: first(input.audiences),
        resource: first(input.resources),
        requested: input
            .requested_token_type
            .unwrap_or(IssuedTokenTypeIdentifierType::AccessToken),
    };
    let derived = exchange(app, &pool, &stored.client, request).await?;
    let access = derived.kind == IssuedTokenTypeIdentifierType::AccessToken;
    Ok(GetDerivedTokenResponse {
        issued_token: Sensitive(derived.token),
        issued_token_type: derived.kind,
        token_type: if access {
            OAuthTokenTypeType::Bearer
        } else {
            OAuthTokenTypeType::NA
        },
        expires_in: Some(derived.expires_in as i32),
        scopes: access.then_some(derived.scopes),
    })
}
