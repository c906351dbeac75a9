//! Multi-factor sign-in: a pool with MFA ON is never passed with a password alone; software
//! tokens (codes computed by totp-rs, an independent RFC 6238 implementation), SMS and email
//! codes from the outbox, SELECT_MFA_TYPE, MFA_SETUP, the user's preferences and their errors,
//! code and session expiry on a moved clock, and lockout after wrong codes.

use crate::harness::err;
use crate::signin_support::{timestamp_now, Fixture, SrpClient, PASSWORD};
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, EmailConfigurationType, EmailMfaConfigType,
    EmailMfaSettingsType, EmailSendingAccountType, MfaOptionType, SmsConfigurationType,
    SmsMfaConfigType, SmsMfaSettingsType, SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType,
    UserPoolMfaType, VerifySoftwareTokenResponseType,
};
use ironpool_api::types::UserStatusType;
use std::collections::HashMap;
use totp_rs::{Algorithm, Secret, TOTP};

const PHONE: &str = "+15555550123";

/// Sets the pool's MFA mode and factors (email MFA with a DEVELOPER email configuration).
async fn configure(f: &Fixture, mode: UserPoolMfaType, sms: bool, token: bool, email: bool) {
    if email {
        f.c.update_user_pool()
            .user_pool_id(&f.pool)
            .email_configuration(
                EmailConfigurationType::builder()
                    .email_sending_account(EmailSendingAccountType::Developer)
                    .source_arn("arn:aws:ses:us-east-1:000000000000:identity/example.com")
                    .from("no-reply@example.com")
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    let mut b =
        f.c.set_user_pool_mfa_config()
            .user_pool_id(&f.pool)
            .mfa_configuration(mode);
    if sms {
        b = b.sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("Your code: {####}")
                .sms_configuration(
                    SmsConfigurationType::builder()
                        .sns_caller_arn("arn:aws:iam::000000000000:role/sns")
                        .build(),
                )
                .build(),
        );
    }
    if token {
        b = b.software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        );
    }
    if email {
        b = b.email_mfa_configuration(
            EmailMfaConfigType::builder()
                .subject("Sign-in code")
                .message("Code {####} signs you in")
                .build(),
        );
    }
    b.send().await.unwrap();
}

/// The code an authenticator app shows for `secret` at the server's current time.
fn code(f: &Fixture, secret: &str) -> String {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes).unwrap();
    totp.generate(f.app().now() as u64)
}

/// USER_PASSWORD_AUTH; the challenge (name, session, parameters) or "tokens".
async fn start(
    f: &Fixture,
    username: &str,
) -> (Option<ChallengeNameType>, String, HashMap<String, String>) {
    let r =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap();
    (
        r.challenge_name().cloned(),
        r.session().unwrap_or_default().to_owned(),
        r.challenge_parameters().cloned().unwrap_or_default(),
    )
}

async fn answer(
    f: &Fixture,
    challenge: ChallengeNameType,
    session: &str,
    responses: &[(&str, &str)],
) -> Result<RespondToAuthChallengeOutput, (String, String)> {
    let mut b =
        f.c.respond_to_auth_challenge()
            .client_id(&f.client_id)
            .challenge_name(challenge)
            .session(session);
    for (k, v) in responses {
        b = b.challenge_responses(*k, *v);
    }
    b.send().await.map_err(err)
}

/// Answers a code challenge (SMS_MFA, SOFTWARE_TOKEN_MFA or EMAIL_OTP) with `code`.
async fn answer_code(
    f: &Fixture,
    challenge: ChallengeNameType,
    session: &str,
    username: &str,
    code: &str,
) -> Result<RespondToAuthChallengeOutput, (String, String)> {
    let field = match challenge {
        ChallengeNameType::SmsMfa => "SMS_MFA_CODE",
        ChallengeNameType::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA_CODE",
        _ => "EMAIL_OTP_CODE",
    };
    answer(
        f,
        challenge,
        session,
        &[("USERNAME", username), (field, code)],
    )
    .await
}

/// Signs in with the password and, when asked, the software token's current code.
async fn sign_in_with_token(f: &Fixture, username: &str, secret: &str) -> String {
    let (name, session, _) = start(f, username).await;
    assert_eq!(name, Some(ChallengeNameType::SoftwareTokenMfa));
    let r = answer_code(
        f,
        ChallengeNameType::SoftwareTokenMfa,
        &session,
        username,
        &code(f, secret),
    )
    .await
    .unwrap();
    r.authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned()
}

/// The newest MFA code sent to `username`.
fn sent_code(f: &Fixture, username: &str) -> (String, String, Option<String>, String) {
    let m = f
        .app()
        .outbox
        .list(Some(&f.pool), Some(username))
        .into_iter()
        .rev()
        .find(|m| m.purpose == "mfa")
        .expect("an MFA message");
    (m.medium, m.destination, m.subject, m.code + "|" + &m.body)
}

fn invalid_session() -> (String, String) {
    (
        "NotAuthorizedException".into(),
        "Invalid session for the user.".into(),
    )
}

/// What a session answers once it was used: a replay.
fn used_session() -> (String, String) {
    (
        "NotAuthorizedException".into(),
        "Invalid session for the user, session is expired.".into(),
    )
}

#[tokio::test]
async fn mfa_on_needs_a_second_factor_on_every_password_flow_and_sets_one_up() {
    let f = Fixture::new().await;
    configure(&f, UserPoolMfaType::On, false, true, false).await;
    f.user("ann", &[]).await;

    // USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and SRP all stop at MFA_SETUP.
    let (name, _, params) = start(&f, "ann").await;
    assert_eq!(name, Some(ChallengeNameType::MfaSetup));
    assert_eq!(params["MFAS_CAN_SETUP"], r#"["SOFTWARE_TOKEN_MFA"]"#);
    assert_eq!(params["USER_ID_FOR_SRP"], "ann");
    let r =
        f.c.admin_initiate_auth()
            .user_pool_id(&f.pool)
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "ann")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap();
    assert_eq!(r.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    assert!(r.authentication_result().is_none());
    let srp = SrpClient::new();
    let r =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", "ann")
            .auth_parameters("SRP_A", &srp.srp_a)
            .send()
            .await
            .unwrap();
    let params = r.challenge_parameters().unwrap().clone();
    let responses = srp.respond(&f.pool, &params, PASSWORD, &timestamp_now());
    let mut b =
        f.c.respond_to_auth_challenge()
            .client_id(&f.client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .session(r.session().unwrap());
    for (k, v) in &responses {
        b = b.challenge_responses(k, v);
    }
    let r = b.send().await.unwrap();
    assert_eq!(r.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    assert!(r.authentication_result().is_none());

    // MFA_SETUP: associate by session, a wrong code keeps the session, the right one finishes.
    let (_, session, _) = start(&f, "ann").await;
    let a =
        f.c.associate_software_token()
            .session(&session)
            .send()
            .await
            .unwrap();
    let secret = a.secret_code().unwrap().to_owned();
    assert_eq!(secret.len(), 32);
    assert!(secret
        .chars()
        .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)));
    let session = a.session().unwrap().to_owned();
    let wrong =
        f.c.verify_software_token()
            .session(&session)
            .user_code("000000")
            .send()
            .await;
    assert_eq!(
        err(wrong.unwrap_err()),
        (
            "EnableSoftwareTokenMFAException".into(),
            "Code mismatch and fail enable Software Token MFA".into()
        )
    );
    let v =
        f.c.verify_software_token()
            .session(&session)
            .user_code(code(&f, &secret))
            .friendly_device_name("phone")
            .send()
            .await
            .unwrap();
    assert_eq!(v.status(), Some(&VerifySoftwareTokenResponseType::Success));
    // The session of an answered step does not answer again.
    let again =
        f.c.verify_software_token()
            .session(&session)
            .user_code(code(&f, &secret))
            .send()
            .await;
    assert_eq!(err(again.unwrap_err()), used_session());
    let r = answer(
        &f,
        ChallengeNameType::MfaSetup,
        v.session().unwrap(),
        &[("USERNAME", "ann")],
    )
    .await
    .unwrap();
    let access = r
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    let me = f.c.get_user().access_token(&access).send().await.unwrap();
    assert_eq!(me.user_mfa_setting_list(), ["SOFTWARE_TOKEN_MFA"]);
    assert_eq!(me.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));

    // From now on: SOFTWARE_TOKEN_MFA, each code once, a wrong code ends the session.
    f.advance(30);
    let (name, session, params) = start(&f, "ann").await;
    assert_eq!(name, Some(ChallengeNameType::SoftwareTokenMfa));
    assert_eq!(params["FRIENDLY_DEVICE_NAME"], "phone");
    let bad = answer_code(
        &f,
        ChallengeNameType::SoftwareTokenMfa,
        &session,
        "ann",
        "123456",
    )
    .await;
    assert_eq!(
        bad.unwrap_err(),
        (
            "CodeMismatchException".into(),
            "Invalid code received for user".into()
        )
    );
    let retry = answer_code(
        &f,
        ChallengeNameType::SoftwareTokenMfa,
        &session,
        "ann",
        &code(&f, &secret),
    )
    .await;
    assert_eq!(retry.unwrap_err(), used_session());
    sign_in_with_token(&f, "ann", &secret).await;
    // The same code (same time step) does not sign in twice.
    let (_, session, _) = start(&f, "ann").await;
    let replay = answer_code(
        &f,
        ChallengeNameType::SoftwareTokenMfa,
        &session,
        "ann",
        &code(&f, &secret),
    )
    .await;
    assert_eq!(replay.unwrap_err().0, "CodeMismatchException");
    f.advance(30);
    sign_in_with_token(&f, "ann", &secret).await;
}

#[tokio::test]
async fn a_new_password_is_followed_by_the_second_factor() {
    let f = Fixture::new().await;
    configure(&f, UserPoolMfaType::On, false, true, false).await;
    f.user_with("neo", PASSWORD, UserStatusType::ForceChangePassword, &[])
        .await;
    let (name, session, _) = start(&f, "neo").await;
    assert_eq!(name, Some(ChallengeNameType::NewPasswordRequired));
    let r = answer(
        &f,
        ChallengeNameType::NewPasswordRequired,
        &session,
        &[("USERNAME", "neo"), ("NEW_PASSWORD", "Another-pass-2")],
    )
    .await
    .unwrap();
    assert_eq!(r.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    assert!(r.authentication_result().is_none());
}

#[tokio::test]
async fn optional_mfa_follows_the_users_preferences() {
    let f = Fixture::new().await;
    configure(&f, UserPoolMfaType::Optional, true, true, false).await;
    f.user("opt", &[("phone_number", PHONE)]).await;
    // Nothing turned on: the password is enough.
    let access = f.sign_in("opt").await.access_token().unwrap().to_owned();

    // A token verified with the access token is registered, not yet on.
    let secret =
        f.c.associate_software_token()
            .access_token(&access)
            .send()
            .await
            .unwrap()
            .secret_code()
            .unwrap()
            .to_owned();
    let v =
        f.c.verify_software_token()
            .access_token(&access)
            .user_code(code(&f, &secret))
            .send()
            .await
            .unwrap();
    assert_eq!(v.status(), Some(&VerifySoftwareTokenResponseType::Success));
    assert!(v.session().is_none());
    f.sign_in("opt").await;
    let me = f.c.get_user().access_token(&access).send().await.unwrap();
    assert!(me.user_mfa_setting_list().is_empty());

    // Both factors on, none preferred: the user picks.
    f.c.set_user_mfa_preference()
        .access_token(&access)
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let got =
        f.c.admin_get_user()
            .user_pool_id(&f.pool)
            .username("opt")
            .send()
            .await
            .unwrap();
    assert_eq!(
        got.user_mfa_setting_list(),
        ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    );
    assert_eq!(got.preferred_mfa_setting(), None);
    let (name, session, params) = start(&f, "opt").await;
    assert_eq!(name, Some(ChallengeNameType::SelectMfaType));
    assert_eq!(
        params["MFAS_CAN_CHOOSE"],
        r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#
    );
    let bad = answer(
        &f,
        ChallengeNameType::SelectMfaType,
        &session,
        &[("USERNAME", "opt"), ("ANSWER", "EMAIL_OTP")],
    )
    .await;
    assert_eq!(bad.unwrap_err().0, "InvalidParameterException");
    let (_, session, _) = start(&f, "opt").await;
    f.advance(30);
    let r = answer(
        &f,
        ChallengeNameType::SelectMfaType,
        &session,
        &[("USERNAME", "opt"), ("ANSWER", "SOFTWARE_TOKEN_MFA")],
    )
    .await
    .unwrap();
    assert_eq!(
        r.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    let r = answer_code(
        &f,
        ChallengeNameType::SoftwareTokenMfa,
        r.session().unwrap(),
        "opt",
        &code(&f, &secret),
    )
    .await
    .unwrap();
    assert!(r.authentication_result().is_some());

    // SMS preferred: the code goes to the phone, masked in the challenge.
    f.c.admin_set_user_mfa_preference()
        .user_pool_id(&f.pool)
        .username("opt")
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let (name, session, params) = start(&f, "opt").await;
    assert_eq!(name, Some(ChallengeNameType::SmsMfa));
    assert_eq!(params["CODE_DELIVERY_DELIVERY_MEDIUM"], "SMS");
    assert_eq!(params["CODE_DELIVERY_DESTINATION"], "+*******0123");
    let (medium, destination, subject, code_body) = sent_code(&f, "opt");
    assert_eq!(
        (medium.as_str(), destination.as_str(), subject),
        ("SMS", PHONE, None)
    );
    let (sms_code, body) = code_body.split_once('|').unwrap();
    assert_eq!(body, format!("Your code: {sms_code}"));
    let wrong = answer_code(&f, ChallengeNameType::SmsMfa, &session, "opt", "000000").await;
    assert_eq!(
        wrong.unwrap_err(),
        (
            "CodeMismatchException".into(),
            "Invalid code or auth state for the user.".into()
        )
    );
    let (_, session, _) = start(&f, "opt").await;
    let (_, _, _, code_body) = sent_code(&f, "opt");
    let sms_code = code_body.split_once('|').unwrap().0.to_owned();
    let r = answer_code(&f, ChallengeNameType::SmsMfa, &session, "opt", &sms_code)
        .await
        .unwrap();
    assert!(r.authentication_result().is_some());

    // Turning the token off with AdminDeleteSoftwareToken leaves SMS, still preferred.
    f.c.admin_delete_software_token()
        .user_pool_id(&f.pool)
        .username("opt")
        .send()
        .await
        .unwrap();
    let got =
        f.c.admin_get_user()
            .user_pool_id(&f.pool)
            .username("opt")
            .send()
            .await
            .unwrap();
    assert_eq!(got.user_mfa_setting_list(), ["SMS_MFA"]);
    assert_eq!(got.preferred_mfa_setting(), Some("SMS_MFA"));
    // SMS on but the phone number gone: still a second factor (here, setting one up).
    f.c.admin_delete_user_attributes()
        .user_pool_id(&f.pool)
        .username("opt")
        .user_attribute_names("phone_number")
        .send()
        .await
        .unwrap();
    let (name, _, _) = start(&f, "opt").await;
    assert_eq!(name, Some(ChallengeNameType::MfaSetup));
    // Everything off: the password is enough again.
    f.c.set_user_mfa_preference()
        .access_token(&access)
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(false).build())
        .send()
        .await
        .unwrap();
    f.sign_in("opt").await;
}

#[tokio::test]
async fn codes_expire_after_three_minutes_and_sessions_after_their_validity() {
    let f = Fixture::with_client(|b| {
        b.auth_session_validity(10).explicit_auth_flows(
            aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserPasswordAuth,
        )
    })
    .await;
    configure(&f, UserPoolMfaType::On, true, false, false).await;
    f.user("sam", &[("phone_number", PHONE)]).await;
    let (name, session, _) = start(&f, "sam").await;
    assert_eq!(name, Some(ChallengeNameType::SmsMfa));
    let (_, _, _, code_body) = sent_code(&f, "sam");
    let sms_code = code_body.split_once('|').unwrap().0.to_owned();
    f.advance(181);
    let r = answer_code(&f, ChallengeNameType::SmsMfa, &session, "sam", &sms_code).await;
    assert_eq!(r.unwrap_err().0, "ExpiredCodeException");
    let (_, session, _) = start(&f, "sam").await;
    f.advance(601);
    let r = answer_code(&f, ChallengeNameType::SmsMfa, &session, "sam", "000000").await;
    assert_eq!(
        r.unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Invalid session for the user, session is expired.".into()
        )
    );
}

#[tokio::test]
async fn email_codes_use_the_pools_message_and_wrong_codes_lock_the_user_out() {
    let f = Fixture::new().await;
    configure(&f, UserPoolMfaType::On, false, false, true).await;
    f.user("eve", &[("email", "eve@example.com")]).await;
    let (name, session, params) = start(&f, "eve").await;
    assert_eq!(name, Some(ChallengeNameType::EmailOtp));
    assert_eq!(params["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    assert_eq!(params["CODE_DELIVERY_DESTINATION"], "e***@e***");
    let (medium, destination, subject, code_body) = sent_code(&f, "eve");
    assert_eq!(
        (medium.as_str(), destination.as_str(), subject.as_deref()),
        ("EMAIL", "eve@example.com", Some("Sign-in code"))
    );
    let (email_code, body) = code_body.split_once('|').unwrap();
    assert_eq!(body, format!("Code {email_code} signs you in"));
    // Answered through AdminRespondToAuthChallenge: the same pipeline.
    let r =
        f.c.admin_respond_to_auth_challenge()
            .user_pool_id(&f.pool)
            .client_id(&f.client_id)
            .challenge_name(ChallengeNameType::EmailOtp)
            .session(&session)
            .challenge_responses("USERNAME", "eve")
            .challenge_responses("EMAIL_OTP_CODE", email_code)
            .send()
            .await
            .unwrap();
    assert!(r.authentication_result().is_some());

    // Five wrong codes count as five wrong passwords: the user is locked out.
    for _ in 0..5 {
        let (_, session, _) = start(&f, "eve").await;
        let r = answer_code(&f, ChallengeNameType::EmailOtp, &session, "eve", "00000000").await;
        assert_eq!(r.unwrap_err().0, "CodeMismatchException");
    }
    assert_eq!(
        f.sign_in_with("eve", PASSWORD).await.unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Password attempts exceeded".into()
        )
    );
}

#[tokio::test]
async fn preferences_and_tokens_refuse_what_the_pool_or_the_user_lacks() {
    let f = Fixture::new().await;
    f.user("off", &[]).await;
    let access = f.sign_in("off").await.access_token().unwrap().to_owned();
    // MFA OFF: no software token can be set up.
    let r =
        f.c.associate_software_token()
            .access_token(&access)
            .send()
            .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "SoftwareTokenMFANotFoundException".into(),
            "Software Token MFA is not enabled for the user pool.".into()
        )
    );
    configure(&f, UserPoolMfaType::Optional, false, true, false).await;
    let r =
        f.c.verify_software_token()
            .access_token(&access)
            .user_code("123456")
            .send()
            .await;
    assert_eq!(err(r.unwrap_err()).0, "SoftwareTokenMFANotFoundException");
    let r =
        f.c.set_user_mfa_preference()
            .access_token(&access)
            .software_token_mfa_settings(
                SoftwareTokenMfaSettingsType::builder()
                    .enabled(true)
                    .build(),
            )
            .send()
            .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA".into()
        )
    );
    let r =
        f.c.set_user_mfa_preference()
            .access_token(&access)
            .email_mfa_settings(EmailMfaSettingsType::builder().enabled(true).build())
            .send()
            .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "EMAIL_OTP is not enabled for the user pool.".into()
        )
    );
    let r = f.c.associate_software_token().send().await;
    assert_eq!(err(r.unwrap_err()).0, "InvalidParameterException");
    let r =
        f.c.associate_software_token()
            .session("not-a-session-of-this-server")
            .send()
            .await;
    assert_eq!(err(r.unwrap_err()), invalid_session());

    // The legacy MFAOptions turn SMS MFA on and off (SMS allowed, a phone number present).
    configure(&f, UserPoolMfaType::Optional, true, true, false).await;
    let r = f
        .c
        .admin_set_user_settings()
        .user_pool_id(&f.pool)
        .username("off")
        .mfa_options(
            MfaOptionType::builder()
                .delivery_medium(aws_sdk_cognitoidentityprovider::types::DeliveryMediumType::Sms)
                .attribute_name("phone_number")
                .build(),
        )
        .send()
        .await;
    assert_eq!(
        err(r.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "User does not have delivery config set to turn on SMS_MFA".into()
        )
    );
    f.change_user("off", |u| {
        u.attributes.insert("phone_number".into(), PHONE.into());
    })
    .await;
    f.c.set_user_settings()
        .access_token(&access)
        .mfa_options(
            MfaOptionType::builder()
                .delivery_medium(aws_sdk_cognitoidentityprovider::types::DeliveryMediumType::Sms)
                .attribute_name("phone_number")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let got =
        f.c.admin_get_user()
            .user_pool_id(&f.pool)
            .username("off")
            .send()
            .await
            .unwrap();
    assert_eq!(got.mfa_options().len(), 1);
    assert_eq!(got.mfa_options()[0].attribute_name(), Some("phone_number"));
    assert_eq!(got.user_mfa_setting_list(), ["SMS_MFA"]);
    let (name, _, _) = start(&f, "off").await;
    assert_eq!(name, Some(ChallengeNameType::SmsMfa));
    f.c.admin_set_user_settings()
        .user_pool_id(&f.pool)
        .username("off")
        .set_mfa_options(Some(vec![]))
        .send()
        .await
        .unwrap();
    f.sign_in("off").await;
    let r =
        f.c.admin_set_user_mfa_preference()
            .user_pool_id(&f.pool)
            .username("nobody")
            .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
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
