//! Each pool's two token signing keys, parsed once and cached for the life of the process.
//! The store makes sure every server of a deployment uses the same keys.

use crate::app::{App, OrInternal};
use ironpool_api::ApiError;
use ironpool_core::jwt::SigningKey;
use ironpool_store::SigningKeys;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A pool's keys: ID tokens and access tokens are signed by different keys, as on AWS.
#[derive(Debug)]
pub struct PoolKeys {
    pub id: SigningKey,
    pub access: SigningKey,
}

/// Parsed keys by pool id.
#[derive(Default)]
pub struct KeyCache(Mutex<HashMap<String, Arc<PoolKeys>>>);

impl KeyCache {
    fn get(&self, pool_id: &str) -> Option<Arc<PoolKeys>> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(pool_id)
            .cloned()
    }

    fn insert(&self, pool_id: &str, keys: Arc<PoolKeys>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(pool_id.to_owned(), keys);
    }
}

fn context(pool_id: &str, kid: &str) -> String {
    format!("signing-key:{pool_id}:{kid}")
}

/// The keys of `pool_id` (which must exist), created on first use.
pub async fn pool_keys(app: &App, pool_id: &str) -> Result<Arc<PoolKeys>, ApiError> {
    if let Some(keys) = app.signing_keys.get(pool_id) {
        return Ok(keys);
    }
    let stored = match app.store.get_signing_keys(pool_id).await.or_internal()? {
        Some(stored) => stored,
        None => {
            let pair = tokio::task::spawn_blocking(|| {
                Ok::<_, ironpool_core::jwt::JwtError>((
                    SigningKey::generate()?,
                    SigningKey::generate()?,
                ))
            })
            .await
            .or_internal()?
            .or_internal()?;
            let ((id, id_der), (access, access_der)) = pair;
            let candidate = SigningKeys {
                id_sealed_key: app.master_key.seal(
                    app.rng.as_ref(),
                    &context(pool_id, id.kid()),
                    &id_der,
                ),
                id_kid: id.kid().to_owned(),
                access_sealed_key: app.master_key.seal(
                    app.rng.as_ref(),
                    &context(pool_id, access.kid()),
                    &access_der,
                ),
                access_kid: access.kid().to_owned(),
                created: app.now(),
            };
            app.store
                .get_or_create_signing_keys(pool_id, &candidate)
                .await
                .or_internal()?
        }
    };
    let open = |kid: &str, sealed: &str| -> Result<SigningKey, ApiError> {
        let der = app
            .master_key
            .open(&context(pool_id, kid), sealed)
            .or_internal()?;
        SigningKey::from_pkcs8(&der).or_internal()
    };
    let keys = Arc::new(PoolKeys {
        id: open(&stored.id_kid, &stored.id_sealed_key)?,
        access: open(&stored.access_kid, &stored.access_sealed_key)?,
    });
    app.signing_keys.insert(pool_id, keys.clone());
    Ok(keys)
}
