use super::users::{insert_new_user, naming_writing};
use super::SqliteStore;
use crate::import_jobs::{
    advance, outcome_of, request_stop, status_name, ImportJob, ImportJobs, ImportProgress,
    ImportUser, Imported,
};
use crate::StoreError;
use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};

const RUNNING: &str = "('Pending', 'InProgress', 'Stopping')";

fn get_job(
    conn: &Connection,
    pool_id: &str,
    job_id: &str,
) -> Result<Option<(ImportJob, i64)>, StoreError> {
    let row: Option<(String, i64)> = conn
        .prepare_cached(
            "SELECT doc, version FROM user_import_jobs WHERE pool_id = ?1 AND job_id = ?2",
        )?
        .query_row(params![pool_id, job_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(doc, v)| Ok((serde_json::from_str(&doc)?, v)))
        .transpose()
}

/// Writes the job over `version`; false if that is not the stored version.
fn put_job(conn: &Connection, job: &ImportJob, version: i64) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached(
            "UPDATE user_import_jobs SET status = ?3, version = ?4 + 1, doc = ?5
             WHERE pool_id = ?1 AND job_id = ?2 AND version = ?4",
        )?
        .execute(params![
            job.pool_id(),
            job.job_id(),
            status_name(job),
            version,
            serde_json::to_string(job)?
        ])?;
    Ok(n == 1)
}

#[async_trait]
impl ImportJobs for SqliteStore {
    async fn create_import_job(&self, job: &ImportJob) -> Result<(), StoreError> {
        let job = job.clone();
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO user_import_jobs (pool_id, job_id, created, status, version, doc)
                 VALUES (?1, ?2, ?3, ?4, 0, ?5)",
            )?
            .execute(params![
                job.pool_id(),
                job.job_id(),
                job.created(),
                status_name(&job),
                serde_json::to_string(&job)?
            ])?;
            Ok(())
        })
        .await
    }

    async fn get_import_job(
        &self,
        pool_id: &str,
        job_id: &str,
    ) -> Result<Option<(ImportJob, i64)>, StoreError> {
        let (pool_id, job_id) = (pool_id.to_owned(), job_id.to_owned());
        self.lookup(move |conn| get_job(conn, &pool_id, &job_id))
            .await
    }

    async fn put_import_job(&self, job: &ImportJob, version: i64) -> Result<(), StoreError> {
        let job = job.clone();
        self.write(move |conn| match put_job(conn, &job, version)? {
            true => Ok(()),
            false => Err(StoreError::Conflict),
        })
        .await
    }

    async fn stop_import_job(
        &self,
        pool_id: &str,
        job_id: &str,
    ) -> Result<Option<ImportJob>, StoreError> {
        let ids = (pool_id.to_owned(), job_id.to_owned());
        self.write(move |conn| {
            let Some((mut job, version)) = get_job(conn, &ids.0, &ids.1)? else {
                return Ok(None);
            };
            if request_stop(&mut job) && !put_job(conn, &job, version)? {
                return Err(StoreError::Backend(
                    "import job changed under its writer".into(),
                ));
            }
            Ok(Some(job))
        })
        .await
    }

    async fn list_import_jobs(
        &self,
        pool_id: &str,
        after: Option<(f64, String)>,
        limit: usize,
    ) -> Result<Vec<ImportJob>, StoreError> {
        let pool_id = pool_id.to_owned();
        self.read(move |conn| {
            let (created, job_id) = after.unwrap_or((f64::INFINITY, String::new()));
            let mut stmt = conn.prepare_cached(
                "SELECT doc FROM user_import_jobs WHERE pool_id = ?1
                 AND (created < ?2 OR (created = ?2 AND job_id < ?3))
                 ORDER BY created DESC, job_id DESC LIMIT ?4",
            )?;
            let rows = stmt.query_map(params![pool_id, created, job_id, limit as i64], |r| {
                r.get::<_, String>(0)
            })?;
            rows.map(|doc| Ok(serde_json::from_str(&doc?)?)).collect()
        })
        .await
    }

    async fn running_import_jobs(&self) -> Result<Vec<(ImportJob, i64)>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT doc, version FROM user_import_jobs WHERE status IN {RUNNING}"
            ))?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
            rows.map(|row| {
                let (doc, v) = row?;
                Ok((serde_json::from_str(&doc)?, v))
            })
            .collect()
        })
        .await
    }

    async fn put_import_chunk(
        &self,
        pool_id: &str,
        job_id: &str,
        upload_id: &str,
        seq: u64,
        bytes: Vec<u8>,
    ) -> Result<(), StoreError> {
        let ids = (pool_id.to_owned(), job_id.to_owned(), upload_id.to_owned());
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT OR REPLACE INTO user_import_chunks (pool_id, job_id, upload_id, seq, bytes)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![ids.0, ids.1, ids.2, seq as i64, bytes])?;
            Ok(())
        })
        .await
    }

    async fn get_import_chunk(
        &self,
        pool_id: &str,
        job_id: &str,
        upload_id: &str,
        seq: u64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let ids = (pool_id.to_owned(), job_id.to_owned(), upload_id.to_owned());
        self.read(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT bytes FROM user_import_chunks
                     WHERE pool_id = ?1 AND job_id = ?2 AND upload_id = ?3 AND seq = ?4",
                )?
                .query_row(params![ids.0, ids.1, ids.2, seq as i64], |r| r.get(0))
                .optional()?)
        })
        .await
    }

    async fn delete_import_chunks(
        &self,
        pool_id: &str,
        job_id: &str,
        keep: Option<&str>,
    ) -> Result<(), StoreError> {
        let ids = (pool_id.to_owned(), job_id.to_owned());
        let keep = keep.map(str::to_owned);
        self.write(move |conn| {
            conn.prepare_cached(
                "DELETE FROM user_import_chunks WHERE pool_id = ?1 AND job_id = ?2
                 AND upload_id IS NOT ?3",
            )?
            .execute(params![ids.0, ids.1, keep])?;
            Ok(())
        })
        .await
    }

    async fn import_users(
        &self,
        pool_id: &str,
        job_id: &str,
        runner: &str,
        users: Vec<ImportUser>,
        progress: ImportProgress,
    ) -> Result<Option<(ImportJob, Vec<Imported>)>, StoreError> {
        let ids = (pool_id.to_owned(), job_id.to_owned(), runner.to_owned());
        let namings = self.inner.namings.clone();
        self.write_alone(move |conn| {
            let Some((mut job, version)) = get_job(conn, &ids.0, &ids.1)? else {
                return Ok(None);
            };
            if job.runner.as_deref() != Some(ids.2.as_str()) {
                return Ok(None);
            }
            let Some(pool) = naming_writing(&namings, conn, &ids.0)? else {
                return Ok(None);
            };
            let mut outcomes = Vec::with_capacity(users.len());
            for u in &users {
                outcomes.push(outcome_of(&pool, insert_new_user(conn, &pool, &u.user)?));
            }
            advance(&mut job, progress, &users, &outcomes);
            put_job(conn, &job, version)?;
            Ok(Some((job, outcomes)))
        })
        .await
    }
}
