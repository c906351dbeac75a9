//! A user pool's configuration: Cognito's defaults and the cross-field rules it enforces on
//! CreateUserPool, UpdateUserPool and AddCustomAttributes.
//!
//! Sources for the defaults (what Cognito returns for a pool created with only `PoolName`):
//! - the AWS CLI examples `create-user-pool` / `describe-user-pool` (aws/aws-cli,
//!   awscli/examples/cognito-idp): the 20 standard attributes with their exact types,
//!   mutability and constraints (`sub` MinLength "1", `birthdate` 10..10, `updated_at`
//!   Number MinValue "0", the two `*_verified` Booleans without constraints), PasswordPolicy
//!   8/true/true/true/true, AdminCreateUserConfig { false, UnusedAccountValidityDays 7 },
//!   LambdaConfig {};
//! - terraform-provider-aws `TestAccCognitoIDPUserPool_basic` (run against AWS): a name-only
//!   pool has one AccountRecoverySetting, EmailConfiguration COGNITO_DEFAULT,
//!   TemporaryPasswordValidityDays 7, VerificationMessageTemplate CONFIRM_WITH_CODE (and no
//!   default message texts), DeletionProtection INACTIVE, no tags;
//! - aws/aws-cli#7151 (a real DescribeUserPool): `UserAttributeUpdateSettings
//!   { AttributesRequireVerificationBeforeUpdate: [] }` and the message "All attributes in
//!   AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes";
//! - the API reference: UserPoolTier defaults to ESSENTIALS; PasswordHistorySize only appears
//!   when set; UsernameConfiguration has no default (absent unless given).
//!
//! Custom attribute rules and messages follow moto's recorded AWS answers ("Required custom
//! attributes are not supported currently.", "custom:x: Existing attribute already has name
//! custom:x.", names stored as `custom:x`, `dev:custom:x` when developer-only, an empty
//! StringAttributeConstraints {} on a String attribute given none).

use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};

/// Cognito's limit on custom attributes in one pool.
pub(crate) const MAX_CUSTOM_ATTRIBUTES: usize = 50;

fn string_attr(
    name: &str,
    mutable: bool,
    required: bool,
    min: &str,
    max: &str,
) -> SchemaAttributeType {
    SchemaAttributeType {
        name: Some(name.to_owned()),
        attribute_data_type: Some(AttributeDataType::String),
        developer_only_attribute: Some(false),
        mutable: Some(mutable),
        required: Some(required),
        number_attribute_constraints: None,
        string_attribute_constraints: Some(StringAttributeConstraintsType {
            min_length: Some(min.to_owned()),
            max_length: Some(max.to_owned()),
        }),
    }
}

fn boolean_attr(name: &str) -> SchemaAttributeType {
    SchemaAttributeType {
        name: Some(name.to_owned()),
        attribute_data_type: Some(AttributeDataType::Boolean),
        developer_only_attribute: Some(false),
        mutable: Some(true),
        required: Some(false),
        number_attribute_constraints: None,
        string_attribute_constraints: None,
    }
}

/// The standard attributes, in the order Cognito lists them.
pub(crate) fn standard_schema() -> Vec<SchemaAttributeType> {
    let mut out = vec![string_attr("sub", false, true, "1", "2048")];
    for name in [
        "name",
        "given_name",
        "family_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "email",
    ] {
        out.push(string_attr(name, true, false, "0", "2048"));
    }
    out.push(boolean_attr("email_verified"));
    out.push(string_attr("gender", true, false, "0", "2048"));
    out.push(string_attr("birthdate", true, false, "10", "10"));
    for name in ["zoneinfo", "locale", "phone_number"] {
        out.push(string_attr(name, true, false, "0", "2048"));
    }
    out.push(boolean_attr("phone_number_verified"));
    out.push(string_attr("address", true, false, "0", "2048"));
    out.push(SchemaAttributeType {
        name: Some("updated_at".into()),
        attribute_data_type: Some(AttributeDataType::Number),
        developer_only_attribute: Some(false),
        mutable: Some(true),
        required: Some(false),
        number_attribute_constraints: Some(NumberAttributeConstraintsType {
            min_value: Some("0".into()),
            max_value: None,
        }),
        string_attribute_constraints: None,
    });
    out
}

fn parse_limit(value: &Option<String>, kind: &str, name: &str) -> Result<Option<i64>, ApiError> {
    match value.as_deref() {
        None | Some("") => Ok(None),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Some(n)),
            _ => Err(ApiError::invalid_parameter(format!(
                "Invalid {kind} for schema attribute {name}"
            ))),
        },
    }
}

fn check_constraints(attr: &SchemaAttributeType, name: &str) -> Result<(), ApiError> {
    if let Some(c) = &attr.string_attribute_constraints {
        let min = parse_limit(&c.min_length, "StringAttributeConstraints", name)?;
        let max = parse_limit(&c.max_length, "StringAttributeConstraints", name)?;
        if min.is_some_and(|m| m > 2048) || max.is_some_and(|m| m > 2048) {
            return Err(ApiError::invalid_parameter(format!(
                "user.{name}: String attributes cannot have a length of more than 2048"
            )));
        }
        if let (Some(min), Some(max)) = (min, max) {
            if min > max {
                return Err(ApiError::invalid_parameter(format!(
                    "user.{name}: Max length cannot be less than min length."
                )));
            }
        }
    }
    if let Some(c) = &attr.number_attribute_constraints {
        let min = parse_limit(&c.min_value, "NumberAttributeConstraints", name)?;
        let max = parse_limit(&c.max_value, "NumberAttributeConstraints", name)?;
        if let (Some(min), Some(max)) = (min, max) {
            if min > max {
                return Err(ApiError::invalid_parameter(format!(
                    "user.{name}: Max value cannot be less than min value."
                )));
            }
        }
    }
    Ok(())
}

/// A custom attribute as Cognito stores it: `custom:` (or `dev:custom:`) prefixed, never
/// required, mutable unless said otherwise, and only the constraints of its own type.
pub(crate) fn custom_attribute(
    input: &SchemaAttributeType,
) -> Result<SchemaAttributeType, ApiError> {
    let base = input.name.clone().unwrap_or_default();
    let base = base.strip_prefix("custom:").unwrap_or(&base).to_owned();
    let Some(data_type) = input.attribute_data_type else {
        return Err(ApiError::invalid_parameter(
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
        ));
    };
    if input.required == Some(true) {
        return Err(ApiError::invalid_parameter(
            "Required custom attributes are not supported currently.",
        ));
    }
    let developer_only = input.developer_only_attribute.unwrap_or(false);
    let name = if developer_only {
        format!("dev:custom:{base}")
    } else {
        format!("custom:{base}")
    };
    let mut attr = SchemaAttributeType {
        name: Some(name.clone()),
        attribute_data_type: Some(data_type),
        developer_only_attribute: Some(developer_only),
        mutable: Some(input.mutable.unwrap_or(true)),
        required: Some(false),
        number_attribute_constraints: None,
        string_attribute_constraints: None,
    };
    match data_type {
        AttributeDataType::String => {
            attr.string_attribute_constraints = input.string_attribute_constraints.clone();
        }
        AttributeDataType::Number => {
            attr.number_attribute_constraints = input.number_attribute_constraints.clone();
        }
        _ => {}
    }
    check_constraints(&attr, &name)?;
    Ok(attr)
}

/// The duplicate-name refusal of AddCustomAttributes and CreateUserPool.
pub(crate) fn existing_attribute(input_name: &str, existing: &str) -> ApiError {
    let base = input_name.strip_prefix("custom:").unwrap_or(input_name);
    ApiError::invalid_parameter(format!(
        "custom:{base}: Existing attribute already has name {existing}."
    ))
}

/// The full schema of a new pool: every standard attribute (with the overrides given for
/// them) followed by the custom attributes given.
pub(crate) fn build_schema(
    input: Option<&[SchemaAttributeType]>,
) -> Result<Vec<SchemaAttributeType>, ApiError> {
    let mut schema = standard_schema();
    let mut custom: Vec<SchemaAttributeType> = Vec::new();
    for given in input.unwrap_or_default() {
        let name = given.name.clone().unwrap_or_default();
        if let Some(standard) = schema.iter_mut().find(|a| a.name.as_deref() == Some(&name)) {
            if given
                .attribute_data_type
                .is_some_and(|t| Some(t) != standard.attribute_data_type)
                || given.developer_only_attribute == Some(true)
            {
                return Err(ApiError::invalid_parameter(format!(
                    "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {name}"
                )));
            }
            if let Some(m) = given.mutable {
                standard.mutable = Some(m);
            }
            if let Some(r) = given.required {
                standard.required = Some(r);
            }
            if standard.attribute_data_type == Some(AttributeDataType::String) {
                if let Some(c) = &given.string_attribute_constraints {
                    standard.string_attribute_constraints = Some(c.clone());
                }
            }
            if standard.attribute_data_type == Some(AttributeDataType::Number) {
                if let Some(c) = &given.number_attribute_constraints {
                    standard.number_attribute_constraints = Some(c.clone());
                }
            }
            check_constraints(standard, &name)?;
        } else {
            let attr = custom_attribute(given)?;
            if let Some(dup) = custom.iter().find(|a| a.name == attr.name) {
                return Err(existing_attribute(&name, dup.name.as_deref().unwrap_or("")));
            }
            custom.push(attr);
        }
    }
    if custom.len() > MAX_CUSTOM_ATTRIBUTES {
        return Err(too_many_custom_attributes());
    }
    schema.extend(custom);
    Ok(schema)
}

pub(crate) fn too_many_custom_attributes() -> ApiError {
    ApiError::invalid_parameter(format!(
        "Exceeded the maximum number of custom attributes ({MAX_CUSTOM_ATTRIBUTES})."
    ))
}

pub(crate) fn custom_count(schema: &[SchemaAttributeType]) -> usize {
    schema
        .iter()
        .filter(|a| {
            a.name
                .as_deref()
                .is_some_and(|n| n.starts_with("custom:") || n.starts_with("dev:custom:"))
        })
        .count()
}

/// The settings that both CreateUserPool and UpdateUserPool take; on UpdateUserPool one left
/// out goes back to its default, as on a new pool.
#[derive(Clone, Default)]
pub(crate) struct Settings {
    pub policies: Option<UserPoolPolicyType>,
    pub deletion_protection: Option<DeletionProtectionType>,
    pub lambda_config: Option<LambdaConfigType>,
    pub auto_verified_attributes: Option<Vec<VerifiedAttributeType>>,
    pub sms_verification_message: Option<String>,
    pub email_verification_message: Option<String>,
    pub email_verification_subject: Option<String>,
    pub verification_message_template: Option<VerificationMessageTemplateType>,
    pub sms_authentication_message: Option<String>,
    pub user_attribute_update_settings: Option<UserAttributeUpdateSettingsType>,
    pub mfa_configuration: Option<UserPoolMfaType>,
    pub device_configuration: Option<DeviceConfigurationType>,
    pub email_configuration: Option<EmailConfigurationType>,
    pub sms_configuration: Option<SmsConfigurationType>,
    pub user_pool_tags: Option<std::collections::BTreeMap<String, String>>,
    pub admin_create_user_config: Option<AdminCreateUserConfigType>,
    pub user_pool_add_ons: Option<UserPoolAddOnsType>,
    pub account_recovery_setting: Option<AccountRecoverySettingType>,
    pub user_pool_tier: Option<UserPoolTierType>,
}

fn default_password_policy() -> PasswordPolicyType {
    PasswordPolicyType {
        minimum_length: Some(8),
        require_uppercase: Some(true),
        require_lowercase: Some(true),
        require_numbers: Some(true),
        require_symbols: Some(true),
        password_history_size: None,
        temporary_password_validity_days: Some(7),
    }
}

fn default_account_recovery() -> AccountRecoverySettingType {
    AccountRecoverySettingType {
        recovery_mechanisms: Some(vec![
            RecoveryOptionType {
                priority: 1,
                name: RecoveryOptionNameType::VerifiedEmail,
            },
            RecoveryOptionType {
                priority: 2,
                name: RecoveryOptionNameType::VerifiedPhoneNumber,
            },
        ]),
    }
}

fn invalid(message: &str) -> ApiError {
    ApiError::invalid_parameter(message)
}

/// The rules that hold for the settings alone (both operations).
pub(crate) fn validate(s: &Settings) -> Result<(), ApiError> {
    if let Some(invite) = s
        .admin_create_user_config
        .as_ref()
        .and_then(|c| c.invite_message_template.as_ref())
    {
        for message in [&invite.sms_message, &invite.email_message]
            .into_iter()
            .flatten()
        {
            if !message.contains("{username}") || !message.contains("{####}") {
                return Err(invalid(
                    "The invite message must contain the placeholders {username} and {####}.",
                ));
            }
        }
    }
    if let Some(c) = &s.admin_create_user_config {
        let temporary = s
            .policies
            .as_ref()
            .and_then(|p| p.password_policy.as_ref())
            .and_then(|p| p.temporary_password_validity_days);
        if let (Some(unused), Some(temporary)) = (c.unused_account_validity_days, temporary) {
            if unused != temporary {
                return Err(invalid(
                    "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays",
                ));
            }
        }
    }
    if let Some(email) = &s.email_configuration {
        if email.email_sending_account == Some(EmailSendingAccountType::Developer)
            && email.source_arn.is_none()
        {
            return Err(invalid(
                "SourceArn is required when EmailSendingAccount is DEVELOPER.",
            ));
        }
    }
    if let Some(required) = s
        .user_attribute_update_settings
        .as_ref()
        .and_then(|u| u.attributes_require_verification_before_update.as_ref())
    {
        let auto = s.auto_verified_attributes.as_deref().unwrap_or_default();
        if required.iter().any(|a| !auto.contains(a)) {
            return Err(invalid(
                "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes",
            ));
        }
    }
    if let Some(mechanisms) = s
        .account_recovery_setting
        .as_ref()
        .and_then(|a| a.recovery_mechanisms.as_ref())
    {
        if mechanisms.len() > 1
            && mechanisms
                .iter()
                .any(|m| m.name == RecoveryOptionNameType::AdminOnly)
        {
            return Err(invalid(
                "admin_only cannot be combined with other recovery mechanisms.",
            ));
        }
    }
    Ok(())
}

/// Cognito reports `SignInPolicy.AllowedFirstAuthFactors: ["PASSWORD"]` for a pool that never
/// set one (pools stored before it was kept get it on read).
pub(crate) fn default_sign_in_policy(pool: &mut UserPoolType) {
    let policies = pool.policies.get_or_insert_with(Default::default);
    policies
        .sign_in_policy
        .get_or_insert_with(|| SignInPolicyType {
            allowed_first_auth_factors: Some(vec![AuthFactorType::Password]),
        });
}

/// The rules of a pool's first factors, once its settings and tier are known: PASSWORD is
/// always among them, SOFTWARE_TOKEN never (it is only a second factor), and passwordless
/// factors (codes, passkeys) need the Essentials tier or higher.
pub(crate) fn check_sign_in_policy(pool: &UserPoolType) -> Result<(), ApiError> {
    let factors = pool
        .policies
        .as_ref()
        .and_then(|p| p.sign_in_policy.as_ref())
        .and_then(|s| s.allowed_first_auth_factors.as_deref())
        .unwrap_or(&[AuthFactorType::Password]);
    if factors.contains(&AuthFactorType::SoftwareToken) {
        return Err(invalid(
            "SOFTWARE_TOKEN is not a valid first authentication factor.",
        ));
    }
    if !factors.contains(&AuthFactorType::Password) {
        return Err(invalid(
            "PASSWORD must be one of the AllowedFirstAuthFactors of the SignInPolicy.",
        ));
    }
    let passwordless = factors.iter().any(|f| *f != AuthFactorType::Password);
    if passwordless && pool.user_pool_tier == Some(UserPoolTierType::Lite) {
        return Err(ApiError::new(
            ErrorCode::FeatureUnavailableInTierException,
            "Passwordless sign-in (EMAIL_OTP, SMS_OTP, WEB_AUTHN) is not available in the LITE tier. Upgrade the user pool to the ESSENTIALS or PLUS tier.",
        ));
    }
    Ok(())
}

/// Writes `s` onto `pool`, each setting left out taking its default. Settings Cognito keeps
/// when they are left out of UpdateUserPool (the SMS configuration, the tier, the tags) are
/// only replaced when given.
pub(crate) fn apply(pool: &mut UserPoolType, s: Settings) {
    let mut policies = s.policies.unwrap_or_default();
    let mut password = match policies.password_policy.take() {
        None => default_password_policy(),
        Some(p) => PasswordPolicyType {
            minimum_length: Some(p.minimum_length.unwrap_or(8)),
            require_uppercase: Some(p.require_uppercase.unwrap_or(false)),
            require_lowercase: Some(p.require_lowercase.unwrap_or(false)),
            require_numbers: Some(p.require_numbers.unwrap_or(false)),
            require_symbols: Some(p.require_symbols.unwrap_or(false)),
            password_history_size: p.password_history_size,
            temporary_password_validity_days: p.temporary_password_validity_days,
        },
    };
    let mut admin = s.admin_create_user_config.unwrap_or_default();
    // UnusedAccountValidityDays is the legacy name of TemporaryPasswordValidityDays: Cognito
    // reports both, equal.
    let days = password
        .temporary_password_validity_days
        .or(admin.unused_account_validity_days)
        .unwrap_or(7);
    password.temporary_password_validity_days = Some(days);
    admin.unused_account_validity_days = Some(days);
    admin.allow_admin_create_user_only = Some(admin.allow_admin_create_user_only.unwrap_or(false));
    policies.password_policy = Some(password);
    pool.policies = Some(policies);
    default_sign_in_policy(pool);
    pool.admin_create_user_config = Some(admin);

    pool.deletion_protection = Some(
        s.deletion_protection
            .unwrap_or(DeletionProtectionType::Inactive),
    );
    pool.lambda_config = Some(s.lambda_config.unwrap_or_default());
    pool.auto_verified_attributes = s.auto_verified_attributes;

    // The legacy message fields and VerificationMessageTemplate are two views of one setting;
    // the template wins where both are given.
    let mut template = s.verification_message_template.unwrap_or_default();
    template.sms_message = template.sms_message.or(s.sms_verification_message);
    template.email_message = template.email_message.or(s.email_verification_message);
    template.email_subject = template.email_subject.or(s.email_verification_subject);
    template.default_email_option = Some(
        template
            .default_email_option
            .unwrap_or(DefaultEmailOptionType::ConfirmWithCode),
    );
    pool.sms_verification_message = template.sms_message.clone();
    pool.email_verification_message = template.email_message.clone();
    pool.email_verification_subject = template.email_subject.clone();
    pool.verification_message_template = Some(template);

    pool.sms_authentication_message = s.sms_authentication_message;
    pool.user_attribute_update_settings = Some(s.user_attribute_update_settings.unwrap_or(
        UserAttributeUpdateSettingsType {
            attributes_require_verification_before_update: Some(Vec::new()),
        },
    ));
    pool.mfa_configuration = Some(s.mfa_configuration.unwrap_or(UserPoolMfaType::Off));
    pool.device_configuration = s.device_configuration;
    let mut email = s.email_configuration.unwrap_or_default();
    email.email_sending_account = Some(
        email
            .email_sending_account
            .unwrap_or(EmailSendingAccountType::CognitoDefault),
    );
    pool.email_configuration = Some(email);
    if s.sms_configuration.is_some() {
        pool.sms_configuration = s.sms_configuration;
    }
    if s.user_pool_tags.is_some() {
        pool.user_pool_tags = s.user_pool_tags;
    }
    pool.user_pool_add_ons = s.user_pool_add_ons;
    pool.account_recovery_setting = Some(
        s.account_recovery_setting
            .unwrap_or_else(default_account_recovery),
    );
    if let Some(tier) = s.user_pool_tier {
        pool.user_pool_tier = Some(tier);
    } else if pool.user_pool_tier.is_none() {
        pool.user_pool_tier = Some(UserPoolTierType::Essentials);
    }
}
