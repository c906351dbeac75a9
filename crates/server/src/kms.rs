//! The KMS API at `--kms-endpoint`: GenerateDataKey, for the codes handed to custom sender
//! functions, encrypted as Cognito encrypts them (an AWS Encryption SDK message under the
//! pool's KMSKeyID).

use crate::aws::{AwsClient, CallError};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ironpool_core::encryption_sdk::{self, EncryptedDataKey};
use ironpool_core::Rng;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How long a KMS call may take.
const DEADLINE: Duration = Duration::from_secs(5);

pub struct Kms {
    endpoint: String,
    aws: Arc<AwsClient>,
}

impl Kms {
    pub fn new(endpoint: &str, aws: Arc<AwsClient>) -> Self {
        Self {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            aws,
        }
    }

    /// `plaintext` as an Encryption SDK message under the KMS key `key_id` (an ARN), with a
    /// data key from GenerateDataKey; the error type KMS answered otherwise.
    pub async fn encrypt(
        &self,
        rng: &dyn Rng,
        key_id: &str,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, String> {
        let region = key_id.split(':').nth(3).filter(|r| !r.is_empty());
        let body = json!({"KeyId": key_id, "NumberOfBytes": 32}).to_string();
        let headers = [
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", "TrentService.GenerateDataKey"),
        ];
        let answer = self
            .aws
            .post(
                "kms",
                region,
                &format!("{}/", self.endpoint),
                &headers,
                body.into_bytes(),
                DEADLINE,
            )
            .await
            .map_err(|e| match e {
                CallError::Timeout => "Timeout".to_owned(),
                CallError::Unreachable => "ServiceException".to_owned(),
            })?;
        if !(200..300).contains(&answer.status) {
            return Err(crate::aws::error_type(&answer.headers, &answer.body));
        }
        let generated: Value =
            serde_json::from_slice(&answer.body).map_err(|_| "ServiceException".to_owned())?;
        let field = |name: &str| {
            generated[name]
                .as_str()
                .and_then(|s| B64.decode(s).ok())
                .ok_or_else(|| "ServiceException".to_owned())
        };
        let data_key: [u8; 32] = field("Plaintext")?
            .try_into()
            .map_err(|_| "ServiceException".to_owned())?;
        let wrapped = field("CiphertextBlob")?;
        let arn = generated["KeyId"].as_str().unwrap_or(key_id);
        let mut message_id = [0u8; 32];
        rng.fill(&mut message_id);
        let edk = EncryptedDataKey {
            provider_id: "aws-kms",
            provider_info: arn,
            ciphertext: &wrapped,
        };
        Ok(encryption_sdk::encrypt(
            &data_key,
            &edk,
            &BTreeMap::new(),
            plaintext,
            message_id,
        ))
    }
}
