//! PreAuthentication and PostAuthentication on every sign-in path: the event each receives,
//! field by field, a function that refuses a sign-in, and what of the calls' ClientMetadata
//! reaches them (InitiateAuth's as PreAuthentication's validationData, the challenge
//! answer's as PostAuthentication's clientMetadata).

use crate::harness::{err, TestServer};
use crate::lambdas::{lambdas, Lambdas};
use crate::signin_support::{timestamp_now, SrpClient};
use crate::triggers::{answering, FAILING};
use crate::users::{attr, PW};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ChallengeNameType, DeviceConfigurationType,
    ExplicitAuthFlowsType, LambdaConfigType, MessageActionType, PreventUserExistenceErrorTypes,
};
use aws_sdk_cognitoidentityprovider::Client;
use serde_json::{json, Value};

/// A server invoking the test Lambda server, a pool with `config` as its LambdaConfig (and
/// remembered devices when `devices`) and an app client allowing every password flow, hiding
/// user existence when `hide`.
pub struct Pool {
    pub s: TestServer,
    pub c: Client,
    pub pool: String,
    pub client_id: String,
}

impl Pool {
    pub async fn new(l: &Lambdas, config: LambdaConfigType, devices: bool, hide: bool) -> Self {
        let s = l.server().await;
        let c = s.client();
        let mut create = c
            .create_user_pool()
            .pool_name("sign-in-triggers")
            .lambda_config(config);
        if devices {
            create = create.device_configuration(
                DeviceConfigurationType::builder()
                    .challenge_required_on_new_device(false)
                    .device_only_remembered_on_user_prompt(false)
                    .build(),
            );
        }
        let pool = create
            .send()
            .await
            .unwrap()
            .user_pool()
            .unwrap()
            .id()
            .unwrap()
            .to_owned();
        let hiding = if hide {
            PreventUserExistenceErrorTypes::Enabled
        } else {
            PreventUserExistenceErrorTypes::Legacy
        };
        let client_id = crate::harness::client_with(&c, &pool, |b| {
            b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
                .prevent_user_existence_errors(hiding)
        })
        .await;
        Self {
            s,
            c,
            pool,
            client_id,
        }
    }

    /// A CONFIRMED user with password PW and an email; `temporary` leaves it in
    /// FORCE_CHANGE_PASSWORD with PW as its temporary password.
    pub async fn user(&self, name: &str, temporary: bool) {
        self.c
            .admin_create_user()
            .user_pool_id(&self.pool)
            .username(name)
            .user_attributes(attr("email", &format!("{name}@example.com")))
            .user_attributes(attr("email_verified", "true"))
            .temporary_password(PW)
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
        if !temporary {
            self.c
                .admin_set_user_password()
                .user_pool_id(&self.pool)
                .username(name)
                .password(PW)
                .permanent(true)
                .send()
                .await
                .unwrap();
        }
    }

    /// USER_PASSWORD_AUTH with ClientMetadata `{"from": "initiate"}`.
    pub async fn password_sign_in(
        &self,
        name: &str,
        password: &str,
    ) -> Result<AuthenticationResultType, (String, String)> {
        self.c
            .initiate_auth()
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", name)
            .auth_parameters("PASSWORD", password)
            .client_metadata("from", "initiate")
            .send()
            .await
            .map(|r| r.authentication_result().cloned().expect("tokens"))
            .map_err(err)
    }

    /// USER_SRP_AUTH, the PASSWORD_VERIFIER answer with ClientMetadata `{"from": "answer"}`.
    pub async fn srp_sign_in(
        &self,
        name: &str,
    ) -> Result<AuthenticationResultType, (String, String)> {
        let srp = SrpClient::new();
        let challenge = self
            .c
            .initiate_auth()
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", name)
            .auth_parameters("SRP_A", &srp.srp_a)
            .client_metadata("from", "initiate")
            .send()
            .await
            .map_err(err)?;
        let params = challenge.challenge_parameters().unwrap();
        let mut answer = self
            .c
            .respond_to_auth_challenge()
            .client_id(&self.client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .set_session(challenge.session().map(str::to_owned))
            .client_metadata("from", "answer");
        for (k, v) in srp.respond(&self.pool, params, PW, &timestamp_now()) {
            answer = answer.challenge_responses(k, v);
        }
        answer
            .send()
            .await
            .map(|r| r.authentication_result().cloned().expect("tokens"))
            .map_err(err)
    }
}

/// The fields every sign-in trigger event has.
fn assert_envelope(e: &Value, source: &str, p: &Pool, user: &str) {
    assert_eq!(e["version"], "1");
    assert_eq!(e["triggerSource"], source);
    assert_eq!(e["region"], "us-east-1");
    assert_eq!(e["userPoolId"], p.pool.as_str());
    assert_eq!(e["userName"], user);
    assert_eq!(e["callerContext"]["clientId"], p.client_id.as_str());
    assert!(e["callerContext"]["awsSdkVersion"]
        .as_str()
        .unwrap()
        .starts_with("aws-sdk-rust-"));
    assert_eq!(e["response"], json!({}));
}

fn assert_user_attributes(e: &Value, user: &str) {
    let attrs = &e["request"]["userAttributes"];
    assert_eq!(attrs["email"], format!("{user}@example.com").as_str());
    assert_eq!(attrs["email_verified"], "true");
    assert_eq!(attrs["cognito:user_status"], "CONFIRMED");
    assert_eq!(attrs["sub"].as_str().unwrap().len(), 36);
}

#[tokio::test]
async fn every_sign_in_path_runs_pre_and_post_authentication() {
    let Some(l) = lambdas() else { return };
    let pre = l.function(&answering("{}")).await;
    let post = l.function(&answering("{}")).await;
    let config = LambdaConfigType::builder()
        .pre_authentication(&pre)
        .post_authentication(&post)
        .build();
    let p = Pool::new(l, config, false, false).await;
    p.user("ana", false).await;

    // USER_PASSWORD_AUTH: InitiateAuth's ClientMetadata is PreAuthentication's validationData
    // and reaches no PostAuthentication.
    p.password_sign_in("ana", PW).await.unwrap();
    let events = l.events(&pre).await;
    assert_eq!(events.len(), 1);
    assert_envelope(&events[0], "PreAuthentication_Authentication", &p, "ana");
    assert_user_attributes(&events[0], "ana");
    assert_eq!(
        events[0]["request"]["validationData"],
        json!({"from": "initiate"})
    );
    assert!(events[0]["request"].get("userNotFound").is_none());
    assert!(events[0]["request"].get("clientMetadata").is_none());
    let events = l.events(&post).await;
    assert_eq!(events.len(), 1);
    assert_envelope(&events[0], "PostAuthentication_Authentication", &p, "ana");
    assert_user_attributes(&events[0], "ana");
    assert_eq!(events[0]["request"]["clientMetadata"], json!({}));
    // No remembered devices in this pool: no newDeviceUsed.
    assert!(events[0]["request"].get("newDeviceUsed").is_none());

    // ADMIN_USER_PASSWORD_AUTH.
    p.c.admin_initiate_auth()
        .user_pool_id(&p.pool)
        .client_id(&p.client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "ana")
        .auth_parameters("PASSWORD", PW)
        .client_metadata("admin", "yes")
        .send()
        .await
        .unwrap();
    let events = l.events(&pre).await;
    assert_eq!(events.len(), 2);
    assert_envelope(&events[1], "PreAuthentication_Authentication", &p, "ana");
    assert_eq!(
        events[1]["request"]["validationData"],
        json!({"admin": "yes"})
    );
    assert_eq!(l.events(&post).await.len(), 2);

    // USER_SRP_AUTH: PreAuthentication as the challenge starts; PostAuthentication with the
    // answer's ClientMetadata.
    p.srp_sign_in("ana").await.unwrap();
    let events = l.events(&pre).await;
    assert_eq!(events.len(), 3);
    assert_eq!(
        events[2]["request"]["validationData"],
        json!({"from": "initiate"})
    );
    let events = l.events(&post).await;
    assert_eq!(events.len(), 3);
    assert_envelope(&events[2], "PostAuthentication_Authentication", &p, "ana");
    assert_eq!(
        events[2]["request"]["clientMetadata"],
        json!({"from": "answer"})
    );

    // A wrong password: PreAuthentication ran, PostAuthentication did not.
    let e = p.password_sign_in("ana", "Wrong-pass-1").await.unwrap_err();
    assert_eq!(e.0, "NotAuthorizedException");
    assert_eq!(l.events(&pre).await.len(), 4);
    assert_eq!(l.events(&post).await.len(), 3);

    // A refresh is no sign-in.
    let tokens = p.password_sign_in("ana", PW).await.unwrap();
    p.c.initiate_auth()
        .client_id(&p.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", tokens.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(l.events(&pre).await.len(), 5);
    assert_eq!(l.events(&post).await.len(), 4);

    // An unknown user reaches no function where the client does not hide user existence.
    let e = p.password_sign_in("nobody", PW).await.unwrap_err();
    assert_eq!(e.0, "UserNotFoundException");
    assert_eq!(l.events(&pre).await.len(), 5);
}

#[tokio::test]
async fn new_password_required_ends_in_post_authentication_with_the_answers_metadata() {
    let Some(l) = lambdas() else { return };
    let pre = l.function(&answering("{}")).await;
    let post = l.function(&answering("{}")).await;
    let config = LambdaConfigType::builder()
        .pre_authentication(&pre)
        .post_authentication(&post)
        .build();
    let p = Pool::new(l, config, true, false).await;
    p.user("ben", true).await;
    let challenge =
        p.c.admin_initiate_auth()
            .user_pool_id(&p.pool)
            .client_id(&p.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "ben")
            .auth_parameters("PASSWORD", PW)
            .send()
            .await
            .unwrap();
    assert_eq!(
        challenge.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let events = l.events(&pre).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["request"]["userAttributes"]["cognito:user_status"],
        "FORCE_CHANGE_PASSWORD"
    );
    assert_eq!(events[0]["request"]["validationData"], json!({}));
    assert!(l.events(&post).await.is_empty());
    let done =
        p.c.admin_respond_to_auth_challenge()
            .user_pool_id(&p.pool)
            .client_id(&p.client_id)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(challenge.session().unwrap())
            .challenge_responses("USERNAME", "ben")
            .challenge_responses("NEW_PASSWORD", "An0ther-Passw0rd!")
            .client_metadata("step", "new-password")
            .send()
            .await
            .unwrap();
    let result = done.authentication_result().unwrap();
    assert!(result.new_device_metadata().is_some());
    let events = l.events(&post).await;
    assert_eq!(events.len(), 1);
    assert_envelope(&events[0], "PostAuthentication_Authentication", &p, "ben");
    assert_user_attributes(&events[0], "ben");
    assert_eq!(
        events[0]["request"]["clientMetadata"],
        json!({"step": "new-password"})
    );
    // The pool remembers devices and the sign-in came from none.
    assert_eq!(events[0]["request"]["newDeviceUsed"], true);
    assert_eq!(l.events(&pre).await.len(), 1);
}

#[tokio::test]
async fn a_refusing_pre_authentication_stops_every_flow_before_the_password() {
    let Some(l) = lambdas() else { return };
    let pre = l.function(FAILING).await;
    let post = l.function(&answering("{}")).await;
    let config = LambdaConfigType::builder()
        .pre_authentication(&pre)
        .post_authentication(&post)
        .build();
    let p = Pool::new(l, config, false, false).await;
    p.user("cy", false).await;
    let refused = (
        "UserLambdaValidationException".to_owned(),
        "PreAuthentication failed with error Sign-ups are closed today.".to_owned(),
    );
    assert_eq!(p.password_sign_in("cy", PW).await.unwrap_err(), refused);
    // Refused before the password is checked: a wrong one counts no failure either.
    assert_eq!(
        p.password_sign_in("cy", "Wrong-pass-1").await.unwrap_err(),
        refused
    );
    assert_eq!(p.srp_sign_in("cy").await.unwrap_err(), refused);
    let e =
        p.c.admin_initiate_auth()
            .user_pool_id(&p.pool)
            .client_id(&p.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "cy")
            .auth_parameters("PASSWORD", PW)
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(e), refused);
    assert_eq!(l.events(&pre).await.len(), 4);
    assert!(l.events(&post).await.is_empty());
}

#[tokio::test]
async fn where_user_existence_is_hidden_an_unknown_user_reaches_pre_authentication() {
    let Some(l) = lambdas() else { return };
    let pre = l.function(&answering("{}")).await;
    let config = LambdaConfigType::builder().pre_authentication(&pre).build();
    let p = Pool::new(l, config, false, true).await;
    p.user("dee", false).await;
    p.password_sign_in("dee", PW).await.unwrap();
    let e = p.password_sign_in("ghost", PW).await.unwrap_err();
    assert_eq!(
        e,
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    let e = p.srp_sign_in("ghost").await.unwrap_err();
    assert_eq!(e.0, "NotAuthorizedException");
    let events = l.events(&pre).await;
    assert_eq!(events.len(), 3);
    assert_eq!(events[0]["request"]["userNotFound"], false);
    assert_user_attributes(&events[0], "dee");
    for e in &events[1..] {
        assert_envelope(e, "PreAuthentication_Authentication", &p, "ghost");
        assert_eq!(e["request"]["userNotFound"], true);
        assert_eq!(e["request"]["userAttributes"], json!({}));
        assert_eq!(e["request"]["validationData"], json!({"from": "initiate"}));
    }
}

#[tokio::test]
async fn a_failing_post_authentication_fails_the_sign_in() {
    let Some(l) = lambdas() else { return };
    let post = l.function(FAILING).await;
    let config = LambdaConfigType::builder()
        .post_authentication(&post)
        .build();
    let p = Pool::new(l, config, false, false).await;
    p.user("eve", false).await;
    let refused = (
        "UserLambdaValidationException".to_owned(),
        "PostAuthentication failed with error Sign-ups are closed today.".to_owned(),
    );
    assert_eq!(p.password_sign_in("eve", PW).await.unwrap_err(), refused);
    assert_eq!(p.srp_sign_in("eve").await.unwrap_err(), refused);
    assert_eq!(l.events(&post).await.len(), 2);
}

#[tokio::test]
async fn a_sign_in_ending_in_mfa_runs_post_authentication_with_the_codes_metadata() {
    use aws_sdk_cognitoidentityprovider::types::{
        SmsConfigurationType, SmsMfaConfigType, UserPoolMfaType,
    };
    let Some(l) = lambdas() else { return };
    let pre = l.function(&answering("{}")).await;
    let post = l.function(&answering("{}")).await;
    let tokens = l
        .function(&answering(
            "{claimsOverrideDetails: {claimsToAddOrOverride: {source: event.triggerSource}}}",
        ))
        .await;
    let config = LambdaConfigType::builder()
        .pre_authentication(&pre)
        .post_authentication(&post)
        .pre_token_generation(&tokens)
        .build();
    let p = Pool::new(l, config, false, false).await;
    p.c.set_user_pool_mfa_config()
        .user_pool_id(&p.pool)
        .mfa_configuration(UserPoolMfaType::On)
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("Your code: {####}")
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
    p.user("fay", false).await;
    p.c.admin_update_user_attributes()
        .user_pool_id(&p.pool)
        .username("fay")
        .user_attributes(attr("phone_number", "+15550100123"))
        .user_attributes(attr("phone_number_verified", "true"))
        .send()
        .await
        .unwrap();

    let challenge =
        p.c.initiate_auth()
            .client_id(&p.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "fay")
            .auth_parameters("PASSWORD", PW)
            .client_metadata("from", "initiate")
            .send()
            .await
            .unwrap();
    assert_eq!(challenge.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    assert_eq!(l.events(&pre).await.len(), 1);
    assert!(l.events(&post).await.is_empty());
    let code =
        p.s.server
            .app()
            .outbox
            .list(Some(&p.pool), Some("fay"))
            .into_iter()
            .rev()
            .find(|m| m.purpose == "mfa")
            .expect("an MFA code")
            .code;
    let done =
        p.c.respond_to_auth_challenge()
            .client_id(&p.client_id)
            .challenge_name(ChallengeNameType::SmsMfa)
            .session(challenge.session().unwrap())
            .challenge_responses("USERNAME", "fay")
            .challenge_responses("SMS_MFA_CODE", code)
            .client_metadata("from", "code")
            .send()
            .await
            .unwrap();
    let id =
        crate::signin_support::decode(done.authentication_result().unwrap().id_token().unwrap()).1;
    assert_eq!(id["source"], "TokenGeneration_Authentication");
    let events = l.events(&post).await;
    assert_eq!(events.len(), 1);
    assert_envelope(&events[0], "PostAuthentication_Authentication", &p, "fay");
    assert_eq!(
        events[0]["request"]["userAttributes"]["phone_number"],
        "+15550100123"
    );
    assert_eq!(
        events[0]["request"]["clientMetadata"],
        json!({"from": "code"})
    );
    let events = l.events(&tokens).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["request"]["clientMetadata"],
        json!({"from": "code"})
    );
    assert_eq!(l.events(&pre).await.len(), 1);
}
