//! User import jobs: GetCSVHeader, CreateUserImportJob, StartUserImportJob,
//! StopUserImportJob, DescribeUserImportJob, ListUserImportJobs. The file goes to the job's
//! PreSignedUrl (see `crate::import_upload`); a started job runs in the background
//! (`import_run`).

use super::import_csv::csv_header;
use super::import_run;
use super::user_pools::get_pool;
use super::versioned::{too_many_requests, ATTEMPTS};
use super::{decode_token, encode_token};
use crate::app::{App, OrInternal};
use ironpool_api::types::UserImportJobStatusType as Status;
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_core::ids;
use ironpool_store::{ImportJob, StoreError};
use std::time::Duration;

/// A Created job not started within this long has expired (Cognito says 24 to 48 hours).
const EXPIRES_AFTER: f64 = 24.0 * 3600.0;

fn job_not_found(job_id: &str) -> ApiError {
    ApiError::resource_not_found(format!("Import job {job_id} does not exist."))
}

/// The job as the API shows it: a Created job past its time is Expired.
fn view(app: &App, job: &ImportJob) -> UserImportJobType {
    let mut out = job.job.clone();
    if job.status() == Status::Created && app.now() - job.created() > EXPIRES_AFTER {
        out.status = Some(Status::Expired);
    }
    out
}

async fn load(app: &App, pool_id: &str, job_id: &str) -> Result<(ImportJob, i64), ApiError> {
    get_pool(app, pool_id).await?;
    app.store
        .get_import_job(pool_id, job_id)
        .await
        .or_internal()?
        .ok_or_else(|| job_not_found(job_id))
}

/// Applies `change` to the job over the version read, retrying when another write came in
/// between; the job as written.
async fn modify(
    app: &App,
    pool_id: &str,
    job_id: &str,
    change: impl Fn(&App, &mut ImportJob) -> Result<(), ApiError>,
) -> Result<ImportJob, ApiError> {
    for _ in 0..ATTEMPTS {
        let (mut job, version) = load(app, pool_id, job_id).await?;
        change(app, &mut job)?;
        match app.store.put_import_job(&job, version).await {
            Ok(()) => return Ok(job),
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e).or_internal(),
        }
    }
    Err(too_many_requests())
}

/// The standard attributes in Cognito's order (no `sub`), `cognito:mfa_enabled`,
/// `cognito:username`, then the custom attributes.
pub async fn get_csv_header(
    app: &App,
    input: GetCSVHeaderRequest,
) -> Result<GetCSVHeaderResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    Ok(GetCSVHeaderResponse {
        user_pool_id: Some(input.user_pool_id),
        csv_header: Some(csv_header(&pool)),
    })
}

/// Status Created, counts 0, and a PreSignedUrl good for 15 minutes that takes the file by an
/// HTTP PUT (with `x-amz-server-side-encryption: aws:kms`, as Cognito's S3 URL requires).
pub async fn create_user_import_job(
    app: &App,
    input: CreateUserImportJobRequest,
) -> Result<CreateUserImportJobResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let job_id = ids::import_job_id(app.rng.as_ref());
    let now = app.now();
    let job = ImportJob {
        job: UserImportJobType {
            job_name: Some(input.job_name),
            job_id: Some(job_id.clone()),
            user_pool_id: Some(input.user_pool_id.clone()),
            pre_signed_url: Some(crate::import_upload::presigned_url(
                app,
                &input.user_pool_id,
                &job_id,
                now,
            )),
            creation_date: Some(now),
            status: Some(Status::Created),
            cloud_watch_logs_role_arn: Some(input.cloud_watch_logs_role_arn),
            imported_users: Some(0),
            skipped_users: Some(0),
            failed_users: Some(0),
            password_hashing_algorithm: input.password_hashing_algorithm,
            ..Default::default()
        },
        upload: None,
        next_offset: 0,
        next_line: 2,
        runner: None,
        lease_until: 0.0,
        first_problem: None,
    };
    app.store.create_import_job(&job).await.or_internal()?;
    Ok(CreateUserImportJobResponse {
        user_import_job: Some(view(app, &job)),
    })
}

/// Only a Created job whose file was uploaded starts (PreconditionNotMetException without
/// the file, as Cognito words it); it answers Pending and runs in the background.
pub async fn start_user_import_job(
    app: &App,
    input: StartUserImportJobRequest,
) -> Result<StartUserImportJobResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    if pool
        .auto_verified_attributes
        .as_deref()
        .unwrap_or_default()
        .is_empty()
    {
        return Err(ApiError::new(
            ErrorCode::PreconditionNotMetException,
            "The user pool has no auto verified attributes: a user import job needs email or phone_number to be auto verified.",
        ));
    }
    let job = modify(app, &input.user_pool_id, &input.job_id, |app, job| {
        let status = view(app, job).status.unwrap_or_default();
        if status != Status::Created {
            return Err(ApiError::invalid_parameter(format!(
                "Import job {} is {}; only a job in status Created can be started.",
                input.job_id,
                status.as_str()
            )));
        }
        if job.upload.is_none() {
            return Err(ApiError::new(
                ErrorCode::PreconditionNotMetException,
                format!("No csv file was uploaded for {}", input.job_id),
            ));
        }
        job.job.status = Some(Status::Pending);
        job.job.start_date = Some(app.now());
        Ok(())
    })
    .await?;
    import_run::start(app, &input.user_pool_id, &input.job_id);
    Ok(StartUserImportJobResponse {
        user_import_job: Some(view(app, &job)),
    })
}

/// A Pending or InProgress job becomes Stopping, and Stopped (CompletionMessage "The Import
/// Job was stopped by the developer.") once its runner has written its last batch; the
/// answer waits briefly for that.
pub async fn stop_user_import_job(
    app: &App,
    input: StopUserImportJobRequest,
) -> Result<StopUserImportJobResponse, ApiError> {
    let (pool_id, job_id) = (&input.user_pool_id, &input.job_id);
    get_pool(app, pool_id).await?;
    // One step in the store, not a read-then-write: a running job's batches move its version
    // on all the time.
    let mut job = app
        .store
        .stop_import_job(pool_id, job_id)
        .await
        .or_internal()?
        .ok_or_else(|| job_not_found(job_id))?;
    if job.status() != Status::Stopping {
        return Err(ApiError::invalid_parameter(format!(
            "Import job {job_id} is {}; only a job in status Pending or InProgress can be stopped.",
            job.status().as_str()
        )));
    }
    for _ in 0..40 {
        if job.status() != Status::Stopping {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        job = load(app, pool_id, job_id).await?.0;
    }
    Ok(StopUserImportJobResponse {
        user_import_job: Some(view(app, &job)),
    })
}

/// Live counts while the job runs.
pub async fn describe_user_import_job(
    app: &App,
    input: DescribeUserImportJobRequest,
) -> Result<DescribeUserImportJobResponse, ApiError> {
    let (job, _) = load(app, &input.user_pool_id, &input.job_id).await?;
    Ok(DescribeUserImportJobResponse {
        user_import_job: Some(view(app, &job)),
    })
}

/// Newest first, MaxResults (1 to 60) a page.
pub async fn list_user_import_jobs(
    app: &App,
    input: ListUserImportJobsRequest,
) -> Result<ListUserImportJobsResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let after = match input.pagination_token.as_deref() {
        None => None,
        Some(token) => {
            let key = decode_token(token)?;
            let parsed = key
                .split_once('|')
                .and_then(|(c, id)| Some((c.parse::<f64>().ok()?, id.to_owned())));
            Some(parsed.ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token."))?)
        }
    };
    let limit = input.max_results.clamp(1, 60) as usize;
    let mut jobs = app
        .store
        .list_import_jobs(&input.user_pool_id, after, limit + 1)
        .await
        .or_internal()?;
    let next = (jobs.len() > limit).then(|| {
        jobs.truncate(limit);
        let last = &jobs[limit - 1];
        encode_token(&format!("{}|{}", last.created(), last.job_id()))
    });
    Ok(ListUserImportJobsResponse {
        user_import_jobs: Some(jobs.iter().map(|j| view(app, j)).collect()),
        pagination_token: next,
    })
}
