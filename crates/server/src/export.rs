//! `ironpool export`: a server's data written as a seed file (`crate::seed`) that re-creates
//! it, read through the API's own operations. Users come without passwords (a seed file holds
//! plain passwords, and only verifiers are kept), so they are re-created with a temporary one;
//! or, asked for (`--sealed-passwords`), with their verifiers as kept, sealed with the master
//! key, which a server of that key takes back (`SealedPassword`).

use crate::app::{App, OrInternal};
use crate::ops::invoke;
use crate::scope::Scope;
use ironpool_api::{ApiError, Operation, ShapeKind};
use serde_json::{json, Map, Value};

/// What to export.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'a> {
    /// Only this pool.
    pub only: Option<&'a str>,
    /// Each user's verifier, sealed with the master key, where the username names it.
    pub sealed_passwords: bool,
}

/// The seed file of every pool, or of pool `only`.
pub async fn export(app: &App, options: Options<'_>) -> Result<Value, String> {
    let only = options.only;
    let mut pools = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .store
            .list_user_pools(after.as_deref(), 100)
            .await
            .map_err(|e| format!("cannot list the pools: {e}"))?;
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        for pool in page {
            let id = pool.id.clone().unwrap_or_default();
            if only.is_some_and(|o| o != id) {
                continue;
            }
            let scope = Scope::of_pool(app, &pool);
            pools.push(
                export_pool(app, &scope, &id, options.sealed_passwords)
                    .await
                    .map_err(|e| format!("pool {id}: {}: {}", e.code.as_str(), e.message))?,
            );
        }
    }
    if let Some(id) = only.filter(|_| pools.is_empty()) {
        return Err(format!("User pool {id} does not exist."));
    }
    Ok(json!({ "UserPools": pools }))
}

/// The members of `op`'s input found in `from`, without `UserPoolId` (implied in a seed).
fn request(op: Operation, from: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    if let ShapeKind::Structure { members } = &op.input_shape().shape().kind {
        for m in members.iter().filter(|m| m.name != "UserPoolId") {
            if let Some(v) = from.get(m.name).filter(|v| !v.is_null()) {
                out.insert(m.name.to_owned(), v.clone());
            }
        }
    }
    out
}

async fn call(app: &App, scope: &Scope, op: Operation, input: Value) -> Result<Value, ApiError> {
    invoke(app, scope.clone(), op, input, None).await
}

/// Every page of a list operation: the items under `field`.
async fn all(
    app: &App,
    scope: &Scope,
    op: Operation,
    mut input: Value,
    field: &str,
    token: &str,
) -> Result<Vec<Value>, ApiError> {
    let mut items = Vec::new();
    loop {
        let page = call(app, scope, op, input.clone()).await?;
        items.extend(page[field].as_array().cloned().unwrap_or_default());
        match page[token].as_str() {
            Some(t) => input[token] = json!(t),
            None => return Ok(items),
        }
    }
}

async fn export_pool(
    app: &App,
    scope: &Scope,
    id: &str,
    sealed_passwords: bool,
) -> Result<Value, ApiError> {
    let key = json!({ "UserPoolId": id });
    let described = call(app, scope, Operation::DescribeUserPool, key.clone()).await?;
    let pool = &described["UserPool"];
    let mut entry = Map::new();
    entry.insert("Id".into(), json!(id));
    if scope.account_id != app.config.account_id {
        entry.insert("AccountId".into(), json!(scope.account_id));
    }
    let mut settings = pool.clone();
    settings["PoolName"] = pool["Name"].clone();
    settings["Schema"] = json!(schema(pool));
    entry.extend(request(Operation::CreateUserPool, &settings));
    if entry["Schema"].as_array().is_some_and(Vec::is_empty) {
        entry.remove("Schema");
    }

    let servers = all(
        app,
        scope,
        Operation::ListResourceServers,
        json!({"UserPoolId": id, "MaxResults": 50}),
        "ResourceServers",
        "NextToken",
    )
    .await?;
    let servers: Vec<_> = servers
        .iter()
        .map(|s| request(Operation::CreateResourceServer, s))
        .collect();

    let providers = all(
        app,
        scope,
        Operation::ListIdentityProviders,
        json!({"UserPoolId": id, "MaxResults": 60}),
        "Providers",
        "NextToken",
    )
    .await?;
    let mut idps = Vec::new();
    for p in providers {
        let d = call(
            app,
            scope,
            Operation::DescribeIdentityProvider,
            json!({"UserPoolId": id, "ProviderName": p["ProviderName"]}),
        )
        .await?;
        idps.push(request(
            Operation::CreateIdentityProvider,
            &d["IdentityProvider"],
        ));
    }

    let listed = all(
        app,
        scope,
        Operation::ListUserPoolClients,
        json!({"UserPoolId": id, "MaxResults": 60}),
        "UserPoolClients",
        "NextToken",
    )
    .await?;
    let mut clients = Vec::new();
    for c in listed {
        let d = call(
            app,
            scope,
            Operation::DescribeUserPoolClient,
            json!({"UserPoolId": id, "ClientId": c["ClientId"]}),
        )
        .await?;
        let d = &d["UserPoolClient"];
        let mut client = Map::new();
        client.insert("ClientId".into(), d["ClientId"].clone());
        client.extend(request(Operation::CreateUserPoolClient, d));
        if d["ClientSecret"].is_string() {
            client.insert("GenerateSecret".into(), json!(true));
        }
        clients.push(client);
    }

    let mut domains = Vec::new();
    for name in [&pool["Domain"], &pool["CustomDomain"]] {
        let Some(name) = name.as_str() else { continue };
        let d = call(
            app,
            scope,
            Operation::DescribeUserPoolDomain,
            json!({ "Domain": name }),
        )
        .await?;
        domains.push(request(
            Operation::CreateUserPoolDomain,
            &d["DomainDescription"],
        ));
    }

    let groups = all(
        app,
        scope,
        Operation::ListGroups,
        json!({"UserPoolId": id, "Limit": 60}),
        "Groups",
        "NextToken",
    )
    .await?;
    let groups: Vec<_> = groups
        .iter()
        .map(|g| request(Operation::CreateGroup, g))
        .collect();

    let users = all(
        app,
        scope,
        Operation::ListUsers,
        json!({"UserPoolId": id, "Limit": 60}),
        "Users",
        "PaginationToken",
    )
    .await?;
    let by_attribute = pool["UsernameAttributes"]
        .as_array()
        .is_some_and(|a| !a.is_empty());
    let mut seeded = Vec::new();
    for u in users {
        let mut user = export_user(app, scope, id, &u, by_attribute).await?;
        if sealed_passwords && !by_attribute {
            sealed_password(app, id, &u, &mut user).await?;
        }
        seeded.push(user);
    }

    for (key, list) in [
        ("ResourceServers", servers),
        ("IdentityProviders", idps),
        ("UserPoolClients", clients),
        ("Domains", domains),
        ("Groups", groups),
        ("Users", seeded),
    ] {
        if !list.is_empty() {
            entry.insert(key.into(), json!(list));
        }
    }
    Ok(Value::Object(entry))
}

/// A user as AdminCreateUser takes it, with its groups and whether it is enabled. In pools
/// whose UsernameAttributes make email or phone the sign-in name, the username is that.
async fn export_user(
    app: &App,
    scope: &Scope,
    pool_id: &str,
    u: &Value,
    by_attribute: bool,
) -> Result<Map<String, Value>, ApiError> {
    let username = u["Username"].clone();
    let attributes: Vec<Value> = u["Attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["Name"] != "sub")
        .cloned()
        .collect();
    let attribute = |name: &str| {
        attributes
            .iter()
            .find(|a| a["Name"] == name)
            .map(|a| a["Value"].clone())
    };
    let name = match by_attribute {
        true => attribute("email")
            .or_else(|| attribute("phone_number"))
            .unwrap_or(username.clone()),
        false => username.clone(),
    };
    let mut user = Map::new();
    user.insert("Username".into(), name);
    if !attributes.is_empty() {
        user.insert("UserAttributes".into(), json!(attributes));
    }
    let groups = all(
        app,
        scope,
        Operation::AdminListGroupsForUser,
        json!({"UserPoolId": pool_id, "Username": username, "Limit": 60}),
        "Groups",
        "NextToken",
    )
    .await?;
    let groups: Vec<_> = groups.iter().map(|g| g["GroupName"].clone()).collect();
    if !groups.is_empty() {
        user.insert("Groups".into(), json!(groups));
    }
    if u["Enabled"] == json!(false) {
        user.insert("Enabled".into(), json!(false));
    }
    Ok(user)
}

/// The user's verifier as kept, sealed (`SealedPassword`), and `Permanent: false` for a
/// temporary one. Not in pools whose UsernameAttributes sign users in by email or phone: the
/// verifier is made for the username, which a new pool gives anew.
async fn sealed_password(
    app: &App,
    pool_id: &str,
    u: &Value,
    user: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    let username = u["Username"].as_str().unwrap_or_default();
    let stored = app.store.get_user(pool_id, username).await.or_internal()?;
    if let Some((sealed, temporary)) = stored.as_ref().and_then(crate::ops::users::sealed_password)
    {
        user.insert("SealedPassword".into(), json!(sealed));
        if temporary {
            user.insert("Permanent".into(), json!(false));
        }
    }
    Ok(())
}

/// The pool's schema as CreateUserPool takes it: custom attributes (without `custom:`), and
/// the standard ones that are not as every pool has them (required, or immutable).
fn schema(pool: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for a in pool["SchemaAttributes"].as_array().into_iter().flatten() {
        let name = a["Name"].as_str().unwrap_or_default();
        let mut a = a.clone();
        if let Some(custom) = name.strip_prefix("custom:") {
            a["Name"] = json!(custom);
        } else if name == "sub" || (a["Required"] != json!(true) && a["Mutable"] != json!(false)) {
            continue;
        }
        if let Some(m) = a.as_object_mut() {
            m.retain(|k, _| {
                matches!(
                    k.as_str(),
                    "Name"
                        | "AttributeDataType"
                        | "DeveloperOnlyAttribute"
                        | "Mutable"
                        | "Required"
                        | "NumberAttributeConstraints"
                        | "StringAttributeConstraints"
                )
            });
        }
        out.push(a);
    }
    out
}

/// Writes `seed` as YAML, or JSON when `json`.
pub fn render(seed: &Value, json: bool) -> Result<String, ApiError> {
    match json {
        true => serde_json::to_string_pretty(seed)
            .map(|s| s + "\n")
            .or_internal(),
        false => serde_norway::to_string(seed).or_internal(),
    }
}
