//! The floor of each workload: the cryptography and commits an operation cannot skip, each
//! primitive timed in this process on this machine during the same benchmark, so a workload's
//! server CPU can be read as a multiple of what it must pay.

use crate::report::Report;
use crate::stats::Row;
use ironpool_core::jwt::{self, SigningKey};
use ironpool_core::rng::OsRng;
use ironpool_core::srp;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// The primitives, each the median of many timings.
#[derive(Clone, Copy, Debug)]
pub struct Primitives {
    /// `g^x` for a 32-byte secret x: one verifier, a password check, or the server's B.
    pub g_pow: Duration,
    /// The SRP session key: `(A·v^u)^b`, two variable-base 3072-bit exponentiations.
    pub srp_key: Duration,
    pub rs256_sign: Duration,
    /// An RS256 verification: what a token's first use on a server pays (later uses are
    /// remembered), so no workload's floor counts it.
    pub rs256_verify: Duration,
    /// A 4 KiB write and `fdatasync` on the data directory's disk (wall time: a commit's).
    pub fsync: Duration,
}

/// What each workload must do once per operation on the server.
struct Needs {
    workload: &'static str,
    what: &'static str,
    g_pow: u32,
    srp_key: u32,
    sign: u32,
    commits: u32,
    /// awsJson1.1 exchanges (requests): each costs at least W0's server CPU.
    exchanges: u32,
}

const NEEDS: &[Needs] = &[
    Needs {
        workload: "W3",
        what: "1 verifier (the permanent password; the suppressed invitation's generated one is known to nobody and needs none), 2 commits",
        g_pow: 1,
        srp_key: 0,
        sign: 0,
        commits: 2,
        exchanges: 2,
    },
    Needs {
        workload: "W4",
        what: "1 password check (g^x), 2 RS256 signatures, 1 commit",
        g_pow: 1,
        srp_key: 0,
        sign: 2,
        commits: 1,
        exchanges: 1,
    },
    Needs {
        workload: "W4s",
        what: "B = k·v + g^b, the session key (2 exponentiations), 2 RS256 signatures, 3 commits (the challenge's session, its single use, the refresh token)",
        g_pow: 1,
        srp_key: 1,
        sign: 2,
        commits: 3,
        exchanges: 2,
    },
    Needs {
        workload: "W5",
        what: "no RS256 verification (a server verifies a token's signature at its first use only, and W5 uses each of its 1,000 tokens many times; every other check of the token is made at each use)",
        g_pow: 0,
        srp_key: 0,
        sign: 0,
        commits: 0,
        exchanges: 1,
    },
];

impl Primitives {
    /// Times each primitive; `dir` is where the store's data goes (for the fsync).
    pub fn measure(dir: &Path) -> Result<Self, String> {
        let secret: [u8; 32] = rand::random();
        let g_pow = median(200, || {
            std::hint::black_box(srp::g_pow(&secret));
        });
        let verifier = srp::g_pow(&rand::random());
        let ephemeral =
            srp::ServerEphemeral::new(&OsRng, &verifier).map_err(|e| format!("{e:?}"))?;
        let a = srp::g_pow(&rand::random());
        let srp_key = median(60, || {
            std::hint::black_box(ephemeral.key(&a, &verifier).ok());
        });
        let (key, _) = SigningKey::generate().map_err(|e| e.to_string())?;
        let claims = serde_json::json!({
            "sub": "5b3c1a5e-0d6f-4b8e-9c1a-2f3e4d5c6b7a", "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Bench0001",
            "client_id": "abcdefghijklmnopqrstuvwxyz", "origin_jti": "9b2f", "event_id": "5e1d", "token_use": "access",
            "scope": "aws.cognito.signin.user.admin", "auth_time": 1_700_000_000, "exp": 1_700_003_600,
            "iat": 1_700_000_000, "jti": "1c2d", "username": "user123",
        });
        let claims = claims.as_object().cloned().unwrap_or_default();
        let token = key.sign(&claims).map_err(|e| e.to_string())?;
        let rs256_sign = median(200, || {
            std::hint::black_box(key.sign(&claims).ok());
        });
        let rs256_verify = median(1000, || {
            std::hint::black_box(jwt::verify(&token, &[&key]).ok());
        });
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let path = dir.join("fsync-probe");
        let mut file = std::fs::File::create(&path).map_err(|e| e.to_string())?;
        let block = [0x5au8; 4096];
        let fsync = median(100, || {
            let written = file.write_all(&block).and_then(|()| file.sync_data());
            assert!(written.is_ok(), "fsync probe: {written:?}");
        });
        let _ = std::fs::remove_file(&path);
        let p = Self {
            g_pow,
            srp_key,
            rs256_sign,
            rs256_verify,
            fsync,
        };
        eprintln!("floor primitives: {p:?}");
        Ok(p)
    }

    fn cpu(&self, n: &Needs) -> Duration {
        self.g_pow * n.g_pow + self.srp_key * n.srp_key + self.rs256_sign * n.sign
    }

    /// The tables: the primitives, then each workload's server CPU at concurrency 16 against
    /// its floor.
    pub fn markdown(&self, report: &Report, concurrency: usize) -> Vec<String> {
        let mut out = vec![
            "| Primitive | Median (µs) |".to_owned(),
            "|---|---:|".to_owned(),
            format!("| g^x, 32-byte x (fixed-base table) | {} |", us(self.g_pow)),
            format!("| SRP session key (A·v^u)^b | {} |", us(self.srp_key)),
            format!("| RS256 signature (RSA-2048) | {} |", us(self.rs256_sign)),
            format!("| RS256 verification | {} |", us(self.rs256_verify)),
            format!("| 4 KiB write + fdatasync (wall) | {} |", us(self.fsync)),
        ];
        // W0's server CPU at the same concurrency: what one request costs with nothing behind it.
        let exchange = report
            .rows
            .iter()
            .find(|r| r.workload == "W0" && r.concurrency == concurrency)
            .map(Row::server_cpu);
        let mut workloads = vec![
            String::new(),
            format!("| Workload | Must do | Floor CPU (µs) | With its requests at W0's cost (µs) | Server CPU at c={concurrency} (µs) | Ratio to the floor | Ratio to the floor with requests | At most, with the client on the same cores (ops/s) |"),
            "|---|---|---:|---:|---:|---:|---:|---:|".to_owned(),
        ];
        for n in NEEDS {
            let Some(row) = report
                .rows
                .iter()
                .find(|r: &&Row| r.workload == n.workload && r.concurrency == concurrency)
            else {
                continue;
            };
            let floor = self.cpu(n);
            let cpu = row.server_cpu();
            let ratio = |f: Duration| match f.is_zero() {
                true => "-".to_owned(),
                false => format!("{:.2}", cpu.as_secs_f64() / f.as_secs_f64()),
            };
            let with_requests = exchange.map(|e| floor + e * n.exchanges);
            // Every core busy with nothing but the floor and the client's own share.
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
            let at_most = with_requests.map_or(String::new(), |f| {
                format!(
                    "{:.0}",
                    cores / (f + row.client_cpu()).as_secs_f64().max(1e-9)
                )
            });
            workloads.push(format!(
                "| {} | {}, {} request{}{} | {} | {} | {} | {} | {} | {at_most} |",
                n.workload,
                n.what,
                n.exchanges,
                if n.exchanges == 1 { "" } else { "s" },
                if n.commits > 0 {
                    " (commits are group-committed: wall time, little CPU)"
                } else {
                    ""
                },
                us(floor),
                with_requests.map_or("(run W0)".to_owned(), us),
                us(cpu),
                ratio(floor),
                with_requests.map_or(String::new(), ratio),
            ));
        }
        if workloads.len() > 3 {
            out.extend(workloads);
        }
        out
    }
}

/// The median of `n` timings of `f`, after a few untimed calls.
fn median(n: usize, mut f: impl FnMut()) -> Duration {
    for _ in 0..3 {
        f();
    }
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort_unstable();
    times[n / 2]
}

fn us(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1e6)
}
