//! Domains of the hosted UI: CreateUserPoolDomain, DescribeUserPoolDomain,
//! UpdateUserPoolDomain, DeleteUserPoolDomain.
//!
//! A domain is kept as its `DomainDescriptionType` under `Kind::Domain`, keyed by the domain
//! (a prefix, or a custom domain when `CustomDomainConfig` is set), unique across all pools.

use super::user_pools::get_pool;
use super::versioned::modify;
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::ApiError;
use ironpool_core::client::{self as rules, DomainPrefixError};
use ironpool_store::{Kind, ResourcesExt, StoreError};

fn already_taken() -> ApiError {
    ApiError::invalid_parameter("Domain already associated with another user pool.")
}

fn no_such_domain() -> ApiError {
    ApiError::invalid_parameter("No such domain or user pool exists.")
}

fn check_managed_login_version(v: Option<i32>) -> Result<(), ApiError> {
    match v {
        None | Some(1) | Some(2) => Ok(()),
        Some(v) => Err(ApiError::invalid_parameter(format!(
            "Invalid ManagedLoginVersion {v}: the version must be 1 (hosted UI) or 2 (managed \
             login)."
        ))),
    }
}

fn is_custom(d: &DomainDescriptionType) -> bool {
    d.custom_domain_config.is_some()
}

/// Prefixes are lowercase letters, digits and hyphens without `aws`, `amazon` or `cognito`,
/// unique across every pool; a pool has at most one prefix domain and one custom domain.
pub async fn create_user_pool_domain(
    app: &App,
    input: CreateUserPoolDomainRequest,
) -> Result<CreateUserPoolDomainResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    check_managed_login_version(input.managed_login_version)?;
    let custom = input.custom_domain_config.is_some();
    if !custom {
        rules::check_domain_prefix(&input.domain).map_err(|e| match e {
            DomainPrefixError::InvalidCharacter => ApiError::invalid_parameter(
                "The domain name contains an invalid character. Domain names can only contain \
                 lower-case letters, numbers, and hyphens. Please enter a different name that \
                 follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$",
            ),
            DomainPrefixError::ReservedWord(word) => {
                ApiError::invalid_parameter(format!("Domain cannot contain reserved word: {word}"))
            }
        })?;
    } else if !input.domain.contains('.') {
        return Err(ApiError::invalid_parameter(format!(
            "The custom domain {} is not a fully qualified domain name.",
            input.domain
        )));
    }
    if app
        .store
        .find::<DomainDescriptionType>(Kind::Domain, &input.domain)
        .await
        .or_internal()?
        .is_some()
    {
        return Err(already_taken());
    }
    let existing = app
        .store
        .list::<DomainDescriptionType>(Kind::Domain, &input.user_pool_id, None, 10)
        .await
        .or_internal()?;
    if existing.iter().any(|(_, d)| is_custom(d) == custom) {
        return Err(ApiError::invalid_parameter(
            "User pool already has a domain configured.",
        ));
    }
    let now = app.now();
    let scope = crate::scope::current(app);
    let managed_login_version = input.managed_login_version.unwrap_or(1);
    let cloud_front = rules::cloudfront_domain(&input.domain);
    let description = DomainDescriptionType {
        user_pool_id: Some(input.user_pool_id.clone()),
        aws_account_id: Some(scope.account_id),
        domain: Some(input.domain.clone()),
        s3_bucket: Some(format!("aws-cognito-prod-{}-assets", scope.region)),
        cloud_front_distribution: Some(cloud_front.clone()),
        version: Some(ironpool_core::clock::compact_timestamp(now)),
        status: Some(DomainStatusType::Active),
        custom_domain_config: input.custom_domain_config,
        managed_login_version: Some(managed_login_version),
        routing: input.routing.clone(),
    };
    match app
        .store
        .create(
            Kind::Domain,
            &input.user_pool_id,
            &input.domain,
            &description,
        )
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict) => return Err(already_taken()),
        Err(e) => return Err(e).or_internal(),
    }
    Ok(CreateUserPoolDomainResponse {
        managed_login_version: Some(managed_login_version),
        cloud_front_domain: custom.then_some(cloud_front),
        routing: input.routing,
    })
}

/// An unknown domain is not an error: the answer is an empty `DomainDescription` (`{}`),
/// which Terraform reads as "gone".
pub async fn describe_user_pool_domain(
    app: &App,
    input: DescribeUserPoolDomainRequest,
) -> Result<DescribeUserPoolDomainResponse, ApiError> {
    let found = app
        .store
        .find::<DomainDescriptionType>(Kind::Domain, &input.domain)
        .await
        .or_internal()?;
    // A domain of another account or region is not there for this caller.
    let scope = crate::scope::current(app);
    let mut found = found.map(|(_, d)| d);
    if let Some(d) = &found {
        let pool = d.user_pool_id.as_deref().unwrap_or_default();
        if crate::scope::Scope::of_pool_id(app, pool).await? != scope {
            found = None;
        }
    }
    Ok(DescribeUserPoolDomainResponse {
        domain_description: Some(found.unwrap_or_default()),
    })
}

/// Changes the certificate of a custom domain and the managed login version; what is left
/// out stays as it was.
pub async fn update_user_pool_domain(
    app: &App,
    input: UpdateUserPoolDomainRequest,
) -> Result<UpdateUserPoolDomainResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    check_managed_login_version(input.managed_login_version)?;
    let d = modify(app, Kind::Domain, &input.user_pool_id, &input.domain, |d| {
        let mut d: DomainDescriptionType = d.ok_or_else(no_such_domain)?;
        if input.custom_domain_config.is_some() && !is_custom(&d) {
            return Err(ApiError::invalid_parameter(
                "CustomDomainConfig can only be updated on a custom domain.",
            ));
        }
        if let Some(config) = &input.custom_domain_config {
            d.custom_domain_config = Some(config.clone());
        }
        if let Some(v) = input.managed_login_version {
            d.managed_login_version = Some(v);
        }
        if input.routing.is_some() {
            d.routing = input.routing.clone();
        }
        d.version = Some(ironpool_core::clock::compact_timestamp(app.now()));
        Ok(d)
    })
    .await?;
    Ok(UpdateUserPoolDomainResponse {
        managed_login_version: d.managed_login_version,
        cloud_front_domain: if is_custom(&d) {
            d.cloud_front_distribution
        } else {
            None
        },
        routing: d.routing,
    })
}

/// Needs the pool the domain belongs to; another pool's id is refused as if there were none.
pub async fn delete_user_pool_domain(
    app: &App,
    input: DeleteUserPoolDomainRequest,
) -> Result<DeleteUserPoolDomainResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    if !app
        .store
        .delete_resource(Kind::Domain, &input.user_pool_id, &input.domain)
        .await
        .or_internal()?
    {
        return Err(no_such_domain());
    }
    Ok(DeleteUserPoolDomainResponse {})
}
