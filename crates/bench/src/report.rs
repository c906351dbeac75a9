//! The Markdown printed at the end: the machine, then a table per workload.

use crate::crash::Outcome;
use crate::stats::{Figure, Row, FIGURE_HEADER, HEADER};
use crate::Args;

/// The workloads, in the order they are printed, with what each measures.
const WORKLOADS: &[(&str, &str)] = &[
    ("W0", "One awsJson1.1 exchange and nothing else: GetUser with a token that is not a JWT, answered NotAuthorizedException before any store read or cryptography. Its server CPU is the part of every request no workload can skip."),
    ("W1", "Start-up: process start to the first answered API request (ListUserPools), and resident memory once idle."),
    ("W2", "CreateUserPool and CreateUserPoolClient, one at a time."),
    ("W3", "One user = AdminCreateUser (MessageAction SUPPRESS) + AdminSetUserPassword (permanent); latency covers both calls."),
    ("W4", "InitiateAuth USER_PASSWORD_AUTH for a random user (the password is really verified)."),
    ("W4s", "The full SRP sign-in: InitiateAuth USER_SRP_AUTH + RespondToAuthChallenge PASSWORD_VERIFIER; latency and client CPU include the client's SRP math."),
    ("W4t", "W4 in a pool whose PreAuthentication, PostAuthentication and PreTokenGeneration (V2_0) triggers are served by a Lambda endpoint in the benchmark that answers at once: what three invocations cost a sign-in."),
    ("W5", "GetUser with the access token of a random signed-in user."),
    ("W6", "ListUsers on the large pool with `email = \"...\"` (exactly one match) and `email ^= \"...\"` (about 11 matches)."),
    ("W7", "Resident memory of the server holding the large pool."),
    ("import", "A user import job (only when named: `--only import`): a generated CSV file of `--import-rows` users (a verified email each) PUT to the job's pre-signed URL, StartUserImportJob, DescribeUserImportJob polled until Succeeded; rows imported per second from the start to the end of the job, and the server's peak resident memory (a fresh server per run)."),
    ("million", "A pool of `--million-users` users (only when named: `--only million`) on a fresh server, created by a user import job (a verified email each, user `userN` with email `userN@example.com`); then, one at a time, ListUsers with `email =` one user's address and `email ^=` a prefix matching about a dozen, and AdminGetUser of a random user; the server's resident memory after."),
];

pub struct Report {
    /// `/proc/loadavg` when the benchmark began: other work on the machine skews everything.
    pub load_at_start: String,
    pub rows: Vec<Row>,
    pub figures: Vec<Figure>,
    pub kill9: Option<Outcome>,
    /// The primitives timed in this run, for the floor table.
    pub floor: Option<crate::floor::Primitives>,
}

impl Report {
    pub fn new() -> Self {
        Self {
            load_at_start: load_average(),
            rows: Vec::new(),
            figures: Vec::new(),
            kill9: None,
            floor: None,
        }
    }

    /// Lost acknowledged users fail the run; missed targets do not.
    pub fn failed(&self) -> bool {
        self.kill9.as_ref().is_some_and(|k| k.lost > 0)
    }

    pub fn markdown(&self, args: &Args) -> String {
        let mut out = vec!["## Results".to_owned(), String::new()];
        out.extend(crate::procfs::machine());
        out.push(format!(
            "- Store: {}",
            if args.database.is_some() {
                "PostgreSQL"
            } else {
                "embedded (data directory on disk)"
            }
        ));
        out.push(format!(
            "- Load average (1, 5, 15 min) at start: {}; at end: {}",
            self.load_at_start,
            load_average()
        ));
        let plan = args.plan();
        out.push(format!(
            "- Parameters: {} runs; large pool {} users; per run at most {} s and {} users (W3), {} sign-ins (W4), {} (W4s), {} GetUser (W5), from {} users",
            plan.runs,
            plan.users,
            plan.limit.as_secs(),
            plan.w3_users,
            plan.ops,
            plan.ops / 5,
            plan.ops * 5,
            args.signin_users
        ));
        for (workload, what) in WORKLOADS {
            let rows: Vec<_> = self
                .rows
                .iter()
                .filter(|r| r.workload == *workload)
                .collect();
            let figures: Vec<_> = self
                .figures
                .iter()
                .filter(|f| f.workload == *workload)
                .collect();
            if rows.is_empty() && figures.is_empty() {
                continue;
            }
            out.extend([
                String::new(),
                format!("### {workload}"),
                String::new(),
                (*what).to_owned(),
            ]);
            if !rows.is_empty() {
                out.extend([String::new(), HEADER.to_owned()]);
                out.extend(rows.iter().map(|r| r.markdown()));
            }
            if !figures.is_empty() {
                out.extend([String::new(), FIGURE_HEADER.to_owned()]);
                out.extend(figures.iter().map(|f| f.markdown()));
            }
        }
        if let Some(floor) = &self.floor {
            out.extend([
                String::new(),
                "### Floors".to_owned(),
                String::new(),
                "What each operation cannot skip, each primitive timed by the benchmark itself in the same run (one thread, medians), against the server's CPU per operation: a ratio of 1 would be all floor.".to_owned(),
                String::new(),
            ]);
            out.extend(floor.markdown(self, crate::workloads::TARGET_CONCURRENCY));
        }
        if let Some(k) = &self.kill9 {
            out.extend([
                String::new(),
                "### Crash safety".to_owned(),
                String::new(),
                format!(
                    "`kill -9` during W3 at concurrency 16, restart on the same data, AdminGetUser for every acknowledged user: acknowledged {}, lost {}.",
                    k.acknowledged, k.lost
                ),
            ]);
        }
        out.join("\n")
    }
}

fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}
