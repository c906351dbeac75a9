//! Group membership through the SDK.

use crate::harness::pool;
use crate::harness::{err, TestServer};
use crate::users::create;

#[tokio::test]
async fn membership_add_list_remove_and_with_group_deletion() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    for g in ["admins", "staff"] {
        c.create_group()
            .user_pool_id(&p)
            .group_name(g)
            .precedence(1)
            .send()
            .await
            .unwrap();
    }
    for u in ["ann", "bob", "cy"] {
        create(&c, &p, u, &[]).await;
    }
    let add = |u: &'static str, g: &'static str| {
        c.admin_add_user_to_group()
            .user_pool_id(&p)
            .username(u)
            .group_name(g)
            .send()
    };
    add("ann", "staff").await.unwrap();
    add("ann", "staff").await.unwrap();
    add("ann", "admins").await.unwrap();
    add("bob", "staff").await.unwrap();
    add("cy", "staff").await.unwrap();
    assert_eq!(
        err(add("ann", "nope").await.unwrap_err()),
        (
            "ResourceNotFoundException".into(),
            "Group not found.".into()
        )
    );
    assert_eq!(
        err(add("zed", "staff").await.unwrap_err()),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );

    let groups = c
        .admin_list_groups_for_user()
        .user_pool_id(&p)
        .username("ann")
        .send()
        .await
        .unwrap();
    let names: Vec<_> = groups
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, ["admins", "staff"]);
    assert_eq!(groups.groups()[0].precedence(), Some(1));
    let page = c
        .admin_list_groups_for_user()
        .user_pool_id(&p)
        .username("ann")
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.groups().len(), 1);
    let rest = c
        .admin_list_groups_for_user()
        .user_pool_id(&p)
        .username("ann")
        .next_token(page.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.groups()[0].group_name(), Some("staff"));
    assert!(rest.next_token().is_none());

    let mut members = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .list_users_in_group()
            .user_pool_id(&p)
            .group_name("staff")
            .limit(2)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        members.extend(
            page.users()
                .iter()
                .filter_map(|u| u.username().map(str::to_owned)),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(members, ["ann", "bob", "cy"]);
    let r = c
        .list_users_in_group()
        .user_pool_id(&p)
        .group_name("nope")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "ResourceNotFoundException".into(),
            "Group not found.".into()
        )
    );

    c.admin_remove_user_from_group()
        .user_pool_id(&p)
        .username("bob")
        .group_name("staff")
        .send()
        .await
        .unwrap();
    c.admin_delete_user()
        .user_pool_id(&p)
        .username("cy")
        .send()
        .await
        .unwrap();
    let page = c
        .list_users_in_group()
        .user_pool_id(&p)
        .group_name("staff")
        .send()
        .await
        .unwrap();
    let names: Vec<_> = page.users().iter().filter_map(|u| u.username()).collect();
    assert_eq!(names, ["ann"]);

    // Deleting the group drops its memberships; a new group of that name starts empty.
    c.delete_group()
        .user_pool_id(&p)
        .group_name("staff")
        .send()
        .await
        .unwrap();
    c.create_group()
        .user_pool_id(&p)
        .group_name("staff")
        .send()
        .await
        .unwrap();
    let page = c
        .list_users_in_group()
        .user_pool_id(&p)
        .group_name("staff")
        .send()
        .await
        .unwrap();
    assert!(page.users().is_empty());
    let groups = c
        .admin_list_groups_for_user()
        .user_pool_id(&p)
        .username("ann")
        .send()
        .await
        .unwrap();
    let names: Vec<_> = groups
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, ["admins"]);
}
