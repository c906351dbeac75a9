//! App clients and client secrets through the SDK: defaults, every validation rule with its
//! exact error, replace-on-update, paging, secret rotation.

use crate::harness::{err, pool_with, TestServer};
use aws_sdk_cognitoidentityprovider::types::{
    AnalyticsConfigurationType, ExplicitAuthFlowsType, OAuthFlowType,
    PreventUserExistenceErrorTypes, SchemaAttributeType, TimeUnitsType, TokenValidityUnitsType,
};
use aws_sdk_cognitoidentityprovider::Client;
use ironpool_store::{Kind, ResourcesExt};

async fn pool(c: &Client) -> String {
    pool_with(c, |b| {
        b.schema(
            SchemaAttributeType::builder()
                .name("tier")
                .attribute_data_type(
                    aws_sdk_cognitoidentityprovider::types::AttributeDataType::String,
                )
                .build(),
        )
    })
    .await
}

#[tokio::test]
async fn create_applies_cognito_defaults_field_by_field() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool_id = pool(&c).await;
    let created = c
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .send()
        .await
        .unwrap();
    let client = created.user_pool_client().unwrap();
    let id = client.client_id().unwrap();
    assert_eq!(id.len(), 26);
    assert!(id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    assert_eq!(client.user_pool_id(), Some(pool_id.as_str()));
    assert_eq!(client.client_name(), Some("web"));
    assert_eq!(client.client_secret(), None);
    assert_eq!(client.refresh_token_validity(), 30);
    assert_eq!(client.access_token_validity(), None);
    assert_eq!(client.id_token_validity(), None);
    assert_eq!(
        client.token_validity_units(),
        Some(&TokenValidityUnitsType::builder().build())
    );
    assert!(client.explicit_auth_flows().is_empty());
    assert!(client.read_attributes().is_empty());
    assert!(client.write_attributes().is_empty());
    assert!(client.callback_urls().is_empty());
    assert_eq!(client.allowed_o_auth_flows_user_pool_client(), Some(false));
    assert_eq!(
        client.prevent_user_existence_errors(),
        Some(&PreventUserExistenceErrorTypes::Legacy)
    );
    assert_eq!(client.enable_token_revocation(), Some(true));
    assert_eq!(
        client.enable_propagate_additional_user_context_data(),
        Some(false)
    );
    assert_eq!(client.auth_session_validity(), Some(3));
    assert!(client.creation_date().is_some());
    assert_eq!(client.creation_date(), client.last_modified_date());

    let described = c
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(described.user_pool_client(), Some(client));
}

#[tokio::test]
async fn generate_secret_returns_a_cognito_shaped_secret() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool_id = pool(&c).await;
    let created = c
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("backend")
        .generate_secret(true)
        .send()
        .await
        .unwrap();
    let client = created.user_pool_client().unwrap();
    let secret = client.client_secret().unwrap();
    assert_eq!(secret.len(), 51);
    assert!(secret
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    let described = c
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(client.client_id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool_client().unwrap().client_secret(),
        Some(secret)
    );
}

#[tokio::test]
async fn token_validity_is_checked_in_its_unit() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool_id = pool(&c).await;
    let units = |a, i, r| {
        TokenValidityUnitsType::builder()
            .access_token(a)
            .id_token(i)
            .refresh_token(r)
            .build()
    };
    let ok = c
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("units")
        .access_token_validity(5)
        .id_token_validity(1440)
        .refresh_token_validity(60)
        .token_validity_units(units(
            TimeUnitsType::Minutes,
            TimeUnitsType::Minutes,
            TimeUnitsType::Minutes,
        ))
        .send()
        .await
        .unwrap();
    let client = ok.user_pool_client().unwrap();
    assert_eq!(client.access_token_validity(), Some(5));
    assert_eq!(client.id_token_validity(), Some(1440));
    assert_eq!(client.refresh_token_validity(), 60);
    assert_eq!(
        client.token_validity_units().unwrap().refresh_token(),
        Some(&TimeUnitsType::Minutes)
    );

    // Hours by default for access and ID tokens, days for refresh tokens.
    for (access, id, refresh, u) in [
        (Some(25), None, None, None),
        (None, Some(25), None, None),
        (
            Some(4),
            None,
            None,
            Some(units(
                TimeUnitsType::Minutes,
                TimeUnitsType::Hours,
                TimeUnitsType::Days,
            )),
        ),
        (None, None, Some(3651), None),
        (
            None,
            None,
            Some(59),
            Some(units(
                TimeUnitsType::Hours,
                TimeUnitsType::Hours,
                TimeUnitsType::Minutes,
            )),
        ),
        (
            Some(1),
            None,
            Some(36500),
            Some(units(
                TimeUnitsType::Days,
                TimeUnitsType::Days,
                TimeUnitsType::Days,
            )),
        ),
    ] {
        let e = c
            .create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name("bad")
            .set_access_token_validity(access)
            .set_id_token_validity(id)
            .set_refresh_token_validity(refresh)
            .set_token_validity_units(u)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            err(e),
            (
                "InvalidParameterException".into(),
                "Invalid range for token validity.".into()
            ),
            "{access:?} {id:?} {refresh:?}"
        );
    }
}

#[tokio::test]
async fn explicit_auth_flows_do_not_mix_legacy_and_allow_values() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool_id = pool(&c).await;
    let e = c
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("mixed")
        .explicit_auth_flows(ExplicitAuthFlowsType::UserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Explicit auth flows cannot mix legacy values (ADMIN_NO_SRP_AUTH, \
             CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH) with ALLOW_ values."
                .into()
        )
    );
    let ok = c
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("new")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ok.user_pool_client().unwrap().explicit_auth_flows(),
        &[
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth
        ]
    );
}

#[tokio::test]
async fn read_and_write_attributes_must_be_in_the_schema() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool_id = pool(&c).await;
    let ok = c
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("attrs")
        .read_attributes("email")
        .read_attributes("custom:tier")
        .write_attributes("email")
        .write_attributes("custom:tier")
        .send()
        .await
        .unwrap();
    let client = ok.user_pool_client().unwrap();
    assert_eq!(client.read_attributes(), &["email", "custom:tier"]);
    assert_eq!(client.write_attributes(), &["email", "custom:tier"]);
    let id = client.client_id().unwrap();

    let e = c
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("attrs")
        .read_attributes("custom:nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Invalid read attributes specified while creating a client".into()
        )
    );
    let e = c
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("attrs")
        .write_attributes("email_verified")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Invalid write attributes specified while creating a client".into()
        )
    );
    let e = c
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(id)
        .write_attributes("custom:other")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Invalid write attributes specified while updating a client".into()
        )
    );
}

#[tokio::test]
async fn oauth_rules_and_their_errors() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool_id = pool(&c).await;
    let base = || {
        c.create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name("oauth")
    };
    let cases = [
        (
            base().allowed_o_auth_flows_user_pool_client(true),
            "InvalidParameterException",
            "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is \
             allowed to use OAuth flows.",
        ),
        (
            base()
                .generate_secret(true)
                .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
                .allowed_o_auth_flows(OAuthFlowType::Code)
                .callback_urls("https://example.com/cb"),
            "InvalidOAuthFlowException",
            "client_credentials flow can not be selected along with code flow or implicit flow.",
        ),
        (
            base().allowed_o_auth_flows(OAuthFlowType::ClientCredentials),
            "InvalidOAuthFlowException",
            "client_credentials flow can not be selected if client does not have a client secret.",
        ),
        (
            base()
                .allowed_o_auth_flows(OAuthFlowType::Code)
                .allowed_o_auth_scopes("openid"),
            "InvalidOAuthFlowException",
            "CallbackUrls can not be empty when code flow or implicit flow is selected",
        ),
        (
            base()
                .allowed_o_auth_flows(OAuthFlowType::Code)
                .allowed_o_auth_scopes("orders/read")
                .callback_urls("https://example.com/cb"),
            "ScopeDoesNotExistException",
            "Invalid scope requested: orders/read",
        ),
        (
            base()
                .generate_secret(true)
                .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
                .allowed_o_auth_scopes("openid"),
            "InvalidOAuthFlowException",
            "openid is not supported with client_credentials flow",
        ),
        (
            base().callback_urls("http://example.com/cb"),
            "InvalidParameterException",
            "CallbackURLs must use HTTPS except for http://localhost: http://example.com/cb",
        ),
        (
            base().logout_urls("https://example.com/#frag"),
            "InvalidParameterException",
            "LogoutURLs must not contain a fragment: https://example.com/#frag",
        ),
        (
            base()
                .callback_urls("https://example.com/cb")
                .default_redirect_uri("https://example.com/other"),
            "InvalidParameterException",
            "DefaultRedirectURI must be included in CallbackURLs.",
        ),
        (
            base().supported_identity_providers("Google"),
            "InvalidParameterException",
            "The provider Google does not exist for User Pool POOL",
        ),
        (
            base().analytics_configuration(
                AnalyticsConfigurationType::builder()
                    .application_id("abc123")
                    .build(),
            ),
            "InvalidParameterException",
            "AnalyticsConfiguration requires either ApplicationArn, or ApplicationId, RoleArn \
             and ExternalId.",
        ),
    ];
    for (req, code, message) in cases {
        let e = req.send().await.unwrap_err();
        assert_eq!(err(e), (code.to_owned(), message.replace("POOL", &pool_id)),);
    }
}

#[tokio::test]
async fn oauth_client_with_custom_scopes_and_providers() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool_id = pool(&c).await;
    let store = &s.server.app().store;
    let server: ironpool_api::types::ResourceServerType =
        serde_json::from_value(serde_json::json!({
            "UserPoolId": pool_id, "Identifier": "https://api.example.com", "Name": "api",
            "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read"}]
        }))
        .unwrap();
    store
        .create(
            Kind::ResourceServer,
            &pool_id,
            "https://api.example.com",
            &server,
        )
        .await
        .unwrap();
    let idp: ironpool_api::types::IdentityProviderType = serde_json::from_value(
        serde_json::json!({"UserPoolId": pool_id, "ProviderName": "Google", "ProviderType": "Google"}),
    )
    .unwrap();
    store
        .create(Kind::IdentityProvider, &pool_id, "Google", &idp)
        .await
        .unwrap();

    let m2m = c
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("m2m")
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes("https://api.example.com/read")
        .send()
        .await
        .unwrap();
    let m2m = m2m.user_pool_client().unwrap();
    assert_eq!(
        m2m.allowed_o_auth_scopes(),
        &["https://api.example.com/read"]
    );
    assert_eq!(m2m.allowed_o_auth_flows_user_pool_client(), Some(true));

    let web = c
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .callback_urls("https://app.example.com/cb")
        .callback_urls("http://localhost:3000/cb")
        .callback_urls("myapp://cb")
        .default_redirect_uri("https://app.example.com/cb")
        .logout_urls("http://127.0.0.1:3000/")
        .supported_identity_providers("COGNITO")
        .supported_identity_providers("Google")
        .send()
        .await
        .unwrap();
    let web = web.user_pool_client().unwrap();
    assert_eq!(
        web.callback_urls(),
        &[
            "https://app.example.com/cb",
            "http://localhost:3000/cb",
            "myapp://cb"
        ]
    );
    assert_eq!(web.supported_identity_providers(), &["COGNITO", "Google"]);
    assert_eq!(
        web.default_redirect_uri(),
        Some("https://app.example.com/cb")
    );
    assert_eq!(web.allowed_o_auth_flows(), &[OAuthFlowType::Code]);
}

#[tokio::test]
async fn update_replaces_every_setting_and_keeps_the_secret() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool_id = pool(&c).await;
    let created = c
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("before")
        .generate_secret(true)
        .access_token_validity(2)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .enable_token_revocation(false)
        .auth_session_validity(10)
        .send()
        .await
        .unwrap();
    let before = created.user_pool_client().unwrap();
    let id = before.client_id().unwrap();
    let updated = c
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(id)
        .refresh_token_validity(7)
        .send()
        .await
        .unwrap();
    let after = updated.user_pool_client().unwrap();
    assert_eq!(after.client_name(), Some("before"));
    assert_eq!(after.client_secret(), before.client_secret());
    assert_eq!(after.creation_date(), before.creation_date());
    assert_eq!(after.refresh_token_validity(), 7);
    assert_eq!(after.access_token_validity(), None);
    assert!(after.explicit_auth_flows().is_empty());
    assert_eq!(
        after.prevent_user_existence_errors(),
        Some(&PreventUserExistenceErrorTypes::Legacy)
    );
    assert_eq!(after.enable_token_revocation(), Some(true));
    assert_eq!(after.auth_session_validity(), Some(3));
    let described = c
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(described.user_pool_client(), Some(after));

    let renamed = c
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(id)
        .client_name("after")
        .send()
        .await
        .unwrap();
    assert_eq!(
        renamed.user_pool_client().unwrap().client_name(),
        Some("after")
    );
}

#[tokio::test]
async fn missing_clients_and_pools_are_resource_not_found() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool_id = pool(&c).await;
    let missing = "abcdefghijklmnopqrstuvwxyz";
    let not_found = (
        "ResourceNotFoundException".to_owned(),
        format!("User pool client {missing} does not exist."),
    );
    let e = c
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(missing)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e), not_found);
    let e = c
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(missing)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e), not_found);
    let e = c
        .delete_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(missing)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e), not_found);
    let e = c
        .create_user_pool_client()
        .user_pool_id("us-east-1_nothere00")
        .client_name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            "User pool us-east-1_nothere00 does not exist.".into()
        )
    );

    // A client of another pool is not found in this one.
    let other = pool(&c).await;
    let theirs = c
        .create_user_pool_client()
        .user_pool_id(&other)
        .client_name("theirs")
        .send()
        .await
        .unwrap();
    let theirs = theirs.user_pool_client().unwrap().client_id().unwrap();
    let e = c
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(theirs)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "ResourceNotFoundException");

    c.delete_user_pool_client()
        .user_pool_id(&other)
        .client_id(theirs)
        .send()
        .await
        .unwrap();
    let e = c
        .describe_user_pool_client()
        .user_pool_id(&other)
        .client_id(theirs)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!("User pool client {theirs} does not exist.")
        )
    );
}

#[tokio::test]
async fn list_user_pool_clients_pages() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool_id = pool(&c).await;
    let mut created = Vec::new();
    for i in 0..5 {
        let out = c
            .create_user_pool_client()
            .user_pool_id(&pool_id)
            .client_name(format!("client-{i}"))
            .send()
            .await
            .unwrap();
        created.push(
            out.user_pool_client()
                .unwrap()
                .client_id()
                .unwrap()
                .to_owned(),
        );
    }
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = c
            .list_user_pool_clients()
            .user_pool_id(&pool_id)
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        pages += 1;
        for d in page.user_pool_clients() {
            assert_eq!(d.user_pool_id(), Some(pool_id.as_str()));
            assert!(d.client_name().unwrap().starts_with("client-"));
            seen.push(d.client_id().unwrap().to_owned());
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    created.sort();
    seen.sort();
    assert_eq!(seen, created);
}

#[tokio::test]
async fn client_secret_rotation() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool_id = pool(&c).await;
    let public = c
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("public")
        .send()
        .await
        .unwrap();
    let public = public.user_pool_client().unwrap().client_id().unwrap();
    let e = c
        .add_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(public)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            format!("Client {public} is not a confidential client: it has no client secret.")
        )
    );

    let created = c
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("confidential")
        .generate_secret(true)
        .send()
        .await
        .unwrap();
    let client = created.user_pool_client().unwrap();
    let id = client.client_id().unwrap();
    let first_secret = client.client_secret().unwrap();

    let listed = c
        .list_user_pool_client_secrets()
        .user_pool_id(&pool_id)
        .client_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.client_secrets().len(), 1);
    let first = &listed.client_secrets()[0];
    assert_eq!(first.client_secret_value(), None);
    assert!(first.client_secret_create_date().is_some());
    let first_id = first.client_secret_id().unwrap().to_owned();
    assert!(first_id.starts_with(&format!("{id}--")));
    assert_eq!(listed.next_token(), None);

    // The last secret cannot go.
    let e = c
        .delete_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(id)
        .client_secret_id(&first_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "The last client secret of a client cannot be deleted.".into()
        )
    );

    // A custom secret is accepted but not echoed back.
    let custom = "my_custom_secret_value_0123456789";
    let added = c
        .add_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(id)
        .client_secret(custom)
        .send()
        .await
        .unwrap();
    let second = added.client_secret_descriptor().unwrap();
    assert_eq!(second.client_secret_value(), None);
    let second_id = second.client_secret_id().unwrap().to_owned();
    assert_ne!(second_id, first_id);

    // Two at most.
    let e = c
        .add_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "LimitExceededException".into(),
            format!("Client {id} already has the maximum of 2 client secrets.")
        )
    );

    // Retire the first: the custom one becomes the client's secret.
    c.delete_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(id)
        .client_secret_id(&first_id)
        .send()
        .await
        .unwrap();
    let described = c
        .describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(id)
        .send()
        .await
        .unwrap();
    let now = described
        .user_pool_client()
        .unwrap()
        .client_secret()
        .unwrap();
    assert_eq!(now, custom);
    assert_ne!(now, first_secret);

    let e = c
        .delete_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(id)
        .client_secret_id(&first_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!("Client secret {first_id} does not exist.")
        )
    );

    // A generated secret is returned once, on creation.
    let added = c
        .add_user_pool_client_secret()
        .user_pool_id(&pool_id)
        .client_id(id)
        .send()
        .await
        .unwrap();
    let value = added
        .client_secret_descriptor()
        .unwrap()
        .client_secret_value()
        .unwrap();
    assert_eq!(value.len(), 51);
    let listed = c
        .list_user_pool_client_secrets()
        .user_pool_id(&pool_id)
        .client_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.client_secrets().len(), 2);
    assert!(listed
        .client_secrets()
        .iter()
        .all(|s| s.client_secret_value().is_none()));
}
