//! Signing in through one of the pool's identity providers: the authorization request is sent
//! on to the provider (its state kept sealed, single use), and at `/oauth2/idpresponse` the
//! user it sends back becomes (or updates) the pool's user `<ProviderName>_<sub>`, status
//! EXTERNAL_PROVIDER, with the provider's claims mapped by AttributeMapping and the
//! `identities` attribute; then the sign-in ends as any other, with a code or tokens.

use super::grant::{complete, new_sso, redirect, SamlLogin};
use super::oidc;
use super::pages::{error_page, refused};
use super::request::{check, with_params, AuthRequest, Params, ResponseType};
use super::site::Site;
use crate::app::{App, OrInternal};
use crate::ops::provider_links::linked_user;
use crate::ops::token_triggers::Generation;
use crate::ops::tokens::{issue, OAuthGrant};
use crate::ops::triggers;
use crate::ops::user_attributes::schema_entry;
use crate::protocol;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use ironpool_api::types::*;
use ironpool_api::ApiError;
use ironpool_core::ids;
use ironpool_store::{AuthSession, Kind, ResourcesExt, User};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// How long a user may take at the provider.
const STATE_SECONDS: f64 = 600.0;

/// What waits for the provider's answer.
#[derive(Serialize, Deserialize)]
pub(crate) struct Pending {
    pub params: Params,
    pub provider: String,
    pub nonce: String,
    /// The ID of a SAML AuthnRequest (or LogoutRequest).
    #[serde(default)]
    pub request_id: Option<String>,
    /// Where a SAML single logout ends.
    #[serde(default)]
    pub after_logout: Option<String>,
}

fn state_hash(state: &str) -> String {
    hex::encode(Sha256::digest(format!("idp-state:{state}").as_bytes()))
}

fn state_context(pool_id: &str) -> String {
    format!("idp-state:{pool_id}")
}

/// The provider a request names: `identity_provider`, or the one of `idp_identifier`.
pub(crate) async fn provider(
    app: &App,
    pool_id: &str,
    name: &str,
) -> Result<Option<IdentityProviderType>, ApiError> {
    app.store
        .get(Kind::IdentityProvider, pool_id, name)
        .await
        .or_internal()
}

/// Sends the user on to the provider.
pub(crate) async fn start(
    app: &App,
    site: &Site,
    request: &AuthRequest,
    params: &Params,
    name: &str,
) -> Result<Response, ApiError> {
    let back = |error: &str, description: &str| {
        let mut pairs = vec![("error_description", description), ("error", error)];
        pairs.extend(request.state.as_deref().map(|s| ("state", s)));
        let fragment = request.response_type == ResponseType::Token;
        Ok(redirect(
            &with_params(&request.redirect_uri, fragment, &pairs),
            Vec::new(),
        ))
    };
    let Some(idp) = provider(app, site.pool_id(), name).await? else {
        return back("invalid_request", "The identity provider does not exist.");
    };
    let details = idp.provider_details.clone().unwrap_or_default();
    if idp.provider_type == Some(IdentityProviderTypeType::Saml) {
        return match super::saml::start(app, site, params, name, &details).await? {
            Ok(response) => Ok(response),
            Err(oidc::Refused(why)) => back("invalid_request", &why),
        };
    }
    let endpoints = match oidc::endpoints(app, &details).await {
        Ok(e) => e,
        Err(oidc::Refused(why)) => return back("invalid_request", &why),
    };
    let mut raw = [0u8; 32];
    app.rng.fill(&mut raw);
    let nonce = B64URL.encode(raw);
    let pending = Pending {
        params: params.clone(),
        provider: name.to_owned(),
        nonce: nonce.clone(),
        request_id: None,
        after_logout: None,
    };
    let state = keep_pending(app, site, &pending).await?;
    let redirect_uri = format!("{}/oauth2/idpresponse", site.url);
    let location = oidc::authorize_url(&endpoints, &details, &redirect_uri, &state, &nonce);
    Ok(redirect(&location, Vec::new()))
}

/// Keeps what waits for the provider (sealed, single use); the state that finds it again.
pub(crate) async fn keep_pending(
    app: &App,
    site: &Site,
    pending: &Pending,
) -> Result<String, ApiError> {
    let mut raw = [0u8; 32];
    app.rng.fill(&mut raw);
    let state = B64URL.encode(raw);
    let plain = serde_json::to_vec(pending).or_internal()?;
    app.store
        .create_auth_session(&AuthSession {
            session_hash: state_hash(&state),
            pool_id: site.pool_id().to_owned(),
            doc: app
                .master_key
                .seal(app.rng.as_ref(), &state_context(site.pool_id()), &plain),
            expires_at: app.now() + STATE_SECONDS,
        })
        .await
        .or_internal()?;
    Ok(state)
}

/// Takes (once) what waits under `state`.
pub(crate) async fn take_pending(
    app: &App,
    site: &Site,
    state: &str,
) -> Result<Option<Pending>, ApiError> {
    let Some(session) = app
        .store
        .take_auth_session(&state_hash(state))
        .await
        .or_internal()?
    else {
        return Ok(None);
    };
    if session.pool_id != site.pool_id()
        || session.doc.is_empty()
        || app.now() >= session.expires_at
    {
        return Ok(None);
    }
    Ok(app
        .master_key
        .open(&state_context(site.pool_id()), &session.doc)
        .ok()
        .and_then(|plain| serde_json::from_slice(&plain).ok()))
}

/// `GET /oauth2/idpresponse`: the provider's answer.
pub(crate) async fn idp_response(
    State(app): State<Arc<App>>,
    site: Site,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    answered(&app, &site, &headers, &query).await
}

/// `POST /oauth2/idpresponse`: the answer of a provider that posts it (Sign in with Apple's
/// `form_post`).
pub(crate) async fn idp_response_posted(
    State(app): State<Arc<App>>,
    site: Site,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    answered(&app, &site, &headers, &form).await
}

async fn answered(
    app: &App,
    site: &Site,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Response {
    let state = query.get("state").map(String::as_str).unwrap_or("");
    let pending = match take_pending(app, site, state).await {
        Ok(Some(p)) => p,
        Ok(None) => return error_page(app, site, headers, Some("invalid_request")).await,
        Err(e) => return protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR),
    };
    let request = match check(app, site, &pending.params).await {
        Ok(r) => r,
        Err(refusal) => return refused(app, site, headers, &pending.params, refusal).await,
    };
    let back = |description: &str| {
        let mut pairs = vec![
            ("error_description", description),
            ("error", "invalid_request"),
        ];
        pairs.extend(request.state.as_deref().map(|s| ("state", s)));
        let fragment = request.response_type == ResponseType::Token;
        redirect(
            &with_params(&request.redirect_uri, fragment, &pairs),
            Vec::new(),
        )
    };
    if let Some(error) = query.get("error") {
        return back(&format!(
            "The identity provider refused the sign-in: {error}"
        ));
    }
    let Some(code) = query.get("code") else {
        return back("The identity provider sent no code.");
    };
    match finish(app, site, &request, &pending, code).await {
        Ok(Ok(response)) => response,
        Ok(Err(oidc::Refused(why))) => back(&why),
        Err(e) if e.code == ironpool_api::ErrorCode::InternalErrorException => {
            protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR)
        }
        Err(e) => back(&e.message),
    }
}

async fn finish(
    app: &App,
    site: &Site,
    request: &AuthRequest,
    pending: &Pending,
    code: &str,
) -> Result<Result<Response, oidc::Refused>, ApiError> {
    let Some(idp) = provider(app, site.pool_id(), &pending.provider).await? else {
        return Ok(Err(oidc::Refused(
            "The identity provider does not exist.".into(),
        )));
    };
    let details = idp.provider_details.clone().unwrap_or_default();
    let redirect_uri = format!("{}/oauth2/idpresponse", site.url);
    let mapping = idp.attribute_mapping.clone().unwrap_or_default();
    let mapped: Vec<&str> = mapping.values().map(String::as_str).collect();
    let answer = oidc::Answer {
        code,
        nonce: &pending.nonce,
        redirect_uri: &redirect_uri,
        mapped: &mapped,
    };
    let claims = async {
        let endpoints = oidc::endpoints(app, &details).await?;
        oidc::claims(app, &endpoints, &details, &answer).await
    };
    let (claims, raw) = match claims.await {
        Ok(told) => told,
        Err(refused) => return Ok(Err(refused)),
    };
    let user_claim = mapping.get("username").map_or("sub", String::as_str);
    let Some(user_id) = claims.get(user_claim).and_then(claim_text) else {
        let why = format!("The identity provider sent no {user_claim}.");
        return Ok(Err(oidc::Refused(why)));
    };
    let told = Federated {
        user_id,
        claims,
        raw,
        saml: None,
    };
    signed_in(app, site, request, &idp, &told).await.map(Ok)
}

/// What an identity provider told of its user: the user's id, the claims to map, and the
/// attributes as the provider sent them (for the InboundFederation trigger).
pub(crate) struct Federated {
    pub user_id: String,
    pub claims: Map<String, Value>,
    pub raw: Value,
    /// A SAML provider's NameID and SessionIndex.
    pub saml: Option<(String, Option<String>)>,
}

/// The end of a sign-in through a provider: its user in the pool, tokens, the SSO session.
pub(crate) async fn signed_in(
    app: &App,
    site: &Site,
    request: &AuthRequest,
    idp: &IdentityProviderType,
    told: &Federated,
) -> Result<Response, ApiError> {
    let user = federated_user(app, &site.pool, &request.client_id, idp, told).await?;
    let grant = OAuthGrant {
        scopes: request.scopes.clone(),
        nonce: request.nonce.clone(),
        auth_time: None,
    };
    let generation = Generation {
        pool: &site.pool,
        source: "TokenGeneration_HostedAuth",
        client_metadata: None,
        oauth: Some(&grant),
    };
    let result = issue(app, &generation, &request.client.client, &user, None).await?;
    let mut sso = new_sso(app, &user.username, &user.sub);
    sso.saml = told
        .saml
        .as_ref()
        .map(|(name_id, session_index)| SamlLogin {
            provider: idp.provider_name.clone().unwrap_or_default(),
            name_id: name_id.clone(),
            session_index: session_index.clone(),
        });
    complete(app, site, request, result, sso).await
}

/// A claim as an attribute value: strings as they are, anything else as JSON.
pub(crate) fn claim_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The pool's user for the provider's user: created on the first sign-in (after
/// PreSignUp_ExternalProvider), its mapped attributes (after the InboundFederation trigger)
/// brought up to date on every one.
pub(crate) async fn federated_user(
    app: &App,
    pool: &UserPoolType,
    client_id: &str,
    idp: &IdentityProviderType,
    told: &Federated,
) -> Result<User, ApiError> {
    let provider = idp.provider_name.clone().unwrap_or_default();
    let user_id = told.user_id.as_str();
    let username = format!("{provider}_{user_id}");
    let source = triggers::Source {
        trigger: triggers::Trigger::InboundFederation,
        source: "InboundFederation_ExternalProvider",
        user_name: Some(&username),
        client_id: Some(client_id),
    };
    let transformed = triggers::inbound_federation(app, pool, idp, source, &told.raw).await?;
    let claims = transformed.as_ref().unwrap_or(&told.claims);
    let mapping = idp.attribute_mapping.clone().unwrap_or_default();
    let mut mapped = BTreeMap::new();
    for (attribute, claim) in &mapping {
        if attribute == "username" || schema_entry(pool, attribute).is_none() {
            continue;
        }
        if let Some(value) = claims.get(claim).and_then(claim_text) {
            mapped.insert(attribute.clone(), value);
        }
    }
    let pool_id = pool.id.as_deref().unwrap_or_default();
    if let Some(linked) = linked_user(app, pool_id, &provider, user_id).await? {
        crate::ops::auth::check_can_sign_in(&linked)?;
        return Ok(linked);
    }
    for _ in 0..crate::ops::versioned::ATTEMPTS {
        if let Some(mut user) = app.store.get_user(pool_id, &username).await.or_internal()? {
            crate::ops::auth::check_can_sign_in(&user)?;
            if mapped
                .iter()
                .all(|(k, v)| user.attributes.get(k) == Some(v))
            {
                return Ok(user);
            }
            user.attributes.extend(mapped.clone());
            user.modified = app.now();
            match app.store.update_user(&user).await.or_internal()? {
                Ok(true) => {
                    user.version += 1;
                    return Ok(user);
                }
                Ok(false) => continue,
                Err(_) => {
                    return Err(ApiError::invalid_parameter(
                        "An attribute value is taken by another user.",
                    ))
                }
            }
        }
        let provider_type = idp.provider_type.unwrap_or_default();
        let identity = json!([{
            "userId": user_id,
            "providerName": provider,
            "providerType": provider_type.as_str(),
            "issuer": null,
            "primary": "true",
            "dateCreated": ((app.now() * 1000.0) as i64).to_string(),
        }]);
        let mut attributes = mapped.clone();
        attributes.insert("identities".into(), identity.to_string());
        let sub = ids::uuid_v4(app.rng.as_ref());
        attributes.insert("sub".into(), sub.clone());
        let user = User::new(
            pool_id.to_owned(),
            (username.clone(), sub),
            attributes,
            UserStatusType::ExternalProvider,
            app.now(),
        );
        triggers::pre_sign_up(
            app,
            pool,
            "PreSignUp_ExternalProvider",
            &user,
            Some(client_id),
            None,
        )
        .await?;
        match app
            .store
            .create_user_if_absent(&user, false)
            .await
            .or_internal()?
        {
            Ok(()) => return Ok(user),
            Err(_) => continue,
        }
    }
    Err(crate::ops::versioned::too_many_requests())
}
