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

use crate::app::App;
use crate::config::Config;
use crate::ops::invoke;
use crate::scope::{region_of_pool_id, Scope};
use ironpool_api::{ApiError, ErrorCode, Operation, ShapeKind};
use serde_json::{json, Map, Value};
use std::path::Path;

/// The entry keys of a seed file that are not request members.
const POOL_EXTRAS: &[&str] = &[
    "Id",
    "AccountId",
    "UserPoolClients",
    "Groups",
    "ResourceServers",
    "IdentityProviders",
    "Domains",
    "Users",
];
const CLIENT_EXTRAS: &[&str] = &["ClientId"];
const USER_EXTRAS: &[&str] = &[
    "Password",
    "SealedPassword",
    "Permanent",
    "Groups",
    "Enabled",
];

/// Fields of a described resource that are the server's, not the file's.
const VOLATILE: &[&str] = &[
    "Id",
    "Arn",
    "CreationDate",
    "LastModifiedDate",
    "EstimatedNumberOfUsers",
    "Domain",
    "CustomDomain",
    "UserPoolId",
    "ClientId",
    "ClientSecret",
];

/// Pool settings UpdateUserPool cannot change.
const FIXED_AT_CREATION: &[(&str, &str)] = &[
    ("UsernameAttributes", "UsernameAttributes"),
    ("AliasAttributes", "AliasAttributes"),
    ("UsernameConfiguration", "UsernameConfiguration"),
    ("SchemaAttributes", "Schema"),
];

/// Reads `file` and applies it to `app`; the error names the file, the path in it and the
/// API's error.
pub async fn apply_file(app: &App, file: &Path) -> Result<usize, String> {
    let name = file.display();
    let text =
        std::fs::read_to_string(file).map_err(|e| format!("seed file {name}: cannot read: {e}"))?;
    let doc = parse(file, &text).map_err(|e| format!("seed file {name}: {e}"))?;
    let pools = pools_of(app, &doc).map_err(|e| format!("seed file {name}: {e}"))?;
    apply(app, pools)
        .await
        .map_err(|e| format!("seed file {name}: {e}"))
}

/// JSON for `.json` files, YAML otherwise.
pub fn parse(file: &Path, text: &str) -> Result<Value, String> {
    if file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))
    } else {
        serde_norway::from_str(text).map_err(|e| format!("not valid YAML: {e}"))
    }
}

/// One entry of the file: where it is, and its members.
#[derive(Clone, Debug)]
struct Entry {
    path: String,
    fields: Map<String, Value>,
}

impl Entry {
    fn str(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }

    /// The request input: the members of `shape`, with `UserPoolId`.
    fn input(&self, op: Operation, pool_id: &str) -> Value {
        let mut input = Map::new();
        for name in members(op) {
            if let Some(v) = self.fields.get(name) {
                input.insert(name.to_owned(), v.clone());
            }
        }
        if members(op).contains(&"UserPoolId") {
            input.insert("UserPoolId".into(), json!(pool_id));
        }
        Value::Object(input)
    }

    fn nested(&self, key: &str, op: Operation, extras: &[&str]) -> Result<Vec<Entry>, String> {
        let Some(list) = self.fields.get(key) else {
            return Ok(Vec::new());
        };
        entries(&format!("{}.{key}", self.path), list, op, extras)
    }
}

#[derive(Clone, Debug)]
struct PoolSeed {
    entry: Entry,
    id: String,
    scope: Scope,
    clients: Vec<Entry>,
    groups: Vec<Entry>,
    resource_servers: Vec<Entry>,
    identity_providers: Vec<Entry>,
    domains: Vec<Entry>,
    users: Vec<Entry>,
}

/// The member names of `op`'s input.
fn members(op: Operation) -> Vec<&'static str> {
    match &op.input_shape().shape().kind {
        ShapeKind::Structure { members } => members.iter().map(|m| m.name).collect(),
        _ => Vec::new(),
    }
}

/// The entries of a list, each checked for members `op` does not take.
fn entries(path: &str, list: &Value, op: Operation, extras: &[&str]) -> Result<Vec<Entry>, String> {
    let Some(list) = list.as_array() else {
        return Err(format!("{path}: expected a list"));
    };
    let known = members(op);
    let mut out = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let path = format!("{path}[{i}]");
        let Some(fields) = item.as_object() else {
            return Err(format!("{path}: expected a map of {} members", op.name()));
        };
        for key in fields.keys() {
            if !known.contains(&key.as_str()) && !extras.contains(&key.as_str()) {
                return Err(format!(
                    "{path}.{key}: unknown member: neither {} nor the seed file takes it",
                    op.name()
                ));
            }
        }
        out.push(Entry {
            path,
            fields: fields.clone(),
        });
    }
    Ok(out)
}

fn is_pool_id(id: &str) -> bool {
    id.split_once('_').is_some_and(|(region, rest)| {
        !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && rest.len() == 9
            && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

fn is_client_id(id: &str) -> bool {
    id.len() == 26
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The pools of the file, their nested entries, ids and scopes checked.
fn pools_of(app: &App, doc: &Value) -> Result<Vec<PoolSeed>, String> {
    let Some(top) = doc.as_object() else {
        return Err("expected a map with a UserPools list".into());
    };
    for key in top.keys() {
        if key != "UserPools" && key != "AccountId" {
            return Err(format!(
                "{key}: unknown member: the file takes UserPools and AccountId"
            ));
        }
    }
    let account = match top.get("AccountId") {
        Some(a) => account_id("AccountId", a)?,
        None => app.config.account_id.clone(),
    };
    let list = top.get("UserPools").cloned().unwrap_or(json!([]));
    let mut pools = Vec::new();
    for entry in entries("UserPools", &list, Operation::CreateUserPool, POOL_EXTRAS)? {
        let path = entry.path.clone();
        let account_id = match entry.fields.get("AccountId") {
            Some(a) => account_id(&format!("{path}.AccountId"), a)?,
            None => account.clone(),
        };
        let id = match entry.fields.get("Id") {
            Some(Value::String(id)) if is_pool_id(id) => id.clone(),
            Some(other) => {
                return Err(format!(
                    "{path}.Id: {other} is not a user pool id: <region>_<9 letters or digits>, \
                     as us-east-1_AbCdE1234"
                ))
            }
            None => String::new(),
        };
        let region = match id.is_empty() {
            true => app.config.region.clone(),
            false => region_of_pool_id(&id).to_owned(),
        };
        let clients = entry.nested(
            "UserPoolClients",
            Operation::CreateUserPoolClient,
            CLIENT_EXTRAS,
        )?;
        for c in &clients {
            match c.fields.get("ClientId") {
                None => {}
                Some(Value::String(id)) if is_client_id(id) => {}
                Some(other) => {
                    return Err(format!(
                        "{}.ClientId: {other} is not an app client id: 26 lowercase letters \
                         or digits",
                        c.path
                    ))
                }
            }
        }
        let users = entry.nested("Users", Operation::AdminCreateUser, USER_EXTRAS)?;
        for u in &users {
            for (key, ok) in [
                (
                    "Password",
                    u.fields.get("Password").is_none_or(Value::is_string),
                ),
                (
                    "SealedPassword",
                    u.fields.get("SealedPassword").is_none_or(Value::is_string),
                ),
                (
                    "Permanent",
                    u.fields.get("Permanent").is_none_or(Value::is_boolean),
                ),
                (
                    "Enabled",
                    u.fields.get("Enabled").is_none_or(Value::is_boolean),
                ),
                (
                    "Groups",
                    u.fields.get("Groups").is_none_or(|g| {
                        g.as_array().is_some_and(|g| g.iter().all(Value::is_string))
                    }),
                ),
            ] {
                if !ok {
                    return Err(format!("{}.{key}: not a {}", u.path, kind_of(key)));
                }
            }
        }
        let mut checked = Vec::new();
        for (key, list) in [
            (
                "Groups",
                &entry.nested("Groups", Operation::CreateGroup, &[])?,
            ),
            (
                "ResourceServers",
                &entry.nested("ResourceServers", Operation::CreateResourceServer, &[])?,
            ),
            (
                "IdentityProviders",
                &entry.nested("IdentityProviders", Operation::CreateIdentityProvider, &[])?,
            ),
            (
                "Domains",
                &entry.nested("Domains", Operation::CreateUserPoolDomain, &[])?,
            ),
            ("UserPoolClients", &clients),
            ("Users", &users),
        ] {
            for e in list {
                if let Some(given) = e.str("UserPoolId") {
                    if given != id || id.is_empty() {
                        return Err(format!(
                            "{}.UserPoolId: {given} is not the pool's Id; leave it out",
                            e.path
                        ));
                    }
                }
            }
            checked.push((key, list.clone()));
        }
        let take = |k: &str| {
            checked
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, l)| l.clone())
                .unwrap_or_default()
        };
        pools.push(PoolSeed {
            id,
            scope: Scope { account_id, region },
            groups: take("Groups"),
            resource_servers: take("ResourceServers"),
            identity_providers: take("IdentityProviders"),
            domains: take("Domains"),
            clients,
            users,
            entry,
        });
    }
    Ok(pools)
}

fn kind_of(key: &str) -> &'static str {
    match key {
        "Password" | "SealedPassword" => "string",
        "Groups" => "list of group names",
        _ => "boolean",
    }
}

fn account_id(path: &str, v: &Value) -> Result<String, String> {
    match v.as_str() {
        Some(a) if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) => Ok(a.to_owned()),
        _ => Err(format!("{path}: {v} is not a 12-digit account id")),
    }
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
    let actions = plan(&rehearsal, None, &pools).await?;
    execute(&rehearsal, &actions).await?;
    let actions = plan(app, Some(&rehearsal), &pools).await?;
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

/// Reads a resource; `None` when the API says it does not exist.
async fn read(
    app: &App,
    scope: &Scope,
    op: Operation,
    input: Value,
) -> Result<Option<Value>, String> {
    match invoke(app, scope.clone(), op, input, None).await {
        Ok(v) => Ok(Some(v)),
        Err(e)
            if matches!(
                e.code,
                ErrorCode::ResourceNotFoundException | ErrorCode::UserNotFoundException
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(show(&e)),
    }
}

/// A described resource without what the server sets itself.
fn canonical(mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        for key in VOLATILE {
            m.remove(*key);
        }
    }
    v
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

/// The calls that bring `app` to what `pools` say, by reads only; with `canon` (the rehearsal
/// server), existing resources are compared with their rehearsed form.
async fn plan(app: &App, canon: Option<&App>, pools: &[PoolSeed]) -> Result<Vec<Action>, String> {
    let mut out = Vec::new();
    for pool in pools {
        let mut p = Planner {
            app,
            canon,
            pool,
            out: &mut out,
        };
        p.pool().await?;
    }
    Ok(out)
}

struct Planner<'a> {
    app: &'a App,
    canon: Option<&'a App>,
    pool: &'a PoolSeed,
    out: &'a mut Vec<Action>,
}

impl Planner<'_> {
    fn push(&mut self, path: &str, op: Operation, input: Value, given_id: Option<String>) {
        self.out.push(Action {
            path: path.to_owned(),
            scope: self.pool.scope.clone(),
            op,
            input,
            given_id,
            sealed: None,
        });
    }

    /// A new user's `SealedPassword`, once it is known to open with this server's master key
    /// (the rehearsal's key is its own: there it is written unchecked).
    fn restore(
        &mut self,
        path: &str,
        key: &Value,
        sealed: &str,
        permanent: bool,
    ) -> Result<(), String> {
        let field = |name: &str| key[name].as_str().unwrap_or_default();
        if self.canon.is_some()
            && !crate::ops::users::sealed_password_opens(
                self.app,
                field("UserPoolId"),
                field("Username"),
                sealed,
            )
        {
            return Err(format!(
                "{path}.SealedPassword: does not open with this server's master key as the \
                 verifier of this user in this pool (it was exported by a server of another \
                 master key, or for another pool or user)"
            ));
        }
        let mut input = key.clone();
        input["Permanent"] = json!(permanent);
        self.push(
            &format!("{path}.SealedPassword"),
            Operation::AdminSetUserPassword,
            input,
            None,
        );
        if let Some(last) = self.out.last_mut() {
            last.sealed = Some(sealed.to_owned());
        }
        Ok(())
    }

    /// The resource as it is in the store, and as the file makes it.
    async fn both(
        &self,
        path: &str,
        op: Operation,
        input: Value,
    ) -> Result<Option<(Value, Value)>, String> {
        let scope = &self.pool.scope;
        let Some(now) = read(self.app, scope, op, input.clone())
            .await
            .map_err(|e| format!("{path}: {e}"))?
        else {
            return Ok(None);
        };
        let Some(canon) = self.canon else {
            return Ok(Some((now.clone(), now)));
        };
        let want = read(canon, scope, op, input)
            .await
            .map_err(|e| format!("{path}: {e}"))?
            .ok_or_else(|| format!("{path}: missing from the rehearsal"))?;
        Ok(Some((now, want)))
    }

    async fn pool(&mut self) -> Result<(), String> {
        let pool = self.pool;
        let id = pool.id.as_str();
        let path = pool.entry.path.clone();
        let key = json!({"UserPoolId": id});
        match self.both(&path, Operation::DescribeUserPool, key).await? {
            None => {
                let input = pool.entry.input(Operation::CreateUserPool, id);
                self.push(&path, Operation::CreateUserPool, input, Some(id.to_owned()));
            }
            Some((now, want)) => {
                let (now, want) = (
                    canonical(now["UserPool"].clone()),
                    canonical(want["UserPool"].clone()),
                );
                if now != want {
                    for (field, member) in FIXED_AT_CREATION {
                        if now[field] != want[field] {
                            return Err(format!(
                                "{path}.{member}: differs from pool {id}'s, and cannot change \
                                 once a pool exists (UpdateUserPool does not take it)"
                            ));
                        }
                    }
                    let input = pool.entry.input(Operation::UpdateUserPool, id);
                    self.push(&path, Operation::UpdateUserPool, input, None);
                }
            }
        }
        for e in &pool.resource_servers {
            let key = json!({"UserPoolId": id, "Identifier": e.str("Identifier")});
            self.simple(
                e,
                Operation::DescribeResourceServer,
                "ResourceServer",
                key,
                Operation::CreateResourceServer,
                Operation::UpdateResourceServer,
            )
            .await?;
        }
        for e in &pool.identity_providers {
            let key = json!({"UserPoolId": id, "ProviderName": e.str("ProviderName")});
            self.simple(
                e,
                Operation::DescribeIdentityProvider,
                "IdentityProvider",
                key,
                Operation::CreateIdentityProvider,
                Operation::UpdateIdentityProvider,
            )
            .await?;
        }
        for e in &pool.clients {
            self.client(e).await?;
        }
        for e in &pool.domains {
            self.domain(e).await?;
        }
        for e in &pool.groups {
            let key = json!({"UserPoolId": id, "GroupName": e.str("GroupName")});
            self.simple(
                e,
                Operation::GetGroup,
                "Group",
                key,
                Operation::CreateGroup,
                Operation::UpdateGroup,
            )
            .await?;
        }
        for e in &pool.users {
            self.user(e).await?;
        }
        Ok(())
    }

    /// A resource with a Describe, a Create and an Update of the same members.
    async fn simple(
        &mut self,
        e: &Entry,
        describe: Operation,
        field: &str,
        key: Value,
        create: Operation,
        update: Operation,
    ) -> Result<(), String> {
        let id = self.pool.id.as_str();
        if self.pool_is_new() {
            self.push(&e.path, create, e.input(create, id), None);
            return Ok(());
        }
        match self.both(&e.path, describe, key).await? {
            None => self.push(&e.path, create, e.input(create, id), None),
            Some((now, want))
                if canonical(now[field].clone()) != canonical(want[field].clone()) =>
            {
                self.push(&e.path, update, e.input(update, id), None)
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Whether the plan creates the pool (so nothing of it can be read yet).
    fn pool_is_new(&self) -> bool {
        self.out.iter().any(|a| {
            a.op == Operation::CreateUserPool && a.given_id.as_deref() == Some(&self.pool.id)
        })
    }

    async fn client(&mut self, e: &Entry) -> Result<(), String> {
        let pool_id = self.pool.id.clone();
        let path = e.path.clone();
        let create = e.input(Operation::CreateUserPoolClient, &pool_id);
        let given = e.str("ClientId").map(str::to_owned);
        if self.pool_is_new() {
            self.push(&path, Operation::CreateUserPoolClient, create, given);
            return Ok(());
        }
        if let Some(id) = &given {
            let found = crate::ops::client_documents::find(self.app, id)
                .await
                .map_err(|e| format!("{path}: {}", show(&e)))?;
            if let Some((other, _)) = found.filter(|(other, _)| *other != pool_id) {
                return Err(format!(
                    "{path}.ClientId: {id} is an app client of pool {other}"
                ));
            }
        }
        let name = e.str("ClientName");
        let id = match &given {
            Some(id) => Some(id.clone()),
            None => self.client_by_name(&path, self.app, name).await?,
        };
        let scope = &self.pool.scope;
        let now = match &id {
            Some(id) => {
                let key = json!({"UserPoolId": pool_id, "ClientId": id});
                read(self.app, scope, Operation::DescribeUserPoolClient, key)
                    .await
                    .map_err(|e| format!("{path}: {e}"))?
            }
            None => None,
        };
        let (Some(id), Some(now)) = (id, now) else {
            self.push(&path, Operation::CreateUserPoolClient, create, given);
            return Ok(());
        };
        let now = now["UserPoolClient"].clone();
        let want = match self.canon {
            None => now.clone(),
            Some(canon) => {
                let rehearsed = match &given {
                    Some(id) => Some(id.clone()),
                    None => self.client_by_name(&path, canon, name).await?,
                };
                let key = json!({"UserPoolId": pool_id, "ClientId": rehearsed});
                read(canon, scope, Operation::DescribeUserPoolClient, key)
                    .await
                    .map_err(|e| format!("{path}: {e}"))?
                    .ok_or_else(|| format!("{path}: missing from the rehearsal"))?["UserPoolClient"]
                    .clone()
            }
        };
        if now["ClientSecret"].is_string() != want["ClientSecret"].is_string() {
            return Err(format!(
                "{path}.GenerateSecret: client {id} {} a secret, and that cannot change",
                if now["ClientSecret"].is_string() {
                    "has"
                } else {
                    "has no"
                }
            ));
        }
        if let Some(secret) = e.str("ClientSecret") {
            if now["ClientSecret"] != json!(secret) {
                return Err(format!(
                    "{path}.ClientSecret: client {id} has another secret; rotate it with \
                     AddUserPoolClientSecret and DeleteUserPoolClientSecret"
                ));
            }
        }
        if canonical(now) != canonical(want) {
            let mut update = e.input(Operation::UpdateUserPoolClient, &pool_id);
            update["ClientId"] = json!(id);
            self.push(&path, Operation::UpdateUserPoolClient, update, None);
        }
        Ok(())
    }

    /// The id of the one client named `name` in the pool.
    async fn client_by_name(
        &self,
        path: &str,
        app: &App,
        name: Option<&str>,
    ) -> Result<Option<String>, String> {
        let mut found = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut input = json!({"UserPoolId": self.pool.id, "MaxResults": 60});
            if let Some(t) = &token {
                input["NextToken"] = json!(t);
            }
            let page = invoke(
                app,
                self.pool.scope.clone(),
                Operation::ListUserPoolClients,
                input,
                None,
            )
            .await
            .map_err(|e| format!("{path}: {}", show(&e)))?;
            for c in page["UserPoolClients"].as_array().into_iter().flatten() {
                if name.is_some_and(|n| c["ClientName"] == json!(n)) {
                    found.extend(c["ClientId"].as_str().map(str::to_owned));
                }
            }
            match page["NextToken"].as_str() {
                Some(t) => token = Some(t.to_owned()),
                None => break,
            }
        }
        match found.len() {
            0 | 1 => Ok(found.pop()),
            n => Err(format!(
                "{path}: {n} app clients are named {}; give the client's ClientId",
                name.unwrap_or_default()
            )),
        }
    }

    async fn domain(&mut self, e: &Entry) -> Result<(), String> {
        let pool_id = self.pool.id.clone();
        let create = e.input(Operation::CreateUserPoolDomain, &pool_id);
        if self.pool_is_new() {
            self.push(&e.path, Operation::CreateUserPoolDomain, create, None);
            return Ok(());
        }
        let now = read(
            self.app,
            &self.pool.scope,
            Operation::DescribeUserPoolDomain,
            json!({"Domain": e.str("Domain")}),
        )
        .await
        .map_err(|err| format!("{}: {err}", e.path))?
        .unwrap_or_default();
        let now = &now["DomainDescription"];
        match now["UserPoolId"].as_str() {
            None => self.push(&e.path, Operation::CreateUserPoolDomain, create, None),
            Some(other) if other != pool_id => {
                return Err(format!(
                    "{}.Domain: {} is the domain of pool {other}",
                    e.path,
                    e.str("Domain").unwrap_or_default()
                ))
            }
            Some(_) => {
                let wanted = e.fields.get("ManagedLoginVersion");
                if wanted.is_some_and(|v| *v != now["ManagedLoginVersion"]) {
                    let update = e.input(Operation::UpdateUserPoolDomain, &pool_id);
                    self.push(&e.path, Operation::UpdateUserPoolDomain, update, None);
                }
            }
        }
        Ok(())
    }

    async fn user(&mut self, e: &Entry) -> Result<(), String> {
        let pool_id = self.pool.id.clone();
        let path = e.path.clone();
        let username = e.str("Username").unwrap_or_default().to_owned();
        let groups: Vec<String> = e
            .fields
            .get("Groups")
            .and_then(Value::as_array)
            .map(|g| {
                g.iter()
                    .filter_map(|g| g.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let password = e.str("Password").map(str::to_owned);
        let sealed = e.str("SealedPassword").map(str::to_owned);
        if password.is_some() && sealed.is_some() {
            return Err(format!(
                "{path}: a user has a Password or a SealedPassword, not both"
            ));
        }
        let permanent = e
            .fields
            .get("Permanent")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let enabled = e.fields.get("Enabled").and_then(Value::as_bool);
        let key = json!({"UserPoolId": pool_id, "Username": username});
        let existing = match self.pool_is_new() {
            true => None,
            false => {
                self.both(&path, Operation::AdminGetUser, key.clone())
                    .await?
            }
        };
        let mut current_groups = Vec::new();
        match existing {
            None => {
                let mut create = e.input(Operation::AdminCreateUser, &pool_id);
                if create.get("MessageAction").is_none() {
                    create["MessageAction"] = json!("SUPPRESS");
                }
                if let (Some(pw), None) = (&password, create.get("TemporaryPassword")) {
                    create["TemporaryPassword"] = json!(pw);
                }
                self.push(&path, Operation::AdminCreateUser, create, None);
                if let Some(sealed) = &sealed {
                    self.restore(&path, &key, sealed, permanent)?;
                }
                if let (Some(pw), true) = (&password, permanent) {
                    let mut set = key.clone();
                    set["Password"] = json!(pw);
                    set["Permanent"] = json!(true);
                    self.push(
                        &format!("{path}.Password"),
                        Operation::AdminSetUserPassword,
                        set,
                        None,
                    );
                }
            }
            Some((now, want)) => {
                let attrs = |v: &Value| -> Map<String, Value> {
                    v["UserAttributes"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|a| a["Name"] != "sub")
                        .map(|a| {
                            (
                                a["Name"].as_str().unwrap_or_default().to_owned(),
                                a["Value"].clone(),
                            )
                        })
                        .collect()
                };
                let (have, wanted) = (attrs(&now), attrs(&want));
                let changed: Vec<Value> = wanted
                    .iter()
                    .filter(|(k, v)| have.get(*k) != Some(v))
                    .map(|(k, v)| json!({"Name": k, "Value": v}))
                    .collect();
                if !changed.is_empty() {
                    let mut update = key.clone();
                    update["UserAttributes"] = json!(changed);
                    self.push(
                        &format!("{path}.UserAttributes"),
                        Operation::AdminUpdateUserAttributes,
                        update,
                        None,
                    );
                }
                if let Some(pw) = &password {
                    let same = crate::ops::password_matches(self.app, &pool_id, &username, pw)
                        .await
                        .map_err(|err| format!("{path}: {}", show(&err)))?;
                    if !same {
                        tracing::warn!(
                            path = %format!("{path}.Password"),
                            "the user exists with another password, left as it is: a seed \
                             sets a password only when it creates the user"
                        );
                    }
                }
                if let Some(en) = enabled.filter(|en| now["Enabled"] != json!(en)) {
                    self.enable(&path, &key, en);
                }
                let listed = invoke(
                    self.app,
                    self.pool.scope.clone(),
                    Operation::AdminListGroupsForUser,
                    json!({"UserPoolId": pool_id, "Username": username, "Limit": 60}),
                    None,
                )
                .await
                .map_err(|err| format!("{path}: {}", show(&err)))?;
                current_groups = listed["Groups"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|g| g["GroupName"].as_str().map(str::to_owned))
                    .collect();
            }
        }
        for (i, group) in groups.iter().enumerate() {
            if !current_groups.contains(group) {
                let mut add = key.clone();
                add["GroupName"] = json!(group);
                self.push(
                    &format!("{path}.Groups[{i}]"),
                    Operation::AdminAddUserToGroup,
                    add,
                    None,
                );
            }
        }
        if enabled == Some(false) && self.created_user(&path) {
            self.enable(&path, &key, false);
        }
        Ok(())
    }

    fn created_user(&self, path: &str) -> bool {
        self.out
            .iter()
            .any(|a| a.op == Operation::AdminCreateUser && a.path == path)
    }

    fn enable(&mut self, path: &str, key: &Value, enabled: bool) {
        let op = match enabled {
            true => Operation::AdminEnableUser,
            false => Operation::AdminDisableUser,
        };
        self.push(&format!("{path}.Enabled"), op, key.clone(), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_cognitos_shapes() {
        assert!(is_pool_id("us-east-1_AbCdE1234"));
        assert!(!is_pool_id("us-east-1_AbCdE123"));
        assert!(!is_pool_id("us-east-1_AbCdE12345"));
        assert!(!is_pool_id("US-EAST-1_AbCdE1234"));
        assert!(!is_pool_id("AbCdE1234"));
        assert!(is_client_id("abcdefghijklmnopqrstuvwxy0"));
        assert!(!is_client_id("Abcdefghijklmnopqrstuvwxy0"));
        assert!(!is_client_id("abcdefghijklmnopqrstuvwxy"));
    }

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
