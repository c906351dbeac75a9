//! Calling Lambda functions: the AWS Lambda Invoke API
//! (`POST /2015-03-31/functions/{FunctionName}/invocations`, SigV4-signed for `lambda`) at
//! `--lambda-endpoint`, so that `sam local start-lambda`, any Lambda emulator or AWS Lambda
//! itself serves the functions a pool's LambdaConfig names. What a trigger means to Cognito
//! lives in `ops::triggers`; this module only carries bytes there and back.

use async_trait::async_trait;
use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use clap::Args;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::time::{Duration, SystemTime};
use tokio::sync::Semaphore;

/// How many invocations may be in flight at once (more wait for a slot).
const MAX_IN_FLIGHT: usize = 64;
/// How many idle connections to the endpoint are kept for reuse.
const MAX_IDLE: usize = 16;

#[derive(Clone, Debug, Args)]
pub struct LambdaConfig {
    /// Invoke the pools' Lambda triggers through the Lambda Invoke API at this URL
    /// (`sam local start-lambda`'s http://127.0.0.1:3001, an emulator, or
    /// https://lambda.<region>.amazonaws.com). Without it triggers are skipped, each logged
    /// once per pool and trigger.
    #[arg(long, env = "IRONPOOL_LAMBDA_ENDPOINT")]
    pub lambda_endpoint: Option<String>,

    /// The region invocations are signed for; by default each function ARN's own.
    #[arg(long, env = "IRONPOOL_LAMBDA_REGION")]
    pub lambda_region: Option<String>,

    /// The access key invocations are signed with (`test` when none is given).
    #[arg(long, env = "AWS_ACCESS_KEY_ID", hide_env_values = true)]
    pub lambda_access_key_id: Option<String>,

    /// Its secret key.
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub lambda_secret_access_key: Option<String>,

    /// A session token for temporary credentials.
    #[arg(long, env = "AWS_SESSION_TOKEN", hide_env_values = true)]
    pub lambda_session_token: Option<String>,
}

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

/// The Invoke API over HTTP(S), signed, through one pooled client.
pub struct HttpInvoker {
    endpoint: String,
    region: Option<String>,
    credentials: AwsCredentials,
    client: reqwest::Client,
    slots: Semaphore,
}

/// What a path segment may hold unescaped: the Lambda SDKs' escaping of a function name.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

impl HttpInvoker {
    pub fn new(config: &LambdaConfig) -> Result<Option<Self>, String> {
        let Some(endpoint) = &config.lambda_endpoint else {
            return Ok(None);
        };
        if !endpoint.starts_with("http://") && !endpoint.starts_with("https://") {
            return Err("--lambda-endpoint must be an http:// or https:// URL".into());
        }
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(MAX_IDLE)
            .build()
            .map_err(|e| format!("cannot start the Lambda client: {e}"))?;
        let credentials = AwsCredentials::new(
            config.lambda_access_key_id.as_deref().unwrap_or("test"),
            config.lambda_secret_access_key.as_deref().unwrap_or("test"),
            config.lambda_session_token.clone(),
            None,
            "ironpool",
        );
        Ok(Some(Self {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            region: config.lambda_region.clone(),
            credentials,
            client,
            slots: Semaphore::new(MAX_IN_FLIGHT),
        }))
    }

    /// The signed request for one invocation. A function ARN is sent as its name (and its
    /// qualifier as `Qualifier`), which AWS Lambda resolves in the signing account and region
    /// and which `sam local start-lambda` matches to a template's function.
    fn request(&self, function_arn: &str, payload: Vec<u8>) -> Result<reqwest::Request, String> {
        let arn = Arn::parse(function_arn);
        let region = self.region.as_deref().or(arn.region).unwrap_or("us-east-1");
        let mut url = format!(
            "{}/2015-03-31/functions/{}/invocations",
            self.endpoint,
            utf8_percent_encode(arn.name, SEGMENT)
        );
        if let Some(q) = arn.qualifier {
            url.push_str(&format!("?Qualifier={}", utf8_percent_encode(q, SEGMENT)));
        }
        let mut request = self
            .client
            .post(&url)
            .header("content-type", "application/json")
            .header("x-amz-invocation-type", "RequestResponse")
            .body(payload)
            .build()
            .map_err(|e| e.to_string())?;
        let host = request
            .url()
            .host_str()
            .map(|h| match request.url().port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            })
            .unwrap_or_default();
        let identity = self.credentials.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name("lambda")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let body = request.body().and_then(|b| b.as_bytes()).unwrap_or(&[]);
        let mut headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_owned())))
            .collect();
        headers.push(("host".into(), host));
        let signable = SignableRequest::new(
            "POST",
            request.url().as_str(),
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(body),
        )
        .map_err(|e| e.to_string())?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| e.to_string())?
            .into_parts();
        for (name, value) in instructions.headers() {
            let value = reqwest::header::HeaderValue::from_str(value).map_err(|e| e.to_string())?;
            request.headers_mut().insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes())
                    .map_err(|e| e.to_string())?,
                value,
            );
        }
        Ok(request)
    }
}

#[async_trait]
impl Invoker for HttpInvoker {
    async fn invoke(
        &self,
        function_arn: &str,
        payload: Vec<u8>,
        deadline: Duration,
    ) -> Result<Vec<u8>, InvokeError> {
        let call = async {
            let _slot = self.slots.acquire().await.map_err(|_| timeout_error())?;
            let request = self.request(function_arn, payload).map_err(|e| {
                tracing::warn!(function = function_arn, error = %e, "cannot sign a Lambda invocation");
                InvokeError::Service("ServiceException".into())
            })?;
            let response = self.client.execute(request).await.map_err(|e| {
                tracing::warn!(function = function_arn, error = %e, "Lambda endpoint unreachable");
                InvokeError::Service("ServiceException".into())
            })?;
            let status = response.status();
            let function_error = response.headers().contains_key("x-amz-function-error");
            let error_type = response
                .headers()
                .get("x-amzn-errortype")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(':').next().unwrap_or(v).to_owned());
            let body = response
                .bytes()
                .await
                .map_err(|_| timeout_error())?
                .to_vec();
            if !status.is_success() {
                let kind = error_type
                    .or_else(|| service_error_type(&body))
                    .unwrap_or_else(|| "ServiceException".into());
                tracing::warn!(function = function_arn, status = status.as_u16(), error = %kind, "Lambda refused the invocation");
                return Err(InvokeError::Service(kind));
            }
            if function_error {
                return Err(InvokeError::Function(function_error_message(&body)));
            }
            Ok(body)
        };
        tokio::time::timeout(deadline, call)
            .await
            .unwrap_or(Err(InvokeError::Timeout))
    }
}

fn timeout_error() -> InvokeError {
    InvokeError::Timeout
}

/// The `errorMessage` of a function's failure (`{"errorMessage": ..., "errorType": ...}`),
/// or the body itself.
fn function_error_message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("errorMessage")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned())
}

/// The error type of a refused call from its JSON body (`__type` or `Type`).
fn service_error_type(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let t = v.get("__type").or_else(|| v.get("Type"))?.as_str()?;
    Some(t.rsplit('#').next().unwrap_or(t).to_owned())
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
        assert_eq!(
            service_error_type(br#"{"Type":"User","__type":"ResourceNotFoundException"}"#),
            Some("ResourceNotFoundException".into())
        );
    }
}
