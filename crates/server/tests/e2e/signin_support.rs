//! Helpers for the sign-in tests: a server with a movable clock, a pool and app client, users
//! seeded with passwords, token decoding, and the client side of SRP.

#![allow(dead_code)]

use crate::harness::{sdk_client, KEY_ID, SECRET};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ExplicitAuthFlowsType,
};
use aws_sdk_cognitoidentityprovider::Client;
use base64::Engine;
use ironpool_api::types::UserStatusType;
use ironpool_core::{srp, ManualClock, OsRng};
use ironpool_server::{App, Server};
use ironpool_store::{PasswordRecord, User};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub const PASSWORD: &str = "Correct-horse-1";

/// A server whose clock the test moves, a pool and a client allowing every password flow.
pub struct Fixture {
    pub server: Server,
    pub clock: Arc<ManualClock>,
    pub c: Client,
    pub pool: String,
    pub client_id: String,
}

impl Fixture {
    pub async fn new() -> Self {
        Self::with_client(|b| b).await
    }

    /// `customize` adds to the CreateUserPoolClient call (flows default to all password flows).
    pub async fn with_client(
        customize: impl FnOnce(
            aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder,
        ) -> aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder,
    ) -> Self {
        Self::with_config(crate::harness::test_config(), customize).await
    }

    /// [`Fixture::with_client`] on a server of `config`.
    pub async fn with_config(
        config: ironpool_server::config::Config,
        customize: impl FnOnce(
            aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder,
        ) -> aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder,
    ) -> Self {
        let mut app = App::from_config(config).await.unwrap();
        let clock = Arc::new(ManualClock::new(SystemTime::now()));
        app.clock = clock.clone();
        let server = Server::start(app).await.unwrap();
        let c = sdk_client(&server.url(), KEY_ID, SECRET, "us-east-1");
        let pool = c
            .create_user_pool()
            .pool_name("signin")
            .send()
            .await
            .unwrap()
            .user_pool()
            .unwrap()
            .id()
            .unwrap()
            .to_owned();
        let builder = c
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("app");
        let builder = customize(builder);
        let has_flows = builder
            .get_explicit_auth_flows()
            .as_ref()
            .is_some_and(|f| !f.is_empty());
        let builder = if has_flows {
            builder
        } else {
            builder.set_explicit_auth_flows(Some(vec![
                ExplicitAuthFlowsType::AllowUserPasswordAuth,
                ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
                ExplicitAuthFlowsType::AllowUserSrpAuth,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ]))
        };
        let client_id = builder
            .send()
            .await
            .unwrap()
            .user_pool_client()
            .unwrap()
            .client_id()
            .unwrap()
            .to_owned();
        Self {
            server,
            clock,
            c,
            pool,
            client_id,
        }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn app(&self) -> &Arc<App> {
        self.server.app()
    }

    pub fn advance(&self, seconds: u64) {
        self.clock.advance(Duration::from_secs(seconds));
    }

    /// A CONFIRMED user with `PASSWORD` and the given attributes.
    pub async fn user(&self, username: &str, attributes: &[(&str, &str)]) -> User {
        self.user_with(username, PASSWORD, UserStatusType::Confirmed, attributes)
            .await
    }

    /// A user as the store keeps it, with a sealed SRP verifier of `password`.
    pub async fn user_with(
        &self,
        username: &str,
        password: &str,
        status: UserStatusType,
        attributes: &[(&str, &str)],
    ) -> User {
        let app = self.app();
        let verifier = srp::Verifier::new(&OsRng, srp::pool_name(&self.pool), username, password);
        let sealed = app.master_key.seal(
            &OsRng,
            &format!("verifier:{}:{username}", self.pool),
            &serde_json::to_vec(&verifier).unwrap(),
        );
        let now = app.now();
        let user = User {
            pool_id: self.pool.clone(),
            username: username.into(),
            sub: ironpool_core::ids::uuid_v4(&OsRng),
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            status,
            enabled: true,
            created: now,
            modified: now,
            password: Some(PasswordRecord {
                srp_user_id: username.into(),
                sealed_verifier: sealed,
                temporary: status == UserStatusType::ForceChangePassword,
                set_at: now,
            }),
            password_history: vec![],
            failed_attempts: 0,
            locked_until: None,
            tokens_valid_after: None,
            pending_attributes: Default::default(),
            mfa: Default::default(),
            web_authn: vec![],
            pending_web_authn: None,
            version: 0,
        };
        app.store
            .create_user_if_absent(&user, false)
            .await
            .unwrap()
            .unwrap();
        app.store
            .get_user(&self.pool, username)
            .await
            .unwrap()
            .unwrap()
    }

    /// Rewrites the stored user (status, enabled...).
    pub async fn change_user(&self, username: &str, change: impl FnOnce(&mut User)) {
        let store = &self.app().store;
        let mut user = store.get_user(&self.pool, username).await.unwrap().unwrap();
        change(&mut user);
        assert!(store.update_user(&user).await.unwrap().unwrap());
    }

    /// USER_PASSWORD_AUTH sign-in with PASSWORD.
    pub async fn sign_in(&self, username: &str) -> AuthenticationResultType {
        self.sign_in_with(username, PASSWORD).await.unwrap()
    }

    pub async fn sign_in_with(
        &self,
        username: &str,
        password: &str,
    ) -> Result<AuthenticationResultType, (String, String)> {
        self.c
            .initiate_auth()
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
            .map(|r| r.authentication_result().cloned().expect("tokens"))
            .map_err(crate::harness::err)
    }
}

/// A JWT's header and claims, unverified.
pub fn decode(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut part = || {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts.next().unwrap())
            .unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    (part(), part())
}

/// The client's answer to a PASSWORD_VERIFIER challenge, computed as
/// amazon-cognito-identity-js does: (SRP_A to send first, then a closure over the challenge).
pub struct SrpClient {
    a: [u8; 32],
    big_a: Vec<u8>,
    pub srp_a: String,
}

impl SrpClient {
    pub fn new() -> Self {
        let mut a = [0u8; 32];
        ironpool_core::Rng::fill(&OsRng, &mut a);
        let big_a = srp::g_pow(&a);
        Self {
            a,
            srp_a: srp::to_hex(&big_a),
            big_a,
        }
    }

    /// The ChallengeResponses for `params` (the challenge's parameters) and `password`.
    pub fn respond(
        &self,
        pool: &str,
        params: &std::collections::HashMap<String, String>,
        password: &str,
        timestamp: &str,
    ) -> BTreeMap<String, String> {
        let b = srp::parse_hex(&params["SRP_B"]).unwrap();
        let salt = srp::parse_hex(&params["SALT"]).unwrap();
        let user_id = &params["USER_ID_FOR_SRP"];
        let key = srp::client_key(
            &self.a,
            &self.big_a,
            &b,
            &salt,
            srp::pool_name(pool),
            user_id,
            password,
        );
        let block = base64::engine::general_purpose::STANDARD
            .decode(&params["SECRET_BLOCK"])
            .unwrap();
        let sig = srp::claim_signature(&key, srp::pool_name(pool), user_id, &block, timestamp);
        let mut out = BTreeMap::new();
        out.insert("USERNAME".into(), user_id.clone());
        out.insert(
            "PASSWORD_CLAIM_SECRET_BLOCK".into(),
            params["SECRET_BLOCK"].clone(),
        );
        out.insert(
            "PASSWORD_CLAIM_SIGNATURE".into(),
            base64::engine::general_purpose::STANDARD.encode(sig),
        );
        out.insert("TIMESTAMP".into(), timestamp.into());
        out
    }
}

/// Now, in the form SRP clients send.
pub fn timestamp_now() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    srp::format_timestamp(secs)
}
