//! One user: attributes, status, groups, MFA, devices and recent sign-in events, and the
//! administrator's actions on them.

use super::guard::Console;
use super::{message, seg};
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ironpool_api::{ApiError, Operation};
use serde_json::{json, Value};
use std::collections::HashMap;

pub(crate) async fn user(
    console: Console,
    Path((_, _, pool, user)): Path<(String, String, String, String)>,
) -> Response {
    user_page(&console, &pool, &user, None).await
}

async fn user_page(console: &Console, pool: &str, user: &str, error: Option<String>) -> Response {
    let who = json!({ "UserPoolId": pool, "Username": user });
    let got = match console.call(Operation::AdminGetUser, who.clone()).await {
        Ok(out) => out,
        Err(e) => return console.error(&e),
    };
    // What may be missing shows as its API error, in its place.
    let section = |result: Result<Value, ApiError>, member: &str| match result {
        Ok(out) => json!({ "items": out[member] }),
        Err(e) => json!({ "items": [], "error": message(&e) }),
    };
    let groups = section(
        console
            .call(
                Operation::AdminListGroupsForUser,
                json!({ "UserPoolId": pool, "Username": user, "Limit": 60 }),
            )
            .await,
        "Groups",
    );
    let pool_groups = section(
        console
            .call(
                Operation::ListGroups,
                json!({ "UserPoolId": pool, "Limit": 60 }),
            )
            .await,
        "Groups",
    );
    let devices = section(
        console
            .call(
                Operation::AdminListDevices,
                json!({ "UserPoolId": pool, "Username": user, "Limit": 60 }),
            )
            .await,
        "Devices",
    );
    let events = section(
        console
            .call(
                Operation::AdminListUserAuthEvents,
                json!({ "UserPoolId": pool, "Username": user, "MaxResults": 10 }),
            )
            .await,
        "AuthEvents",
    );
    let mfa: Vec<&str> = got["UserMFASettingList"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    console.page(
        if error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        "user.html",
        json!({
            "title": got["Username"],
            "pool_id": pool,
            "user": got,
            "mfa": {
                "SMS_MFA": mfa.contains(&"SMS_MFA"),
                "SOFTWARE_TOKEN_MFA": mfa.contains(&"SOFTWARE_TOKEN_MFA"),
                "EMAIL_OTP": mfa.contains(&"EMAIL_OTP"),
            },
            "groups": groups,
            "pool_groups": pool_groups,
            "devices": devices,
            "events": events,
            "error": error,
        }),
    )
}

/// The user's forms.
pub(crate) async fn act(
    console: Console,
    Path(params): Path<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let form = match console.form(&body) {
        Ok(form) => form,
        Err(refused) => return refused.into_response(),
    };
    let get = |name: &str| params.get(name).cloned().unwrap_or_default();
    let (pool, user) = (get("pool"), get("user"));
    let pool_page = format!("{}/pools/{}", console.base(), seg(&pool));
    let here = format!("{pool_page}/users/{}", seg(&user));
    let who = |extra: Value| {
        let mut input = json!({ "UserPoolId": pool, "Username": user });
        if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
            input.extend(extra.clone());
        }
        input
    };
    let (op, input, to) = match get("action").as_str() {
        "enable" => (Operation::AdminEnableUser, who(json!({})), &here),
        "disable" => (Operation::AdminDisableUser, who(json!({})), &here),
        "confirm" => (Operation::AdminConfirmSignUp, who(json!({})), &here),
        "reset-password" => (Operation::AdminResetUserPassword, who(json!({})), &here),
        "sign-out" => (Operation::AdminUserGlobalSignOut, who(json!({})), &here),
        "delete" => (Operation::AdminDeleteUser, who(json!({})), &pool_page),
        "set-password" => (
            Operation::AdminSetUserPassword,
            who(
                json!({ "Password": form.get("Password"), "Permanent": form.checked("Permanent") }),
            ),
            &here,
        ),
        "update-attribute" => (
            Operation::AdminUpdateUserAttributes,
            who(
                json!({ "UserAttributes": [{ "Name": form.get("Name").trim(), "Value": form.get("Value") }] }),
            ),
            &here,
        ),
        "delete-attribute" => (
            Operation::AdminDeleteUserAttributes,
            who(json!({ "UserAttributeNames": [form.get("Name")] })),
            &here,
        ),
        "add-group" => (
            Operation::AdminAddUserToGroup,
            who(json!({ "GroupName": form.get("GroupName") })),
            &here,
        ),
        "remove-group" => (
            Operation::AdminRemoveUserFromGroup,
            who(json!({ "GroupName": form.get("GroupName") })),
            &here,
        ),
        "forget-device" => (
            Operation::AdminForgetDevice,
            who(json!({ "DeviceKey": form.get("DeviceKey") })),
            &here,
        ),
        "mfa" => {
            let preferred = form.get("Preferred");
            let setting = |kind: &str| json!({ "Enabled": form.checked(kind), "PreferredMfa": preferred == kind });
            (
                Operation::AdminSetUserMFAPreference,
                who(json!({
                    "SMSMfaSettings": setting("SMS_MFA"),
                    "SoftwareTokenMfaSettings": setting("SOFTWARE_TOKEN_MFA"),
                    "EmailMfaSettings": setting("EMAIL_OTP"),
                })),
                &here,
            )
        }
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match console.call(op, input).await {
        Ok(_) => console.redirect(to),
        Err(e) => user_page(&console, &pool, &user, Some(message(&e))).await,
    }
}
