//! The X.509 certificate a pool signs SAML requests with (GetSigningCertificate): RSA-2048,
//! self-signed, valid for 10 years from issue, as Cognito issues them.

use std::time::{Duration, SystemTime};

/// A freshly issued certificate and its private key.
pub struct SigningCertificate {
    /// The certificate as GetSigningCertificate returns it: base64 of the DER, no PEM armour.
    pub certificate: String,
    /// The private key, PKCS#8 DER (seal it before storing it).
    pub private_key_der: Vec<u8>,
}

const TEN_YEARS: Duration = Duration::from_secs(10 * 365 * 86_400 + 2 * 86_400);

/// Issues a certificate for `pool_id` valid from `now` for 10 years.
pub fn issue(pool_id: &str, now: SystemTime) -> Result<SigningCertificate, String> {
    use base64::Engine;
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).map_err(|e| e.to_string())?;
    let mut params =
        rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    let mut name = rcgen::DistinguishedName::new();
    name.push(rcgen::DnType::CommonName, pool_id);
    name.push(rcgen::DnType::OrganizationName, "Ironpool");
    params.distinguished_name = name;
    params.not_before = time::OffsetDateTime::from(now);
    params.not_after = time::OffsetDateTime::from(now + TEN_YEARS);
    let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
    Ok(SigningCertificate {
        certificate: base64::engine::general_purpose::STANDARD.encode(cert.der()),
        private_key_der: key.serialize_der(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_a_der_certificate_for_the_pool() {
        use base64::Engine;
        let cert = issue("us-east-1_AbCdEfGhI", SystemTime::now()).unwrap();
        let der = base64::engine::general_purpose::STANDARD
            .decode(&cert.certificate)
            .unwrap();
        assert_eq!(der[0], 0x30, "a DER SEQUENCE");
        assert!(
            der.windows(19).any(|w| w == b"us-east-1_AbCdEfGhI"),
            "the pool id is the subject's common name"
        );
        assert!(!cert.certificate.contains("BEGIN"));
        assert!(cert.private_key_der.len() > 1000, "an RSA-2048 key");
    }
}
