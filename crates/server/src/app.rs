//! The one context every handler gets: store, clock, randomness, configuration.

use crate::config::Config;
use ironpool_api::ApiError;
use ironpool_core::{Clock, OsRng, Rng, SystemClock};
use ironpool_sigv4::Credentials;
use ironpool_store::{SqliteStore, Store};
use std::fmt::Display;
use std::sync::Arc;

pub struct App {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub rng: Arc<dyn Rng>,
    pub credentials: Credentials,
    /// `--public-url`, or the address actually bound; set when the listener is open.
    pub public_url: String,
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
        Ok(Self {
            public_url: config.public_url(config.listen),
            config,
            store: Arc::new(store),
            clock: Arc::new(SystemClock),
            rng: Arc::new(OsRng),
            credentials,
        })
    }

    pub fn now(&self) -> f64 {
        self.clock.epoch_seconds()
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
