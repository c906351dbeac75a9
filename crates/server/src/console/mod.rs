//! The admin console: server-rendered pages (auto-escaping templates, no scripts) for pools,
//! users, app clients, groups, domains, the outbox and tokens, per account and region. Every
//! action is an API operation run by [`crate::ops::invoke`], so its validation, its errors and
//! its effects are the API's; an error is shown on the page it came from.
//!
//! Who may use it ([`guard`]): on a loopback address, anyone who reaches it there (the Host
//! must be a loopback name too, so a web page cannot rebind a name of its own to it); whenever
//! credentials or a console password are configured, and always elsewhere, only who signs in
//! (HTTP Basic) with a credentials-file key (its access key id and secret: the key's account
//! only) or as `admin` with the console password (every account). Every form carries a CSRF
//! token that must match the console's cookie, and a form posted from another origin is
//! refused. Pages are never cached and never framed, and run no script.

mod guard;
mod pages;
mod tools;
mod users;

pub use guard::{can_guard, read_password};

use crate::app::App;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use guard::Console;
use ironpool_api::{ApiError, Operation};
use minijinja::Environment;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};
use std::sync::{Arc, LazyLock};

/// Where the console is served.
pub const PATH: &str = "/_ironpool/console";

pub fn routes() -> Router<Arc<App>> {
    let scoped = "/_ironpool/console/{account}/{region}";
    let pool = "/_ironpool/console/{account}/{region}/pools/{pool}";
    Router::new()
        .route(PATH, get(home))
        .route(&format!("{PATH}/"), get(home))
        .route(scoped, get(pages::pools).post(pages::create_pool))
        .route(&format!("{scoped}/outbox"), get(tools::outbox))
        .route(
            &format!("{scoped}/token"),
            get(tools::token).post(tools::inspect),
        )
        .route(pool, get(pages::pool))
        .route(&format!("{pool}/json"), get(pages::pool_json))
        .route(
            &format!("{pool}/do/{{action}}"),
            axum::routing::post(pages::act),
        )
        .route(&format!("{pool}/users/{{user}}"), get(users::user))
        .route(
            &format!("{pool}/users/{{user}}/do/{{action}}"),
            axum::routing::post(users::act),
        )
        .route(&format!("{pool}/clients/{{client}}"), get(pages::client))
        .route(
            &format!("{pool}/clients/{{client}}/do/{{action}}"),
            axum::routing::post(pages::client_act),
        )
}

/// `/_ironpool/console`: the pools of the account and region asked for (the scope form), else
/// the server's own (or the signed-in key's account).
async fn home(console: Console, query: axum::extract::RawQuery) -> Response {
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(query.0.as_deref().unwrap_or("")).unwrap_or_default();
    let asked = |name: &str| {
        query
            .iter()
            .find(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
    };
    let account = asked("account").unwrap_or(console.scope.account_id.clone());
    let region = asked("region").unwrap_or(console.scope.region.clone());
    Redirect::to(&format!("{PATH}/{}/{}", seg(&account), seg(&region))).into_response()
}

/// The templates, parsed once; every value is escaped.
static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in [
        ("layout.html", include_str!("templates/layout.html")),
        ("pools.html", include_str!("templates/pools.html")),
        ("pool.html", include_str!("templates/pool.html")),
        ("user.html", include_str!("templates/user.html")),
        ("client.html", include_str!("templates/client.html")),
        ("outbox.html", include_str!("templates/outbox.html")),
        ("token.html", include_str!("templates/token.html")),
        ("error.html", include_str!("templates/error.html")),
    ] {
        // Part of the binary: a syntax error fails the unit test below.
        let _ = env.add_template(name, source);
    }
    // `{{ name|seg }}`: one path segment of a link.
    env.add_filter("seg", |s: String| seg(&s));
    // `{{ value|pretty }}`: indented JSON.
    env.add_filter("pretty", |v: minijinja::Value| {
        serde_json::to_string_pretty(&v).unwrap_or_default()
    });
    // `{{ seconds|when }}`: a Unix time (or an API date) as UTC.
    env.add_filter("when", |v: minijinja::Value| when(&v));
    env
});

/// What a path segment or a query value keeps as it is: RFC 3986's unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path segment (or a query value), percent-encoded: user names may hold `/`, `?` or `#`.
pub(crate) fn seg(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

fn when(v: &minijinja::Value) -> String {
    let seconds = match v.as_i64() {
        Some(s) => s as f64,
        None => match f64::try_from(v.clone()) {
            Ok(s) => s,
            Err(_) => return v.to_string(),
        },
    };
    time::OffsetDateTime::from_unix_timestamp(seconds as i64)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .ok()
        })
        .unwrap_or_default()
}

impl Console {
    /// Runs one API operation in the console's account and region, as the API would.
    pub(crate) async fn call(&self, op: Operation, input: Value) -> Result<Value, ApiError> {
        crate::ops::invoke(&self.app, self.scope.clone(), op, input, None).await
    }

    /// The console's own URL for this account and region.
    pub(crate) fn base(&self) -> String {
        format!(
            "{PATH}/{}/{}",
            seg(&self.scope.account_id),
            seg(&self.scope.region)
        )
    }

    /// One page: `template` with `values` and what every page shows.
    pub(crate) fn page(&self, status: StatusCode, template: &str, mut values: Value) -> Response {
        if let Some(map) = values.as_object_mut() {
            map.insert("base".into(), json!(self.base()));
            map.insert("account".into(), json!(self.scope.account_id));
            map.insert("region".into(), json!(self.scope.region));
            map.insert("csrf".into(), json!(self.csrf));
            map.insert("signed_in".into(), json!(self.signed_in));
        }
        let html = TEMPLATES
            .get_template(template)
            .and_then(|t| t.render(&values));
        let mut response = match html {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(template, error = %e, "console template failed");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        };
        self.finish(&mut response);
        response
    }

    /// The page of an error that left nothing else to show.
    pub(crate) fn error(&self, e: &ApiError) -> Response {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
        self.page(
            status,
            "error.html",
            json!({ "title": "Error", "error": message(e) }),
        )
    }

    /// After a form's action: back to a page (303, so a reload does not post again).
    pub(crate) fn redirect(&self, to: &str) -> Response {
        let mut response = Redirect::to(to).into_response();
        self.finish(&mut response);
        response
    }

    fn finish(&self, response: &mut Response) {
        let headers = response.headers_mut();
        for (name, value) in [
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
                 form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            // Not `no-referrer`: with it a browser posts forms with `Origin: null`.
            (header::REFERRER_POLICY, "same-origin"),
            (header::CACHE_CONTROL, "no-store"),
        ] {
            headers.insert(name, HeaderValue::from_static(value));
        }
        if self.new_csrf {
            if let Ok(cookie) = HeaderValue::from_str(&format!(
                "{}={}; Path={PATH}; HttpOnly; SameSite=Strict",
                guard::CSRF_COOKIE,
                self.csrf
            )) {
                headers.append(header::SET_COOKIE, cookie);
            }
        }
    }
}

/// An API error as the person reads it: its type and its message.
pub(crate) fn message(e: &ApiError) -> String {
    format!("{}: {}", e.code, e.message)
}

/// A posted form: every name with its values, in order.
pub(crate) struct Form(Vec<(String, String)>);

impl Form {
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// A text field, trimmed; `None` when empty.
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        Some(self.get(name).trim()).filter(|v| !v.is_empty())
    }

    pub(crate) fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// One value a line (a textarea of URLs).
    pub(crate) fn lines(&self, name: &str) -> Vec<&str> {
        self.get(name)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse_and_escape() {
        for name in [
            "layout.html",
            "pools.html",
            "pool.html",
            "user.html",
            "client.html",
            "outbox.html",
            "token.html",
            "error.html",
        ] {
            TEMPLATES.get_template(name).expect(name);
        }
        let html = TEMPLATES
            .get_template("error.html")
            .unwrap()
            .render(json!({ "title": "t", "error": "<script>x</script>", "base": "/b" }))
            .unwrap();
        assert!(html.contains("&lt;script&gt;x&lt;"), "{html}");
        assert!(!html.contains("<script>x"), "{html}");
    }

    #[test]
    fn segments_and_times() {
        assert_eq!(seg("us-east-1_a.b~/ c?#"), "us-east-1_a.b~%2F%20c%3F%23");
        assert_eq!(
            when(&minijinja::Value::from(1_700_000_000)),
            "2023-11-14 22:13:20 UTC"
        );
    }
}
