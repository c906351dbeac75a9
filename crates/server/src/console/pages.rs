//! The pools of an account and region, one pool (its settings, users, app clients, groups and
//! domains), and one app client.

use super::guard::Console;
use super::{message, seg, Form};
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use ironpool_api::{ApiError, Operation};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

type PoolPath = Path<(String, String, String)>;

/// The explicit auth flows a client form offers.
const FLOWS: &[&str] = &[
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
];

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    next: Option<String>,
    filter: Option<String>,
    reveal: Option<String>,
}

pub(crate) async fn pools(console: Console, Query(q): Query<ListQuery>) -> Response {
    pools_page(&console, q.next, None, StatusCode::OK).await
}

async fn pools_page(
    console: &Console,
    next: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let mut input = json!({ "MaxResults": 60 });
    if let Some(next) = next.filter(|n| !n.is_empty()) {
        input["NextToken"] = json!(next);
    }
    let listed = console.call(Operation::ListUserPools, input).await;
    let (pools, next, error) = match listed {
        Ok(out) => (out["UserPools"].clone(), out["NextToken"].clone(), error),
        Err(e) => (json!([]), Value::Null, Some(message(&e))),
    };
    console.page(
        status,
        "pools.html",
        json!({ "title": "User pools", "pools": pools, "next": next, "error": error }),
    )
}

pub(crate) async fn create_pool(console: Console, body: Bytes) -> Response {
    let form = match console.form(&body) {
        Ok(form) => form,
        Err(refused) => return refused.into_response(),
    };
    let mut input = json!({ "PoolName": form.get("PoolName") });
    if form.checked("DeletionProtection") {
        input["DeletionProtection"] = json!("ACTIVE");
    }
    if form.checked("EmailUsername") {
        input["UsernameAttributes"] = json!(["email"]);
        input["AutoVerifiedAttributes"] = json!(["email"]);
    }
    match console.call(Operation::CreateUserPool, input).await {
        Ok(out) => {
            let id = out["UserPool"]["Id"].as_str().unwrap_or_default();
            console.redirect(&format!("{}/pools/{}", console.base(), seg(id)))
        }
        Err(e) => pools_page(&console, None, Some(message(&e)), StatusCode::BAD_REQUEST).await,
    }
}

pub(crate) async fn pool(
    console: Console,
    Path((_, _, pool)): PoolPath,
    Query(q): Query<ListQuery>,
) -> Response {
    pool_page(&console, &pool, q, None).await
}

async fn pool_page(console: &Console, pool: &str, q: ListQuery, error: Option<String>) -> Response {
    let described = match console
        .call(Operation::DescribeUserPool, json!({ "UserPoolId": pool }))
        .await
    {
        Ok(out) => out["UserPool"].clone(),
        Err(e) => return console.error(&e),
    };
    let mut errors: Vec<String> = error.into_iter().collect();
    let mut users_input = json!({ "UserPoolId": pool, "Limit": 60 });
    if let Some(filter) = q.filter.as_deref().filter(|f| !f.trim().is_empty()) {
        users_input["Filter"] = json!(filter);
    }
    if let Some(next) = q.next.as_deref().filter(|n| !n.is_empty()) {
        users_input["PaginationToken"] = json!(next);
    }
    let mut list = |result: Result<Value, ApiError>, member: &str| match result {
        Ok(out) => (out[member].clone(), out),
        Err(e) => {
            errors.push(message(&e));
            (json!([]), Value::Null)
        }
    };
    let (users, users_out) = list(
        console.call(Operation::ListUsers, users_input).await,
        "Users",
    );
    let (clients, _) = list(
        console
            .call(
                Operation::ListUserPoolClients,
                json!({ "UserPoolId": pool, "MaxResults": 60 }),
            )
            .await,
        "UserPoolClients",
    );
    let (groups, _) = list(
        console
            .call(
                Operation::ListGroups,
                json!({ "UserPoolId": pool, "Limit": 60 }),
            )
            .await,
        "Groups",
    );
    // Each domain, with the managed login page of each app client that has a callback URL.
    let mut domains = Vec::new();
    let mut logins = Vec::new();
    for client in clients.as_array().into_iter().flatten().take(20) {
        let id = client["ClientId"].as_str().unwrap_or_default();
        if let Ok(out) = console
            .call(
                Operation::DescribeUserPoolClient,
                json!({ "UserPoolId": pool, "ClientId": id }),
            )
            .await
        {
            let c = &out["UserPoolClient"];
            if let Some(callback) = c["CallbackURLs"].get(0).and_then(Value::as_str) {
                let query = serde_urlencoded::to_string([
                    ("client_id", id),
                    ("response_type", "code"),
                    ("redirect_uri", callback),
                ])
                .unwrap_or_default();
                logins.push(json!({
                    "client": c["ClientName"],
                    "url": format!("{}/{}/login?{query}", console.app.public_url.trim_end_matches('/'), seg(pool)),
                }));
            }
        }
    }
    for key in ["Domain", "CustomDomain"] {
        if let Some(domain) = described[key].as_str() {
            domains.push(json!({ "name": domain, "custom": key == "CustomDomain" }));
        }
    }
    console.page(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        },
        "pool.html",
        json!({
            "title": described["Name"],
            "pool": described,
            "users": users,
            "next": users_out["PaginationToken"],
            "filter": q.filter,
            "clients": clients,
            "groups": groups,
            "domains": domains,
            "logins": logins,
            "error": if errors.is_empty() { None } else { Some(errors.join(" ")) },
        }),
    )
}

pub(crate) async fn pool_json(console: Console, Path((_, _, pool)): PoolPath) -> Response {
    match console
        .call(Operation::DescribeUserPool, json!({ "UserPoolId": pool }))
        .await
    {
        Ok(out) => {
            let mut response = Json(out).into_response();
            response.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(e) => console.error(&e),
    }
}

/// The pool's forms: delete it, create a user, an app client, a group or a domain, delete a
/// group or a domain.
pub(crate) async fn act(
    console: Console,
    Path(params): Path<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let form = match console.form(&body) {
        Ok(form) => form,
        Err(refused) => return refused.into_response(),
    };
    let pool = params.get("pool").cloned().unwrap_or_default();
    let action = params.get("action").map(String::as_str).unwrap_or("");
    let here = format!("{}/pools/{}", console.base(), seg(&pool));
    let result = match action {
        "delete" => console
            .call(Operation::DeleteUserPool, json!({ "UserPoolId": pool }))
            .await
            .map(|_| console.base()),
        "create-user" => create_user(&console, &pool, &form).await.map(|username| {
            format!("{here}/users/{}", seg(&username))
        }),
        "create-client" => create_client(&console, &pool, &form).await.map(|id| {
            format!("{here}/clients/{}", seg(&id))
        }),
        "create-group" => {
            let mut input = json!({ "UserPoolId": pool, "GroupName": form.get("GroupName") });
            if let Some(description) = form.text("Description") {
                input["Description"] = json!(description);
            }
            console
                .call(Operation::CreateGroup, input)
                .await
                .map(|_| here.clone())
        }
        "delete-group" => console
            .call(
                Operation::DeleteGroup,
                json!({ "UserPoolId": pool, "GroupName": form.get("GroupName") }),
            )
            .await
            .map(|_| here.clone()),
        "create-domain" => console
            .call(
                Operation::CreateUserPoolDomain,
                json!({ "UserPoolId": pool, "Domain": form.get("Domain"), "ManagedLoginVersion": 2 }),
            )
            .await
            .map(|_| here.clone()),
        "delete-domain" => console
            .call(
                Operation::DeleteUserPoolDomain,
                json!({ "UserPoolId": pool, "Domain": form.get("Domain") }),
            )
            .await
            .map(|_| here.clone()),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match result {
        Ok(to) => console.redirect(&to),
        Err(e) => pool_page(&console, &pool, ListQuery::default(), Some(message(&e))).await,
    }
}

async fn create_user(console: &Console, pool: &str, form: &Form) -> Result<String, ApiError> {
    let mut attributes = Vec::new();
    for name in ["email", "phone_number"] {
        if let Some(value) = form.text(name) {
            attributes.push(json!({ "Name": name, "Value": value }));
            if form.checked("verified") {
                let verified = format!("{}_verified", name.trim_end_matches("_number"));
                attributes.push(json!({ "Name": verified, "Value": "true" }));
            }
        }
    }
    let mut input = json!({ "UserPoolId": pool, "Username": form.get("Username"), "UserAttributes": attributes });
    if let Some(password) = form.text("TemporaryPassword") {
        input["TemporaryPassword"] = json!(password);
    }
    let mediums = form.all("DesiredDeliveryMediums");
    if !mediums.is_empty() {
        input["DesiredDeliveryMediums"] = json!(mediums);
    }
    if form.checked("Suppress") {
        input["MessageAction"] = json!("SUPPRESS");
    }
    let out = console.call(Operation::AdminCreateUser, input).await?;
    Ok(out["User"]["Username"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

async fn create_client(console: &Console, pool: &str, form: &Form) -> Result<String, ApiError> {
    let mut input = json!({
        "UserPoolId": pool,
        "ClientName": form.get("ClientName"),
        "GenerateSecret": form.checked("GenerateSecret"),
    });
    client_settings(&mut input, form);
    let out = console.call(Operation::CreateUserPoolClient, input).await?;
    Ok(out["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// The flows and callback URLs of a client form, onto a Create or UpdateUserPoolClient input:
/// callback URLs turn on OAuth (the code grant with the OpenID scopes, unless the client has
/// flows and scopes already), and taking the last one away turns it off.
fn client_settings(input: &mut Value, form: &Form) {
    let flows = form.all("ExplicitAuthFlows");
    if !flows.is_empty() {
        input["ExplicitAuthFlows"] = json!(flows);
    }
    let callbacks = form.lines("CallbackURLs");
    if !callbacks.is_empty() {
        input["CallbackURLs"] = json!(callbacks);
        input["AllowedOAuthFlowsUserPoolClient"] = json!(true);
        // What the client has already is kept.
        for (name, default) in [
            ("AllowedOAuthFlows", json!(["code"])),
            ("AllowedOAuthScopes", json!(["openid", "email", "profile"])),
            ("SupportedIdentityProviders", json!(["COGNITO"])),
        ] {
            if input[name].as_array().is_none_or(Vec::is_empty) {
                input[name] = default;
            }
        }
    } else if input.get("CallbackURLs").is_some() {
        // An update taking the client's last callback URL: no more OAuth.
        input["CallbackURLs"] = json!([]);
        input["AllowedOAuthFlowsUserPoolClient"] = json!(false);
        input["AllowedOAuthFlows"] = json!([]);
        input["AllowedOAuthScopes"] = json!([]);
    }
    let default = input["DefaultRedirectURI"].as_str().unwrap_or_default();
    if !callbacks.contains(&default) {
        if let Some(map) = input.as_object_mut() {
            map.remove("DefaultRedirectURI");
        }
    }
}

pub(crate) async fn client(
    console: Console,
    Path((_, _, pool, client)): Path<(String, String, String, String)>,
    Query(q): Query<ListQuery>,
) -> Response {
    client_page(&console, &pool, &client, q.reveal.is_some(), None).await
}

async fn client_page(
    console: &Console,
    pool: &str,
    client: &str,
    reveal: bool,
    error: Option<String>,
) -> Response {
    let mut described = match console
        .call(
            Operation::DescribeUserPoolClient,
            json!({ "UserPoolId": pool, "ClientId": client }),
        )
        .await
    {
        Ok(out) => out["UserPoolClient"].clone(),
        Err(e) => return console.error(&e),
    };
    let has_secret = described.get("ClientSecret").is_some_and(|s| !s.is_null());
    if !reveal {
        if let Some(map) = described.as_object_mut() {
            map.remove("ClientSecret");
        }
    }
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    console.page(
        status,
        "client.html",
        json!({
            "title": described["ClientName"],
            "pool_id": pool,
            "client": described,
            "has_secret": has_secret,
            "flows": FLOWS,
            "error": error,
        }),
    )
}

/// The client's forms: its flows and callback URLs, or its deletion.
pub(crate) async fn client_act(
    console: Console,
    Path(params): Path<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let form = match console.form(&body) {
        Ok(form) => form,
        Err(refused) => return refused.into_response(),
    };
    let get = |name: &str| params.get(name).cloned().unwrap_or_default();
    let (pool, client) = (get("pool"), get("client"));
    let here = format!(
        "{}/pools/{}/clients/{}",
        console.base(),
        seg(&pool),
        seg(&client)
    );
    let result = match get("action").as_str() {
        "delete" => console
            .call(
                Operation::DeleteUserPoolClient,
                json!({ "UserPoolId": pool, "ClientId": client }),
            )
            .await
            .map(|_| format!("{}/pools/{}", console.base(), seg(&pool))),
        "update" => update_client(&console, &pool, &client, &form)
            .await
            .map(|_| here),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match result {
        Ok(to) => console.redirect(&to),
        Err(e) => client_page(&console, &pool, &client, false, Some(message(&e))).await,
    }
}

/// UpdateUserPoolClient resets what it is not given: the client's settings are given back as
/// they are, with the form's flows and callback URLs.
async fn update_client(
    console: &Console,
    pool: &str,
    client: &str,
    form: &Form,
) -> Result<(), ApiError> {
    let out = console
        .call(
            Operation::DescribeUserPoolClient,
            json!({ "UserPoolId": pool, "ClientId": client }),
        )
        .await?;
    let mut input = out["UserPoolClient"].clone();
    if let Some(map) = input.as_object_mut() {
        for read_only in ["ClientSecret", "CreationDate", "LastModifiedDate"] {
            map.remove(read_only);
        }
    }
    client_settings(&mut input, form);
    console
        .call(Operation::UpdateUserPoolClient, input)
        .await
        .map(|_| ())
}
