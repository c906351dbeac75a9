//! The one error type of the wire layer: a Cognito error code and its message.

use crate::ErrorCode;
use std::fmt;

/// An error as the client sees it: `{"__type": code, "message": message}`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// A failure of ours; the detail goes to the log, never to the client.
    pub fn internal() -> Self {
        Self::new(
            ErrorCode::InternalErrorException,
            "An internal error occurred.",
        )
    }

    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidParameterException, message)
    }

    pub fn resource_not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ResourceNotFoundException, message)
    }

    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotAuthorizedException, message)
    }

    /// An operation of the model that has no handler yet.
    pub fn not_implemented(operation: crate::Operation) -> Self {
        Self::new(
            ErrorCode::UnsupportedOperationException,
            format!("Ironpool does not implement {} yet.", operation.name()),
        )
    }

    /// HTTP status: 500 only for server faults, 413 for an oversized body, 400 otherwise.
    pub fn status(&self) -> u16 {
        match self.code {
            ErrorCode::InternalErrorException | ErrorCode::InternalServerException => 500,
            ErrorCode::RequestEntityTooLargeException => 413,
            _ => 400,
        }
    }

    /// The JSON body of the error, as awsJson1.1 clients parse it.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "__type": self.code.as_str(),
            "message": self.message,
        }))
        .unwrap_or_default()
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl std::error::Error for ApiError {}
