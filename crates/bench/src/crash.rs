//! Crash safety under load: `kill -9` during W3, then every user whose creation the server
//! acknowledged must be there after a restart on the same data (and confirmed, when its
//! AdminSetUserPassword was acknowledged too).

use crate::client::{field, Conn, Result};
use crate::server::Launch;
use crate::users::{create_pool, username, CreateUsers};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What was acknowledged before the kill and what was missing after the restart.
pub struct Outcome {
    pub acknowledged: usize,
    pub lost: usize,
}

/// Creates users at `concurrency` for `load_for`, kills the server with SIGKILL, restarts it
/// and checks every acknowledged user with AdminGetUser.
pub async fn kill9_during_w3(
    launch: &Launch,
    concurrency: usize,
    load_for: Duration,
) -> Result<Outcome> {
    let server = launch.start().await?;
    let pool = create_pool(&mut Conn::connect(server.addr).await?, "kill9").await?;
    let creator = Arc::new(CreateUsers {
        pool_id: pool.id.clone(),
        prefix: "k".into(),
    });
    // (index, password acknowledged too) for every acknowledged AdminCreateUser.
    let acknowledged = Arc::new(Mutex::new(Vec::<(usize, bool)>::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let mut conn = Conn::connect(server.addr).await?;
        let (creator, acknowledged, next) = (creator.clone(), acknowledged.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let record = |password: bool| {
                    if let Ok(mut acks) = acknowledged.lock() {
                        acks.push((index, password));
                    }
                };
                // The first error is the kill: this worker is done.
                if creator.create(index, &mut conn, record).await.is_err() {
                    return;
                }
            }
        }));
    }
    tokio::time::sleep(load_for).await;
    server.kill9();
    for worker in workers {
        let _ = worker.await;
    }

    let server = launch.start().await?;
    let mut conn = Conn::connect(server.addr).await?;
    let acks = acknowledged.lock().map_err(|e| e.to_string())?.clone();
    let mut confirmed = std::collections::HashSet::new();
    for &(index, password) in &acks {
        if password {
            confirmed.insert(index);
        }
    }
    let mut outcome = Outcome {
        acknowledged: acks.iter().filter(|(_, password)| !password).count(),
        lost: 0,
    };
    for (index, _) in acks.iter().filter(|(_, password)| !password) {
        let user = conn
            .call(
                "AdminGetUser",
                &json!({ "UserPoolId": pool.id, "Username": username("k", *index) }),
            )
            .await;
        let kept = match user {
            Ok(user) => !confirmed.contains(index) || field(&user, "/UserStatus")? == "CONFIRMED",
            Err(e) if e.contains("UserNotFoundException") => false,
            Err(e) => return Err(e),
        };
        if !kept {
            outcome.lost += 1;
        }
    }
    Ok(outcome)
}
