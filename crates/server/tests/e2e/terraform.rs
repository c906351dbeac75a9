//! Terraform's aws provider (pinned 5.100.0) applying, re-planning, importing and destroying
//! Cognito resources against a server. Skipped, saying so, where `terraform` or the provider
//! mirror (`/opt/tf-plugins`, or IRONPOOL_TF_PLUGINS) is absent.
//!
//! Time goes into the provider, not `init` (which only symlinks the unpacked mirror, ~2 s):
//! every plan or apply starts the 700 MB provider binary and has it build its schema, 7-15 s
//! of CPU each. So the tests put every resource into one configuration and import them all
//! with one plan of `import` blocks instead of one `terraform import` per resource.

use crate::harness::{err, TestServer};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Terraform {
    bin: PathBuf,
    dir: tempfile::TempDir,
}

impl Terraform {
    /// A working directory with the provider pointed at `endpoint` and `config` as main.tf,
    /// initialised from the local provider mirror; None (after saying why) where Terraform
    /// is not installed.
    pub fn init(endpoint: &str, config: &str) -> Option<Self> {
        let bin = std::env::var_os("IRONPOOL_TERRAFORM")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("terraform"));
        let mirror = std::env::var_os("IRONPOOL_TF_PLUGINS")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/opt/tf-plugins"));
        let installed = Command::new(&bin)
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !installed
            || !mirror
                .join("registry.terraform.io/hashicorp/aws/5.100.0")
                .exists()
        {
            eprintln!(
                "SKIPPED: Terraform with the hashicorp/aws 5.100.0 provider mirror is not \
                 installed here (terraform on PATH, provider in {})",
                mirror.display()
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("terraformrc"),
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path = {:?}\n  }}\n}}\n",
                mirror
            ),
        )
        .unwrap();
        std::fs::write(dir.path().join("provider.tf"), provider(endpoint)).unwrap();
        std::fs::write(dir.path().join("main.tf"), config).unwrap();
        let tf = Self { bin, dir };
        tf.ok(&["init", "-input=false", "-no-color"]);
        Some(tf)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Replaces main.tf (for updates in place).
    pub fn write_config(&self, config: &str) {
        std::fs::write(self.path().join("main.tf"), config).unwrap();
    }

    /// Writes a file the configuration reads (`file()`, `filebase64()`).
    pub fn write_file(&self, name: &str, contents: &[u8]) {
        std::fs::write(self.path().join(name), contents).unwrap();
    }

    /// The current state file.
    pub fn state(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.path().join("terraform.tfstate")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// Every output, as JSON values.
    pub fn outputs(&self) -> serde_json::Map<String, serde_json::Value> {
        let out = self.ok(&["output", "-json"]);
        let all: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&out).unwrap();
        all.into_iter()
            .map(|(k, v)| (k, v["value"].clone()))
            .collect()
    }

    /// `terraform import` of every managed resource at once: import blocks planned against an
    /// empty state (the real state is left alone). As the provider's acceptance tests do
    /// (ImportStateVerify), each imported object must equal the one in state except for the
    /// `ignored` (resource type, attribute) pairs, which the provider cannot read back; and the
    /// plan must change nothing but the `changed` addresses (those ignored attributes' owners
    /// and what depends on them).
    pub fn verify_imports(&self, ignored: &[(&str, &str)], changed: &[&str]) {
        let state = self.state();
        let mut imports = String::new();
        let mut expected = std::collections::BTreeMap::new();
        for r in state["resources"].as_array().unwrap() {
            if r["mode"] != "managed" {
                continue;
            }
            let ty = r["type"].as_str().unwrap();
            let address = format!("{ty}.{}", r["name"].as_str().unwrap());
            let attrs = &r["instances"][0]["attributes"];
            let id = attrs["id"].as_str().unwrap();
            let id = match ty {
                "aws_cognito_user_pool_client" => {
                    format!("{}/{id}", attrs["user_pool_id"].as_str().unwrap())
                }
                _ => id.to_owned(),
            };
            imports.push_str(&format!("import {{\n  to = {address}\n  id = {id:?}\n}}\n"));
            expected.insert(address, (ty.to_owned(), attrs.clone()));
        }
        std::fs::write(self.path().join("imports.tf"), imports).unwrap();
        let planned = self.run(&[
            "plan",
            "-input=false",
            "-no-color",
            "-state=import.tfstate",
            "-out=import.tfplan",
        ]);
        std::fs::remove_file(self.path().join("imports.tf")).unwrap();
        assert!(
            planned.status.success(),
            "the import plan failed:\n{}\n{}",
            String::from_utf8_lossy(&planned.stdout),
            String::from_utf8_lossy(&planned.stderr)
        );
        let human = String::from_utf8_lossy(&planned.stdout).into_owned();
        let plan: serde_json::Value =
            serde_json::from_str(&self.ok(&["show", "-json", "import.tfplan"])).unwrap();
        let changes = plan["resource_changes"].as_array().unwrap();
        assert_eq!(changes.len(), expected.len(), "{human}");
        for change in changes {
            let address = change["address"].as_str().unwrap();
            let (ty, before) = &expected[address];
            let imported = &change["change"]["before"];
            assert!(
                change["change"]["importing"].is_object(),
                "{address} not imported:\n{human}"
            );
            for (key, value) in before.as_object().unwrap() {
                if ignored.contains(&(ty.as_str(), key.as_str())) {
                    continue;
                }
                assert_eq!(
                    normalized(&imported[key]),
                    normalized(value),
                    "{address}.{key} differs after import:\n{human}"
                );
            }
            let actions = change["change"]["actions"].as_array().unwrap();
            if !changed.contains(&address) {
                assert_eq!(
                    actions,
                    &[serde_json::json!("no-op")],
                    "{address}:\n{human}"
                );
            }
        }
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(&self.bin)
            .args(args)
            .current_dir(self.path())
            .env("TF_CLI_CONFIG_FILE", self.path().join("terraformrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("CHECKPOINT_DISABLE", "1")
            .env("HOME", self.path())
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .expect("run terraform")
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "terraform {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn apply(&self) -> String {
        self.ok(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// A plan must find nothing to change (no perpetual diff).
    pub fn assert_no_changes(&self) {
        let out = self.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "the plan after apply is not empty:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn destroy(&self) {
        self.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    }

    /// A destroy that must fail; returns its error output.
    pub fn destroy_fails(&self) -> String {
        let out = self.run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
        assert!(
            !out.status.success(),
            "destroy succeeded:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

/// A state value with the plugin SDK's zero values (null, false, "", 0, empty collections:
/// all one to it) removed and set-like arrays sorted, for comparing objects read by
/// different paths.
fn normalized(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalized(v)))
                .filter(|(_, v)| !is_zero(v))
                .collect(),
        ),
        Value::Array(a) => {
            let mut items: Vec<Value> = a.iter().map(normalized).collect();
            items.sort_by_key(|v| v.to_string());
            Value::Array(items)
        }
        other => other.clone(),
    }
}

fn is_zero(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
    }
}

fn provider(endpoint: &str) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "5.100.0"
    }}
  }}
}}

provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 1
  endpoints {{
    cognitoidp = "{endpoint}"
  }}
}}
"#
    )
}

const LOGO: &[u8] = include_bytes!("../terraform/logo.png");
const SAML_METADATA: &[u8] = include_bytes!("../terraform/saml-metadata.xml");

/// Every argument of `aws_cognito_user_pool` (seed 002) over three pools, with clients,
/// domains (prefix and custom), a group, a resource server, Google and SAML identity
/// providers, UI customization and risk configuration: create, re-plan clean, update every
/// resource in place, re-plan clean, import everything clean, then destroy, which deletion
/// protection first refuses.
#[tokio::test(flavor = "multi_thread")]
async fn every_pool_argument_and_configuration_resource_round_trips_through_terraform() {
    let s = TestServer::start().await;
    let Some(tf) = Terraform::init(&s.url(), include_str!("../terraform/full.tf")) else {
        return;
    };
    tf.write_file("logo.png", LOGO);
    tf.write_file("saml-metadata.xml", SAML_METADATA);
    let c = s.client();

    tf.apply();
    tf.assert_no_changes();
    let out = tf.outputs();
    let full_id = out["full_id"].as_str().unwrap().to_owned();
    let alias_id = out["alias_id"].as_str().unwrap().to_owned();
    let minimal_id = out["minimal_id"].as_str().unwrap().to_owned();
    let web_id = out["web_client_id"].as_str().unwrap().to_owned();
    assert_eq!(
        out["full_arn"],
        format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{full_id}")
    );
    assert_eq!(
        out["full_endpoint"],
        format!("cognito-idp.us-east-1.amazonaws.com/{full_id}")
    );
    assert_eq!(out["full_estimated_number_of_users"], 0);
    assert_eq!(out["full_tags_all"], r#"{"env":"test","team":"identity"}"#);
    let created = out["full_creation_date"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 20, "{created}");

    let pool = c
        .describe_user_pool()
        .user_pool_id(&full_id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(pool.name(), Some("tf-full"));
    assert_eq!(pool.mfa_configuration().unwrap().as_str(), "ON");
    assert_eq!(
        pool.policies()
            .unwrap()
            .password_policy()
            .unwrap()
            .minimum_length(),
        Some(10)
    );
    let attribute = |name: &str| {
        pool.schema_attributes()
            .iter()
            .find(|a| a.name() == Some(name))
            .cloned()
    };
    let team = attribute("custom:team").unwrap();
    assert_eq!(
        team.string_attribute_constraints().unwrap().max_length(),
        Some("64")
    );
    assert!(attribute("dev:custom:level").is_some());
    let client = c
        .describe_user_pool_client()
        .user_pool_id(&full_id)
        .client_id(&web_id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert!(client.client_secret().is_some_and(|s| s.len() == 51));
    assert_eq!(client.access_token_validity(), Some(2));

    tf.write_config(include_str!("../terraform/full_update.tf"));
    tf.apply();
    tf.assert_no_changes();
    let out = tf.outputs();
    assert_eq!(
        out["full_tags_all"],
        r#"{"env":"staging","owner":"platform","team":"identity"}"#
    );
    assert_eq!(
        out["full_domain"],
        format!("tf-full-{}", full_id[10..].to_lowercase())
    );
    assert_eq!(out["alias_custom_domain"], "auth.example.com");
    let pool = c
        .describe_user_pool()
        .user_pool_id(&full_id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(pool.mfa_configuration().unwrap().as_str(), "OPTIONAL");
    assert_eq!(
        pool.policies()
            .unwrap()
            .password_policy()
            .unwrap()
            .minimum_length(),
        Some(12)
    );
    assert!(pool
        .schema_attributes()
        .iter()
        .any(|a| a.name() == Some("custom:joined")));
    let group = c
        .get_group()
        .user_pool_id(&full_id)
        .group_name("admins")
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(group.precedence(), Some(5));

    // The provider cannot read back a client's generate_secret nor a UI customization's
    // image_file (its acceptance tests ignore both on import), so the client is replaced and
    // what names it (by client_id) follows; everything else imports exactly.
    tf.verify_imports(
        &[
            ("aws_cognito_user_pool_client", "generate_secret"),
            ("aws_cognito_user_pool_ui_customization", "image_file"),
        ],
        &[
            "aws_cognito_user_pool_client.web",
            "aws_cognito_user_pool_ui_customization.all",
            "aws_cognito_user_pool_ui_customization.web",
            "aws_cognito_risk_configuration.web",
        ],
    );

    // Deletion protection: everything else goes, the protected pool stays.
    let failed = tf.destroy_fails();
    assert!(
        failed.contains(
            "InvalidParameterException: The user pool cannot be deleted because deletion \
             protection is activated. Deletion protection must be inactivated first."
        ),
        "{failed}"
    );
    let listed = c.list_user_pools().max_results(60).send().await.unwrap();
    let left: Vec<_> = listed.user_pools().iter().filter_map(|p| p.id()).collect();
    assert_eq!(left, [alias_id.as_str()]);
    tf.write_config(&include_str!("../terraform/full_update.tf").replace(
        r#"deletion_protection        = "ACTIVE""#,
        r#"deletion_protection        = "INACTIVE""#,
    ));
    tf.ok(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-target=aws_cognito_user_pool.alias",
    ]);
    tf.destroy();

    let listed = c.list_user_pools().max_results(60).send().await.unwrap();
    assert!(listed.user_pools().is_empty());
    for domain in [
        format!("tf-full-{}", full_id[10..].to_lowercase()),
        "auth.example.com".to_owned(),
    ] {
        let d = c
            .describe_user_pool_domain()
            .domain(&domain)
            .send()
            .await
            .unwrap();
        assert!(d.domain_description().unwrap().user_pool_id().is_none());
    }
    for id in [&full_id, &alias_id, &minimal_id] {
        let e = c
            .describe_user_pool()
            .user_pool_id(id)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            err(e),
            (
                "ResourceNotFoundException".to_owned(),
                format!("User pool {id} does not exist.")
            )
        );
    }
}
