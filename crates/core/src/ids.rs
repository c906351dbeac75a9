//! Identifiers shaped as AWS shapes them: clients validate these formats.

use crate::rng::{random_string, Rng};

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// `<region>_<9 alphanumerics>`; aws-jwt-verify rejects any other shape.
pub fn user_pool_id(rng: &dyn Rng, region: &str) -> String {
    format!("{region}_{}", random_string(rng, ALNUM, 9))
}

/// 26 lowercase alphanumerics.
pub fn client_id(rng: &dyn Rng) -> String {
    random_string(rng, LOWER_ALNUM, 26)
}

/// `arn:aws:cognito-idp:<region>:<account>:userpool/<id>`.
pub fn user_pool_arn(region: &str, account_id: &str, pool_id: &str) -> String {
    format!("arn:aws:cognito-idp:{region}:{account_id}:userpool/{pool_id}")
}

/// `import-` and 10 alphanumerics, as Cognito names user import jobs.
pub fn import_job_id(rng: &dyn Rng) -> String {
    format!("import-{}", random_string(rng, ALNUM, 10))
}

/// A random version-4 UUID, as Cognito uses for `sub` and request ids.
pub fn uuid_v4(rng: &dyn Rng) -> String {
    let mut b = [0u8; 16];
    rng.fill(&mut b);
    uuid_from(b)
}

/// Whether `text` has a UUID's form (8-4-4-4-12 hex digits), as every `sub` has.
pub fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The version-4 UUID made of 16 given bytes (their version and variant bits overwritten).
pub fn uuid_from(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OsRng;

    #[test]
    fn uuids_are_recognised_by_form() {
        assert!(is_uuid(&uuid_v4(&OsRng)));
        assert!(is_uuid("0F8E2B4A-1C3D-4E5F-8A9B-0C1D2E3F4A5B"));
        for not in [
            "",
            "alice",
            "0f8e2b4a1c3d4e5f8a9b0c1d2e3f4a5b",
            "0f8e2b4a-1c3d-4e5f-8a9b-0c1d2e3f4a5",
            "0f8e2b4a-1c3d-4e5f-8a9b_0c1d2e3f4a5b",
            "0f8e2b4a-1c3d-4e5f-8a9b-0c1d2e3f4a5g",
        ] {
            assert!(!is_uuid(not), "{not}");
        }
    }

    #[test]
    fn ids_have_aws_shapes() {
        let id = user_pool_id(&OsRng, "eu-west-1");
        let (region, suffix) = id.split_once('_').unwrap();
        assert_eq!(region, "eu-west-1");
        assert_eq!(suffix.len(), 9);
        assert!(suffix.bytes().all(|c| c.is_ascii_alphanumeric()));

        let client = client_id(&OsRng);
        assert_eq!(client.len(), 26);
        assert!(client
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));

        let u = uuid_v4(&OsRng);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }
}
