//! `GET /metrics`: the Prometheus text format, counting what the SDK's calls did (requests
//! by operation and outcome, their latency, sign-ins by flow and outcome, a lockout,
//! messages, store calls, rate-limit rejections); and every log line of a request, the
//! ones its background work writes included, carrying the request's id. The registry is the
//! process's, so exact counts are read from a server process of the test's own.

use crate::harness::{client_with, err, pool, sdk_client, Process, TestServer, KEY_ID, SECRET};
use crate::users::{attr, PW};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, DeliveryMediumType, ExplicitAuthFlowsType,
};
use ironpool_server::Config;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A scrape: each sample line's name and labels, and its value.
async fn scrape(url: &str) -> HashMap<String, f64> {
    let response = reqwest::get(format!("{url}/metrics")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    let mut samples = HashMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').unwrap();
        samples.insert(series.to_owned(), value.parse().unwrap());
    }
    for name in [
        "ironpool_requests_total",
        "ironpool_request_duration_seconds",
        "ironpool_sign_ins_total",
        "ironpool_lockouts_total",
        "ironpool_messages_total",
        "ironpool_store_operation_duration_seconds",
        "ironpool_rate_limited_requests_total",
    ] {
        assert!(text.contains(&format!("# TYPE {name} ")), "{name}:\n{text}");
    }
    samples
}

/// How much `series` grew between two scrapes (the registry is the process's).
fn grew(before: &HashMap<String, f64>, after: &HashMap<String, f64>, series: &str) -> f64 {
    after.get(series).copied().unwrap_or(0.0) - before.get(series).copied().unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_count_requests_sign_ins_lockouts_messages_and_store_calls() {
    let process = Process::spawn(&["--memory"]);
    let url = process.url();
    let c = sdk_client(&url, KEY_ID, SECRET, "us-east-1");
    let before = scrape(&url).await;
    let pool = pool(&c).await;
    let client = client_with(&c, &pool, |b| {
        b.explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
    })
    .await;
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("ann")
        .user_attributes(attr("email", "ann@example.com"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    c.admin_set_user_password()
        .user_pool_id(&pool)
        .username("ann")
        .password(PW)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let sign_in = |password: &str| {
        c.initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "ann")
            .auth_parameters("PASSWORD", password)
            .send()
    };
    assert!(sign_in(PW).await.unwrap().authentication_result().is_some());
    let mut wrong = 0;
    loop {
        let (code, message) = err(sign_in("Wrong-password-1").await.unwrap_err());
        assert_eq!(code, "NotAuthorizedException");
        wrong += 1;
        if message == "Password attempts exceeded" {
            break;
        }
        assert!(wrong < 10, "never locked out");
    }
    let after = scrape(&url).await;

    let requests = |op: &str, outcome: &str| {
        grew(
            &before,
            &after,
            &format!("ironpool_requests_total{{operation=\"{op}\",outcome=\"{outcome}\"}}"),
        )
    };
    assert_eq!(requests("CreateUserPool", "Success"), 1.0);
    assert_eq!(requests("AdminCreateUser", "Success"), 1.0);
    assert_eq!(requests("InitiateAuth", "Success"), 1.0);
    assert_eq!(
        requests("InitiateAuth", "NotAuthorizedException"),
        wrong as f64
    );
    let latency = |suffix: &str| {
        grew(
            &before,
            &after,
            &format!("ironpool_request_duration_seconds_{suffix}{{operation=\"InitiateAuth\"}}"),
        )
    };
    assert_eq!(latency("count"), 1.0 + wrong as f64);
    assert!(latency("sum") > 0.0);
    let inf = "ironpool_request_duration_seconds_bucket{operation=\"InitiateAuth\",le=\"+Inf\"}";
    assert_eq!(grew(&before, &after, inf), 1.0 + wrong as f64);

    let sign_ins = |outcome: &str| {
        grew(
            &before,
            &after,
            &format!(
                "ironpool_sign_ins_total{{flow=\"USER_PASSWORD_AUTH\",outcome=\"{outcome}\"}}"
            ),
        )
    };
    assert_eq!(sign_ins("authenticated"), 1.0);
    assert_eq!(sign_ins("NotAuthorizedException"), wrong as f64);
    assert_eq!(grew(&before, &after, "ironpool_lockouts_total"), 1.0);
    // The invitation went to the outbox, its destination here.
    let sent = "ironpool_messages_total{medium=\"EMAIL\",outcome=\"sent\"}";
    assert_eq!(grew(&before, &after, sent), 1.0);
    // Every store call is timed (in memory, all of them go through the one writer).
    let prefix =
        "ironpool_store_operation_duration_seconds_count{backend=\"sqlite\",kind=\"write\"}";
    let calls: f64 = after
        .keys()
        .filter(|series| series.starts_with(prefix))
        .map(|series| grew(&before, &after, series))
        .sum();
    assert!(calls >= 6.0, "{after:?}");
    assert!(after["process_resident_memory_bytes"] > 1e6);
    assert!(after["process_start_time_seconds"] > 1.7e9);
}

#[tokio::test]
async fn rate_limit_rejections_are_counted_by_category() {
    // UserUpdate's 25 requests per second, scaled to 1.
    let process = Process::spawn(&[
        "--memory",
        "--rate-limits",
        "aws",
        "--rate-limit-scale",
        "0.04",
    ]);
    let url = process.url();
    let c = sdk_client(&url, KEY_ID, SECRET, "us-east-1");
    let before = scrape(&url).await;
    let mut refused = 0;
    for _ in 0..40 {
        if let Err(e) = c.delete_user().access_token("not-a-token").send().await {
            if err(e).0 == "TooManyRequestsException" {
                refused += 1;
            }
        }
    }
    let after = scrape(&url).await;
    assert!(refused > 0);
    let series = "ironpool_rate_limited_requests_total{category=\"UserUpdate\"}";
    assert_eq!(grew(&before, &after, series), refused as f64);
}

#[tokio::test]
async fn metrics_can_be_turned_off() {
    let s = TestServer::with_config(Config {
        metrics: false,
        ..crate::harness::test_config()
    })
    .await;
    let response = reqwest::get(format!("{}/metrics", s.url())).await.unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn no_web_page_reads_the_metrics() {
    let s = TestServer::start().await;
    let response = reqwest::Client::new()
        .get(format!("{}/metrics", s.url()))
        .header("origin", "https://example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn every_log_line_of_a_request_carries_its_request_id() {
    let smtp = format!("smtp://127.0.0.1:{}", closed_port());
    let process = Process::spawn(&["--memory", "--smtp-url", &smtp]);
    let url = process.url();
    let c = sdk_client(&url, KEY_ID, SECRET, "us-east-1");
    let pool = pool(&c).await;
    let body = serde_json::json!({
        "UserPoolId": pool,
        "Username": "bob",
        "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}],
        "DesiredDeliveryMediums": ["EMAIL"],
    });
    let (status, headers, _) =
        crate::harness::raw_call(&url, Some("AdminCreateUser"), &body.to_string()).await;
    assert_eq!(status, 200);
    let id = headers["x-amzn-requestid"].to_str().unwrap().to_owned();
    // The email fails to go out in the background; its line comes later.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !process.log().contains("email delivery failed") {
        assert!(Instant::now() < deadline, "{}", process.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = process.log();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let of_request: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["span"]["request_id"] == id.as_str())
        .collect();
    let messages: Vec<&str> = of_request
        .iter()
        .map(|l| l["fields"]["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["message to user", "request", "email delivery failed"],
        "{log}"
    );
    let failed = of_request[2];
    assert_eq!(failed["level"], "WARN");
    assert_eq!(of_request[1]["fields"]["operation"], "AdminCreateUser");
    // CreateUserPool, before, was a request of its own.
    let ids: std::collections::BTreeSet<&str> = lines
        .iter()
        .filter_map(|l| l["span"]["request_id"].as_str())
        .collect();
    assert_eq!(ids.len(), 2, "{log}");
}

#[tokio::test]
async fn managed_login_sign_ins_and_token_endpoint_grants_count_as_sign_ins_of_their_flow() {
    let o = crate::oauth_support::OAuth::new().await;
    let url = o.f.url();
    let before = scrape(&url).await;
    o.f.user("alice", &[]).await;
    let mut browser = crate::oauth_support::Browser::new();
    let (page_url, page) = browser.follow(&o.authorize_url(&[])).await;
    let wrong = browser
        .submit(
            &page_url,
            &page,
            &[("username", "alice"), ("password", "not-her-password")],
        )
        .await;
    assert_eq!(wrong.status, 400, "the sign-in page again, with the error");
    let code = o
        .sign_in_for_code(&mut browser, "alice", &[("scope", "openid")])
        .await;
    assert_eq!(o.redeem(&code, None).await.0, 200);
    assert_eq!(o.redeem(&code, None).await.0, 400);
    let after = scrape(&url).await;
    let series = |outcome: &str| {
        format!(
            "ironpool_sign_ins_total{{flow=\"oauth2:authorization_code\",outcome=\"{outcome}\"}}"
        )
    };
    // In-process, other tests' servers count here too: at least this test's.
    assert!(grew(&before, &after, &series("authenticated")) >= 1.0);
    assert!(grew(&before, &after, &series("invalid_grant")) >= 1.0);
    let page = |outcome: &str| {
        format!("ironpool_sign_ins_total{{flow=\"managed_login:PASSWORD\",outcome=\"{outcome}\"}}")
    };
    assert!(grew(&before, &after, &page("authenticated")) >= 1.0);
    assert!(grew(&before, &after, &page("NotAuthorizedException")) >= 1.0);
}
