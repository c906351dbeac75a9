//! Choice-based sign-in (USER_AUTH) through the SDK: SELECT_CHALLENGE and AvailableChallenges
//! from the pool's SignInPolicy and what each user has, PREFERRED_CHALLENGE, passwordless
//! email and SMS codes (eight digits, single use, three minutes, counted toward lockout), MFA
//! after a password but not after a code, GetUserAuthFactors and AdminGetUserAuthFactors, the
//! client's flow, the tier and policy rules, unknown users, and a passwordless sign-up that
//! signs in with its confirmation.

use crate::harness::err;
use crate::signin_support::{decode, timestamp_now, Fixture, SrpClient, PASSWORD};
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFactorType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType,
    PreventUserExistenceErrorTypes, SignInPolicyType, SmsConfigurationType, SmsMfaConfigType,
    UserPoolMfaType, UserPoolPolicyType, UserPoolTierType, VerifiedAttributeType,
};
use std::collections::HashMap;

use AuthFactorType as F;
use ChallengeNameType as C;

const PHONE: &str = "+15555550123";

/// A pool whose first factors are `factors`, and an app client with USER_AUTH (and the admin
/// password flow); `hide` turns PreventUserExistenceErrors on.
async fn fixture(factors: &[AuthFactorType], hide: bool) -> Fixture {
    let f = Fixture::with_client(|b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .auth_session_validity(15)
            .prevent_user_existence_errors(if hide {
                PreventUserExistenceErrorTypes::Enabled
            } else {
                PreventUserExistenceErrorTypes::Legacy
            })
    })
    .await;
    set_factors(&f, factors, None).await.unwrap();
    f
}

async fn set_factors(
    f: &Fixture,
    factors: &[AuthFactorType],
    tier: Option<UserPoolTierType>,
) -> Result<(), (String, String)> {
    f.c.update_user_pool()
        .user_pool_id(&f.pool)
        .policies(
            UserPoolPolicyType::builder()
                .sign_in_policy(
                    SignInPolicyType::builder()
                        .set_allowed_first_auth_factors(Some(factors.to_vec()))
                        .build(),
                )
                .build(),
        )
        .set_user_pool_tier(tier)
        .send()
        .await
        .map(drop)
        .map_err(err)
}

#[derive(Debug)]
pub(crate) struct Step {
    pub name: Option<ChallengeNameType>,
    pub session: String,
    pub parameters: HashMap<String, String>,
    pub available: Vec<ChallengeNameType>,
    pub access_token: Option<String>,
}

/// InitiateAuth USER_AUTH for `username` with these extra AuthParameters.
pub(crate) async fn start(
    f: &Fixture,
    username: &str,
    params: &[(&str, &str)],
) -> Result<Step, (String, String)> {
    let mut b =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserAuth)
            .auth_parameters("USERNAME", username);
    for (k, v) in params {
        b = b.auth_parameters(*k, *v);
    }
    let r = b.send().await.map_err(err)?;
    Ok(Step {
        name: r.challenge_name().cloned(),
        session: r.session().unwrap_or_default().to_owned(),
        parameters: r.challenge_parameters().cloned().unwrap_or_default(),
        available: r.available_challenges().to_vec(),
        access_token: r
            .authentication_result()
            .and_then(|a| a.access_token())
            .map(str::to_owned),
    })
}

pub(crate) async fn answer(
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

pub(crate) fn step_of(r: &RespondToAuthChallengeOutput) -> Step {
    Step {
        name: r.challenge_name().cloned(),
        session: r.session().unwrap_or_default().to_owned(),
        parameters: r.challenge_parameters().cloned().unwrap_or_default(),
        available: r.available_challenges().to_vec(),
        access_token: r
            .authentication_result()
            .and_then(|a| a.access_token())
            .map(str::to_owned),
    }
}

/// The newest passwordless sign-in code sent to `username`: (medium, destination, code).
fn sent_code(f: &Fixture, username: &str) -> (String, String, String) {
    let m = f
        .app()
        .outbox
        .list(Some(&f.pool), Some(username))
        .into_iter()
        .rev()
        .find(|m| m.purpose == "sign_in")
        .expect("a sign-in code");
    (m.medium, m.destination, m.code)
}

fn code_mismatch() -> (String, String) {
    (
        "CodeMismatchException".into(),
        "Invalid code or auth state for the user.".into(),
    )
}

fn not_enabled() -> (String, String) {
    (
        "InvalidParameterException".into(),
        "Invalid challenge name or the challenge is not enabled.".into(),
    )
}

fn username_of(access_token: &str) -> String {
    decode(access_token).1["username"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn select_challenge_offers_what_the_pool_allows_and_the_user_has() {
    let f = fixture(&[F::Password, F::EmailOtp, F::SmsOtp], false).await;
    f.user(
        "alice",
        &[("email", "alice@example.com"), ("phone_number", PHONE)],
    )
    .await;
    f.user("bob", &[("email", "bob@example.com")]).await;

    let s = start(&f, "alice", &[]).await.unwrap();
    assert_eq!(s.name, Some(C::SelectChallenge));
    assert_eq!(
        s.available,
        [C::Password, C::PasswordSrp, C::EmailOtp, C::SmsOtp]
    );
    assert!(s.session.starts_with("AYAB"));
    assert!(s.parameters.is_empty());
    let s = start(&f, "bob", &[]).await.unwrap();
    assert_eq!(s.available, [C::Password, C::PasswordSrp, C::EmailOtp]);

    // The answer EMAIL_OTP sends an eight-digit code; the code signs in.
    let r = answer(
        &f,
        C::SelectChallenge,
        &s.session,
        &[("USERNAME", "bob"), ("ANSWER", "EMAIL_OTP")],
    )
    .await
    .unwrap();
    let step = step_of(&r);
    assert_eq!(step.name, Some(C::EmailOtp));
    assert_eq!(step.parameters["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    assert_eq!(step.parameters["CODE_DELIVERY_DESTINATION"], "b***@e***");
    let (medium, destination, code) = sent_code(&f, "bob");
    assert_eq!(
        (medium.as_str(), destination.as_str()),
        ("EMAIL", "bob@example.com")
    );
    assert_eq!(code.len(), 8);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    let r = answer(
        &f,
        C::EmailOtp,
        &step.session,
        &[("USERNAME", "bob"), ("EMAIL_OTP_CODE", &code)],
    )
    .await
    .unwrap();
    let token = step_of(&r).access_token.expect("tokens");
    assert_eq!(username_of(&token), "bob");

    // PASSWORD carries the password in the same answer; a wrong one is a wrong password.
    let s = start(&f, "alice", &[]).await.unwrap();
    let wrong = answer(
        &f,
        C::SelectChallenge,
        &s.session,
        &[
            ("USERNAME", "alice"),
            ("ANSWER", "PASSWORD"),
            ("PASSWORD", "Wrong-pass-1"),
        ],
    )
    .await;
    assert_eq!(
        wrong.unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    let s = start(&f, "alice", &[]).await.unwrap();
    let r = answer(
        &f,
        C::SelectChallenge,
        &s.session,
        &[
            ("USERNAME", "alice"),
            ("ANSWER", "PASSWORD"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await
    .unwrap();
    let token = step_of(&r).access_token.expect("tokens");
    assert_eq!(username_of(&token), "alice");

    // PASSWORD_SRP carries SRP_A and goes on to PASSWORD_VERIFIER.
    let s = start(&f, "alice", &[]).await.unwrap();
    let srp = SrpClient::new();
    let r = answer(
        &f,
        C::SelectChallenge,
        &s.session,
        &[
            ("USERNAME", "alice"),
            ("ANSWER", "PASSWORD_SRP"),
            ("SRP_A", &srp.srp_a),
        ],
    )
    .await
    .unwrap();
    let step = step_of(&r);
    assert_eq!(step.name, Some(C::PasswordVerifier));
    let responses = srp.respond(&f.pool, &step.parameters, PASSWORD, &timestamp_now());
    let responses: Vec<(&str, &str)> = responses
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = answer(&f, C::PasswordVerifier, &step.session, &responses)
        .await
        .unwrap();
    assert!(step_of(&r).access_token.is_some());

    // An answer that was not offered.
    let s = start(&f, "bob", &[]).await.unwrap();
    let r = answer(
        &f,
        C::SelectChallenge,
        &s.session,
        &[("USERNAME", "bob"), ("ANSWER", "SMS_OTP")],
    )
    .await;
    assert_eq!(r.unwrap_err(), not_enabled());

    // The factors, as the user and as an administrator see them.
    let factors =
        f.c.get_user_auth_factors()
            .access_token(&token)
            .send()
            .await
            .unwrap();
    assert_eq!(factors.username(), "alice");
    assert_eq!(
        factors.configured_user_auth_factors(),
        [F::Password, F::EmailOtp, F::SmsOtp]
    );
    assert!(factors.user_mfa_setting_list().is_empty());
    assert_eq!(factors.preferred_mfa_setting(), None);
    let admin =
        f.c.admin_get_user_auth_factors()
            .user_pool_id(&f.pool)
            .username("bob")
            .send()
            .await
            .unwrap();
    assert_eq!(admin.username(), "bob");
    assert_eq!(
        admin.configured_user_auth_factors(),
        [F::Password, F::EmailOtp]
    );
    let nobody =
        f.c.admin_get_user_auth_factors()
            .user_pool_id(&f.pool)
            .username("nobody")
            .send()
            .await
            .map_err(err);
    assert_eq!(
        nobody.unwrap_err(),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
}

#[tokio::test]
async fn preferred_challenges_and_single_use_codes_that_expire_and_lock_out() {
    let f = fixture(&[F::Password, F::EmailOtp, F::SmsOtp], false).await;
    f.user(
        "carol",
        &[("email", "carol@example.com"), ("phone_number", PHONE)],
    )
    .await;
    f.user("dave", &[("phone_number", PHONE)]).await;

    // PASSWORD up front signs in at once; PASSWORD_SRP starts SRP.
    let s = start(
        &f,
        "carol",
        &[("PREFERRED_CHALLENGE", "PASSWORD"), ("PASSWORD", PASSWORD)],
    )
    .await
    .unwrap();
    assert_eq!(s.name, None);
    assert_eq!(username_of(&s.access_token.unwrap()), "carol");
    let srp = SrpClient::new();
    let s = start(
        &f,
        "carol",
        &[
            ("PREFERRED_CHALLENGE", "PASSWORD_SRP"),
            ("SRP_A", &srp.srp_a),
        ],
    )
    .await
    .unwrap();
    assert_eq!(s.name, Some(C::PasswordVerifier));
    assert_eq!(s.parameters["USERNAME"], "carol");
    let missing = start(&f, "carol", &[("PREFERRED_CHALLENGE", "PASSWORD")]).await;
    assert_eq!(
        missing.unwrap_err(),
        (
            "InvalidParameterException".into(),
            "Missing required parameter PASSWORD".into()
        )
    );

    // SMS_OTP: the code by text message; single use.
    let s = start(&f, "carol", &[("PREFERRED_CHALLENGE", "SMS_OTP")])
        .await
        .unwrap();
    assert_eq!(s.name, Some(C::SmsOtp));
    assert_eq!(s.parameters["CODE_DELIVERY_DELIVERY_MEDIUM"], "SMS");
    assert_eq!(s.parameters["CODE_DELIVERY_DESTINATION"], "+*******0123");
    let (medium, destination, code) = sent_code(&f, "carol");
    assert_eq!((medium.as_str(), destination.as_str()), ("SMS", PHONE));
    let responses = [("USERNAME", "carol"), ("SMS_OTP_CODE", code.as_str())];
    let r = answer(&f, C::SmsOtp, &s.session, &responses).await.unwrap();
    assert!(step_of(&r).access_token.is_some());
    let again = answer(&f, C::SmsOtp, &s.session, &responses).await;
    assert_eq!(
        again.unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Invalid session for the user, session is expired.".into()
        )
    );

    // A code is good for three minutes (the session, for the client's 15).
    let s = start(&f, "carol", &[("PREFERRED_CHALLENGE", "EMAIL_OTP")])
        .await
        .unwrap();
    assert_eq!(s.name, Some(C::EmailOtp));
    let (_, _, code) = sent_code(&f, "carol");
    f.advance(181);
    let late = answer(
        &f,
        C::EmailOtp,
        &s.session,
        &[("USERNAME", "carol"), ("EMAIL_OTP_CODE", &code)],
    )
    .await;
    assert_eq!(
        late.unwrap_err(),
        (
            "ExpiredCodeException".into(),
            "Your code has expired, please sign in again.".into()
        )
    );

    // A factor the user lacks falls back to the choice; one that is no first factor is refused.
    let s = start(&f, "dave", &[("PREFERRED_CHALLENGE", "EMAIL_OTP")])
        .await
        .unwrap();
    assert_eq!(s.name, Some(C::SelectChallenge));
    assert_eq!(s.available, [C::Password, C::PasswordSrp, C::SmsOtp]);
    let bad = start(&f, "dave", &[("PREFERRED_CHALLENGE", "SOFTWARE_TOKEN_MFA")]).await;
    assert_eq!(bad.unwrap_err().0, "InvalidParameterException");

    // Wrong codes count as wrong passwords: five lock the user out, of every flow.
    for _ in 0..5 {
        let s = start(&f, "dave", &[("PREFERRED_CHALLENGE", "SMS_OTP")])
            .await
            .unwrap();
        let wrong = answer(
            &f,
            C::SmsOtp,
            &s.session,
            &[("USERNAME", "dave"), ("SMS_OTP_CODE", "00000000")],
        )
        .await;
        assert_eq!(wrong.unwrap_err(), code_mismatch());
    }
    let locked = (
        "NotAuthorizedException".to_owned(),
        "Password attempts exceeded".to_owned(),
    );
    let s = start(&f, "dave", &[("PREFERRED_CHALLENGE", "SMS_OTP")]).await;
    assert_eq!(s.err(), Some(locked.clone()));
    let s = start(
        &f,
        "dave",
        &[("PREFERRED_CHALLENGE", "PASSWORD"), ("PASSWORD", PASSWORD)],
    )
    .await;
    assert_eq!(s.err(), Some(locked));
}

#[tokio::test]
async fn a_password_is_followed_by_mfa_and_a_code_stands_in_for_it() {
    let f = fixture(&[F::Password, F::EmailOtp], false).await;
    f.c.set_user_pool_mfa_config()
        .user_pool_id(&f.pool)
        .mfa_configuration(UserPoolMfaType::On)
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_configuration(
                    SmsConfigurationType::builder()
                        .sns_caller_arn("arn:aws:iam::000000000000:role/sns")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    f.user(
        "erin",
        &[("email", "erin@example.com"), ("phone_number", PHONE)],
    )
    .await;
    let s = start(
        &f,
        "erin",
        &[("PREFERRED_CHALLENGE", "PASSWORD"), ("PASSWORD", PASSWORD)],
    )
    .await
    .unwrap();
    assert_eq!(s.name, Some(C::SmsMfa));

    let s = start(&f, "erin", &[("PREFERRED_CHALLENGE", "EMAIL_OTP")])
        .await
        .unwrap();
    let (_, _, code) = sent_code(&f, "erin");
    let r = answer(
        &f,
        C::EmailOtp,
        &s.session,
        &[("USERNAME", "erin"), ("EMAIL_OTP_CODE", &code)],
    )
    .await
    .unwrap();
    assert_eq!(r.challenge_name(), None);
    assert!(step_of(&r).access_token.is_some());
}

#[tokio::test]
async fn the_flow_the_tier_and_the_policy_are_checked() {
    let f = fixture(&[F::Password], false).await;
    f.user("frank", &[("email", "frank@example.com")]).await;
    // Only the password factors where the pool allows only PASSWORD.
    let s = start(&f, "frank", &[("PREFERRED_CHALLENGE", "EMAIL_OTP")])
        .await
        .unwrap();
    assert_eq!(s.name, Some(C::SelectChallenge));
    assert_eq!(s.available, [C::Password, C::PasswordSrp]);
    // AdminInitiateAuth takes USER_AUTH too.
    let r =
        f.c.admin_initiate_auth()
            .user_pool_id(&f.pool)
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserAuth)
            .auth_parameters("USERNAME", "frank")
            .send()
            .await
            .unwrap();
    assert_eq!(r.challenge_name(), Some(&C::SelectChallenge));
    assert_eq!(r.available_challenges(), [C::Password, C::PasswordSrp]);

    // A client without ALLOW_USER_AUTH.
    let other =
        f.c.create_user_pool_client()
            .user_pool_id(&f.pool)
            .client_name("srp-only")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .send()
            .await
            .unwrap();
    let refused =
        f.c.initiate_auth()
            .client_id(other.user_pool_client().unwrap().client_id().unwrap())
            .auth_flow(AuthFlowType::UserAuth)
            .auth_parameters("USERNAME", "frank")
            .send()
            .await
            .map_err(err);
    assert_eq!(
        refused.unwrap_err(),
        (
            "InvalidParameterException".into(),
            "USER_AUTH flow not enabled for this client".into()
        )
    );

    // PASSWORD is always a first factor; SOFTWARE_TOKEN never is; passwordless needs
    // Essentials or Plus.
    let e = set_factors(&f, &[F::EmailOtp], None).await.unwrap_err();
    assert_eq!(e.0, "InvalidParameterException");
    let e = set_factors(&f, &[F::Password, F::SoftwareToken], None)
        .await
        .unwrap_err();
    assert_eq!(e.0, "InvalidParameterException");
    let e = set_factors(
        &f,
        &[F::Password, F::WebAuthn],
        Some(UserPoolTierType::Lite),
    )
    .await
    .unwrap_err();
    assert_eq!(e.0, "FeatureUnavailableInTierException");
    set_factors(&f, &[F::Password], Some(UserPoolTierType::Lite))
        .await
        .unwrap();
    let e = set_factors(&f, &[F::Password, F::EmailOtp], None)
        .await
        .unwrap_err();
    assert_eq!(e.0, "FeatureUnavailableInTierException");
    let pool =
        f.c.describe_user_pool()
            .user_pool_id(&f.pool)
            .send()
            .await
            .unwrap();
    let pool = pool.user_pool().unwrap();
    assert_eq!(pool.user_pool_tier(), Some(&UserPoolTierType::Lite));
    assert_eq!(
        pool.policies()
            .unwrap()
            .sign_in_policy()
            .unwrap()
            .allowed_first_auth_factors(),
        [F::Password]
    );
}

#[tokio::test]
async fn unknown_users_get_challenges_shaped_as_real_ones_that_fail() {
    let f = fixture(&[F::Password, F::EmailOtp], true).await;
    f.user("gail", &[("email", "gail@example.com")]).await;

    let real = start(&f, "gail", &[("PREFERRED_CHALLENGE", "EMAIL_OTP")])
        .await
        .unwrap();
    let fake = start(
        &f,
        "ghost@example.com",
        &[("PREFERRED_CHALLENGE", "EMAIL_OTP")],
    )
    .await
    .unwrap();
    assert_eq!(fake.name, real.name);
    let keys = |s: &Step| {
        s.parameters
            .keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(keys(&fake), keys(&real));
    assert_eq!(fake.parameters["CODE_DELIVERY_DESTINATION"], "g***@e***");
    let r = answer(
        &f,
        C::EmailOtp,
        &fake.session,
        &[
            ("USERNAME", "ghost@example.com"),
            ("EMAIL_OTP_CODE", "12345678"),
        ],
    )
    .await;
    assert_eq!(r.unwrap_err(), code_mismatch());

    // Without a preference: the pool's factors, and answers that fail as wrong ones do.
    let s = start(&f, "ghost", &[]).await.unwrap();
    assert_eq!(s.name, Some(C::SelectChallenge));
    assert_eq!(s.available, [C::Password, C::PasswordSrp, C::EmailOtp]);
    let r = answer(
        &f,
        C::SelectChallenge,
        &s.session,
        &[
            ("USERNAME", "ghost"),
            ("ANSWER", "PASSWORD"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await;
    assert_eq!(
        r.unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    assert!(f.app().outbox.list(Some(&f.pool), Some("ghost")).is_empty());

    // A client that does not hide users names the missing one.
    let plain = fixture(&[F::Password, F::EmailOtp], false).await;
    assert_eq!(
        start(&plain, "ghost", &[]).await.err(),
        Some((
            "UserNotFoundException".into(),
            "User does not exist.".into()
        ))
    );
}

#[tokio::test]
async fn a_passwordless_sign_up_signs_in_with_its_confirmation_session() {
    let f = fixture(&[F::Password, F::EmailOtp], false).await;
    f.c.update_user_pool()
        .user_pool_id(&f.pool)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .policies(
            UserPoolPolicyType::builder()
                .sign_in_policy(
                    SignInPolicyType::builder()
                        .allowed_first_auth_factors(F::Password)
                        .allowed_first_auth_factors(F::EmailOtp)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let email = AttributeType::builder()
        .name("email")
        .value("hana@example.com")
        .build()
        .unwrap();
    let up =
        f.c.sign_up()
            .client_id(&f.client_id)
            .username("hana")
            .user_attributes(email)
            .send()
            .await
            .unwrap();
    assert!(!up.user_confirmed());
    let session = up.session().expect("a sign-up session").to_owned();
    let code = f
        .app()
        .outbox
        .list(Some(&f.pool), Some("hana"))
        .into_iter()
        .find(|m| m.purpose == "sign_up")
        .unwrap()
        .code;
    let confirmed =
        f.c.confirm_sign_up()
            .client_id(&f.client_id)
            .username("hana")
            .confirmation_code(code)
            .session(&session)
            .send()
            .await
            .unwrap();
    let session = confirmed.session().expect("a sign-in session").to_owned();
    let sign_in = |session: String| {
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserAuth)
            .auth_parameters("USERNAME", "hana")
            .session(session)
            .send()
    };
    let r = sign_in(session.clone()).await.unwrap();
    let token = r.authentication_result().unwrap().access_token().unwrap();
    assert_eq!(username_of(token), "hana");
    assert_eq!(
        sign_in(session).await.map_err(err).unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Invalid session for the user, session is expired.".into()
        )
    );

    // No password: codes are the user's only factor.
    let factors =
        f.c.admin_get_user_auth_factors()
            .user_pool_id(&f.pool)
            .username("hana")
            .send()
            .await
            .unwrap();
    assert_eq!(factors.configured_user_auth_factors(), [F::EmailOtp]);
    let s = start(&f, "hana", &[]).await.unwrap();
    assert_eq!(s.available, [C::EmailOtp]);
    let s = start(
        &f,
        "hana",
        &[("PREFERRED_CHALLENGE", "PASSWORD"), ("PASSWORD", "")],
    )
    .await;
    assert_eq!(s.unwrap_err().0, "NotAuthorizedException");

    // A pool that signs in only with passwords needs one.
    set_factors(&f, &[F::Password], None).await.unwrap();
    let e =
        f.c.sign_up()
            .client_id(&f.client_id)
            .username("ivan")
            .send()
            .await
            .map_err(err)
            .unwrap_err();
    assert_eq!(e.0, "InvalidPasswordException");
}
