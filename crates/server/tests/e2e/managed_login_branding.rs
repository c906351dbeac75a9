//! CreateManagedLoginBranding, DescribeManagedLoginBranding(ByClient),
//! UpdateManagedLoginBranding, DeleteManagedLoginBranding.

use crate::harness::{err, TestServer};
use crate::seed;
use aws_sdk_cognitoidentityprovider::primitives::Blob;
use aws_sdk_cognitoidentityprovider::types::{
    AssetCategoryType, AssetExtensionType, AssetType, ColorSchemeModeType,
};
use aws_smithy_types::Document;
use std::collections::HashMap;

fn asset(
    category: AssetCategoryType,
    mode: ColorSchemeModeType,
    ext: AssetExtensionType,
) -> AssetType {
    AssetType::builder()
        .category(category)
        .color_mode(mode)
        .extension(ext)
        .bytes(Blob::new(b"<svg/>".to_vec()))
        .build()
        .unwrap()
}

fn settings(pairs: &[(&str, &str)]) -> Document {
    Document::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Document::String(v.to_string())))
            .collect::<HashMap<_, _>>(),
    )
}

#[tokio::test]
async fn lifecycle() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = seed::pool(&s).await;
    seed::client(&s, &pool, seed::CLIENT).await;

    let created = c
        .create_managed_login_branding()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .settings(settings(&[("a", "1"), ("b", "2")]))
        .assets(asset(
            AssetCategoryType::FaviconSvg,
            ColorSchemeModeType::Dynamic,
            AssetExtensionType::Svg,
        ))
        .send()
        .await
        .unwrap();
    let b = created.managed_login_branding().unwrap().clone();
    let id = b.managed_login_branding_id().unwrap().to_owned();
    assert_eq!(b.user_pool_id(), Some(pool.as_str()));
    assert!(!b.use_cognito_provided_values());
    assert_eq!(b.assets().len(), 1);
    assert_eq!(b.creation_date(), b.last_modified_date());

    let e = c
        .create_managed_login_branding()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .use_cognito_provided_values(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ManagedLoginBrandingExistsException".into(),
            format!(
                "Managed login branding already exists for client {}.",
                seed::CLIENT
            )
        )
    );

    let d = c
        .describe_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(d.managed_login_branding(), Some(&b));
    let d = c
        .describe_managed_login_branding_by_client()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .return_merged_resources(true)
        .send()
        .await
        .unwrap();
    assert_eq!(d.managed_login_branding(), Some(&b));

    // Update keeps what it does not name.
    let u = c
        .update_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(&id)
        .settings(settings(&[("b", "3")]))
        .assets(asset(
            AssetCategoryType::PageHeaderLogo,
            ColorSchemeModeType::Light,
            AssetExtensionType::Png,
        ))
        .send()
        .await
        .unwrap();
    let u = u.managed_login_branding().unwrap();
    assert_eq!(u.settings(), Some(&settings(&[("a", "1"), ("b", "3")])));
    assert_eq!(u.assets().len(), 2);
    assert_eq!(u.creation_date(), b.creation_date());

    // Back to Cognito's defaults.
    let u = c
        .update_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(&id)
        .use_cognito_provided_values(true)
        .send()
        .await
        .unwrap();
    let u = u.managed_login_branding().unwrap();
    assert!(u.use_cognito_provided_values());
    assert!(u.settings().is_none());
    assert!(u.assets().is_empty());

    c.delete_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(&id)
        .send()
        .await
        .unwrap();
    let e = c
        .describe_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!("Managed login branding {id} does not exist.")
        )
    );
    let e = c
        .delete_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "ResourceNotFoundException");
    let e = c
        .describe_managed_login_branding_by_client()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "ResourceNotFoundException".into(),
            format!(
                "Managed login branding does not exist for client {}.",
                seed::CLIENT
            )
        )
    );
}

#[tokio::test]
async fn validation_rules() {
    let s = TestServer::start().await;
    let c = s.client();
    let pool = seed::pool(&s).await;

    let e = c
        .create_managed_login_branding()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .use_cognito_provided_values(true)
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
    seed::client(&s, &pool, seed::CLIENT).await;

    let e = c
        .create_managed_login_branding()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .use_cognito_provided_values(true)
        .settings(settings(&[("a", "1")]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "InvalidParameterException".into(),
            "Settings and Assets must not be provided when UseCognitoProvidedValues is true."
                .into()
        )
    );

    let cases = [
        (
            vec![asset(
                AssetCategoryType::FaviconIco,
                ColorSchemeModeType::Dynamic,
                AssetExtensionType::Png,
            )],
            "Extension PNG is not supported for asset category FAVICON_ICO.",
        ),
        (
            vec![asset(
                AssetCategoryType::FormLogo,
                ColorSchemeModeType::Light,
                AssetExtensionType::Ico,
            )],
            "Extension ICO is not supported for asset category FORM_LOGO.",
        ),
        (
            vec![
                asset(
                    AssetCategoryType::FormLogo,
                    ColorSchemeModeType::Dark,
                    AssetExtensionType::Png,
                ),
                asset(
                    AssetCategoryType::FormLogo,
                    ColorSchemeModeType::Dark,
                    AssetExtensionType::Svg,
                ),
            ],
            "Duplicate asset for category FORM_LOGO and color mode DARK.",
        ),
    ];
    for (assets, message) in cases {
        let e = c
            .create_managed_login_branding()
            .user_pool_id(&pool)
            .client_id(seed::CLIENT)
            .set_assets(Some(assets))
            .send()
            .await
            .unwrap_err();
        assert_eq!(err(e), ("InvalidParameterException".into(), message.into()));
    }

    let created = c
        .create_managed_login_branding()
        .user_pool_id(&pool)
        .client_id(seed::CLIENT)
        .use_cognito_provided_values(true)
        .send()
        .await
        .unwrap();
    let b = created.managed_login_branding().unwrap();
    assert!(b.use_cognito_provided_values());
    assert!(b.settings().is_none());
    assert!(b.assets().is_empty());
}
