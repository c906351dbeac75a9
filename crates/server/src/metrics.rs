//! The process's metrics, served at `GET /metrics` in the Prometheus text format (0.0.4).
//!
//! One registry per process, as Prometheus scrapes processes. The hot path (every request's
//! count and latency) is atomics in arrays indexed by operation and error code; the rarer
//! counts (sign-ins, lockouts, messages, rate-limit rejections) sit behind one small lock.
//! Labels name operations, flows, challenges, error types, media and store kinds only: never
//! a pool, a client or a user.

use ironpool_api::{ErrorCode, Operation};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The upper bounds (seconds) of the latency histograms' buckets.
const BOUNDS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Counts of observations at or under each bound (cumulated when rendered), their sum and
/// their count.
struct Histogram {
    buckets: [AtomicU64; BOUNDS.len()],
    sum_nanos: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    const fn new() -> Self {
        Self {
            buckets: [const { AtomicU64::new(0) }; BOUNDS.len()],
            sum_nanos: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        if let Some(i) = BOUNDS.iter().position(|b| seconds <= *b) {
            self.buckets[i].fetch_add(1, Relaxed);
        }
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Relaxed);
        self.count.fetch_add(1, Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        for (bound, bucket) in BOUNDS.iter().zip(&self.buckets) {
            cumulative += bucket.load(Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
        }
        let count = self.count.load(Relaxed);
        let sum = self.sum_nanos.load(Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
        let _ = writeln!(out, "{name}_count{{{labels}}} {count}");
    }
}

/// The outcome column of a request: 0 is success, 1 + the error code's index otherwise.
const OUTCOMES: usize = 1 + ErrorCode::ALL.len();
const OPERATIONS: usize = Operation::ALL.len();

/// Which store call a latency is of: `(backend, kind)`, as the store reports them.
type StoreKind = (&'static str, &'static str);

struct Registry {
    started: SystemTime,
    requests: Vec<AtomicU64>,
    durations: Vec<Histogram>,
    store: Mutex<BTreeMap<StoreKind, &'static Histogram>>,
    counts: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    /// `(flow, outcome)`.
    sign_ins: BTreeMap<(String, String), u64>,
    /// `(challenge, outcome)`.
    challenge_responses: BTreeMap<(String, String), u64>,
    lockouts: u64,
    /// `(medium, outcome)`.
    messages: BTreeMap<(String, &'static str), u64>,
    /// By rate-limit category.
    rate_limited: BTreeMap<&'static str, u64>,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| Registry {
    started: SystemTime::now(),
    requests: (0..OPERATIONS * OUTCOMES)
        .map(|_| AtomicU64::new(0))
        .collect(),
    durations: (0..OPERATIONS).map(|_| Histogram::new()).collect(),
    store: Mutex::default(),
    counts: Mutex::default(),
});

fn counts() -> std::sync::MutexGuard<'static, Counts> {
    REGISTRY.counts.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts the clock of `process_start_time_seconds` and takes the store's latencies.
pub fn init() {
    LazyLock::force(&REGISTRY);
    ironpool_store::latency::observe_with(store_latency);
}

/// One API request: its operation, its error (none: success) and how long it took.
pub fn request(op: Operation, error: Option<ErrorCode>, elapsed: Duration) {
    let outcome = error.map_or(0, |code| 1 + code as usize);
    REGISTRY.requests[op as usize * OUTCOMES + outcome].fetch_add(1, Relaxed);
    REGISTRY.durations[op as usize].observe(elapsed);
}

/// A sign-in started (InitiateAuth, AdminInitiateAuth, the token endpoint's grants):
/// `outcome` is `authenticated`, `challenge` or the error type.
pub fn sign_in(flow: &str, outcome: &str) {
    *counts()
        .sign_ins
        .entry((flow.to_owned(), outcome.to_owned()))
        .or_default() += 1;
}

/// An answer to a sign-in challenge: `outcome` as for [`sign_in`].
pub fn challenge_response(challenge: &str, outcome: &str) {
    *counts()
        .challenge_responses
        .entry((challenge.to_owned(), outcome.to_owned()))
        .or_default() += 1;
}

/// A user locked out after too many failed attempts.
pub fn lockout() {
    counts().lockouts += 1;
}

/// A message to a user: `sent` (handed to its destination) or `failed`.
pub fn message(medium: &str, outcome: &'static str) {
    *counts()
        .messages
        .entry((medium.to_owned(), outcome))
        .or_default() += 1;
}

/// A request refused for its category's rate limit.
pub fn rate_limited(category: &'static str) {
    *counts().rate_limited.entry(category).or_default() += 1;
}

fn store_latency(backend: &'static str, kind: &'static str, elapsed: Duration) {
    let histogram = {
        let mut store = REGISTRY.store.lock().unwrap_or_else(|e| e.into_inner());
        *store
            .entry((backend, kind))
            .or_insert_with(|| Box::leak(Box::new(Histogram::new())))
    };
    histogram.observe(elapsed);
}

/// The Prometheus text exposition of every metric.
pub fn render() -> String {
    let r = &*REGISTRY;
    let mut out = String::with_capacity(16 * 1024);
    header(
        &mut out,
        "ironpool_build_info",
        "gauge",
        "The running version.",
    );
    let _ = writeln!(
        out,
        "ironpool_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    header(
        &mut out,
        "ironpool_requests_total",
        "counter",
        "API requests by operation and outcome (Success or the error type).",
    );
    for op in Operation::ALL {
        let row = &r.requests[op as usize * OUTCOMES..][..OUTCOMES];
        for (i, count) in row.iter().enumerate() {
            let count = count.load(Relaxed);
            if count > 0 {
                let outcome = if i == 0 {
                    "Success"
                } else {
                    ErrorCode::ALL[i - 1].as_str()
                };
                let _ = writeln!(
                    out,
                    "ironpool_requests_total{{operation=\"{}\",outcome=\"{outcome}\"}} {count}",
                    op.name()
                );
            }
        }
    }
    header(
        &mut out,
        "ironpool_request_duration_seconds",
        "histogram",
        "API request latency by operation, from the request's arrival to its answer.",
    );
    for op in Operation::ALL {
        let histogram = &r.durations[op as usize];
        if histogram.count.load(Relaxed) > 0 {
            let labels = format!("operation=\"{}\"", op.name());
            histogram.render(&mut out, "ironpool_request_duration_seconds", &labels);
        }
    }
    header(
        &mut out,
        "ironpool_store_operation_duration_seconds",
        "histogram",
        "Store call latency by backend and kind, waiting for a connection included.",
    );
    let store: Vec<_> = r
        .store
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .map(|(k, h)| (*k, *h))
        .collect();
    for ((backend, kind), histogram) in store {
        let labels = format!("backend=\"{backend}\",kind=\"{kind}\"");
        histogram.render(
            &mut out,
            "ironpool_store_operation_duration_seconds",
            &labels,
        );
    }
    let c = counts();
    header(
        &mut out,
        "ironpool_sign_ins_total",
        "counter",
        "Sign-ins started, by flow and outcome (authenticated, challenge or the error type).",
    );
    for ((flow, outcome), n) in &c.sign_ins {
        let (flow, outcome) = (escape(flow), escape(outcome));
        let _ = writeln!(
            out,
            "ironpool_sign_ins_total{{flow=\"{flow}\",outcome=\"{outcome}\"}} {n}"
        );
    }
    header(
        &mut out,
        "ironpool_challenge_responses_total",
        "counter",
        "Answers to sign-in challenges, by challenge and outcome.",
    );
    for ((challenge, outcome), n) in &c.challenge_responses {
        let (challenge, outcome) = (escape(challenge), escape(outcome));
        let _ = writeln!(
            out,
            "ironpool_challenge_responses_total{{challenge=\"{challenge}\",outcome=\"{outcome}\"}} {n}"
        );
    }
    header(
        &mut out,
        "ironpool_lockouts_total",
        "counter",
        "Users locked out after too many failed sign-in attempts.",
    );
    let _ = writeln!(out, "ironpool_lockouts_total {}", c.lockouts);
    header(
        &mut out,
        "ironpool_messages_total",
        "counter",
        "Messages to users by medium and outcome (sent or failed).",
    );
    for ((medium, outcome), n) in &c.messages {
        let medium = escape(medium);
        let _ = writeln!(
            out,
            "ironpool_messages_total{{medium=\"{medium}\",outcome=\"{outcome}\"}} {n}"
        );
    }
    header(
        &mut out,
        "ironpool_rate_limited_requests_total",
        "counter",
        "Requests refused with TooManyRequestsException, by rate-limit category.",
    );
    for (category, n) in &c.rate_limited {
        let _ = writeln!(
            out,
            "ironpool_rate_limited_requests_total{{category=\"{category}\"}} {n}"
        );
    }
    drop(c);
    process(&mut out, r.started);
    out
}

/// The standard process metrics Prometheus clients export.
fn process(out: &mut String, started: SystemTime) {
    let start = started.duration_since(UNIX_EPOCH).unwrap_or_default();
    header(
        out,
        "process_start_time_seconds",
        "gauge",
        "Start time of the process since the Unix epoch, in seconds.",
    );
    let _ = writeln!(out, "process_start_time_seconds {}", start.as_secs());
    if let Some(bytes) = resident_memory() {
        header(
            out,
            "process_resident_memory_bytes",
            "gauge",
            "Resident memory size in bytes.",
        );
        let _ = writeln!(out, "process_resident_memory_bytes {bytes}");
    }
}

/// The resident set size, from `/proc/self/statm` (Linux only).
fn resident_memory() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value as the text format writes it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_operations_index_their_lists() {
        for (i, code) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(*code as usize, i, "{}", code.as_str());
        }
        for (i, op) in Operation::ALL.iter().enumerate() {
            assert_eq!(*op as usize, i, "{}", op.name());
        }
    }

    #[test]
    fn histograms_cumulate_their_buckets() {
        let h = Histogram::new();
        h.observe(Duration::from_micros(300));
        h.observe(Duration::from_millis(3));
        h.observe(Duration::from_secs(20));
        let mut out = String::new();
        h.render(&mut out, "x", "a=\"b\"");
        assert!(out.contains("x_bucket{a=\"b\",le=\"0.0005\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"0.005\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"10\"} 2\n"), "{out}");
        assert!(out.contains("x_bucket{a=\"b\",le=\"+Inf\"} 3\n"), "{out}");
        assert!(out.contains("x_count{a=\"b\"} 3\n"), "{out}");
        assert!(out.contains("x_sum{a=\"b\"} 20.0033\n"), "{out}");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
