//! The request path: an operation name and a body, through the awsJson1.1 endpoint (target,
//! content type, JSON, model validation, the handler) of a server on an in-memory store.
//!
//! An input is the operation's name, a line break, then the body. In the body, `@pool`,
//! `@client`, `@user` and `@token` stand for a pool, an app client, a confirmed user and an
//! access token of that user, made before the first input and again whenever an input has
//! taken them away. A finding is a panic, an answer of 500 or more, or a body that is not
//! JSON.

use axum::body::Body;
use axum::extract::State;
use ironpool_server::{App, Config};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

pub const PASSWORD: &str = "Fuzz-Passw0rd!";
pub const USERNAME: &str = "fuzzer";
/// Inputs served by one server before a fresh one (and a fresh store) takes over, so that
/// what inputs create does not pile up for hours.
const INPUTS_PER_SERVER: u32 = 20_000;

struct Harness {
    runtime: tokio::runtime::Runtime,
    app: Arc<App>,
    fixture: Option<Fixture>,
    served: u32,
}

struct Fixture {
    pool: String,
    client: String,
    token: String,
}

static HARNESS: Mutex<Option<Harness>> = Mutex::new(None);

pub fn run(data: &[u8]) {
    let (name, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let mut guard = HARNESS.lock().unwrap_or_else(|e| e.into_inner());
    if guard.as_ref().is_none_or(|h| h.served >= INPUTS_PER_SERVER) {
        *guard = Some(Harness::new());
    }
    let harness = guard.as_mut().expect("harness");
    harness.served += 1;
    let fixture = harness.fixture();
    let body = substitute(body, fixture);
    let (status, answer) = harness.post(name, body);
    let name = String::from_utf8_lossy(name);
    assert!(
        status < 500,
        "{name} answered {status}: {}",
        String::from_utf8_lossy(&answer)
    );
    let parsed: Value = serde_json::from_slice(&answer)
        .unwrap_or_else(|e| panic!("{name} answered {status} with a body that is not JSON ({e})"));
    if status != 200 {
        assert!(parsed["__type"].is_string(), "{name}: error without __type");
    }
    if std::env::var_os("IRONPOOL_FUZZ_VERBOSE").is_some() {
        eprintln!(
            "{name} {status} {}",
            parsed["__type"].as_str().unwrap_or("")
        );
    }
    let reads = ["Describe", "List", "Get"];
    if status == 200 && !reads.iter().any(|r| name.starts_with(r)) {
        harness.check_fixture();
    }
}

fn substitute(body: &[u8], fixture: &Fixture) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    if !text.contains('@') || std::str::from_utf8(body).is_err() {
        return body.to_vec();
    }
    text.replace("@pool", &fixture.pool)
        .replace("@client", &fixture.client)
        .replace("@user", USERNAME)
        .replace("@token", &fixture.token)
        .into_bytes()
}

impl Harness {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let app = runtime
            .block_on(App::from_config(Config::ephemeral()))
            .expect("in-memory server");
        Self {
            runtime,
            app: Arc::new(app),
            fixture: None,
            served: 0,
        }
    }

    fn post(&self, operation: &[u8], body: Vec<u8>) -> (u16, Vec<u8>) {
        let mut request = http::Request::builder()
            .method("POST")
            .uri("/")
            .header("content-type", "application/x-amz-json-1.1");
        let mut target = ironpool_server::protocol::TARGET_PREFIX.as_bytes().to_vec();
        target.extend_from_slice(operation);
        if let Ok(value) = http::HeaderValue::from_bytes(&target) {
            request = request.header("x-amz-target", value);
        }
        let request = request.body(Body::from(body)).expect("request");
        self.runtime.block_on(async {
            let response =
                ironpool_server::protocol::handle(State(self.app.clone()), request).await;
            let status = response.status().as_u16();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body");
            (status, body.to_vec())
        })
    }

    fn call(&self, operation: &str, body: Value) -> Value {
        let (status, answer) = self.post(operation.as_bytes(), body.to_string().into_bytes());
        let answer: Value = serde_json::from_slice(&answer).expect("JSON");
        assert_eq!(status, 200, "{operation}: {answer}");
        answer
    }

    fn fixture(&mut self) -> &Fixture {
        if self.fixture.is_none() {
            self.fixture = Some(self.make_fixture());
        }
        self.fixture.as_ref().expect("fixture")
    }

    /// Makes the fixture again when an input deleted or disabled what it names.
    fn check_fixture(&mut self) {
        let Some(fixture) = &self.fixture else { return };
        let body = json!({ "AccessToken": fixture.token }).to_string();
        let (status, _) = self.post(b"GetUser", body.into_bytes());
        if status != 200 {
            self.fixture = None;
        }
    }

    fn make_fixture(&self) -> Fixture {
        let pool = self.call("CreateUserPool", json!({ "PoolName": "fuzz" }));
        let pool = pool["UserPool"]["Id"].as_str().expect("pool id").to_owned();
        let client = self.call(
            "CreateUserPoolClient",
            json!({
                "UserPoolId": pool,
                "ClientName": "fuzz",
                "ExplicitAuthFlows": [
                    "ALLOW_USER_PASSWORD_AUTH",
                    "ALLOW_USER_SRP_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH",
                    "ALLOW_ADMIN_USER_PASSWORD_AUTH"
                ],
            }),
        );
        let client = client["UserPoolClient"]["ClientId"]
            .as_str()
            .expect("client id")
            .to_owned();
        self.call(
            "AdminCreateUser",
            json!({
                "UserPoolId": pool,
                "Username": USERNAME,
                "MessageAction": "SUPPRESS",
                "UserAttributes": [
                    { "Name": "email", "Value": "fuzzer@example.com" },
                    { "Name": "email_verified", "Value": "true" }
                ],
            }),
        );
        self.call(
            "AdminSetUserPassword",
            json!({ "UserPoolId": pool, "Username": USERNAME, "Password": PASSWORD, "Permanent": true }),
        );
        let tokens = self.call(
            "InitiateAuth",
            json!({
                "ClientId": client,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": { "USERNAME": USERNAME, "PASSWORD": PASSWORD },
            }),
        );
        let token = tokens["AuthenticationResult"]["AccessToken"]
            .as_str()
            .expect("access token")
            .to_owned();
        Fixture {
            pool,
            client,
            token,
        }
    }
}
