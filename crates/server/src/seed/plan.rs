//! The plan: the calls that bring a store to what the file says, worked out by reads alone.

use super::file::{Entry, PoolSeed};
use super::{show, Action};
use crate::app::App;
use crate::ops::invoke;
use crate::scope::Scope;
use ironpool_api::{ErrorCode, Operation};
use serde_json::{json, Map, Value};

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

/// The calls that bring `app` to what `pools` say, by reads only; with `canon` (the rehearsal
/// server), existing resources are compared with their rehearsed form.
pub(super) async fn plan(
    app: &App,
    canon: Option<&App>,
    pools: &[PoolSeed],
) -> Result<Vec<Action>, String> {
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
