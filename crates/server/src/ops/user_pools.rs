//! User pools: CreateUserPool, DescribeUserPool, UpdateUserPool, ListUserPools,
//! DeleteUserPool, AddCustomAttributes.

use super::mfa;
use super::user_pool_config::{self as config, Settings};
use super::versioned::{too_many_requests, written, ATTEMPTS};
use super::{decode_token, encode_token};
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::ApiError;
use ironpool_core::ids;
use ironpool_store::{Kind, ResourcesExt, StoreError};

/// The settable fields of a CreateUserPool or UpdateUserPool request (the two share them).
macro_rules! settings_of {
    ($input:ident) => {
        Settings {
            policies: $input.policies,
            deletion_protection: $input.deletion_protection,
            lambda_config: $input.lambda_config,
            auto_verified_attributes: $input.auto_verified_attributes,
            sms_verification_message: $input.sms_verification_message,
            email_verification_message: $input.email_verification_message,
            email_verification_subject: $input.email_verification_subject,
            verification_message_template: $input.verification_message_template,
            sms_authentication_message: $input.sms_authentication_message,
            user_attribute_update_settings: $input.user_attribute_update_settings,
            mfa_configuration: $input.mfa_configuration,
            device_configuration: $input.device_configuration,
            email_configuration: $input.email_configuration,
            sms_configuration: $input.sms_configuration,
            user_pool_tags: $input.user_pool_tags,
            admin_create_user_config: $input.admin_create_user_config,
            user_pool_add_ons: $input.user_pool_add_ons,
            account_recovery_setting: $input.account_recovery_setting,
            user_pool_tier: $input.user_pool_tier,
        }
    };
}

/// A given id (`RequestContext::given_id`) that is already taken.
pub(crate) fn id_taken(what: &str, id: Option<String>) -> ApiError {
    ApiError::invalid_parameter(format!("{what} {} already exists.", id.unwrap_or_default()))
}

pub(crate) fn pool_not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("User pool {id} does not exist."))
}

pub(crate) async fn get_pool(app: &App, id: &str) -> Result<UserPoolType, ApiError> {
    get_pool_versioned(app, id).await.map(|(pool, _)| pool)
}

/// The pool and its version, for a change written over that version. The store is asked for
/// the version every time; the pool itself comes from [`PoolCache`] while that version is
/// the one read before.
pub(crate) async fn get_pool_versioned(
    app: &App,
    id: &str,
) -> Result<(UserPoolType, i64), ApiError> {
    let not_found = || pool_not_found(id);
    let version = app.store.user_pool_version(id).await.or_internal()?;
    let version = version.ok_or_else(not_found)?;
    if let Some(pool) = app.pools.get(id, version) {
        return Ok((pool, version));
    }
    let read = app.store.get_user_pool_versioned(id).await.or_internal()?;
    let (pool, version) = read.ok_or_else(not_found)?;
    app.pools.insert(id, version, &pool);
    Ok((pool, version))
}

/// The pools read last, by id, each with the version it was read at: a request reads the
/// pool's version (a few bytes) and parses its document only when the version moved. Every
/// change of a pool moves its version, on every server sharing the store, and a pool created
/// again under an id starts at another version; so a copy is used only while it is what the
/// store holds.
#[derive(Default)]
pub struct PoolCache(std::sync::Mutex<std::collections::HashMap<String, (i64, UserPoolType)>>);

impl PoolCache {
    /// Pools kept at most; past it the cache starts over.
    const MAX: usize = 1024;

    fn get(&self, id: &str, version: i64) -> Option<UserPoolType> {
        let pools = self.0.lock().unwrap_or_else(|e| e.into_inner());
        pools
            .get(id)
            .filter(|(v, _)| *v == version)
            .map(|(_, pool)| pool.clone())
    }

    fn insert(&self, id: &str, version: i64, pool: &UserPoolType) {
        let mut pools = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if pools.len() >= Self::MAX && !pools.contains_key(id) {
            pools.clear();
        }
        pools.insert(id.to_owned(), (version, pool.clone()));
    }
}

/// Reads the pool, applies `change` and writes it over the version read, retrying when
/// another change came in between; returns the pool as written.
pub(crate) async fn modify_pool(
    app: &App,
    id: &str,
    mut change: impl FnMut(&mut UserPoolType) -> Result<(), ApiError>,
) -> Result<UserPoolType, ApiError> {
    for _ in 0..ATTEMPTS {
        let (mut pool, version) = get_pool_versioned(app, id).await?;
        change(&mut pool)?;
        let put = app.store.put_user_pool(&pool, version, Vec::new()).await;
        if written(put)? {
            return Ok(pool);
        }
    }
    Err(too_many_requests())
}

/// The pool as DescribeUserPool shows it: with its Domain / CustomDomain read from the
/// domains that exist now, and the default sign-in policy.
async fn described(app: &App, mut pool: UserPoolType) -> Result<UserPoolType, ApiError> {
    config::default_sign_in_policy(&mut pool);
    let id = pool.id.clone().unwrap_or_default();
    let domains: Vec<(String, DomainDescriptionType)> = app
        .store
        .list(Kind::Domain, &id, None, 10)
        .await
        .or_internal()?;
    pool.domain = None;
    pool.custom_domain = None;
    for (key, d) in domains {
        let name = d.domain.unwrap_or(key);
        if d.custom_domain_config.is_some() {
            pool.custom_domain = Some(name);
        } else {
            pool.domain = Some(name);
        }
    }
    Ok(pool)
}

const MFA_NEEDS_SMS: &str =
    "SMS configuration and Auto verification for phone_number are required when MFA is required/optional";

/// Creates a pool with Cognito's defaults for every setting left out (all 20 standard
/// attributes, ESSENTIALS, deletion protection INACTIVE); MFA ON/OPTIONAL needs an
/// SmsConfiguration here, because TOTP and email MFA can only be turned on afterwards.
pub async fn create_user_pool(
    app: &App,
    input: CreateUserPoolRequest,
) -> Result<CreateUserPoolResponse, ApiError> {
    let now = app.now();
    let scope = crate::scope::current(app);
    if input
        .alias_attributes
        .as_ref()
        .is_some_and(|a| !a.is_empty())
        && input
            .username_attributes
            .as_ref()
            .is_some_and(|a| !a.is_empty())
    {
        return Err(ApiError::invalid_parameter(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User pool.",
        ));
    }
    let schema = config::build_schema(input.schema.as_deref())?;
    let settings = settings_of!(input);
    config::validate(&settings)?;
    super::tags::check_limit(settings.user_pool_tags.as_ref())?;
    let mfa_on = settings
        .mfa_configuration
        .is_some_and(|m| m != UserPoolMfaType::Off);
    if mfa_on && settings.sms_configuration.is_none() {
        return Err(ApiError::invalid_parameter(MFA_NEEDS_SMS));
    }
    let mut pool = UserPoolType {
        name: Some(input.pool_name),
        last_modified_date: Some(now),
        creation_date: Some(now),
        schema_attributes: Some(schema),
        alias_attributes: input.alias_attributes,
        username_attributes: input.username_attributes,
        username_configuration: input.username_configuration,
        estimated_number_of_users: Some(0),
        ..Default::default()
    };
    config::apply(&mut pool, settings);
    config::check_sign_in_policy(&pool)?;
    // A fresh random id (a collision is astronomically rare but costs only a retry), or the
    // one a seed file gives.
    let given = crate::request_context::RequestContext::current().given_id;
    loop {
        let id = given
            .clone()
            .unwrap_or_else(|| ids::user_pool_id(app.rng.as_ref(), &scope.region));
        pool.arn = Some(ids::user_pool_arn(&scope.region, &scope.account_id, &id));
        pool.id = Some(id);
        match app.store.create_user_pool(&pool).await {
            Ok(()) => break,
            Err(StoreError::Conflict) if given.is_none() => continue,
            Err(StoreError::Conflict) => return Err(id_taken("User pool", given)),
            Err(e) => return Err(e).or_internal(),
        }
    }
    if mfa_on {
        let id = pool.id.clone().unwrap_or_default();
        mfa::modify_pool_and_factors(app, &id, |_, factors| {
            factors.sms_enabled = true;
            Ok(())
        })
        .await?;
    }
    Ok(CreateUserPoolResponse {
        user_pool: Some(pool),
    })
}

/// Returns the stored pool with Domain/CustomDomain taken from the pool's domains.
pub async fn describe_user_pool(
    app: &App,
    input: DescribeUserPoolRequest,
) -> Result<DescribeUserPoolResponse, ApiError> {
    let mut pool = get_pool(app, &input.user_pool_id).await?;
    let users = app
        .store
        .count_users(&input.user_pool_id)
        .await
        .or_internal()?;
    pool.estimated_number_of_users = Some(i32::try_from(users).unwrap_or(i32::MAX));
    // In a secondary region: the replica's ARN and tags.
    let scope = crate::scope::current(app);
    let secondary = crate::scope::Scope::of_pool(app, &pool).region != scope.region;
    if let Some(replica) = match secondary {
        true => super::replicas::replica_in(app, &input.user_pool_id, &scope.region).await?,
        false => None,
    } {
        pool.arn = Some(ids::user_pool_arn(
            &scope.region,
            &scope.account_id,
            &input.user_pool_id,
        ));
        pool.user_pool_tags = Some(replica.tags);
    }
    Ok(DescribeUserPoolResponse {
        user_pool: Some(described(app, pool).await?),
    })
}

/// Replaces every settable field: one left out goes back to its default (seed 001); name,
/// sign-in attributes, username case sensitivity and schema cannot change here; PoolName
/// renames.
pub async fn update_user_pool(
    app: &App,
    input: UpdateUserPoolRequest,
) -> Result<UpdateUserPoolResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let pool_name = input.pool_name.clone();
    let settings = settings_of!(input);
    config::validate(&settings)?;
    super::tags::check_limit(settings.user_pool_tags.as_ref())?;
    let mfa = settings.mfa_configuration.unwrap_or(UserPoolMfaType::Off);
    mfa::modify_pool_and_factors(app, &input.user_pool_id, |pool, factors| {
        if mfa == UserPoolMfaType::Off {
            factors.turn_off();
        } else if !factors.any_factor() {
            if settings.sms_configuration.is_none() && pool.sms_configuration.is_none() {
                return Err(ApiError::invalid_parameter(MFA_NEEDS_SMS));
            }
            factors.sms_enabled = true;
        }
        if let Some(name) = &pool_name {
            pool.name = Some(name.clone());
        }
        config::apply(pool, settings.clone());
        config::check_sign_in_policy(pool)?;
        pool.last_modified_date = Some(app.now());
        Ok(())
    })
    .await?;
    Ok(UpdateUserPoolResponse {})
}

/// Lists pools `MaxResults` (1..=60) at a time with an opaque `NextToken`; each entry carries
/// only Id, Name, LambdaConfig and the dates (Status is deprecated and absent).
pub async fn list_user_pools(
    app: &App,
    input: ListUserPoolsRequest,
) -> Result<ListUserPoolsResponse, ApiError> {
    let mut after = input.next_token.as_deref().map(decode_token).transpose()?;
    let limit = input.max_results.max(1) as usize;
    // The pools of the caller's account and region (and those replicated there), read in
    // pages of every pool.
    let scope = crate::scope::current(app);
    let replicated = super::replicas::regions_by_pool(app).await?;
    let regions_of = |p: &UserPoolType| {
        replicated
            .get(p.id.as_deref().unwrap_or_default())
            .cloned()
            .unwrap_or_default()
    };
    let here = |p: &UserPoolType| {
        let home = crate::scope::Scope::of_pool(app, p);
        home == scope
            || (home.account_id == scope.account_id && regions_of(p).contains(&scope.region))
    };
    let mut pools = Vec::new();
    loop {
        let page = app
            .store
            .list_user_pools(after.as_deref(), limit + 1)
            .await
            .or_internal()?;
        let done = page.len() <= limit;
        after = page.last().and_then(|p| p.id.clone());
        pools.extend(page.into_iter().filter(|p| here(p)));
        if done || pools.len() > limit {
            break;
        }
    }
    let next_token = if pools.len() > limit {
        pools.truncate(limit);
        pools.last().and_then(|p| p.id.as_deref()).map(encode_token)
    } else {
        None
    };
    Ok(ListUserPoolsResponse {
        user_pools: Some(
            pools
                .into_iter()
                .map(|p| UserPoolDescriptionType {
                    replica_regions: Some(regions_of(&p)).filter(|r| !r.is_empty()),
                    id: p.id,
                    name: p.name,
                    lambda_config: p.lambda_config,
                    status: p.status,
                    last_modified_date: p.last_modified_date,
                    creation_date: p.creation_date,
                })
                .collect(),
        ),
        next_token,
    })
}

/// Refused with InvalidParameterException while deletion protection is ACTIVE or while the
/// pool still has a domain; the pool and its users stay.
pub async fn delete_user_pool(app: &App, input: DeleteUserPoolRequest) -> Result<Empty, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    if pool.deletion_protection == Some(DeletionProtectionType::Active) {
        return Err(ApiError::invalid_parameter(
            "The user pool cannot be deleted because deletion protection is activated. \
             Deletion protection must be inactivated first.",
        ));
    }
    if app
        .store
        .count_resources(Kind::Domain, &input.user_pool_id)
        .await
        .or_internal()?
        > 0
    {
        return Err(ApiError::invalid_parameter(
            "User pool cannot be deleted. It has a domain configured that should be deleted first.",
        ));
    }
    if app
        .store
        .count_resources(Kind::Replica, &input.user_pool_id)
        .await
        .or_internal()?
        > 0
    {
        return Err(ApiError::invalid_parameter(
            "User pool cannot be deleted. It has replicas that should be deleted first.",
        ));
    }
    if !app
        .store
        .delete_user_pool(&input.user_pool_id)
        .await
        .or_internal()?
    {
        return Err(pool_not_found(&input.user_pool_id));
    }
    Ok(Empty {})
}

/// Appends custom attributes (stored as `custom:name`); an existing name, a required one or
/// going past 50 custom attributes refuses the whole request.
pub async fn add_custom_attributes(
    app: &App,
    input: AddCustomAttributesRequest,
) -> Result<AddCustomAttributesResponse, ApiError> {
    modify_pool(app, &input.user_pool_id, |pool| {
        let mut schema = pool.schema_attributes.take().unwrap_or_default();
        for given in &input.custom_attributes {
            let attr = config::custom_attribute(given)?;
            let base = attr
                .name
                .as_deref()
                .unwrap_or_default()
                .trim_start_matches("dev:")
                .to_owned();
            if let Some(existing) = schema.iter().find(|a| {
                a.name
                    .as_deref()
                    .is_some_and(|n| n == base || n.trim_start_matches("dev:") == base)
            }) {
                return Err(config::existing_attribute(
                    given.name.as_deref().unwrap_or_default(),
                    existing.name.as_deref().unwrap_or_default(),
                ));
            }
            schema.push(attr);
        }
        if config::custom_count(&schema) > config::MAX_CUSTOM_ATTRIBUTES {
            return Err(config::too_many_custom_attributes());
        }
        pool.schema_attributes = Some(schema);
        pool.last_modified_date = Some(app.now());
        Ok(())
    })
    .await?;
    Ok(AddCustomAttributesResponse {})
}
