//! The botocore service model and paginators, read into typed form.

use crate::json::Json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub const SERVICE_FILE: &str = "cognito-idp-service-2.json";
pub const PAGINATORS_FILE: &str = "cognito-idp-paginators-1.json";

pub struct Model {
    pub target_prefix: String,
    pub shapes: BTreeMap<String, Shape>,
    pub operations: BTreeMap<String, Operation>,
    pub paginators: BTreeMap<String, Paginator>,
}

pub struct Shape {
    pub name: String,
    pub kind: Kind,
    pub sensitive: bool,
    pub exception: bool,
    pub fault: bool,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub pattern: Option<String>,
    /// Values of a string enum, in model order.
    pub enum_values: Vec<String>,
}

pub enum Kind {
    Structure(Vec<Member>),
    Document,
    List(String),
    Map { key: String, value: String },
    String,
    Integer,
    Long,
    Boolean,
    Blob,
    Timestamp,
}

pub struct Member {
    pub name: String,
    pub shape: String,
    pub required: bool,
    pub deprecated: Option<String>,
}

pub struct Operation {
    pub name: String,
    pub input: String,
    pub output: Option<String>,
    pub errors: Vec<String>,
    /// `"authtype": "none"`: no SigV4.
    pub unsigned: bool,
}

pub struct Paginator {
    pub input_token: String,
    pub output_token: String,
    pub limit_key: String,
    pub result_key: String,
}

/// Enum values the service accepts and its model does not list yet, each with the
/// documentation that requires it: GetClientToken's says an app client needs
/// `ALLOW_CLIENT_TOKEN_AUTH` in its ExplicitAuthFlows.
const ENUM_AMENDMENTS: &[(&str, &str)] = &[("ExplicitAuthFlowsType", "ALLOW_CLIENT_TOKEN_AUTH")];

impl Model {
    pub fn load(dir: &Path) -> Result<Model, String> {
        let service = read_json(&dir.join(SERVICE_FILE))?;
        let paginators = read_json(&dir.join(PAGINATORS_FILE))?;
        let target_prefix = service
            .get("metadata")
            .and_then(|m| m.get("targetPrefix"))
            .and_then(Json::as_str)
            .ok_or("metadata.targetPrefix missing")?
            .to_owned();

        let mut shapes = BTreeMap::new();
        for (name, json) in object(&service, "shapes")? {
            let shape = parse_shape(name, json).map_err(|e| format!("shape {name}: {e}"))?;
            shapes.insert(name.clone(), shape);
        }
        for (name, value) in ENUM_AMENDMENTS {
            let shape = shapes
                .get_mut(*name)
                .ok_or_else(|| format!("amended enum {name} missing"))?;
            if !shape.enum_values.iter().any(|v| v == value) {
                shape.enum_values.push((*value).to_owned());
            }
        }
        let mut operations = BTreeMap::new();
        for (name, json) in object(&service, "operations")? {
            let op = parse_operation(name, json).map_err(|e| format!("operation {name}: {e}"))?;
            operations.insert(name.clone(), op);
        }
        let mut pages = BTreeMap::new();
        for (name, json) in object(&paginators, "pagination")? {
            let field = |key: &str| {
                json.get(key)
                    .and_then(Json::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| format!("paginator {name}: {key} missing or not a string"))
            };
            let paginator = Paginator {
                input_token: field("input_token")?,
                output_token: field("output_token")?,
                limit_key: field("limit_key")?,
                result_key: field("result_key")?,
            };
            pages.insert(name.clone(), paginator);
        }
        let model = Model {
            target_prefix,
            shapes,
            operations,
            paginators: pages,
        };
        model.check()?;
        Ok(model)
    }

    pub fn shape(&self, name: &str) -> &Shape {
        // `check` has verified every reference, so a miss is a bug of the generator.
        &self.shapes[name]
    }

    /// Every shape reachable from an operation's input or output.
    pub fn reachable(&self) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&str> = Vec::new();
        for op in self.operations.values() {
            stack.push(&op.input);
            stack.extend(op.output.as_deref());
        }
        while let Some(name) = stack.pop() {
            if seen.insert(name.to_owned()) {
                stack.extend(self.shape(name).references());
            }
        }
        seen
    }

    pub fn exceptions(&self) -> impl Iterator<Item = &Shape> {
        self.shapes.values().filter(|s| s.exception)
    }

    /// Every shape and paginator reference must resolve.
    fn check(&self) -> Result<(), String> {
        for shape in self.shapes.values() {
            for target in shape.references() {
                if !self.shapes.contains_key(target) {
                    return Err(format!("{} refers to unknown shape {target}", shape.name));
                }
            }
        }
        for op in self.operations.values() {
            let refs = [Some(&op.input), op.output.as_ref()];
            for target in refs.into_iter().flatten().chain(&op.errors) {
                if !self.shapes.contains_key(target) {
                    return Err(format!("{} refers to unknown shape {target}", op.name));
                }
            }
            if op.errors.iter().any(|e| !self.shape(e).exception) {
                return Err(format!(
                    "{} declares an error that is no exception",
                    op.name
                ));
            }
        }
        for name in self.paginators.keys() {
            if !self.operations.contains_key(name) {
                return Err(format!("paginator for unknown operation {name}"));
            }
        }
        Ok(())
    }
}

impl Shape {
    pub fn references(&self) -> Vec<&str> {
        match &self.kind {
            Kind::Structure(members) => members.iter().map(|m| m.shape.as_str()).collect(),
            Kind::List(member) => vec![member],
            Kind::Map { key, value } => vec![key, value],
            _ => Vec::new(),
        }
    }

    pub fn is_enum(&self) -> bool {
        matches!(self.kind, Kind::String) && !self.enum_values.is_empty()
    }
}

fn read_json(path: &Path) -> Result<Json, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Json::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn object<'a>(json: &'a Json, key: &str) -> Result<&'a [(String, Json)], String> {
    json.get(key)
        .and_then(Json::as_object)
        .ok_or_else(|| format!("`{key}` missing or not an object"))
}

fn shape_ref(json: Option<&Json>) -> Option<String> {
    json?.get("shape")?.as_str().map(str::to_owned)
}

fn bound(json: &Json, key: &str) -> Result<Option<i64>, String> {
    match json.get(key) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("`{key}` is not an integer")),
    }
}

fn parse_shape(name: &str, json: &Json) -> Result<Shape, String> {
    let ty = json.get("type").and_then(Json::as_str).ok_or("no type")?;
    let flag = |key: &str| json.get(key).and_then(Json::as_bool).unwrap_or(false);
    let kind = match ty {
        "structure" if flag("document") => Kind::Document,
        "structure" => {
            let required: Vec<&str> = json
                .get("required")
                .and_then(Json::as_array)
                .unwrap_or_default()
                .iter()
                .filter_map(Json::as_str)
                .collect();
            let mut members = Vec::new();
            for (member, def) in object(json, "members")? {
                let shape = shape_ref(Some(def)).ok_or_else(|| format!("{member}: no shape"))?;
                let deprecated = flag_of(def, "deprecated").then(|| {
                    def.get("deprecatedMessage")
                        .and_then(Json::as_str)
                        .unwrap_or("Deprecated.")
                        .to_owned()
                });
                members.push(Member {
                    required: required.contains(&member.as_str()),
                    name: member.clone(),
                    shape,
                    deprecated,
                });
            }
            if let Some(missing) = required
                .iter()
                .find(|r| !members.iter().any(|m| m.name == **r))
            {
                return Err(format!("required member {missing} is not a member"));
            }
            Kind::Structure(members)
        }
        "list" => Kind::List(shape_ref(json.get("member")).ok_or("list without member")?),
        "map" => Kind::Map {
            key: shape_ref(json.get("key")).ok_or("map without key")?,
            value: shape_ref(json.get("value")).ok_or("map without value")?,
        },
        "string" => Kind::String,
        "integer" => Kind::Integer,
        "long" => Kind::Long,
        "boolean" => Kind::Boolean,
        "blob" => Kind::Blob,
        "timestamp" => Kind::Timestamp,
        other => return Err(format!("the generator does not know type `{other}`")),
    };
    let enum_values = json
        .get("enum")
        .and_then(Json::as_array)
        .unwrap_or_default()
        .iter()
        .map(|v| v.as_str().map(str::to_owned).ok_or("non-string enum value"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Shape {
        name: name.to_owned(),
        kind,
        sensitive: flag("sensitive"),
        exception: flag("exception"),
        fault: flag("fault"),
        min: bound(json, "min")?,
        max: bound(json, "max")?,
        pattern: json
            .get("pattern")
            .and_then(Json::as_str)
            .map(str::to_owned),
        enum_values,
    })
}

fn flag_of(json: &Json, key: &str) -> bool {
    json.get(key).and_then(Json::as_bool).unwrap_or(false)
}

fn parse_operation(name: &str, json: &Json) -> Result<Operation, String> {
    let errors = json
        .get("errors")
        .and_then(Json::as_array)
        .unwrap_or_default()
        .iter()
        .map(|e| shape_ref(Some(e)).ok_or("error without shape"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Operation {
        name: name.to_owned(),
        input: shape_ref(json.get("input")).ok_or("no input")?,
        output: shape_ref(json.get("output")),
        errors,
        unsigned: json.get("authtype").and_then(Json::as_str) == Some("none"),
    })
}
