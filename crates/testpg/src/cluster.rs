//! A cluster of a test's own, for what the shared server cannot do: be stopped and started
//! again under load, or be reached only over TLS. It is stopped and its directory removed when
//! dropped.

use crate::{as_user, find_bin_dir, free_port, run, run_as_user, SUPERUSER};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    user: Option<String>,
}

/// How a [`Cluster`] is set up before its first start.
#[derive(Default)]
pub struct Setup<'a> {
    /// Lines appended to `postgresql.conf` (`ssl = on`, say).
    pub settings: &'a [&'a str],
    /// Files written into the data directory, readable by the server only (a key and its
    /// certificate, say).
    pub files: &'a [(&'a str, &'a str)],
    /// Replaces `pg_hba.conf` when given.
    pub hba: Option<&'a str>,
}

impl Cluster {
    /// initdb, the setup, and a first start; None (after printing why) when PostgreSQL is not
    /// installed, unless `IRONPOOL_REQUIRE_CLIENTS=1`, where it panics.
    pub fn create(setup: &Setup) -> Option<Self> {
        match Self::try_create(setup) {
            Ok(cluster) => Some(cluster),
            Err(why) => {
                if std::env::var("IRONPOOL_REQUIRE_CLIENTS").as_deref() == Ok("1") {
                    panic!("PostgreSQL is required (IRONPOOL_REQUIRE_CLIENTS=1): {why}");
                }
                eprintln!("skipped: no PostgreSQL for the tests ({why})");
                None
            }
        }
    }

    fn try_create(setup: &Setup) -> Result<Self, String> {
        let bin = find_bin_dir().ok_or("initdb/postgres not found")?;
        let dir = tempfile::Builder::new()
            .prefix("ironpool-pgc-")
            .tempdir()
            .map_err(|e| e.to_string())?
            .keep();
        let user = run_as_user()?;
        let cluster = Self {
            bin,
            port: free_port()?,
            user,
            dir,
        };
        cluster.chown(&cluster.dir)?;
        let data = cluster.data();
        run(as_user(&cluster.user, &cluster.bin.join("initdb"))
            .args(["-D", &data.display().to_string()])
            .args(["-U", SUPERUSER, "--auth=trust", "--no-sync", "-E", "UTF8"])
            .arg("--locale=C"))?;
        let mut conf = std::fs::read_to_string(data.join("postgresql.conf"))
            .map_err(|e| format!("postgresql.conf: {e}"))?;
        for line in ["fsync = off", "full_page_writes = off"]
            .iter()
            .chain(setup.settings)
        {
            conf.push_str(line);
            conf.push('\n');
        }
        cluster.write("postgresql.conf", &conf, 0o600)?;
        for (name, text) in setup.files {
            cluster.write(name, text, 0o600)?;
        }
        if let Some(hba) = setup.hba {
            cluster.write("pg_hba.conf", hba, 0o600)?;
        }
        cluster.start();
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn chown(&self, path: &std::path::Path) -> Result<(), String> {
        match &self.user {
            Some(user) => {
                run(Command::new("chown").args([user.as_str(), &path.display().to_string()]))
            }
            None => Ok(()),
        }
    }

    fn write(&self, name: &str, text: &str, mode: u32) -> Result<(), String> {
        let path = self.data().join(name);
        std::fs::write(&path, text).map_err(|e| format!("{name}: {e}"))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| format!("{name}: {e}"))?;
        self.chown(&path)
    }

    fn pg_ctl(&self, args: &[&str]) -> Command {
        let mut command = as_user(&self.user, &self.bin.join("pg_ctl"));
        command
            .args(["-D", &self.data().display().to_string()])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    /// Starts the server (on the same port every time) and waits until it takes connections.
    pub fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log").display().to_string();
        let started = self
            .pg_ctl(&["-l", &log, "-o", &options, "-W", "start"])
            .status();
        assert!(
            started.as_ref().is_ok_and(|s| s.success()),
            "pg_ctl start: {started:?}"
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.ready() {
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
                panic!("postgres did not start:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn ready(&self) -> bool {
        Command::new(self.bin.join("pg_isready"))
            .args(["-q", "-h", &self.dir.display().to_string()])
            .args(["-p", &self.port.to_string()])
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Stops the server (a fast shutdown: sessions are ended, nothing committed is lost) and
    /// waits until it has.
    pub fn stop(&self) {
        let stopped = self.pg_ctl(&["-m", "fast", "-w", "stop"]).status();
        assert!(
            stopped.as_ref().is_ok_and(|s| s.success()),
            "pg_ctl stop: {stopped:?}"
        );
    }

    /// A `postgres://` URL of the cluster's `postgres` database through `host`, with
    /// `params` (`?sslmode=require`, say) appended.
    pub fn url(&self, host: &str, params: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@{host}:{}/postgres{params}",
            self.port
        )
    }

    /// The same through the cluster's Unix-domain socket (its directory, percent-encoded, as
    /// the URL's host).
    pub fn socket_url(&self, params: &str) -> String {
        let dir = self.dir.display().to_string().replace('/', "%2F");
        self.url(&dir, params)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["-m", "immediate", "-w", "stop"]).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
