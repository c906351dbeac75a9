//! The attribute model (the pool's schema: standard and `custom:` attributes, types and
//! constraints, required and mutable, developer-only, the client's write attributes, `sub`
//! immutable), and AdminUpdateUserAttributes and AdminDeleteUserAttributes.

use super::codes::{self, Purpose};
use super::user_pools::get_pool;
use super::users::modify_user;
use crate::app::App;
use ironpool_api::types::*;
use ironpool_api::ApiError;
use ironpool_core::attributes::{is_email, is_phone};
use std::collections::BTreeMap;

/// Where attributes are written from; the messages differ.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    /// SignUp / AdminCreateUser: "Attributes did not conform to the schema: ..."
    Create,
    /// Update operations: "user.<name>: ..."
    Update,
}

fn schema_error(mode: Write, name: &str, why: &str) -> ApiError {
    ApiError::invalid_parameter(match mode {
        Write::Create => format!("Attributes did not conform to the schema: {name}: {why}\n"),
        Write::Update => format!("user.{name}: {why}"),
    })
}

pub(crate) fn schema_entry<'a>(
    pool: &'a UserPoolType,
    name: &str,
) -> Option<&'a SchemaAttributeType> {
    pool.schema_attributes
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|s| s.name.as_deref() == Some(name))
}

/// Checks attributes written by an administrator (`client` None) or through an app client
/// (its WriteAttributes; developer-only attributes refused); returns name -> value, an empty
/// value meaning "remove" on update.
pub(crate) fn check(
    pool: &UserPoolType,
    attrs: &[AttributeType],
    mode: Write,
    client: Option<&UserPoolClientType>,
) -> Result<BTreeMap<String, String>, ApiError> {
    let mut out = BTreeMap::new();
    for a in attrs {
        let name = a.name.as_str();
        let value = a
            .value
            .as_ref()
            .map(|v| v.expose().clone())
            .unwrap_or_default();
        let Some(entry) = schema_entry(pool, name) else {
            return Err(schema_error(
                mode,
                name,
                "Attribute does not exist in the schema.",
            ));
        };
        if name == "sub" || (mode == Write::Update && entry.mutable == Some(false)) {
            return Err(schema_error(mode, name, "Attribute cannot be updated."));
        }
        if let Some(c) = client {
            let dev = entry.developer_only_attribute == Some(true) || name.starts_with("dev:");
            let writable = c
                .write_attributes
                .as_ref()
                .is_none_or(|w| w.iter().any(|x| x == name));
            if dev || !writable {
                return Err(ApiError::not_authorized(
                    "A client attempted to write unauthorized attribute",
                ));
            }
        }
        if !value.is_empty() {
            check_value(entry, name, &value, mode)?;
        }
        out.insert(name.to_owned(), value);
    }
    Ok(out)
}

fn check_value(
    entry: &SchemaAttributeType,
    name: &str,
    value: &str,
    mode: Write,
) -> Result<(), ApiError> {
    match name {
        "email" if !is_email(value) => {
            return Err(ApiError::invalid_parameter("Invalid email address format."))
        }
        "phone_number" if !is_phone(value) => {
            return Err(ApiError::invalid_parameter("Invalid phone number format."))
        }
        _ => {}
    }
    match entry.attribute_data_type {
        Some(AttributeDataType::Boolean) if value != "true" && value != "false" => {
            return Err(schema_error(
                mode,
                name,
                "Attribute value must be a boolean.",
            ));
        }
        Some(AttributeDataType::Number) => {
            let n: f64 = value
                .parse()
                .map_err(|_| schema_error(mode, name, "Attribute value must be a number."))?;
            if let Some(c) = &entry.number_attribute_constraints {
                let bound = |b: &Option<String>| b.as_deref().and_then(|s| s.parse::<f64>().ok());
                if bound(&c.min_value).is_some_and(|m| n < m) {
                    return Err(schema_error(
                        mode,
                        name,
                        "Number is less than the minimum value.",
                    ));
                }
                if bound(&c.max_value).is_some_and(|m| n > m) {
                    return Err(schema_error(
                        mode,
                        name,
                        "Number is greater than the maximum value.",
                    ));
                }
            }
        }
        _ => {}
    }
    if let Some(c) = &entry.string_attribute_constraints {
        let len = value.chars().count();
        let bound = |b: &Option<String>| b.as_deref().and_then(|s| s.parse::<usize>().ok());
        if let Some(max) = bound(&c.max_length).filter(|m| len > *m) {
            return Err(schema_error(
                mode,
                name,
                &format!("String must be no longer than {max} characters"),
            ));
        }
        if let Some(min) = bound(&c.min_length).filter(|m| len < *m) {
            return Err(schema_error(
                mode,
                name,
                &format!("String must be no shorter than {min} characters"),
            ));
        }
    }
    Ok(())
}

/// Every required attribute of the schema is present and non-empty.
pub(crate) fn check_required(
    pool: &UserPoolType,
    attrs: &BTreeMap<String, String>,
) -> Result<(), ApiError> {
    for s in pool.schema_attributes.as_deref().unwrap_or_default() {
        let Some(name) = s.name.as_deref() else {
            continue;
        };
        if s.required == Some(true) && name != "sub" && attrs.get(name).is_none_or(String::is_empty)
        {
            return Err(schema_error(
                Write::Create,
                name,
                "The attribute is required",
            ));
        }
    }
    Ok(())
}

/// Whether the pool sends codes to verify `attribute` (`email` / `phone_number`).
pub(crate) fn auto_verified(pool: &UserPoolType, attribute: &str) -> bool {
    pool.auto_verified_attributes
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|a| serde_json::to_value(a).ok() == Some(serde_json::json!(attribute)))
}

/// A changed email or phone number is no longer verified (unless the same call says it is);
/// when the pool auto-verifies it, a code goes out to the new value.
pub async fn admin_update_user_attributes(
    app: &App,
    input: AdminUpdateUserAttributesRequest,
) -> Result<AdminUpdateUserAttributesResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let changes = check(&pool, &input.user_attributes, Write::Update, None)?;
    let (user, changed) = modify_user(app, &pool, input.username.expose(), |u| {
        let mut changed = Vec::new();
        for (name, value) in &changes {
            if value.is_empty() {
                u.attributes.remove(name);
            } else {
                if u.attribute(name) != Some(value.as_str()) {
                    changed.push(name.clone());
                }
                u.attributes.insert(name.clone(), value.clone());
            }
        }
        for attr in ["email", "phone_number"] {
            let flag = format!("{attr}_verified");
            if changed.iter().any(|c| c == attr) && !changes.contains_key(&flag) {
                u.attributes.insert(flag.clone(), "false".into());
            }
            if !u.attributes.contains_key(attr) {
                u.attributes.remove(&flag);
            }
        }
        Ok(changed)
    })
    .await?;
    for attr in ["email", "phone_number"] {
        if changed.iter().any(|c| c == attr) && !user.verified(attr) && auto_verified(&pool, attr) {
            codes::send_code(app, &pool, &user, Purpose::VerifyAttribute(attr)).await?;
        }
    }
    Ok(AdminUpdateUserAttributesResponse {})
}

/// Removing an attribute that does not exist on the user is fine; required and immutable
/// ones cannot go, and removing email or phone_number removes its `_verified` flag.
pub async fn admin_delete_user_attributes(
    app: &App,
    input: AdminDeleteUserAttributesRequest,
) -> Result<AdminDeleteUserAttributesResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    for name in &input.user_attribute_names {
        let Some(entry) = schema_entry(&pool, name) else {
            return Err(schema_error(
                Write::Update,
                name,
                "Attribute does not exist in the schema.",
            ));
        };
        if name == "sub" || entry.mutable == Some(false) {
            return Err(schema_error(
                Write::Update,
                name,
                "Attribute cannot be updated.",
            ));
        }
        if entry.required == Some(true) {
            return Err(schema_error(
                Write::Update,
                name,
                "The attribute is required",
            ));
        }
    }
    modify_user(app, &pool, input.username.expose(), |u| {
        for name in &input.user_attribute_names {
            u.attributes.remove(name);
            if name == "email" || name == "phone_number" {
                u.attributes.remove(&format!("{name}_verified"));
            }
        }
        Ok(())
    })
    .await?;
    Ok(AdminDeleteUserAttributesResponse {})
}
