//! Who may write which attributes, and how a write is checked: no self-service call (SignUp,
//! UpdateUserAttributes, DeleteUserAttributes, the userAttributes of a NEW_PASSWORD_REQUIRED
//! answer) may write `email_verified` or `phone_number_verified`, whatever the app client's
//! WriteAttributes; Boolean values in any case; every schema violation of a call listed.

use crate::harness::{client_with, err, pool_with, TestServer};
use crate::users::{attr, attribute, confirmed, PW};
use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, AttributeDataType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType,
    MessageActionType, SchemaAttributeType, UserStatusType, VerifiedAttributeType,
};
use aws_sdk_cognitoidentityprovider::Client;

const TEMPORARY: &str = "Temporary-pass-1";
const NEW_PASSWORD: &str = "New-password-12";

fn unauthorized() -> (String, String) {
    (
        "NotAuthorizedException".into(),
        "A client attempted to write unauthorized attribute".into(),
    )
}

fn invalid(message: &str) -> (String, String) {
    ("InvalidParameterException".into(), message.into())
}

/// An email-alias pool that auto-verifies email, and two app clients: one without
/// WriteAttributes (it may write every attribute it may write at all), one with an explicit
/// list. The pool id and the two client ids.
async fn setup(c: &Client) -> (String, [String; 2]) {
    let p = pool_with(c, |b| {
        b.alias_attributes(AliasAttributeType::Email)
            .auto_verified_attributes(VerifiedAttributeType::Email)
    })
    .await;
    let flows = |b: aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
    };
    let open = client_with(c, &p, flows).await;
    let listed = client_with(c, &p, |b| {
        flows(b)
            .write_attributes("email")
            .write_attributes("phone_number")
            .write_attributes("name")
    })
    .await;
    (p, [open, listed])
}

/// AdminGetUser's value of `name`.
async fn admin_attribute(c: &Client, p: &str, user: &str, name: &str) -> Option<String> {
    let got = c
        .admin_get_user()
        .user_pool_id(p)
        .username(user)
        .send()
        .await
        .unwrap();
    attribute(got.user_attributes(), name).map(str::to_owned)
}

async fn access_token(c: &Client, cid: &str, user: &str) -> String {
    c.initiate_auth()
        .client_id(cid)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", user)
        .auth_parameters("PASSWORD", PW)
        .send()
        .await
        .unwrap()
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn sign_up_cannot_mark_an_address_verified() {
    let s = TestServer::start().await;
    let c = s.client();
    let (p, clients) = setup(&c).await;
    for cid in &clients {
        for attrs in [
            [("email", "victim@example.com"), ("email_verified", "true")],
            [
                ("phone_number", "+15555550100"),
                ("phone_number_verified", "true"),
            ],
            [("email", "victim@example.com"), ("email_verified", "True")],
            [("email", "victim@example.com"), ("email_verified", "false")],
        ] {
            let e = c
                .sign_up()
                .client_id(cid)
                .username("mallory")
                .password(PW)
                .set_user_attributes(Some(attrs.iter().map(|(k, v)| attr(k, v)).collect()))
                .send()
                .await
                .unwrap_err();
            assert_eq!(err(e), unauthorized(), "{attrs:?}");
            let e = c
                .admin_get_user()
                .user_pool_id(&p)
                .username("mallory")
                .send()
                .await
                .unwrap_err();
            assert_eq!(err(e).0, "UserNotFoundException");
        }
    }
    assert!(s.server.app().outbox.list(Some(&p), None).is_empty());

    // Without the flag, SignUp works and the address waits for its code.
    c.sign_up()
        .client_id(&clients[0])
        .username("mallory")
        .password(PW)
        .user_attributes(attr("email", "mallory@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        admin_attribute(&c, &p, "mallory", "email_verified").await,
        Some("false".into())
    );
}

#[tokio::test]
async fn update_user_attributes_cannot_mark_an_address_verified() {
    let s = TestServer::start().await;
    let c = s.client();
    let (p, clients) = setup(&c).await;
    confirmed(
        &c,
        &p,
        "ann",
        &[
            ("email", "ann@example.com"),
            ("email_verified", "false"),
            ("phone_number", "+15555550100"),
            ("phone_number_verified", "false"),
        ],
    )
    .await;
    for cid in &clients {
        let token = access_token(&c, cid, "ann").await;
        for attrs in [
            vec![("email_verified", "true")],
            vec![("phone_number_verified", "true")],
            vec![("email", "victim@example.com"), ("email_verified", "true")],
            vec![("name", "Ann"), ("phone_number_verified", "TRUE")],
        ] {
            let e = c
                .update_user_attributes()
                .access_token(&token)
                .set_user_attributes(Some(attrs.iter().map(|(k, v)| attr(k, v)).collect()))
                .send()
                .await
                .unwrap_err();
            assert_eq!(err(e), unauthorized(), "{attrs:?}");
        }
        for name in ["email_verified", "phone_number_verified"] {
            let e = c
                .delete_user_attributes()
                .access_token(&token)
                .user_attribute_names(name)
                .send()
                .await
                .unwrap_err();
            assert_eq!(err(e), unauthorized(), "{name}");
        }
        for (name, value) in [
            ("email", "ann@example.com"),
            ("email_verified", "false"),
            ("phone_number_verified", "false"),
        ] {
            assert_eq!(
                admin_attribute(&c, &p, "ann", name).await.as_deref(),
                Some(value)
            );
        }
        assert_eq!(admin_attribute(&c, &p, "ann", "name").await, None);
    }
    assert!(s.server.app().outbox.list(Some(&p), None).is_empty());

    // The client's WriteAttributes bound DeleteUserAttributes too.
    let listed = access_token(&c, &clients[1], "ann").await;
    let e = c
        .delete_user_attributes()
        .access_token(&listed)
        .user_attribute_names("locale")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e), unauthorized());

    // An administrator may set the flags.
    c.admin_update_user_attributes()
        .user_pool_id(&p)
        .username("ann")
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        admin_attribute(&c, &p, "ann", "email_verified").await,
        Some("true".into())
    );
}

/// A FORCE_CHANGE_PASSWORD user answering NEW_PASSWORD_REQUIRED through `cid`, with RespondToAuthChallenge
/// or (`admin`) AdminRespondToAuthChallenge, giving `attrs` as userAttributes.
async fn answer_new_password(
    c: &Client,
    p: &str,
    cid: &str,
    user: &str,
    admin: bool,
    attrs: &[(&str, &str)],
) -> Result<(), (String, String)> {
    let session = if admin {
        c.admin_initiate_auth()
            .user_pool_id(p)
            .client_id(cid)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", user)
            .auth_parameters("PASSWORD", TEMPORARY)
            .send()
            .await
            .unwrap()
            .session()
            .unwrap()
            .to_owned()
    } else {
        c.initiate_auth()
            .client_id(cid)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", user)
            .auth_parameters("PASSWORD", TEMPORARY)
            .send()
            .await
            .unwrap()
            .session()
            .unwrap()
            .to_owned()
    };
    let mut responses = vec![
        ("USERNAME".to_owned(), user.to_owned()),
        ("NEW_PASSWORD".to_owned(), NEW_PASSWORD.to_owned()),
    ];
    for (k, v) in attrs {
        responses.push((format!("userAttributes.{k}"), v.to_string()));
    }
    let responses = Some(responses.into_iter().collect());
    if admin {
        c.admin_respond_to_auth_challenge()
            .user_pool_id(p)
            .client_id(cid)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(session)
            .set_challenge_responses(responses)
            .send()
            .await
            .map(|r| assert!(r.authentication_result().is_some()))
            .map_err(err)
    } else {
        c.respond_to_auth_challenge()
            .client_id(cid)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(session)
            .set_challenge_responses(responses)
            .send()
            .await
            .map(|r| assert!(r.authentication_result().is_some()))
            .map_err(err)
    }
}

async fn invited(c: &Client, p: &str, user: &str, attrs: &[(&str, &str)]) {
    c.admin_create_user()
        .user_pool_id(p)
        .username(user)
        .temporary_password(TEMPORARY)
        .message_action(MessageActionType::Suppress)
        .set_user_attributes(Some(attrs.iter().map(|(k, v)| attr(k, v)).collect()))
        .send()
        .await
        .unwrap();
}

async fn status(c: &Client, p: &str, user: &str) -> UserStatusType {
    c.admin_get_user()
        .user_pool_id(p)
        .username(user)
        .send()
        .await
        .unwrap()
        .user_status()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn new_password_required_cannot_mark_an_address_verified() {
    let s = TestServer::start().await;
    let c = s.client();
    let (p, clients) = setup(&c).await;
    for (i, cid) in clients.iter().enumerate() {
        for admin in [false, true] {
            let user = format!("newbie-{i}-{admin}");
            invited(
                &c,
                &p,
                &user,
                &[
                    ("email", &format!("{user}@example.com")),
                    ("email_verified", "false"),
                ],
            )
            .await;
            for attrs in [
                vec![("email_verified", "true")],
                vec![
                    ("phone_number", "+15555550100"),
                    ("phone_number_verified", "true"),
                ],
            ] {
                let e = answer_new_password(&c, &p, cid, &user, admin, &attrs)
                    .await
                    .unwrap_err();
                assert_eq!(e, unauthorized(), "{attrs:?} admin={admin}");
            }
            assert_eq!(
                admin_attribute(&c, &p, &user, "email_verified").await,
                Some("false".into())
            );
            assert_eq!(
                admin_attribute(&c, &p, &user, "phone_number_verified").await,
                None
            );
            assert_eq!(
                status(&c, &p, &user).await,
                UserStatusType::ForceChangePassword
            );
        }
    }
}

#[tokio::test]
async fn new_password_required_changes_attributes_as_an_update_does() {
    let s = TestServer::start().await;
    let c = s.client();
    let (p, clients) = setup(&c).await;
    for admin in [false, true] {
        // An address an administrator verified, replaced in the answer: the new one is not
        // verified, and its code goes out as for UpdateUserAttributes.
        let user = format!("newbie-{admin}");
        invited(
            &c,
            &p,
            &user,
            &[("email", "old@example.com"), ("email_verified", "true")],
        )
        .await;
        let new_email = format!("{user}@example.com");
        answer_new_password(
            &c,
            &p,
            &clients[0],
            &user,
            admin,
            &[("email", &new_email), ("name", "Newbie")],
        )
        .await
        .unwrap();
        assert_eq!(status(&c, &p, &user).await, UserStatusType::Confirmed);
        assert_eq!(
            admin_attribute(&c, &p, &user, "email").await,
            Some(new_email.clone())
        );
        assert_eq!(
            admin_attribute(&c, &p, &user, "email_verified").await,
            Some("false".into())
        );
        assert_eq!(
            admin_attribute(&c, &p, &user, "name").await,
            Some("Newbie".into())
        );
        let out = s.server.app().outbox.list(Some(&p), Some(&user));
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].destination, new_email);
        assert_eq!(out[0].purpose, "verify_attribute");
    }
    // Outside the client's WriteAttributes: refused.
    invited(&c, &p, "listed", &[("email", "listed@example.com")]).await;
    let e = answer_new_password(&c, &p, &clients[1], "listed", false, &[("locale", "en")])
        .await
        .unwrap_err();
    assert_eq!(e, unauthorized());
}

#[tokio::test]
async fn booleans_are_accepted_in_any_case_and_stored_lowercase() {
    let s = TestServer::start().await;
    let c = s.client();
    let (p, _) = setup(&c).await;
    let created = c
        .admin_create_user()
        .user_pool_id(&p)
        .username("bo")
        .message_action(MessageActionType::Suppress)
        .user_attributes(attr("email", "bo@example.com"))
        .user_attributes(attr("email_verified", "True"))
        .user_attributes(attr("phone_number", "+15555550100"))
        .user_attributes(attr("phone_number_verified", "FALSE"))
        .send()
        .await
        .unwrap();
    let user = created.user().unwrap();
    assert_eq!(attribute(user.attributes(), "email_verified"), Some("true"));
    assert_eq!(
        attribute(user.attributes(), "phone_number_verified"),
        Some("false")
    );
    assert_eq!(
        admin_attribute(&c, &p, "bo", "email_verified").await,
        Some("true".into())
    );
    assert_eq!(
        admin_attribute(&c, &p, "bo", "phone_number_verified").await,
        Some("false".into())
    );
    // The verified email is an alias at once.
    c.admin_set_user_password()
        .user_pool_id(&p)
        .username("bo")
        .password(PW)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let _ = access_token(&c, &created_client(&c, &p).await, "bo@example.com").await;

    c.admin_update_user_attributes()
        .user_pool_id(&p)
        .username("bo")
        .user_attributes(attr("email_verified", "fAlSe"))
        .user_attributes(attr("phone_number_verified", "tRUE"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        admin_attribute(&c, &p, "bo", "email_verified").await,
        Some("false".into())
    );
    assert_eq!(
        admin_attribute(&c, &p, "bo", "phone_number_verified").await,
        Some("true".into())
    );

    let e = c
        .admin_update_user_attributes()
        .user_pool_id(&p)
        .username("bo")
        .user_attributes(attr("email_verified", "yes"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        invalid("user.email_verified: Attribute value must be a boolean.")
    );
}

async fn created_client(c: &Client, p: &str) -> String {
    client_with(c, p, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
    })
    .await
}

#[tokio::test]
async fn a_schema_violation_lists_every_attribute() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool_with(&c, |b| {
        b.schema(
            SchemaAttributeType::builder()
                .name("email")
                .attribute_data_type(AttributeDataType::String)
                .required(true)
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("name")
                .attribute_data_type(AttributeDataType::String)
                .required(true)
                .build(),
        )
    })
    .await;
    let cid = created_client(&c, &p).await;

    // Creating: SignUp and AdminCreateUser.
    let e = c
        .sign_up()
        .client_id(&cid)
        .username("u")
        .password(PW)
        .user_attributes(attr("custom:a", "1"))
        .user_attributes(attr("custom:b", "2"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        invalid(
            "Attributes did not conform to the schema: \
             custom:a: Attribute does not exist in the schema.\n\
             custom:b: Attribute does not exist in the schema.\n"
        )
    );
    let e = c
        .admin_create_user()
        .user_pool_id(&p)
        .username("u")
        .user_attributes(attr("email_verified", "yes"))
        .user_attributes(attr("custom:nope", "1"))
        .user_attributes(attr("sub", "x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        invalid(
            "Attributes did not conform to the schema: \
             email_verified: Attribute value must be a boolean.\n\
             custom:nope: Attribute does not exist in the schema.\n\
             sub: Attribute cannot be updated.\n"
        )
    );
    let e = c
        .admin_create_user()
        .user_pool_id(&p)
        .username("u")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        invalid(
            "Attributes did not conform to the schema: \
             name: The attribute is required\n\
             email: The attribute is required\n"
        )
    );
    // One violation: the message as before.
    let e = c
        .admin_create_user()
        .user_pool_id(&p)
        .username("u")
        .user_attributes(attr("email", "u@example.com"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        invalid("Attributes did not conform to the schema: name: The attribute is required\n")
    );

    // Updating: AdminUpdateUserAttributes, UpdateUserAttributes, deleting.
    confirmed(
        &c,
        &p,
        "ann",
        &[("email", "ann@example.com"), ("name", "Ann")],
    )
    .await;
    let e = c
        .admin_update_user_attributes()
        .user_pool_id(&p)
        .username("ann")
        .user_attributes(attr("sub", "x"))
        .user_attributes(attr("custom:x", "1"))
        .user_attributes(attr("name", ""))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        invalid(
            "user.sub: Attribute cannot be updated.\n\
             user.custom:x: Attribute does not exist in the schema.\n\
             user.name: Required attribute cannot be deleted."
        )
    );
    let token = access_token(&c, &cid, "ann").await;
    let e = c
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("custom:x", "1"))
        .user_attributes(attr("custom:y", "2"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        invalid(
            "user.custom:x: Attribute does not exist in the schema.\n\
             user.custom:y: Attribute does not exist in the schema."
        )
    );
    let e = c
        .admin_delete_user_attributes()
        .user_pool_id(&p)
        .username("ann")
        .user_attribute_names("email")
        .user_attribute_names("name")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        invalid(
            "user.email: Required attribute cannot be deleted.\n\
             user.name: Required attribute cannot be deleted."
        )
    );
    let e = c
        .delete_user_attributes()
        .access_token(&token)
        .user_attribute_names("custom:x")
        .user_attribute_names("sub")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        invalid(
            "user.custom:x: Attribute does not exist in the schema.\n\
             user.sub: Attribute cannot be updated."
        )
    );
    // Nothing of a refused call was written.
    assert_eq!(
        admin_attribute(&c, &p, "ann", "name").await,
        Some("Ann".into())
    );
}
