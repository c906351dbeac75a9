//! Configuration: every flag of `ironpool serve` has an `IRONPOOL_*` environment variable.

use clap::{Parser, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum IssuerStyle {
    /// `<public URL>/<pool id>`.
    PublicUrl,
    /// Cognito's own, `https://cognito-idp.<region>.amazonaws.com/<pool id>`.
    Aws,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DevEndpoints {
    /// On when listening on a loopback address, off otherwise.
    Auto,
    On,
    Off,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Console {
    /// Served with the dev endpoints.
    Auto,
    On,
    Off,
}

/// Serve the Cognito User Pools API.
#[derive(Clone, Debug, Parser)]
#[command(name = "ironpool serve")]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "IRONPOOL_LISTEN", default_value = "127.0.0.1:9229")]
    pub listen: SocketAddr,

    /// Directory of the embedded database; created if missing.
    #[arg(long, env = "IRONPOOL_DATA_DIR", default_value = "./ironpool-data")]
    pub data_dir: PathBuf,

    /// The shared database, `postgres://user:password@host:port/database`: every server given
    /// the same one (and the same --master-key-file and --public-url) acts as one service.
    /// Without it, the embedded database in the data directory.
    #[arg(long, env = "IRONPOOL_DATABASE", conflicts_with = "memory")]
    pub database: Option<String>,

    /// Keep all state in memory; nothing is written to disk and everything is gone at exit.
    #[arg(long, env = "IRONPOOL_MEMORY")]
    pub memory: bool,

    /// The region of admin calls that are not signed; a signed call acts in the region of its
    /// signature, and every region's pools are served.
    #[arg(long, env = "IRONPOOL_REGION", default_value = "us-east-1")]
    pub region: String,

    /// The 12-digit account of access keys whose credentials profile names no `aws_account_id`
    /// (and, without a credentials file, of keys that are not themselves 12 digits).
    #[arg(long, env = "IRONPOOL_ACCOUNT_ID", default_value = "000000000000")]
    pub account_id: String,

    /// Public base URL of this server, used for token issuers and links
    /// [default: http://<listen>, or https://<listen> with --tls-cert].
    #[arg(long, env = "IRONPOOL_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Serve HTTPS with this certificate chain (PEM); `ironpool cert` makes a local one.
    #[arg(long, env = "IRONPOOL_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The private key (PEM) of --tls-cert.
    #[arg(long, env = "IRONPOOL_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// The `iss` of tokens: `public-url` is `<public URL>/<pool id>`; `aws` is Cognito's,
    /// `https://cognito-idp.<region>.amazonaws.com/<pool id>`, which verifiers that derive the
    /// issuer from the pool id accept unchanged. Either way the JWKS and the discovery document
    /// are served here, and only tokens with this issuer are accepted.
    #[arg(
        long,
        env = "IRONPOOL_ISSUER_STYLE",
        value_enum,
        default_value = "public-url"
    )]
    pub issuer_style: IssuerStyle,

    /// AWS shared-credentials file (INI: aws_access_key_id / aws_secret_access_key per profile).
    /// When given, every IAM-authorized operation must carry a valid SigV4 signature made with
    /// one of its key pairs; without it, the admin API is open.
    #[arg(long, env = "IRONPOOL_CREDENTIALS_FILE")]
    pub credentials_file: Option<PathBuf>,

    /// File holding the master key (64 hex digits) that encrypts password verifiers, client
    /// secrets and signing keys at rest [default: <data-dir>/master.key, generated with
    /// owner-only permissions when missing]. Nodes sharing a database need the same key.
    #[arg(long, env = "IRONPOOL_MASTER_KEY_FILE")]
    pub master_key_file: Option<PathBuf>,

    /// Allow listening on a non-loopback address with no credentials configured, that is,
    /// with the admin API open to the network.
    #[arg(long, env = "IRONPOOL_ALLOW_UNAUTHENTICATED")]
    pub allow_unauthenticated: bool,

    /// The developer endpoints under /_ironpool/ (health is always on; reset and the outbox
    /// follow this switch).
    #[arg(
        long,
        env = "IRONPOOL_DEV_ENDPOINTS",
        value_enum,
        default_value = "auto"
    )]
    pub dev_endpoints: DevEndpoints,

    /// The admin console at /_ironpool/console (`auto`: served with the dev endpoints). It asks
    /// for a credentials-file key (access key id and secret) or the console password whenever
    /// either is configured, and always off a loopback address.
    #[arg(long, env = "IRONPOOL_CONSOLE", value_enum, default_value = "auto")]
    pub console: Console,

    /// A file whose first line is the console's password, for the user name `admin`.
    #[arg(long, env = "IRONPOOL_CONSOLE_PASSWORD_FILE")]
    pub console_password_file: Option<PathBuf>,

    /// Serve the process's metrics at GET /metrics in the Prometheus text format (`false`:
    /// not served).
    #[arg(long, env = "IRONPOOL_METRICS", default_value_t = true, action = clap::ArgAction::Set)]
    pub metrics: bool,

    /// Apply this seed file (YAML, or JSON for a .json file) at start: pools, app clients,
    /// domains, groups, resource servers, identity providers and users, created or updated
    /// through the API's own operations; a bad file stops the start and changes nothing.
    #[arg(long, env = "IRONPOOL_SEED")]
    pub seed: Option<PathBuf>,

    /// Log format on standard error.
    #[arg(long, env = "IRONPOOL_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    #[command(flatten)]
    pub smtp: crate::smtp::SmtpConfig,

    #[command(flatten)]
    pub aws: crate::aws::AwsConfig,

    /// Throttle calls as Cognito does: `aws` enforces AWS's default request rate quotas per
    /// operation category, answering TooManyRequestsException over them.
    #[arg(long, env = "IRONPOOL_RATE_LIMITS", value_enum, default_value = "off")]
    pub rate_limits: crate::throttle::RateLimits,

    /// Multiplies every rate limit (0.1: a tenth of AWS's quotas).
    #[arg(long, env = "IRONPOOL_RATE_LIMIT_SCALE", default_value_t = 1.0)]
    pub rate_limit_scale: f64,
}

impl Config {
    /// The defaults, as `ironpool serve` with no flags and no environment would have them.
    pub fn defaults() -> Self {
        Self::parse_from(["ironpool serve"])
    }

    /// An in-memory server on a free loopback port: what tests start.
    pub fn ephemeral() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            memory: true,
            ..Self::defaults()
        }
    }

    pub fn dev_endpoints_enabled(&self) -> bool {
        match self.dev_endpoints {
            DevEndpoints::Auto => self.listen.ip().is_loopback(),
            DevEndpoints::On => true,
            DevEndpoints::Off => false,
        }
    }

    pub fn console_enabled(&self) -> bool {
        match self.console {
            Console::Auto => self.dev_endpoints_enabled(),
            Console::On => true,
            Console::Off => false,
        }
    }

    /// Where state is kept, for the log: never the database password.
    pub fn storage(&self) -> String {
        match (&self.database, self.memory) {
            (Some(url), _) => match url.split_once("://") {
                Some((scheme, rest)) => {
                    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
                    format!("{scheme}://{host}")
                }
                None => "database".into(),
            },
            (None, true) => "memory".into(),
            (None, false) => self.data_dir.display().to_string(),
        }
    }

    /// The base URL of issuers and links, without a trailing slash.
    pub fn public_url(&self, bound: SocketAddr) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None if self.tls_cert.is_some() => format!("https://{bound}"),
            None => format!("http://{bound}"),
        }
    }
}
