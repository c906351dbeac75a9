//! The PreSignedUrl of a user import job: an HTTP PUT of the CSV file to
//! `<public URL>/_ironpool/user-import/<pool>/<job>?X-Amz-Date=..&X-Amz-Expires=900&..&X-Amz-Signature=..`,
//! as to the S3 URL Cognito hands out (`curl -T users.csv -H "x-amz-server-side-encryption:aws:kms" URL`).
//! The signature is an HMAC of the pool, job, date and lifetime with the master key, so any
//! server of a shared database checks it; errors are S3's XML. The file goes to the store in
//! chunks as it arrives, and counts only once whole, while the job is still Created.

use crate::app::App;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use ironpool_api::types::UserImportJobStatusType as Status;
use ironpool_core::{ids, user_import::MAX_FILE_BYTES};
use ironpool_store::{CsvUpload, StoreError, CSV_CHUNK_BYTES};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use time::format_description::FormatItem;
use time::macros::format_description;

/// How long a URL takes uploads, as Cognito's (15 minutes).
pub const EXPIRES_SECONDS: i64 = 900;
const DATE: &[FormatItem<'_>] = format_description!("[year][month][day]T[hour][minute][second]Z");
const CONTEXT: &str = "user-import-upload";

fn signature(app: &App, pool_id: &str, job_id: &str, date: &str, expires: &str) -> String {
    let data = format!("{pool_id}\n{job_id}\n{date}\n{expires}");
    app.master_key.mac(CONTEXT, data.as_bytes())
}

/// A path segment: what is not unreserved (RFC 3986) percent-encoded.
fn encode(s: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

/// The job's upload URL, signed at `now` (seconds since the epoch).
pub fn presigned_url(app: &App, pool_id: &str, job_id: &str, now: f64) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp(now as i64)
        .ok()
        .and_then(|t| t.format(DATE).ok())
        .unwrap_or_default();
    let expires = EXPIRES_SECONDS.to_string();
    let sig = signature(app, pool_id, job_id, &date, &expires);
    format!(
        "{}/_ironpool/user-import/{}/{}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={date}\
         &X-Amz-Expires={expires}&X-Amz-SignedHeaders=host%3Bx-amz-server-side-encryption\
         &X-Amz-Signature={sig}",
        app.public_url.trim_end_matches('/'),
        encode(pool_id),
        encode(job_id),
    )
}

/// An S3 error: its status, code and message, answered as S3's XML document.
struct S3Error(StatusCode, &'static str, &'static str);

impl IntoResponse for S3Error {
    fn into_response(self) -> Response {
        let S3Error(status, code, message) = self;
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
             <Message>{message}</Message></Error>"
        );
        (status, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
    }
}

const DENIED: S3Error = S3Error(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied");
const EXPIRED: S3Error = S3Error(StatusCode::FORBIDDEN, "AccessDenied", "Request has expired");
const MISMATCH: S3Error = S3Error(
    StatusCode::FORBIDDEN,
    "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided. \
     Check your key and signing method.",
);
const TOO_LARGE: S3Error = S3Error(
    StatusCode::BAD_REQUEST,
    "EntityTooLarge",
    "Your proposed upload exceeds the maximum allowed size",
);
const INCOMPLETE: S3Error = S3Error(
    StatusCode::BAD_REQUEST,
    "IncompleteBody",
    "You did not provide the number of bytes specified by the Content-Length HTTP header.",
);

fn internal(e: StoreError) -> S3Error {
    tracing::error!(error = %e, "user import upload");
    S3Error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalError",
        "We encountered an internal error. Please try again.",
    )
}

/// Checks the URL's signature (constant time) and lifetime; the error response if wrong.
fn check_url(
    app: &App,
    pool_id: &str,
    job_id: &str,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(), S3Error> {
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or_default()).unwrap_or_default();
    let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let (Some(date), Some(expires), Some(given)) = (
        get("X-Amz-Date"),
        get("X-Amz-Expires"),
        get("X-Amz-Signature"),
    ) else {
        return Err(DENIED);
    };
    let expected = signature(app, pool_id, job_id, date, expires);
    let encryption = headers
        .get("x-amz-server-side-encryption")
        .and_then(|v| v.to_str().ok());
    if !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) || encryption != Some("aws:kms") {
        return Err(MISMATCH);
    }
    let signed = time::PrimitiveDateTime::parse(date, DATE)
        .map(|t| t.assume_utc().unix_timestamp())
        .ok();
    let lifetime = expires.parse::<i64>().ok();
    match (signed, lifetime) {
        (Some(at), Some(life)) if (app.now() as i64) <= at + life => Ok(()),
        _ => Err(EXPIRED),
    }
}

/// `PUT` of the job's file.
pub async fn upload(
    State(app): State<Arc<App>>,
    Path((pool_id, job_id)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match receive(&app, &pool_id, &job_id, &uri, &headers, body).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn receive(
    app: &App,
    pool_id: &str,
    job_id: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, S3Error> {
    check_url(app, pool_id, job_id, uri, headers)?;
    match app.store.get_import_job(pool_id, job_id).await {
        Ok(Some((job, _))) if job.status() == Status::Created => {}
        Ok(_) => return Err(DENIED),
        Err(e) => return Err(internal(e)),
    }
    let upload_id = ids::uuid_v4(app.rng.as_ref());
    let bytes = match store_body(app, pool_id, job_id, &upload_id, body).await {
        Ok(bytes) => bytes,
        Err(e) => {
            let _ = drop_upload(app, pool_id, job_id, &upload_id).await;
            return Err(e);
        }
    };
    let upload = CsvUpload {
        upload_id: upload_id.clone(),
        bytes,
    };
    match attach(app, pool_id, job_id, upload)
        .await
        .map_err(internal)?
    {
        true => {
            tracing::info!(pool = %pool_id, job = %job_id, bytes, "user import file uploaded");
            let _ = app
                .store
                .delete_import_chunks(pool_id, job_id, Some(&upload_id))
                .await;
            let etag = format!("\"{upload_id}\"");
            Ok((StatusCode::OK, [(header::ETAG, etag)]).into_response())
        }
        false => {
            let _ = drop_upload(app, pool_id, job_id, &upload_id).await;
            Err(DENIED)
        }
    }
}

/// Deletes the chunks of an upload that will not count (every upload but the job's own).
async fn drop_upload(
    app: &App,
    pool_id: &str,
    job_id: &str,
    upload_id: &str,
) -> Result<(), StoreError> {
    let kept = app.store.get_import_job(pool_id, job_id).await?;
    let keep = kept.and_then(|(j, _)| j.upload).map(|u| u.upload_id);
    if keep.as_deref() == Some(upload_id) {
        return Ok(());
    }
    app.store
        .delete_import_chunks(pool_id, job_id, keep.as_deref())
        .await
}

/// Streams the body into chunks of [`CSV_CHUNK_BYTES`]; its size, or the error answer.
async fn store_body(
    app: &App,
    pool_id: &str,
    job_id: &str,
    upload_id: &str,
    mut body: Body,
) -> Result<u64, S3Error> {
    let mut chunk: Vec<u8> = Vec::with_capacity(CSV_CHUNK_BYTES);
    let (mut seq, mut total) = (0u64, 0u64);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| INCOMPLETE)?;
        let Ok(mut data) = frame.into_data() else {
            continue;
        };
        total += data.len() as u64;
        if total > MAX_FILE_BYTES {
            return Err(TOO_LARGE);
        }
        while !data.is_empty() {
            let take = data.len().min(CSV_CHUNK_BYTES - chunk.len());
            chunk.extend_from_slice(&data.split_to(take));
            if chunk.len() == CSV_CHUNK_BYTES {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CSV_CHUNK_BYTES));
                app.store
                    .put_import_chunk(pool_id, job_id, upload_id, seq, full)
                    .await
                    .map_err(internal)?;
                seq += 1;
            }
        }
    }
    if !chunk.is_empty() {
        app.store
            .put_import_chunk(pool_id, job_id, upload_id, seq, chunk)
            .await
            .map_err(internal)?;
    }
    Ok(total)
}

/// Makes the upload the job's file if the job is still Created; false if it is not.
async fn attach(
    app: &App,
    pool_id: &str,
    job_id: &str,
    upload: CsvUpload,
) -> Result<bool, StoreError> {
    loop {
        let Some((mut job, version)) = app.store.get_import_job(pool_id, job_id).await? else {
            return Ok(false);
        };
        if job.status() != Status::Created {
            return Ok(false);
        }
        job.upload = Some(upload.clone());
        match app.store.put_import_job(&job, version).await {
            Ok(()) => return Ok(true),
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e),
        }
    }
}
