//! The AWS CLI (botocore signs its requests) against a server.
//!
//! `scripts/test` installs the CLI into `.venv`; elsewhere these tests look for `aws` on the
//! PATH and skip, saying so, when there is none (unless IRONPOOL_REQUIRE_CLIENTS=1).

use crate::harness::{TestServer, KEY_ID, SECRET};
use std::path::PathBuf;
use std::process::{Command, Output};

pub(crate) fn aws_cli() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("IRONPOOL_AWS_CLI") {
        return Some(PathBuf::from(path));
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/aws");
    if venv.exists() {
        return Some(venv);
    }
    let on_path = Command::new("aws").arg("--version").output();
    if on_path.is_ok_and(|o| o.status.success()) {
        return Some(PathBuf::from("aws"));
    }
    if std::env::var("IRONPOOL_REQUIRE_CLIENTS").is_ok_and(|v| v == "1") {
        panic!("the AWS CLI is required (IRONPOOL_REQUIRE_CLIENTS=1) but was not found");
    }
    eprintln!("SKIPPED: the AWS CLI is not installed; run scripts/test to install it");
    None
}

/// Runs `aws <args>` with a clean environment: no user config, the given keys, no retries.
pub(crate) fn aws(
    cli: &PathBuf,
    key_id: &str,
    secret: &str,
    envs: &[(&str, &str)],
    args: &[&str],
) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(cli)
        .args(args)
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", home.path().join("config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("credentials"),
        )
        .env("AWS_ACCESS_KEY_ID", key_id)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .envs(envs.iter().copied())
        .output()
        .expect("run the AWS CLI")
}

pub(crate) fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "aws failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn failure(out: &Output) -> String {
    assert!(!out.status.success(), "aws unexpectedly succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn list_user_pools_with_endpoint_url_and_with_the_environment() {
    let Some(cli) = aws_cli() else { return };
    let s = TestServer::start().await;
    let url = s.url();
    let out = aws(
        &cli,
        KEY_ID,
        SECRET,
        &[],
        &[
            "--endpoint-url",
            &url,
            "cognito-idp",
            "list-user-pools",
            "--max-results",
            "10",
        ],
    );
    assert_eq!(json(&out), serde_json::json!({"UserPools": []}));

    let created = aws(
        &cli,
        KEY_ID,
        SECRET,
        &[("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", &url)],
        &["cognito-idp", "create-user-pool", "--pool-name", "from-cli"],
    );
    let created = json(&created);
    assert_eq!(created["UserPool"]["Name"], "from-cli");
    let out = aws(
        &cli,
        KEY_ID,
        SECRET,
        &[("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", &url)],
        &["cognito-idp", "list-user-pools", "--max-results", "10"],
    );
    assert_eq!(json(&out)["UserPools"][0]["Id"], created["UserPool"]["Id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operation_without_handler_is_a_clean_cli_error() {
    let Some(cli) = aws_cli() else { return };
    if ironpool_server::ops::IMPLEMENTED
        .contains(&ironpool_api::Operation::GetLogDeliveryConfiguration)
    {
        return;
    }
    let s = TestServer::start().await;
    let out = aws(
        &cli,
        KEY_ID,
        SECRET,
        &[],
        &[
            "--endpoint-url",
            &s.url(),
            "cognito-idp",
            "get-log-delivery-configuration",
            "--user-pool-id",
            "us-east-1_AAAAAAAAA",
        ],
    );
    let stderr = failure(&out);
    assert!(
        stderr.contains("An error occurred (UnsupportedOperationException) when calling the GetLogDeliveryConfiguration operation: Ironpool does not implement GetLogDeliveryConfiguration yet."),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn botocore_signatures_are_verified() {
    let Some(cli) = aws_cli() else { return };
    let dir = tempfile::tempdir().unwrap();
    let s = TestServer::with_credentials(dir.path()).await;
    let url = s.url();
    let list = [
        "--endpoint-url",
        &url,
        "cognito-idp",
        "list-user-pools",
        "--max-results",
        "10",
    ];

    let ok = aws(&cli, KEY_ID, SECRET, &[], &list);
    assert_eq!(json(&ok), serde_json::json!({"UserPools": []}));

    let bad = failure(&aws(&cli, KEY_ID, "wrong-secret", &[], &list));
    assert!(
        bad.contains("An error occurred (InvalidSignatureException) when calling the ListUserPools operation: The request signature we calculated does not match the signature you provided."),
        "{bad}"
    );

    let unknown = failure(&aws(&cli, "AKIAUNKNOWNUNKNOWN00", SECRET, &[], &list));
    assert!(
        unknown.contains("An error occurred (UnrecognizedClientException) when calling the ListUserPools operation: The security token included in the request is invalid."),
        "{unknown}"
    );

    // A signature for another region is good, and acts in that region.
    let create = [
        "--endpoint-url",
        &url,
        "cognito-idp",
        "create-user-pool",
        "--pool-name",
        "in-ireland",
    ];
    let eu = [("AWS_DEFAULT_REGION", "eu-west-1")];
    let created = json(&aws(&cli, KEY_ID, SECRET, &eu, &create));
    let id = created["UserPool"]["Id"].as_str().unwrap();
    assert!(id.starts_with("eu-west-1_"), "{id}");
    assert_eq!(
        created["UserPool"]["Arn"],
        format!("arn:aws:cognito-idp:eu-west-1:000000000000:userpool/{id}").as_str()
    );
    let listed = json(&aws(&cli, KEY_ID, SECRET, &eu, &list));
    assert_eq!(listed["UserPools"][0]["Id"], id);
    let at_home = json(&aws(&cli, KEY_ID, SECRET, &[], &list));
    assert_eq!(at_home, serde_json::json!({"UserPools": []}));
}

#[tokio::test(flavor = "multi_thread")]
async fn seed_000_deletion_protection_with_the_cli() {
    let Some(cli) = aws_cli() else { return };
    let s = TestServer::start().await;
    let url = s.url();
    let created = json(&aws(
        &cli,
        KEY_ID,
        SECRET,
        &[],
        &[
            "--endpoint-url",
            &url,
            "cognito-idp",
            "create-user-pool",
            "--pool-name",
            "protected",
            "--deletion-protection",
            "ACTIVE",
        ],
    ));
    let id = created["UserPool"]["Id"].as_str().unwrap();
    assert_eq!(created["UserPool"]["DeletionProtection"], "ACTIVE");
    let refused = failure(&aws(
        &cli,
        KEY_ID,
        SECRET,
        &[],
        &[
            "--endpoint-url",
            &url,
            "cognito-idp",
            "delete-user-pool",
            "--user-pool-id",
            id,
        ],
    ));
    assert!(
        refused.contains("An error occurred (InvalidParameterException) when calling the DeleteUserPool operation: The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first."),
        "{refused}"
    );
    let still = json(&aws(
        &cli,
        KEY_ID,
        SECRET,
        &[],
        &[
            "--endpoint-url",
            &url,
            "cognito-idp",
            "describe-user-pool",
            "--user-pool-id",
            id,
        ],
    ));
    assert_eq!(still["UserPool"]["Name"], "protected");
}

#[tokio::test(flavor = "multi_thread")]
async fn seed_000_deactivate_with_update_user_pool_then_delete() {
    let Some(cli) = aws_cli() else { return };
    let s = TestServer::start().await;
    let url = s.url();
    let run = |args: &[&str]| {
        let mut all = vec!["--endpoint-url", url.as_str(), "cognito-idp"];
        all.extend_from_slice(args);
        aws(&cli, KEY_ID, SECRET, &[], &all)
    };
    let created = json(&run(&[
        "create-user-pool",
        "--pool-name",
        "protected",
        "--deletion-protection",
        "ACTIVE",
    ]));
    let id = created["UserPool"]["Id"].as_str().unwrap().to_owned();
    let refused = failure(&run(&["delete-user-pool", "--user-pool-id", &id]));
    assert!(
        refused.contains("An error occurred (InvalidParameterException) when calling the DeleteUserPool operation: The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first."),
        "{refused}"
    );
    let updated = run(&[
        "update-user-pool",
        "--user-pool-id",
        &id,
        "--deletion-protection",
        "INACTIVE",
    ]);
    assert!(
        updated.status.success(),
        "{}",
        String::from_utf8_lossy(&updated.stderr)
    );
    let described = json(&run(&["describe-user-pool", "--user-pool-id", &id]));
    assert_eq!(described["UserPool"]["DeletionProtection"], "INACTIVE");
    let deleted = run(&["delete-user-pool", "--user-pool-id", &id]);
    assert!(
        deleted.status.success(),
        "{}",
        String::from_utf8_lossy(&deleted.stderr)
    );
    let gone = failure(&run(&["describe-user-pool", "--user-pool-id", &id]));
    assert!(
        gone.contains(&format!("An error occurred (ResourceNotFoundException) when calling the DescribeUserPool operation: User pool {id} does not exist.")),
        "{gone}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn seed_001_update_user_pool_from_the_cli_skeleton_changes_nothing() {
    let Some(cli) = aws_cli() else { return };
    let s = TestServer::start().await;
    let url = s.url();
    let run = |args: &[&str]| {
        let mut all = vec!["--endpoint-url", url.as_str(), "cognito-idp"];
        all.extend_from_slice(args);
        aws(&cli, KEY_ID, SECRET, &[], &all)
    };
    let created = json(&run(&[
        "create-user-pool",
        "--pool-name",
        "skeleton",
        "--auto-verified-attributes",
        "email",
        "--username-attributes",
        "email",
        "--lambda-config",
        "PreSignUp=arn:aws:lambda:us-east-1:000000000000:function:f",
        "--user-pool-tags",
        "team=auth",
        "--schema",
        "Name=tenant,AttributeDataType=String",
    ]));
    let id = created["UserPool"]["Id"].as_str().unwrap().to_owned();
    let before = json(&run(&["describe-user-pool", "--user-pool-id", &id]))["UserPool"].clone();

    let skeleton = json(&aws(
        &cli,
        KEY_ID,
        SECRET,
        &[],
        &[
            "cognito-idp",
            "update-user-pool",
            "--generate-cli-skeleton",
            "--output",
            "json",
        ],
    ));
    let mut input = serde_json::Map::new();
    for key in skeleton.as_object().unwrap().keys() {
        if let Some(v) = before.get(key) {
            input.insert(key.clone(), v.clone());
        }
    }
    input.insert("UserPoolId".into(), serde_json::json!(id));
    assert!(input.contains_key("LambdaConfig") && input.contains_key("Policies"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input.json");
    std::fs::write(&file, serde_json::Value::Object(input).to_string()).unwrap();
    let file_arg = format!("file://{}", file.display());
    std::thread::sleep(std::time::Duration::from_millis(20));
    let updated = run(&["update-user-pool", "--cli-input-json", &file_arg]);
    assert!(
        updated.status.success(),
        "{}",
        String::from_utf8_lossy(&updated.stderr)
    );

    let after = json(&run(&["describe-user-pool", "--user-pool-id", &id]))["UserPool"].clone();
    assert_ne!(after["LastModifiedDate"], before["LastModifiedDate"]);
    let strip = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("LastModifiedDate");
        v
    };
    assert_eq!(strip(after), strip(before.clone()));
    assert_eq!(
        before["LambdaConfig"]["PreSignUp"],
        "arn:aws:lambda:us-east-1:000000000000:function:f"
    );
    assert_eq!(before["UserPoolTags"]["team"], "auth");
}

#[tokio::test(flavor = "multi_thread")]
async fn provisioned_limits_with_the_cli_as_the_readme_shows() {
    let Some(cli) = aws_cli() else { return };
    let s = TestServer::start().await;
    let url = s.url();
    let definition = "LimitClass=API_CATEGORY,Attributes={Category=UserAuthentication}";
    let updated = json(&aws(
        &cli,
        KEY_ID,
        SECRET,
        &[],
        &[
            "--endpoint-url",
            &url,
            "cognito-idp",
            "update-provisioned-limit",
            "--requested-limit-value",
            "300",
            "--limit-definition",
            definition,
        ],
    ));
    assert_eq!(updated["Limit"]["ProvisionedLimitValue"], 300);
    assert_eq!(updated["Limit"]["FreeLimitValue"], 120);
    let got = json(&aws(
        &cli,
        KEY_ID,
        SECRET,
        &[],
        &[
            "--endpoint-url",
            &url,
            "cognito-idp",
            "get-provisioned-limit",
            "--limit-definition",
            definition,
        ],
    ));
    assert_eq!(
        got["Limit"],
        serde_json::json!({
            "LimitDefinition": {"LimitClass": "API_CATEGORY",
                "Attributes": {"Category": "UserAuthentication"}},
            "ProvisionedLimitValue": 300,
            "FreeLimitValue": 120
        })
    );
}
