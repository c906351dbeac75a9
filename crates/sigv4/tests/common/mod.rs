//! Helpers shared by the integration tests: requests signed by the official `aws-sigv4`
//! signer, shaped the way aws-sdk-rust sends cognito-idp calls, as the server receives them.
#![allow(dead_code)] // each test binary uses a different subset

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use http::{HeaderMap, HeaderValue, Method, Uri};
use ironpool_sigv4::{verify, Credentials, Outcome, Request, SigV4Error, SigV4ErrorCode};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const AKID: &str = "AKIAIRONPOOLTEST0001";
pub const SECRET: &str = "ironpool/Secret+Key0123456789abcdefghijkl";
pub const REGION: &str = "us-east-1";
pub const SERVICE: &str = "cognito-idp";
pub const HOST: &str = "localhost:9229";
pub const BODY: &[u8] = br#"{"MaxResults":10}"#;
pub const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// 2024-01-01T00:00:00Z
pub fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_704_067_200)
}

pub fn minutes(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

pub fn creds() -> Credentials {
    let mut c = Credentials::new();
    c.insert(AKID.into(), SECRET.into());
    c.insert("AKIAOTHER".into(), "other-secret".into());
    c
}

/// A request as the server sees it: origin-form URI, the headers on the wire, the body.
#[derive(Clone)]
pub struct Wire {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Wire {
    pub fn verify_at(&self, now: SystemTime) -> Result<Outcome, SigV4Error> {
        let req = Request {
            method: &self.method,
            uri: &self.uri,
            headers: &self.headers,
            body: &self.body,
        };
        verify(&req, &creds(), SERVICE, Some(REGION), now)
    }

    /// As a server answering for every region verifies it.
    pub fn verify_any_region(&self) -> Result<Outcome, SigV4Error> {
        let req = Request {
            method: &self.method,
            uri: &self.uri,
            headers: &self.headers,
            body: &self.body,
        };
        verify(&req, &creds(), SERVICE, None, t0())
    }

    pub fn claimed_scope(&self) -> Option<ironpool_sigv4::Scope> {
        ironpool_sigv4::claimed_scope(&Request {
            method: &self.method,
            uri: &self.uri,
            headers: &self.headers,
            body: &self.body,
        })
    }

    pub fn verify(&self) -> Result<Outcome, SigV4Error> {
        self.verify_at(t0())
    }

    pub fn set(&mut self, name: &'static str, value: &str) -> &mut Self {
        let value = HeaderValue::from_str(value).expect("header value");
        self.headers.insert(name, value);
        self
    }
}

/// How to sign: who, where and when, with the SDK's default settings unless changed.
pub struct Signer {
    pub key_id: &'static str,
    pub secret: &'static str,
    pub token: Option<&'static str>,
    pub region: &'static str,
    pub service: &'static str,
    pub time: SystemTime,
    pub settings: SigningSettings,
}

impl Default for Signer {
    fn default() -> Self {
        Self {
            key_id: AKID,
            secret: SECRET,
            token: None,
            region: REGION,
            service: SERVICE,
            time: t0(),
            settings: SigningSettings::default(),
        }
    }
}

impl Signer {
    /// Signs `POST <path_and_query>` the way aws-sdk-rust sends a cognito-idp call.
    pub fn sign(&self, path_and_query: &str, extra: &[(&str, &str)]) -> Wire {
        let mut req = http::Request::builder()
            .method("POST")
            .uri(format!("http://{HOST}{path_and_query}"))
            .header("content-type", "application/x-amz-json-1.1")
            .header(
                "x-amz-target",
                "AWSCognitoIdentityProviderService.ListUserPools",
            )
            .header("content-length", BODY.len())
            .header("host", HOST)
            .header("user-agent", "aws-sdk-rust/1.3.9 os/linux lang/rust/1.88.0")
            .header(
                "x-amz-user-agent",
                "aws-sdk-rust/1.3.9 ua/2.1 api/cognitoidentityprovider/1.144.0 os/linux lang/rust/1.88.0",
            )
            .header("amz-sdk-invocation-id", "0b3a6f0e-8a77-4b8e-9f1e-6c0d1d9b2a11")
            .header("amz-sdk-request", "attempt=1; max=3");
        for (name, value) in extra {
            req = req.header(*name, *value);
        }
        let mut req = req.body(BODY.to_vec()).expect("request");

        let identity = AwsCredentials::new(
            self.key_id,
            self.secret,
            self.token.map(str::to_owned),
            None,
            "test",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(self.region)
            .name(self.service)
            .time(self.time)
            .settings(self.settings.clone())
            .build()
            .expect("signing params")
            .into();
        let headers: Vec<(String, String)> = req
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().expect("ascii").to_owned()))
            .collect();
        let uri = req.uri().to_string();
        let signable = SignableRequest::new(
            "POST",
            &uri,
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(req.body()),
        )
        .expect("signable");
        let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
        instructions.apply_to_request_http1x(&mut req);

        let (parts, body) = req.into_parts();
        let origin = parts
            .uri
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .parse()
            .expect("origin-form uri");
        Wire {
            method: parts.method,
            uri: origin,
            headers: parts.headers,
            body,
        }
    }
}

pub fn sdk_request() -> Wire {
    Signer::default().sign("/", &[])
}

pub fn expect_err(result: Result<Outcome, SigV4Error>, code: SigV4ErrorCode, message: &str) {
    let err = result.expect_err("should be refused");
    assert_eq!(err.code, code, "{}", err.message);
    assert_eq!(err.message, message);
}

pub fn verified() -> Result<Outcome, SigV4Error> {
    Ok(Outcome::Verified {
        access_key_id: AKID.into(),
        region: REGION.into(),
        account_id: None,
    })
}
