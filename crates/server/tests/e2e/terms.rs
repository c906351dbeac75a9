//! CreateTerms, DescribeTerms, DescribeTermsByClient, UpdateTerms, DeleteTerms, ListTerms.

use crate::harness::{err, TestServer};
use crate::seed;
use aws_sdk_cognitoidentityprovider::types::{TermsEnforcementType, TermsSourceType};

async fn create(
    c: &aws_sdk_cognitoidentityprovider::Client,
    pool: &str,
    name: &str,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::create_terms::CreateTermsOutput,
    (String, String),
> {
    c.create_terms()
        .user_pool_id(pool)
        .client_id(seed::CLIENT)
        .terms_name(name)
        .terms_source(TermsSourceType::Link)
        .enforcement(TermsEnforcementType::None)
        .links("cognito:default", format!("https://example.com/{name}"))
        .send()
        .await
        .map_err(err)
}

#[tokio::test]
async fn lifecycle() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = seed::pool(&s).await;
    seed::client(&s, &pool, seed::CLIENT).await;

    let tou = create(&c, &pool, "terms-of-use").await.unwrap();
    let tou = tou.terms().unwrap().clone();
    assert_eq!(tou.user_pool_id(), pool);
    assert_eq!(tou.client_id(), seed::CLIENT);
    assert_eq!(
        tou.links().get("cognito:default").unwrap(),
        "https://example.com/terms-of-use"
    );
    assert_eq!(tou.creation_date(), tou.last_modified_date());
    let pp = create(&c, &pool, "privacy-policy").await.unwrap();
    let pp = pp.terms().unwrap().clone();

    // The same name twice for one client.
    assert_eq!(
        create(&c, &pool, "terms-of-use").await.unwrap_err(),
        (
            "TermsExistsException".into(),
            format!(
                "Terms terms-of-use already exist for client {}.",
                seed::CLIENT
            )
        )
    );

    let d = c
        .describe_terms()
        .user_pool_id(&pool)
        .terms_id(tou.terms_id())
        .send()
        .await
        .unwrap();
    assert_eq!(d.terms(), Some(&tou));
    let d = c
        .describe_terms_by_client()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .terms_name("privacy-policy")
        .send()
        .await
        .unwrap();
    assert_eq!(d.terms(), Some(&pp));

    // Update changes only the links; renaming onto the other name is refused.
    let u = c
        .update_terms()
        .user_pool_id(&pool)
        .terms_id(tou.terms_id())
        .links("cognito:spanish", "https://example.com/es")
        .send()
        .await
        .unwrap();
    let updated = u.terms().unwrap();
    assert_eq!(updated.terms_name(), "terms-of-use");
    assert_eq!(updated.links().len(), 1);
    assert_eq!(
        updated.links().get("cognito:spanish").unwrap(),
        "https://example.com/es"
    );
    assert_eq!(updated.creation_date(), tou.creation_date());
    let e = c
        .update_terms()
        .user_pool_id(&pool)
        .terms_id(tou.terms_id())
        .terms_name("privacy-policy")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "TermsExistsException".into(),
            format!(
                "Terms privacy-policy already exist for client {}.",
                seed::CLIENT
            )
        )
    );

    // ListTerms in pages of one.
    let first = c
        .list_terms()
        .user_pool_id(&pool)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(first.terms().len(), 1);
    let second = c
        .list_terms()
        .user_pool_id(&pool)
        .max_results(1)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(second.terms().len(), 1);
    assert!(second.next_token().is_none());
    let mut ids = vec![
        first.terms()[0].terms_id().to_owned(),
        second.terms()[0].terms_id().to_owned(),
    ];
    ids.sort();
    let mut expected = vec![tou.terms_id().to_owned(), pp.terms_id().to_owned()];
    expected.sort();
    assert_eq!(ids, expected);

    c.delete_terms()
        .user_pool_id(&pool)
        .terms_id(tou.terms_id())
        .send()
        .await
        .unwrap();
    let e = c
        .describe_terms()
        .user_pool_id(&pool)
        .terms_id(tou.terms_id())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!("Terms {} does not exist.", tou.terms_id())
        )
    );
    let e = c
        .delete_terms()
        .user_pool_id(&pool)
        .terms_id(tou.terms_id())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!("Terms {} does not exist.", tou.terms_id())
        )
    );
    let e = c
        .describe_terms_by_client()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .terms_name("terms-of-use")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!(
                "Terms terms-of-use do not exist for client {}.",
                seed::CLIENT
            )
        )
    );
}

#[tokio::test]
async fn create_rules() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = seed::pool(&s).await;

    assert_eq!(
        create(&c, &pool, "terms-of-use").await.unwrap_err(),
        (
            "ResourceNotFoundException".into(),
            format!("User pool client {} does not exist.", seed::CLIENT)
        )
    );
    seed::client(&s, &pool, seed::CLIENT).await;
    let e = c
        .create_terms()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .terms_name("terms-of-use")
        .terms_source(TermsSourceType::Link)
        .enforcement(TermsEnforcementType::None)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Links are required when TermsSource is LINK.".into()
        )
    );
    let e = c
        .list_terms()
        .user_pool_id(seed::MISSING_POOL)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!("User pool {} does not exist.", seed::MISSING_POOL)
        )
    );
    let empty = c.list_terms().user_pool_id(&pool).send().await.unwrap();
    assert!(empty.terms().is_empty());
    assert!(empty.next_token().is_none());
}
