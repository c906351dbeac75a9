//! The server under test: a real `ironpool serve` process on a free loopback port, with its
//! data on disk (a temporary directory, so every commit pays its real fsync) or on PostgreSQL.

use crate::client::{Conn, Result};
use crate::procfs;
use serde_json::json;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How to start the server; one value starts it again on the same data.
#[derive(Clone, Debug)]
pub struct Launch {
    pub binary: PathBuf,
    pub data_dir: PathBuf,
    /// `--database`: PostgreSQL instead of the embedded store.
    pub database: Option<String>,
    /// `--master-key-file`, which PostgreSQL needs explicitly (nodes must share it).
    pub master_key_file: Option<PathBuf>,
    /// `--lambda-endpoint`: where the trigger workload's functions are served.
    pub lambda_endpoint: Option<String>,
}

/// A running server; killed when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// From spawning the process to its first answered API request.
    pub started_in: Duration,
}

impl Launch {
    /// Spawns the server and waits until it answers a ListUserPools.
    pub async fn start(&self) -> Result<Server> {
        let addr = free_port()?;
        let log = std::fs::File::create(self.log_path()).map_err(|e| e.to_string())?;
        let mut command = Command::new(&self.binary);
        command
            .arg("serve")
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--data-dir")
            .arg(&self.data_dir)
            .env_remove("IRONPOOL_CREDENTIALS_FILE")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        if let Some(url) = &self.database {
            command.arg("--database").arg(url);
        }
        if let Some(key) = &self.master_key_file {
            command.arg("--master-key-file").arg(key);
        }
        if let Some(url) = &self.lambda_endpoint {
            command.arg("--lambda-endpoint").arg(url);
        }
        let spawned = Instant::now();
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.binary.display()))?;
        let mut server = Server {
            child,
            addr,
            started_in: Duration::ZERO,
        };
        server.started_in = server.first_answer(spawned, self).await?;
        Ok(server)
    }

    fn log_path(&self) -> PathBuf {
        self.data_dir.with_extension("log")
    }
}

impl Server {
    /// Polls until a real API request is answered, and returns the time since `spawned`.
    async fn first_answer(&mut self, spawned: Instant, launch: &Launch) -> Result<Duration> {
        let deadline = spawned + Duration::from_secs(20);
        loop {
            if let Ok(mut conn) = Conn::connect(self.addr).await {
                conn.call("ListUserPools", &json!({"MaxResults": 1}))
                    .await?;
                return Ok(spawned.elapsed());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(launch.log_path()).unwrap_or_default();
                return Err(format!(
                    "the server exited ({status}) before answering:\n{log}"
                ));
            }
            if Instant::now() > deadline {
                return Err("the server did not answer within 20 s".into());
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }

    pub fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// Resident memory now, in MB.
    pub fn rss_mb(&self) -> f64 {
        procfs::memory_mb(&self.pid(), "VmRSS")
    }

    /// The highest resident memory so far, in MB.
    pub fn peak_rss_mb(&self) -> f64 {
        procfs::memory_mb(&self.pid(), "VmHWM")
    }

    /// SIGKILL: no chance to flush anything.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody listens on right now.
fn free_port() -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map_err(|e| e.to_string())
}
