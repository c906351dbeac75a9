//! Lambda triggers as Cognito runs them: the event (`version`, `triggerSource`, `region`,
//! `userPoolId`, `userName`, `callerContext`, `request`, `response`), one call with Cognito's
//! 5-second deadline, and Cognito's errors for a function that fails, is slow or answers
//! something that is not an event. Every trigger of every operation goes through [`run`].

use crate::app::App;
use crate::lambda::InvokeError;
use crate::request_context::RequestContext;
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// How long Cognito waits for a function.
pub(crate) const DEADLINE: Duration = Duration::from_secs(5);

/// The triggers of LambdaConfig.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Trigger {
    PreSignUp,
    PostConfirmation,
    PreAuthentication,
    PostAuthentication,
    PreTokenGeneration,
    CustomMessage,
    UserMigration,
    DefineAuthChallenge,
    CreateAuthChallenge,
    VerifyAuthChallengeResponse,
    CustomEmailSender,
    CustomSmsSender,
    /// Fires on a federated sign-in, which the managed login pages bring; its function and
    /// event are in place for them.
    #[allow(dead_code)]
    InboundFederation,
}

impl Trigger {
    /// The name Cognito's errors give it.
    pub fn name(self) -> &'static str {
        match self {
            Self::PreSignUp => "PreSignUp",
            Self::PostConfirmation => "PostConfirmation",
            Self::PreAuthentication => "PreAuthentication",
            Self::PostAuthentication => "PostAuthentication",
            Self::PreTokenGeneration => "PreTokenGeneration",
            Self::CustomMessage => "CustomMessage",
            Self::UserMigration => "UserMigration",
            Self::DefineAuthChallenge => "DefineAuthChallenge",
            Self::CreateAuthChallenge => "CreateAuthChallenge",
            Self::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
            Self::CustomEmailSender => "CustomEmailSender",
            Self::CustomSmsSender => "CustomSMSSender",
            Self::InboundFederation => "InboundFederation",
        }
    }

    /// The function the pool names for this trigger, and the event version it is sent.
    pub fn function(self, pool: &UserPoolType) -> Option<(&str, &'static str)> {
        fn v1(arn: &Option<String>) -> Option<(&str, &'static str)> {
            arn.as_deref().map(|a| (a, "1"))
        }
        let c = pool.lambda_config.as_ref()?;
        match self {
            Self::PreSignUp => v1(&c.pre_sign_up),
            Self::PostConfirmation => v1(&c.post_confirmation),
            Self::PreAuthentication => v1(&c.pre_authentication),
            Self::PostAuthentication => v1(&c.post_authentication),
            Self::PreTokenGeneration => match &c.pre_token_generation_config {
                Some(config) => Some((
                    config.lambda_arn.as_str(),
                    match config.lambda_version {
                        PreTokenGenerationLambdaVersionType::V10 => "1",
                        PreTokenGenerationLambdaVersionType::V20 => "2",
                        PreTokenGenerationLambdaVersionType::V30 => "3",
                    },
                )),
                None => v1(&c.pre_token_generation),
            },
            Self::CustomMessage => v1(&c.custom_message),
            Self::UserMigration => v1(&c.user_migration),
            Self::DefineAuthChallenge => v1(&c.define_auth_challenge),
            Self::CreateAuthChallenge => v1(&c.create_auth_challenge),
            Self::VerifyAuthChallengeResponse => v1(&c.verify_auth_challenge_response),
            Self::CustomEmailSender => c
                .custom_email_sender
                .as_ref()
                .map(|s| (s.lambda_arn.as_str(), "1")),
            Self::CustomSmsSender => c
                .custom_sms_sender
                .as_ref()
                .map(|s| (s.lambda_arn.as_str(), "1")),
            Self::InboundFederation => c
                .inbound_federation
                .as_ref()
                .map(|s| (s.lambda_arn.as_str(), "1")),
        }
    }
}

/// Who an event is about and for: its `triggerSource`, `userName` and calling app client.
pub(crate) struct Source<'a> {
    pub trigger: Trigger,
    /// The `triggerSource`: `PreSignUp_SignUp`, `TokenGeneration_RefreshTokens`, ...
    pub source: &'a str,
    /// None for an event about no user (an M2M token's).
    pub user_name: Option<&'a str>,
    /// The app client of the call; Cognito sends `CLIENT_ID_NOT_APPLICABLE` for admin calls
    /// that name none.
    pub client_id: Option<&'a str>,
}

/// Whether the pool names a function for `trigger` (whether [`run`] may call one).
pub(crate) fn configured(pool: &UserPoolType, trigger: Trigger) -> bool {
    trigger.function(pool).is_some()
}

/// Runs a trigger: None when the pool names no function for it (or no Lambda endpoint is
/// configured: logged once per pool and trigger), otherwise the `response` object the function
/// returned (empty when it returned none).
pub(crate) async fn run(
    app: &App,
    pool: &UserPoolType,
    source: Source<'_>,
    request: Value,
) -> Result<Option<Map<String, Value>>, ApiError> {
    let Some((function, version)) = source.trigger.function(pool) else {
        return Ok(None);
    };
    let pool_id = pool.id.as_deref().unwrap_or_default();
    let event = json!({
        "version": version,
        "triggerSource": source.source,
        "region": crate::scope::region_of_pool_id(pool_id),
        "userPoolId": pool_id,
        "userName": source.user_name,
        "callerContext": {
            "awsSdkVersion": sdk_version(),
            "clientId": source.client_id.unwrap_or("CLIENT_ID_NOT_APPLICABLE"),
        },
        "request": request,
        "response": {},
    });
    let payload = serde_json::to_vec(&event).unwrap_or_default();
    let name = source.trigger.name();
    let answer = match app.lambda.invoke(function, payload, DEADLINE).await {
        Ok(answer) => answer,
        Err(InvokeError::NotConfigured) => {
            app.skipped_trigger(pool_id, name);
            return Ok(None);
        }
        Err(InvokeError::Function(message)) => {
            return Err(ApiError::new(
                ErrorCode::UserLambdaValidationException,
                format!("{name} failed with error {message}."),
            ))
        }
        Err(InvokeError::Timeout) => {
            return Err(unexpected(
                name,
                "Socket timeout while invoking Lambda function",
            ))
        }
        Err(InvokeError::Service(kind)) => return Err(unexpected(name, &kind)),
    };
    match serde_json::from_slice::<Value>(&answer) {
        Ok(Value::Object(mut returned)) => match returned.remove("response") {
            Some(Value::Object(response)) => Ok(Some(response)),
            None | Some(Value::Null) => Ok(Some(Map::new())),
            Some(_) => Err(unrecognizable()),
        },
        _ => Err(unrecognizable()),
    }
}

/// A function Cognito could not call: UnexpectedLambdaException.
pub(crate) fn unexpected(name: &str, error: &str) -> ApiError {
    ApiError::new(
        ErrorCode::UnexpectedLambdaException,
        format!("{name} invocation failed due to error {error}."),
    )
}

/// A function's answer Cognito cannot read.
pub(crate) fn unrecognizable() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidLambdaResponseException,
        "Unrecognizable lambda output",
    )
}

/// `callerContext.awsSdkVersion`: the calling SDK from its User-Agent (`aws-sdk-js/3.1`
/// becomes `aws-sdk-js-3.1`), as Cognito reports it.
fn sdk_version() -> String {
    let agent = RequestContext::current().caller_agent.unwrap_or_default();
    agent
        .split_whitespace()
        .find(|part| part.starts_with("aws-sdk-") || part.starts_with("aws-cli/"))
        .map(|part| part.replace('/', "-"))
        .unwrap_or_else(|| "aws-sdk-unknown-unknown".into())
}

/// A user's attributes as events carry them: a map of strings, with `sub` and
/// `cognito:user_status` where Cognito includes them.
pub(crate) fn user_attributes(user: &ironpool_store::User) -> Map<String, Value> {
    let mut attributes: Map<String, Value> = user
        .attributes
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    attributes.insert("sub".into(), Value::String(user.sub.clone()));
    attributes.insert(
        "cognito:user_status".into(),
        Value::String(user.status.as_str().into()),
    );
    attributes
}

/// The ClientMetadata of the call being handled, as events carry it (`{}` when none).
pub(crate) fn client_metadata() -> Value {
    json!(RequestContext::current().client_metadata)
}

/// ClientMetadata (or ValidationData) as events carry it: a map, `{}` when none was given.
pub(crate) fn string_map(map: Option<&BTreeMap<String, String>>) -> Value {
    map.map_or_else(|| json!({}), |m| json!(m))
}

/// A boolean of a function's response (`autoConfirmUser`, `issueTokens`, ...): false when
/// absent or null, InvalidLambdaResponseException when of another type.
pub(crate) fn flag(response: &Map<String, Value>, name: &str) -> Result<bool, ApiError> {
    match response.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(unrecognizable()),
    }
}

/// InboundFederation (`InboundFederation_ExternalProvider`): the identity provider's raw
/// attributes (`tokenResponse`, `idToken` and `userInfo` of an OIDC or social provider,
/// `samlResponse` of a SAML one) shown to the function before they are mapped. Its
/// `userAttributesToMap` replaces them (what it leaves out is dropped); empty or absent, the
/// attributes stay as they came.
pub(crate) async fn inbound_federation(
    app: &App,
    pool: &UserPoolType,
    provider: &IdentityProviderType,
    source: Source<'_>,
    raw: &Value,
) -> Result<Option<Map<String, Value>>, ApiError> {
    let request = json!({
        "providerName": provider.provider_name,
        "providerType": provider.provider_type.map(|t| t.as_str().to_owned()),
        "attributes": raw,
    });
    let Some(response) = run(app, pool, source, request).await? else {
        return Ok(None);
    };
    match response.get("userAttributesToMap") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) if map.is_empty() => Ok(None),
        Some(Value::Object(map)) if map.values().all(Value::is_string) => Ok(Some(map.clone())),
        Some(_) => Err(unrecognizable()),
    }
}

/// What a PreSignUp function decided.
#[derive(Default)]
pub(crate) struct SignUpDecision {
    pub auto_confirm_user: bool,
    pub auto_verify_email: bool,
    pub auto_verify_phone: bool,
}

impl SignUpDecision {
    /// Marks verified the email and phone number the function auto-verifies.
    pub fn verify(&self, attributes: &mut BTreeMap<String, String>) {
        for (attr, verified) in [
            ("email", self.auto_verify_email),
            ("phone_number", self.auto_verify_phone),
        ] {
            if verified && attributes.contains_key(attr) {
                attributes.insert(format!("{attr}_verified"), "true".into());
            }
        }
    }
}

/// PreSignUp (`PreSignUp_SignUp`, `PreSignUp_AdminCreateUser`, `PreSignUp_ExternalProvider`),
/// before the user is written: a function that fails leaves no user behind.
pub(crate) async fn pre_sign_up(
    app: &App,
    pool: &UserPoolType,
    source: &str,
    user: &ironpool_store::User,
    client_id: Option<&str>,
    validation_data: Option<&[AttributeType]>,
) -> Result<SignUpDecision, ApiError> {
    if !configured(pool, Trigger::PreSignUp) {
        return Ok(SignUpDecision::default());
    }
    let attributes: Map<String, Value> = user
        .attributes
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let validation_data = validation_data.map_or(Value::Null, |list| {
        list.iter()
            .map(|a| {
                let value = a.value.as_ref().map(|v| v.expose().clone());
                (a.name.clone(), json!(value.unwrap_or_default()))
            })
            .collect::<Map<_, _>>()
            .into()
    });
    let request = json!({
        "userAttributes": attributes,
        "validationData": validation_data,
        "clientMetadata": client_metadata(),
    });
    let source = Source {
        trigger: Trigger::PreSignUp,
        source,
        user_name: Some(&user.username),
        client_id,
    };
    let Some(response) = run(app, pool, source, request).await? else {
        return Ok(SignUpDecision::default());
    };
    let decision = SignUpDecision {
        auto_confirm_user: flag(&response, "autoConfirmUser")?,
        auto_verify_email: flag(&response, "autoVerifyEmail")?,
        auto_verify_phone: flag(&response, "autoVerifyPhone")?,
    };
    // As Cognito: a value to verify must be there.
    let missing = |attr: &str| !user.attributes.contains_key(attr);
    if (decision.auto_verify_email && missing("email"))
        || (decision.auto_verify_phone && missing("phone_number"))
    {
        return Err(unrecognizable());
    }
    Ok(decision)
}

/// PostConfirmation (`PostConfirmation_ConfirmSignUp`, `PostConfirmation_ConfirmForgotPassword`),
/// after the confirmation is written: as in Cognito, a function that fails fails the call but
/// does not undo the confirmation.
pub(crate) async fn post_confirmation(
    app: &App,
    pool: &UserPoolType,
    source: &str,
    user: &ironpool_store::User,
    client_id: Option<&str>,
) -> Result<(), ApiError> {
    if !configured(pool, Trigger::PostConfirmation) {
        return Ok(());
    }
    let request = json!({
        "userAttributes": user_attributes(user),
        "clientMetadata": client_metadata(),
    });
    let source = Source {
        trigger: Trigger::PostConfirmation,
        source,
        user_name: Some(&user.username),
        client_id,
    };
    run(app, pool, source, request).await.map(drop)
}
