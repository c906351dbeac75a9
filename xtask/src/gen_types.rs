//! `generated/types.rs`: one Rust type per structure and string enum of the model that an
//! operation's input or output reaches.

use crate::model::{Kind, Model, Shape};
use crate::names::{field_ident, is_type_ident, str_lit, variant_ident};
use crate::HEADER;
use std::collections::BTreeSet;
use std::fmt::Write as _;

pub fn generate(model: &Model) -> Result<String, String> {
    let mut out = String::new();
    out.push_str(HEADER);
    out.push_str(
        "//! Request and response types, named as the model names its shapes.\n\
         //!\n\
         //! Required members are plain fields, optional ones `Option`s that are left out of the\n\
         //! JSON when `None`. Primitive shapes are inlined: strings are `String` (or\n\
         //! `Sensitive<String>` where the model marks them sensitive), timestamps are epoch\n\
         //! seconds as `f64`, blobs the base64 text of the wire.\n\
         #![allow(clippy::enum_variant_names)]\n\n\
         use crate::Sensitive;\n\
         use serde::{Deserialize, Serialize};\n\
         use std::collections::BTreeMap;\n\
         use std::fmt;\n\n\
         /// The output of an operation that returns nothing: `{}` on the wire.\n\
         #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]\n\
         pub struct Empty {}\n",
    );
    for name in model.reachable() {
        let shape = model.shape(&name);
        match &shape.kind {
            Kind::Structure(_) => structure(model, shape, &mut out)?,
            Kind::String if shape.is_enum() => enumeration(shape, &mut out)?,
            _ => {}
        }
    }
    Ok(out)
}

/// The Rust type that holds a value of shape `name`.
pub fn rust_type(model: &Model, name: &str) -> String {
    let shape = model.shape(name);
    let base = match &shape.kind {
        Kind::Structure(_) => name.to_owned(),
        Kind::Document => "serde_json::Value".to_owned(),
        Kind::List(member) => format!("Vec<{}>", rust_type(model, member)),
        Kind::Map { key, value } => format!(
            "BTreeMap<{}, {}>",
            rust_type(model, key),
            rust_type(model, value)
        ),
        Kind::String if shape.is_enum() => name.to_owned(),
        Kind::String | Kind::Blob => "String".to_owned(),
        Kind::Integer => "i32".to_owned(),
        Kind::Long => "i64".to_owned(),
        Kind::Boolean => "bool".to_owned(),
        Kind::Timestamp => "f64".to_owned(),
    };
    if shape.sensitive {
        format!("Sensitive<{base}>")
    } else {
        base
    }
}

fn structure(model: &Model, shape: &Shape, out: &mut String) -> Result<(), String> {
    let Kind::Structure(members) = &shape.kind else {
        return Ok(());
    };
    check_type_name(&shape.name)?;
    let mut fields = BTreeSet::new();
    let _ = write!(
        out,
        "\n#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]\npub struct {} {{\n",
        shape.name
    );
    for member in members {
        let field = field_ident(&member.name);
        if !fields.insert(field.clone()) {
            return Err(format!(
                "{}: two members become field `{field}`",
                shape.name
            ));
        }
        if let Some(message) = &member.deprecated {
            let _ = writeln!(out, "/// Deprecated: {message}");
        }
        let ty = rust_type(model, &member.shape);
        let rename = str_lit(&member.name);
        if member.required {
            let _ = writeln!(out, "#[serde(rename = {rename})]\npub {field}: {ty},");
        } else {
            let _ = writeln!(
                out,
                "#[serde(rename = {rename})]\n\
                 #[serde(default, skip_serializing_if = \"Option::is_none\")]\n\
                 pub {field}: Option<{ty}>,"
            );
        }
    }
    out.push_str("}\n");
    Ok(())
}

fn enumeration(shape: &Shape, out: &mut String) -> Result<(), String> {
    check_type_name(&shape.name)?;
    let name = &shape.name;
    let variants: Vec<(String, &String)> = shape
        .enum_values
        .iter()
        .map(|v| (variant_ident(v), v))
        .collect();
    let mut seen = BTreeSet::new();
    for (variant, value) in &variants {
        if !is_type_ident(variant) || !seen.insert(variant.as_str()) {
            return Err(format!(
                "{name}: value {value:?} gives no unique variant name"
            ));
        }
    }
    let _ = write!(
        out,
        "\n#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]\n\
         pub enum {name} {{\n"
    );
    for (i, (variant, value)) in variants.iter().enumerate() {
        if i == 0 {
            out.push_str("#[default]\n");
        }
        let _ = writeln!(out, "#[serde(rename = {})]\n{variant},", str_lit(value));
    }
    let _ = write!(
        out,
        "}}\n\nimpl {name} {{\n/// Every value, in model order.\npub const ALL: &'static [{name}] = &["
    );
    for (variant, _) in &variants {
        let _ = write!(out, "Self::{variant}, ");
    }
    out.push_str("];\n\n/// The value as sent on the wire.\npub const fn as_str(&self) -> &'static str {\nmatch self {\n");
    for (variant, value) in &variants {
        let _ = writeln!(out, "Self::{variant} => {},", str_lit(value));
    }
    out.push_str("}\n}\n\n/// The variant for a wire value, exactly as spelled.\npub fn from_value(value: &str) -> Option<Self> {\nmatch value {\n");
    for (variant, value) in &variants {
        let _ = writeln!(out, "{} => Some(Self::{variant}),", str_lit(value));
    }
    let _ = write!(
        out,
        "_ => None,\n}}\n}}\n}}\n\n\
         impl fmt::Display for {name} {{\n\
         fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{\nf.write_str(self.as_str())\n}}\n}}\n"
    );
    Ok(())
}

fn check_type_name(name: &str) -> Result<(), String> {
    const TAKEN: &[&str] = &["Empty", "Sensitive", "BTreeMap", "Option", "String", "Vec"];
    if !is_type_ident(name) || TAKEN.contains(&name) {
        return Err(format!("shape name {name} cannot be a Rust type name"));
    }
    Ok(())
}
