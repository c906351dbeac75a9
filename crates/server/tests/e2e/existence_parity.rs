//! With PreventUserExistenceErrors ENABLED, an unknown name gets what an existing user gets:
//! the same SRP challenge (fields and shapes, USER_ID_FOR_SRP as a real user's: the stored
//! username, or a stable UUID where real users' are UUIDs; the same SALT on every call), the
//! same errors and the same delivery details, in pools with case-sensitive or case-insensitive
//! names, username attributes and aliases. (That both cost the same is measured by
//! `ironpool-bench --only existence`.)

use crate::harness::{client_with, err, pool_with, TestServer};
use crate::signin_support::{timestamp_now, SrpClient};
use crate::users::{attr, confirmed, PW};
use aws_sdk_cognitoidentityprovider::operation::create_user_pool::builders::CreateUserPoolFluentBuilder;
use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, AuthFlowType, ChallengeNameType, CodeDeliveryDetailsType,
    ExplicitAuthFlowsType, PreventUserExistenceErrorTypes, UsernameAttributeType,
    UsernameConfigurationType, VerifiedAttributeType,
};
use aws_sdk_cognitoidentityprovider::Client;
use std::collections::HashMap;

/// A pool configured by `f` (email auto-verified) and a client that hides user existence.
async fn hidden_pool(
    c: &Client,
    f: impl FnOnce(CreateUserPoolFluentBuilder) -> CreateUserPoolFluentBuilder,
) -> (String, String) {
    let p = pool_with(c, |b| {
        f(b.auto_verified_attributes(VerifiedAttributeType::Email))
    })
    .await;
    let cid = client_with(c, &p, |b| {
        b.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
    })
    .await;
    (p, cid)
}

fn case_sensitive(sensitive: bool) -> UsernameConfigurationType {
    UsernameConfigurationType::builder()
        .case_sensitive(sensitive)
        .build()
        .unwrap()
}

async fn srp_start(c: &Client, cid: &str, name: &str) -> (HashMap<String, String>, String) {
    let r = c
        .initiate_auth()
        .client_id(cid)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("SRP_A", &SrpClient::new().srp_a)
        .send()
        .await
        .map_err(err)
        .unwrap();
    assert_eq!(
        r.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    (
        r.challenge_parameters().unwrap().clone(),
        r.session().unwrap().to_owned(),
    )
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && s.bytes()
            .all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && parts[2].starts_with('4')
}

/// The SRP challenge for `name`, checked for the shape every challenge has; its
/// USER_ID_FOR_SRP.
async fn challenge_id(c: &Client, p: &str, cid: &str, name: &str, password: &str) -> String {
    let (one, session) = srp_start(c, cid, name).await;
    let keys: Vec<&str> = {
        let mut k: Vec<&str> = one.keys().map(String::as_str).collect();
        k.sort();
        k
    };
    assert_eq!(
        keys,
        [
            "SALT",
            "SECRET_BLOCK",
            "SRP_B",
            "USERNAME",
            "USER_ID_FOR_SRP"
        ]
    );
    assert_eq!(one["USERNAME"], one["USER_ID_FOR_SRP"]);
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    assert!(
        (24..=32).contains(&one["SALT"].len()) && hex(&one["SALT"]),
        "{}",
        one["SALT"]
    );
    assert!(
        (700..=768).contains(&one["SRP_B"].len()) && hex(&one["SRP_B"]),
        "{}",
        one["SRP_B"]
    );
    let (two, _) = srp_start(c, cid, name).await;
    assert_eq!(
        (&one["SALT"], &one["USER_ID_FOR_SRP"]),
        (&two["SALT"], &two["USER_ID_FOR_SRP"])
    );
    assert_ne!(one["SRP_B"], two["SRP_B"]);
    let srp = SrpClient::new();
    let (params, session) = if password.is_empty() {
        (one, session)
    } else {
        // The SRP_A of this answer must be the one the challenge was started with.
        let r = c
            .initiate_auth()
            .client_id(cid)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", name)
            .auth_parameters("SRP_A", &srp.srp_a)
            .send()
            .await
            .unwrap();
        (
            r.challenge_parameters().unwrap().clone(),
            r.session().unwrap().to_owned(),
        )
    };
    if !password.is_empty() {
        let answer = c
            .respond_to_auth_challenge()
            .client_id(cid)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .session(session)
            .set_challenge_responses(Some(
                srp.respond(p, &params, password, &timestamp_now())
                    .into_iter()
                    .collect(),
            ))
            .send()
            .await;
        assert_eq!(
            err(answer.unwrap_err()),
            (
                "NotAuthorizedException".into(),
                "Incorrect username or password.".into()
            ),
            "{name}"
        );
    }
    params["USER_ID_FOR_SRP"].clone()
}

#[tokio::test]
async fn simulated_srp_challenges_look_like_real_ones_in_every_pool_configuration() {
    let s = TestServer::start().await;
    let c = s.client();

    // Case-sensitive names: the name as given, as a real user's stored username.
    let (p, cid) = hidden_pool(&c, |b| b.username_configuration(case_sensitive(true))).await;
    confirmed(&c, &p, "Alice", &[]).await;
    assert_eq!(
        challenge_id(&c, &p, &cid, "Alice", "Wrong-pass-1").await,
        "Alice"
    );
    assert_eq!(challenge_id(&c, &p, &cid, "Ghost", PW).await, "Ghost");

    // Case-insensitive names: real users answer with their stored username, unknown names
    // folded to lower case.
    let (p, cid) = hidden_pool(&c, |b| b.username_configuration(case_sensitive(false))).await;
    confirmed(&c, &p, "alice", &[]).await;
    assert_eq!(
        challenge_id(&c, &p, &cid, "ALICE", "Wrong-pass-1").await,
        "alice"
    );
    assert_eq!(challenge_id(&c, &p, &cid, "GHOST", PW).await, "ghost");
    assert_eq!(challenge_id(&c, &p, &cid, "ghost", "").await, "ghost");

    // Email as username: a real user's id is its sub; an unknown email gets a UUID of its
    // own, the same on every call.
    let (p, cid) = hidden_pool(&c, |b| b.username_attributes(UsernameAttributeType::Email)).await;
    confirmed(&c, &p, "erin@example.com", &[("email_verified", "true")]).await;
    let real = challenge_id(&c, &p, &cid, "erin@example.com", "Wrong-pass-1").await;
    let ghost = challenge_id(&c, &p, &cid, "ghost@example.com", PW).await;
    let other = challenge_id(&c, &p, &cid, "other@example.com", "").await;
    assert!(
        is_uuid(&real) && is_uuid(&ghost) && is_uuid(&other),
        "{real} {ghost} {other}"
    );
    assert!(ghost != other && ghost != real);

    // Email alias: usernames cannot be emails, so an unknown email gets a UUID (a username
    // such pools often use), a name that may be a username is kept.
    let (p, cid) = hidden_pool(&c, |b| {
        b.alias_attributes(AliasAttributeType::Email)
            .alias_attributes(AliasAttributeType::PreferredUsername)
    })
    .await;
    confirmed(
        &c,
        &p,
        "bob",
        &[("email", "bob@example.com"), ("email_verified", "true")],
    )
    .await;
    assert_eq!(
        challenge_id(&c, &p, &cid, "bob@example.com", "Wrong-pass-1").await,
        "bob"
    );
    assert!(is_uuid(
        &challenge_id(&c, &p, &cid, "ghost@example.com", PW).await
    ));
    assert_eq!(challenge_id(&c, &p, &cid, "ghost", PW).await, "ghost");
}

/// The fields of a delivery, with the destination reduced to its mask's shape.
fn delivery_shape(d: Option<&CodeDeliveryDetailsType>) -> (String, String, String) {
    let d = d.unwrap();
    let shape: String = d
        .destination()
        .unwrap()
        .chars()
        .map(|ch| if ch == '*' || ch == '@' { ch } else { 'x' })
        .collect();
    (
        format!("{:?}", d.delivery_medium()),
        d.attribute_name().unwrap_or_default().to_owned(),
        shape,
    )
}

/// Every self-service answer for an existing user (`known` CONFIRMED, `pending` UNCONFIRMED
/// with a live code) equals the answer for `ghost`, who does not exist.
async fn answers_match(c: &Client, cid: &str, known: &str, pending: &str, ghost: &str) {
    let sign_in = |name: &str| {
        c.initiate_auth()
            .client_id(cid)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", name)
            .auth_parameters("PASSWORD", "Wrong-pass-1")
            .send()
    };
    assert_eq!(
        err(sign_in(known).await.unwrap_err()),
        err(sign_in(ghost).await.unwrap_err())
    );
    let confirm = |name: &str| {
        c.confirm_sign_up()
            .client_id(cid)
            .username(name)
            .confirmation_code("000000")
            .send()
    };
    assert_eq!(
        err(confirm(pending).await.unwrap_err()),
        err(confirm(ghost).await.unwrap_err())
    );
    let resend = |name: &str| {
        c.resend_confirmation_code()
            .client_id(cid)
            .username(name)
            .send()
    };
    assert_eq!(
        delivery_shape(resend(pending).await.unwrap().code_delivery_details()),
        delivery_shape(resend(ghost).await.unwrap().code_delivery_details())
    );
    let forgot = |name: &str| c.forgot_password().client_id(cid).username(name).send();
    assert_eq!(
        delivery_shape(forgot(known).await.unwrap().code_delivery_details()),
        delivery_shape(forgot(ghost).await.unwrap().code_delivery_details())
    );
    let confirm_forgot = |name: &str, password: &str| {
        c.confirm_forgot_password()
            .client_id(cid)
            .username(name)
            .confirmation_code("000000")
            .password(password)
            .send()
    };
    for password in ["New-password-1", "short"] {
        assert_eq!(
            err(confirm_forgot(known, password).await.unwrap_err()),
            err(confirm_forgot(ghost, password).await.unwrap_err()),
            "ConfirmForgotPassword with {password}"
        );
    }
}

#[tokio::test]
async fn self_service_answers_for_unknown_names_match_an_existing_users() {
    let s = TestServer::start().await;
    let c = s.client();
    let sign_up = |cid: &str, name: &str, email: &str| {
        c.sign_up()
            .client_id(cid)
            .username(name)
            .password(PW)
            .user_attributes(attr("email", email))
            .send()
    };

    let (p, cid) = hidden_pool(&c, |b| b.username_configuration(case_sensitive(false))).await;
    confirmed(
        &c,
        &p,
        "known",
        &[("email", "k@example.com"), ("email_verified", "true")],
    )
    .await;
    sign_up(&cid, "pending", "p@example.com").await.unwrap();
    answers_match(&c, &cid, "KNOWN", "Pending", "ghost").await;

    let (p, cid) = hidden_pool(&c, |b| b.username_attributes(UsernameAttributeType::Email)).await;
    confirmed(&c, &p, "k@example.com", &[("email_verified", "true")]).await;
    sign_up(&cid, "p@example.com", "p@example.com")
        .await
        .unwrap();
    answers_match(&c, &cid, "k@example.com", "p@example.com", "g@example.com").await;

    let (p, cid) = hidden_pool(&c, |b| b.alias_attributes(AliasAttributeType::Email)).await;
    confirmed(
        &c,
        &p,
        "known",
        &[("email", "k@example.com"), ("email_verified", "true")],
    )
    .await;
    sign_up(&cid, "pending", "p@example.com").await.unwrap();
    answers_match(&c, &cid, "k@example.com", "pending", "g@example.com").await;
}
