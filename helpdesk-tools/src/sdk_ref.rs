//! The spec against facts extracted from the official SDKs: the Python SDK
//! `lark-oapi` (`tests/reference/helpdesk_v1_python.json`: endpoints, named
//! types, events) and, optionally, the Node SDK `@larksuiteoapi/node-sdk`
//! (`tests/reference/helpdesk_v1_node.json`: required flags and string enum
//! values of every input).
//!
//! What is compared, and the aspect a difference is reported under:
//!
//! * every Python endpoint: the spec must have the same `resource.operation`
//!   (`endpoint`) with the same path (`path`), HTTP method (`method`) and
//!   access-token kinds (`tokens`); every Python event type (`event`);
//! * field by field, every Python named type against the spec type(s) that
//!   sit at the same place: the request body, the reply `data`, the query
//!   and path parameters of each endpoint and the fields of each event are
//!   walked side by side, and where both sides name an object type the walk
//!   pairs the two types and descends (so `AgentSkillRule` is compared with
//!   the spec's `AgentSkillRule` in replies and `AgentSkillCreateRule` in the
//!   agent_skill.create body). A field on one side only is a `field`
//!   difference; a field whose *wire* type differs (string, int, float,
//!   bool, any, a list of, an object) is a `type` difference. The spec's
//!   refinements compare as what they are on the wire: `timestamp_ms`,
//!   `int64_string` and `json_string` are strings, `timestamp_s`,
//!   `timestamp_ms_number` and `int64` are ints, an enum is its `repr`;
//! * every Node input (path parameter, query parameter, body field at any
//!   depth) that the spec has: its required flag (`required`; a spec path
//!   parameter is always required) and, where either side has them, its
//!   string enum values (`enum`). A Node input the spec does not have is
//!   only reported when Node marks it required (the field names are the
//!   Python comparison's job).
//!
//! A difference is *explained* when an `sdk_deviations` entry covers its
//! aspect: for `path`, `method`, `tokens` one in the endpoint's file; for
//! `endpoint` / `event` one in service.json naming the item in `sdk_items`;
//! for `field`, `type`, `required`, `enum` one naming the item in
//! `sdk_items`, in the spec type that holds the field, in the endpoint or
//! event file where the walk started, or in service.json. Items are named
//! as this module prints them: `SdkType.field`, `resource.method query.name`,
//! `resource.method path.name`, `event_type.field` (Python) and
//! `resource.method body.a.b` (Node). A difference no deviation explains is
//! *unexplained*, and an `sdk_items` entry that explains nothing is *stale*
//! (for `required` / `enum` only when the Node facts were compared):
//! `helpdesk-spec sdk-diff` fails on either. Like the rest of the spec
//! model, this knows nothing of Rust.

use helpdesk_spec::load::Spec;
use helpdesk_spec::spec::{Deviation, DeviationAspect, EnumRepr, Field, Param, TypeDef, TypeKind};
use helpdesk_spec::types::{Scalar, TypeExpr};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The Python SDK facts this comparison reads (other keys are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    /// The SDK's endpoints.
    pub endpoints: Vec<RefEndpoint>,
    /// The SDK's events.
    #[serde(default)]
    pub events: Vec<RefEvent>,
    /// The SDK's named types that endpoints and events use: name → fields.
    #[serde(default)]
    pub types: BTreeMap<String, Vec<RefField>>,
}

/// One SDK endpoint.
#[derive(Debug, Clone, Deserialize)]
pub struct RefEndpoint {
    /// Resource, e.g. `notification`.
    pub resource: String,
    /// The SDK's method name: the spec's operation, e.g. `get`.
    pub method: String,
    /// HTTP method, e.g. `GET`.
    pub http_method: String,
    /// Path template with `:param` segments.
    pub path: String,
    /// Accepted token kinds: `tenant`, `user`, `app`.
    pub token_types: Vec<String>,
    /// Path parameters.
    #[serde(default)]
    pub path_params: Vec<RefField>,
    /// Query parameters.
    #[serde(default)]
    pub query_params: Vec<RefField>,
    /// The named type of the request body, if any.
    #[serde(default)]
    pub request_body: Option<String>,
    /// Its fields.
    #[serde(default)]
    pub body_fields: Vec<RefField>,
    /// The named type of the reply `data`, if any.
    #[serde(default)]
    pub response_body: Option<String>,
    /// Its fields.
    #[serde(default)]
    pub response_data: Vec<RefField>,
}

/// One SDK event.
#[derive(Debug, Clone, Deserialize)]
pub struct RefEvent {
    /// Event type, e.g. `helpdesk.ticket.created_v1`.
    pub event_type: String,
    /// Fields of the `event` object.
    #[serde(default)]
    pub fields: Vec<RefField>,
}

/// A field of an SDK type: name and type (`string`, `int`, `float`,
/// `boolean`, `any`, `map`, `binary`, a type name; `[]` suffix = list).
#[derive(Debug, Clone, Deserialize)]
pub struct RefField {
    /// JSON key.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub ty: String,
}

/// The Node SDK facts this comparison reads (other keys are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct NodeReference {
    /// The SDK's endpoints.
    pub endpoints: Vec<NodeEndpoint>,
}

/// One Node SDK endpoint's inputs.
#[derive(Debug, Clone, Deserialize)]
pub struct NodeEndpoint {
    /// Resource, in the Python spelling (`agent_schedules`).
    pub resource: String,
    /// Method, in the Python spelling (`agent_email`).
    pub method: String,
    /// Path parameters.
    #[serde(default)]
    pub path_params: Vec<NodeField>,
    /// Query parameters.
    #[serde(default)]
    pub query_params: Vec<NodeField>,
    /// Body fields (nested objects inline).
    #[serde(default)]
    pub body_fields: Vec<NodeField>,
}

/// A Node SDK input.
#[derive(Debug, Clone, Deserialize)]
pub struct NodeField {
    /// JSON key.
    pub name: String,
    /// TypeScript type (`string`, `number`, `object[]`, ...).
    #[serde(rename = "type")]
    pub ty: String,
    /// Declared without `?`.
    #[serde(default)]
    pub required: bool,
    /// String-literal union values.
    #[serde(default, rename = "enum")]
    pub values: Option<Vec<String>>,
    /// Members of an inline object (or of the objects of an array).
    #[serde(default)]
    pub fields: Option<Vec<NodeField>>,
}

fn parse_json<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        format!(
            "line {}, column {}: {} (at {})",
            inner.line(),
            inner.column(),
            inner,
            e.path()
        )
    })
}

/// Parses a Python reference file; the error names the JSON location.
pub fn parse_reference(text: &str) -> Result<Reference, String> {
    parse_json(text)
}

/// Parses a Node reference file; the error names the JSON location.
pub fn parse_node_reference(text: &str) -> Result<NodeReference, String> {
    parse_json(text)
}

/// One difference between an SDK and the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The SDK item: endpoint id (`resource.operation`), event type,
    /// `SdkType.field`, `resource.method query.name`, `resource.method body.a.b`, ...
    pub item: String,
    /// What differs.
    pub aspect: DeviationAspect,
    /// What the SDK says (`missing` when it has no such field).
    pub sdk: String,
    /// What the spec says (`missing` when it has no such item).
    pub spec: String,
    /// Where in the spec (a type name, `faq.create request body`, ...;
    /// empty for endpoint-level findings).
    pub spec_at: String,
    /// The deviation that records why: `(spec file, topic)`.
    pub explained_by: Option<(String, String)>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: SDK `{}`, spec `{}`",
            self.item,
            self.aspect.as_str(),
            self.sdk,
            self.spec
        )?;
        if !self.spec_at.is_empty() {
            write!(f, " in {}", self.spec_at)?;
        }
        match &self.explained_by {
            Some((file, topic)) => write!(f, " (explained by {file}: {topic})"),
            None if is_itemized(self.aspect) => write!(
                f,
                " (no sdk_deviations entry covers `{}` naming `{}`)",
                self.aspect.as_str(),
                self.item
            ),
            None => write!(
                f,
                " (no sdk_deviations entry covers `{}`)",
                self.aspect.as_str()
            ),
        }
    }
}

/// How many facts of one aspect were compared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Facts compared.
    pub compared: usize,
    /// Differences found (explained or not).
    pub differ: usize,
    /// Of those, explained by a deviation.
    pub explained: usize,
}

/// The outcome of [`compare`].
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// SDK endpoints compared.
    pub endpoints: usize,
    /// SDK events compared.
    pub events: usize,
    /// Python SDK named types compared with a spec type or inline field list.
    pub sdk_types: BTreeSet<String>,
    /// Every SDK type a spec place was compared with → those places.
    pub type_map: BTreeMap<String, BTreeSet<String>>,
    /// Facts compared and differences per aspect (a fact is an SDK item
    /// compared at one spec place).
    pub tally: BTreeMap<DeviationAspect, Tally>,
    /// The distinct SDK items compared, per aspect.
    pub compared: BTreeMap<DeviationAspect, BTreeSet<String>>,
    /// Every difference, explained or not, in SDK order.
    pub findings: Vec<Finding>,
    /// Spec endpoints and events the SDK does not have (informative).
    pub spec_only: Vec<String>,
    /// Node inputs the spec does not have and Node does not require (informative).
    pub node_absent: Vec<String>,
    /// `sdk_items` entries that explain no difference: `file: topic: item`.
    pub stale: Vec<String>,
}

impl Report {
    /// The differences that no deviation explains.
    pub fn unexplained(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.explained_by.is_none())
    }
}

fn is_itemized(a: DeviationAspect) -> bool {
    use DeviationAspect as A;
    matches!(
        a,
        A::Endpoint | A::Event | A::Field | A::Type | A::Required | A::Enum
    )
}

/// Where deviations live: `(label for messages, key for usage, list)`.
#[derive(Clone, Copy)]
struct Home<'a> {
    file: &'a str,
    key: (&'a str, &'a str),
    devs: &'a [Deviation],
}

/// A difference before it is explained: the homes whose deviations may explain it.
struct Raw<'a> {
    item: String,
    aspect: DeviationAspect,
    sdk: String,
    spec: String,
    spec_at: String,
    homes: Vec<Home<'a>>,
}

/// The wire kind of a type.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wire {
    Str,
    Int,
    Float,
    Bool,
    Any,
    Map,
    Binary,
    Object(String),
    List(Box<Wire>),
}

impl Wire {
    fn of_sdk(t: &str) -> Wire {
        if let Some(inner) = t.strip_suffix("[]") {
            return Wire::List(Box::new(Wire::of_sdk(inner)));
        }
        match t {
            "string" => Wire::Str,
            "int" => Wire::Int,
            "float" => Wire::Float,
            "boolean" => Wire::Bool,
            "any" => Wire::Any,
            "map" => Wire::Map,
            "binary" => Wire::Binary,
            name => Wire::Object(name.to_string()),
        }
    }

    fn of_spec(e: &TypeExpr, types: &SpecTypes<'_>) -> Wire {
        match e {
            TypeExpr::List(inner) => Wire::List(Box::new(Wire::of_spec(inner, types))),
            TypeExpr::Scalar(s) => match s {
                Scalar::String | Scalar::Int64String | Scalar::TimestampMs | Scalar::JsonString => {
                    Wire::Str
                }
                Scalar::Int | Scalar::Int64 | Scalar::TimestampMsNumber | Scalar::TimestampSecs => {
                    Wire::Int
                }
                Scalar::Float => Wire::Float,
                Scalar::Bool => Wire::Bool,
                Scalar::Json => Wire::Any,
            },
            TypeExpr::Named(n) => match types.get(n.as_str()) {
                Some((_, t)) if t.kind == TypeKind::Enum => match t.repr {
                    Some(EnumRepr::String) => Wire::Str,
                    _ => Wire::Int,
                },
                _ => Wire::Object(n.clone()),
            },
        }
    }

    /// Same wire kind, object names aside (the walk pairs the objects).
    fn same_kind(&self, other: &Wire) -> bool {
        match (self, other) {
            (Wire::Object(_), Wire::Object(_)) => true,
            (Wire::List(a), Wire::List(b)) => a.same_kind(b),
            (a, b) => a == b,
        }
    }

    fn innermost(&self) -> &Wire {
        match self {
            Wire::List(inner) => inner.innermost(),
            w => w,
        }
    }

    fn show(&self) -> String {
        match self {
            Wire::Str => "string".into(),
            Wire::Int => "int".into(),
            Wire::Float => "float".into(),
            Wire::Bool => "bool".into(),
            Wire::Any => "any".into(),
            Wire::Map => "map".into(),
            Wire::Binary => "binary".into(),
            Wire::Object(_) => "object".into(),
            Wire::List(inner) => format!("{}[]", inner.show()),
        }
    }
}

/// Spec named types: name → (file, definition).
type SpecTypes<'a> = BTreeMap<&'a str, (&'a str, &'a TypeDef)>;

/// A field on the spec side: from a [`helpdesk_spec::spec::Field`] or a parameter.
struct SpecField<'a> {
    name: &'a str,
    ty: &'a str,
    required: bool,
}

fn spec_type_fields<'a>(types: &SpecTypes<'a>, name: &str) -> Vec<SpecField<'a>> {
    types
        .get(name)
        .and_then(|&(_, t)| t.fields.as_deref())
        .map(field_list)
        .unwrap_or_default()
}

fn field_list(fs: &[Field]) -> Vec<SpecField<'_>> {
    fs.iter()
        .map(|f| SpecField {
            name: &f.name,
            ty: &f.ty,
            required: f.required,
        })
        .collect()
}

/// Parameters as spec fields (a path parameter is always required).
fn param_list(ps: &[Param], path: bool) -> Vec<SpecField<'_>> {
    ps.iter()
        .map(|p| SpecField {
            name: &p.name,
            ty: &p.ty,
            required: path || p.required,
        })
        .collect()
}

fn spec_expr(ty: &str) -> TypeExpr {
    TypeExpr::parse(ty).unwrap_or(TypeExpr::Scalar(Scalar::Json))
}

/// The string enum values of a spec type (through lists), if it is one.
fn string_enum<'a>(types: &SpecTypes<'a>, ty: &str) -> Option<(&'a str, Vec<String>)> {
    let name = spec_expr(ty).named()?.to_string();
    let &(_, t) = types.get(name.as_str())?;
    if t.kind != TypeKind::Enum || t.repr != Some(EnumRepr::String) {
        return None;
    }
    let values = t
        .values
        .as_ref()?
        .iter()
        .map(|v| match &v.value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    Some((t.name.as_str(), values))
}

struct Walk<'a> {
    types: SpecTypes<'a>,
    sdk_types: &'a BTreeMap<String, Vec<RefField>>,
    service: Home<'a>,
    seen: BTreeSet<(String, String, &'a str)>,
    raw: Vec<Raw<'a>>,
    compared: BTreeMap<DeviationAspect, BTreeSet<(String, String)>>,
    report: Report,
}

impl<'a> Walk<'a> {
    fn homes(&self, owner: Option<&str>, root: Home<'a>) -> Vec<Home<'a>> {
        let mut homes = Vec::new();
        if let Some(&(file, t)) = owner.and_then(|o| self.types.get(o)) {
            homes.push(Home {
                file,
                key: (file, &t.name),
                devs: &t.sdk_deviations,
            });
        }
        homes.push(root);
        homes.push(self.service);
        homes
    }

    fn count(&mut self, aspect: DeviationAspect, item: &str, at: &str) {
        self.compared
            .entry(aspect)
            .or_default()
            .insert((item.to_string(), at.to_string()));
    }

    /// Compares the fields of the SDK type (or inline list) `sdk_owner` with
    /// the spec fields at `spec_at` (of the named type `spec_owner`, if any).
    fn fields(
        &mut self,
        sdk_owner: &str,
        sdk: &[RefField],
        spec_at: &str,
        spec_owner: Option<&str>,
        spec: &[SpecField<'a>],
        root: Home<'a>,
    ) {
        if !self
            .seen
            .insert((sdk_owner.to_string(), spec_at.to_string(), root.key.0))
        {
            return;
        }
        if self.sdk_types.contains_key(sdk_owner) {
            self.report.sdk_types.insert(sdk_owner.to_string());
            self.report
                .type_map
                .entry(sdk_owner.to_string())
                .or_default()
                .insert(spec_at.to_string());
        }
        let homes = self.homes(spec_owner, root);
        for f in sdk {
            let item = format!("{sdk_owner}.{}", f.name);
            self.count(DeviationAspect::Field, &item, spec_at);
            let Some(sf) = spec.iter().find(|s| s.name == f.name) else {
                self.raw.push(Raw {
                    item,
                    aspect: DeviationAspect::Field,
                    sdk: f.ty.clone(),
                    spec: "missing".into(),
                    spec_at: spec_at.to_string(),
                    homes: homes.clone(),
                });
                continue;
            };
            self.count(DeviationAspect::Type, &item, spec_at);
            let expr = spec_expr(sf.ty);
            let ours = Wire::of_spec(&expr, &self.types);
            let theirs = Wire::of_sdk(&f.ty);
            if !theirs.same_kind(&ours) {
                let shown = ours.show();
                self.raw.push(Raw {
                    item: item.clone(),
                    aspect: DeviationAspect::Type,
                    sdk: f.ty.clone(),
                    spec: if shown == sf.ty {
                        shown
                    } else {
                        format!("{} ({shown})", sf.ty)
                    },
                    spec_at: spec_at.to_string(),
                    homes: homes.clone(),
                });
            }
            if let (Wire::Object(a), Wire::Object(b)) = (theirs.innermost(), ours.innermost()) {
                let sdk_fields = self.sdk_types.get(a).map(Vec::as_slice).unwrap_or(&[]);
                let spec_fields = spec_type_fields(&self.types, b);
                let b: &'a str = self.types.get(b.as_str()).map_or("", |&(_, t)| &t.name);
                if !b.is_empty() {
                    self.fields(a, sdk_fields, b, Some(b), &spec_fields, root);
                }
            }
        }
        for sf in spec {
            if !sdk.iter().any(|f| f.name == sf.name) {
                let item = format!("{sdk_owner}.{}", sf.name);
                self.count(DeviationAspect::Field, &item, spec_at);
                self.raw.push(Raw {
                    item,
                    aspect: DeviationAspect::Field,
                    sdk: "missing".into(),
                    spec: sf.ty.to_string(),
                    spec_at: spec_at.to_string(),
                    homes: homes.clone(),
                });
            }
        }
    }

    /// Compares one Node input with the spec's (`None`: the spec has none).
    fn node_input(
        &mut self,
        item: String,
        node: &NodeField,
        spec: Option<&SpecField<'a>>,
        spec_at: &str,
        owner: Option<&'a str>,
        root: Home<'a>,
    ) {
        let homes = self.homes(owner, root);
        let Some(sf) = spec else {
            // and the same for its members, which the spec has not either
            for c in node.fields.iter().flatten() {
                let child = format!("{item}.{}", c.name);
                self.node_input(child, c, None, spec_at, owner, root);
            }
            if node.required {
                self.count(DeviationAspect::Required, &item, spec_at);
                self.raw.push(Raw {
                    item,
                    aspect: DeviationAspect::Required,
                    sdk: "required".into(),
                    spec: "missing".into(),
                    spec_at: spec_at.to_string(),
                    homes,
                });
            } else {
                self.report.node_absent.push(item);
            }
            return;
        };
        let flag = |r: bool| if r { "required" } else { "optional" }.to_string();
        self.count(DeviationAspect::Required, &item, spec_at);
        if node.required != sf.required {
            self.raw.push(Raw {
                item: item.clone(),
                aspect: DeviationAspect::Required,
                sdk: flag(node.required),
                spec: flag(sf.required),
                spec_at: spec_at.to_string(),
                homes: homes.clone(),
            });
        }
        let ours = string_enum(&self.types, sf.ty);
        if node.values.is_some() || ours.is_some() {
            self.count(DeviationAspect::Enum, &item, spec_at);
            let sorted = |v: &[String]| {
                let mut v = v.to_vec();
                v.sort();
                v
            };
            let theirs = node.values.as_deref().map(sorted);
            let mine = ours.as_ref().map(|(_, v)| sorted(v));
            if theirs != mine {
                let show = |v: &Option<Vec<String>>| match v {
                    Some(v) => v.join(", "),
                    None => "none".into(),
                };
                self.raw.push(Raw {
                    item: item.clone(),
                    aspect: DeviationAspect::Enum,
                    sdk: show(&theirs),
                    spec: match &ours {
                        Some((name, _)) => format!("{name}: {}", show(&mine)),
                        None => format!("none ({})", sf.ty),
                    },
                    spec_at: spec_at.to_string(),
                    homes: homes.clone(),
                });
            }
        }
        if let Some(children) = &node.fields {
            let expr = spec_expr(sf.ty);
            if let Some(name) = expr.named() {
                let fields = spec_type_fields(&self.types, name);
                let Some(&(_, t)) = self.types.get(name) else {
                    return;
                };
                let owner: &'a str = &t.name;
                for c in children {
                    let sf = fields.iter().find(|f| f.name == c.name);
                    self.node_input(
                        format!("{item}.{}", c.name),
                        c,
                        sf,
                        owner,
                        Some(owner),
                        root,
                    );
                }
            }
        }
    }
}

/// The deviation in `homes` covering `aspect` (and naming `item`, for
/// itemized aspects); records which `sdk_items` entry was used.
fn covering(
    homes: &[Home<'_>],
    aspect: DeviationAspect,
    item: &str,
    used: &mut BTreeSet<(String, String, usize, String)>,
) -> Option<(String, String)> {
    let itemized = is_itemized(aspect);
    for h in homes {
        for (i, d) in h.devs.iter().enumerate() {
            if !d.covers.contains(&aspect) {
                continue;
            }
            if itemized && !d.sdk_items.iter().any(|s| s == item) {
                continue;
            }
            if itemized {
                used.insert((h.key.0.into(), h.key.1.into(), i, item.to_string()));
            }
            return Some((h.file.to_string(), d.topic.clone()));
        }
    }
    None
}

/// Compares `spec` with the Python SDK facts in `reference` and, if given,
/// the Node SDK facts in `node`.
pub fn compare(spec: &Spec, reference: &Reference, node: Option<&NodeReference>) -> Report {
    let service = &spec.service;
    let service_home = Home {
        file: &service.file,
        key: (&service.file, ""),
        devs: &service.value.sdk_deviations,
    };
    let mut types: SpecTypes<'_> = BTreeMap::new();
    for f in &spec.type_files {
        for t in &f.value.types {
            types.entry(t.name.as_str()).or_insert((f.file.as_str(), t));
        }
    }
    let by_id: BTreeMap<(String, String), _> = spec
        .endpoints
        .iter()
        .map(|f| ((f.value.resource.clone(), f.value.operation.clone()), f))
        .collect();
    let mut w = Walk {
        types,
        sdk_types: &reference.types,
        service: service_home,
        seen: BTreeSet::new(),
        raw: Vec::new(),
        compared: BTreeMap::new(),
        report: Report {
            endpoints: reference.endpoints.len(),
            events: reference.events.len(),
            ..Report::default()
        },
    };
    let mut seen = BTreeSet::new();
    for r in &reference.endpoints {
        let id = format!("{}.{}", r.resource, r.method);
        let key = (r.resource.clone(), r.method.clone());
        let Some(f) = by_id.get(&key) else {
            w.raw.push(Raw {
                item: id,
                aspect: DeviationAspect::Endpoint,
                sdk: format!("{} {}", r.http_method, r.path),
                spec: "missing".into(),
                spec_at: String::new(),
                homes: vec![service_home],
            });
            continue;
        };
        seen.insert(key);
        let e = &f.value;
        let home = Home {
            file: &f.file,
            key: (&f.file, ""),
            devs: &e.sdk_deviations,
        };
        let sdk_tokens: BTreeSet<&str> = r.token_types.iter().map(String::as_str).collect();
        let spec_tokens: BTreeSet<&str> = e
            .auth
            .tokens
            .iter()
            .map(|t| t.as_str().trim_end_matches("_access_token"))
            .collect();
        let join = |s: &BTreeSet<&str>| s.iter().copied().collect::<Vec<_>>().join(", ");
        let checks = [
            (DeviationAspect::Path, r.path.clone(), e.path.clone()),
            (
                DeviationAspect::Method,
                r.http_method.clone(),
                e.method.as_str().to_string(),
            ),
            (
                DeviationAspect::Tokens,
                join(&sdk_tokens),
                join(&spec_tokens),
            ),
        ];
        for (aspect, sdk, ours) in checks {
            w.count(aspect, &id, "");
            if sdk != ours {
                w.raw.push(Raw {
                    item: id.clone(),
                    aspect,
                    sdk,
                    spec: ours,
                    spec_at: String::new(),
                    homes: vec![home],
                });
            }
        }
        let path = param_list(&e.path_params, true);
        let query = param_list(&e.query_params, false);
        let body = field_list(e.request_body.as_ref().map_or(&[][..], |b| &b.fields));
        let data = field_list(e.response.as_ref().map_or(&[][..], |r| &r.fields));
        let sides = [
            (
                format!("{id} path"),
                &r.path_params,
                format!("{id} path"),
                path,
            ),
            (
                format!("{id} query"),
                &r.query_params,
                format!("{id} query"),
                query,
            ),
            (
                r.request_body.clone().unwrap_or(format!("{id} body")),
                &r.body_fields,
                format!("{id} request body"),
                body,
            ),
            (
                r.response_body.clone().unwrap_or(format!("{id} data")),
                &r.response_data,
                format!("{id} data"),
                data,
            ),
        ];
        for (sdk_owner, sdk, spec_at, ours) in sides {
            if !sdk.is_empty() || !ours.is_empty() {
                w.fields(&sdk_owner, sdk, &spec_at, None, &ours, home);
            }
        }
    }
    let spec_events: BTreeMap<&str, _> = spec
        .events
        .iter()
        .map(|f| (f.value.event_type.as_str(), f))
        .collect();
    for ev in &reference.events {
        let Some(f) = spec_events.get(ev.event_type.as_str()) else {
            w.raw.push(Raw {
                item: ev.event_type.clone(),
                aspect: DeviationAspect::Event,
                sdk: ev.event_type.clone(),
                spec: "missing".into(),
                spec_at: String::new(),
                homes: vec![service_home],
            });
            continue;
        };
        let home = Home {
            file: &f.file,
            key: (&f.file, ""),
            devs: &f.value.sdk_deviations,
        };
        let ours = field_list(&f.value.fields);
        w.fields(
            &ev.event_type,
            &ev.fields,
            &format!("event {}", ev.event_type),
            None,
            &ours,
            home,
        );
    }
    for name in reference.types.keys() {
        w.count(DeviationAspect::Type, name, "");
        if !w.report.sdk_types.contains(name) {
            w.raw.push(Raw {
                item: name.clone(),
                aspect: DeviationAspect::Type,
                sdk: name.clone(),
                spec: "no counterpart".into(),
                spec_at: String::new(),
                homes: vec![service_home],
            });
        }
    }
    if let Some(node) = node {
        for n in &node.endpoints {
            let id = format!("{}.{}", n.resource, n.method);
            let Some(f) = by_id.get(&(n.resource.clone(), n.method.clone())) else {
                continue;
            };
            let e = &f.value;
            let home = Home {
                file: &f.file,
                key: (&f.file, ""),
                devs: &e.sdk_deviations,
            };
            let at_path = format!("{id} path");
            let at_query = format!("{id} query");
            let at_body = format!("{id} request body");
            let path = param_list(&e.path_params, true);
            let query = param_list(&e.query_params, false);
            let body = field_list(e.request_body.as_ref().map_or(&[][..], |b| &b.fields));
            let groups = [
                ("path", &n.path_params, path, at_path),
                ("query", &n.query_params, query, at_query),
                ("body", &n.body_fields, body, at_body),
            ];
            for (kind, inputs, ours, at) in &groups {
                for p in inputs.iter() {
                    let sf = ours.iter().find(|s| s.name == p.name);
                    w.node_input(format!("{id} {kind}.{}", p.name), p, sf, at, None, home);
                }
            }
        }
    }
    // explain
    let mut used = BTreeSet::new();
    let mut index: BTreeMap<(String, DeviationAspect, String, String, String), usize> =
        BTreeMap::new();
    for r in std::mem::take(&mut w.raw) {
        let explained_by = covering(&r.homes, r.aspect, &r.item, &mut used);
        let key = (
            r.item.clone(),
            r.aspect,
            r.sdk.clone(),
            r.spec.clone(),
            r.spec_at.clone(),
        );
        match index.get(&key) {
            // the same difference reached from another endpoint: explained
            // if a deviation of any of them explains it
            Some(&i) => {
                if w.report.findings[i].explained_by.is_none() {
                    w.report.findings[i].explained_by = explained_by;
                }
            }
            None => {
                index.insert(key, w.report.findings.len());
                w.report.findings.push(Finding {
                    item: r.item,
                    aspect: r.aspect,
                    sdk: r.sdk,
                    spec: r.spec,
                    spec_at: r.spec_at,
                    explained_by,
                });
            }
        }
    }
    for (aspect, facts) in &w.compared {
        w.report.tally.entry(*aspect).or_default().compared = facts.len();
        w.report.compared.insert(
            *aspect,
            facts.iter().map(|(item, _)| item.clone()).collect(),
        );
    }
    for f in &w.report.findings {
        let t = w.report.tally.entry(f.aspect).or_default();
        t.differ += 1;
        if f.explained_by.is_some() {
            t.explained += 1;
        }
    }
    // stale sdk_items
    let mut homes: Vec<Home<'_>> = vec![service_home];
    for f in &spec.endpoints {
        homes.push(Home {
            file: &f.file,
            key: (&f.file, ""),
            devs: &f.value.sdk_deviations,
        });
    }
    for f in &spec.events {
        homes.push(Home {
            file: &f.file,
            key: (&f.file, ""),
            devs: &f.value.sdk_deviations,
        });
    }
    for f in &spec.type_files {
        for t in &f.value.types {
            homes.push(Home {
                file: &f.file,
                key: (&f.file, &t.name),
                devs: &t.sdk_deviations,
            });
        }
    }
    for h in &homes {
        for (i, d) in h.devs.iter().enumerate() {
            // only aspects this run compared (required / enum need the Node facts)
            let active = |a: &DeviationAspect| {
                is_itemized(*a)
                    && (node.is_some()
                        || !matches!(a, DeviationAspect::Required | DeviationAspect::Enum))
            };
            if !d.covers.iter().any(active) {
                continue;
            }
            for item in &d.sdk_items {
                let k = (h.key.0.to_string(), h.key.1.to_string(), i, item.clone());
                if !used.contains(&k) {
                    let at = if h.key.1.is_empty() {
                        h.file.to_string()
                    } else {
                        format!("{} ({})", h.file, h.key.1)
                    };
                    w.report
                        .stale
                        .push(format!("{at}: {}: `{item}` explains nothing", d.topic));
                }
            }
        }
    }
    for ((resource, operation), _) in by_id.iter().filter(|(k, _)| !seen.contains(*k)) {
        w.report.spec_only.push(format!("{resource}.{operation}"));
    }
    let sdk_events: BTreeSet<&str> = reference
        .events
        .iter()
        .map(|e| e.event_type.as_str())
        .collect();
    for ev in spec_events.keys().filter(|e| !sdk_events.contains(*e)) {
        w.report.spec_only.push((*ev).to_string());
    }
    w.report
}
