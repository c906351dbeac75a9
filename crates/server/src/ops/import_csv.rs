//! A pool's user import file: its header (GetCSVHeader) and what a row becomes, a user in
//! RESET_REQUIRED with no password and a fresh `sub`, checked as AdminCreateUser checks
//! attributes, plus the import's own rules (`ironpool_core::user_import`).

use super::admin_users::identity;
use super::user_attributes::{self as attrs, Write};
use ironpool_api::types::*;
use ironpool_core::user_import::{self, Mfa, RowRules, MFA_ENABLED, USERNAME};
use ironpool_core::Rng;
use ironpool_store::User;

/// The columns of the pool's import file, in Cognito's order: the standard attributes of the
/// schema (not `sub`, which every imported user gets anew), `cognito:mfa_enabled`,
/// `cognito:username`, then the custom attributes (not developer-only ones).
pub(crate) fn csv_header(pool: &UserPoolType) -> Vec<String> {
    let names: Vec<&str> = pool
        .schema_attributes
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter(|a| a.developer_only_attribute != Some(true))
        .filter_map(|a| a.name.as_deref())
        .filter(|n| *n != "sub" && !n.starts_with("dev:"))
        .collect();
    let mut out: Vec<String> = names
        .iter()
        .filter(|n| !n.starts_with("custom:"))
        .map(|n| n.to_string())
        .collect();
    out.push(MFA_ENABLED.into());
    out.push(USERNAME.into());
    out.extend(
        names
            .iter()
            .filter(|n| n.starts_with("custom:"))
            .map(|n| n.to_string()),
    );
    out
}

/// An error's message as a row's reason.
fn why(e: ironpool_api::ApiError) -> String {
    e.message.trim_end().to_owned()
}

/// What rows of one job are checked against.
pub(crate) struct Rows {
    pool: UserPoolType,
    pub header: Vec<String>,
    rules: RowRules,
}

impl Rows {
    pub(crate) fn new(pool: UserPoolType) -> Self {
        let mfa = match pool.mfa_configuration {
            Some(UserPoolMfaType::On) => Mfa::On,
            Some(UserPoolMfaType::Optional) => Mfa::Optional,
            _ => Mfa::Off,
        };
        let auto_verified = ["email", "phone_number"]
            .into_iter()
            .filter(|a| attrs::auto_verified(&pool, a))
            .map(str::to_owned)
            .collect();
        Self {
            header: csv_header(&pool),
            pool,
            rules: RowRules { mfa, auto_verified },
        }
    }

    pub(crate) fn pool_id(&self) -> &str {
        self.pool.id.as_deref().unwrap_or_default()
    }

    /// Checks the file's header row (its values split as a row's).
    pub(crate) fn check_header(&self, found: &[String]) -> Result<(), String> {
        user_import::check_header(found, &self.header).map_err(|e| e.to_string())
    }

    /// The user a row (split into values, one per `header` column) makes, or why it fails.
    pub(crate) fn user(
        &self,
        header: &[String],
        line: &str,
        rng: &dyn Rng,
        now: f64,
    ) -> Result<User, String> {
        if line.chars().count() > user_import::MAX_ROW_CHARS {
            return Err("The row is longer than 16,000 characters.".into());
        }
        let values = user_import::split_row(line);
        let row = user_import::check_row(header, values, &self.rules)?;
        let given: Vec<AttributeType> = row
            .attributes
            .iter()
            .map(|(name, value)| AttributeType {
                name: name.clone(),
                value: Some(value.clone().into()),
            })
            .collect();
        let mut attributes = attrs::check(&self.pool, &given, Write::Create, None).map_err(why)?;
        let (username, sub) =
            identity(rng, &self.pool, &row.username, &mut attributes).map_err(why)?;
        attrs::check_required(&self.pool, &attributes).map_err(why)?;
        let mut user = User::new(
            self.pool_id().to_owned(),
            (username, sub),
            attributes,
            UserStatusType::ResetRequired,
            now,
        );
        user.mfa.sms = row.mfa_enabled;
        Ok(user)
    }
}
