//! Terraform's aws provider (pinned 5.100.0) applying, re-planning, importing and destroying
//! Cognito resources against a server. Skipped, saying so, where `terraform` or the provider
//! mirror (`/opt/tf-plugins`, or IRONPOOL_TF_PLUGINS) is absent.

use crate::harness::TestServer;
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

    pub fn output(&self, name: &str) -> String {
        self.ok(&["output", "-raw", name])
    }

    /// Forgets `address` and imports it again from `id`; the next plan must be empty.
    pub fn reimport(&self, address: &str, id: &str) {
        self.ok(&["state", "rm", "-no-color", address]);
        self.ok(&["import", "-input=false", "-no-color", address, id]);
        self.assert_no_changes();
    }

    pub fn destroy(&self) {
        self.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
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

#[tokio::test(flavor = "multi_thread")]
async fn a_minimal_user_pool_applies_replans_clean_imports_and_destroys() {
    let s = TestServer::start().await;
    let Some(tf) = Terraform::init(&s.url(), include_str!("../terraform/minimal_pool.tf")) else {
        return;
    };
    tf.apply();
    tf.assert_no_changes();
    let id = tf.output("id");
    let described = s
        .client()
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(described.user_pool().unwrap().name(), Some("tf-minimal"));
    tf.reimport("aws_cognito_user_pool.pool", &id);
    tf.destroy();
    let listed = s
        .client()
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert!(listed.user_pools().is_empty());
}
