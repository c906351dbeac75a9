//! Tests of the generated operation list, error codes, shape table and types.

use crate::generated::shapes::SHAPES;
use crate::shape::{ShapeId, ShapeKind};
use crate::types::{self, CreateUserPoolRequest, DescribeUserPoolResponse};
use crate::{op, AuthType, ErrorCode, Operation, OperationShape, Pagination, Sensitive};
use serde_json::json;

#[test]
fn operation_list() {
    assert_eq!(Operation::ALL.len(), 141);
    let unsigned = Operation::ALL
        .iter()
        .filter(|o| o.auth() == AuthType::None)
        .count();
    assert_eq!(unsigned, 34);
    assert_eq!(Operation::InitiateAuth.auth(), AuthType::None);
    assert_eq!(Operation::AdminCreateUser.auth(), AuthType::Iam);
    for op in Operation::ALL {
        assert_eq!(Operation::from_name(op.name()), Some(op));
        assert_eq!(
            op.input_shape().shape().name,
            format!("{}Request", op.name())
        );
        if let Some(output) = op.output_shape() {
            assert_eq!(output.shape().name, format!("{}Response", op.name()));
        }
    }
    assert!(Operation::ALL.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(Operation::from_name("adminCreateUser"), None);
    assert_eq!(
        Operation::from_target("AWSCognitoIdentityProviderService.AdminCreateUser"),
        Some(Operation::AdminCreateUser)
    );
    assert_eq!(
        Operation::from_target("AWSCognitoIdentityProviderService."),
        None
    );
    assert_eq!(Operation::from_target("Other.AdminCreateUser"), None);
    assert_eq!(Operation::DeleteUser.output_shape(), None);
    assert_eq!(Operation::CreateUserPool.to_string(), "CreateUserPool");
}

#[test]
fn declared_errors_and_pagination() {
    assert!(Operation::AdminCreateUser
        .errors()
        .contains(&ErrorCode::UsernameExistsException));
    assert_eq!(
        Operation::ListUsers.pagination(),
        Some(Pagination {
            input_token: "PaginationToken",
            output_token: "PaginationToken",
            limit_key: "Limit",
            result_key: "Users",
        })
    );
    let paginated = Operation::ALL
        .iter()
        .filter(|o| o.pagination().is_some())
        .count();
    assert_eq!(paginated, 9);
    assert_eq!(Operation::CreateUserPool.pagination(), None);
}

#[test]
fn error_codes() {
    assert_eq!(ErrorCode::ALL.len(), 59 + 7);
    assert_eq!(ErrorCode::ALL.iter().filter(|e| e.is_modeled()).count(), 59);
    for code in ErrorCode::ALL {
        assert_eq!(ErrorCode::from_name(code.as_str()), Some(*code));
    }
    assert_eq!(
        ErrorCode::NotAuthorizedException.as_str(),
        "NotAuthorizedException"
    );
    assert!(!ErrorCode::SerializationException.is_modeled());
    assert!(ErrorCode::InternalErrorException.is_fault());
    assert!(!ErrorCode::NotAuthorizedException.is_fault());
    assert_eq!(ErrorCode::from_name("Nope"), None);
}

#[test]
fn shape_table() {
    assert_eq!(SHAPES.len(), 624);
    assert!(SHAPES.windows(2).all(|w| w[0].name < w[1].name));
    assert_eq!(
        ShapeId::find("UserPoolIdType"),
        Some(ShapeId::UserPoolIdType)
    );
    assert_eq!(ShapeId::find("NoSuchShape"), None);
    let ShapeKind::String {
        min, max, pattern, ..
    } = &ShapeId::UserPoolIdType.shape().kind
    else {
        panic!("UserPoolIdType is a string");
    };
    assert_eq!((*min, *max), (Some(1), Some(55)));
    assert_eq!(pattern.map(|p| p.model), Some(r"[\w-]+_[0-9a-zA-Z]+"));
    assert!(ShapeId::PasswordType.shape().sensitive);
}

#[test]
fn marker_types() {
    fn operation<O: OperationShape>() -> Operation {
        O::OPERATION
    }
    assert_eq!(operation::<op::CreateUserPool>(), Operation::CreateUserPool);
    let _: <op::DeleteUser as OperationShape>::Output = types::Empty {};
    assert_eq!(serde_json::to_string(&types::Empty {}).unwrap(), "{}");
}

#[test]
fn create_user_pool_request_round_trip() {
    let wire = json!({
        "PoolName": "my pool",
        "DeletionProtection": "ACTIVE",
        "MfaConfiguration": "OPTIONAL",
        "Policies": {"PasswordPolicy": {"MinimumLength": 8, "RequireSymbols": false}},
        "AutoVerifiedAttributes": ["email"],
        "UsernameAttributes": ["email", "phone_number"],
        "Schema": [{
            "Name": "tenant",
            "AttributeDataType": "String",
            "Mutable": true,
            "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"}
        }],
        "UserPoolTags": {"team": "identity"},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": true},
        "UserPoolAddOns": {"AdvancedSecurityMode": "OFF"},
        "UnknownMember": 1
    });
    let request: CreateUserPoolRequest = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(request.pool_name, "my pool");
    assert_eq!(
        request.mfa_configuration,
        Some(types::UserPoolMfaType::Optional)
    );
    let policy = request
        .policies
        .as_ref()
        .and_then(|p| p.password_policy.as_ref());
    assert_eq!(policy.and_then(|p| p.minimum_length), Some(8));
    assert_eq!(
        request.schema.as_ref().map(|s| s[0].attribute_data_type),
        Some(Some(types::AttributeDataType::String))
    );
    let mut expected = wire;
    expected.as_object_mut().unwrap().remove("UnknownMember");
    assert_eq!(serde_json::to_value(&request).unwrap(), expected);
}

#[test]
fn describe_user_pool_response_round_trip() {
    let wire = json!({
        "UserPool": {
            "Id": "us-east-1_abcDEF123",
            "Name": "my pool",
            "Arn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abcDEF123",
            "CreationDate": 1_700_000_000.5,
            "LastModifiedDate": 1_700_000_100.0,
            "MfaConfiguration": "OFF",
            "EstimatedNumberOfUsers": 3,
            "SchemaAttributes": [{"Name": "sub", "AttributeDataType": "String", "Required": true}],
            "LambdaConfig": {},
            "UserPoolTier": "ESSENTIALS",
            "Domain": "my-domain"
        }
    });
    let response: DescribeUserPoolResponse = serde_json::from_value(wire.clone()).unwrap();
    let pool = response.user_pool.as_ref().unwrap();
    assert_eq!(pool.id.as_deref(), Some("us-east-1_abcDEF123"));
    assert_eq!(pool.creation_date, Some(1_700_000_000.5));
    assert_eq!(
        pool.user_pool_tier,
        Some(types::UserPoolTierType::Essentials)
    );
    assert_eq!(serde_json::to_value(&response).unwrap(), wire);
    // Absent options stay absent on the wire.
    let empty = serde_json::to_value(DescribeUserPoolResponse::default()).unwrap();
    assert_eq!(empty, json!({}));
}

#[test]
fn required_members_are_plain_and_sensitive_members_wrapped() {
    let request = types::AdminCreateUserRequest {
        user_pool_id: "us-east-1_abc".into(),
        username: Sensitive::from("alice"),
        temporary_password: Some(Sensitive::from("Secret1!")),
        ..Default::default()
    };
    let debug = format!("{request:?}");
    assert!(
        !debug.contains("alice") && !debug.contains("Secret1!"),
        "{debug}"
    );
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({"UserPoolId": "us-east-1_abc", "Username": "alice", "TemporaryPassword": "Secret1!"})
    );
    // The keyword member `Type` is a raw identifier.
    let issuer = types::IssuerConfigurationType::default();
    let _ = &issuer.r#type;
}

#[test]
fn enum_helpers() {
    use types::ExplicitAuthFlowsType as F;
    assert_eq!(F::AllowUserSrpAuth.as_str(), "ALLOW_USER_SRP_AUTH");
    assert_eq!(
        F::from_value("ALLOW_USER_SRP_AUTH"),
        Some(F::AllowUserSrpAuth)
    );
    assert_eq!(F::from_value("allow_user_srp_auth"), None);
    assert_eq!(F::default(), F::ALL[0]);
    // The model's eleven and ALLOW_CLIENT_TOKEN_AUTH, which GetClientToken requires.
    assert_eq!(F::ALL.len(), 12);
    assert_eq!(F::ALL[11].as_str(), "ALLOW_CLIENT_TOKEN_AUTH");
}

#[test]
fn for_each_operation_lists_every_operation() {
    macro_rules! names {
        ($($op:ident,)*) => {
            [$(Operation::$op.name()),*]
        };
    }
    let names = crate::for_each_operation!(names);
    assert_eq!(names.len(), Operation::ALL.len());
    assert_eq!(names[0], "AddCustomAttributes");
}

/// A value of the right JSON type for every member, at any depth: for constraints it does
/// not care (they belong to the validator), only for the shape of the JSON.
fn sample(id: ShapeId) -> serde_json::Value {
    match &id.shape().kind {
        ShapeKind::Structure { members } => members
            .iter()
            .map(|m| (m.name.to_owned(), sample(m.shape)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        ShapeKind::List { member, .. } => json!([sample(*member)]),
        ShapeKind::Map { value, .. } => json!({ "key": sample(*value) }),
        ShapeKind::String { enum_values, .. } => json!(enum_values.last().unwrap_or(&"text")),
        ShapeKind::Integer { .. } | ShapeKind::Long { .. } => json!(7),
        ShapeKind::Boolean => json!(true),
        ShapeKind::Blob { .. } => json!("YWJj"),
        ShapeKind::Timestamp => json!(1_700_000_000.25),
        ShapeKind::Document => json!({"any": ["json", 1]}),
    }
}

/// Every request and response type reads and writes back a body with every member set,
/// so each rename, type and enum value of the generated types matches the shape table;
/// and such a body never fails validation for its JSON types.
#[test]
fn every_type_round_trips_a_full_body() {
    fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(
        name: &str,
        body: &serde_json::Value,
    ) {
        let value: T = serde_json::from_value(body.clone())
            .unwrap_or_else(|e| panic!("{name}: {e} in {body}"));
        assert_eq!(&serde_json::to_value(&value).unwrap(), body, "{name}");
    }
    macro_rules! check_all {
        ($($op:ident,)*) => {$(
            let input = sample(Operation::$op.input_shape());
            round_trip::<<op::$op as OperationShape>::Input>(stringify!($op), &input);
            if let Err(e) = crate::validate(Operation::$op, &input) {
                assert_ne!(e.code, ErrorCode::SerializationException, "{}: {e}", stringify!($op));
            }
            let output = Operation::$op.output_shape().map_or(json!({}), sample);
            round_trip::<<op::$op as OperationShape>::Output>(stringify!($op), &output);
        )*};
    }
    crate::for_each_operation!(check_all);
}

/// Whenever validation passes, the typed request can be read: no required member the
/// types need is left unchecked.
#[test]
fn validated_empty_bodies_deserialize() {
    macro_rules! check_all {
        ($($op:ident,)*) => {$(
            let body = json!({});
            if crate::validate(Operation::$op, &body).is_ok() {
                serde_json::from_value::<<op::$op as OperationShape>::Input>(body)
                    .unwrap_or_else(|e| panic!("{}: {e}", stringify!($op)));
            }
        )*};
    }
    crate::for_each_operation!(check_all);
}
