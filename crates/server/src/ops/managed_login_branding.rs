//! Managed login styles: CreateManagedLoginBranding, DescribeManagedLoginBranding,
//! DescribeManagedLoginBrandingByClient, UpdateManagedLoginBranding,
//! DeleteManagedLoginBranding.
//!
//! One style per app client. The stored document is the `ManagedLoginBrandingType` plus the
//! client it belongs to (the Cognito type does not name its client).

use super::app_client_ref::require_client;
use super::user_pools::get_pool;
use super::versioned::modify;
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_core::ids;
use ironpool_store::{Kind, ResourcesExt};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    branding: ManagedLoginBrandingType,
    #[serde(rename = "ClientId")]
    client_id: String,
}

fn branding_not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("Managed login branding {id} does not exist."))
}

fn missing(member: &str) -> ApiError {
    ApiError::invalid_parameter(format!(
        "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
    ))
}

/// UseCognitoProvidedValues true means Cognito's default style: no Settings, no Assets.
fn check_exclusive(
    use_cognito: Option<bool>,
    settings: Option<&serde_json::Value>,
    assets: Option<&Vec<AssetType>>,
) -> Result<(), ApiError> {
    if use_cognito == Some(true) && (settings.is_some() || assets.is_some_and(|a| !a.is_empty())) {
        return Err(ApiError::invalid_parameter(
            "Settings and Assets must not be provided when UseCognitoProvidedValues is true.",
        ));
    }
    if settings.is_some_and(|s| !s.is_object()) {
        return Err(ApiError::invalid_parameter(
            "Settings must be a JSON object.",
        ));
    }
    Ok(())
}

/// Each asset once per category and color mode; favicons in their own format.
fn check_assets(assets: &[AssetType]) -> Result<(), ApiError> {
    for (i, asset) in assets.iter().enumerate() {
        let expected = match asset.category {
            AssetCategoryType::FaviconIco => Some(AssetExtensionType::Ico),
            AssetCategoryType::FaviconSvg => Some(AssetExtensionType::Svg),
            _ => None,
        };
        let ok = match expected {
            Some(ext) => asset.extension == ext,
            None => asset.extension != AssetExtensionType::Ico,
        };
        if !ok {
            return Err(ApiError::invalid_parameter(format!(
                "Extension {} is not supported for asset category {}.",
                asset.extension.as_str(),
                asset.category.as_str()
            )));
        }
        if asset.bytes.is_none() && asset.resource_id.is_none() {
            return Err(ApiError::invalid_parameter(format!(
                "Asset {} ({}) must have Bytes or a ResourceId.",
                asset.category.as_str(),
                asset.color_mode.as_str()
            )));
        }
        if assets[..i]
            .iter()
            .any(|a| a.category == asset.category && a.color_mode == asset.color_mode)
        {
            return Err(ApiError::invalid_parameter(format!(
                "Duplicate asset for category {} and color mode {}.",
                asset.category.as_str(),
                asset.color_mode.as_str()
            )));
        }
    }
    Ok(())
}

async fn all_styles(app: &App, pool_id: &str) -> Result<Vec<Stored>, ApiError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .store
            .list::<Stored>(Kind::ManagedLoginBranding, pool_id, after.as_deref(), 100)
            .await
            .or_internal()?;
        let done = page.len() < 100;
        after = page.last().map(|(k, _)| k.clone());
        out.extend(page.into_iter().map(|(_, s)| s));
        if done {
            return Ok(out);
        }
    }
}

/// Settings absent (not `{}`) when Cognito's defaults are used; ReturnMergedResources adds
/// nothing here, as Ironpool has no default style document of its own to merge in.
fn answer(branding: ManagedLoginBrandingType) -> Option<ManagedLoginBrandingType> {
    Some(branding)
}

/// One style per app client (ManagedLoginBrandingExistsException for a second);
/// UseCognitoProvidedValues true excludes Settings and Assets.
pub async fn create_managed_login_branding(
    app: &App,
    input: CreateManagedLoginBrandingRequest,
) -> Result<CreateManagedLoginBrandingResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let client_id = input.client_id.expose().clone();
    require_client(app, &input.user_pool_id, &client_id).await?;
    check_exclusive(
        input.use_cognito_provided_values,
        input.settings.as_ref(),
        input.assets.as_ref(),
    )?;
    check_assets(input.assets.as_deref().unwrap_or_default())?;
    if all_styles(app, &input.user_pool_id)
        .await?
        .iter()
        .any(|s| s.client_id == client_id)
    {
        return Err(ApiError::new(
            ErrorCode::ManagedLoginBrandingExistsException,
            format!("Managed login branding already exists for client {client_id}."),
        ));
    }
    let now = app.now();
    let use_cognito = input.use_cognito_provided_values.unwrap_or(false);
    let branding = ManagedLoginBrandingType {
        managed_login_branding_id: Some(ids::uuid_v4(app.rng.as_ref())),
        user_pool_id: Some(input.user_pool_id.clone()),
        use_cognito_provided_values: Some(use_cognito),
        settings: input.settings,
        assets: Some(input.assets.unwrap_or_default()),
        creation_date: Some(now),
        last_modified_date: Some(now),
    };
    let id = branding
        .managed_login_branding_id
        .clone()
        .unwrap_or_default();
    let stored = Stored {
        branding,
        client_id,
    };
    app.store
        .create(
            Kind::ManagedLoginBranding,
            &input.user_pool_id,
            &id,
            &stored,
        )
        .await
        .or_internal()?;
    Ok(CreateManagedLoginBrandingResponse {
        managed_login_branding: answer(stored.branding),
    })
}

async fn get_style(app: &App, pool_id: &str, id: &str) -> Result<Stored, ApiError> {
    get_pool(app, pool_id).await?;
    app.store
        .get::<Stored>(Kind::ManagedLoginBranding, pool_id, id)
        .await
        .or_internal()?
        .ok_or_else(|| branding_not_found(id))
}

/// ResourceNotFoundException for an id that is not in this pool.
pub async fn describe_managed_login_branding(
    app: &App,
    input: DescribeManagedLoginBrandingRequest,
) -> Result<DescribeManagedLoginBrandingResponse, ApiError> {
    let stored = get_style(app, &input.user_pool_id, &input.managed_login_branding_id).await?;
    Ok(DescribeManagedLoginBrandingResponse {
        managed_login_branding: answer(stored.branding),
    })
}

/// The style of an app client, if it has one (for the managed login pages).
pub(crate) async fn style_of(
    app: &App,
    pool_id: &str,
    client_id: &str,
) -> Result<Option<ManagedLoginBrandingType>, ApiError> {
    Ok(all_styles(app, pool_id)
        .await?
        .into_iter()
        .find(|s| s.client_id == client_id)
        .map(|s| s.branding))
}

/// The style assigned to the app client; ResourceNotFoundException when it has none.
pub async fn describe_managed_login_branding_by_client(
    app: &App,
    input: DescribeManagedLoginBrandingByClientRequest,
) -> Result<DescribeManagedLoginBrandingByClientResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let client_id = input.client_id.expose();
    require_client(app, &input.user_pool_id, client_id).await?;
    let stored = all_styles(app, &input.user_pool_id)
        .await?
        .into_iter()
        .find(|s| &s.client_id == client_id)
        .ok_or_else(|| {
            ApiError::resource_not_found(format!(
                "Managed login branding does not exist for client {client_id}."
            ))
        })?;
    Ok(DescribeManagedLoginBrandingByClientResponse {
        managed_login_branding: answer(stored.branding),
    })
}

/// Keeps what the request leaves out: Settings are merged key by key and Assets replace
/// only their own category and color mode; UseCognitoProvidedValues true resets the style.
pub async fn update_managed_login_branding(
    app: &App,
    input: UpdateManagedLoginBrandingRequest,
) -> Result<UpdateManagedLoginBrandingResponse, ApiError> {
    let pool_id = input.user_pool_id.ok_or_else(|| missing("userPoolId"))?;
    let id = input
        .managed_login_branding_id
        .ok_or_else(|| missing("managedLoginBrandingId"))?;
    get_style(app, &pool_id, &id).await?;
    check_exclusive(
        input.use_cognito_provided_values,
        input.settings.as_ref(),
        input.assets.as_ref(),
    )?;
    check_assets(input.assets.as_deref().unwrap_or_default())?;
    let stored = modify(app, Kind::ManagedLoginBranding, &pool_id, &id, |stored| {
        let mut stored: Stored = stored.ok_or_else(|| branding_not_found(&id))?;
        let b = &mut stored.branding;
        if input.use_cognito_provided_values == Some(true) {
            b.use_cognito_provided_values = Some(true);
            b.settings = None;
            b.assets = Some(Vec::new());
        } else {
            if let Some(settings) = &input.settings {
                let mut merged = b.settings.take().unwrap_or(serde_json::json!({}));
                merge(&mut merged, settings.clone());
                b.settings = Some(merged);
                b.use_cognito_provided_values = Some(false);
            }
            if let Some(assets) = &input.assets {
                let current = b.assets.get_or_insert_with(Vec::new);
                for asset in assets {
                    current.retain(|a| {
                        !(a.category == asset.category && a.color_mode == asset.color_mode)
                    });
                    current.push(asset.clone());
                }
                b.use_cognito_provided_values = Some(false);
            }
            if input.use_cognito_provided_values == Some(false) {
                b.use_cognito_provided_values = Some(false);
            }
        }
        b.last_modified_date = Some(app.now());
        Ok(stored)
    })
    .await?;
    Ok(UpdateManagedLoginBrandingResponse {
        managed_login_branding: answer(stored.branding),
    })
}

/// Objects merge recursively; anything else replaces.
fn merge(into: &mut serde_json::Value, from: serde_json::Value) {
    match (into, from) {
        (serde_json::Value::Object(a), serde_json::Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (slot, v) => *slot = v,
    }
}

/// The client keeps working with the classic or default look afterwards.
pub async fn delete_managed_login_branding(
    app: &App,
    input: DeleteManagedLoginBrandingRequest,
) -> Result<Empty, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let deleted = app
        .store
        .delete_resource(
            Kind::ManagedLoginBranding,
            &input.user_pool_id,
            &input.managed_login_branding_id,
        )
        .await
        .or_internal()?;
    if !deleted {
        return Err(branding_not_found(&input.managed_login_branding_id));
    }
    Ok(Empty {})
}
