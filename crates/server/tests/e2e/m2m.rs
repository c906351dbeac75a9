//! Tokens for services: GetClientToken and the token endpoint's client_credentials grant (the
//! app client's own access token, resource-server scopes only), GetDerivedToken and the
//! token-exchange grant (RFC 8693), and the API's refusal of tokens without
//! `aws.cognito.signin.user.admin`.

use crate::harness::err;
use crate::oauth_support::OAuth;
use crate::signin_support::decode;
use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, OAuthFlowType, ResourceServerScopeType,
};
use serde_json::{json, Value};

const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS: &str = "urn:ietf:params:oauth:token-type:access_token";

/// The OAuth fixture plus a resource server `orders` (read, write) and a worker client with a
/// secret, client_credentials and `flows`: (client id, secret).
pub(crate) async fn worker(o: &OAuth, flows: &[&str]) -> (String, String) {
    let scope = |name: &str| {
        ResourceServerScopeType::builder()
            .scope_name(name)
            .scope_description(name)
            .build()
            .unwrap()
    };
    if o.f
        .c
        .describe_resource_server()
        .user_pool_id(&o.f.pool)
        .identifier("orders")
        .send()
        .await
        .is_err()
    {
        o.f.c
            .create_resource_server()
            .user_pool_id(&o.f.pool)
            .identifier("orders")
            .name("Orders")
            .scopes(scope("read"))
            .scopes(scope("write"))
            .send()
            .await
            .unwrap();
    }
    let mut create =
        o.f.c
            .create_user_pool_client()
            .user_pool_id(&o.f.pool)
            .client_name("worker")
            .generate_secret(true)
            .allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
            .allowed_o_auth_scopes("orders/read")
            .allowed_o_auth_scopes("orders/write");
    for flow in flows {
        create = create.explicit_auth_flows(ExplicitAuthFlowsType::from(*flow));
    }
    let client = create.send().await.unwrap();
    let client = client.user_pool_client().unwrap();
    (
        client.client_id().unwrap().to_owned(),
        client.client_secret().unwrap().to_owned(),
    )
}

async fn token_endpoint(o: &OAuth, id: &str, secret: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/oauth2/token", o.base))
        .basic_auth(id, Some(secret))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn machine_tokens_come_from_get_client_token_and_the_client_credentials_grant() {
    let o = OAuth::new().await;
    let (id, secret) = worker(&o, &["ALLOW_CLIENT_TOKEN_AUTH"]).await;

    let answer =
        o.f.c
            .get_client_token()
            .client_id(&id)
            .secret(&secret)
            .send()
            .await
            .unwrap();
    let result = answer.client_authentication_result().unwrap();
    assert_eq!(result.token_type(), Some("Bearer"));
    assert_eq!(result.expires_in(), 3600);
    let (header, claims) = decode(result.access_token().unwrap());
    assert_eq!(header["alg"], "RS256");
    assert_eq!(claims["sub"], id.as_str());
    assert_eq!(claims["client_id"], id.as_str());
    assert_eq!(claims["token_use"], "access");
    assert_eq!(claims["scope"], "orders/read orders/write");
    assert_eq!(claims["version"], 2);
    assert_eq!(claims["iss"], o.base.as_str());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
    assert!(claims.get("username").is_none() && claims.get("origin_jti").is_none());

    let narrowed =
        o.f.c
            .get_client_token()
            .client_id(&id)
            .secret(&secret)
            .scopes("orders/read")
            .send()
            .await
            .unwrap();
    let token = narrowed
        .client_authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    assert_eq!(decode(&token).1["scope"], "orders/read");
    // A machine's token is no user's: the API refuses it.
    let refused =
        o.f.c
            .get_user()
            .access_token(&token)
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(refused),
        (
            "NotAuthorizedException".into(),
            "Access Token does not have required scopes".into()
        )
    );

    // A scope the client is not allowed, a wrong secret, a client without the flow.
    let e =
        o.f.c
            .get_client_token()
            .client_id(&id)
            .secret(&secret)
            .scopes("api/read")
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Invalid scope requested: api/read".into()
        )
    );
    let e =
        o.f.c
            .get_client_token()
            .client_id(&id)
            .secret("wrong-secret-of-the-right-length".replace('-', "x"))
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(e).0, "NotAuthorizedException");
    let (other, other_secret) = worker(&o, &[]).await;
    let e =
        o.f.c
            .get_client_token()
            .client_id(&other)
            .secret(&other_secret)
            .send()
            .await
            .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "CLIENT_TOKEN_AUTH flow not enabled for this client".into()
        )
    );

    // ALLOW_CLIENT_TOKEN_AUTH is the only flow, and needs a secret.
    let mixed =
        o.f.c
            .create_user_pool_client()
            .user_pool_id(&o.f.pool)
            .client_name("mixed")
            .generate_secret(true)
            .explicit_auth_flows(ExplicitAuthFlowsType::from("ALLOW_CLIENT_TOKEN_AUTH"))
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(mixed).0, "InvalidParameterException");
    let public =
        o.f.c
            .create_user_pool_client()
            .user_pool_id(&o.f.pool)
            .client_name("public")
            .explicit_auth_flows(ExplicitAuthFlowsType::from("ALLOW_CLIENT_TOKEN_AUTH"))
            .send()
            .await
            .unwrap_err();
    assert_eq!(err(public).0, "InvalidParameterException");

    // The token endpoint: the same token, scopes checked.
    let (status, body) = token_endpoint(
        &o,
        &id,
        &secret,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "orders/write"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert!(body.get("refresh_token").is_none() && body.get("id_token").is_none());
    let claims = decode(body["access_token"].as_str().unwrap()).1;
    assert_eq!(claims["scope"], "orders/write");
    assert_eq!(claims["sub"], id.as_str());
    let (_, body) = token_endpoint(&o, &id, &secret, &[("grant_type", "client_credentials")]).await;
    assert_eq!(
        decode(body["access_token"].as_str().unwrap()).1["scope"],
        "orders/read orders/write"
    );
    for scope in ["openid", "api/read", "orders/delete"] {
        let (status, body) = token_endpoint(
            &o,
            &id,
            &secret,
            &[("grant_type", "client_credentials"), ("scope", scope)],
        )
        .await;
        assert_eq!((status, body), (400, json!({"error": "invalid_scope"})));
    }
    let (status, body) =
        token_endpoint(&o, &id, "wrong", &[("grant_type", "client_credentials")]).await;
    assert_eq!((status, body), (400, json!({"error": "invalid_client"})));
    // The public code-flow client may not use the grant.
    let (status, body) = o
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &o.f.client_id),
        ])
        .await;
    assert_eq!((status, body), (400, json!({"error": "invalid_client"})));
}

/// GetDerivedToken as the wire sends it (no SDK release has the operation yet).
pub(crate) async fn get_derived_token(o: &OAuth, input: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(o.f.url())
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.GetDerivedToken",
        )
        .body(input.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// The OAuth fixture whose app client may also ask for `api/read`, a user `dana` signed in
/// through the authorization server with it, and a service: an M2M client allowed to exchange
/// tokens, with its own token (`orders/read`) as the actor.
pub(crate) struct Exchange {
    pub o: OAuth,
    pub user_sub: String,
    pub subject: String,
    pub id: String,
    pub secret: String,
    pub actor: String,
}

pub(crate) async fn exchange_setup() -> Exchange {
    let o = OAuth::new().await;
    // The app's client may now ask for the fixture's resource server's scope.
    o.f.c
        .update_user_pool_client()
        .user_pool_id(&o.f.pool)
        .client_id(&o.f.client_id)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("api/read")
        .allowed_o_auth_scopes("aws.cognito.signin.user.admin")
        .callback_urls(crate::oauth_support::CALLBACK)
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap();
    let user = o.f.user("dana", &[("email", "dana@example.com")]).await;
    // The user's token from the authorization server, with a resource server's scope.
    let code = o
        .sign_in_for_code(
            &mut crate::oauth_support::Browser::new(),
            "dana",
            &[("scope", "openid api/read aws.cognito.signin.user.admin")],
        )
        .await;
    let (_, tokens) = o.redeem(&code, None).await;
    let subject = tokens["access_token"].as_str().unwrap().to_owned();
    // The service: an M2M client allowed to exchange tokens, its own token the actor.
    let (id, secret) = worker(
        &o,
        &[
            "ALLOW_CLIENT_TOKEN_AUTH",
            "ALLOW_TOKEN_EXCHANGE_DELEGATION",
            "ALLOW_TOKEN_EXCHANGE_IMPERSONATION",
        ],
    )
    .await;
    o.f.c
        .update_user_pool_client()
        .user_pool_id(&o.f.pool)
        .client_id(&id)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes("orders/read")
        .allowed_o_auth_scopes("api/read")
        .explicit_auth_flows(ExplicitAuthFlowsType::from("ALLOW_CLIENT_TOKEN_AUTH"))
        .explicit_auth_flows(ExplicitAuthFlowsType::from(
            "ALLOW_TOKEN_EXCHANGE_DELEGATION",
        ))
        .explicit_auth_flows(ExplicitAuthFlowsType::from(
            "ALLOW_TOKEN_EXCHANGE_IMPERSONATION",
        ))
        .send()
        .await
        .unwrap();
    let actor =
        o.f.c
            .get_client_token()
            .client_id(&id)
            .secret(&secret)
            .scopes("orders/read")
            .send()
            .await
            .unwrap()
            .client_authentication_result()
            .unwrap()
            .access_token()
            .unwrap()
            .to_owned();

    Exchange {
        o,
        user_sub: user.sub.clone(),
        subject,
        id,
        secret,
        actor,
    }
}

#[tokio::test]
async fn token_exchange_narrows_a_users_token_and_names_the_actor() {
    let Exchange {
        o,
        user_sub,
        subject,
        id,
        secret,
        actor,
    } = exchange_setup().await;
    // Impersonation through the API: bound to the resource server, its scopes only.
    let (status, body) = get_derived_token(
        &o,
        json!({"ClientId": id, "ClientSecret": secret, "SubjectToken": subject,
            "SubjectTokenType": "ACCESS_TOKEN", "Resources": ["api"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["IssuedTokenType"], "ACCESS_TOKEN");
    assert_eq!(body["TokenType"], "Bearer");
    assert_eq!(body["ExpiresIn"], 3600);
    assert_eq!(body["Scopes"], json!(["api/read"]));
    let derived = decode(body["IssuedToken"].as_str().unwrap()).1;
    assert_eq!(derived["sub"], user_sub.as_str());
    assert_eq!(derived["username"], "dana");
    assert_eq!(derived["client_id"], id.as_str());
    assert_eq!(derived["aud"], "api");
    assert_eq!(derived["scope"], "api/read");
    assert_eq!(derived["origin_jti"], decode(&subject).1["origin_jti"]);
    assert!(derived.get("act").is_none());
    assert!(body.get("RefreshToken").is_none());

    // Delegation at the token endpoint: the actor named in `act`; an ID token on request.
    let (status, body) = token_endpoint(
        &o,
        &id,
        &secret,
        &[
            ("grant_type", EXCHANGE),
            ("subject_token", &subject),
            ("subject_token_type", ACCESS),
            ("actor_token", &actor),
            ("actor_token_type", ACCESS),
            ("audience", "https://backend.example.com"),
            ("scope", "api/read openid"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["issued_token_type"], ACCESS);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "api/read", "openid is not the client's");
    let delegated = decode(body["access_token"].as_str().unwrap()).1;
    assert_eq!(delegated["act"], json!({"sub": id, "client_id": id}));
    assert_eq!(delegated["aud"], "https://backend.example.com");
    let (status, body) = token_endpoint(
        &o,
        &id,
        &secret,
        &[
            ("grant_type", EXCHANGE),
            ("subject_token", &subject),
            ("subject_token_type", ACCESS),
            (
                "requested_token_type",
                "urn:ietf:params:oauth:token-type:id_token",
            ),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "N_A");
    let id_token = decode(body["access_token"].as_str().unwrap()).1;
    assert_eq!(id_token["token_use"], "id");
    assert_eq!(id_token["aud"], id.as_str());
    assert_eq!(id_token["email"], "dana@example.com");

    // Refusals: a scope outside the subject's, a forged subject, both audience kinds, the
    // flow missing (the fixture's own client).
    let (_, body) = token_endpoint(
        &o,
        &id,
        &secret,
        &[
            ("grant_type", EXCHANGE),
            ("subject_token", &subject),
            ("subject_token_type", ACCESS),
            ("scope", "orders/read"),
        ],
    )
    .await;
    assert_eq!(body, json!({"error": "invalid_scope"}));
    let forged = format!("{}x", &subject[..subject.len() - 1]);
    let (status, body) = get_derived_token(
        &o,
        json!({"ClientId": id, "ClientSecret": secret, "SubjectToken": forged,
            "SubjectTokenType": "ACCESS_TOKEN"}),
    )
    .await;
    assert_eq!(
        (status, &body["__type"]),
        (400, &json!("NotAuthorizedException")),
        "{body}"
    );
    let (_, body) = get_derived_token(
        &o,
        json!({"ClientId": id, "ClientSecret": secret, "SubjectToken": subject,
            "SubjectTokenType": "ACCESS_TOKEN", "Resources": ["api"], "Audiences": ["x"]}),
    )
    .await;
    assert_eq!(body["__type"], "InvalidParameterException");
    let (_, body) = get_derived_token(
        &o,
        json!({"ClientId": o.f.client_id, "SubjectToken": subject,
            "SubjectTokenType": "ACCESS_TOKEN"}),
    )
    .await;
    assert_eq!(
        (&body["__type"], &body["message"]),
        (
            &json!("InvalidParameterException"),
            &json!("TOKEN_EXCHANGE_IMPERSONATION flow not enabled for this client")
        )
    );
    // Revoking the user's sign-in revokes what was derived from it.
    o.f.c
        .admin_user_global_sign_out()
        .user_pool_id(&o.f.pool)
        .username("dana")
        .send()
        .await
        .unwrap();
    let (_, body) = get_derived_token(
        &o,
        json!({"ClientId": id, "ClientSecret": secret, "SubjectToken": subject,
            "SubjectTokenType": "ACCESS_TOKEN"}),
    )
    .await;
    assert_eq!(body["message"], "Access Token has been revoked");
}
