//! The rules of Cognito's user import file that need no storage: its header (GetCSVHeader's
//! columns, in any order, each once), its rows (values separated by commas, a comma inside a
//! value escaped with a backslash, no quoting, white space around values trimmed), and the
//! checks of one row that concern the import itself: the username, `cognito:mfa_enabled`,
//! the `_verified` flags and the pool's auto-verified attributes, the birthdate's form.
//! The attribute schema's checks are the caller's.

use std::collections::BTreeMap;
use std::fmt;

/// The column naming each user.
pub const USERNAME: &str = "cognito:username";
/// The column saying whether the user has (SMS) MFA turned on.
pub const MFA_ENABLED: &str = "cognito:mfa_enabled";
/// The longest row Cognito reads, in characters.
pub const MAX_ROW_CHARS: usize = 16_000;
/// The largest file Cognito takes, in bytes (100 MB).
pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;

/// What is wrong with a file's header: the job fails with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderError {
    Empty,
    ByteOrderMark,
    Unknown(String),
    Missing(String),
    Duplicate(String),
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("The .csv file is empty: its first row must be the header."),
            Self::ByteOrderMark => {
                f.write_str("The .csv file must be UTF-8 without a byte order mark.")
            }
            Self::Unknown(c) => {
                write!(f, "The .csv header has a column not in the user pool: {c}.")
            }
            Self::Missing(c) => write!(f, "The .csv header is missing the column {c}."),
            Self::Duplicate(c) => write!(f, "The .csv header has the column {c} twice."),
        }
    }
}

/// Splits one line (without its line break) into its values: a backslash before a comma
/// keeps the comma in the value; each value is trimmed.
pub fn split_row(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut value = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                value.push(',');
                chars.next();
            }
            ',' => out.push(std::mem::take(&mut value).trim().to_owned()),
            c => value.push(c),
        }
    }
    out.push(value.trim().to_owned());
    out
}

/// Checks the header row against the columns GetCSVHeader gives for the pool: every one
/// present, once, and nothing else (the order does not matter).
pub fn check_header(found: &[String], expected: &[String]) -> Result<(), HeaderError> {
    match found.first() {
        None => return Err(HeaderError::Empty),
        Some(first) if first.starts_with('\u{feff}') => return Err(HeaderError::ByteOrderMark),
        Some(first) if found.len() == 1 && first.is_empty() => return Err(HeaderError::Empty),
        Some(_) => {}
    }
    for (i, column) in found.iter().enumerate() {
        if !expected.contains(column) {
            return Err(HeaderError::Unknown(column.clone()));
        }
        if found[..i].contains(column) {
            return Err(HeaderError::Duplicate(column.clone()));
        }
    }
    // The username first: it is the column a file can least do without.
    let mut needed: Vec<&String> = expected.iter().filter(|c| *c == USERNAME).collect();
    needed.extend(expected.iter().filter(|c| *c != USERNAME));
    match needed.into_iter().find(|c| !found.contains(c)) {
        Some(missing) => Err(HeaderError::Missing(missing.clone())),
        None => Ok(()),
    }
}

/// A Boolean as files write them (`TRUE`, `false`, ...).
pub fn parse_bool(value: &str) -> Option<bool> {
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// `mm/dd/yyyy`, the birthdate form the import takes.
pub fn is_birthdate(value: &str) -> bool {
    let parts: Vec<&str> = value.split('/').collect();
    let number = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u32>().ok())
    };
    match parts.as_slice() {
        [m, d, y] => matches!(
            (number(m, 2), number(d, 2), number(y, 4)),
            (Some(Some(m)), Some(Some(d)), Some(Some(_))) if (1..=12).contains(&m) && (1..=31).contains(&d)
        ),
        _ => false,
    }
}

/// The pool's MFA setting, as the `cognito:mfa_enabled` column must follow it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mfa {
    Off,
    On,
    Optional,
}

/// The pool settings a row is checked against.
#[derive(Clone, Debug)]
pub struct RowRules {
    pub mfa: Mfa,
    /// The pool's auto-verified attributes (`email`, `phone_number`).
    pub auto_verified: Vec<String>,
}

/// What the import makes of a row that passed [`check_row`]: its username, whether SMS MFA
/// is on, and its attributes (Booleans in lower case, empty values left out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub username: String,
    pub mfa_enabled: bool,
    pub attributes: BTreeMap<String, String>,
}

/// The message Cognito logs for a user none of whose auto-verified attributes is verified.
pub const NOT_VERIFIED: &str = "The User Record does not set any of the auto verified attributes \
     to verified. (Example: email_verified to true).";

/// Checks the row's `values` (one per `header` column) for what the import itself requires.
pub fn check_row(header: &[String], values: Vec<String>, rules: &RowRules) -> Result<Row, String> {
    if values.len() != header.len() {
        return Err(format!(
            "The row has {} values but the header has {} columns.",
            values.len(),
            header.len()
        ));
    }
    let mut username = String::new();
    let mut mfa = String::new();
    let mut attributes = BTreeMap::new();
    for (column, value) in header.iter().zip(values) {
        match column.as_str() {
            USERNAME => username = value,
            MFA_ENABLED => mfa = value,
            _ if value.is_empty() => {}
            _ => {
                attributes.insert(column.clone(), value);
            }
        }
    }
    if username.is_empty() {
        return Err(format!("The {USERNAME} field is required."));
    }
    if username.contains([' ', '\t']) {
        return Err(format!(
            "The {USERNAME} field cannot contain spaces or tabs."
        ));
    }
    let mfa_enabled = match (parse_bool(&mfa), rules.mfa) {
        (None, _) if mfa.is_empty() => return Err(format!("The {MFA_ENABLED} field is required.")),
        (None, _) => return Err(format!("The {MFA_ENABLED} field must be true or false.")),
        (Some(false), Mfa::On) => {
            return Err(format!(
                "The {MFA_ENABLED} field must be true: MFA is required in the user pool."
            ))
        }
        (Some(true), Mfa::Off) => {
            return Err(format!(
                "The {MFA_ENABLED} field must be false: MFA is off in the user pool."
            ))
        }
        (Some(on), _) => on,
    };
    if mfa_enabled && !attributes.contains_key("phone_number") {
        return Err(format!(
            "A user with {MFA_ENABLED} true needs a phone_number (SMS MFA)."
        ));
    }
    for attribute in ["email", "phone_number"] {
        let flag = format!("{attribute}_verified");
        let Some(value) = attributes.get_mut(&flag) else {
            continue;
        };
        match parse_bool(value) {
            None => return Err(format!("The {flag} field must be true or false.")),
            Some(verified) => {
                *value = verified.to_string();
                if verified && !attributes.contains_key(attribute) {
                    return Err(format!(
                        "The {attribute} field is required when {flag} is true."
                    ));
                }
            }
        }
    }
    let verified =
        |a: &String| attributes.get(&format!("{a}_verified")).map(String::as_str) == Some("true");
    if !rules.auto_verified.iter().any(verified) {
        return Err(NOT_VERIFIED.into());
    }
    if attributes
        .get("birthdate")
        .is_some_and(|b| !is_birthdate(b))
    {
        return Err("The birthdate field must be in the format mm/dd/yyyy.".into());
    }
    Ok(Row {
        username,
        mfa_enabled,
        attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(s: &str) -> Vec<String> {
        s.split(',').map(str::to_owned).collect()
    }

    #[test]
    fn rows_split_on_commas_not_escaped_ones() {
        assert_eq!(
            split_row(r"a, 1 Main St\, Apt 2 ,,c"),
            ["a", "1 Main St, Apt 2", "", "c"]
        );
        assert_eq!(split_row(""), [""]);
        assert_eq!(split_row(r"a\b"), [r"a\b"]);
    }

    #[test]
    fn headers_need_every_column_once_and_nothing_else() {
        let expected = cols("name,email,cognito:mfa_enabled,cognito:username");
        assert_eq!(
            check_header(
                &cols("cognito:username,cognito:mfa_enabled,email,name"),
                &expected
            ),
            Ok(())
        );
        assert_eq!(
            check_header(
                &cols("name,email,cognito:mfa_enabled,cognito:username,nick"),
                &expected
            ),
            Err(HeaderError::Unknown("nick".into()))
        );
        assert_eq!(
            check_header(&cols("name,email,cognito:mfa_enabled"), &expected),
            Err(HeaderError::Missing(USERNAME.into()))
        );
        assert_eq!(
            check_header(
                &cols("name,name,email,cognito:mfa_enabled,cognito:username"),
                &expected
            ),
            Err(HeaderError::Duplicate("name".into()))
        );
        assert_eq!(
            check_header(&cols("\u{feff}name"), &expected),
            Err(HeaderError::ByteOrderMark)
        );
        assert_eq!(
            check_header(&[String::new()], &expected),
            Err(HeaderError::Empty)
        );
        assert_eq!(
            HeaderError::Missing(USERNAME.into()).to_string(),
            "The .csv header is missing the column cognito:username."
        );
    }

    #[test]
    fn birthdates_are_month_day_year() {
        assert!(is_birthdate("02/01/1985"));
        for bad in [
            "1985-02-01",
            "2/1/1985",
            "13/01/1985",
            "02/32/1985",
            "aa/bb/cccc",
        ] {
            assert!(!is_birthdate(bad), "{bad}");
        }
    }

    fn rules(mfa: Mfa) -> RowRules {
        RowRules {
            mfa,
            auto_verified: vec!["email".into()],
        }
    }

    #[test]
    fn rows_follow_the_import_rules() {
        let header = cols(
            "cognito:username,cognito:mfa_enabled,email,email_verified,phone_number,birthdate",
        );
        let row = |s: &str| check_row(&header, split_row(s), &rules(Mfa::Optional));
        let ok = row("alice,FALSE,a@example.com,TRUE,,02/01/1985").unwrap();
        assert_eq!(ok.username, "alice");
        assert!(!ok.mfa_enabled);
        assert_eq!(ok.attributes["email_verified"], "true");
        assert!(!ok.attributes.contains_key("phone_number"));
        for (line, why) in [
            (
                ",false,a@example.com,true,,",
                "The cognito:username field is required.",
            ),
            (
                "a b,false,a@example.com,true,,",
                "The cognito:username field cannot contain spaces or tabs.",
            ),
            (
                "a,,a@example.com,true,,",
                "The cognito:mfa_enabled field is required.",
            ),
            (
                "a,yes,a@example.com,true,,",
                "The cognito:mfa_enabled field must be true or false.",
            ),
            (
                "a,true,a@example.com,true,,",
                "A user with cognito:mfa_enabled true needs a phone_number (SMS MFA).",
            ),
            (
                "a,false,,true,,",
                "The email field is required when email_verified is true.",
            ),
            ("a,false,a@example.com,false,,", NOT_VERIFIED),
            (
                "a,false,a@example.com,maybe,,",
                "The email_verified field must be true or false.",
            ),
            (
                "a,false,a@example.com,true,,1985-02-01",
                "The birthdate field must be in the format mm/dd/yyyy.",
            ),
            (
                "a,false",
                "The row has 2 values but the header has 6 columns.",
            ),
        ] {
            assert_eq!(row(line), Err(why.to_owned()), "{line}");
        }
        let on = check_row(
            &header,
            split_row("a,false,a@example.com,true,,"),
            &rules(Mfa::On),
        );
        assert_eq!(
            on,
            Err(
                "The cognito:mfa_enabled field must be true: MFA is required in the user pool."
                    .into()
            )
        );
        let off = check_row(
            &header,
            split_row("a,true,a@example.com,true,+15550100,"),
            &rules(Mfa::Off),
        );
        assert_eq!(
            off,
            Err("The cognito:mfa_enabled field must be false: MFA is off in the user pool.".into())
        );
    }
}
