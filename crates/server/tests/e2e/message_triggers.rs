//! The message triggers: CustomMessage for every message Cognito sends (its text used, with
//! Cognito's placeholder rules), and CustomEmailSender / CustomSMSSender invoked instead of
//! sending.

use crate::harness::{client_with, err};
use crate::lambdas::lambdas;
use crate::triggers::{pool_with_triggers, FAILING};
use crate::users::{attr, PW};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, CustomEmailLambdaVersionConfigType,
    CustomEmailSenderLambdaVersionType, CustomSmsLambdaVersionConfigType,
    CustomSmsSenderLambdaVersionType, DeliveryMediumType, ExplicitAuthFlowsType, LambdaConfigType,
    SmsConfigurationType, SmsMfaConfigType, UserPoolMfaType,
};
use base64::Engine;
use ironpool_server::messages::Message;
use serde_json::json;

const CUSTOM_MESSAGE: &str = r#"
export const handler = async (event) => {
  const code = event.request.codeParameter;
  const source = event.triggerSource;
  if (source === 'CustomMessage_AdminCreateUser') {
    event.response.emailSubject = 'Welcome aboard';
    event.response.emailMessage = `Hi ${event.request.usernameParameter}, your password is ${code}`;
  } else if (event.request.clientMetadata.plain === 'yes') {
    event.response.emailMessage = 'A message that forgot the code';
  } else {
    event.response.emailSubject = `Subject of ${source}`;
    event.response.emailMessage = `[${source}] code ${code}`;
    event.response.smsMessage = `[${source}] sms ${code}`;
  }
  return event;
};
"#;

fn last(s: &crate::harness::TestServer, p: &str, user: &str) -> Message {
    s.server
        .app()
        .outbox
        .list(Some(p), Some(user))
        .pop()
        .expect("a message")
}

#[tokio::test]
async fn custom_message_writes_every_message() {
    let Some(l) = lambdas() else { return };
    let f = l.function(CUSTOM_MESSAGE).await;
    let (s, c, p, cid) =
        pool_with_triggers(l, LambdaConfigType::builder().custom_message(&f).build()).await;
    let password_client = client_with(&c, &p, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
    })
    .await;

    // SignUp and ResendConfirmationCode.
    c.sign_up()
        .client_id(&cid)
        .username("ann")
        .password(PW)
        .user_attributes(attr("email", "ann@example.com"))
        .client_metadata("lang", "en")
        .send()
        .await
        .unwrap();
    let m = last(&s, &p, "ann");
    assert_eq!(m.body, format!("[CustomMessage_SignUp] code {}", m.code));
    assert_eq!(
        m.subject.as_deref(),
        Some("Subject of CustomMessage_SignUp")
    );
    assert_eq!(m.code.len(), 6);
    c.resend_confirmation_code()
        .client_id(&cid)
        .username("ann")
        .send()
        .await
        .unwrap();
    let m = last(&s, &p, "ann");
    assert_eq!(
        m.body,
        format!("[CustomMessage_ResendCode] code {}", m.code)
    );
    c.confirm_sign_up()
        .client_id(&cid)
        .username("ann")
        .confirmation_code(&m.code)
        .send()
        .await
        .unwrap();

    // ForgotPassword; a message without the code placeholder is not used.
    c.forgot_password()
        .client_id(&cid)
        .username("ann")
        .send()
        .await
        .unwrap();
    let m = last(&s, &p, "ann");
    assert_eq!(
        m.body,
        format!("[CustomMessage_ForgotPassword] code {}", m.code)
    );
    c.forgot_password()
        .client_id(&cid)
        .username("ann")
        .client_metadata("plain", "yes")
        .send()
        .await
        .unwrap();
    let m = last(&s, &p, "ann");
    assert_eq!(m.body, format!("Your verification code is {}. ", m.code));

    // AdminCreateUser: the username and the temporary password.
    c.admin_create_user()
        .user_pool_id(&p)
        .username("bob")
        .user_attributes(attr("email", "bob@example.com"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    let m = last(&s, &p, "bob");
    assert_eq!(m.purpose, "invitation");
    assert_eq!(m.body, format!("Hi bob, your password is {}", m.code));
    assert_eq!(m.subject.as_deref(), Some("Welcome aboard"));

    // AdminUpdateUserAttributes and GetUserAttributeVerificationCode.
    c.admin_update_user_attributes()
        .user_pool_id(&p)
        .username("ann")
        .user_attributes(attr("email", "ann@example.org"))
        .send()
        .await
        .unwrap();
    let m = last(&s, &p, "ann");
    assert_eq!(m.destination, "ann@example.org");
    assert_eq!(
        m.body,
        format!("[CustomMessage_UpdateUserAttribute] code {}", m.code)
    );
    c.admin_set_user_password()
        .user_pool_id(&p)
        .username("ann")
        .password(PW)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let token = c
        .initiate_auth()
        .client_id(&password_client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "ann")
        .auth_parameters("PASSWORD", PW)
        .send()
        .await
        .unwrap()
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    c.get_user_attribute_verification_code()
        .access_token(&token)
        .attribute_name("email")
        .client_metadata("lang", "fr")
        .send()
        .await
        .unwrap();
    let m = last(&s, &p, "ann");
    assert_eq!(
        m.body,
        format!("[CustomMessage_VerifyUserAttribute] code {}", m.code)
    );

    let events = l.events(&f).await;
    let seen: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["triggerSource"].as_str().unwrap(),
                e["userName"].as_str().unwrap(),
                e["callerContext"]["clientId"].as_str().unwrap(),
            )
        })
        .collect();
    let na = "CLIENT_ID_NOT_APPLICABLE";
    assert_eq!(
        seen,
        vec![
            ("CustomMessage_SignUp", "ann", cid.as_str()),
            ("CustomMessage_ResendCode", "ann", cid.as_str()),
            ("CustomMessage_ForgotPassword", "ann", cid.as_str()),
            ("CustomMessage_ForgotPassword", "ann", cid.as_str()),
            ("CustomMessage_AdminCreateUser", "bob", na),
            ("CustomMessage_UpdateUserAttribute", "ann", na),
            (
                "CustomMessage_VerifyUserAttribute",
                "ann",
                password_client.as_str()
            ),
        ]
    );
    let first = &events[0]["request"];
    assert_eq!(first["codeParameter"], "{####}");
    assert_eq!(first["usernameParameter"], serde_json::Value::Null);
    assert_eq!(first["clientMetadata"], json!({"lang": "en"}));
    assert_eq!(first["userAttributes"]["email"], "ann@example.com");
    assert_eq!(
        first["userAttributes"]["cognito:user_status"],
        "UNCONFIRMED"
    );
    assert_eq!(events[4]["request"]["usernameParameter"], "{username}");
    assert_eq!(
        events[6]["request"]["clientMetadata"],
        json!({"lang": "fr"})
    );
}

#[tokio::test]
async fn custom_message_writes_the_mfa_code_text() {
    let Some(l) = lambdas() else { return };
    let f = l.function(CUSTOM_MESSAGE).await;
    let (s, c, p, _) =
        pool_with_triggers(l, LambdaConfigType::builder().custom_message(&f).build()).await;
    c.set_user_pool_mfa_config()
        .user_pool_id(&p)
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
    let cid = client_with(&c, &p, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
    })
    .await;
    c.admin_create_user()
        .user_pool_id(&p)
        .username("cat")
        .user_attributes(attr("phone_number", "+15555550100"))
        .user_attributes(attr("phone_number_verified", "true"))
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    c.admin_set_user_password()
        .user_pool_id(&p)
        .username("cat")
        .password(PW)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let started = c
        .admin_initiate_auth()
        .user_pool_id(&p)
        .client_id(&cid)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "cat")
        .auth_parameters("PASSWORD", PW)
        .send()
        .await
        .unwrap();
    assert_eq!(started.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let m = last(&s, &p, "cat");
    assert_eq!(m.purpose, "mfa");
    assert_eq!(
        m.body,
        format!("[CustomMessage_Authentication] sms {}", m.code)
    );
    let events = l.events(&f).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["triggerSource"], "CustomMessage_Authentication");
    assert_eq!(events[0]["callerContext"]["clientId"], cid.as_str());
}

#[tokio::test]
async fn custom_senders_are_invoked_instead_of_sending() {
    let Some(l) = lambdas() else { return };
    let email = l.function(&crate::triggers::answering("{}")).await;
    let sms = l.function(&crate::triggers::answering("{}")).await;
    let config = LambdaConfigType::builder()
        .custom_email_sender(
            CustomEmailLambdaVersionConfigType::builder()
                .lambda_arn(&email)
                .lambda_version(CustomEmailSenderLambdaVersionType::V10)
                .build()
                .unwrap(),
        )
        .custom_sms_sender(
            CustomSmsLambdaVersionConfigType::builder()
                .lambda_arn(&sms)
                .lambda_version(CustomSmsSenderLambdaVersionType::V10)
                .build()
                .unwrap(),
        )
        .kms_key_id("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        .build();
    let (s, c, p, cid) = pool_with_triggers(l, config).await;
    c.sign_up()
        .client_id(&cid)
        .username("dan")
        .password(PW)
        .user_attributes(attr("email", "dan@example.com"))
        .client_metadata("k", "v")
        .send()
        .await
        .unwrap();
    let kept = last(&s, &p, "dan");
    let events = l.events(&email).await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["triggerSource"], "CustomEmailSender_SignUp");
    assert_eq!(e["request"]["type"], "customEmailSenderRequestV1");
    assert_eq!(e["request"]["clientMetadata"], json!({"k": "v"}));
    assert_eq!(e["request"]["userAttributes"]["email"], "dan@example.com");
    let code = base64::engine::general_purpose::STANDARD
        .decode(e["request"]["code"].as_str().unwrap())
        .unwrap();
    assert_eq!(String::from_utf8(code).unwrap(), kept.code);
    assert!(l.events(&sms).await.is_empty());

    // An invitation by SMS goes to the SMS sender.
    c.admin_create_user()
        .user_pool_id(&p)
        .username("eli")
        .user_attributes(attr("phone_number", "+15555550101"))
        .send()
        .await
        .unwrap();
    let events = l.events(&sms).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["triggerSource"],
        "CustomSMSSender_AdminCreateUser"
    );
    assert_eq!(events[0]["request"]["type"], "customSMSSenderRequestV1");

    // A failing sender fails the call with Cognito's error.
    let failing = l.function(FAILING).await;
    c.update_user_pool()
        .user_pool_id(&p)
        .auto_verified_attributes(
            aws_sdk_cognitoidentityprovider::types::VerifiedAttributeType::Email,
        )
        .lambda_config(
            LambdaConfigType::builder()
                .custom_email_sender(
                    CustomEmailLambdaVersionConfigType::builder()
                        .lambda_arn(&failing)
                        .lambda_version(CustomEmailSenderLambdaVersionType::V10)
                        .build()
                        .unwrap(),
                )
                .kms_key_id(
                    "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let e = c
        .resend_confirmation_code()
        .client_id(&cid)
        .username("dan")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "UserLambdaValidationException".into(),
            "CustomEmailSender failed with error Sign-ups are closed today.".into()
        )
    );
}

/// Decrypts `request.code` as a deployed custom sender does (the AWS Encryption SDK with a KMS
/// keyring) and answers what it found.
fn decrypting_sender(kms_url: &str, key_arn: &str) -> String {
    format!(
        r#"
import {{ KmsKeyringNode, buildClient, CommitmentPolicy }} from '@aws-crypto/client-node';
import {{ KMS }} from '@aws-sdk/client-kms';
const {{ decrypt }} = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
const keyring = new KmsKeyringNode({{
  keyIds: ['{key_arn}'],
  clientProvider: () => new KMS({{ region: 'us-east-1', endpoint: '{kms_url}',
    credentials: {{ accessKeyId: 'test', secretAccessKey: 'test' }} }}),
}});
export const handler = async (event) => {{
  const {{ plaintext }} = await decrypt(keyring, Buffer.from(event.request.code, 'base64'));
  return {{ ...event, response: {{ decrypted: plaintext.toString('utf8') }} }};
}};
"#
    )
}

#[tokio::test]
async fn custom_senders_get_the_code_encrypted_with_the_pools_kms_key() {
    let Some(l) = lambdas() else { return };
    if crate::js_clients::js_dir().is_none() {
        return;
    }
    let key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let email = l.function(&decrypting_sender(&l.kms_url(), key)).await;
    let mut config = l.config();
    config.aws.kms_endpoint = Some(l.kms_url());
    let s = crate::harness::TestServer::with_config(config).await;
    let c = s.client();
    let p = c
        .create_user_pool()
        .pool_name("kms")
        .auto_verified_attributes(
            aws_sdk_cognitoidentityprovider::types::VerifiedAttributeType::Email,
        )
        .lambda_config(
            LambdaConfigType::builder()
                .custom_email_sender(
                    CustomEmailLambdaVersionConfigType::builder()
                        .lambda_arn(&email)
                        .lambda_version(CustomEmailSenderLambdaVersionType::V10)
                        .build()
                        .unwrap(),
                )
                .kms_key_id(key)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let cid = client_with(&c, &p, |b| b).await;
    c.sign_up()
        .client_id(&cid)
        .username("fin")
        .password(PW)
        .user_attributes(attr("email", "fin@example.com"))
        .send()
        .await
        .unwrap();
    let kept = last(&s, &p, "fin");
    let invocation = &l.invocations(&email).await[0];
    let code = invocation["event"]["request"]["code"].as_str().unwrap();
    // Not the code in plain text, but a message that decrypts to it.
    let raw = base64::engine::general_purpose::STANDARD
        .decode(code)
        .unwrap();
    assert!(raw.len() > 100, "{} bytes", raw.len());
    assert!(!String::from_utf8_lossy(&raw).contains(&kept.code));
    assert_eq!(
        invocation["answer"]["response"]["decrypted"],
        kept.code.as_str()
    );
    let calls = l.kms_calls().await;
    let generated: Vec<_> = calls
        .iter()
        .filter(|c| c["target"] == "TrentService.GenerateDataKey")
        .collect();
    assert_eq!(generated.len(), 1);
    assert_eq!(generated[0]["body"]["KeyId"], key);
    let auth = generated[0]["authorization"].as_str().unwrap();
    assert!(auth.contains("/us-east-1/kms/aws4_request"), "{auth}");
}
