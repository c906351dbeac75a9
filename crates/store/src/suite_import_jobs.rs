//! Suite cases for [`ImportJobs`](crate::ImportJobs); run through
//! [`backend_suite!`](crate::backend_suite).

use crate::suite::{user, users_pool, UP};
use crate::{
    ImportJob, ImportProgress, ImportUser, Imported, Problem, Store, StoreError, UserConflict,
};
use ironpool_api::types::{UserImportJobStatusType as Status, UserImportJobType};

fn job(id: &str, created: f64) -> ImportJob {
    ImportJob {
        job: UserImportJobType {
            job_id: Some(id.into()),
            job_name: Some("job".into()),
            user_pool_id: Some(UP.into()),
            creation_date: Some(created),
            status: Some(Status::Created),
            imported_users: Some(0),
            skipped_users: Some(0),
            failed_users: Some(0),
            ..Default::default()
        },
        upload: None,
        next_offset: 0,
        next_line: 2,
        runner: None,
        lease_until: 0.0,
        first_problem: None,
    }
}

fn ids(jobs: &[ImportJob]) -> Vec<&str> {
    jobs.iter().map(ImportJob::job_id).collect()
}

pub async fn import_jobs_list_newest_first_and_go_with_their_pool(store: &dyn Store) {
    users_pool(store).await;
    for (id, created) in [
        ("import-a", 1.0),
        ("import-b", 3.0),
        ("import-c", 2.0),
        ("import-d", 3.0),
    ] {
        store.create_import_job(&job(id, created)).await.unwrap();
    }
    let again = store.create_import_job(&job("import-a", 9.0)).await;
    assert!(matches!(again, Err(StoreError::Conflict)), "{again:?}");
    let first = store.list_import_jobs(UP, None, 3).await.unwrap();
    assert_eq!(ids(&first), ["import-d", "import-b", "import-c"]);
    let rest = store
        .list_import_jobs(UP, Some((2.0, "import-c".into())), 3)
        .await
        .unwrap();
    assert_eq!(ids(&rest), ["import-a"]);

    let (mut b, version) = store.get_import_job(UP, "import-b").await.unwrap().unwrap();
    assert_eq!((b.clone(), version), (job("import-b", 3.0), 0));
    b.job.status = Some(Status::Pending);
    store.put_import_job(&b, 0).await.unwrap();
    let late = store.put_import_job(&b, 0).await;
    assert!(matches!(late, Err(StoreError::Conflict)), "{late:?}");
    let running = store.running_import_jobs().await.unwrap();
    assert_eq!(running, vec![(b, 1)]);

    for (upload, seq, bytes) in [
        ("u1", 0, b"ab".to_vec()),
        ("u1", 1, b"c".to_vec()),
        ("u2", 0, b"x".to_vec()),
    ] {
        store
            .put_import_chunk(UP, "import-a", upload, seq, bytes)
            .await
            .unwrap();
    }
    let chunk = |upload: &'static str, seq| store.get_import_chunk(UP, "import-a", upload, seq);
    assert_eq!(chunk("u1", 1).await.unwrap(), Some(b"c".to_vec()));
    assert_eq!(chunk("u1", 2).await.unwrap(), None);
    store
        .delete_import_chunks(UP, "import-a", Some("u2"))
        .await
        .unwrap();
    assert_eq!(chunk("u1", 0).await.unwrap(), None);
    assert_eq!(chunk("u2", 0).await.unwrap(), Some(b"x".to_vec()));
    store
        .delete_import_chunks(UP, "import-a", None)
        .await
        .unwrap();
    assert_eq!(chunk("u2", 0).await.unwrap(), None);

    store
        .put_import_chunk(UP, "import-a", "u3", 0, b"y".to_vec())
        .await
        .unwrap();
    assert!(store.delete_user_pool(UP).await.unwrap());
    assert_eq!(store.get_import_job(UP, "import-a").await.unwrap(), None);
    assert!(store.running_import_jobs().await.unwrap().is_empty());
    assert_eq!(chunk("u3", 0).await.unwrap(), None);
    assert!(store
        .create_import_job(&job("import-e", 1.0))
        .await
        .is_err());
}

fn imported(line: u64, name: &str, attrs: &[(&str, &str)]) -> ImportUser {
    ImportUser {
        line,
        user: user(name, attrs),
    }
}

/// A batch is written only by the job's runner, with its progress, in one transaction; a
/// taken username is skipped, a taken alias fails, and nothing is written twice.
pub async fn import_batches_write_users_and_progress_together(store: &dyn Store) {
    users_pool(store).await;
    let mut j = job("import-a", 1.0);
    j.job.status = Some(Status::InProgress);
    j.runner = Some("r1".into());
    store.create_import_job(&j).await.unwrap();
    store
        .create_user_if_absent(&user("existing", &[]), false)
        .await
        .unwrap()
        .unwrap();
    let mail = [("email", "a@example.com"), ("email_verified", "true")];
    let batch = || {
        vec![
            imported(2, "ann", &mail),
            imported(3, "Existing", &[]),
            imported(5, "bob", &mail),
            imported(6, "cy", &[("email", "a@example.com")]),
        ]
    };
    let progress = ImportProgress {
        next_offset: 120,
        next_line: 7,
        failed: 1,
        first_problem: Some(Problem {
            line: 4,
            reason: "bad row".into(),
        }),
        lease_until: 50.0,
    };
    let stolen = store
        .import_users(UP, "import-a", "r2", batch(), progress.clone())
        .await
        .unwrap();
    assert_eq!(stolen, None);
    assert_eq!(store.count_users(UP).await.unwrap(), 1);

    let (job, outcomes) = store
        .import_users(UP, "import-a", "r1", batch(), progress)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        outcomes,
        [
            Imported::Created,
            Imported::Skipped,
            Imported::Failed(UserConflict::AliasExists("email".into())),
            Imported::Created,
        ]
    );
    let counts = |j: &ImportJob| {
        (
            j.job.imported_users,
            j.job.skipped_users,
            j.job.failed_users,
        )
    };
    assert_eq!(counts(&job), (Some(2), Some(1), Some(2)));
    assert_eq!(
        (job.next_offset, job.next_line, job.lease_until),
        (120, 7, 50.0)
    );
    assert_eq!(
        job.first_problem,
        Some(Problem {
            line: 3,
            reason: "The user already exists.".into()
        })
    );
    let (stored, version) = store.get_import_job(UP, "import-a").await.unwrap().unwrap();
    assert_eq!((stored, version), (job, 1));
    assert_eq!(store.count_users(UP).await.unwrap(), 3);
    assert!(store.get_user(UP, "bob").await.unwrap().is_none());
    let ann = store.find_user_by_alias(UP, "email", "A@example.com").await;
    assert_eq!(ann.unwrap().map(|u| u.username), Some("ann".into()));
    let cy = store.get_user(UP, "cy").await.unwrap().unwrap();
    assert_eq!(cy.attribute("email"), Some("a@example.com"));

    // The same batch again (a resumed job) creates nothing new.
    let again = ImportProgress {
        next_offset: 120,
        next_line: 7,
        lease_until: 60.0,
        ..Default::default()
    };
    let (job, _) = store
        .import_users(UP, "import-a", "r1", batch(), again)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(counts(&job), (Some(2), Some(4), Some(3)));
    assert_eq!(store.count_users(UP).await.unwrap(), 3);

    // Progress applies to the job as stored: a Stop that came in between is kept.
    let (mut stopping, version) = store.get_import_job(UP, "import-a").await.unwrap().unwrap();
    stopping.job.status = Some(Status::Stopping);
    store.put_import_job(&stopping, version).await.unwrap();
    let (job, _) = store
        .import_users(
            UP,
            "import-a",
            "r1",
            vec![imported(8, "dee", &[])],
            Default::default(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.status(), Status::Stopping);
    assert_eq!(job.job.imported_users, Some(3));
}

/// A stop is taken whatever the job's version (batches keep moving it on): Pending and
/// InProgress become Stopping, a Stopping job stays so, any other is left alone.
pub async fn a_stop_changes_a_running_import_job_over_any_version(store: &dyn Store) {
    users_pool(store).await;
    assert_eq!(
        store.stop_import_job(UP, "import-none").await.unwrap(),
        None
    );
    for (id, status, after) in [
        ("import-p", Status::Pending, Status::Stopping),
        ("import-i", Status::InProgress, Status::Stopping),
        ("import-s", Status::Stopping, Status::Stopping),
        ("import-c", Status::Created, Status::Created),
        ("import-d", Status::Succeeded, Status::Succeeded),
    ] {
        let mut j = job(id, 1.0);
        j.job.status = Some(status);
        j.runner = Some("r1".into());
        store.create_import_job(&j).await.unwrap();
        // A batch moves the job on first, as a running job's do.
        let progress = ImportProgress {
            next_offset: 10,
            next_line: 3,
            ..Default::default()
        };
        let users = vec![imported(2, &format!("{id}-user"), &[])];
        store
            .import_users(UP, id, "r1", users, progress)
            .await
            .unwrap()
            .unwrap();
        let stopped = store.stop_import_job(UP, id).await.unwrap().unwrap();
        assert_eq!(stopped.status(), after, "{id}");
        assert_eq!(stopped.job.imported_users, Some(1), "{id}");
        let (stored, _) = store.get_import_job(UP, id).await.unwrap().unwrap();
        assert_eq!(stored, stopped, "{id}");
    }
}
