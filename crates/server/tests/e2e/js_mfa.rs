//! MFA as the browser-side clients meet it, on a server with the real clock (their codes come
//! from otpauth at the real time): Amplify v6 sets up TOTP during sign-in and from a signed-in
//! session and answers TOTP, SMS and email challenges; amazon-cognito-identity-js sets up a
//! software token on mfaSetup and answers totpRequired and mfaRequired; Amplify signs in with
//! each choice-based (USER_AUTH) first factor. Skipped without the
//! JS clients, as `js_clients` is.

use crate::harness::{client_with, pool, TestServer};
use crate::js_clients::{js_dir, node};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFactorType, EmailConfigurationType, EmailMfaConfigType,
    EmailSendingAccountType, ExplicitAuthFlowsType, MessageActionType, SignInPolicyType,
    SmsConfigurationType, SmsMfaConfigType, SoftwareTokenMfaConfigType, UserPoolMfaType,
    UserPoolPolicyType, VerifiedAttributeType,
};
use aws_sdk_cognitoidentityprovider::Client;

const PASSWORD: &str = "Correct-horse-1";

/// A pool with MFA `mode` (software tokens, SMS and email allowed) and an SRP client.
async fn mfa_pool(c: &Client, mode: UserPoolMfaType) -> (String, String) {
    let p = pool(c).await;
    c.update_user_pool()
        .user_pool_id(&p)
        .email_configuration(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::Developer)
                .source_arn("arn:aws:ses:us-east-1:000000000000:identity/example.com")
                .build(),
        )
        .send()
        .await
        .unwrap();
    c.set_user_pool_mfa_config()
        .user_pool_id(&p)
        .mfa_configuration(mode)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_configuration(
                    SmsConfigurationType::builder()
                        .sns_caller_arn("arn:aws:iam::000000000000:role/sns")
                        .build(),
                )
                .build(),
        )
        .email_mfa_configuration(EmailMfaConfigType::builder().build())
        .send()
        .await
        .unwrap();
    let client = client_with(c, &p, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
    })
    .await;
    (p, client)
}

async fn user(c: &Client, p: &str, name: &str, attributes: &[(&str, &str)]) {
    let mut b = c
        .admin_create_user()
        .user_pool_id(p)
        .username(name)
        .message_action(MessageActionType::Suppress);
    for (k, v) in attributes {
        b = b.user_attributes(AttributeType::builder().name(*k).value(*v).build().unwrap());
    }
    b.send().await.unwrap();
    c.admin_set_user_password()
        .user_pool_id(p)
        .username(name)
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn amplify_and_identity_js_pass_every_mfa_challenge() {
    let Some(dir) = js_dir() else { return };
    let s = TestServer::start().await;
    let c = s.client();
    let url = s.url();
    let (on, on_client) = mfa_pool(&c, UserPoolMfaType::On).await;
    let (opt, opt_client) = mfa_pool(&c, UserPoolMfaType::Optional).await;
    user(&c, &on, "amy", &[]).await;
    user(&c, &on, "ida", &[]).await;
    user(&c, &on, "sid", &[("phone_number", "+15555550123")]).await;
    user(&c, &on, "eli", &[("email", "eli@example.com")]).await;
    user(&c, &opt, "sue", &[]).await;
    let run = |script: &'static str,
               pool: String,
               client: String,
               name: &'static str,
               mode: &'static str| {
        let (dir, url) = (dir.clone(), url.clone());
        async move {
            node(
                &dir,
                script,
                &[
                    ("ENDPOINT", url.as_str()),
                    ("POOL_ID", pool.as_str()),
                    ("CLIENT_ID", client.as_str()),
                    ("USERNAME", name),
                    ("PASSWORD", PASSWORD),
                    ("MODE", mode),
                ],
            )
            .await
        }
    };

    let r = run(
        "amplify_mfa.mjs",
        on.clone(),
        on_client.clone(),
        "amy",
        "setup",
    )
    .await;
    assert_eq!(
        r["steps"],
        serde_json::json!([
            "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION",
            "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
            "DONE",
            "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
            "DONE"
        ]),
        "{r}"
    );
    assert_eq!(r["ok"], true, "{r}");
    let r = run(
        "amplify_mfa.mjs",
        opt.clone(),
        opt_client.clone(),
        "sue",
        "self",
    )
    .await;
    assert_eq!(
        r["steps"],
        serde_json::json!([
            "DONE",
            "preferred:TOTP",
            "enabled:TOTP",
            "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
            "DONE"
        ]),
        "{r}"
    );
    let r = run(
        "amplify_mfa.mjs",
        on.clone(),
        on_client.clone(),
        "sid",
        "outbox",
    )
    .await;
    assert_eq!(
        r["steps"],
        serde_json::json!(["CONFIRM_SIGN_IN_WITH_SMS_CODE", "DONE"]),
        "{r}"
    );
    let r = run(
        "amplify_mfa.mjs",
        on.clone(),
        on_client.clone(),
        "eli",
        "outbox",
    )
    .await;
    assert_eq!(
        r["steps"],
        serde_json::json!(["CONFIRM_SIGN_IN_WITH_EMAIL_CODE", "DONE"]),
        "{r}"
    );

    let r = run(
        "identity_js_mfa.mjs",
        on.clone(),
        on_client.clone(),
        "ida",
        "totp",
    )
    .await;
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(
        r["steps"],
        serde_json::json!(["MFA_SETUP", "tokens", "SOFTWARE_TOKEN_MFA", "tokens"]),
        "{r}"
    );
    let r = run("identity_js_mfa.mjs", on, on_client, "sid", "sms").await;
    assert_eq!(r["steps"], serde_json::json!(["SMS_MFA", "tokens"]), "{r}");
}

#[tokio::test]
async fn amplify_signs_in_with_every_choice_based_first_factor() {
    let Some(dir) = js_dir() else { return };
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let first_factors = UserPoolPolicyType::builder()
        .sign_in_policy(
            SignInPolicyType::builder()
                .allowed_first_auth_factors(AuthFactorType::Password)
                .allowed_first_auth_factors(AuthFactorType::EmailOtp)
                .allowed_first_auth_factors(AuthFactorType::SmsOtp)
                .build(),
        )
        .build();
    c.update_user_pool()
        .user_pool_id(&p)
        .policies(first_factors.clone())
        .send()
        .await
        .unwrap();
    let client = client_with(&c, &p, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
    })
    .await;
    let attributes = [
        ("email", "uma@example.com"),
        ("phone_number", "+15555550123"),
    ];
    user(&c, &p, "uma", &attributes).await;
    let r = node(
        &dir,
        "amplify_user_auth.mjs",
        &[
            ("ENDPOINT", s.url().as_str()),
            ("POOL_ID", p.as_str()),
            ("CLIENT_ID", client.as_str()),
            ("USERNAME", "uma"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await;
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(
        r["steps"],
        serde_json::json!([
            "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
            "DONE",
            "user:uma",
            "CONFIRM_SIGN_IN_WITH_SMS_CODE",
            "DONE",
            "user:uma",
            "DONE",
            "user:uma",
            "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
            "available:PASSWORD,PASSWORD_SRP,EMAIL_OTP,SMS_OTP",
            "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
            "DONE",
            "user:uma",
            "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
            "CONFIRM_SIGN_IN_WITH_PASSWORD",
            "DONE",
            "user:uma",
            "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
            "wrong:CodeMismatchException"
        ]),
        "{r}"
    );

    // A sign-up without a password, signed in by its confirmation (autoSignIn).
    c.update_user_pool()
        .user_pool_id(&p)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .policies(first_factors.clone())
        .send()
        .await
        .unwrap();
    let r = node(
        &dir,
        "amplify_user_auth.mjs",
        &[
            ("ENDPOINT", s.url().as_str()),
            ("POOL_ID", p.as_str()),
            ("CLIENT_ID", client.as_str()),
            ("USERNAME", "vic"),
            ("MODE", "signup"),
        ],
    )
    .await;
    assert_eq!(
        r["steps"],
        serde_json::json!([
            "CONFIRM_SIGN_UP",
            "COMPLETE_AUTO_SIGN_IN",
            "DONE",
            "user:vic",
            "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
            "available:EMAIL_OTP"
        ]),
        "{r}"
    );
}
