//! The one reader and writer of app client documents (`Kind::Client`, keyed by client id).
//!
//! A client is kept as its `UserPoolClientType` without `ClientSecret`, beside its secrets (at
//! most two) sealed with the master key and bound to the pool and client
//! (`client_secret:{pool}:{client}`): no secret is ever written in plain text. Documents
//! written before secrets were sealed hold them in plain text; they still open, and
//! [`seal_plain_secrets`] rewrites them sealed at start-up.

use super::clients::client_not_found;
use super::user_pools::get_pool;
use super::versioned::{too_many_requests, written, ATTEMPTS};
use crate::app::{App, OrInternal};
use ironpool_api::types::{ClientSecretDescriptorType, UserPoolClientType};
use ironpool_api::{ApiError, ErrorCode, Sensitive};
use ironpool_core::client as rules;
use ironpool_store::Kind;
use serde::{Deserialize, Serialize};

/// A client with its secrets open; `client.client_secret` is the first of them.
#[derive(Clone, Default)]
pub(crate) struct StoredClient {
    pub client: UserPoolClientType,
    pub secrets: Vec<ClientSecretDescriptorType>,
}

impl StoredClient {
    /// Every secret a SECRET_HASH or client authentication may be computed with.
    pub(crate) fn active_secrets(&self) -> Vec<&str> {
        self.secrets
            .iter()
            .filter_map(|s| s.client_secret_value.as_ref().map(|v| v.expose().as_str()))
            .collect()
    }

    pub(crate) fn has_secret(&self) -> bool {
        !self.secrets.is_empty()
    }
}

/// The document as stored.
#[derive(Serialize)]
struct Document {
    #[serde(flatten)]
    client: UserPoolClientType,
    #[serde(
        rename = "IronpoolSealedSecrets",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    sealed_secrets: Vec<SealedSecret>,
    /// The secrets as documents kept them in plain text before they were sealed: read, never
    /// written.
    #[serde(rename = "IronpoolClientSecrets", default, skip_serializing)]
    plain_secrets: Vec<ClientSecretDescriptorType>,
}

/// The document's own fields, read apart from the client's.
#[derive(Deserialize)]
struct Secrets {
    #[serde(rename = "IronpoolSealedSecrets", default)]
    sealed_secrets: Vec<SealedSecret>,
    #[serde(rename = "IronpoolClientSecrets", default)]
    plain_secrets: Vec<ClientSecretDescriptorType>,
}

impl Document {
    /// Reads a stored document: the client, then the secrets, each straight from the text
    /// (unknown fields skipped) rather than through a flattened read, which first copies the
    /// whole document into an intermediate tree.
    fn read(text: &str) -> serde_json::Result<Self> {
        let client = serde_json::from_str(text)?;
        let Secrets {
            sealed_secrets,
            plain_secrets,
        } = serde_json::from_str(text)?;
        Ok(Self {
            client,
            sealed_secrets,
            plain_secrets,
        })
    }

    fn has_plain_secrets(&self) -> bool {
        self.client.client_secret.is_some() || !self.plain_secrets.is_empty()
    }
}

#[derive(Serialize, Deserialize)]
struct SealedSecret {
    #[serde(rename = "ClientSecretId")]
    id: String,
    #[serde(rename = "ClientSecretCreateDate")]
    created: f64,
    #[serde(rename = "SealedValue")]
    sealed_value: String,
}

fn context(pool_id: &str, client_id: &str) -> String {
    format!("client_secret:{pool_id}:{client_id}")
}

pub(crate) fn client_id_of(client: &UserPoolClientType) -> String {
    client
        .client_id
        .as_ref()
        .map(|c| c.expose().clone())
        .unwrap_or_default()
}

/// The stored document of a client of pool `pool_id`, opened.
pub(crate) fn open(app: &App, pool_id: &str, doc: &str) -> Result<StoredClient, ApiError> {
    let doc = Document::read(doc).or_internal()?;
    let client_id = client_id_of(&doc.client);
    let mut secrets = Vec::with_capacity(doc.sealed_secrets.len());
    for s in doc.sealed_secrets {
        let value = app
            .master_key
            .open(&context(pool_id, &client_id), &s.sealed_value)
            .or_internal()?;
        secrets.push(ClientSecretDescriptorType {
            client_secret_id: Some(s.id),
            client_secret_value: Some(Sensitive::new(String::from_utf8(value).or_internal()?)),
            client_secret_create_date: Some(s.created),
        });
    }
    secrets.extend(doc.plain_secrets);
    let mut client = doc.client;
    if secrets.is_empty() {
        // A client created before secrets could rotate: its one ClientSecret.
        if let Some(value) = client.client_secret.take() {
            let created = client.creation_date.unwrap_or_default();
            secrets.push(ClientSecretDescriptorType {
                client_secret_id: Some(rules::client_secret_id(&client_id, created)),
                client_secret_value: Some(value),
                client_secret_create_date: Some(created),
            });
        }
    }
    client.client_secret = secrets.first().and_then(|s| s.client_secret_value.clone());
    Ok(StoredClient { client, secrets })
}

/// A stored client's settings without its secrets (left sealed): what a token check needs.
/// Read as the client alone (the document's own fields are skipped as unknown).
pub(crate) fn settings(doc: &str) -> Result<UserPoolClientType, ApiError> {
    let client: UserPoolClientType = serde_json::from_str(doc).or_internal()?;
    Ok(UserPoolClientType {
        client_secret: None,
        ..client
    })
}

/// The document to store for `stored`: its secrets sealed, none in plain text.
fn seal(app: &App, pool_id: &str, stored: &StoredClient) -> Result<String, ApiError> {
    let client_id = client_id_of(&stored.client);
    let sealed_secrets = stored
        .secrets
        .iter()
        .filter_map(|s| {
            let value = s.client_secret_value.as_ref()?;
            Some(SealedSecret {
                id: s.client_secret_id.clone().unwrap_or_default(),
                created: s.client_secret_create_date.unwrap_or_default(),
                sealed_value: app.master_key.seal(
                    app.rng.as_ref(),
                    &context(pool_id, &client_id),
                    value.expose().as_bytes(),
                ),
            })
        })
        .collect();
    let doc = Document {
        client: UserPoolClientType {
            client_secret: None,
            ..stored.client.clone()
        },
        sealed_secrets,
        plain_secrets: Vec::new(),
    };
    serde_json::to_string(&doc).or_internal()
}

/// The client `client_id` of pool `pool_id`, if there is one.
pub(crate) async fn get(
    app: &App,
    pool_id: &str,
    client_id: &str,
) -> Result<Option<StoredClient>, ApiError> {
    let found = app
        .store
        .get_resource(Kind::Client, pool_id, client_id)
        .await
        .or_internal()?;
    found.map(|(doc, _)| open(app, pool_id, &doc)).transpose()
}

/// The client named by a client id alone, and its pool id.
pub(crate) async fn find(
    app: &App,
    client_id: &str,
) -> Result<Option<(String, StoredClient)>, ApiError> {
    let found = app
        .store
        .find_resource(Kind::Client, client_id)
        .await
        .or_internal()?;
    match found {
        Some((pool_id, doc)) => {
            let client = open(app, &pool_id, &doc)?;
            Ok(Some((pool_id, client)))
        }
        None => Ok(None),
    }
}

/// Stores a new client; false if its id is taken (in whatever pool).
pub(crate) async fn create(
    app: &App,
    pool_id: &str,
    stored: &StoredClient,
) -> Result<bool, ApiError> {
    let doc = seal(app, pool_id, stored)?;
    let client_id = client_id_of(&stored.client);
    let created = app
        .store
        .create_resource(Kind::Client, pool_id, &client_id, doc)
        .await;
    written(created)
}

/// Reads the client, applies `change` and writes it, retrying when another change came in
/// between; returns the client as written and what `change` returned. The pool must exist,
/// then the client.
pub(crate) async fn modify<T>(
    app: &App,
    pool_id: &str,
    client_id: &str,
    change: impl FnMut(&mut StoredClient) -> Result<T, ApiError>,
) -> Result<(StoredClient, T), ApiError> {
    get_pool(app, pool_id).await?;
    modify_client(app, pool_id, client_id, change).await
}

async fn modify_client<T>(
    app: &App,
    pool_id: &str,
    client_id: &str,
    mut change: impl FnMut(&mut StoredClient) -> Result<T, ApiError>,
) -> Result<(StoredClient, T), ApiError> {
    for _ in 0..ATTEMPTS {
        let (doc, version) = app
            .store
            .get_resource(Kind::Client, pool_id, client_id)
            .await
            .or_internal()?
            .ok_or_else(|| client_not_found(client_id))?;
        let mut stored = open(app, pool_id, &doc)?;
        let out = change(&mut stored)?;
        let doc = seal(app, pool_id, &stored)?;
        let put = app
            .store
            .put_resource(Kind::Client, pool_id, client_id, doc, version)
            .await;
        if written(put)? {
            return Ok((stored, out));
        }
    }
    Err(too_many_requests())
}

/// Rewrites, sealed, every client document that holds a secret in plain text (written before
/// secrets were sealed); returns how many. Run at start-up.
pub(crate) async fn seal_plain_secrets(app: &App) -> Result<usize, ApiError> {
    let mut sealed = 0;
    let mut after = None;
    loop {
        let page = app
            .store
            .scan_resources(Kind::Client, after.take(), 100)
            .await
            .or_internal()?;
        let Some((pool_id, client_id, _)) = page.last() else {
            return Ok(sealed);
        };
        after = Some((pool_id.clone(), client_id.clone()));
        for (pool_id, client_id, doc) in page {
            let plain = Document::read(&doc).or_internal()?.has_plain_secrets();
            if !plain {
                continue;
            }
            // Opening and writing back seals; a client deleted meanwhile needs nothing.
            match modify_client(app, &pool_id, &client_id, |_| Ok(())).await {
                Ok(_) => sealed += 1,
                Err(e) if e.code == ErrorCode::ResourceNotFoundException => {}
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ironpool_api::types::{ExplicitAuthFlowsType, OAuthFlowType};

    /// A token check reads the same settings from a document as the full reader, secrets
    /// (sealed, or in plain text in an old document) left out.
    #[test]
    fn settings_are_the_client_of_the_document_without_its_secrets() {
        let client = UserPoolClientType {
            client_id: Some("client1".into()),
            client_name: Some("app".into()),
            user_pool_id: Some("us-east-1_AAAAAAAAA".into()),
            read_attributes: Some(vec!["email".into(), "name".into()]),
            explicit_auth_flows: Some(vec![ExplicitAuthFlowsType::AllowRefreshTokenAuth]),
            allowed_o_auth_flows: Some(vec![OAuthFlowType::Code]),
            access_token_validity: Some(5),
            ..Default::default()
        };
        let doc = Document {
            client: UserPoolClientType {
                client_secret: Some(Sensitive("plain".into())),
                ..client.clone()
            },
            sealed_secrets: vec![SealedSecret {
                id: "s1".into(),
                created: 1.5,
                sealed_value: "sealed".into(),
            }],
            plain_secrets: vec![],
        };
        let mut text = serde_json::to_value(&doc).unwrap();
        text["IronpoolClientSecrets"] = serde_json::json!([{ "ClientSecretId": "s0" }]);
        let text = text.to_string();
        let read = Document::read(&text).unwrap();
        assert_eq!(read.sealed_secrets.len(), 1);
        assert_eq!(read.plain_secrets.len(), 1);
        assert_eq!(read.client.client_secret, Some(Sensitive("plain".into())));
        assert_eq!(settings(&text).unwrap(), client);
    }
}
