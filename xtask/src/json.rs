//! A JSON value that keeps the order of object members as written in the file.
//!
//! The model's member order matters (it is the order of struct fields and of validation
//! errors), and serde_json's `preserve_order` feature would leak into every crate of the
//! workspace through feature unification, so the xtask carries this small type instead.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt::{self, Write as _};

#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub fn parse(text: &str) -> Result<Json, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// The same value without the members named `key` at any depth, except in objects
    /// that are name maps (the value of a member named in `name_maps`, such as `members`,
    /// whose keys are names of the model's own, which could be `key`).
    pub fn without_key(&self, key: &str, name_maps: &[&str]) -> Json {
        self.strip(key, name_maps, false)
    }

    fn strip(&self, key: &str, name_maps: &[&str], is_name_map: bool) -> Json {
        match self {
            Json::Array(items) => Json::Array(
                items
                    .iter()
                    .map(|v| v.strip(key, name_maps, false))
                    .collect(),
            ),
            Json::Object(entries) => Json::Object(
                entries
                    .iter()
                    .filter(|(k, _)| is_name_map || k != key)
                    .map(|(k, v)| {
                        let child_is_map = !is_name_map && name_maps.contains(&k.as_str());
                        (k.clone(), v.strip(key, name_maps, child_is_map))
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// Pretty-prints in the layout of botocore's data files: two-space indent, no space
    /// after `:`, small scalar-only objects and arrays on one line.
    pub fn to_pretty(&self) -> String {
        let mut out = String::new();
        self.write_pretty(&mut out, 0, None);
        out.push('\n');
        out
    }

    fn is_scalar(&self) -> bool {
        !matches!(self, Json::Array(_) | Json::Object(_))
    }

    /// Whether a container goes on one line: an object whose members are all scalars and
    /// few (`{"shape":"X"}`), or an array of scalars outside `enum` lists.
    fn inline(&self, key: Option<&str>) -> bool {
        match self {
            Json::Object(entries) => {
                entries.is_empty() || (entries.len() == 1 && entries[0].1.is_scalar())
            }
            Json::Array(items) => {
                items.is_empty() || (key != Some("enum") && items.iter().all(Json::is_scalar))
            }
            _ => true,
        }
    }

    fn write_pretty(&self, out: &mut String, indent: usize, key: Option<&str>) {
        if self.inline(key) {
            self.write_compact(out);
            return;
        }
        let pad = "  ".repeat(indent + 1);
        match self {
            Json::Array(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&pad);
                    item.write_pretty(out, indent + 1, None);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&"  ".repeat(indent));
                out.push(']');
            }
            Json::Object(entries) => {
                out.push_str("{\n");
                for (i, (k, v)) in entries.iter().enumerate() {
                    out.push_str(&pad);
                    write_string(out, k);
                    out.push(':');
                    v.write_pretty(out, indent + 1, Some(k));
                    out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
                }
                out.push_str(&"  ".repeat(indent));
                out.push('}');
            }
            scalar => scalar.write_compact(out),
        }
    }

    fn write_compact(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => {
                let _ = write!(out, "{n}");
            }
            Json::String(s) => write_string(out, s),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_compact(out);
                }
                out.push(']');
            }
            Json::Object(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, k);
                    out.push(':');
                    v.write_compact(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    // serde_json's escaping of a plain string cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Json, E> {
        serde_json::Number::from_f64(v)
            .map(Json::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            entries.push((k, v));
        }
        Ok(Json::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::Json;

    #[test]
    fn keeps_member_order_and_round_trips() {
        let text = "{\n  \"b\":1,\n  \"a\":{\"shape\":\"X\"},\n  \"enum\":[\n    \"Z\",\n    \"A\"\n  ],\n  \"required\":[\"B\",\"A\"]\n}\n";
        let value = Json::parse(text).unwrap();
        let keys: Vec<_> = value
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["b", "a", "enum", "required"]);
        assert_eq!(value.to_pretty(), text);
    }

    #[test]
    fn strips_documentation_at_any_depth() {
        let text = r#"{"documentation":"x","a":{"documentation":"y","b":1},
            "members":{"documentation":{"shape":"S","documentation":"z"}}}"#;
        let value = Json::parse(text)
            .unwrap()
            .without_key("documentation", &["members"]);
        let expected = r#"{"a":{"b":1},"members":{"documentation":{"shape":"S"}}}"#;
        assert_eq!(value, Json::parse(expected).unwrap());
    }
}
