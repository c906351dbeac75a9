//! The awsJson1.1 endpoint: `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`.
//!
//! Order of checks, as AWS does them: target, content type, body size, SigV4, rate limits,
//! JSON, model validation, then the handler.

use crate::app::{App, OrInternal};
use crate::ops;
use crate::request_context::RequestContext;
use crate::scope::Scope;
use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, request::Parts, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use ironpool_api::{validate, ApiError, AuthType, ErrorCode, Operation};
use ironpool_sigv4::Outcome;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// Largest request body accepted; the biggest legitimate ones are branding assets.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

pub async fn handle(State(app): State<Arc<App>>, request: Request<Body>) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let operation = target(&parts);
    let op = operation.as_ref().ok().copied();
    let name = op.map_or("-", Operation::name);
    let result = match operation {
        Ok(op) => process(&app, op, &parts, body).await,
        Err(e) => Err(e),
    };
    let elapsed = started.elapsed();
    if let Some(op) = op {
        crate::metrics::request(op, result.as_ref().err().map(|e| e.code), elapsed);
    }
    let ms = elapsed.as_secs_f64() * 1000.0;
    match &result {
        Ok(_) => tracing::info!(operation = name, status = 200, ms, "request"),
        Err(e) => tracing::info!(
            operation = name,
            status = e.status(),
            error = e.code.as_str(),
            ms,
            "request"
        ),
    }
    respond(&crate::http::request_id(), result)
}

/// The operation named by `X-Amz-Target`.
fn target(parts: &Parts) -> Result<Operation, ApiError> {
    let unknown = |msg: String| ApiError::new(ErrorCode::UnknownOperationException, msg);
    let value = parts
        .headers
        .get("x-amz-target")
        .ok_or_else(|| unknown("Missing X-Amz-Target header.".into()))?
        .to_str()
        .map_err(|_| unknown("Invalid X-Amz-Target header.".into()))?;
    value
        .strip_prefix(TARGET_PREFIX)
        .and_then(Operation::from_name)
        .ok_or_else(|| unknown(format!("Unknown operation {value}.")))
}

async fn process(app: &App, op: Operation, parts: &Parts, body: Body) -> Result<Vec<u8>, ApiError> {
    check_content_type(parts)?;
    let body = to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        ApiError::new(
            ErrorCode::RequestEntityTooLargeException,
            format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
        )
    })?;
    let scope = authorize(app, op, parts, &body)?;
    crate::throttle::admit(app, scope.as_ref(), op).await?;
    let input = parse(&body)?;
    validate(op, &input)?;
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if let Some(scope) = &scope {
        crate::scope::check_input(app, op, scope, &input).await?;
    }
    let context = RequestContext {
        scope,
        ..RequestContext::of(peer, &parts.headers, &input)
    };
    let sign_in = SignInStep::of(op, &input);
    let result = context
        .scope(async {
            let first = ops::dispatch(app, op, input).await;
            if first.is_err() && RequestContext::take_parent_gone() {
                // A write found its pool, user or group deleted by a racing request, and
                // nothing of that write was stored: run once more, to answer as the operation
                // does after the deletion (its not-found error).
                let again = ops::dispatch(app, op, parse(&body)?).await;
                if RequestContext::take_parent_gone() {
                    tracing::error!("a write raced a deletion twice");
                }
                return again;
            }
            first
        })
        .await;
    if let Some(step) = sign_in {
        step.record(&result);
    }
    result
}

/// The body as JSON; an empty body is an empty object.
fn parse(body: &[u8]) -> Result<serde_json::Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Object(Default::default()));
    }
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            ErrorCode::SerializationException,
            format!("The request body is not valid JSON: {e}"),
        )
    })
}

/// What a sign-in call starts or answers, for the metrics: the flow of InitiateAuth and
/// AdminInitiateAuth, the challenge of RespondToAuthChallenge and its admin twin.
enum SignInStep {
    Flow(String),
    Challenge(String),
}

impl SignInStep {
    fn of(op: Operation, input: &serde_json::Value) -> Option<Self> {
        let field = |name: &str| input[name].as_str().unwrap_or("-").to_owned();
        match op {
            Operation::InitiateAuth | Operation::AdminInitiateAuth => {
                Some(Self::Flow(field("AuthFlow")))
            }
            Operation::RespondToAuthChallenge | Operation::AdminRespondToAuthChallenge => {
                Some(Self::Challenge(field("ChallengeName")))
            }
            _ => None,
        }
    }

    /// `authenticated` when the answer carries tokens, `challenge` when it asks for more,
    /// the error type otherwise.
    fn record(&self, result: &Result<Vec<u8>, ApiError>) {
        let outcome = match result {
            Ok(body) if contains(body, b"\"AuthenticationResult\":") => "authenticated",
            Ok(_) => "challenge",
            Err(e) => e.code.as_str(),
        };
        match self {
            Self::Flow(flow) => crate::metrics::sign_in(flow, outcome),
            Self::Challenge(name) => crate::metrics::challenge_response(name, outcome),
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn check_content_type(parts: &Parts) -> Result<(), ApiError> {
    let Some(value) = parts.headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let mime = value.to_str().unwrap_or("").split(';').next().unwrap_or("");
    let mime = mime.trim().to_ascii_lowercase();
    if mime == CONTENT_TYPE || mime == "application/json" {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::UnknownOperationException,
            format!("Unsupported Content-Type {mime:?}; use {CONTENT_TYPE}."),
        ))
    }
}

/// SigV4 for IAM operations when credentials are configured; the account and region an IAM
/// call acts in (`crate::scope`). Unsigned operations are authorized by their token, session
/// or client id instead, and accept signed requests too.
fn authorize(
    app: &App,
    op: Operation,
    parts: &Parts,
    body: &[u8],
) -> Result<Option<Scope>, ApiError> {
    if op.auth() == AuthType::None {
        return Ok(None);
    }
    let request = ironpool_sigv4::Request {
        method: &parts.method,
        uri: &parts.uri,
        headers: &parts.headers,
        body,
    };
    if app.credentials.is_empty() {
        let claimed = ironpool_sigv4::claimed_scope(&request);
        return Ok(Some(Scope::claimed(app, claimed)));
    }
    let now = app.clock.now();
    match ironpool_sigv4::verify(&request, &app.credentials, "cognito-idp", None, now) {
        Ok(outcome @ Outcome::Verified { .. }) => Ok(Scope::verified(app, &outcome)),
        // These two take either IAM credentials or a token of their own.
        Ok(Outcome::Unsigned)
            if matches!(op, Operation::GetClientToken | Operation::GetDerivedToken) =>
        {
            Ok(None)
        }
        Ok(Outcome::Unsigned) => Err(ApiError::new(
            ErrorCode::MissingAuthenticationTokenException,
            "Missing Authentication Token",
        )),
        Err(e) => {
            let code = ErrorCode::from_name(e.code.as_str()).ok_or("unmapped SigV4 error");
            Err(ApiError::new(code.or_internal()?, e.message))
        }
    }
}

fn respond(request_id: &str, result: Result<Vec<u8>, ApiError>) -> Response {
    let (status, error_type, body) = match result {
        Ok(body) => (StatusCode::OK, None, body),
        Err(e) => (
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST),
            Some(e.code.as_str()),
            e.to_json(),
        ),
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    if let Some(code) = error_type {
        headers.insert("x-amzn-errortype", HeaderValue::from_static(code));
    }
    response
}

/// An error answer outside an operation (unknown routes), in the same JSON form.
pub fn error_response(error: ApiError, status: StatusCode) -> Response {
    let mut response = respond(&crate::http::request_id(), Err(error));
    *response.status_mut() = status;
    response
}
