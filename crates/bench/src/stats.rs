//! Latency percentiles per run, medians over runs, and the Markdown tables printed at the end.

use std::time::Duration;

/// One measured run of a workload.
#[derive(Clone, Debug)]
pub struct Run {
    /// Operations done.
    pub ops: usize,
    pub p50: Duration,
    pub p99: Duration,
    /// Operations per second over the run's wall time.
    pub throughput: f64,
    /// Server CPU (user + system) per operation.
    pub server_cpu_per_op: Duration,
    /// This client's CPU per operation.
    pub client_cpu_per_op: Duration,
}

impl Run {
    pub fn new(
        mut latencies: Vec<Duration>,
        wall: Duration,
        server_cpu: f64,
        client_cpu: f64,
    ) -> Self {
        latencies.sort_unstable();
        let done = latencies.len();
        let ops = done.max(1) as f64;
        Self {
            ops: done,
            p50: percentile(&latencies, 0.50),
            p99: percentile(&latencies, 0.99),
            throughput: ops / wall.as_secs_f64(),
            server_cpu_per_op: Duration::from_secs_f64(server_cpu.max(0.0) / ops),
            client_cpu_per_op: Duration::from_secs_f64(client_cpu.max(0.0) / ops),
        }
    }
}

/// The nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn median_f64(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

fn median_duration(values: impl Iterator<Item = Duration>) -> Duration {
    Duration::from_secs_f64(median_f64(values.map(|d| d.as_secs_f64()).collect()))
}

/// What a row is judged against.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    None,
    /// Median throughput at least this many operations per second.
    Throughput(f64),
    /// Median latency below this many milliseconds.
    P50Below(f64),
}

/// A workload at one concurrency, measured over several runs.
pub struct Row {
    pub workload: &'static str,
    pub label: String,
    pub concurrency: usize,
    pub target: Target,
    pub runs: Vec<Run>,
}

impl Row {
    fn p50(&self) -> Duration {
        median_duration(self.runs.iter().map(|r| r.p50))
    }

    /// The median over runs of the server's CPU per operation.
    pub fn server_cpu(&self) -> Duration {
        median_duration(self.runs.iter().map(|r| r.server_cpu_per_op))
    }

    /// The median over runs of the benchmark's own CPU per operation.
    pub fn client_cpu(&self) -> Duration {
        median_duration(self.runs.iter().map(|r| r.client_cpu_per_op))
    }

    fn throughput(&self) -> f64 {
        median_f64(self.runs.iter().map(|r| r.throughput).collect())
    }

    fn verdict(&self) -> (String, &'static str) {
        match self.target {
            Target::None => ("".into(), ""),
            Target::Throughput(min) => (
                format!("≥ {min:.0}/s"),
                if self.throughput() >= min {
                    "met"
                } else {
                    "**not met**"
                },
            ),
            Target::P50Below(max) => (
                format!("p50 < {max} ms"),
                if self.p50().as_secs_f64() * 1e3 < max {
                    "met"
                } else {
                    "**not met**"
                },
            ),
        }
    }

    /// The row as printed: medians over runs of each run's p50, p99, throughput and CPU.
    pub fn markdown(&self) -> String {
        let (target, met) = self.verdict();
        let server_cpu = self.server_cpu();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let ceiling = if server_cpu.is_zero() {
            "-".to_owned()
        } else {
            format!("{:.0}", cores as f64 / server_cpu.as_secs_f64())
        };
        format!(
            "| {} | {} | {} | {} | {} | {:.0} | {} | {} | {ceiling} | {} | {} |",
            self.label,
            self.concurrency,
            self.runs.len(),
            ms(self.p50()),
            ms(median_duration(self.runs.iter().map(|r| r.p99))),
            self.throughput(),
            us(server_cpu),
            us(self.client_cpu()),
            target,
            met,
        )
    }
}

/// "Server ceiling" is nproc ÷ server CPU per operation: the throughput the server would reach
/// if it had every core to itself, without this client competing for them.
pub const HEADER: &str = "| Operation | Concurrency | Runs | p50 (ms) | p99 (ms) | Ops/s | Server CPU/op (µs) | Client CPU/op (µs) | Server ceiling (ops/s) | Target | |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|";

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

fn us(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1e6)
}

/// A single figure measured once per run (start-up time, resident memory), with an upper
/// bound as its target.
pub struct Figure {
    pub workload: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub values: Vec<f64>,
    pub below: Option<f64>,
    /// A lower bound as the target instead (a rate).
    pub above: Option<f64>,
}

impl Figure {
    pub fn markdown(&self) -> String {
        let value = median_f64(self.values.clone());
        let worst = match self.above {
            Some(_) => self.values.iter().copied().fold(f64::INFINITY, f64::min),
            None => self.values.iter().copied().fold(0.0, f64::max),
        };
        let met = |ok: bool| if ok { "met" } else { "**not met**" };
        let (target, met) = match (self.below, self.above) {
            (Some(max), _) => (format!("< {max:.0} {}", self.unit), met(value < max)),
            (None, Some(min)) => (format!(">= {min:.0} {}", self.unit), met(value >= min)),
            (None, None) => (String::new(), ""),
        };
        format!(
            "| {} | {} | {} | {value:.1} {unit} | {worst:.1} {unit} | {target} | {met} |",
            self.workload,
            self.label,
            self.values.len(),
            unit = self.unit,
        )
    }
}

pub const FIGURE_HEADER: &str =
    "| Workload | Measure | Runs | Median | Worst | Target | |\n|---|---|---:|---:|---:|---|---|";
