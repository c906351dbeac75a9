//! The Lambda side of trigger tests: one Invoke API server (`tests/js/lambda_server.mjs`, run
//! with `node`) for the whole suite, running handler modules written as they would be
//! deployed and recording each event it receives. Needs only `node`; skipped with a message
//! without it, unless IRONPOOL_REQUIRE_CLIENTS=1.

use crate::harness::{test_config, TestServer};
use ironpool_server::Config;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

pub struct Lambdas {
    pub url: String,
    _child: Mutex<Child>,
}

/// The suite's Lambda server, started on first use; None (after a message) without `node`.
pub fn lambdas() -> Option<&'static Lambdas> {
    static SHARED: OnceLock<Option<Lambdas>> = OnceLock::new();
    let shared = SHARED.get_or_init(|| {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/js/lambda_server.mjs");
        let child = Command::new("node")
            .arg(script)
            .env("NODE_NO_WARNINGS", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                if std::env::var("IRONPOOL_REQUIRE_CLIENTS").as_deref() == Ok("1") {
                    panic!("node is needed for the Lambda trigger tests: {e}");
                }
                eprintln!("SKIPPED: node is needed for the Lambda trigger tests ({e})");
                return None;
            }
        };
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .expect("PORT line")
            .to_owned();
        Some(Lambdas {
            url: format!("http://127.0.0.1:{port}"),
            _child: Mutex::new(child),
        })
    });
    shared.as_ref()
}

impl Lambdas {
    /// Deploys a handler module (`export const handler = async (event) => ...`) under a new
    /// name; its ARN.
    pub async fn function(&self, source: &str) -> String {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "fn{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        self.function_named(&name, source).await
    }

    /// Deploys a handler module under `name`; its ARN.
    pub async fn function_named(&self, name: &str, source: &str) -> String {
        let r = reqwest::Client::new()
            .put(format!("{}/_functions/{name}", self.url))
            .body(source.to_owned())
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
    }

    /// Every invocation of the function: `{event, answer, authorization, qualifier}`, oldest
    /// first.
    pub async fn invocations(&self, arn: &str) -> Vec<Value> {
        let name = arn.rsplit(':').next().unwrap();
        reqwest::Client::new()
            .get(format!("{}/_invocations/{name}", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Every event the function received, oldest first.
    pub async fn events(&self, arn: &str) -> Vec<Value> {
        self.invocations(arn)
            .await
            .into_iter()
            .map(|mut i| i["event"].take())
            .collect()
    }

    /// A server on the test backend that invokes its triggers here.
    pub async fn server(&self) -> TestServer {
        TestServer::with_config(self.config()).await
    }

    pub fn config(&self) -> Config {
        let mut config = test_config();
        config.aws.lambda_endpoint = Some(self.url.clone());
        config
    }

    /// The stand-in KMS's URL (GenerateDataKey and Decrypt).
    pub fn kms_url(&self) -> String {
        format!("{}/kms", self.url)
    }

    /// Every KMS call: `{target, authorization, body}`, oldest first.
    pub async fn kms_calls(&self) -> Vec<Value> {
        reqwest::Client::new()
            .get(format!("{}/_kms", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}
