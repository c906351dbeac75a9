//! Verification of AWS Signature Version 4 on incoming requests.
//!
//! Pure and synchronous: the caller hands over the request parts, the configured keys, the
//! service name, the region it answers for (or any) and the current time, and gets back who
//! signed the request, for which region, or the error AWS would answer. The checks run in the order AWS's JSON services (Coral) run
//! them, and the messages are theirs, so SDK users see what they would see against AWS.

#![forbid(unsafe_code)]

mod canonical;
mod credentials;
mod timestamp;

pub use credentials::Credentials;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;
use std::time::SystemTime;
use subtle::ConstantTimeEq;

use canonical::{canonical_request, parse_query, query_param};
use timestamp::{epoch_secs, format_timestamp, parse_amz_date};

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const TERMINATOR: &str = "aws4_request";
/// How far the signing time may be from the server's clock, either way.
const ALLOWED_SKEW_SECS: i64 = 5 * 60;
/// The longest a presigned URL may be valid (a week), as in every AWS service.
const MAX_EXPIRES_SECS: i64 = 7 * 24 * 60 * 60;

const MSG_MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const MSG_UNRECOGNIZED_CLIENT: &str = "The security token included in the request is invalid.";
const MSG_MISSING_TOKEN: &str = "Request is missing Authentication Token";
const MSG_HOST_NOT_SIGNED: &str =
    "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";

/// The parts of an incoming request that the signature covers.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a http::Method,
    pub uri: &'a http::Uri,
    pub headers: &'a http::HeaderMap,
    pub body: &'a [u8],
}

/// What a request's signature says about its sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No `Authorization` header and no `X-Amz-Algorithm` query parameter.
    Unsigned,
    /// Signed with this configured key for `region`, and the signature matches; the key's
    /// account, when its profile names one (`aws_account_id`).
    Verified {
        access_key_id: String,
        region: String,
        account_id: Option<String>,
    },
}

/// The access key and region a signed request claims, before anything is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub access_key_id: String,
    pub region: String,
}

/// The key and region of a request's `Authorization` header or presigned query, unverified
/// (for a server without credentials, which believes what a request says of itself); `None`
/// for an unsigned request or one whose credential scope does not parse.
pub fn claimed_scope(req: &Request) -> Option<Scope> {
    let query = parse_query(req.uri.query().unwrap_or(""));
    let claim = if let Some(auth) = req.headers.get(http::header::AUTHORIZATION) {
        claim_from_header(&String::from_utf8_lossy(auth.as_bytes()), req.headers).ok()?
    } else if query_param(&query, "X-Amz-Algorithm").is_some() {
        claim_from_query(&query).ok()?
    } else {
        return None;
    };
    let parts: Vec<&str> = claim.credential.trim_end_matches('/').split('/').collect();
    let [key_id, _, region, _, _] = parts[..] else {
        return None;
    };
    is_region_name(region).then(|| Scope {
        access_key_id: key_id.to_owned(),
        region: region.to_owned(),
    })
}

/// Whether `name` is shaped as an AWS region name (`us-east-1`, `ap-southeast-2`,
/// `us-gov-west-1`): lowercase words and a number, joined by hyphens.
pub fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    words.len() >= 2
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !number.is_empty()
        && number.len() <= 2
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// A request whose signature AWS would refuse, with AWS's error code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigV4Error {
    pub code: SigV4ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigV4ErrorCode {
    IncompleteSignature,
    InvalidSignature,
    UnrecognizedClient,
    MissingAuthenticationToken,
}

impl SigV4ErrorCode {
    /// The JSON error code (`__type`) AWS answers with.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IncompleteSignature => "IncompleteSignatureException",
            Self::InvalidSignature => "InvalidSignatureException",
            Self::UnrecognizedClient => "UnrecognizedClientException",
            Self::MissingAuthenticationToken => "MissingAuthenticationTokenException",
        }
    }
}

impl fmt::Display for SigV4ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl SigV4Error {
    fn new(code: SigV4ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// What AWS's JSON services answer to a request that needs a signature and has none,
    /// or whose `Authorization` header is not an AWS4 one.
    pub fn missing_authentication_token() -> Self {
        Self::new(
            SigV4ErrorCode::MissingAuthenticationToken,
            MSG_MISSING_TOKEN,
        )
    }
}

impl fmt::Display for SigV4Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for SigV4Error {}

fn incomplete(message: impl Into<String>) -> SigV4Error {
    SigV4Error::new(SigV4ErrorCode::IncompleteSignature, message)
}

fn invalid(message: impl Into<String>) -> SigV4Error {
    SigV4Error::new(SigV4ErrorCode::InvalidSignature, message)
}

/// Checks the SigV4 signature of `req` for `service` in `region` (any well-formed region
/// name when `None`) at time `now`.
///
/// Header auth (`Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
/// Signature=...`) and presigned query auth (`X-Amz-Algorithm=...&X-Amz-Signature=...`) are
/// both accepted; `X-Amz-Security-Token` is ignored. The payload hash is always the body's
/// own: an `x-amz-content-sha256` header that differs from it fails. An `Authorization`
/// header that is not AWS4 at all (`Bearer ...`) is `MissingAuthenticationToken`, as AWS
/// answers; a caller serving an operation that needs no signature may ignore that.
pub fn verify(
    req: &Request,
    creds: &Credentials,
    service: &str,
    region: Option<&str>,
    now: SystemTime,
) -> Result<Outcome, SigV4Error> {
    let query = parse_query(req.uri.query().unwrap_or(""));
    let claim = if let Some(auth) = req.headers.get(http::header::AUTHORIZATION) {
        claim_from_header(&String::from_utf8_lossy(auth.as_bytes()), req.headers)?
    } else if query_param(&query, "X-Amz-Algorithm").is_some() {
        claim_from_query(&query)?
    } else {
        return Ok(Outcome::Unsigned);
    };
    // From here on, AWS's order: time, host signed, algorithm, credential form, scope,
    // access key, signature. Each step's message is the one AWS gives.
    check_time(&claim, epoch_secs(now))?;

    if !signed(&claim, "host") {
        return Err(invalid(MSG_HOST_NOT_SIGNED));
    }
    if claim.algorithm != ALGORITHM {
        return Err(incomplete(format!(
            "Unsupported AWS 'algorithm': '{}' (only {ALGORITHM} for now). ",
            claim.algorithm
        )));
    }
    let parts: Vec<&str> = claim.credential.trim_end_matches('/').split('/').collect();
    let [key_id, date, scope_region, scope_service, terminator] = parts[..] else {
        return Err(incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{}'",
            claim.credential
        )));
    };
    let timestamp = format_timestamp(claim.timestamp);
    let day = timestamp.get(..8).unwrap_or_default();
    let mut scope_errors = String::new();
    if !region.map_or(is_region_name(scope_region), |r| r == scope_region) {
        scope_errors.push_str("Credential should be scoped to a valid region. ");
    }
    if scope_service != service {
        scope_errors.push_str(&format!(
            "Credential should be scoped to correct service: '{service}'. "
        ));
    }
    if terminator != TERMINATOR {
        scope_errors.push_str(&format!(
            "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{terminator}'. "
        ));
    }
    if date != day {
        scope_errors.push_str(&format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{date}' != '{day}', from '{timestamp}'. "
        ));
    }
    if !scope_errors.is_empty() {
        return Err(invalid(scope_errors));
    }
    let Some(secret) = creds.secret(key_id) else {
        return Err(SigV4Error::new(
            SigV4ErrorCode::UnrecognizedClient,
            MSG_UNRECOGNIZED_CLIENT,
        ));
    };

    check_signed_headers(req.headers, &claim)?;
    let payload_hash = hex::encode(Sha256::digest(req.body));
    if let Some(claimed) = req.headers.get("x-amz-content-sha256") {
        if claimed.as_bytes() != payload_hash.as_bytes() {
            return Err(invalid(MSG_MISMATCH));
        }
    }
    let canonical = canonical_request(req, &claim.signed_headers, claim.presigned, &payload_hash);
    let scope = format!("{date}/{scope_region}/{scope_service}/{TERMINATOR}");
    let string_to_sign = format!(
        "{ALGORITHM}\n{timestamp}\n{scope}\n{}",
        hex::encode(Sha256::digest(&canonical))
    );
    let expected = signing_key(secret, date, scope_region, scope_service)
        .and_then(|key| hmac_sha256(&key, string_to_sign.as_bytes()))
        .map(hex::encode);
    // Fails closed: without a computed signature nothing matches.
    let matches =
        expected.is_some_and(|e| bool::from(e.as_bytes().ct_eq(claim.signature.as_bytes())));
    if !matches {
        return Err(invalid(MSG_MISMATCH));
    }
    Ok(Outcome::Verified {
        access_key_id: key_id.to_owned(),
        region: scope_region.to_owned(),
        account_id: creds.account_id(key_id).map(str::to_owned),
    })
}

fn signed(claim: &Claim, name: &str) -> bool {
    claim
        .signed_headers
        .split(';')
        .any(|h| h.eq_ignore_ascii_case(name))
}

/// Every `x-amz-*` header sent (but `x-amz-user-agent`, which SDK presigners leave out) and,
/// where it dates the request, `date` must be signed (as `host` must): otherwise a signature
/// could be replayed with another `X-Amz-Target`.
fn check_signed_headers(headers: &http::HeaderMap, claim: &Claim) -> Result<(), SigV4Error> {
    let dated_by_date = !claim.presigned && !headers.contains_key("x-amz-date");
    for name in headers.keys().map(http::HeaderName::as_str) {
        let must = (name.starts_with("x-amz-") && name != "x-amz-user-agent")
            || (name == "date" && dated_by_date);
        if must && !signed(claim, name) {
            let shown: Vec<String> = name
                .split('-')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            return Err(invalid(format!(
                "'{}' must be a 'SignedHeader' in the AWS Authorization.",
                shown.join("-")
            )));
        }
    }
    Ok(())
}

/// What the request says about its own signature, before any of it is believed.
struct Claim {
    algorithm: String,
    credential: String,
    signed_headers: String,
    signature: String,
    /// Signing time, seconds since the epoch.
    timestamp: i64,
    /// `X-Amz-Expires` of a presigned request, if it has one.
    expires: Option<i64>,
    /// Query-string auth: `X-Amz-Signature` is not part of the canonical query.
    presigned: bool,
}

fn claim_from_header(auth: &str, headers: &http::HeaderMap) -> Result<Claim, SigV4Error> {
    let trimmed = auth.trim();
    if !trimmed.starts_with("AWS4-") {
        return Err(SigV4Error::missing_authentication_token());
    }
    let separator = |c: char| c == ',' || c.is_ascii_whitespace();
    let (algorithm, rest) = trimmed.split_at(trimmed.find(separator).unwrap_or(trimmed.len()));
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for piece in rest.split(separator).filter(|p| !p.is_empty()) {
        let Some((key, value)) = piece.split_once('=') else {
            return Err(incomplete(format!(
                "'{piece}' not a valid key=value pair (missing equal-sign) in Authorization header: '{auth}'."
            )));
        };
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.is_none() && !value.is_empty() {
            *slot = Some(value.to_owned());
        }
    }
    // `X-Amz-Date` first; `Date` (an HTTP date) only without it.
    let date = (headers.get("x-amz-date").map(|v| (true, v)))
        .or_else(|| headers.get(http::header::DATE).map(|v| (false, v)));
    let mut missing = String::new();
    for (name, value) in [
        ("Credential", &credential),
        ("Signature", &signature),
        ("SignedHeaders", &signed_headers),
    ] {
        if value.is_none() {
            missing.push_str(&format!(
                "Authorization header requires '{name}' parameter. "
            ));
        }
    }
    if date.is_none() {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    let (Some(credential), Some(signed_headers), Some(signature), Some((is_amz_date, date))) =
        (credential, signed_headers, signature, date)
    else {
        return Err(incomplete(format!("{missing}Authorization={auth}")));
    };
    let date = String::from_utf8_lossy(date.as_bytes());
    let timestamp = if is_amz_date {
        parse_amz_date(&date).ok_or_else(|| bad_date(&date))?
    } else {
        httpdate::parse_http_date(&date)
            .map(epoch_secs)
            .map_err(|_| bad_date(&date))?
    };
    Ok(Claim {
        algorithm: algorithm.to_owned(),
        credential,
        signed_headers,
        signature,
        timestamp,
        expires: None,
        presigned: false,
    })
}

fn claim_from_query(query: &[(Vec<u8>, Vec<u8>)]) -> Result<Claim, SigV4Error> {
    let get = |name| query_param(query, name).map(|v| String::from_utf8_lossy(v).into_owned());
    let mut missing = String::new();
    for name in [
        "X-Amz-Credential",
        "X-Amz-Signature",
        "X-Amz-SignedHeaders",
        "X-Amz-Date",
    ] {
        if get(name).is_none_or(|v| v.is_empty()) {
            missing.push_str(&format!(
                "AWS query-string parameters must include '{name}'. "
            ));
        }
    }
    if !missing.is_empty() {
        return Err(incomplete(format!(
            "{missing}Re-examine the query-string parameters."
        )));
    }
    let date = get("X-Amz-Date").unwrap_or_default();
    let timestamp = parse_amz_date(&date).ok_or_else(|| bad_date(&date))?;
    let expires = match get("X-Amz-Expires") {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(secs) if secs < 0 => return Err(incomplete("X-Amz-Expires must be non-negative")),
            Ok(secs) if secs > MAX_EXPIRES_SECS => {
                return Err(incomplete(format!(
                    "X-Amz-Expires must be less than a week (in seconds) that is {MAX_EXPIRES_SECS}"
                )))
            }
            Ok(secs) => Some(secs),
            Err(_) => return Err(incomplete("X-Amz-Expires should be a number")),
        },
    };
    Ok(Claim {
        algorithm: get("X-Amz-Algorithm").unwrap_or_default(),
        credential: get("X-Amz-Credential").unwrap_or_default(),
        signed_headers: get("X-Amz-SignedHeaders").unwrap_or_default(),
        signature: get("X-Amz-Signature").unwrap_or_default(),
        timestamp,
        expires,
        presigned: true,
    })
}

/// The signing time must be within five minutes of `now`; a presigned request's lasts
/// `X-Amz-Expires` seconds from its signing time instead.
fn check_time(claim: &Claim, now: i64) -> Result<(), SigV4Error> {
    let latest = now.saturating_add(ALLOWED_SKEW_SECS);
    if claim.timestamp > latest {
        return Err(invalid(format!(
            "Signature not yet current: {} is still later than {} ({} + 5 min.)",
            format_timestamp(claim.timestamp),
            format_timestamp(latest),
            format_timestamp(now),
        )));
    }
    let (window, unit) = match claim.expires {
        Some(secs) => (secs, format!("{secs} sec.")),
        None => (ALLOWED_SKEW_SECS, "5 min.".to_owned()),
    };
    let earliest = now.saturating_sub(window);
    if claim.timestamp < earliest {
        return Err(invalid(format!(
            "Signature expired: {} is now earlier than {} ({} - {unit})",
            format_timestamp(claim.timestamp),
            format_timestamp(earliest),
            format_timestamp(now),
        )));
    }
    Ok(())
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Option<[u8; 32]> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    mac.update(data);
    Some(mac.finalize().into_bytes().into())
}

/// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Option<[u8; 32]> {
    let k_date = hmac_sha256(format!("AWS4{secret}").as_bytes(), date.as_bytes())?;
    let k_region = hmac_sha256(&k_date, region.as_bytes())?;
    let k_service = hmac_sha256(&k_region, service.as_bytes())?;
    hmac_sha256(&k_service, TERMINATOR.as_bytes())
}

fn bad_date(text: &str) -> SigV4Error {
    incomplete(format!(
        "Date must be in ISO-8601 'basic format'. Got '{text}'. See http://en.wikipedia.org/wiki/ISO_8601"
    ))
}
