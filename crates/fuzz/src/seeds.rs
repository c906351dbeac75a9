//! Seed inputs of the request target, generated from the API model's shapes: for every
//! operation a body with its required members and one with every member, each value of its
//! shape's type and within its length and range bounds, and the fixture's placeholders
//! (`crate::request`) where a member names a pool, client, user or token.

use ironpool_api::shape::{ShapeId, ShapeKind};
use ironpool_api::Operation;
use serde_json::{json, Map, Value};

pub fn request() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for op in Operation::ALL {
        for (kind, full) in [("required", false), ("full", true)] {
            let body = value(op.input_shape(), "", full, 0);
            let input = format!("{}\n{body}", op.name());
            seeds.push((format!("{}-{kind}", op.name()), input.into_bytes()));
        }
    }
    let signed_in = [
        (
            "InitiateAuth-password",
            "InitiateAuth",
            json!({"ClientId": "@client", "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": "@user", "PASSWORD": crate::request::PASSWORD}}),
        ),
        (
            "InitiateAuth-srp",
            "InitiateAuth",
            json!({"ClientId": "@client", "AuthFlow": "USER_SRP_AUTH",
                   "AuthParameters": {"USERNAME": "@user", "SRP_A": "02"}}),
        ),
        (
            "ListUsers-filter",
            "ListUsers",
            json!({"UserPoolId": "@pool", "Filter": "email ^= \"fuzz\""}),
        ),
        (
            "UpdateUserAttributes-token",
            "UpdateUserAttributes",
            json!({"AccessToken": "@token", "UserAttributes": [{"Name": "name", "Value": "x"}]}),
        ),
    ];
    for (file, op, body) in signed_in {
        seeds.push((file.to_owned(), format!("{op}\n{body}").into_bytes()));
    }
    seeds
}

/// A value of shape `id` for the member `member`.
fn value(id: ShapeId, member: &str, full: bool, depth: u32) -> Value {
    match &id.shape().kind {
        ShapeKind::Structure { members } => {
            let mut object = Map::new();
            for m in members.iter() {
                if (m.required || full) && depth < 4 {
                    object.insert(m.name.to_owned(), value(m.shape, m.name, full, depth + 1));
                }
            }
            Value::Object(object)
        }
        ShapeKind::List {
            member: item, min, ..
        } => {
            let count = min.unwrap_or(0).max(i64::from(full)).min(3);
            (0..count)
                .map(|_| value(*item, member, full, depth + 1))
                .collect()
        }
        ShapeKind::Map {
            value: item, min, ..
        } => {
            let count = min.unwrap_or(0).max(i64::from(full)).min(3);
            (0..count)
                .map(|i| (format!("key{i}"), value(*item, member, full, depth + 1)))
                .collect::<Map<_, _>>()
                .into()
        }
        ShapeKind::String {
            min,
            max,
            enum_values,
            ..
        } => match (placeholder(member), enum_values.first()) {
            (Some(text), _) => json!(text),
            (None, Some(first)) => json!(first),
            (None, None) => {
                let length = min.unwrap_or(1).max(1).min(max.unwrap_or(8)).min(64);
                json!("a".repeat(length as usize))
            }
        },
        ShapeKind::Integer { min, .. } | ShapeKind::Long { min, .. } => json!(min.unwrap_or(1)),
        ShapeKind::Boolean => json!(true),
        ShapeKind::Blob { .. } => json!("YWJj"),
        ShapeKind::Timestamp => json!(1_700_000_000),
        ShapeKind::Document => json!({}),
    }
}

fn placeholder(member: &str) -> Option<&'static str> {
    Some(match member {
        "UserPoolId" => "@pool",
        "ClientId" => "@client",
        "Username" => "@user",
        "AccessToken" => "@token",
        "Password" | "PreviousPassword" | "ProposedPassword" => crate::request::PASSWORD,
        _ => return None,
    })
}
