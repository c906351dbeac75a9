//! GetSigningCertificate.

use super::user_pools::get_pool;
use crate::app::{App, OrInternal};
use ironpool_api::types::{GetSigningCertificateRequest, GetSigningCertificateResponse};
use ironpool_api::ApiError;
use ironpool_core::certificate;
use ironpool_store::{Kind, ResourcesExt, StoreError};
use serde::{Deserialize, Serialize};

/// What is kept per pool: the certificate, and its private key sealed with the master key.
#[derive(Serialize, Deserialize)]
struct StoredCertificate {
    certificate: String,
    sealed_private_key: String,
}

/// The pool's SAML signing certificate, issued on first request and the same ever after
/// (RSA-2048, self-signed, valid 10 years; the base64 DER without PEM armour).
pub async fn get_signing_certificate(
    app: &App,
    input: GetSigningCertificateRequest,
) -> Result<GetSigningCertificateResponse, ApiError> {
    let pool_id = input.user_pool_id.as_str();
    get_pool(app, pool_id).await?;
    let stored = app
        .store
        .get::<StoredCertificate>(Kind::SigningCertificate, pool_id, "ALL")
        .await
        .or_internal()?;
    let certificate = match stored {
        Some(stored) => stored.certificate,
        None => issue(app, pool_id).await?,
    };
    Ok(GetSigningCertificateResponse {
        certificate: Some(certificate),
    })
}

/// Issues and stores a certificate; when another request stored one first, that one wins.
async fn issue(app: &App, pool_id: &str) -> Result<String, ApiError> {
    let pool = pool_id.to_owned();
    let now = app.clock.now();
    let issued = tokio::task::spawn_blocking(move || certificate::issue(&pool, now))
        .await
        .or_internal()?
        .or_internal()?;
    let stored = StoredCertificate {
        sealed_private_key: app.master_key.seal(
            app.rng.as_ref(),
            &format!("signing-certificate:{pool_id}"),
            &issued.private_key_der,
        ),
        certificate: issued.certificate,
    };
    match app
        .store
        .create(Kind::SigningCertificate, pool_id, "ALL", &stored)
        .await
    {
        Ok(()) => Ok(stored.certificate),
        Err(StoreError::Conflict) => app
            .store
            .get::<StoredCertificate>(Kind::SigningCertificate, pool_id, "ALL")
            .await
            .or_internal()?
            .map(|s| s.certificate)
            .ok_or_else(ApiError::internal),
        Err(e) => Err(e).or_internal(),
    }
}
