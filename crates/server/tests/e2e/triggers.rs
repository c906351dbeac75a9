//! Lambda triggers through the Invoke API (`crate::lambdas`): the event each trigger receives,
//! field by field, the effect of its answer, and Cognito's errors for a function that fails,
//! times out, answers garbage or does not exist. Sign-up and confirmation triggers here.

use crate::harness::{err, TestServer};
use crate::lambdas::{lambdas, Lambdas};
use crate::users::{attr, PW};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, LambdaConfigType, UserStatusType, VerifiedAttributeType,
};
use aws_sdk_cognitoidentityprovider::Client;
use serde_json::json;

/// A handler that records nothing itself and answers the event with `response` merged in.
pub fn answering(response: &str) -> String {
    format!(
        "export const handler = async (event) => {{ Object.assign(event.response, {response}); return event; }};"
    )
}

pub const FAILING: &str =
    "export const handler = async () => { throw new Error('Sign-ups are closed today'); };";
pub const SLOW: &str = "export const handler = async (event) => { await new Promise(r => setTimeout(r, 7000)); return event; };";
pub const GARBAGE: &str =
    "export const handler = async () => globalThis.rawAnswer('this is not JSON');";

/// A server, a pool with `config` as its LambdaConfig (email auto-verified) and an app client.
pub async fn pool_with_triggers(
    l: &Lambdas,
    config: LambdaConfigType,
) -> (TestServer, Client, String, String) {
    let s = l.server().await;
    let c = s.client();
    let p = c
        .create_user_pool()
        .pool_name("triggers")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .lambda_config(config)
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let cid = crate::harness::client_with(&c, &p, |b| b).await;
    (s, c, p, cid)
}

fn status(
    u: &aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput,
) -> UserStatusType {
    u.user_status().unwrap().clone()
}

/// The pool has no user `name`.
pub async fn assert_no_user(c: &Client, p: &str, name: &str) {
    let e = c
        .admin_get_user()
        .user_pool_id(p)
        .username(name)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "UserNotFoundException");
}

fn attribute_of(attributes: &[AttributeType], name: &str) -> Option<String> {
    attributes
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value().map(str::to_owned))
}

#[tokio::test]
async fn pre_sign_up_gets_the_event_and_can_confirm_and_verify() {
    let Some(l) = lambdas() else { return };
    let pre = l
        .function(&answering("{autoConfirmUser: true, autoVerifyEmail: true}"))
        .await;
    let post = l.function(&answering("{}")).await;
    let config = LambdaConfigType::builder()
        .pre_sign_up(&pre)
        .post_confirmation(&post)
        .build();
    let (s, c, p, cid) = pool_with_triggers(l, config).await;

    let up = c
        .sign_up()
        .client_id(&cid)
        .username("ana")
        .password(PW)
        .user_attributes(attr("email", "ana@example.com"))
        .validation_data(attr("invite", "X-1"))
        .client_metadata("campaign", "spring")
        .send()
        .await
        .unwrap();
    assert!(up.user_confirmed());
    assert!(up.code_delivery_details().is_none());
    assert!(s.server.app().outbox.list(Some(&p), None).is_empty());

    let events = l.events(&pre).await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["version"], "1");
    assert_eq!(e["triggerSource"], "PreSignUp_SignUp");
    assert_eq!(e["region"], "us-east-1");
    assert_eq!(e["userPoolId"], p.as_str());
    assert_eq!(e["userName"], "ana");
    assert_eq!(e["callerContext"]["clientId"], cid.as_str());
    assert!(e["callerContext"]["awsSdkVersion"]
        .as_str()
        .unwrap()
        .starts_with("aws-sdk-rust-"));
    assert_eq!(
        e["request"]["userAttributes"],
        json!({"email": "ana@example.com"})
    );
    assert_eq!(e["request"]["validationData"], json!({"invite": "X-1"}));
    assert_eq!(
        e["request"]["clientMetadata"],
        json!({"campaign": "spring"})
    );
    assert_eq!(e["response"], json!({}));

    let u = c
        .admin_get_user()
        .user_pool_id(&p)
        .username("ana")
        .send()
        .await
        .unwrap();
    assert_eq!(status(&u), UserStatusType::Confirmed);
    assert_eq!(
        attribute_of(u.user_attributes(), "email_verified").as_deref(),
        Some("true")
    );

    // An auto-confirmed sign-up is a confirmation.
    let events = l.events(&post).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(
        events[0]["request"]["clientMetadata"],
        json!({"campaign": "spring"})
    );
    let attrs = &events[0]["request"]["userAttributes"];
    assert_eq!(attrs["email"], "ana@example.com");
    assert_eq!(attrs["email_verified"], "true");
    assert_eq!(attrs["cognito:user_status"], "CONFIRMED");
    assert_eq!(attrs["sub"].as_str().unwrap().len(), 36);

    // The function is called through the Invoke API, signed for lambda.
    let invocation = &l.invocations(&pre).await[0];
    let auth = invocation["authorization"].as_str().unwrap();
    assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential="), "{auth}");
    assert!(auth.contains("/us-east-1/lambda/aws4_request"), "{auth}");
}

#[tokio::test]
async fn a_failing_pre_sign_up_creates_no_user() {
    let Some(l) = lambdas() else { return };
    let pre = l.function(FAILING).await;
    let (_s, c, p, cid) =
        pool_with_triggers(l, LambdaConfigType::builder().pre_sign_up(&pre).build()).await;
    let e = c
        .sign_up()
        .client_id(&cid)
        .username("ben")
        .password(PW)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "UserLambdaValidationException".into(),
            "PreSignUp failed with error Sign-ups are closed today.".into()
        )
    );
    assert_no_user(&c, &p, "ben").await;

    // AdminCreateUser too, with its own trigger source and no client.
    let e = c
        .admin_create_user()
        .user_pool_id(&p)
        .username("ben")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "UserLambdaValidationException");
    let events = l.events(&pre).await;
    assert_eq!(events[1]["triggerSource"], "PreSignUp_AdminCreateUser");
    assert_eq!(
        events[1]["callerContext"]["clientId"],
        "CLIENT_ID_NOT_APPLICABLE"
    );
    assert_no_user(&c, &p, "ben").await;
}

#[tokio::test]
async fn slow_garbage_and_missing_functions_answer_as_cognito() {
    let Some(l) = lambdas() else { return };
    let garbage = l.function(GARBAGE).await;
    let (_s, c, _p, cid) =
        pool_with_triggers(l, LambdaConfigType::builder().pre_sign_up(&garbage).build()).await;
    let e = c
        .sign_up()
        .client_id(&cid)
        .username("cy")
        .password(PW)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidLambdaResponseException".into(),
            "Unrecognizable lambda output".into()
        )
    );

    let missing = "arn:aws:lambda:us-east-1:123456789012:function:does-not-exist";
    let (_s, c, _p, cid) =
        pool_with_triggers(l, LambdaConfigType::builder().pre_sign_up(missing).build()).await;
    let e = c
        .sign_up()
        .client_id(&cid)
        .username("cy")
        .password(PW)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "UnexpectedLambdaException".into(),
            "PreSignUp invocation failed due to error ResourceNotFoundException.".into()
        )
    );

    let slow = l.function(SLOW).await;
    let (_s, c, p, cid) =
        pool_with_triggers(l, LambdaConfigType::builder().pre_sign_up(&slow).build()).await;
    let started = std::time::Instant::now();
    let e = c
        .sign_up()
        .client_id(&cid)
        .username("cy")
        .password(PW)
        .send()
        .await
        .unwrap_err();
    let waited = started.elapsed().as_secs_f64();
    assert_eq!(
        err(e),
        (
            "UnexpectedLambdaException".into(),
            "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."
                .into()
        )
    );
    assert!((4.5..6.9).contains(&waited), "answered after {waited} s");
    assert_no_user(&c, &p, "cy").await;
}

#[tokio::test]
async fn post_confirmation_fires_on_every_confirmation() {
    let Some(l) = lambdas() else { return };
    let post = l.function(&answering("{}")).await;
    let (s, c, p, cid) = pool_with_triggers(
        l,
        LambdaConfigType::builder().post_confirmation(&post).build(),
    )
    .await;
    let code = |user: &str| {
        s.server
            .app()
            .outbox
            .list(Some(&p), Some(user))
            .last()
            .unwrap()
            .code
            .clone()
    };
    for name in ["dee", "eve"] {
        c.sign_up()
            .client_id(&cid)
            .username(name)
            .password(PW)
            .user_attributes(attr("email", &format!("{name}@example.com")))
            .send()
            .await
            .unwrap();
    }
    assert!(l.events(&post).await.is_empty());
    c.confirm_sign_up()
        .client_id(&cid)
        .username("dee")
        .confirmation_code(code("dee"))
        .client_metadata("k", "v")
        .send()
        .await
        .unwrap();
    c.admin_confirm_sign_up()
        .user_pool_id(&p)
        .username("eve")
        .send()
        .await
        .unwrap();
    c.forgot_password()
        .client_id(&cid)
        .username("dee")
        .send()
        .await
        .unwrap();
    c.confirm_forgot_password()
        .client_id(&cid)
        .username("dee")
        .confirmation_code(code("dee"))
        .password("An0ther-Passw0rd!")
        .send()
        .await
        .unwrap();
    let events = l.events(&post).await;
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
    assert_eq!(
        seen,
        vec![
            ("PostConfirmation_ConfirmSignUp", "dee", cid.as_str()),
            (
                "PostConfirmation_ConfirmSignUp",
                "eve",
                "CLIENT_ID_NOT_APPLICABLE"
            ),
            (
                "PostConfirmation_ConfirmForgotPassword",
                "dee",
                cid.as_str()
            ),
        ]
    );
    assert_eq!(events[0]["request"]["clientMetadata"], json!({"k": "v"}));
    assert_eq!(
        events[0]["request"]["userAttributes"]["email_verified"],
        "true"
    );
    assert_eq!(events[1]["request"]["clientMetadata"], json!({}));
}

#[tokio::test]
async fn a_failing_post_confirmation_fails_the_call_but_keeps_the_confirmation() {
    let Some(l) = lambdas() else { return };
    let post = l.function(FAILING).await;
    let (_s, c2, p2, cid2) = pool_with_triggers(
        l,
        LambdaConfigType::builder().post_confirmation(&post).build(),
    )
    .await;
    c2.sign_up()
        .client_id(&cid2)
        .username("fay")
        .password(PW)
        .send()
        .await
        .unwrap();
    let e = c2
        .admin_confirm_sign_up()
        .user_pool_id(&p2)
        .username("fay")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "UserLambdaValidationException".into(),
            "PostConfirmation failed with error Sign-ups are closed today.".into()
        )
    );
    let u = c2
        .admin_get_user()
        .user_pool_id(&p2)
        .username("fay")
        .send()
        .await
        .unwrap();
    assert_eq!(status(&u), UserStatusType::Confirmed);
}

#[tokio::test]
async fn without_an_endpoint_triggers_are_skipped_and_logged_once() {
    let process = crate::harness::Process::spawn(&["--memory"]);
    let c = crate::harness::sdk_client(&process.url(), "any", "any", "us-east-1");
    let p = c
        .create_user_pool()
        .pool_name("no-endpoint")
        .lambda_config(
            LambdaConfigType::builder()
                .pre_sign_up("arn:aws:lambda:us-east-1:123456789012:function:nowhere")
                .post_confirmation("arn:aws:lambda:us-east-1:123456789012:function:nowhere")
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
    let cid = crate::harness::client_with(&c, &p, |b| b).await;
    for name in ["gil", "hal"] {
        let up = c
            .sign_up()
            .client_id(&cid)
            .username(name)
            .password(PW)
            .send()
            .await
            .unwrap();
        assert!(!up.user_confirmed());
        c.admin_confirm_sign_up()
            .user_pool_id(&p)
            .username(name)
            .send()
            .await
            .unwrap();
    }
    let log = process.log_when(|l| l.matches("Lambda trigger skipped").count() >= 2);
    let skipped: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("Lambda trigger skipped"))
        .collect();
    assert_eq!(skipped.len(), 2, "{log}");
    assert!(
        skipped[0].contains("\"trigger\":\"PreSignUp\""),
        "{}",
        skipped[0]
    );
    assert!(
        skipped[1].contains("\"trigger\":\"PostConfirmation\""),
        "{}",
        skipped[1]
    );
    assert!(skipped.iter().all(|l| l.contains(&p)));
}
