//! Name conversions from the model's spelling to Rust's, and Rust literal quoting.

/// Words Rust reserves; a field with one of these names is written as a raw identifier.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; these get a trailing underscore.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self"];

/// `UserPoolId` -> `user_pool_id`, `MFAOptions` -> `mfa_options`, `SMSMfaSettings` ->
/// `sms_mfa_settings`, `AllowedOAuthFlows` -> `allowed_o_auth_flows` (as aws-sdk-rust does).
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                None | Some('_') => false,
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                Some(_) => false,
            };
            if boundary {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out
}

/// A field identifier: snake case, with keywords made legal.
pub fn field_ident(member: &str) -> String {
    let snake = snake_case(member);
    if NOT_RAW.contains(&snake.as_str()) {
        format!("{snake}_")
    } else if KEYWORDS.contains(&snake.as_str()) {
        format!("r#{snake}")
    } else {
        snake
    }
}

/// An enum value as a variant name: `USER_SRP_AUTH` -> `UserSrpAuth`, `phone_number` ->
/// `PhoneNumber`, `InProgress` stays, `V1_0` -> `V10` (as aws-sdk-rust does).
pub fn variant_ident(value: &str) -> String {
    let mut out = String::new();
    for part in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        let Some(first) = chars.next() else { continue };
        out.push(first.to_ascii_uppercase());
        let rest: String = chars.collect();
        let uniform = !rest.chars().any(|c| c.is_ascii_lowercase())
            || !part.chars().any(|c| c.is_ascii_uppercase());
        if uniform {
            out.push_str(&rest.to_ascii_lowercase());
        } else {
            out.push_str(&rest);
        }
    }
    out
}

/// Whether `name` can be used as a Rust type or variant name as it is.
pub fn is_type_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
        && name != "Self"
}

/// A Rust string literal for `s`: raw when that reads better, escaped otherwise.
pub fn str_lit(s: &str) -> String {
    let plain = s.chars().all(|c| c == ' ' || c.is_ascii_graphic());
    if !plain {
        return format!("{s:?}");
    }
    if !s.contains('\\') && !s.contains('"') {
        return format!("\"{s}\"");
    }
    let mut hashes = String::new();
    while s.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{s}\"{hashes}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_cases_like_the_aws_sdks() {
        assert_eq!(snake_case("UserPoolId"), "user_pool_id");
        assert_eq!(snake_case("MFAOptions"), "mfa_options");
        assert_eq!(snake_case("SMSMfaSettings"), "sms_mfa_settings");
        assert_eq!(snake_case("AllowedOAuthFlows"), "allowed_o_auth_flows");
        assert_eq!(snake_case("IdTokenValidity"), "id_token_validity");
        assert_eq!(snake_case("S3Bucket"), "s3_bucket");
        assert_eq!(snake_case("message"), "message");
        assert_eq!(field_ident("Type"), "r#type");
    }

    #[test]
    fn variants() {
        assert_eq!(variant_ident("USER_SRP_AUTH"), "UserSrpAuth");
        assert_eq!(variant_ident("phone_number"), "PhoneNumber");
        assert_eq!(variant_ident("InProgress"), "InProgress");
        assert_eq!(variant_ident("userNotification"), "UserNotification");
        assert_eq!(variant_ident("V1_0"), "V10");
        assert_eq!(variant_ident("ARGON2ID"), "Argon2id");
        assert_eq!(variant_ident("N_A"), "NA");
    }

    #[test]
    fn literals() {
        assert_eq!(str_lit("abc"), "\"abc\"");
        assert_eq!(str_lit(r"[\w-]+"), r#"r"[\w-]+""#);
        assert_eq!(str_lit(r#"a"\b"#), r###"r#"a"\b"#"###);
    }
}
