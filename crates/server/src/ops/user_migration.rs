//! The UserMigration trigger: a user the pool does not know, signing in with a password
//! (`UserMigration_Authentication`) or asking for a reset code (`UserMigration_ForgotPassword`),
//! is looked up by the pool's function in the directory the application migrates from, and
//! created here with the attributes and status it returns.

use super::admin_users::{create_conflict, new_identity};
use super::auth::hides_existence;
use super::client_documents::client_id_of;
use super::triggers::{self, Source, Trigger};
use super::user_attributes::{self as attrs, Write};
use super::users::keep_password;
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode, Sensitive};
use ironpool_store::User;
use serde_json::{json, Value};

/// Why a user is migrated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Migration<'a> {
    /// Signing in with this password.
    Authentication(&'a str),
    ForgotPassword,
}

/// Migrates `username` through the pool's UserMigration function for `client`: the created
/// user, or None when the pool has no such function. A function that refuses (fails, or
/// returns no attributes) is Cognito's UserNotFoundException "Exception migrating user in app
/// client ..."; for a client that hides user existence it is None, the caller answering as it
/// answers any unknown user.
pub(crate) async fn migrate(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    username: &str,
    why: Migration<'_>,
) -> Result<Option<User>, ApiError> {
    if !triggers::configured(pool, Trigger::UserMigration) {
        return Ok(None);
    }
    let client_id = client_id_of(client);
    let refused = || {
        if hides_existence(client) {
            Ok(None)
        } else {
            Err(ApiError::new(
                ErrorCode::UserNotFoundException,
                format!("Exception migrating user in app client {client_id}"),
            ))
        }
    };
    let (source, request) = match why {
        Migration::Authentication(password) => (
            "UserMigration_Authentication",
            json!({
                "password": password,
                "validationData": triggers::client_metadata(),
                "clientMetadata": triggers::client_metadata(),
            }),
        ),
        Migration::ForgotPassword => (
            "UserMigration_ForgotPassword",
            json!({
                "validationData": Value::Null,
                "clientMetadata": triggers::client_metadata(),
            }),
        ),
    };
    let source = Source {
        trigger: Trigger::UserMigration,
        source,
        user_name: Some(username),
        client_id: Some(&client_id),
    };
    let response = match triggers::run(app, pool, source, request).await {
        Ok(response) => response.unwrap_or_default(),
        Err(e) if e.code == ErrorCode::UserLambdaValidationException => {
            return refused();
        }
        Err(e) => return Err(e),
    };
    let Some(Value::Object(returned)) = response.get("userAttributes") else {
        return refused();
    };
    let mut list = Vec::new();
    for (name, value) in returned {
        let Value::String(value) = value else {
            return Err(triggers::unrecognizable());
        };
        list.push(AttributeType {
            name: name.clone(),
            value: Some(Sensitive(value.clone())),
        });
    }
    let status = match (why, response.get("finalUserStatus")) {
        (Migration::ForgotPassword, _) => UserStatusType::ResetRequired,
        (_, None | Some(Value::Null)) => UserStatusType::Confirmed,
        (_, Some(Value::String(s))) if s == "CONFIRMED" => UserStatusType::Confirmed,
        (_, Some(Value::String(s))) if s == "RESET_REQUIRED" => UserStatusType::ResetRequired,
        _ => return Err(triggers::unrecognizable()),
    };
    let force_alias = triggers::flag(&response, "forceAliasCreation")?;

    let mut attributes = attrs::check(pool, &list, Write::Create, None)?;
    attributes.retain(|_, v| !v.is_empty());
    let (name, sub) = new_identity(app, pool, username, &mut attributes)?;
    let pool_id = pool.id.clone().unwrap_or_default();
    let mut user = User::new(pool_id, (name, sub), attributes, status, app.now());
    // As Cognito: the pool's password policy does not apply to a migrated password.
    if let (Migration::Authentication(password), UserStatusType::Confirmed) = (why, status) {
        keep_password(app, &mut user, password, false, 0)?;
    }
    if let Err(c) = app
        .store
        .create_user_if_absent(&user, force_alias)
        .await
        .or_internal()?
    {
        return Err(create_conflict(pool, c, "User account already exists"));
    }
    tracing::info!(pool = %user.pool_id, username = %user.username, "user migrated");
    Ok(Some(user))
}
