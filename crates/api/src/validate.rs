//! Validation of a request body against the model's constraints, with the messages of
//! AWS's own validation (Coral).
//!
//! Two kinds of failure, as AWS has them:
//!
//! - A value of the wrong JSON type (a string where an integer goes, a list where a
//!   structure goes, a body that is no object) stops everything with a
//!   `SerializationException`: AWS fails while reading the request, before validating.
//! - Constraint failures (missing required members, lengths, ranges, enums, patterns) are
//!   all collected and reported together as one `InvalidParameterException`:
//!   `2 validation errors detected: Value 'x' at 'userPoolId' failed to satisfy constraint:
//!   Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+; Value ...`.
//!
//! Paths are the member names with the first letter lowercased (`MFAOptions` ->
//! `mFAOptions`), joined by dots; elements of lists of structures are
//! `userAttributes.1.member.name` (1-based); values of maps of structures are
//! `acrConfiguration.<key>.acrValue`. Constraints on the elements of a list (or the keys and
//! values of a map) of simple values are reported once for the whole list, listing all
//! the element's constraints: `Value '[a, b]' at 'explicitAuthFlows' failed to satisfy
//! constraint: Member must satisfy constraint: [Member must satisfy enum value set: [..]]`,
//! `Map keys must satisfy constraint: [..]`, `Map value must satisfy constraint: [..]`.
//! Values of sensitive shapes (and everything inside them) are never echoed:
//! `Value at 'password' failed to satisfy constraint: ...`. Unknown members are ignored and
//! `null` counts as absent, as AWS does.

use crate::generated::shapes::PATTERN_COUNT;
use crate::shape::{Pattern, ShapeId, ShapeKind};
use crate::{ApiError, ErrorCode, Operation};
use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::sync::OnceLock;

#[cfg(test)]
mod tests;

/// Checks a request body of `op` against the model. `null` (an empty body) counts as `{}`.
pub fn validate(op: Operation, body: &Value) -> Result<(), ApiError> {
    validate_shape(op.input_shape(), body)
}

/// Checks `body` against the structure `id`; see [`validate`].
pub fn validate_shape(id: ShapeId, body: &Value) -> Result<(), ApiError> {
    let empty = Value::Object(Map::new());
    let body = if body.is_null() { &empty } else { body };
    let mut walk = Walk {
        path: String::new(),
        errors: Vec::new(),
    };
    walk.value(id, body, false)?;
    match walk.errors.len() {
        0 => Ok(()),
        1 => Err(ApiError::invalid_parameter(format!(
            "1 validation error detected: {}",
            walk.errors[0]
        ))),
        n => Err(ApiError::invalid_parameter(format!(
            "{n} validation errors detected: {}",
            walk.errors.join("; ")
        ))),
    }
}

/// Whether `text` matches `pattern` in full, as Java's `String.matches` would. The regex
/// is compiled on first use and kept.
pub fn pattern_matches(pattern: &Pattern, text: &str) -> bool {
    static COMPILED: [OnceLock<Option<Compiled>>; PATTERN_COUNT] =
        [const { OnceLock::new() }; PATTERN_COUNT];
    let Some(slot) = COMPILED.get(usize::from(pattern.id)) else {
        return true;
    };
    match slot.get_or_init(|| Compiled::new(pattern.regex)) {
        Some(compiled) => compiled.matches(text),
        // Cannot happen: a test compiles every pattern of the model.
        None => true,
    }
}

/// A compiled pattern, and for a pattern that is one character class repeated (`[...]+` or
/// `[...]*`, most of the model's: tokens, sessions, names) which ASCII characters the class
/// holds, so that ASCII text (a 1 KB token, say) is checked a byte at a time instead of
/// through the regex. Each ASCII character is put through the regex itself to make that
/// table, so both ways agree.
struct Compiled {
    regex: fancy_regex::Regex,
    ascii_class: Option<AsciiClass>,
}

struct AsciiClass {
    holds: [bool; 128],
    empty_matches: bool,
}

impl Compiled {
    fn new(regex: &str) -> Option<Self> {
        let compiled = fancy_regex::Regex::new(regex).ok()?;
        let ascii_class = one_class_repeated(regex).and_then(|(class, empty_matches)| {
            let one = fancy_regex::Regex::new(&format!("^(?:{class})$")).ok()?;
            let mut holds = [false; 128];
            for (byte, held) in (0u8..128).zip(holds.iter_mut()) {
                *held = one.is_match(&char::from(byte).to_string()).ok()?;
            }
            Some(AsciiClass {
                holds,
                empty_matches,
            })
        });
        Some(Self {
            regex: compiled,
            ascii_class,
        })
    }

    fn matches(&self, text: &str) -> bool {
        match &self.ascii_class {
            Some(class) if text.is_ascii() => {
                (class.empty_matches || !text.is_empty())
                    && text.bytes().all(|b| class.holds[usize::from(b)])
            }
            // A backtracking limit hit counts as no match: the value is rejected, not let in.
            _ => self.regex.is_match(text).unwrap_or(false),
        }
    }
}

/// For `^(?:[CLASS]+)$` or `^(?:[CLASS]*)$` whose brackets are one class (nested classes and
/// escapes allowed): `[CLASS]`, and whether the empty text matches.
fn one_class_repeated(regex: &str) -> Option<(&str, bool)> {
    let inner = regex.strip_prefix("^(?:")?.strip_suffix(")$")?;
    let (class, empty_matches) = match inner.strip_suffix('+') {
        Some(class) => (class, false),
        None => (inner.strip_suffix('*')?, true),
    };
    let mut depth = 0usize;
    let mut chars = class.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' => depth += 1,
            ']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 && i + 1 != class.len() {
                    return None;
                }
            }
            _ if depth == 0 => return None,
            _ => {}
        }
    }
    (depth == 0 && class.starts_with('[')).then_some((class, empty_matches))
}

struct Walk {
    /// The path of the value being checked, e.g. `userAttributes.1.member.name`.
    path: String,
    errors: Vec<String>,
}

impl Walk {
    fn value(&mut self, id: ShapeId, value: &Value, hidden: bool) -> Result<(), ApiError> {
        let shape = id.shape();
        let hidden = hidden || shape.sensitive;
        match &shape.kind {
            ShapeKind::Structure { members } => {
                let object = value
                    .as_object()
                    .ok_or_else(|| type_error(&shape.kind, value))?;
                for member in *members {
                    let len = self.path.len();
                    if len > 0 {
                        self.path.push('.');
                    }
                    push_lower_first(&mut self.path, member.name);
                    match object.get(member.name).filter(|v| !v.is_null()) {
                        Some(v) => self.value(member.shape, v, hidden)?,
                        None if member.required => self.errors.push(format!(
                            "Value null at '{}' failed to satisfy constraint: Member must not be null",
                            self.path
                        )),
                        None => {}
                    }
                    self.path.truncate(len);
                }
            }
            ShapeKind::List { member, min, max } => {
                let items = value
                    .as_array()
                    .ok_or_else(|| type_error(&shape.kind, value))?;
                self.count(value, items.len(), *min, *max, hidden);
                let shown = hidden || member.shape().sensitive;
                if items.iter().any(Value::is_null) {
                    self.fail(
                        value,
                        shown,
                        "Member must satisfy constraint: [Member must not be null]",
                    );
                }
                if is_simple(*member) {
                    if self.any_fails(*member, items.iter())? {
                        let all = describe(*member);
                        self.fail(
                            value,
                            shown,
                            &format!("Member must satisfy constraint: [{all}]"),
                        );
                    }
                } else {
                    for (i, item) in items.iter().enumerate() {
                        if item.is_null() {
                            continue;
                        }
                        let len = self.path.len();
                        let _ = write!(self.path, ".{}.member", i + 1);
                        self.value(*member, item, hidden)?;
                        self.path.truncate(len);
                    }
                }
            }
            ShapeKind::Map {
                key,
                value: element,
                min,
                max,
            } => {
                let object = value
                    .as_object()
                    .ok_or_else(|| type_error(&shape.kind, value))?;
                self.count(value, object.len(), *min, *max, hidden);
                let shown = hidden || key.shape().sensitive || element.shape().sensitive;
                let keys: Vec<Value> = object.keys().map(|k| Value::String(k.clone())).collect();
                if self.any_fails(*key, keys.iter())? {
                    let all = describe(*key);
                    self.fail(
                        value,
                        shown,
                        &format!("Map keys must satisfy constraint: [{all}]"),
                    );
                }
                if object.values().any(Value::is_null) {
                    self.fail(
                        value,
                        shown,
                        "Map value must satisfy constraint: [Member must not be null]",
                    );
                }
                if is_simple(*element) {
                    if self.any_fails(*element, object.values())? {
                        let all = describe(*element);
                        self.fail(
                            value,
                            shown,
                            &format!("Map value must satisfy constraint: [{all}]"),
                        );
                    }
                } else {
                    for (k, v) in object.iter().filter(|(_, v)| !v.is_null()) {
                        let len = self.path.len();
                        let _ = write!(self.path, ".{k}");
                        self.value(*element, v, hidden)?;
                        self.path.truncate(len);
                    }
                }
            }
            _ => {
                for failure in simple_failures(id, value)? {
                    self.fail(value, hidden, &failure);
                }
            }
        }
        Ok(())
    }

    /// Whether any non-null value breaks a constraint of the simple shape `id`; a value of
    /// the wrong type is an error.
    fn any_fails<'a>(
        &self,
        id: ShapeId,
        mut values: impl Iterator<Item = &'a Value>,
    ) -> Result<bool, ApiError> {
        values.try_fold(false, |failed, v| {
            Ok(failed || (!v.is_null() && !simple_failures(id, v)?.is_empty()))
        })
    }

    /// Length bounds of a list or map.
    fn count(
        &mut self,
        value: &Value,
        len: usize,
        min: Option<i64>,
        max: Option<i64>,
        hidden: bool,
    ) {
        let len = i64::try_from(len).unwrap_or(i64::MAX);
        if let Some(min) = min.filter(|&min| len < min) {
            self.fail(
                value,
                hidden,
                &format!("Member must have length greater than or equal to {min}"),
            );
        }
        if let Some(max) = max.filter(|&max| len > max) {
            self.fail(
                value,
                hidden,
                &format!("Member must have length less than or equal to {max}"),
            );
        }
    }

    fn fail(&mut self, value: &Value, hidden: bool, constraint: &str) {
        let mut message = String::from("Value ");
        if !hidden {
            message.push('\'');
            display(value, &mut message);
            message.push_str("' ");
        }
        let _ = write!(
            message,
            "at '{}' failed to satisfy constraint: {constraint}",
            self.path
        );
        self.errors.push(message);
    }
}

fn push_lower_first(path: &mut String, name: &str) {
    let mut chars = name.chars();
    if let Some(first) = chars.next() {
        path.extend(first.to_lowercase());
        path.push_str(chars.as_str());
    }
}

/// Shapes whose values are checked in one piece: everything but structures, lists, maps.
fn is_simple(id: ShapeId) -> bool {
    !matches!(
        id.shape().kind,
        ShapeKind::Structure { .. } | ShapeKind::List { .. } | ShapeKind::Map { .. }
    )
}

/// The constraints a simple value breaks, in AWS's order (length, range, pattern, enum).
fn simple_failures(id: ShapeId, value: &Value) -> Result<Vec<String>, ApiError> {
    let kind = &id.shape().kind;
    let mut failures = Vec::new();
    match kind {
        ShapeKind::String {
            min,
            max,
            pattern,
            enum_values,
        } => {
            let text = value.as_str().ok_or_else(|| type_error(kind, value))?;
            // Java counts UTF-16 code units.
            length(&mut failures, text.encode_utf16().count(), *min, *max);
            // The model's DomainType pattern forbids dots, yet Cognito takes custom domains
            // (`auth.example.com`) there: it checks prefixes itself, with its own message.
            if let Some(pattern) = pattern.as_ref().filter(|_| id != ShapeId::DomainType) {
                if !pattern_matches(pattern, text) {
                    failures.push(format!(
                        "Member must satisfy regular expression pattern: {}",
                        pattern.model
                    ));
                }
            }
            if !enum_values.is_empty() && !enum_values.contains(&text) {
                failures.push(enum_constraint(enum_values));
            }
        }
        ShapeKind::Integer { min, max } | ShapeKind::Long { min, max } => {
            let n = value.as_i64().ok_or_else(|| type_error(kind, value))?;
            if matches!(kind, ShapeKind::Integer { .. }) && i32::try_from(n).is_err() {
                return Err(type_error(kind, value));
            }
            if let Some(min) = min.filter(|&min| n < min) {
                failures.push(format!(
                    "Member must have value greater than or equal to {min}"
                ));
            }
            if let Some(max) = max.filter(|&max| n > max) {
                failures.push(format!(
                    "Member must have value less than or equal to {max}"
                ));
            }
        }
        ShapeKind::Blob { min, max } => {
            let len = value
                .as_str()
                .and_then(base64_decoded_len)
                .ok_or_else(|| type_error(kind, value))?;
            length(&mut failures, len, *min, *max);
        }
        ShapeKind::Boolean => {
            value.as_bool().ok_or_else(|| type_error(kind, value))?;
        }
        ShapeKind::Timestamp => {
            value.as_f64().ok_or_else(|| type_error(kind, value))?;
        }
        ShapeKind::Document => {}
        ShapeKind::Structure { .. } | ShapeKind::List { .. } | ShapeKind::Map { .. } => {}
    }
    Ok(failures)
}

fn length(failures: &mut Vec<String>, len: usize, min: Option<i64>, max: Option<i64>) {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    if let Some(min) = min.filter(|&min| len < min) {
        failures.push(format!(
            "Member must have length greater than or equal to {min}"
        ));
    }
    if let Some(max) = max.filter(|&max| len > max) {
        failures.push(format!(
            "Member must have length less than or equal to {max}"
        ));
    }
}

fn enum_constraint(values: &[&str]) -> String {
    format!(
        "Member must satisfy enum value set: [{}]",
        values.join(", ")
    )
}

/// Every constraint of a simple shape, as AWS lists them for list elements and map keys
/// and values: `Member must have length less than or equal to 128, Member must have length
/// greater than or equal to 1, Member must satisfy regular expression pattern: ...`.
fn describe(id: ShapeId) -> String {
    let mut all = Vec::new();
    let bounds = |all: &mut Vec<String>, what: &str, min: &Option<i64>, max: &Option<i64>| {
        if let Some(max) = max {
            all.push(format!(
                "Member must have {what} less than or equal to {max}"
            ));
        }
        if let Some(min) = min {
            all.push(format!(
                "Member must have {what} greater than or equal to {min}"
            ));
        }
    };
    match &id.shape().kind {
        ShapeKind::String {
            min,
            max,
            pattern,
            enum_values,
        } => {
            bounds(&mut all, "length", min, max);
            if let Some(pattern) = pattern {
                all.push(format!(
                    "Member must satisfy regular expression pattern: {}",
                    pattern.model
                ));
            }
            if !enum_values.is_empty() {
                all.push(enum_constraint(enum_values));
            }
        }
        ShapeKind::Integer { min, max } | ShapeKind::Long { min, max } => {
            bounds(&mut all, "value", min, max)
        }
        ShapeKind::Blob { min, max } => bounds(&mut all, "length", min, max),
        _ => {}
    }
    all.join(", ")
}

/// The decoded length of base64 text, or `None` when it is not base64.
fn base64_decoded_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let body = text.trim_end_matches('=');
    let padding = bytes.len() - body.len();
    let alphabet = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/');
    if padding > 2 || !body.as_bytes().iter().all(alphabet) {
        return None;
    }
    if padding > 0 && bytes.len() % 4 != 0 {
        return None;
    }
    match body.len() % 4 {
        0 => Some(body.len() / 4 * 3),
        1 => None,
        rest => Some(body.len() / 4 * 3 + rest - 1),
    }
}

/// The `SerializationException` for a value of the wrong JSON type, worded as AWS's
/// request reader words the common cases.
fn type_error(expected: &ShapeKind, found: &Value) -> ApiError {
    let message = match (found, expected) {
        (Value::Object(_), _) => "Start of structure or map found where not expected.",
        (Value::Array(_), _) => "Start of list found where not expected",
        (Value::String(_), ShapeKind::Integer { .. }) => {
            "STRING_VALUE can not be converted to an Integer"
        }
        (Value::String(_), ShapeKind::Long { .. }) => "STRING_VALUE can not be converted to a Long",
        (Value::String(_), ShapeKind::Boolean) => "STRING_VALUE can not be converted to a Boolean",
        _ => "Unexpected value type in payload",
    };
    ApiError::new(ErrorCode::SerializationException, message)
}

/// A JSON value as Java's `toString` would print the request object's field:
/// strings bare, lists `[a, b]`, maps `{k=v}`.
fn display(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                display(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                display(v, out);
            }
            out.push('}');
        }
    }
}
