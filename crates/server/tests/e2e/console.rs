//! The admin console (`/_ironpool/console`): its forms run the API's operations (so the API's
//! errors show on its pages), it escapes what users wrote, refuses forms without its CSRF token
//! or from other sites, and asks who is there off a loopback address; and in headless Chromium
//! it creates a pool, a client and a user, shows the invitation's code, and inspects the token
//! the AWS CLI signs in with. Screenshots are left in `target/test-artifacts/`.

use crate::browser::chromium;
use crate::cli::{aws, aws_cli, json};
use crate::harness::{err, test_config, TestServer, KEY_ID, SECRET};
use crate::js_clients::{js_dir, node};
use aws_sdk_cognitoidentityprovider::types::{AttributeType, DeletionProtectionType};
use ironpool_server::config::Console as ConsoleMode;
use ironpool_server::Config;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::StatusCode;
use std::path::PathBuf;

const ACCOUNT: &str = "000000000000";

/// A browser of the console: no redirects followed, its cookie kept by hand.
struct Browser {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
    auth: Option<(String, String)>,
}

impl Browser {
    /// Opens the pools page of the server's account and region, keeping its CSRF cookie.
    async fn open(url: &str) -> Self {
        Self::open_as(url, None).await
    }

    async fn open_as(url: &str, auth: Option<(&str, &str)>) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let base = format!("{url}/_ironpool/console/{ACCOUNT}/us-east-1");
        let mut request = http.get(&base);
        if let Some((user, password)) = auth {
            request = request.basic_auth(user, Some(password));
        }
        let page = request.send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let set = page.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict"),
            "{set}"
        );
        let cookie = set.split(';').next().unwrap().to_owned();
        let html = page.text().await.unwrap();
        let csrf = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a CSRF field")
            .to_owned();
        assert_eq!(cookie.split_once('=').unwrap().1, csrf);
        Self {
            http,
            base,
            cookie,
            csrf,
            auth: auth.map(|(u, p)| (u.to_owned(), p.to_owned())),
        }
    }

    fn with_auth(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.auth {
            Some((user, password)) => request.basic_auth(user, Some(password)),
            None => request,
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .with_auth(self.http.get(format!("{}{path}", self.base)))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// Posts a form with the CSRF token; the status and the page, or where it redirects.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let mut form: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        form.extend_from_slice(fields);
        self.post_raw(path, &form, &HeaderMap::new()).await
    }

    async fn post_raw(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &HeaderMap,
    ) -> (StatusCode, String) {
        let response = self
            .with_auth(self.http.post(format!("{}{path}", self.base)))
            .header("cookie", &self.cookie)
            .headers(headers.clone())
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        if status == StatusCode::SEE_OTHER {
            let to = response.headers()["location"].to_str().unwrap().to_owned();
            return (status, to);
        }
        (status, response.text().await.unwrap())
    }
}

/// The text of an element with this id on a page.
fn by_id<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id} in {html}"));
    let rest = &html[start..];
    let rest = &rest[rest.find('>').unwrap() + 1..];
    &rest[..rest.find('<').unwrap()]
}

/// A minijinja-escaped string, as it appears in a page.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

#[tokio::test]
async fn console_forms_run_the_api_and_show_its_errors() {
    let s = TestServer::start().await;
    let c = s.client();
    let b = Browser::open(&s.url()).await;

    // A name the API refuses: the page shows the API's own message.
    let long = "p".repeat(129);
    let (status, page) = b.post("", &[("PoolName", &long)]).await;
    let api = err(c
        .create_user_pool()
        .pool_name(&long)
        .send()
        .await
        .unwrap_err());
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(api.0, "InvalidParameterException");
    assert!(
        page.contains(&escaped(&format!("{}: {}", api.0, api.1))),
        "{}\n{page}",
        api.1
    );

    // A protected pool: created, then its deletion refused as the API refuses it.
    let (status, to) = b
        .post("", &[("PoolName", "kept"), ("DeletionProtection", "on")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    let pool = to.rsplit('/').next().unwrap().to_owned();
    let described = c
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let described = described.user_pool().unwrap();
    assert_eq!(described.name(), Some("kept"));
    assert_eq!(
        described.deletion_protection(),
        Some(&DeletionProtectionType::Active)
    );
    let (status, page) = b.post(&format!("/pools/{pool}/do/delete"), &[]).await;
    let api = err(c
        .delete_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap_err());
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains(&escaped(&api.1)), "{}\n{page}", api.1);
    assert_eq!(
        by_id(&page, "pool-id"),
        pool,
        "the pool's page, with the error"
    );

    // A user, disabled and given a group in the console, as the API sees it.
    let (status, to) = b
        .post(
            &format!("/pools/{pool}/do/create-user"),
            &[
                ("Username", "dave"),
                ("email", "dave@example.com"),
                ("DesiredDeliveryMediums", "EMAIL"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    assert!(to.ends_with(&format!("/pools/{pool}/users/dave")), "{to}");
    b.post(
        &format!("/pools/{pool}/do/create-group"),
        &[("GroupName", "staff")],
    )
    .await;
    for (action, fields) in [
        ("disable", vec![]),
        ("add-group", vec![("GroupName", "staff")]),
        (
            "update-attribute",
            vec![("Name", "name"), ("Value", "Dave D")],
        ),
    ] {
        let (status, to) = b
            .post(&format!("/pools/{pool}/users/dave/do/{action}"), &fields)
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{action}: {to}");
    }
    let user = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("dave")
        .send()
        .await
        .unwrap();
    assert!(!user.enabled());
    let name = user.user_attributes().iter().find(|a| a.name() == "name");
    assert_eq!(name.and_then(|a| a.value()), Some("Dave D"));
    let groups = c
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("dave")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.groups()[0].group_name(), Some("staff"));
    let (_, page) = b.get(&format!("/pools/{pool}/users/dave")).await;
    assert_eq!(by_id(&page, "enabled"), "no");
    assert_eq!(by_id(&page, "status"), "FORCE_CHANGE_PASSWORD");

    // A password the pool's policy refuses: the API's message, on the user's page.
    let (status, page) = b
        .post(
            &format!("/pools/{pool}/users/dave/do/set-password"),
            &[("Password", "short"), ("Permanent", "on")],
        )
        .await;
    let api = err(c
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("dave")
        .password("short")
        .permanent(true)
        .send()
        .await
        .unwrap_err());
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(api.0, "InvalidPasswordException");
    assert!(page.contains(&escaped(&api.1)), "{}\n{page}", api.1);

    // An app client: its secret shown only when asked for; its callback URL gives a managed
    // login link once the pool has a domain.
    let (status, to) = b
        .post(
            &format!("/pools/{pool}/do/create-client"),
            &[
                ("ClientName", "web"),
                ("GenerateSecret", "on"),
                ("ExplicitAuthFlows", "ALLOW_USER_SRP_AUTH"),
                ("ExplicitAuthFlows", "ALLOW_REFRESH_TOKEN_AUTH"),
                ("CallbackURLs", "https://app.example/cb"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    let client_id = to.rsplit('/').next().unwrap().to_owned();
    let client = c
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    let client = client.user_pool_client().unwrap();
    let secret = client.client_secret().unwrap().to_owned();
    assert_eq!(client.callback_urls(), ["https://app.example/cb"]);
    let (_, page) = b.get(&format!("/pools/{pool}/clients/{client_id}")).await;
    assert!(!page.contains(&secret), "the secret only on demand");
    let (_, page) = b
        .get(&format!("/pools/{pool}/clients/{client_id}?reveal=1"))
        .await;
    assert_eq!(by_id(&page, "client-secret"), secret);
    b.post(
        &format!("/pools/{pool}/do/create-domain"),
        &[("Domain", "kept-console")],
    )
    .await;
    let (_, page) = b.get(&format!("/pools/{pool}")).await;
    assert!(
        page.contains(&escaped(&format!("/{pool}/login?client_id={client_id}"))),
        "{page}"
    );

    // An update keeps what the form does not show.
    let (status, _) = b
        .post(
            &format!("/pools/{pool}/clients/{client_id}/do/update"),
            &[
                ("ExplicitAuthFlows", "ALLOW_USER_PASSWORD_AUTH"),
                ("ExplicitAuthFlows", "ALLOW_REFRESH_TOKEN_AUTH"),
                (
                    "CallbackURLs",
                    "https://app.example/cb\nhttps://app.example/two",
                ),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let client = c
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    let client = client.user_pool_client().unwrap();
    assert_eq!(client.client_secret(), Some(secret.as_str()));
    assert_eq!(client.callback_urls().len(), 2);
    assert_eq!(client.explicit_auth_flows().len(), 2);
    assert_eq!(client.allowed_o_auth_scopes().len(), 3);
}

#[tokio::test]
async fn console_escapes_what_users_wrote() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = crate::harness::pool(&c).await;
    let evil = "\"><script>alert(1)</script>";
    c.admin_create_user()
        .user_pool_id(&pool)
        .username(evil)
        .user_attributes(
            AttributeType::builder()
                .name("name")
                .value("<img src=x onerror=alert(2)>")
                .build()
                .unwrap(),
        )
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let b = Browser::open(&s.url()).await;
    let (status, page) = b.get(&format!("/pools/{pool}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("<script>alert(1)"), "{page}");
    assert!(page.contains(&escaped(evil)), "{page}");
    let link = format!(
        "/pools/{pool}/users/{}",
        percent_encoding::utf8_percent_encode(evil, percent_encoding::NON_ALPHANUMERIC)
    );
    assert!(page.contains(&link), "{page}");
    let (status, page) = b.get(&link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("<script>alert(1)"), "{page}");
    assert!(!page.contains("<img src=x"), "{page}");
    assert!(
        page.contains(&escaped("<img src=x onerror=alert(2)>")),
        "{page}"
    );
}

#[tokio::test]
async fn console_refuses_forms_without_its_csrf_token_or_from_other_sites() {
    let s = TestServer::start().await;
    let c = s.client();
    let b = Browser::open(&s.url()).await;
    let mut forged = b.csrf.clone().into_bytes();
    forged[0] = if forged[0] == b'a' { b'b' } else { b'a' };
    let forged = String::from_utf8(forged).unwrap();
    let none = HeaderMap::new();
    for form in [
        vec![("PoolName", "forged")],
        vec![("csrf", forged.as_str()), ("PoolName", "forged")],
    ] {
        let (status, _) = b.post_raw("", &form, &none).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let mut other_site = HeaderMap::new();
    other_site.insert("origin", HeaderValue::from_static("https://evil.example"));
    let (status, _) = b
        .post_raw(
            "",
            &[("csrf", &b.csrf), ("PoolName", "forged")],
            &other_site,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Without the cookie, the token of the page is worth nothing.
    let response = b
        .http
        .post(&b.base)
        .form(&[("csrf", b.csrf.as_str()), ("PoolName", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let pools = c.list_user_pools().max_results(60).send().await.unwrap();
    assert!(pools.user_pools().is_empty(), "nothing was created");

    // The page's own origin is welcome.
    let mut own = HeaderMap::new();
    own.insert("origin", HeaderValue::from_str(&s.url()).unwrap());
    let (status, _) = b
        .post_raw("", &[("csrf", &b.csrf), ("PoolName", "mine")], &own)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Served at a loopback name only (a rebound DNS name is refused), never framed or cached,
    // and running no script.
    let response = b
        .http
        .get(&b.base)
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::MISDIRECTED_REQUEST);
    let response = b.http.get(&b.base).send().await.unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(!response.text().await.unwrap().contains("<script"));
}

/// A credentials file with a key of the server's account and one of account 111111111111,
/// and a console password file.
fn secrets(dir: &std::path::Path) -> (PathBuf, PathBuf) {
    let credentials = dir.join("credentials");
    std::fs::write(
        &credentials,
        format!(
            "[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n\
             [other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other-secret\n\
             aws_account_id = 111111111111\n"
        ),
    )
    .unwrap();
    let password = dir.join("console-password");
    std::fs::write(&password, "correct horse battery\n").unwrap();
    (credentials, password)
}

#[tokio::test]
async fn console_off_loopback_asks_who_is_there_and_keeps_keys_to_their_account() {
    let dir = tempfile::tempdir().unwrap();
    let (credentials, password) = secrets(dir.path());
    let s = TestServer::with_config(Config {
        listen: "0.0.0.0:0".parse().unwrap(),
        credentials_file: Some(credentials),
        console_password_file: Some(password),
        console: ConsoleMode::On,
        ..test_config()
    })
    .await;
    let port = s.url().rsplit(':').next().unwrap().to_owned();
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let home = format!("{url}/_ironpool/console/{ACCOUNT}/us-east-1");
    let response = http.get(&home).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Basic realm=\"Ironpool console\", charset=\"UTF-8\""
    );
    for (user, password) in [
        (KEY_ID, "wrong"),
        ("admin", "wrong password"),
        ("AKIAUNKNOWN", SECRET),
    ] {
        let response = http
            .get(&home)
            .basic_auth(user, Some(password))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{user}");
    }
    // A key browses its own account; a key of another account is kept to that one.
    let b = Browser::open_as(&url, Some((KEY_ID, SECRET))).await;
    let (status, page) = b.get("").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(KEY_ID), "who signed in is shown");
    assert!(!page.contains(SECRET));
    let other = format!("{url}/_ironpool/console/111111111111/us-east-1");
    for (user, password, status) in [
        ("AKIAOTHER", "other-secret", StatusCode::OK),
        (KEY_ID, SECRET, StatusCode::FORBIDDEN),
        ("admin", "correct horse battery", StatusCode::OK),
    ] {
        let response = http
            .get(&other)
            .basic_auth(user, Some(password))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{user}");
    }
    let response = http
        .get(&home)
        .basic_auth("AKIAOTHER", Some("other-secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // The console's sign-in changes nothing of the API's: a form still runs as the console.
    let (status, to) = b.post("", &[("PoolName", "remote")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
}

#[tokio::test]
async fn console_can_be_turned_off_and_is_never_served_to_anyone_who_asks() {
    let s = TestServer::with_config(Config {
        console: ConsoleMode::Off,
        ..test_config()
    })
    .await;
    let response = reqwest::get(format!("{}/_ironpool/console", s.url()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // On, off a loopback address, with nothing to ask for: the server does not start.
    let app = ironpool_server::App::from_config(Config {
        listen: "0.0.0.0:0".parse().unwrap(),
        allow_unauthenticated: true,
        console: ConsoleMode::On,
        ..test_config()
    })
    .await
    .unwrap();
    let refused = ironpool_server::Server::start(app).await.err().unwrap();
    assert!(refused.contains("--console-password-file"), "{refused}");
    // Auto, there: not served.
    let s = TestServer::with_config(Config {
        listen: "0.0.0.0:0".parse().unwrap(),
        allow_unauthenticated: true,
        dev_endpoints: ironpool_server::config::DevEndpoints::On,
        ..test_config()
    })
    .await;
    let port = s.url().rsplit(':').next().unwrap().to_owned();
    let response = reqwest::get(format!("http://127.0.0.1:{port}/_ironpool/console"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

// Multi-threaded: the AWS CLI's runs block one thread while the server answers on another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_in_chromium_creates_a_pool_client_and_user_and_inspects_the_cli_token() {
    let Some(dir) = js_dir() else { return };
    if !chromium() {
        return;
    }
    let Some(cli) = aws_cli() else { return };
    let s = TestServer::start().await;
    let console = format!("{}/_ironpool/console/{ACCOUNT}/us-east-1", s.url());
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let artifacts = artifacts.to_str().unwrap();
    let out = node(
        &dir,
        "console_browser.mjs",
        &[
            ("CONSOLE", console.as_str()),
            ("PHASE", "setup"),
            ("ARTIFACTS", artifacts),
        ],
    )
    .await;
    assert_eq!(out["scopedUrl"], console, "{out}");
    assert_eq!(out["poolsTitle"], "User pools · Ironpool console");
    assert_eq!(out["userStatus"], "FORCE_CHANGE_PASSWORD");
    assert_eq!(out["userTitle"], "carol");
    assert_eq!(out["users"], 1);
    assert_eq!(out["clientSecret"], 0);
    let pool = out["poolId"].as_str().unwrap();
    let client_id = out["clientId"].as_str().unwrap();
    let code = out["code"].as_str().unwrap();
    let sent = s.server.app().outbox.list(Some(pool), Some("carol"));
    assert_eq!(sent.len(), 1);
    assert_eq!(
        code, sent[0].code,
        "the outbox page shows the invitation's code"
    );

    // The AWS CLI signs carol in with the temporary password, and sets her own.
    let endpoint = [("AWS_ENDPOINT_URL", s.url())];
    let endpoint: Vec<(&str, &str)> = endpoint.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let challenge = json(&aws(
        &cli,
        KEY_ID,
        SECRET,
        &endpoint,
        &[
            "cognito-idp",
            "initiate-auth",
            "--client-id",
            client_id,
            "--auth-flow",
            "USER_PASSWORD_AUTH",
            "--auth-parameters",
            &format!("USERNAME=carol,PASSWORD={code}"),
        ],
    ));
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let signed_in = json(&aws(
        &cli,
        KEY_ID,
        SECRET,
        &endpoint,
        &[
            "cognito-idp",
            "respond-to-auth-challenge",
            "--client-id",
            client_id,
            "--challenge-name",
            "NEW_PASSWORD_REQUIRED",
            "--session",
            challenge["Session"].as_str().unwrap(),
            "--challenge-responses",
            &format!(
                "USERNAME=carol,NEW_PASSWORD={}",
                crate::signin_support::PASSWORD
            ),
        ],
    ));
    let id_token = signed_in["AuthenticationResult"]["IdToken"]
        .as_str()
        .unwrap();

    let out = node(
        &dir,
        "console_browser.mjs",
        &[
            ("CONSOLE", console.as_str()),
            ("PHASE", "inspect"),
            ("ID_TOKEN", id_token),
            ("POOL_ID", pool),
            ("ARTIFACTS", artifacts),
        ],
    )
    .await;
    let signature = out["signature"].as_str().unwrap();
    assert!(
        signature.starts_with(&format!(
            "valid: signed with pool {pool}'s ID token key (kid "
        )),
        "{out}"
    );
    assert!(
        out["expiry"].as_str().unwrap().starts_with("valid for 3"),
        "{out}"
    );
    assert_eq!(out["accepted"], "accepted by the API");
    assert_eq!(out["claims"]["cognito:username"], "carol");
    assert_eq!(out["claims"]["email"], "carol@example.com");
    assert_eq!(out["claims"]["aud"], client_id);
    assert_eq!(out["userStatus"], "CONFIRMED");
    assert_eq!(out["scriptErrors"], serde_json::json!([]));
    for name in ["pools", "pool", "outbox", "token", "user"] {
        let shot = format!("{artifacts}/console-{name}.png");
        assert!(std::fs::metadata(&shot).unwrap().len() > 1000, "{shot}");
    }
}
