//! `--issuer-style aws`: tokens carry Cognito's issuer while the keys and the discovery document
//! stay served here; the server itself accepts only tokens of the issuer it is configured with.

use crate::harness::{client_with, err, pool, TestServer};
use crate::signin_support::decode;
use crate::users::{attr, PW};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, MessageActionType,
};
use aws_sdk_cognitoidentityprovider::Client;
use ironpool_server::config::IssuerStyle;
use ironpool_server::Config;
use serde_json::Value;

pub(crate) async fn server(config: Config, style: IssuerStyle) -> TestServer {
    TestServer::with_config(Config {
        issuer_style: style,
        ..config
    })
    .await
}

/// A pool, an app client and a confirmed user "alice"; (pool id, client id).
pub(crate) async fn pool_client_user(c: &Client) -> (String, String) {
    let p = pool(c).await;
    let client = client_with(c, &p, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
    })
    .await;
    c.admin_create_user()
        .user_pool_id(&p)
        .username("alice")
        .user_attributes(attr("email", "alice@example.com"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    c.admin_set_user_password()
        .user_pool_id(&p)
        .username("alice")
        .password(PW)
        .permanent(true)
        .send()
        .await
        .unwrap();
    (p, client)
}

/// (access token, ID token) of alice.
pub(crate) async fn sign_in(c: &Client, p: &str, client: &str) -> (String, String) {
    let out = c
        .admin_initiate_auth()
        .user_pool_id(p)
        .client_id(client)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PW)
        .send()
        .await
        .unwrap();
    let tokens = out.authentication_result().unwrap();
    (
        tokens.access_token().unwrap().to_owned(),
        tokens.id_token().unwrap().to_owned(),
    )
}

async fn get_json(url: &str) -> Value {
    let resp = reqwest::get(url).await.unwrap();
    assert_eq!(resp.status(), 200, "{url}");
    resp.json().await.unwrap()
}

#[tokio::test]
async fn aws_style_tokens_carry_cognitos_issuer_and_the_keys_stay_here() {
    let s = server(crate::harness::test_config(), IssuerStyle::Aws).await;
    let c = s.client();
    let (p, client) = pool_client_user(&c).await;
    let (access, id) = sign_in(&c, &p, &client).await;
    let iss = format!("https://cognito-idp.us-east-1.amazonaws.com/{p}");
    let (header, access_claims) = decode(&access);
    assert_eq!(access_claims["iss"], iss.as_str());
    assert_eq!(decode(&id).1["iss"], iss.as_str());

    let discovery = get_json(&format!("{}/{p}/.well-known/openid-configuration", s.url())).await;
    assert_eq!(discovery["issuer"], iss.as_str());
    let jwks_uri = format!("{}/{p}/.well-known/jwks.json", s.url());
    assert_eq!(discovery["jwks_uri"], jwks_uri.as_str());
    let jwks = get_json(&jwks_uri).await;
    let kids: Vec<&Value> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| &k["kid"])
        .collect();
    assert!(kids.contains(&&header["kid"]), "{jwks}");

    let user = c.get_user().access_token(&access).send().await.unwrap();
    assert_eq!(user.username(), "alice");
}

#[tokio::test]
async fn the_default_style_keeps_the_public_url_issuer() {
    let s = TestServer::start().await;
    let c = s.client();
    let (p, client) = pool_client_user(&c).await;
    let (access, _) = sign_in(&c, &p, &client).await;
    let iss = format!("{}/{p}", s.url());
    assert_eq!(decode(&access).1["iss"], iss.as_str());
    let discovery = get_json(&format!("{iss}/.well-known/openid-configuration")).await;
    assert_eq!(discovery["issuer"], iss.as_str());
    assert_eq!(
        discovery["jwks_uri"],
        format!("{iss}/.well-known/jwks.json").as_str()
    );
}

/// One store, served in turn with each style: a token is accepted only by a server whose issuer
/// is the token's.
#[tokio::test]
async fn only_tokens_of_the_configured_issuer_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        memory: false,
        data_dir: dir.path().to_owned(),
        public_url: Some("http://ironpool.test".into()),
        ..crate::harness::test_config()
    };
    let a = server(config.clone(), IssuerStyle::PublicUrl).await;
    let c = a.client();
    let (p, client) = pool_client_user(&c).await;
    let (plain, _) = sign_in(&c, &p, &client).await;
    a.server.stop().await;

    let b = server(config.clone(), IssuerStyle::Aws).await;
    let c = b.client();
    let e = c.get_user().access_token(&plain).send().await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "NotAuthorizedException".into(),
            "Invalid Access Token".into()
        )
    );
    let (aws, _) = sign_in(&c, &p, &client).await;
    c.get_user().access_token(&aws).send().await.unwrap();
    b.server.stop().await;

    let again = server(config, IssuerStyle::PublicUrl).await;
    let c = again.client();
    let e = c.get_user().access_token(&aws).send().await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "NotAuthorizedException".into(),
            "Invalid Access Token".into()
        )
    );
    c.get_user().access_token(&plain).send().await.unwrap();
}
