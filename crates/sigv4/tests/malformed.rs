//! Malformed, foreign and random authorization, and AWS's published SigV4 test vectors.

mod common;

use common::*;
use http::{HeaderMap, HeaderValue, Method, Uri};
use ironpool_sigv4::{verify, Credentials, Outcome, Request, SigV4Error, SigV4ErrorCode};
use std::time::{Duration, UNIX_EPOCH};

#[test]
fn malformed_authorization_headers_are_incomplete_signatures() {
    let scope = "AKIAIRONPOOLTEST0001/20240101/us-east-1/cognito-idp/aws4_request";
    let cases = [
        (
            format!("AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host;x-amz-date"),
            "Authorization header requires 'Signature' parameter. Authorization=",
        ),
        (
            "AWS4-HMAC-SHA256".to_owned(),
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=".to_owned(),
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=",
        ),
    ];
    for (auth, prefix) in cases {
        let mut wire = sdk_request();
        wire.set("authorization", &auth);
        expect_err(
            wire.verify(),
            SigV4ErrorCode::IncompleteSignature,
            &format!("{prefix}{auth}"),
        );
    }

    let exact = [
        (
            "AWS4-HMAC-SHA256 Credential=AKIAIRONPOOLTEST0001/20240101/us-east-1/cognito-idp, SignedHeaders=host;x-amz-date, Signature=abcd".to_owned(),
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIAIRONPOOLTEST0001/20240101/us-east-1/cognito-idp'".to_owned(),
        ),
        (
            format!("AWS4-HMAC-SHA512 Credential={scope}, SignedHeaders=host;x-amz-date, Signature=abcd"),
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ".to_owned(),
        ),
        (
            "AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders".to_owned(),
            "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders'.".to_owned(),
        ),
    ];
    for (auth, message) in exact {
        let mut wire = sdk_request();
        wire.set("authorization", &auth);
        expect_err(wire.verify(), SigV4ErrorCode::IncompleteSignature, &message);
    }

    // A terminator other than aws4_request is a scope error, as AWS reports it.
    let mut wire = sdk_request();
    wire.set(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=AKIAIRONPOOLTEST0001/20240101/us-east-1/cognito-idp/aws5_request, SignedHeaders=host, Signature=ab",
    );
    expect_err(
        wire.verify(),
        SigV4ErrorCode::InvalidSignature,
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
    );
}

#[test]
fn missing_or_malformed_date_is_an_incomplete_signature() {
    let mut wire = sdk_request();
    wire.headers.remove("x-amz-date");
    let auth = wire.headers["authorization"]
        .to_str()
        .expect("ascii")
        .to_owned();
    expect_err(
        wire.verify(),
        SigV4ErrorCode::IncompleteSignature,
        &format!("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={auth}"),
    );

    let mut wire = sdk_request();
    wire.set("x-amz-date", "2024-01-01T00:00:00Z");
    expect_err(
        wire.verify(),
        SigV4ErrorCode::IncompleteSignature,
        "Date must be in ISO-8601 'basic format'. Got '2024-01-01T00:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
}

#[test]
fn host_must_be_signed() {
    let mut wire = sdk_request();
    wire.set(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=AKIAIRONPOOLTEST0001/20240101/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;x-amz-date, Signature=abcd",
    );
    expect_err(
        wire.verify(),
        SigV4ErrorCode::InvalidSignature,
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
}

#[test]
fn non_aws4_authorization_is_a_missing_token() {
    for auth in ["Bearer eyJraWQiOiJrMSJ9.e30.sig", "", "Basic dXNlcjpwYXNz"] {
        let mut wire = sdk_request();
        wire.set("authorization", auth);
        expect_err(
            wire.verify(),
            SigV4ErrorCode::MissingAuthenticationToken,
            "Request is missing Authentication Token",
        );
    }
    assert_eq!(
        SigV4Error::missing_authentication_token().code,
        SigV4ErrorCode::MissingAuthenticationToken
    );
}

/// AWS's published SigV4 test suite: `get-vanilla`, `get-vanilla-query-order-key-case` and
/// `post-vanilla` (key AKIDEXAMPLE, service "service", region us-east-1, 20150830T123600Z).

#[test]
fn aws_test_suite_vectors() {
    let mut keys = Credentials::new();
    keys.insert(
        "AKIDEXAMPLE".into(),
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
    );
    let now = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
    let vectors = [
        (
            Method::GET,
            "/",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
        (
            Method::GET,
            "/?Param2=value2&Param1=value1",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        ),
        (
            Method::POST,
            "/",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        ),
    ];
    for (method, uri, signature) in vectors {
        let uri: Uri = uri.parse().expect("uri");
        let run = |signature: &str| {
            let mut headers = HeaderMap::new();
            headers.insert("host", HeaderValue::from_static("example.amazonaws.com"));
            headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
            let auth = format!("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}");
            headers.insert("authorization", auth.parse().expect("header"));
            let req = Request {
                method: &method,
                uri: &uri,
                headers: &headers,
                body: b"",
            };
            verify(&req, &keys, "service", Some("us-east-1"), now)
        };
        assert_eq!(
            run(signature),
            Ok(Outcome::Verified {
                access_key_id: "AKIDEXAMPLE".into(),
                region: "us-east-1".into(),
                account_id: None,
            }),
            "{method} {uri}"
        );
        let mut flipped = signature.to_owned();
        flipped.replace_range(0..1, if signature.starts_with('0') { "1" } else { "0" });
        for bad in [
            flipped.as_str(),
            &signature[..63],
            &signature.to_uppercase(),
        ] {
            expect_err(run(bad), SigV4ErrorCode::InvalidSignature, MISMATCH);
        }
    }
}

#[test]
fn error_codes_have_aws_names() {
    assert_eq!(
        SigV4ErrorCode::IncompleteSignature.as_str(),
        "IncompleteSignatureException"
    );
    assert_eq!(
        SigV4ErrorCode::InvalidSignature.as_str(),
        "InvalidSignatureException"
    );
    assert_eq!(
        SigV4ErrorCode::UnrecognizedClient.as_str(),
        "UnrecognizedClientException"
    );
    assert_eq!(
        SigV4ErrorCode::MissingAuthenticationToken.as_str(),
        "MissingAuthenticationTokenException"
    );
    let err = SigV4Error::missing_authentication_token();
    assert_eq!(
        err.to_string(),
        "MissingAuthenticationTokenException: Request is missing Authentication Token"
    );
}

/// Deterministic garbage: no input may panic.

#[test]
fn garbage_never_panics() {
    const PIECES: &[&str] = &[
        "AWS4-HMAC-SHA256",
        "AWS4-",
        " ",
        ",",
        "=",
        "/",
        ";",
        "Credential=",
        "SignedHeaders=",
        "Signature=",
        "AKIAIRONPOOLTEST0001",
        "20240101",
        "us-east-1",
        "cognito-idp",
        "aws4_request",
        "host",
        "x-amz-date",
        "%",
        "%zz",
        "%E1",
        "+",
        "&",
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-Signature",
        "X-Amz-SignedHeaders",
        "99999999999999999999",
        "-1",
        "20240101T000000Z",
        "99991231T235959Z",
        "00000000T000000Z",
        "é",
        "\u{7f}",
        "..",
        "",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let text = |next: &mut dyn FnMut() -> u64| {
        let n = next() % 12;
        (0..n)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect::<String>()
    };
    let keys = creds();
    for _ in 0..20_000 {
        let mut headers = HeaderMap::new();
        for name in [
            "authorization",
            "x-amz-date",
            "date",
            "host",
            "x-amz-content-sha256",
        ] {
            if next() % 3 != 0 {
                if let Ok(value) = HeaderValue::from_bytes(text(&mut next).as_bytes()) {
                    headers.append(name, value);
                }
            }
        }
        if next() % 5 == 0 {
            let raw = [0x80u8, 0xff, b' ', b'A', b'W', b'S', b'4', b'-'];
            if let Ok(value) = HeaderValue::from_bytes(&raw) {
                headers.insert("authorization", value);
            }
        }
        let uri: Uri = format!("/{}?{}", text(&mut next), text(&mut next))
            .parse()
            .unwrap_or_else(|_| Uri::from_static("/"));
        let now = UNIX_EPOCH + Duration::from_secs(next() % 400_000_000_000);
        let req = Request {
            method: &Method::POST,
            uri: &uri,
            headers: &headers,
            body: b"{}",
        };
        let _ = verify(&req, &keys, SERVICE, Some(REGION), now);
    }
    // Mutations of a valid request reach the deeper checks.
    let wire = sdk_request();
    let auth = wire.headers["authorization"].as_bytes().to_vec();
    let signature = String::from_utf8_lossy(&auth)
        .rsplit_once("Signature=")
        .map(|(_, sig)| sig.to_owned())
        .expect("signature");
    for _ in 0..20_000 {
        let mut mutated = auth.clone();
        for _ in 0..1 + next() % 3 {
            let at = (next() % (mutated.len() as u64 + 1)) as usize;
            match next() % 3 {
                0 => {
                    let end = (at + (next() % 8) as usize).min(mutated.len());
                    mutated.drain(at..end);
                }
                1 => {
                    let piece = PIECES[(next() % PIECES.len() as u64) as usize];
                    mutated.splice(at..at, piece.bytes());
                }
                _ => {
                    if let Some(b) = mutated.get_mut(at) {
                        *b = (next() % 256) as u8;
                    }
                }
            }
        }
        let mut w = wire.clone();
        if let Ok(value) = HeaderValue::from_bytes(&mutated) {
            w.headers.insert("authorization", value);
            // A mutation that still verifies kept the signature itself (it only added
            // separators or an ignored, empty or repeated parameter).
            if w.verify().is_ok() {
                let text = String::from_utf8_lossy(&mutated);
                assert!(text.contains(&signature), "{text}");
            }
        }
    }

    // Times before the epoch and far in the future are fine too.
    for now in [
        UNIX_EPOCH - Duration::from_secs(1 << 40),
        UNIX_EPOCH + Duration::from_secs(1 << 50),
    ] {
        assert!(wire.verify_at(now).is_err());
    }
}
