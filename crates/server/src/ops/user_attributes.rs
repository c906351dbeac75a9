//! The attribute model (the pool's schema: standard and `custom:` attributes, types and
//! constraints, required and mutable, developer-only, the client's write attributes, `sub`
//! immutable), and AdminUpdateUserAttributes and AdminDeleteUserAttributes.

use super::codes::{self, Purpose};
use super::compose::Occasion;
use super::user_pools::get_pool;
use super::users::modify_user;
use crate::app::App;
use ironpool_api::types::*;
use ironpool_api::ApiError;
use ironpool_core::attributes::{is_email, is_phone};
use ironpool_store::User;
use std::collections::BTreeMap;

/// Where attributes are written from; the messages differ.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    /// SignUp / AdminCreateUser: "Attributes did not conform to the schema: ..."
    Create,
    /// Update operations: "user.<name>: ..."
    Update,
}

/// Cognito's answer to a call whose attributes break the schema: every violation listed,
/// `(name, why)`, in the order given.
fn schema_error(mode: Write, violations: &[(String, String)]) -> ApiError {
    ApiError::invalid_parameter(match mode {
        Write::Create => violations.iter().fold(
            "Attributes did not conform to the schema: ".to_owned(),
            |out, (name, why)| out + &format!("{name}: {why}\n"),
        ),
        Write::Update => violations
            .iter()
            .map(|(name, why)| format!("user.{name}: {why}"))
            .collect::<Vec<_>>()
            .join("\n"),
    })
}

/// Collects violations; `Err` at the end when there were any.
struct Violations(Write, Vec<(String, String)>);

impl Violations {
    fn add(&mut self, name: &str, why: impl Into<String>) {
        self.1.push((name.to_owned(), why.into()));
    }

    fn finish(self) -> Result<(), ApiError> {
        match self.1.is_empty() {
            true => Ok(()),
            false => Err(schema_error(self.0, &self.1)),
        }
    }
}

const REQUIRED_CANNOT_GO: &str = "Required attribute cannot be deleted.";

/// The flags only an administrator or a verification code may set.
const VERIFIED_FLAGS: [&str; 2] = ["email_verified", "phone_number_verified"];

/// Refuses an app client's write (or removal) of a `_verified` flag or a developer-only
/// attribute, whatever its WriteAttributes, and of anything its WriteAttributes do not list
/// (without a list it may write the rest).
fn check_client_write(
    client: Option<&UserPoolClientType>,
    entry: &SchemaAttributeType,
    name: &str,
) -> Result<(), ApiError> {
    let Some(client) = client else {
        return Ok(());
    };
    let developer_only = name.starts_with("dev:") || entry.developer_only_attribute == Some(true);
    let listed = client
        .write_attributes
        .as_ref()
        .is_none_or(|w| w.iter().any(|x| x == name));
    if VERIFIED_FLAGS.contains(&name) || developer_only || !listed {
        return Err(ApiError::not_authorized(
            "A client attempted to write unauthorized attribute",
        ));
    }
    Ok(())
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
/// (see [`check_client_write`]); returns name -> value (Booleans in lower case), an empty value
/// meaning "remove" on update.
pub(crate) fn check(
    pool: &UserPoolType,
    attrs: &[AttributeType],
    mode: Write,
    client: Option<&UserPoolClientType>,
) -> Result<BTreeMap<String, String>, ApiError> {
    let mut out = BTreeMap::new();
    let mut violations = Violations(mode, Vec::new());
    for a in attrs {
        let name = a.name.as_str();
        let mut value = a
            .value
            .as_ref()
            .map(|v| v.expose().clone())
            .unwrap_or_default();
        let Some(entry) = schema_entry(pool, name) else {
            violations.add(name, "Attribute does not exist in the schema.");
            continue;
        };
        if name == "sub" || (mode == Write::Update && entry.mutable == Some(false)) {
            violations.add(name, "Attribute cannot be updated.");
            continue;
        }
        check_client_write(client, entry, name)?;
        if entry.attribute_data_type == Some(AttributeDataType::Boolean) {
            value.make_ascii_lowercase();
        }
        if !value.is_empty() {
            if let Some(why) = check_value(entry, name, &value)? {
                violations.add(name, why);
            }
        } else if mode == Write::Update && entry.required == Some(true) {
            violations.add(name, REQUIRED_CANNOT_GO);
        }
        out.insert(name.to_owned(), value);
    }
    violations.finish()?;
    Ok(out)
}

/// What is wrong with a value of the schema entry, if anything; a malformed email or phone
/// number is refused at once, as Cognito does.
fn check_value(
    entry: &SchemaAttributeType,
    name: &str,
    value: &str,
) -> Result<Option<String>, ApiError> {
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
            return Ok(Some("Attribute value must be a boolean.".into()));
        }
        Some(AttributeDataType::Number) => {
            let Ok(n) = value.parse::<f64>() else {
                return Ok(Some("Attribute value must be a number.".into()));
            };
            if let Some(c) = &entry.number_attribute_constraints {
                let bound = |b: &Option<String>| b.as_deref().and_then(|s| s.parse::<f64>().ok());
                if bound(&c.min_value).is_some_and(|m| n < m) {
                    return Ok(Some("Number is less than the minimum value.".into()));
                }
                if bound(&c.max_value).is_some_and(|m| n > m) {
                    return Ok(Some("Number is greater than the maximum value.".into()));
                }
            }
        }
        _ => {}
    }
    if let Some(c) = &entry.string_attribute_constraints {
        let len = value.chars().count();
        let bound = |b: &Option<String>| b.as_deref().and_then(|s| s.parse::<usize>().ok());
        if let Some(max) = bound(&c.max_length).filter(|m| len > *m) {
            return Ok(Some(format!(
                "String must be no longer than {max} characters"
            )));
        }
        if let Some(min) = bound(&c.min_length).filter(|m| len < *m) {
            return Ok(Some(format!(
                "String must be no shorter than {min} characters"
            )));
        }
    }
    Ok(None)
}

/// Every required attribute of the schema is present and non-empty; each missing one listed.
pub(crate) fn check_required(
    pool: &UserPoolType,
    attrs: &BTreeMap<String, String>,
) -> Result<(), ApiError> {
    let mut violations = Violations(Write::Create, Vec::new());
    for s in pool.schema_attributes.as_deref().unwrap_or_default() {
        let Some(name) = s.name.as_deref() else {
            continue;
        };
        if s.required == Some(true) && name != "sub" && attrs.get(name).is_none_or(String::is_empty)
        {
            violations.add(name, "The attribute is required");
        }
    }
    violations.finish()
}

/// Whether `list` (of a pool setting) names `attribute` (`email` / `phone_number`).
fn names(list: Option<&[VerifiedAttributeType]>, attribute: &str) -> bool {
    list.unwrap_or_default()
        .iter()
        .any(|a| a.as_str() == attribute)
}

/// Whether the pool sends codes to verify `attribute` (`email` / `phone_number`).
pub(crate) fn auto_verified(pool: &UserPoolType, attribute: &str) -> bool {
    names(pool.auto_verified_attributes.as_deref(), attribute)
}

/// Whether the pool keeps a verified `attribute`'s current value until a new one is verified
/// (UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate).
fn requires_verification_before_update(pool: &UserPoolType, attribute: &str) -> bool {
    let settings = pool.user_attribute_update_settings.as_ref();
    names(
        settings.and_then(|s| s.attributes_require_verification_before_update.as_deref()),
        attribute,
    )
}

/// Applies checked attribute changes to `user` and returns the email / phone_number values
/// that now wait for a code. An empty value removes the attribute. A new value of a verified
/// attribute the pool requires verification for waits in `pending_attributes` (replacing an
/// earlier pending one) while the current value stays verified; any other new value replaces
/// the current one unverified. An administrator's `<name>_verified=true` in the same call
/// applies the new value at once, verified, and nothing is sent. Giving the current value
/// again drops a pending change.
pub(crate) fn apply_changes(
    pool: &UserPoolType,
    user: &mut User,
    changes: &BTreeMap<String, String>,
    admin: bool,
) -> Vec<&'static str> {
    let mut to_verify = Vec::new();
    for (name, value) in changes {
        if value.is_empty() {
            remove_attribute(user, name);
            continue;
        }
        let Some(attr) = ["email", "phone_number"].into_iter().find(|a| a == name) else {
            user.attributes.insert(name.clone(), value.clone());
            continue;
        };
        let flag = format!("{attr}_verified");
        let marked_verified = admin && changes.get(&flag).map(String::as_str) == Some("true");
        if user.attribute(attr) == Some(value.as_str()) {
            user.pending_attributes.remove(attr);
            continue;
        }
        if requires_verification_before_update(pool, attr)
            && user.verified(attr)
            && !marked_verified
        {
            user.pending_attributes
                .insert(attr.to_owned(), value.clone());
            to_verify.push(attr);
            continue;
        }
        user.pending_attributes.remove(attr);
        user.attributes.insert(attr.to_owned(), value.clone());
        if !marked_verified {
            to_verify.push(attr);
        }
    }
    for attr in ["email", "phone_number"] {
        let flag = format!("{attr}_verified");
        let replaced = to_verify.contains(&attr) && !user.pending_attributes.contains_key(attr);
        if replaced && !(admin && changes.contains_key(&flag)) {
            user.attributes.insert(flag, "false".into());
        }
        if !user.attributes.contains_key(attr) {
            user.attributes.remove(&format!("{attr}_verified"));
        }
    }
    to_verify
}

/// Removes an attribute; for email and phone_number also its `_verified` flag and any value
/// waiting for verification.
pub(crate) fn remove_attribute(user: &mut User, name: &str) {
    user.attributes.remove(name);
    if name == "email" || name == "phone_number" {
        user.attributes.remove(&format!("{name}_verified"));
        user.pending_attributes.remove(name);
    }
}

/// Refuses names that are unknown, `sub`, immutable or required: what DeleteUserAttributes
/// (through `client`) and AdminDeleteUserAttributes may not remove.
pub(crate) fn check_removable(
    pool: &UserPoolType,
    names: &[String],
    client: Option<&UserPoolClientType>,
) -> Result<(), ApiError> {
    let mut violations = Violations(Write::Update, Vec::new());
    for name in names {
        match schema_entry(pool, name) {
            None => violations.add(name, "Attribute does not exist in the schema."),
            Some(e) if name == "sub" || e.mutable == Some(false) => {
                violations.add(name, "Attribute cannot be updated.")
            }
            Some(e) => {
                check_client_write(client, e, name)?;
                if e.required == Some(true) {
                    violations.add(name, REQUIRED_CANNOT_GO);
                }
            }
        }
    }
    violations.finish()
}

/// Sends a verification code for each attribute `apply_changes` left waiting, where the
/// pool auto-verifies it; the CodeDeliveryDetails of those sent.
pub(crate) async fn send_verification_codes(
    app: &App,
    pool: &UserPoolType,
    user: &User,
    to_verify: &[&str],
    client_id: Option<&str>,
) -> Result<Vec<CodeDeliveryDetailsType>, ApiError> {
    let mut details = Vec::new();
    for attr in to_verify {
        if auto_verified(pool, attr) {
            let why = (
                Purpose::VerifyAttribute(attr),
                Occasion::UpdateUserAttribute,
                client_id,
            );
            if let Some(d) = codes::send_code(app, pool, user, why).await? {
                details.push(d);
            }
        }
    }
    Ok(details)
}

/// See [`apply_changes`]: a changed email or phone number is unverified (unless the same
/// call says it is) or, where the pool requires it, waits for verification; a code goes to
/// the new value when the pool auto-verifies it.
pub async fn admin_update_user_attributes(
    app: &App,
    input: AdminUpdateUserAttributesRequest,
) -> Result<AdminUpdateUserAttributesResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let changes = check(&pool, &input.user_attributes, Write::Update, None)?;
    let (user, to_verify) = modify_user(app, &pool, input.username.expose(), |u| {
        Ok(apply_changes(&pool, u, &changes, true))
    })
    .await?;
    send_verification_codes(app, &pool, &user, &to_verify, None).await?;
    Ok(AdminUpdateUserAttributesResponse {})
}

/// Removing an attribute that does not exist on the user is fine; required and immutable
/// ones cannot go, and removing email or phone_number removes its `_verified` flag and any
/// value waiting for verification.
pub async fn admin_delete_user_attributes(
    app: &App,
    input: AdminDeleteUserAttributesRequest,
) -> Result<AdminDeleteUserAttributesResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    check_removable(&pool, &input.user_attribute_names, None)?;
    modify_user(app, &pool, input.username.expose(), |u| {
        for name in &input.user_attribute_names {
            remove_attribute(u, name);
        }
        Ok(())
    })
    .await?;
    Ok(AdminDeleteUserAttributesResponse {})
}
