//! SetUserPoolMfaConfig / GetUserPoolMfaConfig and the tag operations on a pool's ARN.

use crate::harness::{err, raw_call, TestServer};
use aws_sdk_cognitoidentityprovider::types::{
    EmailMfaConfigType, SmsConfigurationType, SmsMfaConfigType, SoftwareTokenMfaConfigType,
    UserPoolMfaType, UserVerificationType, WebAuthnConfigurationType,
};
use serde_json::json;

async fn new_pool(c: &aws_sdk_cognitoidentityprovider::Client, name: &str) -> (String, String) {
    let out = c.create_user_pool().pool_name(name).send().await.unwrap();
    let p = out.user_pool().unwrap();
    (p.id().unwrap().to_owned(), p.arn().unwrap().to_owned())
}

#[tokio::test]
async fn a_default_pool_answers_only_mfa_off() {
    let s = TestServer::start().await;
    let (id, _) = new_pool(&s.client(), "mfa").await;
    let (status, _, out) = raw_call(
        &s.url(),
        Some("GetUserPoolMfaConfig"),
        &json!({"UserPoolId": id}).to_string(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(out, json!({"MfaConfiguration": "OFF"}));
    let e = s
        .client()
        .get_user_pool_mfa_config()
        .user_pool_id("us-east-1_AAAAAAAAA")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            "User pool us-east-1_AAAAAAAAA does not exist.".into()
        )
    );
}

#[tokio::test]
async fn totp_and_sms_mfa_stay_consistent_with_describe_user_pool() {
    let s = TestServer::start().await;
    let c = s.client();
    let (id, _) = new_pool(&c, "mfa").await;
    let out = c
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    assert!(out.software_token_mfa_configuration().unwrap().enabled());
    assert!(out.sms_mfa_configuration().is_none());
    let pool = c
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pool.user_pool().unwrap().mfa_configuration(),
        Some(&UserPoolMfaType::Optional)
    );

    let sms = SmsConfigurationType::builder()
        .sns_caller_arn("arn:aws:iam::000000000000:role/sns")
        .external_id("ext")
        .build();
    c.set_user_pool_mfa_config()
        .user_pool_id(&id)
        .mfa_configuration(UserPoolMfaType::On)
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("Your code is {####}")
                .sms_configuration(sms.clone())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let got = c
        .get_user_pool_mfa_config()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.mfa_configuration(), Some(&UserPoolMfaType::On));
    assert!(got.software_token_mfa_configuration().is_none());
    let sms_mfa = got.sms_mfa_configuration().unwrap();
    assert_eq!(
        sms_mfa.sms_authentication_message(),
        Some("Your code is {####}")
    );
    assert_eq!(sms_mfa.sms_configuration(), Some(&sms));
    let pool = c
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    let pool = pool.user_pool().unwrap();
    assert_eq!(pool.mfa_configuration(), Some(&UserPoolMfaType::On));
    assert_eq!(pool.sms_configuration(), Some(&sms));
    assert_eq!(
        pool.sms_authentication_message(),
        Some("Your code is {####}")
    );

    // UpdateUserPool with MfaConfiguration left out turns MFA off, in both views.
    c.update_user_pool().user_pool_id(&id).send().await.unwrap();
    let got = c
        .get_user_pool_mfa_config()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.mfa_configuration(), Some(&UserPoolMfaType::Off));
    assert!(got.sms_mfa_configuration().is_none());
}

#[tokio::test]
async fn set_user_pool_mfa_config_rules() {
    let s = TestServer::start().await;
    let c = s.client();
    let (id, _) = new_pool(&c, "mfa").await;
    let e = c
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .mfa_configuration(UserPoolMfaType::Off)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
                .into()
        )
    );
    let e = c
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."
                .into()
        )
    );
    let e = c
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .mfa_configuration(UserPoolMfaType::On)
        .email_mfa_configuration(EmailMfaConfigType::builder().build())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Email MFA requires the user pool to send email with Amazon SES: set EmailSendingAccount to DEVELOPER."
                .into()
        )
    );
    let e = c
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .mfa_configuration(UserPoolMfaType::On)
        .sms_mfa_configuration(SmsMfaConfigType::builder().build())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).1, "SMS configuration is required to enable SMS MFA.");

    // Passkeys are not MFA: they can be configured while MFA is OFF.
    let out = c
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .web_authn_configuration(
            WebAuthnConfigurationType::builder()
                .relying_party_id("auth.example.com")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(out.mfa_configuration(), Some(&UserPoolMfaType::Off));
    let web = out.web_authn_configuration().unwrap();
    assert_eq!(web.relying_party_id(), Some("auth.example.com"));
    assert_eq!(
        web.user_verification(),
        Some(&UserVerificationType::Preferred)
    );
}

#[tokio::test]
async fn tags_on_the_pool_arn() {
    let s = TestServer::start().await;
    let c = s.client();
    let created = c
        .create_user_pool()
        .pool_name("tags")
        .user_pool_tags("team", "auth")
        .send()
        .await
        .unwrap();
    let pool = created.user_pool().unwrap();
    assert_eq!(
        pool.user_pool_tags()
            .unwrap()
            .get("team")
            .map(String::as_str),
        Some("auth")
    );
    let (id, arn) = (
        pool.id().unwrap().to_owned(),
        pool.arn().unwrap().to_owned(),
    );
    c.tag_resource()
        .resource_arn(&arn)
        .tags("env", "dev")
        .tags("team", "identity")
        .send()
        .await
        .unwrap();
    let tags = c
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    let tags = tags.tags().unwrap();
    assert_eq!(tags.len(), 2);
    assert_eq!(tags["env"], "dev");
    assert_eq!(tags["team"], "identity");
    c.untag_resource()
        .resource_arn(&arn)
        .tag_keys("env")
        .tag_keys("absent")
        .send()
        .await
        .unwrap();
    let described = c
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    let tags = described.user_pool().unwrap().user_pool_tags().unwrap();
    assert_eq!(tags.len(), 1);
    assert_eq!(tags["team"], "identity");

    let mut many = c.tag_resource().resource_arn(&arn);
    for i in 0..50 {
        many = many.tags(format!("k{i}"), "v");
    }
    let e = many.send().await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "A user pool can have at most 50 tags.".into()
        )
    );

    let unknown = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_AAAAAAAAA";
    let e = c
        .list_tags_for_resource()
        .resource_arn(unknown)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!("Resource {unknown} does not exist.")
        )
    );
    let other_account = arn.replace("000000000000", "111111111111");
    let e = c
        .tag_resource()
        .resource_arn(&other_account)
        .tags("a", "b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "ResourceNotFoundException");
}
