//! Resource servers: CreateResourceServer, DescribeResourceServer, UpdateResourceServer,
//! DeleteResourceServer, ListResourceServers.
//!
//! Stored as `ResourceServerType` under `Kind::ResourceServer`, keyed by identifier.

use super::pages::resource_page;
use super::user_pools::get_pool;
use super::versioned::modify;
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_store::{Kind, ResourcesExt, StoreError};
use std::collections::HashSet;

/// Cognito's quota of resource servers per user pool.
const MAX_RESOURCE_SERVERS_PER_POOL: u64 = 25;

fn not_found(identifier: &str) -> ApiError {
    ApiError::resource_not_found(format!("Resource server {identifier} does not exist."))
}

/// Scope names are unique within a server; the model already caps the list at 100.
fn check_scopes(scopes: &[ResourceServerScopeType]) -> Result<(), ApiError> {
    let mut seen = HashSet::new();
    for scope in scopes {
        if !seen.insert(scope.scope_name.as_str()) {
            return Err(ApiError::invalid_parameter(format!(
                "Duplicate scope name {} in the resource server's scopes.",
                scope.scope_name
            )));
        }
    }
    Ok(())
}

async fn get_server(
    app: &App,
    pool_id: &str,
    identifier: &str,
) -> Result<ResourceServerType, ApiError> {
    get_pool(app, pool_id).await?;
    app.store
        .get::<ResourceServerType>(Kind::ResourceServer, pool_id, identifier)
        .await
        .or_internal()?
        .ok_or_else(|| not_found(identifier))
}

/// The identifier is unique per pool (a second one is InvalidParameterException, not a
/// conflict type); Scopes default to an empty list, which is what Describe returns.
pub async fn create_resource_server(
    app: &App,
    input: CreateResourceServerRequest,
) -> Result<CreateResourceServerResponse, ApiError> {
    let pool_id = input.user_pool_id;
    get_pool(app, &pool_id).await?;
    let scopes = input.scopes.unwrap_or_default();
    check_scopes(&scopes)?;
    if app
        .store
        .count_resources(Kind::ResourceServer, &pool_id)
        .await
        .or_internal()?
        >= MAX_RESOURCE_SERVERS_PER_POOL
    {
        return Err(ApiError::new(
            ErrorCode::LimitExceededException,
            format!(
                "The user pool has reached its limit of {MAX_RESOURCE_SERVERS_PER_POOL} resource servers."
            ),
        ));
    }
    let server = ResourceServerType {
        user_pool_id: Some(pool_id.clone()),
        identifier: Some(input.identifier.clone()),
        name: Some(input.name),
        scopes: Some(scopes),
        managed_by: None,
    };
    match app
        .store
        .create(Kind::ResourceServer, &pool_id, &input.identifier, &server)
        .await
    {
        Ok(()) => Ok(CreateResourceServerResponse {
            resource_server: server,
        }),
        Err(StoreError::Conflict) => Err(ApiError::invalid_parameter(format!(
            "{} already exists in user pool {pool_id}.",
            input.identifier
        ))),
        Err(e) => Err(e).or_internal(),
    }
}

pub async fn describe_resource_server(
    app: &App,
    input: DescribeResourceServerRequest,
) -> Result<DescribeResourceServerResponse, ApiError> {
    Ok(DescribeResourceServerResponse {
        resource_server: get_server(app, &input.user_pool_id, &input.identifier).await?,
    })
}

/// A full replacement: omitted Scopes clear every scope ("set to the default value").
pub async fn update_resource_server(
    app: &App,
    input: UpdateResourceServerRequest,
) -> Result<UpdateResourceServerResponse, ApiError> {
    get_server(app, &input.user_pool_id, &input.identifier).await?;
    let scopes = input.scopes.unwrap_or_default();
    check_scopes(&scopes)?;
    let (pool_id, identifier) = (&input.user_pool_id, &input.identifier);
    let server = modify(app, Kind::ResourceServer, pool_id, identifier, |server| {
        let mut server: ResourceServerType = server.ok_or_else(|| not_found(identifier))?;
        server.name = Some(input.name.clone());
        server.scopes = Some(scopes.clone());
        Ok(server)
    })
    .await?;
    Ok(UpdateResourceServerResponse {
        resource_server: server,
    })
}

pub async fn delete_resource_server(
    app: &App,
    input: DeleteResourceServerRequest,
) -> Result<Empty, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    if !app
        .store
        .delete_resource(Kind::ResourceServer, &input.user_pool_id, &input.identifier)
        .await
        .or_internal()?
    {
        return Err(not_found(&input.identifier));
    }
    Ok(Empty {})
}

/// `MaxResults` 1..=50 (absent means 50), in identifier order, with an opaque `NextToken`.
pub async fn list_resource_servers(
    app: &App,
    input: ListResourceServersRequest,
) -> Result<ListResourceServersResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let limit = input.max_results.filter(|n| *n > 0).unwrap_or(50) as usize;
    let (resource_servers, next_token) = resource_page::<ResourceServerType>(
        app,
        Kind::ResourceServer,
        &input.user_pool_id,
        input.next_token.as_deref(),
        limit,
    )
    .await?;
    Ok(ListResourceServersResponse {
        resource_servers,
        next_token,
    })
}
