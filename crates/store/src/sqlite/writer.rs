//! Group commit: one thread owns the writing connection and commits every write that queued
//! up while the previous commit was reaching the disk, as one transaction with one fsync.
//!
//! Durability is unchanged (WAL, `synchronous=FULL`): a caller hears back only after the
//! commit that holds its write has returned. Each write runs in its own savepoint, so one that
//! fails (or panics) is rolled back alone and the rest of its batch still commits.

use crate::StoreError;
use rusqlite::{Connection, Savepoint, TransactionBehavior};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// Most writes in one transaction, so a long queue still commits (and answers) in steps.
const MAX_BATCH: usize = 256;

/// Tells a waiting caller how its write ended, given the batch's commit error if any.
type Finish = Box<dyn FnOnce(Option<&str>) + Send>;

/// One queued write: runs in its savepoint, says whether to keep it, and how to answer.
type Job = Box<dyn FnOnce(&mut Savepoint<'_>) -> (bool, Finish) + Send>;

/// The sending side of the writer thread's queue; the thread ends when it is dropped.
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

fn stopped() -> StoreError {
    StoreError::Backend("the storage writer stopped before the write was committed".into())
}

impl Writer {
    /// Starts the writer thread on `conn`.
    pub(super) fn start(conn: Connection) -> Result<Self, StoreError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("ironpool-sqlite-writer".into())
            .spawn(move || run(conn, queue))
            .map_err(|e| StoreError::Backend(format!("storage writer thread: {e}")))?;
        Ok(Self { jobs })
    }

    /// Queues `f` and waits for the commit that holds it.
    pub(super) async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Savepoint<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |savepoint| {
            let result = f(savepoint);
            let keep = result.is_ok();
            let finish: Finish = Box::new(move |commit_error| {
                let outcome = match commit_error {
                    Some(e) if keep => Err(StoreError::Backend(format!("commit: {e}"))),
                    _ => result,
                };
                // The caller may have gone away (request cancelled); the write stands.
                let _ = answer.send(outcome);
            });
            (keep, finish)
        });
        self.jobs.send(job).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

/// The writer thread: waits for a write, takes whatever else has queued meanwhile, commits
/// them together. Ends when every [`Writer`] is gone.
fn run(mut conn: Connection, queue: mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        batch.extend(queue.try_iter().take(MAX_BATCH - 1));
        commit(&mut conn, batch);
    }
}

/// Runs `batch` in one transaction and answers each job. A job whose savepoint cannot even
/// be opened is dropped unanswered, which its caller sees as [`stopped`].
fn commit(conn: &mut Connection, batch: Vec<Job>) {
    let mut finishes = Vec::with_capacity(batch.len());
    let committed = (|| {
        let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for job in batch {
            let mut savepoint = tx.savepoint()?;
            match catch_unwind(AssertUnwindSafe(|| job(&mut savepoint))) {
                Ok((true, finish)) => match savepoint.commit() {
                    Ok(()) => finishes.push(finish),
                    Err(e) => finish(Some(&e.to_string())),
                },
                // Dropping the savepoint rolls this job back; a panicking job's answer
                // channel is gone with it.
                Ok((false, finish)) => {
                    drop(savepoint);
                    finish(None);
                }
                Err(_) => drop(savepoint),
            }
        }
        tx.commit()
    })();
    let error = committed.err().map(|e| e.to_string());
    for finish in finishes {
        finish(error.as_deref());
    }
}
