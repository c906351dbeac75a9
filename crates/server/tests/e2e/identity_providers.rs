//! Identity providers through the SDK: per-type ProviderDetails rules and what Cognito adds,
//! names, identifiers, update semantics, listing in pages.

use crate::harness::{err, pool, TestServer};
use aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType as T;
use std::collections::HashMap;

fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

const SOCIAL: &[(&str, &str)] = &[
    ("client_id", "cid"),
    ("client_secret", "secret"),
    ("authorize_scopes", "email profile openid"),
];

#[tokio::test]
async fn google_gets_the_documented_endpoints_and_a_username_mapping() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let created = c
        .create_identity_provider()
        .user_pool_id(&p)
        .provider_name("Google")
        .provider_type(T::Google)
        .set_provider_details(Some(map(SOCIAL)))
        .attribute_mapping("email", "email")
        .send()
        .await
        .unwrap();
    let idp = created.identity_provider().unwrap();
    let mut expected = map(SOCIAL);
    expected.extend(map(&[
        (
            "attributes_url",
            "https://people.googleapis.com/v1/people/me?personFields=",
        ),
        ("attributes_url_add_attributes", "true"),
        (
            "authorize_url",
            "https://accounts.google.com/o/oauth2/v2/auth",
        ),
        ("oidc_issuer", "https://accounts.google.com"),
        ("token_request_method", "POST"),
        ("token_url", "https://www.googleapis.com/oauth2/v4/token"),
    ]));
    assert_eq!(idp.provider_details(), Some(&expected));
    assert_eq!(
        idp.attribute_mapping(),
        Some(&map(&[("email", "email"), ("username", "sub")]))
    );
    assert!(idp.idp_identifiers().is_empty());
    assert_eq!(idp.user_pool_id(), Some(p.as_str()));
    assert_eq!(idp.provider_type(), Some(&T::Google));
    assert!(idp.creation_date().is_some());

    let described = c
        .describe_identity_provider()
        .user_pool_id(&p)
        .provider_name("Google")
        .send()
        .await
        .unwrap();
    assert_eq!(described.identity_provider(), Some(idp));

    // Sending the described details back (as Terraform does) changes nothing.
    let updated = c
        .update_identity_provider()
        .user_pool_id(&p)
        .provider_name("Google")
        .set_provider_details(idp.provider_details().cloned())
        .send()
        .await
        .unwrap();
    assert_eq!(
        updated.identity_provider().unwrap().provider_details(),
        Some(&expected)
    );

    let dup = c
        .create_identity_provider()
        .user_pool_id(&p)
        .provider_name("Google")
        .provider_type(T::Google)
        .set_provider_details(Some(map(SOCIAL)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(dup),
        (
            "DuplicateProviderException".into(),
            "A provider with the name Google already exists in this user pool.".into()
        )
    );
}

#[tokio::test]
async fn facebook_amazon_and_apple_details() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let mut fb = map(SOCIAL);
    fb.insert("api_version".into(), "v17.0".into());
    let out = c
        .create_identity_provider()
        .user_pool_id(&p)
        .provider_name("Facebook")
        .provider_type(T::Facebook)
        .set_provider_details(Some(fb.clone()))
        .send()
        .await
        .unwrap();
    let mut expected = fb;
    expected.extend(map(&[
        (
            "attributes_url",
            "https://graph.facebook.com/v17.0/me?fields=",
        ),
        ("attributes_url_add_attributes", "true"),
        (
            "authorize_url",
            "https://www.facebook.com/v17.0/dialog/oauth",
        ),
        ("token_request_method", "GET"),
        (
            "token_url",
            "https://graph.facebook.com/v17.0/oauth/access_token",
        ),
    ]));
    let idp = out.identity_provider().unwrap();
    assert_eq!(idp.provider_details(), Some(&expected));
    assert_eq!(idp.attribute_mapping(), Some(&map(&[("username", "id")])));

    let out = c
        .create_identity_provider()
        .user_pool_id(&p)
        .provider_name("LoginWithAmazon")
        .provider_type(T::LoginWithAmazon)
        .set_provider_details(Some(map(SOCIAL)))
        .send()
        .await
        .unwrap();
    let mut expected = map(SOCIAL);
    expected.extend(map(&[
        ("attributes_url", "https://api.amazon.com/user/profile"),
        ("attributes_url_add_attributes", "false"),
        ("authorize_url", "https://www.amazon.com/ap/oa"),
        ("token_request_method", "POST"),
        ("token_url", "https://api.amazon.com/auth/o2/token"),
    ]));
    assert_eq!(
        out.identity_provider().unwrap().provider_details(),
        Some(&expected)
    );

    let apple = map(&[
        ("client_id", "com.example.cognito"),
        ("team_id", "TEAM"),
        ("key_id", "KEY"),
        ("private_key", "-----BEGIN PRIVATE KEY-----x"),
        ("authorize_scopes", "email name"),
    ]);
    let out = c
        .create_identity_provider()
        .user_pool_id(&p)
        .provider_name("SignInWithApple")
        .provider_type(T::SignInWithApple)
        .set_provider_details(Some(apple))
        .send()
        .await
        .unwrap();
    let expected = map(&[
        ("client_id", "com.example.cognito"),
        ("team_id", "TEAM"),
        ("key_id", "KEY"),
        ("authorize_scopes", "email name"),
        ("attributes_url_add_attributes", "false"),
        ("authorize_url", "https://appleid.apple.com/auth/authorize"),
        ("oidc_issuer", "https://appleid.apple.com"),
        ("token_request_method", "POST"),
        ("token_url", "https://appleid.apple.com/auth/token"),
    ]);
    // The private key is never returned, and an update without it keeps it.
    assert_eq!(
        out.identity_provider().unwrap().provider_details(),
        Some(&expected)
    );
    let mut without_key = expected.clone();
    without_key.insert("key_id".into(), "KEY2".into());
    let updated = c
        .update_identity_provider()
        .user_pool_id(&p)
        .provider_name("SignInWithApple")
        .set_provider_details(Some(without_key.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        updated.identity_provider().unwrap().provider_details(),
        Some(&without_key)
    );
}

#[tokio::test]
async fn names_and_required_details_per_type() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let create = |name: &str, t: T, details: HashMap<String, String>| {
        c.create_identity_provider()
            .user_pool_id(&p)
            .provider_name(name)
            .provider_type(t)
            .set_provider_details(Some(details))
            .send()
    };
    let e = create("MyGoogle", T::Google, map(SOCIAL))
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "The provider name of a Google identity provider must be Google.".into()
        )
    );
    let oidc = map(&[
        ("client_id", "cid"),
        ("attributes_request_method", "GET"),
        ("oidc_issuer", "https://issuer.example.com"),
        ("authorize_scopes", "openid"),
    ]);
    let e = create("Cognito", T::Oidc, oidc.clone()).await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "The provider name Cognito is reserved.".into()
        )
    );
    let e = create("Google", T::Oidc, oidc.clone()).await.unwrap_err();
    assert_eq!(err(e).1, "The provider name Google is reserved.");
    let e = create("Google", T::Google, map(&SOCIAL[..2]))
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "authorize_scopes is required for Google identity providers.".into()
        )
    );
    let e = create(
        "SignInWithApple",
        T::SignInWithApple,
        map(&[
            ("client_id", "c"),
            ("team_id", "t"),
            ("key_id", "k"),
            ("authorize_scopes", "email"),
        ]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err(e).1,
        "private_key is required for SignInWithApple identity providers."
    );
    let mut bad_version = map(SOCIAL);
    bad_version.insert("api_version".into(), "17".into());
    let e = create("Facebook", T::Facebook, bad_version)
        .await
        .unwrap_err();
    assert_eq!(
        err(e).1,
        "Invalid api_version 17 for the Facebook identity provider."
    );
    // Model-level: names start with neither '_' nor a space.
    let e = create("_bad", T::Oidc, oidc).await.unwrap_err();
    assert_eq!(err(e).0, "InvalidParameterException");
}

#[tokio::test]
async fn oidc_endpoints_all_or_none() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let base = map(&[
        ("client_id", "cid"),
        ("client_secret", "shh"),
        ("attributes_request_method", "GET"),
        ("oidc_issuer", "https://auth.example.com"),
        ("authorize_scopes", "openid profile email"),
    ]);
    let create = |name: &str, details: HashMap<String, String>| {
        c.create_identity_provider()
            .user_pool_id(&p)
            .provider_name(name)
            .provider_type(T::Oidc)
            .set_provider_details(Some(details))
            .idp_identifiers(format!("{name}-id"))
            .send()
    };
    let mut partial = base.clone();
    partial.insert(
        "authorize_url".into(),
        "https://auth.example.com/authorize".into(),
    );
    let e = create("Partial", partial).await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "authorize_url, token_url, attributes_url and jwks_uri must be provided together."
                .into()
        )
    );
    let mut bad_method = base.clone();
    bad_method.insert("attributes_request_method".into(), "PUT".into());
    let e = create("Bad", bad_method).await.unwrap_err();
    assert_eq!(err(e).1, "attributes_request_method must be GET or POST.");

    let mut full = base.clone();
    full.extend(map(&[
        ("authorize_url", "https://auth.example.com/authorize"),
        ("token_url", "https://auth.example.com/token"),
        ("attributes_url", "https://auth.example.com/userInfo"),
        ("jwks_uri", "https://auth.example.com/.well-known/jwks.json"),
    ]));
    let out = create("Full", full.clone()).await.unwrap();
    full.insert("attributes_url_add_attributes".into(), "false".into());
    let idp = out.identity_provider().unwrap();
    assert_eq!(idp.provider_details(), Some(&full));
    assert_eq!(idp.attribute_mapping(), Some(&map(&[("username", "sub")])));
    assert_eq!(idp.idp_identifiers(), ["Full-id"]);

    // Discovery-only (no endpoints) is accepted as is.
    let out = create("Discovered", base.clone()).await.unwrap();
    let mut expected = base;
    expected.insert("attributes_url_add_attributes".into(), "false".into());
    assert_eq!(
        out.identity_provider().unwrap().provider_details(),
        Some(&expected)
    );
}

const METADATA: &str = r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/slo/saml"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso/saml"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#;

#[tokio::test]
async fn saml_metadata_rules_and_redirect_uris() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let create = |details: HashMap<String, String>| {
        c.create_identity_provider()
            .user_pool_id(&p)
            .provider_name("Corp")
            .provider_type(T::Saml)
            .set_provider_details(Some(details))
            .attribute_mapping(
                "email",
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
            )
            .send()
    };
    let e = create(map(&[("IDPSignout", "true")])).await.unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Either MetadataURL or MetadataFile must be specified.".into()
        )
    );
    let e = create(map(&[
        ("MetadataURL", "https://idp.example.com/md"),
        ("MetadataFile", METADATA),
    ]))
    .await
    .unwrap_err();
    assert_eq!(
        err(e).1,
        "Only one of MetadataURL or MetadataFile can be specified."
    );
    let e = create(map(&[("MetadataFile", "<md:EntityDescriptor/>")]))
        .await
        .unwrap_err();
    assert_eq!(
        err(e).1,
        "Could not find an SSO endpoint with the HTTP-Redirect binding in the SAML metadata."
    );
    let e = create(map(&[
        ("MetadataFile", METADATA),
        ("RequestSigningAlgorithm", "rsa-sha1"),
    ]))
    .await
    .unwrap_err();
    assert_eq!(err(e).1, "RequestSigningAlgorithm must be rsa-sha256.");

    let out = create(map(&[("MetadataFile", METADATA), ("IDPSignout", "true")]))
        .await
        .unwrap();
    let idp = out.identity_provider().unwrap();
    assert_eq!(
        idp.provider_details(),
        Some(&map(&[
            ("MetadataFile", METADATA),
            ("IDPSignout", "true"),
            ("SSORedirectBindingURI", "https://idp.example.com/sso/saml"),
            ("SLORedirectBindingURI", "https://idp.example.com/slo/saml"),
        ]))
    );
    // SAML gets no username mapping added.
    assert_eq!(idp.attribute_mapping().unwrap().len(), 1);

    // Update replaces the details whole: switching to a URL drops the file and its URIs.
    let updated = c
        .update_identity_provider()
        .user_pool_id(&p)
        .provider_name("Corp")
        .provider_details("MetadataURL", "https://idp.example.com/md")
        .send()
        .await
        .unwrap();
    let idp = updated.identity_provider().unwrap();
    assert_eq!(
        idp.provider_details(),
        Some(&map(&[("MetadataURL", "https://idp.example.com/md")]))
    );
    assert_eq!(idp.attribute_mapping().unwrap().len(), 1);
}

#[tokio::test]
async fn identifiers_are_unique_and_found_by_identifier() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let oidc = map(&[
        ("client_id", "cid"),
        ("attributes_request_method", "GET"),
        ("oidc_issuer", "https://issuer.example.com"),
        ("authorize_scopes", "openid"),
    ]);
    let first = c
        .create_identity_provider()
        .user_pool_id(&p)
        .provider_name("First")
        .provider_type(T::Oidc)
        .set_provider_details(Some(oidc.clone()))
        .idp_identifiers("example.com")
        .idp_identifiers("first")
        .send()
        .await
        .unwrap();
    let e = c
        .create_identity_provider()
        .user_pool_id(&p)
        .provider_name("Second")
        .provider_type(T::Oidc)
        .set_provider_details(Some(oidc.clone()))
        .idp_identifiers("example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "DuplicateProviderException".into(),
            "Identifier example.com is already used by the identity provider First.".into()
        )
    );
    let e = c
        .create_identity_provider()
        .user_pool_id(&p)
        .provider_name("Second")
        .provider_type(T::Oidc)
        .set_provider_details(Some(oidc.clone()))
        .idp_identifiers("twice")
        .idp_identifiers("twice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Duplicate identifier twice in IdpIdentifiers.".into()
        )
    );
    c.create_identity_provider()
        .user_pool_id(&p)
        .provider_name("Second")
        .provider_type(T::Oidc)
        .set_provider_details(Some(oidc))
        .idp_identifiers("second")
        .send()
        .await
        .unwrap();
    let e = c
        .update_identity_provider()
        .user_pool_id(&p)
        .provider_name("Second")
        .idp_identifiers("first")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Identifier first is already used by the identity provider First.".into()
        )
    );

    let found = c
        .get_identity_provider_by_identifier()
        .user_pool_id(&p)
        .idp_identifier("example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(found.identity_provider(), first.identity_provider());
    let e = c
        .get_identity_provider_by_identifier()
        .user_pool_id(&p)
        .idp_identifier("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            "Identity provider with identifier nobody does not exist.".into()
        )
    );

    // Updating the identifiers of the owner itself is fine; the old ones are released.
    c.update_identity_provider()
        .user_pool_id(&p)
        .provider_name("First")
        .idp_identifiers("first")
        .send()
        .await
        .unwrap();
    let e = c
        .get_identity_provider_by_identifier()
        .user_pool_id(&p)
        .idp_identifier("example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "ResourceNotFoundException");
}

#[tokio::test]
async fn update_moves_last_modified_and_keeps_omitted_members() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let created = c
        .create_identity_provider()
        .user_pool_id(&p)
        .provider_name("Google")
        .provider_type(T::Google)
        .set_provider_details(Some(map(SOCIAL)))
        .attribute_mapping("email", "email")
        .idp_identifiers("gmail.com")
        .send()
        .await
        .unwrap();
    let before = created.identity_provider().unwrap().clone();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let updated = c
        .update_identity_provider()
        .user_pool_id(&p)
        .provider_name("Google")
        .attribute_mapping("name", "name")
        .send()
        .await
        .unwrap();
    let idp = updated.identity_provider().unwrap();
    assert_eq!(idp.provider_details(), before.provider_details());
    assert_eq!(idp.idp_identifiers(), before.idp_identifiers());
    assert_eq!(
        idp.attribute_mapping(),
        Some(&map(&[("name", "name"), ("username", "sub")]))
    );
    assert_eq!(idp.creation_date(), before.creation_date());
    assert!(idp.last_modified_date().unwrap() > before.last_modified_date().unwrap());

    let e = c
        .update_identity_provider()
        .user_pool_id(&p)
        .provider_name("Google")
        .provider_details("client_id", "only")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e).1,
        "client_secret is required for Google identity providers."
    );
    let e = c
        .update_identity_provider()
        .user_pool_id(&p)
        .provider_name("Google")
        .acr_mapping("Level1", "urn:x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e).1,
        "AcrMapping is only supported for OIDC identity providers."
    );
}

#[tokio::test]
async fn missing_providers_delete_and_list_with_the_paginator() {
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let not_found = (
        "ResourceNotFoundException".to_owned(),
        "Identity provider Nope does not exist.".to_owned(),
    );
    let e = c
        .describe_identity_provider()
        .user_pool_id(&p)
        .provider_name("Nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e), not_found);
    let e = c
        .update_identity_provider()
        .user_pool_id(&p)
        .provider_name("Nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e), not_found);
    let e = c
        .delete_identity_provider()
        .user_pool_id(&p)
        .provider_name("Nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e), not_found);

    for i in 0..5 {
        c.create_identity_provider()
            .user_pool_id(&p)
            .provider_name(format!("Saml{i}"))
            .provider_type(T::Saml)
            .provider_details("MetadataURL", "https://idp.example.com/md")
            .send()
            .await
            .unwrap();
    }
    c.delete_identity_provider()
        .user_pool_id(&p)
        .provider_name("Saml2")
        .send()
        .await
        .unwrap();
    let pages: Vec<_> = c
        .list_identity_providers()
        .user_pool_id(&p)
        .max_results(2)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    let all: Vec<_> = pages.iter().flat_map(|p| p.providers().to_vec()).collect();
    let names: Vec<_> = all.iter().map(|d| d.provider_name().unwrap()).collect();
    assert_eq!(names, ["Saml0", "Saml1", "Saml3", "Saml4"]);
    assert!(all.iter().all(|d| d.provider_type() == Some(&T::Saml)
        && d.creation_date().is_some()
        && d.last_modified_date().is_some()));
    let e = c
        .list_identity_providers()
        .user_pool_id(&p)
        .max_results(61)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "InvalidParameterException");
}

#[tokio::test]
async fn wire_shape_of_empty_lists_and_maps() {
    use crate::harness::raw_call;
    let s = TestServer::start().await;
    let c = s.client();
    let p = pool(&c).await;
    let (status, _, body) = raw_call(
        &s.url(),
        Some("ListIdentityProviders"),
        &format!(r#"{{"UserPoolId":"{p}"}}"#),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"Providers": []}));
    let (status, _, body) = raw_call(
        &s.url(),
        Some("CreateIdentityProvider"),
        &format!(
            r#"{{"UserPoolId":"{p}","ProviderName":"Corp","ProviderType":"SAML",
                "ProviderDetails":{{"MetadataURL":"https://idp.example.com/md"}}}}"#
        ),
    )
    .await;
    assert_eq!(status, 200);
    let idp = &body["IdentityProvider"];
    assert_eq!(idp["IdpIdentifiers"], serde_json::json!([]));
    assert_eq!(idp["AttributeMapping"], serde_json::json!({}));
    assert!(idp["CreationDate"].is_number());
    let (status, _, body) = raw_call(
        &s.url(),
        Some("ListResourceServers"),
        &format!(r#"{{"UserPoolId":"{p}","MaxResults":10}}"#),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"ResourceServers": []}));
}
