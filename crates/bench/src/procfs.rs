//! CPU time and memory of a process, from `/proc`.

use std::fs;

/// `/proc/<pid>/stat` counts CPU time in USER_HZ ticks, which Linux fixes at 100 per second
/// for user space whatever the kernel's HZ.
const TICKS_PER_SECOND: f64 = 100.0;

/// User plus system CPU seconds used so far by `pid` (`"self"` for this process).
pub fn cpu_seconds(pid: &str) -> f64 {
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // The command name may hold spaces: fields are counted after its closing parenthesis,
    // where field 3 (state) comes first, so utime (14) and stime (15) are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    ticks as f64 / TICKS_PER_SECOND
}

/// A `kB` line of `/proc/<pid>/status` (`VmRSS`, `VmHWM`), in MB (10^6 bytes, as the
/// targets are stated).
pub fn memory_mb(pid: &str, key: &str) -> f64 {
    kib_line_in_mb(&format!("/proc/{pid}/status"), key)
}

/// The machine the numbers came from, as Markdown lines.
pub fn machine() -> Vec<String> {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
        .map_or("unknown", |(_, m)| m.trim());
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = kib_line_in_mb("/proc/meminfo", "MemTotal") / 1000.0;
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    vec![
        format!("- CPUs (nproc): {cpus}"),
        format!("- CPU model: {model}"),
        format!("- Memory: {memory:.1} GB"),
        format!("- Kernel: Linux {}", kernel.trim()),
    ]
}

/// The value of a `<key>: <n> kB` line of a `/proc` file, in MB.
fn kib_line_in_mb(path: &str, key: &str) -> f64 {
    let text = fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib * 1024.0 / 1e6)
}
