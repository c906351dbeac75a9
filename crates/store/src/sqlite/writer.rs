//! Group commit: one thread owns the writing connection and commits every write that queued
//! up while the previous commit was reaching the disk, as one transaction with one fsync.
//!
//! Durability is unchanged (WAL, `synchronous=FULL`): a caller hears back only after the
//! commit that holds its write has returned. Each write runs in its own savepoint, so one that
//! fails (or panics) is rolled back alone and the rest of its batch still commits. A large
//! write (a user import's batch of thousands of users) can instead run as a transaction of its
//! own, without a savepoint: a savepoint copies every page the write touches first, which for
//! a write of thousands of rows is a good part of its cost.

use crate::StoreError;
use rusqlite::{Connection, Savepoint, Transaction, TransactionBehavior};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// Most writes in one transaction, so a long queue still commits (and answers) in steps.
const MAX_BATCH: usize = 256;

/// Tells a waiting caller how its write ended, given the batch's commit error if any.
type Finish = Box<dyn FnOnce(Option<&str>) + Send>;

/// One queued write: runs in its savepoint, says whether to keep it, and how to answer.
type Job = Box<dyn FnOnce(&mut Savepoint<'_>) -> (bool, Finish) + Send>;

/// A write that is a transaction of its own.
type AloneJob = Box<dyn FnOnce(&Transaction<'_>) -> (bool, Finish) + Send>;

enum Queued {
    Shared(Job),
    Alone(AloneJob),
}

/// The sending side of the writer thread's queue; the thread ends when it is dropped.
pub(super) struct Writer {
    jobs: mpsc::Sender<Queued>,
}

/// Whether to keep a write with this result, and how to answer its caller.
fn finish_of<T: Send + 'static>(
    result: Result<T, StoreError>,
    answer: oneshot::Sender<Result<T, StoreError>>,
) -> (bool, Finish) {
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
}

fn stopped() -> StoreError {
    StoreError::Backend("the storage writer stopped before the write was committed".into())
}

impl Writer {
    /// Starts the writer thread on `conn`.
    pub(super) fn start(conn: Connection) -> Result<Self, StoreError> {
        let (jobs, queue) = mpsc::channel::<Queued>();
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
        let job: Job = Box::new(move |savepoint| finish_of(f(savepoint), answer));
        self.jobs.send(Queued::Shared(job)).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }

    /// Queues `f` to run as a transaction of its own (no savepoint; an error rolls the
    /// transaction back) and waits for its commit.
    pub(super) async fn run_alone<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: AloneJob = Box::new(move |tx| finish_of(f(tx), answer));
        self.jobs.send(Queued::Alone(job)).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

/// The writer thread: waits for a write, takes whatever else has queued meanwhile, commits
/// them together. Ends when every [`Writer`] is gone.
fn run(mut conn: Connection, queue: mpsc::Receiver<Queued>) {
    let mut next = None;
    while let Some(first) = next.take().or_else(|| queue.recv().ok()) {
        match first {
            Queued::Alone(job) => commit_alone(&mut conn, job),
            Queued::Shared(job) => {
                let mut batch = vec![job];
                while batch.len() < MAX_BATCH {
                    match queue.try_recv() {
                        Ok(Queued::Shared(job)) => batch.push(job),
                        Ok(alone) => {
                            next = Some(alone);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                commit(&mut conn, batch);
            }
        }
    }
}

/// Runs `job` as one transaction and answers it; a job that fails or panics is rolled back.
fn commit_alone(conn: &mut Connection, job: AloneJob) {
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        // Dropped unanswered: its caller sees [`stopped`].
        Err(_) => return,
    };
    match catch_unwind(AssertUnwindSafe(|| job(&tx))) {
        Ok((true, finish)) => {
            let error = tx.commit().err().map(|e| e.to_string());
            finish(error.as_deref());
        }
        Ok((false, finish)) => {
            drop(tx);
            finish(None);
        }
        Err(_) => drop(tx),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn count(writer: &Writer) -> impl std::future::Future<Output = Result<i64, StoreError>> + '_ {
        writer.run(|sp| Ok(sp.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?))
    }

    /// A write of its own is one transaction: it commits whole or, when it fails, leaves
    /// nothing; writes queued around it still commit in their group.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_alone_commits_whole_or_not_at_all() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY)")
            .unwrap();
        let writer = std::sync::Arc::new(Writer::start(conn).unwrap());
        let mut tasks = Vec::new();
        for i in 0..40 {
            let writer = writer.clone();
            tasks.push(tokio::spawn(async move {
                if i % 10 == 5 {
                    // Ten rows, then one of them again: none may stay.
                    writer
                        .run_alone(move |tx| {
                            for n in 0..10 {
                                tx.execute("INSERT INTO t VALUES (?1)", [format!("a{i}-{n}")])?;
                            }
                            tx.execute("INSERT INTO t VALUES (?1)", [format!("a{i}-0")])?;
                            Ok(())
                        })
                        .await
                        .is_ok()
                } else if i % 10 == 0 {
                    writer
                        .run_alone(move |tx| {
                            for n in 0..10 {
                                tx.execute("INSERT INTO t VALUES (?1)", [format!("b{i}-{n}")])?;
                            }
                            Ok(())
                        })
                        .await
                        .is_ok()
                } else {
                    writer
                        .run(move |sp| {
                            sp.execute("INSERT INTO t VALUES (?1)", [format!("s{i}")])?;
                            Ok(())
                        })
                        .await
                        .is_ok()
                }
            }));
        }
        let mut ok = Vec::new();
        for task in tasks {
            ok.push(task.await.unwrap());
        }
        let failed: Vec<usize> = (0..40).filter(|i| !ok[*i]).collect();
        assert_eq!(failed, [5, 15, 25, 35]);
        // 32 single rows and the 4 writes of 10 that did not fail.
        assert_eq!(count(&writer).await.unwrap(), 32 + 40);
        let panicked = writer.run_alone(|_| -> Result<(), StoreError> { panic!("boom") });
        assert!(panicked.await.is_err());
        assert_eq!(count(&writer).await.unwrap(), 72);
    }
}
