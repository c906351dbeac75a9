//! Users through the SDK: AdminCreateUser, AdminGetUser, AdminSetUserPassword,
//! enable/disable/delete, attributes, AdminConfirmSignUp, AdminResetUserPassword, ListUsers
//! (filters, paging, AttributesToGet), aliases and username case rules.

use crate::harness::{err, pool, pool_with, TestServer};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, DeliveryMediumType, MessageActionType, PasswordPolicyType, UserPoolPolicyType,
    UserStatusType, UserType, VerifiedAttributeType,
};
use aws_sdk_cognitoidentityprovider::Client;

pub fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

pub fn attribute<'a>(attrs: &'a [AttributeType], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value())
}

pub fn user_attr<'a>(u: &'a UserType, name: &str) -> Option<&'a str> {
    attribute(u.attributes(), name)
}

pub const PW: &str = "Correct-horse-1";

pub async fn create(c: &Client, p: &str, name: &str, attrs: &[(&str, &str)]) -> UserType {
    c.admin_create_user()
        .user_pool_id(p)
        .username(name)
        .set_user_attributes(Some(attrs.iter().map(|(k, v)| attr(k, v)).collect()))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap()
        .user()
        .unwrap()
        .clone()
}

/// A CONFIRMED user with the permanent password PW and the given attributes.
pub async fn confirmed(c: &Client, p: &str, name: &str, attrs: &[(&str, &str)]) {
    create(c, p, name, attrs).await;
    c.admin_set_user_password()
        .user_pool_id(p)
        .username(name)
        .password(PW)
        .permanent(true)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn admin_create_user_then_get_it() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let created = c
        .admin_create_user()
        .user_pool_id(&p)
        .username("alice")
        .user_attributes(attr("email", "alice@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .user_attributes(attr("custom:nope", "x").clone())
        .send()
        .await;
    let (code, message) = err(created.unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.\n"
    );

    let u = create(
        &c,
        &p,
        "alice",
        &[
            ("email", "alice@example.com"),
            ("email_verified", "true"),
            ("name", "Alice"),
        ],
    )
    .await;
    assert_eq!(u.username(), Some("alice"));
    assert_eq!(u.user_status(), Some(&UserStatusType::ForceChangePassword));
    assert!(u.enabled());
    let sub = user_attr(&u, "sub").unwrap().to_owned();
    assert_eq!(sub.len(), 36);
    assert_eq!(&sub[14..15], "4");
    assert_eq!(u.attributes()[0].name(), "sub", "sub comes first");

    let got = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(got.username(), "alice");
    assert_eq!(
        got.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    assert_eq!(attribute(got.user_attributes(), "sub"), Some(sub.as_str()));
    assert_eq!(
        attribute(got.user_attributes(), "email_verified"),
        Some("true")
    );
    assert_eq!(attribute(got.user_attributes(), "name"), Some("Alice"));
    assert_eq!(got.user_create_date(), u.user_create_date());

    // By sub too, as Cognito allows.
    let by_sub = c
        .admin_get_user()
        .user_pool_id(&p)
        .username(&sub)
        .send()
        .await
        .unwrap();
    assert_eq!(by_sub.username(), "alice");

    let again = c
        .admin_create_user()
        .user_pool_id(&p)
        .username("alice")
        .send()
        .await;
    assert_eq!(
        err(again.unwrap_err()),
        (
            "UsernameExistsException".into(),
            "User account already exists".into()
        )
    );
    let missing = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("bob")
        .send()
        .await;
    assert_eq!(
        err(missing.unwrap_err()),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    let no_pool = c
        .admin_get_user()
        .user_pool_id("us-east-1_nopenope1")
        .username("bob")
        .send()
        .await;
    assert_eq!(
        err(no_pool.unwrap_err()),
        (
            "ResourceNotFoundException".into(),
            "User pool us-east-1_nopenope1 does not exist.".into()
        )
    );
    let described = c
        .describe_user_pool()
        .user_pool_id(&p)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool().unwrap().estimated_number_of_users(),
        1
    );
}

#[tokio::test]
async fn admin_create_user_checks_attributes_and_passwords() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let cases: Vec<(Vec<AttributeType>, Option<&str>, &str, &str)> = vec![
        (vec![attr("email", "not-an-email")], None, "InvalidParameterException", "Invalid email address format."),
        (vec![attr("phone_number", "555")], None, "InvalidParameterException", "Invalid phone number format."),
        (vec![attr("sub", "x")], None, "InvalidParameterException", "Attributes did not conform to the schema: sub: Attribute cannot be updated.\n"),
        (vec![attr("email_verified", "yes")], None, "InvalidParameterException", "Attributes did not conform to the schema: email_verified: Attribute value must be a boolean.\n"),
        (vec![], Some("short"), "InvalidPasswordException", "Password did not conform with policy: Password not long enough"),
        (vec![], Some("alllowercase1!"), "InvalidPasswordException", "Password did not conform with policy: Password must have uppercase characters"),
        (vec![], Some("NoSymbols123"), "InvalidPasswordException", "Password did not conform with policy: Password must have symbol characters"),
    ];
    for (attrs, pw, code, message) in cases {
        let r = c
            .admin_create_user()
            .user_pool_id(&p)
            .username("u")
            .set_user_attributes(Some(attrs))
            .set_temporary_password(pw.map(str::to_owned))
            .send()
            .await;
        assert_eq!(err(r.unwrap_err()), (code.to_string(), message.to_string()));
    }
    // Required attributes.
    let strict = pool_with(&c, |b| {
        b.schema(
            aws_sdk_cognitoidentityprovider::types::SchemaAttributeType::builder()
                .name("email")
                .attribute_data_type(
                    aws_sdk_cognitoidentityprovider::types::AttributeDataType::String,
                )
                .required(true)
                .build(),
        )
    })
    .await;
    let r = c
        .admin_create_user()
        .user_pool_id(&strict)
        .username("u")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "Attributes did not conform to the schema: email: The attribute is required\n".into()
        )
    );
}

#[tokio::test]
async fn invitation_goes_to_the_outbox_from_the_template() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool_with(&c, |b| {
        b.admin_create_user_config(
            aws_sdk_cognitoidentityprovider::types::AdminCreateUserConfigType::builder()
                .invite_message_template(
                    aws_sdk_cognitoidentityprovider::types::MessageTemplateType::builder()
                        .email_subject("Welcome")
                        .email_message("Hi {username}, your code is {####}")
                        .build(),
                )
                .build(),
        )
    })
    .await;
    c.admin_create_user()
        .user_pool_id(&p)
        .username("carol")
        .temporary_password("Temp-pass-1")
        .user_attributes(attr("email", "carol@example.com"))
        .user_attributes(attr("phone_number", "+15555551234"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    // Default medium is SMS with Cognito's default text; SUPPRESS sends nothing.
    c.admin_create_user()
        .user_pool_id(&p)
        .username("dave")
        .user_attributes(attr("phone_number", "+15555550000"))
        .send()
        .await
        .unwrap();
    create(&c, &p, "erin", &[("email", "erin@example.com")]).await;

    let url = format!("{}/_ironpool/outbox?pool={p}", s.url());
    let out: serde_json::Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    let out = out.as_array().unwrap();
    assert_eq!(out.len(), 2, "{out:?}");
    // Newest first.
    assert_eq!(out[1]["username"], "carol");
    assert_eq!(out[1]["medium"], "EMAIL");
    assert_eq!(out[1]["destination"], "carol@example.com");
    assert_eq!(out[1]["subject"], "Welcome");
    assert_eq!(out[1]["body"], "Hi carol, your code is Temp-pass-1");
    assert_eq!(out[1]["code"], "Temp-pass-1");
    assert_eq!(out[1]["poolId"], p.as_str());
    assert_eq!(out[0]["username"], "dave");
    assert_eq!(out[0]["medium"], "SMS");
    let body = out[0]["body"].as_str().unwrap();
    let temp = out[0]["code"].as_str().unwrap();
    assert_eq!(
        body,
        format!("Your username is dave and temporary password is {temp}. ")
    );
    assert!(temp.len() >= 8);
    let dave: serde_json::Value = reqwest::get(format!(
        "{}/_ironpool/outbox?pool={p}&username=dave",
        s.url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(dave.as_array().unwrap().len(), 1);

    // RESEND: a new temporary password for a FORCE_CHANGE_PASSWORD user; not for others.
    c.admin_create_user()
        .user_pool_id(&p)
        .username("dave")
        .message_action(MessageActionType::Resend)
        .send()
        .await
        .unwrap();
    let out = s.server.app().outbox.list(Some(&p), Some("dave"));
    assert_eq!(out.len(), 2);
    assert_ne!(out[0].code, out[1].code);
    let r = c
        .admin_create_user()
        .user_pool_id(&p)
        .username("nobody")
        .message_action(MessageActionType::Resend)
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    c.admin_set_user_password()
        .user_pool_id(&p)
        .username("dave")
        .password(PW)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let r = c
        .admin_create_user()
        .user_pool_id(&p)
        .username("dave")
        .message_action(MessageActionType::Resend)
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "UnsupportedUserStateException".into(),
            "Resend not possible. dave status is not FORCE_CHANGE_PASSWORD".into()
        )
    );
}

#[tokio::test]
async fn admin_set_user_password_moves_the_status_and_keeps_history() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool_with(&c, |b| {
        b.policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(8)
                        .password_history_size(2)
                        .build(),
                )
                .build(),
        )
    })
    .await;
    create(&c, &p, "u", &[]).await;
    let set = |pw: &'static str, permanent: bool| {
        c.admin_set_user_password()
            .user_pool_id(&p)
            .username("u")
            .password(pw)
            .permanent(permanent)
            .send()
    };
    let status = || async {
        c.admin_get_user()
            .user_pool_id(&p)
            .username("u")
            .send()
            .await
            .unwrap()
            .user_status()
            .cloned()
    };
    set("First-pass-1", true).await.unwrap();
    assert_eq!(status().await, Some(UserStatusType::Confirmed));
    set("Second-pass-1", false).await.unwrap();
    assert_eq!(status().await, Some(UserStatusType::ForceChangePassword));
    set("Third-pass-1", true).await.unwrap();
    assert_eq!(status().await, Some(UserStatusType::Confirmed));
    let reused = set("First-pass-1", true).await;
    assert_eq!(
        err(reused.unwrap_err()),
        (
            "InvalidPasswordException".into(),
            "Password did not conform with policy: Password has previously been used".into()
        )
    );
    let weak = set("weak", true).await;
    assert_eq!(
        err(weak.unwrap_err()),
        (
            "InvalidPasswordException".into(),
            "Password did not conform with policy: Password not long enough".into()
        )
    );
    let r = c
        .admin_set_user_password()
        .user_pool_id(&p)
        .username("ghost")
        .password(PW)
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    // The password is kept sealed, never in the clear.
    let stored = s
        .server
        .app()
        .store
        .get_user(&p, "u")
        .await
        .unwrap()
        .unwrap();
    let record = stored.password.unwrap();
    assert_eq!(record.srp_user_id, "u");
    assert!(!record.temporary);
    assert!(record.sealed_verifier.starts_with("v1."));
    assert!(!record.sealed_verifier.contains("Third"));
    assert_eq!(
        stored.password_history.len(),
        1,
        "temporary passwords are not history"
    );
}

#[tokio::test]
async fn enable_disable_delete_and_confirm() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    create(&c, &p, "u", &[]).await;
    c.admin_disable_user()
        .user_pool_id(&p)
        .username("u")
        .send()
        .await
        .unwrap();
    let got = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("u")
        .send()
        .await
        .unwrap();
    assert!(!got.enabled());
    assert_eq!(
        got.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    c.admin_enable_user()
        .user_pool_id(&p)
        .username("u")
        .send()
        .await
        .unwrap();
    let got = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("u")
        .send()
        .await
        .unwrap();
    assert!(got.enabled());

    let r = c
        .admin_confirm_sign_up()
        .user_pool_id(&p)
        .username("u")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "NotAuthorizedException".into(),
            "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD".into()
        )
    );
    c.admin_delete_user()
        .user_pool_id(&p)
        .username("u")
        .send()
        .await
        .unwrap();
    let r = c
        .admin_delete_user()
        .user_pool_id(&p)
        .username("u")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    let r = c
        .admin_disable_user()
        .user_pool_id(&p)
        .username("u")
        .send()
        .await;
    assert_eq!(err(r.unwrap_err()).0, "UserNotFoundException");
    let r = c
        .admin_enable_user()
        .user_pool_id(&p)
        .username("u")
        .send()
        .await;
    assert_eq!(err(r.unwrap_err()).0, "UserNotFoundException");
}

#[tokio::test]
async fn update_and_delete_attributes() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool_with(&c, |b| {
        b.auto_verified_attributes(VerifiedAttributeType::Email)
    })
    .await;
    create(
        &c,
        &p,
        "u",
        &[
            ("email", "old@example.com"),
            ("email_verified", "true"),
            ("name", "N"),
        ],
    )
    .await;
    c.admin_update_user_attributes()
        .user_pool_id(&p)
        .username("u")
        .user_attributes(attr("email", "new@example.com"))
        .user_attributes(attr("given_name", "G"))
        .send()
        .await
        .unwrap();
    let got = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("u")
        .send()
        .await
        .unwrap();
    let a = got.user_attributes();
    assert_eq!(attribute(a, "email"), Some("new@example.com"));
    assert_eq!(
        attribute(a, "email_verified"),
        Some("false"),
        "a new email is unverified"
    );
    assert_eq!(attribute(a, "given_name"), Some("G"));
    let out = s.server.app().outbox.list(Some(&p), Some("u"));
    assert_eq!(out.len(), 1, "a verification code for the new address");
    assert_eq!(out[0].destination, "new@example.com");
    assert_eq!(out[0].purpose, "verify_attribute");
    assert_eq!(out[0].subject.as_deref(), Some("Your verification code"));
    assert_eq!(
        out[0].body,
        format!("Your verification code is {}. ", out[0].code)
    );

    let r = c
        .admin_update_user_attributes()
        .user_pool_id(&p)
        .username("u")
        .user_attributes(attr("sub", "x"))
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "user.sub: Attribute cannot be updated.".into()
        )
    );
    let r = c
        .admin_update_user_attributes()
        .user_pool_id(&p)
        .username("u")
        .user_attributes(attr("custom:x", "x"))
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "user.custom:x: Attribute does not exist in the schema.".into()
        )
    );

    c.admin_delete_user_attributes()
        .user_pool_id(&p)
        .username("u")
        .user_attribute_names("email")
        .user_attribute_names("name")
        .send()
        .await
        .unwrap();
    let got = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("u")
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = got.user_attributes().iter().map(|a| a.name()).collect();
    assert_eq!(names, ["sub", "given_name"]);
    let r = c
        .admin_delete_user_attributes()
        .user_pool_id(&p)
        .username("u")
        .user_attribute_names("sub")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "user.sub: Attribute cannot be updated.".into()
        )
    );
}

#[tokio::test]
async fn admin_reset_user_password_sends_a_reset_code() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    confirmed(
        &c,
        &p,
        "v",
        &[("email", "v@example.com"), ("email_verified", "true")],
    )
    .await;
    confirmed(&c, &p, "nv", &[("email", "nv@example.com")]).await;
    create(
        &c,
        &p,
        "invited",
        &[("email", "i@example.com"), ("email_verified", "true")],
    )
    .await;
    let r = c
        .admin_reset_user_password()
        .user_pool_id(&p)
        .username("invited")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "NotAuthorizedException".into(),
            "User password cannot be reset in the current state.".into()
        ),
        "FORCE_CHANGE_PASSWORD"
    );
    c.admin_reset_user_password()
        .user_pool_id(&p)
        .username("v")
        .send()
        .await
        .unwrap();
    let got = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("v")
        .send()
        .await
        .unwrap();
    assert_eq!(got.user_status(), Some(&UserStatusType::ResetRequired));
    let out = s.server.app().outbox.list(Some(&p), Some("v"));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].purpose, "forgot_password");
    assert_eq!(out[0].code.len(), 6);
    let r = c
        .admin_reset_user_password()
        .user_pool_id(&p)
        .username("nv")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "Cannot reset password for the user as there is no registered/verified email or phone_number".into()
        )
    );
}
