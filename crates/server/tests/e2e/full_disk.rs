//! The embedded store on a full disk: the data directory on a small filesystem the test mounts
//! (tmpfs; skipped, with a message, where mounting is not permitted). Once the disk is full,
//! writes answer InternalErrorException and the log says why, reads keep working, nothing
//! acknowledged is lost or corrupted, and writes succeed again once space is freed.

use crate::harness::{err, sdk_client, Process, KEY_ID, SECRET};
use aws_sdk_cognitoidentityprovider::types::MessageActionType;
use aws_sdk_cognitoidentityprovider::Client;
use std::io::Write;
use std::process::Command;

/// A tmpfs of `size` mounted on a fresh directory, unmounted when dropped.
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output();
        match mounted {
            Ok(out) if out.status.success() => Some(Self(dir)),
            other => {
                eprintln!("skipped: cannot mount a small filesystem here ({other:?})");
                None
            }
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

async fn create(c: &Client, pool: &str, name: &str) -> Result<(), (String, String)> {
    c.admin_create_user()
        .user_pool_id(pool)
        .username(name)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .map(|_| ())
        .map_err(err)
}

#[tokio::test]
async fn a_full_disk_refuses_writes_keeps_reads_and_recovers_when_space_is_freed() {
    let Some(disk) = SmallDisk::mount("8m") else {
        return;
    };
    let data = disk.0.path().join("data");
    let data = data.to_str().unwrap();
    let server = Process::spawn(&["--data-dir", data]);
    let c = sdk_client(&server.url(), KEY_ID, SECRET, "us-east-1");
    let pool = crate::harness::pool(&c).await;
    for n in 0..20 {
        create(&c, &pool, &format!("before{n}")).await.unwrap();
    }

    // Fill what is left of the disk.
    let filler = disk.0.path().join("filler");
    let mut file = std::fs::File::create(&filler).unwrap();
    let block = vec![0u8; 64 * 1024];
    while file.write_all(&block).is_ok() {}
    while file.write_all(&block[..512]).is_ok() {}
    let _ = file.sync_all();

    // Writes fail as an internal error (a write that still fits in the space the database
    // files hold already may succeed), without taking the server down.
    let (mut refused, mut written) = (0, Vec::new());
    for n in 0..200 {
        let name = format!("during{n}");
        match create(&c, &pool, &name).await {
            Ok(()) => written.push(name),
            Err(e) => {
                assert_eq!(
                    e,
                    (
                        "InternalErrorException".to_owned(),
                        "An internal error occurred.".to_owned()
                    )
                );
                refused += 1;
                if refused == 10 {
                    break;
                }
            }
        }
    }
    assert_eq!(refused, 10, "writes kept succeeding on a full disk");
    // An error line of the refused write that names the cause (SQLite's SQLITE_FULL, or the
    // ENOSPC of a file write).
    let says_full = |line: &str| {
        line.contains(r#""level":"ERROR""#)
            && line.contains(r#""message":"internal error""#)
            && (line.contains("database or disk is full")
                || line.contains("No space left on device"))
    };
    let log = server.log_when(|l| l.lines().any(says_full));
    assert!(
        log.lines().any(says_full),
        "the log does not say the disk is full:\n{log}"
    );
    // Reads keep working.
    let user = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("before7")
        .send()
        .await
        .unwrap();
    assert_eq!(user.username(), "before7");
    let listed = c
        .list_users()
        .user_pool_id(&pool)
        .limit(60)
        .send()
        .await
        .unwrap();
    assert!(listed.users().len() >= 20);

    // Space freed: writes succeed again, in the same process.
    drop(file);
    std::fs::remove_file(&filler).unwrap();
    create(&c, &pool, "after").await.unwrap();

    // Nothing acknowledged was lost or damaged: a restart reads every user back.
    let acknowledged = usernames(&c, &pool).await;
    server.terminate();
    let server = Process::spawn(&["--data-dir", data]);
    let c = sdk_client(&server.url(), KEY_ID, SECRET, "us-east-1");
    let after = usernames(&c, &pool).await;
    assert_eq!(after, acknowledged);
    for n in 0..20 {
        assert!(after.contains(&format!("before{n}")), "before{n} lost");
    }
    for name in written.iter().chain([&"after".to_owned()]) {
        assert!(after.contains(name), "{name} was acknowledged and lost");
    }
    drop(server);
}

/// Every username of the pool, page by page.
async fn usernames(c: &Client, pool: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .list_users()
            .user_pool_id(pool)
            .set_pagination_token(token)
            .send()
            .await
            .unwrap();
        names.extend(
            page.users()
                .iter()
                .map(|u| u.username().unwrap().to_owned()),
        );
        token = page.pagination_token().map(str::to_owned);
        if token.is_none() {
            return names;
        }
    }
}
