//! Hosted UI domains through the SDK: prefix rules, custom domains, uniqueness across pools,
//! the empty description of an unknown domain, update and delete.

use crate::harness::{err, pool, raw_call, TestServer};
use aws_sdk_cognitoidentityprovider::types::{CustomDomainConfigType, DomainStatusType};

fn cert() -> CustomDomainConfigType {
    CustomDomainConfigType::builder()
        .certificate_arn("arn:aws:acm:us-east-1:000000000000:certificate/abc-123")
        .build()
        .unwrap()
}

#[tokio::test]
async fn prefix_domain_create_describe_delete() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool_id = pool(&c).await;
    let created = c
        .create_user_pool_domain()
        .user_pool_id(&pool_id)
        .domain("my-app-login")
        .send()
        .await
        .unwrap();
    assert_eq!(created.managed_login_version(), Some(1));
    assert_eq!(created.cloud_front_domain(), None);

    let described = c
        .describe_user_pool_domain()
        .domain("my-app-login")
        .send()
        .await
        .unwrap();
    let d = described.domain_description().unwrap();
    assert_eq!(d.user_pool_id(), Some(pool_id.as_str()));
    assert_eq!(d.domain(), Some("my-app-login"));
    assert_eq!(d.aws_account_id(), Some("000000000000"));
    assert_eq!(d.status(), Some(&DomainStatusType::Active));
    assert_eq!(d.custom_domain_config(), None);
    assert_eq!(d.managed_login_version(), Some(1));
    assert!(d.s3_bucket().is_some());
    assert!(d
        .cloud_front_distribution()
        .unwrap()
        .ends_with(".cloudfront.net"));
    let version = d.version().unwrap();
    assert_eq!(version.len(), 14);
    assert!(version.bytes().all(|b| b.is_ascii_digit()));

    // A pool has one prefix domain at most.
    let e = c
        .create_user_pool_domain()
        .user_pool_id(&pool_id)
        .domain("my-app-login-2")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "User pool already has a domain configured.".into()
        )
    );

    c.delete_user_pool_domain()
        .user_pool_id(&pool_id)
        .domain("my-app-login")
        .send()
        .await
        .unwrap();
    let described = c
        .describe_user_pool_domain()
        .domain("my-app-login")
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.domain_description(),
        Some(&aws_sdk_cognitoidentityprovider::types::DomainDescriptionType::builder().build())
    );
}

#[tokio::test]
async fn unknown_domain_is_an_empty_description_on_the_wire() {
    let s = TestServer::start().await;
    let (status, _, body) = raw_call(
        &s.url(),
        Some("DescribeUserPoolDomain"),
        r#"{"Domain":"nobody-has-this"}"#,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"DomainDescription": {}}));
}

#[tokio::test]
async fn prefix_rules_and_their_messages() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool_id = pool(&c).await;
    for (domain, message) in [
        ("my-aws-login", "Domain cannot contain reserved word: aws"),
        ("amazonlogin", "Domain cannot contain reserved word: amazon"),
        ("cognito-x", "Domain cannot contain reserved word: cognito"),
    ] {
        let e = c
            .create_user_pool_domain()
            .user_pool_id(&pool_id)
            .domain(domain)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            err(e),
            ("InvalidParameterException".into(), message.into()),
            "{domain}"
        );
    }
    // Dots pass the model (custom domains have them) but not the prefix rules.
    let e = c
        .create_user_pool_domain()
        .user_pool_id(&pool_id)
        .domain("my.login")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "The domain name contains an invalid character. Domain names can only contain \
             lower-case letters, numbers, and hyphens. Please enter a different name that \
             follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$"
                .into()
        )
    );
    let e = c
        .create_user_pool_domain()
        .user_pool_id(&pool_id)
        .domain("fine-name")
        .managed_login_version(3)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Invalid ManagedLoginVersion 3: the version must be 1 (hosted UI) or 2 (managed \
             login)."
                .into()
        )
    );
    let e = c
        .create_user_pool_domain()
        .user_pool_id("us-east-1_nothere00")
        .domain("fine-name")
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
}

#[tokio::test]
async fn domains_are_unique_across_pools_and_deleted_only_by_their_pool() {
    let s = TestServer::start().await;
    let c = s.client();
    let a = pool(&c).await;
    let b = pool(&c).await;
    c.create_user_pool_domain()
        .user_pool_id(&a)
        .domain("shared-name")
        .send()
        .await
        .unwrap();
    let e = c
        .create_user_pool_domain()
        .user_pool_id(&b)
        .domain("shared-name")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Domain already associated with another user pool.".into()
        )
    );
    let e = c
        .delete_user_pool_domain()
        .user_pool_id(&b)
        .domain("shared-name")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "No such domain or user pool exists.".into()
        )
    );
    // A pool with a domain cannot be deleted; deleting the domain, then the pool, frees the name.
    let e = c
        .delete_user_pool()
        .user_pool_id(&a)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "User pool cannot be deleted. It has a domain configured that should be deleted first."
                .into()
        )
    );
    c.delete_user_pool_domain()
        .user_pool_id(&a)
        .domain("shared-name")
        .send()
        .await
        .unwrap();
    c.delete_user_pool().user_pool_id(&a).send().await.unwrap();
    c.create_user_pool_domain()
        .user_pool_id(&b)
        .domain("shared-name")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn custom_domain_with_certificate_and_update() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool_id = pool(&c).await;
    let created = c
        .create_user_pool_domain()
        .user_pool_id(&pool_id)
        .domain("auth.example.com")
        .custom_domain_config(cert())
        .managed_login_version(2)
        .send()
        .await
        .unwrap();
    assert_eq!(created.managed_login_version(), Some(2));
    let cf = created.cloud_front_domain().unwrap().to_owned();
    assert!(cf.starts_with('d') && cf.ends_with(".cloudfront.net"));

    // A prefix domain can sit beside the custom one; a second custom domain cannot.
    c.create_user_pool_domain()
        .user_pool_id(&pool_id)
        .domain("beside-it")
        .send()
        .await
        .unwrap();
    let e = c
        .create_user_pool_domain()
        .user_pool_id(&pool_id)
        .domain("login.example.com")
        .custom_domain_config(cert())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "User pool already has a domain configured.".into()
        )
    );

    let d = c
        .describe_user_pool_domain()
        .domain("auth.example.com")
        .send()
        .await
        .unwrap();
    let d = d.domain_description().unwrap();
    assert_eq!(d.cloud_front_distribution(), Some(cf.as_str()));
    assert_eq!(d.custom_domain_config(), Some(&cert()));
    assert_eq!(d.managed_login_version(), Some(2));

    let new_cert = CustomDomainConfigType::builder()
        .certificate_arn("arn:aws:acm:us-east-1:000000000000:certificate/def-456")
        .build()
        .unwrap();
    let updated = c
        .update_user_pool_domain()
        .user_pool_id(&pool_id)
        .domain("auth.example.com")
        .custom_domain_config(new_cert.clone())
        .managed_login_version(1)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.managed_login_version(), Some(1));
    assert_eq!(updated.cloud_front_domain(), Some(cf.as_str()));
    let d = c
        .describe_user_pool_domain()
        .domain("auth.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        d.domain_description().unwrap().custom_domain_config(),
        Some(&new_cert)
    );

    let e = c
        .update_user_pool_domain()
        .user_pool_id(&pool_id)
        .domain("missing.example.com")
        .managed_login_version(2)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "No such domain or user pool exists.".into()
        )
    );
}
