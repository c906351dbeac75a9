//! The README's code, run as a reader would on a fresh machine: every block marked
//! `<!-- snippet: name -->` runs against a test server (its address put in place of
//! `http://127.0.0.1:9229`), with no AWS configuration, credentials or region in the
//! environment but what the snippet sets. Needs `scripts/setup-test-clients`; skipped with a
//! message without it, unless IRONPOOL_REQUIRE_CLIENTS=1.

use crate::harness::{test_config, venv_python, TestServer};
use ironpool_server::config::IssuerStyle;
use ironpool_server::Config;
use std::path::PathBuf;

const README: &str = include_str!("../../../../README.md");
const ADDRESS: &str = "http://127.0.0.1:9229";

/// Every marked snippet, each run by one of the tests below.
const SNIPPETS: [&str; 16] = [
    "cli",
    "terraform",
    "boto3",
    "sdk-js-v3",
    "sign-up",
    "amplify",
    "identity-js",
    "pycognito",
    "jwt-verify-cache",
    "jwt-verify-fetcher",
    "pycognito-aws",
    "totp",
    "passwordless",
    "triggers",
    "web-app",
    "m2m",
];

/// The code of the block marked `name`, for a server at `url`.
fn snippet(name: &str, url: &str) -> String {
    let marker = format!("<!-- snippet: {name} -->\n```");
    let start = README
        .find(&marker)
        .unwrap_or_else(|| panic!("README.md has no snippet {name}"));
    let block = &README[start + marker.len()..];
    let code = &block[block.find('\n').unwrap() + 1..];
    code[..code.find("```\n").unwrap()].replace(ADDRESS, url)
}

/// The clients the snippets use: (the venv's Python, whose directory also holds the AWS CLI, and
/// the JS directory); None, saying so, when they are missing.
fn clients() -> Option<(PathBuf, PathBuf)> {
    let python = venv_python("pycognito")?;
    let js = crate::js_clients::js_dir()?;
    crate::cli::aws_cli()?;
    Some((python, js))
}

/// Runs a snippet as its reader would, followed by `then` (shell only): `sh` with bash,
/// stopping at the first failure; `python` with the venv's Python; `js` with node in the JS
/// directory. `env` is all the environment besides PATH and an empty HOME. Its standard output.
async fn run(name: &str, url: &str, env: &[(&str, &str)], then: &str) -> String {
    let (python, js) = clients().unwrap();
    let home = tempfile::tempdir().unwrap();
    let marker = format!("<!-- snippet: {name} -->\n```");
    let start = README.find(&marker).unwrap() + marker.len();
    let lang = README[start..].split('\n').next().unwrap();
    let code = snippet(name, url);
    let path = format!(
        "{}:{}",
        python.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = match lang {
        "sh" => {
            let mut c = tokio::process::Command::new("bash");
            c.args(["-e", "-o", "pipefail", "-c", &format!("{code}{then}")])
                .current_dir(home.path());
            c
        }
        "python" => {
            let mut c = tokio::process::Command::new(&python);
            c.args(["-c", &code]).current_dir(home.path());
            c
        }
        "js" => {
            let mut c = tokio::process::Command::new("node");
            c.args(["--input-type=module", "-e", &code])
                .current_dir(&js);
            c
        }
        other => panic!("snippet {name}: no runner for {other}"),
    };
    let out = command
        .env_clear()
        .env("PATH", path)
        .env("HOME", home.path())
        .envs(env.iter().copied())
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "README snippet {name} failed:\n{code}\n--- stdout\n{stdout}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Runs the sign-up demo: alice signed up, confirmed with the newest code of the outbox and
/// signed in; the POOL, CLIENT and ACCESS it exports.
async fn sign_up_demo(url: &str) -> [String; 3] {
    let out = run(
        "sign-up",
        url,
        &[],
        "printf '%s\\n' \"$POOL\" \"$CLIENT\" \"$ACCESS\"\n",
    )
    .await;
    assert!(out.contains("\"Username\": \"alice\""), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let [pool, client, access] = &lines[lines.len() - 3..] else {
        unreachable!()
    };
    [pool.to_string(), client.to_string(), access.to_string()]
}

#[tokio::test]
async fn readme_client_snippets_run() {
    if clients().is_none() {
        return;
    }
    let s = TestServer::start().await;
    let url = s.url();
    let out = run("cli", &url, &[], "").await;
    assert!(out.contains("\"Name\": \"my-pool\""), "{out}");
    let out = run("boto3", &url, &[], "").await;
    assert!(out.contains("'Name': 'my-pool'"), "{out}");
    let out = run("sdk-js-v3", &url, &[], "").await;
    assert!(out.contains("Name: 'my-pool'"), "{out}");

    let [pool, client, _] = sign_up_demo(&url).await;
    let env = [("POOL", pool.as_str()), ("CLIENT", client.as_str())];
    assert_eq!(run("amplify", &url, &env, "").await, "true alice\n");
    assert_eq!(run("identity-js", &url, &env, "").await, "alice\n");
    assert_eq!(run("pycognito", &url, &env, "").await, "alice\n");
}

#[tokio::test]
async fn readme_totp_sign_in_runs() {
    if clients().is_none() {
        return;
    }
    let s = TestServer::start().await;
    let url = s.url();
    let [pool, client, access] = sign_up_demo(&url).await;
    // The demo's shell: its exports.
    let env = [
        ("POOL", pool.as_str()),
        ("CLIENT", client.as_str()),
        ("ACCESS", access.as_str()),
        ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", url.as_str()),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ];
    let out = run("totp", &url, &env, "").await;
    assert!(out.ends_with("Bearer\n"), "{out}");
    // A password alone no longer signs alice in.
    let r = s
        .client()
        .initiate_auth()
        .client_id(&client)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", "Correct-horse-1")
        .send()
        .await
        .unwrap();
    assert!(r.authentication_result().is_none());
}

#[tokio::test]
async fn readme_passwordless_sign_in_runs() {
    if clients().is_none() {
        return;
    }
    let s = TestServer::start().await;
    let url = s.url();
    let [pool, client, access] = sign_up_demo(&url).await;
    let env = [
        ("POOL", pool.as_str()),
        ("CLIENT", client.as_str()),
        ("ACCESS", access.as_str()),
        ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", url.as_str()),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ];
    let out = run("passwordless", &url, &env, "").await;
    assert!(out.ends_with("Bearer\n"), "{out}");
    // The code was single use: sent once, the session spent.
    let codes = s.server.app().outbox.list(Some(&pool), Some("alice"));
    assert_eq!(codes.iter().filter(|m| m.purpose == "sign_in").count(), 1);
}

#[tokio::test]
async fn readme_issuer_recipes_run_with_the_aws_issuer_style() {
    if clients().is_none() {
        return;
    }
    let s = TestServer::with_config(Config {
        issuer_style: IssuerStyle::Aws,
        ..test_config()
    })
    .await;
    let url = s.url();
    let [pool, client, access] = sign_up_demo(&url).await;
    let env = [
        ("POOL", pool.as_str()),
        ("CLIENT", client.as_str()),
        ("ACCESS", access.as_str()),
    ];
    let iss = format!("https://cognito-idp.us-east-1.amazonaws.com/{pool}");
    for name in ["jwt-verify-cache", "jwt-verify-fetcher"] {
        let out = run(name, &url, &env, "").await;
        assert!(out.contains(&format!("iss: '{iss}'")), "{name}: {out}");
        assert!(out.contains("username: 'alice'"), "{name}: {out}");
    }
    assert_eq!(
        run("pycognito-aws", &url, &env, "").await,
        format!("{iss}\n")
    );
}

#[tokio::test]
async fn readme_trigger_snippet_runs() {
    let Some(l) = crate::lambdas::lambdas() else {
        return;
    };
    if clients().is_none() {
        return;
    }
    let handler =
        "export const handler = async (event) => { event.response.autoConfirmUser = true; return event; };";
    assert!(README.contains(&format!("`{handler}`")));
    l.function_named("AutoConfirm", handler).await;
    let s = l.server().await;
    let out = run("triggers", &s.url(), &[], "").await;
    assert_eq!(out, "true\n");
    let events = l.events("AutoConfirm").await;
    assert_eq!(events.last().unwrap()["userName"], "bob");
}

#[tokio::test]
async fn readme_web_app_sign_in_runs() {
    if clients().is_none() {
        return;
    }
    let s = TestServer::start().await;
    let out = run("web-app", &s.url(), &[], "").await;
    let tokens: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(tokens["token_type"], "Bearer", "{out}");
    let (_, id) = crate::signin_support::decode(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["cognito:username"], "alice");
    assert!(tokens["refresh_token"].is_string());
}

#[tokio::test]
async fn readme_m2m_token_runs() {
    if clients().is_none() {
        return;
    }
    let s = TestServer::start().await;
    let out = run("m2m", &s.url(), &[], "").await;
    let token: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(token["token_type"], "Bearer", "{out}");
    let (_, claims) = crate::signin_support::decode(token["access_token"].as_str().unwrap());
    assert_eq!(claims["scope"], "orders/read");
    assert_eq!(claims["sub"], claims["client_id"]);
}

/// The provider block applies a pool (Terraform and its provider mirror as for the terraform
/// tests, which skip without them).
#[tokio::test(flavor = "multi_thread")]
async fn readme_terraform_provider_applies() {
    let s = TestServer::start().await;
    let pool = "resource \"aws_cognito_user_pool\" \"demo\" {\n  name = \"demo\"\n}\n";
    let Some(tf) = crate::terraform::Terraform::init(&s.url(), pool) else {
        return;
    };
    tf.write_file("provider.tf", snippet("terraform", &s.url()).as_bytes());
    tf.apply();
    let pools = s
        .client()
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert_eq!(pools.user_pools()[0].name(), Some("demo"));
}

#[test]
fn every_marked_snippet_is_run() {
    let mut marked: Vec<&str> = README
        .match_indices("<!-- snippet: ")
        .map(|(i, m)| {
            let rest = &README[i + m.len()..];
            &rest[..rest.find(" -->").unwrap()]
        })
        .collect();
    marked.sort_unstable();
    let mut expected = SNIPPETS.to_vec();
    expected.sort_unstable();
    assert_eq!(marked, expected);
}
