//! User import jobs: GetCSVHeader, CreateUserImportJob, the upload to the PreSignedUrl,
//! StartUserImportJob, StopUserImportJob, DescribeUserImportJob and ListUserImportJobs, with
//! the rows Cognito skips or fails, and a job that outlives its server.

use crate::harness::{clocked, err, pool_with, sdk_client, Process, TestServer, KEY_ID, SECRET};
use aws_sdk_cognitoidentityprovider::types::{
    SchemaAttributeType, UserImportJobStatusType as Status, UserImportJobType, UserStatusType,
    VerifiedAttributeType,
};
use aws_sdk_cognitoidentityprovider::Client;
use std::time::Duration;

pub const ROLE: &str = "arn:aws:iam::123456789012:role/CognitoImport";

/// A pool that auto-verifies email (Cognito's import needs an auto-verified attribute).
pub async fn import_pool(c: &Client) -> String {
    pool_with(c, |b| {
        b.auto_verified_attributes(VerifiedAttributeType::Email)
            .schema(
                SchemaAttributeType::builder()
                    .name("team")
                    .attribute_data_type(
                        aws_sdk_cognitoidentityprovider::types::AttributeDataType::String,
                    )
                    .mutable(true)
                    .build(),
            )
    })
    .await
}

pub async fn header(c: &Client, pool: &str) -> Vec<String> {
    c.get_csv_header()
        .user_pool_id(pool)
        .send()
        .await
        .unwrap()
        .csv_header()
        .to_vec()
}

/// One line of the file: `values` by column, every other column empty.
pub fn line(header: &[String], values: &[(&str, &str)]) -> String {
    header
        .iter()
        .map(|c| values.iter().find(|(k, _)| k == c).map_or("", |(_, v)| *v))
        .collect::<Vec<_>>()
        .join(",")
}

/// A user with a verified email and MFA off.
pub fn user_line(header: &[String], name: &str) -> String {
    let email = format!("{name}@example.com");
    line(
        header,
        &[
            ("cognito:username", name),
            ("cognito:mfa_enabled", "false"),
            ("email", &email),
            ("email_verified", "true"),
        ],
    )
}

/// Creates a job; (job id, pre-signed URL).
pub async fn create_job(c: &Client, pool: &str) -> (String, String) {
    let out = c
        .create_user_import_job()
        .user_pool_id(pool)
        .job_name("import")
        .cloud_watch_logs_role_arn(ROLE)
        .send()
        .await
        .unwrap();
    let job = out.user_import_job().unwrap();
    (
        job.job_id().unwrap().to_owned(),
        job.pre_signed_url().unwrap().to_owned(),
    )
}

/// PUTs the file as Cognito's docs do (`curl -T file -H "x-amz-server-side-encryption:aws:kms"`).
pub async fn put(url: &str, body: String) -> (u16, String) {
    let resp = reqwest::Client::new()
        .put(url)
        .header("x-amz-server-side-encryption", "aws:kms")
        .body(body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

pub async fn describe(c: &Client, pool: &str, job: &str) -> UserImportJobType {
    c.describe_user_import_job()
        .user_pool_id(pool)
        .job_id(job)
        .send()
        .await
        .unwrap()
        .user_import_job()
        .unwrap()
        .clone()
}

/// Polls until the job ends (Succeeded, Failed or Stopped).
pub async fn finished(c: &Client, pool: &str, job: &str) -> UserImportJobType {
    for _ in 0..1200 {
        let j = describe(c, pool, job).await;
        if matches!(
            j.status(),
            Some(Status::Succeeded | Status::Failed | Status::Stopped)
        ) {
            return j;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job {job} did not finish");
}

fn counts(j: &UserImportJobType) -> (i64, i64, i64) {
    (j.imported_users(), j.skipped_users(), j.failed_users())
}

#[tokio::test]
async fn the_csv_header_is_the_pools_attributes_in_cognitos_order() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = import_pool(&c).await;
    let expected = "name,given_name,family_name,middle_name,nickname,preferred_username,profile,\
        picture,website,email,email_verified,gender,birthdate,zoneinfo,locale,phone_number,\
        phone_number_verified,address,updated_at,cognito:mfa_enabled,cognito:username,custom:team";
    assert_eq!(header(&c, &pool).await.join(","), expected);
    let out = c.get_csv_header().user_pool_id(&pool).send().await.unwrap();
    assert_eq!(out.user_pool_id(), Some(pool.as_str()));
    let missing = c
        .get_csv_header()
        .user_pool_id("us-east-1_NOSUCHPOO")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(missing),
        (
            "ResourceNotFoundException".into(),
            "User pool us-east-1_NOSUCHPOO does not exist.".into()
        )
    );
}

#[tokio::test]
async fn a_job_imports_users_skips_duplicates_and_fails_bad_rows_by_line() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = import_pool(&c).await;
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("taken")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let h = header(&c, &pool).await;
    let (job_id, url) = create_job(&c, &pool).await;
    assert!(
        job_id.starts_with("import-") && job_id.len() == 17,
        "{job_id}"
    );
    assert!(job_id[7..].chars().all(|c| c.is_ascii_alphanumeric()));
    let created = describe(&c, &pool, &job_id).await;
    assert_eq!(created.status(), Some(&Status::Created));
    assert_eq!(created.job_name(), Some("import"));
    assert_eq!(created.cloud_watch_logs_role_arn(), Some(ROLE));
    assert_eq!(counts(&created), (0, 0, 0));
    assert!(created.creation_date().is_some() && created.start_date().is_none());
    assert!(url.starts_with(&format!(
        "{}/_ironpool/user-import/{pool}/{job_id}?",
        s.url()
    )));

    let mut lines = vec![h.join(",")];
    for name in ["ann", "bob", "cat", "dan", "eve"] {
        lines.push(user_line(&h, name));
    }
    lines.push(user_line(&h, "taken")); // line 7: skipped
    let bad_email = [
        ("cognito:username", "fay"),
        ("cognito:mfa_enabled", "false"),
        ("email", "not-an-email"),
        ("email_verified", "true"),
    ];
    lines.push(line(&h, &bad_email)); // line 8: failed
    let unverified = [
        ("cognito:username", "gus"),
        ("cognito:mfa_enabled", "FALSE"),
        ("email", "gus@example.com"),
        ("email_verified", "false"),
    ];
    lines.push(line(&h, &unverified)); // line 9: failed
    lines.push(user_line(&h, "bob")); // line 10: skipped
    let team = [
        ("cognito:username", "hal"),
        ("cognito:mfa_enabled", "false"),
        ("email", "hal@example.com"),
        ("email_verified", "TRUE"),
        ("address", r"1 Main St\, Apt 2"),
        ("custom:team", " blue "),
    ];
    lines.push(line(&h, &team));
    assert_eq!(put(&url, lines.join("\r\n") + "\r\n").await.0, 200);

    let started = c
        .start_user_import_job()
        .user_pool_id(&pool)
        .job_id(&job_id)
        .send()
        .await
        .unwrap();
    let started = started.user_import_job().unwrap();
    assert_eq!(started.status(), Some(&Status::Pending));
    assert!(started.start_date().is_some());
    let done = finished(&c, &pool, &job_id).await;
    assert_eq!(done.status(), Some(&Status::Succeeded));
    assert_eq!(counts(&done), (6, 2, 2));
    assert_eq!(
        done.completion_message(),
        Some("Import Job Completed Successfully. First: Line Number 7 - The user already exists.")
    );
    assert!(done.completion_date().is_some());

    let ann = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("ann")
        .send()
        .await
        .unwrap();
    assert_eq!(ann.user_status(), Some(&UserStatusType::ResetRequired));
    let attr = |name: &str| {
        ann.user_attributes()
            .iter()
            .find(|a| a.name() == name)
            .and_then(|a| a.value())
            .map(str::to_owned)
    };
    assert_eq!(attr("email").as_deref(), Some("ann@example.com"));
    assert_eq!(attr("email_verified").as_deref(), Some("true"));
    assert_eq!(attr("sub").map(|s| s.len()), Some(36));
    let hal = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("hal")
        .send()
        .await
        .unwrap();
    let hal_attr = |name: &str| {
        hal.user_attributes()
            .iter()
            .find(|a| a.name() == name)
            .and_then(|a| a.value())
            .map(str::to_owned)
    };
    assert_eq!(hal_attr("address").as_deref(), Some("1 Main St, Apt 2"));
    assert_eq!(hal_attr("custom:team").as_deref(), Some("blue"));
    for missing in ["fay", "gus"] {
        let e = c
            .admin_get_user()
            .user_pool_id(&pool)
            .username(missing)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err(e).0, "UserNotFoundException");
    }
    // The file is taken once: after the start the URL refuses it.
    let (status, body) = put(&url, lines.join("\n")).await;
    assert_eq!(status, 403);
    assert!(body.contains("<Code>AccessDenied</Code>"), "{body}");
}

#[tokio::test]
async fn a_job_with_too_many_bad_rows_fails_and_names_the_first() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = import_pool(&c).await;
    let h = header(&c, &pool).await;
    let (job_id, url) = create_job(&c, &pool).await;
    let no_mfa = [
        ("cognito:username", "ann"),
        ("email", "a@example.com"),
        ("email_verified", "true"),
    ];
    let body = [
        h.join(","),
        user_line(&h, "ok"),
        line(&h, &no_mfa),
        line(&h, &[("cognito:mfa_enabled", "false")]),
    ];
    put(&url, body.join("\n")).await;
    c.start_user_import_job()
        .user_pool_id(&pool)
        .job_id(&job_id)
        .send()
        .await
        .unwrap();
    let done = finished(&c, &pool, &job_id).await;
    assert_eq!(done.status(), Some(&Status::Failed));
    assert_eq!(counts(&done), (1, 0, 2));
    assert_eq!(
        done.completion_message(),
        Some(
            "Too many users have failed or been skipped during the import. First: Line Number 3 - \
             The cognito:mfa_enabled field is required."
        )
    );
}

#[tokio::test]
async fn a_job_fails_on_a_header_that_is_not_the_pools() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = import_pool(&c).await;
    let h = header(&c, &pool).await;
    for (first_line, message) in [
        (
            format!("{},nickname2", h.join(",")),
            "The .csv header has a column not in the user pool: nickname2.",
        ),
        (
            h.iter()
                .filter(|c| *c != "cognito:username")
                .cloned()
                .collect::<Vec<_>>()
                .join(","),
            "The .csv header is missing the column cognito:username.",
        ),
    ] {
        let (job_id, url) = create_job(&c, &pool).await;
        put(&url, format!("{first_line}\n{}\n", user_line(&h, "ann"))).await;
        c.start_user_import_job()
            .user_pool_id(&pool)
            .job_id(&job_id)
            .send()
            .await
            .unwrap();
        let done = finished(&c, &pool, &job_id).await;
        assert_eq!(done.status(), Some(&Status::Failed));
        assert_eq!(done.completion_message(), Some(message));
        assert_eq!(counts(&done), (0, 0, 0));
    }
}

#[tokio::test]
async fn start_stop_describe_and_list_answer_cognitos_errors() {
    // Jobs created in the same millisecond have no order but their ids': the clock moves
    // between them so "newest first" is what is checked.
    let (s, clock) = clocked().await;
    let c = sdk_client(&s.url(), KEY_ID, SECRET, "us-east-1");
    let pool = import_pool(&c).await;
    let (job_id, _) = create_job(&c, &pool).await;
    let start = |job: &str| {
        c.start_user_import_job()
            .user_pool_id(&pool)
            .job_id(job)
            .send()
    };
    assert_eq!(
        err(start(&job_id).await.unwrap_err()),
        (
            "PreconditionNotMetException".into(),
            format!("No csv file was uploaded for {job_id}")
        )
    );
    assert_eq!(
        err(start("import-NOSUCHJOB0").await.unwrap_err()),
        (
            "ResourceNotFoundException".into(),
            "Import job import-NOSUCHJOB0 does not exist.".into()
        )
    );
    let stop = c
        .stop_user_import_job()
        .user_pool_id(&pool)
        .job_id(&job_id)
        .send()
        .await;
    assert_eq!(
        err(stop.unwrap_err()),
        (
            "InvalidParameterException".into(),
            format!("Import job {job_id} is Created; only a job in status Pending or InProgress can be stopped.")
        )
    );
    let describe = c
        .describe_user_import_job()
        .user_pool_id("us-east-1_NOSUCHPOO")
        .job_id(&job_id)
        .send()
        .await;
    assert_eq!(err(describe.unwrap_err()).0, "ResourceNotFoundException");
    let bad_id = c
        .describe_user_import_job()
        .user_pool_id(&pool)
        .job_id("job-1")
        .send()
        .await;
    assert_eq!(err(bad_id.unwrap_err()).0, "InvalidParameterException");

    // A pool that auto-verifies nothing cannot import.
    let plain = crate::harness::pool(&c).await;
    let (plain_job, url) = create_job(&c, &plain).await;
    put(&url, "x".into()).await;
    let refused = c
        .start_user_import_job()
        .user_pool_id(&plain)
        .job_id(&plain_job)
        .send()
        .await;
    assert_eq!(err(refused.unwrap_err()).0, "PreconditionNotMetException");

    // ListUserImportJobs: newest first, in pages, MaxResults 1 to 60.
    clock.advance(Duration::from_secs(1));
    let (second, _) = create_job(&c, &pool).await;
    clock.advance(Duration::from_secs(1));
    let (third, _) = create_job(&c, &pool).await;
    let page = c
        .list_user_import_jobs()
        .user_pool_id(&pool)
        .max_results(2)
        .send()
        .await
        .unwrap();
    let ids = |jobs: &[UserImportJobType]| {
        jobs.iter()
            .map(|j| j.job_id().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(page.user_import_jobs()),
        [third.clone(), second.clone()]
    );
    let token = page.pagination_token().unwrap();
    let rest = c
        .list_user_import_jobs()
        .user_pool_id(&pool)
        .max_results(2)
        .pagination_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(ids(rest.user_import_jobs()), [job_id.as_str()]);
    assert_eq!(rest.pagination_token(), None);
    let zero = c
        .list_user_import_jobs()
        .user_pool_id(&pool)
        .max_results(0)
        .send()
        .await;
    let (code, message) = err(zero.unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert!(
        message.contains("Member must have value greater than or equal to 1"),
        "{message}"
    );
    let bad_token = c
        .list_user_import_jobs()
        .user_pool_id(&pool)
        .max_results(2)
        .pagination_token("nonsense")
        .send()
        .await;
    assert_eq!(err(bad_token.unwrap_err()).0, "InvalidParameterException");
}

/// Every operation on a pool that does not exist, requests the model refuses, a job started
/// twice or stopped when unknown, and an IAM signature that does not match.
#[tokio::test]
async fn every_operation_answers_the_models_errors() {
    let s = TestServer::start().await;
    let c = s.client();
    let missing = "us-east-1_NOSUCHPOO";
    let not_found = (
        "ResourceNotFoundException".to_owned(),
        format!("User pool {missing} does not exist."),
    );
    let job = "import-NOSUCHJOB0";
    let create = c
        .create_user_import_job()
        .user_pool_id(missing)
        .job_name("x")
        .cloud_watch_logs_role_arn(ROLE)
        .send()
        .await;
    assert_eq!(err(create.unwrap_err()), not_found);
    let start = c
        .start_user_import_job()
        .user_pool_id(missing)
        .job_id(job)
        .send()
        .await;
    assert_eq!(err(start.unwrap_err()), not_found);
    let stop = c
        .stop_user_import_job()
        .user_pool_id(missing)
        .job_id(job)
        .send()
        .await;
    assert_eq!(err(stop.unwrap_err()), not_found);
    let describe = c
        .describe_user_import_job()
        .user_pool_id(missing)
        .job_id(job)
        .send()
        .await;
    assert_eq!(err(describe.unwrap_err()), not_found);
    let list = c
        .list_user_import_jobs()
        .user_pool_id(missing)
        .max_results(10)
        .send()
        .await;
    assert_eq!(err(list.unwrap_err()), not_found);
    let header = c.get_csv_header().user_pool_id("no pool").send().await;
    assert_eq!(err(header.unwrap_err()).0, "InvalidParameterException");

    let pool = import_pool(&c).await;
    let unknown_job = (
        "ResourceNotFoundException".to_owned(),
        format!("Import job {job} does not exist."),
    );
    let stop = c
        .stop_user_import_job()
        .user_pool_id(&pool)
        .job_id(job)
        .send()
        .await;
    assert_eq!(err(stop.unwrap_err()), unknown_job);
    let describe = c
        .describe_user_import_job()
        .user_pool_id(&pool)
        .job_id(job)
        .send()
        .await;
    assert_eq!(err(describe.unwrap_err()), unknown_job);
    for (name, arn, member) in [
        ("a/b", ROLE, "jobName"),
        ("ok", "arn:aws:iam::1:x", "cloudWatchLogsRoleArn"),
        ("ok", "not-an-arn-of-any-kind", "cloudWatchLogsRoleArn"),
    ] {
        let bad = c
            .create_user_import_job()
            .user_pool_id(&pool)
            .job_name(name)
            .cloud_watch_logs_role_arn(arn)
            .send()
            .await;
        let (code, message) = err(bad.unwrap_err());
        assert_eq!(code, "InvalidParameterException", "{name} {arn}");
        assert!(
            message.starts_with("1 validation error detected: ")
                && message.contains(&format!("at '{member}'")),
            "{message}"
        );
    }

    // Started once only.
    let h = crate::import_jobs::header(&c, &pool).await;
    let (job_id, url) = create_job(&c, &pool).await;
    put(&url, format!("{}\n{}", h.join(","), user_line(&h, "ann"))).await;
    c.start_user_import_job()
        .user_pool_id(&pool)
        .job_id(&job_id)
        .send()
        .await
        .unwrap();
    let again = c
        .start_user_import_job()
        .user_pool_id(&pool)
        .job_id(&job_id)
        .send()
        .await;
    let (code, message) = err(again.unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert!(
        message.ends_with("only a job in status Created can be started."),
        "{message}"
    );
    finished(&c, &pool, &job_id).await;

    // IAM operations want a signature that matches.
    let dir = tempfile::tempdir().unwrap();
    let signed = TestServer::with_credentials(dir.path()).await;
    let wrong = sdk_client(&signed.url(), KEY_ID, "not-the-secret", "us-east-1");
    let unsigned = wrong.get_csv_header().user_pool_id(&pool).send().await;
    assert_eq!(err(unsigned.unwrap_err()).0, "InvalidSignatureException");
}

#[tokio::test]
async fn the_upload_url_refuses_bad_and_expired_signatures() {
    let (server, clock) = clocked().await;
    let c = sdk_client(&server.url(), KEY_ID, SECRET, "us-east-1");
    let pool = import_pool(&c).await;
    let (_, url) = create_job(&c, &pool).await;
    let tampered = format!("{}0", &url[..url.len() - 1]);
    let tampered = if tampered == url {
        format!("{}1", &url[..url.len() - 1])
    } else {
        tampered
    };
    let (status, body) = put(&tampered, "x".into()).await;
    assert_eq!(status, 403);
    assert!(
        body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body}"
    );
    let no_header = reqwest::Client::new()
        .put(&url)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(no_header.status().as_u16(), 403);
    let other_job = url.replace("/_ironpool/user-import/", "/_ironpool/user-import/x");
    assert_eq!(put(&other_job, "x".into()).await.0, 403);

    clock.advance(Duration::from_secs(14 * 60));
    assert_eq!(put(&url, "x".into()).await.0, 200);
    clock.advance(Duration::from_secs(2 * 60));
    let (status, body) = put(&url, "x".into()).await;
    assert_eq!(status, 403);
    assert!(
        body.contains("<Code>AccessDenied</Code><Message>Request has expired</Message>"),
        "{body}"
    );
}

/// A job not started within a day is Expired and cannot start.
#[tokio::test]
async fn an_unstarted_job_expires() {
    let (server, clock) = clocked().await;
    let c = sdk_client(&server.url(), KEY_ID, SECRET, "us-east-1");
    let pool = import_pool(&c).await;
    let (job_id, url) = create_job(&c, &pool).await;
    put(&url, "x".into()).await;
    clock.advance(Duration::from_secs(25 * 3600));
    assert_eq!(
        describe(&c, &pool, &job_id).await.status(),
        Some(&Status::Expired)
    );
    let start = c
        .start_user_import_job()
        .user_pool_id(&pool)
        .job_id(&job_id)
        .send()
        .await;
    assert_eq!(
        err(start.unwrap_err()),
        (
            "InvalidParameterException".into(),
            format!("Import job {job_id} is Expired; only a job in status Created can be started.")
        )
    );
}

/// A big file: `n` users with a verified email each.
pub fn big_file(header: &[String], n: usize) -> String {
    let mut out = header.join(",");
    for i in 0..n {
        out.push('\n');
        out.push_str(&user_line(header, &format!("u{i:07}")));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn stop_stops_a_running_job_with_the_users_so_far() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = import_pool(&c).await;
    let h = header(&c, &pool).await;
    let (job_id, url) = create_job(&c, &pool).await;
    put(&url, big_file(&h, 200_000)).await;
    c.start_user_import_job()
        .user_pool_id(&pool)
        .job_id(&job_id)
        .send()
        .await
        .unwrap();
    let stopped = c
        .stop_user_import_job()
        .user_pool_id(&pool)
        .job_id(&job_id)
        .send()
        .await
        .unwrap();
    let status = stopped.user_import_job().unwrap().status().cloned();
    assert!(
        matches!(status, Some(Status::Stopped | Status::Stopping)),
        "{status:?}"
    );
    let done = finished(&c, &pool, &job_id).await;
    assert_eq!(done.status(), Some(&Status::Stopped));
    assert_eq!(
        done.completion_message(),
        Some("The Import Job was stopped by the developer.")
    );
    assert!(done.imported_users() < 200_000, "{done:?}");
    let pool_now = c
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let users = pool_now.user_pool().unwrap().estimated_number_of_users();
    assert_eq!(i64::from(users), done.imported_users());
    let again = c
        .stop_user_import_job()
        .user_pool_id(&pool)
        .job_id(&job_id)
        .send()
        .await;
    assert_eq!(err(again.unwrap_err()).0, "InvalidParameterException");
}

/// Polls until the job has imported at least `at_least` users (or ended).
async fn imported_at_least(c: &Client, pool: &str, job: &str, at_least: i64) -> UserImportJobType {
    for _ in 0..3000 {
        let j = describe(c, pool, job).await;
        if j.imported_users() >= at_least
            || matches!(
                j.status(),
                Some(Status::Succeeded | Status::Failed | Status::Stopped)
            )
        {
            return j;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("job {job} did not reach {at_least} users");
}

/// Every user the job said it imported (the file's first `acknowledged` users, since batches
/// are written in order) is there, as imported: checks the first, the last and every 997th.
async fn acknowledged_users_are_there(c: &Client, pool: &str, acknowledged: i64) {
    let picks = (0..acknowledged).step_by(997).chain([acknowledged - 1]);
    for i in picks {
        let name = format!("u{i:07}");
        let user = c
            .admin_get_user()
            .user_pool_id(pool)
            .username(&name)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name} of {acknowledged} acknowledged is lost: {e:?}"));
        assert_eq!(user.user_status(), Some(&UserStatusType::ResetRequired));
    }
}

/// A server killed (SIGKILL) in the middle of a job, twice, loses none of the users it showed
/// as imported, and at each start resumes the job from the last batch written: in the end
/// every user once, none twice, and the bad last row failed by its line number.
#[tokio::test]
async fn a_killed_server_resumes_its_job_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let mut server = Process::spawn(&["--data-dir", data]);
    let mut c = sdk_client(&server.url(), KEY_ID, SECRET, "us-east-1");
    let pool = import_pool(&c).await;
    let h = header(&c, &pool).await;
    let (job_id, url) = create_job(&c, &pool).await;
    const N: usize = 100_000;
    let mut file = big_file(&h, N);
    file.push_str("\nbad row");
    assert_eq!(put(&url, file).await.0, 200);
    c.start_user_import_job()
        .user_pool_id(&pool)
        .job_id(&job_id)
        .send()
        .await
        .unwrap();
    let mut acknowledged = 0;
    for _ in 0..2 {
        let seen = imported_at_least(&c, &pool, &job_id, acknowledged + 20_000).await;
        assert_eq!(seen.status(), Some(&Status::InProgress), "{seen:?}");
        assert!((seen.imported_users() as usize) < N, "{seen:?}");
        acknowledged = seen.imported_users();
        server.kill9();

        server = Process::spawn(&["--data-dir", data]);
        c = sdk_client(&server.url(), KEY_ID, SECRET, "us-east-1");
        let after = describe(&c, &pool, &job_id).await;
        assert!(
            after.imported_users() >= acknowledged,
            "{acknowledged} acknowledged, {after:?}"
        );
        acknowledged_users_are_there(&c, &pool, acknowledged).await;
        let log = server.log_when(|l| l.contains("resuming user import job"));
        assert!(log.contains("resuming user import job"), "{log}");
    }
    let done = finished(&c, &pool, &job_id).await;
    assert_eq!(done.status(), Some(&Status::Succeeded), "{done:?}");
    assert_eq!(counts(&done), (N as i64, 0, 1));
    let pool_now = c
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pool_now.user_pool().unwrap().estimated_number_of_users(),
        N as i32
    );
    acknowledged_users_are_there(&c, &pool, N as i64).await;
    let failed = format!(
        "[FAILED] Line Number {} - The row has 1 values but the header has {} columns.",
        N + 2,
        h.len()
    );
    let log = server.log_when(|l| l.contains(&failed));
    assert!(log.contains(&failed), "{log}");
}

/// A job that cannot go on after a restart (its file is gone from the store while the server
/// was down) ends Failed, visibly, keeping the users it had imported.
#[tokio::test]
async fn a_job_that_cannot_resume_fails_visibly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let server = Process::spawn(&["--data-dir", data]);
    let c = sdk_client(&server.url(), KEY_ID, SECRET, "us-east-1");
    let pool = import_pool(&c).await;
    let h = header(&c, &pool).await;
    let (job_id, url) = create_job(&c, &pool).await;
    const N: usize = 100_000;
    assert_eq!(put(&url, big_file(&h, N)).await.0, 200);
    c.start_user_import_job()
        .user_pool_id(&pool)
        .job_id(&job_id)
        .send()
        .await
        .unwrap();
    let seen = imported_at_least(&c, &pool, &job_id, 1).await;
    assert_eq!(seen.status(), Some(&Status::InProgress), "{seen:?}");
    let acknowledged = seen.imported_users();
    server.kill9();
    {
        use ironpool_store::ImportJobs;
        let store =
            ironpool_store::SqliteStore::open(&std::path::Path::new(data).join("ironpool.sqlite3"))
                .unwrap();
        store
            .delete_import_chunks(&pool, &job_id, None)
            .await
            .unwrap();
    }

    let server = Process::spawn(&["--data-dir", data]);
    let c = sdk_client(&server.url(), KEY_ID, SECRET, "us-east-1");
    let done = finished(&c, &pool, &job_id).await;
    assert_eq!(done.status(), Some(&Status::Failed), "{done:?}");
    assert_eq!(
        done.completion_message(),
        Some("The import job failed with an internal error.")
    );
    assert!(done.imported_users() >= acknowledged, "{done:?}");
    assert!((done.imported_users() as usize) < N, "{done:?}");
    assert!(done.completion_date().is_some());
    acknowledged_users_are_there(&c, &pool, done.imported_users()).await;
    let log = server.log_when(|l| l.contains("user import job stopped by an error"));
    assert!(log.contains("user import job stopped by an error"), "{log}");
}

/// boto3 runs a job; the file goes to the pre-signed URL by a plain HTTP client (urllib).
#[tokio::test]
async fn boto3_runs_an_import_job_uploaded_with_urllib() {
    let Some(python) = crate::harness::venv_python("boto3") else {
        return;
    };
    let s = TestServer::start().await;
    let script =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/py/user_import.py");
    let out = tokio::process::Command::new(python)
        .arg(script)
        .env("ENDPOINT", s.url())
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["uploaded"], 200, "{v}");
    assert_eq!(
        (v["created"].as_str(), v["started"].as_str()),
        (Some("Created"), Some("Pending"))
    );
    assert_eq!(v["status"], "Succeeded", "{v}");
    assert_eq!(v["counts"], serde_json::json!([1, 0, 1]));
    assert_eq!(
        v["message"],
        "Import Job Completed Successfully. First: Line Number 3 - The User Record does not set \
         any of the auto verified attributes to..."
    );
    assert_eq!(v["listed"], serde_json::json!([v["job"]]));
    assert_eq!(v["userStatus"], "RESET_REQUIRED");
    assert_eq!(v["givenName"], "Alice");
}

/// Two servers on one PostgreSQL database: the file uploaded to one is imported by a job
/// started on the other, and both see its progress. Skipped without PostgreSQL.
#[tokio::test]
async fn servers_sharing_a_database_share_jobs_and_files() {
    let Some(db) = ironpool_testpg::TestPostgres::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("master.key");
    std::fs::write(&key, format!("{}\n", "6b".repeat(32))).unwrap();
    let public = "http://cognito.internal";
    let args = [
        "--database",
        db.url(),
        "--master-key-file",
        key.to_str().unwrap(),
        "--public-url",
        public,
    ];
    let (a, b) = (Process::spawn(&args), Process::spawn(&args));
    let ca = sdk_client(&a.url(), KEY_ID, SECRET, "us-east-1");
    let cb = sdk_client(&b.url(), KEY_ID, SECRET, "us-east-1");
    let pool = import_pool(&ca).await;
    let h = header(&cb, &pool).await;
    let (job_id, url) = create_job(&ca, &pool).await;
    assert!(
        url.starts_with(&format!("{public}/_ironpool/user-import/")),
        "{url}"
    );
    let (status, _) = put(&url.replacen(public, &b.url(), 1), big_file(&h, 5_000)).await;
    assert_eq!(status, 200);
    cb.start_user_import_job()
        .user_pool_id(&pool)
        .job_id(&job_id)
        .send()
        .await
        .unwrap();
    let done = finished(&ca, &pool, &job_id).await;
    assert_eq!(done.status(), Some(&Status::Succeeded), "{done:?}");
    assert_eq!(counts(&done), (5_000, 0, 0));
    let user = ca
        .admin_get_user()
        .user_pool_id(&pool)
        .username("u0004999")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status(), Some(&UserStatusType::ResetRequired));
}
