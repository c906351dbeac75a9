//! SigV4 verification of a whole request: the `Authorization` header or the presigned query,
//! the credential scope, the time, the signed headers and the body.
//!
//! An input is a request as text: `METHOD URI`, header lines `name: value`, a blank line, the
//! body. The seeds are requests signed by the official `aws-sigv4` signer, header-signed and
//! presigned; the target signs them again (the signature is deterministic), and a finding is
//! a request verified whose signature is none of theirs, or whose method, URI, body or signed
//! headers differ from those of the request that signature was made for.

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{
    sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
};
use aws_sigv4::sign::v4;
use ironpool_sigv4::{verify, Credentials, Outcome, Request};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const AKID: &str = "AKIAIRONPOOLFUZZ0001";
const SECRET: &str = "ironpool/Fuzz+Key0123456789abcdefghijklm";
const REGION: &str = "us-east-1";
const SERVICE: &str = "cognito-idp";

/// 2024-01-01T00:00:00Z, when the seeds were signed and when they are verified.
fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_704_067_200)
}

/// A request as the server sees it.
struct Wire {
    method: http::Method,
    uri: http::Uri,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl Wire {
    fn parse(data: &[u8]) -> Option<Self> {
        let split = data.windows(2).position(|w| w == b"\n\n");
        let (head, body) = match split {
            Some(i) => (&data[..i], &data[i + 2..]),
            None => (data, &[][..]),
        };
        let mut lines = head.split(|b| *b == b'\n');
        let first = lines.next()?;
        let space = first.iter().position(|b| *b == b' ')?;
        let method = http::Method::from_bytes(&first[..space]).ok()?;
        let uri = http::Uri::try_from(&first[space + 1..]).ok()?;
        let mut headers = http::HeaderMap::new();
        for line in lines {
            let colon = line.iter().position(|b| *b == b':')?;
            let name = http::HeaderName::from_bytes(&line[..colon]).ok()?;
            let value = line[colon + 1..].trim_ascii_start();
            headers.append(name, http::HeaderValue::from_bytes(value).ok()?);
        }
        Some(Self {
            method,
            uri,
            headers,
            body: body.to_vec(),
        })
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{} {}\n", self.method, self.uri).into_bytes();
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_str().as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.push(b'\n');
        }
        out.push(b'\n');
        out.extend_from_slice(&self.body);
        out
    }

    fn verify(&self) -> Result<Outcome, ironpool_sigv4::SigV4Error> {
        let mut credentials = Credentials::new();
        credentials.insert(AKID.into(), SECRET.into());
        let request = Request {
            method: &self.method,
            uri: &self.uri,
            headers: &self.headers,
            body: &self.body,
        };
        verify(&request, &credentials, SERVICE, None, t0())
    }

    /// The signature the request carries, in its header or its query.
    fn signature(&self) -> Option<String> {
        let from_header = self
            .headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split("Signature=").nth(1))
            .map(|s| s.trim().to_owned());
        from_header.or_else(|| {
            self.uri
                .query()?
                .split('&')
                .find_map(|pair| pair.strip_prefix("X-Amz-Signature=").map(str::to_owned))
        })
    }

    /// The values of a header as the signature covers them: every occurrence, trimmed, runs
    /// of blanks as one, joined by commas.
    fn canonical(&self, name: &str) -> String {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .split_ascii_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Requests signed by the official signer: what the target accepts and nothing else.
fn genuine() -> &'static [Wire] {
    static GENUINE: OnceLock<Vec<Wire>> = OnceLock::new();
    GENUINE.get_or_init(|| {
        let mut presigned = SigningSettings::default();
        presigned.signature_location = SignatureLocation::QueryParams;
        presigned.expires_in = Some(Duration::from_secs(300));
        let body = br#"{"MaxResults":10}"#;
        vec![
            signed("/", body, SigningSettings::default()),
            signed("/?a=b&c=%20d", body, SigningSettings::default()),
            signed("/", b"", presigned),
        ]
    })
}

fn signed(path: &str, body: &[u8], settings: SigningSettings) -> Wire {
    let mut request = http::Request::builder()
        .method("POST")
        .uri(format!("http://localhost:9229{path}"))
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.ListUserPools",
        )
        .header("host", "localhost:9229")
        .header("user-agent", "aws-sdk-rust/1.3.9 os/linux")
        .body(body.to_vec())
        .expect("request");
    let identity = AwsCredentials::new(AKID, SECRET, None, None, "fuzz").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name(SERVICE)
        .time(t0())
        .settings(settings)
        .build()
        .expect("signing params")
        .into();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().expect("ascii").to_owned()))
        .collect();
    let uri = request.uri().to_string();
    let signable = SignableRequest::new(
        "POST",
        &uri,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(request.body()),
    )
    .expect("signable");
    let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
    instructions.apply_to_request_http1x(&mut request);
    let (parts, body) = request.into_parts();
    let origin = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let wire = Wire {
        method: parts.method,
        uri: origin.parse().expect("origin-form URI"),
        headers: parts.headers,
        body,
    };
    assert!(
        matches!(wire.verify(), Ok(Outcome::Verified { .. })),
        "the genuine request {path} is not verified"
    );
    wire
}

/// The headers a genuine request signed: its `SignedHeaders`, or its query's.
fn signed_headers(wire: &Wire) -> Vec<String> {
    let from_header = wire
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("SignedHeaders=").nth(1))
        .map(|s| s.split(',').next().unwrap_or("").to_owned());
    let list = from_header.or_else(|| {
        wire.uri.query()?.split('&').find_map(|pair| {
            pair.strip_prefix("X-Amz-SignedHeaders=")
                .map(|v| v.replace("%3B", ";"))
        })
    });
    list.unwrap_or_default()
        .split(';')
        .map(str::to_owned)
        .collect()
}

pub fn run(data: &[u8]) {
    let Some(wire) = Wire::parse(data) else {
        return;
    };
    let _ = ironpool_sigv4::claimed_scope(&Request {
        method: &wire.method,
        uri: &wire.uri,
        headers: &wire.headers,
        body: &wire.body,
    });
    if !matches!(wire.verify(), Ok(Outcome::Verified { .. })) {
        return;
    }
    let signature = wire.signature().unwrap_or_default();
    let genuine = genuine()
        .iter()
        .find(|g| g.signature().as_deref() == Some(signature.as_str()))
        .unwrap_or_else(|| panic!("verified with a signature never made: {signature}"));
    assert_eq!(wire.method, genuine.method, "method changed");
    assert_eq!(wire.body, genuine.body, "body changed");
    assert_eq!(path(&wire.uri), path(&genuine.uri), "path changed");
    assert_eq!(query(&wire.uri), query(&genuine.uri), "query changed");
    for name in signed_headers(genuine) {
        assert_eq!(
            wire.canonical(&name),
            genuine.canonical(&name),
            "signed header {name} changed"
        );
    }
}

/// The path as a signature covers it: decoded, without empty and dot segments.
fn path(uri: &http::Uri) -> Vec<Vec<u8>> {
    let mut segments: Vec<Vec<u8>> = Vec::new();
    for segment in uri.path().split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(decode(s)),
        }
    }
    segments
}

/// The query's parameters as a signature covers them: decoded, sorted, without the signature.
fn query(uri: &http::Uri) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .filter(|(k, _)| k != b"X-Amz-Signature")
        .collect();
    pairs.sort();
    pairs
}

fn decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

pub fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds: Vec<(String, Vec<u8>)> = genuine()
        .iter()
        .enumerate()
        .map(|(i, wire)| (format!("genuine-{i}"), wire.to_bytes()))
        .collect();
    seeds.push((
        "unsigned".into(),
        b"POST /\ncontent-type: application/x-amz-json-1.1\n\n{}".to_vec(),
    ));
    seeds.push((
        "bearer".into(),
        b"POST /\nauthorization: Bearer abc\n\n".to_vec(),
    ));
    seeds
}
