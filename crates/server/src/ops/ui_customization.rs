//! Classic hosted UI branding: SetUICustomization, GetUICustomization.
//!
//! Kept per app client, or under `ALL` for the pool's default. The logo is kept with the
//! document and served at `/_ironpool/ui-assets/<pool>/<client or ALL>/<version>.<ext>`.

use super::app_client_ref::{require_client, ALL};
use super::user_pools::get_pool;
use super::versioned::modify;
use crate::app::{App, OrInternal};
use base64::Engine;
use ironpool_api::types::*;
use ironpool_api::ApiError;
use ironpool_store::{Kind, ResourcesExt};
use serde::{Deserialize, Serialize};

/// The Cognito type plus the logo it points at.
#[derive(Serialize, Deserialize)]
pub(crate) struct Stored {
    #[serde(flatten)]
    pub ui: UICustomizationType,
    /// Base64 of the image file.
    #[serde(rename = "ImageFile", default, skip_serializing_if = "Option::is_none")]
    pub image_file: Option<String>,
}

/// The classes of the classic hosted UI that Cognito lets CSS style.
const CLASSES: &[&str] = &[
    ".background-customizable",
    ".banner-customizable",
    ".errorMessage-customizable",
    ".idpButton-customizable",
    ".idpButton-customizable:hover",
    ".idpDescription-customizable",
    ".inputField-customizable",
    ".inputField-customizable:focus",
    ".label-customizable",
    ".legalText-customizable",
    ".logo-customizable",
    ".passwordCheck-notValid-customizable",
    ".passwordCheck-valid-customizable",
    ".redirect-customizable",
    ".socialButton-customizable",
    ".submitButton-customizable",
    ".submitButton-customizable:hover",
    ".textDescription-customizable",
];

/// Every selector of the style sheet must be one of [`CLASSES`]; Err names the first other.
pub(crate) fn check_css(css: &str) -> Result<(), String> {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = match rest[start + 2..].find("*/") {
            Some(end) => &rest[start + 2 + end + 2..],
            None => "",
        };
    }
    text.push_str(rest);
    let mut rest = text.as_str();
    loop {
        let Some(open) = rest.find('{') else {
            return if rest.trim().is_empty() {
                Ok(())
            } else {
                Err(rest.trim().to_owned())
            };
        };
        for selector in rest[..open].split(',') {
            let selector = selector.trim();
            if !CLASSES.contains(&selector) {
                return Err(selector.to_owned());
            }
        }
        let Some(close) = rest[open..].find('}') else {
            return Err(rest.trim().to_owned());
        };
        if rest[open + 1..open + close].contains('{') {
            return Err(rest[..open].trim().to_owned());
        }
        rest = &rest[open + close + 1..];
    }
}

/// The image's file extension when it is a PNG or a JPEG.
fn image_extension(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else {
        None
    }
}

/// The pool must exist and have a domain; the key is the client id (which must exist) or ALL.
async fn scope(app: &App, pool_id: &str, client_id: Option<&str>) -> Result<String, ApiError> {
    get_pool(app, pool_id).await?;
    if app
        .store
        .count_resources(Kind::Domain, pool_id)
        .await
        .or_internal()?
        == 0
    {
        return Err(ApiError::invalid_parameter(
            "There has to be an existing domain associated with this user pool",
        ));
    }
    match client_id {
        None | Some(ALL) => Ok(ALL.to_owned()),
        Some(client) => {
            require_client(app, pool_id, client).await?;
            Ok(client.to_owned())
        }
    }
}

/// Replaces CSS and logo together (one left out is removed); with neither it deletes the
/// customization. Needs a domain on the pool, and CSS may style only the hosted UI classes.
pub async fn set_ui_customization(
    app: &App,
    input: SetUICustomizationRequest,
) -> Result<SetUICustomizationResponse, ApiError> {
    let pool_id = input.user_pool_id;
    let key = scope(
        app,
        &pool_id,
        input.client_id.as_deref().map(String::as_str),
    )
    .await?;
    let bare = UICustomizationType {
        user_pool_id: Some(pool_id.clone()),
        client_id: Some(key.clone().into()),
        ..Default::default()
    };
    let css = input.css.filter(|c| !c.is_empty());
    let image = input.image_file.filter(|i| !i.is_empty());
    if css.is_none() && image.is_none() {
        app.store
            .delete_resource(Kind::UiCustomization, &pool_id, &key)
            .await
            .or_internal()?;
        return Ok(SetUICustomizationResponse {
            ui_customization: bare,
        });
    }
    if let Some(css) = &css {
        check_css(css).map_err(|selector| {
            ApiError::invalid_parameter(format!(
                "CSS contains an unsupported class or selector: {selector}. Only the hosted UI classes such as .background-customizable can be customized."
            ))
        })?;
    }
    let extension = match &image {
        None => None,
        Some(b64) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| ApiError::invalid_parameter("ImageFile is not valid base64."))?;
            Some(image_extension(&bytes).ok_or_else(|| {
                ApiError::invalid_parameter(
                    "Invalid image file. The logo must be a PNG or JPEG file.",
                )
            })?)
        }
    };
    let now = app.now();
    let version = ironpool_core::clock::compact_timestamp(now);
    let ui = UICustomizationType {
        image_url: extension.map(|ext| {
            format!(
                "{}/_ironpool/ui-assets/{pool_id}/{key}/{version}.{ext}",
                app.public_url.trim_end_matches('/')
            )
        }),
        css,
        css_version: Some(version),
        last_modified_date: Some(now),
        creation_date: Some(now),
        ..bare
    };
    // Replaces what is there, keeping its creation date.
    let stored = modify(app, Kind::UiCustomization, &pool_id, &key, |current| {
        let created = current.and_then(|s: Stored| s.ui.creation_date);
        Ok(Stored {
            ui: UICustomizationType {
                creation_date: created.or(ui.creation_date),
                ..ui.clone()
            },
            image_file: image.clone(),
        })
    })
    .await?;
    Ok(SetUICustomizationResponse {
        ui_customization: stored.ui,
    })
}

/// A client without its own customization gets the pool's ALL settings (ClientId `ALL`);
/// with nothing set the answer is the ids alone, not an error.
pub async fn get_ui_customization(
    app: &App,
    input: GetUICustomizationRequest,
) -> Result<GetUICustomizationResponse, ApiError> {
    let pool_id = input.user_pool_id;
    let key = scope(
        app,
        &pool_id,
        input.client_id.as_deref().map(String::as_str),
    )
    .await?;
    let mut found = app
        .store
        .get::<Stored>(Kind::UiCustomization, &pool_id, &key)
        .await
        .or_internal()?;
    if found.is_none() && key != ALL {
        found = app
            .store
            .get::<Stored>(Kind::UiCustomization, &pool_id, ALL)
            .await
            .or_internal()?;
    }
    let ui_customization = match found {
        Some(stored) => stored.ui,
        None => UICustomizationType {
            user_pool_id: Some(pool_id),
            client_id: Some(key.into()),
            ..Default::default()
        },
    };
    Ok(GetUICustomizationResponse { ui_customization })
}

/// The logo of `/_ironpool/ui-assets/<pool>/<key>/<version>.<ext>`: its bytes and content
/// type, or None when there is no such (current) image.
pub async fn ui_asset(
    app: &App,
    pool_id: &str,
    key: &str,
    file: &str,
) -> Result<Option<(Vec<u8>, &'static str)>, ApiError> {
    let Some((doc, _)) = app
        .store
        .get_resource(Kind::UiCustomization, pool_id, key)
        .await
        .or_internal()?
    else {
        return Ok(None);
    };
    let stored: Stored = serde_json::from_str(&doc).or_internal()?;
    let (Some(version), Some(b64)) = (stored.ui.css_version, stored.image_file) else {
        return Ok(None);
    };
    let Some((name, _)) = file.split_once('.') else {
        return Ok(None);
    };
    if name != version {
        return Ok(None);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .or_internal()?;
    let content_type = match image_extension(&bytes) {
        Some("png") => "image/png",
        _ => "image/jpeg",
    };
    Ok(Some((bytes, content_type)))
}

#[cfg(test)]
mod tests {
    use super::check_css;

    #[test]
    fn css_classes() {
        assert_eq!(check_css(""), Ok(()));
        assert_eq!(
            check_css(".label-customizable { font-weight: 400; }\n/* c */ .submitButton-customizable:hover, .banner-customizable{color:red}"),
            Ok(())
        );
        assert_eq!(check_css("body { color: red }"), Err("body".into()));
        assert_eq!(
            check_css(".label-customizable, .x { color: red }"),
            Err(".x".into())
        );
        assert_eq!(
            check_css(".label-customizable { color: red }  trailing"),
            Err("trailing".into())
        );
    }
}
