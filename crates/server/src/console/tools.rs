//! The outbox (the messages users would have been sent, codes included) and the token
//! inspector.

use super::guard::Console;
use crate::ops::tokens::{self, TokenUse};
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ironpool_core::jwt;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
pub(crate) struct OutboxQuery {
    pool: Option<String>,
    username: Option<String>,
}

/// The messages of this account and region's pools, newest first.
pub(crate) async fn outbox(console: Console, Query(q): Query<OutboxQuery>) -> Response {
    let pool = q.pool.filter(|p| !p.is_empty());
    let username = q.username.filter(|u| !u.is_empty());
    let mut messages = console
        .app
        .outbox
        .list(pool.as_deref(), username.as_deref());
    messages.reverse();
    let mut shown = Vec::new();
    for m in messages.into_iter().take(200) {
        let here = crate::scope::Scope::of_pool_id(&console.app, &m.pool_id).await;
        if here.is_ok_and(|s| s == console.scope) {
            shown.push(m);
        }
    }
    console.page(
        StatusCode::OK,
        "outbox.html",
        json!({ "title": "Outbox", "messages": shown, "pool": pool, "username": username }),
    )
}

pub(crate) async fn token(console: Console) -> Response {
    console.page(
        StatusCode::OK,
        "token.html",
        json!({ "title": "Token inspector" }),
    )
}

/// A pasted token: its header and claims, whether one of its pool's keys signed it, its expiry,
/// and whether the API would take it now.
pub(crate) async fn inspect(console: Console, body: Bytes) -> Response {
    let form = match console.form(&body) {
        Ok(form) => form,
        Err(refused) => return refused.into_response(),
    };
    let token = form.get("token").trim().to_owned();
    let values = match jwt::decode_unverified(&token) {
        Ok((header, claims)) => inspection(&console, &token, &header, &claims).await,
        Err(_) => {
            json!({ "error": "This is not a JSON Web Token (three base64url parts: header, claims, signature)." })
        }
    };
    let mut values = values;
    values["title"] = json!("Token inspector");
    values["token"] = json!(token);
    console.page(StatusCode::OK, "token.html", values)
}

async fn inspection(
    console: &Console,
    token: &str,
    header: &serde_json::Map<String, Value>,
    claims: &serde_json::Map<String, Value>,
) -> Value {
    let app = &console.app;
    let iss = claims.get("iss").and_then(Value::as_str).unwrap_or("");
    let pool = iss
        .rsplit('/')
        .next()
        .filter(|p| !p.is_empty() && iss == tokens::issuer(app, p));
    let now = app.now();
    let exp = claims.get("exp").and_then(Value::as_f64);
    let expiry = match exp {
        Some(exp) if exp > now => format!("valid for {} more seconds", (exp - now) as i64),
        Some(exp) => format!("expired {} seconds ago", (now - exp) as i64),
        None => "no exp claim".to_owned(),
    };
    let mut signature =
        "not signed by this server: its issuer is no pool of this server's".to_owned();
    let mut accepted = Value::Null;
    if let Some(pool) = pool {
        signature = match crate::keys::pool_keys(app, pool).await {
            Err(e) => super::message(&e),
            Ok(keys) => {
                let signed_by = [
                    (TokenUse::Id, "ID token key"),
                    (TokenUse::Access, "access token key"),
                ]
                .into_iter()
                .find(|(kind, _)| jwt::check_signature(token, header, &[kind.key(&keys)]).is_ok());
                match signed_by {
                    Some((kind, name)) => {
                        let verdict = tokens::verify(app, token, kind, None).await;
                        accepted = json!(match verdict {
                            Ok(_) => "accepted by the API".to_owned(),
                            Err(e) => format!("refused by the API: {}", super::message(&e)),
                        });
                        format!(
                            "valid: signed with pool {pool}'s {name} (kid {})",
                            kind.key(&keys).kid()
                        )
                    }
                    None => format!("invalid: no key of pool {pool} signed this token"),
                }
            }
        };
    }
    let times: Vec<Value> = ["iat", "auth_time", "exp"]
        .iter()
        .filter_map(|name| {
            let t = claims.get(*name).and_then(Value::as_i64)?;
            Some(json!({ "name": name, "value": t }))
        })
        .collect();
    json!({
        "header": header,
        "claims": claims,
        "pool": pool,
        "signature": signature,
        "expiry": expiry,
        "accepted": accepted,
        "times": times,
    })
}
