//! The one context every handler gets: store, clock, randomness, configuration.

use crate::aws::AwsClient;
use crate::config::Config;
use crate::kms::Kms;
use crate::lambda::{HttpInvoker, Invoker, NoEndpoint};
use crate::messages::{Message, MessageSender, Outbox, OutboxOnly};
use crate::smtp::{self, SmtpSender};
use ironpool_api::ApiError;
use ironpool_core::seal::MasterKey;
use ironpool_core::{Clock, OsRng, Rng, SystemClock};
use ironpool_sigv4::Credentials;
use ironpool_store::{PostgresStore, SqliteStore, Store, StoreError};
use std::collections::HashSet;
use std::fmt::Display;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

pub struct App {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub rng: Arc<dyn Rng>,
    pub credentials: Credentials,
    /// The SHA-256 of the console password (`--console-password-file`), never the password.
    pub console_password: Option<[u8; 32]>,
    /// Seals every secret kept at rest.
    pub master_key: MasterKey,
    /// `--public-url`, or the address actually bound; set when the listener is open.
    pub public_url: String,
    /// The messages that would have gone to users (dev endpoint `/_ironpool/outbox`).
    pub outbox: Outbox,
    /// Delivers messages beyond the outbox: SMTP when configured.
    pub sender: Arc<dyn MessageSender>,
    /// `--rate-limits`: Cognito's request rate quotas, or none.
    pub limiter: crate::throttle::Limiter,
    /// Each pool's token signing keys, parsed once.
    pub signing_keys: crate::keys::KeyCache,
    /// The tokens whose signature was verified already (the signature only: every other check
    /// of a token is made at each use).
    pub(crate) verified_signatures: ironpool_core::jwt::VerifiedSignatures,
    /// The pools read last, each kept while its version is the store's.
    pub(crate) pools: crate::ops::user_pools::PoolCache,
    /// Calls the pools' Lambda triggers (`--lambda-endpoint`).
    pub lambda: Arc<dyn Invoker>,
    /// Encrypts custom senders' codes (`--kms-endpoint`).
    pub kms: Option<Kms>,
    /// Calls identity providers (token, userInfo and JWKS endpoints, SAML metadata).
    pub web: reqwest::Client,
    /// This server's user import runs.
    pub import_runners: Arc<crate::ops::import_run::Runners>,
    /// The account and region of each pool seen (they never change).
    pub pool_scopes: Mutex<std::collections::HashMap<String, crate::scope::Scope>>,
    /// The pool and trigger pairs already logged as skipped (no endpoint configured).
    skipped_triggers: Mutex<HashSet<(String, &'static str)>>,
}

impl App {
    /// Opens (and migrates) the store the configuration names, reads the credentials file and
    /// applies the seed file (`--seed`).
    pub async fn from_config(config: Config) -> Result<Self, String> {
        let app = Self::open(config).await?;
        if let Some(file) = app.config.seed.clone() {
            let changes = crate::seed::apply_file(&app, &file).await?;
            tracing::info!(file = %file.display(), changes, "seed file applied");
        }
        Ok(app)
    }

    /// [`App::from_config`] without the seed file.
    pub async fn open(config: Config) -> Result<Self, String> {
        crate::metrics::init();
        let store = open_store(&config).await?;
        let credentials = match &config.credentials_file {
            None => Credentials::new(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                Credentials::parse_ini(&text).map_err(|e| format!("{}: {e}", path.display()))?
            }
        };
        let console_password = match &config.console_password_file {
            None => None,
            Some(path) => Some(crate::console::read_password(path)?),
        };
        let master_key = if config.memory {
            MasterKey::generate(&OsRng)
        } else {
            let path = config
                .master_key_file
                .clone()
                .unwrap_or_else(|| config.data_dir.join("master.key"));
            if config.database.is_some() {
                // Never generated here: every server of the database must read the same key.
                read_master_key(&path)?
            } else {
                load_or_create_master_key(&path)?
            }
        };
        let limiter = crate::throttle::Limiter::new(config.rate_limits, config.rate_limit_scale)?;
        let mut app = Self {
            public_url: config.public_url(config.listen),
            config,
            store,
            clock: Arc::new(SystemClock),
            rng: Arc::new(OsRng),
            credentials,
            console_password,
            master_key,
            outbox: Outbox::default(),
            sender: Arc::new(OutboxOnly),
            limiter,
            signing_keys: Default::default(),
            verified_signatures: Default::default(),
            pools: Default::default(),
            lambda: Arc::new(NoEndpoint),
            kms: None,
            web: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .dns_resolver(crate::resolve::resolver())
                .build()
                .map_err(|e| format!("cannot build the HTTP client: {e}"))?,
            pool_scopes: Default::default(),
            skipped_triggers: Default::default(),
            import_runners: Default::default(),
        };
        app.config.aws.check()?;
        let aws = Arc::new(AwsClient::new(&app.config.aws)?);
        if let Some(endpoint) = &app.config.aws.lambda_endpoint {
            app.lambda = Arc::new(HttpInvoker::new(endpoint, aws.clone()));
        }
        if let Some(endpoint) = &app.config.aws.kms_endpoint {
            app.kms = Some(Kms::new(endpoint, aws));
        }
        if let Some(smtp) = SmtpSender::from_config(&app.config.smtp, app.store.clone())? {
            app.sender = Arc::new(smtp::Background(Arc::new(smtp)));
        }
        let sealed = crate::ops::client_documents::seal_plain_secrets(&app)
            .await
            .map_err(|e| format!("cannot seal the client secrets: {e}"))?;
        if sealed > 0 {
            tracing::info!(clients = sealed, "client secrets sealed");
        }
        Ok(app)
    }

    pub fn now(&self) -> f64 {
        self.clock.epoch_seconds()
    }

    /// Logs, once per pool and trigger, that a trigger was skipped for want of an endpoint.
    pub fn skipped_trigger(&self, pool_id: &str, trigger: &'static str) {
        let mut seen = self
            .skipped_triggers
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if seen.insert((pool_id.to_owned(), trigger)) {
            tracing::warn!(
                pool = pool_id,
                trigger,
                "Lambda trigger skipped: no --lambda-endpoint is configured"
            );
        }
    }

    /// Sends a message to a user: outbox, one log line (never the code), the sender.
    pub fn deliver(&self, message: Message) {
        self.sender.send(&message);
        self.record(message);
    }

    /// Keeps a message another party delivers (a custom sender function): outbox and one log
    /// line, never its code.
    pub fn keep(&self, message: Message) {
        crate::metrics::message(&message.medium, "sent");
        self.record(message);
    }

    fn record(&self, message: Message) {
        tracing::info!(
            pool = %message.pool_id,
            username = %message.username,
            purpose = %message.purpose,
            medium = %message.medium,
            destination = %message.destination,
            "message to user"
        );
        self.outbox.push(message);
    }
}

/// The shared database (`--database`), or the embedded one in the data directory or memory.
async fn open_store(config: &Config) -> Result<Arc<dyn Store>, String> {
    let opened: Result<Arc<dyn Store>, _> = match &config.database {
        Some(url) => {
            if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
                return Err("--database must be a postgres:// URL".into());
            }
            if config.master_key_file.is_none() {
                return Err(
                    "--database needs --master-key-file (IRONPOOL_MASTER_KEY_FILE): \
                    every server sharing the database must use the same master key, and a key \
                    generated for one server would leave the others unable to read its secrets"
                        .into(),
                );
            }
            PostgresStore::connect(url)
                .await
                .map(|s| Arc::new(s) as Arc<dyn Store>)
        }
        None if config.memory => SqliteStore::open_in_memory().map(|s| Arc::new(s) as _),
        None => {
            std::fs::create_dir_all(&config.data_dir).map_err(|e| {
                format!(
                    "cannot create data directory {}: {e}",
                    config.data_dir.display()
                )
            })?;
            SqliteStore::open(&config.data_dir.join("ironpool.sqlite3")).map(|s| Arc::new(s) as _)
        }
    };
    opened.map_err(|e| format!("cannot open the database: {e}"))
}

fn read_master_key(path: &Path) -> Result<MasterKey, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    MasterKey::from_hex(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads the master key, or creates it (readable by the owner only) on first start.
fn load_or_create_master_key(path: &Path) -> Result<MasterKey, String> {
    match std::fs::read_to_string(path) {
        Ok(_) => read_master_key(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = MasterKey::generate(&OsRng);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            file.write_all(format!("{}\n", key.to_hex()).as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(key)
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Turns any failure of ours into `InternalErrorException`, logging the detail: storage and
/// domain errors never reach the client as text. A write that found its pool, user or group
/// deleted by a racing request is no failure of ours: the request is marked so, and an API
/// request is answered as its operation answers after that deletion (`crate::protocol`).
pub trait OrInternal<T> {
    fn or_internal(self) -> Result<T, ApiError>;
}

impl<T, E: Display + 'static> OrInternal<T> for Result<T, E> {
    fn or_internal(self) -> Result<T, ApiError> {
        self.map_err(|e| {
            let gone = matches!(
                (&e as &dyn std::any::Any).downcast_ref(),
                Some(StoreError::ParentGone(_))
            );
            if gone {
                crate::request_context::RequestContext::note_parent_gone();
                tracing::warn!(error = %e, "a write raced a deletion");
            } else {
                tracing::error!(error = %e, "internal error");
            }
            ApiError::internal()
        })
    }
}
