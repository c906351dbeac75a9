//! The managed login pages walked as a browser walks them: setting up an authenticator app
//! from its QR code and signing in with it, a new password, sign-up with confirmation, a
//! forgotten password; the same answers as the API for unknown users and lockout; the pool's
//! UI customization on the page.

use crate::oauth_support::{query_param, Browser, OAuth, CALLBACK};
use crate::signin_support::PASSWORD;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, PreventUserExistenceErrorTypes, SoftwareTokenMfaConfigType, UserPoolMfaType,
    VerifiedAttributeType,
};
use totp_rs::{Algorithm, Secret, TOTP};

fn totp(o: &OAuth, secret: &str) -> String {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes)
        .unwrap()
        .generate(o.f.app().now() as u64)
}

/// The newest code sent to `username`.
fn sent_code(o: &OAuth, username: &str) -> String {
    o.f.app()
        .outbox
        .list(Some(&o.f.pool), Some(username))
        .last()
        .expect("a message")
        .code
        .clone()
}

/// Follows `authorize` to the sign-in page and posts the password; the URL and answer.
async fn password(
    o: &OAuth,
    browser: &mut Browser,
    username: &str,
    password: &str,
) -> (String, crate::oauth_support::Page) {
    let (url, page) = browser.follow(&o.authorize_url(&[])).await;
    let answer = browser
        .submit(
            &url,
            &page,
            &[("username", username), ("password", password)],
        )
        .await;
    (url, answer)
}

#[tokio::test]
async fn an_authenticator_app_is_set_up_from_the_qr_code_and_then_asked_for() {
    let o = OAuth::new().await;
    o.f.c
        .set_user_pool_mfa_config()
        .user_pool_id(&o.f.pool)
        .mfa_configuration(UserPoolMfaType::On)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .unwrap();
    o.f.user("erin", &[]).await;
    let mut browser = Browser::new();
    let (url, setup) = password(&o, &mut browser, "erin", PASSWORD).await;
    assert_eq!(setup.status, 200, "{}", setup.body);
    assert!(setup.body.contains("Set up an authenticator app"));
    assert!(setup.body.contains("<svg"), "a QR code");
    let secret = {
        let start = setup.body.find("id=\"secret\">").unwrap() + "id=\"secret\">".len();
        setup.body[start..start + setup.body[start..].find('<').unwrap()].to_owned()
    };
    let wrong = browser.submit(&url, &setup, &[("code", "000000")]).await;
    assert_eq!(wrong.status, 400);
    assert!(wrong.error().is_some());
    // The setup starts again with a new secret.
    let (url, setup) = password(&o, &mut browser, "erin", PASSWORD).await;
    let secret2 = {
        let start = setup.body.find("id=\"secret\">").unwrap() + "id=\"secret\">".len();
        setup.body[start..start + setup.body[start..].find('<').unwrap()].to_owned()
    };
    assert_ne!(secret, secret2);
    let done = browser
        .submit(&url, &setup, &[("code", &totp(&o, &secret2))])
        .await;
    assert_eq!(done.status, 302, "{}", done.body);
    assert!(done
        .location
        .unwrap()
        .starts_with(&format!("{CALLBACK}?code=")));

    // Next time (no SSO session): the code from the app is asked for.
    o.f.advance(30);
    let mut browser = Browser::new();
    let (url, challenge) = password(&o, &mut browser, "erin", PASSWORD).await;
    assert_eq!(challenge.status, 200, "{}", challenge.body);
    assert!(challenge
        .body
        .contains("Enter the code from your authenticator app."));
    assert!(challenge.body.contains("autocomplete=\"one-time-code\""));
    let wrong = browser
        .submit(&url, &challenge, &[("code", "000000")])
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(
        wrong.error().as_deref(),
        Some("Invalid code received for user")
    );
    assert!(
        wrong.body.contains("autocomplete=\"current-password\""),
        "a wrong code ends the session: the sign-in starts over"
    );
    let (url, challenge) = password(&o, &mut browser, "erin", PASSWORD).await;
    let done = browser
        .submit(&url, &challenge, &[("code", &totp(&o, &secret2))])
        .await;
    assert_eq!(done.status, 302, "{}", done.body);
    let location = done.location.unwrap();
    let (status, tokens) = o
        .redeem(&query_param(&location, "code").unwrap(), None)
        .await;
    assert_eq!(status, 200, "{tokens}");
}

#[tokio::test]
async fn a_temporary_password_is_changed_on_the_page() {
    let o = OAuth::new().await;
    o.f.c
        .admin_create_user()
        .user_pool_id(&o.f.pool)
        .username("frank")
        .temporary_password("Temp-pass-123")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let mut browser = Browser::new();
    let (url, page) = password(&o, &mut browser, "frank", "Temp-pass-123").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Change password"));
    let weak = browser
        .submit(&url, &page, &[("new_password", "short")])
        .await;
    assert_eq!(weak.status, 400);
    assert!(
        weak.error()
            .unwrap()
            .starts_with("Password did not conform with policy"),
        "{:?}",
        weak.error()
    );
    let (url, page) = password(&o, &mut browser, "frank", "Temp-pass-123").await;
    let done = browser
        .submit(&url, &page, &[("new_password", "New-horse-77")])
        .await;
    assert_eq!(done.status, 302, "{}", done.body);
    let user =
        o.f.c
            .admin_get_user()
            .user_pool_id(&o.f.pool)
            .username("frank")
            .send()
            .await
            .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "CONFIRMED");
}

#[tokio::test]
async fn sign_up_is_confirmed_with_the_sent_code_then_the_user_signs_in() {
    let o = OAuth::new().await;
    o.f.c
        .update_user_pool()
        .user_pool_id(&o.f.pool)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap();
    let mut browser = Browser::new();
    let (url, login) = browser.follow(&o.authorize_url(&[])).await;
    let signup_link = {
        let start = login.body.find("Need an account?").unwrap();
        let href = &login.body[start..];
        let s = href.find("href=\"").unwrap() + 6;
        crate::oauth_support::html_unescape(&href[s..s + href[s..].find('"').unwrap()])
    };
    let signup_url = url::Url::parse(&url)
        .unwrap()
        .join(&signup_link)
        .unwrap()
        .to_string();
    let signup = browser.get(&signup_url).await;
    assert_eq!(signup.status, 200);
    let taken = browser
        .submit(
            &signup_url,
            &signup,
            &[("username", "gina"), ("password", "weak")],
        )
        .await;
    assert_eq!(taken.status, 400);
    assert!(
        taken
            .error()
            .unwrap()
            .contains("Password did not conform with policy"),
        "{:?}",
        taken.error()
    );
    let confirm = browser
        .submit(
            &signup_url,
            &signup,
            &[
                ("username", "gina"),
                ("password", PASSWORD),
                ("attr.email", "gina@example.com"),
            ],
        )
        .await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(
        confirm.body.contains("We sent a code to g***@e***"),
        "{}",
        confirm.body
    );
    let wrong = browser
        .submit(&signup_url, &confirm, &[("code", "000000")])
        .await;
    assert_eq!(
        wrong.error().as_deref(),
        Some("Invalid verification code provided, please try again.")
    );
    let code = sent_code(&o, "gina");
    let signed_up = browser
        .submit(&signup_url, &confirm, &[("code", &code)])
        .await;
    assert_eq!(signed_up.status, 200, "{}", signed_up.body);
    assert!(signed_up
        .body
        .contains("Your account is confirmed. Sign in to continue."));
    let back = browser
        .submit(
            &signup_url,
            &signed_up,
            &[("username", "gina"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(back.status, 302, "{}", back.body);
    assert!(back.location.unwrap().starts_with(CALLBACK));
}

#[tokio::test]
async fn a_forgotten_password_is_reset_with_the_sent_code() {
    let o = OAuth::new().await;
    o.f.user(
        "hank",
        &[("email", "hank@example.com"), ("email_verified", "true")],
    )
    .await;
    let mut browser = Browser::new();
    let (url, _) = browser.follow(&o.authorize_url(&[])).await;
    let forgot_url = url.replace("/login?", "/forgotPassword?");
    let forgot = browser.get(&forgot_url).await;
    assert_eq!(forgot.status, 200);
    let reset = browser
        .submit(&forgot_url, &forgot, &[("username", "hank")])
        .await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert!(
        reset.body.contains("We sent a code to h***@e***"),
        "{}",
        reset.body
    );
    let code = sent_code(&o, "hank");
    let done = browser
        .submit(
            &forgot_url,
            &reset,
            &[("code", &code), ("password", "Brand-new-pass-9")],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Your password has been reset."));
    let back = browser
        .submit(
            &forgot_url,
            &done,
            &[("username", "hank"), ("password", "Brand-new-pass-9")],
        )
        .await;
    assert_eq!(back.status, 302, "{}", back.body);
}

#[tokio::test]
async fn unknown_users_and_lockout_answer_as_the_api_does() {
    let o = OAuth::with(false, |b| {
        b.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
    })
    .await;
    o.f.user("ivy", &[]).await;
    let mut browser = Browser::new();
    let (_, unknown) = password(&o, &mut browser, "nobody", PASSWORD).await;
    let (_, wrong) = password(&o, &mut browser, "ivy", "Wrong-horse-1").await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.error(), wrong.error());
    assert_eq!(
        wrong.error().as_deref(),
        Some("Incorrect username or password.")
    );
    for _ in 0..5 {
        password(&o, &mut browser, "ivy", "Wrong-horse-1").await;
    }
    let (_, locked) = password(&o, &mut browser, "ivy", PASSWORD).await;
    assert_eq!(
        locked.error().as_deref(),
        Some("Password attempts exceeded")
    );
}

#[tokio::test]
async fn the_pools_ui_customization_styles_the_page_and_values_are_escaped() {
    let o = OAuth::new().await;
    o.f.c
        .set_ui_customization()
        .user_pool_id(&o.f.pool)
        .client_id("ALL")
        .css(".submitButton-customizable { background-color: rgb(200, 0, 0); }")
        .send()
        .await
        .unwrap();
    o.f.c
        .admin_create_user()
        .user_pool_id(&o.f.pool)
        .username("jo")
        .user_attributes(
            AttributeType::builder()
                .name("name")
                .value("x")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let mut browser = Browser::new();
    let (url, page) = browser.follow(&o.authorize_url(&[])).await;
    assert!(page
        .body
        .contains(".submitButton-customizable { background-color: rgb(200, 0, 0); }"));
    let answer = browser
        .submit(
            &url,
            &page,
            &[("username", "<script>x</script>"), ("password", PASSWORD)],
        )
        .await;
    assert!(!answer.body.contains("<script>x</script>"));
    assert!(answer.body.contains("&lt;script&gt;"));
    assert_eq!(answer.headers_csp(), Some("default-src 'self'; img-src * data:; style-src 'unsafe-inline'; frame-ancestors 'none'".to_owned()));
}

#[tokio::test]
async fn a_managed_login_domain_shows_the_clients_branding() {
    use aws_sdk_cognitoidentityprovider::types::{
        AssetCategoryType, AssetExtensionType, AssetType, ColorSchemeModeType,
    };
    use aws_smithy_types::{Blob, Document};
    let o = OAuth::new().await;
    o.f.c
        .update_user_pool_domain()
        .user_pool_id(&o.f.pool)
        .domain(&o.domain)
        .managed_login_version(2)
        .send()
        .await
        .unwrap();
    let color = |c: &str| {
        Document::Object([("backgroundColor".to_string(), Document::String(c.into()))].into())
    };
    let button = Document::Object(
        [(
            "lightMode".to_string(),
            Document::Object([("defaults".to_string(), color("c80000ff"))].into()),
        )]
        .into(),
    );
    let settings = Document::Object(
        [(
            "components".to_string(),
            Document::Object([("primaryButton".to_string(), button)].into()),
        )]
        .into(),
    );
    o.f.c
        .create_managed_login_branding()
        .user_pool_id(&o.f.pool)
        .client_id(&o.f.client_id)
        .settings(settings)
        .assets(
            AssetType::builder()
                .category(AssetCategoryType::FormLogo)
                .color_mode(ColorSchemeModeType::Light)
                .extension(AssetExtensionType::Png)
                .bytes(Blob::new(b"\x89PNG-logo".to_vec()))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let (_, page) = Browser::new().follow(&o.authorize_url(&[])).await;
    assert!(
        page.body
            .contains(".submitButton-customizable{background:#c80000ff}"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("src=\"data:image&#x2f;png;base64,iVBORy1sb2dv\""),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_pages_speak_the_language_lang_asks_for_and_a_cookie_keeps_it() {
    let o = OAuth::new().await;
    // The classic hosted UI (managed login version 1) is English whatever `lang` asks.
    let (_, classic) = Browser::new()
        .follow(&o.authorize_url(&[("lang", "ja")]))
        .await;
    assert!(
        classic.body.contains("<html lang=\"en\">"),
        "{}",
        classic.body
    );
    assert!(
        classic.body.contains("<h1>Sign in</h1>"),
        "{}",
        classic.body
    );
    o.f.c
        .update_user_pool_domain()
        .user_pool_id(&o.f.pool)
        .domain(&o.domain)
        .managed_login_version(2)
        .send()
        .await
        .unwrap();
    o.f.user(
        "jun",
        &[("email", "jun@example.com"), ("email_verified", "true")],
    )
    .await;

    let mut browser = Browser::new();
    let (url, page) = browser.follow(&o.authorize_url(&[("lang", "ja")])).await;
    assert!(page.body.contains("<html lang=\"ja\">"), "{}", page.body);
    assert!(page.body.contains("<h1>サインイン</h1>"), "{}", page.body);
    assert!(page.body.contains(">ユーザー名</label>"), "{}", page.body);
    assert!(
        page.body.contains(">パスワードをお忘れですか?</a>"),
        "{}",
        page.body
    );
    assert_eq!(browser.cookies.get("lang").map(String::as_str), Some("ja"));
    let wrong = browser
        .submit(
            &url,
            &page,
            &[("username", "jun"), ("password", "Wrong-pass-1")],
        )
        .await;
    assert_eq!(
        wrong.error().as_deref(),
        Some("ユーザー名またはパスワードが正しくありません。")
    );

    // A later request without `lang` keeps the language; another `lang` changes it.
    let (_, again) = browser.follow(&o.authorize_url(&[])).await;
    assert!(again.body.contains("<h1>サインイン</h1>"), "{}", again.body);
    let (url, _) = browser.follow(&o.authorize_url(&[("lang", "de")])).await;
    assert_eq!(browser.cookies.get("lang").map(String::as_str), Some("de"));
    let forgot_url = url.replace("/login?", "/forgotPassword?");
    let forgot = browser.get(&forgot_url).await;
    assert!(
        forgot.body.contains("<h1>Passwort vergessen?</h1>"),
        "{}",
        forgot.body
    );
    let reset = browser
        .submit(&forgot_url, &forgot, &[("username", "jun")])
        .await;
    assert!(
        reset.body.contains(
            "Wir haben einen Code an j***@e*** gesendet. Geben Sie ihn und Ihr neues Passwort ein."
        ),
        "{}",
        reset.body
    );
    assert!(
        reset.body.contains(">Neues Passwort</label>"),
        "{}",
        reset.body
    );

    // A language the pages do not speak is English.
    let (_, unknown) = Browser::new()
        .follow(&o.authorize_url(&[("lang", "xx")]))
        .await;
    assert!(
        unknown.body.contains("<h1>Sign in</h1>"),
        "{}",
        unknown.body
    );
}

#[tokio::test]
async fn managed_login_signs_in_by_choice_where_the_pool_allows_codes() {
    use aws_sdk_cognitoidentityprovider::types::{
        AuthFactorType, SignInPolicyType, UserPoolPolicyType,
    };
    let o = OAuth::new().await;
    o.f.c
        .update_user_pool_domain()
        .user_pool_id(&o.f.pool)
        .domain(&o.domain)
        .managed_login_version(2)
        .send()
        .await
        .unwrap();
    o.f.c
        .update_user_pool()
        .user_pool_id(&o.f.pool)
        .policies(
            UserPoolPolicyType::builder()
                .sign_in_policy(
                    SignInPolicyType::builder()
                        .allowed_first_auth_factors(AuthFactorType::Password)
                        .allowed_first_auth_factors(AuthFactorType::EmailOtp)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    o.f.user("kai", &[("email", "kai@example.com")]).await;

    // The username first, then the choice; an email code signs in.
    let mut browser = Browser::new();
    let (url, page) = browser.follow(&o.authorize_url(&[])).await;
    assert!(!page.body.contains("name=\"password\""), "{}", page.body);
    let choice = browser.submit(&url, &page, &[("username", "kai")]).await;
    assert!(
        choice.body.contains("value=\"EMAIL_OTP\""),
        "{}",
        choice.body
    );
    assert!(
        choice.body.contains("value=\"PASSWORD\""),
        "{}",
        choice.body
    );
    assert!(!choice.body.contains("PASSWORD_SRP"), "{}", choice.body);
    let code_page = browser
        .submit(&url, &choice, &[("answer", "EMAIL_OTP")])
        .await;
    assert!(
        code_page
            .body
            .contains("We emailed a code to k***@e***. Enter it below."),
        "{}",
        code_page.body
    );
    let code =
        o.f.app()
            .outbox
            .list(Some(&o.f.pool), Some("kai"))
            .into_iter()
            .find(|m| m.purpose == "sign_in")
            .unwrap()
            .code;
    let done = browser.submit(&url, &code_page, &[("code", &code)]).await;
    assert_eq!(done.status, 302, "{}", done.body);
    assert!(done.location.unwrap().starts_with(CALLBACK));

    // The password, chosen, has a page of its own for the same session.
    let mut browser = Browser::new();
    let (url, page) = browser.follow(&o.authorize_url(&[])).await;
    let choice = browser.submit(&url, &page, &[("username", "kai")]).await;
    let password_page = browser
        .submit(&url, &choice, &[("answer", "PASSWORD")])
        .await;
    assert!(
        password_page.body.contains("name=\"password\""),
        "{}",
        password_page.body
    );
    let wrong = browser
        .submit(
            &url,
            &password_page,
            &[("answer", "PASSWORD"), ("password", "Wrong-pass-1")],
        )
        .await;
    assert_eq!(
        wrong.error().as_deref(),
        Some("Incorrect username or password.")
    );
    let (url, page) = browser.follow(&o.authorize_url(&[])).await;
    let choice = browser.submit(&url, &page, &[("username", "kai")]).await;
    let password_page = browser
        .submit(&url, &choice, &[("answer", "PASSWORD")])
        .await;
    let done = browser
        .submit(
            &url,
            &password_page,
            &[("answer", "PASSWORD"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(done.status, 302, "{}", done.body);
}

/// The sign-in page racing AdminDeleteUser of the user signing in, ten rounds: each post is
/// signed in (a redirect) or shows the error the page shows for a user that is not there,
/// never a server error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_racing_admin_delete_user() {
    let (mut refused, mut wrong) = (0, std::collections::BTreeSet::new());
    for _round in 0..10 {
        let o = OAuth::new().await;
        o.f.user("una", &[]).await;
        let mut opened = Vec::new();
        for _ in 0..16 {
            let mut browser = Browser::new();
            let (url, page) = browser.follow(&o.authorize_url(&[])).await;
            opened.push((browser, url, page));
        }
        let mut posts = tokio::task::JoinSet::new();
        for (i, (mut browser, url, page)) in opened.into_iter().enumerate() {
            if i == 8 {
                let (c, pool) = (o.f.c.clone(), o.f.pool.clone());
                posts.spawn(async move {
                    c.admin_delete_user()
                        .user_pool_id(&pool)
                        .username("una")
                        .send()
                        .await
                        .unwrap();
                    None
                });
            }
            posts.spawn(async move {
                let fields = [("username", "una"), ("password", PASSWORD)];
                Some(browser.submit(&url, &page, &fields).await)
            });
        }
        for answer in posts.join_all().await.into_iter().flatten() {
            match (answer.status, answer.error()) {
                (302, None) => {}
                // The client does not hide user existence.
                (400, Some(e)) if e == "User does not exist." => refused += 1,
                (status, e) => {
                    wrong.insert(format!("{status} {e:?}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:?}");
    assert!(
        refused > 0,
        "no sign-in came after the deletion: no race was run"
    );
}
