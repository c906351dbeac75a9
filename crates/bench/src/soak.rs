//! `soak` (only when named): a mixed load held at a fixed rate for `--soak-minutes` (30) on
//! one server: user creations (W3's two calls), password sign-ins, GetUser with an access
//! token and refresh-token sign-ins, in the proportions 2:3:4:1. The rate is half of what the
//! same mix reaches at concurrency 16 on this machine (or `--soak-rate`). Each minute gives a
//! row (operations, p50, p99 measured from when each operation was due, errors, the server's
//! resident memory); at the end every acknowledged user is read back. It passes with no
//! error, no lost user, memory within 10% of the first minute after warm-up, and the p99 of the
//! last third within twice that of the first.

use crate::client::{field, Conn, Result};
use crate::load::{drive, Amount, BoxFuture, Op};
use crate::server::Launch;
use crate::signin::Population;
use crate::users::{username, CreateUsers};
use crate::workloads::populate;
use crate::Args;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The mix, one operation per index.
struct Mix {
    population: Population,
    creator: CreateUsers,
    created: AtomicUsize,
    /// (user index, password acknowledged) of every acknowledged AdminCreateUser.
    acknowledged: Mutex<Vec<(usize, bool)>>,
    access_tokens: Vec<String>,
    refresh_tokens: Vec<String>,
}

impl Op for Mix {
    fn run<'a>(&'a self, index: usize, conn: &'a mut Conn) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let pick = |list: &'a [String]| &list[rand::random_range(0..list.len())];
            match index % 10 {
                0 | 1 => {
                    let n = self.created.fetch_add(1, Ordering::Relaxed);
                    let record = |password| self.acknowledged.lock().unwrap().push((n, password));
                    self.creator.create(n, conn, record).await
                }
                2..=4 => {
                    let user = username(
                        &self.population.prefix,
                        rand::random_range(0..self.population.users),
                    );
                    self.population
                        .password_sign_in(conn, &user)
                        .await
                        .map(drop)
                }
                5..=8 => {
                    let token = pick(&self.access_tokens);
                    let user = conn
                        .call("GetUser", &json!({ "AccessToken": token }))
                        .await?;
                    field(&user, "/Username").map(drop)
                }
                _ => {
                    let body = json!({
                        "AuthFlow": "REFRESH_TOKEN_AUTH",
                        "ClientId": self.population.client_id,
                        "AuthParameters": { "REFRESH_TOKEN": pick(&self.refresh_tokens) }
                    });
                    let answer = conn.call("InitiateAuth", &body).await?;
                    field(&answer, "/AuthenticationResult/AccessToken").map(drop)
                }
            }
        })
    }
}

/// One minute of the run.
#[derive(Default)]
struct Minute {
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
    rss_mb: f64,
}

pub async fn run(args: &Args, base: &Launch) -> Result<bool> {
    let minutes = args.soak_minutes.unwrap_or(if args.quick { 2 } else { 30 });
    let server = base.start().await?;
    let (population, _) = populate(&server, "soak", args.signin_users).await?;
    let mut conn = Conn::connect(server.addr).await?;
    let (mut access_tokens, mut refresh_tokens) = (Vec::new(), Vec::new());
    for index in 0..200.min(population.users) {
        let user = username(&population.prefix, index);
        let answer = population.password_sign_in(&mut conn, &user).await?;
        access_tokens.push(field(&answer, "/AuthenticationResult/AccessToken")?.to_owned());
        refresh_tokens.push(field(&answer, "/AuthenticationResult/RefreshToken")?.to_owned());
    }
    let mix = Arc::new(Mix {
        creator: CreateUsers {
            pool_id: population.pool_id.clone(),
            prefix: "soak".into(),
        },
        population,
        created: AtomicUsize::new(0),
        acknowledged: Mutex::new(Vec::new()),
        access_tokens,
        refresh_tokens,
    });
    let rate = match args.soak_rate {
        Some(rate) => rate,
        None => {
            let amount = Amount {
                ops: 1_000_000,
                limit: Some(Duration::from_secs(20)),
            };
            let run = drive(server.addr, &server.pid(), 16, amount, mix.clone()).await?;
            eprintln!(
                "soak: the mix reaches {:.0}/s at concurrency 16",
                run.throughput
            );
            run.throughput / 2.0
        }
    };
    eprintln!("soak: {minutes} minutes at {rate:.0} operations/s");
    let length = Duration::from_secs(60 * minutes);
    let table: Arc<Mutex<Vec<Minute>>> = Arc::new(Mutex::new(
        (0..minutes).map(|_| Minute::default()).collect(),
    ));
    let next = Arc::new(AtomicUsize::new(0));
    let start = tokio::time::Instant::now();
    let mut workers = Vec::new();
    for _ in 0..64 {
        let mut conn = Conn::connect(server.addr).await?;
        let (mix, table, next) = (mix.clone(), table.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let due = Duration::from_secs_f64(index as f64 / rate);
                if due >= length {
                    return;
                }
                tokio::time::sleep_until(start + due).await;
                let result = mix.run(index, &mut conn).await;
                let latency = start.elapsed().saturating_sub(due);
                let mut table = table.lock().unwrap();
                let minute = &mut table[(due.as_secs() / 60) as usize];
                minute.latencies.push(latency);
                if let Err(e) = result {
                    minute.errors += 1;
                    minute.first_error.get_or_insert(e);
                }
            }
        }));
    }
    for m in 0..minutes {
        tokio::time::sleep_until(start + Duration::from_secs(60 * (m + 1))).await;
        table.lock().unwrap()[m as usize].rss_mb = server.rss_mb();
    }
    for worker in workers {
        worker.await.map_err(|e| e.to_string())?;
    }
    let lost = read_back(&mix, &mut conn).await?;
    let table = std::mem::take(&mut *table.lock().unwrap());
    let writes = mix.acknowledged.lock().unwrap().len();
    Ok(report(&table, rate, lost, writes))
}

/// AdminGetUser of every acknowledged user: how many are missing, or not confirmed although
/// their password was acknowledged.
async fn read_back(mix: &Mix, conn: &mut Conn) -> Result<usize> {
    let acknowledged = mix.acknowledged.lock().unwrap().clone();
    let mut lost = 0;
    for (n, password) in acknowledged {
        let body = json!({
            "UserPoolId": mix.creator.pool_id,
            "Username": username(&mix.creator.prefix, n),
        });
        match conn.call("AdminGetUser", &body).await {
            Ok(user) if !password || user["UserStatus"] == "CONFIRMED" => {}
            _ => lost += 1,
        }
    }
    Ok(lost)
}

/// Prints the table and the verdict; true when the run passes.
fn report(table: &[Minute], rate: f64, lost: usize, writes: usize) -> bool {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("| minute | operations | p50 (ms) | p99 (ms) | errors | server RSS (MB) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    let mut p99s = Vec::new();
    for (m, minute) in table.iter().enumerate() {
        let mut sorted = minute.latencies.clone();
        sorted.sort_unstable();
        let (p50, p99) = (
            crate::stats::percentile(&sorted, 0.50),
            crate::stats::percentile(&sorted, 0.99),
        );
        p99s.push(ms(p99));
        println!(
            "| {} | {} | {:.2} | {:.2} | {} | {:.1} |",
            m + 1,
            sorted.len(),
            ms(p50),
            ms(p99),
            minute.errors,
            minute.rss_mb
        );
        if let Some(e) = &minute.first_error {
            eprintln!("minute {}: {e}", m + 1);
        }
    }
    let errors: usize = table.iter().map(|m| m.errors).sum();
    // Warm-up: the first sixth of the run (5 minutes of 30), at least one minute.
    let warm = (table.len() / 6).max(1).min(table.len() - 1);
    let rss: Vec<f64> = table[warm..].iter().map(|m| m.rss_mb).collect();
    let growth = rss.iter().copied().fold(0.0, f64::max) / rss[0] - 1.0;
    let third = (p99s.len() - warm).div_ceil(3);
    let median = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (early, late) = (
        median(&p99s[warm..warm + third]),
        median(&p99s[p99s.len() - third..]),
    );
    let drift = late / early;
    println!();
    println!(
        "{rate:.0} operations/s for {} minutes: {errors} errors; {writes} user writes \
         acknowledged, {lost} lost; RSS after warm-up {:.1} to {:.1} MB ({:+.1}%); median p99 of the first \
         third after warm-up {early:.2} ms, of the last third {late:.2} ms ({drift:.2}x)",
        table.len(),
        rss[0],
        rss.iter().copied().fold(0.0, f64::max),
        growth * 100.0
    );
    errors == 0 && lost == 0 && growth <= 0.10 && drift <= 2.0
}
