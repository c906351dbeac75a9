use super::users::{insert_new_user, pool_naming};
use super::{retried, Cached, PostgresStore};
use crate::import_jobs::{
    advance, outcome_of, request_stop, status_name, ImportJob, ImportJobs, ImportProgress,
    ImportUser, Imported,
};
use crate::StoreError;
use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Object};
use tokio_postgres::Row;

fn job_of(row: &Row) -> Result<(ImportJob, i64), StoreError> {
    Ok((serde_json::from_str(row.get(0))?, row.get(1)))
}

/// The job and its version, its row locked until the transaction ends.
async fn locked_job<C: GenericClient + Sync>(
    tx: &C,
    pool_id: &str,
    job_id: &str,
) -> Result<Option<(ImportJob, i64)>, StoreError> {
    let row = tx
        .query_opt_cached(
            "SELECT doc, version FROM user_import_jobs
             WHERE pool_id = $1 AND job_id = $2 FOR UPDATE",
            &[&pool_id, &job_id],
        )
        .await?;
    row.as_ref().map(job_of).transpose()
}

/// Writes the job over `version`; false if that is not the stored version.
async fn put_job<C: GenericClient + Sync>(
    c: &C,
    job: &ImportJob,
    version: i64,
) -> Result<bool, StoreError> {
    let n = c
        .execute_cached(
            "UPDATE user_import_jobs SET status = $3, version = $4 + 1, doc = $5
             WHERE pool_id = $1 AND job_id = $2 AND version = $4",
            &[
                &job.pool_id(),
                &job.job_id(),
                &status_name(job),
                &version,
                &serde_json::to_string(job)?,
            ],
        )
        .await?;
    Ok(n == 1)
}

#[async_trait]
impl ImportJobs for PostgresStore {
    async fn create_import_job(&self, job: &ImportJob) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute_cached(
                "INSERT INTO user_import_jobs (pool_id, job_id, created, status, version, doc)
                 VALUES ($1, $2, $3, $4, 0, $5)",
                &[
                    &job.pool_id(),
                    &job.job_id(),
                    &job.created(),
                    &status_name(job),
                    &serde_json::to_string(job)?,
                ],
            )
            .await?;
        Ok(())
    }

    async fn get_import_job(
        &self,
        pool_id: &str,
        job_id: &str,
    ) -> Result<Option<(ImportJob, i64)>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt_cached(
                "SELECT doc, version FROM user_import_jobs WHERE pool_id = $1 AND job_id = $2",
                &[&pool_id, &job_id],
            )
            .await?;
        row.as_ref().map(job_of).transpose()
    }

    async fn put_import_job(&self, job: &ImportJob, version: i64) -> Result<(), StoreError> {
        let client = self.client().await?;
        let client: &Object = &client;
        match put_job(client, job, version).await? {
            true => Ok(()),
            false => Err(StoreError::Conflict),
        }
    }

    async fn stop_import_job(
        &self,
        pool_id: &str,
        job_id: &str,
    ) -> Result<Option<ImportJob>, StoreError> {
        retried(|| self.stop_import_job_once(pool_id, job_id)).await
    }

    async fn list_import_jobs(
        &self,
        pool_id: &str,
        after: Option<(f64, String)>,
        limit: usize,
    ) -> Result<Vec<ImportJob>, StoreError> {
        let (created, job_id) = after.unwrap_or((f64::INFINITY, String::new()));
        let rows = self
            .client()
            .await?
            .query_cached(
                "SELECT doc, version FROM user_import_jobs WHERE pool_id = $1
                 AND (created < $2 OR (created = $2 AND job_id < $3))
                 ORDER BY created DESC, job_id DESC LIMIT $4",
                &[&pool_id, &created, &job_id, &(limit as i64)],
            )
            .await?;
        rows.iter().map(|r| Ok(job_of(r)?.0)).collect()
    }

    async fn running_import_jobs(&self) -> Result<Vec<(ImportJob, i64)>, StoreError> {
        let rows = self
            .client()
            .await?
            .query_cached(
                "SELECT doc, version FROM user_import_jobs
                 WHERE status IN ('Pending', 'InProgress', 'Stopping')",
                &[],
            )
            .await?;
        rows.iter().map(job_of).collect()
    }

    async fn put_import_chunk(
        &self,
        pool_id: &str,
        job_id: &str,
        upload_id: &str,
        seq: u64,
        bytes: Vec<u8>,
    ) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute_cached(
                "INSERT INTO user_import_chunks (pool_id, job_id, upload_id, seq, bytes)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (pool_id, job_id, upload_id, seq) DO UPDATE SET bytes = $5",
                &[&pool_id, &job_id, &upload_id, &(seq as i64), &bytes],
            )
            .await?;
        Ok(())
    }

    async fn get_import_chunk(
        &self,
        pool_id: &str,
        job_id: &str,
        upload_id: &str,
        seq: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let row = self
            .client()
            .await?
            .query_opt_cached(
                "SELECT bytes FROM user_import_chunks
                 WHERE pool_id = $1 AND job_id = $2 AND upload_id = $3 AND seq = $4",
                &[&pool_id, &job_id, &upload_id, &(seq as i64)],
            )
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn delete_import_chunks(
        &self,
        pool_id: &str,
        job_id: &str,
        keep: Option<&str>,
    ) -> Result<(), StoreError> {
        self.client()
            .await?
            .execute_cached(
                "DELETE FROM user_import_chunks WHERE pool_id = $1 AND job_id = $2
                 AND upload_id IS DISTINCT FROM $3",
                &[&pool_id, &job_id, &keep],
            )
            .await?;
        Ok(())
    }

    async fn import_users(
        &self,
        pool_id: &str,
        job_id: &str,
        runner: &str,
        users: Vec<ImportUser>,
        progress: ImportProgress,
    ) -> Result<Option<(ImportJob, Vec<Imported>)>, StoreError> {
        retried(|| self.import_users_once(pool_id, job_id, runner, &users, progress.clone())).await
    }
}

/// The bodies of the writes above that run in a transaction, each tried again by [`retried`]
/// when the database ends it because of another transaction.
impl PostgresStore {
    async fn stop_import_job_once(
        &self,
        pool_id: &str,
        job_id: &str,
    ) -> Result<Option<ImportJob>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Waits for a batch being written, then changes the job as it stands.
        let Some((mut job, version)) = locked_job(&tx, pool_id, job_id).await? else {
            return Ok(None);
        };
        if request_stop(&mut job) {
            if !put_job(&tx, &job, version).await? {
                return Err(StoreError::Backend(
                    "import job changed while locked".into(),
                ));
            }
            tx.commit().await?;
        }
        Ok(Some(job))
    }

    async fn import_users_once(
        &self,
        pool_id: &str,
        job_id: &str,
        runner: &str,
        users: &[ImportUser],
        progress: ImportProgress,
    ) -> Result<Option<(ImportJob, Vec<Imported>)>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // Locked until the commit: a Stop or a take-over waits for this batch.
        let Some((mut job, version)) = locked_job(&tx, pool_id, job_id).await? else {
            return Ok(None);
        };
        if job.runner.as_deref() != Some(runner) {
            return Ok(None);
        }
        let Some(pool) = pool_naming(&tx, pool_id).await? else {
            return Ok(None);
        };
        let mut outcomes = Vec::with_capacity(users.len());
        for u in users {
            outcomes.push(outcome_of(
                &pool,
                insert_new_user(&tx, &pool, &u.user).await?,
            ));
        }
        advance(&mut job, progress, users, &outcomes);
        put_job(&tx, &job, version).await?;
        tx.commit().await?;
        Ok(Some((job, outcomes)))
    }
}
