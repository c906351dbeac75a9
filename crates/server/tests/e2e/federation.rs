//! Signing in through an OIDC identity provider: a second Ironpool is the provider. The user is
//! sent on to its authorization endpoint, signs in on its managed login page, comes back to
//! `/oauth2/idpresponse`, and becomes `Corp_<sub>` (EXTERNAL_PROVIDER, attributes mapped,
//! `identities`) in the first pool, whose code gives tokens as any other.

use crate::oauth_support::{query_param, Browser, OAuth, CALLBACK, LOGOUT};
use crate::signin_support::{decode, PASSWORD};
use aws_sdk_cognitoidentityprovider::types::{IdentityProviderTypeType, OAuthFlowType};

/// The app's pool (`a`) and the provider's (`b`, whose client sends users back to `a`).
async fn pools(secret_given: Option<&str>) -> (OAuth, OAuth) {
    pools_on(crate::harness::test_config(), secret_given).await
}

/// [`pools`], the app's pool on a server of `config`.
async fn pools_on(
    config: ironpool_server::config::Config,
    secret_given: Option<&str>,
) -> (OAuth, OAuth) {
    let a = OAuth::with_config(config, false, |b| b).await;
    let idp_response = format!("{}/oauth2/idpresponse", a.base);
    let b = OAuth::with(true, move |builder| {
        builder.set_callback_urls(Some(vec![idp_response]))
    })
    .await;
    let secret = secret_given.map_or(b.secret.clone().unwrap(), str::to_owned);
    a.f.c
        .create_identity_provider()
        .user_pool_id(&a.f.pool)
        .provider_name("Corp")
        .provider_type(IdentityProviderTypeType::Oidc)
        .provider_details("client_id", &b.f.client_id)
        .provider_details("client_secret", secret)
        .provider_details("authorize_scopes", "openid email profile")
        .provider_details("oidc_issuer", &b.base)
        .provider_details("attributes_request_method", "GET")
        .attribute_mapping("email", "email")
        .attribute_mapping("name", "name")
        .attribute_mapping("username", "sub")
        .send()
        .await
        .unwrap();
    a.f.c
        .update_user_pool_client()
        .user_pool_id(&a.f.pool)
        .client_id(&a.f.client_id)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("profile")
        .callback_urls(CALLBACK)
        .logout_urls(LOGOUT)
        .supported_identity_providers("COGNITO")
        .supported_identity_providers("Corp")
        .send()
        .await
        .unwrap();
    (a, b)
}

#[tokio::test]
async fn a_user_of_an_oidc_provider_signs_in_and_becomes_an_external_provider_user() {
    let (a, b) = pools(None).await;
    let at_provider =
        b.f.user("pat", &[("email", "pat@corp.example"), ("name", "Pat Doe")])
            .await;
    let mut browser = Browser::new();
    let authorize = a.authorize_url(&[
        ("identity_provider", "Corp"),
        ("scope", "openid email profile"),
    ]);
    let first = browser.get(&authorize).await;
    assert_eq!(first.status, 302);
    let to_provider = first.location.unwrap();
    assert!(
        to_provider.starts_with(&format!("{}/oauth2/authorize?", b.base)),
        "{to_provider}"
    );
    assert_eq!(
        query_param(&to_provider, "client_id").as_deref(),
        Some(b.f.client_id.as_str())
    );
    assert_eq!(
        query_param(&to_provider, "redirect_uri"),
        Some(format!("{}/oauth2/idpresponse", a.base))
    );
    assert_eq!(
        query_param(&to_provider, "scope").as_deref(),
        Some("openid email profile")
    );

    let back = browser.sign_in(&to_provider, "pat", PASSWORD).await;
    assert!(
        back.starts_with(&format!("{}/oauth2/idpresponse?code=", a.base)),
        "{back}"
    );
    let (location, _) = browser.follow(&back).await;
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")),
        "{location}"
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some("st4te"));
    let (status, tokens) = a
        .redeem(&query_param(&location, "code").unwrap(), None)
        .await;
    assert_eq!(status, 200, "{tokens}");
    let (_, id) = decode(tokens["id_token"].as_str().unwrap());
    let username = format!("Corp_{}", at_provider.sub);
    assert_eq!(id["cognito:username"], username.as_str());
    assert_eq!(id["email"], "pat@corp.example");
    assert_eq!(id["name"], "Pat Doe");
    assert_eq!(id["identities"][0]["providerName"], "Corp");
    assert_eq!(id["identities"][0]["providerType"], "OIDC");
    assert_eq!(id["identities"][0]["userId"], at_provider.sub.as_str());

    let user =
        a.f.c
            .admin_get_user()
            .user_pool_id(&a.f.pool)
            .username(&username)
            .send()
            .await
            .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "EXTERNAL_PROVIDER");

    // The provider's SSO session makes the next sign-in one round trip; the user is the same.
    let mut again = Browser::new();
    let back = again.sign_in(&authorize, "pat", PASSWORD).await;
    let (location, _) = again.follow(&back).await;
    let (_, tokens) = a
        .redeem(&query_param(&location, "code").unwrap(), None)
        .await;
    assert_eq!(
        decode(tokens["id_token"].as_str().unwrap()).1["sub"],
        id["sub"]
    );
}

#[tokio::test]
async fn a_provider_that_refuses_the_code_exchange_sends_an_error_back_to_the_app() {
    let (a, b) = pools(Some("wrong-secret")).await;
    b.f.user("pat", &[]).await;
    let mut browser = Browser::new();
    let authorize = a.authorize_url(&[("identity_provider", "Corp")]);
    let to_provider = browser.get(&authorize).await.location.unwrap();
    let back = browser.sign_in(&to_provider, "pat", PASSWORD).await;
    let (location, _) = browser.follow(&back).await;
    assert!(
        location.starts_with(&format!("{CALLBACK}?error_description=")),
        "{location}"
    );
    assert_eq!(
        query_param(&location, "error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(
        query_param(&location, "error_description").as_deref(),
        Some("the token endpoint refused the code: invalid_client")
    );
    // The state is single use.
    let replay = browser.get(&back).await;
    assert_eq!(replay.status, 400);
}

#[tokio::test]
async fn a_linked_provider_user_signs_in_as_the_pool_user_until_the_link_is_disabled() {
    let (a, b) = pools(None).await;
    let at_provider = b.f.user("pat", &[("email", "pat@corp.example")]).await;
    let native = a.f.user("patricia", &[]).await;
    let source = |value: &str| {
        aws_sdk_cognitoidentityprovider::types::ProviderUserIdentifierType::builder()
            .provider_name("Corp")
            .provider_attribute_name("Cognito_Subject")
            .provider_attribute_value(value)
            .build()
    };
    let destination = aws_sdk_cognitoidentityprovider::types::ProviderUserIdentifierType::builder()
        .provider_name("Cognito")
        .provider_attribute_value("patricia")
        .build();
    a.f.c
        .admin_link_provider_for_user()
        .user_pool_id(&a.f.pool)
        .destination_user(destination.clone())
        .source_user(source(&at_provider.sub))
        .send()
        .await
        .unwrap();
    let again =
        a.f.c
            .admin_link_provider_for_user()
            .user_pool_id(&a.f.pool)
            .destination_user(destination.clone())
            .source_user(source(&at_provider.sub))
            .send()
            .await;
    assert_eq!(
        crate::harness::err(again.unwrap_err()).0,
        "AliasExistsException"
    );
    let linked =
        a.f.c
            .admin_get_user()
            .user_pool_id(&a.f.pool)
            .username("patricia")
            .send()
            .await
            .unwrap();
    let identities = linked
        .user_attributes()
        .iter()
        .find(|a| a.name() == "identities")
        .and_then(|a| a.value())
        .unwrap()
        .to_owned();
    let identities: serde_json::Value = serde_json::from_str(&identities).unwrap();
    assert_eq!(identities[0]["providerName"], "Corp");
    assert_eq!(identities[0]["userId"], at_provider.sub.as_str());

    let sign_in = |a: &OAuth| {
        let authorize = a.authorize_url(&[("identity_provider", "Corp")]);
        async move {
            let mut browser = Browser::new();
            let back = browser.sign_in(&authorize, "pat", PASSWORD).await;
            let (location, _) = browser.follow(&back).await;
            location
        }
    };
    let location = sign_in(&a).await;
    let (_, tokens) = a
        .redeem(&query_param(&location, "code").unwrap(), None)
        .await;
    let (_, id) = decode(tokens["id_token"].as_str().unwrap());
    assert_eq!(
        id["cognito:username"], "patricia",
        "the link signs in as the pool's user"
    );
    assert_eq!(id["sub"], native.sub.as_str());

    a.f.c
        .admin_disable_provider_for_user()
        .user_pool_id(&a.f.pool)
        .user(source(&at_provider.sub))
        .send()
        .await
        .unwrap();
    let location = sign_in(&a).await;
    let (_, tokens) = a
        .redeem(&query_param(&location, "code").unwrap(), None)
        .await;
    let (_, id) = decode(tokens["id_token"].as_str().unwrap());
    assert_eq!(
        id["cognito:username"],
        format!("Corp_{}", at_provider.sub).as_str()
    );
    // A provider user that signed in on its own cannot be merged, and disabling deletes it.
    let merge =
        a.f.c
            .admin_link_provider_for_user()
            .user_pool_id(&a.f.pool)
            .destination_user(destination)
            .source_user(source(&at_provider.sub))
            .send()
            .await;
    assert_eq!(
        crate::harness::err(merge.unwrap_err()),
        (
            "InvalidParameterException".into(),
            "Merging is not currently supported, provide a SourceUser that has not been used to sign into the user pool.".into()
        )
    );
    a.f.c
        .admin_disable_provider_for_user()
        .user_pool_id(&a.f.pool)
        .user(source(&at_provider.sub))
        .send()
        .await
        .unwrap();
    let gone =
        a.f.c
            .admin_get_user()
            .user_pool_id(&a.f.pool)
            .username(format!("Corp_{}", at_provider.sub))
            .send()
            .await;
    assert_eq!(
        crate::harness::err(gone.unwrap_err()).0,
        "UserNotFoundException"
    );
}

#[tokio::test]
async fn the_sign_in_page_offers_a_button_for_each_provider_of_the_client() {
    let (a, b) = pools(None).await;
    let mut browser = Browser::new();
    let (url, page) = browser.follow(&a.authorize_url(&[])).await;
    assert!(page.body.contains("<form"), "{}", page.body);
    let button = crate::oauth_support::html_unescape(
        page.body
            .split("class=\"idpButton-customizable\" href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a provider button"),
    );
    assert!(
        page.body.contains(">Continue with Corp</a>"),
        "{}",
        page.body
    );
    assert_eq!(
        query_param(&button, "identity_provider").as_deref(),
        Some("Corp")
    );
    assert_eq!(query_param(&button, "state").as_deref(), Some("st4te"));
    let pressed = browser
        .get(
            url::Url::parse(&url)
                .unwrap()
                .join(&button)
                .unwrap()
                .as_str(),
        )
        .await;
    assert_eq!(pressed.status, 302, "{}", pressed.body);
    assert!(
        pressed
            .location
            .as_deref()
            .unwrap()
            .starts_with(&format!("{}/oauth2/authorize?", b.base)),
        "{:?}",
        pressed.location
    );

    // Without COGNITO and with two providers: only the buttons, in the page's language.
    a.f.c
        .create_identity_provider()
        .user_pool_id(&a.f.pool)
        .provider_name("Other")
        .provider_type(IdentityProviderTypeType::Oidc)
        .provider_details("client_id", "other-client")
        .provider_details("authorize_scopes", "openid")
        .provider_details("oidc_issuer", "http://other.localhost")
        .provider_details("authorize_url", "http://other.localhost/authorize")
        .provider_details("token_url", "http://other.localhost/token")
        .provider_details("jwks_uri", "http://other.localhost/jwks")
        .provider_details("attributes_url", "http://other.localhost/userinfo")
        .provider_details("attributes_request_method", "GET")
        .send()
        .await
        .unwrap();
    a.f.c
        .update_user_pool_domain()
        .user_pool_id(&a.f.pool)
        .domain(&a.domain)
        .managed_login_version(2)
        .send()
        .await
        .unwrap();
    a.f.c
        .update_user_pool_client()
        .user_pool_id(&a.f.pool)
        .client_id(&a.f.client_id)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .callback_urls(CALLBACK)
        .supported_identity_providers("Corp")
        .supported_identity_providers("Other")
        .send()
        .await
        .unwrap();
    let (_, page) = Browser::new()
        .follow(&a.authorize_url(&[("lang", "fr")]))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(">Continuer avec Corp</a>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(">Continuer avec Other</a>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<form"), "{}", page.body);
    assert!(!page.body.contains("name=\"password\""), "{}", page.body);
}

#[tokio::test]
async fn a_provider_may_post_its_answer_as_sign_in_with_apple_does() {
    let (a, b) = pools(None).await;
    let at_provider = b.f.user("quinn", &[("email", "quinn@corp.example")]).await;
    let mut browser = Browser::new();
    let first = browser
        .get(&a.authorize_url(&[("identity_provider", "Corp")]))
        .await;
    let back = browser
        .sign_in(first.location.as_deref().unwrap(), "quinn", PASSWORD)
        .await;
    let (code, state) = (
        query_param(&back, "code").unwrap(),
        query_param(&back, "state").unwrap(),
    );
    let idp_response = format!("{}/oauth2/idpresponse", a.base);
    let answer = browser
        .post(&idp_response, &[("code", &code), ("state", &state)])
        .await;
    assert_eq!(answer.status, 302, "{}", answer.body);
    let location = answer.location.unwrap();
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")),
        "{location}"
    );
    let (status, tokens) = a
        .redeem(&query_param(&location, "code").unwrap(), None)
        .await;
    assert_eq!(status, 200, "{tokens}");
    let (_, id) = decode(tokens["id_token"].as_str().unwrap());
    assert_eq!(
        id["cognito:username"],
        format!("Corp_{}", at_provider.sub).as_str()
    );
    // The state was used up: posting it again is refused.
    let again = browser
        .post(&idp_response, &[("code", &code), ("state", &state)])
        .await;
    assert_eq!(again.status, 400, "{}", again.body);
}

#[tokio::test]
async fn an_inbound_federation_function_transforms_what_the_provider_told() {
    use aws_sdk_cognitoidentityprovider::types::{
        InboundFederationLambdaType, InboundFederationLambdaVersionType, LambdaConfigType,
    };
    let Some(l) = crate::lambdas::lambdas() else {
        return;
    };
    let f = l
        .function(&crate::triggers::answering(
            r#"{userAttributesToMap: {
                sub: event.request.attributes.idToken.sub,
                email: event.request.attributes.userInfo.email.toUpperCase(),
                name: "Via " + event.request.providerName}}"#,
        ))
        .await;
    let (a, b) = pools_on(l.config(), None).await;
    a.f.c
        .update_user_pool()
        .user_pool_id(&a.f.pool)
        .lambda_config(
            LambdaConfigType::builder()
                .inbound_federation(
                    InboundFederationLambdaType::builder()
                        .lambda_arn(&f)
                        .lambda_version(InboundFederationLambdaVersionType::V10)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let at_provider =
        b.f.user("rae", &[("email", "rae@corp.example"), ("name", "Rae Roe")])
            .await;
    let mut browser = Browser::new();
    let first = browser
        .get(&a.authorize_url(&[
            ("identity_provider", "Corp"),
            ("scope", "openid email profile"),
        ]))
        .await;
    let back = browser
        .sign_in(first.location.as_deref().unwrap(), "rae", PASSWORD)
        .await;
    let (location, _) = browser.follow(&back).await;
    let (status, tokens) = a
        .redeem(&query_param(&location, "code").expect("a code"), None)
        .await;
    assert_eq!(status, 200, "{tokens}");
    let (_, id) = decode(tokens["id_token"].as_str().unwrap());
    let username = format!("Corp_{}", at_provider.sub);
    assert_eq!(id["cognito:username"], username.as_str());
    assert_eq!(id["email"], "RAE@CORP.EXAMPLE");
    assert_eq!(id["name"], "Via Corp");

    let events = l.events(&f).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event["triggerSource"], "InboundFederation_ExternalProvider");
    assert_eq!(event["version"], "1");
    assert_eq!(event["userPoolId"], a.f.pool.as_str());
    assert_eq!(event["userName"], username.as_str());
    assert_eq!(event["callerContext"]["clientId"], a.f.client_id.as_str());
    let request = &event["request"];
    assert_eq!(request["providerName"], "Corp");
    assert_eq!(request["providerType"], "OIDC");
    let told = &request["attributes"];
    assert_eq!(told["idToken"]["sub"], at_provider.sub.as_str());
    assert_eq!(told["idToken"]["email"], "rae@corp.example");
    assert!(told["idToken"]["exp"].is_string(), "{told}");
    assert_eq!(told["userInfo"]["name"], "Rae Roe");
    assert_eq!(told["tokenResponse"]["token_type"], "Bearer");
    assert!(told["tokenResponse"]["access_token"].is_string(), "{told}");
    assert!(told.get("samlResponse").is_none(), "{told}");
}

#[tokio::test]
async fn a_providers_id_token_is_exchanged_for_a_token_of_its_user_in_the_pool() {
    use crate::m2m::{get_derived_token, worker};
    use serde_json::json;
    let (a, b) = pools(None).await;
    let at_provider =
        b.f.user("sol", &[("email", "sol@corp.example"), ("name", "Sol Ray")])
            .await;
    // The user's ID token from the provider, for the client the pool is at the provider.
    let back_to_pool = format!("{}/oauth2/idpresponse", a.base);
    let authorize = b.authorize_url(&[
        ("scope", "openid email profile"),
        ("redirect_uri", &back_to_pool),
    ]);
    let location = Browser::new().sign_in(&authorize, "sol", PASSWORD).await;
    let code = query_param(&location, "code").expect("a code");
    let (_, tokens) = b
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &back_to_pool),
            ("client_id", &b.f.client_id),
        ])
        .await;
    let id_token = tokens["id_token"].as_str().unwrap().to_owned();
    let (id, secret) = worker(&a, &["ALLOW_TOKEN_EXCHANGE_IMPERSONATION"]).await;
    let exchange = |token: &str, kind: &str, provider: &str| {
        json!({"ClientId": id, "ClientSecret": secret, "SubjectToken": token,
            "SubjectTokenType": kind, "SubjectTokenProviderName": provider,
            "Scopes": ["orders/read"]})
    };

    let (status, body) = get_derived_token(&a, exchange(&id_token, "ID_TOKEN", "Corp")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Scopes"], json!(["orders/read"]));
    let derived = decode(body["IssuedToken"].as_str().unwrap()).1;
    let username = format!("Corp_{}", at_provider.sub);
    assert_eq!(derived["username"], username.as_str());
    assert_eq!(derived["client_id"], id.as_str());
    assert_eq!(derived["scope"], "orders/read");
    assert_eq!(derived["token_use"], "access");
    let user =
        a.f.c
            .admin_get_user()
            .user_pool_id(&a.f.pool)
            .username(&username)
            .send()
            .await
            .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "EXTERNAL_PROVIDER");
    let sub = user
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value())
        .unwrap();
    assert_eq!(derived["sub"], sub);
    assert_eq!(
        user.user_attributes()
            .iter()
            .find(|a| a.name() == "email")
            .and_then(|a| a.value()),
        Some("sol@corp.example")
    );

    // A token whose content was changed, one of no provider of the pool, or a SAML2 subject.
    let (head, rest) = id_token.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let mut claims = decode(&id_token).1;
    claims["sub"] = json!("someone-else");
    let forged = format!(
        "{head}.{}.{signature}",
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            claims.to_string()
        )
    );
    let (status, body) = get_derived_token(&a, exchange(&forged, "ID_TOKEN", "Corp")).await;
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("NotAuthorizedException"))
    );
    assert_eq!(
        body["message"],
        "Invalid SubjectToken: the ID token's signature does not verify"
    );
    let (status, body) = get_derived_token(&a, exchange(&id_token, "ID_TOKEN", "Nobody")).await;
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("InvalidParameterException")),
        "{body}"
    );
    let (status, body) = get_derived_token(&a, exchange(&id_token, "SAML2", "Corp")).await;
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("InvalidParameterException")),
        "{body}"
    );
    // The pool's own tokens are still told apart: the provider's token without its name.
    let (status, body) = get_derived_token(
        &a,
        json!({"ClientId": id, "ClientSecret": secret, "SubjectToken": id_token,
            "SubjectTokenType": "ID_TOKEN"}),
    )
    .await;
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("NotAuthorizedException")),
        "{body}"
    );
}
