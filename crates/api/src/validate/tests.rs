use super::{pattern_matches, validate, validate_shape};
use crate::shape::{ShapeId, ShapeKind};
use crate::{ApiError, ErrorCode, Operation};
use serde_json::{json, Value};

fn message(op: Operation, body: Value) -> String {
    let err = validate(op, &body).expect_err("validation should fail");
    assert_eq!(err.code, ErrorCode::InvalidParameterException, "{err}");
    err.message
}

fn serialization(op: Operation, body: Value) -> ApiError {
    let err = validate(op, &body).expect_err("validation should fail");
    assert_eq!(err.code, ErrorCode::SerializationException, "{err}");
    err
}

const POOL: &str = "us-east-1_abcDEF123";

#[test]
fn valid_requests_pass() {
    let body = json!({
        "UserPoolId": POOL,
        "Username": "alice",
        "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}],
        "DesiredDeliveryMediums": ["EMAIL"],
        "ClientMetadata": {"k": "v"},
        "Unknown": {"ignored": [1, 2]},
    });
    validate(Operation::AdminCreateUser, &body).unwrap();
    validate(Operation::ListUserPools, &json!({"MaxResults": 60})).unwrap();
    validate(Operation::DeleteUser, &json!({"AccessToken": "x"})).unwrap();
}

#[test]
fn missing_required_members() {
    assert_eq!(
        message(Operation::AdminCreateUser, json!({})),
        "2 validation errors detected: \
         Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; \
         Value null at 'username' failed to satisfy constraint: Member must not be null"
    );
    // null counts as absent; so does an empty body.
    assert_eq!(
        message(Operation::CreateUserPool, json!({"PoolName": null})),
        "1 validation error detected: Value null at 'poolName' failed to satisfy constraint: \
         Member must not be null"
    );
    assert_eq!(
        message(Operation::CreateUserPool, Value::Null),
        "1 validation error detected: Value null at 'poolName' failed to satisfy constraint: \
         Member must not be null"
    );
}

#[test]
fn pattern_and_length() {
    assert_eq!(
        message(
            Operation::DescribeUserPool,
            json!({"UserPoolId": "YOUR_USER_POOL_ID!"})
        ),
        r"1 validation error detected: Value 'YOUR_USER_POOL_ID!' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+"
    );
    // Empty: too short and not matching, in that order.
    assert_eq!(
        message(Operation::DescribeUserPool, json!({"UserPoolId": ""})),
        r"2 validation errors detected: Value '' at 'userPoolId' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+"
    );
    let long = format!("us-east-1_{}", "a".repeat(50));
    assert_eq!(
        message(Operation::DescribeUserPool, json!({"UserPoolId": long})),
        format!(
            "1 validation error detected: Value '{long}' at 'userPoolId' failed to satisfy \
             constraint: Member must have length less than or equal to 55"
        )
    );
}

#[test]
fn length_counts_utf16_code_units() {
    // GroupNameType: max 128. 64 emoji are 64 chars but 128 UTF-16 units: fits.
    let fits = "😀".repeat(64);
    let body = json!({"UserPoolId": POOL, "GroupName": fits});
    validate(Operation::CreateGroup, &body).unwrap();
    let too_long = format!("{fits}a");
    let body = json!({"UserPoolId": POOL, "GroupName": too_long});
    assert!(message(Operation::CreateGroup, body)
        .ends_with("at 'groupName' failed to satisfy constraint: Member must have length less than or equal to 128"));
}

#[test]
fn java_w_is_ascii_only() {
    // `\w` in Java matches ASCII word characters only; `é` is not one.
    assert_eq!(
        message(
            Operation::DescribeUserPool,
            json!({"UserPoolId": "us-east-1_abcé"})
        ),
        r"1 validation error detected: Value 'us-east-1_abcé' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+"
    );
    assert!(message(
        Operation::DescribeUserPool,
        json!({"UserPoolId": "ús-east-1_abc"})
    )
    .contains("regular expression pattern"));
    // Unicode classes stay Unicode: a username in Cyrillic is fine.
    let body = json!({"UserPoolId": POOL, "Username": "пользователь"});
    validate(Operation::AdminGetUser, &body).unwrap();
    // `\s` is ASCII too: a non-breaking space is no whitespace for Java.
    let pool_name = |name: &str| validate(Operation::CreateUserPool, &json!({"PoolName": name}));
    pool_name("my pool\tname").unwrap();
    assert!(pool_name("my\u{a0}pool").is_err());
}

#[test]
fn full_match_semantics() {
    // `[\w-]+_[0-9a-zA-Z]+` must match the whole value, not a part of it.
    assert!(message(
        Operation::DescribeUserPool,
        json!({"UserPoolId": "x us-east-1_abc"})
    )
    .contains("regular expression pattern"));
    assert!(message(
        Operation::DescribeUserPool,
        json!({"UserPoolId": "us-east-1_abc\n"})
    )
    .contains("regular expression pattern"));
}

#[test]
fn lookbehind_pattern() {
    // S3BucketType: `^[0-9A-Za-z\.\-_]*(?<!\.)$`, min 3.
    let ShapeKind::String {
        pattern: Some(pattern),
        ..
    } = ShapeId::S3BucketType.shape().kind
    else {
        panic!("S3BucketType has a pattern");
    };
    assert_eq!(pattern.model, r"^[0-9A-Za-z\.\-_]*(?<!\.)$");
    assert!(pattern_matches(pattern, "my-bucket.logs"));
    assert!(!pattern_matches(pattern, "my-bucket."));
    assert!(!pattern_matches(pattern, "my bucket"));
    let err =
        validate_shape(ShapeId::DomainDescriptionType, &json!({"S3Bucket": "ab."})).unwrap_err();
    assert_eq!(
        err.message,
        r"1 validation error detected: Value 'ab.' at 's3Bucket' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9A-Za-z\.\-_]*(?<!\.)$"
    );
}

#[test]
fn range() {
    assert_eq!(
        message(Operation::ListUserPools, json!({"MaxResults": 0})),
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: \
         Member must have value greater than or equal to 1"
    );
    assert_eq!(
        message(Operation::ListUserPools, json!({"MaxResults": 61})),
        "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: \
         Member must have value less than or equal to 60"
    );
}

#[test]
fn enum_values() {
    assert_eq!(
        message(
            Operation::CreateUserPool,
            json!({"PoolName": "p", "MfaConfiguration": "false"})
        ),
        "1 validation error detected: Value 'false' at 'mfaConfiguration' failed to satisfy \
         constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]"
    );
    // Enum values are case-sensitive.
    assert!(validate(
        Operation::CreateUserPool,
        &json!({"PoolName": "p", "MfaConfiguration": "off"})
    )
    .is_err());
}

#[test]
fn list_member_constraints_are_reported_on_the_list() {
    let body = json!({
        "UserPoolId": POOL,
        "ClientName": "web",
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "USER_SRP_AUTH"],
        "AllowedOAuthFlows": ["code", "token"],
    });
    assert_eq!(
        message(Operation::CreateUserPoolClient, body),
        "2 validation errors detected: \
         Value '[ALLOW_USER_SRP_AUTH, USER_SRP_AUTH]' at 'explicitAuthFlows' failed to satisfy \
         constraint: Member must satisfy constraint: [Member must satisfy enum value set: \
         [ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH, \
         ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_CUSTOM_AUTH, ALLOW_USER_PASSWORD_AUTH, \
         ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_AUTH, \
         ALLOW_TOKEN_EXCHANGE_DELEGATION, ALLOW_TOKEN_EXCHANGE_IMPERSONATION, ALLOW_CLIENT_TOKEN_AUTH]]; \
         Value '[code, token]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must \
         satisfy constraint: [Member must satisfy enum value set: [code, implicit, \
         client_credentials]]"
    );
    // Every constraint of the element is listed, not only the broken one.
    let body =
        json!({"UserPoolId": POOL, "ClientName": "web", "AllowedOAuthScopes": ["openid", ""]});
    assert_eq!(
        message(Operation::CreateUserPoolClient, body),
        r"1 validation error detected: Value '[openid, ]' at 'allowedOAuthScopes' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\x21\x23-\x5B\x5D-\x7E]+]"
    );
}

#[test]
fn list_length() {
    let scopes: Vec<String> = (0..51).map(|i| format!("s{i}")).collect();
    let body = json!({"UserPoolId": POOL, "ClientName": "web", "AllowedOAuthScopes": scopes});
    let msg = message(Operation::CreateUserPoolClient, body);
    assert!(
        msg.starts_with("1 validation error detected: Value '[s0, s1, "),
        "{msg}"
    );
    assert!(msg.ends_with(
        "at 'allowedOAuthScopes' failed to satisfy constraint: Member must have length less than or equal to 50"
    ));
}

#[test]
fn nested_paths() {
    let body = json!({
        "UserPoolId": POOL,
        "Username": "alice",
        "UserAttributes": [{"Name": "email", "Value": "a@b.c"}, {"Value": "x"}, {"Name": ""}],
    });
    assert_eq!(
        message(Operation::AdminCreateUser, body),
        "3 validation errors detected: \
         Value null at 'userAttributes.2.member.name' failed to satisfy constraint: Member must not be null; \
         Value '' at 'userAttributes.3.member.name' failed to satisfy constraint: Member must have length greater than or equal to 1; \
         Value '' at 'userAttributes.3.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r ]+"
    );
    let body = json!({"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 5}}, "UserPoolAddOns": {}});
    assert_eq!(
        message(Operation::CreateUserPool, body),
        "2 validation errors detected: \
         Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6; \
         Value null at 'userPoolAddOns.advancedSecurityMode' failed to satisfy constraint: Member must not be null"
    );
    // Acronyms keep their case after the first letter, as AWS does.
    let body =
        json!({"UserPoolId": POOL, "Username": "a", "MFAOptions": [{"DeliveryMedium": "FAX"}]});
    assert_eq!(
        message(Operation::AdminSetUserSettings, body),
        "1 validation error detected: Value 'FAX' at 'mFAOptions.1.member.deliveryMedium' failed \
         to satisfy constraint: Member must satisfy enum value set: [SMS, EMAIL]"
    );
}

#[test]
fn map_keys_and_values() {
    let tags = json!({"": "v", "ok": "x".repeat(257)});
    let body = json!({"PoolName": "p", "UserPoolTags": tags});
    let msg = message(Operation::CreateUserPool, body);
    let value = format!("{{=v, ok={}}}", "x".repeat(257));
    assert_eq!(
        msg,
        format!(
            "2 validation errors detected: Value '{value}' at 'userPoolTags' failed to satisfy \
             constraint: Map keys must satisfy constraint: [Member must have length less than or \
             equal to 128, Member must have length greater than or equal to 1]; Value '{value}' at \
             'userPoolTags' failed to satisfy constraint: Map value must satisfy constraint: \
             [Member must have length less than or equal to 256, Member must have length greater \
             than or equal to 0]"
        )
    );
}

#[test]
fn sensitive_values_are_never_echoed() {
    let body = json!({"UserPoolId": POOL, "Username": "", "Password": "has space"});
    assert_eq!(
        message(Operation::AdminSetUserPassword, body),
        r"3 validation errors detected: Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1; Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+; Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+"
    );
    // Inside a sensitive map the values stay hidden too.
    let big = "s".repeat(131_073);
    let body = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "abc", "AuthParameters": {"PASSWORD": big}});
    let msg = message(Operation::InitiateAuth, body);
    assert!(!msg.contains("sss"), "{msg}");
    assert!(msg.starts_with("1 validation error detected: Value at 'authParameters' failed"));
}

#[test]
fn wrong_types_are_serialization_errors() {
    let err = serialization(Operation::ListUserPools, json!({"MaxResults": "10"}));
    assert_eq!(
        err.message,
        "STRING_VALUE can not be converted to an Integer"
    );
    let err = serialization(Operation::CreateUserPool, json!({"PoolName": {"a": 1}}));
    assert_eq!(
        err.message,
        "Start of structure or map found where not expected."
    );
    let err = serialization(
        Operation::CreateUserPool,
        json!({"PoolName": "p", "AliasAttributes": "email"}),
    );
    assert_eq!(err.message, "Unexpected value type in payload");
    serialization(Operation::CreateUserPool, json!(["PoolName"]));
    serialization(Operation::CreateUserPool, json!("PoolName"));
    serialization(Operation::ListUserPools, json!({"MaxResults": 1.5}));
    serialization(Operation::ListUserPools, json!({"MaxResults": 1_i64 << 40}));
    serialization(Operation::ListUserPools, json!({"MaxResults": true}));
    serialization(
        Operation::CreateUserPoolClient,
        json!({"UserPoolId": POOL, "ClientName": "c", "GenerateSecret": "true"}),
    );
    serialization(
        Operation::AdminCreateUser,
        json!({"UserPoolId": POOL, "Username": "a", "UserAttributes": [["x"]]}),
    );
    serialization(
        Operation::AdminCreateUser,
        json!({"UserPoolId": POOL, "Username": "a", "ClientMetadata": {"k": 1}}),
    );
    // A type error wins over constraint errors found before it.
    serialization(
        Operation::AdminCreateUser,
        json!({"UserPoolId": "", "Username": 7}),
    );
}

#[test]
fn null_elements() {
    let body = json!({"PoolName": "p", "AliasAttributes": ["email", null]});
    assert_eq!(
        message(Operation::CreateUserPool, body),
        "1 validation error detected: Value '[email, null]' at 'aliasAttributes' failed to satisfy \
         constraint: Member must satisfy constraint: [Member must not be null]"
    );
}

#[test]
fn blobs_are_base64_and_measured_in_bytes() {
    use base64_len as len;
    fn base64_len(s: &str) -> Option<usize> {
        super::base64_decoded_len(s)
    }
    assert_eq!(len(""), Some(0));
    assert_eq!(len("YQ=="), Some(1));
    assert_eq!(len("YWI="), Some(2));
    assert_eq!(len("YWJj"), Some(3));
    assert_eq!(len("YWJjZA"), Some(4));
    assert_eq!(len("Y"), None);
    assert_eq!(len("YQ="), None);
    assert_eq!(len("Y!=="), None);
    let body = json!({"UserPoolId": POOL, "ImageFile": "not base64!"});
    serialization(Operation::SetUICustomization, body);
    let body = json!({"UserPoolId": POOL, "ImageFile": "iVBORw0KGgo="});
    validate(Operation::SetUICustomization, &body).unwrap();
}

#[test]
fn every_model_pattern_compiles() {
    let patterns = &crate::generated::shapes::PATTERNS;
    assert_eq!(patterns.len(), 42);
    for (i, p) in patterns.iter().enumerate() {
        assert_eq!(usize::from(p.id), i);
        if let Err(e) = fancy_regex::Regex::new(p.regex) {
            panic!("{} ({}) does not compile: {e}", p.model, p.regex);
        }
    }
}

/// The byte table of a pattern that is one class repeated agrees with its regex on every
/// ASCII character, alone and in runs, on the empty text and on text that is not ASCII.
#[test]
fn one_class_patterns_answer_as_their_regex() {
    use super::{one_class_repeated, Compiled};
    let patterns = &crate::generated::shapes::PATTERNS;
    let mut texts: Vec<String> = vec![String::new(), "é".into(), "aé".into(), "a\u{2028}".into()];
    for byte in 0u8..128 {
        let c = char::from(byte);
        texts.push(c.to_string());
        texts.push(format!("a{c}"));
        texts.push(format!("{c}{c}A0"));
        texts.push(format!("Ab9-_{c}.="));
    }
    let mut tabled = vec![];
    for p in patterns.iter() {
        let compiled = Compiled::new(p.regex).unwrap();
        if compiled.ascii_class.is_some() {
            tabled.push(p.model);
        }
        for text in &texts {
            let by_regex = compiled.regex.is_match(text).unwrap();
            assert_eq!(compiled.matches(text), by_regex, "{} on {text:?}", p.model);
        }
    }
    assert!(tabled.contains(&"[A-Za-z0-9-_=.]+"), "{tabled:?}");
    assert!(
        tabled.contains(&r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+"),
        "{tabled:?}"
    );
    assert_eq!(
        one_class_repeated(r"^(?:[^_\p{Z}][\p{L}][^_\p{Z}]+)$"),
        None
    );
    assert_eq!(
        one_class_repeated(r"^(?:[0-9A-Za-z_\-]+_[0-9a-f\-]+)$"),
        None
    );
    assert_eq!(
        one_class_repeated(r"^(?:[[^\t\n\x0B\x0C\r ]]+)$"),
        Some((r"[[^\t\n\x0B\x0C\r ]]", false))
    );
    assert_eq!(
        one_class_repeated(r"^(?:[a\]b]*)$"),
        Some((r"[a\]b]", true))
    );
}
