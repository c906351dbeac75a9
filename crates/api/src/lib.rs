//! The Cognito User Pools wire layer.
//!
//! Everything under `generated/` is written by `cargo xtask codegen` from `model/`; do not edit
//! it by hand. The hand-written parts are the error type, the JSON encoding, the shape-table
//! types and the validator that walks the generated constraint tables.

mod error;
pub mod generated;
pub mod sensitive;
pub mod shape;
pub mod validate;

#[cfg(test)]
mod tests;

pub use error::ApiError;
pub use generated::errors::ErrorCode;
pub use generated::operations::{op, AuthType, Operation, OperationShape, Pagination};
pub use generated::types;
pub use sensitive::Sensitive;
pub use shape::{Member, Pattern, Shape, ShapeId, ShapeKind};
pub use validate::validate;
