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
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = request.into_parts();
    let operation = target(&parts);
    let name = operation.as_ref().map(|o| o.name()).unwrap_or("-");
    let result = match operation {
        Ok(op) => process(&app, op, &parts, body).await,
        Err(e) => Err(e),
    };
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    match &result {
        Ok(_) => tracing::info!(%request_id, operation = name, status = 200, ms, "request"),
        Err(e) => tracing::info!(
            %request_id,
            operation = name,
            status = e.status(),
            error = e.code.as_str(),
            ms,
            "request"
        ),
    }
    respond(&request_id, result)
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
    let input: serde_json::Value = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Object(Default::default())
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                ErrorCode::SerializationException,
                format!("The request body is not valid JSON: {e}"),
            )
        })?
    };
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
    context.scope(ops::dispatch(app, op, input)).await
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
    let mut response = respond(&uuid::Uuid::new_v4().to_string(), Err(error));
    *response.status_mut() = status;
    response
}
