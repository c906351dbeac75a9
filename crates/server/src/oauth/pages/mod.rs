//! The managed login pages: server-rendered forms (auto-escaping templates, no JavaScript
//! needed), each a thin caller of the same operations the API has, so the sign-in pipeline,
//! lockout, PreventUserExistenceErrors and the triggers apply unchanged. Every form carries a
//! CSRF token that must match the `XSRF-TOKEN` cookie (double submit).

pub(crate) mod forgot;
mod i18n;
pub(crate) mod login;
pub(crate) mod signup;

use super::grant::{cookie, read_cookie};
use super::request::{AuthRequest, Params, Refusal};
use super::site::Site;
use crate::app::App;
use crate::ops::client_documents::StoredClient;
use crate::protocol;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use ironpool_api::types::{
    AssetCategoryType, AssetExtensionType, GetUICustomizationRequest, ManagedLoginBrandingType,
};
use ironpool_api::{validate, ApiError, Operation, Sensitive};
use minijinja::Environment;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::sync::{Arc, LazyLock};

/// The templates, parsed once (`.html` names escape every value).
static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in [
        ("layout.html", include_str!("../templates/layout.html")),
        ("form.html", include_str!("../templates/form.html")),
        ("error.html", include_str!("../templates/error.html")),
    ] {
        // The templates are part of the binary: a syntax error fails the unit test below.
        let _ = env.add_template(name, source);
    }
    // `{{ "text"|t }}`: a template's own text in the page's language.
    env.add_filter("t", |state: &minijinja::State, text: String| {
        let lang = state.lookup("lang");
        i18n::translate(
            lang.as_ref().and_then(|l| l.as_str()).unwrap_or("en"),
            &text,
        )
        .unwrap_or(text)
    });
    env
});

const CSRF_COOKIE: &str = "XSRF-TOKEN";

/// One input of a form.
#[derive(Serialize, Default, Clone)]
pub(crate) struct Field {
    pub name: String,
    pub label: String,
    pub kind: &'static str,
    pub value: String,
    pub autocomplete: &'static str,
    pub inputmode: Option<&'static str>,
    pub required: bool,
    pub choices: Vec<Choice>,
}

impl Field {
    pub fn new(name: &str, label: &str, kind: &'static str, autocomplete: &'static str) -> Self {
        Field {
            name: name.into(),
            label: label.into(),
            kind,
            autocomplete,
            required: true,
            ..Field::default()
        }
    }

    /// A one-time code input.
    pub fn code(name: &str, label: &str) -> Self {
        Field {
            inputmode: Some("numeric"),
            ..Field::new(name, label, "text", "one-time-code")
        }
    }

    pub fn with_value(mut self, value: &str) -> Self {
        self.value = value.into();
        self
    }
}

#[derive(Serialize, Clone)]
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Serialize, Clone)]
pub(crate) struct Link {
    pub text: String,
    pub label: String,
    pub href: String,
}

/// A form page.
#[derive(Serialize, Default)]
pub(crate) struct Form {
    pub title: String,
    pub description: Option<String>,
    pub error: Option<String>,
    pub info: Option<String>,
    pub action: String,
    pub hidden: Vec<(String, String)>,
    pub fields: Vec<Field>,
    pub submit: String,
    pub links: Vec<Link>,
    /// Sign-in buttons of identity providers.
    pub providers: Vec<Link>,
    pub qr: Option<String>,
    pub secret: Option<String>,
    /// A passkey sign-in: the WebAuthn request options (JSON) the page hands the browser.
    pub passkey: Option<String>,
}

/// What every page shows of the pool: its name, and the UI customization (CSS, logo) of the
/// app client, else of the pool.
#[derive(Serialize)]
struct Frame {
    lang: String,
    pool_name: String,
    custom_css: Option<String>,
    logo: Option<String>,
    csrf: String,
}

/// The CSS a pool set, made unable to end its `<style>` element.
fn contained_css(css: &str) -> String {
    css.replace('<', "\\3C ")
}

async fn frame(app: &App, site: &Site, client_id: Option<&str>, lang: &str, csrf: &str) -> Frame {
    let pool = &site.pool;
    let pool_id = pool.id.clone().unwrap_or_default();
    let (custom_css, logo) = match client_id {
        Some(id) if site.managed_login_version >= 2 => {
            let style = crate::ops::managed_login_branding::style_of(app, &pool_id, id)
                .await
                .ok()
                .flatten();
            style.map(|s| branding(&s)).unwrap_or_default()
        }
        Some(id) => {
            let custom = crate::ops::ui_customization::get_ui_customization(
                app,
                GetUICustomizationRequest {
                    user_pool_id: pool_id,
                    client_id: Some(Sensitive(id.to_owned())),
                },
            )
            .await
            .ok()
            .map(|r| r.ui_customization);
            (
                custom
                    .as_ref()
                    .and_then(|c| c.css.as_deref())
                    .map(contained_css),
                custom.and_then(|c| c.image_url),
            )
        }
        None => (None, None),
    };
    Frame {
        lang: lang.to_owned(),
        pool_name: pool.name.clone().unwrap_or_default(),
        custom_css,
        logo,
        csrf: csrf.to_owned(),
    }
}

/// A color of managed login branding (`RRGGBB` or `RRGGBBAA`) as CSS.
fn branding_color(value: &serde_json::Value) -> Option<String> {
    let hex = value.as_str()?;
    (matches!(hex.len(), 6 | 8) && hex.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| format!("#{hex}"))
}

/// The CSS and logo of an app client's managed login branding: its page background, form
/// background and primary button colors (light mode), and its FORM_LOGO asset.
fn branding(style: &ManagedLoginBrandingType) -> (Option<String>, Option<String>) {
    let settings = style.settings.clone().unwrap_or_default();
    let components = &settings["components"];
    let mut css = String::new();
    let rules = [
        (
            &components["pageBackground"]["lightMode"]["color"],
            "body",
            "background",
        ),
        (
            &components["form"]["lightMode"]["backgroundColor"],
            ".background-customizable",
            "background",
        ),
        (
            &components["primaryButton"]["lightMode"]["defaults"]["backgroundColor"],
            ".submitButton-customizable",
            "background",
        ),
        (
            &components["primaryButton"]["lightMode"]["defaults"]["textColor"],
            ".submitButton-customizable",
            "color",
        ),
    ];
    for (value, selector, property) in rules {
        if let Some(color) = branding_color(value) {
            css.push_str(&format!("{selector}{{{property}:{color}}}\n"));
        }
    }
    let logo = style
        .assets
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find_map(|a| {
            let kind = match a.extension {
                AssetExtensionType::Png => "image/png",
                AssetExtensionType::Jpeg => "image/jpeg",
                AssetExtensionType::Svg => "image/svg+xml",
                _ => return None,
            };
            (a.category == AssetCategoryType::FormLogo)
                .then(|| a.bytes.as_ref().map(|b| format!("data:{kind};base64,{b}")))
                .flatten()
        });
    ((!css.is_empty()).then_some(css), logo)
}

/// The request's CSRF token, or a new one (then set as a cookie with the page).
fn csrf_token(app: &App, headers: &HeaderMap) -> (String, bool) {
    match read_cookie(headers, CSRF_COOKIE).filter(|t| t.len() >= 32) {
        Some(token) => (token.to_owned(), false),
        None => {
            let mut raw = [0u8; 32];
            app.rng.fill(&mut raw);
            (B64URL.encode(raw), true)
        }
    }
}

/// Whether a posted form carries the CSRF token of its cookie.
pub(crate) fn csrf_holds(headers: &HeaderMap, form: &Value) -> bool {
    let given = form["_csrf"].as_str().unwrap_or("");
    match read_cookie(headers, CSRF_COOKIE) {
        Some(cookie) if cookie.len() >= 32 => {
            subtle::ConstantTimeEq::ct_eq(cookie.as_bytes(), given.as_bytes()).into()
        }
        _ => false,
    }
}

/// The message a page shows when a form came without its CSRF token.
pub(crate) const CSRF_MESSAGE: &str = "Your session has expired. Please try again.";

/// Renders `template` with the page frame and `page`'s values.
pub(crate) async fn render(
    app: &App,
    site: &Site,
    headers: &HeaderMap,
    client_id: Option<&str>,
    lang: Option<&str>,
    (status, template): (StatusCode, &str),
    page: impl Serialize,
) -> Response {
    let (csrf, fresh) = csrf_token(app, headers);
    let (lang, lang_cookie) = i18n::choose(site, lang, headers);
    let frame = frame(app, site, client_id, lang, &csrf).await;
    let mut page = serde_json::to_value(page).unwrap_or_default();
    i18n::localize(lang, &mut page);
    let rendered = TEMPLATES
        .get_template(template)
        .and_then(|t| t.render(minijinja::context! { ..minijinja::Value::from_serialize(&frame), ..minijinja::Value::from_serialize(&page) }));
    let mut response = match rendered {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, template, "page rendering failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    };
    let headers = response.headers_mut();
    if fresh {
        headers.append(header::SET_COOKIE, cookie(site, CSRF_COOKIE, &csrf, 86_400));
    }
    if let Some(lang_cookie) = lang_cookie {
        headers.append(header::SET_COOKIE, lang_cookie);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'self'; img-src * data:; style-src 'unsafe-inline'; frame-ancestors 'none'"),
    );
    response
}

/// A form page.
pub(crate) async fn form(
    app: &App,
    site: &Site,
    headers: &HeaderMap,
    request: &AuthRequest,
    lang: Option<&str>,
    page: Form,
) -> Response {
    let status = if page.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render(
        app,
        site,
        headers,
        Some(&request.client_id),
        lang,
        (status, "form.html"),
        page,
    )
    .await
}

/// The error page (`/error`, and refused requests that may not be redirected).
pub(crate) async fn error_page(
    app: &App,
    site: &Site,
    headers: &HeaderMap,
    error: Option<&str>,
) -> Response {
    #[derive(Serialize)]
    struct Page<'a> {
        title: &'a str,
        message: &'a str,
        error: Option<&'a str>,
    }
    let page = Page {
        title: "An error was encountered with the requested page.",
        message: match error {
            Some("redirect_mismatch") => {
                "The redirect URI is not one of the app client's callback URLs."
            }
            Some("invalid_request") => "The app client is missing or not of this user pool.",
            _ => "Please go back and try again.",
        },
        error,
    };
    render(
        app,
        site,
        headers,
        None,
        None,
        (StatusCode::BAD_REQUEST, "error.html"),
        page,
    )
    .await
}

/// `GET /passkey.js`: the script of the passkey button (served, not inline: the pages'
/// Content-Security-Policy allows only scripts of their origin).
pub(crate) async fn passkey_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../templates/passkey.js"),
    )
        .into_response()
}

/// `GET /error`.
pub(crate) async fn error(
    State(app): State<Arc<App>>,
    site: Site,
    headers: HeaderMap,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    error_page(
        &app,
        &site,
        &headers,
        query.get("error").map(String::as_str),
    )
    .await
}

/// A refused authorization request: a redirect, or the error page.
pub(crate) async fn refused(
    app: &App,
    site: &Site,
    headers: &HeaderMap,
    params: &Params,
    refusal: Refusal,
) -> Response {
    match refusal {
        Refusal::Internal(e) => protocol::error_response(e, StatusCode::INTERNAL_SERVER_ERROR),
        Refusal::Page(error) => error_page(app, site, headers, Some(error)).await,
        redirect => match redirect.location(site, params.client_id.as_deref()) {
            Some(location) => super::grant::redirect(&location, Vec::new()),
            None => error_page(app, site, headers, None).await,
        },
    }
}

/// Calls an operation the way the API would, its input checked against the model first.
pub(crate) async fn call<I, O, F>(
    op: Operation,
    input: Value,
    handler: impl FnOnce(I) -> F,
) -> Result<O, ApiError>
where
    I: DeserializeOwned,
    F: std::future::Future<Output = Result<O, ApiError>>,
{
    validate(op, &input)?;
    let input: I =
        serde_json::from_value(input).map_err(|e| ApiError::invalid_parameter(e.to_string()))?;
    handler(input).await
}

/// The SECRET_HASH the pages send for a client with a secret (the pages are the client).
pub(crate) fn secret_hash(
    client: &StoredClient,
    client_id: &str,
    username: &str,
) -> Option<String> {
    client
        .active_secrets()
        .first()
        .map(|secret| ironpool_core::secret_hash::compute(secret, username, client_id))
}

/// The query string of the authorization request, to carry from page to page.
pub(crate) fn query_of(params: &Params) -> String {
    serde_urlencoded::to_string(params).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse_and_escape() {
        for name in ["layout.html", "form.html", "error.html"] {
            assert!(TEMPLATES.get_template(name).is_ok(), "{name}");
        }
        let page = Form {
            title: "<b>x</b>".into(),
            ..Form::default()
        };
        let html = TEMPLATES
            .get_template("form.html")
            .unwrap()
            .render(minijinja::Value::from_serialize(&page))
            .unwrap();
        assert!(html.contains("&lt;b&gt;x&lt;&#x2f;b&gt;"), "{html}");
        assert!(!html.contains("<b>x</b>"));
    }

    #[test]
    fn css_cannot_close_its_element() {
        assert_eq!(
            contained_css(".a{} </style><script>"),
            ".a{} \\3C /style>\\3C script>"
        );
    }
}
