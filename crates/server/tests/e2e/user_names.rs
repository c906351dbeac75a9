//! Users through the SDK: username case rules, aliases, email as username, and ListUsers
//! (the filter grammar, paging, AttributesToGet).

use crate::harness::{err, TestServer};
use crate::harness::{pool, pool_with};
use crate::users::{attr, attribute, create, user_attr, PW};
use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, MessageActionType, UsernameAttributeType, UsernameConfigurationType,
};
use aws_sdk_cognitoidentityprovider::Client;

#[tokio::test]
async fn usernames_are_case_insensitive_when_the_pool_says_so() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool_with(&c, |b| {
        b.username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        )
    })
    .await;
    create(&c, &p, "MixedCase", &[]).await;
    let got = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("mixedcase")
        .send()
        .await
        .unwrap();
    assert_eq!(got.username(), "MixedCase", "kept as created");
    let r = c
        .admin_create_user()
        .user_pool_id(&p)
        .username("MIXEDCASE")
        .send()
        .await;
    assert_eq!(err(r.unwrap_err()).0, "UsernameExistsException");

    // The API's default is case-sensitive.
    let cs = pool(&c).await;
    create(&c, &cs, "Bob", &[]).await;
    create(&c, &cs, "bob", &[]).await;
    let r = c
        .admin_get_user()
        .user_pool_id(&cs)
        .username("BOB")
        .send()
        .await;
    assert_eq!(err(r.unwrap_err()).0, "UserNotFoundException");
}

#[tokio::test]
async fn verified_aliases_are_unique_and_sign_in_names() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool_with(&c, |b| b.alias_attributes(AliasAttributeType::Email)).await;
    let r = c
        .admin_create_user()
        .user_pool_id(&p)
        .username("x@example.com")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "Username cannot be of email format, since user pool is configured for email alias."
                .into()
        )
    );
    create(
        &c,
        &p,
        "first",
        &[("email", "a@example.com"), ("email_verified", "true")],
    )
    .await;
    // Unverified duplicates are fine, verified ones are not.
    create(&c, &p, "second", &[("email", "a@example.com")]).await;
    let r = c
        .admin_create_user()
        .user_pool_id(&p)
        .username("third")
        .user_attributes(attr("email", "a@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "AliasExistsException".into(),
            "An account with the given email already exists.".into()
        )
    );
    // The alias names its user.
    let got = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("a@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(got.username(), "first");
    // ForceAliasCreation moves it.
    c.admin_create_user()
        .user_pool_id(&p)
        .username("third")
        .user_attributes(attr("email", "a@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .message_action(MessageActionType::Suppress)
        .force_alias_creation(true)
        .send()
        .await
        .unwrap();
    let got = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("a@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(got.username(), "third");
    let first = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("first")
        .send()
        .await
        .unwrap();
    assert_eq!(
        attribute(first.user_attributes(), "email_verified"),
        Some("false")
    );
    // Verifying the second one's copy now collides.
    let r = c
        .admin_update_user_attributes()
        .user_pool_id(&p)
        .username("second")
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "AliasExistsException".into(),
            "An account with the given email already exists.".into()
        )
    );
}

#[tokio::test]
async fn email_as_username_gets_a_uuid_username() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool_with(&c, |b| b.username_attributes(UsernameAttributeType::Email)).await;
    let r = c
        .admin_create_user()
        .user_pool_id(&p)
        .username("plain")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "Username should be an email.".into()
        )
    );
    let u = create(&c, &p, "me@example.com", &[]).await;
    let sub = user_attr(&u, "sub").unwrap();
    assert_eq!(u.username(), Some(sub), "the username is the sub");
    assert_eq!(user_attr(&u, "email"), Some("me@example.com"));
    let got = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("me@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(got.username(), sub);
    let r = c
        .admin_create_user()
        .user_pool_id(&p)
        .username("me@example.com")
        .message_action(MessageActionType::Suppress)
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "UsernameExistsException".into(),
            "An account with the given email already exists.".into()
        )
    );
}

async fn list(c: &Client, p: &str, filter: &str) -> Result<Vec<String>, (String, String)> {
    c.list_users()
        .user_pool_id(p)
        .filter(filter)
        .send()
        .await
        .map(|r| {
            r.users()
                .iter()
                .filter_map(|u| u.username().map(str::to_owned))
                .collect()
        })
        .map_err(err)
}

#[tokio::test]
async fn list_users_filters_pages_and_attributes_to_get() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    for (n, email, family) in [
        ("ann", "ann@x.com", "Smith"),
        ("bea", "bea@y.com", "Smythe"),
        ("cid", "cid@x.com", "Jones"),
    ] {
        create(&c, &p, n, &[("email", email), ("family_name", family)]).await;
    }
    c.admin_disable_user()
        .user_pool_id(&p)
        .username("bea")
        .send()
        .await
        .unwrap();
    c.admin_set_user_password()
        .user_pool_id(&p)
        .username("cid")
        .password(PW)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let ok = |v: &[&str]| Ok(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(list(&c, &p, "email = \"ann@x.com\"").await, ok(&["ann"]));
    assert_eq!(list(&c, &p, "email^=\"ann\"").await, ok(&["ann"]));
    assert_eq!(
        list(&c, &p, "family_name ^= \"Sm\"").await,
        ok(&["ann", "bea"])
    );
    assert_eq!(list(&c, &p, "username = \"cid\"").await, ok(&["cid"]));
    assert_eq!(
        list(&c, &p, "cognito:user_status = \"CONFIRMED\"").await,
        ok(&["cid"])
    );
    assert_eq!(list(&c, &p, "status = \"Disabled\"").await, ok(&["bea"]));
    assert_eq!(
        list(&c, &p, "status = \"Enabled\"").await,
        ok(&["ann", "cid"])
    );
    assert_eq!(list(&c, &p, "email = \"nobody@x.com\"").await, ok(&[]));
    assert_eq!(list(&c, &p, "").await, ok(&["ann", "bea", "cid"]));
    let sub = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("bea")
        .send()
        .await
        .unwrap();
    let sub = attribute(sub.user_attributes(), "sub").unwrap().to_owned();
    assert_eq!(
        list(&c, &p, &format!("sub = \"{sub}\"")).await,
        ok(&["bea"])
    );
    let bad = Err((
        "InvalidParameterException".to_string(),
        "Error while parsing filter.".to_string(),
    ));
    for f in [
        "email",
        "email = ann",
        "email == \"a\"",
        "custom:x = \"a\"",
        "email = \"a",
        "email = \"a\" x",
    ] {
        assert_eq!(list(&c, &p, f).await, bad, "{f}");
    }

    // Pages of one, then AttributesToGet.
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .list_users()
            .user_pool_id(&p)
            .limit(1)
            .set_pagination_token(token)
            .send()
            .await
            .unwrap();
        seen.extend(
            page.users()
                .iter()
                .filter_map(|u| u.username().map(str::to_owned)),
        );
        token = page.pagination_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, ["ann", "bea", "cid"]);
    let page = c
        .list_users()
        .user_pool_id(&p)
        .attributes_to_get("email")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = page.users()[0]
        .attributes()
        .iter()
        .map(|a| a.name())
        .collect();
    assert_eq!(names, ["email"]);
    let r = c
        .list_users()
        .user_pool_id(&p)
        .pagination_token("!!!")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "Invalid pagination token.".into()
        )
    );
}
