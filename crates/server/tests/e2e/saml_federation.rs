//! Signing in through a SAML 2.0 identity provider run by pysaml2 (signing with xmlsec1): the
//! AuthnRequest by the redirect binding, the signed Response posted back, a tampered Response
//! refused, a sign-in the provider starts, allowed only with IDPInit, and single logout both
//! ways. Needs
//! `scripts/setup-test-clients` (pysaml2 in .venv, Debian's xmlsec1); skipped with a message
//! without them, unless IRONPOOL_REQUIRE_CLIENTS=1.

use crate::harness::venv_python;
use crate::oauth_support::{html_unescape, query_param, Browser, OAuth, Page, CALLBACK, LOGOUT};
use crate::signin_support::decode;
use aws_sdk_cognitoidentityprovider::types::{IdentityProviderTypeType, OAuthFlowType};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use std::path::PathBuf;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The identity provider: its process (killed on drop), URL and metadata.
struct Idp {
    _process: tokio::process::Child,
    url: String,
    metadata: String,
}

async fn idp(python: PathBuf, sp_metadata: &str) -> Idp {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/py/saml_idp.py");
    let mut process = tokio::process::Command::new(python)
        .arg(script)
        .env("SP_METADATA", sp_metadata)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(process.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().expect("the IdP starts");
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    Idp {
        _process: process,
        url: format!("http://127.0.0.1:{}", v["port"]),
        metadata: v["metadata"].as_str().unwrap().to_owned(),
    }
}

fn ready() -> Option<PathBuf> {
    let python = venv_python("saml2")?;
    let xmlsec = std::process::Command::new("xmlsec1")
        .arg("--version")
        .output();
    if xmlsec.is_err() {
        if std::env::var("IRONPOOL_REQUIRE_CLIENTS").as_deref() == Ok("1") {
            panic!("xmlsec1 is not installed: run scripts/setup-test-clients");
        }
        eprintln!("SKIPPED: xmlsec1 is not installed (run scripts/setup-test-clients)");
        return None;
    }
    Some(python)
}

/// A pool whose client signs in through "CorpSAML" (whose IdP is started here).
async fn setup(python: PathBuf, idp_init: bool) -> (OAuth, Idp) {
    let o = OAuth::new().await;
    let sp_metadata = reqwest::get(format!("{}/saml2/metadata", o.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(sp_metadata.contains(&format!("entityID=\"urn:amazon:cognito:sp:{}\"", o.f.pool)));
    let idp = idp(python, &sp_metadata).await;
    o.f.c
        .create_identity_provider()
        .user_pool_id(&o.f.pool)
        .provider_name("CorpSAML")
        .provider_type(IdentityProviderTypeType::Saml)
        .provider_details("MetadataFile", &idp.metadata)
        .provider_details("IDPInit", if idp_init { "true" } else { "false" })
        .attribute_mapping("email", "urn:mace:dir:attribute-def:email")
        .attribute_mapping("name", "urn:mace:dir:attribute-def:displayName")
        .send()
        .await
        .unwrap();
    o.f.c
        .update_user_pool_client()
        .user_pool_id(&o.f.pool)
        .client_id(&o.f.client_id)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .callback_urls(CALLBACK)
        .logout_urls(LOGOUT)
        .supported_identity_providers("COGNITO")
        .supported_identity_providers("CorpSAML")
        .send()
        .await
        .unwrap();
    (o, idp)
}

/// The auto-post form of the IdP's page: its action and fields.
fn posted_form(page: &Page) -> (String, Vec<(String, String)>) {
    assert_eq!(page.status, 200, "{}", page.body);
    let action = page.action();
    let mut fields = Vec::new();
    for name in ["SAMLResponse", "RelayState"] {
        if let Some(v) = page.input(name) {
            fields.push((name.to_owned(), html_unescape(&v)));
        }
    }
    (action, fields)
}

async fn post(browser: &mut Browser, action: &str, fields: &[(String, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post(action, &pairs).await
}

#[tokio::test]
async fn a_saml_user_signs_in_with_a_signed_assertion_and_a_forged_one_is_refused() {
    let Some(python) = ready() else { return };
    let (o, idp) = setup(python, false).await;
    let mut browser = Browser::new();
    let authorize = o.authorize_url(&[("identity_provider", "CorpSAML")]);
    let to_idp = browser.get(&authorize).await.location.unwrap();
    assert!(
        to_idp.starts_with(&format!("{}/sso?SAMLRequest=", idp.url)),
        "{to_idp}"
    );
    assert!(query_param(&to_idp, "RelayState").is_some());
    let (action, fields) = posted_form(&browser.get(&to_idp).await);
    assert_eq!(action, format!("{}/saml2/idpresponse", o.base));
    let back = post(&mut browser, &action, &fields).await;
    assert_eq!(back.status, 302, "{}", back.body);
    let location = back.location.unwrap();
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")),
        "{location}"
    );
    let (status, tokens) = o
        .redeem(&query_param(&location, "code").unwrap(), None)
        .await;
    assert_eq!(status, 200, "{tokens}");
    let (_, id) = decode(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["cognito:username"], "CorpSAML_saml-user-1");
    assert_eq!(id["email"], "sam@saml.example");
    assert_eq!(id["name"], "Sam L");
    assert_eq!(id["identities"][0]["providerType"], "SAML");
    assert_eq!(id["identities"][0]["userId"], "saml-user-1");

    // The same Response again: its RelayState is spent, and as an IdP-initiated sign-in it
    // answers a request, so it is refused.
    let replay = post(&mut browser, &action, &fields).await;
    assert_ne!(
        replay.location.as_deref().map(|l| l.contains("code=")),
        Some(true)
    );

    // A Response whose signed content was changed does not verify.
    let mut browser = Browser::new();
    let to_idp = browser.get(&authorize).await.location.unwrap();
    let (action, mut fields) = posted_form(&browser.get(&to_idp).await);
    let xml = String::from_utf8(B64.decode(&fields[0].1).unwrap()).unwrap();
    assert!(xml.contains("saml-user-1"));
    fields[0].1 = B64.encode(xml.replace("saml-user-1", "saml-admin-0"));
    let forged = post(&mut browser, &action, &fields).await;
    let location = forged.location.unwrap();
    assert!(
        location.starts_with(&format!("{CALLBACK}?error_description=")),
        "{location}"
    );
    assert_eq!(
        query_param(&location, "error_description").as_deref(),
        Some("the SAML response's signature does not verify with the provider's certificate")
    );
}

#[tokio::test]
async fn a_sign_in_the_idp_starts_needs_idp_init() {
    let Some(python) = ready() else { return };
    for allowed in [false, true] {
        let (o, idp) = setup(python.clone(), allowed).await;
        let acs = format!(
            "{}/saml2/idpresponse?identity_provider=CorpSAML&client_id={}&redirect_uri={CALLBACK}&response_type=code&scope=openid",
            o.base, o.f.client_id
        );
        let mut browser = Browser::new();
        let url = url::Url::parse_with_params(
            &format!("{}/initiate", idp.url),
            &[
                ("acs", acs.as_str()),
                ("sp", &format!("urn:amazon:cognito:sp:{}", o.f.pool)),
            ],
        )
        .unwrap();
        let (action, fields) = posted_form(&browser.get(url.as_str()).await);
        let back = post(&mut browser, &action, &fields).await;
        let location = back.location.unwrap();
        if allowed {
            assert!(
                location.starts_with(&format!("{CALLBACK}?code=")),
                "{location}"
            );
        } else {
            assert_eq!(
                query_param(&location, "error_description").as_deref(),
                Some("The identity provider may not start a sign-in (IDPInit is not set).")
            );
        }
    }
}

/// Signs in through the IdP in `browser` (the SSO session is then the IdP's user's).
async fn saml_sign_in(o: &OAuth, browser: &mut Browser) {
    let authorize = o.authorize_url(&[("identity_provider", "CorpSAML")]);
    let to_idp = browser.get(&authorize).await.location.unwrap();
    let (action, fields) = posted_form(&browser.get(&to_idp).await);
    let back = post(browser, &action, &fields).await;
    assert!(
        back.location
            .as_deref()
            .unwrap()
            .starts_with(&format!("{CALLBACK}?code=")),
        "{:?}",
        back.location
    );
    assert!(browser.cookies.contains_key("cognito"));
}

#[tokio::test]
async fn signing_out_signs_out_at_the_idp_and_the_idp_may_sign_out_here() {
    let Some(python) = ready() else { return };
    let (o, idp) = setup(python, false).await;
    o.f.c
        .update_identity_provider()
        .user_pool_id(&o.f.pool)
        .provider_name("CorpSAML")
        .provider_details("MetadataFile", &idp.metadata)
        .provider_details("IDPSignout", "true")
        .send()
        .await
        .unwrap();
    let mut browser = Browser::new();
    saml_sign_in(&o, &mut browser).await;

    // /logout: a LogoutRequest to the IdP, whose LogoutResponse ends at the logout URI.
    let logout = url::Url::parse_with_params(
        &format!("{}/logout", o.base),
        &[
            ("client_id", o.f.client_id.as_str()),
            ("logout_uri", LOGOUT),
        ],
    )
    .unwrap();
    let out = browser.get(logout.as_str()).await;
    assert_eq!(out.status, 302, "{}", out.body);
    let to_idp = out.location.unwrap();
    assert!(
        to_idp.starts_with(&format!("{}/slo?SAMLRequest=", idp.url)),
        "{to_idp}"
    );
    assert!(!browser.cookies.contains_key("cognito"));
    let answered = browser.get(&to_idp).await;
    assert_eq!(answered.status, 302, "{}", answered.body);
    let back = answered.location.unwrap();
    assert!(
        back.starts_with(&format!("{}/saml2/logout?SAMLResponse=", o.base)),
        "{back}"
    );
    let done = browser.get(&back).await;
    assert_eq!(done.location.as_deref(), Some(LOGOUT), "{}", done.body);
    let logouts: serde_json::Value = reqwest::get(format!("{}/_logouts", idp.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(logouts.as_array().unwrap().len(), 1, "{logouts}");
    assert_eq!(logouts[0]["name_id"], "saml-user-1");
    assert_eq!(
        logouts[0]["issuer"],
        format!("urn:amazon:cognito:sp:{}", o.f.pool).as_str()
    );
    assert_eq!(
        logouts[0]["session_index"].as_array().unwrap().len(),
        1,
        "{logouts}"
    );
    // The LogoutResponse is good once.
    assert_eq!(browser.get(&back).await.status, 400);

    // The IdP ends the session: the LogoutRequest is answered with a LogoutResponse.
    let mut browser = Browser::new();
    saml_sign_in(&o, &mut browser).await;
    let start = url::Url::parse_with_params(
        &format!("{}/initiate_logout", idp.url),
        &[("sp", format!("urn:amazon:cognito:sp:{}", o.f.pool))],
    )
    .unwrap();
    let request = browser.get(start.as_str()).await.location.unwrap();
    assert!(
        request.starts_with(&format!("{}/saml2/logout?SAMLRequest=", o.base)),
        "{request}"
    );
    let answer = browser.get(&request).await;
    assert_eq!(answer.status, 302, "{}", answer.body);
    let to_idp = answer.location.unwrap();
    assert!(
        to_idp.starts_with(&format!("{}/slo?SAMLResponse=", idp.url)),
        "{to_idp}"
    );
    assert_eq!(
        query_param(&to_idp, "RelayState").as_deref(),
        Some("idp-relay")
    );
    let response = ironpool_core::saml::read_logout(
        &ironpool_core::saml::redirect_decode(&query_param(&to_idp, "SAMLResponse").unwrap())
            .unwrap(),
    )
    .unwrap();
    let sent = ironpool_core::saml::redirect_decode(&query_param(&request, "SAMLRequest").unwrap())
        .unwrap();
    let sent = ironpool_core::saml::read_logout(&sent).unwrap();
    assert_eq!(response.element, "LogoutResponse");
    assert!(response.success);
    assert_eq!(response.in_response_to.as_deref(), Some(sent.id.as_str()));
    assert_eq!(
        response.issuer,
        Some(format!("urn:amazon:cognito:sp:{}", o.f.pool))
    );
    assert!(!browser.cookies.contains_key("cognito"));
}
