//! Remembered devices: the NewDeviceMetadata a sign-in hands out when the pool has a
//! DeviceConfiguration, ConfirmDevice (the device's SRP verifier, sealed), the device sign-in
//! (DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER checked for real), and GetDevice,
//! ListDevices, ForgetDevice, UpdateDeviceStatus with their Admin twins.

use super::auth::{count_failure, missing};
use super::client_documents::client_id_of;
use super::sign_in::{
    finish_sign_in, second_factor, session_id, session_user, srp_proof_holds, srp_user_id,
    start_session, take_session, Claim, Outcome, Pending, SessionDoc,
};
use super::tokens::authorize;
use super::user_pools::get_pool;
use super::{decode_token, encode_token};
use crate::app::{App, OrInternal};
use crate::request_context::RequestContext;
use crate::scope::Scope;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode, Sensitive};
use ironpool_core::{ids, rng::random_string, srp};
use ironpool_store::{Device, User};
use std::collections::BTreeMap;

fn not_found() -> ApiError {
    ApiError::resource_not_found("Device does not exist.")
}

/// What the device's sealed verifier is bound to.
fn verifier_context(pool_id: &str, device_key: &str) -> String {
    format!("device-verifier:{pool_id}:{device_key}")
}

/// The device's SRP salt and verifier, opened.
fn open_verifier(app: &App, device: &Device) -> Option<srp::Verifier> {
    let sealed = device.sealed_verifier.as_ref()?;
    let json = app
        .master_key
        .open(
            &verifier_context(&device.pool_id, &device.device_key),
            sealed,
        )
        .ok()?;
    serde_json::from_slice(&json).ok()
}

/// A device of the user, confirmed (ConfirmDevice gave it a verifier).
async fn confirmed_device(app: &App, user: &User, key: &str) -> Result<Device, ApiError> {
    app.store
        .get_device(&user.pool_id, &user.sub, key)
        .await
        .or_internal()?
        .filter(Device::confirmed)
        .ok_or_else(not_found)
}

/// The NewDeviceMetadata of a sign-in that did not come from a known device, when the pool
/// remembers devices: a new device key (`{region}_{uuid}`) and group key, kept for the
/// user's ConfirmDevice.
pub(crate) async fn new_device_metadata(
    app: &App,
    pool: &UserPoolType,
    user: &User,
    signed_in_with: Option<&str>,
) -> Result<Option<NewDeviceMetadataType>, ApiError> {
    if pool.device_configuration.is_none() || signed_in_with.is_some() {
        return Ok(None);
    }
    let region = user.pool_id.split('_').next().unwrap_or_default();
    let now = app.now();
    let device = Device {
        pool_id: user.pool_id.clone(),
        sub: user.sub.clone(),
        device_key: format!("{region}_{}", ids::uuid_v4(app.rng.as_ref())),
        group_key: format!("-{}", random_string(app.rng.as_ref(), ALNUM, 9)),
        sealed_verifier: None,
        remembered: false,
        name: None,
        last_ip: RequestContext::current().ip_address,
        created: now,
        modified: now,
        last_authenticated: now,
    };
    app.store.put_device(&device).await.or_internal()?;
    Ok(Some(NewDeviceMetadataType {
        device_key: Some(device.device_key),
        device_group_key: Some(device.group_key),
    }))
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A DEVICE_KEY that is not one of the user's confirmed devices is ResourceNotFoundException
/// (clients then retry without it).
pub(crate) async fn check_device_key(
    app: &App,
    user: &User,
    device_key: Option<&str>,
) -> Result<(), ApiError> {
    match device_key {
        Some(key) => confirmed_device(app, user, key).await.map(|_| ()),
        None => Ok(()),
    }
}

/// After a good password with a DEVICE_KEY: DEVICE_SRP_AUTH for a remembered device of the
/// user; `None` for a confirmed one that is not remembered (the sign-in goes on as without).
pub(crate) async fn device_challenge(
    app: &App,
    client: &UserPoolClientType,
    user: &User,
    device_key: Option<&str>,
) -> Result<Option<Outcome>, ApiError> {
    let Some(key) = device_key else {
        return Ok(None);
    };
    let device = confirmed_device(app, user, key).await?;
    if !device.remembered {
        return Ok(None);
    }
    let doc = SessionDoc {
        client_id: client_id_of(client),
        username: user.username.clone(),
        srp_user_id: srp_user_id(user),
        from_device: None,
        pending: Pending::DeviceSrpAuth {
            device_key: device.device_key,
        },
    };
    let (id, _) = start_session(app, &user.pool_id, client, &doc).await?;
    Ok(Some(Outcome::Challenge {
        name: ChallengeNameType::DeviceSrpAuth,
        session: Some(id),
        parameters: BTreeMap::new(),
    }))
}

/// DEVICE_SRP_AUTH: the device's SRP_A for the session the password step left; answers
/// DEVICE_PASSWORD_VERIFIER with SRP_B, the device's SALT and a SECRET_BLOCK.
pub(crate) async fn device_srp_auth(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    session: Option<String>,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let get = |name: &str| responses.get(name).ok_or_else(|| missing(name));
    let key = get("DEVICE_KEY")?;
    let srp_a = get("SRP_A")?;
    srp::parse_a(srp_a).map_err(|_| ApiError::invalid_parameter("Invalid SRP_A value."))?;
    let session = session.ok_or_else(|| missing("Session"))?;
    let doc = take_session(app, pool_id, &client_id_of(client), &session).await?;
    let Pending::DeviceSrpAuth { device_key } = &doc.pending else {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    };
    if device_key != key {
        return Err(not_found());
    }
    let user = session_user(app, client, pool_id, &doc).await?;
    let device = confirmed_device(app, &user, key).await?;
    let verifier = open_verifier(app, &device).ok_or_else(not_found)?;
    let ephemeral = srp::ServerEphemeral::new(app.rng.as_ref(), &verifier.verifier)
        .map_err(|e| format!("{e:?}"))
        .or_internal()?;
    let next = SessionDoc {
        pending: Pending::DevicePasswordVerifier {
            device_key: device.device_key.clone(),
            srp_b_secret: hex::encode(ephemeral.secret),
            srp_b: hex::encode(&ephemeral.public),
            srp_a: srp_a.clone(),
        },
        ..doc
    };
    let (id, raw) = start_session(app, pool_id, client, &next).await?;
    let mut parameters = BTreeMap::new();
    parameters.insert("SALT".into(), srp::to_hex(&verifier.salt));
    parameters.insert("SRP_B".into(), srp::to_hex(&ephemeral.public));
    parameters.insert("SECRET_BLOCK".into(), B64.encode(raw));
    parameters.insert("USERNAME".into(), next.username.clone());
    parameters.insert("DEVICE_KEY".into(), device.device_key);
    Ok(Outcome::Challenge {
        name: ChallengeNameType::DevicePasswordVerifier,
        session: Some(id),
        parameters,
    })
}

/// DEVICE_PASSWORD_VERIFIER: the claim signature over DeviceGroupKey, DeviceKey, the secret
/// block and the timestamp, checked against the device's verifier; a wrong device secret is
/// NotAuthorizedException. A remembered device signs in without a second factor.
pub(crate) async fn device_password_verifier(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    session: Option<String>,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let get = |name: &str| responses.get(name).ok_or_else(|| missing(name));
    let key = get("DEVICE_KEY")?;
    let signature = get("PASSWORD_CLAIM_SIGNATURE")?;
    let block = get("PASSWORD_CLAIM_SECRET_BLOCK")?;
    let timestamp = get("TIMESTAMP")?;
    let invalid_session = || ApiError::not_authorized("Invalid session for the user.");
    let block_bytes = B64.decode(block.trim()).map_err(|_| invalid_session())?;
    let session = session.unwrap_or_else(|| session_id(&block_bytes));
    if session_id(&block_bytes) != session {
        return Err(invalid_session());
    }
    let doc = take_session(app, pool_id, &client_id_of(client), &session).await?;
    let Pending::DevicePasswordVerifier {
        device_key,
        srp_b_secret,
        srp_b,
        srp_a,
    } = &doc.pending
    else {
        return Err(invalid_session());
    };
    if device_key != key {
        return Err(not_found());
    }
    let user = session_user(app, client, pool_id, &doc).await?;
    let device = confirmed_device(app, &user, key).await?;
    let verifier = open_verifier(app, &device).ok_or_else(not_found)?;
    let claim = Claim {
        secret_block: &block_bytes,
        timestamp,
        signature,
    };
    let good = srp_proof_holds(
        (srp_b_secret, srp_b, srp_a),
        &verifier.verifier,
        &device.group_key,
        &device.device_key,
        &claim,
    )?;
    if !good {
        // As a wrong password: counted toward lockout.
        count_failure(app, user).await?;
        return Err(ApiError::not_authorized("Incorrect username or password."));
    }
    authenticated(app, device).await?;
    // A remembered device stands in for the second factor where the pool says so.
    let skips_mfa = pool
        .device_configuration
        .as_ref()
        .and_then(|c| c.challenge_required_on_new_device)
        == Some(true);
    if skips_mfa {
        finish_sign_in(app, pool, client, &user, Some(key), false).await
    } else {
        second_factor(app, pool, client, &user, Some(key)).await
    }
}

/// Records a sign-in or refresh from the device, and the address it came from.
async fn authenticated(app: &App, mut device: Device) -> Result<(), ApiError> {
    device.last_authenticated = app.now();
    if let Some(ip) = RequestContext::current().ip_address {
        device.last_ip = Some(ip);
    }
    app.store.put_device(&device).await.or_internal()
}

/// GetTokensFromRefreshToken and REFRESH_TOKEN_AUTH with a DEVICE_KEY: the device must be one
/// of the user's confirmed devices ("Invalid Refresh Token" otherwise, as when a forgotten
/// device refreshes); its last authentication moves to now.
pub(crate) async fn refreshed(
    app: &App,
    pool_id: &str,
    sub: &str,
    device_key: Option<&str>,
) -> Result<(), ApiError> {
    let Some(key) = device_key else {
        return Ok(());
    };
    let device = app
        .store
        .get_device(pool_id, sub, key)
        .await
        .or_internal()?
        .filter(Device::confirmed)
        .ok_or_else(|| ApiError::not_authorized("Invalid Refresh Token"))?;
    authenticated(app, device).await
}

/// The device as Cognito shows it: status, name, ARN, owner, last IP, remembered status.
/// A device as Cognito describes it; `scope` is where its pool lives.
fn device_type(scope: &Scope, user: &User, device: &Device) -> DeviceType {
    let pool_id = &device.pool_id;
    let owner = format!("{}.{pool_id}", user.username);
    let mut attributes = vec![("device_status", "valid".to_owned())];
    if let Some(name) = &device.name {
        attributes.push(("device_name", name.clone()));
    }
    attributes.push((
        "dev:device_arn",
        format!(
            "arn:aws:cognito-idp:{}:{}:owner/{owner}/device/{}",
            scope.region, scope.account_id, device.device_key
        ),
    ));
    attributes.push(("dev:device_owner", owner));
    if let Some(ip) = &device.last_ip {
        attributes.push(("last_ip_used", ip.clone()));
    }
    attributes.push((
        "dev:device_remembered_status",
        remembered_status(device.remembered).to_owned(),
    ));
    DeviceType {
        device_key: Some(device.device_key.clone()),
        device_attributes: Some(
            attributes
                .into_iter()
                .map(|(name, value)| AttributeType {
                    name: name.into(),
                    value: Some(Sensitive(value)),
                })
                .collect(),
        ),
        device_create_date: Some(device.created),
        device_last_modified_date: Some(device.modified),
        device_last_authenticated_date: Some(device.last_authenticated.floor()),
    }
}

fn remembered_status(remembered: bool) -> &'static str {
    if remembered {
        "remembered"
    } else {
        "not_remembered"
    }
}

/// A page of the user's remembered devices, in device key order.
async fn list(
    app: &App,
    user: &User,
    limit: Option<i32>,
    token: Option<&str>,
) -> Result<(Vec<DeviceType>, Option<String>), ApiError> {
    let limit = match limit {
        Some(n) if n > 0 => n as usize,
        _ => 60,
    };
    let after = token.map(decode_token).transpose()?;
    let mut devices = app
        .store
        .list_devices(&user.pool_id, &user.sub, after.as_deref(), limit + 1)
        .await
        .or_internal()?;
    let more = devices.len() > limit;
    devices.truncate(limit);
    let next = more
        .then(|| devices.last().map(|d| encode_token(&d.device_key)))
        .flatten();
    let scope = Scope::of_pool_id(app, &user.pool_id).await?;
    Ok((
        devices
            .iter()
            .map(|d| device_type(&scope, user, d))
            .collect(),
        next,
    ))
}

async fn update_status(
    app: &App,
    user: &User,
    key: &str,
    status: Option<DeviceRememberedStatusType>,
) -> Result<(), ApiError> {
    let mut device = confirmed_device(app, user, key).await?;
    if let Some(status) = status {
        device.remembered = status == DeviceRememberedStatusType::Remembered;
    }
    device.modified = app.now();
    app.store.put_device(&device).await.or_internal()
}

async fn forget(app: &App, user: &User, key: &str) -> Result<(), ApiError> {
    confirmed_device(app, user, key).await?;
    app.store
        .delete_device(&user.pool_id, &user.sub, key)
        .await
        .or_internal()?;
    Ok(())
}

/// The user an Admin device operation names, in a pool that exists. An unknown user is
/// UserNotFoundException where the operation declares it (AdminForgetDevice,
/// AdminUpdateDeviceStatus), ResourceNotFoundException where it does not.
async fn admin_user(
    app: &App,
    pool_id: &str,
    username: &str,
    code: ErrorCode,
) -> Result<User, ApiError> {
    get_pool(app, pool_id).await?;
    app.store
        .get_user(pool_id, username)
        .await
        .or_internal()?
        .ok_or_else(|| ApiError::new(code, "User does not exist."))
}

fn access_token(token: Option<&Sensitive<String>>) -> Result<&str, ApiError> {
    token
        .map(|t| t.expose().as_str())
        .ok_or_else(|| missing("AccessToken"))
}

/// Stores the device's verifier (sealed); with DeviceOnlyRememberedOnUserPrompt false the
/// device is remembered at once, otherwise UserConfirmationNecessary asks the app to let the
/// user choose (UpdateDeviceStatus).
pub async fn confirm_device(
    app: &App,
    input: ConfirmDeviceRequest,
) -> Result<ConfirmDeviceResponse, ApiError> {
    let (user, _, _) = authorize(app, input.access_token.expose()).await?;
    let pool = get_pool(app, &user.pool_id).await?;
    let mut device = app
        .store
        .get_device(&user.pool_id, &user.sub, &input.device_key)
        .await
        .or_internal()?
        .ok_or_else(not_found)?;
    if device.confirmed() {
        return Err(ApiError::new(
            ErrorCode::DeviceKeyExistsException,
            "Device key already exists.",
        ));
    }
    let config = input.device_secret_verifier_config.unwrap_or_default();
    let decode = |value: Option<&String>| {
        value
            .and_then(|v| B64.decode(v.trim()).ok())
            .filter(|b| !b.is_empty())
    };
    let (Some(salt), Some(verifier)) = (
        decode(config.salt.as_ref()),
        decode(config.password_verifier.as_ref()),
    ) else {
        return Err(ApiError::invalid_parameter(
            "Invalid device secret verifier config.",
        ));
    };
    if srp::ServerEphemeral::new(app.rng.as_ref(), &verifier).is_err() {
        return Err(ApiError::invalid_parameter(
            "Invalid device secret verifier config.",
        ));
    }
    let plain = serde_json::to_vec(&srp::Verifier { salt, verifier }).or_internal()?;
    device.sealed_verifier = Some(app.master_key.seal(
        app.rng.as_ref(),
        &verifier_context(&device.pool_id, &device.device_key),
        &plain,
    ));
    let prompt = pool
        .device_configuration
        .as_ref()
        .is_some_and(|c| c.device_only_remembered_on_user_prompt == Some(true));
    device.remembered = !prompt;
    device.name = input.device_name.or(device.name);
    device.modified = app.now();
    app.store.put_device(&device).await.or_internal()?;
    Ok(ConfirmDeviceResponse {
        user_confirmation_necessary: Some(prompt),
    })
}

/// One of the signed-in user's confirmed devices.
pub async fn get_device(app: &App, input: GetDeviceRequest) -> Result<GetDeviceResponse, ApiError> {
    let token = access_token(input.access_token.as_ref())?;
    let (user, _, _) = authorize(app, token).await?;
    let device = confirmed_device(app, &user, &input.device_key).await?;
    Ok(GetDeviceResponse {
        device: device_type(
            &Scope::of_pool_id(app, &user.pool_id).await?,
            &user,
            &device,
        ),
    })
}

/// The signed-in user's remembered devices, a page (Limit up to 60) at a time.
pub async fn list_devices(
    app: &App,
    input: ListDevicesRequest,
) -> Result<ListDevicesResponse, ApiError> {
    let (user, _, _) = authorize(app, input.access_token.expose()).await?;
    let (devices, pagination_token) =
        list(app, &user, input.limit, input.pagination_token.as_deref()).await?;
    Ok(ListDevicesResponse {
        devices: Some(devices),
        pagination_token,
    })
}

/// Forgets one of the signed-in user's devices: it no longer signs in as a device.
pub async fn forget_device(app: &App, input: ForgetDeviceRequest) -> Result<Empty, ApiError> {
    let token = access_token(input.access_token.as_ref())?;
    let (user, _, _) = authorize(app, token).await?;
    forget(app, &user, &input.device_key).await?;
    Ok(Empty::default())
}

/// Marks one of the signed-in user's devices remembered or not remembered.
pub async fn update_device_status(
    app: &App,
    input: UpdateDeviceStatusRequest,
) -> Result<UpdateDeviceStatusResponse, ApiError> {
    let (user, _, _) = authorize(app, input.access_token.expose()).await?;
    update_status(
        app,
        &user,
        &input.device_key,
        input.device_remembered_status,
    )
    .await?;
    Ok(UpdateDeviceStatusResponse::default())
}

/// As GetDevice, for any user of the pool.
pub async fn admin_get_device(
    app: &App,
    input: AdminGetDeviceRequest,
) -> Result<AdminGetDeviceResponse, ApiError> {
    let user = admin_user(
        app,
        &input.user_pool_id,
        input.username.expose(),
        ErrorCode::ResourceNotFoundException,
    )
    .await?;
    let device = confirmed_device(app, &user, &input.device_key).await?;
    Ok(AdminGetDeviceResponse {
        device: device_type(
            &Scope::of_pool_id(app, &user.pool_id).await?,
            &user,
            &device,
        ),
    })
}

/// As ListDevices, for any user of the pool.
pub async fn admin_list_devices(
    app: &App,
    input: AdminListDevicesRequest,
) -> Result<AdminListDevicesResponse, ApiError> {
    let user = admin_user(
        app,
        &input.user_pool_id,
        input.username.expose(),
        ErrorCode::ResourceNotFoundException,
    )
    .await?;
    let (devices, pagination_token) =
        list(app, &user, input.limit, input.pagination_token.as_deref()).await?;
    Ok(AdminListDevicesResponse {
        devices: Some(devices),
        pagination_token,
    })
}

/// As ForgetDevice, for any user of the pool.
pub async fn admin_forget_device(
    app: &App,
    input: AdminForgetDeviceRequest,
) -> Result<Empty, ApiError> {
    let user = admin_user(
        app,
        &input.user_pool_id,
        input.username.expose(),
        ErrorCode::UserNotFoundException,
    )
    .await?;
    forget(app, &user, &input.device_key).await?;
    Ok(Empty::default())
}

/// As UpdateDeviceStatus, for any user of the pool.
pub async fn admin_update_device_status(
    app: &App,
    input: AdminUpdateDeviceStatusRequest,
) -> Result<AdminUpdateDeviceStatusResponse, ApiError> {
    let user = admin_user(
        app,
        &input.user_pool_id,
        input.username.expose(),
        ErrorCode::UserNotFoundException,
    )
    .await?;
    update_status(
        app,
        &user,
        &input.device_key,
        input.device_remembered_status,
    )
    .await?;
    Ok(AdminUpdateDeviceStatusResponse::default())
}
