//! Multi-Region replication: CreateUserPoolReplica, DeleteUserPoolReplica,
//! ListUserPoolReplicas, UpdateUserPoolReplica.
//!
//! A replica is the pool served in another region of its account under the same id (its ARN
//! names the replica's region). One store holds both, so a write in either region is seen in
//! the other at once. A secondary region answers only the operations Cognito lists for it
//! (administrator reads and regional settings while INACTIVE, sign-in too while ACTIVE); the
//! others are OperationNotEnabledException. A replica is kept under `Kind::Replica`, keyed by
//! its region, with the tags it keeps apart from the primary's.

use super::tags::check_limit;
use super::user_pools::get_pool;
use super::versioned::modify;
use super::{decode_token, encode_token};
use crate::app::{App, OrInternal};
use crate::scope::{self, Scope};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode, Operation};
use ironpool_core::ids;
use ironpool_store::{Kind, ResourcesExt, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Cognito keeps at most one secondary region per pool.
const MAX_REPLICAS: usize = 1;

/// A secondary region of a pool, as stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Replica {
    pub region: String,
    pub status: ReplicaStatusType,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// What a secondary region answers while INACTIVE ("Multi-Region replication for user pools").
const INACTIVE_OPERATIONS: &[Operation] = {
    use Operation::*;
    &[
        AdminGetDevice,
        AdminGetUser,
        AdminListDevices,
        AdminListGroupsForUser,
        AdminListUserAuthEvents,
        CreateUserPoolDomain,
        DeleteUserPoolDomain,
        DeleteUserPoolReplica,
        DescribeIdentityProvider,
        DescribeManagedLoginBranding,
        DescribeManagedLoginBrandingByClient,
        DescribeResourceServer,
        DescribeRiskConfiguration,
        DescribeTerms,
        DescribeUserPool,
        DescribeUserPoolClient,
        DescribeUserPoolDomain,
        GetGroup,
        GetLogDeliveryConfiguration,
        GetSigningCertificate,
        GetUICustomization,
        GetUserPoolMfaConfig,
        ListIdentityProviders,
        ListGroups,
        ListResourceServers,
        ListTagsForResource,
        ListTerms,
        ListUserPoolClients,
        ListUserPoolClientSecrets,
        ListUserPoolReplicas,
        ListUserPools,
        ListUsers,
        ListUsersInGroup,
        SetLogDeliveryConfiguration,
        SetRiskConfiguration,
        SetUserPoolMfaConfig,
        TagResource,
        UntagResource,
        UpdateUserPool,
        UpdateUserPoolDomain,
        UpdateUserPoolReplica,
    ]
};

/// What an ACTIVE secondary region answers besides (its IAM operations; the others are
/// authorized by a token or session and act where their pool lives).
const ACTIVE_OPERATIONS: &[Operation] = {
    use Operation::*;
    &[
        AdminInitiateAuth,
        AdminRespondToAuthChallenge,
        AdminUpdateAuthEventFeedback,
        AdminUserGlobalSignOut,
    ]
};

/// The replica of pool `id` in `region`, if there is one.
pub(crate) async fn replica_in(
    app: &App,
    id: &str,
    region: &str,
) -> Result<Option<Replica>, ApiError> {
    app.store.get(Kind::Replica, id, region).await.or_internal()
}

/// Refuses `op` in a secondary region whose replica is `replica`.
pub(crate) fn check_secondary(op: Operation, replica: &Replica) -> Result<(), ApiError> {
    let active = replica.status == ReplicaStatusType::Active;
    if INACTIVE_OPERATIONS.contains(&op) || (active && ACTIVE_OPERATIONS.contains(&op)) {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::OperationNotEnabledException,
        format!(
            "{} is not available in {}, a secondary Region of this user pool.",
            op.name(),
            replica.region
        ),
    ))
}

/// The secondary regions of every pool that has one (for ListUserPools).
pub(crate) async fn regions_by_pool(app: &App) -> Result<HashMap<String, Vec<String>>, ApiError> {
    let mut regions: HashMap<String, Vec<String>> = HashMap::new();
    let mut after = None;
    loop {
        let page = app
            .store
            .scan_resources(Kind::Replica, after, 1000)
            .await
            .or_internal()?;
        let done = page.len() < 1000;
        after = page.last().map(|(p, k, _)| (p.clone(), k.clone()));
        for (pool, region, _) in page {
            regions.entry(pool).or_default().push(region);
        }
        if done {
            return Ok(regions);
        }
    }
}

fn too_many() -> ApiError {
    ApiError::new(
        ErrorCode::LimitExceededException,
        format!("A user pool can have at most {MAX_REPLICAS} replica Region."),
    )
}

fn not_found(id: &str, region: &str) -> ApiError {
    ApiError::resource_not_found(format!("User pool {id} has no replica in Region {region}."))
}

fn described(
    home: &Scope,
    id: &str,
    region: &str,
    status: ReplicaStatusType,
) -> UserPoolReplicaType {
    UserPoolReplicaType {
        region_name: Some(region.to_owned()),
        status: Some(status),
        role: Some(if region == home.region {
            ReplicaRoleType::Primary
        } else {
            ReplicaRoleType::Secondary
        }),
        user_pool_arn: Some(ids::user_pool_arn(region, &home.account_id, id)),
    }
}

pub async fn create_user_pool_replica(
    app: &App,
    input: CreateUserPoolReplicaRequest,
) -> Result<CreateUserPoolReplicaResponse, ApiError> {
    let id = &input.user_pool_id;
    let pool = get_pool(app, id).await?;
    let home = Scope::of_pool(app, &pool);
    if scope::current(app).region != home.region {
        return Err(primary_only("CreateUserPoolReplica", &home));
    }
    if pool.user_pool_tier == Some(UserPoolTierType::Lite) {
        return Err(ApiError::new(
            ErrorCode::FeatureUnavailableInTierException,
            "Multi-Region replication requires the Essentials or Plus feature plan.",
        ));
    }
    let region = &input.region_name;
    if !ironpool_sigv4::is_region_name(region) {
        return Err(ApiError::invalid_parameter(format!(
            "{region} is not a valid AWS Region."
        )));
    }
    if *region == home.region {
        return Err(ApiError::invalid_parameter(format!(
            "The replica Region must differ from the user pool's primary Region {region}."
        )));
    }
    check_limit(input.user_pool_tags.as_ref())?;
    let existing = app
        .store
        .count_resources(Kind::Replica, id)
        .await
        .or_internal()?;
    if existing as usize >= MAX_REPLICAS {
        return Err(too_many());
    }
    let replica = Replica {
        region: region.clone(),
        status: ReplicaStatusType::Inactive,
        tags: input.user_pool_tags.unwrap_or_default(),
    };
    match app.store.create(Kind::Replica, id, region, &replica).await {
        Ok(()) => {}
        Err(StoreError::Conflict) => return Err(too_many()),
        Err(e) => return Err(e).or_internal(),
    }
    // Created at once: the next read finds it INACTIVE, as new replicas start.
    Ok(CreateUserPoolReplicaResponse {
        user_pool_replica: Some(described(&home, id, region, ReplicaStatusType::Creating)),
    })
}

fn primary_only(op: &str, home: &Scope) -> ApiError {
    ApiError::new(
        ErrorCode::OperationNotEnabledException,
        format!(
            "{op} is only available in the user pool's primary Region {}.",
            home.region
        ),
    )
}

pub async fn delete_user_pool_replica(
    app: &App,
    input: DeleteUserPoolReplicaRequest,
) -> Result<DeleteUserPoolReplicaResponse, ApiError> {
    let id = &input.user_pool_id;
    let home = Scope::of_pool_id(app, id).await?;
    get_pool(app, id).await?;
    if scope::current(app).region != home.region {
        return Err(primary_only("DeleteUserPoolReplica", &home));
    }
    let region = &input.region_name;
    let replica = replica_in(app, id, region)
        .await?
        .ok_or_else(|| not_found(id, region))?;
    if replica.status != ReplicaStatusType::Inactive {
        return Err(ApiError::invalid_parameter(
            "Only a replica in the INACTIVE status can be deleted.",
        ));
    }
    app.store
        .delete_resource(Kind::Replica, id, region)
        .await
        .or_internal()?;
    Ok(DeleteUserPoolReplicaResponse {
        user_pool_replica: Some(described(&home, id, region, ReplicaStatusType::Deleting)),
    })
}

/// The primary region first, then the secondaries; one page holds them all.
pub async fn list_user_pool_replicas(
    app: &App,
    input: ListUserPoolReplicasRequest,
) -> Result<ListUserPoolReplicasResponse, ApiError> {
    let id = &input.user_pool_id;
    let pool = get_pool(app, id).await?;
    let home = Scope::of_pool(app, &pool);
    let after = input.next_token.as_deref().map(decode_token).transpose()?;
    let mut replicas = Vec::new();
    if after.is_none() {
        replicas.push(described(
            &home,
            id,
            &home.region,
            ReplicaStatusType::Active,
        ));
    }
    let page: Vec<(String, Replica)> = app
        .store
        .list(Kind::Replica, id, after.as_deref(), 61)
        .await
        .or_internal()?;
    let more = page.len() > 60;
    let next_token = more
        .then(|| page.get(59).map(|(region, _)| encode_token(region)))
        .flatten();
    replicas.extend(
        page.into_iter()
            .take(60)
            .map(|(region, r)| described(&home, id, &region, r.status)),
    );
    Ok(ListUserPoolReplicasResponse {
        user_pool_replicas: Some(replicas),
        next_token,
    })
}

pub async fn update_user_pool_replica(
    app: &App,
    input: UpdateUserPoolReplicaRequest,
) -> Result<UpdateUserPoolReplicaResponse, ApiError> {
    let id = &input.user_pool_id;
    let pool = get_pool(app, id).await?;
    let home = Scope::of_pool(app, &pool);
    let region = &input.region_name;
    if *region == home.region {
        return Err(ApiError::invalid_parameter(
            "The status of the user pool's primary Region cannot be changed.",
        ));
    }
    let status = match input.status {
        UpdateReplicaStatusType::Active => ReplicaStatusType::Active,
        UpdateReplicaStatusType::Inactive => ReplicaStatusType::Inactive,
    };
    let replica = modify(
        app,
        Kind::Replica,
        id,
        region,
        |replica: Option<Replica>| {
            let mut replica = replica.ok_or_else(|| not_found(id, region))?;
            replica.status = status;
            Ok(replica)
        },
    )
    .await?;
    Ok(UpdateUserPoolReplicaResponse {
        user_pool_replica: Some(described(&home, id, region, replica.status)),
    })
}
