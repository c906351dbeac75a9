//! The one context every handler gets: store, clock, randomness, configuration.

use crate::config::Config;
use crate::messages::{Message, MessageSender, Outbox, OutboxOnly};
use crate::smtp::{self, SmtpSender};
use ironpool_api::ApiError;
use ironpool_core::seal::MasterKey;
use ironpool_core::{Clock, OsRng, Rng, SystemClock};
use ironpool_sigv4::Credentials;
use ironpool_store::{SqliteStore, Store};
use std::fmt::Display;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

pub struct App {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub rng: Arc<dyn Rng>,
    pub credentials: Credentials,
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
}

impl App {
    /// Opens the store the configuration names and reads the credentials file.
    pub fn from_config(config: Config) -> Result<Self, String> {
        let store = if config.memory {
            SqliteStore::open_in_memory()
        } else {
            std::fs::create_dir_all(&config.data_dir).map_err(|e| {
                format!(
                    "cannot create data directory {}: {e}",
                    config.data_dir.display()
                )
            })?;
            SqliteStore::open(&config.data_dir.join("ironpool.sqlite3"))
        }
        .map_err(|e| format!("cannot open the database: {e}"))?;
        let credentials = match &config.credentials_file {
            None => Credentials::new(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                Credentials::parse_ini(&text).map_err(|e| format!("{}: {e}", path.display()))?
            }
        };
        let master_key = if config.memory {
            MasterKey::generate(&OsRng)
        } else {
            let path = config
                .master_key_file
                .clone()
                .unwrap_or_else(|| config.data_dir.join("master.key"));
            load_or_create_master_key(&path)?
        };
        let limiter = crate::throttle::Limiter::new(config.rate_limits, config.rate_limit_scale)?;
        let mut app = Self {
            public_url: config.public_url(config.listen),
            config,
            store: Arc::new(store),
            clock: Arc::new(SystemClock),
            rng: Arc::new(OsRng),
            credentials,
            master_key,
            outbox: Outbox::default(),
            sender: Arc::new(OutboxOnly),
            limiter,
            signing_keys: Default::default(),
        };
        if let Some(smtp) = SmtpSender::from_config(&app.config.smtp, app.store.clone())? {
            app.sender = Arc::new(smtp::Background(Arc::new(smtp)));
        }
        Ok(app)
    }

    pub fn now(&self) -> f64 {
        self.clock.epoch_seconds()
    }

    /// Sends a message to a user: outbox, one log line (never the code), the sender.
    pub fn deliver(&self, message: Message) {
        tracing::info!(
            pool = %message.pool_id,
            username = %message.username,
            purpose = %message.purpose,
            medium = %message.medium,
            destination = %message.destination,
            "message to user"
        );
        self.sender.send(&message);
        self.outbox.push(message);
    }
}

/// Reads the master key, or creates it (readable by the owner only) on first start.
fn load_or_create_master_key(path: &Path) -> Result<MasterKey, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => MasterKey::from_hex(&text).map_err(|e| format!("{}: {e}", path.display())),
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
/// domain errors never reach the client as text.
pub trait OrInternal<T> {
    fn or_internal(self) -> Result<T, ApiError>;
}

impl<T, E: Display> OrInternal<T> for Result<T, E> {
    fn or_internal(self) -> Result<T, ApiError> {
        self.map_err(|e| {
            tracing::error!(error = %e, "internal error");
            ApiError::internal()
        })
    }
}
