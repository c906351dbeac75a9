//! The sign-in pipeline. Every flow (InitiateAuth, AdminInitiateAuth and the answers to their
//! challenges) is a chain of steps, each ending in an [`Outcome`]: the next challenge or
//! "authenticated". A pending challenge is a typed [`Pending`], sealed into the Session it
//! returns; every path that succeeds ends in [`finish_sign_in`], the one place tokens are
//! issued for a sign-in; and an outcome becomes each operation's response in one place.

use super::auth::{good_password, required_attributes};
use super::auth_events::{self, Event};
use super::client_documents::client_id_of;
use super::tokens;
use crate::app::{App, OrInternal};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use ironpool_api::types::*;
use ironpool_api::{ApiError, Sensitive};
use ironpool_store::{AuthSession, User};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The answer to a sign-in step.
pub(crate) enum Outcome {
    /// The next challenge, with its Session (when it has one) and parameters.
    Challenge {
        name: ChallengeNameType,
        session: Option<String>,
        parameters: BTreeMap<String, String>,
    },
    /// Signed in.
    Authenticated(AuthenticationResultType),
}

/// Each sign-in operation's response, made from an outcome the same way.
macro_rules! sign_in_responses {
    ($($response:ident),*) => {$(
        impl From<Outcome> for $response {
            fn from(outcome: Outcome) -> Self {
                match outcome {
                    Outcome::Challenge { name, session, parameters } => Self {
                        challenge_name: Some(name),
                        session: session.map(Sensitive),
                        challenge_parameters: Some(parameters),
                        authentication_result: None,
                        available_challenges: None,
                    },
                    Outcome::Authenticated(result) => Self {
                        challenge_name: None,
                        session: None,
                        challenge_parameters: Some(BTreeMap::new()),
                        authentication_result: Some(result),
                        available_challenges: None,
                    },
                }
            }
        }
    )*};
}

sign_in_responses!(
    InitiateAuthResponse,
    AdminInitiateAuthResponse,
    RespondToAuthChallengeResponse,
    AdminRespondToAuthChallengeResponse
);

/// The challenge a Session waits for, with what answering it needs.
#[derive(Serialize, Deserialize)]
#[serde(tag = "challenge")]
pub(crate) enum Pending {
    /// The SRP proof: the server's ephemeral secret and public value, the client's SRP_A.
    #[serde(rename = "PASSWORD_VERIFIER")]
    PasswordVerifier {
        srp_b_secret: String,
        srp_b: String,
        srp_a: String,
        /// For a user that does not exist (PreventUserExistenceErrors).
        #[serde(default)]
        simulated: bool,
    },
    /// A FORCE_CHANGE_PASSWORD user's new password.
    #[serde(rename = "NEW_PASSWORD_REQUIRED")]
    NewPasswordRequired,
}

/// What a Session remembers (sealed before it is stored).
#[derive(Serialize, Deserialize)]
pub(crate) struct SessionDoc {
    pub client_id: String,
    /// The user's username; for a simulated challenge, the one it shows.
    pub username: String,
    pub srp_user_id: String,
    #[serde(flatten)]
    pub pending: Pending,
}

fn session_context(pool_id: &str, id: &str) -> String {
    format!("auth-session:{pool_id}:{id}")
}

/// What the store keeps of a Session string: its SHA-256, so a copy of the database holds
/// no usable session.
fn session_hash(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// Stores a challenge's state under the digest of its session id; returns the id (32 random
/// bytes, base64url) and the bytes.
pub(crate) async fn start_session(
    app: &App,
    pool_id: &str,
    client: &UserPoolClientType,
    doc: &SessionDoc,
) -> Result<(String, [u8; 32]), ApiError> {
    let mut raw = [0u8; 32];
    app.rng.fill(&mut raw);
    let id = B64URL.encode(raw);
    let minutes = f64::from(client.auth_session_validity.unwrap_or(3));
    let plain = serde_json::to_vec(doc).or_internal()?;
    let session = AuthSession {
        session_hash: session_hash(&id),
        pool_id: pool_id.to_owned(),
        doc: app
            .master_key
            .seal(app.rng.as_ref(), &session_context(pool_id, &id), &plain),
        expires_at: app.now() + minutes * 60.0,
    };
    app.store
        .create_auth_session(&session)
        .await
        .or_internal()?;
    Ok((id, raw))
}

/// Takes (single use) the session `id` of `pool_id`: "Invalid session for the user." when
/// unknown or of another pool or client, "..., session is expired." after AuthSessionValidity.
pub(crate) async fn take_session(
    app: &App,
    pool_id: &str,
    client_id: &str,
    id: &str,
) -> Result<SessionDoc, ApiError> {
    let invalid = || ApiError::not_authorized("Invalid session for the user.");
    let session = app
        .store
        .take_auth_session(&session_hash(id))
        .await
        .or_internal()?
        .filter(|s| s.pool_id == pool_id)
        .ok_or_else(invalid)?;
    if app.now() >= session.expires_at {
        return Err(ApiError::not_authorized(
            "Invalid session for the user, session is expired.",
        ));
    }
    let plain = app
        .master_key
        .open(&session_context(pool_id, id), &session.doc)
        .map_err(|_| invalid())?;
    let doc: SessionDoc = serde_json::from_slice(&plain).map_err(|_| invalid())?;
    if doc.client_id != client_id {
        return Err(invalid());
    }
    Ok(doc)
}

/// After a good password: the NEW_PASSWORD_REQUIRED challenge for FORCE_CHANGE_PASSWORD
/// users, otherwise the end of the sign-in.
pub(crate) async fn after_password(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: User,
) -> Result<Outcome, ApiError> {
    let user = good_password(app, user).await?;
    match user.status {
        UserStatusType::ForceChangePassword => {
            new_password_challenge(app, pool, client, &user).await
        }
        _ => finish_sign_in(app, client, &user).await,
    }
}

/// Where every sign-in that passed its challenges ends: a new refresh token family and the
/// tokens (their claims built by `tokens::issue`).
pub(crate) async fn finish_sign_in(
    app: &App,
    client: &UserPoolClientType,
    user: &User,
) -> Result<Outcome, ApiError> {
    let recorded = auth_events::record(app, user, Event::SignedIn);
    let (issued, ()) = tokio::join!(tokens::issue(app, client, user, None), recorded);
    Ok(Outcome::Authenticated(issued?))
}

/// NEW_PASSWORD_REQUIRED with the user's attributes and the required ones it lacks.
async fn new_password_challenge(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: &User,
) -> Result<Outcome, ApiError> {
    let srp_user_id = user
        .password
        .as_ref()
        .map_or(user.username.clone(), |p| p.srp_user_id.clone());
    let doc = SessionDoc {
        client_id: client_id_of(client),
        username: user.username.clone(),
        srp_user_id: srp_user_id.clone(),
        pending: Pending::NewPasswordRequired,
    };
    let (id, _) = start_session(app, &user.pool_id, client, &doc).await?;
    let required: Vec<String> = required_attributes(pool)
        .into_iter()
        .filter(|a| user.attribute(a).is_none())
        .map(|a| format!("userAttributes.{a}"))
        .collect();
    let attributes: serde_json::Map<String, serde_json::Value> = user
        .attributes
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    let mut parameters = BTreeMap::new();
    parameters.insert("USER_ID_FOR_SRP".into(), srp_user_id);
    parameters.insert(
        "requiredAttributes".into(),
        serde_json::to_string(&required).or_internal()?,
    );
    parameters.insert(
        "userAttributes".into(),
        serde_json::Value::Object(attributes).to_string(),
    );
    Ok(Outcome::Challenge {
        name: ChallengeNameType::NewPasswordRequired,
        session: Some(id),
        parameters,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sessions sealed before the state was typed still open after an upgrade.
    #[test]
    fn session_documents_keep_their_stored_form() {
        let old = r#"{"challenge":"PASSWORD_VERIFIER","client_id":"c","username":"u",
            "srp_user_id":"u","srp_b_secret":"ab","srp_b":"cd","srp_a":"ef","simulated":true}"#;
        let doc: SessionDoc = serde_json::from_str(old).unwrap();
        assert!(matches!(
            &doc.pending,
            Pending::PasswordVerifier { srp_a, simulated: true, .. } if srp_a == "ef"
        ));
        let again: serde_json::Value = serde_json::to_value(&doc).unwrap();
        assert_eq!(again["challenge"], "PASSWORD_VERIFIER");
        assert_eq!(again["srp_b"], "cd");

        let old = r#"{"challenge":"NEW_PASSWORD_REQUIRED","client_id":"c","username":"u",
            "srp_user_id":"u","srp_b_secret":null,"srp_b":null,"srp_a":null,"simulated":false}"#;
        let doc: SessionDoc = serde_json::from_str(old).unwrap();
        assert!(matches!(doc.pending, Pending::NewPasswordRequired));
        let unknown = r#"{"challenge":"SMS_MFA","client_id":"c","username":"u",
            "srp_user_id":"u"}"#;
        assert!(serde_json::from_str::<SessionDoc>(unknown).is_err());
    }
}
