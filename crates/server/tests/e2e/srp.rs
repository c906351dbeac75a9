//! USER_SRP_AUTH through the SDK, with the client side computed as amazon-cognito-identity-js
//! does: the PASSWORD_VERIFIER is really verified, sessions answer once and expire, and
//! unknown users get a stable simulated challenge when the client hides user existence.

use crate::harness::err;
use crate::signin_support::{decode, timestamp_now, Fixture, SrpClient, PASSWORD};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, PreventUserExistenceErrorTypes,
};
use std::collections::HashMap;

async fn start(f: &Fixture, username: &str, srp: &SrpClient) -> (HashMap<String, String>, String) {
    let r =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("SRP_A", &srp.srp_a)
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

async fn answer(
    f: &Fixture,
    session: Option<&str>,
    responses: std::collections::BTreeMap<String, String>,
) -> Result<aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput, (String, String)>
{
    f.c.respond_to_auth_challenge()
        .client_id(&f.client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_session(session.map(str::to_owned))
        .set_challenge_responses(Some(responses.into_iter().collect()))
        .send()
        .await
        .map_err(err)
}

#[tokio::test]
async fn srp_sign_in_with_the_right_password_and_not_with_a_wrong_one() {
    let f = Fixture::new().await;
    let user = f.user("alice", &[]).await;
    let srp = SrpClient::new();
    let (params, session) = start(&f, "alice", &srp).await;
    assert_eq!(params["USERNAME"], "alice");
    assert_eq!(params["USER_ID_FOR_SRP"], "alice");
    assert!(params["SRP_B"].len() > 700);
    assert!(!params["SALT"].is_empty());
    let responses = srp.respond(&f.pool, &params, PASSWORD, &timestamp_now());
    let r = answer(&f, Some(&session), responses.clone()).await.unwrap();
    let (_, id) = decode(r.authentication_result().unwrap().id_token().unwrap());
    assert_eq!(id["sub"], user.sub.as_str());
    // A session answers once: a replay finds it expired.
    assert_eq!(
        answer(&f, Some(&session), responses).await.unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Invalid session for the user, session is expired.".into()
        )
    );

    let srp = SrpClient::new();
    let (params, session) = start(&f, "alice", &srp).await;
    let wrong = srp.respond(&f.pool, &params, "Wrong-pass-1", &timestamp_now());
    assert_eq!(
        answer(&f, Some(&session), wrong).await.unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
}

#[tokio::test]
async fn the_secret_block_finds_the_session_and_sessions_expire() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    // pycognito answers without a Session.
    let srp = SrpClient::new();
    let (params, _) = start(&f, "alice", &srp).await;
    let r = answer(
        &f,
        None,
        srp.respond(&f.pool, &params, PASSWORD, &timestamp_now()),
    )
    .await
    .unwrap();
    assert!(r.authentication_result().is_some());

    // A zero-padded day is not Cognito's TIMESTAMP.
    let srp = SrpClient::new();
    let (params, session) = start(&f, "alice", &srp).await;
    let ts = "Mon Nov 02 06:05:09 UTC 2026";
    assert_eq!(
        answer(
            &f,
            Some(&session),
            srp.respond(&f.pool, &params, PASSWORD, ts)
        )
        .await
        .unwrap_err()
        .1,
        "Incorrect username or password."
    );

    // After AuthSessionValidity (3 minutes by default) the session has expired.
    let srp = SrpClient::new();
    let (params, session) = start(&f, "alice", &srp).await;
    f.advance(181);
    assert_eq!(
        answer(
            &f,
            Some(&session),
            srp.respond(&f.pool, &params, PASSWORD, &timestamp_now())
        )
        .await
        .unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Invalid session for the user, session is expired.".into()
        )
    );
}

#[tokio::test]
async fn unknown_users_in_srp() {
    let f = Fixture::new().await;
    let srp = SrpClient::new();
    let e =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", "nobody")
            .auth_parameters("SRP_A", &srp.srp_a)
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );

    let f = Fixture::with_client(|b| {
        b.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
    })
    .await;
    let (one, session) = start(&f, "nobody", &srp).await;
    let (two, _) = start(&f, "nobody", &SrpClient::new()).await;
    assert_eq!(
        one["SALT"], two["SALT"],
        "the same unknown user, the same salt"
    );
    assert_eq!(one["USER_ID_FOR_SRP"], "nobody");
    let (other, _) = start(&f, "someone-else", &SrpClient::new()).await;
    assert_ne!(one["SALT"], other["SALT"]);
    assert_eq!(
        answer(
            &f,
            Some(&session),
            srp.respond(&f.pool, &one, PASSWORD, &timestamp_now())
        )
        .await
        .unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
}

#[tokio::test]
async fn email_as_username_pools_sign_in_by_email_with_the_username_as_srp_id() {
    use aws_sdk_cognitoidentityprovider::types::{
        AttributeType, ExplicitAuthFlowsType, MessageActionType, UsernameAttributeType,
    };
    let f = Fixture::new().await;
    let pool =
        f.c.create_user_pool()
            .pool_name("by-email")
            .username_attributes(UsernameAttributeType::Email)
            .send()
            .await
            .unwrap()
            .user_pool()
            .unwrap()
            .id()
            .unwrap()
            .to_owned();
    let client_id =
        f.c.create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("app")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .send()
            .await
            .unwrap()
            .user_pool_client()
            .unwrap()
            .client_id()
            .unwrap()
            .to_owned();
    let f = Fixture {
        pool,
        client_id,
        ..f
    };
    let created =
        f.c.admin_create_user()
            .user_pool_id(&f.pool)
            .username("erin@example.com")
            .user_attributes(
                AttributeType::builder()
                    .name("email_verified")
                    .value("true")
                    .build()
                    .unwrap(),
            )
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
    let username = created.user().unwrap().username().unwrap().to_owned();
    assert_ne!(username, "erin@example.com");
    f.c.admin_set_user_password()
        .user_pool_id(&f.pool)
        .username("erin@example.com")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let srp = SrpClient::new();
    let (params, session) = start(&f, "erin@example.com", &srp).await;
    assert_eq!(params["USER_ID_FOR_SRP"], username.as_str());
    assert_eq!(params["USERNAME"], username.as_str());
    let r = answer(
        &f,
        Some(&session),
        srp.respond(&f.pool, &params, PASSWORD, &timestamp_now()),
    )
    .await
    .unwrap();
    let (_, id) = decode(r.authentication_result().unwrap().id_token().unwrap());
    assert_eq!(id["cognito:username"], username.as_str());
    assert_eq!(id["email"], "erin@example.com");
}

#[tokio::test]
async fn admin_created_users_set_their_password_through_the_admin_challenge() {
    use aws_sdk_cognitoidentityprovider::types::MessageActionType;
    let f = Fixture::new().await;
    f.c.admin_create_user()
        .user_pool_id(&f.pool)
        .username("frank")
        .temporary_password("Temp-pass-1")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let r =
        f.c.admin_initiate_auth()
            .user_pool_id(&f.pool)
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "frank")
            .auth_parameters("PASSWORD", "Temp-pass-1")
            .send()
            .await
            .unwrap();
    assert_eq!(
        r.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let done =
        f.c.admin_respond_to_auth_challenge()
            .user_pool_id(&f.pool)
            .client_id(&f.client_id)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(r.session().unwrap())
            .challenge_responses("USERNAME", "frank")
            .challenge_responses("NEW_PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap();
    assert!(done
        .authentication_result()
        .unwrap()
        .refresh_token()
        .is_some());
    let user =
        f.c.admin_get_user()
            .user_pool_id(&f.pool)
            .username("frank")
            .send()
            .await
            .unwrap();
    assert_eq!(
        user.user_status(),
        Some(&aws_sdk_cognitoidentityprovider::types::UserStatusType::Confirmed)
    );
    // SRP with the new password, through AdminInitiateAuth and AdminRespondToAuthChallenge.
    let srp = SrpClient::new();
    let r =
        f.c.admin_initiate_auth()
            .user_pool_id(&f.pool)
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", "frank")
            .auth_parameters("SRP_A", &srp.srp_a)
            .send()
            .await
            .unwrap();
    let params = r.challenge_parameters().unwrap().clone();
    let responses = srp.respond(&f.pool, &params, PASSWORD, &timestamp_now());
    let done =
        f.c.admin_respond_to_auth_challenge()
            .user_pool_id(&f.pool)
            .client_id(&f.client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .session(r.session().unwrap())
            .set_challenge_responses(Some(responses.into_iter().collect()))
            .send()
            .await
            .unwrap();
    assert!(done.authentication_result().is_some());
}
