//! The router: the API endpoint, CORS for browser clients, and the dev endpoints.

use crate::app::{App, OrInternal};
use crate::protocol;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use ironpool_api::{ApiError, ErrorCode};
use std::sync::Arc;
use tracing::Instrument;

pub fn router(app: Arc<App>) -> Router {
    let mut router = Router::new()
        .route("/", post(protocol::handle))
        .route("/_ironpool/health", get(health))
        .route("/{pool}/.well-known/jwks.json", get(jwks))
        .route(
            "/{pool}/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/_ironpool/ui-assets/{pool}/{key}/{file}", get(ui_asset))
        .route(
            "/_ironpool/user-import/{pool}/{job}",
            put(crate::import_upload::upload),
        )
        .merge(crate::oauth::routes())
        .nest("/{pool}", crate::oauth::routes());
    if app.config.metrics {
        router = router.route("/metrics", get(metrics));
    }
    if app.config.dev_endpoints_enabled() {
        router = router
            .route("/_ironpool/reset", post(reset))
            .route("/_ironpool/outbox", get(outbox));
    }
    if console_served(&app) {
        router = router.merge(crate::console::routes());
    }
    router
        .fallback(not_found)
        .layer(middleware::from_fn(cors))
        .layer(middleware::from_fn(request_span))
        .with_state(app)
}

/// Whether the admin console is served: as configured, and only where it can ask who is there
/// (a loopback address, or credentials or a console password to check).
pub fn console_served(app: &App) -> bool {
    app.config.console_enabled() && crate::console::can_guard(app)
}

tokio::task_local! {
    static REQUEST_ID: Arc<str>;
}

/// The id of the request being answered (`x-amzn-RequestId`); a new one outside a request.
pub fn request_id() -> Arc<str> {
    REQUEST_ID
        .try_with(Arc::clone)
        .unwrap_or_else(|_| uuid::Uuid::new_v4().to_string().into())
}

/// Every request runs in a span that carries its id, so every line it logs, errors and the
/// work it hands to background tasks included, names the request.
async fn request_span(request: Request, next: Next) -> Response {
    let id: Arc<str> = uuid::Uuid::new_v4().to_string().into();
    let span = tracing::info_span!("request", request_id = %id);
    REQUEST_ID
        .scope(id, next.run(request).instrument(span))
        .await
}

/// The process's metrics in the Prometheus text format.
async fn metrics() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::metrics::render(),
    )
        .into_response()
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// The hosted UI logo a UICustomization's ImageUrl points at (public, as on AWS's CDN).
async fn ui_asset(
    State(app): State<Arc<App>>,
    Path((pool, key, file)): Path<(String, String, String)>,
) -> Response {
    match crate::ops::ui_customization::ui_asset(&app, &pool, &key, &file).await {
        Ok(Some((bytes, content_type))) => {
            ([(header::CONTENT_TYPE, content_type)], bytes).into_response()
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// The pool's JWKS: its ID token key and its access token key.
async fn jwks(State(app): State<Arc<App>>, Path(pool): Path<String>) -> Response {
    well_known(crate::ops::tokens::jwks(&app, &pool).await)
}

/// The pool's OpenID discovery document; its issuer is the tokens' `iss`.
async fn openid_configuration(State(app): State<Arc<App>>, Path(pool): Path<String>) -> Response {
    well_known(crate::ops::tokens::openid_configuration(&app, &pool).await)
}

fn well_known(result: Result<serde_json::Value, ApiError>) -> Response {
    match result {
        Ok(doc) => Json(doc).into_response(),
        Err(e) if e.code == ErrorCode::ResourceNotFoundException => {
            protocol::error_response(e, StatusCode::NOT_FOUND)
        }
        Err(e) => protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// Wipes all state.
async fn reset(State(app): State<Arc<App>>) -> Response {
    match app.store.reset().await.or_internal() {
        Ok(()) => {
            app.outbox.clear();
            Json(serde_json::json!({ "reset": true })).into_response()
        }
        Err(e) => protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// The messages that would have gone to users, newest first; `?pool=..&username=..` filter.
async fn outbox(State(app): State<Arc<App>>, uri: axum::http::Uri) -> Response {
    let (mut pool, mut username) = (None, None);
    for pair in uri.query().unwrap_or_default().split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode(v);
        match k {
            "pool" => pool = Some(v),
            "username" => username = Some(v),
            _ => {}
        }
    }
    let mut messages = app.outbox.list(pool.as_deref(), username.as_deref());
    messages.reverse();
    Json(messages).into_response()
}

/// `%XX` and `+` of a query string value.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() && s.is_char_boundary(i + 3) => {
                match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn not_found(method: Method, uri: axum::http::Uri) -> Response {
    protocol::error_response(
        ApiError::new(
            ErrorCode::UnknownOperationException,
            format!("No such endpoint: {method} {}", uri.path()),
        ),
        StatusCode::NOT_FOUND,
    )
}

/// Browsers (Amplify, amazon-cognito-identity-js) preflight every call: answer any preflight,
/// and let every answer be read cross-origin with the headers the SDKs look at. Not so the
/// dev endpoints (they hold codes and wipe state): no CORS, and a browser's request, which
/// names its Origin, is refused, so no web page can read or call a developer's server; the
/// same holds for the metrics.
async fn cors(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with(crate::console::PATH) {
        // The console's pages are browsed: it checks the Origin of its forms itself.
        return next.run(request).await;
    }
    let private = path.starts_with("/_ironpool/") && !path.starts_with("/_ironpool/ui-assets/");
    if private || path == "/metrics" {
        if request.headers().contains_key(header::ORIGIN) {
            return StatusCode::FORBIDDEN.into_response();
        }
        return next.run(request).await;
    }
    let preflight = request.method() == Method::OPTIONS;
    let requested = request
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned();
    let mut response = if preflight {
        StatusCode::OK.into_response()
    } else {
        next.run(request).await
    };
    let h: &mut HeaderMap = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date"),
    );
    if preflight {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            requested.unwrap_or(HeaderValue::from_static(
                "content-type, x-amz-target, x-amz-user-agent, cache-control, authorization, x-amz-date, x-amz-security-token, x-amz-content-sha256",
            )),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
    }
    response
}
