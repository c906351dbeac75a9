//! What the authorization server's tests share: a pool with a domain and an app client set up
//! for the OAuth flows, and a browser-like HTTP client (cookies kept, redirects not followed,
//! forms read from the pages).

use crate::signin_support::Fixture;
use aws_sdk_cognitoidentityprovider::types::{OAuthFlowType, ResourceServerScopeType};
use reqwest::header::{HOST, LOCATION, SET_COOKIE};
use serde_json::Value;
use std::collections::BTreeMap;

pub const CALLBACK: &str = "http://localhost:3000/cb";
pub const LOGOUT: &str = "http://localhost:3000/out";

pub struct OAuth {
    pub f: Fixture,
    pub domain: String,
    /// Where the domain's endpoints are: `<server>/<pool id>`.
    pub base: String,
    pub secret: Option<String>,
}

impl OAuth {
    /// A pool with a domain and a public client allowing the code and implicit flows with
    /// openid, email, profile, phone and `api/read`.
    pub async fn new() -> Self {
        Self::with(false, |b| b).await
    }

    pub async fn with(
        secret: bool,
        customize: impl FnOnce(
            aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder,
        ) -> aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder,
    ) -> Self {
        Self::with_config(crate::harness::test_config(), secret, customize).await
    }

    /// [`OAuth::with`] on a server of `config`.
    pub async fn with_config(
        config: ironpool_server::config::Config,
        secret: bool,
        customize: impl FnOnce(
            aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder,
        ) -> aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder,
    ) -> Self {
        let f = Fixture::with_config(config, |b| {
            customize(
                b.generate_secret(secret)
                    .allowed_o_auth_flows_user_pool_client(true)
                    .allowed_o_auth_flows(OAuthFlowType::Code)
                    .allowed_o_auth_flows(OAuthFlowType::Implicit)
                    .allowed_o_auth_scopes("openid")
                    .allowed_o_auth_scopes("email")
                    .allowed_o_auth_scopes("profile")
                    .allowed_o_auth_scopes("phone")
                    .allowed_o_auth_scopes("aws.cognito.signin.user.admin")
                    .callback_urls(CALLBACK)
                    .logout_urls(LOGOUT)
                    .supported_identity_providers("COGNITO"),
            )
        })
        .await;
        // A random pool ID may spell a word Cognito reserves in domains (aws, amazon, cognito).
        let domain = format!("app-{}", f.pool.rsplit('_').next().unwrap().to_lowercase())
            .replace("aws", "a-ws");
        f.c.create_user_pool_domain()
            .user_pool_id(&f.pool)
            .domain(&domain)
            .send()
            .await
            .unwrap();
        f.c.create_resource_server()
            .user_pool_id(&f.pool)
            .identifier("api")
            .name("API")
            .scopes(
                ResourceServerScopeType::builder()
                    .scope_name("read")
                    .scope_description("read")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        let secret =
            f.c.describe_user_pool_client()
                .user_pool_id(&f.pool)
                .client_id(&f.client_id)
                .send()
                .await
                .unwrap()
                .user_pool_client()
                .unwrap()
                .client_secret()
                .map(str::to_owned);
        let base = format!("{}/{}", f.url(), f.pool);
        OAuth {
            f,
            domain,
            base,
            secret,
        }
    }

    /// The authorization request's URL with `extra` parameters.
    pub fn authorize_url(&self, extra: &[(&str, &str)]) -> String {
        let mut url = url::Url::parse(&format!("{}/oauth2/authorize", self.base)).unwrap();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.f.client_id)
            .append_pair("redirect_uri", CALLBACK)
            .append_pair("state", "st4te")
            .append_pair("scope", "openid email");
        for (k, v) in extra {
            let mut pairs: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(key, _)| key != k)
                .map(|(a, b)| (a.into_owned(), b.into_owned()))
                .collect();
            pairs.push((k.to_string(), v.to_string()));
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        url.to_string()
    }

    /// The host name of the domain (`<prefix>.auth.us-east-1.localhost:<port>`).
    pub fn host(&self) -> String {
        let port = self.f.url().rsplit(':').next().unwrap().to_owned();
        format!("{}.auth.us-east-1.localhost:{port}", self.domain)
    }

    /// A code for `username` (signed in with its password on the managed login page).
    pub async fn sign_in_for_code(
        &self,
        browser: &mut Browser,
        username: &str,
        extra: &[(&str, &str)],
    ) -> String {
        let location = browser
            .sign_in(
                &self.authorize_url(extra),
                username,
                crate::signin_support::PASSWORD,
            )
            .await;
        query_param(&location, "code").expect("a code")
    }

    /// The token endpoint's answer to `form` (the client's secret by HTTP Basic when it has one).
    pub async fn token(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let mut request = reqwest::Client::new()
            .post(format!("{}/oauth2/token", self.base))
            .form(form);
        if let Some(secret) = &self.secret {
            request = request.basic_auth(&self.f.client_id, Some(secret));
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Redeems `code` (with `verifier` when PKCE was used).
    pub async fn redeem(&self, code: &str, verifier: Option<&str>) -> (u16, Value) {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("client_id", self.f.client_id.as_str()),
        ];
        if let Some(v) = verifier {
            form.push(("code_verifier", v));
        }
        self.token(&form).await
    }
}

/// A query (or fragment) parameter of a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let (_, rest) = url.split_once(['?', '#'])?;
    url::form_urlencoded::parse(rest.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// An HTTP client that keeps cookies and shows redirects instead of following them.
pub struct Browser {
    http: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    /// The Host header to send (the domain's host name), if any.
    pub host: Option<String>,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub csp: Option<String>,
    pub body: String,
}

impl Page {
    pub fn headers_csp(&self) -> Option<String> {
        self.csp.clone()
    }

    /// The value of the form input `name`.
    pub fn input(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')?;
        Some(html_unescape(&self.body[start..start + end]))
    }

    /// The action of the page's form.
    pub fn action(&self) -> String {
        let marker = "action=\"";
        let start = self.body.find(marker).expect("a form") + marker.len();
        let end = self.body[start..].find('"').unwrap();
        html_unescape(&self.body[start..start + end])
    }

    /// The text of the error message, if the page shows one.
    pub fn error(&self) -> Option<String> {
        let marker = "role=\"alert\" id=\"error\">";
        let start = self.body.find(marker)? + marker.len();
        let end = self.body[start..].find('<')?;
        Some(html_unescape(&self.body[start..start + end]))
    }
}

pub fn html_unescape(text: &str) -> String {
    text.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    pub fn new() -> Self {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
            host: None,
        }
    }

    fn absolute(&self, base: &str, location: &str) -> String {
        url::Url::parse(base)
            .unwrap()
            .join(location)
            .unwrap()
            .to_string()
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let mut request = request;
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        if let Some(host) = &self.host {
            request = request.header(HOST, host);
        }
        let response = request.send().await.unwrap();
        let headers = response.headers().clone();
        for value in headers.get_all(SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        Page {
            status: response.status().as_u16(),
            location: headers
                .get(LOCATION)
                .map(|l| l.to_str().unwrap().to_owned()),
            csp: headers
                .get("content-security-policy")
                .map(|v| v.to_str().unwrap().to_owned()),
            body: response.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, url: &str) -> Page {
        let request = self.http.get(url);
        self.send(request).await
    }

    pub async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> Page {
        let request = self.http.post(url).form(form);
        self.send(request).await
    }

    /// Follows redirects from `url` until a page (or a redirect off the server).
    pub async fn follow(&mut self, url: &str) -> (String, Page) {
        let mut url = url.to_owned();
        loop {
            let page = self.get(&url).await;
            match &page.location {
                Some(location) => {
                    let next = self.absolute(&url, location);
                    if next.starts_with("http://localhost:3000") {
                        return (next, page);
                    }
                    url = next;
                }
                None => return (url, page),
            }
        }
    }

    /// Posts the page's form (its hidden inputs and `fields`) and returns the answer.
    pub async fn submit(&mut self, page_url: &str, page: &Page, fields: &[(&str, &str)]) -> Page {
        let action = self.absolute(page_url, &page.action());
        let mut form: Vec<(String, String)> = Vec::new();
        for name in ["_csrf", "challenge", "session", "username"] {
            if fields.iter().any(|(k, _)| *k == name) {
                continue;
            }
            if let Some(v) = page.input(name) {
                if page
                    .body
                    .contains(&format!("type=\"hidden\" name=\"{name}\""))
                {
                    form.push((name.into(), v));
                }
            }
        }
        form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.post(&action, &pairs).await
    }

    /// Signs in on the managed login page `authorize` leads to; the redirect back to the app.
    pub async fn sign_in(&mut self, authorize: &str, username: &str, password: &str) -> String {
        let (url, page) = self.follow(authorize).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let answer = self
            .submit(
                &url,
                &page,
                &[("username", username), ("password", password)],
            )
            .await;
        assert_eq!(answer.status, 302, "{}", answer.body);
        answer.location.unwrap()
    }
}
