//! The one way a message reaches a user: [`compose_and_send`]. The pool's template gives the
//! text; a CustomMessage trigger may replace it; a CustomEmailSender or CustomSMSSender
//! trigger, where the pool has one, is invoked instead of sending; and the message, rendered
//! once, goes to the outbox, the log (never its code) and the configured sender.

use super::triggers::{self, Source, Trigger};
use crate::app::App;
use crate::messages::Message;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ironpool_api::types::*;
use ironpool_api::ApiError;
use ironpool_core::attributes;
use ironpool_store::User;
use serde_json::{json, Value};

/// The placeholders a CustomMessage function is given for the code and the username.
const CODE_PARAMETER: &str = "{####}";
const USERNAME_PARAMETER: &str = "{username}";

/// Why a message is sent, as the CustomMessage and custom sender triggers name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Occasion {
    SignUp,
    ResendCode,
    ForgotPassword,
    UpdateUserAttribute,
    VerifyUserAttribute,
    AdminCreateUser,
    Authentication,
}

impl Occasion {
    fn name(self) -> &'static str {
        match self {
            Self::SignUp => "SignUp",
            Self::ResendCode => "ResendCode",
            Self::ForgotPassword => "ForgotPassword",
            Self::UpdateUserAttribute => "UpdateUserAttribute",
            Self::VerifyUserAttribute => "VerifyUserAttribute",
            Self::AdminCreateUser => "AdminCreateUser",
            Self::Authentication => "Authentication",
        }
    }
}

/// A message before the triggers have their say: the pool's template (with `{####}` and
/// `{username}`), where it goes, and the code it carries.
pub(crate) struct Draft {
    /// The outbox's name for it: `sign_up`, `invitation`, `mfa`, ...
    pub purpose: &'static str,
    pub medium: DeliveryMediumType,
    pub destination: String,
    /// The template's subject (email only).
    pub subject: Option<String>,
    pub template: String,
    /// The code or temporary password.
    pub code: String,
}

/// Sends `draft` to `user` on `occasion`, for the app client `client_id` (None for
/// administrators' calls).
pub(crate) async fn compose_and_send(
    app: &App,
    pool: &UserPoolType,
    user: &User,
    occasion: Occasion,
    client_id: Option<&str>,
    mut draft: Draft,
) -> Result<(), ApiError> {
    let email = draft.medium == DeliveryMediumType::Email;
    if triggers::configured(pool, Trigger::CustomMessage) {
        custom_message(app, pool, user, (occasion, client_id), &mut draft).await?;
    }
    let body = attributes::render(&draft.template, &user.username, &draft.code);
    let sender = if email {
        Trigger::CustomEmailSender
    } else {
        Trigger::CustomSmsSender
    };
    let message = Message {
        pool_id: user.pool_id.clone(),
        username: user.username.clone(),
        purpose: draft.purpose.into(),
        destination: draft.destination,
        medium: if email { "EMAIL" } else { "SMS" }.into(),
        subject: draft.subject,
        body,
        code: draft.code,
        time: app.now(),
    };
    if triggers::configured(pool, sender) {
        send_through_function(app, pool, user, occasion, client_id, sender, &message).await?;
        app.keep(message);
    } else {
        app.deliver(message);
    }
    Ok(())
}

/// The CustomMessage trigger: its text (and subject) replaces the draft's template when it
/// keeps the placeholders Cognito requires.
async fn custom_message(
    app: &App,
    pool: &UserPoolType,
    user: &User,
    (occasion, client_id): (Occasion, Option<&str>),
    draft: &mut Draft,
) -> Result<(), ApiError> {
    let email = draft.medium == DeliveryMediumType::Email;
    let source = Source {
        trigger: Trigger::CustomMessage,
        source: &format!("CustomMessage_{}", occasion.name()),
        user_name: Some(&user.username),
        client_id,
    };
    let request = json!({
        "userAttributes": triggers::user_attributes(user),
        "codeParameter": CODE_PARAMETER,
        "linkParameter": Value::Null,
        "usernameParameter": if occasion == Occasion::AdminCreateUser {
            json!(USERNAME_PARAMETER)
        } else {
            Value::Null
        },
        "clientMetadata": triggers::client_metadata(),
    });
    let Some(response) = triggers::run(app, pool, source, request).await? else {
        return Ok(());
    };
    let text = |name: &str| -> Result<Option<String>, ApiError> {
        match response.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(triggers::unrecognizable()),
        }
    };
    let message = text(if email { "emailMessage" } else { "smsMessage" })?;
    // As Cognito: a message without the code (and, for an invitation, the username)
    // placeholder is not used; the template's is.
    let usable = |m: &String| {
        m.contains(CODE_PARAMETER)
            && (occasion != Occasion::AdminCreateUser || m.contains(USERNAME_PARAMETER))
    };
    if let Some(message) = message.filter(usable) {
        draft.template = message;
        if email {
            if let Some(subject) = text("emailSubject")? {
                draft.subject = Some(subject);
            }
        }
    }
    Ok(())
}

/// A CustomEmailSender or CustomSMSSender function sends the message instead of Ironpool. Its
/// `request.code` is the code encrypted as Cognito encrypts it (an AWS Encryption SDK message
/// under the pool's KMSKeyID, base64) where a KMS endpoint is configured, else the code itself
/// base64-encoded; never logged either way.
async fn send_through_function(
    app: &App,
    pool: &UserPoolType,
    user: &User,
    occasion: Occasion,
    client_id: Option<&str>,
    sender: Trigger,
    message: &Message,
) -> Result<(), ApiError> {
    let (prefix, kind) = match sender {
        Trigger::CustomEmailSender => ("CustomEmailSender", "customEmailSenderRequestV1"),
        _ => ("CustomSMSSender", "customSMSSenderRequestV1"),
    };
    let key_id = pool
        .lambda_config
        .as_ref()
        .and_then(|c| c.kms_key_id.as_deref());
    let code = match (&app.kms, key_id) {
        (Some(kms), Some(key_id)) => kms
            .encrypt(app.rng.as_ref(), key_id, message.code.as_bytes())
            .await
            .map_err(|error| triggers::unexpected(prefix, &error))?,
        _ => message.code.as_bytes().to_vec(),
    };
    triggers::run(
        app,
        pool,
        Source {
            trigger: sender,
            source: &format!("{prefix}_{}", occasion.name()),
            user_name: Some(&user.username),
            client_id,
        },
        json!({
            "type": kind,
            "code": B64.encode(code),
            "clientMetadata": triggers::client_metadata(),
            "userAttributes": triggers::user_attributes(user),
        }),
    )
    .await
    .map(drop)
}
