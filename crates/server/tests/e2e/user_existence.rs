//! Self-service answers that must not reveal users (PreventUserExistenceErrors ENABLED versus
//! LEGACY), password recovery by AccountRecoverySetting, and AdminCreateUser's
//! DesiredDeliveryMediums without a matching address.

use crate::harness::{client_with, err, pool_with, TestServer};
use crate::users::{attr, confirmed, create};
use aws_sdk_cognitoidentityprovider::types::{
    AccountRecoverySettingType, DeliveryMediumType, PreventUserExistenceErrorTypes,
    RecoveryOptionNameType, RecoveryOptionType, VerifiedAttributeType,
};
use aws_sdk_cognitoidentityprovider::Client;

async fn app_client(c: &Client, p: &str, prevent: PreventUserExistenceErrorTypes) -> String {
    client_with(c, p, |b| b.prevent_user_existence_errors(prevent)).await
}

fn pair(code: &str, message: &str) -> (String, String) {
    (code.to_owned(), message.to_owned())
}

fn not_found() -> (String, String) {
    pair(
        "UserNotFoundException",
        "Username/client id combination not found.",
    )
}

fn mismatch() -> (String, String) {
    pair(
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    )
}

#[tokio::test]
async fn hidden_and_legacy_answers_for_unknown_disabled_and_unreachable_users() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool_with(&c, |b| {
        b.auto_verified_attributes(VerifiedAttributeType::Email)
    })
    .await;
    let hidden = app_client(&c, &p, PreventUserExistenceErrorTypes::Enabled).await;
    let legacy = app_client(&c, &p, PreventUserExistenceErrorTypes::Legacy).await;
    confirmed(
        &c,
        &p,
        "off",
        &[("email", "off@example.com"), ("email_verified", "true")],
    )
    .await;
    c.admin_disable_user()
        .user_pool_id(&p)
        .username("off")
        .send()
        .await
        .unwrap();
    confirmed(&c, &p, "unverified", &[("email", "u@example.com")]).await;

    let forgot = |cid: &str, name: &str| c.forgot_password().client_id(cid).username(name).send();
    // ForgotPassword: a simulated delivery, stable for a name, shaped by its format.
    let ghost = forgot(&hidden, "ghost").await.unwrap();
    let d = ghost.code_delivery_details().unwrap();
    assert_eq!(d.delivery_medium(), Some(&DeliveryMediumType::Email));
    assert_eq!(d.attribute_name(), Some("email"));
    let shown = d.destination().unwrap().to_owned();
    assert!(
        shown.len() == 9 && shown.ends_with("***") && shown.contains("***@"),
        "{shown}"
    );
    let again = forgot(&hidden, "ghost").await.unwrap();
    assert_eq!(
        again.code_delivery_details().unwrap().destination(),
        Some(shown.as_str())
    );
    let by_email = forgot(&hidden, "ghost@example.com").await.unwrap();
    assert_eq!(
        by_email.code_delivery_details().unwrap().destination(),
        Some("g***@e***")
    );
    let by_phone = forgot(&hidden, "+15555550123").await.unwrap();
    let d = by_phone.code_delivery_details().unwrap();
    assert_eq!(d.destination(), Some("+*******0123"));
    assert_eq!(d.delivery_medium(), Some(&DeliveryMediumType::Sms));
    for name in ["off", "unverified"] {
        let r = forgot(&hidden, name).await.unwrap();
        assert_eq!(
            r.code_delivery_details().unwrap().attribute_name(),
            Some("email")
        );
    }
    assert!(
        s.server.app().outbox.list(Some(&p), None).is_empty(),
        "nothing is sent for simulated deliveries"
    );
    assert_eq!(
        err(forgot(&legacy, "ghost").await.unwrap_err()),
        not_found()
    );
    assert_eq!(
        err(forgot(&legacy, "off").await.unwrap_err()),
        pair("NotAuthorizedException", "User is disabled.")
    );
    assert_eq!(
        err(forgot(&legacy, "unverified").await.unwrap_err()),
        pair(
            "InvalidParameterException",
            "Cannot reset password for the user as there is no registered/verified email or phone_number"
        )
    );

    // ConfirmForgotPassword: a code mismatch for unknown and disabled users.
    let confirm_forgot = |cid: &str, name: &str| {
        c.confirm_forgot_password()
            .client_id(cid)
            .username(name)
            .confirmation_code("123456")
            .password("New-password-1")
            .send()
    };
    assert_eq!(
        err(confirm_forgot(&hidden, "ghost").await.unwrap_err()),
        mismatch()
    );
    assert_eq!(
        err(confirm_forgot(&hidden, "off").await.unwrap_err()),
        mismatch()
    );
    assert_eq!(
        err(confirm_forgot(&legacy, "ghost").await.unwrap_err()),
        not_found()
    );
    assert_eq!(
        err(confirm_forgot(&legacy, "off").await.unwrap_err()),
        pair("NotAuthorizedException", "User is disabled.")
    );

    // ConfirmSignUp: a code mismatch for an unknown user.
    let confirm = |cid: &str| {
        c.confirm_sign_up()
            .client_id(cid)
            .username("ghost")
            .confirmation_code("123456")
            .send()
    };
    assert_eq!(err(confirm(&hidden).await.unwrap_err()), mismatch());
    assert_eq!(err(confirm(&legacy).await.unwrap_err()), not_found());

    // ResendConfirmationCode: a simulated delivery for unknown and disabled users.
    let resend = |cid: &str, name: &str| {
        c.resend_confirmation_code()
            .client_id(cid)
            .username(name)
            .send()
    };
    for name in ["ghost", "off"] {
        let r = resend(&hidden, name).await.unwrap();
        let d = r.code_delivery_details().unwrap();
        assert_eq!(d.attribute_name(), Some("email"));
        assert_eq!(d.delivery_medium(), Some(&DeliveryMediumType::Email));
    }
    assert_eq!(
        err(resend(&legacy, "ghost").await.unwrap_err()),
        not_found()
    );
    assert!(s.server.app().outbox.list(Some(&p), None).is_empty());
}

fn recovery(options: &[(i32, RecoveryOptionNameType)]) -> AccountRecoverySettingType {
    let mut b = AccountRecoverySettingType::builder();
    for (priority, name) in options {
        b = b.recovery_mechanisms(
            RecoveryOptionType::builder()
                .priority(*priority)
                .name(name.clone())
                .build()
                .unwrap(),
        );
    }
    b.build()
}

#[tokio::test]
async fn forgot_password_follows_the_account_recovery_setting() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool_with(&c, |b| {
        b.account_recovery_setting(recovery(&[
            (1, RecoveryOptionNameType::VerifiedPhoneNumber),
            (2, RecoveryOptionNameType::VerifiedEmail),
        ]))
    })
    .await;
    let cid = app_client(&c, &p, PreventUserExistenceErrorTypes::Legacy).await;
    let both = [
        ("email", "both@example.com"),
        ("email_verified", "true"),
        ("phone_number", "+15555551234"),
        ("phone_number_verified", "true"),
    ];
    for (name, attrs) in [
        ("both", &both[..]),
        (
            "mail",
            &[("email", "m@example.com"), ("email_verified", "true")][..],
        ),
        (
            "new",
            &[("email", "n@example.com"), ("email_verified", "true")][..],
        ),
    ] {
        if name == "new" {
            create(&c, &p, name, attrs).await;
        } else {
            confirmed(&c, &p, name, attrs).await;
        }
    }
    let forgot = |name: &str| c.forgot_password().client_id(&cid).username(name).send();
    let r = forgot("both").await.unwrap();
    let d = r.code_delivery_details().unwrap();
    assert_eq!(d.destination(), Some("+*******1234"));
    assert_eq!(d.delivery_medium(), Some(&DeliveryMediumType::Sms));
    assert_eq!(d.attribute_name(), Some("phone_number"));
    let out = s.server.app().outbox.list(Some(&p), Some("both"));
    assert_eq!(out.last().unwrap().destination, "+15555551234");
    assert_eq!(out.last().unwrap().purpose, "forgot_password");
    let r = forgot("mail").await.unwrap();
    assert_eq!(
        r.code_delivery_details().unwrap().destination(),
        Some("m***@e***")
    );
    assert_eq!(
        err(forgot("new").await.unwrap_err()),
        pair(
            "NotAuthorizedException",
            "User password cannot be reset in the current state."
        )
    );

    let admin_only = pool_with(&c, |b| {
        b.account_recovery_setting(recovery(&[(1, RecoveryOptionNameType::AdminOnly)]))
    })
    .await;
    let cid = app_client(&c, &admin_only, PreventUserExistenceErrorTypes::Enabled).await;
    create(
        &c,
        &admin_only,
        "x",
        &[("email", "x@example.com"), ("email_verified", "true")],
    )
    .await;
    for name in ["x", "ghost"] {
        let r = c
            .forgot_password()
            .client_id(&cid)
            .username(name)
            .send()
            .await;
        assert_eq!(
            err(r.unwrap_err()),
            pair(
                "NotAuthorizedException",
                "Contact administrator to reset password."
            )
        );
    }
}

#[tokio::test]
async fn desired_delivery_mediums_need_their_address() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool_with(&c, |b| b).await;
    let invite = |(name, value): (&str, &str), mediums: &[DeliveryMediumType]| {
        c.admin_create_user()
            .user_pool_id(&p)
            .username("e")
            .user_attributes(attr(name, value))
            .set_desired_delivery_mediums(Some(mediums.to_vec()))
            .send()
    };
    use DeliveryMediumType::{Email, Sms};
    let r = invite(("phone_number", "+15555550100"), &[Sms, Email]).await;
    assert_eq!(
        err(r.unwrap_err()),
        pair(
            "InvalidParameterException",
            "No email provided but desired delivery medium was Email"
        )
    );
    let r = invite(("email", "e@example.com"), &[Sms]).await;
    assert_eq!(
        err(r.unwrap_err()),
        pair(
            "InvalidParameterException",
            "No phone number provided but desired delivery medium was SMS"
        )
    );
    let r = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("e")
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()).0,
        "UserNotFoundException",
        "not created"
    );
    invite(("email", "e@example.com"), &[Email]).await.unwrap();
    let out = s.server.app().outbox.list(Some(&p), Some("e"));
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].destination, "e@example.com");
}
