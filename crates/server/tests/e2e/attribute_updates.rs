//! UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate through the SDK: a
//! verified email keeps its value (for GetUser, AdminGetUser, ListUsers, tokens and sign-in by
//! alias) until the new one is verified; the code goes to the new address; a newer update
//! replaces a pending one; an administrator's `email_verified=true` applies at once.

use crate::harness::{client_with, err, pool_with, TestServer};
use crate::signin_support::decode;
use crate::users::{attr, attribute, confirmed, PW};
use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, AttributeDataType, AuthFlowType, DeliveryMediumType, ExplicitAuthFlowsType,
    SchemaAttributeType, UserAttributeUpdateSettingsType, VerifiedAttributeType,
};
use aws_sdk_cognitoidentityprovider::Client;

/// An email-alias pool that auto-verifies email and keeps a verified one until a new one is
/// verified; an app client with USER_PASSWORD_AUTH; its ids.
async fn setup(c: &Client) -> (String, String) {
    let p = pool_with(c, |b| {
        b.alias_attributes(AliasAttributeType::Email)
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .user_attribute_update_settings(
                UserAttributeUpdateSettingsType::builder()
                    .attributes_require_verification_before_update(VerifiedAttributeType::Email)
                    .build(),
            )
    })
    .await;
    let cid = client_with(c, &p, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
    })
    .await;
    (p, cid)
}

async fn sign_in(c: &Client, cid: &str, name: &str) -> Result<(String, String), (String, String)> {
    c.initiate_auth()
        .client_id(cid)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", PW)
        .send()
        .await
        .map(|r| {
            let t = r.authentication_result().unwrap();
            (
                t.access_token().unwrap().to_owned(),
                t.id_token().unwrap().to_owned(),
            )
        })
        .map_err(err)
}

/// (email, email_verified) as AdminGetUser shows them.
async fn admin_email(c: &Client, p: &str, name: &str) -> (Option<String>, Option<String>) {
    let got = c
        .admin_get_user()
        .user_pool_id(p)
        .username(name)
        .send()
        .await
        .unwrap();
    let a = got.user_attributes();
    (
        attribute(a, "email").map(str::to_owned),
        attribute(a, "email_verified").map(str::to_owned),
    )
}

fn some(email: &str, verified: &str) -> (Option<String>, Option<String>) {
    (Some(email.to_owned()), Some(verified.to_owned()))
}

#[tokio::test]
async fn a_verified_email_stays_until_the_new_one_is_verified() {
    let s = TestServer::start().await;
    let c = s.client();
    let (p, cid) = setup(&c).await;
    confirmed(
        &c,
        &p,
        "ann",
        &[("email", "old@example.com"), ("email_verified", "true")],
    )
    .await;
    let (token, _) = sign_in(&c, &cid, "old@example.com").await.unwrap();

    let r = c
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("email", "new@example.com"))
        .send()
        .await
        .unwrap();
    let d = &r.code_delivery_details_list()[0];
    assert_eq!(d.destination(), Some("n***@e***"));
    assert_eq!(d.delivery_medium(), Some(&DeliveryMediumType::Email));
    let out = s.server.app().outbox.list(Some(&p), Some("ann"));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].destination, "new@example.com");
    assert_eq!(out[0].purpose, "verify_attribute");
    let first_code = out[0].code.clone();

    // Everything still shows, and signs in with, the old verified address.
    let me = c.get_user().access_token(&token).send().await.unwrap();
    assert_eq!(
        attribute(me.user_attributes(), "email"),
        Some("old@example.com")
    );
    assert_eq!(
        attribute(me.user_attributes(), "email_verified"),
        Some("true")
    );
    assert_eq!(
        admin_email(&c, &p, "ann").await,
        some("old@example.com", "true")
    );
    let listed = c
        .list_users()
        .user_pool_id(&p)
        .filter("email = \"old@example.com\"")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.users().len(), 1);
    let (_, id) = sign_in(&c, &cid, "old@example.com").await.unwrap();
    let (_, claims) = decode(&id);
    assert_eq!(claims["email"], "old@example.com");
    assert_eq!(claims["email_verified"], true);
    assert_eq!(
        sign_in(&c, &cid, "new@example.com").await.unwrap_err(),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );

    // A newer change replaces the pending one, and its code the earlier code.
    c.update_user_attributes()
        .access_token(&token)
        .user_attributes(attr("email", "newer@example.com"))
        .send()
        .await
        .unwrap();
    let out = s.server.app().outbox.list(Some(&p), Some("ann"));
    assert_eq!(out.len(), 2);
    assert_eq!(out[1].destination, "newer@example.com");
    let verify = |code: String| {
        c.verify_user_attribute()
            .access_token(&token)
            .attribute_name("email")
            .code(code)
            .send()
    };
    if first_code != out[1].code {
        assert_eq!(
            err(verify(first_code).await.unwrap_err()),
            (
                "CodeMismatchException".into(),
                "Invalid verification code provided, please try again.".into()
            )
        );
    }
    // A fresh code on request goes to the pending address too.
    let again = c
        .get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("email")
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.code_delivery_details().unwrap().destination(),
        Some("n***@e***")
    );
    let out = s.server.app().outbox.list(Some(&p), Some("ann"));
    assert_eq!(out[2].destination, "newer@example.com");
    verify(out[2].code.clone()).await.unwrap();

    assert_eq!(
        admin_email(&c, &p, "ann").await,
        some("newer@example.com", "true")
    );
    sign_in(&c, &cid, "newer@example.com").await.unwrap();
    assert_eq!(
        sign_in(&c, &cid, "old@example.com").await.unwrap_err().0,
        "UserNotFoundException"
    );
}

#[tokio::test]
async fn admin_updates_and_unverified_addresses() {
    let s = TestServer::start().await;
    let c = s.client();
    let (p, _) = setup(&c).await;
    let app = s.server.app();
    confirmed(
        &c,
        &p,
        "bob",
        &[("email", "bob@example.com"), ("email_verified", "true")],
    )
    .await;
    let update = |values: &[(&str, &str)]| {
        c.admin_update_user_attributes()
            .user_pool_id(&p)
            .username("bob")
            .set_user_attributes(Some(values.iter().map(|(k, v)| attr(k, v)).collect()))
            .send()
    };
    let pending = || async {
        let u = app.store.get_user(&p, "bob").await.unwrap().unwrap();
        u.pending_attributes.get("email").cloned()
    };

    update(&[("email", "b2@example.com")]).await.unwrap();
    assert_eq!(
        admin_email(&c, &p, "bob").await,
        some("bob@example.com", "true")
    );
    assert_eq!(pending().await.as_deref(), Some("b2@example.com"));
    let out = app.outbox.list(Some(&p), Some("bob"));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].destination, "b2@example.com");

    // The current value again drops the pending change; nothing is sent.
    update(&[("email", "bob@example.com")]).await.unwrap();
    assert_eq!(pending().await, None);

    // email_verified=true in the same call applies the new value at once, without a code.
    update(&[("email", "b3@example.com"), ("email_verified", "true")])
        .await
        .unwrap();
    assert_eq!(
        admin_email(&c, &p, "bob").await,
        some("b3@example.com", "true")
    );
    assert_eq!(pending().await, None);
    assert_eq!(app.outbox.list(Some(&p), Some("bob")).len(), 1);

    // Deleting the attribute drops a pending value with it.
    update(&[("email", "b4@example.com")]).await.unwrap();
    assert_eq!(pending().await.as_deref(), Some("b4@example.com"));
    c.admin_delete_user_attributes()
        .user_pool_id(&p)
        .username("bob")
        .user_attribute_names("email")
        .send()
        .await
        .unwrap();
    assert_eq!(admin_email(&c, &p, "bob").await, (None, None));
    assert_eq!(pending().await, None);

    // An unverified address changes at once, unverified, and gets a code.
    update(&[("email", "b5@example.com")]).await.unwrap();
    assert_eq!(
        admin_email(&c, &p, "bob").await,
        some("b5@example.com", "false")
    );
    update(&[("email", "b6@example.com")]).await.unwrap();
    assert_eq!(
        admin_email(&c, &p, "bob").await,
        some("b6@example.com", "false")
    );
    assert_eq!(pending().await, None);
    let out = app.outbox.list(Some(&p), Some("bob"));
    assert_eq!(out.last().unwrap().destination, "b6@example.com");
}

#[tokio::test]
async fn required_attributes_cannot_be_removed() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool_with(&c, |b| {
        b.schema(
            SchemaAttributeType::builder()
                .name("email")
                .attribute_data_type(AttributeDataType::String)
                .required(true)
                .mutable(true)
                .build(),
        )
    })
    .await;
    confirmed(&c, &p, "req", &[("email", "req@example.com")]).await;
    let refused = pair(
        "InvalidParameterException",
        "user.email: Required attribute cannot be deleted.",
    );
    let r = c
        .admin_update_user_attributes()
        .user_pool_id(&p)
        .username("req")
        .user_attributes(attr("email", ""))
        .send()
        .await;
    assert_eq!(err(r.unwrap_err()), refused);
    let r = c
        .admin_delete_user_attributes()
        .user_pool_id(&p)
        .username("req")
        .user_attribute_names("email")
        .send()
        .await;
    assert_eq!(err(r.unwrap_err()), refused);
    assert_eq!(
        admin_email(&c, &p, "req").await.0.as_deref(),
        Some("req@example.com")
    );
}

fn pair(code: &str, message: &str) -> (String, String) {
    (code.to_owned(), message.to_owned())
}
