//! The SigV4 canonical request: canonical URI, query string and headers.

use crate::Request;

/// The SigV4 canonical request, as bytes (header values need not be UTF-8).
pub(crate) fn canonical_request(
    req: &Request,
    signed_headers: &str,
    presigned: bool,
    payload_hash: &str,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(req.method.as_str().as_bytes());
    out.push(b'\n');
    out.extend_from_slice(canonical_uri(req.uri.path()).as_bytes());
    out.push(b'\n');
    out.extend_from_slice(canonical_query(req.uri.query().unwrap_or(""), presigned).as_bytes());
    out.push(b'\n');
    for name in signed_headers.split(';') {
        let name = name.to_ascii_lowercase();
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        let values: Vec<&[u8]> = match http::HeaderName::from_bytes(name.as_bytes()) {
            Ok(header) => req
                .headers
                .get_all(header)
                .iter()
                .map(|v| v.as_bytes())
                .collect(),
            Err(_) => Vec::new(),
        };
        if values.is_empty() && name == "host" {
            if let Some(authority) = req.uri.authority() {
                out.extend_from_slice(authority.as_str().as_bytes());
            }
        }
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_trimmed(&mut out, value);
        }
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(signed_headers.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(payload_hash.as_bytes());
    out
}

/// Appends `value` without leading/trailing spaces and with runs of spaces collapsed.
fn push_trimmed(out: &mut Vec<u8>, value: &[u8]) {
    let mut previous_space = false;
    let start = out.len();
    for &b in value {
        if b == b' ' {
            previous_space = true;
            continue;
        }
        if previous_space && out.len() > start {
            out.push(b' ');
        }
        previous_space = false;
        out.push(b);
    }
}

/// The path as sent, dot segments and repeated slashes removed, each segment URI-encoded
/// (so `%` becomes `%25`: AWS services other than S3 compare against a double encoding).
fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut out = String::from("/");
    out.push_str(
        &segments
            .iter()
            .map(|s| uri_encode(s.as_bytes()))
            .collect::<Vec<_>>()
            .join("/"),
    );
    let ends_with_slash = ["/", "/.", "/./", "/..", "/../"]
        .iter()
        .any(|end| path.ends_with(end));
    if ends_with_slash && !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// Query parameters decoded and re-encoded the SigV4 way, sorted; a presigned request's
/// `X-Amz-Signature` left out.
fn canonical_query(query: &str, presigned: bool) -> String {
    let mut pairs: Vec<(String, String)> = parse_query(query)
        .into_iter()
        .filter(|(k, _)| !(presigned && k == b"X-Amz-Signature"))
        .map(|(k, v)| (uri_encode(&k), uri_encode(&v)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `a=1&b=x%20y` as decoded byte pairs (`+` is a space, as form decoding has it).
pub(crate) fn parse_query(query: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

pub(crate) fn query_param<'q>(query: &'q [(Vec<u8>, Vec<u8>)], name: &str) -> Option<&'q [u8]> {
    query
        .iter()
        .find(|(k, _)| k == name.as_bytes())
        .map(|(_, v)| v.as_slice())
}

fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let high = bytes.get(i + 1).and_then(hex_value);
        let low = bytes.get(i + 2).and_then(hex_value);
        match (b, high, low) {
            (b'%', Some(high), Some(low)) => {
                out.push(high << 4 | low);
                i += 3;
                continue;
            }
            (b'+', _, _) => out.push(b' '),
            _ => out.push(b),
        }
        i += 1;
    }
    out
}

fn hex_value(digit: &u8) -> Option<u8> {
    char::from(*digit)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Every byte but the unreserved ones (`A-Z a-z 0-9 - _ . ~`) as `%XX`.
fn uri_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_uri_normalizes_and_double_encodes() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("//"), "/");
        assert_eq!(canonical_uri("//example//"), "/example/");
        assert_eq!(canonical_uri("/a/./b/../c"), "/a/c");
        assert_eq!(canonical_uri("/../x"), "/x");
        assert_eq!(canonical_uri("/a b/%E1%88%B4"), "/a%20b/%25E1%2588%25B4");
    }

    #[test]
    fn canonical_query_sorts_and_encodes() {
        assert_eq!(canonical_query("", false), "");
        assert_eq!(
            canonical_query("Param2=value2&Param1=value1", false),
            "Param1=value1&Param2=value2"
        );
        assert_eq!(
            canonical_query("b=2&a=x%20y&a=1&c&d=a+b&e=%zz", false),
            "a=1&a=x%20y&b=2&c=&d=a%20b&e=%25zz"
        );
        assert_eq!(canonical_query("X-Amz-Signature=abc&z=1", true), "z=1");
        assert_eq!(
            canonical_query("X-Amz-Signature=abc&z=1", false),
            "X-Amz-Signature=abc&z=1"
        );
        assert_eq!(canonical_query("%", false), "%25=");
        assert_eq!(canonical_query("k=%4", false), "k=%254");
    }

    #[test]
    fn header_values_are_trimmed_and_collapsed() {
        let mut out = Vec::new();
        push_trimmed(&mut out, b"   a   b  c  ");
        assert_eq!(out, b"a b c");
        out.clear();
        push_trimmed(&mut out, b"    ");
        assert_eq!(out, b"");
    }
}
