//! The types of the constraint tables in `generated/shapes.rs`: what the model says about
//! each shape, in the form the validator walks.

use crate::generated::shapes::SHAPES;

/// Index of a shape in [`SHAPES`]; `ShapeId::UserPoolIdType` and so on name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShapeId(pub u16);

impl ShapeId {
    /// The shape's table entry.
    pub fn shape(self) -> &'static Shape {
        &SHAPES[usize::from(self.0)]
    }

    /// The shape named exactly `name`, among those an operation reaches.
    pub fn find(name: &str) -> Option<ShapeId> {
        let index = SHAPES.binary_search_by(|s| s.name.cmp(name)).ok()?;
        u16::try_from(index).ok().map(ShapeId)
    }
}

/// A shape of the model: its name, whether its values are secret, and its constraints.
#[derive(Debug)]
pub struct Shape {
    pub name: &'static str,
    /// `"sensitive": true`: values are never echoed in messages or logs.
    pub sensitive: bool,
    pub kind: ShapeKind,
}

/// A shape's type and constraints. Bounds are inclusive; lengths of strings count UTF-16
/// code units (as Java does), of blobs bytes, of lists and maps entries.
#[derive(Debug)]
pub enum ShapeKind {
    Structure {
        members: &'static [Member],
    },
    List {
        member: ShapeId,
        min: Option<i64>,
        max: Option<i64>,
    },
    Map {
        key: ShapeId,
        value: ShapeId,
        min: Option<i64>,
        max: Option<i64>,
    },
    String {
        min: Option<i64>,
        max: Option<i64>,
        pattern: Option<&'static Pattern>,
        /// The allowed values in model order; empty when any string goes.
        enum_values: &'static [&'static str],
    },
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    Long {
        min: Option<i64>,
        max: Option<i64>,
    },
    Boolean,
    Blob {
        min: Option<i64>,
        max: Option<i64>,
    },
    Timestamp,
    /// Free-form JSON.
    Document,
}

/// A member of a structure.
#[derive(Debug)]
pub struct Member {
    /// The wire name, exactly as in the model (PascalCase).
    pub name: &'static str,
    pub shape: ShapeId,
    pub required: bool,
}

/// A pattern constraint.
#[derive(Debug)]
pub struct Pattern {
    /// Index in `PATTERNS`, shared by every shape with the same pattern.
    pub id: u16,
    /// As the model writes it (Java syntax); messages quote this.
    pub model: &'static str,
    /// Translated for `fancy-regex` with Java's meaning, anchored for a full match.
    pub regex: &'static str,
}
