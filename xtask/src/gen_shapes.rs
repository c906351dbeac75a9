//! `generated/shapes.rs`: the constraint tables the validator walks. The table types live
//! in the hand-written `crates/api/src/shape.rs`.

use crate::model::{Kind, Model};
use crate::names::str_lit;
use crate::regex;
use crate::HEADER;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The id of every shape in the table: its index among the reachable shapes, sorted by name.
pub fn shape_ids(model: &Model) -> BTreeMap<String, u16> {
    model
        .reachable()
        .into_iter()
        .enumerate()
        .map(|(i, name)| (name, i as u16))
        .collect()
}

pub fn generate(model: &Model) -> Result<String, String> {
    let ids = shape_ids(model);
    if ids.len() > usize::from(u16::MAX) {
        return Err("more shapes than a u16 can number".to_owned());
    }
    let mut patterns: BTreeMap<&str, usize> = BTreeMap::new();
    for name in ids.keys() {
        if let Some(p) = &model.shape(name).pattern {
            patterns.insert(p, 0);
        }
    }
    for (i, index) in patterns.values_mut().enumerate() {
        *index = i;
    }

    let mut out = String::from(HEADER);
    let _ = write!(
        out,
        "//! The constraint tables of every shape an operation's input or output reaches, indexed\n\
         //! by [`ShapeId`] (shapes sorted by name), and the model's patterns with their\n\
         //! translation to Rust regex syntax.\n\n\
         use crate::shape::{{Member, Pattern, Shape, ShapeId, ShapeKind}};\n\n\
         /// How many distinct patterns the model has.\n\
         pub const PATTERN_COUNT: usize = {};\n\n\
         /// Every distinct pattern: as the model writes it (Java syntax, shown in messages) and\n\
         /// translated for the `fancy-regex` crate with Java's meaning and full-match anchors.\n\
         pub static PATTERNS: [Pattern; PATTERN_COUNT] = [\n",
        patterns.len()
    );
    for (java, id) in &patterns {
        let rust = regex::translate(java).map_err(|e| format!("pattern {java:?}: {e}"))?;
        // Written as rustfmt would, which gives up on lines its width cannot hold.
        let _ = writeln!(
            out,
            "    Pattern {{\n        id: {id},\n        model: {},\n        regex: {},\n    }},",
            str_lit(java),
            str_lit(&rust)
        );
    }
    let _ = write!(
        out,
        "];\n\n/// How many shapes the table has.\npub const SHAPE_COUNT: usize = {};\n\n\
         /// The id of each shape, named as the model names the shape.\n\
         #[allow(non_upper_case_globals)]\nimpl ShapeId {{\n",
        ids.len()
    );
    for (name, id) in &ids {
        let _ = writeln!(out, "pub const {name}: ShapeId = ShapeId({id});");
    }
    out.push_str(
        "}\n\n/// Every shape, sorted by name; a [`ShapeId`] is an index into it.\n\
         pub static SHAPES: [Shape; SHAPE_COUNT] = [\n",
    );
    for (name, id) in &ids {
        let shape = model.shape(name);
        let bounds = format!("min: {:?}, max: {:?}", shape.min, shape.max);
        let kind = match &shape.kind {
            Kind::Structure(members) => {
                let mut list = String::new();
                for m in members {
                    let _ = write!(
                        list,
                        "Member {{ name: {}, shape: ShapeId::{}, required: {} }}, ",
                        str_lit(&m.name),
                        m.shape,
                        m.required
                    );
                }
                format!("ShapeKind::Structure {{ members: &[{list}] }}")
            }
            Kind::Document => "ShapeKind::Document".to_owned(),
            Kind::List(member) => {
                format!("ShapeKind::List {{ member: ShapeId::{member}, {bounds} }}")
            }
            Kind::Map { key, value } => format!(
                "ShapeKind::Map {{ key: ShapeId::{key}, value: ShapeId::{value}, {bounds} }}"
            ),
            Kind::String => {
                let pattern = match &shape.pattern {
                    Some(p) => format!("Some(&PATTERNS[{}])", patterns[p.as_str()]),
                    None => "None".to_owned(),
                };
                let values: Vec<String> = shape.enum_values.iter().map(|v| str_lit(v)).collect();
                format!(
                    "ShapeKind::String {{ {bounds}, pattern: {pattern}, enum_values: &[{}] }}",
                    values.join(", ")
                )
            }
            Kind::Integer => format!("ShapeKind::Integer {{ {bounds} }}"),
            Kind::Long => format!("ShapeKind::Long {{ {bounds} }}"),
            Kind::Blob => format!("ShapeKind::Blob {{ {bounds} }}"),
            Kind::Boolean => "ShapeKind::Boolean".to_owned(),
            Kind::Timestamp => "ShapeKind::Timestamp".to_owned(),
        };
        let _ = writeln!(
            out,
            "// {id}\nShape {{ name: {}, sensitive: {}, kind: {kind} }},",
            str_lit(name),
            shape.sensitive
        );
    }
    out.push_str("];\n");
    Ok(out)
}
