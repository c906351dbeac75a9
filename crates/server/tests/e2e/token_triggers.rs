//! PreTokenGeneration V1_0, V2_0 and V3_0: the event (its triggerSource for sign-in, the new
//! password challenge and refresh, the groups and scopes it shows, the ClientMetadata that
//! reaches it) and the tokens carrying what the function answered, checked by aws-jwt-verify.

use crate::auth_triggers::Pool;
use crate::harness::err;
use crate::js_clients::{js_dir, node};
use crate::lambdas::lambdas;
use crate::signin_support::decode;
use crate::triggers::answering;
use crate::users::PW;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ChallengeNameType, LambdaConfigType,
    PreTokenGenerationLambdaVersionType, PreTokenGenerationVersionConfigType,
};
use serde_json::{json, Value};

const ADMIN_ROLE: &str = "arn:aws:iam::123456789012:role/admins";
const STAFF_ROLE: &str = "arn:aws:iam::123456789012:role/staff";
const READER_ROLE: &str = "arn:aws:iam::123456789012:role/readers";

fn config(arn: &str, version: PreTokenGenerationLambdaVersionType) -> LambdaConfigType {
    LambdaConfigType::builder()
        .pre_token_generation_config(
            PreTokenGenerationVersionConfigType::builder()
                .lambda_arn(arn)
                .lambda_version(version)
                .build()
                .unwrap(),
        )
        .build()
}

/// `user` in groups "admins" (precedence 1) and "staff" (5), each with a role.
async fn in_groups(p: &Pool, user: &str) {
    for (group, role, precedence) in [("admins", ADMIN_ROLE, 1), ("staff", STAFF_ROLE, 5)] {
        p.c.create_group()
            .user_pool_id(&p.pool)
            .group_name(group)
            .role_arn(role)
            .precedence(precedence)
            .send()
            .await
            .unwrap();
        p.c.admin_add_user_to_group()
            .user_pool_id(&p.pool)
            .username(user)
            .group_name(group)
            .send()
            .await
            .unwrap();
    }
}

fn claims(result: &AuthenticationResultType) -> (Value, Value) {
    (
        decode(result.id_token().unwrap()).1,
        decode(result.access_token().unwrap()).1,
    )
}

const V1_ANSWER: &str = r#"{
    claimsOverrideDetails: {
        claimsToAddOrOverride: {
            tier: "gold", count: 7, email: "override@example.com",
            sub: "forged", iss: "forged", aud: "forged", exp: "1", "cognito:username": "forged",
            "cognito:groups": "forged", token_use: "access", origin_jti: "forged",
        },
        claimsToSuppress: ["email_verified", "sub", "iat", "cognito:username", "jti"],
        groupOverrideDetails: {
            groupsToOverride: ["readers"],
            iamRolesToOverride: ["arn:aws:iam::123456789012:role/readers"],
            preferredRole: "arn:aws:iam::123456789012:role/readers",
        },
    },
}"#;

#[tokio::test]
async fn v1_adds_overrides_and_suppresses_id_token_claims_and_replaces_groups() {
    let Some(l) = lambdas() else { return };
    let f = l.function(&answering(V1_ANSWER)).await;
    let p = Pool::new(
        l,
        config(&f, PreTokenGenerationLambdaVersionType::V10),
        false,
        false,
    )
    .await;
    p.user("ana", false).await;
    in_groups(&p, "ana").await;
    let result = p.password_sign_in("ana", PW).await.unwrap();

    let events = l.events(&f).await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["version"], "1");
    assert_eq!(e["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(e["region"], "us-east-1");
    assert_eq!(e["userPoolId"], p.pool.as_str());
    assert_eq!(e["userName"], "ana");
    assert_eq!(e["callerContext"]["clientId"], p.client_id.as_str());
    let attrs = &e["request"]["userAttributes"];
    assert_eq!(attrs["email"], "ana@example.com");
    assert_eq!(attrs["email_verified"], "true");
    assert_eq!(attrs["cognito:user_status"], "CONFIRMED");
    assert_eq!(
        e["request"]["groupConfiguration"],
        json!({
            "groupsToOverride": ["admins", "staff"],
            "iamRolesToOverride": [ADMIN_ROLE, STAFF_ROLE],
            "preferredRole": ADMIN_ROLE,
        })
    );
    // InitiateAuth's ClientMetadata does not reach PreTokenGeneration; V1 shows no scopes.
    assert_eq!(e["request"]["clientMetadata"], json!({}));
    assert!(e["request"].get("scopes").is_none());
    assert_eq!(e["response"], json!({}));

    let (id, access) = claims(&result);
    assert_eq!(id["tier"], "gold");
    assert_eq!(id["count"], "7");
    assert_eq!(id["email"], "override@example.com");
    assert!(id.get("email_verified").is_none());
    assert_eq!(id["cognito:groups"], json!(["readers"]));
    assert_eq!(id["cognito:roles"], json!([READER_ROLE]));
    assert_eq!(id["cognito:preferred_role"], READER_ROLE);
    // What Cognito keeps for itself stays as it was.
    assert_eq!(id["sub"], attrs["sub"]);
    assert_eq!(id["iss"], access["iss"]);
    assert_eq!(id["aud"], p.client_id.as_str());
    assert_eq!(id["cognito:username"], "ana");
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["origin_jti"], access["origin_jti"]);
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        3600
    );
    assert_eq!(id["jti"].as_str().unwrap().len(), 36);
    // V1 changes the access token's groups only.
    assert_eq!(access["cognito:groups"], json!(["readers"]));
    assert!(access.get("tier").is_none());
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    // The tokens still work.
    p.c.get_user()
        .access_token(result.access_token().unwrap())
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn the_new_password_challenge_srp_and_refresh_have_their_sources_and_metadata() {
    let Some(l) = lambdas() else { return };
    let f = l
        .function(&answering(
            "{claimsOverrideDetails: {claimsToAddOrOverride: {source: event.triggerSource}}}",
        ))
        .await;
    let p = Pool::new(
        l,
        config(&f, PreTokenGenerationLambdaVersionType::V10),
        false,
        false,
    )
    .await;
    p.user("ben", true).await;
    let challenge =
        p.c.initiate_auth()
            .client_id(&p.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "ben")
            .auth_parameters("PASSWORD", PW)
            .send()
            .await
            .unwrap();
    assert!(l.events(&f).await.is_empty());
    let done =
        p.c.respond_to_auth_challenge()
            .client_id(&p.client_id)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(challenge.session().unwrap())
            .challenge_responses("USERNAME", "ben")
            .challenge_responses("NEW_PASSWORD", PW)
            .client_metadata("step", "new-password")
            .send()
            .await
            .unwrap();
    let result = done.authentication_result().unwrap();
    assert_eq!(
        claims(result).0["source"],
        "TokenGeneration_NewPasswordChallenge"
    );

    let srp = p.srp_sign_in("ben").await.unwrap();
    assert_eq!(claims(&srp).0["source"], "TokenGeneration_Authentication");

    let refreshed =
        p.c.get_tokens_from_refresh_token()
            .client_id(&p.client_id)
            .refresh_token(srp.refresh_token().unwrap())
            .client_metadata("step", "refresh")
            .send()
            .await
            .unwrap();
    let refreshed = refreshed.authentication_result().unwrap();
    assert_eq!(
        claims(refreshed).0["source"],
        "TokenGeneration_RefreshTokens"
    );
    p.c.initiate_auth()
        .client_id(&p.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", srp.refresh_token().unwrap())
        .client_metadata("step", "not passed")
        .send()
        .await
        .unwrap();

    let events = l.events(&f).await;
    let seen: Vec<(&str, Value)> = events
        .iter()
        .map(|e| {
            (
                e["triggerSource"].as_str().unwrap(),
                e["request"]["clientMetadata"].clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "TokenGeneration_NewPasswordChallenge",
                json!({"step": "new-password"})
            ),
            ("TokenGeneration_Authentication", json!({"from": "answer"})),
            ("TokenGeneration_RefreshTokens", json!({"step": "refresh"})),
            ("TokenGeneration_RefreshTokens", json!({})),
        ]
    );
    for e in &events {
        assert_eq!(e["userName"], "ben");
        assert_eq!(
            e["request"]["groupConfiguration"]["groupsToOverride"],
            json!([])
        );
        assert_eq!(
            e["request"]["groupConfiguration"]["preferredRole"],
            Value::Null
        );
    }
}

const V2_ANSWER: &str = r#"{
    claimsAndScopeOverrideDetails: {
        idTokenGeneration: {
            claimsToAddOrOverride: {
                tenant: { id: 7, name: "acme" }, plans: ["basic", 2, true], active: true,
            },
            claimsToSuppress: ["email"],
        },
        accessTokenGeneration: {
            claimsToAddOrOverride: {
                tenant_id: "acme", level: 3, roles: ["reader", "writer"],
                username: "forged", client_id: "forged", scope: "forged",
            },
            claimsToSuppress: ["cognito:groups", "username"],
            scopesToAdd: ["photos/read", "photos/write"],
            scopesToSuppress: ["photos/write"],
        },
        groupOverrideDetails: {
            groupsToOverride: ["readers"],
            iamRolesToOverride: [],
        },
    },
}"#;

#[tokio::test]
async fn v2_customizes_access_token_claims_and_scopes_as_aws_jwt_verify_sees_them() {
    let Some(l) = lambdas() else { return };
    for version in [
        PreTokenGenerationLambdaVersionType::V20,
        PreTokenGenerationLambdaVersionType::V30,
    ] {
        let f = l.function(&answering(V2_ANSWER)).await;
        let p = Pool::new(l, config(&f, version.clone()), false, false).await;
        p.user("cy", false).await;
        in_groups(&p, "cy").await;
        let result = p.srp_sign_in("cy").await.unwrap();

        let events = l.events(&f).await;
        assert_eq!(events.len(), 1);
        let e = &events[0];
        let expected = if version == PreTokenGenerationLambdaVersionType::V20 {
            "2"
        } else {
            "3"
        };
        assert_eq!(e["version"], expected);
        assert_eq!(e["triggerSource"], "TokenGeneration_Authentication");
        assert_eq!(
            e["request"]["scopes"],
            json!(["aws.cognito.signin.user.admin"])
        );
        assert_eq!(
            e["request"]["groupConfiguration"]["groupsToOverride"],
            json!(["admins", "staff"])
        );
        assert_eq!(e["request"]["clientMetadata"], json!({"from": "answer"}));

        let (id, access) = claims(&result);
        assert_eq!(id["tenant"], json!({"id": 7, "name": "acme"}));
        assert_eq!(id["plans"], json!(["basic", 2, true]));
        assert_eq!(id["active"], true);
        assert!(id.get("email").is_none());
        assert_eq!(id["cognito:groups"], json!(["readers"]));
        assert!(id.get("cognito:roles").is_none());
        assert!(id.get("cognito:preferred_role").is_none());
        assert_eq!(access["tenant_id"], "acme");
        assert_eq!(access["level"], 3);
        assert_eq!(access["roles"], json!(["reader", "writer"]));
        assert_eq!(access["username"], "cy");
        assert_eq!(access["client_id"], p.client_id.as_str());
        assert!(access.get("cognito:groups").is_none());
        assert_eq!(access["scope"], "aws.cognito.signin.user.admin photos/read");

        // The refresh runs the function again, and its tokens carry the same.
        let refreshed =
            p.c.initiate_auth()
                .client_id(&p.client_id)
                .auth_flow(AuthFlowType::RefreshTokenAuth)
                .auth_parameters("REFRESH_TOKEN", result.refresh_token().unwrap())
                .send()
                .await
                .unwrap();
        let refreshed = refreshed.authentication_result().unwrap();
        let events = l.events(&f).await;
        assert_eq!(events[1]["triggerSource"], "TokenGeneration_RefreshTokens");
        assert_eq!(claims(refreshed).1["tenant_id"], "acme");

        let Some(dir) = js_dir() else { continue };
        let url = p.s.url();
        let verdict = node(
            &dir,
            "verify_claims.mjs",
            &[
                ("ENDPOINT", url.as_str()),
                ("POOL_ID", p.pool.as_str()),
                ("CLIENT_ID", p.client_id.as_str()),
                ("ID_TOKEN", refreshed.id_token().unwrap()),
                ("ACCESS_TOKEN", refreshed.access_token().unwrap()),
                ("SCOPE", "photos/read"),
            ],
        )
        .await;
        assert_eq!(
            verdict["id"]["tenant"],
            json!({"id": 7, "name": "acme"}),
            "{verdict}"
        );
        assert_eq!(
            verdict["id"]["plans"],
            json!(["basic", 2, true]),
            "{verdict}"
        );
        assert_eq!(verdict["access"]["tenant_id"], "acme", "{verdict}");
        assert_eq!(
            verdict["access"]["roles"],
            json!(["reader", "writer"]),
            "{verdict}"
        );
        assert_eq!(
            verdict["access"]["scope"], "aws.cognito.signin.user.admin photos/read",
            "{verdict}"
        );
        assert_eq!(
            verdict["otherScope"]["message"],
            "Scope not allowed: aws.cognito.signin.user.admin, photos/read. Expected: photos/delete",
            "{verdict}"
        );
    }
}

#[tokio::test]
async fn a_failing_or_malformed_pre_token_generation_issues_no_tokens() {
    let Some(l) = lambdas() else { return };
    let failing = l.function(crate::triggers::FAILING).await;
    let p = Pool::new(
        l,
        config(&failing, PreTokenGenerationLambdaVersionType::V20),
        false,
        false,
    )
    .await;
    p.user("dee", false).await;
    assert_eq!(
        p.password_sign_in("dee", PW).await.unwrap_err(),
        (
            "UserLambdaValidationException".into(),
            "PreTokenGeneration failed with error Sign-ups are closed today.".into()
        )
    );

    // A V1 answer's claim values are strings; an array is not one.
    let malformed = l
        .function(&answering(
            "{claimsOverrideDetails: {claimsToAddOrOverride: {roles: ['a', 'b']}}}",
        ))
        .await;
    let p = Pool::new(
        l,
        config(&malformed, PreTokenGenerationLambdaVersionType::V10),
        false,
        false,
    )
    .await;
    p.user("eve", false).await;
    let e =
        p.c.admin_initiate_auth()
            .user_pool_id(&p.pool)
            .client_id(&p.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "eve")
            .auth_parameters("PASSWORD", PW)
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
}

/// A remembered device's sign-in (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER) ends in
/// TokenGeneration_AuthenticateDevice, and PostAuthentication hears of no new device.
#[tokio::test]
async fn a_device_sign_in_is_token_generation_authenticate_device() {
    use aws_sdk_cognitoidentityprovider::types::DeviceSecretVerifierConfigType;
    use base64::engine::general_purpose::STANDARD as B64;
    use base64::Engine;
    use ironpool_core::{srp, OsRng};
    use std::collections::HashMap;

    let Some(l) = lambdas() else { return };
    let f = l
        .function(&answering(
            "{claimsOverrideDetails: {claimsToAddOrOverride: {source: event.triggerSource}}}",
        ))
        .await;
    let post = l.function(&answering("{}")).await;
    let mut lambda_config = config(&f, PreTokenGenerationLambdaVersionType::V10);
    lambda_config.post_authentication = Some(post.clone());
    let p = Pool::new(l, lambda_config, true, false).await;
    p.user("dan", false).await;

    // A new device, confirmed with its verifier as amazon-cognito-identity-js makes it.
    let first = p.password_sign_in("dan", PW).await.unwrap();
    let meta = first.new_device_metadata().unwrap();
    let (key, group) = (meta.device_key().unwrap(), meta.device_group_key().unwrap());
    let secret = "device-secret";
    let v = srp::Verifier::new(&OsRng, group, key, secret);
    p.c.confirm_device()
        .access_token(first.access_token().unwrap())
        .device_key(key)
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .salt(B64.encode(srp::pad(&v.salt)))
                .password_verifier(B64.encode(srp::pad(&v.verifier)))
                .build(),
        )
        .send()
        .await
        .unwrap();

    let start =
        p.c.initiate_auth()
            .client_id(&p.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "dan")
            .auth_parameters("PASSWORD", PW)
            .auth_parameters("DEVICE_KEY", key)
            .send()
            .await
            .unwrap();
    let mut a = [0u8; 32];
    ironpool_core::Rng::fill(&OsRng, &mut a);
    let challenge =
        p.c.respond_to_auth_challenge()
            .client_id(&p.client_id)
            .challenge_name(ChallengeNameType::DeviceSrpAuth)
            .session(start.session().unwrap())
            .challenge_responses("USERNAME", "dan")
            .challenge_responses("DEVICE_KEY", key)
            .challenge_responses("SRP_A", srp::to_hex(&srp::g_pow(&a)))
            .send()
            .await
            .unwrap();
    let params = challenge.challenge_parameters().unwrap();
    let b = srp::parse_hex(&params["SRP_B"]).unwrap();
    let salt = srp::parse_hex(&params["SALT"]).unwrap();
    let srp_key = srp::client_key(&a, &srp::g_pow(&a), &b, &salt, group, key, secret);
    let block = B64.decode(&params["SECRET_BLOCK"]).unwrap();
    let timestamp = crate::signin_support::timestamp_now();
    let signature = srp::claim_signature(&srp_key, group, key, &block, &timestamp);
    let answer: HashMap<String, String> = HashMap::from([
        ("USERNAME".into(), params["USERNAME"].clone()),
        ("DEVICE_KEY".into(), key.to_owned()),
        (
            "PASSWORD_CLAIM_SECRET_BLOCK".into(),
            params["SECRET_BLOCK"].clone(),
        ),
        ("PASSWORD_CLAIM_SIGNATURE".into(), B64.encode(signature)),
        ("TIMESTAMP".into(), timestamp),
    ]);
    let done =
        p.c.respond_to_auth_challenge()
            .client_id(&p.client_id)
            .challenge_name(ChallengeNameType::DevicePasswordVerifier)
            .session(challenge.session().unwrap())
            .set_challenge_responses(Some(answer))
            .client_metadata("step", "device")
            .send()
            .await
            .unwrap();
    let result = done.authentication_result().unwrap();
    assert_eq!(
        claims(result).0["source"],
        "TokenGeneration_AuthenticateDevice"
    );
    let events = l.events(&f).await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(
        events[1]["triggerSource"],
        "TokenGeneration_AuthenticateDevice"
    );
    assert_eq!(
        events[1]["request"]["clientMetadata"],
        json!({"step": "device"})
    );
    let events = l.events(&post).await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["request"]["newDeviceUsed"], true);
    assert_eq!(events[1]["request"]["newDeviceUsed"], false);
    assert_eq!(
        events[1]["request"]["clientMetadata"],
        json!({"step": "device"})
    );
}

#[tokio::test]
async fn a_v3_function_hears_of_machine_tokens_and_changes_them() {
    use aws_sdk_cognitoidentityprovider::types::{
        ExplicitAuthFlowsType, OAuthFlowType, ResourceServerScopeType,
    };
    let Some(l) = lambdas() else { return };
    let f = l
        .function(&answering(
            r#"{claimsAndScopeOverrideDetails: {accessTokenGeneration: {
                claimsToAddOrOverride: {tenant: event.request.clientMetadata.tenant, sub: "forged"},
                scopesToAdd: ["orders/audit"], scopesToSuppress: ["orders/write"]},
                idTokenGeneration: {claimsToAddOrOverride: {ignored: "yes"}}}}"#,
        ))
        .await;
    let p = Pool::new(
        l,
        config(&f, PreTokenGenerationLambdaVersionType::V30),
        false,
        false,
    )
    .await;
    let scope = |name: &str| {
        ResourceServerScopeType::builder()
            .scope_name(name)
            .scope_description(name)
            .build()
            .unwrap()
    };
    p.c.create_resource_server()
        .user_pool_id(&p.pool)
        .identifier("orders")
        .name("Orders")
        .scopes(scope("read"))
        .scopes(scope("write"))
        .send()
        .await
        .unwrap();
    let client =
        p.c.create_user_pool_client()
            .user_pool_id(&p.pool)
            .client_name("worker")
            .generate_secret(true)
            .allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
            .allowed_o_auth_scopes("orders/read")
            .allowed_o_auth_scopes("orders/write")
            .explicit_auth_flows(ExplicitAuthFlowsType::from("ALLOW_CLIENT_TOKEN_AUTH"))
            .send()
            .await
            .unwrap();
    let client = client.user_pool_client().unwrap();
    let id = client.client_id().unwrap();
    let token =
        p.c.get_client_token()
            .client_id(id)
            .secret(client.client_secret().unwrap())
            .client_metadata("tenant", "acme")
            .send()
            .await
            .unwrap();
    let access = decode(
        token
            .client_authentication_result()
            .unwrap()
            .access_token()
            .unwrap(),
    )
    .1;
    assert_eq!(access["tenant"], "acme");
    assert_eq!(access["sub"], id, "sub is Cognito's");
    assert_eq!(access["scope"], "orders/read orders/audit");
    assert!(access.get("ignored").is_none());

    let events = l.events(&f).await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["version"], "3");
    assert_eq!(e["triggerSource"], "TokenGeneration_ClientCredentials");
    assert_eq!(e["userName"], Value::Null);
    assert_eq!(e["callerContext"]["clientId"], id);
    assert_eq!(e["request"]["userAttributes"], json!({}));
    assert_eq!(
        e["request"]["scopes"],
        json!(["orders/read", "orders/write"])
    );
    assert_eq!(e["request"]["clientMetadata"], json!({"tenant": "acme"}));
}
