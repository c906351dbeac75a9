//! The access keys the server accepts, and the parser for AWS shared-credentials files.

use std::collections::BTreeMap;
use std::fmt;

/// Access key id -> secret access key (and the key's account, when its profile names one).
/// `Debug` prints the access key ids only.
#[derive(Clone, Default)]
pub struct Credentials {
    keys: BTreeMap<String, SecretAccessKey>,
}

/// A secret access key; deliberately without `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
struct SecretAccessKey(String, Option<String>);

impl Credentials {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) one key pair.
    pub fn insert(&mut self, access_key_id: String, secret_access_key: String) {
        self.keys
            .insert(access_key_id, SecretAccessKey(secret_access_key, None));
    }

    /// Adds (or replaces) one key pair of the 12-digit account `account_id`.
    pub fn insert_for_account(
        &mut self,
        access_key_id: String,
        secret_access_key: String,
        account_id: String,
    ) {
        self.keys.insert(
            access_key_id,
            SecretAccessKey(secret_access_key, Some(account_id)),
        );
    }

    /// The account of one access key id, when its profile named one.
    pub fn account_id(&self, access_key_id: &str) -> Option<&str> {
        self.keys.get(access_key_id).and_then(|s| s.1.as_deref())
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// The configured access key ids, sorted (for start-up logs; never the secrets).
    pub fn access_key_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// Whether `secret_access_key` is the secret of `access_key_id` (constant time in the
    /// secret; for the admin console's sign-in).
    pub fn holds(&self, access_key_id: &str, secret_access_key: &str) -> bool {
        use sha2::{Digest, Sha256};
        use subtle::ConstantTimeEq;
        let Some(secret) = self.secret(access_key_id) else {
            return false;
        };
        let (given, known) = (Sha256::digest(secret_access_key), Sha256::digest(secret));
        given.ct_eq(&known).into()
    }

    /// The secret of one access key id.
    pub(crate) fn secret(&self, access_key_id: &str) -> Option<&str> {
        self.keys.get(access_key_id).map(|s| s.0.as_str())
    }

    /// Parses an AWS shared-credentials INI file (`[profile]` sections with `aws_access_key_id`
    /// / `aws_secret_access_key`, and optionally the 12-digit `aws_account_id` the key belongs
    /// to; every profile's pair is accepted; comments `#`/`;`, blank lines, other keys such as
    /// `region` or `aws_session_token` ignored). Errors name the line.
    ///
    /// Like botocore's parser, keys are case-insensitive, `:` works as well as `=`, and an
    /// indented line continues the previous value (allowed for the keys this ignores only).
    /// A profile with one half of a key pair, a key set twice in a profile, or one access key
    /// id given two different secrets is an error. No error message contains a secret.
    pub fn parse_ini(text: &str) -> Result<Self, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut creds = Credentials::new();
        let mut section: Option<Profile> = None;
        // The key of the previous `key = value` line, for continuation lines.
        let mut last_key: Option<String> = None;
        for (index, raw) in text.lines().enumerate() {
            let n = index + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if raw.starts_with([' ', '\t']) {
                if let Some(key) = &last_key {
                    if is_credential_key(key) {
                        return Err(format!(
                            "line {n}: the value of `{key}` must fit on one line"
                        ));
                    }
                    continue;
                }
            }
            if line.starts_with('[') {
                let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
                    return Err(format!(
                        "line {n}: a profile header must look like `[profile-name]`"
                    ));
                };
                let name = name.trim();
                if name.is_empty() {
                    return Err(format!("line {n}: the profile name is empty"));
                }
                if let Some(done) = section.take() {
                    done.finish(&mut creds)?;
                }
                section = Some(Profile::new(name, n));
                last_key = None;
                continue;
            }
            let Some(split_at) = line.find(['=', ':']) else {
                return Err(format!(
                    "line {n}: expected `key = value`, a `[profile]` header, a comment or a blank line"
                ));
            };
            let key = line[..split_at].trim().to_ascii_lowercase();
            let value = line[split_at + 1..].trim();
            if key.is_empty() {
                return Err(format!("line {n}: a key name is missing before `=`"));
            }
            let Some(profile) = section.as_mut() else {
                return Err(format!(
                    "line {n}: `{key}` appears before any `[profile]` header"
                ));
            };
            match key.as_str() {
                "aws_access_key_id" => {
                    if let Some(bad) = value
                        .chars()
                        .find(|c| "/,;=".contains(*c) || c.is_whitespace())
                    {
                        return Err(format!("line {n}: an access key id cannot contain {bad:?}"));
                    }
                    set_once(&mut profile.key_id, value, n, &key, &profile.name)?;
                }
                "aws_secret_access_key" => {
                    set_once(&mut profile.secret, value, n, &key, &profile.name)?;
                }
                "aws_account_id" => {
                    if value.len() != 12 || !value.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(format!(
                            "line {n}: `aws_account_id` must be 12 digits, not {value:?}"
                        ));
                    }
                    set_once(&mut profile.account, value, n, &key, &profile.name)?;
                }
                _ => {}
            }
            last_key = Some(key);
        }
        if let Some(done) = section {
            done.finish(&mut creds)?;
        }
        Ok(creds)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_ids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn is_credential_key(key: &str) -> bool {
    key == "aws_access_key_id" || key == "aws_secret_access_key"
}

/// Stores a value first seen on line `n`; a second one is an error, as is an empty one.
fn set_once(
    slot: &mut Option<(String, usize)>,
    value: &str,
    n: usize,
    key: &str,
    profile: &str,
) -> Result<(), String> {
    if value.is_empty() {
        return Err(format!("line {n}: `{key}` has no value"));
    }
    if let Some((_, first)) = slot {
        return Err(format!(
            "line {n}: `{key}` is set twice in profile `{profile}` (first on line {first})"
        ));
    }
    *slot = Some((value.to_owned(), n));
    Ok(())
}

/// One `[profile]` section while it is being read.
struct Profile {
    name: String,
    line: usize,
    key_id: Option<(String, usize)>,
    secret: Option<(String, usize)>,
    account: Option<(String, usize)>,
}

impl Profile {
    fn new(name: &str, line: usize) -> Self {
        Self {
            name: name.to_owned(),
            line,
            key_id: None,
            secret: None,
            account: None,
        }
    }

    fn finish(self, creds: &mut Credentials) -> Result<(), String> {
        let Profile {
            name,
            line,
            key_id,
            secret,
            account,
        } = self;
        match (key_id, secret) {
            (None, None) if account.is_none() => Ok(()),
            (None, None) => Err(format!(
                "line {line}: profile `{name}` has `aws_account_id` but no access key"
            )),
            (Some((id, n)), Some((secret, _))) => {
                if creds.secret(&id).is_some_and(|known| known != secret) {
                    return Err(format!(
                        "line {n}: access key id `{id}` appears again with a different secret"
                    ));
                }
                match account {
                    Some((account, _)) => creds.insert_for_account(id, secret, account),
                    None => creds.insert(id, secret),
                }
                Ok(())
            }
            (Some(_), None) => Err(format!(
                "line {line}: profile `{name}` has `aws_access_key_id` but no `aws_secret_access_key`"
            )),
            (None, Some(_)) => Err(format!(
                "line {line}: profile `{name}` has `aws_secret_access_key` but no `aws_access_key_id`"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
# AWS shared credentials
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = secret/default+KEY
region = us-east-1

; a second profile, with a session token and odd spacing
[ci]
AWS_ACCESS_KEY_ID=AKIDCI
aws_secret_access_key:   ci-secret
aws_session_token = FQoGZXIvYXdzEXAMPLE
s3 =
    max_concurrent_requests = 20

[only-region]
region = eu-west-1
";

    #[test]
    fn parses_every_profile_and_ignores_other_keys() {
        let creds = Credentials::parse_ini(FILE).expect("valid file");
        assert_eq!(creds.len(), 2);
        assert!(!creds.is_empty());
        assert_eq!(creds.secret("AKIDDEFAULT"), Some("secret/default+KEY"));
        assert_eq!(creds.secret("AKIDCI"), Some("ci-secret"));
        assert_eq!(creds.secret("FQoGZXIvYXdzEXAMPLE"), None);
        assert_eq!(
            creds.access_key_ids().collect::<Vec<_>>(),
            ["AKIDCI", "AKIDDEFAULT"]
        );
    }

    #[test]
    fn holds_only_the_secret_of_its_own_key() {
        let creds = Credentials::parse_ini(FILE).unwrap();
        assert!(creds.holds("AKIDCI", "ci-secret"));
        assert!(!creds.holds("AKIDCI", "secret/default+KEY"));
        assert!(!creds.holds("AKIDCI", "ci-secre"));
        assert!(!creds.holds("AKIDCI", ""));
        assert!(!creds.holds("AKIDNONE", "ci-secret"));
    }

    #[test]
    fn a_profile_may_name_its_keys_account() {
        let creds = Credentials::parse_ini(
            "[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = s\naws_account_id = 111122223333\n\
             [dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = t\n",
        )
        .expect("valid file");
        assert_eq!(creds.account_id("AKIDPROD"), Some("111122223333"));
        assert_eq!(creds.account_id("AKIDDEV"), None);
        for (text, error) in [
            (
                "[a]\naws_access_key_id = K\naws_secret_access_key = S\naws_account_id = 12\n",
                "line 4: `aws_account_id` must be 12 digits, not \"12\"",
            ),
            (
                "[a]\naws_account_id = 111122223333\n",
                "line 1: profile `a` has `aws_account_id` but no access key",
            ),
        ] {
            assert_eq!(Credentials::parse_ini(text).err().as_deref(), Some(error));
        }
    }

    #[test]
    fn empty_and_comment_only_files_have_no_keys() {
        for text in [
            "",
            "\n\n",
            "# nothing\n; here\n",
            "\u{feff}[default]\nregion = x\r\n",
        ] {
            let creds = Credentials::parse_ini(text).expect("valid file");
            assert!(creds.is_empty(), "{text:?}");
            assert_eq!(creds.len(), 0);
        }
    }

    #[test]
    fn crlf_line_endings_are_accepted() {
        let creds =
            Credentials::parse_ini("[a]\r\naws_access_key_id = K\r\naws_secret_access_key = S\r\n")
                .expect("valid file");
        assert_eq!(creds.secret("K"), Some("S"));
    }

    #[test]
    fn errors_name_the_line() {
        let cases: &[(&str, &str)] = &[
            ("aws_access_key_id = K\n", "line 1: `aws_access_key_id` appears before any `[profile]` header"),
            ("[a]\njust words\n", "line 2: expected `key = value`, a `[profile]` header, a comment or a blank line"),
            ("[a\n", "line 1: a profile header must look like `[profile-name]`"),
            ("# c\n[ ]\n", "line 2: the profile name is empty"),
            ("[a]\n= value\n", "line 2: a key name is missing before `=`"),
            ("[a]\naws_access_key_id =\n", "line 2: `aws_access_key_id` has no value"),
            (
                "[a]\naws_access_key_id = K\naws_access_key_id = L\n",
                "line 3: `aws_access_key_id` is set twice in profile `a` (first on line 2)",
            ),
            (
                "[a]\naws_access_key_id = K\n[b]\n",
                "line 1: profile `a` has `aws_access_key_id` but no `aws_secret_access_key`",
            ),
            (
                "\n[b]\naws_secret_access_key = S\n",
                "line 2: profile `b` has `aws_secret_access_key` but no `aws_access_key_id`",
            ),
            ("[a]\naws_access_key_id = K/1\n", "line 2: an access key id cannot contain '/'"),
            (
                "[a]\naws_access_key_id = K\naws_secret_access_key = S\n  more\n",
                "line 4: the value of `aws_secret_access_key` must fit on one line",
            ),
            (
                "[a]\naws_access_key_id = K\naws_secret_access_key = S\n[b]\naws_access_key_id = K\naws_secret_access_key = T\n",
                "line 5: access key id `K` appears again with a different secret",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(Credentials::parse_ini(text).unwrap_err(), *want, "{text:?}");
        }
    }

    #[test]
    fn same_pair_in_two_profiles_is_fine() {
        let text = "[a]\naws_access_key_id = K\naws_secret_access_key = S\n[b]\naws_access_key_id = K\naws_secret_access_key = S\n";
        assert_eq!(Credentials::parse_ini(text).expect("valid").len(), 1);
    }

    #[test]
    fn errors_never_contain_secrets() {
        let text = "[a]\naws_secret_access_key = TOPSECRET\naws_secret_access_key = TOPSECRET2\n";
        let err = Credentials::parse_ini(text).unwrap_err();
        assert!(!err.contains("TOPSECRET"), "{err}");
    }

    #[test]
    fn debug_prints_key_ids_only() {
        let mut creds = Credentials::new();
        creds.insert(
            "AKIDEXAMPLE".into(),
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
        );
        let shown = format!("{creds:?} {creds:#?}");
        assert!(shown.contains("AKIDEXAMPLE"), "{shown}");
        assert!(!shown.contains("wJalr"), "{shown}");
    }
}
