//! Ironpool's own calls to AWS services (Lambda for triggers, KMS for custom senders' codes):
//! where they go, the credentials they are signed with (SigV4), and one pooled HTTP(S) client
//! with a bound on calls in flight.

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use clap::Args;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::time::{Duration, SystemTime};
use tokio::sync::Semaphore;

/// How many calls may be in flight at once (more wait for a slot).
const MAX_IN_FLIGHT: usize = 64;
/// How many idle connections per host are kept for reuse.
const MAX_IDLE: usize = 16;

#[derive(Clone, Debug, Args)]
pub struct AwsConfig {
    /// Invoke the pools' Lambda triggers through the Lambda Invoke API at this URL
    /// (`sam local start-lambda`'s http://127.0.0.1:3001, an emulator, or
    /// https://lambda.<region>.amazonaws.com). Without it triggers are skipped, each logged
    /// once per pool and trigger.
    #[arg(long, env = "IRONPOOL_LAMBDA_ENDPOINT")]
    pub lambda_endpoint: Option<String>,

    /// Encrypt the codes handed to CustomEmailSender and CustomSMSSender functions with the
    /// pool's KMSKeyID through the KMS API at this URL. Without it they get the code in
    /// plain text (base64).
    #[arg(long, env = "IRONPOOL_KMS_ENDPOINT")]
    pub kms_endpoint: Option<String>,

    /// The region these calls are signed for; by default the one in each function's or key's
    /// ARN.
    #[arg(long, env = "IRONPOOL_AWS_REGION")]
    pub aws_region: Option<String>,

    /// The access key these calls are signed with (`test` when none is given).
    #[arg(long, env = "AWS_ACCESS_KEY_ID", hide_env_values = true)]
    pub aws_access_key_id: Option<String>,

    /// Its secret key.
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub aws_secret_access_key: Option<String>,

    /// A session token for temporary credentials.
    #[arg(long, env = "AWS_SESSION_TOKEN", hide_env_values = true)]
    pub aws_session_token: Option<String>,
}

impl AwsConfig {
    /// Checks the endpoint URLs.
    pub fn check(&self) -> Result<(), String> {
        for (flag, url) in [
            ("--lambda-endpoint", &self.lambda_endpoint),
            ("--kms-endpoint", &self.kms_endpoint),
        ] {
            if let Some(url) = url {
                if !url.starts_with("http://") && !url.starts_with("https://") {
                    return Err(format!("{flag} must be an http:// or https:// URL"));
                }
            }
        }
        Ok(())
    }
}

/// A service's answer.
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Why a call got no answer.
#[derive(Debug)]
pub enum CallError {
    Timeout,
    Unreachable,
}

/// Signs and sends calls to AWS services.
pub struct AwsClient {
    region: Option<String>,
    credentials: AwsCredentials,
    client: reqwest::Client,
    slots: Semaphore,
}

impl AwsClient {
    pub fn new(config: &AwsConfig) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(MAX_IDLE)
            .dns_resolver(crate::resolve::resolver())
            .build()
            .map_err(|e| format!("cannot start the AWS client: {e}"))?;
        let credentials = AwsCredentials::new(
            config.aws_access_key_id.as_deref().unwrap_or("test"),
            config.aws_secret_access_key.as_deref().unwrap_or("test"),
            config.aws_session_token.clone(),
            None,
            "ironpool",
        );
        Ok(Self {
            region: config.aws_region.clone(),
            credentials,
            client,
            slots: Semaphore::new(MAX_IN_FLIGHT),
        })
    }

    /// POSTs `body` to `url`, signed for `service` in the configured region, else `region`
    /// (else us-east-1), within `deadline`.
    pub async fn post(
        &self,
        service: &str,
        region: Option<&str>,
        url: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
        deadline: Duration,
    ) -> Result<Answer, CallError> {
        let region = self.region.as_deref().or(region).unwrap_or("us-east-1");
        let call = async {
            let _slot = self.slots.acquire().await.map_err(|_| CallError::Timeout)?;
            let request = self
                .signed(service, region, url, headers, body)
                .map_err(|e| {
                    tracing::warn!(url, error = %e, "cannot sign a call to AWS");
                    CallError::Unreachable
                })?;
            let response = self.client.execute(request).await.map_err(|e| {
                tracing::warn!(url, error = %e, "AWS endpoint unreachable");
                CallError::Unreachable
            })?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response
                .bytes()
                .await
                .map_err(|_| CallError::Unreachable)?
                .to_vec();
            Ok(Answer {
                status,
                headers,
                body,
            })
        };
        tokio::time::timeout(deadline, call)
            .await
            .unwrap_or(Err(CallError::Timeout))
    }

    fn signed(
        &self,
        service: &str,
        region: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<reqwest::Request, String> {
        let mut builder = self.client.post(url);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let mut request = builder.body(body).build().map_err(|e| e.to_string())?;
        let host = match (request.url().host_str(), request.url().port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            (None, _) => return Err("no host".into()),
        };
        let identity = self.credentials.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name(service)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let mut signed_headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_owned())))
            .collect();
        signed_headers.push(("host".into(), host));
        let body = request.body().and_then(|b| b.as_bytes()).unwrap_or(&[]);
        let signable = SignableRequest::new(
            "POST",
            request.url().as_str(),
            signed_headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(body),
        )
        .map_err(|e| e.to_string())?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| e.to_string())?
            .into_parts();
        for (name, value) in instructions.headers() {
            request.headers_mut().insert(
                HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?,
                HeaderValue::from_str(value).map_err(|e| e.to_string())?,
            );
        }
        Ok(request)
    }
}

/// The error type of a refused call: the `X-Amzn-ErrorType` header, else `__type` or `Type`
/// of its JSON body, else ServiceException.
pub fn error_type(headers: &HeaderMap, body: &[u8]) -> String {
    if let Some(t) = headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
    {
        return t.split(':').next().unwrap_or(t).to_owned();
    }
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            let t = v.get("__type").or_else(|| v.get("Type"))?.as_str()?;
            Some(t.rsplit('#').next().unwrap_or(t).to_owned())
        })
        .unwrap_or_else(|| "ServiceException".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_named_by_its_header_or_body() {
        let mut headers = HeaderMap::new();
        let body = br#"{"Type":"User","__type":"ResourceNotFoundException"}"#;
        assert_eq!(error_type(&headers, body), "ResourceNotFoundException");
        headers.insert(
            "x-amzn-errortype",
            HeaderValue::from_static("AccessDeniedException:http://x"),
        );
        assert_eq!(error_type(&headers, body), "AccessDeniedException");
        assert_eq!(error_type(&HeaderMap::new(), b"oops"), "ServiceException");
    }
}
