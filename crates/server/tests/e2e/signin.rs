//! Password sign-in through the SDK: USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and
//! ADMIN_NO_SRP_AUTH, Cognito's token claims, the client's flows and secret, user states,
//! PreventUserExistenceErrors, lockout, NEW_PASSWORD_REQUIRED.

use crate::harness::err;
use crate::signin_support::{decode, Fixture, PASSWORD};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType, PreventUserExistenceErrorTypes,
    SchemaAttributeType,
};
use ironpool_api::types::UserStatusType;
use serde_json::json;

#[tokio::test]
async fn password_sign_in_issues_tokens_with_cognitos_claims() {
    let f = Fixture::new().await;
    let user = f
        .user(
            "alice",
            &[("email", "alice@example.com"), ("email_verified", "true")],
        )
        .await;
    let t = f.sign_in("alice").await;
    assert_eq!(t.expires_in(), 3600);
    assert_eq!(t.token_type(), Some("Bearer"));
    assert!(t.refresh_token().is_some_and(|r| r.split('.').count() == 5));
    let iss = format!("{}/{}", f.url(), f.pool);

    let (id_header, id) = decode(t.id_token().unwrap());
    assert_eq!(id_header["alg"], "RS256");
    assert_eq!(id["sub"], user.sub.as_str());
    assert_eq!(id["aud"], f.client_id.as_str());
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["iss"], iss.as_str());
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["email_verified"], json!(true));
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        3600
    );
    assert_eq!(id["auth_time"], id["iat"]);
    assert!(id.get("cognito:groups").is_none());
    for claim in ["jti", "origin_jti", "event_id"] {
        assert_eq!(id[claim].as_str().unwrap().len(), 36, "{claim}");
    }

    let (access_header, access) = decode(t.access_token().unwrap());
    assert_ne!(
        access_header["kid"], id_header["kid"],
        "ID and access keys differ"
    );
    assert_eq!(access["sub"], user.sub.as_str());
    assert_eq!(access["client_id"], f.client_id.as_str());
    assert_eq!(access["username"], "alice");
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["iss"], iss.as_str());
    assert_eq!(access["origin_jti"], id["origin_jti"]);
    assert_eq!(access["event_id"], id["event_id"]);
    assert!(access.get("aud").is_none());
    assert!(access.get("email").is_none());

    let me =
        f.c.get_user()
            .access_token(t.access_token().unwrap())
            .send()
            .await
            .unwrap();
    assert_eq!(me.username(), "alice");
    let attrs: Vec<(&str, &str)> = me
        .user_attributes()
        .iter()
        .map(|a| (a.name(), a.value().unwrap_or_default()))
        .collect();
    assert_eq!(
        attrs,
        [
            ("sub", user.sub.as_str()),
            ("email", "alice@example.com"),
            ("email_verified", "true")
        ]
    );
}

#[tokio::test]
async fn groups_validity_units_and_read_attributes_shape_the_tokens() {
    use aws_sdk_cognitoidentityprovider::types::{TimeUnitsType, TokenValidityUnitsType};
    let f = Fixture::with_client(|b| {
        b.access_token_validity(10)
            .id_token_validity(2)
            .token_validity_units(
                TokenValidityUnitsType::builder()
                    .access_token(TimeUnitsType::Minutes)
                    .id_token(TimeUnitsType::Hours)
                    .build(),
            )
            .read_attributes("email")
    })
    .await;
    f.user("bob", &[("email", "bob@example.com"), ("name", "Bob")])
        .await;
    for (g, precedence) in [("b-team", 1), ("a-team", 5)] {
        f.c.create_group()
            .user_pool_id(&f.pool)
            .group_name(g)
            .precedence(precedence)
            .role_arn(format!("arn:aws:iam::123456789012:role/{g}"))
            .send()
            .await
            .unwrap();
        assert!(f
            .app()
            .store
            .add_user_to_group(&f.pool, "bob", g)
            .await
            .unwrap());
    }
    let t = f.sign_in("bob").await;
    assert_eq!(t.expires_in(), 600);
    let (_, id) = decode(t.id_token().unwrap());
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        7200
    );
    assert_eq!(id["cognito:groups"], json!(["a-team", "b-team"]));
    assert_eq!(
        id["cognito:roles"],
        json!([
            "arn:aws:iam::123456789012:role/a-team",
            "arn:aws:iam::123456789012:role/b-team"
        ])
    );
    assert_eq!(
        id["cognito:preferred_role"],
        "arn:aws:iam::123456789012:role/b-team"
    );
    assert_eq!(id["email"], "bob@example.com");
    assert!(
        id.get("name").is_none(),
        "not a read attribute of the client"
    );
    let (_, access) = decode(t.access_token().unwrap());
    assert_eq!(
        access["exp"].as_i64().unwrap() - access["iat"].as_i64().unwrap(),
        600
    );
    assert_eq!(access["cognito:groups"], json!(["a-team", "b-team"]));
    assert!(access.get("cognito:roles").is_none());
}

#[tokio::test]
async fn jwks_and_discovery_match_the_tokens() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    let t = f.sign_in("alice").await;
    let http = reqwest::Client::new();
    let jwks: serde_json::Value = http
        .get(format!("{}/{}/.well-known/jwks.json", f.url(), f.pool))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    let kids: Vec<&str> = keys.iter().map(|k| k["kid"].as_str().unwrap()).collect();
    for token in [t.id_token().unwrap(), t.access_token().unwrap()] {
        let (h, _) = decode(token);
        assert!(kids.contains(&h["kid"].as_str().unwrap()));
    }
    for k in keys {
        assert_eq!(
            (
                k["alg"].as_str(),
                k["e"].as_str(),
                k["kty"].as_str(),
                k["use"].as_str()
            ),
            (Some("RS256"), Some("AQAB"), Some("RSA"), Some("sig"))
        );
    }
    let conf: serde_json::Value = http
        .get(format!(
            "{}/{}/.well-known/openid-configuration",
            f.url(),
            f.pool
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let iss = format!("{}/{}", f.url(), f.pool);
    // Cognito's members, without the domain endpoints this server does not serve.
    assert_eq!(
        conf,
        json!({
            "id_token_signing_alg_values_supported": ["RS256"],
            "issuer": iss,
            "jwks_uri": format!("{iss}/.well-known/jwks.json"),
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
        })
    );
    let (_, id_claims) = decode(t.id_token().unwrap());
    assert_eq!(id_claims["iss"], iss.as_str());
    let served = http
        .get(conf["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(served.status().as_u16(), 200);

    let missing = http
        .get(format!(
            "{}/us-east-1_NoSuchOne/.well-known/jwks.json",
            f.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["__type"], "ResourceNotFoundException");
    assert_eq!(
        body["message"],
        "User pool us-east-1_NoSuchOne does not exist."
    );
}

#[tokio::test]
async fn admin_password_flows_and_the_wrong_endpoint() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    for flow in [
        AuthFlowType::AdminUserPasswordAuth,
        AuthFlowType::AdminNoSrpAuth,
    ] {
        let r =
            f.c.admin_initiate_auth()
                .user_pool_id(&f.pool)
                .client_id(&f.client_id)
                .auth_flow(flow)
                .auth_parameters("USERNAME", "alice")
                .auth_parameters("PASSWORD", PASSWORD)
                .send()
                .await
                .unwrap();
        let (_, id) = decode(r.authentication_result().unwrap().id_token().unwrap());
        assert_eq!(id["cognito:username"], "alice");
    }
    let e =
        f.c.admin_initiate_auth()
            .user_pool_id(&f.pool)
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Initiate Auth method not supported.".into()
        )
    );
    let e =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(e).1, "Initiate Auth method not supported.");
    let e =
        f.c.admin_initiate_auth()
            .user_pool_id(&f.pool)
            .client_id("unknownclient0000000000000")
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            "User pool client unknownclient0000000000000 does not exist.".into()
        )
    );
}

#[tokio::test]
async fn the_clients_explicit_auth_flows_are_enforced() {
    let f = Fixture::with_client(|b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
    })
    .await;
    f.user("alice", &[]).await;
    assert_eq!(
        f.sign_in_with("alice", PASSWORD).await.unwrap_err(),
        (
            "InvalidParameterException".into(),
            "USER_PASSWORD_AUTH flow not enabled for this client".into()
        )
    );
    let e =
        f.c.admin_initiate_auth()
            .user_pool_id(&f.pool)
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e).1,
        "ADMIN_USER_PASSWORD_AUTH flow not enabled for this client"
    );
}

#[tokio::test]
async fn wrong_passwords_missing_parameters_and_user_states() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    let incorrect = (
        "NotAuthorizedException".to_string(),
        "Incorrect username or password.".to_string(),
    );
    assert_eq!(
        f.sign_in_with("alice", "Wrong-pass-1").await.unwrap_err(),
        incorrect
    );
    assert_eq!(
        f.sign_in_with("nobody", PASSWORD).await.unwrap_err(),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    let e =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "alice")
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Missing required parameter PASSWORD".into()
        )
    );
    let e =
        f.c.initiate_auth()
            .client_id("unknownclient0000000000000")
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(e).0, "ResourceNotFoundException");

    f.user_with("unconfirmed", PASSWORD, UserStatusType::Unconfirmed, &[])
        .await;
    assert_eq!(
        f.sign_in_with("unconfirmed", PASSWORD).await.unwrap_err(),
        (
            "UserNotConfirmedException".into(),
            "User is not confirmed.".into()
        )
    );
    assert_eq!(
        f.sign_in_with("unconfirmed", "Wrong-pass-1")
            .await
            .unwrap_err(),
        (
            "UserNotConfirmedException".into(),
            "User is not confirmed.".into()
        ),
        "whatever the password"
    );
    f.user_with("reset", PASSWORD, UserStatusType::ResetRequired, &[])
        .await;
    assert_eq!(
        f.sign_in_with("reset", PASSWORD).await.unwrap_err(),
        (
            "PasswordResetRequiredException".into(),
            "Password reset required for the user".into()
        )
    );
    f.change_user("alice", |u| u.enabled = false).await;
    assert_eq!(
        f.sign_in_with("alice", PASSWORD).await.unwrap_err(),
        ("NotAuthorizedException".into(), "User is disabled.".into())
    );
}

#[tokio::test]
async fn prevent_user_existence_errors_answers_unknown_users_like_wrong_passwords() {
    let f = Fixture::with_client(|b| {
        b.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
    })
    .await;
    f.user("alice", &[]).await;
    let incorrect = (
        "NotAuthorizedException".to_string(),
        "Incorrect username or password.".to_string(),
    );
    assert_eq!(
        f.sign_in_with("nobody", PASSWORD).await.unwrap_err(),
        incorrect
    );
    assert_eq!(
        f.sign_in_with("alice", "Wrong-pass-1").await.unwrap_err(),
        incorrect
    );
}

#[tokio::test]
async fn sign_in_by_a_verified_email_alias() {
    use aws_sdk_cognitoidentityprovider::types::AliasAttributeType;
    let f = Fixture::new().await;
    // A pool created with the alias from the start.
    let pool =
        f.c.create_user_pool()
            .pool_name("aliases")
            .alias_attributes(AliasAttributeType::Email)
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
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .send()
            .await
            .unwrap()
            .user_pool_client()
            .unwrap()
            .client_id()
            .unwrap()
            .to_owned();
    let g = Fixture {
        pool,
        client_id,
        ..f
    };
    g.user(
        "carol",
        &[("email", "carol@example.com"), ("email_verified", "true")],
    )
    .await;
    g.user("dave", &[("email", "dave@example.com")]).await;
    let t = g.sign_in("carol@example.com").await;
    assert_eq!(decode(t.id_token().unwrap()).1["cognito:username"], "carol");
    assert_eq!(
        g.sign_in_with("dave@example.com", PASSWORD)
            .await
            .unwrap_err()
            .0,
        "UserNotFoundException",
        "an unverified email is no alias"
    );
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_user_with_growing_locks() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    for _ in 0..5 {
        assert_eq!(
            f.sign_in_with("alice", "Wrong-pass-1").await.unwrap_err().1,
            "Incorrect username or password."
        );
    }
    let exceeded = (
        "NotAuthorizedException".to_string(),
        "Password attempts exceeded".to_string(),
    );
    assert_eq!(
        f.sign_in_with("alice", PASSWORD).await.unwrap_err(),
        exceeded
    );
    f.advance(1);
    assert_eq!(
        f.sign_in_with("alice", "Wrong-pass-1").await.unwrap_err().1,
        "Incorrect username or password."
    );
    assert_eq!(
        f.sign_in_with("alice", PASSWORD).await.unwrap_err(),
        exceeded
    );
    f.advance(2);
    f.sign_in_with("alice", PASSWORD).await.unwrap();
    // A good password starts the count over.
    for _ in 0..4 {
        f.sign_in_with("alice", "Wrong-pass-1").await.unwrap_err();
    }
    f.sign_in_with("alice", PASSWORD).await.unwrap();
}

#[tokio::test]
async fn a_client_secret_requires_the_secret_hash() {
    let f = Fixture::with_client(|b| b.generate_secret(true)).await;
    f.user("alice", &[]).await;
    let secret =
        f.c.describe_user_pool_client()
            .user_pool_id(&f.pool)
            .client_id(&f.client_id)
            .send()
            .await
            .unwrap()
            .user_pool_client()
            .unwrap()
            .client_secret()
            .unwrap()
            .to_owned();
    let call = |hash: Option<String>| {
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .set_auth_parameters(Some(
                [
                    ("USERNAME".to_string(), "alice".to_string()),
                    ("PASSWORD".to_string(), PASSWORD.to_string()),
                ]
                .into_iter()
                .chain(hash.map(|h| ("SECRET_HASH".to_string(), h)))
                .collect(),
            ))
            .send()
    };
    assert_eq!(
        err(call(None).await.unwrap_err()),
        (
            "NotAuthorizedException".into(),
            format!(
                "Client {} is configured with secret but SECRET_HASH was not received",
                f.client_id
            )
        )
    );
    assert_eq!(
        err(call(Some("bm9wZQ==".into())).await.unwrap_err()).1,
        format!("Unable to verify secret hash for client {}", f.client_id)
    );
    let good = ironpool_core::secret_hash::compute(&secret, "alice", &f.client_id);
    let r = call(Some(good)).await.unwrap();
    assert!(r.authentication_result().is_some());
}

#[tokio::test]
async fn new_password_required_for_force_change_password_users() {
    let f = Fixture::new().await;
    // A pool whose schema requires `name`.
    let pool =
        f.c.create_user_pool()
            .pool_name("required")
            .schema(
                SchemaAttributeType::builder()
                    .name("name")
                    .required(true)
                    .mutable(true)
                    .attribute_data_type(
                        aws_sdk_cognitoidentityprovider::types::AttributeDataType::String,
                    )
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
    let client_id =
        f.c.create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("app")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
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
    f.user_with(
        "newbie",
        "Temp-pass-1",
        UserStatusType::ForceChangePassword,
        &[("email", "n@example.com")],
    )
    .await;
    let r =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "newbie")
            .auth_parameters("PASSWORD", "Temp-pass-1")
            .send()
            .await
            .unwrap();
    assert_eq!(
        r.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    assert!(r.authentication_result().is_none());
    let params = r.challenge_parameters().unwrap();
    assert_eq!(params["USER_ID_FOR_SRP"], "newbie");
    assert_eq!(params["requiredAttributes"], r#"["userAttributes.name"]"#);
    assert_eq!(params["userAttributes"], r#"{"email":"n@example.com"}"#);
    let session = r.session().unwrap().to_owned();
    let respond = |password: &str, name: Option<&str>| {
        let mut b =
            f.c.respond_to_auth_challenge()
                .client_id(&f.client_id)
                .challenge_name(ChallengeNameType::NewPasswordRequired)
                .session(&session)
                .challenge_responses("USERNAME", "newbie")
                .challenge_responses("NEW_PASSWORD", password);
        if let Some(n) = name {
            b = b.challenge_responses("userAttributes.name", n);
        }
        b.send()
    };
    let (code, message) = err(respond("short", Some("N")).await.unwrap_err());
    assert_eq!(code, "InvalidPasswordException");
    assert_eq!(
        message,
        "Password did not conform with policy: Password not long enough"
    );
    let (code, message) = err(respond("New-pass-12", None).await.unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Attributes did not conform to the schema: name: The attribute is required\n"
    );
    // That answer used the session up.
    let session2 =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "newbie")
            .auth_parameters("PASSWORD", "Temp-pass-1")
            .send()
            .await
            .unwrap()
            .session()
            .unwrap()
            .to_owned();
    let (code, message) = err(respond("New-pass-12", Some("Newbie")).await.unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "NotAuthorizedException",
            "Invalid session for the user, session is expired."
        )
    );
    let done =
        f.c.respond_to_auth_challenge()
            .client_id(&f.client_id)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(&session2)
            .challenge_responses("USERNAME", "newbie")
            .challenge_responses("NEW_PASSWORD", "New-pass-12")
            .challenge_responses("userAttributes.name", "Newbie")
            .send()
            .await
            .unwrap();
    let (_, id) = decode(done.authentication_result().unwrap().id_token().unwrap());
    assert_eq!(id["name"], "Newbie");
    let stored = f
        .app()
        .store
        .get_user(&f.pool, "newbie")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, UserStatusType::Confirmed);
    f.sign_in_with("newbie", "New-pass-12").await.unwrap();
    assert_eq!(
        f.sign_in_with("newbie", "Temp-pass-1").await.unwrap_err().1,
        "Incorrect username or password."
    );
}
