//! User pools through the SDK: create, describe, list in pages, delete, deletion protection.

use crate::harness::{err, TestServer};
use aws_sdk_cognitoidentityprovider::types::DeletionProtectionType;

#[tokio::test]
async fn create_then_describe_returns_aws_shaped_ids() {
    let s = TestServer::start().await;
    let c = s.client();
    let created = c
        .create_user_pool()
        .pool_name("shapes")
        .send()
        .await
        .unwrap();
    let pool = created.user_pool().unwrap();
    let id = pool.id().unwrap();
    let (region, suffix) = id.split_once('_').unwrap();
    assert_eq!(region, "us-east-1");
    assert_eq!(suffix.len(), 9);
    assert!(suffix.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(
        pool.arn().unwrap(),
        format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}")
    );
    assert_eq!(
        pool.deletion_protection(),
        Some(&DeletionProtectionType::Inactive)
    );
    let described = c
        .describe_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(described.user_pool(), Some(pool));
}

#[tokio::test]
async fn list_user_pools_pages_through_everything() {
    let s = TestServer::start().await;
    let c = s.client();
    let mut created = Vec::new();
    for i in 0..5 {
        let out = c
            .create_user_pool()
            .pool_name(format!("pool-{i}"))
            .send()
            .await
            .unwrap();
        created.push(out.user_pool().unwrap().id().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut token = None;
    loop {
        let page = c
            .list_user_pools()
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(page.user_pools().len() <= 2);
        seen.extend(page.user_pools().iter().map(|p| p.id().unwrap().to_owned()));
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    created.sort();
    seen.sort();
    assert_eq!(seen, created);

    // The SDK's paginator follows the same tokens.
    let all: Vec<_> = c
        .list_user_pools()
        .max_results(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
}

#[tokio::test]
async fn deletion_protection_blocks_delete_and_keeps_the_pool() {
    let s = TestServer::start().await;
    let c = s.client();
    let created = c
        .create_user_pool()
        .pool_name("protected")
        .deletion_protection(DeletionProtectionType::Active)
        .send()
        .await
        .unwrap();
    let id = created.user_pool().unwrap().id().unwrap();
    let e = c
        .delete_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "The user pool cannot be deleted because deletion protection is activated. \
             Deletion protection must be inactivated first."
                .into()
        )
    );
    let still = c
        .describe_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(still.user_pool().unwrap().name(), Some("protected"));
}

#[tokio::test]
async fn an_unprotected_pool_is_deleted() {
    let s = TestServer::start().await;
    let c = s.client();
    let created = c
        .create_user_pool()
        .pool_name("doomed")
        .send()
        .await
        .unwrap();
    let id = created.user_pool().unwrap().id().unwrap();
    c.delete_user_pool().user_pool_id(id).send().await.unwrap();
    let e = c
        .describe_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!("User pool {id} does not exist.")
        )
    );
    let e = c
        .delete_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "ResourceNotFoundException");
}
