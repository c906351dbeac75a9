//! Client secret rotation: AddUserPoolClientSecret, ListUserPoolClientSecrets,
//! DeleteUserPoolClientSecret. A confidential client holds one or two secrets at a time.

use super::client_documents as documents;
use super::clients::get_client;
use crate::app::App;
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode, Sensitive};
use ironpool_core::client as rules;

/// A client has at most this many secrets.
const MAX_SECRETS: usize = 2;

/// Only for clients that already have a secret; a third secret is LimitExceededException.
/// The value is returned only when Cognito generated it.
pub async fn add_user_pool_client_secret(
    app: &App,
    input: AddUserPoolClientSecretRequest,
) -> Result<AddUserPoolClientSecretResponse, ApiError> {
    let client_id = input.client_id.expose().clone();
    let custom = input.client_secret.map(Sensitive::into_inner);
    let generated = custom.is_none();
    let value = custom.unwrap_or_else(|| rules::client_secret(app.rng.as_ref()));
    let (_, descriptor) = documents::modify(app, &input.user_pool_id, &client_id, |stored| {
        if stored.secrets.is_empty() {
            return Err(ApiError::invalid_parameter(format!(
                "Client {client_id} is not a confidential client: it has no client secret."
            )));
        }
        if stored.secrets.len() >= MAX_SECRETS {
            return Err(ApiError::new(
                ErrorCode::LimitExceededException,
                format!(
                    "Client {client_id} already has the maximum of {MAX_SECRETS} client secrets."
                ),
            ));
        }
        if !generated
            && stored
                .secrets
                .iter()
                .any(|s| s.client_secret_value.as_ref().map(|v| v.expose()) == Some(&value))
        {
            return Err(ApiError::invalid_parameter(
                "The client secret is already in use by this client.",
            ));
        }
        let mut now = app.now();
        let mut id = rules::client_secret_id(&client_id, now);
        while stored
            .secrets
            .iter()
            .any(|s| s.client_secret_id.as_deref() == Some(id.as_str()))
        {
            now += 0.001;
            id = rules::client_secret_id(&client_id, now);
        }
        let descriptor = ClientSecretDescriptorType {
            client_secret_id: Some(id),
            client_secret_value: Some(Sensitive::new(value.clone())),
            client_secret_create_date: Some(now),
        };
        stored.secrets.push(descriptor.clone());
        stored.client.last_modified_date = Some(app.now());
        Ok(descriptor)
    })
    .await?;
    Ok(AddUserPoolClientSecretResponse {
        client_secret_descriptor: Some(ClientSecretDescriptorType {
            client_secret_value: descriptor.client_secret_value.filter(|_| generated),
            ..descriptor
        }),
    })
}

/// Ids and creation dates only, never the values, and no NextToken (there are at most two).
pub async fn list_user_pool_client_secrets(
    app: &App,
    input: ListUserPoolClientSecretsRequest,
) -> Result<ListUserPoolClientSecretsResponse, ApiError> {
    let stored = get_client(app, &input.user_pool_id, input.client_id.expose()).await?;
    Ok(ListUserPoolClientSecretsResponse {
        client_secrets: Some(
            stored
                .secrets
                .into_iter()
                .map(|s| ClientSecretDescriptorType {
                    client_secret_value: None,
                    ..s
                })
                .collect(),
        ),
        next_token: None,
    })
}

/// The last remaining secret cannot be deleted; `ClientSecret` then names the one that stays.
pub async fn delete_user_pool_client_secret(
    app: &App,
    input: DeleteUserPoolClientSecretRequest,
) -> Result<DeleteUserPoolClientSecretResponse, ApiError> {
    let client_id = input.client_id.expose().clone();
    documents::modify(app, &input.user_pool_id, &client_id, |stored| {
        let Some(index) = stored
            .secrets
            .iter()
            .position(|s| s.client_secret_id.as_deref() == Some(input.client_secret_id.as_str()))
        else {
            return Err(ApiError::resource_not_found(format!(
                "Client secret {} does not exist.",
                input.client_secret_id
            )));
        };
        if stored.secrets.len() == 1 {
            return Err(ApiError::invalid_parameter(
                "The last client secret of a client cannot be deleted.",
            ));
        }
        stored.secrets.remove(index);
        stored.client.client_secret = stored
            .secrets
            .first()
            .and_then(|s| s.client_secret_value.clone());
        stored.client.last_modified_date = Some(app.now());
        Ok(())
    })
    .await?;
    Ok(DeleteUserPoolClientSecretResponse {})
}
