use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// A row with the same unique key exists already, or a versioned write found another
    /// version than the one it was made from.
    #[error("conflict")]
    Conflict,
    /// The backend failed; the detail is for the log, never for a client.
    #[error("storage backend: {0}")]
    Backend(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
            {
                StoreError::Conflict
            }
            other => StoreError::Backend(other.to_string()),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Backend(format!("stored document: {e}"))
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
            return StoreError::Conflict;
        }
        // The Display of a server error is only "db error"; the detail is in the source.
        match e.as_db_error() {
            Some(db) => StoreError::Backend(db.to_string()),
            None => StoreError::Backend(e.to_string()),
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StoreError::Backend(format!("database connection: {e}"))
    }
}
