//! Every account and region in one server: an IAM call acts in the region it is signed for and
//! the account of its access key; pools, their ARNs, domains and tokens live there, and the
//! calls of another account or region do not see them.

use crate::harness::{err, pool, sdk_client, test_config, TestServer, KEY_ID, SECRET};
use crate::issuer_style::{pool_client_user, server, sign_in};
use crate::signin_support::decode;
use aws_sdk_cognitoidentityprovider::types::UserPoolType;
use aws_sdk_cognitoidentityprovider::Client;
use ironpool_server::config::IssuerStyle;
use ironpool_server::Config;
use std::collections::BTreeSet;

async fn describe(c: &Client, id: &str) -> UserPoolType {
    c.describe_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .clone()
}

async fn listed(c: &Client, page: i32) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut next = None;
    loop {
        let out = c
            .list_user_pools()
            .max_results(page)
            .set_next_token(next)
            .send()
            .await
            .unwrap();
        ids.extend(out.user_pools().iter().map(|p| p.id().unwrap().to_owned()));
        next = out.next_token().map(str::to_owned);
        if next.is_none() {
            return ids;
        }
    }
}

async fn not_found(c: &Client, id: &str) -> (String, String) {
    err(c
        .describe_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .unwrap_err())
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// A server without credentials believes what a signature says: its region, and the account of
/// a twelve-digit access key id (other keys: `--account-id`).
#[tokio::test]
async fn pools_live_in_the_region_and_account_they_were_made_in() {
    let s = TestServer::start().await;
    let east = sdk_client(&s.url(), KEY_ID, SECRET, "us-east-1");
    let west = sdk_client(&s.url(), KEY_ID, SECRET, "us-west-2");
    let other = sdk_client(&s.url(), "111122223333", SECRET, "us-east-1");

    let pe = pool(&east).await;
    let pw = pool(&west).await;
    let pw2 = pool(&west).await;
    let po = pool(&other).await;
    assert!(pe.starts_with("us-east-1_") && po.starts_with("us-east-1_"));
    assert!(pw.starts_with("us-west-2_"), "{pw}");
    let arn = |region: &str, account: &str, id: &str| {
        format!("arn:aws:cognito-idp:{region}:{account}:userpool/{id}")
    };
    assert_eq!(
        describe(&east, &pe).await.arn(),
        Some(arn("us-east-1", "000000000000", &pe).as_str())
    );
    assert_eq!(
        describe(&west, &pw).await.arn(),
        Some(arn("us-west-2", "000000000000", &pw).as_str())
    );
    assert_eq!(
        describe(&other, &po).await.arn(),
        Some(arn("us-east-1", "111122223333", &po).as_str())
    );

    // Each sees its own, in pages of one too.
    assert_eq!(listed(&east, 60).await, set(&[&pe]));
    assert_eq!(listed(&east, 1).await, set(&[&pe]));
    assert_eq!(listed(&west, 1).await, set(&[&pw, &pw2]));
    assert_eq!(listed(&other, 60).await, set(&[&po]));

    // Another region's or account's pool does not exist for the caller.
    for (c, id) in [(&west, &pe), (&other, &pe), (&east, &po), (&east, &pw)] {
        assert_eq!(
            not_found(c, id).await,
            (
                "ResourceNotFoundException".into(),
                format!("User pool {id} does not exist.")
            )
        );
    }
    let e = east
        .admin_create_user()
        .user_pool_id(&pw)
        .username("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "ResourceNotFoundException");
    let foreign = arn("us-east-1", "000000000000", &pe);
    let e = other
        .tag_resource()
        .resource_arn(&foreign)
        .tags("team", "x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!("Resource {foreign} does not exist.")
        )
    );
    let tags = east
        .list_tags_for_resource()
        .resource_arn(&foreign)
        .send()
        .await
        .unwrap();
    assert!(tags.tags().unwrap().is_empty());
}

/// A domain is made in its pool's account and region, and is not described to others.
#[tokio::test]
async fn domains_name_their_account_and_region() {
    let s = TestServer::start().await;
    let east = sdk_client(&s.url(), KEY_ID, SECRET, "us-east-1");
    let west = sdk_client(&s.url(), "444455556666", SECRET, "us-west-2");
    let pw = pool(&west).await;
    west.create_user_pool_domain()
        .user_pool_id(&pw)
        .domain("west-login")
        .send()
        .await
        .unwrap();
    let mine = west
        .describe_user_pool_domain()
        .domain("west-login")
        .send()
        .await
        .unwrap();
    let d = mine.domain_description().unwrap();
    assert_eq!(d.user_pool_id(), Some(pw.as_str()));
    assert_eq!(d.aws_account_id(), Some("444455556666"));
    assert_eq!(d.s3_bucket(), Some("aws-cognito-prod-us-west-2-assets"));
    let theirs = east
        .describe_user_pool_domain()
        .domain("west-login")
        .send()
        .await
        .unwrap();
    let d = theirs.domain_description().unwrap();
    assert_eq!((d.domain(), d.user_pool_id()), (None, None));
}

/// Token-authorized calls act where the token's pool lives, whatever region the client names;
/// AWS-style issuers name each pool's own region.
#[tokio::test]
async fn tokens_name_their_pools_region() {
    let s = server(test_config(), IssuerStyle::Aws).await;
    let west = sdk_client(&s.url(), KEY_ID, SECRET, "eu-central-1");
    let east = sdk_client(&s.url(), KEY_ID, SECRET, "us-east-1");
    let (p, client) = pool_client_user(&west).await;
    let (access, id) = sign_in(&west, &p, &client).await;
    let iss = format!("https://cognito-idp.eu-central-1.amazonaws.com/{p}");
    assert_eq!(decode(&access).1["iss"], iss.as_str());
    assert_eq!(decode(&id).1["iss"], iss.as_str());
    // GetUser is authorized by its token, not by where the client points.
    let user = east.get_user().access_token(&access).send().await.unwrap();
    assert_eq!(user.username(), "alice");
    let discovery: serde_json::Value =
        reqwest::get(format!("{}/{p}/.well-known/openid-configuration", s.url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(discovery["issuer"], iss.as_str());
}

/// With credentials, the account is the key's: its profile's `aws_account_id`, else
/// `--account-id`.
#[tokio::test]
async fn a_credentials_profile_names_its_keys_account() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    std::fs::write(
        &file,
        format!(
            "[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n\n\
             [staging]\naws_access_key_id = AKIASTAGINGEXAMPLE01\n\
             aws_secret_access_key = staging-secret\naws_account_id = 444455556666\n"
        ),
    )
    .unwrap();
    let s = TestServer::with_config(Config {
        credentials_file: Some(file),
        account_id: "123456789012".into(),
        ..test_config()
    })
    .await;
    let prod = sdk_client(&s.url(), KEY_ID, SECRET, "eu-west-1");
    let staging = sdk_client(
        &s.url(),
        "AKIASTAGINGEXAMPLE01",
        "staging-secret",
        "eu-west-1",
    );
    let pp = pool(&prod).await;
    let ps = pool(&staging).await;
    assert_eq!(
        describe(&prod, &pp).await.arn(),
        Some(format!("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/{pp}").as_str())
    );
    assert_eq!(
        describe(&staging, &ps).await.arn(),
        Some(format!("arn:aws:cognito-idp:eu-west-1:444455556666:userpool/{ps}").as_str())
    );
    assert_eq!(listed(&prod, 10).await, set(&[&pp]));
    assert_eq!(listed(&staging, 10).await, set(&[&ps]));
    assert_eq!(
        not_found(&staging, &pp).await.0,
        "ResourceNotFoundException"
    );
    // Naming an account does not stand in for the secret.
    let forged = sdk_client(&s.url(), "AKIASTAGINGEXAMPLE01", SECRET, "eu-west-1");
    let e = forged.list_user_pools().max_results(10).send().await;
    assert_eq!(err(e.unwrap_err()).0, "InvalidSignatureException");
}

/// Pools kept by earlier releases, which made every pool in `--account-id` and `--region`,
/// stay where they were: served to that account and region after the upgrade, their ARNs
/// unchanged; a pool kept without an ARN is the server's account's, in its id's region.
#[tokio::test]
async fn pools_kept_before_accounts_and_regions_stay_where_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        memory: false,
        data_dir: dir.path().to_owned(),
        region: "ap-southeast-2".into(),
        account_id: "210987654321".into(),
        ..test_config()
    };
    let kept = ["ap-southeast-2_Kept00001", "ap-southeast-2_NoArn0001"];
    {
        let s = TestServer::with_config(config.clone()).await;
        for (n, id) in kept.iter().enumerate() {
            let pool = ironpool_api::types::UserPoolType {
                id: Some(id.to_string()),
                name: Some(format!("kept-{n}")),
                arn: (n == 0).then(|| {
                    format!("arn:aws:cognito-idp:ap-southeast-2:210987654321:userpool/{id}")
                }),
                ..Default::default()
            };
            s.server.app().store.create_user_pool(&pool).await.unwrap();
        }
    }
    let s = TestServer::with_config(config).await;
    let home = sdk_client(&s.url(), "210987654321", SECRET, "ap-southeast-2");
    assert_eq!(listed(&home, 1).await, set(&kept));
    for id in kept {
        assert_eq!(describe(&home, id).await.id(), Some(id));
    }
    assert_eq!(
        describe(&home, kept[0]).await.arn(),
        Some(
            format!(
                "arn:aws:cognito-idp:ap-southeast-2:210987654321:userpool/{}",
                kept[0]
            )
            .as_str()
        )
    );
    let elsewhere = sdk_client(&s.url(), "999988887777", SECRET, "ap-southeast-2");
    assert!(listed(&elsewhere, 10).await.is_empty());
    assert_eq!(
        not_found(&elsewhere, kept[1]).await.0,
        "ResourceNotFoundException"
    );
}
