//! `ironpool-bench`: starts `ironpool serve` (built beforehand with `cargo build --release`),
//! drives it with the workloads of docs/benchmarks.md over keep-alive HTTP/1.1 connections,
//! and prints Markdown tables: medians over repeated runs of each run's p50 and p99 latency
//! and throughput, with the server's and this client's CPU time per operation and the
//! server's resident memory.

mod client;
mod crash;
mod existence;
mod floor;
mod import;
mod lambda;
mod load;
mod million;
mod procfs;
mod report;
mod search;
mod server;
mod signin;
mod soak;
mod stats;
mod users;
mod workloads;

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

/// Load benchmark of the Ironpool server.
#[derive(Parser, Debug, Clone)]
#[command(name = "ironpool-bench")]
pub struct Args {
    /// Workloads to run, comma-separated: W0,W1,W2,W3,W4,W4s,W4t,W5,W6,W7,kill9 [default: all], or
    /// `existence` (only when named): existing users next to unknown names, or `import` (only
    /// when named): a user import job of --import-rows rows, or `million` (only when named):
    /// ListUsers by email and AdminGetUser in a pool of --million-users imported users, or
    /// `soak` (only when named): a mixed load at half capacity for --soak-minutes.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,

    /// Measured runs per workload [default: 5; 2 with --quick].
    #[arg(long)]
    runs: Option<usize>,

    /// Users in the large pool of W6 and W7 [default: 100000; 10000 with --quick].
    #[arg(long)]
    users: Option<usize>,

    /// Users created per W3 run and concurrency [default: 1000; 200 with --quick].
    #[arg(long)]
    w3_users: Option<usize>,

    /// Rows of the file the `import` workload imports [default: 1000000; 50000 with --quick].
    #[arg(long)]
    import_rows: Option<usize>,

    /// Users imported into the pool of the `million` workload [default: 1000000; 50000 with
    /// --quick].
    #[arg(long)]
    million_users: Option<usize>,

    /// Users in the pool W4, W4s and W5 sign in to.
    #[arg(long, default_value_t = 1_000)]
    signin_users: usize,

    /// Operations per run of W4, W4s and W5: W4s does a fifth of it, W5 five times it
    /// [default: 2000; 400 with --quick].
    #[arg(long)]
    ops: Option<usize>,

    /// A run of W3, W4, W4s or W5 also stops after this many seconds, with what it has done
    /// [default: 5; 2 with --quick].
    #[arg(long)]
    seconds: Option<u64>,

    /// Run on PostgreSQL (`postgres://...`) instead of the embedded store.
    #[arg(long)]
    database: Option<String>,

    /// Run on a throwaway PostgreSQL (initdb in a temporary directory, fsync on, stopped at
    /// exit) instead of the embedded store.
    #[arg(long, conflicts_with = "database")]
    pg: bool,

    /// The server binary [default: `ironpool` next to this one, i.e. target/release].
    #[arg(long)]
    server: Option<PathBuf>,

    /// Where the embedded store's temporary data directories go; it must be a real disk
    /// (not tmpfs) for fsync to cost what it costs [default: the system temp directory].
    #[arg(long)]
    data_root: Option<PathBuf>,

    /// Minutes of the `soak` workload [default: 30; 2 with --quick].
    #[arg(long)]
    soak_minutes: Option<u64>,

    /// Operations per second of the `soak` workload [default: half of what its mix reaches at
    /// concurrency 16].
    #[arg(long)]
    soak_rate: Option<f64>,

    /// A short smoke run: fewer runs, users and operations.
    #[arg(long)]
    quick: bool,
}

/// The sizes of a benchmark: the flags given, else the defaults (of `--quick` when given).
pub struct Plan {
    pub runs: usize,
    pub users: usize,
    pub w3_users: usize,
    pub ops: usize,
    pub limit: std::time::Duration,
    /// The throughput targets at concurrency 16, per second: W3, W4, W4s, W5.
    pub targets: [f64; 4],
}

/// The throughput targets (W3, W4, W4s, W5) on the embedded store and on PostgreSQL, where W3's
/// is 60% of the embedded one.
const EMBEDDED_TARGETS: [f64; 4] = [2_500.0, 1_100.0, 400.0, 25_000.0];
const POSTGRES_TARGETS: [f64; 4] = [1_500.0, 800.0, 400.0, 10_000.0];

impl Args {
    pub fn wants(&self, workload: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|w| w.eq_ignore_ascii_case(workload))
    }

    pub fn plan(&self) -> Plan {
        let pick = |given: Option<usize>, full: usize, quick: usize| {
            given.unwrap_or(if self.quick { quick } else { full })
        };
        Plan {
            runs: pick(self.runs, 5, 2),
            users: pick(self.users, 100_000, 10_000),
            w3_users: pick(self.w3_users, 1_000, 200),
            ops: pick(self.ops, 2_000, 400),
            limit: std::time::Duration::from_secs(self.seconds.unwrap_or(if self.quick {
                2
            } else {
                5
            })),
            targets: if self.pg || self.database.is_some() {
                POSTGRES_TARGETS
            } else {
                EMBEDDED_TARGETS
            },
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = Args::parse();
    let _postgres = if args.pg {
        // Before the first start: the cluster must pay for its commits as the embedded store does.
        std::env::set_var("IRONPOOL_TESTPG_DURABLE", "1");
        let Some(db) = ironpool_testpg::TestPostgres::start() else {
            return ExitCode::FAILURE;
        };
        args.database = Some(db.url().to_owned());
        Some(db)
    } else {
        None
    };
    match workloads::run_all(&args).await {
        Ok(report) => {
            println!("{}", report.markdown(&args));
            if report.failed() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("ironpool-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
