//! Signing in through a SAML 2.0 identity provider: the AuthnRequest (redirect binding, the
//! sign-in's state as RelayState), the Response posted to `/saml2/idpresponse` (its signature
//! verified by xmlsec with the certificate of the provider's metadata, never by reading the
//! XML ourselves; IdP-initiated where the provider allows it with IDPInit), the pool's SP
//! metadata at `/saml2/metadata`, and single logout: `/logout` sends a LogoutRequest to a
//! provider whose IDPSignout is set, and `/saml2/logout` takes its LogoutResponse, or its own
//! LogoutRequest, which it answers.

use super::federation::{
    claim_text, keep_pending, provider, signed_in, take_pending, Federated, Pending,
};
use super::grant::{redirect, sso_cleared, SamlLogin};
use super::oidc::Refused;
use super::pages::{error_page, refused};
use super::request::{check, with_params, Params, ResponseType};
use super::site::Site;
use crate::app::{App, OrInternal};
use crate::protocol;
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ironpool_api::types::{IdentityProviderType, IdentityProviderTypeType};
use ironpool_api::ApiError;
use ironpool_core::saml::{self, IdpMetadata};
use ironpool_store::{Kind, ResourcesExt};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::Arc;

/// The pool's entity ID as a service provider, as Cognito's.
fn sp_entity_id(site: &Site) -> String {
    format!("urn:amazon:cognito:sp:{}", site.pool_id())
}

fn acs(site: &Site) -> String {
    format!("{}/saml2/idpresponse", site.url)
}

/// The provider's metadata: MetadataFile, or what MetadataURL serves.
async fn metadata(app: &App, details: &BTreeMap<String, String>) -> Result<IdpMetadata, Refused> {
    let xml = match (details.get("MetadataFile"), details.get("MetadataURL")) {
        (Some(file), _) if !file.is_empty() => file.clone(),
        (_, Some(url)) if !url.is_empty() => {
            let response = app
                .web
                .get(url)
                .send()
                .await
                .map_err(|e| Refused(format!("{url} could not be reached: {e}")))?;
            response
                .text()
                .await
                .map_err(|e| Refused(format!("{url} could not be read: {e}")))?
        }
        _ => return Err(Refused("the provider has no metadata".into())),
    };
    saml::parse_metadata(&xml).map_err(|e| Refused(format!("the provider's metadata: {}", e.0)))
}

/// Sends the user to the provider's SSO service with an AuthnRequest.
pub(crate) async fn start(
    app: &App,
    site: &Site,
    params: &Params,
    name: &str,
    details: &BTreeMap<String, String>,
) -> Result<Result<Response, Refused>, ApiError> {
    let metadata = match metadata(app, details).await {
        Ok(m) => m,
        Err(refused) => return Ok(Err(refused)),
    };
    let Some(sso) = metadata.sso_redirect else {
        return Ok(Err(Refused(
            "the provider's metadata has no SSO service with the HTTP-Redirect binding".into(),
        )));
    };
    let id = message_id(app);
    let pending = Pending {
        params: params.clone(),
        provider: name.to_owned(),
        nonce: String::new(),
        request_id: Some(id.clone()),
        after_logout: None,
    };
    let state = keep_pending(app, site, &pending).await?;
    let xml = saml::authn_request(&id, app.now(), &sso, &acs(site), &sp_entity_id(site));
    let location = with_params(
        &sso,
        false,
        &[
            ("SAMLRequest", &saml::redirect_encode(&xml)),
            ("RelayState", &state),
        ],
    );
    Ok(Ok(redirect(&location, Vec::new())))
}

/// Verifies the signature of the signed part of `xml` with one of the provider's
/// certificates, by xmlsec (the `xmlsec1` program, as pysaml2 uses it).
async fn verify_signature(xml: &str, certificates: &[String]) -> Result<(), Refused> {
    let part = saml::signed_part(xml).map_err(|e| Refused(e.0))?;
    let namespace = match part.element {
        "Assertion" => saml::NS_ASSERTION,
        _ => saml::NS_PROTOCOL,
    };
    let mut document = tempfile::NamedTempFile::new().map_err(|e| Refused(e.to_string()))?;
    document
        .write_all(xml.as_bytes())
        .map_err(|e| Refused(e.to_string()))?;
    for certificate in certificates {
        let mut pem = tempfile::NamedTempFile::new().map_err(|e| Refused(e.to_string()))?;
        pem.write_all(saml::certificate_pem(certificate).as_bytes())
            .map_err(|e| Refused(e.to_string()))?;
        let output = tokio::process::Command::new("xmlsec1")
            .arg("--verify")
            .args(["--enabled-reference-uris", "empty,same-doc"])
            .args(["--enabled-key-data", "raw-x509-cert"])
            .arg("--pubkey-cert-pem")
            .arg(pem.path())
            .arg("--id-attr:ID")
            .arg(format!("{namespace}:{}", part.element))
            .args(["--node-id", &part.id])
            .arg(document.path())
            .output()
            .await
            .map_err(|e| {
                Refused(format!(
                    "SAML sign-in needs xmlsec1 (Debian's package xmlsec1): {e}"
                ))
            })?;
        if output.status.success() {
            return Ok(());
        }
    }
    Err(Refused(
        "the SAML response's signature does not verify with the provider's certificate".into(),
    ))
}

/// The Assertion's attributes as claims: one value as it is, several joined by commas.
fn claims_of(assertion: &saml::Assertion) -> Map<String, Value> {
    assertion
        .attributes
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.join(","))))
        .collect()
}

/// `POST /saml2/idpresponse`: the provider's Response (HTTP-POST binding).
pub(crate) async fn idp_response(
    State(app): State<Arc<App>>,
    site: Site,
    headers: HeaderMap,
    Query(query): Query<Params>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let pending = match form.get("RelayState").filter(|s| !s.is_empty()) {
        Some(state) => match take_pending(&app, &site, state).await {
            Ok(found) => found,
            Err(e) => return protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR),
        },
        None => None,
    };
    // Without a sign-in of ours, a sign-in the provider started: the authorization request
    // is in the ACS URL's query, and the provider must allow it (IDPInit).
    let (params, provider_name, request_id) = match pending {
        Some(p) => (p.params, p.provider, p.request_id),
        None => match query.identity_provider.clone() {
            Some(name) => (query, name, None),
            None => return error_page(&app, &site, &headers, Some("invalid_request")).await,
        },
    };
    let request = match check(&app, &site, &params).await {
        Ok(r) => r,
        Err(refusal) => return refused(&app, &site, &headers, &params, refusal).await,
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
    let idp = match provider(&app, site.pool_id(), &provider_name).await {
        Ok(Some(idp)) => idp,
        Ok(None) => return back("The identity provider does not exist."),
        Err(e) => return protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR),
    };
    let details = idp.provider_details.clone().unwrap_or_default();
    if request_id.is_none() && details.get("IDPInit").map(String::as_str) != Some("true") {
        return back("The identity provider may not start a sign-in (IDPInit is not set).");
    }
    match assertion(&app, &site, &idp, &form, request_id.as_deref()).await {
        Ok(told) => match signed_in(&app, &site, &request, &idp, &told).await {
            Ok(response) => response,
            Err(e) if e.code == ironpool_api::ErrorCode::InternalErrorException => {
                protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR)
            }
            Err(e) => back(&e.message),
        },
        Err(Refused(why)) => back(&why),
    }
}

/// The verified Assertion of a posted Response: the provider user's id (the mapped
/// `username` attribute, else the NameID) and its attributes.
async fn assertion(
    app: &App,
    site: &Site,
    idp: &IdentityProviderType,
    form: &HashMap<String, String>,
    request_id: Option<&str>,
) -> Result<Federated, Refused> {
    let encoded = form
        .get("SAMLResponse")
        .ok_or_else(|| Refused("no SAMLResponse was posted".into()))?;
    let xml = B64
        .decode(encoded.split_whitespace().collect::<String>())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| Refused("the SAMLResponse is not base64 of UTF-8 XML".into()))?;
    let details = idp.provider_details.clone().unwrap_or_default();
    let metadata = metadata(app, &details).await?;
    verify_signature(&xml, &metadata.certificates).await?;
    let expect = saml::Expect {
        idp_entity_id: &metadata.entity_id,
        sp_entity_id: &sp_entity_id(site),
        acs: &acs(site),
        in_response_to: request_id,
        now: app.now(),
    };
    let assertion = saml::read_assertion(&xml, &expect).map_err(|e| Refused(e.0))?;
    let claims = claims_of(&assertion);
    let mapping = idp.attribute_mapping.clone().unwrap_or_default();
    let user_id = match mapping.get("username") {
        Some(attribute) => claims
            .get(attribute)
            .and_then(claim_text)
            .ok_or_else(|| Refused(format!("the Assertion has no {attribute}")))?,
        None => assertion.name_id.clone(),
    };
    let raw = serde_json::json!({ "samlResponse": super::oidc::string_map(&Value::Object(claims.clone())) });
    Ok(Federated {
        user_id,
        claims,
        raw,
        saml: Some((assertion.name_id, assertion.session_index)),
    })
}

/// `GET /saml2/metadata`: the pool's metadata as a service provider.
pub(crate) async fn sp_metadata(site: Site) -> Response {
    let xml = saml::sp_metadata(
        &sp_entity_id(&site),
        &acs(&site),
        &format!("{}/saml2/logout", site.url),
    );
    (
        [(header::CONTENT_TYPE, "application/samlmetadata+xml")],
        xml,
    )
        .into_response()
}

/// Where `/logout` sends a user who signed in through a SAML provider whose IDPSignout is
/// set: to its single logout service with a LogoutRequest (redirect binding), the logout to
/// end at `target` when the provider answers at `/saml2/logout`.
pub(crate) async fn single_logout(
    app: &App,
    site: &Site,
    login: &SamlLogin,
    target: &str,
) -> Result<Option<String>, ApiError> {
    let Some(idp) = provider(app, site.pool_id(), &login.provider).await? else {
        return Ok(None);
    };
    let details = idp.provider_details.clone().unwrap_or_default();
    if details.get("IDPSignout").map(String::as_str) != Some("true") {
        return Ok(None);
    }
    let Ok(Some(slo)) = metadata(app, &details).await.map(|m| m.slo_redirect) else {
        return Ok(None);
    };
    let id = message_id(app);
    let pending = Pending {
        params: Params::default(),
        provider: login.provider.clone(),
        nonce: String::new(),
        request_id: Some(id.clone()),
        after_logout: Some(target.to_owned()),
    };
    let state = keep_pending(app, site, &pending).await?;
    let xml = saml::logout_request(
        &id,
        app.now(),
        &slo,
        &sp_entity_id(site),
        &login.name_id,
        login.session_index.as_deref(),
    );
    Ok(Some(with_params(
        &slo,
        false,
        &[
            ("SAMLRequest", &saml::redirect_encode(&xml)),
            ("RelayState", &state),
        ],
    )))
}

/// A new SAML message ID.
fn message_id(app: &App) -> String {
    let mut raw = [0u8; 16];
    app.rng.fill(&mut raw);
    format!("_{}", hex::encode(raw))
}

/// `GET /saml2/logout`: the provider's LogoutResponse ends the single logout this pool began
/// (on to where `/logout` was to go); its LogoutRequest ends the session here and is
/// answered with a LogoutResponse; without either, the session ends here.
pub(crate) async fn logout(
    State(app): State<Arc<App>>,
    site: Site,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let cleared = vec![sso_cleared(&site)];
    if let Some(encoded) = query.get("SAMLResponse") {
        let state = query.get("RelayState").map(String::as_str).unwrap_or("");
        let pending = match take_pending(&app, &site, state).await {
            Ok(p) => p,
            Err(e) => return protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR),
        };
        let answered = saml::redirect_decode(encoded)
            .and_then(|xml| saml::read_logout(&xml))
            .ok()
            .filter(|m| m.element == "LogoutResponse");
        if let (Some(pending), Some(message)) = (pending, answered) {
            if let Some(target) = pending.after_logout.filter(|_| {
                message.in_response_to.is_some() && message.in_response_to == pending.request_id
            }) {
                return redirect(&target, cleared);
            }
        }
        return error_page(&app, &site, &headers, Some("invalid_request")).await;
    }
    if let Some(encoded) = query.get("SAMLRequest") {
        match idp_logout(&app, &site, encoded, query.get("RelayState")).await {
            Ok(Some(location)) => return redirect(&location, cleared),
            Ok(None) => {}
            Err(e) => return protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "You are signed out.",
    )
        .into_response();
    for cookie in cleared {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The LogoutResponse to a provider's LogoutRequest: where it goes (the provider's single
/// logout service, found by the request's Issuer), if the provider is one of the pool's.
async fn idp_logout(
    app: &App,
    site: &Site,
    encoded: &str,
    relay_state: Option<&String>,
) -> Result<Option<String>, ApiError> {
    let Ok(request) = saml::redirect_decode(encoded).and_then(|xml| saml::read_logout(&xml)) else {
        return Ok(None);
    };
    if request.element != "LogoutRequest" {
        return Ok(None);
    }
    let providers: Vec<(String, IdentityProviderType)> = app
        .store
        .list(Kind::IdentityProvider, site.pool_id(), None, 1000)
        .await
        .or_internal()?;
    for (_, idp) in providers {
        if idp.provider_type != Some(IdentityProviderTypeType::Saml) {
            continue;
        }
        let details = idp.provider_details.clone().unwrap_or_default();
        let Ok(metadata) = metadata(app, &details).await else {
            continue;
        };
        if Some(&metadata.entity_id) != request.issuer.as_ref() {
            continue;
        }
        let Some(slo) = metadata.slo_redirect else {
            return Ok(None);
        };
        let xml = saml::logout_response(
            &message_id(app),
            app.now(),
            &slo,
            &request.id,
            &sp_entity_id(site),
        );
        let mut pairs = vec![("SAMLResponse", saml::redirect_encode(&xml))];
        pairs.extend(relay_state.map(|r| ("RelayState", r.clone())));
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        return Ok(Some(with_params(&slo, false, &pairs)));
    }
    Ok(None)
}
