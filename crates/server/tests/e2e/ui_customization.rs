//! SetUICustomization / GetUICustomization, and the logo served at its ImageUrl.

use crate::harness::{err, TestServer};
use crate::seed;
use aws_sdk_cognitoidentityprovider::primitives::Blob;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-not-a-real-png";
const CSS: &str =
    ".label-customizable { font-weight: 400; }\n.submitButton-customizable:hover { color: #fff; }";

#[tokio::test]
async fn pool_default_client_fallback_and_logo() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = seed::pool(&s).await;
    seed::domain(&s, &pool, "config-test").await;
    seed::client(&s, &pool, seed::CLIENT).await;

    // Nothing set: the ids alone.
    let got = c
        .get_ui_customization()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let ui = got.ui_customization().unwrap();
    assert_eq!(ui.user_pool_id(), Some(pool.as_str()));
    assert_eq!(ui.client_id(), Some("ALL"));
    assert!(ui.css().is_none() && ui.image_url().is_none());

    let set = c
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id("ALL")
        .css(CSS)
        .image_file(Blob::new(PNG.to_vec()))
        .send()
        .await
        .unwrap();
    let all = set.ui_customization().unwrap().clone();
    assert_eq!(all.client_id(), Some("ALL"));
    assert_eq!(all.css(), Some(CSS));
    let version = all.css_version().unwrap();
    assert_eq!(version.len(), 14);
    assert!(version.chars().all(|c| c.is_ascii_digit()));
    let url = all.image_url().unwrap();
    assert_eq!(
        url,
        format!("{}/_ironpool/ui-assets/{pool}/ALL/{version}.png", s.url())
    );
    assert!(all.creation_date().is_some());
    assert_eq!(all.creation_date(), all.last_modified_date());

    // The logo is served where ImageUrl says.
    let resp = reqwest::get(url).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), PNG);
    let gone = reqwest::get(format!("{}/_ironpool/ui-assets/{pool}/ALL/1.png", s.url()))
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);

    // A client without its own settings gets the pool's.
    let got = c
        .get_ui_customization()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .send()
        .await
        .unwrap();
    assert_eq!(got.ui_customization(), Some(&all));

    // Its own settings win; CSS alone drops the logo.
    let own = c
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .css(".banner-customizable { background-color: red; }")
        .send()
        .await
        .unwrap();
    let own = own.ui_customization().unwrap().clone();
    assert_eq!(own.client_id(), Some(seed::CLIENT));
    assert!(own.image_url().is_none());
    let got = c
        .get_ui_customization()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .send()
        .await
        .unwrap();
    assert_eq!(got.ui_customization(), Some(&own));

    // Neither CSS nor logo removes the client's customization: back to the pool's.
    let cleared = c
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .send()
        .await
        .unwrap();
    assert!(cleared.ui_customization().unwrap().css().is_none());
    let got = c
        .get_ui_customization()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .send()
        .await
        .unwrap();
    assert_eq!(got.ui_customization(), Some(&all));
}

#[tokio::test]
async fn validation_rules() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = seed::pool(&s).await;

    // No domain yet.
    let e = c
        .set_ui_customization()
        .user_pool_id(&pool)
        .css(CSS)
        .send()
        .await
        .unwrap_err();
    let no_domain = (
        "InvalidParameterException".to_string(),
        "There has to be an existing domain associated with this user pool".to_string(),
    );
    assert_eq!(err(e), no_domain);
    let e = c
        .get_ui_customization()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e), no_domain);

    seed::domain(&s, &pool, "config-rules").await;
    let e = c
        .get_ui_customization()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!("User pool client {} does not exist.", seed::CLIENT)
        )
    );

    for (css, selector) in [
        ("body { color: red; }", "body"),
        (".label-customizable, .other { color: red; }", ".other"),
        (
            "@import url(x.css); .label-customizable { }",
            "@import url(x.css); .label-customizable",
        ),
    ] {
        let e = c
            .set_ui_customization()
            .user_pool_id(&pool)
            .css(css)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            err(e),
            (
                "InvalidParameterException".into(),
                format!("CSS contains an unsupported class or selector: {selector}. Only the hosted UI classes such as .background-customizable can be customized.")
            )
        );
    }

    let e = c
        .set_ui_customization()
        .user_pool_id(&pool)
        .image_file(Blob::new(b"GIF89a....".to_vec()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Invalid image file. The logo must be a PNG or JPEG file.".into()
        )
    );

    let e = c
        .get_ui_customization()
        .user_pool_id(seed::MISSING_POOL)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!("User pool {} does not exist.", seed::MISSING_POOL)
        )
    );
}
