//! Storage for Ironpool.
//!
//! One small trait per aggregate; atomicity (uniqueness, single use) is the store's job, never
//! a read-then-write in a handler. Every backend passes the same [`suite`].

pub mod auth_events;
pub mod devices;
mod error;
pub mod import_jobs;
pub mod latency;
pub mod limits;
pub mod pools;
pub mod postgres;
pub mod resources;
pub mod sqlite;
pub mod suite;
mod suite_auth_events;
mod suite_devices;
mod suite_import_jobs;
mod suite_tokens;
pub mod tokens;
pub mod users;

pub use auth_events::{AuthEvent, AuthEvents};
pub use devices::{Device, Devices};
pub use error::StoreError;
pub use import_jobs::{
    CsvUpload, ImportJob, ImportJobs, ImportProgress, ImportUser, Imported, Problem,
    CSV_CHUNK_BYTES,
};
pub use limits::ProvisionedLimits;
pub use pools::UserPools;
pub use postgres::PostgresStore;
pub use resources::{Kind, Resources, ResourcesExt};
pub use sqlite::SqliteStore;
pub use tokens::{AuthSession, RefreshToken, SigningKeys, TokenAuthorization, Tokens};
pub use users::{
    CodeOutcome, CodePurpose, FilterOp, PasswordRecord, User, UserConflict, UserFilter, UserMfa,
    Users, WebAuthnCredential, MAX_CODE_FAILURES,
};

use async_trait::async_trait;

/// Everything the server keeps.
#[async_trait]
pub trait Store:
    UserPools
    + Resources
    + Users
    + Tokens
    + Devices
    + AuthEvents
    + ImportJobs
    + ProvisionedLimits
    + Send
    + Sync
{
    /// Wipes all state (the dev endpoint `/_ironpool/reset`).
    async fn reset(&self) -> Result<(), StoreError>;

    /// Gives back to the system the memory a bulk write (a user import job) filled and no
    /// longer needs: caches beyond their usual size, and what the allocator keeps of freed
    /// memory.
    async fn release_memory(&self) -> Result<(), StoreError> {
        return_freed_memory();
        Ok(())
    }
}

/// Returns to the system the memory the allocator holds free (glibc keeps what a burst of
/// allocations freed, for reuse, until told otherwise).
pub fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator's own arenas.
    unsafe {
        libc::malloc_trim(0);
    }
}
