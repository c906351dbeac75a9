//! User import jobs: each job's record, the CSV file uploaded for it (kept in the store, in
//! chunks, so every server of a shared database sees it), and the batches of users a running
//! job writes together with its progress.
//!
//! A job is run by one server at a time: the one named `runner`, until `lease_until`. Each
//! batch is written only while the job is still that runner's, in one transaction with the
//! job's new progress, so progress never counts a user that was not written and a job taken
//! over by another server never writes a user twice.

use crate::{StoreError, User, UserConflict};
use async_trait::async_trait;
use ironpool_api::types::{UserImportJobStatusType, UserImportJobType};
use serde::{Deserialize, Serialize};

/// Bytes per stored chunk of an uploaded file (the last one may be shorter).
pub const CSV_CHUNK_BYTES: usize = 1024 * 1024;

/// A job as kept: the API's view of it and what running it needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportJob {
    /// Status, dates, counts and messages as DescribeUserImportJob shows them.
    pub job: UserImportJobType,
    /// The uploaded file, once an upload finished.
    #[serde(default)]
    pub upload: Option<CsvUpload>,
    /// Where the next row starts: a byte offset in the file and its line number.
    #[serde(default)]
    pub next_offset: u64,
    #[serde(default)]
    pub next_line: u64,
    /// The server running the job, and until when it holds it.
    #[serde(default)]
    pub runner: Option<String>,
    #[serde(default)]
    pub lease_until: f64,
    /// The first row that failed or was skipped.
    #[serde(default)]
    pub first_problem: Option<Problem>,
}

/// A row that failed or was skipped: its line number and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub line: u64,
    pub reason: String,
}

/// A user to import and the line of the file it comes from.
#[derive(Clone, Debug)]
pub struct ImportUser {
    pub line: u64,
    pub user: User,
}

impl ImportJob {
    pub fn pool_id(&self) -> &str {
        self.job.user_pool_id.as_deref().unwrap_or_default()
    }

    pub fn job_id(&self) -> &str {
        self.job.job_id.as_deref().unwrap_or_default()
    }

    pub fn status(&self) -> UserImportJobStatusType {
        self.job.status.unwrap_or_default()
    }

    pub fn created(&self) -> f64 {
        self.job.creation_date.unwrap_or_default()
    }
}

/// One finished upload of a job's file: its chunks are stored under `upload_id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvUpload {
    pub upload_id: String,
    pub bytes: u64,
}

/// What a batch moves a job on by, besides the users it writes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportProgress {
    pub next_offset: u64,
    pub next_line: u64,
    /// Rows of the batch refused before the store (they count as failed).
    pub failed: i64,
    /// The batch's first row refused before the store.
    pub first_problem: Option<Problem>,
    pub lease_until: f64,
}

/// How one user of a batch fared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Imported {
    Created,
    /// Username taken: counted as skipped.
    Skipped,
    /// A sign-in name or alias value taken: counted as failed.
    Failed(UserConflict),
}

impl Imported {
    /// Why a user was not created, as the import's log says it.
    pub fn reason(&self) -> Option<String> {
        match self {
            Imported::Created => None,
            Imported::Skipped | Imported::Failed(UserConflict::UsernameExists) => {
                Some("The user already exists.".into())
            }
            Imported::Failed(UserConflict::AliasExists(a)) => {
                Some(format!("An account with the given {a} already exists."))
            }
            Imported::Failed(UserConflict::PoolGone) => Some("The user pool was deleted.".into()),
        }
    }
}

#[async_trait]
pub trait ImportJobs: Send + Sync {
    /// Inserts a new job; `Conflict` if its id exists in the pool. The pool must exist.
    async fn create_import_job(&self, job: &ImportJob) -> Result<(), StoreError>;

    /// The job and its version.
    async fn get_import_job(
        &self,
        pool_id: &str,
        job_id: &str,
    ) -> Result<Option<(ImportJob, i64)>, StoreError>;

    /// Replaces the job if its stored version is `version`; `Conflict` otherwise.
    async fn put_import_job(&self, job: &ImportJob, version: i64) -> Result<(), StoreError>;

    /// StopUserImportJob's change, in one step over whatever is stored (a running job's
    /// batches move its version on all the time, so a read-then-write could lose to them
    /// again and again): a Pending or InProgress job becomes Stopping, any other is left as
    /// it is. The job as stored afterwards, or None if there is no such job.
    async fn stop_import_job(
        &self,
        pool_id: &str,
        job_id: &str,
    ) -> Result<Option<ImportJob>, StoreError>;

    /// Up to `limit` jobs of the pool, newest first, after (older than) `after`, a
    /// (creation date, job id) pair.
    async fn list_import_jobs(
        &self,
        pool_id: &str,
        after: Option<(f64, String)>,
        limit: usize,
    ) -> Result<Vec<ImportJob>, StoreError>;

    /// Every job (of any pool) that is Pending, InProgress or Stopping, with its version.
    async fn running_import_jobs(&self) -> Result<Vec<(ImportJob, i64)>, StoreError>;

    /// Stores chunk `seq` (from 0) of the upload `upload_id` of the job (which must exist).
    async fn put_import_chunk(
        &self,
        pool_id: &str,
        job_id: &str,
        upload_id: &str,
        seq: u64,
        bytes: Vec<u8>,
    ) -> Result<(), StoreError>;

    /// Chunk `seq` of the upload, if stored.
    async fn get_import_chunk(
        &self,
        pool_id: &str,
        job_id: &str,
        upload_id: &str,
        seq: u64,
    ) -> Result<Option<Vec<u8>>, StoreError>;

    /// Deletes the job's chunks of every upload but `keep`.
    async fn delete_import_chunks(
        &self,
        pool_id: &str,
        job_id: &str,
        keep: Option<&str>,
    ) -> Result<(), StoreError>;

    /// In one transaction, if the job is still `runner`'s: creates each user that is absent
    /// (a taken username skips it, a taken alias fails it; nothing moves) and moves the job
    /// on by `progress` and the users' outcomes. `Ok(None)` (and nothing written) if the job
    /// is gone or another runner holds it. Returns the job as written and each user's
    /// outcome, in order.
    async fn import_users(
        &self,
        pool_id: &str,
        job_id: &str,
        runner: &str,
        users: Vec<ImportUser>,
        progress: ImportProgress,
    ) -> Result<Option<(ImportJob, Vec<Imported>)>, StoreError>;
}

/// The stored name of a job's status (the `status` column).
pub(crate) fn status_name(job: &ImportJob) -> &'static str {
    job.status().as_str()
}

/// Whether a stop changes the job: Pending and InProgress become Stopping.
pub(crate) fn request_stop(job: &mut ImportJob) -> bool {
    let running = matches!(
        job.status(),
        UserImportJobStatusType::Pending | UserImportJobStatusType::InProgress
    );
    if running {
        job.job.status = Some(UserImportJobStatusType::Stopping);
    }
    running
}

/// Applies a batch's progress and its users' outcomes to the job.
pub(crate) fn advance(
    job: &mut ImportJob,
    progress: ImportProgress,
    users: &[ImportUser],
    outcomes: &[Imported],
) {
    let count = |f: fn(&Imported) -> bool| outcomes.iter().filter(|o| f(o)).count() as i64;
    let j = &mut job.job;
    *j.imported_users.get_or_insert(0) += count(|o| *o == Imported::Created);
    *j.skipped_users.get_or_insert(0) += count(|o| *o == Imported::Skipped);
    *j.failed_users.get_or_insert(0) +=
        progress.failed + count(|o| matches!(o, Imported::Failed(_)));
    job.next_offset = progress.next_offset;
    job.next_line = progress.next_line;
    job.lease_until = progress.lease_until;
    if job.first_problem.is_none() {
        let refused = users.iter().zip(outcomes).find_map(|(u, o)| {
            o.reason().map(|reason| Problem {
                line: u.line,
                reason,
            })
        });
        job.first_problem = [progress.first_problem, refused]
            .into_iter()
            .flatten()
            .min_by_key(|p| p.line);
    }
}

/// How a conflicting insert counts: a taken username (or a taken sign-in attribute in pools
/// that sign in with it, which is the username there) is a skip.
pub(crate) fn outcome_of(pool: &crate::users::Naming, conflict: Option<UserConflict>) -> Imported {
    match conflict {
        None => Imported::Created,
        Some(UserConflict::UsernameExists) => Imported::Skipped,
        Some(UserConflict::AliasExists(a)) if crate::users::is_username_attribute(pool, &a) => {
            Imported::Skipped
        }
        Some(c) => Imported::Failed(c),
    }
}
