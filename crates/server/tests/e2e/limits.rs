//! GetProvisionedLimit and UpdateProvisionedLimit: each account's rate per region and API
//! category, between AWS's default and ten times it; with `--rate-limits aws` the limiter
//! enforces what is provisioned.

use crate::harness::{err, pool, sdk_client, TestServer};
use crate::throttling::server;
use aws_sdk_cognitoidentityprovider::types::{LimitClass, LimitDefinitionType};
use aws_sdk_cognitoidentityprovider::Client;
use ironpool_server::throttle::RateLimits;
use std::time::Duration;

fn definition(attributes: &[(&str, &str)]) -> LimitDefinitionType {
    let mut b = LimitDefinitionType::builder()
        .limit_class(LimitClass::ApiCategory)
        .set_attributes(Some(Default::default()));
    for (k, v) in attributes {
        b = b.attributes(*k, *v);
    }
    b.build().unwrap()
}

async fn get(c: &Client, category: &str) -> (i32, i32) {
    let out = c
        .get_provisioned_limit()
        .limit_definition(definition(&[("Category", category)]))
        .send()
        .await
        .unwrap();
    let limit = out.limit().unwrap();
    assert_eq!(
        limit
            .limit_definition()
            .unwrap()
            .attributes()
            .get("Category"),
        Some(&category.to_owned())
    );
    (limit.provisioned_limit_value(), limit.free_limit_value())
}

async fn update(
    c: &Client,
    attributes: &[(&str, &str)],
    value: i32,
) -> Result<(i32, i32), (String, String)> {
    c.update_provisioned_limit()
        .limit_definition(definition(attributes))
        .requested_limit_value(value)
        .send()
        .await
        .map(|out| {
            let limit = out.limit().unwrap();
            (limit.provisioned_limit_value(), limit.free_limit_value())
        })
        .map_err(err)
}

#[tokio::test]
async fn limits_are_provisioned_per_account_and_region_within_aws_bounds() {
    let s = TestServer::start().await;
    let c = sdk_client(&s.url(), "111122223333", "x", "us-east-1");
    assert_eq!(get(&c, "UserAuthentication").await, (120, 120));
    assert_eq!(get(&c, "UserUpdate").await, (25, 25));
    assert_eq!(get(&c, "LimitManagement").await, (1, 1));
    let auth = [("Category", "UserAuthentication")];
    assert_eq!(update(&c, &auth, 300).await, Ok((300, 120)));
    assert_eq!(get(&c, "UserAuthentication").await, (300, 120));
    assert_eq!(update(&c, &auth, 1200).await, Ok((1200, 120)));
    // Other regions and accounts keep their own.
    let west = sdk_client(&s.url(), "111122223333", "x", "us-west-2");
    let other = sdk_client(&s.url(), "444455556666", "x", "us-east-1");
    assert_eq!(get(&west, "UserAuthentication").await, (120, 120));
    assert_eq!(get(&other, "UserAuthentication").await, (120, 120));

    let invalid = |m: &str| Err(("InvalidParameterException".to_owned(), m.to_owned()));
    assert_eq!(
        update(&c, &auth, 100).await,
        invalid(
            "RequestedLimitValue must be at least the default limit of 120 for UserAuthentication."
        )
    );
    assert_eq!(
        update(&c, &auth, 1201).await,
        Err((
            "ServiceQuotaExceededException".into(),
            "RequestedLimitValue exceeds the account's maximum limit of 1200 for UserAuthentication."
                .into()
        ))
    );
    assert_eq!(
        update(&c, &[("Category", "UserUpdate")], 30).await,
        invalid("The UserUpdate limit cannot be provisioned.")
    );
    assert_eq!(
        update(&c, &[("Category", "Everything")], 30).await,
        invalid("Everything is not an API category.")
    );
    assert_eq!(
        update(&c, &[], 300).await,
        invalid("The limit's Attributes must name its Category.")
    );
    assert_eq!(
        update(&c, &[("Category", "UserRead"), ("Pool", "x")], 300).await,
        invalid("Pool is not a limit attribute; only Category is.")
    );
    assert_eq!(get(&c, "UserAuthentication").await, (1200, 120));
}

/// With `--rate-limits aws`, a provisioned rate is the category's quota at once; the limit
/// operations themselves are one request per second.
#[tokio::test]
async fn the_rate_limiter_enforces_what_is_provisioned() {
    let (s, clock) = server(RateLimits::Aws).await;
    let c = sdk_client(&s.url(), "111122223333", "x", "us-east-1");
    let p = pool(&c).await;
    let read = || async {
        err(c
            .admin_get_user()
            .user_pool_id(&p)
            .username("nobody")
            .send()
            .await
            .unwrap_err())
        .0
    };
    let mut codes = Vec::new();
    for _ in 0..130 {
        codes.push(read().await);
    }
    let passed = codes
        .iter()
        .filter(|c| *c == "UserNotFoundException")
        .count();
    assert_eq!(passed, 120, "{codes:?}");
    assert_eq!(codes.last().unwrap(), "TooManyRequestsException");

    assert_eq!(
        update(&c, &[("Category", "UserRead")], 240).await,
        Ok((240, 120))
    );
    let again = c
        .get_provisioned_limit()
        .limit_definition(definition(&[("Category", "UserRead")]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(again),
        ("TooManyRequestsException".into(), "Rate exceeded".into())
    );
    clock.advance(Duration::from_secs(1));
    let mut passed = 0;
    for _ in 0..250 {
        if read().await == "UserNotFoundException" {
            passed += 1;
        }
    }
    assert_eq!(passed, 240);
    // Another region's quota is its own.
    let west = sdk_client(&s.url(), "111122223333", "x", "us-west-2");
    let e = west
        .admin_get_user()
        .user_pool_id(&p)
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "ResourceNotFoundException");
}
