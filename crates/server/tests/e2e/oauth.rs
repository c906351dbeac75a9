//! The authorization server of a pool's domain, driven as a browser and an OAuth client would:
//! the managed sign-in page, the authorization code with PKCE, the token endpoint's grants and
//! errors, userInfo, revocation, the SSO session and sign-out, and the domain's host name.

use crate::oauth_support::{query_param, Browser, OAuth, CALLBACK, LOGOUT};
use crate::signin_support::{decode, PASSWORD};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use sha2::{Digest, Sha256};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn challenge() -> String {
    B64URL.encode(Sha256::digest(VERIFIER.as_bytes()))
}

#[tokio::test]
async fn code_flow_with_pkce_gives_tokens_userinfo_refresh_and_revocation() {
    let o = OAuth::new().await;
    let user =
        o.f.user(
            "alice",
            &[
                ("email", "alice@example.com"),
                ("email_verified", "true"),
                ("name", "Alice"),
            ],
        )
        .await;
    let mut browser = Browser::new();

    // The authorization request leads to the sign-in page, which carries its parameters.
    let authorize = o.authorize_url(&[
        ("code_challenge", &challenge()),
        ("code_challenge_method", "S256"),
        ("nonce", "n0nce"),
    ]);
    let first = browser.get(&authorize).await;
    assert_eq!(first.status, 302);
    let login = first.location.clone().unwrap();
    assert!(
        login.starts_with(&format!("/{}/login?", o.f.pool)),
        "{login}"
    );
    let login_url = format!("{}{login}", o.f.url());
    let page = browser.get(&login_url).await;
    assert_eq!(page.status, 200);
    assert!(page
        .body
        .contains("<label class=\"label-customizable\" for=\"username\">Username</label>"));
    assert!(page.body.contains("autocomplete=\"current-password\""));
    assert!(browser.cookies.contains_key("XSRF-TOKEN"));

    // A form without its CSRF token is refused; a wrong password says what the API says.
    let forged = browser
        .post(
            &login_url,
            &[
                ("username", "alice"),
                ("password", PASSWORD),
                ("_csrf", "x"),
            ],
        )
        .await;
    assert_eq!(forged.status, 400);
    assert_eq!(
        forged.error().as_deref(),
        Some("Your session has expired. Please try again.")
    );
    let wrong = browser
        .submit(
            &login_url,
            &page,
            &[("username", "alice"), ("password", "Wrong-horse-1")],
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(
        wrong.error().as_deref(),
        Some("Incorrect username or password.")
    );

    let back = browser
        .submit(
            &login_url,
            &page,
            &[("username", "alice"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(back.status, 302, "{}", back.body);
    let location = back.location.unwrap();
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")),
        "{location}"
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some("st4te"));
    let code = query_param(&location, "code").unwrap();
    assert!(
        browser.cookies.contains_key("cognito"),
        "the SSO session starts"
    );

    // A wrong verifier spends the code; the right one must come with a new code.
    let (status, body) = o.redeem(&code, Some("x".repeat(43).as_str())).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, body) = o.redeem(&code, Some(VERIFIER)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "single use"
    );

    let code = o
        .sign_in_for_code(
            &mut Browser::new(),
            "alice",
            &[
                ("code_challenge", &challenge()),
                ("code_challenge_method", "S256"),
                ("nonce", "n0nce"),
            ],
        )
        .await;
    let (status, tokens) = o.redeem(&code, None).await;
    assert_eq!(
        (status, tokens["error"].as_str()),
        (400, Some("invalid_grant")),
        "PKCE needs its verifier"
    );
    let code = o
        .sign_in_for_code(
            &mut Browser::new(),
            "alice",
            &[
                ("code_challenge", &challenge()),
                ("code_challenge_method", "S256"),
                ("nonce", "n0nce"),
            ],
        )
        .await;
    let (status, tokens) = o.redeem(&code, Some(VERIFIER)).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    let (_, id) = decode(tokens["id_token"].as_str().unwrap());
    let (_, access) = decode(tokens["access_token"].as_str().unwrap());
    assert_eq!(id["sub"], user.sub.as_str());
    assert_eq!(id["aud"], o.f.client_id.as_str());
    assert_eq!(id["nonce"], "n0nce");
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["token_use"], "id");
    let expected_at_hash =
        B64URL.encode(&Sha256::digest(tokens["access_token"].as_str().unwrap().as_bytes())[..16]);
    assert_eq!(id["at_hash"], expected_at_hash.as_str());
    assert_eq!(access["scope"], "openid email");
    assert_eq!(access["client_id"], o.f.client_id.as_str());
    assert_eq!(access["username"], "alice");
    let (status, again) = o.redeem(&code, Some(VERIFIER)).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // userInfo: the scopes' attributes, strings as Cognito's.
    let info: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/oauth2/userInfo", o.base))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        info,
        serde_json::json!({"sub": user.sub, "email": "alice@example.com", "email_verified": "true", "username": "alice"})
    );
    let refused = reqwest::Client::new()
        .get(format!("{}/oauth2/userInfo", o.base))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert!(refused.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer error=\"invalid_token\""));

    // The refresh token keeps the sign-in's scopes.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, refreshed) = o
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", &o.f.client_id),
        ])
        .await;
    assert_eq!(status, 200, "{refreshed}");
    let (_, access) = decode(refreshed["access_token"].as_str().unwrap());
    assert_eq!(access["scope"], "openid email");
    assert!(refreshed.get("refresh_token").is_none(), "no rotation");
    assert!(refreshed["id_token"].is_string());

    // The API's access token works with the API too, and the revocation endpoint ends it all.
    let revoked = reqwest::Client::new()
        .post(format!("{}/oauth2/revoke", o.base))
        .form(&[("token", refresh), ("client_id", &o.f.client_id)])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let (status, body) = o
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", &o.f.client_id),
        ])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn the_sso_session_skips_the_form_until_logout_or_prompt_login() {
    let o = OAuth::new().await;
    o.f.user("bob", &[]).await;
    let mut browser = Browser::new();
    browser
        .sign_in(&o.authorize_url(&[]), "bob", PASSWORD)
        .await;

    let again = browser.get(&o.authorize_url(&[("state", "two")])).await;
    assert_eq!(again.status, 302);
    let location = again.location.unwrap();
    assert!(location.starts_with(CALLBACK), "{location}");
    assert_eq!(query_param(&location, "state").as_deref(), Some("two"));
    let (status, tokens) = o
        .redeem(&query_param(&location, "code").unwrap(), None)
        .await;
    assert_eq!(status, 200, "{tokens}");

    let forced = browser.get(&o.authorize_url(&[("prompt", "login")])).await;
    assert!(
        forced.location.unwrap().contains("/login?"),
        "prompt=login shows the form"
    );

    // Sign-out: only to a listed logout URL; then the form again, and prompt=none says so.
    let off_list = browser
        .get(&format!(
            "{}/logout?client_id={}&logout_uri=http://evil.example/",
            o.base, o.f.client_id
        ))
        .await;
    assert_eq!(off_list.status, 400);
    let out = browser
        .get(&format!(
            "{}/logout?client_id={}&logout_uri={LOGOUT}",
            o.base, o.f.client_id
        ))
        .await;
    assert_eq!((out.status, out.location.as_deref()), (302, Some(LOGOUT)));
    assert!(!browser.cookies.contains_key("cognito"));
    let after = browser.get(&o.authorize_url(&[])).await;
    assert!(after.location.unwrap().contains("/login?"));
    let none = browser.get(&o.authorize_url(&[("prompt", "none")])).await;
    assert_eq!(
        none.location.as_deref(),
        Some(format!("{CALLBACK}?error=login_required&state=st4te").as_str())
    );
}

#[tokio::test]
async fn bad_authorization_requests_get_cognito_answers() {
    let o = OAuth::new().await;
    let mut browser = Browser::new();
    let unknown = browser
        .get(&o.authorize_url(&[("client_id", "nope")]))
        .await;
    assert_eq!(unknown.status, 400);
    assert!(unknown
        .body
        .contains("An error was encountered with the requested page."));
    let mismatch = browser
        .get(&o.authorize_url(&[("redirect_uri", "http://localhost:3000/other")]))
        .await;
    assert_eq!(
        mismatch.status, 400,
        "nothing goes to an unlisted redirect URI"
    );
    let redirected = |extra: &[(&str, &str)]| o.authorize_url(extra);
    let cases: [(&[(&str, &str)], &str); 3] = [
        (
            &[("response_type", "id_token")],
            "error=unsupported_response_type&state=st4te",
        ),
        (
            &[("scope", "openid api/write")],
            "error=invalid_scope&state=st4te",
        ),
        (
            &[("code_challenge_method", "S512"), ("code_challenge", "abc")],
            "error=invalid_request",
        ),
    ];
    for (extra, expected) in cases {
        let page = browser.get(&redirected(extra)).await;
        assert_eq!(page.status, 302, "{extra:?}");
        let location = page.location.unwrap();
        assert!(
            location.starts_with(&format!("{CALLBACK}?{expected}")),
            "{extra:?}: {location}"
        );
    }

    // The token endpoint's OAuth errors.
    let (status, body) = o.token(&[("grant_type", "password")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, body) = o
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", "nope"),
            ("code", "x"),
            ("redirect_uri", CALLBACK),
        ])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_client"))
    );
    let (status, body) = o
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &o.f.client_id),
            ("code", "x"),
            ("redirect_uri", CALLBACK),
        ])
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let json_body = reqwest::Client::new()
        .post(format!("{}/oauth2/token", o.base))
        .json(&serde_json::json!({"grant_type": "authorization_code"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body.status(), 400);
    assert_eq!(
        json_body.json::<serde_json::Value>().await.unwrap()["error"],
        "invalid_request"
    );
}

#[tokio::test]
async fn a_confidential_client_authenticates_and_the_implicit_flow_returns_a_fragment() {
    let o = OAuth::with(true, |b| b).await;
    o.f.user("carol", &[]).await;
    let code = o
        .sign_in_for_code(&mut Browser::new(), "carol", &[("scope", "openid")])
        .await;
    // Without the secret, or with a wrong one: invalid_client.
    let no_secret = reqwest::Client::new()
        .post(format!("{}/oauth2/token", o.base))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("client_id", &o.f.client_id),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(no_secret.status(), 400);
    assert_eq!(
        no_secret.json::<serde_json::Value>().await.unwrap()["error"],
        "invalid_client"
    );
    // The secret in the body (client_secret_post) works as HTTP Basic does.
    let code = o
        .sign_in_for_code(&mut Browser::new(), "carol", &[("scope", "openid")])
        .await;
    let posted: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/oauth2/token", o.base))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("client_id", &o.f.client_id),
            ("client_secret", o.secret.as_deref().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(posted["access_token"].is_string(), "{posted}");

    let location = Browser::new()
        .sign_in(
            &o.authorize_url(&[("response_type", "token"), ("scope", "openid profile")]),
            "carol",
            PASSWORD,
        )
        .await;
    assert!(
        location.starts_with(&format!("{CALLBACK}#id_token=")),
        "{location}"
    );
    let access = query_param(&location, "access_token").unwrap();
    assert_eq!(decode(&access).1["scope"], "openid profile");
    assert_eq!(
        query_param(&location, "token_type").as_deref(),
        Some("Bearer")
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some("st4te"));
    assert!(query_param(&location, "refresh_token").is_none());
}

#[tokio::test]
async fn the_domain_answers_at_its_host_and_discovery_lists_its_endpoints() {
    let o = OAuth::new().await;
    o.f.user("dave", &[]).await;
    let mut browser = Browser::new();
    browser.host = Some(o.host());
    let authorize = o
        .authorize_url(&[])
        .replace(&format!("/{}/oauth2", o.f.pool), "/oauth2");
    let first = browser.get(&authorize).await;
    assert_eq!(first.status, 302);
    assert!(first.location.as_deref().unwrap().starts_with("/login?"));
    let location = browser.sign_in(&authorize, "dave", PASSWORD).await;
    assert!(location.starts_with(CALLBACK));

    let mut other = Browser::new();
    other.host = Some("nobody.auth.us-east-1.localhost".into());
    assert_eq!(other.get(&authorize).await.status, 404);

    let discovery: serde_json::Value =
        reqwest::get(format!("{}/.well-known/openid-configuration", o.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(
        discovery["authorization_endpoint"],
        format!("{}/oauth2/authorize", o.base)
    );
    assert_eq!(
        discovery["token_endpoint"],
        format!("{}/oauth2/token", o.base)
    );
    assert_eq!(
        discovery["userinfo_endpoint"],
        format!("{}/oauth2/userInfo", o.base)
    );
    assert_eq!(
        discovery["revocation_endpoint"],
        format!("{}/oauth2/revoke", o.base)
    );
    assert_eq!(
        discovery["end_session_endpoint"],
        format!("{}/logout", o.base)
    );
    assert_eq!(
        discovery["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic", "client_secret_post"])
    );
}
