//! The custom authentication flow (CUSTOM_AUTH) and its three triggers: DefineAuthChallenge
//! decides from the challenges answered so far (the `session` history) whether to issue
//! tokens, fail, or present another challenge; CreateAuthChallenge makes each
//! CUSTOM_CHALLENGE; VerifyAuthChallengeResponse judges its ANSWER. Started with
//! `CHALLENGE_NAME: SRP_A`, the history opens with SRP_A and the function may ask for the
//! password first (PASSWORD_VERIFIER, the SRP proof of the other flows).
//!
//! As in Cognito, MFA applies to a custom flow that verified the password, and to no other.

use super::auth::{
    check_can_sign_in, check_not_locked, find_sign_in_user, hides_existence, incorrect, missing,
    simulated_username, srp_auth, unknown_user,
};
use super::auth_triggers::pre_authentication;
use super::client_documents::client_id_of;
use super::devices;
use super::sign_in::{
    finish_sign_in, second_factor, session_user, srp_user_id, start_session, take_session, Outcome,
    Pending, SessionDoc,
};
use super::triggers::{self, flag, unrecognizable, Source, Trigger};
use crate::app::App;
use ironpool_api::types::*;
use ironpool_api::ApiError;
use ironpool_core::srp;
use ironpool_store::User;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const CUSTOM_CHALLENGE: &str = "CUSTOM_CHALLENGE";
const PASSWORD_VERIFIER: &str = "PASSWORD_VERIFIER";
const SRP_A: &str = "SRP_A";

/// One answered challenge of the history, as the events carry it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ChallengeResult {
    pub challenge_name: String,
    pub challenge_result: bool,
    pub challenge_metadata: Option<String>,
}

impl ChallengeResult {
    fn new(name: &str, result: bool) -> Self {
        Self {
            challenge_name: name.into(),
            challenge_result: result,
            challenge_metadata: None,
        }
    }
}

/// Who the flow is for: the user, or (PreventUserExistenceErrors) a name that matches none.
struct Subject {
    user: Option<User>,
    username: String,
    srp_user_id: String,
}

impl Subject {
    fn user_not_found(&self) -> bool {
        self.user.is_none()
    }
}

fn not_configured() -> ApiError {
    ApiError::invalid_parameter("Custom auth lambda trigger is not configured for the user pool.")
}

/// InitiateAuth/AdminInitiateAuth with CUSTOM_AUTH: DefineAuthChallenge on an empty history,
/// or on `[SRP_A]` when the client starts with the password.
pub(crate) async fn start(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    username: &str,
    params: &BTreeMap<String, String>,
) -> Result<Outcome, ApiError> {
    if !triggers::configured(pool, Trigger::DefineAuthChallenge) {
        return Err(not_configured());
    }
    let srp_a = match params.get("CHALLENGE_NAME").map(String::as_str) {
        Some(SRP_A) => {
            let srp_a = params.get(SRP_A).ok_or_else(|| missing(SRP_A))?;
            srp::parse_a(srp_a).map_err(|_| ApiError::invalid_parameter("Invalid SRP_A value."))?;
            Some(srp_a)
        }
        _ => None,
    };
    let subject = match find_sign_in_user(app, pool, username).await? {
        Some(user) => {
            check_can_sign_in(&user)?;
            check_not_locked(app, &user)?;
            Subject {
                username: user.username.clone(),
                srp_user_id: srp_user_id(&user),
                user: Some(user),
            }
        }
        None if hides_existence(client) => {
            let shown = simulated_username(app, pool, username);
            Subject {
                user: None,
                username: shown.clone(),
                srp_user_id: shown,
            }
        }
        None => return Err(unknown_user(client)),
    };
    pre_authentication(app, pool, client, username, subject.user.as_ref()).await?;
    let history = match srp_a {
        Some(_) => vec![ChallengeResult::new(SRP_A, true)],
        None => Vec::new(),
    };
    let device_key = params.get("DEVICE_KEY").map(String::as_str);
    if let Some(user) = &subject.user {
        devices::check_device_key(app, user, device_key).await?;
    }
    let next = define(app, pool, client, &subject, &history).await?;
    if next == Next::PasswordVerifier {
        let srp_a = srp_a.ok_or_else(unrecognizable)?;
        return srp_auth(app, pool, client, (username, srp_a), Some(history), true).await;
    }
    proceed(app, pool, client, subject, history, next, device_key).await
}

/// After a good password in the custom flow: DefineAuthChallenge with PASSWORD_VERIFIER
/// appended.
pub(crate) async fn after_password(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    user: User,
    device_key: Option<&str>,
    mut history: Vec<ChallengeResult>,
) -> Result<Outcome, ApiError> {
    history.push(ChallengeResult::new(PASSWORD_VERIFIER, true));
    let subject = Subject {
        username: user.username.clone(),
        srp_user_id: srp_user_id(&user),
        user: Some(user),
    };
    let next = define(app, pool, client, &subject, &history).await?;
    proceed(app, pool, client, subject, history, next, device_key).await
}

/// RespondToAuthChallenge with CUSTOM_CHALLENGE: VerifyAuthChallengeResponse judges the
/// ANSWER, its verdict joins the history, and DefineAuthChallenge decides again.
pub(crate) async fn respond(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    client_id: &str,
    session: Option<String>,
    responses: &BTreeMap<String, String>,
) -> Result<Outcome, ApiError> {
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let session = session.ok_or_else(|| missing("Session"))?;
    let answer = responses.get("ANSWER").ok_or_else(|| missing("ANSWER"))?;
    let doc = take_session(app, pool_id, client_id, &session).await?;
    let Pending::CustomChallenge {
        history,
        private,
        metadata,
        user_not_found,
    } = &doc.pending
    else {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    };
    let user = match user_not_found {
        true => None,
        false => Some(session_user(app, client, pool_id, &doc).await?),
    };
    let subject = Subject {
        user,
        username: doc.username.clone(),
        srp_user_id: doc.srp_user_id.clone(),
    };
    let correct = verify(app, pool, client, &subject, private, answer).await?;
    let mut history = history.clone();
    history.push(ChallengeResult {
        challenge_name: CUSTOM_CHALLENGE.into(),
        challenge_result: correct,
        challenge_metadata: metadata.clone(),
    });
    let next = define(app, pool, client, &subject, &history).await?;
    let device_key = doc.from_device.as_deref();
    proceed(app, pool, client, subject, history, next, device_key).await
}

/// What DefineAuthChallenge decided.
#[derive(Debug, PartialEq)]
enum Next {
    IssueTokens,
    Fail,
    CustomChallenge,
    PasswordVerifier,
}

/// Acts on DefineAuthChallenge's decision: the tokens (after MFA when the password was
/// verified), Cognito's refusal, or a new CUSTOM_CHALLENGE with its Session.
async fn proceed(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    subject: Subject,
    history: Vec<ChallengeResult>,
    next: Next,
    device_key: Option<&str>,
) -> Result<Outcome, ApiError> {
    match next {
        Next::Fail => Err(incorrect()),
        Next::IssueTokens => {
            let Some(user) = subject.user else {
                return Err(incorrect());
            };
            let password = ChallengeResult::new(PASSWORD_VERIFIER, true);
            if history.contains(&password) {
                second_factor(app, pool, client, &user, device_key).await
            } else {
                finish_sign_in(app, pool, client, &user, device_key, false).await
            }
        }
        // PASSWORD_VERIFIER comes only right after SRP_A, where the flow starts.
        Next::PasswordVerifier => Err(unrecognizable()),
        Next::CustomChallenge => {
            let created = create(app, pool, client, &subject, &history).await?;
            let doc = SessionDoc {
                client_id: client_id_of(client),
                username: subject.username.clone(),
                srp_user_id: subject.srp_user_id.clone(),
                from_device: device_key.map(str::to_owned),
                pending: Pending::CustomChallenge {
                    history,
                    private: created.private,
                    metadata: created.metadata,
                    user_not_found: subject.user_not_found(),
                },
            };
            let pool_id = pool.id.as_deref().unwrap_or_default();
            let (id, _) = start_session(app, pool_id, client, &doc).await?;
            let mut parameters = created.public;
            parameters.insert("USERNAME".into(), subject.username);
            Ok(Outcome::Challenge {
                name: ChallengeNameType::CustomChallenge,
                session: Some(id),
                parameters,
            })
        }
    }
}

/// The request fields every challenge trigger gets: the user's attributes, the call's
/// ClientMetadata, and `userNotFound` where the client hides user existence.
fn request(client: &UserPoolClientType, subject: &Subject, fields: Value) -> Value {
    let mut request = Map::new();
    let attributes = subject
        .user
        .as_ref()
        .map(triggers::user_attributes)
        .unwrap_or_default();
    request.insert("userAttributes".into(), Value::Object(attributes));
    if let Value::Object(fields) = fields {
        request.extend(fields);
    }
    request.insert("clientMetadata".into(), triggers::client_metadata());
    if hides_existence(client) {
        request.insert("userNotFound".into(), json!(subject.user_not_found()));
    }
    Value::Object(request)
}

/// Runs one of the challenge triggers; a pool (or a server) without its function is
/// Cognito's "not configured".
async fn run(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    subject: &Subject,
    (trigger, source): (Trigger, &str),
    request: Value,
) -> Result<Map<String, Value>, ApiError> {
    let client_id = client_id_of(client);
    let source = Source {
        trigger,
        source,
        user_name: Some(&subject.username),
        client_id: Some(&client_id),
    };
    triggers::run(app, pool, source, request)
        .await?
        .ok_or_else(not_configured)
}

/// DefineAuthChallenge: issueTokens, failAuthentication (not both), or the next challenge's
/// name, CUSTOM_CHALLENGE or (right after SRP_A) PASSWORD_VERIFIER.
async fn define(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    subject: &Subject,
    history: &[ChallengeResult],
) -> Result<Next, ApiError> {
    let fields = json!({ "session": history });
    let request = request(client, subject, fields);
    let trigger = (
        Trigger::DefineAuthChallenge,
        "DefineAuthChallenge_Authentication",
    );
    let response = run(app, pool, client, subject, trigger, request).await?;
    let issue = flag(&response, "issueTokens")?;
    let fail = flag(&response, "failAuthentication")?;
    let name = match response.get("challengeName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name.as_str()),
        Some(_) => return Err(unrecognizable()),
    };
    let after_srp_a = history.last() == Some(&ChallengeResult::new(SRP_A, true));
    match (issue, fail, name) {
        (true, true, _) => Err(unrecognizable()),
        (true, false, _) => Ok(Next::IssueTokens),
        (false, true, _) => Ok(Next::Fail),
        (false, false, Some(CUSTOM_CHALLENGE)) => Ok(Next::CustomChallenge),
        (false, false, Some(PASSWORD_VERIFIER)) if after_srp_a => Ok(Next::PasswordVerifier),
        _ => Err(unrecognizable()),
    }
}

/// What CreateAuthChallenge made.
struct Created {
    public: BTreeMap<String, String>,
    private: BTreeMap<String, String>,
    metadata: Option<String>,
}

/// A map of strings of a function's response (`publicChallengeParameters`, ...): empty when
/// absent, InvalidLambdaResponseException when not a map of strings.
fn strings(
    response: &Map<String, Value>,
    name: &str,
) -> Result<BTreeMap<String, String>, ApiError> {
    match response.get(name) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(unrecognizable()),
            })
            .collect(),
        Some(_) => Err(unrecognizable()),
    }
}

/// CreateAuthChallenge for a CUSTOM_CHALLENGE.
async fn create(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    subject: &Subject,
    history: &[ChallengeResult],
) -> Result<Created, ApiError> {
    let fields = json!({ "challengeName": CUSTOM_CHALLENGE, "session": history });
    let request = request(client, subject, fields);
    let trigger = (
        Trigger::CreateAuthChallenge,
        "CreateAuthChallenge_Authentication",
    );
    let response = run(app, pool, client, subject, trigger, request).await?;
    let metadata = match response.get("challengeMetadata") {
        None | Some(Value::Null) => None,
        Some(Value::String(m)) => Some(m.clone()),
        Some(_) => return Err(unrecognizable()),
    };
    Ok(Created {
        public: strings(&response, "publicChallengeParameters")?,
        private: strings(&response, "privateChallengeParameters")?,
        metadata,
    })
}

/// VerifyAuthChallengeResponse: whether `answer` is right.
async fn verify(
    app: &App,
    pool: &UserPoolType,
    client: &UserPoolClientType,
    subject: &Subject,
    private: &BTreeMap<String, String>,
    answer: &str,
) -> Result<bool, ApiError> {
    let fields = json!({ "privateChallengeParameters": private, "challengeAnswer": answer });
    let request = request(client, subject, fields);
    let trigger = (
        Trigger::VerifyAuthChallengeResponse,
        "VerifyAuthChallengeResponse_Authentication",
    );
    let response = run(app, pool, client, subject, trigger, request).await?;
    flag(&response, "answerCorrect")
}
