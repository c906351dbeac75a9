//! Pools for the configuration tests, and app clients and domains written straight into the
//! store (their own operations are tested in their own files).

#![allow(dead_code)]

use crate::harness::TestServer;
use aws_sdk_cognitoidentityprovider::types::{
    AdvancedSecurityModeType, UserPoolAddOnsType, UserPoolTierType,
};
use ironpool_store::Kind;

pub async fn pool(s: &TestServer) -> String {
    crate::harness::pool(&s.client()).await
}

/// A PLUS pool with threat protection ENFORCED.
pub async fn plus_pool(s: &TestServer) -> String {
    s.client()
        .create_user_pool()
        .pool_name("plus")
        .user_pool_tier(UserPoolTierType::Plus)
        .user_pool_add_ons(
            UserPoolAddOnsType::builder()
                .advanced_security_mode(AdvancedSecurityModeType::Enforced)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned()
}

pub async fn client(s: &TestServer, pool_id: &str, client_id: &str) {
    let doc =
        serde_json::json!({"UserPoolId": pool_id, "ClientId": client_id, "ClientName": "app"});
    s.server
        .app()
        .store
        .create_resource(Kind::Client, pool_id, client_id, doc.to_string())
        .await
        .unwrap();
}

pub async fn domain(s: &TestServer, pool_id: &str, domain: &str) {
    let doc = serde_json::json!({"UserPoolId": pool_id, "Domain": domain});
    s.server
        .app()
        .store
        .create_resource(Kind::Domain, pool_id, domain, doc.to_string())
        .await
        .unwrap();
}

pub const CLIENT: &str = "1example23456789abcdefghij";
pub const MISSING_POOL: &str = "us-east-1_Missing00";
