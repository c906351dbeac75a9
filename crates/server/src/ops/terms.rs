//! Terms documents of managed login: CreateTerms, DescribeTerms, DescribeTermsByClient,
//! UpdateTerms, DeleteTerms, ListTerms.
//!
//! Each app client has at most one document of each name (`terms-of-use`,
//! `privacy-policy`), each a map of managed-login language to URL.

use super::app_client_ref::require_client;
use super::user_pools::get_pool;
use super::versioned::modify;
use super::{decode_token, encode_token};
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_core::ids;
use ironpool_store::{Kind, ResourcesExt, StoreError};
use std::collections::BTreeMap;

fn terms_not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("Terms {id} does not exist."))
}

fn terms_exist(name: &str, client_id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::TermsExistsException,
        format!("Terms {name} already exist for client {client_id}."),
    )
}

/// Every terms document of the pool (a pool holds at most two per app client).
async fn all_terms(app: &App, pool_id: &str) -> Result<Vec<TermsType>, ApiError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .store
            .list::<TermsType>(Kind::Terms, pool_id, after.as_deref(), 100)
            .await
            .or_internal()?;
        let done = page.len() < 100;
        after = page.last().map(|(k, _)| k.clone());
        out.extend(page.into_iter().map(|(_, t)| t));
        if done {
            return Ok(out);
        }
    }
}

async fn find_by_client(
    app: &App,
    pool_id: &str,
    client_id: &str,
    name: &str,
) -> Result<Option<TermsType>, ApiError> {
    Ok(all_terms(app, pool_id)
        .await?
        .into_iter()
        .find(|t| t.client_id.expose() == client_id && t.terms_name == name))
}

fn check_links(
    source: TermsSourceType,
    links: Option<&BTreeMap<String, String>>,
) -> Result<(), ApiError> {
    match (source, links) {
        (TermsSourceType::Link, None) => Err(ApiError::invalid_parameter(
            "Links are required when TermsSource is LINK.",
        )),
        _ => Ok(()),
    }
}

/// One document per name and app client: a second `terms-of-use` for the same client is
/// TermsExistsException, not a replacement.
pub async fn create_terms(
    app: &App,
    input: CreateTermsRequest,
) -> Result<CreateTermsResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let client_id = input.client_id.expose().clone();
    require_client(app, &input.user_pool_id, &client_id).await?;
    check_links(input.terms_source, input.links.as_ref())?;
    if find_by_client(app, &input.user_pool_id, &client_id, &input.terms_name)
        .await?
        .is_some()
    {
        return Err(terms_exist(&input.terms_name, &client_id));
    }
    let now = app.now();
    let terms = TermsType {
        terms_id: ids::uuid_v4(app.rng.as_ref()),
        user_pool_id: input.user_pool_id.clone(),
        client_id: input.client_id,
        terms_name: input.terms_name,
        terms_source: input.terms_source,
        enforcement: input.enforcement,
        links: input.links.unwrap_or_default(),
        creation_date: now,
        last_modified_date: now,
    };
    match app
        .store
        .create(Kind::Terms, &input.user_pool_id, &terms.terms_id, &terms)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict) => return Err(terms_exist(&terms.terms_name, &client_id)),
        Err(e) => return Err(e).or_internal(),
    }
    Ok(CreateTermsResponse { terms: Some(terms) })
}

async fn get_terms(app: &App, pool_id: &str, terms_id: &str) -> Result<TermsType, ApiError> {
    get_pool(app, pool_id).await?;
    app.store
        .get::<TermsType>(Kind::Terms, pool_id, terms_id)
        .await
        .or_internal()?
        .ok_or_else(|| terms_not_found(terms_id))
}

/// Found by id within the pool only; an id of another pool is ResourceNotFoundException.
pub async fn describe_terms(
    app: &App,
    input: DescribeTermsRequest,
) -> Result<DescribeTermsResponse, ApiError> {
    let terms = get_terms(app, &input.user_pool_id, &input.terms_id).await?;
    Ok(DescribeTermsResponse { terms: Some(terms) })
}

/// Looks the document up by app client and name; the client must exist.
pub async fn describe_terms_by_client(
    app: &App,
    input: DescribeTermsByClientRequest,
) -> Result<DescribeTermsByClientResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let client_id = input.client_id.expose();
    require_client(app, &input.user_pool_id, client_id).await?;
    let terms = find_by_client(app, &input.user_pool_id, client_id, &input.terms_name)
        .await?
        .ok_or_else(|| {
            ApiError::resource_not_found(format!(
                "Terms {} do not exist for client {client_id}.",
                input.terms_name
            ))
        })?;
    Ok(DescribeTermsByClientResponse { terms: Some(terms) })
}

/// Changes only what the request names; renaming onto a name the client already has is
/// TermsExistsException.
pub async fn update_terms(
    app: &App,
    input: UpdateTermsRequest,
) -> Result<UpdateTermsResponse, ApiError> {
    let terms = get_terms(app, &input.user_pool_id, &input.terms_id).await?;
    if let Some(name) = &input.terms_name {
        if *name != terms.terms_name {
            let client_id = terms.client_id.expose().clone();
            if find_by_client(app, &input.user_pool_id, &client_id, name)
                .await?
                .is_some()
            {
                return Err(terms_exist(name, &client_id));
            }
        }
    }
    let (pool_id, terms_id) = (&input.user_pool_id, &input.terms_id);
    let terms = modify(app, Kind::Terms, pool_id, terms_id, |terms| {
        let mut terms: TermsType = terms.ok_or_else(|| terms_not_found(terms_id))?;
        if let Some(name) = &input.terms_name {
            terms.terms_name = name.clone();
        }
        if let Some(source) = input.terms_source {
            terms.terms_source = source;
        }
        if let Some(enforcement) = input.enforcement {
            terms.enforcement = enforcement;
        }
        if let Some(links) = &input.links {
            terms.links = links.clone();
        }
        terms.last_modified_date = app.now();
        Ok(terms)
    })
    .await?;
    Ok(UpdateTermsResponse { terms: Some(terms) })
}

/// ResourceNotFoundException when the id is not in the pool.
pub async fn delete_terms(app: &App, input: DeleteTermsRequest) -> Result<Empty, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let deleted = app
        .store
        .delete_resource(Kind::Terms, &input.user_pool_id, &input.terms_id)
        .await
        .or_internal()?;
    if !deleted {
        return Err(terms_not_found(&input.terms_id));
    }
    Ok(Empty {})
}

/// Descriptions only (no links or client); up to MaxResults (default 60) per page.
pub async fn list_terms(app: &App, input: ListTermsRequest) -> Result<ListTermsResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let after = input.next_token.as_deref().map(decode_token).transpose()?;
    let limit = input.max_results.unwrap_or(60).max(1) as usize;
    let mut page = app
        .store
        .list::<TermsType>(
            Kind::Terms,
            &input.user_pool_id,
            after.as_deref(),
            limit + 1,
        )
        .await
        .or_internal()?;
    let next_token = if page.len() > limit {
        page.truncate(limit);
        page.last().map(|(k, _)| encode_token(k))
    } else {
        None
    };
    Ok(ListTermsResponse {
        terms: page
            .into_iter()
            .map(|(_, t)| TermsDescriptionType {
                terms_id: t.terms_id,
                terms_name: t.terms_name,
                enforcement: t.enforcement,
                creation_date: t.creation_date,
                last_modified_date: t.last_modified_date,
            })
            .collect(),
        next_token,
    })
}
