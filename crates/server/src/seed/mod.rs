//! Declarative seeding (`--seed FILE`): pools, app clients, groups, resource servers,
//! identity providers, domains and users applied at start through the API's own handlers
//! ([`crate::ops::invoke`]), so every rule and error is the API's.
//!
//! The file (YAML or JSON) follows the request shapes: `UserPools` entries are CreateUserPool
//! inputs plus `Id` and `AccountId`, with nested `UserPoolClients` (CreateUserPoolClient inputs
//! plus `ClientId`), `Groups`, `ResourceServers`, `IdentityProviders`, `Domains` (their Create
//! inputs) and `Users` (AdminCreateUser inputs plus `Password` or `SealedPassword` (a verifier
//! sealed by `ironpool export --sealed-passwords`), `Permanent`, `Groups` and `Enabled`);
//! `UserPoolId` is implied.
//!
//! Never half-seeded: the whole file is first applied to an empty in-memory server (every
//! API error shows there, with its path in the file); then what the real store needs is planned
//! with reads only (and conflicts with its state reported); only then is anything written. The
//! rehearsal's results are also the canonical form each resource compares against, so an
//! unchanged file writes nothing. What the store holds and the file does not name is left
//! alone; a user's password is set when the seed creates the user, never afterwards.

mod file;
mod plan;

use crate::app::App;
use crate::config::Config;
use crate::ops::invoke;
use crate::scope::Scope;
use file::PoolSeed;
use ironpool_api::{ApiError, Operation};
use serde_json::{json, Map, Value};
use std::path::Path;

pub use file::parse;

/// Reads `file` and applies it to `app`; the error names the file, the path in it and the
/// API's error.
pub async fn apply_file(app: &App, file: &Path) -> Result<usize, String> {
    let name = file.display();
    let text =
        std::fs::read_to_string(file).map_err(|e| format!("seed file {name}: cannot read: {e}"))?;
    let doc = parse(file, &text).map_err(|e| format!("seed file {name}: {e}"))?;
    let pools = file::pools_of(app, &doc).map_err(|e| format!("seed file {name}: {e}"))?;
    apply(app, pools)
        .await
        .map_err(|e| format!("seed file {name}: {e}"))
}

/// One call to make.
#[derive(Debug)]
struct Action {
    path: String,
    scope: Scope,
    op: Operation,
    input: Value,
    given_id: Option<String>,
    /// For a user's `SealedPassword`: the verifier, written as it is instead of `op`.
    sealed: Option<String>,
}

/// Rehearses, plans and applies `pools`; the number of calls that wrote.
async fn apply(app: &App, mut pools: Vec<PoolSeed>) -> Result<usize, String> {
    resolve_pool_ids(app, &mut pools).await?;
    let rehearsal = rehearsal_app(app).await?;
    let actions = plan::plan(&rehearsal, None, &pools).await?;
    execute(&rehearsal, &actions).await?;
    let actions = plan::plan(app, Some(&rehearsal), &pools).await?;
    execute(app, &actions).await?;
    Ok(actions.len())
}

/// An empty in-memory server like `app` (account, region), sending nothing anywhere.
async fn rehearsal_app(app: &App) -> Result<App, String> {
    let mut config = Config::ephemeral();
    config.account_id = app.config.account_id.clone();
    config.region = app.config.region.clone();
    config.database = None;
    config.credentials_file = None;
    config.master_key_file = None;
    config.seed = None;
    config.smtp.smtp_url = None;
    config.aws.lambda_endpoint = None;
    config.aws.kms_endpoint = None;
    config.rate_limits = crate::throttle::RateLimits::Off;
    App::open(config).await
}

/// The id of each pool: the file's, else the one pool of that name in its account and region,
/// else a new one.
async fn resolve_pool_ids(app: &App, pools: &mut [PoolSeed]) -> Result<(), String> {
    for pool in pools.iter_mut().filter(|p| p.id.is_empty()) {
        let path = &pool.entry.path;
        let Some(name) = pool.entry.str("PoolName").map(str::to_owned) else {
            return Err(format!("{path}: a pool needs an Id or a PoolName"));
        };
        let mut found = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut input = json!({"MaxResults": 60});
            if let Some(t) = &token {
                input["NextToken"] = json!(t);
            }
            let page = invoke(
                app,
                pool.scope.clone(),
                Operation::ListUserPools,
                input,
                None,
            )
            .await
            .map_err(|e| format!("{path}: {}", show(&e)))?;
            for p in page["UserPools"].as_array().into_iter().flatten() {
                if p["Name"] == json!(name) {
                    found.extend(p["Id"].as_str().map(str::to_owned));
                }
            }
            match page["NextToken"].as_str() {
                Some(t) => token = Some(t.to_owned()),
                None => break,
            }
        }
        pool.id = match found.len() {
            0 => ironpool_core::ids::user_pool_id(app.rng.as_ref(), &pool.scope.region),
            1 => found.remove(0),
            n => {
                return Err(format!(
                    "{path}: {n} pools are named {name}; give the pool's Id"
                ))
            }
        };
    }
    Ok(())
}

/// `AWS's error type: message`.
fn show(e: &ApiError) -> String {
    format!("{}: {}", e.code.as_str(), e.message)
}

/// The path of an API error: the entry's, and the member its message names.
fn error_at(entry_path: &str, fields: Option<&Map<String, Value>>, e: &ApiError) -> String {
    let member = e
        .message
        .split_once(" at '")
        .and_then(|(_, rest)| rest.split(['\'', '.']).next())
        .and_then(|name| {
            fields?
                .keys()
                .find(|k| k.eq_ignore_ascii_case(name))
                .cloned()
        });
    match member {
        Some(m) => format!("{entry_path}.{m}: {}", show(e)),
        None => format!("{entry_path}: {}", show(e)),
    }
}

async fn execute(app: &App, actions: &[Action]) -> Result<(), String> {
    for a in actions {
        tracing::debug!(path = %a.path, operation = a.op.name(), "seed");
        if let Some(sealed) = &a.sealed {
            let field = |name: &str| a.input[name].as_str().unwrap_or_default();
            let temporary = a.input["Permanent"] == json!(false);
            crate::ops::users::restore_sealed_password(
                app,
                field("UserPoolId"),
                field("Username"),
                sealed,
                temporary,
            )
            .await
            .map_err(|e| format!("{}: {}", a.path, show(&e)))?;
            continue;
        }
        invoke(
            app,
            a.scope.clone(),
            a.op,
            a.input.clone(),
            a.given_id.clone(),
        )
        .await
        .map_err(|e| error_at(&a.path, a.input.as_object(), &e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_member_of_the_message() {
        let fields = json!({"ClientName": "x y", "UserPoolId": "p"});
        let e = ApiError::invalid_parameter(
            "1 validation error detected: Value 'x y' at 'clientName' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
        );
        let shown = error_at("UserPools[0].UserPoolClients[1]", fields.as_object(), &e);
        assert!(
            shown.starts_with("UserPools[0].UserPoolClients[1].ClientName: InvalidParameterException: 1 validation error"),
            "{shown}"
        );
    }
}
