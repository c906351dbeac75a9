//! The order the workloads run in, on which servers, with how many operations.

use crate::client::{Conn, Result};
use crate::lambda::EchoLambda;
use crate::load::{drive, Amount, Op};
use crate::report::Report;
use crate::search::ListByEmail;
use crate::server::{Launch, Server};
use crate::signin::{Exchange, GetUser, PasswordSignIn, Population, SrpSignIn};
use crate::stats::{Figure, Row, Target};
use crate::users::{create_pool, create_pool_with, CreateClients, CreatePools, CreateUsers};
use crate::{crash, Args, Plan};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CONCURRENCIES: [usize; 3] = [1, 16, 64];
/// The concurrency the throughput targets are stated at.
pub const TARGET_CONCURRENCY: usize = 16;
/// Pools per W2 run; queries per W6 run; users signed in to for W5's tokens.
const POOLS: usize = 100;
const QUERIES: usize = 200;
const TOKENS: usize = 200;

pub async fn run_all(args: &Args) -> Result<Report> {
    let root = match &args.data_root {
        Some(dir) => tempfile::tempdir_in(dir),
        None => tempfile::tempdir(),
    }
    .map_err(|e| format!("temporary directory: {e}"))?;
    let lambda = match args.wants("W4t") {
        true => Some(EchoLambda::start().await?),
        false => None,
    };
    let base = Launch {
        binary: server_binary(args)?,
        data_dir: root.path().join("main"),
        database: args.database.clone(),
        master_key_file: master_key_file(args, root.path())?,
        lambda_endpoint: lambda.as_ref().map(|l| l.url.clone()),
    };
    let plan = args.plan();
    let mut report = Report::new();
    report.floor = Some(crate::floor::Primitives::measure(
        &root.path().join("floor"),
    )?);
    let named = |w: &str| args.only.iter().any(|o| o.eq_ignore_ascii_case(w));
    if named("import") {
        crate::import::run(args, &plan, &base, root.path(), &mut report).await?;
    }
    if named("million") {
        crate::million::run(args, &plan, &base, root.path(), &mut report).await?;
    }
    if named("soak") && !crate::soak::run(args, &base).await? {
        return Err("the soak run failed its checks".into());
    }
    let on_their_own = |w: &String| {
        ["import", "million", "soak"]
            .iter()
            .any(|o| w.eq_ignore_ascii_case(o))
    };
    if !args.only.is_empty() && args.only.iter().all(on_their_own) {
        return Ok(report);
    }
    if args.wants("W1") {
        start_up(&plan, &base, root.path(), &mut report).await?;
    }
    let main = base.start().await?;
    if args
        .only
        .iter()
        .any(|w| w.eq_ignore_ascii_case("existence"))
    {
        crate::existence::run(&main).await?;
    }
    if args.wants("W0") {
        for c in CONCURRENCIES {
            let row = row("W0", "GetUser with a malformed token", c, Target::None);
            let op = |_| -> Arc<dyn Op> { Arc::new(Exchange) };
            report
                .rows
                .push(measure(&main, row, plan.limited(plan.ops * 5), op, plan.runs).await?);
        }
    }
    if args.wants("W2") {
        create_pools(&plan, &main, &mut report).await?;
    }
    if args.wants("W3") {
        create_users(&plan, &main, &mut report).await?;
    }
    if ["W4", "W4s", "W5"].iter().any(|w| args.wants(w)) {
        sign_in(args, &plan, &main, &mut report).await?;
    }
    if let Some(lambda) = &lambda {
        sign_in_with_triggers(args, &plan, &main, lambda, &mut report).await?;
    }
    if args.wants("W6") || args.wants("W7") {
        large_pool(args, &plan, &main, &mut report).await?;
    }
    drop(main);
    if args.wants("kill9") {
        let launch = Launch {
            data_dir: root.path().join("kill9"),
            ..base
        };
        let outcome =
            crash::kill9_during_w3(&launch, TARGET_CONCURRENCY, Duration::from_secs(2)).await?;
        eprintln!(
            "kill -9 during W3: acknowledged {}, lost {}",
            outcome.acknowledged, outcome.lost
        );
        report.kill9 = Some(outcome);
    }
    Ok(report)
}

/// `--server`, or `ironpool` next to this binary (both in target/release).
fn server_binary(args: &Args) -> Result<PathBuf> {
    let path = match &args.server {
        Some(path) => path.clone(),
        None => std::env::current_exe()
            .map_err(|e| e.to_string())?
            .with_file_name("ironpool"),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "no server binary at {}: run `cargo build --release -p ironpool-server` first, or pass --server",
            path.display()
        ))
    }
}

/// PostgreSQL needs an explicit master key file; the embedded store makes its own.
fn master_key_file(args: &Args, root: &Path) -> Result<Option<PathBuf>> {
    if args.database.is_none() {
        return Ok(None);
    }
    let path = root.join("master.key");
    let key: [u8; 32] = rand::random();
    std::fs::write(&path, hex::encode(key)).map_err(|e| e.to_string())?;
    Ok(Some(path))
}

/// Runs `op` `runs` times and keeps the runs as one row.
pub(crate) async fn measure(
    server: &Server,
    row: Row,
    amount: Amount,
    op: impl Fn(usize) -> Arc<dyn Op>,
    runs: usize,
) -> Result<Row> {
    let mut row = row;
    for run in 0..runs {
        let measured = drive(server.addr, &server.pid(), row.concurrency, amount, op(run)).await?;
        eprintln!(
            "{} {} c={} run {}/{runs}: {:.0}/s, p50 {:?}, p99 {:?}, server CPU/op {:?}",
            row.workload,
            row.label,
            row.concurrency,
            run + 1,
            measured.throughput,
            measured.p50,
            measured.p99,
            measured.server_cpu_per_op
        );
        row.runs.push(measured);
    }
    Ok(row)
}

pub(crate) fn row(workload: &'static str, label: &str, concurrency: usize, target: Target) -> Row {
    Row {
        workload,
        label: label.to_owned(),
        concurrency,
        target,
        runs: Vec::new(),
    }
}

/// The throughput target, stated at [`TARGET_CONCURRENCY`] only.
fn at_target_concurrency(concurrency: usize, per_second: f64) -> Target {
    if concurrency == TARGET_CONCURRENCY {
        Target::Throughput(per_second)
    } else {
        Target::None
    }
}

/// Every one of `ops` operations, however long they take.
pub(crate) fn all(ops: usize) -> Amount {
    Amount { ops, limit: None }
}

impl Plan {
    /// `ops` operations or the time limit, whichever comes first.
    fn limited(&self, ops: usize) -> Amount {
        Amount {
            ops,
            limit: Some(self.limit),
        }
    }
}

/// W1: a fresh server per run.
async fn start_up(plan: &Plan, base: &Launch, root: &Path, report: &mut Report) -> Result<()> {
    let (mut times, mut idle) = (Vec::new(), Vec::new());
    for run in 0..plan.runs {
        let launch = Launch {
            data_dir: root.join(format!("w1-{run}")),
            ..base.clone()
        };
        let server = launch.start().await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        eprintln!(
            "W1 run {}/{}: answered after {:?}, {:.1} MB",
            run + 1,
            plan.runs,
            server.started_in,
            server.rss_mb()
        );
        times.push(server.started_in.as_secs_f64() * 1e3);
        idle.push(server.rss_mb());
    }
    report.figures.push(figure(
        "W1",
        "process start to first answer",
        "ms",
        times,
        Some(50.0),
    ));
    report.figures.push(figure(
        "W1",
        "resident memory, idle",
        "MB",
        idle,
        Some(20.0),
    ));
    Ok(())
}

fn figure(
    workload: &'static str,
    label: &'static str,
    unit: &'static str,
    values: Vec<f64>,
    below: Option<f64>,
) -> Figure {
    Figure {
        workload,
        label,
        unit,
        values,
        below,
        above: None,
    }
}

/// W2: pools first, then an app client in each of them.
async fn create_pools(plan: &Plan, server: &Server, report: &mut Report) -> Result<()> {
    let creators: Vec<_> = (0..plan.runs)
        .map(|run| {
            Arc::new(CreatePools {
                name: format!("w2-{run}"),
                ids: Mutex::new(Vec::new()),
            })
        })
        .collect();
    let pools = row("W2", "CreateUserPool", 1, Target::None);
    let op = |run: usize| -> Arc<dyn Op> { creators[run].clone() };
    report
        .rows
        .push(measure(server, pools, all(POOLS), op, plan.runs).await?);
    let clients = row("W2", "CreateUserPoolClient", 1, Target::None);
    let op = |run: usize| -> Arc<dyn Op> {
        let pool_ids = creators[run]
            .ids
            .lock()
            .map(|ids| ids.clone())
            .unwrap_or_default();
        Arc::new(CreateClients { pool_ids })
    };
    report
        .rows
        .push(measure(server, clients, all(POOLS), op, plan.runs).await?);
    Ok(())
}

/// W3: a fresh pool per run and concurrency.
async fn create_users(plan: &Plan, server: &Server, report: &mut Report) -> Result<()> {
    let mut conn = Conn::connect(server.addr).await?;
    for c in CONCURRENCIES {
        let mut pool_ids = Vec::new();
        for run in 0..plan.runs {
            pool_ids.push(create_pool(&mut conn, &format!("w3-c{c}-{run}")).await?.id);
        }
        let label = "AdminCreateUser + AdminSetUserPassword";
        let row = row("W3", label, c, at_target_concurrency(c, plan.targets[0]));
        let op = |run: usize| -> Arc<dyn Op> {
            Arc::new(CreateUsers {
                pool_id: pool_ids[run].clone(),
                prefix: "u".into(),
            })
        };
        report
            .rows
            .push(measure(server, row, plan.limited(plan.w3_users), op, plan.runs).await?);
    }
    report.figures.push(figure(
        "W3",
        "resident memory after W3",
        "MB",
        vec![server.rss_mb()],
        None,
    ));
    Ok(())
}

/// A pool of `users` users with passwords, created at concurrency 64.
pub async fn populate(
    server: &Server,
    name: &str,
    users: usize,
) -> Result<(Population, crate::stats::Run)> {
    let pool = create_pool(&mut Conn::connect(server.addr).await?, name).await?;
    populate_pool(server, name, pool, users).await
}

/// [`populate`] for a pool made already.
async fn populate_pool(
    server: &Server,
    name: &str,
    pool: crate::users::Pool,
    users: usize,
) -> Result<(Population, crate::stats::Run)> {
    let population = Population {
        pool_id: pool.id,
        client_id: pool.client_id,
        prefix: "user".into(),
        users,
    };
    let creator = Arc::new(CreateUsers {
        pool_id: population.pool_id.clone(),
        prefix: "user".into(),
    });
    let run = drive(server.addr, &server.pid(), 64, all(users), creator).await?;
    eprintln!(
        "populated {name} with {users} users: {:.0}/s",
        run.throughput
    );
    Ok((population, run))
}

async fn sign_in(args: &Args, plan: &Plan, server: &Server, report: &mut Report) -> Result<()> {
    let (population, _) = populate(server, "signin", args.signin_users).await?;
    for c in CONCURRENCIES {
        if args.wants("W4") {
            let row = row(
                "W4",
                "InitiateAuth USER_PASSWORD_AUTH",
                c,
                at_target_concurrency(c, plan.targets[1]),
            );
            let op = |_| -> Arc<dyn Op> { Arc::new(PasswordSignIn(population.clone())) };
            report
                .rows
                .push(measure(server, row, plan.limited(plan.ops), op, plan.runs).await?);
        }
    }
    for c in CONCURRENCIES {
        if args.wants("W4s") {
            let ops = plan.ops / 5;
            let row = row(
                "W4s",
                "USER_SRP_AUTH + PASSWORD_VERIFIER",
                c,
                at_target_concurrency(c, plan.targets[2]),
            );
            let op = |_| -> Arc<dyn Op> { Arc::new(SrpSignIn::new(population.clone(), ops)) };
            report
                .rows
                .push(measure(server, row, plan.limited(ops), op, plan.runs).await?);
        }
    }
    if args.wants("W5") {
        let tokens = Arc::new(
            GetUser::signed_in(&population, &mut Conn::connect(server.addr).await?, TOKENS).await?,
        );
        for c in CONCURRENCIES {
            let row = row(
                "W5",
                "GetUser",
                c,
                at_target_concurrency(c, plan.targets[3]),
            );
            let op = |_| -> Arc<dyn Op> { tokens.clone() };
            report
                .rows
                .push(measure(server, row, plan.limited(plan.ops * 5), op, plan.runs).await?);
        }
    }
    Ok(())
}

/// W4t: W4 in a pool whose PreAuthentication, PostAuthentication and PreTokenGeneration (V2_0)
/// triggers are served by `lambda`, a function that answers at once: what three invocations
/// add to a sign-in.
async fn sign_in_with_triggers(
    args: &Args,
    plan: &Plan,
    server: &Server,
    lambda: &EchoLambda,
    report: &mut Report,
) -> Result<()> {
    let function = "arn:aws:lambda:us-east-1:000000000000:function:echo";
    let request = serde_json::json!({
        "PoolName": "triggers",
        "LambdaConfig": {
            "PreAuthentication": function,
            "PostAuthentication": function,
            "PreTokenGenerationConfig": { "LambdaArn": function, "LambdaVersion": "V2_0" },
        },
    });
    let pool = create_pool_with(&mut Conn::connect(server.addr).await?, request).await?;
    let (population, _) = populate_pool(server, "triggers", pool, args.signin_users).await?;
    for c in CONCURRENCIES {
        let before = lambda.invocations();
        let row = row("W4t", "W4 with 3 triggers", c, Target::None);
        let op = |_| -> Arc<dyn Op> { Arc::new(PasswordSignIn(population.clone())) };
        let measured = measure(server, row, plan.limited(plan.ops), op, plan.runs).await?;
        let signed_in: usize = measured.runs.iter().map(|r| r.ops).sum();
        let invoked = lambda.invocations() - before;
        if invoked != 3 * signed_in {
            return Err(format!(
                "W4t: {invoked} invocations for {signed_in} sign-ins: the triggers did not fire"
            ));
        }
        report.rows.push(measured);
    }
    Ok(())
}

/// W6 and W7 on a pool of `--users` users, whose creation is also a W3 data point.
async fn large_pool(args: &Args, plan: &Plan, server: &Server, report: &mut Report) -> Result<()> {
    let (population, run) = populate(server, "large", plan.users).await?;
    let mut bulk = row(
        "W3",
        &format!("the same, populating the {}-user pool", plan.users),
        64,
        Target::None,
    );
    bulk.runs.push(run);
    report.rows.push(bulk);
    report.figures.push(figure(
        "W7",
        "resident memory after the large pool",
        "MB",
        vec![server.rss_mb()],
        Some(100.0),
    ));
    if args.wants("W6") {
        for (starts_with, label, below) in [
            (false, "ListUsers email =", 1.0),
            (true, "ListUsers email ^=", 3.0),
        ] {
            let row = row("W6", label, 1, Target::P50Below(below));
            let op = |_| -> Arc<dyn Op> {
                Arc::new(ListByEmail {
                    pool_id: population.pool_id.clone(),
                    prefix: population.prefix.clone(),
                    users: population.users,
                    starts_with,
                })
            };
            report
                .rows
                .push(measure(server, row, all(QUERIES), op, plan.runs).await?);
        }
    }
    report.figures.push(figure(
        "W7",
        "peak resident memory (VmHWM), whole session",
        "MB",
        vec![server.peak_rss_mb()],
        None,
    ));
    Ok(())
}
