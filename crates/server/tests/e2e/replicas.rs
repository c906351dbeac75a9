//! Multi-Region replication: a replica serves the pool in another region of its account under
//! the same id; writes in the primary are seen there at once; a secondary answers only what
//! Cognito lists for its status.

use crate::harness::{client_with, err, pool, pool_with, sdk_client, TestServer};
use crate::users::PW;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, ReplicaRoleType, ReplicaStatusType,
    UpdateReplicaStatusType, UserPoolReplicaType, UserPoolTierType,
};
use aws_sdk_cognitoidentityprovider::Client;

const ACCOUNT: &str = "111122223333";

fn arn(region: &str, id: &str) -> String {
    format!("arn:aws:cognito-idp:{region}:{ACCOUNT}:userpool/{id}")
}

fn summary(r: &UserPoolReplicaType) -> (String, ReplicaStatusType, ReplicaRoleType, String) {
    (
        r.region_name().unwrap().to_owned(),
        r.status().unwrap().clone(),
        r.role().unwrap().clone(),
        r.user_pool_arn().unwrap().to_owned(),
    )
}

async fn replicas(
    c: &Client,
    p: &str,
) -> Vec<(String, ReplicaStatusType, ReplicaRoleType, String)> {
    c.list_user_pool_replicas()
        .user_pool_id(p)
        .send()
        .await
        .unwrap()
        .user_pool_replicas()
        .iter()
        .map(summary)
        .collect()
}

async fn set_status(c: &Client, p: &str, status: UpdateReplicaStatusType) -> ReplicaStatusType {
    c.update_user_pool_replica()
        .user_pool_id(p)
        .region_name("us-west-2")
        .status(status)
        .send()
        .await
        .unwrap()
        .user_pool_replica()
        .unwrap()
        .status()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_replica_serves_the_pool_in_its_region() {
    let s = TestServer::start().await;
    let east = sdk_client(&s.url(), ACCOUNT, "x", "us-east-1");
    let west = sdk_client(&s.url(), ACCOUNT, "x", "us-west-2");
    let ireland = sdk_client(&s.url(), ACCOUNT, "x", "eu-west-1");
    let p = pool(&east).await;
    let client = client_with(&east, &p, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
    })
    .await;

    let made = east
        .create_user_pool_replica()
        .user_pool_id(&p)
        .region_name("us-west-2")
        .user_pool_tags("env", "dr")
        .send()
        .await
        .unwrap();
    assert_eq!(
        summary(made.user_pool_replica().unwrap()),
        (
            "us-west-2".into(),
            ReplicaStatusType::Creating,
            ReplicaRoleType::Secondary,
            arn("us-west-2", &p)
        )
    );
    assert_eq!(
        replicas(&east, &p).await,
        vec![
            (
                "us-east-1".into(),
                ReplicaStatusType::Active,
                ReplicaRoleType::Primary,
                arn("us-east-1", &p)
            ),
            (
                "us-west-2".into(),
                ReplicaStatusType::Inactive,
                ReplicaRoleType::Secondary,
                arn("us-west-2", &p)
            ),
        ]
    );
    // The secondary lists and describes the pool, with its own ARN and tags.
    let listed = west.list_user_pools().max_results(10).send().await.unwrap();
    let ids: Vec<_> = listed
        .user_pools()
        .iter()
        .map(|d| d.id().unwrap())
        .collect();
    assert_eq!(ids, [p.as_str()]);
    assert_eq!(listed.user_pools()[0].replica_regions(), ["us-west-2"]);
    let there = west
        .describe_user_pool()
        .user_pool_id(&p)
        .send()
        .await
        .unwrap();
    let there = there.user_pool().unwrap();
    assert_eq!(there.arn(), Some(arn("us-west-2", &p).as_str()));
    assert_eq!(
        there
            .user_pool_tags()
            .unwrap()
            .get("env")
            .map(String::as_str),
        Some("dr")
    );
    let home = east
        .describe_user_pool()
        .user_pool_id(&p)
        .send()
        .await
        .unwrap();
    assert_eq!(
        home.user_pool().unwrap().arn(),
        Some(arn("us-east-1", &p).as_str())
    );
    let e = ireland
        .describe_user_pool()
        .user_pool_id(&p)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "ResourceNotFoundException");

    // A write in the primary is seen in the secondary; the secondary cannot write users.
    east.admin_create_user()
        .user_pool_id(&p)
        .username("alice")
        .send()
        .await
        .unwrap();
    east.admin_set_user_password()
        .user_pool_id(&p)
        .username("alice")
        .password(PW)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let got = west
        .admin_get_user()
        .user_pool_id(&p)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(got.username(), "alice");
    let e = west
        .admin_create_user()
        .user_pool_id(&p)
        .username("bob")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "OperationNotEnabledException".into(),
            "AdminCreateUser is not available in us-west-2, a secondary Region of this user pool."
                .into()
        )
    );

    // Sign-in in the secondary waits for it to be ACTIVE.
    let sign_in = |c: &Client| {
        c.admin_initiate_auth()
            .user_pool_id(&p)
            .client_id(&client)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("PASSWORD", PW)
            .send()
    };
    let e = sign_in(&west).await.unwrap_err();
    assert_eq!(err(e).0, "OperationNotEnabledException");
    assert_eq!(
        set_status(&west, &p, UpdateReplicaStatusType::Active).await,
        ReplicaStatusType::Active
    );
    let signed_in = sign_in(&west).await.unwrap();
    assert!(signed_in
        .authentication_result()
        .unwrap()
        .access_token()
        .is_some());

    // Tags of the replica are its own.
    west.tag_resource()
        .resource_arn(arn("us-west-2", &p))
        .tags("team", "sre")
        .send()
        .await
        .unwrap();
    let tags = west
        .list_tags_for_resource()
        .resource_arn(arn("us-west-2", &p))
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().unwrap().len(), 2);
    let tags = east
        .list_tags_for_resource()
        .resource_arn(arn("us-east-1", &p))
        .send()
        .await
        .unwrap();
    assert!(tags.tags().unwrap().is_empty());

    // Deleting: from the primary only, an INACTIVE replica only; the pool not before.
    let delete = |c: &Client| {
        c.delete_user_pool_replica()
            .user_pool_id(&p)
            .region_name("us-west-2")
            .send()
    };
    let e = delete(&west).await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "OperationNotEnabledException".into(),
            "DeleteUserPoolReplica is only available in the user pool's primary Region us-east-1."
                .into()
        )
    );
    let e = delete(&east).await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Only a replica in the INACTIVE status can be deleted.".into()
        )
    );
    let e = east
        .delete_user_pool()
        .user_pool_id(&p)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "User pool cannot be deleted. It has replicas that should be deleted first.".into()
        )
    );
    set_status(&east, &p, UpdateReplicaStatusType::Inactive).await;
    let gone = delete(&east).await.unwrap();
    assert_eq!(
        gone.user_pool_replica().unwrap().status(),
        Some(&ReplicaStatusType::Deleting)
    );
    assert_eq!(replicas(&east, &p).await.len(), 1);
    let e = west
        .describe_user_pool()
        .user_pool_id(&p)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "ResourceNotFoundException");
    east.delete_user_pool()
        .user_pool_id(&p)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn replicas_are_refused_as_cognito_refuses_them() {
    let s = TestServer::start().await;
    let east = sdk_client(&s.url(), ACCOUNT, "x", "us-east-1");
    let create = |p: &str, region: &str| {
        east.create_user_pool_replica()
            .user_pool_id(p)
            .region_name(region)
            .send()
    };
    let lite = pool_with(&east, |b| b.user_pool_tier(UserPoolTierType::Lite)).await;
    assert_eq!(
        err(create(&lite, "us-west-2").await.unwrap_err()),
        (
            "FeatureUnavailableInTierException".into(),
            "Multi-Region replication requires the Essentials or Plus feature plan.".into()
        )
    );
    let p = pool(&east).await;
    assert_eq!(
        err(create(&p, "us-east-1").await.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "The replica Region must differ from the user pool's primary Region us-east-1.".into()
        )
    );
    assert_eq!(
        err(create(&p, "not-a-region").await.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "not-a-region is not a valid AWS Region.".into()
        )
    );
    create(&p, "eu-west-1").await.unwrap();
    assert_eq!(
        err(create(&p, "ap-south-1").await.unwrap_err()),
        (
            "LimitExceededException".into(),
            "A user pool can have at most 1 replica Region.".into()
        )
    );
    assert_eq!(
        err(create("us-east-1_Nope12345", "eu-west-1")
            .await
            .unwrap_err())
        .0,
        "ResourceNotFoundException"
    );
    let e = east
        .update_user_pool_replica()
        .user_pool_id(&p)
        .region_name("ap-south-1")
        .status(UpdateReplicaStatusType::Active)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!("User pool {p} has no replica in Region ap-south-1.")
        )
    );
    let e = east
        .update_user_pool_replica()
        .user_pool_id(&p)
        .region_name("us-east-1")
        .status(UpdateReplicaStatusType::Inactive)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "InvalidParameterException");
    // Another account does not see it in any region.
    let stranger = sdk_client(&s.url(), "999988887777", "x", "eu-west-1");
    let e = stranger
        .list_user_pool_replicas()
        .user_pool_id(&p)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "ResourceNotFoundException");
}
