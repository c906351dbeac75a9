//! The custom authentication flow (CUSTOM_AUTH) with DefineAuthChallenge,
//! CreateAuthChallenge and VerifyAuthChallengeResponse handlers written as deployed: two
//! rounds of a sum whose answer is in privateChallengeParameters, one wrong answer allowed.
//! Driven by the Rust SDK here; amazon-cognito-identity-js and Amplify v6 in `js_custom_auth`.

use crate::harness::err;
use crate::lambdas::{lambdas, Lambdas};
use crate::signin_support::{decode, timestamp_now, SrpClient};
use crate::triggers::{answering, pool_with_triggers};
use crate::users::PW;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, LambdaConfigType, MessageActionType,
    PreventUserExistenceErrorTypes,
};
use aws_sdk_cognitoidentityprovider::Client;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Asks for the password first when the client starts with SRP_A, then two right sums; a
/// second wrong answer ends the sign-in.
pub const DEFINE: &str = r#"
export const handler = async (event) => {
  const session = event.request.session;
  const custom = session.filter((c) => c.challengeName === 'CUSTOM_CHALLENGE');
  const passed = custom.filter((c) => c.challengeResult).length;
  const r = event.response;
  r.issueTokens = false;
  r.failAuthentication = false;
  if (session.length === 1 && session[0].challengeName === 'SRP_A') {
    r.challengeName = 'PASSWORD_VERIFIER';
  } else if (custom.length - passed >= 2) {
    r.failAuthentication = true;
  } else if (passed >= 2) {
    r.issueTokens = true;
  } else {
    r.challengeName = 'CUSTOM_CHALLENGE';
  }
  return event;
};
"#;

/// Round n asks for (10 + n) + (20 + n).
pub const CREATE: &str = r#"
export const handler = async (event) => {
  const round = event.request.session
    .filter((c) => c.challengeName === 'CUSTOM_CHALLENGE' && c.challengeResult).length + 1;
  const a = 10 + round, b = 20 + round;
  event.response.publicChallengeParameters = { question: `${a}+${b}`, round: String(round) };
  event.response.privateChallengeParameters = { answer: String(a + b) };
  event.response.challengeMetadata = `ROUND-${round}`;
  return event;
};
"#;

pub const VERIFY: &str = r#"
export const handler = async (event) => {
  event.response.answerCorrect =
    event.request.challengeAnswer === event.request.privateChallengeParameters.answer;
  return event;
};
"#;

/// The three functions; their ARNs (define, create, verify).
pub async fn deploy(l: &Lambdas) -> (String, String, String) {
    (
        l.function(DEFINE).await,
        l.function(CREATE).await,
        l.function(VERIFY).await,
    )
}

pub fn config((define, create, verify): &(String, String, String)) -> LambdaConfigType {
    LambdaConfigType::builder()
        .define_auth_challenge(define)
        .create_auth_challenge(create)
        .verify_auth_challenge_response(verify)
        .build()
}

/// The answer to a challenge's sum.
pub fn sum(params: &HashMap<String, String>) -> String {
    let (a, b) = params["question"].split_once('+').unwrap();
    (a.parse::<u32>().unwrap() + b.parse::<u32>().unwrap()).to_string()
}

async fn user(c: &Client, p: &str, name: &str) {
    c.admin_create_user()
        .user_pool_id(p)
        .username(name)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    c.admin_set_user_password()
        .user_pool_id(p)
        .username(name)
        .password(PW)
        .permanent(true)
        .send()
        .await
        .unwrap();
}

async fn custom_client(c: &Client, p: &str, hide: bool) -> String {
    crate::harness::client_with(c, p, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowCustomAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .prevent_user_existence_errors(if hide {
                PreventUserExistenceErrorTypes::Enabled
            } else {
                PreventUserExistenceErrorTypes::Legacy
            })
    })
    .await
}

fn history(event: &Value) -> Vec<(String, bool, Value)> {
    event["request"]["session"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["challengeName"].as_str().unwrap().to_owned(),
                c["challengeResult"].as_bool().unwrap(),
                c["challengeMetadata"].clone(),
            )
        })
        .collect()
}

fn entry(name: &str, result: bool, metadata: Value) -> (String, bool, Value) {
    (name.to_owned(), result, metadata)
}

#[tokio::test]
async fn rounds_of_custom_challenges_end_in_tokens() {
    let Some(l) = lambdas() else { return };
    let arns = deploy(l).await;
    let (_s, c, p, _) = pool_with_triggers(l, config(&arns)).await;
    let cid = custom_client(&c, &p, false).await;
    user(&c, &p, "ana").await;

    let start = c
        .initiate_auth()
        .client_id(&cid)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "ana")
        .client_metadata("step", "start")
        .send()
        .await
        .unwrap();
    assert_eq!(
        start.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    assert!(start.authentication_result().is_none());
    let params = start.challenge_parameters().unwrap();
    let expected: HashMap<String, String> =
        [("question", "11+21"), ("round", "1"), ("USERNAME", "ana")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
    assert_eq!(params, &expected);

    // A wrong answer: the function allows another try, a new challenge and Session.
    let respond = |session: String, answer: String, step: &'static str| {
        c.respond_to_auth_challenge()
            .client_id(&cid)
            .challenge_name(ChallengeNameType::CustomChallenge)
            .session(session)
            .challenge_responses("USERNAME", "ana")
            .challenge_responses("ANSWER", answer)
            .client_metadata("step", step)
            .send()
    };
    let first_session = start.session().unwrap().to_owned();
    let retry = respond(first_session.clone(), "0".into(), "wrong")
        .await
        .unwrap();
    assert_eq!(
        retry.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    assert_eq!(retry.challenge_parameters().unwrap()["question"], "11+21");
    assert_ne!(retry.session().unwrap(), first_session);
    let second = respond(
        retry.session().unwrap().to_owned(),
        sum(retry.challenge_parameters().unwrap()),
        "one",
    )
    .await
    .unwrap();
    assert_eq!(second.challenge_parameters().unwrap()["question"], "12+22");
    assert_eq!(second.challenge_parameters().unwrap()["round"], "2");
    let last_session = second.session().unwrap().to_owned();
    let done = respond(last_session.clone(), "34".into(), "two")
        .await
        .unwrap();
    assert!(done.challenge_name().is_none());
    assert!(done.session().is_none());
    let tokens = done.authentication_result().unwrap();
    let (_, claims) = decode(tokens.access_token().unwrap());
    assert_eq!(claims["username"], "ana");
    assert_eq!(claims["client_id"], cid.as_str());
    assert!(tokens.refresh_token().is_some());

    // Each Session answers once.
    for session in [first_session, last_session] {
        let e = respond(session, "34".into(), "again").await.unwrap_err();
        assert_eq!(
            err(e),
            (
                "NotAuthorizedException".into(),
                "Invalid session for the user, session is expired.".into()
            )
        );
    }

    // What the functions received, field by field.
    let defines = l.events(&arns.0).await;
    assert_eq!(defines.len(), 4);
    let d = &defines[0];
    assert_eq!(d["version"], "1");
    assert_eq!(d["triggerSource"], "DefineAuthChallenge_Authentication");
    assert_eq!(d["region"], "us-east-1");
    assert_eq!(d["userPoolId"], p.as_str());
    assert_eq!(d["userName"], "ana");
    assert_eq!(d["callerContext"]["clientId"], cid.as_str());
    assert_eq!(d["request"]["session"], json!([]));
    assert_eq!(d["request"]["clientMetadata"], json!({"step": "start"}));
    assert_eq!(
        d["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(
        d["request"]["userAttributes"]["sub"]
            .as_str()
            .unwrap()
            .len(),
        36
    );
    // Only a client that hides user existence tells the function whether the user exists.
    assert!(d["request"].get("userNotFound").is_none(), "{d}");
    assert_eq!(d["response"], json!({}));
    let round1 = json!("ROUND-1");
    assert_eq!(
        history(&defines[1]),
        vec![entry("CUSTOM_CHALLENGE", false, round1.clone())]
    );
    assert_eq!(
        defines[1]["request"]["clientMetadata"],
        json!({"step": "wrong"})
    );
    assert_eq!(
        history(&defines[3]),
        vec![
            entry("CUSTOM_CHALLENGE", false, round1.clone()),
            entry("CUSTOM_CHALLENGE", true, round1.clone()),
            entry("CUSTOM_CHALLENGE", true, json!("ROUND-2")),
        ]
    );

    let creates = l.events(&arns.1).await;
    assert_eq!(creates.len(), 3);
    let cr = &creates[2];
    assert_eq!(cr["triggerSource"], "CreateAuthChallenge_Authentication");
    assert_eq!(cr["userName"], "ana");
    assert_eq!(cr["request"]["challengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(
        history(cr),
        vec![
            entry("CUSTOM_CHALLENGE", false, round1.clone()),
            entry("CUSTOM_CHALLENGE", true, round1),
        ]
    );
    assert_eq!(cr["request"]["clientMetadata"], json!({"step": "one"}));

    let verifies = l.events(&arns.2).await;
    assert_eq!(verifies.len(), 3);
    let v = &verifies[0];
    assert_eq!(
        v["triggerSource"],
        "VerifyAuthChallengeResponse_Authentication"
    );
    assert_eq!(v["callerContext"]["clientId"], cid.as_str());
    assert_eq!(
        v["request"]["privateChallengeParameters"],
        json!({"answer": "32"})
    );
    assert_eq!(v["request"]["challengeAnswer"], "0");
    assert_eq!(v["request"]["clientMetadata"], json!({"step": "wrong"}));
    assert_eq!(
        v["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(verifies[2]["request"]["challengeAnswer"], "34");
    assert_eq!(
        verifies[2]["request"]["privateChallengeParameters"],
        json!({"answer": "34"})
    );

    // The same through the admin operations.
    let start = c
        .admin_initiate_auth()
        .user_pool_id(&p)
        .client_id(&cid)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "ana")
        .send()
        .await
        .unwrap();
    let mut session = start.session().unwrap().to_owned();
    let mut params = start.challenge_parameters().unwrap().clone();
    for _ in 0..2 {
        let r = c
            .admin_respond_to_auth_challenge()
            .user_pool_id(&p)
            .client_id(&cid)
            .challenge_name(ChallengeNameType::CustomChallenge)
            .session(&session)
            .challenge_responses("USERNAME", "ana")
            .challenge_responses("ANSWER", sum(&params))
            .send()
            .await
            .unwrap();
        match r.authentication_result() {
            Some(result) => {
                assert!(result.id_token().is_some());
                return;
            }
            None => {
                session = r.session().unwrap().to_owned();
                params = r.challenge_parameters().unwrap().clone();
            }
        }
    }
    panic!("no tokens after two right answers");
}

#[tokio::test]
async fn failing_and_malformed_decisions_answer_as_cognito() {
    let Some(l) = lambdas() else { return };
    let arns = deploy(l).await;
    let (_s, c, p, _) = pool_with_triggers(l, config(&arns)).await;
    let cid = custom_client(&c, &p, false).await;
    user(&c, &p, "ben").await;
    let start = || {
        c.initiate_auth()
            .client_id(&cid)
            .auth_flow(AuthFlowType::CustomAuth)
            .auth_parameters("USERNAME", "ben")
            .send()
    };

    // Two wrong answers: DefineAuthChallenge fails the sign-in.
    let first = start().await.unwrap();
    let mut session = first.session().unwrap().to_owned();
    let mut outcome = None;
    for _ in 0..2 {
        let r = c
            .respond_to_auth_challenge()
            .client_id(&cid)
            .challenge_name(ChallengeNameType::CustomChallenge)
            .session(&session)
            .challenge_responses("USERNAME", "ben")
            .challenge_responses("ANSWER", "nope")
            .send()
            .await;
        match r {
            Ok(r) => session = r.session().unwrap().to_owned(),
            Err(e) => outcome = Some(err(e)),
        }
    }
    assert_eq!(
        outcome,
        Some((
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        ))
    );

    // Decisions Cognito cannot act on.
    let cases = [
        (
            "{failAuthentication: true}",
            ("NotAuthorizedException", "Incorrect username or password."),
        ),
        (
            "{issueTokens: true, failAuthentication: true}",
            (
                "InvalidLambdaResponseException",
                "Unrecognizable lambda output",
            ),
        ),
        (
            "{challengeName: 'SMS_OTP'}",
            (
                "InvalidLambdaResponseException",
                "Unrecognizable lambda output",
            ),
        ),
        (
            "{challengeName: 'PASSWORD_VERIFIER'}",
            (
                "InvalidLambdaResponseException",
                "Unrecognizable lambda output",
            ),
        ),
        (
            "{issueTokens: 'yes'}",
            (
                "InvalidLambdaResponseException",
                "Unrecognizable lambda output",
            ),
        ),
        (
            "{}",
            (
                "InvalidLambdaResponseException",
                "Unrecognizable lambda output",
            ),
        ),
    ];
    for (response, (code, message)) in cases {
        let define = l.function(&answering(response)).await;
        c.update_user_pool()
            .user_pool_id(&p)
            .lambda_config(config(&(define, arns.1.clone(), arns.2.clone())))
            .send()
            .await
            .unwrap();
        let e = start().await.unwrap_err();
        assert_eq!(err(e), (code.into(), message.into()), "{response}");
    }

    // Tokens at once when the function says so, without a challenge.
    let define = l.function(&answering("{issueTokens: true}")).await;
    c.update_user_pool()
        .user_pool_id(&p)
        .lambda_config(config(&(define, arns.1.clone(), arns.2.clone())))
        .send()
        .await
        .unwrap();
    let r = start().await.unwrap();
    assert!(r.authentication_result().unwrap().access_token().is_some());

    // A pool without DefineAuthChallenge.
    c.update_user_pool()
        .user_pool_id(&p)
        .lambda_config(LambdaConfigType::builder().build())
        .send()
        .await
        .unwrap();
    let e = start().await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Custom auth lambda trigger is not configured for the user pool.".into()
        )
    );
}

#[tokio::test]
async fn clients_users_and_secrets_are_checked_as_in_the_other_flows() {
    let Some(l) = lambdas() else { return };
    let arns = deploy(l).await;
    let (_s, c, p, _) = pool_with_triggers(l, config(&arns)).await;
    user(&c, &p, "cy").await;
    let start = |cid: String, name: &'static str| {
        c.initiate_auth()
            .client_id(cid)
            .auth_flow(AuthFlowType::CustomAuth)
            .auth_parameters("USERNAME", name)
            .send()
    };

    // The client must allow the flow.
    let srp_only = crate::harness::client_with(&c, &p, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
    })
    .await;
    let e = start(srp_only, "cy").await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "CUSTOM_AUTH flow not enabled for this client".into()
        )
    );

    // An unknown user: UserNotFoundException, or with PreventUserExistenceErrors a flow the
    // functions run with userNotFound and that never issues tokens.
    let legacy = custom_client(&c, &p, false).await;
    let e = start(legacy.clone(), "nobody").await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    let hiding = custom_client(&c, &p, true).await;
    let r = start(hiding.clone(), "nobody").await.unwrap();
    let mut session = r.session().unwrap().to_owned();
    let mut params = r.challenge_parameters().unwrap().clone();
    let mut outcome = None;
    for _ in 0..2 {
        assert_eq!(params["USERNAME"], "nobody");
        let answer = c
            .respond_to_auth_challenge()
            .client_id(&hiding)
            .challenge_name(ChallengeNameType::CustomChallenge)
            .session(&session)
            .challenge_responses("USERNAME", "nobody")
            .challenge_responses("ANSWER", sum(&params))
            .send()
            .await;
        match answer {
            Ok(next) => {
                session = next.session().unwrap().to_owned();
                params = next.challenge_parameters().unwrap().clone();
            }
            Err(e) => outcome = Some(err(e)),
        }
    }
    assert_eq!(
        outcome,
        Some((
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        ))
    );
    let defines = l.events(&arns.0).await;
    let last = defines.last().unwrap();
    assert_eq!(last["userName"], "nobody");
    assert_eq!(last["request"]["userNotFound"], true);
    assert_eq!(last["request"]["userAttributes"], json!({}));
    let creates = l.events(&arns.1).await;
    assert_eq!(creates.last().unwrap()["request"]["userNotFound"], true);
    // An existing user on that client: userNotFound false.
    start(hiding, "cy").await.unwrap();
    let defines = l.events(&arns.0).await;
    assert_eq!(defines.last().unwrap()["request"]["userNotFound"], false);

    // A DEVICE_KEY that is not one of the user's devices, as in the other flows.
    let e = c
        .initiate_auth()
        .client_id(&legacy)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "cy")
        .auth_parameters(
            "DEVICE_KEY",
            "us-east-1_00000000-0000-4000-8000-000000000000",
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            "Device does not exist.".into()
        )
    );

    // A disabled user.
    c.admin_disable_user()
        .user_pool_id(&p)
        .username("cy")
        .send()
        .await
        .unwrap();
    let e = start(legacy, "cy").await.unwrap_err();
    assert_eq!(
        err(e),
        ("NotAuthorizedException".into(), "User is disabled.".into())
    );

    // A client with a secret needs SECRET_HASH.
    let secret = crate::harness::client_with(&c, &p, |b| {
        b.generate_secret(true)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowCustomAuth)
    })
    .await;
    let e = start(secret.clone(), "cy").await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "NotAuthorizedException".into(),
            format!("Client {secret} is configured with secret but SECRET_HASH was not received")
        )
    );
}

#[tokio::test]
async fn srp_a_starts_the_custom_flow_with_the_password() {
    let Some(l) = lambdas() else { return };
    let arns = deploy(l).await;
    let (_s, c, p, _) = pool_with_triggers(l, config(&arns)).await;
    let cid = custom_client(&c, &p, false).await;
    user(&c, &p, "dee").await;

    let sign_in = |password: &'static str| {
        let (c, cid, p) = (c.clone(), cid.clone(), p.clone());
        async move {
            let srp = SrpClient::new();
            let start = c
                .initiate_auth()
                .client_id(&cid)
                .auth_flow(AuthFlowType::CustomAuth)
                .auth_parameters("USERNAME", "dee")
                .auth_parameters("CHALLENGE_NAME", "SRP_A")
                .auth_parameters("SRP_A", &srp.srp_a)
                .send()
                .await
                .unwrap();
            assert_eq!(
                start.challenge_name(),
                Some(&ChallengeNameType::PasswordVerifier)
            );
            let params = start.challenge_parameters().unwrap();
            assert_eq!(params["USER_ID_FOR_SRP"], "dee");
            let responses = srp.respond(&p, params, password, &timestamp_now());
            c.respond_to_auth_challenge()
                .client_id(&cid)
                .challenge_name(ChallengeNameType::PasswordVerifier)
                .session(start.session().unwrap())
                .set_challenge_responses(Some(responses.into_iter().collect()))
                .send()
                .await
        }
    };

    let e = sign_in("Wrong-passw0rd!").await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    // After a wrong password DefineAuthChallenge is not asked again.
    assert_eq!(l.events(&arns.0).await.len(), 1);

    let challenge = sign_in(PW).await.unwrap();
    assert_eq!(
        challenge.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    let params = challenge.challenge_parameters().unwrap();
    assert_eq!(params["question"], "11+21");
    assert_eq!(params["USERNAME"], "dee");
    let mut session = challenge.session().unwrap().to_owned();
    let mut answer = sum(params);
    let tokens = loop {
        let r = c
            .respond_to_auth_challenge()
            .client_id(&cid)
            .challenge_name(ChallengeNameType::CustomChallenge)
            .session(&session)
            .challenge_responses("USERNAME", "dee")
            .challenge_responses("ANSWER", &answer)
            .send()
            .await
            .unwrap();
        if let Some(tokens) = r.authentication_result() {
            break tokens.clone();
        }
        session = r.session().unwrap().to_owned();
        answer = sum(r.challenge_parameters().unwrap());
    };
    let (_, claims) = decode(tokens.id_token().unwrap());
    assert_eq!(claims["cognito:username"], "dee");

    let defines = l.events(&arns.0).await;
    assert_eq!(defines.len(), 5);
    assert_eq!(
        history(&defines[1]),
        vec![entry("SRP_A", true, Value::Null)]
    );
    assert_eq!(
        history(&defines[2]),
        vec![
            entry("SRP_A", true, Value::Null),
            entry("PASSWORD_VERIFIER", true, Value::Null)
        ]
    );
    assert_eq!(history(&defines[4]).len(), 4);
    let creates = l.events(&arns.1).await;
    assert_eq!(history(&creates[0]).len(), 2);
}

#[tokio::test]
async fn identity_js_and_amplify_answer_custom_challenges() {
    let Some(l) = lambdas() else { return };
    let Some(dir) = crate::js_clients::js_dir() else {
        return;
    };
    let arns = deploy(l).await;
    let (s, c, p, _) = pool_with_triggers(l, config(&arns)).await;
    let cid = custom_client(&c, &p, false).await;
    user(&c, &p, "eve").await;
    let url = s.url();
    let run = |script: &'static str, password: &'static str, mode: &'static str| {
        let (dir, url, p, cid) = (dir.clone(), url.clone(), p.clone(), cid.clone());
        async move {
            let env = [
                ("ENDPOINT", url.as_str()),
                ("POOL_ID", p.as_str()),
                ("CLIENT_ID", cid.as_str()),
                ("USERNAME", "eve"),
                ("PASSWORD", password),
                ("MODE", mode),
            ];
            crate::js_clients::node(&dir, script, &env).await
        }
    };
    let seen = |from: usize| {
        let arn = arns.0.clone();
        async move {
            l.events(&arn).await[from..]
                .iter()
                .map(|e| {
                    let names: Vec<String> = history(e)
                        .into_iter()
                        .map(|(name, result, _)| format!("{name}:{result}"))
                        .collect();
                    names.join(",")
                })
                .collect::<Vec<_>>()
        }
    };

    // amazon-cognito-identity-js without a password: initiateAuth, one wrong answer, two right.
    let r = run("identity_js_custom_auth.mjs", "", "").await;
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(
        r["steps"],
        json!([
            "question:11+21",
            "question:11+21",
            "question:12+22",
            "tokens"
        ])
    );
    assert_eq!(r["username"], "eve");
    let events = l.events(&arns.0).await;
    assert_eq!(
        events[0]["request"]["clientMetadata"],
        json!({"client": "identity-js"})
    );
    assert!(events[0]["callerContext"]["awsSdkVersion"]
        .as_str()
        .unwrap()
        .starts_with("aws-sdk-"));
    let verifies = l.events(&arns.2).await;
    assert_eq!(verifies[0]["request"]["challengeAnswer"], "0");
    assert_eq!(
        verifies[0]["request"]["clientMetadata"],
        json!({"client": "identity-js"})
    );

    // With a password: SRP_A, PASSWORD_VERIFIER, then the challenges.
    let from = l.events(&arns.0).await.len();
    let r = run("identity_js_custom_auth.mjs", PW, "").await;
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(
        r["steps"],
        json!([
            "question:11+21",
            "question:11+21",
            "question:12+22",
            "tokens"
        ])
    );
    let sessions = seen(from).await;
    assert_eq!(sessions[0], "SRP_A:true");
    assert_eq!(sessions[1], "SRP_A:true,PASSWORD_VERIFIER:true");
    assert_eq!(
        sessions.last().unwrap(),
        "SRP_A:true,PASSWORD_VERIFIER:true,CUSTOM_CHALLENGE:false,\
         CUSTOM_CHALLENGE:true,CUSTOM_CHALLENGE:true"
    );
    let wrong = run("identity_js_custom_auth.mjs", "Wrong-passw0rd!", "").await;
    assert_eq!(wrong["ok"], false, "{wrong}");
    assert_eq!(wrong["code"], "NotAuthorizedException");
    assert_eq!(wrong["message"], "Incorrect username or password.");

    // Amplify v6, both custom flows.
    let from = l.events(&arns.0).await.len();
    let r = run("amplify_custom_auth.mjs", PW, "CUSTOM_WITHOUT_SRP").await;
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(
        r["steps"],
        json!(["question:11+21", "question:12+22", "DONE"])
    );
    assert_eq!(r["username"], "eve");
    assert_eq!(seen(from).await[0], "");
    let events = l.events(&arns.0).await;
    assert_eq!(
        events[from]["request"]["clientMetadata"],
        json!({"client": "amplify"})
    );

    let from = l.events(&arns.0).await.len();
    let r = run("amplify_custom_auth.mjs", PW, "CUSTOM_WITH_SRP").await;
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(
        r["steps"],
        json!(["question:11+21", "question:12+22", "DONE"])
    );
    assert_eq!(
        seen(from).await,
        vec![
            "SRP_A:true",
            "SRP_A:true,PASSWORD_VERIFIER:true",
            "SRP_A:true,PASSWORD_VERIFIER:true,CUSTOM_CHALLENGE:true",
            "SRP_A:true,PASSWORD_VERIFIER:true,CUSTOM_CHALLENGE:true,CUSTOM_CHALLENGE:true",
        ]
    );
}

/// Answers custom challenges until the outcome is not one; its name, Session and tokens.
async fn answer_all(
    c: &Client,
    cid: &str,
    name: &str,
    mut session: String,
    mut params: HashMap<String, String>,
) -> aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput
{
    loop {
        let r = c
            .respond_to_auth_challenge()
            .client_id(cid)
            .challenge_name(ChallengeNameType::CustomChallenge)
            .session(&session)
            .challenge_responses("USERNAME", name)
            .challenge_responses("ANSWER", sum(&params))
            .send()
            .await
            .unwrap();
        if r.challenge_name() != Some(&ChallengeNameType::CustomChallenge) {
            return r;
        }
        session = r.session().unwrap().to_owned();
        params = r.challenge_parameters().unwrap().clone();
    }
}

#[tokio::test]
async fn mfa_follows_a_custom_flow_that_checked_the_password_only() {
    use aws_sdk_cognitoidentityprovider::types::{
        AttributeType, SmsConfigurationType, SmsMfaConfigType, SmsMfaSettingsType, UserPoolMfaType,
    };
    let Some(l) = lambdas() else { return };
    let arns = deploy(l).await;
    let (s, c, p, _) = pool_with_triggers(l, config(&arns)).await;
    let cid = custom_client(&c, &p, false).await;
    c.set_user_pool_mfa_config()
        .user_pool_id(&p)
        .mfa_configuration(UserPoolMfaType::Optional)
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
    user(&c, &p, "fay").await;
    c.admin_update_user_attributes()
        .user_pool_id(&p)
        .username("fay")
        .user_attributes(
            AttributeType::builder()
                .name("phone_number")
                .value("+15555550100")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    c.admin_set_user_mfa_preference()
        .user_pool_id(&p)
        .username("fay")
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();

    // Custom challenges alone: no second factor.
    let start = c
        .initiate_auth()
        .client_id(&cid)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "fay")
        .send()
        .await
        .unwrap();
    let params = start.challenge_parameters().unwrap().clone();
    let done = answer_all(&c, &cid, "fay", start.session().unwrap().into(), params).await;
    assert!(done.authentication_result().is_some());

    // With the password: the user's SMS code before the tokens.
    let srp = SrpClient::new();
    let start = c
        .initiate_auth()
        .client_id(&cid)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "fay")
        .auth_parameters("CHALLENGE_NAME", "SRP_A")
        .auth_parameters("SRP_A", &srp.srp_a)
        .send()
        .await
        .unwrap();
    let responses = srp.respond(
        &p,
        start.challenge_parameters().unwrap(),
        PW,
        &timestamp_now(),
    );
    let challenge = c
        .respond_to_auth_challenge()
        .client_id(&cid)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .session(start.session().unwrap())
        .set_challenge_responses(Some(responses.into_iter().collect()))
        .send()
        .await
        .unwrap();
    let params = challenge.challenge_parameters().unwrap().clone();
    let mfa = answer_all(&c, &cid, "fay", challenge.session().unwrap().into(), params).await;
    assert_eq!(mfa.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    assert!(mfa.authentication_result().is_none());
    let code = s
        .server
        .app()
        .outbox
        .list(Some(&p), Some("fay"))
        .last()
        .unwrap()
        .code
        .clone();
    let done = c
        .respond_to_auth_challenge()
        .client_id(&cid)
        .challenge_name(ChallengeNameType::SmsMfa)
        .session(mfa.session().unwrap())
        .challenge_responses("USERNAME", "fay")
        .challenge_responses("SMS_MFA_CODE", code)
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());
}

#[tokio::test]
async fn a_custom_flow_runs_pre_and_post_authentication_once() {
    let Some(l) = lambdas() else { return };
    let arns = deploy(l).await;
    let pre = l.function(&answering("{}")).await;
    let post = l.function(&answering("{}")).await;
    let mut lambda_config = config(&arns);
    lambda_config.pre_authentication = Some(pre.clone());
    lambda_config.post_authentication = Some(post.clone());
    let (_s, c, p, _) = pool_with_triggers(l, lambda_config).await;
    let cid = custom_client(&c, &p, false).await;
    user(&c, &p, "eva").await;

    // Without the password.
    let start = c
        .initiate_auth()
        .client_id(&cid)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "eva")
        .client_metadata("step", "start")
        .send()
        .await
        .unwrap();
    let session = start.session().unwrap().to_owned();
    let params = start.challenge_parameters().unwrap().clone();
    let done = answer_all(&c, &cid, "eva", session, params).await;
    assert!(done.authentication_result().is_some());
    let pre_events = l.events(&pre).await;
    assert_eq!(pre_events.len(), 1);
    assert_eq!(
        pre_events[0]["triggerSource"],
        "PreAuthentication_Authentication"
    );
    assert_eq!(
        pre_events[0]["request"]["validationData"],
        json!({"step": "start"})
    );
    let post_events = l.events(&post).await;
    assert_eq!(post_events.len(), 1);
    assert_eq!(
        post_events[0]["triggerSource"],
        "PostAuthentication_Authentication"
    );

    // Starting with SRP_A: still once each, PreAuthentication before the password.
    let srp = SrpClient::new();
    let start = c
        .initiate_auth()
        .client_id(&cid)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "eva")
        .auth_parameters("CHALLENGE_NAME", "SRP_A")
        .auth_parameters("SRP_A", &srp.srp_a)
        .send()
        .await
        .unwrap();
    assert_eq!(l.events(&pre).await.len(), 2);
    let responses = srp.respond(
        &p,
        start.challenge_parameters().unwrap(),
        PW,
        &timestamp_now(),
    );
    let challenge = c
        .respond_to_auth_challenge()
        .client_id(&cid)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .session(start.session().unwrap())
        .set_challenge_responses(Some(responses.into_iter().collect()))
        .send()
        .await
        .unwrap();
    let session = challenge.session().unwrap().to_owned();
    let params = challenge.challenge_parameters().unwrap().clone();
    let done = answer_all(&c, &cid, "eva", session, params).await;
    assert!(done.authentication_result().is_some());
    assert_eq!(l.events(&pre).await.len(), 2);
    assert_eq!(l.events(&post).await.len(), 2);
}
