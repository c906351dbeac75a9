//! Self-service through the SDK: SignUp (SecretHash, attributes, policy, codes),
//! ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword; codes that
//! expire (clock moved), are single use and run out of attempts.

use crate::harness::{clocked, pool_with};
use crate::harness::{err, sdk_client, KEY_ID, SECRET};
use crate::users::{attr, attribute, PW};
use aws_sdk_cognitoidentityprovider::types::{
    DeliveryMediumType, UserStatusType, UsernameAttributeType, VerifiedAttributeType,
};
use aws_sdk_cognitoidentityprovider::Client;
use base64::Engine;
use std::time::Duration;

async fn client(c: &Client, p: &str, secret: bool) -> (String, Option<String>) {
    let made = c
        .create_user_pool_client()
        .user_pool_id(p)
        .client_name("app")
        .generate_secret(secret)
        .send()
        .await
        .unwrap();
    let cl = made.user_pool_client().unwrap();
    (
        cl.client_id().unwrap().to_owned(),
        cl.client_secret().map(str::to_owned),
    )
}

fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    ironpool_core::secret_hash::compute(secret, username, client_id)
}

fn code_for(s: &ironpool_server::Server, p: &str, user: &str) -> String {
    let out = s.app().outbox.list(Some(p), Some(user));
    out.last().expect("a message").code.clone()
}

#[tokio::test]
async fn sign_up_confirm_and_codes() {
    let (s, clock) = clocked().await;
    let c = sdk_client(&s.url(), KEY_ID, SECRET, "us-east-1");
    let p = pool_with(&c, |b| {
        b.auto_verified_attributes(VerifiedAttributeType::Email)
    })
    .await;
    let (cid, _) = client(&c, &p, false).await;

    let up = c
        .sign_up()
        .client_id(&cid)
        .username("sam")
        .password(PW)
        .user_attributes(attr("email", "sam@example.com"))
        .send()
        .await
        .unwrap();
    assert!(!up.user_confirmed());
    assert_eq!(up.user_sub().len(), 36);
    let d = up.code_delivery_details().unwrap();
    assert_eq!(d.destination(), Some("s***@e***"));
    assert_eq!(d.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert_eq!(d.attribute_name(), Some("email"));
    let got = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("sam")
        .send()
        .await
        .unwrap();
    assert_eq!(got.user_status(), Some(&UserStatusType::Unconfirmed));
    assert_eq!(
        attribute(got.user_attributes(), "email_verified"),
        Some("false")
    );
    assert_eq!(attribute(got.user_attributes(), "sub"), Some(up.user_sub()));

    let again = c
        .sign_up()
        .client_id(&cid)
        .username("sam")
        .password(PW)
        .send()
        .await;
    assert_eq!(
        err(again.unwrap_err()),
        (
            "UsernameExistsException".into(),
            "User already exists".into()
        )
    );

    let msg = &s.app().outbox.list(Some(&p), Some("sam"))[0];
    assert_eq!(msg.purpose, "sign_up");
    assert_eq!(
        msg.body,
        format!("Your verification code is {}. ", msg.code)
    );
    let code = msg.code.clone();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let confirm = |code: String| {
        c.confirm_sign_up()
            .client_id(&cid)
            .username("sam")
            .confirmation_code(code)
            .send()
    };
    assert_eq!(
        err(confirm(wrong.into()).await.unwrap_err()),
        (
            "CodeMismatchException".into(),
            "Invalid verification code provided, please try again.".into()
        )
    );
    // A day later the code has expired.
    clock.advance(Duration::from_secs(24 * 3600 + 1));
    assert_eq!(
        err(confirm(code).await.unwrap_err()),
        (
            "ExpiredCodeException".into(),
            "Invalid code provided, please request a code again.".into()
        )
    );
    let resent = c
        .resend_confirmation_code()
        .client_id(&cid)
        .username("sam")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resent.code_delivery_details().unwrap().destination(),
        Some("s***@e***")
    );
    let code = code_for(&s, &p, "sam");
    confirm(code.clone()).await.unwrap();
    let got = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("sam")
        .send()
        .await
        .unwrap();
    assert_eq!(got.user_status(), Some(&UserStatusType::Confirmed));
    assert_eq!(
        attribute(got.user_attributes(), "email_verified"),
        Some("true")
    );
    assert_eq!(
        err(confirm(code).await.unwrap_err()),
        (
            "NotAuthorizedException".into(),
            "User cannot be confirmed. Current status is CONFIRMED".into()
        )
    );
    let r = c
        .resend_confirmation_code()
        .client_id(&cid)
        .username("sam")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "User is already confirmed.".into()
        )
    );
    let r = c
        .confirm_sign_up()
        .client_id(&cid)
        .username("nobody")
        .confirmation_code("123456")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "UserNotFoundException".into(),
            "Username/client id combination not found.".into()
        )
    );
    let r = c
        .sign_up()
        .client_id("nosuchclient0000000000000a")
        .username("x")
        .password(PW)
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "ResourceNotFoundException".into(),
            "User pool client nosuchclient0000000000000a does not exist.".into()
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
async fn codes_run_out_of_attempts() {
    let (s, _clock) = clocked().await;
    let c = sdk_client(&s.url(), KEY_ID, SECRET, "us-east-1");
    let p = pool_with(&c, |b| {
        b.auto_verified_attributes(VerifiedAttributeType::Email)
    })
    .await;
    let (cid, _) = client(&c, &p, false).await;
    c.sign_up()
        .client_id(&cid)
        .username("t")
        .password(PW)
        .user_attributes(attr("email", "t@example.com"))
        .send()
        .await
        .unwrap();
    let code = code_for(&s, &p, "t");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let r = c
            .confirm_sign_up()
            .client_id(&cid)
            .username("t")
            .confirmation_code(wrong)
            .send()
            .await;
        assert_eq!(err(r.unwrap_err()).0, "CodeMismatchException");
    }
    let r = c
        .confirm_sign_up()
        .client_id(&cid)
        .username("t")
        .confirmation_code(&code)
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "LimitExceededException".into(),
            "Attempt limit exceeded, please try after some time.".into()
        )
    );
}

#[tokio::test]
async fn sign_up_checks_secret_hash_attributes_and_policy() {
    let (s, _clock) = clocked().await;
    let c = sdk_client(&s.url(), KEY_ID, SECRET, "us-east-1");
    let p = pool_with(&c, |b| b).await;
    let (cid, secret) = client(&c, &p, true).await;
    let secret = secret.unwrap();
    let r = c
        .sign_up()
        .client_id(&cid)
        .username("u")
        .password(PW)
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "NotAuthorizedException".into(),
            format!("Client {cid} is configured with secret but SECRET_HASH was not received")
        )
    );
    let r = c
        .sign_up()
        .client_id(&cid)
        .username("u")
        .password(PW)
        .secret_hash(secret_hash(&secret, "other", &cid))
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "NotAuthorizedException".into(),
            format!("Unable to verify secret hash for client {cid}")
        )
    );
    let r = c
        .sign_up()
        .client_id(&cid)
        .username("u")
        .password("weakpass")
        .secret_hash(secret_hash(&secret, "u", &cid))
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidPasswordException".into(),
            "Password did not conform with policy: Password must have uppercase characters".into()
        )
    );
    let r = c
        .sign_up()
        .client_id(&cid)
        .username("u")
        .password(PW)
        .secret_hash(secret_hash(&secret, "u", &cid))
        .user_attributes(attr("custom:nope", "1"))
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.\n".into()
        )
    );
    // Right hash: created, no auto-verified attribute so no code.
    let up = c
        .sign_up()
        .client_id(&cid)
        .username("u")
        .password(PW)
        .secret_hash(secret_hash(&secret, "u", &cid))
        .send()
        .await
        .unwrap();
    assert!(up.code_delivery_details().is_none());
    assert!(s.app().outbox.list(Some(&p), None).is_empty());
    // A base64 check of the wire form.
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(secret_hash(&secret, "u", &cid))
            .unwrap()
            .len(),
        32
    );
}

#[tokio::test]
async fn sign_up_by_email_and_forgot_password() {
    let (s, clock) = clocked().await;
    let c = sdk_client(&s.url(), KEY_ID, SECRET, "us-east-1");
    let p = pool_with(&c, |b| {
        b.username_attributes(UsernameAttributeType::Email)
            .auto_verified_attributes(VerifiedAttributeType::Email)
    })
    .await;
    let (cid, _) = client(&c, &p, false).await;
    let r = c
        .sign_up()
        .client_id(&cid)
        .username("notanemail")
        .password(PW)
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "Username should be an email.".into()
        )
    );
    let up = c
        .sign_up()
        .client_id(&cid)
        .username("kim@example.com")
        .password(PW)
        .send()
        .await
        .unwrap();
    let r = c
        .sign_up()
        .client_id(&cid)
        .username("KIM@example.com")
        .password(PW)
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "UsernameExistsException".into(),
            "An account with the given email already exists.".into()
        )
    );
    // Unconfirmed, unverified: no reset possible.
    let r = c
        .forgot_password()
        .client_id(&cid)
        .username("kim@example.com")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "Cannot reset password for the user as there is no registered/verified email or phone_number".into()
        )
    );
    let code = code_for(&s, &p, up.user_sub());
    c.confirm_sign_up()
        .client_id(&cid)
        .username("kim@example.com")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();

    let fp = c
        .forgot_password()
        .client_id(&cid)
        .username("kim@example.com")
        .send()
        .await
        .unwrap();
    let d = fp.code_delivery_details().unwrap();
    assert_eq!(d.destination(), Some("k***@e***"));
    assert_eq!(d.attribute_name(), Some("email"));
    let code = code_for(&s, &p, up.user_sub());
    let confirm = |code: String, pw: &'static str| {
        c.confirm_forgot_password()
            .client_id(&cid)
            .username("kim@example.com")
            .confirmation_code(code)
            .password(pw)
            .send()
    };
    let r = confirm(code.clone(), "weak").await;
    assert_eq!(err(r.unwrap_err()).0, "InvalidPasswordException");
    // Reset codes live one hour.
    clock.advance(Duration::from_secs(3601));
    let r = confirm(code, "New-password-1").await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "ExpiredCodeException".into(),
            "Invalid code provided, please request a code again.".into()
        )
    );
    c.forgot_password()
        .client_id(&cid)
        .username("kim@example.com")
        .send()
        .await
        .unwrap();
    let code = code_for(&s, &p, up.user_sub());
    confirm(code.clone(), "New-password-1").await.unwrap();
    let r = confirm(code, "Newer-password-1").await;
    assert_eq!(err(r.unwrap_err()).0, "ExpiredCodeException", "single use");
    let r = c
        .forgot_password()
        .client_id(&cid)
        .username("ghost@example.com")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "UserNotFoundException".into(),
            "Username/client id combination not found.".into()
        )
    );
}

#[tokio::test]
async fn any_active_secret_makes_a_valid_secret_hash() {
    let (s, _clock) = clocked().await;
    let c = sdk_client(&s.url(), KEY_ID, SECRET, "us-east-1");
    let p = pool_with(&c, |b| b).await;
    let (cid, first) = client(&c, &p, true).await;
    let second = "aSecondSecretOfEnoughLength0123456789abcdef".to_string();
    c.add_user_pool_client_secret()
        .user_pool_id(&p)
        .client_id(&cid)
        .client_secret(&second)
        .send()
        .await
        .unwrap();
    for (name, secret) in [("one", first.unwrap()), ("two", second)] {
        c.sign_up()
            .client_id(&cid)
            .username(name)
            .password(PW)
            .secret_hash(secret_hash(&secret, name, &cid))
            .send()
            .await
            .unwrap();
    }
    // And the admin confirms one of them.
    c.admin_confirm_sign_up()
        .user_pool_id(&p)
        .username("one")
        .send()
        .await
        .unwrap();
    let got = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("one")
        .send()
        .await
        .unwrap();
    assert_eq!(got.user_status(), Some(&UserStatusType::Confirmed));
    let r = c
        .admin_confirm_sign_up()
        .user_pool_id(&p)
        .username("one")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "NotAuthorizedException".into(),
            "User cannot be confirmed. Current status is CONFIRMED".into()
        )
    );
    let r = c
        .admin_confirm_sign_up()
        .user_pool_id(&p)
        .username("ghost")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
}

#[tokio::test]
async fn sign_up_is_refused_in_admin_only_pools_and_checks_client_write_attributes() {
    let (s, _clock) = clocked().await;
    let c = sdk_client(&s.url(), KEY_ID, SECRET, "us-east-1");
    let closed = pool_with(&c, |b| {
        b.admin_create_user_config(
            aws_sdk_cognitoidentityprovider::types::AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .build(),
        )
    })
    .await;
    let (cid, _) = client(&c, &closed, false).await;
    let r = c
        .sign_up()
        .client_id(&cid)
        .username("u")
        .password(PW)
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "NotAuthorizedException".into(),
            "SignUp is not permitted for this user pool".into()
        )
    );
    let open = pool_with(&c, |b| b).await;
    let limited = c
        .create_user_pool_client()
        .user_pool_id(&open)
        .client_name("limited")
        .write_attributes("email")
        .send()
        .await
        .unwrap();
    let lid = limited
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    let r = c
        .sign_up()
        .client_id(&lid)
        .username("u")
        .password(PW)
        .user_attributes(attr("name", "N"))
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "NotAuthorizedException".into(),
            "A client attempted to write unauthorized attribute".into()
        )
    );
}

#[tokio::test]
async fn confirming_a_verified_alias_another_user_holds() {
    let (s, _clock) = clocked().await;
    let c = sdk_client(&s.url(), KEY_ID, SECRET, "us-east-1");
    let p = pool_with(&c, |b| {
        b.alias_attributes(aws_sdk_cognitoidentityprovider::types::AliasAttributeType::Email)
            .auto_verified_attributes(VerifiedAttributeType::Email)
    })
    .await;
    let (cid, _) = client(&c, &p, false).await;
    crate::users::create(
        &c,
        &p,
        "holder",
        &[("email", "same@example.com"), ("email_verified", "true")],
    )
    .await;
    c.sign_up()
        .client_id(&cid)
        .username("newcomer")
        .password(PW)
        .user_attributes(attr("email", "same@example.com"))
        .send()
        .await
        .unwrap();
    let code = code_for(&s, &p, "newcomer");
    let confirm = |force: bool| {
        c.confirm_sign_up()
            .client_id(&cid)
            .username("newcomer")
            .confirmation_code(&code)
            .force_alias_creation(force)
            .send()
    };
    assert_eq!(
        err(confirm(false).await.unwrap_err()),
        (
            "AliasExistsException".into(),
            "An account with the given email already exists.".into()
        )
    );
    confirm(true).await.unwrap();
    let got = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("same@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(got.username(), "newcomer", "the alias moved");
    let holder = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("holder")
        .send()
        .await
        .unwrap();
    assert_eq!(
        attribute(holder.user_attributes(), "email_verified"),
        Some("false")
    );
}
