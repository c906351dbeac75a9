//! Calling Lambda functions: the AWS Lambda Invoke API
//! (`POST /2015-03-31/functions/{FunctionName}/invocations`, SigV4-signed for `lambda`) at
//! `--lambda-endpoint`, so that `sam local start-lambda`, any Lambda emulator or AWS Lambda
//! itself serves the functions a pool's LambdaConfig names. What a trigger means to Cognito
//! lives in `ops::triggers`; this module only carries bytes there and back.

use crate::aws::{Answer, AwsClient, CallError};
use async_trait::async_trait;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::sync::Arc;
use std::time::Duration;

/// Why an invocation gave no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvokeError {
    /// No endpoint is configured: the function was not called.
    NotConfigured,
    /// The function ran and failed (`X-Amz-Function-Error`): its `errorMessage`.
    Function(String),
    /// No answer before the deadline.
    Timeout,
    /// The Lambda service refused the call or could not be reached: its error type.
    Service(String),
}

/// What calls a function: the Invoke API, or a stand-in.
#[async_trait]
pub trait Invoker: Send + Sync {
    /// Calls `function_arn` with `payload`, within `deadline`; the function's answer.
    async fn invoke(
        &self,
        function_arn: &str,
        payload: Vec<u8>,
        deadline: Duration,
    ) -> Result<Vec<u8>, InvokeError>;
}

/// Calls nothing: no endpoint is configured.
pub struct NoEndpoint;

#[async_trait]
impl Invoker for NoEndpoint {
    async fn invoke(&self, _: &str, _: Vec<u8>, _: Duration) -> Result<Vec<u8>, InvokeError> {
        Err(InvokeError::NotConfigured)
    }
}

/// The Invoke API over HTTP(S), signed, through the shared AWS client.
pub struct HttpInvoker {
    endpoint: String,
    aws: Arc<AwsClient>,
}

/// What a path segment may hold unescaped: the Lambda SDKs' escaping of a function name.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

impl HttpInvoker {
    pub fn new(endpoint: &str, aws: Arc<AwsClient>) -> Self {
        Self {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            aws,
        }
    }
}

#[async_trait]
impl Invoker for HttpInvoker {
    /// A function ARN is sent as its name (and its qualifier as `Qualifier`), which AWS
    /// Lambda resolves in the signing account and region and which `sam local start-lambda`
    /// matches to a template's function.
    async fn invoke(
        &self,
        function_arn: &str,
        payload: Vec<u8>,
        deadline: Duration,
    ) -> Result<Vec<u8>, InvokeError> {
        let arn = Arn::parse(function_arn);
        let mut url = format!(
            "{}/2015-03-31/functions/{}/invocations",
            self.endpoint,
            utf8_percent_encode(arn.name, SEGMENT)
        );
        if let Some(q) = arn.qualifier {
            url.push_str(&format!("?Qualifier={}", utf8_percent_encode(q, SEGMENT)));
        }
        let headers = [
            ("content-type", "application/json"),
            ("x-amz-invocation-type", "RequestResponse"),
        ];
        let call = self
            .aws
            .post("lambda", arn.region, &url, &headers, payload, deadline);
        let Answer {
            status,
            headers,
            body,
        } = match call.await {
            Ok(answer) => answer,
            Err(CallError::Timeout) => return Err(InvokeError::Timeout),
            Err(CallError::Unreachable) => {
                return Err(InvokeError::Service("ServiceException".into()))
            }
        };
        if !(200..300).contains(&status) {
            let kind = crate::aws::error_type(&headers, &body);
            tracing::warn!(function = function_arn, status, error = %kind, "Lambda refused the invocation");
            return Err(InvokeError::Service(kind));
        }
        if headers.contains_key("x-amz-function-error") {
            return Err(InvokeError::Function(function_error_message(&body)));
        }
        Ok(body)
    }
}

/// The `errorMessage` of a function's failure (`{"errorMessage": ..., "errorType": ...}`),
/// or the body itself.
fn function_error_message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("errorMessage")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned())
}

/// The parts of `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` an
/// invocation needs; anything else is taken for a function name.
struct Arn<'a> {
    region: Option<&'a str>,
    name: &'a str,
    qualifier: Option<&'a str>,
}

impl<'a> Arn<'a> {
    fn parse(s: &'a str) -> Self {
        let parts: Vec<&str> = s.split(':').collect();
        match parts[..] {
            ["arn", _, "lambda", region, _, "function", name] => Self {
                region: Some(region),
                name,
                qualifier: None,
            },
            ["arn", _, "lambda", region, _, "function", name, qualifier] => Self {
                region: Some(region),
                name,
                qualifier: Some(qualifier),
            },
            _ => Self {
                region: None,
                name: s,
                qualifier: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arn_is_sent_as_its_name_and_qualifier() {
        let a = Arn::parse("arn:aws:lambda:eu-west-1:123456789012:function:PreSignUp:live");
        assert_eq!(
            (a.region, a.name, a.qualifier),
            (Some("eu-west-1"), "PreSignUp", Some("live"))
        );
        let a = Arn::parse("my-function");
        assert_eq!((a.region, a.name, a.qualifier), (None, "my-function", None));
    }

    #[test]
    fn a_function_error_is_its_error_message() {
        let body = br#"{"errorType":"Error","errorMessage":"not allowed","trace":[]}"#;
        assert_eq!(function_error_message(body), "not allowed");
        assert_eq!(function_error_message(b"boom"), "boom");
    }
}
