//! Requests signed by the official `aws-sigv4` signer the way aws-sdk-rust signs cognito-idp
//! calls, verified, then tampered with.

mod common;

use aws_sigv4::http_request::{PayloadChecksumKind, SignatureLocation, SigningSettings};
use common::*;
use ironpool_sigv4::{Outcome, SigV4ErrorCode};
use std::time::Duration;

#[test]
fn sdk_signed_request_is_verified() {
    let wire = sdk_request();
    assert!(wire.headers.contains_key("authorization"));
    assert_eq!(wire.verify(), verified());
}

#[test]
fn wrong_secret_is_an_invalid_signature() {
    let signer = Signer {
        secret: "not-the-secret",
        ..Signer::default()
    };
    let wire = signer.sign("/", &[]);
    expect_err(wire.verify(), SigV4ErrorCode::InvalidSignature, MISMATCH);
}

#[test]
fn unknown_key_is_an_unrecognized_client() {
    let signer = Signer {
        key_id: "AKIANOBODY",
        ..Signer::default()
    };
    let wire = signer.sign("/", &[]);
    expect_err(
        wire.verify(),
        SigV4ErrorCode::UnrecognizedClient,
        "The security token included in the request is invalid.",
    );
}

#[test]
fn body_altered_after_signing_fails() {
    let mut wire = sdk_request();
    wire.body = br#"{"MaxResults":60}"#.to_vec();
    expect_err(wire.verify(), SigV4ErrorCode::InvalidSignature, MISMATCH);
}

#[test]
fn signed_header_altered_fails_but_unsigned_one_does_not() {
    let mut wire = sdk_request();
    wire.set(
        "x-amz-target",
        "AWSCognitoIdentityProviderService.DeleteUserPool",
    );
    expect_err(wire.verify(), SigV4ErrorCode::InvalidSignature, MISMATCH);

    // user-agent is never signed; headers added on the way are not either.
    let mut wire = sdk_request();
    wire.set("user-agent", "something/else")
        .set("x-forwarded-for", "10.0.0.1");
    assert_eq!(wire.verify(), verified());

    // A signed header removed.
    let mut wire = sdk_request();
    wire.headers.remove("x-amz-user-agent");
    expect_err(wire.verify(), SigV4ErrorCode::InvalidSignature, MISMATCH);
}

#[test]
fn six_minutes_stale_is_expired() {
    expect_err(
        sdk_request().verify_at(t0() + minutes(6)),
        SigV4ErrorCode::InvalidSignature,
        "Signature expired: 20240101T000000Z is now earlier than 20240101T000100Z (20240101T000600Z - 5 min.)",
    );
}

#[test]
fn six_minutes_in_the_future_is_not_yet_current() {
    expect_err(
        sdk_request().verify_at(t0() - minutes(6)),
        SigV4ErrorCode::InvalidSignature,
        "Signature not yet current: 20240101T000000Z is still later than 20231231T235900Z (20231231T235400Z + 5 min.)",
    );
}

#[test]
fn skew_up_to_five_minutes_is_accepted() {
    let wire = sdk_request();
    for now in [
        t0() + minutes(4),
        t0() - minutes(4),
        t0() + minutes(5),
        t0() - minutes(5),
    ] {
        assert_eq!(wire.verify_at(now), verified());
    }
    assert!(wire
        .verify_at(t0() + minutes(5) + Duration::from_secs(1))
        .is_err());
}

#[test]
fn wrong_region_or_service_scope_is_refused() {
    let region = Signer {
        region: "us-west-2",
        ..Signer::default()
    };
    expect_err(
        region.sign("/", &[]).verify(),
        SigV4ErrorCode::InvalidSignature,
        "Credential should be scoped to a valid region. ",
    );
    let service = Signer {
        service: "cognito-identity",
        ..Signer::default()
    };
    expect_err(
        service.sign("/", &[]).verify(),
        SigV4ErrorCode::InvalidSignature,
        "Credential should be scoped to correct service: 'cognito-idp'. ",
    );
    let both = Signer {
        region: "eu-west-1",
        service: "dynamodb",
        ..Signer::default()
    };
    expect_err(
        both.sign("/", &[]).verify(),
        SigV4ErrorCode::InvalidSignature,
        "Credential should be scoped to a valid region. Credential should be scoped to correct service: 'cognito-idp'. ",
    );
}

#[test]
fn a_server_of_every_region_takes_any_region_and_says_which() {
    let west = Signer {
        region: "us-west-2",
        ..Signer::default()
    }
    .sign("/", &[]);
    assert_eq!(
        west.verify_any_region(),
        Ok(Outcome::Verified {
            access_key_id: AKID.into(),
            region: "us-west-2".into(),
            account_id: None,
        })
    );
    assert_eq!(
        west.claimed_scope(),
        Some(ironpool_sigv4::Scope {
            access_key_id: AKID.into(),
            region: "us-west-2".into(),
        })
    );
    for bad in ["uswest2", "US-WEST-2", "us-west-two", "us--2"] {
        let wire = Signer {
            region: bad,
            ..Signer::default()
        }
        .sign("/", &[]);
        expect_err(
            wire.verify_any_region(),
            SigV4ErrorCode::InvalidSignature,
            "Credential should be scoped to a valid region. ",
        );
        assert_eq!(wire.claimed_scope(), None, "{bad}");
    }
    assert!(ironpool_sigv4::is_region_name("us-gov-west-1"));
    assert!(ironpool_sigv4::is_region_name("ap-southeast-2"));
}

#[test]
fn scope_date_must_match_the_request_date() {
    let mut wire = sdk_request();
    wire.set("x-amz-date", "20231231T235930Z");
    expect_err(
        wire.verify(),
        SigV4ErrorCode::InvalidSignature,
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240101' != '20231231', from '20231231T235930Z'. ",
    );
}

#[test]
fn date_header_stands_in_for_x_amz_date() {
    let mut wire = sdk_request();
    wire.headers.remove("x-amz-date");
    wire.set("date", "Mon, 01 Jan 2024 00:00:00 GMT");
    expect_err(
        wire.verify_at(t0() + minutes(10)),
        SigV4ErrorCode::InvalidSignature,
        "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T001000Z - 5 min.)",
    );
    // In time, the date is accepted, but it dates the request and is not signed.
    expect_err(
        wire.verify(),
        SigV4ErrorCode::InvalidSignature,
        "'Date' must be a 'SignedHeader' in the AWS Authorization.",
    );
}

#[test]
fn unsigned_requests_are_reported_as_such() {
    for uri in ["/", "/?foo=bar", "/?X-Amz-Date=20240101T000000Z"] {
        let mut wire = sdk_request();
        wire.headers.remove("authorization");
        wire.uri = uri.parse().expect("uri");
        assert_eq!(wire.verify(), Ok(Outcome::Unsigned), "{uri}");
    }
}

#[test]
fn x_amz_content_sha256_must_be_the_body_hash() {
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let signer = Signer {
        settings,
        ..Signer::default()
    };
    let wire = signer.sign("/", &[]);
    assert!(wire.headers.contains_key("x-amz-content-sha256"));
    assert_eq!(wire.verify(), verified());

    let mut altered = wire.clone();
    altered.body = br#"{"MaxResults":60}"#.to_vec();
    expect_err(altered.verify(), SigV4ErrorCode::InvalidSignature, MISMATCH);

    let mut unsigned = wire.clone();
    unsigned.set("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    expect_err(
        unsigned.verify(),
        SigV4ErrorCode::InvalidSignature,
        MISMATCH,
    );
}

#[test]
fn session_token_is_accepted_and_ignored() {
    let signer = Signer {
        token: Some("FwoGZXIvYXdzEXAMPLETOKEN"),
        ..Signer::default()
    };
    let wire = signer.sign("/", &[]);
    assert!(wire.headers.contains_key("x-amz-security-token"));
    assert_eq!(wire.verify(), verified());
}

#[test]
fn canonicalization_matches_the_sdk() {
    let wire = Signer::default().sign(
        "/a/./b//c%20d/../e?b=2&a=x%20y&a=1&c=&d=%2F~",
        &[
            ("x-amz-meta-dup", "first"),
            ("x-amz-meta-dup", "second"),
            ("x-amz-meta-spaces", "  a   b  c "),
        ],
    );
    assert_eq!(wire.verify(), verified());
}

#[test]
fn presigned_query_auth_is_verified() {
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(Duration::from_secs(900));
    let signer = Signer {
        settings,
        ..Signer::default()
    };
    let wire = signer.sign("/?Action=ListUserPools", &[]);
    assert!(!wire.headers.contains_key("authorization"));
    let query = wire.uri.query().expect("query").to_owned();
    assert!(query.contains("X-Amz-Signature="), "{query}");
    assert_eq!(wire.verify(), verified());
    assert_eq!(wire.verify_at(t0() + minutes(14)), verified());

    expect_err(
        wire.verify_at(t0() + minutes(16)),
        SigV4ErrorCode::InvalidSignature,
        "Signature expired: 20240101T000000Z is now earlier than 20240101T000100Z (20240101T001600Z - 900 sec.)",
    );

    let mut altered = wire.clone();
    altered.uri = format!("/?{}", query.replace("ListUserPools", "DeleteUserPool"))
        .parse()
        .expect("uri");
    expect_err(altered.verify(), SigV4ErrorCode::InvalidSignature, MISMATCH);

    let stripped: Vec<&str> = query
        .split('&')
        .filter(|p| !p.starts_with("X-Amz-Signature="))
        .collect();
    let mut unsigned = wire.clone();
    unsigned.uri = format!("/?{}", stripped.join("&")).parse().expect("uri");
    expect_err(
        unsigned.verify(),
        SigV4ErrorCode::IncompleteSignature,
        "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.",
    );
}

/// A signature that does not cover `X-Amz-Target` could be replayed as another operation:
/// every `x-amz-*` header sent must be signed, in header and in query-string auth, but
/// `x-amz-user-agent`, which the SDK's presigner leaves out.
#[test]
fn every_x_amz_header_sent_must_be_signed() {
    for location in [SignatureLocation::Headers, SignatureLocation::QueryParams] {
        let mut settings = SigningSettings::default();
        settings.signature_location = location;
        settings.expires_in = Some(Duration::from_secs(900));
        let mut excluded = settings.excluded_headers.take().unwrap_or_default();
        excluded.push("x-amz-target".into());
        settings.excluded_headers = Some(excluded);
        let signer = Signer {
            settings,
            ..Signer::default()
        };
        let wire = signer.sign("/", &[]);
        assert!(wire.headers.contains_key("x-amz-target"));
        expect_err(
            wire.verify(),
            SigV4ErrorCode::InvalidSignature,
            "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.",
        );
    }

    // An x-amz-* header added after signing.
    let mut wire = sdk_request();
    wire.set("x-amz-meta-added", "1");
    expect_err(
        wire.verify(),
        SigV4ErrorCode::InvalidSignature,
        "'X-Amz-Meta-Added' must be a 'SignedHeader' in the AWS Authorization.",
    );

    // The user agent may go unsigned.
    let mut settings = SigningSettings::default();
    let mut excluded = settings.excluded_headers.take().unwrap_or_default();
    excluded.push("x-amz-user-agent".into());
    settings.excluded_headers = Some(excluded);
    let signer = Signer {
        settings,
        ..Signer::default()
    };
    assert_eq!(signer.sign("/", &[]).verify(), verified());
}
