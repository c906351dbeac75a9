//! Starting servers and clients for the tests.

#![allow(dead_code)]

use aws_credential_types::Credentials;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::config::Region;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool::builders::CreateUserPoolFluentBuilder;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder;
use aws_sdk_cognitoidentityprovider::Client;
use ironpool_core::ManualClock;
use ironpool_server::{App, Config, Server};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use std::time::{Duration, Instant};

pub const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// The configuration every in-process test server starts from: in memory, or, with
/// `IRONPOOL_E2E_BACKEND=postgres`, a fresh database of its own on the process's throwaway
/// PostgreSQL (one master key for the whole process), so the suite runs on both backends.
pub fn test_config() -> Config {
    match std::env::var("IRONPOOL_E2E_BACKEND").as_deref() {
        Ok("postgres") => {
            static DATABASES: Mutex<Vec<ironpool_testpg::TestPostgres>> = Mutex::new(Vec::new());
            static KEY: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> =
                std::sync::OnceLock::new();
            let (_, key) = KEY.get_or_init(|| {
                let dir = tempfile::tempdir().unwrap();
                let key = dir.path().join("master.key");
                std::fs::write(&key, format!("{}\n", "3c".repeat(32))).unwrap();
                (dir, key)
            });
            let db = ironpool_testpg::TestPostgres::start()
                .expect("IRONPOOL_E2E_BACKEND=postgres needs PostgreSQL");
            let config = Config {
                memory: false,
                database: Some(db.url().to_owned()),
                master_key_file: Some(key.clone()),
                ..Config::ephemeral()
            };
            DATABASES.lock().unwrap().push(db);
            config
        }
        Ok("sqlite") | Ok("memory") | Err(_) => Config::ephemeral(),
        Ok(other) => panic!("IRONPOOL_E2E_BACKEND={other}: expected postgres or memory"),
    }
}

/// A server in this process, on a free loopback port.
pub struct TestServer {
    pub server: Server,
}

impl TestServer {
    /// On the test backend, no credentials (admin API open).
    pub async fn start() -> Self {
        Self::with_config(test_config()).await
    }

    pub async fn with_config(config: Config) -> Self {
        let app = App::from_config(config).await.expect("app");
        let server = Server::start(app).await.expect("server starts");
        Self { server }
    }

    /// On the test backend, with SigV4 required for IAM operations (key `KEY_ID` / `SECRET`).
    pub async fn with_credentials(dir: &Path) -> Self {
        let file = dir.join("credentials");
        std::fs::write(
            &file,
            format!("[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"),
        )
        .unwrap();
        Self::with_config(Config {
            credentials_file: Some(file),
            ..test_config()
        })
        .await
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// An SDK client with the test key pair.
    pub fn client(&self) -> Client {
        sdk_client(&self.url(), KEY_ID, SECRET, "us-east-1")
    }
}

/// aws-sdk-cognitoidentityprovider over plain HTTP, static credentials, no retries (so an
/// error shows at once, and a 5xx is not hidden behind retries).
pub fn sdk_client(url: &str, key_id: &str, secret: &str, region: &str) -> Client {
    let http = aws_smithy_http_client::Builder::new().build_http();
    let config = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version_latest()
        .region(Region::new(region.to_owned()))
        .endpoint_url(url)
        .credentials_provider(Credentials::new(key_id, secret, None, None, "test"))
        .retry_config(RetryConfig::disabled())
        .http_client(http)
        .build();
    Client::from_conf(config)
}

/// A raw JSON 1.1 call, for the wire details the SDK hides.
pub async fn raw_call(
    url: &str,
    target: Option<&str>,
    body: &str,
) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    let mut req = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-amz-json-1.1")
        .body(body.to_owned());
    if let Some(t) = target {
        req = req.header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{t}"),
        );
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    (status, headers, json)
}

/// A pool configured by `f`; its id.
pub async fn pool_with(
    c: &Client,
    f: impl FnOnce(CreateUserPoolFluentBuilder) -> CreateUserPoolFluentBuilder,
) -> String {
    f(c.create_user_pool().pool_name("test"))
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned()
}

pub async fn pool(c: &Client) -> String {
    pool_with(c, |b| b).await
}

/// An app client "app" of pool `p` configured by `f`; its id.
pub async fn client_with(
    c: &Client,
    p: &str,
    f: impl FnOnce(CreateUserPoolClientFluentBuilder) -> CreateUserPoolClientFluentBuilder,
) -> String {
    f(c.create_user_pool_client()
        .user_pool_id(p)
        .client_name("app"))
    .send()
    .await
    .unwrap()
    .user_pool_client()
    .unwrap()
    .client_id()
    .unwrap()
    .to_owned()
}

/// A server whose clock the test moves.
pub async fn clocked() -> (Server, Arc<ManualClock>) {
    let mut app = App::from_config(test_config()).await.unwrap();
    let clock = Arc::new(ManualClock::new(SystemTime::now()));
    app.clock = clock.clone();
    (Server::start(app).await.unwrap(), clock)
}

/// The error code and message of an SDK error.
pub fn err<E, R>(e: aws_sdk_cognitoidentityprovider::error::SdkError<E, R>) -> (String, String)
where
    E: aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    let service = e
        .as_service_error()
        .unwrap_or_else(|| panic!("not a service error: {e:?}"));
    (
        service.code().unwrap_or_default().to_owned(),
        service.message().unwrap_or_default().to_owned(),
    )
}

/// The `ironpool` binary running as a child process (for restarts, kill -9 and flags).
pub struct Process {
    pub child: Child,
    pub addr: SocketAddr,
    /// Everything it has written to standard error so far.
    log: Arc<Mutex<String>>,
}

impl Process {
    pub fn binary() -> PathBuf {
        PathBuf::from(env!("CARGO_BIN_EXE_ironpool"))
    }

    /// Starts `ironpool serve <args>` on a free port and waits until it listens.
    pub fn spawn(args: &[&str]) -> Self {
        Self::try_spawn(args).unwrap_or_else(|e| panic!("ironpool did not start: {e}"))
    }

    /// Starts it (logging JSON unless `args` name a format); Err carries what it printed if it
    /// exited instead of listening.
    pub fn try_spawn(args: &[&str]) -> Result<Self, String> {
        Self::try_spawn_with_env(args, &[])
    }

    pub fn try_spawn_with_env(args: &[&str], env: &[(&str, &str)]) -> Result<Self, String> {
        let mut command = Command::new(Self::binary());
        command.arg("serve");
        if !args.contains(&"--log-format") {
            command.args(["--log-format", "json"]);
        }
        command.envs(env.iter().copied());
        if !args.contains(&"--listen") {
            command.args(["--listen", "127.0.0.1:0"]);
        }
        let mut child = command
            .args(args)
            .env_remove("IRONPOOL_CREDENTIALS_FILE")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let (tx, rx) = std::sync::mpsc::channel();
        let log = Arc::new(Mutex::new(String::new()));
        let seen = log.clone();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut seen = seen.lock().unwrap();
                seen.push_str(&line);
                seen.push('\n');
                if !sent {
                    if let Some(addr) = listening_addr(&line) {
                        let _ = tx.send(Ok(addr));
                        sent = true;
                    }
                }
            }
            if !sent {
                let _ = tx.send(Err(seen.lock().unwrap().clone()));
            }
        });
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(Ok(addr)) => Ok(Self { child, addr, log }),
            Ok(Err(output)) => {
                let _ = child.wait();
                Err(output)
            }
            Err(_) => {
                let _ = child.kill();
                Err("timed out".into())
            }
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What it has logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The log once `done` holds for it, or after ten seconds: lines reach
    /// the pipe, and the thread reading it, a moment after the response.
    pub fn log_when(&self, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let log = self.log();
            if done(&log) || Instant::now() > deadline {
                return log;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: no chance to flush anything.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address of the "ironpool listening" line, in either log format.
fn listening_addr(line: &str) -> Option<SocketAddr> {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
        if v["fields"]["message"] != "ironpool listening" {
            return None;
        }
        return v["fields"]["addr"].as_str()?.parse().ok();
    }
    let (_, fields) = line.split_once("ironpool listening ")?;
    fields
        .strip_prefix("addr=")?
        .split(' ')
        .next()?
        .parse()
        .ok()
}

/// The venv's Python (`scripts/setup-test-clients`) when it can import `module`; None, saying
/// so, when it cannot, unless IRONPOOL_REQUIRE_CLIENTS=1 makes that a failure.
pub fn venv_python(module: &str) -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    let ready = Command::new(&venv)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if ready {
        return Some(venv);
    }
    if std::env::var("IRONPOOL_REQUIRE_CLIENTS").as_deref() == Ok("1") {
        panic!("{module} is not installed in .venv: run scripts/setup-test-clients");
    }
    eprintln!("SKIPPED: {module} is not installed in .venv (run scripts/setup-test-clients)");
    None
}
