//! `million` (only when named): one pool of `--million-users` users on a fresh server, created
//! by a user import job (the fastest path that still does for each user what Cognito does),
//! then ListUsers by email (exact and prefix) and AdminGetUser among them, and the server's
//! resident memory.

use crate::client::{Conn, Result};
use crate::import::{file, import, pool_for_import, PREFIX};
use crate::load::{BoxFuture, Op};
use crate::report::Report;
use crate::search::ListByEmail;
use crate::server::Launch;
use crate::stats::{Figure, Target};
use crate::users::username;
use crate::workloads::{all, measure, row};
use crate::{Args, Plan};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;

/// Queries per run of each measured operation.
const QUERIES: usize = 500;

/// AdminGetUser of a random user of the pool.
struct AdminGetUser {
    pool_id: String,
    users: usize,
}

impl Op for AdminGetUser {
    fn run<'a>(&'a self, _: usize, conn: &'a mut Conn) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let name = username(PREFIX, rand::random_range(0..self.users));
            let answer = conn
                .call(
                    "AdminGetUser",
                    &json!({"UserPoolId": self.pool_id, "Username": name}),
                )
                .await?;
            if answer["Username"] != name.as_str() {
                return Err(format!("AdminGetUser {name}: {answer}"));
            }
            Ok(())
        })
    }
}

pub async fn run(
    args: &Args,
    plan: &Plan,
    base: &Launch,
    root: &Path,
    report: &mut Report,
) -> Result<()> {
    let users = args
        .million_users
        .unwrap_or(if args.quick { 50_000 } else { 1_000_000 });
    let launch = Launch {
        data_dir: root.join("million"),
        ..base.clone()
    };
    let server = launch.start().await?;
    let mut conn = Conn::connect(server.addr).await?;
    let (pool_id, header) = pool_for_import(&mut conn, "million").await?;
    let (_, secs) = import(
        &mut conn,
        server.addr,
        &pool_id,
        file(&header, users),
        users,
    )
    .await?;
    eprintln!(
        "million: {users} users imported in {secs:.1} s ({:.0}/s)",
        users as f64 / secs
    );
    let label = |what: &str| format!("{what}, {users} users");
    for (starts_with, what, below) in [
        (false, "ListUsers email =", 1.0),
        (true, "ListUsers email ^=", 3.0),
    ] {
        let op = |_| -> Arc<dyn Op> {
            Arc::new(ListByEmail {
                pool_id: pool_id.clone(),
                prefix: PREFIX.into(),
                users,
                starts_with,
            })
        };
        let row = row("million", &label(what), 1, Target::P50Below(below));
        report
            .rows
            .push(measure(&server, row, all(QUERIES), op, plan.runs).await?);
    }
    let op = |_| -> Arc<dyn Op> {
        Arc::new(AdminGetUser {
            pool_id: pool_id.clone(),
            users,
        })
    };
    let row = row("million", &label("AdminGetUser"), 1, Target::P50Below(1.0));
    report
        .rows
        .push(measure(&server, row, all(QUERIES), op, plan.runs).await?);
    report.figures.extend([
        Figure {
            workload: "million",
            label: "users imported per second",
            unit: "users/s",
            values: vec![users as f64 / secs],
            below: None,
            above: None,
        },
        Figure {
            workload: "million",
            label: "resident memory after the queries",
            unit: "MB",
            values: vec![server.rss_mb()],
            below: Some(150.0),
            above: None,
        },
        Figure {
            workload: "million",
            label: "peak resident memory (VmHWM), import included",
            unit: "MB",
            values: vec![server.peak_rss_mb()],
            below: None,
            above: None,
        },
    ]);
    Ok(())
}
