//! AdminLinkProviderForUser and AdminDisableProviderForUser: a user of an identity provider
//! linked to a user of the pool signs in as that user through the provider.
//!
//! A link is kept as a [`Link`] under `Kind::ProviderLink`, keyed
//! `<provider>:<attribute>:<value>`, and shows in the destination user's `identities`.

use super::user_pools::get_pool;
use super::users::{load_user, modify_user, user_not_found};
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_store::{Kind, ResourcesExt, StoreError, User};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// At most this many identities are linked to one user.
const MAX_LINKS: usize = 5;

/// Where a provider's user signs in.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Link {
    pub username: String,
    pub sub: String,
}

pub(crate) fn link_key(provider: &str, attribute: &str, value: &str) -> String {
    format!("{provider}:{attribute}:{value}")
}

/// The user of the pool that the provider's user (`Cognito_Subject` = `subject`) is linked
/// to, if that user still exists.
pub(crate) async fn linked_user(
    app: &App,
    pool_id: &str,
    provider: &str,
    subject: &str,
) -> Result<Option<User>, ApiError> {
    let key = link_key(provider, "Cognito_Subject", subject);
    let Some(link) = app
        .store
        .get::<Link>(Kind::ProviderLink, pool_id, &key)
        .await
        .or_internal()?
    else {
        return Ok(None);
    };
    app.store
        .get_user_by_sub(pool_id, &link.sub)
        .await
        .or_internal()
}

fn part<'a>(user: &'a ProviderUserIdentifierType, what: &str) -> Result<&'a str, ApiError> {
    let value = match what {
        "ProviderName" => user.provider_name.as_deref(),
        "ProviderAttributeName" => user.provider_attribute_name.as_deref(),
        _ => user.provider_attribute_value.as_deref(),
    };
    value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::invalid_parameter(format!("{what} is required.")))
}

/// The `identities` of a user, as a list.
fn identities(user: &User) -> Vec<Value> {
    user.attribute("identities")
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default()
}

/// Links the external SourceUser to the pool's DestinationUser (ProviderName `Cognito`): when
/// the source user signs in through the provider, it signs in as the destination user. A
/// source user that has signed in already (and so has a user of its own) is not merged.
pub async fn admin_link_provider_for_user(
    app: &App,
    input: AdminLinkProviderForUserRequest,
) -> Result<AdminLinkProviderForUserResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let pool_id = input.user_pool_id.as_str();
    if part(&input.destination_user, "ProviderName")? != "Cognito" {
        return Err(ApiError::invalid_parameter(
            "DestinationUser's ProviderName must be Cognito.",
        ));
    }
    let provider = part(&input.source_user, "ProviderName")?;
    let attribute = part(&input.source_user, "ProviderAttributeName")?;
    let value = part(&input.source_user, "ProviderAttributeValue")?;
    let idp: Option<IdentityProviderType> = app
        .store
        .get(Kind::IdentityProvider, pool_id, provider)
        .await
        .or_internal()?;
    let Some(idp) = idp else {
        return Err(ApiError::invalid_parameter(format!(
            "Identity provider {provider} does not exist."
        )));
    };
    let destination = load_user(
        app,
        &pool,
        part(&input.destination_user, "ProviderAttributeValue")?,
    )
    .await?;
    if destination.status == UserStatusType::ExternalProvider {
        return Err(ApiError::invalid_parameter(
            "DestinationUser must be a user of the user pool, not of an identity provider.",
        ));
    }
    if app
        .store
        .get_user(pool_id, &format!("{provider}_{value}"))
        .await
        .or_internal()?
        .is_some()
    {
        return Err(ApiError::invalid_parameter(
            "Merging is not currently supported, provide a SourceUser that has not been used to \
             sign into the user pool.",
        ));
    }
    if identities(&destination).len() >= MAX_LINKS {
        return Err(ApiError::new(
            ErrorCode::LimitExceededException,
            format!("A user can be linked to at most {MAX_LINKS} identities."),
        ));
    }
    let link = Link {
        username: destination.username.clone(),
        sub: destination.sub.clone(),
    };
    let key = link_key(provider, attribute, value);
    match app
        .store
        .create(Kind::ProviderLink, pool_id, &key, &link)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict) => {
            return Err(ApiError::new(
                ErrorCode::AliasExistsException,
                "The SourceUser is already linked to a user of the user pool.",
            ))
        }
        Err(e) => return Err(e).or_internal(),
    }
    let provider_type = idp.provider_type.unwrap_or_default();
    let entry = json!({
        "userId": value,
        "providerName": provider,
        "providerType": provider_type.as_str(),
        "issuer": null,
        "primary": "false",
        "dateCreated": ((app.now() * 1000.0) as i64).to_string(),
    });
    modify_user(app, &pool, &destination.username, |u| {
        let mut list = identities(u);
        list.push(entry.clone());
        u.attributes
            .insert("identities".into(), Value::Array(list).to_string());
        Ok(())
    })
    .await?;
    Ok(AdminLinkProviderForUserResponse {})
}

/// Ends a provider's user's sign-in: its link to a pool user is removed (and its entry in that
/// user's `identities`), and its own user, if it signed in unlinked, is deleted, so its next
/// sign-in makes a new one. ProviderName `Cognito` with the user's username ends its
/// password sign-in.
pub async fn admin_disable_provider_for_user(
    app: &App,
    input: AdminDisableProviderForUserRequest,
) -> Result<AdminDisableProviderForUserResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let pool_id = input.user_pool_id.as_str();
    let provider = part(&input.user, "ProviderName")?;
    let attribute = part(&input.user, "ProviderAttributeName")?;
    let value = part(&input.user, "ProviderAttributeValue")?;
    if provider == "Cognito" {
        modify_user(app, &pool, value, |u| {
            u.password = None;
            Ok(())
        })
        .await?;
        return Ok(AdminDisableProviderForUserResponse {});
    }
    let exists: Option<IdentityProviderType> = app
        .store
        .get(Kind::IdentityProvider, pool_id, provider)
        .await
        .or_internal()?;
    if exists.is_none() {
        return Err(ApiError::invalid_parameter(format!(
            "Identity provider {provider} does not exist."
        )));
    }
    let key = link_key(provider, attribute, value);
    let link = app
        .store
        .get::<Link>(Kind::ProviderLink, pool_id, &key)
        .await
        .or_internal()?;
    let mut found = false;
    if let Some(link) = link {
        found = true;
        app.store
            .delete_resource(Kind::ProviderLink, pool_id, &key)
            .await
            .or_internal()?;
        let unlinked = modify_user(app, &pool, &link.username, |u| {
            let list: Vec<Value> = identities(u)
                .into_iter()
                .filter(|i| !(i["providerName"] == provider && i["userId"] == value))
                .collect();
            if list.is_empty() {
                u.attributes.remove("identities");
            } else {
                u.attributes
                    .insert("identities".into(), Value::Array(list).to_string());
            }
            Ok(())
        })
        .await;
        match unlinked {
            Ok(_) => {}
            Err(e) if e.code == ErrorCode::UserNotFoundException => {}
            Err(e) => return Err(e),
        }
    }
    if attribute == "Cognito_Subject" {
        found |= app
            .store
            .delete_user(pool_id, &format!("{provider}_{value}"))
            .await
            .or_internal()?;
    }
    if !found {
        return Err(user_not_found());
    }
    Ok(AdminDisableProviderForUserResponse {})
}
