//! Identity providers: CreateIdentityProvider, DescribeIdentityProvider,
//! UpdateIdentityProvider, DeleteIdentityProvider, ListIdentityProviders,
//! GetIdentityProviderByIdentifier.
//!
//! Stored as `IdentityProviderType` under `Kind::IdentityProvider`, keyed by provider name;
//! the per-type rules for ProviderDetails live in `identity_provider_details`.

use super::identity_provider_details::{self as details, Details};
use super::pages::resource_page;
use super::user_pools::get_pool;
use super::versioned::modify;
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_store::{Kind, ResourcesExt, StoreError};
use std::collections::{BTreeMap, HashSet};

/// Cognito's quota of identity providers per user pool.
const MAX_PROVIDERS_PER_POOL: usize = 300;

fn not_found(name: &str) -> ApiError {
    ApiError::resource_not_found(format!("Identity provider {name} does not exist."))
}

/// The stored provider as a client sees it: Apple's private key withheld, and
/// AttributeMapping and IdpIdentifiers always present.
fn visible(idp: IdentityProviderType) -> IdentityProviderType {
    let t = idp.provider_type.unwrap_or_default();
    IdentityProviderType {
        provider_details: idp
            .provider_details
            .as_ref()
            .map(|d| details::visible(t, d)),
        attribute_mapping: Some(idp.attribute_mapping.clone().unwrap_or_default()),
        idp_identifiers: Some(idp.idp_identifiers.clone().unwrap_or_default()),
        ..idp
    }
}

async fn all_providers(app: &App, pool_id: &str) -> Result<Vec<IdentityProviderType>, ApiError> {
    Ok(app
        .store
        .list::<IdentityProviderType>(
            Kind::IdentityProvider,
            pool_id,
            None,
            MAX_PROVIDERS_PER_POOL + 1,
        )
        .await
        .or_internal()?
        .into_iter()
        .map(|(_, v)| v)
        .collect())
}

/// Identifiers are unique within the list and across the pool's other providers.
fn check_identifiers(
    name: &str,
    identifiers: &[String],
    others: &[IdentityProviderType],
    in_use: ErrorCode,
) -> Result<(), ApiError> {
    let mut seen = HashSet::new();
    for id in identifiers {
        if !seen.insert(id.as_str()) {
            return Err(ApiError::invalid_parameter(format!(
                "Duplicate identifier {id} in IdpIdentifiers."
            )));
        }
        if let Some(other) = others.iter().find(|p| {
            p.provider_name.as_deref() != Some(name)
                && p.idp_identifiers
                    .as_ref()
                    .is_some_and(|ids| ids.contains(id))
        }) {
            return Err(ApiError::new(
                in_use,
                format!(
                    "Identifier {id} is already used by the identity provider {}.",
                    other.provider_name.as_deref().unwrap_or_default()
                ),
            ));
        }
    }
    Ok(())
}

fn with_username(
    t: IdentityProviderTypeType,
    mut mapping: BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    if let Some(claim) = details::default_username_claim(t) {
        mapping
            .entry("username".into())
            .or_insert_with(|| claim.into());
    }
    mapping
}

fn check_acr(
    t: IdentityProviderTypeType,
    acr: &Option<BTreeMap<String, String>>,
) -> Result<(), ApiError> {
    if acr.as_ref().is_some_and(|m| !m.is_empty()) && t != IdentityProviderTypeType::Oidc {
        return Err(ApiError::invalid_parameter(
            "AcrMapping is only supported for OIDC identity providers.",
        ));
    }
    Ok(())
}

/// Social providers must be named after their type, Cognito fills in each type's endpoint
/// URLs and a `username` attribute mapping, and an IdP identifier may serve one provider only.
pub async fn create_identity_provider(
    app: &App,
    input: CreateIdentityProviderRequest,
) -> Result<CreateIdentityProviderResponse, ApiError> {
    let pool_id = input.user_pool_id;
    get_pool(app, &pool_id).await?;
    let t = input.provider_type;
    let name = input.provider_name;
    details::check_name(&name, t)?;
    check_acr(t, &input.acr_mapping)?;
    let provider_details = details::complete(t, input.provider_details, None)?;
    let others = all_providers(app, &pool_id).await?;
    if others
        .iter()
        .any(|p| p.provider_name.as_deref() == Some(&name))
    {
        return Err(duplicate(&name));
    }
    if others.len() >= MAX_PROVIDERS_PER_POOL {
        return Err(ApiError::new(
            ErrorCode::LimitExceededException,
            format!("The user pool has reached its limit of {MAX_PROVIDERS_PER_POOL} identity providers."),
        ));
    }
    let identifiers = input.idp_identifiers.unwrap_or_default();
    check_identifiers(
        &name,
        &identifiers,
        &others,
        ErrorCode::DuplicateProviderException,
    )?;
    let now = app.now();
    let idp = IdentityProviderType {
        user_pool_id: Some(pool_id.clone()),
        provider_name: Some(name.clone()),
        provider_type: Some(t),
        provider_details: Some(provider_details),
        attribute_mapping: Some(with_username(
            t,
            input.attribute_mapping.unwrap_or_default(),
        )),
        idp_identifiers: Some(identifiers),
        acr_mapping: input.acr_mapping,
        last_modified_date: Some(now),
        creation_date: Some(now),
    };
    match app
        .store
        .create(Kind::IdentityProvider, &pool_id, &name, &idp)
        .await
    {
        Ok(()) => Ok(CreateIdentityProviderResponse {
            identity_provider: visible(idp),
        }),
        Err(StoreError::Conflict) => Err(duplicate(&name)),
        Err(e) => Err(e).or_internal(),
    }
}

fn duplicate(name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::DuplicateProviderException,
        format!("A provider with the name {name} already exists in this user pool."),
    )
}

async fn get_provider(
    app: &App,
    pool_id: &str,
    name: &str,
) -> Result<IdentityProviderType, ApiError> {
    get_pool(app, pool_id).await?;
    app.store
        .get::<IdentityProviderType>(Kind::IdentityProvider, pool_id, name)
        .await
        .or_internal()?
        .ok_or_else(|| not_found(name))
}

pub async fn describe_identity_provider(
    app: &App,
    input: DescribeIdentityProviderRequest,
) -> Result<DescribeIdentityProviderResponse, ApiError> {
    let idp = get_provider(app, &input.user_pool_id, &input.provider_name).await?;
    Ok(DescribeIdentityProviderResponse {
        identity_provider: visible(idp),
    })
}

/// Each member sent replaces the stored one whole (ProviderDetails too, re-validated and
/// re-completed); omitted members stay, and Apple's private key carries over when omitted.
pub async fn update_identity_provider(
    app: &App,
    input: UpdateIdentityProviderRequest,
) -> Result<UpdateIdentityProviderResponse, ApiError> {
    let pool_id = input.user_pool_id;
    let name = input.provider_name;
    let idp = get_provider(app, &pool_id, &name).await?;
    let t = idp.provider_type.unwrap_or_default();
    check_acr(t, &input.acr_mapping)?;
    if let Some(identifiers) = &input.idp_identifiers {
        let others = all_providers(app, &pool_id).await?;
        check_identifiers(
            &name,
            identifiers,
            &others,
            ErrorCode::InvalidParameterException,
        )?;
    }
    let idp = modify(app, Kind::IdentityProvider, &pool_id, &name, |idp| {
        let mut idp: IdentityProviderType = idp.ok_or_else(|| not_found(&name))?;
        if let Some(new) = &input.provider_details {
            let previous: Option<&Details> = idp.provider_details.as_ref();
            idp.provider_details = Some(details::complete(t, new.clone(), previous)?);
        }
        if let Some(mapping) = &input.attribute_mapping {
            idp.attribute_mapping = Some(with_username(t, mapping.clone()));
        }
        if input.idp_identifiers.is_some() {
            idp.idp_identifiers = input.idp_identifiers.clone();
        }
        if input.acr_mapping.is_some() {
            idp.acr_mapping = input.acr_mapping.clone();
        }
        idp.last_modified_date = Some(app.now());
        Ok(idp)
    })
    .await?;
    Ok(UpdateIdentityProviderResponse {
        identity_provider: visible(idp),
    })
}

pub async fn delete_identity_provider(
    app: &App,
    input: DeleteIdentityProviderRequest,
) -> Result<Empty, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    if !app
        .store
        .delete_resource(
            Kind::IdentityProvider,
            &input.user_pool_id,
            &input.provider_name,
        )
        .await
        .or_internal()?
    {
        return Err(not_found(&input.provider_name));
    }
    Ok(Empty {})
}

/// `MaxResults` 0..=60 (0 or absent means 60); each entry is a ProviderDescription only.
pub async fn list_identity_providers(
    app: &App,
    input: ListIdentityProvidersRequest,
) -> Result<ListIdentityProvidersResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let limit = match input.max_results {
        Some(n) if n > 0 => n as usize,
        _ => 60,
    };
    let (providers, next_token) = resource_page::<IdentityProviderType>(
        app,
        Kind::IdentityProvider,
        &input.user_pool_id,
        input.next_token.as_deref(),
        limit,
    )
    .await?;
    Ok(ListIdentityProvidersResponse {
        providers: providers
            .into_iter()
            .map(|p| ProviderDescription {
                provider_name: p.provider_name,
                provider_type: p.provider_type,
                last_modified_date: p.last_modified_date,
                creation_date: p.creation_date,
            })
            .collect(),
        next_token,
    })
}

/// Finds the provider whose IdpIdentifiers hold the identifier (exact match).
pub async fn get_identity_provider_by_identifier(
    app: &App,
    input: GetIdentityProviderByIdentifierRequest,
) -> Result<GetIdentityProviderByIdentifierResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let found = all_providers(app, &input.user_pool_id)
        .await?
        .into_iter()
        .find(|p| {
            p.idp_identifiers
                .as_ref()
                .is_some_and(|ids| ids.contains(&input.idp_identifier))
        })
        .ok_or_else(|| {
            ApiError::resource_not_found(format!(
                "Identity provider with identifier {} does not exist.",
                input.idp_identifier
            ))
        })?;
    Ok(GetIdentityProviderByIdentifierResponse {
        identity_provider: visible(found),
    })
}
