//! Changes to pools and their configuration documents: each is read with its version,
//! changed, and written over that version only (the store refuses the write with
//! `StoreError::Conflict` when another change came in between); then it starts again from
//! what is stored now, up to [`ATTEMPTS`] times, then answers TooManyRequestsException.

use crate::app::{App, OrInternal};
use ironpool_api::{ApiError, ErrorCode};
use ironpool_store::{Kind, ResourcesExt, StoreError};
use serde::{de::DeserializeOwned, Serialize};

/// Tries of one change before the caller is told to slow down.
pub(crate) const ATTEMPTS: usize = 32;

/// What a change answers when it was refused [`ATTEMPTS`] times for changes that came in
/// between.
pub(crate) fn too_many_requests() -> ApiError {
    ApiError::new(ErrorCode::TooManyRequestsException, "Too many requests")
}

/// Whether a versioned write went through (false: another change came in between).
pub(crate) fn written(result: Result<(), StoreError>) -> Result<bool, ApiError> {
    match result {
        Ok(()) => Ok(true),
        Err(StoreError::Conflict) => Ok(false),
        Err(e) => Err(e).or_internal(),
    }
}

/// Reads the `kind` document `key` of the pool (None when there is none), lets `change` make
/// the value to store, and creates or replaces it, retrying when another change came in
/// between. Returns the value stored. The pool must exist.
pub(crate) async fn modify<T: Serialize + DeserializeOwned + Sync>(
    app: &App,
    kind: Kind,
    pool_id: &str,
    key: &str,
    mut change: impl FnMut(Option<T>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    for _ in 0..ATTEMPTS {
        let current: Option<(T, i64)> = app
            .store
            .get_versioned(kind, pool_id, key)
            .await
            .or_internal()?;
        let (value, stored) = match current {
            Some((value, version)) => {
                let value = change(Some(value))?;
                let stored = app.store.put(kind, pool_id, key, &value, version).await;
                (value, stored)
            }
            None => {
                let value = change(None)?;
                let stored = app.store.create(kind, pool_id, key, &value).await;
                (value, stored)
            }
        };
        if written(stored)? {
            return Ok(value);
        }
    }
    Err(too_many_requests())
}
