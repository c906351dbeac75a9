//! The sign-in triggers: PreAuthentication (`PreAuthentication_Authentication`) before a
//! sign-in's password is checked, PostAuthentication (`PostAuthentication_Authentication`) once
//! it passed every challenge, before its tokens; and what of the sign-in call they receive.
//!
//! As Cognito documents it, the ClientMetadata of InitiateAuth and AdminInitiateAuth reaches
//! PreAuthentication (as `validationData`) but not PostAuthentication or PreTokenGeneration,
//! which receive the ClientMetadata of the RespondToAuthChallenge or
//! AdminRespondToAuthChallenge call that ended the sign-in. The challenge a call answers
//! rides with the request's task ([`SignInCall::scope`]), so the pipeline's steps need not
//! carry it.

use super::triggers::{self, run, string_map, Source, Trigger};
use crate::app::App;
use crate::request_context::RequestContext;
use ironpool_api::types::*;
use ironpool_api::ApiError;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::future::Future;

/// The sign-in operation being handled: the challenge it answers (none for InitiateAuth and
/// AdminInitiateAuth), and for a sign-in on the managed login pages, what its authorization
/// request asked for.
#[derive(Clone, Default)]
pub(crate) struct SignInCall {
    pub challenge: Option<ChallengeNameType>,
    pub oauth: Option<std::sync::Arc<super::tokens::OAuthGrant>>,
}

tokio::task_local! {
    static CALL: SignInCall;
}

impl SignInCall {
    /// Runs `f` (a sign-in operation) as this call.
    pub async fn scope<F: Future>(self, f: F) -> F::Output {
        CALL.scope(self, f).await
    }

    /// The call being handled (empty outside one).
    pub fn current() -> Self {
        CALL.try_with(Clone::clone).unwrap_or_default()
    }

    /// The ClientMetadata the triggers at the end of a sign-in receive: the challenge
    /// answer's, never InitiateAuth's.
    pub fn answer_metadata(&self) -> Option<BTreeMap<String, String>> {
        self.challenge
            .is_some()
            .then(|| RequestContext::current().client_metadata)
    }
}

/// PreAuthentication, before the password (or SRP) check of USER_PASSWORD_AUTH,
/// ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH and CUSTOM_AUTH: a function that fails refuses the
/// sign-in ("PreAuthentication failed with error ..."). `user` is None for a name that matches
/// nobody, which reaches the function only where the client hides user existence
/// (`userNotFound`, set only there); the `validationData` is the call's ClientMetadata.
pub(crate) async fn pre_authentication(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user_name: &str,
    user: Option<&ironpool_store::User>,
) -> Result<(), ApiError> {
    let hides = super::auth::hides_existence(client);
    if !triggers::configured(pool, Trigger::PreAuthentication) || (user.is_none() && !hides) {
        return Ok(());
    }
    let mut request = json!({
        "userAttributes": user.map_or_else(Map::new, triggers::user_attributes),
        "validationData": triggers::client_metadata(),
    });
    if hides {
        request["userNotFound"] = Value::Bool(user.is_none());
    }
    let client_id = super::client_documents::client_id_of(client);
    let source = Source {
        trigger: Trigger::PreAuthentication,
        source: "PreAuthentication_Authentication",
        user_name: Some(user.map_or(user_name, |u| u.username.as_str())),
        client_id: Some(&client_id),
    };
    run(app, pool, source, request).await.map(drop)
}

/// PostAuthentication, once a sign-in passed its challenges and before its tokens are issued:
/// a function that fails fails the sign-in. `newDeviceUsed` is set where the pool remembers
/// devices: whether the sign-in came from none of the user's (`device_key`).
pub(crate) async fn post_authentication(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: &ironpool_store::User,
    device_key: Option<&str>,
) -> Result<(), ApiError> {
    if !triggers::configured(pool, Trigger::PostAuthentication) {
        return Ok(());
    }
    let metadata = SignInCall::current().answer_metadata();
    let mut request = json!({
        "userAttributes": triggers::user_attributes(user),
        "clientMetadata": string_map(metadata.as_ref()),
    });
    if pool.device_configuration.is_some() {
        request["newDeviceUsed"] = Value::Bool(device_key.is_none());
    }
    let client_id = super::client_documents::client_id_of(client);
    let source = Source {
        trigger: Trigger::PostAuthentication,
        source: "PostAuthentication_Authentication",
        user_name: Some(&user.username),
        client_id: Some(&client_id),
    };
    run(app, pool, source, request).await.map(drop)
}
