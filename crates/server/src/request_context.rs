//! What a handler may need of the request beyond its input: the end user's IP address and
//! User-Agent. They ride with the request's task (a task-local set around the handler), so
//! handlers keep their `(app, input)` shape and only the code that reads them knows of them.

use axum::http::{header, HeaderMap};
use serde_json::Value;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestContext {
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    /// The User-Agent of the call itself (the SDK's), whatever ContextData says.
    pub caller_agent: Option<String>,
    /// The call's ClientMetadata, which Lambda triggers receive.
    pub client_metadata: BTreeMap<String, String>,
    /// The account and region an IAM call acts in (`crate::scope`).
    pub scope: Option<crate::scope::Scope>,
    /// The id a create takes instead of generating one: a seed file's fixed pool or client
    /// id (`crate::seed`). Never set from a request.
    pub given_id: Option<String>,
    /// Set when a write of the request found its pool, user or group deleted meanwhile.
    pub parent_gone: Cell<bool>,
}

tokio::task_local! {
    static CURRENT: RequestContext;
}

impl RequestContext {
    /// The caller's address and User-Agent, unless the input's ContextData (the admin sign-in
    /// operations: the end user's request as the calling server saw it) names them.
    pub fn of(peer: Option<SocketAddr>, headers: &HeaderMap, input: &Value) -> Self {
        let context = &input["ContextData"];
        let given_agent = context["HttpHeaders"].as_array().and_then(|headers| {
            headers
                .iter()
                .find(|h| {
                    h["headerName"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case("user-agent"))
                })
                .and_then(|h| h["headerValue"].as_str())
        });
        let agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok());
        let client_metadata = input["ClientMetadata"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            caller_agent: agent.map(str::to_owned),
            client_metadata,
            ip_address: context["IpAddress"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| peer.map(|p| p.ip().to_string())),
            user_agent: given_agent.or(agent).map(str::to_owned),
            scope: None,
            given_id: None,
            parent_gone: Cell::new(false),
        }
    }

    /// Marks the request being handled as one whose write raced a deletion.
    pub fn note_parent_gone() {
        let _ = CURRENT.try_with(|c| c.parent_gone.set(true));
    }

    /// Whether a write of the request being handled raced a deletion; clears the mark.
    pub fn take_parent_gone() -> bool {
        CURRENT
            .try_with(|c| c.parent_gone.replace(false))
            .unwrap_or(false)
    }

    /// The context of the request being handled (empty outside one).
    pub fn current() -> Self {
        CURRENT.try_with(Clone::clone).unwrap_or_default()
    }

    /// Runs `f` (a request's handler) with this context.
    pub async fn scope<F: Future>(self, f: F) -> F::Output {
        CURRENT.scope(self, f).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn context_data_names_the_end_user() {
        let mut headers = HeaderMap::new();
        headers.insert(header::USER_AGENT, "sdk/1.0".parse().unwrap());
        let peer = Some("127.0.0.1:5000".parse().unwrap());
        assert_eq!(
            RequestContext::of(peer, &headers, &json!({})),
            RequestContext {
                ip_address: Some("127.0.0.1".into()),
                user_agent: Some("sdk/1.0".into()),
                caller_agent: Some("sdk/1.0".into()),
                client_metadata: BTreeMap::new(),
                scope: None,
                given_id: None,
                parent_gone: Cell::new(false),
            }
        );
        let input = json!({"ClientMetadata": {"k": "v"},
            "ContextData": {"IpAddress": "203.0.113.9", "ServerName": "s",
            "ServerPath": "/", "HttpHeaders": [{"headerName": "User-Agent",
            "headerValue": "Mozilla/5.0"}]}});
        assert_eq!(
            RequestContext::of(peer, &headers, &input),
            RequestContext {
                ip_address: Some("203.0.113.9".into()),
                user_agent: Some("Mozilla/5.0".into()),
                caller_agent: Some("sdk/1.0".into()),
                client_metadata: BTreeMap::from([("k".into(), "v".into())]),
                scope: None,
                given_id: None,
                parent_gone: Cell::new(false),
            }
        );
    }
}
