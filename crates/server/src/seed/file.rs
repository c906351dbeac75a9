//! The seed file: parsed, and its entries checked against the operations' input members, its
//! ids against Cognito's shapes.

use crate::app::App;
use crate::scope::{region_of_pool_id, Scope};
use ironpool_api::{Operation, ShapeKind};
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
pub(super) struct Entry {
    pub(super) path: String,
    pub(super) fields: Map<String, Value>,
}

impl Entry {
    pub(super) fn str(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }

    /// The request input: the members of `shape`, with `UserPoolId`.
    pub(super) fn input(&self, op: Operation, pool_id: &str) -> Value {
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

    pub(super) fn nested(
        &self,
        key: &str,
        op: Operation,
        extras: &[&str],
    ) -> Result<Vec<Entry>, String> {
        let Some(list) = self.fields.get(key) else {
            return Ok(Vec::new());
        };
        entries(&format!("{}.{key}", self.path), list, op, extras)
    }
}

#[derive(Clone, Debug)]
pub(super) struct PoolSeed {
    pub(super) entry: Entry,
    pub(super) id: String,
    pub(super) scope: Scope,
    pub(super) clients: Vec<Entry>,
    pub(super) groups: Vec<Entry>,
    pub(super) resource_servers: Vec<Entry>,
    pub(super) identity_providers: Vec<Entry>,
    pub(super) domains: Vec<Entry>,
    pub(super) users: Vec<Entry>,
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
pub(super) fn pools_of(app: &App, doc: &Value) -> Result<Vec<PoolSeed>, String> {
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
}
