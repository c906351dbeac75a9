//! Resource servers through the SDK: create, describe, replace on update, delete, list.

use crate::harness::{err, pool, TestServer};
use aws_sdk_cognitoidentityprovider::types::ResourceServerScopeType;

fn scope(name: &str) -> ResourceServerScopeType {
    ResourceServerScopeType::builder()
        .scope_name(name)
        .scope_description(format!("{name} access"))
        .build()
        .unwrap()
}

#[tokio::test]
async fn create_describe_and_duplicate_identifier() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let created = c
        .create_resource_server()
        .user_pool_id(&p)
        .identifier("https://api.example.com")
        .name("API")
        .scopes(scope("read"))
        .scopes(scope("write"))
        .send()
        .await
        .unwrap();
    let rs = created.resource_server().unwrap();
    assert_eq!(rs.user_pool_id(), Some(p.as_str()));
    assert_eq!(rs.identifier(), Some("https://api.example.com"));
    assert_eq!(rs.name(), Some("API"));
    let names: Vec<_> = rs.scopes().iter().map(|s| s.scope_name()).collect();
    assert_eq!(names, ["read", "write"]);
    assert_eq!(rs.scopes()[0].scope_description(), "read access");

    let described = c
        .describe_resource_server()
        .user_pool_id(&p)
        .identifier("https://api.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(described.resource_server(), Some(rs));

    let dup = c
        .create_resource_server()
        .user_pool_id(&p)
        .identifier("https://api.example.com")
        .name("Again")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(dup),
        (
            "InvalidParameterException".into(),
            format!("https://api.example.com already exists in user pool {p}.")
        )
    );

    // Without scopes, Describe returns an empty list.
    let bare = c
        .create_resource_server()
        .user_pool_id(&p)
        .identifier("bare")
        .name("Bare")
        .send()
        .await
        .unwrap();
    assert!(bare.resource_server().unwrap().scopes().is_empty());
}

#[tokio::test]
async fn duplicate_scope_names_and_scope_limit() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let e = c
        .create_resource_server()
        .user_pool_id(&p)
        .identifier("api")
        .name("API")
        .scopes(scope("read"))
        .scopes(scope("read"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Duplicate scope name read in the resource server's scopes.".into()
        )
    );
    let mut too_many = c
        .create_resource_server()
        .user_pool_id(&p)
        .identifier("api")
        .name("API");
    for i in 0..101 {
        too_many = too_many.scopes(scope(&format!("s{i}")));
    }
    let (code, message) = err(too_many.send().await.unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert!(
        message.contains("Member must have length less than or equal to 100"),
        "{message}"
    );
}

#[tokio::test]
async fn update_replaces_name_and_scopes_and_errors_name_missing_servers() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    c.create_resource_server()
        .user_pool_id(&p)
        .identifier("api")
        .name("API")
        .scopes(scope("read"))
        .scopes(scope("write"))
        .send()
        .await
        .unwrap();
    let updated = c
        .update_resource_server()
        .user_pool_id(&p)
        .identifier("api")
        .name("Renamed")
        .scopes(scope("admin"))
        .send()
        .await
        .unwrap();
    let rs = updated.resource_server().unwrap();
    assert_eq!(rs.name(), Some("Renamed"));
    let names: Vec<_> = rs.scopes().iter().map(|s| s.scope_name()).collect();
    assert_eq!(names, ["admin"]);

    // Omitting Scopes clears them.
    let cleared = c
        .update_resource_server()
        .user_pool_id(&p)
        .identifier("api")
        .name("Renamed")
        .send()
        .await
        .unwrap();
    assert!(cleared.resource_server().unwrap().scopes().is_empty());

    let missing = |e: (String, String)| {
        assert_eq!(
            e,
            (
                "ResourceNotFoundException".into(),
                "Resource server nope does not exist.".into()
            )
        )
    };
    missing(err(c
        .update_resource_server()
        .user_pool_id(&p)
        .identifier("nope")
        .name("x")
        .send()
        .await
        .unwrap_err()));
    missing(err(c
        .describe_resource_server()
        .user_pool_id(&p)
        .identifier("nope")
        .send()
        .await
        .unwrap_err()));
    missing(err(c
        .delete_resource_server()
        .user_pool_id(&p)
        .identifier("nope")
        .send()
        .await
        .unwrap_err()));
}

#[tokio::test]
async fn delete_and_list_with_the_paginator() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    for i in 0..5 {
        c.create_resource_server()
            .user_pool_id(&p)
            .identifier(format!("api-{i}"))
            .name(format!("API {i}"))
            .send()
            .await
            .unwrap();
    }
    c.delete_resource_server()
        .user_pool_id(&p)
        .identifier("api-0")
        .send()
        .await
        .unwrap();
    let pages: Vec<_> = c
        .list_resource_servers()
        .user_pool_id(&p)
        .max_results(3)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    let ids: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            p.resource_servers()
                .iter()
                .map(|r| r.identifier().unwrap().to_owned())
        })
        .collect();
    assert_eq!(ids, ["api-1", "api-2", "api-3", "api-4"]);

    let e = c
        .list_resource_servers()
        .user_pool_id(&p)
        .max_results(51)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "InvalidParameterException");
}
