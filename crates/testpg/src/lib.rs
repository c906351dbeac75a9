//! A throwaway PostgreSQL for tests and benchmarks.
//!
//! The first [`TestPostgres::start`] of a process runs `initdb` and `postgres` in a temporary
//! directory on a free loopback port; every call then gets a fresh database of its own on that
//! server (`CREATE DATABASE` is far cheaper than a cluster), dropped again with the handle. The
//! server lives as long as the process: a small shell watchdog holds the read end of a pipe
//! whose write end only this process has, so when the process ends, however it ends, the
//! watchdog stops the server and removes the directory.
//!
//! The binaries are looked for in `IRONPOOL_PG_BIN`, then `/usr/lib/postgresql/*/bin`, then
//! `pg_config --bindir`. Without them `start` returns `None` (the caller skips with a
//! message) unless `IRONPOOL_REQUIRE_CLIENTS=1`, where it panics: CI must not skip silently.
//! The server runs with fsync off (tests need no durability), unless
//! `IRONPOOL_TESTPG_DURABLE=1`: the benchmark sets it so PostgreSQL pays for its commits as the
//! embedded store does. PostgreSQL refuses to run as root; as root the server runs as `postgres` (or `nobody`).

mod cluster;
pub use cluster::{Cluster, Setup};

use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The superuser of the throwaway cluster (trust authentication, loopback only).
const SUPERUSER: &str = "ironpool";

/// One fresh, empty database on the process's throwaway server; dropped with the handle.
pub struct TestPostgres {
    name: String,
    url: String,
}

impl TestPostgres {
    /// A fresh database, or None (after printing why) when PostgreSQL is not installed.
    pub fn start() -> Option<Self> {
        let server = match SERVER.get_or_init(Server::start) {
            Ok(server) => server,
            Err(why) => {
                if std::env::var("IRONPOOL_REQUIRE_CLIENTS").as_deref() == Ok("1") {
                    panic!("PostgreSQL is required (IRONPOOL_REQUIRE_CLIENTS=1): {why}");
                }
                eprintln!("skipped: no PostgreSQL for the tests ({why})");
                return None;
            }
        };
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        server.run_tool("createdb", &[&name]);
        Some(Self {
            url: server.url(&name),
            name,
        })
    }

    /// `postgres://` URL of this database.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        if let Some(Ok(server)) = SERVER.get() {
            server.try_tool("dropdb", &["--force", &self.name]);
        }
    }
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

struct Server {
    bin: PathBuf,
    port: u16,
    /// Closing it (at process exit) stops the server; kept only to stay open.
    _watchdog: (Child, ChildStdin),
}

impl Server {
    fn start() -> Result<Self, String> {
        let bin = find_bin_dir().ok_or(
            "initdb/postgres not found: set IRONPOOL_PG_BIN, or install the `postgresql` package",
        )?;
        let dir = tempfile::Builder::new()
            .prefix("ironpool-pg-")
            .tempdir()
            .map_err(|e| e.to_string())?
            .keep();
        let user = run_as_user()?;
        if let Some(user) = &user {
            run(Command::new("chown").args([user.as_str(), &dir.display().to_string()]))?;
        }
        let data = dir.join("data");
        run(as_user(&user, &bin.join("initdb"))
            .args(["-D", &data.display().to_string()])
            .args([
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ]))?;
        let port = free_port()?;
        // The watchdog: the server in the background, `cat` until our end of stdin closes,
        // then a fast shutdown and the directory removed. One server serves every test of a
        // process, each in-process server keeping up to 16 connections until it is dropped:
        // the three deletion race tests alone reach 270 at once, and past the limit every
        // request of a test answers InternalErrorException ("too many clients already").
        let script = r#""$3/postgres" -D "$1/data" -p "$2" -k "$1" -c listen_addresses=127.0.0.1 \
            $4 -c max_connections=1000 >"$1/log" 2>&1 &
            pid=$!; cat >/dev/null; kill -INT "$pid"; wait "$pid"; rm -rf "$1""#;
        let durability = if std::env::var("IRONPOOL_TESTPG_DURABLE").as_deref() == Ok("1") {
            ""
        } else {
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        };
        let mut child = as_user(&user, Path::new("/bin/sh"))
            .args([
                "-c",
                script,
                "sh",
                &dir.display().to_string(),
                &port.to_string(),
            ])
            .arg(&bin)
            .arg(durability)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start postgres: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let server = Self {
            bin,
            port,
            _watchdog: (child, stdin),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !server.try_tool("pg_isready", &["-q"]) {
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
                return Err(format!("postgres did not start:\n{log}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{database}", self.port)
    }

    fn tool(&self, name: &str, args: &[&str]) -> Command {
        let mut command = Command::new(self.bin.join(name));
        command
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                SUPERUSER,
            ])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        command
    }

    fn try_tool(&self, name: &str, args: &[&str]) -> bool {
        self.tool(name, args).status().is_ok_and(|s| s.success())
    }

    fn run_tool(&self, name: &str, args: &[&str]) {
        if let Err(e) = run(&mut self.tool(name, args)) {
            panic!("{name} failed: {e}");
        }
    }
}

/// `IRONPOOL_PG_BIN`, the newest `/usr/lib/postgresql/*/bin`, or `pg_config --bindir`.
fn find_bin_dir() -> Option<PathBuf> {
    let has_initdb = |dir: &Path| dir.join("initdb").is_file();
    if let Some(dir) = std::env::var_os("IRONPOOL_PG_BIN") {
        return Some(PathBuf::from(dir)).filter(|d| has_initdb(d));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, bin)| has_initdb(bin))
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    let dir = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    Some(dir).filter(|d| has_initdb(d))
}

/// The unprivileged user to run PostgreSQL as when we are root; None when we are not.
fn run_as_user() -> Result<Option<String>, String> {
    let uid = std::fs::metadata("/proc/self")
        .map_err(|e| e.to_string())?
        .uid();
    if uid != 0 {
        return Ok(None);
    }
    for user in ["postgres", "nobody"] {
        if Command::new("id")
            .arg(user)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
        {
            return Ok(Some(user.to_owned()));
        }
    }
    Err("running as root and neither `postgres` nor `nobody` exists".into())
}

fn as_user(user: &Option<String>, program: &Path) -> Command {
    match user {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--"]).arg(program);
            command
        }
        None => Command::new(program),
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

fn run(command: &mut Command) -> Result<(), String> {
    let out = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("{:?}: {e}", command.get_program()))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{:?} exited with {}:\n{}{}",
        command.get_program(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}
