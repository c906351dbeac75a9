//! `generated/errors.rs` (the error codes) and `generated/operations.rs` (the one list of
//! operations, with their auth kind, declared errors, pagination and shapes).

use crate::model::Model;
use crate::names::{is_type_ident, str_lit};
use crate::HEADER;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Errors that the awsJson1.1 protocol and SigV4 verification produce but that the model
/// declares for no operation: malformed JSON bodies (`SerializationException`), an unknown
/// `X-Amz-Target` (`UnknownOperationException`), unknown access keys, bad or partial
/// signatures, requests with no credentials at all, and bodies over the size limit.
const PROTOCOL_ERRORS: &[&str] = &[
    "SerializationException",
    "UnknownOperationException",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "IncompleteSignatureException",
    "MissingAuthenticationTokenException",
    "RequestEntityTooLargeException",
];

pub fn errors(model: &Model) -> Result<String, String> {
    let modeled: BTreeSet<&str> = model.exceptions().map(|s| s.name.as_str()).collect();
    let faults: BTreeSet<&str> = model
        .exceptions()
        .filter(|s| s.fault)
        .map(|s| s.name.as_str())
        .collect();
    let all: BTreeSet<&str> = modeled.iter().chain(PROTOCOL_ERRORS).copied().collect();
    if let Some(bad) = all.iter().find(|n| !is_type_ident(n)) {
        return Err(format!("error name {bad} is no identifier"));
    }

    let mut out = String::from(HEADER);
    out.push_str(
        "//! Every error code a client can see: the model's exception shapes plus the errors of\n\
         //! the awsJson1.1 protocol and SigV4 that the model does not list.\n\
         #![allow(clippy::enum_variant_names)]\n\n\
         use std::fmt;\n\n\
         /// A Cognito error code, sent as `__type` and `x-amzn-ErrorType`.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum ErrorCode {\n",
    );
    for name in &all {
        if !modeled.contains(name) {
            out.push_str("/// Not in the model: raised by the protocol layer.\n");
        }
        let _ = writeln!(out, "{name},");
    }
    out.push_str("}\n\nimpl ErrorCode {\n/// Every code, sorted by name.\npub const ALL: &'static [ErrorCode] = &[");
    for name in &all {
        let _ = write!(out, "Self::{name}, ");
    }
    out.push_str("];\n\n/// The code as clients match it, e.g. `\"NotAuthorizedException\"`.\npub const fn as_str(&self) -> &'static str {\nmatch self {\n");
    for name in &all {
        let _ = writeln!(out, "Self::{name} => \"{name}\",");
    }
    out.push_str("}\n}\n\n/// The code named exactly `name`.\npub fn from_name(name: &str) -> Option<ErrorCode> {\nmatch name {\n");
    for name in &all {
        let _ = writeln!(out, "\"{name}\" => Some(Self::{name}),");
    }
    out.push_str("_ => None,\n}\n}\n\n/// Whether the model marks the error as a server fault.\npub const fn is_fault(&self) -> bool {\n");
    out.push_str(&matches_any(&faults));
    out.push_str("}\n\n/// Whether the error is an exception shape of the model (not a protocol error).\npub const fn is_modeled(&self) -> bool {\n!");
    let protocol_only: BTreeSet<&str> = all.difference(&modeled).copied().collect();
    out.push_str(&matches_any(&protocol_only));
    out.push_str(
        "}\n}\n\nimpl fmt::Display for ErrorCode {\n\
         fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\nf.write_str(self.as_str())\n}\n}\n",
    );
    Ok(out)
}

fn matches_any(names: &BTreeSet<&str>) -> String {
    if names.is_empty() {
        return "false\n".to_owned();
    }
    let arms: Vec<String> = names.iter().map(|n| format!("Self::{n}")).collect();
    format!("matches!(self, {})\n", arms.join(" | "))
}

pub fn operations(model: &Model) -> Result<String, String> {
    let ops: Vec<_> = model.operations.values().collect();
    let count = ops.len();
    if let Some(bad) = ops.iter().find(|o| !is_type_ident(&o.name)) {
        return Err(format!("operation name {} is no identifier", bad.name));
    }

    let mut out = String::from(HEADER);
    let _ = write!(
        out,
        "//! The one list of operations: every operation of the model, its `X-Amz-Target` name,\n\
         //! how it is authorized, the errors it declares, its pagination fields and its shapes.\n\n\
         use super::errors::ErrorCode;\n\
         use crate::shape::ShapeId;\n\
         use std::fmt;\n\n\
         /// `X-Amz-Target` is `<TARGET_PREFIX>.<operation name>`.\n\
         pub const TARGET_PREFIX: &str = {};\n\n\
         /// How a caller of an operation is authorized.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n\
         pub enum AuthType {{\n\
         /// SigV4-signed with IAM credentials.\n\
         Iam,\n\
         /// `\"authtype\": \"none\"` in the model: no signature; the operation authorizes the\n\
         /// caller itself (access token, session, client id and secret hash).\n\
         None,\n}}\n\n\
         /// The token and page-size fields of a paginated operation.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n\
         pub struct Pagination {{\n\
         pub input_token: &'static str,\n\
         pub output_token: &'static str,\n\
         pub limit_key: &'static str,\n\
         pub result_key: &'static str,\n}}\n\n\
         /// Ties an operation's marker type (in [`op`]) to its request and response types.\n\
         pub trait OperationShape {{\n\
         type Input: serde::de::DeserializeOwned + Send + 'static;\n\
         type Output: serde::Serialize + Send + 'static;\n\
         const OPERATION: Operation;\n}}\n\n\
         /// An operation of the Cognito User Pools API, named as in the model.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n\
         pub enum Operation {{\n",
        str_lit(&model.target_prefix)
    );
    for op in &ops {
        let _ = writeln!(out, "{},", op.name);
    }
    let _ = write!(
        out,
        "}}\n\nimpl Operation {{\n/// Every operation, sorted by name.\npub const ALL: [Operation; {count}] = ["
    );
    for op in &ops {
        let _ = write!(out, "Self::{}, ", op.name);
    }
    out.push_str("];\n\n/// The name, as in the `X-Amz-Target` header after the prefix.\npub const fn name(self) -> &'static str {\nmatch self {\n");
    for op in &ops {
        let _ = writeln!(out, "Self::{0} => \"{0}\",", op.name);
    }
    out.push_str("}\n}\n\n/// The operation named exactly `name` (case-sensitive, as AWS).\npub fn from_name(name: &str) -> Option<Operation> {\nmatch name {\n");
    for op in &ops {
        let _ = writeln!(out, "\"{0}\" => Some(Self::{0}),", op.name);
    }
    out.push_str(
        "_ => None,\n}\n}\n\n\
         /// The operation of an `X-Amz-Target` header value: `<TARGET_PREFIX>.<name>`.\n\
         pub fn from_target(target: &str) -> Option<Operation> {\n\
         let name = target.strip_prefix(TARGET_PREFIX)?.strip_prefix('.')?;\n\
         Self::from_name(name)\n}\n\n\
         /// How callers are authorized.\npub const fn auth(self) -> AuthType {\n",
    );
    let unsigned: BTreeSet<&str> = ops
        .iter()
        .filter(|o| o.unsigned)
        .map(|o| o.name.as_str())
        .collect();
    let _ = write!(
        out,
        "if {} {{ AuthType::None }} else {{ AuthType::Iam }}\n}}\n\n",
        matches_any(&unsigned).trim_end()
    );
    out.push_str("/// The errors the model declares for the operation, in model order.\npub const fn errors(self) -> &'static [ErrorCode] {\nmatch self {\n");
    for op in &ops {
        let list: Vec<String> = op
            .errors
            .iter()
            .map(|e| format!("ErrorCode::{e}"))
            .collect();
        let _ = writeln!(out, "Self::{} => &[{}],", op.name, list.join(", "));
    }
    out.push_str("}\n}\n\n/// The pagination fields, for operations the paginators file lists.\npub const fn pagination(self) -> Option<Pagination> {\nmatch self {\n");
    for (name, p) in &model.paginators {
        let _ = writeln!(
            out,
            "Self::{name} => Some(Pagination {{ input_token: {}, output_token: {}, limit_key: {}, result_key: {} }}),",
            str_lit(&p.input_token),
            str_lit(&p.output_token),
            str_lit(&p.limit_key),
            str_lit(&p.result_key)
        );
    }
    out.push_str("_ => None,\n}\n}\n\n/// The request shape, for validation.\npub const fn input_shape(self) -> ShapeId {\nmatch self {\n");
    for op in &ops {
        let _ = writeln!(out, "Self::{} => ShapeId::{},", op.name, op.input);
    }
    out.push_str("}\n}\n\n/// The response shape; `None` for operations that return nothing.\npub const fn output_shape(self) -> Option<ShapeId> {\nmatch self {\n");
    for op in &ops {
        match &op.output {
            Some(output) => {
                let _ = writeln!(out, "Self::{} => Some(ShapeId::{output}),", op.name);
            }
            None => {
                let _ = writeln!(out, "Self::{} => None,", op.name);
            }
        }
    }
    out.push_str(
        "}\n}\n}\n\nimpl fmt::Display for Operation {\n\
         fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\nf.write_str(self.name())\n}\n}\n\n",
    );

    out.push_str(
        "/// Calls `$callback!` with the name of every operation, comma-separated, to build\n\
         /// per-operation code (a dispatch `match`, say) from the one list.\n\
         #[macro_export]\nmacro_rules! for_each_operation {\n    ($callback:ident) => {\n        $callback! {\n",
    );
    // rustfmt leaves macro bodies alone, so this one is indented here.
    for op in &ops {
        let _ = writeln!(out, "            {},", op.name);
    }
    out.push_str("        }\n    };\n}\n\n");

    out.push_str(
        "/// One marker type per operation, named as the operation, for generic handlers:\n\
         /// `Operation::CreateUserPool => call::<op::CreateUserPool>(..)`.\n\
         pub mod op {\nuse super::{Operation, OperationShape};\nuse crate::generated::types;\n",
    );
    for op in &ops {
        let output = op.output.as_deref().unwrap_or("Empty");
        let _ = write!(
            out,
            "\n/// Marker of [`Operation::{0}`].\n#[derive(Clone, Copy, Debug, Default)]\npub struct {0};\n\n\
             impl OperationShape for {0} {{\ntype Input = types::{1};\ntype Output = types::{output};\n\
             const OPERATION: Operation = Operation::{0};\n}}\n",
            op.name, op.input
        );
    }
    out.push_str("}\n");
    Ok(out)
}
