//! The load driver: `concurrency` workers, each with its own keep-alive connection, take
//! operation numbers from a shared counter until `ops` are done, timing every one.

use crate::client::{Conn, Result};
use crate::stats::Run;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One measured operation (it may be several requests: its latency covers them all).
pub trait Op: Send + Sync + 'static {
    fn run<'a>(&'a self, index: usize, conn: &'a mut Conn) -> BoxFuture<'a, Result<()>>;
}

/// How much of an operation to run: `ops` operations, stopping early once `limit` has passed
/// (so that a slow server does not stretch the benchmark without bound).
#[derive(Clone, Copy)]
pub struct Amount {
    pub ops: usize,
    pub limit: Option<Duration>,
}

/// Runs an amount of operations at `concurrency` against `addr` and measures them, with the
/// CPU time the server (`server_pid`) and this process spent meanwhile.
pub async fn drive(
    addr: SocketAddr,
    server_pid: &str,
    concurrency: usize,
    amount: Amount,
    op: Arc<dyn Op>,
) -> Result<Run> {
    let Amount { ops, limit } = amount;
    let mut conns = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        conns.push(Conn::connect(addr).await?);
    }
    let next = Arc::new(AtomicUsize::new(0));
    let server_cpu = crate::procfs::cpu_seconds(server_pid);
    let client_cpu = crate::procfs::cpu_seconds("self");
    let start = Instant::now();
    let workers: Vec<_> = conns
        .into_iter()
        .map(|mut conn| {
            let (next, op) = (next.clone(), op.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(ops / concurrency + 1);
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= ops || limit.is_some_and(|l| start.elapsed() >= l) {
                        return Ok::<_, String>(latencies);
                    }
                    let began = Instant::now();
                    op.run(index, &mut conn).await?;
                    latencies.push(began.elapsed());
                }
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = Vec::with_capacity(ops);
    for worker in workers {
        latencies.extend(worker.await.map_err(|e| e.to_string())??);
    }
    let wall = start.elapsed();
    Ok(Run::new(
        latencies,
        wall,
        crate::procfs::cpu_seconds(server_pid) - server_cpu,
        crate::procfs::cpu_seconds("self") - client_cpu,
    ))
}
