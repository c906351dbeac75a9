//! `import`: a user import job of `--import-rows` rows on a fresh server per run: the file
//! PUT to the job's pre-signed URL, the job started and polled until it ends; rows imported
//! per second and the server's peak resident memory.

use crate::client::{field, Conn, Result};
use crate::report::Report;
use crate::server::Launch;
use crate::stats::Figure;
use crate::users::{email, username};
use crate::{Args, Plan};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use serde_json::json;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// The file: `header`, then `rows` users with a verified email each and MFA off, named as the
/// other workloads name their users (`user7`, `user7@example.com`).
pub fn file(header: &[String], rows: usize) -> Bytes {
    let mut out = header.join(",");
    for i in 0..rows {
        out.push('\n');
        let values: Vec<String> = header
            .iter()
            .map(|column| match column.as_str() {
                "cognito:username" => username(PREFIX, i),
                "cognito:mfa_enabled" => "false".into(),
                "email" => email(PREFIX, i),
                "email_verified" => "true".into(),
                "given_name" => format!("Given{i}"),
                _ => String::new(),
            })
            .collect();
        out.push_str(&values.join(","));
    }
    Bytes::from(out)
}

/// The start of every imported user's name.
pub const PREFIX: &str = "user";

/// A pool whose users are found by email, and its CSV header.
pub async fn pool_for_import(conn: &mut Conn, name: &str) -> Result<(String, Vec<String>)> {
    let pool = conn
        .call(
            "CreateUserPool",
            &json!({"PoolName": name, "AutoVerifiedAttributes": ["email"]}),
        )
        .await?;
    let pool_id = field(&pool, "/UserPool/Id")?.to_owned();
    let header = conn
        .call("GetCSVHeader", &json!({"UserPoolId": pool_id}))
        .await?;
    let header = serde_json::from_value(header["CSVHeader"].clone())
        .map_err(|e| format!("GetCSVHeader: {e}"))?;
    Ok((pool_id, header))
}

/// A user import job of `body` (`rows` users) into `pool_id`, through the server at `addr`:
/// the seconds of the upload, and from StartUserImportJob to the job's end. Fails unless every
/// row was imported.
pub async fn import(
    conn: &mut Conn,
    addr: SocketAddr,
    pool_id: &str,
    body: Bytes,
    rows: usize,
) -> Result<(f64, f64)> {
    let job = conn
        .call(
            "CreateUserImportJob",
            &json!({
                "UserPoolId": pool_id,
                "JobName": "bench",
                "CloudWatchLogsRoleArn": "arn:aws:iam::000000000000:role/CognitoImport",
            }),
        )
        .await?;
    let job_id = field(&job, "/UserImportJob/JobId")?.to_owned();
    let url = field(&job, "/UserImportJob/PreSignedUrl")?.to_owned();
    let sent = Instant::now();
    upload(addr, &url, body).await?;
    let upload_secs = sent.elapsed().as_secs_f64();
    let ids = json!({"UserPoolId": pool_id, "JobId": job_id});
    let started = Instant::now();
    conn.call("StartUserImportJob", &ids).await?;
    let done = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let job = conn.call("DescribeUserImportJob", &ids).await?;
        let status = field(&job, "/UserImportJob/Status")?.to_owned();
        if matches!(status.as_str(), "Succeeded" | "Failed" | "Stopped") {
            break job;
        }
    };
    let secs = started.elapsed().as_secs_f64();
    let imported = done["UserImportJob"]["ImportedUsers"].as_u64().unwrap_or(0);
    if imported != rows as u64 {
        return Err(format!("{imported} of {rows} imported: {done}"));
    }
    Ok((upload_secs, secs))
}

/// PUTs `body` to the pre-signed `url` (whose host is the server at `addr`).
async fn upload(addr: SocketAddr, url: &str, body: Bytes) -> Result<()> {
    let path = url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .ok_or_else(|| format!("pre-signed URL without a path: {url}"))?;
    let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    let (mut send, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let request = http::Request::put(path)
        .header(http::header::HOST, addr.to_string())
        .header("x-amz-server-side-encryption", "aws:kms")
        .body(Full::new(body))
        .map_err(|e| e.to_string())?;
    let response = send
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let text = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if !status.is_success() {
        return Err(format!(
            "upload: HTTP {status} {}",
            String::from_utf8_lossy(&text)
        ));
    }
    Ok(())
}

pub async fn run(
    args: &Args,
    plan: &Plan,
    base: &Launch,
    root: &Path,
    report: &mut Report,
) -> Result<()> {
    let rows = args
        .import_rows
        .unwrap_or(if args.quick { 50_000 } else { 1_000_000 });
    let (mut rates, mut peaks, mut uploads) = (Vec::new(), Vec::new(), Vec::new());
    let mut body: Option<Bytes> = None;
    for run in 0..plan.runs {
        let launch = Launch {
            data_dir: root.join(format!("import-{run}")),
            ..base.clone()
        };
        let server = launch.start().await?;
        let mut conn = Conn::connect(server.addr).await?;
        let (pool_id, header) = pool_for_import(&mut conn, "import").await?;
        let body = body.get_or_insert_with(|| file(&header, rows)).clone();
        let megabytes = body.len() as f64 / 1e6;
        let (upload_secs, secs) = import(&mut conn, server.addr, &pool_id, body, rows)
            .await
            .map_err(|e| format!("import run {run}: {e}"))?;
        let rate = rows as f64 / secs;
        let peak = server.peak_rss_mb();
        eprintln!(
            "import run {}/{}: {rows} rows ({megabytes:.1} MB uploaded in {upload_secs:.2} s) imported in {secs:.2} s: {rate:.0} rows/s, peak RSS {peak:.1} MB",
            run + 1,
            plan.runs
        );
        rates.push(rate);
        peaks.push(peak);
        uploads.push(megabytes / upload_secs);
    }
    let figure = |label, unit, values, below, above| Figure {
        workload: "import",
        label,
        unit,
        values,
        below,
        above,
    };
    report.figures.extend([
        figure(
            "rows imported per second",
            "rows/s",
            rates,
            None,
            Some(20_000.0),
        ),
        figure(
            "server peak resident memory",
            "MB",
            peaks,
            Some(200.0),
            None,
        ),
        figure("upload to the pre-signed URL", "MB/s", uploads, None, None),
    ]);
    Ok(())
}
