//! PreTokenGeneration: the event Cognito sends before it signs a sign-in's or a refresh's
//! tokens, and what the function's answer may change in them.
//!
//! A `V1_0` function (event version "1") answers `claimsOverrideDetails`, which changes the ID
//! token (string values); `V2_0` and `V3_0` ("2", "3") answer `claimsAndScopeOverrideDetails`,
//! with `idTokenGeneration` and `accessTokenGeneration` (any JSON value; the access token's
//! scopes too). Either may replace the groups (`groupOverrideDetails`) of both tokens. Claims
//! Cognito keeps for itself are left as they are whatever the function asks; a claim both
//! added and suppressed is suppressed. An answer of the wrong shape is "Unrecognizable lambda
//! output".

use super::triggers::{self, run, string_map, unrecognizable, Source, Trigger};
use crate::app::App;
use ironpool_api::types::*;
use ironpool_api::ApiError;
use ironpool_store::User;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// What the tokens being issued are for: the pool, the `triggerSource`
/// (`TokenGeneration_Authentication`, `_NewPasswordChallenge`, `_AuthenticateDevice`,
/// `_RefreshTokens`; the hosted UI's sign-in is `_HostedAuth`) and the ClientMetadata the
/// function receives.
pub(crate) struct Generation<'a> {
    pub pool: &'a UserPoolType,
    pub source: &'static str,
    pub client_metadata: Option<&'a BTreeMap<String, String>>,
    /// What a sign-in through the authorization server asked for.
    pub oauth: Option<&'a super::tokens::OAuthGrant>,
}

/// The `triggerSource` of a sign-in's tokens, by the challenge whose answer ended it (none
/// when InitiateAuth did).
pub(crate) fn sign_in_source(challenge: Option<&ChallengeNameType>) -> &'static str {
    match challenge {
        Some(ChallengeNameType::NewPasswordRequired) => "TokenGeneration_NewPasswordChallenge",
        Some(ChallengeNameType::DevicePasswordVerifier) => "TokenGeneration_AuthenticateDevice",
        _ => "TokenGeneration_Authentication",
    }
}

/// Claims no function changes, adds or suppresses.
const KEPT: &[&str] = &[
    "acr",
    "amr",
    "at_hash",
    "aud",
    "auth_time",
    "azp",
    "client_id",
    "cognito:username",
    "device_key",
    "event_id",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "scope",
    "sub",
    "token_use",
    "username",
    "version",
];

/// The `cognito:` claims a function may suppress (and set through `groupOverrideDetails`).
const GROUP_CLAIMS: &[&str] = &["cognito:groups", "cognito:roles", "cognito:preferred_role"];

/// ID token claims that take no array or object.
const SCALAR_ONLY: &[&str] = &[
    "address",
    "email_verified",
    "phone_number_verified",
    "updated_at",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    Id,
    Access,
}

/// Runs the pool's PreTokenGeneration function, if it names one, over the claims about to be
/// signed, and applies its answer to them.
pub(crate) async fn pre_token_generation(
    app: &App,
    generation: &Generation<'_>,
    client: &UserPoolClientType,
    user: &User,
    id: &mut Map<String, Value>,
    access: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    let Some((_, version)) = Trigger::PreTokenGeneration.function(generation.pool) else {
        return Ok(());
    };
    let mut request = json!({
        "userAttributes": triggers::user_attributes(user),
        "groupConfiguration": {
            "groupsToOverride": id.get("cognito:groups").cloned().unwrap_or(json!([])),
            "iamRolesToOverride": id.get("cognito:roles").cloned().unwrap_or(json!([])),
            "preferredRole": id.get("cognito:preferred_role").cloned().unwrap_or(Value::Null),
        },
        "clientMetadata": string_map(generation.client_metadata),
    });
    if version != "1" {
        request["scopes"] = json!(scopes(access));
    }
    let client_id = super::client_documents::client_id_of(client);
    let source = Source {
        trigger: Trigger::PreTokenGeneration,
        source: generation.source,
        user_name: Some(&user.username),
        client_id: Some(&client_id),
    };
    let Some(response) = run(app, generation.pool, source, request).await? else {
        return Ok(());
    };
    if version == "1" {
        let Some(details) = object(response.get("claimsOverrideDetails"))? else {
            return Ok(());
        };
        override_groups(details, id, access)?;
        add_claims(id, details, Token::Id, false, &client_id)?;
        return suppress_claims(id, details);
    }
    let Some(details) = object(response.get("claimsAndScopeOverrideDetails"))? else {
        return Ok(());
    };
    override_groups(details, id, access)?;
    if let Some(changes) = object(details.get("idTokenGeneration"))? {
        add_claims(id, changes, Token::Id, true, &client_id)?;
        suppress_claims(id, changes)?;
    }
    if let Some(changes) = object(details.get("accessTokenGeneration"))? {
        add_claims(access, changes, Token::Access, true, &client_id)?;
        suppress_claims(access, changes)?;
        change_scopes(access, changes)?;
    }
    Ok(())
}

/// An M2M access token's PreTokenGeneration (`TokenGeneration_ClientCredentials`): only a
/// `V3_0` function hears of it, about no user, and only its access token changes apply.
pub(crate) async fn client_credentials_generation(
    app: &App,
    pool: &UserPoolType,
    client_id: &str,
    client_metadata: Option<&BTreeMap<String, String>>,
    access: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    if !matches!(Trigger::PreTokenGeneration.function(pool), Some((_, "3"))) {
        return Ok(());
    }
    let request = json!({
        "userAttributes": {},
        "groupConfiguration": null,
        "scopes": scopes(access),
        "clientMetadata": string_map(client_metadata),
    });
    let source = Source {
        trigger: Trigger::PreTokenGeneration,
        source: "TokenGeneration_ClientCredentials",
        user_name: None,
        client_id: Some(client_id),
    };
    let Some(response) = run(app, pool, source, request).await? else {
        return Ok(());
    };
    let Some(details) = object(response.get("claimsAndScopeOverrideDetails"))? else {
        return Ok(());
    };
    if let Some(changes) = object(details.get("accessTokenGeneration"))? {
        add_claims(access, changes, Token::Access, true, client_id)?;
        suppress_claims(access, changes)?;
        change_scopes(access, changes)?;
    }
    Ok(())
}

/// An access token's scopes.
pub(crate) fn scopes(access: &Map<String, Value>) -> Vec<String> {
    access
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// An object of the answer: None when absent or null.
fn object(value: Option<&Value>) -> Result<Option<&Map<String, Value>>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(unrecognizable()),
    }
}

/// A list of strings of the answer: empty when absent or null.
fn strings(value: Option<&Value>) -> Result<Vec<&str>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().ok_or_else(unrecognizable))
            .collect(),
        Some(_) => Err(unrecognizable()),
    }
}

fn set(claims: &mut Map<String, Value>, name: &str, value: Option<Value>) {
    match value {
        Some(value) => claims.insert(name.to_owned(), value),
        None => claims.remove(name),
    };
}

/// `groupOverrideDetails` replaces the groups of both tokens and the ID token's roles; an
/// empty or null one removes them.
fn override_groups(
    details: &Map<String, Value>,
    id: &mut Map<String, Value>,
    access: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    let Some(given) = details.get("groupOverrideDetails") else {
        return Ok(());
    };
    let empty = Map::new();
    let given = object(Some(given))?.unwrap_or(&empty);
    let groups = strings(given.get("groupsToOverride"))?;
    let roles = strings(given.get("iamRolesToOverride"))?;
    let preferred = match given.get("preferredRole") {
        None | Some(Value::Null) => None,
        Some(Value::String(role)) => Some(json!(role)),
        Some(_) => return Err(unrecognizable()),
    };
    let groups = (!groups.is_empty()).then(|| json!(groups));
    set(id, "cognito:groups", groups.clone());
    set(access, "cognito:groups", groups);
    set(
        id,
        "cognito:roles",
        (!roles.is_empty()).then(|| json!(roles)),
    );
    set(id, "cognito:preferred_role", preferred);
    Ok(())
}

/// `claimsToAddOrOverride`: strings for a V1 answer (numbers and booleans become strings),
/// any JSON value for V2 and V3 (`complex`) but a scalar for the ID token's [`SCALAR_ONLY`].
fn add_claims(
    claims: &mut Map<String, Value>,
    changes: &Map<String, Value>,
    token: Token,
    complex: bool,
    client_id: &str,
) -> Result<(), ApiError> {
    let Some(given) = object(changes.get("claimsToAddOrOverride"))? else {
        return Ok(());
    };
    for (name, value) in given {
        let value = match value {
            Value::Null => continue,
            Value::String(_) => value.clone(),
            Value::Number(_) | Value::Bool(_) if !complex => json!(value.to_string()),
            Value::Number(_) | Value::Bool(_) => value.clone(),
            Value::Array(_) | Value::Object(_)
                if complex && !(token == Token::Id && SCALAR_ONLY.contains(&name.as_str())) =>
            {
                value.clone()
            }
            _ => return Err(unrecognizable()),
        };
        // An access token may carry an `aud`, the app client's own.
        let own_audience = token == Token::Access && name == "aud" && value == client_id;
        let kept = KEPT.contains(&name.as_str())
            || name.starts_with("cognito:")
            || name.starts_with("dev:");
        if !kept || own_audience {
            claims.insert(name.clone(), value);
        }
    }
    Ok(())
}

/// `claimsToSuppress`: any claim but the ones Cognito keeps.
fn suppress_claims(
    claims: &mut Map<String, Value>,
    changes: &Map<String, Value>,
) -> Result<(), ApiError> {
    for name in strings(changes.get("claimsToSuppress"))? {
        let kept =
            KEPT.contains(&name) || (name.starts_with("cognito:") && !GROUP_CLAIMS.contains(&name));
        if !kept {
            claims.remove(name);
        }
    }
    Ok(())
}

/// `scopesToAdd` and `scopesToSuppress` (which wins) of the access token; a scope is one word.
fn change_scopes(
    access: &mut Map<String, Value>,
    changes: &Map<String, Value>,
) -> Result<(), ApiError> {
    let add = strings(changes.get("scopesToAdd"))?;
    let suppress = strings(changes.get("scopesToSuppress"))?;
    if add
        .iter()
        .any(|s| s.is_empty() || s.contains(char::is_whitespace))
    {
        return Err(unrecognizable());
    }
    let mut scopes = scopes(access);
    for scope in add {
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    scopes.retain(|s| !suppress.contains(&s.as_str()));
    let scope = (!scopes.is_empty()).then(|| json!(scopes.join(" ")));
    set(access, "scope", scope);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn kept_claims_stay_and_suppression_wins() {
        let mut id = map(json!({"sub": "s", "iss": "i", "email": "a@example.com",
            "cognito:username": "u", "cognito:groups": ["g"], "name": "N"}));
        let changes = map(json!({
            "claimsToAddOrOverride": {"sub": "x", "iss": "x", "cognito:username": "x",
                "cognito:groups": "x", "dev:x": "x", "tier": 3, "flag": true, "name": "M",
                "gone": "y"},
            "claimsToSuppress": ["email", "sub", "cognito:username", "cognito:groups", "gone"],
        }));
        add_claims(&mut id, &changes, Token::Id, false, "c").unwrap();
        suppress_claims(&mut id, &changes).unwrap();
        assert_eq!(
            Value::Object(id),
            json!({"sub": "s", "iss": "i", "cognito:username": "u", "name": "M",
                "tier": "3", "flag": "true"})
        );
    }

    #[test]
    fn values_by_version() {
        let mut id = Map::new();
        let list = map(json!({"claimsToAddOrOverride": {"roles": ["a", 1]}}));
        assert!(add_claims(&mut id, &list, Token::Id, false, "c").is_err());
        add_claims(&mut id, &list, Token::Id, true, "c").unwrap();
        assert_eq!(id["roles"], json!(["a", 1]));
        let verified = map(json!({"claimsToAddOrOverride": {"email_verified": {"a": 1}}}));
        assert!(add_claims(&mut id, &verified, Token::Id, true, "c").is_err());
        let mut access = Map::new();
        add_claims(&mut access, &verified, Token::Access, true, "c").unwrap();
        let aud = map(json!({"claimsToAddOrOverride": {"aud": "other"}}));
        add_claims(&mut access, &aud, Token::Access, true, "c").unwrap();
        assert!(access.get("aud").is_none());
        let aud = map(json!({"claimsToAddOrOverride": {"aud": "c"}}));
        add_claims(&mut access, &aud, Token::Access, true, "c").unwrap();
        assert_eq!(access["aud"], "c");
        let bad = map(json!({"claimsToSuppress": "email"}));
        assert!(suppress_claims(&mut id, &bad).is_err());
    }

    #[test]
    fn scopes_and_groups() {
        let mut access = map(json!({"scope": "aws.cognito.signin.user.admin"}));
        let changes = map(json!({"scopesToAdd": ["photos/read", "photos/write"],
            "scopesToSuppress": ["aws.cognito.signin.user.admin", "photos/write"]}));
        change_scopes(&mut access, &changes).unwrap();
        assert_eq!(access["scope"], "photos/read");
        let spaced = map(json!({"scopesToAdd": ["a b"]}));
        assert!(change_scopes(&mut access, &spaced).is_err());

        let mut id = map(json!({"cognito:groups": ["g"], "cognito:roles": ["r"],
            "cognito:preferred_role": "r"}));
        let mut access = map(json!({"cognito:groups": ["g"]}));
        let details = map(json!({"groupOverrideDetails": {"groupsToOverride": ["h"]}}));
        override_groups(&details, &mut id, &mut access).unwrap();
        assert_eq!(Value::Object(id.clone()), json!({"cognito:groups": ["h"]}));
        assert_eq!(
            Value::Object(access.clone()),
            json!({"cognito:groups": ["h"]})
        );
        let details = map(json!({"groupOverrideDetails": null}));
        override_groups(&details, &mut id, &mut access).unwrap();
        assert!(id.is_empty() && access.is_empty());
    }
}
