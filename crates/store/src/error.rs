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
    /// The database ended the transaction because of another one (a deadlock or a
    /// serialization failure): nothing of it was written. The store tries such a write again
    /// itself; a caller sees this only when every attempt was ended so.
    #[error("storage backend, contended: {0}")]
    Contended(String),
    /// The write referred to a row that another request deleted meanwhile (its pool, user,
    /// group or import job; a foreign key): nothing of it was written.
    #[error("storage backend, parent gone: {0}")]
    ParentGone(String),
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
            rusqlite::Error::SqliteFailure(f, _)
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
            {
                StoreError::ParentGone(f.to_string())
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
        use tokio_postgres::error::SqlState;
        match e.code() {
            Some(&SqlState::UNIQUE_VIOLATION) => return StoreError::Conflict,
            Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
                return StoreError::ParentGone(postgres_detail(&e))
            }
            Some(&SqlState::T_R_DEADLOCK_DETECTED | &SqlState::T_R_SERIALIZATION_FAILURE) => {
                return StoreError::Contended(postgres_detail(&e))
            }
            _ => {}
        }
        StoreError::Backend(postgres_detail(&e))
    }
}

/// The Display of a server error is only "db error", and of a failed connection only its
/// first step ("error performing TLS handshake"); the detail is in the sources.
fn postgres_detail(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.to_string();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => {
                StoreError::Backend(format!("database connection: {}", postgres_detail(&e)))
            }
            other => StoreError::Backend(format!("database connection: {other}")),
        }
    }
}
