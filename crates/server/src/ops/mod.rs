//! Operation handlers, grouped by domain and named by their AWS names.
//!
//! [`operations!`] is the registry: the operations listed there have a handler; every other
//! operation of the generated list answers a 400 naming it.

mod admin_users;
mod app_client_ref;
pub(crate) mod auth;
mod auth_events;
mod auth_factors;
pub(crate) mod auth_triggers;
pub(crate) mod challenges;
pub(crate) mod client_documents;
mod client_secrets;
pub(crate) mod client_tokens;
mod clients;
mod codes;
mod compose;
mod custom_auth;
mod devices;
mod domains;
pub mod fuzzing;
mod groups;
mod identity_provider_details;
pub(crate) mod identity_providers;
mod import_csv;
mod import_jobs;
pub mod import_run;
mod limits;
mod log_delivery;
pub(crate) mod managed_login_branding;
mod mfa;
mod mfa_sign_in;
mod pages;
pub(crate) mod provider_links;
pub(crate) mod replicas;
mod resource_servers;
mod risk_configuration;
mod self_attributes;
mod self_user;
mod sessions;
pub(crate) mod sign_in;
pub(crate) mod sign_up;
mod signing_certificate;
mod tags;
mod terms;
pub(crate) mod token_triggers;
pub(crate) mod tokens;
pub(crate) mod triggers;
pub(crate) mod ui_customization;
pub(crate) mod user_attributes;
pub(crate) mod user_auth;
mod user_groups;
pub(crate) mod user_mfa;
mod user_migration;
mod user_pool_config;
pub(crate) mod user_pools;
mod user_sessions;
pub(crate) mod users;
pub(crate) mod versioned;
pub(crate) mod web_authn;

pub(crate) use users::password_matches;

use crate::app::{App, OrInternal};
use ironpool_api::{generated::operations::op, ApiError, ErrorCode, Operation, OperationShape};
use std::future::Future;

macro_rules! operations {
    ($($name:ident => $handler:path),* $(,)?) => {
        /// The operations that have a handler, in the order of the list below.
        pub const IMPLEMENTED: &[Operation] = &[$(Operation::$name),*];

        /// Runs the handler of `operation` on its validated JSON input.
        pub async fn dispatch(
            app: &App,
            operation: Operation,
            input: serde_json::Value,
        ) -> Result<Vec<u8>, ApiError> {
            // Each handler's future is boxed: this one's then holds a pointer instead of the
            // largest of them all (tens of KB, copied at every move of the request's future).
            match operation {
                $(Operation::$name => Box::pin(call::<op::$name, _, _>(app, input, $handler)).await,)*
                #[allow(unreachable_patterns)]
                other => Err(ApiError::not_implemented(other)),
            }
        }
    };
}

operations! {
    GetProvisionedLimit => limits::get_provisioned_limit,
    UpdateProvisionedLimit => limits::update_provisioned_limit,
    CreateUserPoolReplica => replicas::create_user_pool_replica,
    DeleteUserPoolReplica => replicas::delete_user_pool_replica,
    ListUserPoolReplicas => replicas::list_user_pool_replicas,
    UpdateUserPoolReplica => replicas::update_user_pool_replica,
    InitiateAuth => auth::initiate_auth,
    AdminLinkProviderForUser => provider_links::admin_link_provider_for_user,
    AdminDisableProviderForUser => provider_links::admin_disable_provider_for_user,
    AdminInitiateAuth => auth::admin_initiate_auth,
    RespondToAuthChallenge => challenges::respond_to_auth_challenge,
    AdminRespondToAuthChallenge => challenges::admin_respond_to_auth_challenge,
    GetTokensFromRefreshToken => tokens::get_tokens_from_refresh_token,
    GetClientToken => client_tokens::get_client_token,
    GetDerivedToken => client_tokens::get_derived_token,
    RevokeToken => tokens::revoke_token,
    GlobalSignOut => tokens::global_sign_out,
    AdminUserGlobalSignOut => tokens::admin_user_global_sign_out,
    GetUser => self_user::get_user,
    GetUserAuthFactors => auth_factors::get_user_auth_factors,
    AdminGetUserAuthFactors => auth_factors::admin_get_user_auth_factors,
    ChangePassword => self_user::change_password,
    DeleteUser => self_user::delete_user,
    ConfirmDevice => devices::confirm_device,
    GetDevice => devices::get_device,
    ListDevices => devices::list_devices,
    ForgetDevice => devices::forget_device,
    UpdateDeviceStatus => devices::update_device_status,
    AdminGetDevice => devices::admin_get_device,
    AdminListDevices => devices::admin_list_devices,
    AdminForgetDevice => devices::admin_forget_device,
    AdminUpdateDeviceStatus => devices::admin_update_device_status,
    UpdateUserAttributes => self_attributes::update_user_attributes,
    DeleteUserAttributes => self_attributes::delete_user_attributes,
    GetUserAttributeVerificationCode => self_attributes::get_user_attribute_verification_code,
    VerifyUserAttribute => self_attributes::verify_user_attribute,
    AdminCreateUser => admin_users::admin_create_user,
    AdminGetUser => users::admin_get_user,
    AdminDeleteUser => users::admin_delete_user,
    AdminEnableUser => users::admin_enable_user,
    AdminDisableUser => users::admin_disable_user,
    AdminUpdateUserAttributes => user_attributes::admin_update_user_attributes,
    AdminDeleteUserAttributes => user_attributes::admin_delete_user_attributes,
    AdminConfirmSignUp => admin_users::admin_confirm_sign_up,
    AdminResetUserPassword => admin_users::admin_reset_user_password,
    AdminSetUserPassword => admin_users::admin_set_user_password,
    ListUsers => users::list_users,
    AdminAddUserToGroup => user_groups::admin_add_user_to_group,
    AdminRemoveUserFromGroup => user_groups::admin_remove_user_from_group,
    AdminListGroupsForUser => user_groups::admin_list_groups_for_user,
    ListUsersInGroup => user_groups::list_users_in_group,
    SignUp => sign_up::sign_up,
    ConfirmSignUp => sign_up::confirm_sign_up,
    ResendConfirmationCode => sign_up::resend_confirmation_code,
    ForgotPassword => sign_up::forgot_password,
    ConfirmForgotPassword => sign_up::confirm_forgot_password,
    CreateUserPool => user_pools::create_user_pool,
    DeleteUserPool => user_pools::delete_user_pool,
    DescribeUserPool => user_pools::describe_user_pool,
    ListUserPools => user_pools::list_user_pools,
    GetSigningCertificate => signing_certificate::get_signing_certificate,
    CreateGroup => groups::create_group,
    GetGroup => groups::get_group,
    UpdateGroup => groups::update_group,
    DeleteGroup => groups::delete_group,
    ListGroups => groups::list_groups,
    CreateResourceServer => resource_servers::create_resource_server,
    DescribeResourceServer => resource_servers::describe_resource_server,
    UpdateResourceServer => resource_servers::update_resource_server,
    DeleteResourceServer => resource_servers::delete_resource_server,
    ListResourceServers => resource_servers::list_resource_servers,
    CreateIdentityProvider => identity_providers::create_identity_provider,
    DescribeIdentityProvider => identity_providers::describe_identity_provider,
    UpdateIdentityProvider => identity_providers::update_identity_provider,
    DeleteIdentityProvider => identity_providers::delete_identity_provider,
    ListIdentityProviders => identity_providers::list_identity_providers,
    GetIdentityProviderByIdentifier => identity_providers::get_identity_provider_by_identifier,
    CreateUserPoolClient => clients::create_user_pool_client,
    DescribeUserPoolClient => clients::describe_user_pool_client,
    UpdateUserPoolClient => clients::update_user_pool_client,
    DeleteUserPoolClient => clients::delete_user_pool_client,
    ListUserPoolClients => clients::list_user_pool_clients,
    AddUserPoolClientSecret => client_secrets::add_user_pool_client_secret,
    ListUserPoolClientSecrets => client_secrets::list_user_pool_client_secrets,
    DeleteUserPoolClientSecret => client_secrets::delete_user_pool_client_secret,
    CreateUserPoolDomain => domains::create_user_pool_domain,
    DescribeUserPoolDomain => domains::describe_user_pool_domain,
    UpdateUserPoolDomain => domains::update_user_pool_domain,
    DeleteUserPoolDomain => domains::delete_user_pool_domain,
    UpdateUserPool => user_pools::update_user_pool,
    AddCustomAttributes => user_pools::add_custom_attributes,
    GetUserPoolMfaConfig => mfa::get_user_pool_mfa_config,
    SetUserPoolMfaConfig => mfa::set_user_pool_mfa_config,
    AssociateSoftwareToken => user_mfa::associate_software_token,
    VerifySoftwareToken => user_mfa::verify_software_token,
    SetUserMFAPreference => user_mfa::set_user_mfa_preference,
    AdminSetUserMFAPreference => user_mfa::admin_set_user_mfa_preference,
    AdminDeleteSoftwareToken => user_mfa::admin_delete_software_token,
    SetUserSettings => user_mfa::set_user_settings,
    AdminSetUserSettings => user_mfa::admin_set_user_settings,
    TagResource => tags::tag_resource,
    UntagResource => tags::untag_resource,
    ListTagsForResource => tags::list_tags_for_resource,
    SetUICustomization => ui_customization::set_ui_customization,
    GetUICustomization => ui_customization::get_ui_customization,
    CreateManagedLoginBranding => managed_login_branding::create_managed_login_branding,
    DescribeManagedLoginBranding => managed_login_branding::describe_managed_login_branding,
    DescribeManagedLoginBrandingByClient => managed_login_branding::describe_managed_login_branding_by_client,
    UpdateManagedLoginBranding => managed_login_branding::update_managed_login_branding,
    DeleteManagedLoginBranding => managed_login_branding::delete_managed_login_branding,
    CreateTerms => terms::create_terms,
    DescribeTerms => terms::describe_terms,
    DescribeTermsByClient => terms::describe_terms_by_client,
    UpdateTerms => terms::update_terms,
    DeleteTerms => terms::delete_terms,
    ListTerms => terms::list_terms,
    SetRiskConfiguration => risk_configuration::set_risk_configuration,
    DescribeRiskConfiguration => risk_configuration::describe_risk_configuration,
    SetLogDeliveryConfiguration => log_delivery::set_log_delivery_configuration,
    GetLogDeliveryConfiguration => log_delivery::get_log_delivery_configuration,
    SetUserPoolSessionConfiguration => sessions::set_user_pool_session_configuration,
    GetUserPoolSessionConfiguration => sessions::get_user_pool_session_configuration,
    SetUserPoolClientSessionConfiguration => sessions::set_user_pool_client_session_configuration,
    GetUserPoolClientSessionConfiguration => sessions::get_user_pool_client_session_configuration,
    ListUserSessions => user_sessions::list_user_sessions,
    AdminListUserSessions => user_sessions::admin_list_user_sessions,
    RevokeUserSession => user_sessions::revoke_user_session,
    AdminRevokeUserSession => user_sessions::admin_revoke_user_session,
    AdminListUserAuthEvents => auth_events::admin_list_user_auth_events,
    UpdateAuthEventFeedback => auth_events::update_auth_event_feedback,
    AdminUpdateAuthEventFeedback => auth_events::admin_update_auth_event_feedback,
    StartWebAuthnRegistration => web_authn::start_web_authn_registration,
    CompleteWebAuthnRegistration => web_authn::complete_web_authn_registration,
    ListWebAuthnCredentials => web_authn::list_web_authn_credentials,
    DeleteWebAuthnCredential => web_authn::delete_web_authn_credential,
    GetCSVHeader => import_jobs::get_csv_header,
    CreateUserImportJob => import_jobs::create_user_import_job,
    StartUserImportJob => import_jobs::start_user_import_job,
    StopUserImportJob => import_jobs::stop_user_import_job,
    DescribeUserImportJob => import_jobs::describe_user_import_job,
    ListUserImportJobs => import_jobs::list_user_import_jobs,
}

/// Runs `operation` on `input` as the JSON endpoint does once a call is authorized: model
/// validation, the account and region check, then the handler, acting in `scope`;
/// `given_id` is the id a create takes instead of generating one. What the server's own
/// callers (seeding) use, so every rule and error is the API's.
pub async fn invoke(
    app: &App,
    scope: crate::scope::Scope,
    operation: Operation,
    input: serde_json::Value,
    given_id: Option<String>,
) -> Result<serde_json::Value, ApiError> {
    ironpool_api::validate(operation, &input)?;
    crate::scope::check_input(app, operation, &scope, &input).await?;
    let context = crate::request_context::RequestContext {
        scope: Some(scope),
        given_id,
        ..Default::default()
    };
    // Boxed: the dispatch future holds every handler's, too big for a caller's stack.
    let output = Box::pin(context.scope(dispatch(app, operation, input))).await?;
    serde_json::from_slice(&output).or_internal()
}

async fn call<'a, O, F, Fut>(
    app: &'a App,
    input: serde_json::Value,
    handler: F,
) -> Result<Vec<u8>, ApiError>
where
    O: OperationShape,
    F: FnOnce(&'a App, O::Input) -> Fut,
    Fut: Future<Output = Result<O::Output, ApiError>>,
{
    let input: O::Input = serde_json::from_value(input).map_err(|e| {
        ApiError::new(
            ErrorCode::SerializationException,
            format!("Unexpected value in the request: {e}"),
        )
    })?;
    let output = handler(app, input).await?;
    serde_json::to_vec(&output).or_internal()
}

/// An opaque pagination token carrying the last key of the previous page.
pub(crate) fn encode_token(last_key: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(last_key)
}

pub(crate) fn decode_token(token: &str) -> Result<String, ApiError> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token."))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every request's future holds dispatch's: with each handler's future boxed it is a few
    /// words, not the largest handler's (22,616 bytes before).
    #[tokio::test]
    async fn dispatch_keeps_no_handler_future_inline() {
        let app = App::from_config(crate::config::Config::ephemeral())
            .await
            .unwrap();
        let future = dispatch(&app, Operation::InitiateAuth, serde_json::Value::Null);
        let size = std::mem::size_of_val(&future);
        assert!(size <= 256, "dispatch's future is {size} bytes");
    }
}
