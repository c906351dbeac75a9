//! `--only existence`: with PreventUserExistenceErrors ENABLED, the latency of each
//! self-service answer that must not tell an existing user from an unknown name, for both:
//! calls one at a time, existing and unknown interleaved, each existing user asked at most
//! twice per operation (so no lockout or code limit changes what is measured).

use crate::client::{field, Conn, Result};
use crate::server::Server;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ironpool_core::srp;
use serde_json::{json, Value};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const PASSWORD: &str = "Bench-pass-1";
const WRONG: &str = "Wrong-pass-1";

/// Existing users per kind (confirmed, unconfirmed); each operation makes twice as many calls.
const USERS: usize = 100;

struct Setup {
    pool_id: String,
    client_id: String,
}

async fn setup(conn: &mut Conn) -> Result<Setup> {
    let pool = conn
        .call(
            "CreateUserPool",
            &json!({ "PoolName": "existence", "AutoVerifiedAttributes": ["email"] }),
        )
        .await?;
    let pool_id = field(&pool, "/UserPool/Id")?.to_owned();
    let client = conn
        .call(
            "CreateUserPoolClient",
            &json!({
                "UserPoolId": pool_id,
                "ClientName": "existence",
                "PreventUserExistenceErrors": "ENABLED",
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH"]
            }),
        )
        .await?;
    let client_id = field(&client, "/UserPoolClient/ClientId")?.to_owned();
    for i in 0..USERS {
        conn.call(
            "AdminCreateUser",
            &json!({
                "UserPoolId": pool_id,
                "Username": format!("known{i}"),
                "MessageAction": "SUPPRESS",
                "UserAttributes": [
                    { "Name": "email", "Value": format!("known{i}@example.com") },
                    { "Name": "email_verified", "Value": "true" }
                ]
            }),
        )
        .await?;
        conn.call(
            "AdminSetUserPassword",
            &json!({ "UserPoolId": pool_id, "Username": format!("known{i}"),
                "Password": PASSWORD, "Permanent": true }),
        )
        .await?;
        conn.call(
            "SignUp",
            &json!({
                "ClientId": client_id,
                "Username": format!("pending{i}"),
                "Password": PASSWORD,
                "UserAttributes": [{ "Name": "email", "Value": format!("pending{i}@example.com") }]
            }),
        )
        .await?;
    }
    Ok(Setup { pool_id, client_id })
}

/// What an answer was, for telling whether both sides answered alike: the error type, or the
/// sorted field names of a success.
fn kind(answer: &Result<Value>) -> String {
    match answer {
        Ok(Value::Object(fields)) => {
            let mut names: Vec<&str> = fields.keys().map(String::as_str).collect();
            names.sort_unstable();
            names.join(",")
        }
        Ok(other) => other.to_string(),
        Err(e) => e.split(' ').nth(3).unwrap_or(e).to_owned(),
    }
}

/// The medians of `op` for existing (`known(i)`) and unknown names, and whether every pair of
/// answers was alike.
async fn compare(
    conn: &mut Conn,
    label: &str,
    operation: &str,
    body: impl Fn(usize, &str) -> Value,
    known: impl Fn(usize) -> String,
) -> Result<(String, Duration, Duration, bool)> {
    let (mut existing, mut unknown, mut alike) = (Vec::new(), Vec::new(), true);
    for i in 0..2 * USERS {
        let names = [known(i % USERS), format!("ghost{i}")];
        let mut kinds = [String::new(), String::new()];
        for step in 0..2 {
            // Alternate which goes first.
            let side = (i + step) % 2;
            let request = body(i, &names[side]);
            let started = Instant::now();
            let answer = conn.call(operation, &request).await;
            let took = started.elapsed();
            kinds[side] = kind(&answer);
            if side == 0 {
                existing.push(took);
            } else {
                unknown.push(took);
            }
        }
        alike &= kinds[0] == kinds[1];
    }
    Ok((label.to_owned(), median(existing), median(unknown), alike))
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

/// A USER_SRP_AUTH challenge for `name` and the answer a client with a wrong password gives.
async fn srp_answer(conn: &mut Conn, s: &Setup, name: &str) -> Result<Value> {
    let a: [u8; 32] = rand::random();
    let big_a = srp::g_pow(&a);
    let challenge = conn
        .call(
            "InitiateAuth",
            &json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": s.client_id,
                "AuthParameters": { "USERNAME": name, "SRP_A": srp::to_hex(&big_a) } }),
        )
        .await?;
    let param = |n: &str| field(&challenge, &format!("/ChallengeParameters/{n}"));
    let hex = |n: &str| -> Result<Vec<u8>> {
        srp::parse_hex(param(n)?).ok_or_else(|| format!("{n} is not hex"))
    };
    let user_id = param("USER_ID_FOR_SRP")?;
    let pool_name = srp::pool_name(&s.pool_id);
    let key = srp::client_key(
        &a,
        &big_a,
        &hex("SRP_B")?,
        &hex("SALT")?,
        pool_name,
        user_id,
        WRONG,
    );
    let block = STANDARD
        .decode(param("SECRET_BLOCK")?)
        .map_err(|e| e.to_string())?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?;
    let timestamp = srp::format_timestamp(now.as_secs() as i64);
    let signature = srp::claim_signature(&key, pool_name, user_id, &block, &timestamp);
    Ok(json!({
        "ClientId": s.client_id,
        "ChallengeName": "PASSWORD_VERIFIER",
        "Session": challenge["Session"],
        "ChallengeResponses": {
            "USERNAME": user_id,
            "PASSWORD_CLAIM_SECRET_BLOCK": param("SECRET_BLOCK")?,
            "PASSWORD_CLAIM_SIGNATURE": STANDARD.encode(signature),
            "TIMESTAMP": timestamp
        }
    }))
}

/// Runs every comparison on `server` and prints them as a Markdown table.
pub async fn run(server: &Server) -> Result<()> {
    let mut conn = Conn::connect(server.addr).await?;
    let s = setup(&mut conn).await?;
    let cid = s.client_id.clone();
    let known = |i: usize| format!("known{i}");
    let pending = |i: usize| format!("pending{i}");
    let mut rows = Vec::new();
    rows.push(
        compare(
            &mut conn,
            "ConfirmSignUp (wrong code)",
            "ConfirmSignUp",
            |_, n| json!({ "ClientId": cid, "Username": n, "ConfirmationCode": "000000" }),
            pending,
        )
        .await?,
    );
    rows.push(
        compare(
            &mut conn,
            "ResendConfirmationCode",
            "ResendConfirmationCode",
            |_, n| json!({ "ClientId": cid, "Username": n }),
            pending,
        )
        .await?,
    );
    rows.push(
        compare(
            &mut conn,
            "ForgotPassword",
            "ForgotPassword",
            |_, n| json!({ "ClientId": cid, "Username": n }),
            known,
        )
        .await?,
    );
    rows.push(
        compare(
            &mut conn,
            "ConfirmForgotPassword (wrong code)",
            "ConfirmForgotPassword",
            |_, n| {
                json!({ "ClientId": cid, "Username": n, "ConfirmationCode": "000000",
                "Password": "New-pass-123" })
            },
            known,
        )
        .await?,
    );
    rows.push(
        compare(
            &mut conn,
            "USER_PASSWORD_AUTH (wrong password)",
            "InitiateAuth",
            |_, n| {
                json!({ "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": cid,
                "AuthParameters": { "USERNAME": n, "PASSWORD": WRONG } })
            },
            known,
        )
        .await?,
    );
    rows.push(
        compare(
            &mut conn,
            "USER_SRP_AUTH (challenge)",
            "InitiateAuth",
            |_, n| {
                json!({ "AuthFlow": "USER_SRP_AUTH", "ClientId": cid,
                "AuthParameters": { "USERNAME": n,
                    "SRP_A": srp::to_hex(&srp::g_pow(&rand::random())) } })
            },
            known,
        )
        .await?,
    );
    // The SRP answer: its challenge is started outside the timed call.
    let mut answers = Vec::new();
    for i in 0..2 * USERS {
        answers.push((
            srp_answer(&mut conn, &s, &known(i % USERS)).await?,
            srp_answer(&mut conn, &s, &format!("ghost{i}")).await?,
        ));
    }
    rows.push(
        compare(
            &mut conn,
            "PASSWORD_VERIFIER (wrong password)",
            "RespondToAuthChallenge",
            |i, n| {
                let (real, ghost) = &answers[i];
                if n.starts_with("ghost") {
                    ghost.clone()
                } else {
                    real.clone()
                }
            },
            known,
        )
        .await?,
    );
    println!("| operation | existing user, median | unknown name, median | answers alike |");
    println!("| --- | --- | --- | --- |");
    for (label, existing, unknown, alike) in rows {
        println!(
            "| {label} | {:.2} ms | {:.2} ms | {} |",
            existing.as_secs_f64() * 1e3,
            unknown.as_secs_f64() * 1e3,
            if alike { "yes" } else { "NO" }
        );
    }
    Ok(())
}
