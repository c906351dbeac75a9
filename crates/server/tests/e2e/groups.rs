//! Groups through the SDK: create, get, update (partial), delete, list in pages.

use crate::harness::{err, pool, TestServer};

const ROLE: &str = "arn:aws:iam::123456789012:role/admins";

#[tokio::test]
async fn create_get_and_duplicate_group() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let created = c
        .create_group()
        .user_pool_id(&p)
        .group_name("admins")
        .description("Admins")
        .role_arn(ROLE)
        .precedence(1)
        .send()
        .await
        .unwrap();
    let g = created.group().unwrap();
    assert_eq!(g.group_name(), Some("admins"));
    assert_eq!(g.user_pool_id(), Some(p.as_str()));
    assert_eq!(g.description(), Some("Admins"));
    assert_eq!(g.role_arn(), Some(ROLE));
    assert_eq!(g.precedence(), Some(1));
    assert!(g.creation_date().is_some());
    assert_eq!(g.creation_date(), g.last_modified_date());

    let got = c
        .get_group()
        .user_pool_id(&p)
        .group_name("admins")
        .send()
        .await
        .unwrap();
    assert_eq!(got.group(), Some(g));

    let dup = c
        .create_group()
        .user_pool_id(&p)
        .group_name("admins")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(dup),
        (
            "GroupExistsException".into(),
            "A group with the name already exists.".into()
        )
    );

    // Names are case-sensitive, and an omitted Precedence stays null.
    let other = c
        .create_group()
        .user_pool_id(&p)
        .group_name("Admins")
        .send()
        .await
        .unwrap();
    assert_eq!(other.group().unwrap().precedence(), None);
    assert_eq!(other.group().unwrap().description(), None);
}

#[tokio::test]
async fn missing_group_and_missing_pool() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let e = c
        .get_group()
        .user_pool_id(&p)
        .group_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            "Group not found.".into()
        )
    );
    let e = c
        .update_group()
        .user_pool_id(&p)
        .group_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            "Group not found.".into()
        )
    );
    let e = c
        .delete_group()
        .user_pool_id(&p)
        .group_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            "Group not found.".into()
        )
    );
    let e = c
        .create_group()
        .user_pool_id("us-east-1_missing00")
        .group_name("g")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            "User pool us-east-1_missing00 does not exist.".into()
        )
    );
}

#[tokio::test]
async fn update_changes_only_what_is_sent_and_moves_last_modified() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let created = c
        .create_group()
        .user_pool_id(&p)
        .group_name("g")
        .description("first")
        .role_arn(ROLE)
        .precedence(5)
        .send()
        .await
        .unwrap();
    let before = created.group().unwrap().clone();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let updated = c
        .update_group()
        .user_pool_id(&p)
        .group_name("g")
        .precedence(2)
        .send()
        .await
        .unwrap();
    let g = updated.group().unwrap();
    assert_eq!(g.precedence(), Some(2));
    assert_eq!(g.description(), Some("first"));
    assert_eq!(g.role_arn(), Some(ROLE));
    assert_eq!(g.creation_date(), before.creation_date());
    assert!(g.last_modified_date().unwrap() > before.last_modified_date().unwrap());
    let got = c
        .get_group()
        .user_pool_id(&p)
        .group_name("g")
        .send()
        .await
        .unwrap();
    assert_eq!(got.group(), Some(g));
}

#[tokio::test]
async fn delete_then_list_pages_with_the_paginator() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    for i in 0..7 {
        c.create_group()
            .user_pool_id(&p)
            .group_name(format!("group-{i}"))
            .send()
            .await
            .unwrap();
    }
    c.delete_group()
        .user_pool_id(&p)
        .group_name("group-3")
        .send()
        .await
        .unwrap();

    let first = c
        .list_groups()
        .user_pool_id(&p)
        .limit(4)
        .send()
        .await
        .unwrap();
    assert_eq!(first.groups().len(), 4);
    assert!(first.next_token().is_some());

    let pages: Vec<_> = c
        .list_groups()
        .user_pool_id(&p)
        .limit(2)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(pages.len(), 3);
    assert!(pages.last().unwrap().next_token().is_none());
    let names: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            p.groups()
                .iter()
                .map(|g| g.group_name().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        names,
        ["group-0", "group-1", "group-2", "group-4", "group-5", "group-6"]
    );

    // No limit (or 0) means up to 60 at once.
    let all = c
        .list_groups()
        .user_pool_id(&p)
        .limit(0)
        .send()
        .await
        .unwrap();
    assert_eq!(all.groups().len(), 6);
    assert!(all.next_token().is_none());

    let e = c
        .list_groups()
        .user_pool_id(&p)
        .limit(61)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "InvalidParameterException");
}
