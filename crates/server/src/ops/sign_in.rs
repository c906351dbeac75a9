//! The sign-in pipeline. Every flow (InitiateAuth, AdminInitiateAuth and the answers to their
//! challenges) is a chain of steps, each ending in an [`Outcome`]: the next challenge or
//! "authenticated". A pending challenge is a typed [`Pending`], sealed into the Session it
//! returns; every path that succeeds ends in [`finish_sign_in`], the one place tokens are
//! issued for a sign-in; and an outcome becomes each operation's response in one place.

use super::auth::{
    check_can_sign_in, check_not_locked, good_password, required_attributes, unknown_user,
};
use super::auth_events::{self, Event};
use super::auth_triggers::{self, SignInCall};
use super::client_documents::client_id_of;
use super::custom_auth::ChallengeResult;
use super::devices;
use super::mfa_sign_in;
use super::token_triggers::{sign_in_source, Generation};
use super::tokens;
use crate::app::{App, OrInternal};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use ironpool_api::types::*;
use ironpool_api::{ApiError, Sensitive};
use ironpool_core::srp;
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
    /// USER_AUTH's SELECT_CHALLENGE: the first factors the user may pick from.
    Select {
        session: String,
        available: Vec<ChallengeNameType>,
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
                    Outcome::Select { session, available } => Self {
                        challenge_name: Some(ChallengeNameType::SelectChallenge),
                        session: Some(Sensitive(session)),
                        challenge_parameters: Some(BTreeMap::new()),
                        authentication_result: None,
                        available_challenges: Some(available),
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
        /// In the custom flow (CUSTOM_AUTH with SRP_A), the challenges answered so far.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        custom: Option<Vec<ChallengeResult>>,
    },
    /// A FORCE_CHANGE_PASSWORD user's new password.
    #[serde(rename = "NEW_PASSWORD_REQUIRED")]
    NewPasswordRequired,
    /// A user who must have a second factor and has none sets up a software token:
    /// AssociateSoftwareToken puts its secret here, VerifySoftwareToken marks it verified.
    #[serde(rename = "MFA_SETUP")]
    MfaSetup {
        #[serde(default)]
        totp_secret: Option<String>,
        #[serde(default)]
        verified: bool,
    },
    /// The user has several factors and no preferred one: the user picks.
    #[serde(rename = "SELECT_MFA_TYPE")]
    SelectMfaType { choices: Vec<String> },
    /// A code from the user's authenticator app.
    #[serde(rename = "SOFTWARE_TOKEN_MFA")]
    SoftwareTokenMfa,
    /// A code sent by text message (its MAC, and when it was sent).
    #[serde(rename = "SMS_MFA")]
    SmsMfa { code_mac: String, sent_at: f64 },
    /// A code sent by email: a second factor, or a passwordless first one (USER_AUTH), which
    /// needs no MFA after it; `simulated` for a user that does not exist.
    #[serde(rename = "EMAIL_OTP")]
    EmailOtp {
        code_mac: String,
        sent_at: f64,
        #[serde(default)]
        first_factor: bool,
        #[serde(default)]
        simulated: bool,
    },
    /// A passwordless sign-in's code sent by text message (USER_AUTH).
    #[serde(rename = "SMS_OTP")]
    SmsOtp {
        code_mac: String,
        sent_at: f64,
        #[serde(default)]
        simulated: bool,
    },
    /// A sign-up that signs in once confirmed: SignUp's Session, for ConfirmSignUp.
    #[serde(rename = "SIGN_UP")]
    SignUp,
    /// A sign-up confirmed with its code, which stands in for a first factor: ConfirmSignUp's
    /// Session, for InitiateAuth's USER_AUTH.
    #[serde(rename = "SIGN_UP_CONFIRMED")]
    SignUpConfirmed,
    /// USER_AUTH without a preferred challenge: the first factors the user may pick from
    /// (challenge names); `simulated` for a user that does not exist.
    #[serde(rename = "SELECT_CHALLENGE")]
    SelectChallenge {
        choices: Vec<String>,
        #[serde(default)]
        simulated: bool,
    },
    /// A passkey sign-in (USER_AUTH): the WebAuthn ceremony's state for the assertion check
    /// (empty when `simulated`, for a user that does not exist).
    #[serde(rename = "WEB_AUTHN")]
    WebAuthn {
        state: String,
        #[serde(default)]
        simulated: bool,
    },
    /// A CUSTOM_CHALLENGE of the custom flow: the challenges answered before it, what
    /// CreateAuthChallenge made of it, and whether the user does not exist.
    #[serde(rename = "CUSTOM_CHALLENGE")]
    CustomChallenge {
        history: Vec<ChallengeResult>,
        private: BTreeMap<String, String>,
        #[serde(default)]
        metadata: Option<String>,
        #[serde(default)]
        user_not_found: bool,
    },
    /// After the password, the remembered device's SRP_A.
    #[serde(rename = "DEVICE_SRP_AUTH")]
    DeviceSrpAuth { device_key: String },
    /// The device's SRP proof, as PASSWORD_VERIFIER's.
    #[serde(rename = "DEVICE_PASSWORD_VERIFIER")]
    DevicePasswordVerifier {
        device_key: String,
        srp_b_secret: String,
        srp_b: String,
        srp_a: String,
    },
}

impl Pending {
    /// Whether the challenge is shown for a user that does not exist (and must fail).
    pub fn simulated(&self) -> bool {
        match self {
            Self::PasswordVerifier { simulated, .. }
            | Self::EmailOtp { simulated, .. }
            | Self::SmsOtp { simulated, .. }
            | Self::SelectChallenge { simulated, .. }
            | Self::WebAuthn { simulated, .. } => *simulated,
            Self::CustomChallenge { user_not_found, .. } => *user_not_found,
            _ => false,
        }
    }
}

/// What a Session remembers (sealed before it is stored).
#[derive(Serialize, Deserialize)]
pub(crate) struct SessionDoc {
    pub client_id: String,
    /// The user's username; for a simulated challenge, the one it shows.
    pub username: String,
    pub srp_user_id: String,
    /// The DEVICE_KEY the sign-in came with, for the tokens at its end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_device: Option<String>,
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

/// When a session started now ends: after the client's AuthSessionValidity (minutes).
pub(crate) fn session_expiry(app: &App, client: &UserPoolClientType) -> f64 {
    app.now() + f64::from(client.auth_session_validity.unwrap_or(3)) * 60.0
}

/// The Session string of a challenge's 32 random bytes (which SRP challenges also hand out as
/// their SECRET_BLOCK): base64url behind a fixed prefix, as Cognito's start, so that it never
/// begins with `-` (the AWS CLI would take `--session -...` for an option).
pub(crate) fn session_id(raw: &[u8]) -> String {
    format!("AYAB{}", B64URL.encode(raw))
}

/// Stores a challenge's state under the digest of its session id; returns the id (see
/// [`session_id`]) and the bytes.
pub(crate) async fn start_session(
    app: &App,
    pool_id: &str,
    client: &UserPoolClientType,
    doc: &SessionDoc,
) -> Result<(String, [u8; 32]), ApiError> {
    let mut raw = [0u8; 32];
    app.rng.fill(&mut raw);
    let id = session_id(&raw);
    put_session(app, pool_id, &id, doc, session_expiry(app, client)).await?;
    Ok((id, raw))
}

/// Stores a challenge's state under the session `id`, sealed: a new session, or one taken and
/// put back for a step the client may try again.
pub(crate) async fn put_session(
    app: &App,
    pool_id: &str,
    id: &str,
    doc: &SessionDoc,
    expires_at: f64,
) -> Result<(), ApiError> {
    let plain = serde_json::to_vec(doc).or_internal()?;
    let session = AuthSession {
        session_hash: session_hash(id),
        pool_id: pool_id.to_owned(),
        doc: app
            .master_key
            .seal(app.rng.as_ref(), &session_context(pool_id, id), &plain),
        expires_at,
    };
    app.store.create_auth_session(&session).await.or_internal()
}

/// A session taken from the store: its pool, when it expires, and what it remembers.
pub(crate) struct Taken {
    pub pool_id: String,
    pub expires_at: f64,
    pub doc: SessionDoc,
}

/// Takes (single use) the session `id`, of whatever pool: "Invalid session for the user."
/// when unknown, "..., session is expired." after AuthSessionValidity or once used.
pub(crate) async fn take_any_session(app: &App, id: &str) -> Result<Taken, ApiError> {
    let invalid = || ApiError::not_authorized("Invalid session for the user.");
    let session = app
        .store
        .take_auth_session(&session_hash(id))
        .await
        .or_internal()?
        .ok_or_else(invalid)?;
    // Expired, or used already (a replay).
    if app.now() >= session.expires_at || session.doc.is_empty() {
        return Err(ApiError::not_authorized(
            "Invalid session for the user, session is expired.",
        ));
    }
    let plain = app
        .master_key
        .open(&session_context(&session.pool_id, id), &session.doc)
        .map_err(|_| invalid())?;
    let doc: SessionDoc = serde_json::from_slice(&plain).map_err(|_| invalid())?;
    Ok(Taken {
        pool_id: session.pool_id,
        expires_at: session.expires_at,
        doc,
    })
}

/// Takes (single use) the session `id` of `pool_id` and `client_id`; a session of another pool
/// or client is "Invalid session for the user."
pub(crate) async fn take_session(
    app: &App,
    pool_id: &str,
    client_id: &str,
    id: &str,
) -> Result<SessionDoc, ApiError> {
    let taken = take_any_session(app, id).await?;
    if taken.pool_id != pool_id || taken.doc.client_id != client_id {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    }
    Ok(taken.doc)
}

/// After a good password: the NEW_PASSWORD_REQUIRED challenge for FORCE_CHANGE_PASSWORD
/// users, DEVICE_SRP_AUTH for a remembered `device_key`, otherwise the second factor.
pub(crate) async fn after_password(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: User,
    device_key: Option<&str>,
) -> Result<Outcome, ApiError> {
    if user.status == UserStatusType::ForceChangePassword {
        return new_password_challenge(app, pool, client, &user).await;
    }
    if let Some(challenge) = devices::device_challenge(app, client, &user, device_key).await? {
        return Ok(challenge);
    }
    second_factor(app, pool, client, &user, device_key).await
}

/// After the first factor: the MFA challenge the pool and the user call for, or the end of
/// the sign-in.
pub(crate) async fn second_factor(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: &User,
    device_key: Option<&str>,
) -> Result<Outcome, ApiError> {
    match mfa_sign_in::challenge(app, pool, client, user, device_key).await? {
        Some(outcome) => Ok(outcome),
        None => finish_sign_in(app, pool, client, user, device_key, false).await,
    }
}

/// Where every sign-in that passed its challenges ends: PostAuthentication (a function that
/// fails ends the sign-in), the count of failed attempts starts again (only here, so a right
/// password cannot reset what wrong MFA codes counted), a new refresh token family and the
/// tokens (their claims built by `tokens::issue`, through PreTokenGeneration), with
/// NewDeviceMetadata when the pool remembers devices and the sign-in came from none
/// (`device_key`); the sign-in event says whether a second factor (`mfa`) was passed.
pub(crate) async fn finish_sign_in(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: &User,
    device_key: Option<&str>,
    mfa: bool,
) -> Result<Outcome, ApiError> {
    auth_triggers::post_authentication(app, pool, client, user, device_key).await?;
    let user = good_password(app, user.clone()).await?;
    let call = SignInCall::current();
    let metadata = call.answer_metadata();
    let generation = Generation {
        pool,
        source: match call.oauth {
            Some(_) => "TokenGeneration_HostedAuth",
            None => sign_in_source(call.challenge.as_ref()),
        },
        client_metadata: metadata.as_ref(),
        oauth: call.oauth.as_deref(),
    };
    let recorded = auth_events::record_in(app, pool, &user, Event::SignedIn { mfa });
    let issued = tokens::issue(app, &generation, client, &user, None);
    let (issued, ()) = tokio::join!(issued, recorded);
    let mut result = issued?;
    if call.oauth.is_none() {
        result.new_device_metadata =
            devices::new_device_metadata(app, pool, &user, device_key).await?;
    }
    Ok(Outcome::Authenticated(result))
}

/// The user a session is for, still allowed to sign in and not locked out.
pub(crate) async fn session_user(
    app: &App,
    client: &UserPoolClientType,
    pool_id: &str,
    doc: &SessionDoc,
) -> Result<User, ApiError> {
    let user = app
        .store
        .get_user(pool_id, &doc.username)
        .await
        .or_internal()?
        .ok_or_else(|| unknown_user(client))?;
    check_can_sign_in(&user)?;
    check_not_locked(app, &user)?;
    Ok(user)
}

/// What an SRP proof (PASSWORD_VERIFIER's or DEVICE_PASSWORD_VERIFIER's) carries.
pub(crate) struct Claim<'a> {
    pub secret_block: &'a [u8],
    pub timestamp: &'a str,
    pub signature: &'a str,
}

/// Whether an SRP proof holds: the key from the server's ephemeral values kept in the session
/// (hex `srp_b_secret`, `srp_b`) and the client's `srp_a`, over `verifier`, signs the claim for
/// `realm` (the pool's name, or a device's group key) and `user_id`. Checked in constant time;
/// session values that do not parse are "Invalid session for the user."
pub(crate) fn srp_proof_holds(
    (srp_b_secret, srp_b, srp_a): (&str, &str, &str),
    verifier: &[u8],
    realm: &str,
    user_id: &str,
    claim: &Claim<'_>,
) -> Result<bool, ApiError> {
    let invalid_session = || ApiError::not_authorized("Invalid session for the user.");
    let secret: [u8; 32] = hex::decode(srp_b_secret)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(invalid_session)?;
    let public = hex::decode(srp_b).map_err(|_| invalid_session())?;
    let a = srp::parse_a(srp_a).map_err(|_| invalid_session())?;
    let ephemeral = srp::ServerEphemeral { secret, public };
    Ok(ephemeral.key(&a, verifier).is_ok_and(|key| {
        srp::parse_timestamp(claim.timestamp).is_some()
            && srp::verify_claim_signature(
                &key,
                realm,
                user_id,
                claim.secret_block,
                claim.timestamp,
                claim.signature,
            )
    }))
}

/// The USER_ID_FOR_SRP of a user: the one its password was made for, else the username.
pub(crate) fn srp_user_id(user: &User) -> String {
    user.password
        .as_ref()
        .map_or(user.username.clone(), |p| p.srp_user_id.clone())
}

/// NEW_PASSWORD_REQUIRED with the user's attributes and the required ones it lacks.
async fn new_password_challenge(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: &User,
) -> Result<Outcome, ApiError> {
    let srp_user_id = srp_user_id(user);
    let doc = SessionDoc {
        client_id: client_id_of(client),
        username: user.username.clone(),
        srp_user_id: srp_user_id.clone(),
        from_device: None,
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
        let incomplete = r#"{"challenge":"SMS_MFA","client_id":"c","username":"u",
            "srp_user_id":"u"}"#;
        assert!(serde_json::from_str::<SessionDoc>(incomplete).is_err());

        // The device a sign-in came from and a device challenge's own key do not collide.
        let doc = SessionDoc {
            client_id: "c".into(),
            username: "u".into(),
            srp_user_id: "u".into(),
            from_device: Some("us-east-1_a".into()),
            pending: Pending::DeviceSrpAuth {
                device_key: "us-east-1_b".into(),
            },
        };
        let back: SessionDoc = serde_json::from_str(&serde_json::to_string(&doc).unwrap()).unwrap();
        assert_eq!(back.from_device.as_deref(), Some("us-east-1_a"));
        assert!(matches!(
            back.pending,
            Pending::DeviceSrpAuth { device_key } if device_key == "us-east-1_b"
        ));
    }
}
