//! Running user import jobs in the background: a job's file is read from the store a chunk
//! at a time, its rows checked and written in batches, each batch in one transaction with the
//! job's progress (so a restart resumes after the last batch written, never writing a user
//! twice). The server running a job holds a lease on it that each batch renews; a sweeper on
//! every server takes over the jobs whose lease ran out (their server died), and on the
//! embedded store, which one server alone uses, every running job at start.

use super::import_csv::Rows;
use crate::app::App;
use ironpool_api::types::UserImportJobStatusType as Status;
use ironpool_core::{ids, user_import, Clock, OsRng, Rng};
use ironpool_store::{
    CsvUpload, ImportJob, ImportProgress, ImportUser, Imported, Problem, Store, StoreError, User,
    CSV_CHUNK_BYTES,
};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinSet;

/// How long a server holds a job without writing a batch.
pub const LEASE_SECONDS: f64 = 15.0;
/// Rows per batch (one transaction).
const BATCH_ROWS: usize = 10_000;
/// How often each server looks for jobs to take over.
const SWEEP_EVERY: Duration = Duration::from_secs(2);
/// Longest line kept whole; a longer one fails anyway (16,000 characters at most).
pub(super) const MAX_LINE_BYTES: usize = 4 * user_import::MAX_ROW_CHARS + 4;

pub(crate) const STOPPED: &str = "The Import Job was stopped by the developer.";
const SUCCEEDED: &str = "Import Job Completed Successfully.";
const TOO_MANY: &str = "Too many users have failed or been skipped during the import.";
/// The most characters a CompletionMessage has (the API model's CompletionMessageType).
const MAX_MESSAGE_CHARS: usize = 128;

/// `message` cut to what a CompletionMessage holds, ending in "..." where it was cut (the log
/// has the whole of it).
fn completion_message(message: &str) -> String {
    if message.chars().count() <= MAX_MESSAGE_CHARS {
        return message.to_owned();
    }
    let mut out: String = message.chars().take(MAX_MESSAGE_CHARS - 3).collect();
    out.truncate(out.trim_end().len());
    out.push_str("...");
    out
}

/// This server's import runs: its runner id, the jobs it runs, their tasks.
pub struct Runners {
    id: String,
    active: Mutex<HashSet<(String, String)>>,
    tasks: Mutex<JoinSet<()>>,
}

impl Default for Runners {
    fn default() -> Self {
        Self {
            id: ids::uuid_v4(&OsRng),
            active: Mutex::default(),
            tasks: Mutex::default(),
        }
    }
}

impl Runners {
    fn spawn(&self, task: impl std::future::Future<Output = ()> + Send + 'static) {
        let mut tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        while tasks.try_join_next().is_some() {}
        tasks.spawn(task);
    }

    /// Ends every run and the sweeper (a server stopping); the jobs resume elsewhere or at
    /// the next start.
    pub fn abort_all(&self) {
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .abort_all();
    }
}

/// Marks a job as run here while it lives.
struct Active(Arc<Runners>, (String, String));

impl Active {
    fn take(runners: &Arc<Runners>, key: (String, String)) -> Option<Self> {
        let mut active = runners.active.lock().unwrap_or_else(|e| e.into_inner());
        active
            .insert(key.clone())
            .then(|| Self(runners.clone(), key))
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        let mut active = self.0.active.lock().unwrap_or_else(|e| e.into_inner());
        active.remove(&self.1);
    }
}

/// What a run needs of the App.
#[derive(Clone)]
struct Ctx {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Rng>,
    runners: Arc<Runners>,
}

impl Ctx {
    fn of(app: &App) -> Self {
        Self {
            store: app.store.clone(),
            clock: app.clock.clone(),
            rng: app.rng.clone(),
            runners: app.import_runners.clone(),
        }
    }

    fn now(&self) -> f64 {
        self.clock.epoch_seconds()
    }

    fn me(&self) -> &str {
        &self.runners.id
    }
}

/// Runs the job here, in the background (StartUserImportJob).
pub(crate) fn start(app: &App, pool_id: &str, job_id: &str) {
    spawn_run(Ctx::of(app), (pool_id.to_owned(), job_id.to_owned()), false);
}

fn spawn_run(ctx: Ctx, key: (String, String), take_over: bool) {
    let Some(active) = Active::take(&ctx.runners, key.clone()) else {
        return;
    };
    let runners = ctx.runners.clone();
    runners.spawn(async move {
        let _active = active;
        let (pool_id, job_id) = key;
        if let Err(e) = drive(&ctx, &pool_id, &job_id, take_over).await {
            tracing::error!(pool = %pool_id, job = %job_id, error = %e, "user import job stopped by an error");
            let end = End::Failed("The import job failed with an internal error.".into());
            if let Err(e) = finish(&ctx, &pool_id, &job_id, end).await {
                tracing::error!(pool = %pool_id, job = %job_id, error = %e, "user import job left running");
            }
        }
    });
}

/// Looks for jobs to take over now and every few seconds (from server start).
pub fn spawn_sweeper(app: &App) {
    let ctx = Ctx::of(app);
    // The embedded store has one server: a running job there is one a stopped server left.
    let embedded = app.config.database.is_none();
    app.import_runners.spawn(async move {
        let mut first = true;
        loop {
            if let Err(e) = sweep(&ctx, first && embedded).await {
                tracing::error!(error = %e, "looking for user import jobs to resume");
            }
            first = false;
            tokio::time::sleep(SWEEP_EVERY).await;
        }
    });
}

async fn sweep(ctx: &Ctx, take_all: bool) -> Result<(), StoreError> {
    let now = ctx.now();
    for (job, _) in ctx.store.running_import_jobs().await? {
        let orphaned = job.runner.as_deref() != Some(ctx.me()) && job.lease_until < now;
        if take_all || orphaned || job.runner.is_none() {
            if job.runner.is_some() {
                tracing::info!(
                    pool = job.pool_id(),
                    job = job.job_id(),
                    "resuming user import job"
                );
            }
            let key = (job.pool_id().to_owned(), job.job_id().to_owned());
            spawn_run(ctx.clone(), key, take_all);
        }
    }
    Ok(())
}

/// Makes the job this server's (Pending becomes InProgress), if it is running and nobody
/// else holds it.
async fn claim(
    ctx: &Ctx,
    pool_id: &str,
    job_id: &str,
    take_over: bool,
) -> Result<Option<ImportJob>, StoreError> {
    loop {
        let Some((mut job, version)) = ctx.store.get_import_job(pool_id, job_id).await? else {
            return Ok(None);
        };
        let now = ctx.now();
        let free = take_over
            || job.runner.is_none()
            || job.runner.as_deref() == Some(ctx.me())
            || job.lease_until < now;
        match job.status() {
            Status::Pending | Status::InProgress | Status::Stopping if free => {}
            _ => return Ok(None),
        }
        if job.status() == Status::Pending {
            job.job.status = Some(Status::InProgress);
        }
        job.runner = Some(ctx.me().to_owned());
        job.lease_until = now + LEASE_SECONDS;
        match ctx.store.put_import_job(&job, version).await {
            Ok(()) => return Ok(Some(job)),
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// How a job ends.
enum End {
    Stopped,
    Failed(String),
    /// Succeeded or Failed by its counts.
    Counted,
}

/// The status and message a job that read its whole file ends with: it fails when more users
/// failed or were skipped than were imported. The message names the first row that was not
/// imported (the job's counts say how many; the log has every one).
fn counted(job: &ImportJob) -> (Status, String) {
    let j = &job.job;
    let (imported, skipped, failed) = (
        j.imported_users.unwrap_or_default(),
        j.skipped_users.unwrap_or_default(),
        j.failed_users.unwrap_or_default(),
    );
    let summary = match &job.first_problem {
        Some(p) if skipped + failed > 0 => format!(" First: Line Number {} - {}", p.line, p.reason),
        _ => String::new(),
    };
    if skipped + failed > imported {
        (Status::Failed, format!("{TOO_MANY}{summary}"))
    } else {
        (Status::Succeeded, format!("{SUCCEEDED}{summary}"))
    }
}

/// Ends the job (if still this server's) and drops its file.
async fn finish(ctx: &Ctx, pool_id: &str, job_id: &str, end: End) -> Result<(), StoreError> {
    loop {
        let Some((mut job, version)) = ctx.store.get_import_job(pool_id, job_id).await? else {
            return Ok(());
        };
        if job.runner.as_deref() != Some(ctx.me()) {
            return Ok(());
        }
        let (status, message) = match &end {
            End::Stopped => (Status::Stopped, STOPPED.to_owned()),
            End::Failed(m) => (Status::Failed, m.clone()),
            End::Counted if job.status() == Status::Stopping => {
                (Status::Stopped, STOPPED.to_owned())
            }
            End::Counted => counted(&job),
        };
        job.job.status = Some(status);
        job.job.completion_date = Some(ctx.now());
        job.job.completion_message = Some(completion_message(&message));
        job.runner = None;
        match ctx.store.put_import_job(&job, version).await {
            Ok(()) => {
                tracing::info!(
                    pool = pool_id,
                    job = job_id,
                    status = status.as_str(),
                    imported = job.job.imported_users,
                    skipped = job.job.skipped_users,
                    failed = job.job.failed_users,
                    message,
                    "user import job ended"
                );
                ctx.store
                    .delete_import_chunks(pool_id, job_id, None)
                    .await?;
                return ctx.store.release_memory().await;
            }
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Reads an uploaded file's lines from its stored chunks, one chunk in memory at a time.
struct Reader {
    store: Arc<dyn Store>,
    ids: (String, String),
    upload: CsvUpload,
    chunk: Vec<u8>,
    /// The absolute offset of the next byte, and where it is in `chunk`.
    offset: u64,
    pos: usize,
}

impl Reader {
    async fn at(
        store: Arc<dyn Store>,
        ids: (String, String),
        upload: CsvUpload,
        offset: u64,
    ) -> Result<Self, StoreError> {
        let mut reader = Self {
            store,
            ids,
            upload,
            chunk: Vec::new(),
            offset,
            pos: 0,
        };
        reader.load(offset / CSV_CHUNK_BYTES as u64).await?;
        reader.pos = (offset % CSV_CHUNK_BYTES as u64) as usize;
        Ok(reader)
    }

    async fn load(&mut self, seq: u64) -> Result<(), StoreError> {
        self.pos = 0;
        if seq * CSV_CHUNK_BYTES as u64 >= self.upload.bytes {
            self.chunk.clear();
            return Ok(());
        }
        let (pool_id, job_id) = &self.ids;
        let upload_id = &self.upload.upload_id;
        self.chunk = self
            .store
            .get_import_chunk(pool_id, job_id, upload_id, seq)
            .await?
            .ok_or_else(|| StoreError::Backend(format!("import file chunk {seq} is missing")))?;
        Ok(())
    }

    /// The next line without its line break (cut at [`MAX_LINE_BYTES`]), or None at the end.
    async fn next_line(&mut self) -> Result<Option<Vec<u8>>, StoreError> {
        if self.offset >= self.upload.bytes {
            return Ok(None);
        }
        let mut line = Vec::new();
        loop {
            let rest = &self.chunk[self.pos.min(self.chunk.len())..];
            let (part, consumed, done) = match rest.iter().position(|b| *b == b'\n') {
                Some(i) => (&rest[..i], i + 1, true),
                None => (rest, rest.len(), false),
            };
            let room = MAX_LINE_BYTES.saturating_sub(line.len());
            line.extend_from_slice(&part[..part.len().min(room)]);
            self.pos += consumed;
            self.offset += consumed as u64;
            if done || self.offset >= self.upload.bytes {
                break;
            }
            self.load(self.offset / CSV_CHUNK_BYTES as u64).await?;
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Ok(Some(line))
    }
}

/// Reads up to a batch of rows from `line`: the users they make, the rows that failed, and
/// whether the file ended.
async fn read_batch(
    ctx: &Ctx,
    reader: &mut Reader,
    rows: &Rows,
    header: &[String],
    line: &mut u64,
) -> Result<(Vec<ImportUser>, ImportProgress, bool), StoreError> {
    let (pool_id, job_id) = (reader.ids.0.clone(), reader.ids.1.clone());
    let mut users = Vec::with_capacity(BATCH_ROWS);
    let mut progress = ImportProgress::default();
    let mut eof = false;
    let now = ctx.now();
    while users.len() + (progress.failed as usize) < BATCH_ROWS {
        let Some(bytes) = reader.next_line().await? else {
            eof = true;
            break;
        };
        let number = *line;
        *line += 1;
        // Rows are checked on the server's threads: let requests (StopUserImportJob among
        // them) in between.
        if number & 0xff == 0 {
            tokio::task::yield_now().await;
        }
        let Some(parsed) = row(rows, header, bytes, ctx.rng.as_ref(), now) else {
            continue;
        };
        match parsed {
            Ok(user) => users.push(ImportUser { line: number, user }),
            Err(reason) => {
                tracing::warn!(pool = %pool_id, job = %job_id, line = number, "[FAILED] Line Number {number} - {reason}");
                progress.failed += 1;
                progress.first_problem.get_or_insert(Problem {
                    line: number,
                    reason,
                });
            }
        }
    }
    progress.next_offset = reader.offset;
    progress.next_line = *line;
    progress.lease_until = ctx.now() + LEASE_SECONDS;
    Ok((users, progress, eof))
}

/// What one line of the file makes: a user, or why not; nothing for a blank line.
pub(super) fn row(
    rows: &Rows,
    header: &[String],
    line: Vec<u8>,
    rng: &dyn Rng,
    now: f64,
) -> Option<Result<User, String>> {
    match String::from_utf8(line) {
        Ok(text) if text.trim().is_empty() => None,
        Ok(text) => Some(rows.user(header, &text, rng, now)),
        Err(_) => Some(Err("The row is not UTF-8.".into())),
    }
}

type Written = Option<(ImportJob, Vec<Imported>)>;

/// Logs a written batch's users; whether the run goes on (false: stopped or taken over).
async fn written(
    ctx: &Ctx,
    pool_id: &str,
    job_id: &str,
    lines: Vec<u64>,
    result: Result<Written, StoreError>,
) -> Result<bool, StoreError> {
    let Some((job, outcomes)) = result? else {
        tracing::info!(
            pool = pool_id,
            job = job_id,
            "user import job taken over by another server"
        );
        return Ok(false);
    };
    for (number, outcome) in lines.into_iter().zip(&outcomes) {
        match (outcome, outcome.reason()) {
            (Imported::Skipped, Some(reason)) => {
                tracing::warn!(
                    pool = pool_id,
                    job = job_id,
                    line = number,
                    "[SKIPPED] Line Number {number} - {reason}"
                )
            }
            (_, Some(reason)) => {
                tracing::warn!(
                    pool = pool_id,
                    job = job_id,
                    line = number,
                    "[FAILED] Line Number {number} - {reason}"
                )
            }
            (_, None) => {
                tracing::debug!(
                    pool = pool_id,
                    job = job_id,
                    line = number,
                    "[SUCCEEDED] Line Number {number} - The import succeeded."
                )
            }
        }
    }
    if job.status() == Status::Stopping {
        finish(ctx, pool_id, job_id, End::Stopped).await?;
        return Ok(false);
    }
    Ok(true)
}

async fn drive(ctx: &Ctx, pool_id: &str, job_id: &str, take_over: bool) -> Result<(), StoreError> {
    let Some(job) = claim(ctx, pool_id, job_id, take_over).await? else {
        return Ok(());
    };
    if job.status() == Status::Stopping {
        return finish(ctx, pool_id, job_id, End::Stopped).await;
    }
    let Some(pool) = ctx.store.get_user_pool(pool_id).await? else {
        return Ok(());
    };
    let Some(upload) = job.upload.clone() else {
        let end = End::Failed(format!("No csv file was uploaded for {job_id}"));
        return finish(ctx, pool_id, job_id, end).await;
    };
    let rows = Rows::new(pool);
    let ids = (pool_id.to_owned(), job_id.to_owned());
    let mut reader = Reader::at(ctx.store.clone(), ids.clone(), upload.clone(), 0).await?;
    let first = reader.next_line().await?.unwrap_or_default();
    let header = user_import::split_row(&String::from_utf8_lossy(&first));
    if let Err(message) = rows.check_header(&header) {
        return finish(ctx, pool_id, job_id, End::Failed(message)).await;
    }
    let mut line = 2;
    if job.next_offset > 0 {
        reader = Reader::at(ctx.store.clone(), ids, upload, job.next_offset).await?;
        line = job.next_line;
    }
    let mut pending: Option<(Vec<u64>, tokio::task::JoinHandle<_>)> = None;
    loop {
        let (users, progress, eof) =
            read_batch(ctx, &mut reader, &rows, &header, &mut line).await?;
        if let Some((lines, task)) = pending.take() {
            let result = task
                .await
                .map_err(|e| StoreError::Backend(format!("import batch: {e}")))?;
            if !written(ctx, pool_id, job_id, lines, result).await? {
                return Ok(());
            }
        }
        let lines = users.iter().map(|u| u.line).collect();
        let store = ctx.store.clone();
        let (p, j, me) = (pool_id.to_owned(), job_id.to_owned(), ctx.me().to_owned());
        // Written while the next batch is read and checked.
        let task =
            tokio::spawn(async move { store.import_users(&p, &j, &me, users, progress).await });
        if eof {
            let result = task
                .await
                .map_err(|e| StoreError::Backend(format!("import batch: {e}")))?;
            if !written(ctx, pool_id, job_id, lines, result).await? {
                return Ok(());
            }
            return finish(ctx, pool_id, job_id, End::Counted).await;
        }
        pending = Some((lines, task));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_completion_message_fits_the_model() {
        assert_eq!(completion_message(SUCCEEDED), SUCCEEDED);
        let long = format!("{TOO_MANY} First: Line Number 3 - {}", "é".repeat(100));
        let cut = completion_message(&long);
        assert_eq!(cut.chars().count(), MAX_MESSAGE_CHARS);
        assert!(cut.starts_with(TOO_MANY) && cut.ends_with("..."), "{cut}");
        let exact = "x".repeat(MAX_MESSAGE_CHARS);
        assert_eq!(completion_message(&exact), exact);
    }
}
