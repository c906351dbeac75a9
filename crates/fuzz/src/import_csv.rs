//! A user import file, read as an import job reads it, against a pool with custom attributes,
//! email verified automatically and MFA optional. A finding is a panic, or a row turned into a
//! user that is not in RESET_REQUIRED.

use ironpool_api::types::{UserPoolType, UserStatusType};
use ironpool_api::Operation;
use ironpool_core::OsRng;
use ironpool_server::ops::fuzzing;
use ironpool_server::{App, Config};
use serde_json::json;
use std::sync::OnceLock;

fn pool() -> &'static UserPoolType {
    static POOL: OnceLock<UserPoolType> = OnceLock::new();
    POOL.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let app = App::from_config(Config::ephemeral())
                .await
                .expect("in-memory server");
            let input = json!({
                "PoolName": "import",
                "AutoVerifiedAttributes": ["email"],
                "MfaConfiguration": "OPTIONAL",
                "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::000000000000:role/sms"},
                "Schema": [
                    {"Name": "tier", "AttributeDataType": "String", "Mutable": true},
                    {"Name": "score", "AttributeDataType": "Number", "Mutable": true,
                     "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "100"}}
                ],
            });
            let created = ironpool_server::ops::dispatch(&app, Operation::CreateUserPool, input)
                .await
                .expect("CreateUserPool");
            let created: serde_json::Value = serde_json::from_slice(&created).expect("JSON");
            let id = created["UserPool"]["Id"].as_str().expect("pool id");
            app.store
                .get_user_pool(id)
                .await
                .expect("store")
                .expect("the pool")
        })
    })
}

pub fn run(data: &[u8]) {
    let Ok(rows) = fuzzing::import_csv(pool().clone(), data, &OsRng, 1_704_067_200.0) else {
        return;
    };
    for user in rows.into_iter().flatten() {
        assert_eq!(
            user.status,
            UserStatusType::ResetRequired,
            "an imported user's status"
        );
    }
}

pub fn seeds() -> Vec<(String, Vec<u8>)> {
    let header = fuzzing::csv_header(pool()).join(",");
    let columns = header.split(',').count();
    let row = |cells: &[(&str, &str)]| {
        fuzzing::csv_header(pool())
            .iter()
            .map(|column| {
                cells
                    .iter()
                    .find(|(name, _)| name == column)
                    .map_or("", |(_, value)| value)
                    .to_owned()
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let good = row(&[
        ("cognito:username", "ana"),
        ("email", "ana@example.com"),
        ("email_verified", "true"),
        ("cognito:mfa_enabled", "false"),
        ("custom:tier", "gold"),
        ("custom:score", "42"),
        ("phone_number_verified", "false"),
    ]);
    let quoted = row(&[
        ("cognito:username", "\"bo, \"\"b\"\"\""),
        ("email", "BO@example.com"),
        ("email_verified", "TRUE"),
        ("cognito:mfa_enabled", "true"),
        ("phone_number", "+14155550100"),
        ("phone_number_verified", "true"),
    ]);
    [
        ("good", format!("{header}\n{good}\n")),
        ("quoted", format!("{header}\r\n{quoted}\r\n\r\n")),
        (
            "short-row",
            format!("{header}\nana,{}\n", ",".repeat(columns / 2)),
        ),
        (
            "bad-header",
            "cognito:username,email\nana,a@b.c\n".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(name, text)| (name.to_owned(), text.into_bytes()))
    .collect()
}
