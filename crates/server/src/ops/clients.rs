//! App clients: CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient,
//! DeleteUserPoolClient, ListUserPoolClients.
//!
//! A client is kept under `Kind::Client`, keyed by client id, with its rotating secrets (see
//! `client_secrets.rs`) sealed in the same document; `client_documents.rs` reads and writes
//! it.

use super::client_documents::{self as documents, StoredClient};
use super::user_pools::get_pool;
use super::{decode_token, encode_token};
use crate::app::{App, OrInternal};
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode, Sensitive};
use ironpool_core::client::{self as rules, RedirectUriError, TimeUnit};
use ironpool_core::ids;
use ironpool_store::{Kind, ResourcesExt};
use std::collections::HashSet;

pub(crate) fn client_not_found(client_id: &str) -> ApiError {
    ApiError::resource_not_found(format!("User pool client {client_id} does not exist."))
}

/// The client `client_id` of pool `pool_id`: the pool must exist, then the client in it.
pub(crate) async fn get_client(
    app: &App,
    pool_id: &str,
    client_id: &str,
) -> Result<StoredClient, ApiError> {
    get_pool(app, pool_id).await?;
    documents::get(app, pool_id, client_id)
        .await?
        .ok_or_else(|| client_not_found(client_id))
}

/// The standard attributes every pool has, whatever its schema lists.
const STANDARD_ATTRIBUTES: &[&str] = &[
    "address",
    "birthdate",
    "email",
    "email_verified",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "profile",
    "sub",
    "updated_at",
    "website",
    "zoneinfo",
];

/// Attributes no app client may write: Cognito sets them itself.
const NEVER_WRITABLE: &[&str] = &["sub", "email_verified", "phone_number_verified"];

const STANDARD_SCOPES: &[&str] = &[
    "phone",
    "email",
    "openid",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// `custom:x` for a custom attribute however the schema spells it.
fn attribute_name(name: &str) -> String {
    if STANDARD_ATTRIBUTES.contains(&name)
        || name.starts_with("custom:")
        || name.starts_with("dev:")
    {
        name.to_owned()
    } else {
        format!("custom:{name}")
    }
}

fn unit(u: Option<&TimeUnitsType>, default: TimeUnit) -> TimeUnit {
    match u {
        Some(TimeUnitsType::Seconds) => TimeUnit::Seconds,
        Some(TimeUnitsType::Minutes) => TimeUnit::Minutes,
        Some(TimeUnitsType::Hours) => TimeUnit::Hours,
        Some(TimeUnitsType::Days) => TimeUnit::Days,
        None => default,
    }
}

fn non_empty<T>(v: Option<Vec<T>>) -> Option<Vec<T>> {
    v.filter(|v| !v.is_empty())
}

fn dedup<T: PartialEq + Clone>(v: Option<Vec<T>>) -> Option<Vec<T>> {
    non_empty(v).map(|v| {
        let mut out: Vec<T> = Vec::with_capacity(v.len());
        for x in v {
            if !out.contains(&x) {
                out.push(x);
            }
        }
        out
    })
}

fn invalid_oauth(msg: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidOAuthFlowException, msg)
}

fn redirect_error(field: &str, uri: &str, e: RedirectUriError) -> ApiError {
    ApiError::invalid_parameter(match e {
        RedirectUriError::NotAbsolute => format!("{field} must be absolute URIs: {uri}"),
        RedirectUriError::Fragment => format!("{field} must not contain a fragment: {uri}"),
        RedirectUriError::InsecureHttp => {
            format!("{field} must use HTTPS except for http://localhost: {uri}")
        }
    })
}

/// Builds the settings part of a client from a request, applying Cognito's defaults and
/// rules; `has_secret` tells whether the client has (or gets) a secret, `verb` is `creating`
/// or `updating` for the attribute messages.
async fn settle(
    app: &App,
    pool: &UserPoolType,
    s: CreateUserPoolClientRequest,
    has_secret: bool,
    verb: &str,
) -> Result<UserPoolClientType, ApiError> {
    let pool_id = s.user_pool_id.as_str();

    // Token validity, each in its unit (hours for access and ID tokens, days for refresh).
    let units = s.token_validity_units.clone().unwrap_or_default();
    let access_unit = unit(units.access_token.as_ref(), TimeUnit::Hours);
    let id_unit = unit(units.id_token.as_ref(), TimeUnit::Hours);
    let refresh_unit = unit(units.refresh_token.as_ref(), TimeUnit::Days);
    let bad_range = || ApiError::invalid_parameter("Invalid range for token validity.");
    let access = s.access_token_validity.filter(|v| *v != 0);
    let id = s.id_token_validity.filter(|v| *v != 0);
    let refresh = s.refresh_token_validity.filter(|v| *v != 0);
    for (value, u) in [(access, access_unit), (id, id_unit)] {
        if let Some(v) = value {
            if !rules::validity_in_range(v, u, rules::ACCESS_VALIDITY_SECONDS) {
                return Err(bad_range());
            }
        }
    }
    if let Some(v) = refresh {
        if !rules::validity_in_range(v, refresh_unit, rules::REFRESH_VALIDITY_SECONDS) {
            return Err(bad_range());
        }
    }
    let refresh = refresh.unwrap_or_else(|| rules::default_refresh_validity(refresh_unit));

    // Explicit auth flows: the legacy names and the ALLOW_ names do not mix.
    let flows = dedup(s.explicit_auth_flows);
    if let Some(flows) = &flows {
        let legacy = |f: &&ExplicitAuthFlowsType| {
            matches!(
                f,
                ExplicitAuthFlowsType::AdminNoSrpAuth
                    | ExplicitAuthFlowsType::CustomAuthFlowOnly
                    | ExplicitAuthFlowsType::UserPasswordAuth
            )
        };
        let n_legacy = flows.iter().filter(legacy).count();
        if n_legacy > 0 && n_legacy < flows.len() {
            return Err(ApiError::invalid_parameter(
                "Explicit auth flows cannot mix legacy values (ADMIN_NO_SRP_AUTH, \
                 CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH) with ALLOW_ values.",
            ));
        }
        // ALLOW_CLIENT_TOKEN_AUTH (GetClientToken) is a machine's flow: no user's flow beside
        // it, and only for a client with a secret. Token exchange may go with it.
        if flows.contains(&ExplicitAuthFlowsType::AllowClientTokenAuth) {
            let user_flow = flows.iter().any(|f| {
                !matches!(
                    f,
                    ExplicitAuthFlowsType::AllowClientTokenAuth
                        | ExplicitAuthFlowsType::AllowTokenExchangeDelegation
                        | ExplicitAuthFlowsType::AllowTokenExchangeImpersonation
                )
            });
            if user_flow {
                return Err(ApiError::invalid_parameter(
                    "ALLOW_CLIENT_TOKEN_AUTH can not be combined with user authentication flows.",
                ));
            }
            if !has_secret {
                return Err(ApiError::invalid_parameter(
                    "ALLOW_CLIENT_TOKEN_AUTH can not be selected if client does not have a \
                     client secret.",
                ));
            }
        }
    }

    // Read and write attributes name attributes of the pool.
    let schema = pool.schema_attributes.clone().unwrap_or_default();
    let mut known: HashSet<String> = STANDARD_ATTRIBUTES.iter().map(|a| a.to_string()).collect();
    known.extend(
        schema
            .iter()
            .filter_map(|a| a.name.as_deref())
            .map(attribute_name),
    );
    let read = dedup(s.read_attributes);
    let write = dedup(s.write_attributes);
    if let Some(read) = &read {
        if read.iter().any(|a| !known.contains(a)) {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid read attributes specified while {verb} a client"
            )));
        }
    }
    if let Some(write) = &write {
        let required = schema
            .iter()
            // Required and mutable: `sub` is required but nobody ever writes it.
            .filter(|a| a.required == Some(true) && a.mutable != Some(false))
            .filter_map(|a| a.name.as_deref())
            .map(attribute_name);
        let mut missing_required = required.filter(|r| !write.contains(r));
        if write
            .iter()
            .any(|a| !known.contains(a) || NEVER_WRITABLE.contains(&a.as_str()))
            || missing_required.next().is_some()
        {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid write attributes specified while {verb} a client"
            )));
        }
    }

    // Identity providers: COGNITO or one configured in the pool.
    let providers = dedup(s.supported_identity_providers);
    for name in providers.iter().flatten() {
        if name == "COGNITO" {
            continue;
        }
        let exists = app
            .store
            .get::<IdentityProviderType>(Kind::IdentityProvider, pool_id, name)
            .await
            .or_internal()?
            .is_some();
        if !exists {
            return Err(ApiError::invalid_parameter(format!(
                "The provider {name} does not exist for User Pool {pool_id}"
            )));
        }
    }

    // Redirect URIs.
    let callbacks = dedup(s.callback_ur_ls);
    let logouts = dedup(s.logout_ur_ls);
    for uri in callbacks.iter().flatten() {
        rules::check_redirect_uri(uri).map_err(|e| redirect_error("CallbackURLs", uri, e))?;
    }
    for uri in logouts.iter().flatten() {
        rules::check_redirect_uri(uri).map_err(|e| redirect_error("LogoutURLs", uri, e))?;
    }
    if let Some(uri) = &s.default_redirect_uri {
        rules::check_redirect_uri(uri).map_err(|e| redirect_error("DefaultRedirectURI", uri, e))?;
        if !callbacks.iter().flatten().any(|c| c == uri) {
            return Err(ApiError::invalid_parameter(
                "DefaultRedirectURI must be included in CallbackURLs.",
            ));
        }
    }

    // OAuth flows and scopes.
    let oauth_flows = dedup(s.allowed_o_auth_flows);
    let scopes = dedup(s.allowed_o_auth_scopes);
    let oauth_client = s.allowed_o_auth_flows_user_pool_client.unwrap_or(false);
    if oauth_client && (oauth_flows.is_none() || scopes.is_none()) {
        return Err(ApiError::invalid_parameter(
            "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is \
             allowed to use OAuth flows.",
        ));
    }
    let has = |f: OAuthFlowType| oauth_flows.iter().flatten().any(|x| *x == f);
    let client_credentials = has(OAuthFlowType::ClientCredentials);
    let user_flows = has(OAuthFlowType::Code) || has(OAuthFlowType::Implicit);
    if client_credentials && user_flows {
        return Err(invalid_oauth(
            "client_credentials flow can not be selected along with code flow or implicit flow.",
        ));
    }
    if client_credentials && !has_secret {
        return Err(invalid_oauth(
            "client_credentials flow can not be selected if client does not have a client secret.",
        ));
    }
    if user_flows && callbacks.is_none() {
        return Err(invalid_oauth(
            "CallbackUrls can not be empty when code flow or implicit flow is selected",
        ));
    }
    for scope in scopes.iter().flatten() {
        if STANDARD_SCOPES.contains(&scope.as_str()) {
            if client_credentials {
                return Err(invalid_oauth(format!(
                    "{scope} is not supported with client_credentials flow"
                )));
            }
            continue;
        }
        if !custom_scope_exists(app, pool_id, scope).await? {
            return Err(ApiError::new(
                ErrorCode::ScopeDoesNotExistException,
                format!("Invalid scope requested: {scope}"),
            ));
        }
    }

    // Analytics: an application ARN, or an application id with a role and an external id.
    if let Some(a) = &s.analytics_configuration {
        let by_arn = a.application_arn.is_some();
        let by_id = a.application_id.is_some() && a.role_arn.is_some() && a.external_id.is_some();
        if !by_arn && !by_id {
            return Err(ApiError::invalid_parameter(
                "AnalyticsConfiguration requires either ApplicationArn, or ApplicationId, \
                 RoleArn and ExternalId.",
            ));
        }
    }

    let propagate = s
        .enable_propagate_additional_user_context_data
        .unwrap_or(false);
    if propagate && !has_secret {
        return Err(ApiError::invalid_parameter(
            "EnablePropagateAdditionalUserContextData can only be enabled for clients with a \
             client secret.",
        ));
    }

    Ok(UserPoolClientType {
        user_pool_id: Some(s.user_pool_id),
        client_name: Some(s.client_name),
        refresh_token_validity: Some(refresh),
        access_token_validity: access,
        id_token_validity: id,
        token_validity_units: Some(units),
        read_attributes: read,
        write_attributes: write,
        explicit_auth_flows: flows,
        supported_identity_providers: providers,
        callback_ur_ls: callbacks,
        logout_ur_ls: logouts,
        default_redirect_uri: s.default_redirect_uri,
        allowed_o_auth_flows: oauth_flows,
        allowed_o_auth_scopes: scopes,
        allowed_o_auth_flows_user_pool_client: Some(oauth_client),
        analytics_configuration: s.analytics_configuration,
        prevent_user_existence_errors: Some(
            s.prevent_user_existence_errors
                .unwrap_or(PreventUserExistenceErrorTypes::Legacy),
        ),
        enable_token_revocation: Some(s.enable_token_revocation.unwrap_or(true)),
        enable_propagate_additional_user_context_data: Some(propagate),
        auth_session_validity: Some(s.auth_session_validity.unwrap_or(3)),
        refresh_token_rotation: s.refresh_token_rotation,
        ..Default::default()
    })
}

/// `<resource server identifier>/<scope name>`, with the scope declared on that server.
pub(crate) async fn custom_scope_exists(
    app: &App,
    pool_id: &str,
    scope: &str,
) -> Result<bool, ApiError> {
    let Some((identifier, name)) = scope.rsplit_once('/') else {
        return Ok(false);
    };
    let server = app
        .store
        .get::<ResourceServerType>(Kind::ResourceServer, pool_id, identifier)
        .await
        .or_internal()?;
    Ok(server
        .and_then(|s| s.scopes)
        .is_some_and(|scopes| scopes.iter().any(|s| s.scope_name == name)))
}

/// GenerateSecret makes a 51-character secret (or takes ClientSecret); every setting left out
/// gets Cognito's default (refresh 30 days, token revocation on, LEGACY existence errors).
pub async fn create_user_pool_client(
    app: &App,
    mut input: CreateUserPoolClientRequest,
) -> Result<CreateUserPoolClientResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let custom_secret = input.client_secret.take();
    if custom_secret.is_some() && input.generate_secret == Some(false) {
        return Err(ApiError::invalid_parameter(
            "ClientSecret can only be provided when GenerateSecret is true.",
        ));
    }
    let secret = match custom_secret {
        Some(s) => Some(s.into_inner()),
        None if input.generate_secret == Some(true) => Some(rules::client_secret(app.rng.as_ref())),
        None => None,
    };
    let pool_id = input.user_pool_id.clone();
    let mut client = settle(app, &pool, input, secret.is_some(), "creating").await?;
    let now = app.now();
    client.creation_date = Some(now);
    client.last_modified_date = Some(now);
    client.client_secret = secret.clone().map(Sensitive::new);
    // A fresh random id, or the one a seed file gives.
    let given = crate::request_context::RequestContext::current().given_id;
    loop {
        let id = given
            .clone()
            .unwrap_or_else(|| ids::client_id(app.rng.as_ref()));
        client.client_id = Some(Sensitive::new(id.clone()));
        let stored = StoredClient {
            client: client.clone(),
            secrets: secret
                .iter()
                .map(|value| ClientSecretDescriptorType {
                    client_secret_id: Some(rules::client_secret_id(&id, now)),
                    client_secret_value: Some(Sensitive::new(value.clone())),
                    client_secret_create_date: Some(now),
                })
                .collect(),
        };
        if documents::create(app, &pool_id, &stored).await? {
            break;
        }
        if given.is_some() {
            return Err(super::user_pools::id_taken("User pool client", given));
        }
    }
    Ok(CreateUserPoolClientResponse {
        user_pool_client: Some(client),
    })
}

/// Returns the client secret too (Cognito does, to IAM callers).
pub async fn describe_user_pool_client(
    app: &App,
    input: DescribeUserPoolClientRequest,
) -> Result<DescribeUserPoolClientResponse, ApiError> {
    let stored = get_client(app, &input.user_pool_id, input.client_id.expose()).await?;
    Ok(DescribeUserPoolClientResponse {
        user_pool_client: Some(stored.client),
    })
}

/// Replaces every setting: what the request leaves out goes back to its default, as on
/// creation; the name, the secrets and the creation date stay.
pub async fn update_user_pool_client(
    app: &App,
    input: UpdateUserPoolClientRequest,
) -> Result<UpdateUserPoolClientResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    let client_id = input.client_id.expose().clone();
    let stored = get_client(app, &input.user_pool_id, &client_id).await?;
    let renamed = input.client_name.clone();
    let settings = CreateUserPoolClientRequest {
        user_pool_id: input.user_pool_id,
        client_name: input
            .client_name
            .or_else(|| stored.client.client_name.clone())
            .unwrap_or_default(),
        generate_secret: None,
        client_secret: None,
        refresh_token_validity: input.refresh_token_validity,
        access_token_validity: input.access_token_validity,
        id_token_validity: input.id_token_validity,
        token_validity_units: input.token_validity_units,
        read_attributes: input.read_attributes,
        write_attributes: input.write_attributes,
        explicit_auth_flows: input.explicit_auth_flows,
        supported_identity_providers: input.supported_identity_providers,
        callback_ur_ls: input.callback_ur_ls,
        logout_ur_ls: input.logout_ur_ls,
        default_redirect_uri: input.default_redirect_uri,
        allowed_o_auth_flows: input.allowed_o_auth_flows,
        allowed_o_auth_scopes: input.allowed_o_auth_scopes,
        allowed_o_auth_flows_user_pool_client: input.allowed_o_auth_flows_user_pool_client,
        analytics_configuration: input.analytics_configuration,
        prevent_user_existence_errors: input.prevent_user_existence_errors,
        enable_token_revocation: input.enable_token_revocation,
        enable_propagate_additional_user_context_data: input
            .enable_propagate_additional_user_context_data,
        auth_session_validity: input.auth_session_validity,
        refresh_token_rotation: input.refresh_token_rotation,
    };
    let pool_id = settings.user_pool_id.clone();
    let settled = settle(app, &pool, settings, stored.has_secret(), "updating").await?;
    // Settings are replaced; the secrets are as stored now (one may have been added or
    // deleted meanwhile), as are the name when the request leaves it out.
    let (stored, ()) = documents::modify(app, &pool_id, &client_id, |stored| {
        let current = &stored.client;
        stored.client = UserPoolClientType {
            client_id: current.client_id.clone(),
            client_secret: current.client_secret.clone(),
            client_name: renamed.clone().or_else(|| current.client_name.clone()),
            creation_date: current.creation_date,
            last_modified_date: Some(app.now()),
            client_type: current.client_type,
            ..settled.clone()
        };
        Ok(())
    })
    .await?;
    Ok(UpdateUserPoolClientResponse {
        user_pool_client: Some(stored.client),
    })
}

pub async fn delete_user_pool_client(
    app: &App,
    input: DeleteUserPoolClientRequest,
) -> Result<Empty, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let client_id = input.client_id.expose();
    if !app
        .store
        .delete_resource(Kind::Client, &input.user_pool_id, client_id)
        .await
        .or_internal()?
    {
        return Err(client_not_found(client_id));
    }
    Ok(Empty {})
}

/// Lists id, pool and name only, `MaxResults` (1..=60, default 60) at a time.
pub async fn list_user_pool_clients(
    app: &App,
    input: ListUserPoolClientsRequest,
) -> Result<ListUserPoolClientsResponse, ApiError> {
    get_pool(app, &input.user_pool_id).await?;
    let after = input.next_token.as_deref().map(decode_token).transpose()?;
    let limit = input.max_results.unwrap_or(60).clamp(1, 60) as usize;
    let mut rows = app
        .store
        .list::<UserPoolClientType>(
            Kind::Client,
            &input.user_pool_id,
            after.as_deref(),
            limit + 1,
        )
        .await
        .or_internal()?;
    let next_token = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|(k, _)| encode_token(k))
    } else {
        None
    };
    Ok(ListUserPoolClientsResponse {
        user_pool_clients: Some(
            rows.into_iter()
                .map(|(_, c)| UserPoolClientDescription {
                    client_id: c.client_id,
                    user_pool_id: c.user_pool_id,
                    client_name: c.client_name,
                })
                .collect(),
        ),
        next_token,
    })
}
