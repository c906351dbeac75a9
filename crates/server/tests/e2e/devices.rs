//! Remembered devices: NewDeviceMetadata when the pool has a DeviceConfiguration, ConfirmDevice,
//! GetDevice/ListDevices/ForgetDevice/UpdateDeviceStatus and their Admin twins, the device
//! sign-in (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER checked for real), refresh with a device
//! key, a remembered device standing in for MFA, and amazon-cognito-identity-js remembering a
//! device and signing in with it.

use crate::harness::err;
use crate::signin_support::{timestamp_now, Fixture, SrpClient, PASSWORD};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, DeviceConfigurationType, DeviceRememberedStatusType,
    DeviceSecretVerifierConfigType, DeviceType, SmsConfigurationType, SmsMfaConfigType,
    UserPoolMfaType,
};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ironpool_core::{srp, OsRng};
use std::collections::HashMap;

/// Turns device remembering on for the fixture's pool.
async fn remember_devices(f: &Fixture, on_user_prompt: bool) {
    f.c.update_user_pool()
        .user_pool_id(&f.pool)
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(false)
                .device_only_remembered_on_user_prompt(on_user_prompt)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// A device as a client keeps it: its keys and the random password behind its verifier.
struct ClientDevice {
    key: String,
    group_key: String,
    password: String,
}

impl ClientDevice {
    /// ConfirmDevice's DeviceSecretVerifierConfig, computed as amazon-cognito-identity-js
    /// computes it (`generateHashDevice`).
    fn verifier_config(&self) -> DeviceSecretVerifierConfigType {
        let v = srp::Verifier::new(&OsRng, &self.group_key, &self.key, &self.password);
        DeviceSecretVerifierConfigType::builder()
            .salt(B64.encode(srp::pad(&v.salt)))
            .password_verifier(B64.encode(srp::pad(&v.verifier)))
            .build()
    }

    /// The DEVICE_PASSWORD_VERIFIER answer to the challenge parameters `params`, for the
    /// secret `a` whose public value went out as SRP_A.
    fn respond(
        &self,
        a: &[u8; 32],
        params: &HashMap<String, String>,
        password: &str,
    ) -> HashMap<String, String> {
        let b = srp::parse_hex(&params["SRP_B"]).unwrap();
        let salt = srp::parse_hex(&params["SALT"]).unwrap();
        let big_a = srp::g_pow(a);
        let key = srp::client_key(a, &big_a, &b, &salt, &self.group_key, &self.key, password);
        let block = B64.decode(&params["SECRET_BLOCK"]).unwrap();
        let timestamp = timestamp_now();
        let sig = srp::claim_signature(&key, &self.group_key, &self.key, &block, &timestamp);
        HashMap::from([
            ("USERNAME".into(), params["USERNAME"].clone()),
            ("DEVICE_KEY".into(), self.key.clone()),
            (
                "PASSWORD_CLAIM_SECRET_BLOCK".into(),
                params["SECRET_BLOCK"].clone(),
            ),
            ("PASSWORD_CLAIM_SIGNATURE".into(), B64.encode(sig)),
            ("TIMESTAMP".into(), timestamp),
        ])
    }
}

/// Signs `username` in, takes the NewDeviceMetadata and confirms the device; returns it, the
/// access token and whether the user must confirm remembering it.
async fn new_device(f: &Fixture, username: &str) -> (ClientDevice, String, bool) {
    let result = f.sign_in(username).await;
    let meta = result.new_device_metadata().expect("NewDeviceMetadata");
    let device = ClientDevice {
        key: meta.device_key().unwrap().to_owned(),
        group_key: meta.device_group_key().unwrap().to_owned(),
        password: format!("device-secret-{}", meta.device_key().unwrap()),
    };
    let access = result.access_token().unwrap().to_owned();
    let confirmed =
        f.c.confirm_device()
            .access_token(&access)
            .device_key(&device.key)
            .device_secret_verifier_config(device.verifier_config())
            .device_name("laptop")
            .send()
            .await
            .unwrap();
    let necessary = confirmed.user_confirmation_necessary();
    (device, access, necessary)
}

fn attribute<'a>(device: &'a DeviceType, name: &str) -> Option<&'a str> {
    device
        .device_attributes()
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value())
}

#[tokio::test]
async fn new_device_metadata_confirm_get_update_and_forget() {
    let f = Fixture::new().await;
    f.user("alice", &[]).await;
    let plain = f.sign_in("alice").await;
    assert!(
        plain.new_device_metadata().is_none(),
        "no DeviceConfiguration, no device"
    );

    remember_devices(&f, true).await;
    let result = f.sign_in("alice").await;
    let meta = result.new_device_metadata().unwrap();
    let key = meta.device_key().unwrap();
    let (region, uuid) = key.split_once('_').unwrap();
    assert_eq!(region, "us-east-1");
    assert!(ironpool_core::ids::is_uuid(uuid), "{key}");
    assert!(!meta.device_group_key().unwrap().is_empty());
    let access = result.access_token().unwrap();

    // Not yet confirmed: the device is not shown.
    let e =
        f.c.get_device()
            .access_token(access)
            .device_key(key)
            .send()
            .await
            .map_err(err)
            .unwrap_err();
    assert_eq!(
        e,
        (
            "ResourceNotFoundException".into(),
            "Device does not exist.".into()
        )
    );

    let (device, access, necessary) = new_device(&f, "alice").await;
    assert!(necessary, "DeviceOnlyRememberedOnUserPrompt asks the user");
    let again =
        f.c.confirm_device()
            .access_token(&access)
            .device_key(&device.key)
            .device_secret_verifier_config(device.verifier_config())
            .send()
            .await
            .map_err(err)
            .unwrap_err();
    assert_eq!(again.0, "DeviceKeyExistsException");
    let unknown =
        f.c.confirm_device()
            .access_token(&access)
            .device_key("us-east-1_00000000-0000-4000-8000-000000000000")
            .device_secret_verifier_config(device.verifier_config())
            .send()
            .await
            .map_err(err)
            .unwrap_err();
    assert_eq!(
        unknown,
        (
            "ResourceNotFoundException".into(),
            "Device does not exist.".into()
        )
    );

    let got =
        f.c.get_device()
            .access_token(&access)
            .device_key(&device.key)
            .send()
            .await
            .unwrap();
    let got = got.device().unwrap();
    assert_eq!(got.device_key(), Some(device.key.as_str()));
    assert_eq!(attribute(got, "device_name"), Some("laptop"));
    assert_eq!(attribute(got, "device_status"), Some("valid"));
    assert_eq!(attribute(got, "last_ip_used"), Some("127.0.0.1"));
    assert_eq!(
        attribute(got, "dev:device_remembered_status"),
        Some("not_remembered")
    );
    assert_eq!(
        attribute(got, "dev:device_owner"),
        Some(format!("alice.{}", f.pool).as_str())
    );
    assert!(got.device_create_date().is_some() && got.device_last_modified_date().is_some());

    // Only remembered devices are listed.
    let list =
        f.c.list_devices()
            .access_token(&access)
            .send()
            .await
            .unwrap();
    assert!(list.devices().is_empty());
    f.c.update_device_status()
        .access_token(&access)
        .device_key(&device.key)
        .device_remembered_status(DeviceRememberedStatusType::Remembered)
        .send()
        .await
        .unwrap();
    let list =
        f.c.list_devices()
            .access_token(&access)
            .send()
            .await
            .unwrap();
    assert_eq!(list.devices().len(), 1);
    assert_eq!(
        attribute(&list.devices()[0], "dev:device_remembered_status"),
        Some("remembered")
    );
    let admin =
        f.c.admin_get_device()
            .user_pool_id(&f.pool)
            .username("alice")
            .device_key(&device.key)
            .send()
            .await
            .unwrap();
    assert_eq!(
        admin.device().unwrap().device_key(),
        Some(device.key.as_str())
    );
    f.c.admin_update_device_status()
        .user_pool_id(&f.pool)
        .username("alice")
        .device_key(&device.key)
        .device_remembered_status(DeviceRememberedStatusType::NotRemembered)
        .send()
        .await
        .unwrap();
    let admin_list =
        f.c.admin_list_devices()
            .user_pool_id(&f.pool)
            .username("alice")
            .send()
            .await
            .unwrap();
    assert!(admin_list.devices().is_empty());

    f.c.forget_device()
        .access_token(&access)
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    let gone =
        f.c.update_device_status()
            .access_token(&access)
            .device_key(&device.key)
            .device_remembered_status(DeviceRememberedStatusType::Remembered)
            .send()
            .await
            .map_err(err)
            .unwrap_err();
    assert_eq!(
        gone,
        (
            "ResourceNotFoundException".into(),
            "Device does not exist.".into()
        )
    );
    let gone =
        f.c.forget_device()
            .access_token(&access)
            .device_key(&device.key)
            .send()
            .await
            .map_err(err)
            .unwrap_err();
    assert_eq!(gone.0, "ResourceNotFoundException");

    // The Admin twins: another user's device, unknown users and pools.
    f.user("bob", &[]).await;
    let (bobs, _, _) = new_device(&f, "bob").await;
    let foreign =
        f.c.admin_get_device()
            .user_pool_id(&f.pool)
            .username("alice")
            .device_key(&bobs.key)
            .send()
            .await
            .map_err(err)
            .unwrap_err();
    assert_eq!(foreign.0, "ResourceNotFoundException");
    f.c.admin_forget_device()
        .user_pool_id(&f.pool)
        .username("bob")
        .device_key(&bobs.key)
        .send()
        .await
        .unwrap();
    let nobody =
        f.c.admin_list_devices()
            .user_pool_id(&f.pool)
            .username("nobody")
            .send()
            .await
            .map_err(err)
            .unwrap_err();
    assert_eq!(
        nobody,
        (
            "ResourceNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    let nobody =
        f.c.admin_forget_device()
            .user_pool_id(&f.pool)
            .username("nobody")
            .device_key(&bobs.key)
            .send()
            .await
            .map_err(err)
            .unwrap_err();
    assert_eq!(
        nobody,
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    let no_pool =
        f.c.admin_get_device()
            .user_pool_id("us-east-1_NoSuchOne")
            .username("alice")
            .device_key(&bobs.key)
            .send()
            .await
            .map_err(err)
            .unwrap_err();
    assert_eq!(no_pool.0, "ResourceNotFoundException");
    let bad_token =
        f.c.list_devices()
            .access_token("not-a-token")
            .send()
            .await
            .map_err(err)
            .unwrap_err();
    assert_eq!(
        bad_token,
        (
            "NotAuthorizedException".into(),
            "Invalid Access Token".into()
        )
    );
}

#[tokio::test]
async fn devices_list_in_pages_and_go_with_their_user() {
    let f = Fixture::new().await;
    remember_devices(&f, false).await;
    let user = f.user("carol", &[]).await;
    let mut keys = Vec::new();
    let mut access = String::new();
    for _ in 0..5 {
        let (device, token, necessary) = new_device(&f, "carol").await;
        assert!(!necessary, "remembered at once without the user prompt");
        keys.push(device.key);
        access = token;
    }
    keys.sort();

    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page =
            f.c.list_devices()
                .access_token(&access)
                .limit(2)
                .set_pagination_token(token)
                .send()
                .await
                .unwrap();
        assert!(page.devices().len() <= 2);
        seen.extend(
            page.devices()
                .iter()
                .map(|d| d.device_key().unwrap().to_owned()),
        );
        token = page.pagination_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, keys);

    let admin =
        f.c.admin_list_devices()
            .user_pool_id(&f.pool)
            .username("carol")
            .limit(3)
            .send()
            .await
            .unwrap();
    assert_eq!(admin.devices().len(), 3);
    let rest =
        f.c.admin_list_devices()
            .user_pool_id(&f.pool)
            .username("carol")
            .pagination_token(admin.pagination_token().unwrap())
            .send()
            .await
            .unwrap();
    assert_eq!(rest.devices().len(), 2);
    assert!(rest.pagination_token().is_none());

    f.c.admin_delete_user()
        .user_pool_id(&f.pool)
        .username("carol")
        .send()
        .await
        .unwrap();
    let left = f
        .app()
        .store
        .list_devices(&f.pool, &user.sub, None, 60)
        .await
        .unwrap();
    assert!(left.is_empty(), "deleting the user deletes its devices");
    for key in &keys {
        let device = f.app().store.get_device(&f.pool, &user.sub, key).await;
        assert_eq!(device.unwrap(), None);
    }
}

/// The DEVICE_SRP_AUTH exchange after `session`; returns DEVICE_PASSWORD_VERIFIER's outcome.
async fn device_srp(
    f: &Fixture,
    device: &ClientDevice,
    session: &str,
    password: &str,
) -> Result<aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput, (String, String)>
{
    let mut a = [0u8; 32];
    ironpool_core::Rng::fill(&OsRng, &mut a);
    let srp_a = srp::to_hex(&srp::g_pow(&a));
    let challenge =
        f.c.respond_to_auth_challenge()
            .client_id(&f.client_id)
            .challenge_name(ChallengeNameType::DeviceSrpAuth)
            .session(session)
            .challenge_responses("USERNAME", "dave")
            .challenge_responses("DEVICE_KEY", &device.key)
            .challenge_responses("SRP_A", srp_a)
            .send()
            .await
            .unwrap();
    assert_eq!(
        challenge.challenge_name(),
        Some(&ChallengeNameType::DevicePasswordVerifier)
    );
    let params = challenge.challenge_parameters().unwrap();
    assert_eq!(params["USERNAME"], "dave");
    f.c.respond_to_auth_challenge()
        .client_id(&f.client_id)
        .challenge_name(ChallengeNameType::DevicePasswordVerifier)
        .session(challenge.session().unwrap())
        .set_challenge_responses(Some(device.respond(&a, params, password)))
        .send()
        .await
        .map_err(err)
}

#[tokio::test]
async fn a_remembered_device_signs_in_with_device_srp_and_a_wrong_secret_fails() {
    let f = Fixture::new().await;
    remember_devices(&f, false).await;
    f.user("dave", &[]).await;
    let (device, _, _) = new_device(&f, "dave").await;

    // USER_PASSWORD_AUTH with the device key: the password, then the device.
    let start =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "dave")
            .auth_parameters("PASSWORD", PASSWORD)
            .auth_parameters("DEVICE_KEY", &device.key)
            .send()
            .await
            .unwrap();
    assert_eq!(
        start.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );
    assert!(start.authentication_result().is_none());
    let done = device_srp(&f, &device, start.session().unwrap(), &device.password)
        .await
        .unwrap();
    let tokens = done.authentication_result().unwrap();
    assert!(tokens.access_token().is_some() && tokens.refresh_token().is_some());
    assert!(
        tokens.new_device_metadata().is_none(),
        "a known device gets no new key"
    );

    // A wrong device secret.
    let start =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "dave")
            .auth_parameters("PASSWORD", PASSWORD)
            .auth_parameters("DEVICE_KEY", &device.key)
            .send()
            .await
            .unwrap();
    let wrong = device_srp(
        &f,
        &device,
        start.session().unwrap(),
        "not-the-device-secret",
    )
    .await
    .unwrap_err();
    assert_eq!(wrong.0, "NotAuthorizedException");
    // Counted as a wrong password: four more and the user is locked out.
    for _ in 0..4 {
        let start =
            f.c.initiate_auth()
                .client_id(&f.client_id)
                .auth_flow(AuthFlowType::UserPasswordAuth)
                .auth_parameters("USERNAME", "dave")
                .auth_parameters("PASSWORD", PASSWORD)
                .auth_parameters("DEVICE_KEY", &device.key)
                .send()
                .await
                .unwrap();
        let session = start.session().unwrap();
        assert!(device_srp(&f, &device, session, "not-it").await.is_err());
    }
    assert_eq!(
        f.sign_in_with("dave", PASSWORD).await.unwrap_err().1,
        "Password attempts exceeded"
    );
    f.change_user("dave", |u| {
        u.failed_attempts = 0;
        u.locked_until = None;
    })
    .await;

    // USER_SRP_AUTH: the device key comes with PASSWORD_VERIFIER.
    let srp_client = SrpClient::new();
    let challenge =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", "dave")
            .auth_parameters("SRP_A", &srp_client.srp_a)
            .auth_parameters("DEVICE_KEY", &device.key)
            .send()
            .await
            .unwrap();
    let mut responses = srp_client.respond(
        &f.pool,
        challenge.challenge_parameters().unwrap(),
        PASSWORD,
        &timestamp_now(),
    );
    responses.insert("DEVICE_KEY".into(), device.key.clone());
    let next =
        f.c.respond_to_auth_challenge()
            .client_id(&f.client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .session(challenge.session().unwrap())
            .set_challenge_responses(Some(responses.clone().into_iter().collect()))
            .send()
            .await
            .unwrap();
    assert_eq!(
        next.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );
    let done = device_srp(&f, &device, next.session().unwrap(), &device.password)
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());

    // An unknown device key fails before the Session is spent: the client retries without it.
    let challenge =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", "dave")
            .auth_parameters("SRP_A", &srp_client.srp_a)
            .send()
            .await
            .unwrap();
    let mut responses = srp_client.respond(
        &f.pool,
        challenge.challenge_parameters().unwrap(),
        PASSWORD,
        &timestamp_now(),
    );
    responses.insert(
        "DEVICE_KEY".into(),
        "us-east-1_00000000-0000-4000-8000-000000000000".into(),
    );
    let unknown =
        f.c.respond_to_auth_challenge()
            .client_id(&f.client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .session(challenge.session().unwrap())
            .set_challenge_responses(Some(responses.clone().into_iter().collect()))
            .send()
            .await
            .map_err(err)
            .unwrap_err();
    assert_eq!(
        unknown,
        (
            "ResourceNotFoundException".into(),
            "Device does not exist.".into()
        )
    );
    responses.remove("DEVICE_KEY");
    let retried =
        f.c.respond_to_auth_challenge()
            .client_id(&f.client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .session(challenge.session().unwrap())
            .set_challenge_responses(Some(responses.into_iter().collect()))
            .send()
            .await
            .unwrap();
    let fresh = retried.authentication_result().unwrap();
    assert!(fresh.new_device_metadata().is_some());

    // AdminInitiateAuth and AdminRespondToAuthChallenge take the same steps.
    let start =
        f.c.admin_initiate_auth()
            .user_pool_id(&f.pool)
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "dave")
            .auth_parameters("PASSWORD", PASSWORD)
            .auth_parameters("DEVICE_KEY", &device.key)
            .send()
            .await
            .unwrap();
    assert_eq!(
        start.challenge_name(),
        Some(&ChallengeNameType::DeviceSrpAuth)
    );
    let mut a = [0u8; 32];
    ironpool_core::Rng::fill(&OsRng, &mut a);
    let challenge =
        f.c.admin_respond_to_auth_challenge()
            .user_pool_id(&f.pool)
            .client_id(&f.client_id)
            .challenge_name(ChallengeNameType::DeviceSrpAuth)
            .session(start.session().unwrap())
            .challenge_responses("USERNAME", "dave")
            .challenge_responses("DEVICE_KEY", &device.key)
            .challenge_responses("SRP_A", srp::to_hex(&srp::g_pow(&a)))
            .send()
            .await
            .unwrap();
    let done =
        f.c.admin_respond_to_auth_challenge()
            .user_pool_id(&f.pool)
            .client_id(&f.client_id)
            .challenge_name(ChallengeNameType::DevicePasswordVerifier)
            .session(challenge.session().unwrap())
            .set_challenge_responses(Some(device.respond(
                &a,
                challenge.challenge_parameters().unwrap(),
                &device.password,
            )))
            .send()
            .await
            .unwrap();
    assert!(done.authentication_result().is_some());

    // Another user's device is no device of this one.
    f.user("eve", &[]).await;
    let (eves, _, _) = new_device(&f, "eve").await;
    let foreign =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "dave")
            .auth_parameters("PASSWORD", PASSWORD)
            .auth_parameters("DEVICE_KEY", &eves.key)
            .send()
            .await
            .map_err(err)
            .unwrap_err();
    assert_eq!(
        foreign,
        (
            "ResourceNotFoundException".into(),
            "Device does not exist.".into()
        )
    );

    // A device that is confirmed but not remembered signs in with the password alone.
    f.c.admin_update_device_status()
        .user_pool_id(&f.pool)
        .username("dave")
        .device_key(&device.key)
        .device_remembered_status(DeviceRememberedStatusType::NotRemembered)
        .send()
        .await
        .unwrap();
    let plain =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "dave")
            .auth_parameters("PASSWORD", PASSWORD)
            .auth_parameters("DEVICE_KEY", &device.key)
            .send()
            .await
            .unwrap();
    let tokens = plain.authentication_result().unwrap();
    assert!(tokens.new_device_metadata().is_none());
}

#[tokio::test]
async fn refresh_with_a_device_key_updates_it_and_a_forgotten_device_cannot_refresh() {
    let f = Fixture::new().await;
    remember_devices(&f, false).await;
    f.user("erin", &[]).await;
    let (device, access, _) = new_device(&f, "erin").await;
    let refresh_token = f.sign_in("erin").await.refresh_token().unwrap().to_owned();
    let before =
        f.c.get_device()
            .access_token(&access)
            .device_key(&device.key)
            .send()
            .await
            .unwrap()
            .device()
            .unwrap()
            .device_last_authenticated_date()
            .unwrap()
            .secs();

    f.advance(120);
    let refreshed =
        f.c.initiate_auth()
            .client_id(&f.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", &refresh_token)
            .auth_parameters("DEVICE_KEY", &device.key)
            .send()
            .await
            .unwrap();
    let result = refreshed.authentication_result().unwrap();
    assert!(result.new_device_metadata().is_none(), "not on refresh");
    let access = result.access_token().unwrap().to_owned();
    f.advance(60);
    f.c.get_tokens_from_refresh_token()
        .client_id(&f.client_id)
        .refresh_token(&refresh_token)
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    let after =
        f.c.get_device()
            .access_token(&access)
            .device_key(&device.key)
            .send()
            .await
            .unwrap()
            .device()
            .unwrap()
            .device_last_authenticated_date()
            .unwrap()
            .secs();
    assert!(after >= before + 180, "{before} -> {after}");

    f.c.forget_device()
        .access_token(&access)
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    let refused =
        f.c.get_tokens_from_refresh_token()
            .client_id(&f.client_id)
            .refresh_token(&refresh_token)
            .device_key(&device.key)
            .send()
            .await
            .map_err(err)
            .unwrap_err();
    assert_eq!(
        refused,
        (
            "NotAuthorizedException".into(),
            "Invalid Refresh Token".into()
        )
    );
}

#[tokio::test]
async fn identity_js_remembers_a_device_and_signs_in_with_it() {
    let Some(dir) = crate::js_clients::js_dir() else {
        return;
    };
    let f = Fixture::new().await;
    remember_devices(&f, true).await;
    f.user("frank", &[]).await;
    let url = f.url();
    let out = crate::js_clients::node(
        &dir,
        "device_sign_in.mjs",
        &[
            ("ENDPOINT", url.as_str()),
            ("POOL_ID", f.pool.as_str()),
            ("CLIENT_ID", f.client_id.as_str()),
            ("USERNAME", "frank"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await;
    let first = &out["first"];
    assert_eq!(first["ok"], true, "{out}");
    assert_eq!(
        first["challenges"],
        serde_json::json!(["PASSWORD_VERIFIER"])
    );
    assert_eq!(first["userConfirmationNecessary"], true);
    let key = first["deviceKey"].as_str().unwrap();
    assert_eq!(out["remembered"]["ok"], true, "{out}");
    assert_eq!(out["listed"], serde_json::json!([key]));

    let second = &out["second"];
    assert_eq!(second["ok"], true, "{out}");
    assert_eq!(
        second["challenges"],
        serde_json::json!([
            "PASSWORD_VERIFIER",
            "DEVICE_SRP_AUTH",
            "DEVICE_PASSWORD_VERIFIER"
        ])
    );
    assert_eq!(second["deviceKey"], key, "the same device, no new one");

    let tampered = &out["tampered"];
    assert_eq!(tampered["ok"], false, "{out}");
    assert_eq!(tampered["code"], "NotAuthorizedException");
    assert_eq!(
        tampered["challenges"],
        serde_json::json!([
            "PASSWORD_VERIFIER",
            "DEVICE_SRP_AUTH",
            "DEVICE_PASSWORD_VERIFIER"
        ])
    );
}

#[tokio::test]
async fn amplify_remembers_fetches_and_forgets_a_device() {
    let Some(dir) = crate::js_clients::js_dir() else {
        return;
    };
    let f = Fixture::new().await;
    remember_devices(&f, true).await;
    f.user("grace", &[]).await;
    let url = f.url();
    let out = crate::js_clients::node(
        &dir,
        "amplify_devices.mjs",
        &[
            ("ENDPOINT", url.as_str()),
            ("POOL_ID", f.pool.as_str()),
            ("CLIENT_ID", f.client_id.as_str()),
            ("USERNAME", "grace"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await;
    assert!(out.get("error").is_none(), "{out}");
    assert_eq!(out["first"]["signedIn"], true, "{out}");
    let devices = out["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1, "{out}");
    assert_eq!(out["second"]["signedIn"], true, "{out}");
    assert_eq!(
        out["second"]["challenges"],
        serde_json::json!([
            "PASSWORD_VERIFIER",
            "DEVICE_SRP_AUTH",
            "DEVICE_PASSWORD_VERIFIER"
        ]),
        "{out}"
    );
    assert_eq!(out["afterForget"], serde_json::json!([]), "{out}");
}

/// The SMS code of the newest MFA message to `username`.
fn sms_code(f: &Fixture, username: &str) -> String {
    let sent = f.app().outbox.list(Some(&f.pool), Some(username));
    sent.into_iter()
        .rev()
        .find(|m| m.purpose == "mfa")
        .expect("an MFA code")
        .code
}

/// In a pool with MFA ON: a remembered device stands in for the second factor when
/// ChallengeRequiredOnNewDevice is true, and is followed by it otherwise; a sign-in through MFA
/// keeps the device it came from (no new NewDeviceMetadata) or, from none, gets a new one.
#[tokio::test]
async fn a_remembered_device_stands_in_for_mfa_only_where_the_pool_says_so() {
    for device_skips_mfa in [true, false] {
        let f = Fixture::new().await;
        f.c.update_user_pool()
            .user_pool_id(&f.pool)
            .device_configuration(
                DeviceConfigurationType::builder()
                    .challenge_required_on_new_device(device_skips_mfa)
                    .device_only_remembered_on_user_prompt(false)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        f.user("dave", &[("phone_number", "+15555550123")]).await;
        let (device, _, _) = new_device(&f, "dave").await;
        f.c.set_user_pool_mfa_config()
            .user_pool_id(&f.pool)
            .mfa_configuration(UserPoolMfaType::On)
            .sms_mfa_configuration(
                SmsMfaConfigType::builder()
                    .sms_configuration(
                        SmsConfigurationType::builder()
                            .sns_caller_arn("arn:aws:iam::000000000000:role/sns")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let start = |device_key: Option<String>| {
            f.c.initiate_auth()
                .client_id(&f.client_id)
                .auth_flow(AuthFlowType::UserPasswordAuth)
                .set_auth_parameters(Some(
                    [
                        Some(("USERNAME".to_owned(), "dave".to_owned())),
                        Some(("PASSWORD".to_owned(), PASSWORD.to_owned())),
                        device_key.map(|k| ("DEVICE_KEY".to_owned(), k)),
                    ]
                    .into_iter()
                    .flatten()
                    .collect(),
                ))
                .send()
        };
        let answer_sms = |session: String| {
            f.c.respond_to_auth_challenge()
                .client_id(&f.client_id)
                .challenge_name(ChallengeNameType::SmsMfa)
                .session(session)
                .challenge_responses("USERNAME", "dave")
                .challenge_responses("SMS_MFA_CODE", sms_code(&f, "dave"))
                .send()
        };

        // The remembered device: the password, the device, then MFA unless the device stands
        // in for it.
        let r = start(Some(device.key.clone())).await.unwrap();
        assert_eq!(r.challenge_name(), Some(&ChallengeNameType::DeviceSrpAuth));
        let r = device_srp(&f, &device, r.session().unwrap(), &device.password)
            .await
            .unwrap();
        let tokens = if device_skips_mfa {
            r.authentication_result().cloned()
        } else {
            assert_eq!(r.challenge_name(), Some(&ChallengeNameType::SmsMfa));
            answer_sms(r.session().unwrap().to_owned())
                .await
                .unwrap()
                .authentication_result()
                .cloned()
        };
        let tokens = tokens.expect("tokens");
        assert!(tokens.new_device_metadata().is_none());

        // No device: MFA, then a new device.
        let r = start(None).await.unwrap();
        assert_eq!(r.challenge_name(), Some(&ChallengeNameType::SmsMfa));
        let r = answer_sms(r.session().unwrap().to_owned()).await.unwrap();
        let new = r.authentication_result().unwrap().new_device_metadata();
        assert!(new.is_some_and(|m| m.device_key() != Some(device.key.as_str())));

        // A known device no longer remembered: MFA, and it stays the device.
        f.c.admin_update_device_status()
            .user_pool_id(&f.pool)
            .username("dave")
            .device_key(&device.key)
            .device_remembered_status(DeviceRememberedStatusType::NotRemembered)
            .send()
            .await
            .unwrap();
        let r = start(Some(device.key.clone())).await.unwrap();
        assert_eq!(r.challenge_name(), Some(&ChallengeNameType::SmsMfa));
        let r = answer_sms(r.session().unwrap().to_owned()).await.unwrap();
        assert!(r
            .authentication_result()
            .unwrap()
            .new_device_metadata()
            .is_none());
    }
}
