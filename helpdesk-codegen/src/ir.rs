//! The intermediate representation: the validated spec resolved into the
//! shapes the Rust output needs (names, Rust types, optionality). It holds
//! plain data only; [`crate::emit`] turns it into tokens.

use helpdesk_spec::Spec;
use helpdesk_spec::names::{
    self, endpoint_stem, event_variant, field_ident, resource_api_type, rust_ident,
};
use helpdesk_spec::spec::{
    EndpointFile, EnumRepr, EventFile, Field, HttpMethod, PageStyle, Pagination, Param, TokenKind,
    TypeDef, TypeKind, Window,
};
use helpdesk_spec::types::{Scalar, TypeExpr};
use helpdesk_spec::validate::{TypeIndex, type_index};

/// Everything the generator emits.
#[derive(Debug, Clone)]
pub struct Api {
    /// Named types, in declaration order.
    pub types: Vec<TypeIr>,
    /// Resources, sorted by name, each with its endpoints.
    pub resources: Vec<ResourceIr>,
    /// Events, sorted by event type.
    pub events: Vec<EventIr>,
}

/// An event pushed to the app.
#[derive(Debug, Clone)]
pub struct EventIr {
    /// Wire event type, e.g. `helpdesk.ticket.created_v1`.
    pub event_type: String,
    /// Variant name in `HelpdeskEvent`, e.g. `TicketCreatedV1`.
    pub variant: String,
    /// Payload struct name, e.g. `TicketCreatedV1Event`.
    pub type_name: String,
    /// Doc text.
    pub doc: String,
    /// Fields of the `event` object.
    pub fields: Vec<FieldIr>,
}

/// A named type.
#[derive(Debug, Clone)]
pub enum TypeIr {
    /// A struct.
    Struct(StructIr),
    /// An open enum.
    Enum(EnumIr),
}

/// A struct with named fields.
#[derive(Debug, Clone)]
pub struct StructIr {
    /// Rust type name.
    pub name: String,
    /// Doc text.
    pub doc: String,
    /// Fields.
    pub fields: Vec<FieldIr>,
    /// Sent in a request body (directly or nested): gets `with_…` setters
    /// so that a value is built in one expression.
    pub request_side: bool,
}

/// A struct field.
#[derive(Debug, Clone)]
pub struct FieldIr {
    /// Rust field name (snake_case; a keyword becomes a raw identifier).
    pub ident: String,
    /// JSON key.
    pub wire: String,
    /// Rust type (without the `Option`).
    pub ty: RustTy,
    /// `Option<_>` when the spec does not mark the field required.
    pub optional: bool,
    /// Doc text.
    pub doc: String,
}

/// Rust types the generator uses.
#[derive(Debug, Clone, PartialEq)]
pub enum RustTy {
    /// `String`.
    String,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `i64` carried as a decimal string.
    I64String,
    /// `f64`.
    F64,
    /// `bool`.
    Bool,
    /// `crate::TimestampMs`.
    TimestampMs,
    /// `crate::TimestampMsNumber`.
    TimestampMsNumber,
    /// `crate::TimestampSecs`.
    TimestampSecs,
    /// `crate::JsonString`.
    JsonString,
    /// `serde_json::Value`.
    Json,
    /// A generated named type.
    Named(String),
    /// `Vec<_>`.
    Vec(Box<RustTy>),
}

/// An enum that keeps unknown values.
#[derive(Debug, Clone)]
pub struct EnumIr {
    /// Rust type name.
    pub name: String,
    /// Doc text.
    pub doc: String,
    /// Integer or string on the wire.
    pub repr: EnumRepr,
    /// Documented variants.
    pub variants: Vec<VariantIr>,
}

/// One documented enum value.
#[derive(Debug, Clone)]
pub struct VariantIr {
    /// Rust variant name (PascalCase).
    pub ident: String,
    /// The value on the wire.
    pub wire: WireValue,
    /// Doc text.
    pub doc: String,
}

/// An enum's wire value.
#[derive(Debug, Clone, PartialEq)]
pub enum WireValue {
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
}

/// A resource and its operations.
#[derive(Debug, Clone)]
pub struct ResourceIr {
    /// Spec name (snake_case).
    pub name: String,
    /// The accessor method on `Client`.
    pub accessor: String,
    /// The module of its endpoints.
    pub module: String,
    /// For a resource whose name differs from another's only by a plural
    /// `s` (`agent_schedule` / `agent_schedules`, the API's own path
    /// shapes): which operations live in which, for both modules' docs.
    pub sibling_note: Option<String>,
    /// Accessor type name, e.g. `NotificationApi`.
    pub api_type: String,
    /// Endpoints, sorted by operation.
    pub endpoints: Vec<EndpointIr>,
}

/// One endpoint.
#[derive(Debug, Clone)]
pub struct EndpointIr {
    /// `resource.operation`.
    pub id: String,
    /// Operation method name on the resource accessor.
    pub fn_name: String,
    /// Resource name, e.g. `notification`.
    pub resource: String,
    /// Name of the static holding the endpoint's facts.
    pub meta: String,
    /// Type-name stem, e.g. `NotificationGet`.
    pub stem: String,
    /// Summary line.
    pub summary: String,
    /// Description.
    pub description: String,
    /// Link to the official page.
    pub doc_url: Option<String>,
    /// HTTP method.
    pub method: HttpMethod,
    /// Path template as written in the spec.
    pub path: String,
    /// The template split into literal parts and parameters.
    pub segments: Vec<PathPart>,
    /// Path parameters (positional arguments, in template order).
    pub path_params: Vec<ParamIr>,
    /// Query parameters.
    pub query_params: Vec<ParamIr>,
    /// Accepted token kinds.
    pub tokens: Vec<TokenKind>,
    /// Whether the helpdesk header is required.
    pub helpdesk_header: bool,
    /// `(requests, window seconds)` limits.
    pub rate_limits: Vec<(u32, u32)>,
    /// Rate-limit note.
    pub rate_note: Option<String>,
    /// Scopes (any of).
    pub scopes: Vec<String>,
    /// Reply `data` fields.
    pub response_fields: Vec<FieldIr>,
    /// JSON request body fields (`None`: no body).
    pub body: Option<Vec<FieldIr>>,
    /// Paging, for list endpoints.
    pub pagination: Option<PaginationIr>,
    /// The reply is a file, not JSON.
    pub binary: bool,
    /// Documented errors.
    pub errors: Vec<ErrorIr>,
}

/// How a list endpoint pages, resolved to Rust names.
#[derive(Debug, Clone)]
pub struct PaginationIr {
    /// Token or page-number paging.
    pub style: PageStyle,
    /// Reply field with the items.
    pub items: FieldIr,
    /// Element type of the items.
    pub item_ty: RustTy,
    /// Request field carrying the cursor (page token or page number).
    pub cursor_param: String,
    /// Request field with the page size.
    pub page_size_param: String,
    /// Reply field with the next token (token style).
    pub next_token: Option<FieldIr>,
    /// Reply field saying more pages exist (token style).
    pub has_more: Option<FieldIr>,
    /// Reply field with the total (page style).
    pub total: Option<FieldIr>,
}

/// A part of a path template.
#[derive(Debug, Clone, PartialEq)]
pub enum PathPart {
    /// Literal text, including slashes.
    Literal(String),
    /// A parameter, by Rust identifier.
    Param(String),
}

/// A path or query parameter.
#[derive(Debug, Clone)]
pub struct ParamIr {
    /// Rust identifier.
    pub ident: String,
    /// Wire name.
    pub wire: String,
    /// Element type (for a list query param, the element).
    pub ty: RustTy,
    /// Repeated query key.
    pub list: bool,
    /// Required.
    pub required: bool,
    /// Doc text (with default and example).
    pub doc: String,
}

/// A documented error code.
#[derive(Debug, Clone)]
pub struct ErrorIr {
    /// Variant name (PascalCase).
    pub variant: String,
    /// HTTP status.
    pub status: u16,
    /// Code.
    pub code: i64,
    /// Message.
    pub message: String,
    /// Advice.
    pub advice: String,
}

fn rust_ty(te: &TypeExpr) -> RustTy {
    match te {
        TypeExpr::Scalar(s) => match s {
            Scalar::String => RustTy::String,
            Scalar::Int => RustTy::I32,
            Scalar::Int64 => RustTy::I64,
            Scalar::Int64String => RustTy::I64String,
            Scalar::Float => RustTy::F64,
            Scalar::Bool => RustTy::Bool,
            Scalar::TimestampMs => RustTy::TimestampMs,
            Scalar::TimestampMsNumber => RustTy::TimestampMsNumber,
            Scalar::TimestampSecs => RustTy::TimestampSecs,
            Scalar::JsonString => RustTy::JsonString,
            Scalar::Json => RustTy::Json,
        },
        TypeExpr::Named(n) => RustTy::Named(n.clone()),
        TypeExpr::List(inner) => RustTy::Vec(Box::new(rust_ty(inner))),
    }
}

fn parse_ty(s: &str) -> RustTy {
    TypeExpr::parse(s)
        .map(|te| rust_ty(&te))
        .unwrap_or(RustTy::Json)
}

/// A doc text: the English text first, then the page's own (zh) text as
/// its own paragraph; the page's text alone when there is no English.
fn bilingual(en: Option<&str>, zh: &str) -> String {
    match en.map(str::trim).filter(|e| !e.is_empty()) {
        Some(en) if !zh.trim().is_empty() && en != zh.trim() => {
            format!("{en}\n\n{}", zh.trim())
        }
        Some(en) => en.to_string(),
        None => zh.trim().to_string(),
    }
}

/// A one-line text (summary, error message): `English (中文)`.
fn bilingual_line(en: Option<&str>, zh: &str) -> String {
    match en.map(str::trim).filter(|e| !e.is_empty()) {
        Some(en) if !zh.trim().is_empty() && en != zh.trim() => format!("{en} ({})", zh.trim()),
        Some(en) => en.to_string(),
        None => zh.trim().to_string(),
    }
}

fn with_example(desc: &str, example: Option<&serde_json::Value>) -> String {
    match example {
        Some(ex) => format!("{}\n\nExample: `{ex}`", desc.trim()),
        None => desc.trim().to_string(),
    }
}

fn field_ir(f: &Field) -> FieldIr {
    FieldIr {
        ident: rust_ident(&field_ident(&f.name)),
        wire: f.name.clone(),
        ty: parse_ty(&f.ty),
        optional: !f.required,
        doc: with_example(
            &bilingual(f.description_en.as_deref(), &f.description),
            f.example.as_ref(),
        ),
    }
}

fn param_ir(p: &Param, path: bool) -> ParamIr {
    let (ty, list) = match parse_ty(&p.ty) {
        RustTy::Vec(inner) => (*inner, true),
        other => (other, false),
    };
    let mut doc = bilingual(p.description_en.as_deref(), &p.description);
    if let Some(d) = &p.default {
        doc.push_str(&format!("\n\nDefault: `{d}`"));
    }
    if let Some(ex) = &p.example {
        doc.push_str(&format!("\n\nExample: `{ex}`"));
    }
    ParamIr {
        ident: rust_ident(&field_ident(&p.name)),
        wire: p.name.clone(),
        ty,
        list,
        required: path || p.required,
        doc,
    }
}

/// Builds the IR from a spec. Call [`helpdesk_spec::validate::validate`] first: on an
/// invalid spec the IR is still built (never a panic) but may not compile.
pub fn build(spec: &Spec) -> Api {
    let mut resources: Vec<ResourceIr> = Vec::new();
    for f in &spec.endpoints {
        let e = &f.value;
        let ep = endpoint_ir(e);
        match resources.iter_mut().find(|r| r.name == e.resource) {
            Some(r) => r.endpoints.push(ep),
            None => resources.push(ResourceIr {
                name: e.resource.clone(),
                accessor: rust_ident(&e.resource),
                module: names::resource_module(&e.resource),
                sibling_note: None,
                api_type: resource_api_type(&e.resource),
                endpoints: vec![ep],
            }),
        }
    }
    resources.sort_by(|a, b| a.name.cmp(&b.name));
    for r in &mut resources {
        r.endpoints.sort_by(|a, b| a.fn_name.cmp(&b.fn_name));
    }
    sibling_notes(&mut resources);
    let mut events: Vec<EventIr> = spec
        .events
        .iter()
        .map(|f| event_ir(&spec.service.value.service, &f.value))
        .collect();
    events.sort_by(|a, b| a.event_type.cmp(&b.event_type));
    Api {
        types: types_ir(spec),
        resources,
        events,
    }
}

/// `agent_schedule` and `agent_schedules`: the API puts operations on the
/// same objects under two path shapes; each module's doc says which
/// operations are where.
fn sibling_notes(resources: &mut [ResourceIr]) {
    let ops = |r: &ResourceIr| {
        r.endpoints
            .iter()
            .map(|e| format!("`{}` ({} `{}`)", e.fn_name, e.method.as_str(), e.path))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let summary: Vec<(String, String)> =
        resources.iter().map(|r| (r.name.clone(), ops(r))).collect();
    for r in resources.iter_mut() {
        let sibling = summary.iter().find(|(n, _)| {
            n.strip_suffix('s') == Some(r.name.as_str())
                || r.name.strip_suffix('s') == Some(n.as_str())
        });
        if let Some((other, other_ops)) = sibling {
            r.sibling_note = Some(format!(
                "The API splits these objects over two path shapes: this module has {}; \
                 [`super::{other}`] has {other_ops}.",
                ops(r)
            ));
        }
    }
}

/// The named types, in declaration order (a duplicate declaration, which
/// the validator reports, is skipped).
fn types_ir(spec: &Spec) -> Vec<TypeIr> {
    let index: TypeIndex<'_> = type_index(spec);
    let request_side = request_side_types(spec, &index);
    let mut types = Vec::new();
    for f in &spec.type_files {
        for t in &f.value.types {
            if index
                .get(t.name.as_str())
                .is_some_and(|first| !std::ptr::eq(*first, t))
            {
                continue;
            }
            types.push(match t.kind {
                TypeKind::Object => TypeIr::Struct(StructIr {
                    request_side: request_side.contains(t.name.as_str()),
                    name: t.name.clone(),
                    doc: bilingual(t.description_en.as_deref(), &t.description),
                    fields: t.fields.iter().flatten().map(field_ir).collect(),
                }),
                TypeKind::Enum => TypeIr::Enum(enum_ir(t)),
            });
        }
    }
    types
}

fn enum_ir(t: &TypeDef) -> EnumIr {
    EnumIr {
        name: t.name.clone(),
        doc: bilingual(t.description_en.as_deref(), &t.description),
        repr: t.repr.unwrap_or(EnumRepr::String),
        variants: t
            .values
            .iter()
            .flatten()
            .map(|v| VariantIr {
                ident: names::variant(&v.name),
                wire: match &v.value {
                    serde_json::Value::Number(n) => WireValue::Int(n.as_i64().unwrap_or_default()),
                    serde_json::Value::String(s) => WireValue::Str(s.clone()),
                    other => WireValue::Str(other.to_string()),
                },
                doc: bilingual(v.description_en.as_deref(), &v.description),
            })
            .collect(),
    }
}

/// Named types reachable from a request body.
fn request_side_types<'a>(
    spec: &'a Spec,
    index: &TypeIndex<'a>,
) -> std::collections::BTreeSet<&'a str> {
    let mut seen = std::collections::BTreeSet::new();
    let mut todo: Vec<&str> = Vec::new();
    let named =
        |ty: &str| -> Option<String> { TypeExpr::parse(ty).ok()?.named().map(str::to_string) };
    for f in &spec.endpoints {
        for fld in f.value.request_body.iter().flat_map(|b| &b.fields) {
            if let Some(n) = named(&fld.ty) {
                if let Some((k, _)) = index.get_key_value(n.as_str()) {
                    todo.push(k);
                }
            }
        }
    }
    while let Some(n) = todo.pop() {
        if !seen.insert(n) {
            continue;
        }
        for fld in index
            .get(n)
            .and_then(|t| t.fields.as_ref())
            .into_iter()
            .flatten()
        {
            if let Some(m) = named(&fld.ty) {
                if let Some((k, _)) = index.get_key_value(m.as_str()) {
                    todo.push(k);
                }
            }
        }
    }
    seen
}

/// `/open-apis/x/:id/y` → literal and parameter pieces.
fn path_segments(path: &str) -> Vec<PathPart> {
    let mut segments = Vec::new();
    let mut lit = String::new();
    for seg in path.split('/').skip(1) {
        lit.push('/');
        if let Some(name) = seg.strip_prefix(':') {
            segments.push(PathPart::Literal(std::mem::take(&mut lit)));
            segments.push(PathPart::Param(rust_ident(&field_ident(name))));
        } else {
            lit.push_str(seg);
        }
    }
    if !lit.is_empty() {
        segments.push(PathPart::Literal(lit));
    }
    segments
}

fn endpoint_ir(e: &EndpointFile) -> EndpointIr {
    let response_fields: Vec<FieldIr> = e
        .response
        .iter()
        .flat_map(|r| r.fields.iter().map(field_ir))
        .collect();
    EndpointIr {
        id: format!("{}.{}", e.resource, e.operation),
        resource: e.resource.clone(),
        fn_name: rust_ident(&field_ident(&e.operation)),
        stem: endpoint_stem(&e.resource, &e.operation),
        meta: names::endpoint_static(&e.resource, &e.operation),
        summary: bilingual_line(e.summary_en.as_deref(), &e.summary),
        description: bilingual(e.description_en.as_deref(), &e.description),
        doc_url: e.doc_url.clone(),
        method: e.method,
        path: e.path.clone(),
        segments: path_segments(&e.path),
        path_params: e.path_params.iter().map(|p| param_ir(p, true)).collect(),
        query_params: e.query_params.iter().map(|p| param_ir(p, false)).collect(),
        tokens: e.auth.tokens.clone(),
        helpdesk_header: e.auth.helpdesk_header,
        rate_limits: e
            .rate_limit
            .limits
            .iter()
            .map(|l| (l.requests, if l.per == Window::Minute { 60 } else { 1 }))
            .collect(),
        rate_note: e.rate_limit.note.clone(),
        scopes: e.scopes.any_of.iter().map(|s| s.name.clone()).collect(),
        pagination: e
            .pagination
            .as_ref()
            .and_then(|pg| pagination_ir(pg, &response_fields)),
        response_fields,
        body: e
            .request_body
            .as_ref()
            .map(|b| b.fields.iter().map(field_ir).collect()),
        binary: e.response.as_ref().is_some_and(|r| r.binary.is_some()),
        errors: e
            .errors
            .iter()
            .map(|er| ErrorIr {
                variant: names::variant(&er.name),
                status: er.http_status,
                code: er.code,
                message: bilingual_line(er.message_en.as_deref(), &er.message),
                advice: er.advice.clone(),
            })
            .collect(),
    }
}

fn pagination_ir(pg: &Pagination, fields: &[FieldIr]) -> Option<PaginationIr> {
    let find = |name: &str| fields.iter().find(|f| f.wire == name).cloned();
    let items = find(&pg.items)?;
    let item_ty = match &items.ty {
        RustTy::Vec(inner) => (**inner).clone(),
        _ => return None,
    };
    let token = pg.style == PageStyle::PageToken;
    let cursor = if token {
        pg.page_token_param()
    } else {
        pg.page_param()
    };
    Some(PaginationIr {
        style: pg.style,
        items,
        item_ty,
        cursor_param: rust_ident(&field_ident(cursor)),
        page_size_param: rust_ident(&field_ident(pg.page_size_param())),
        next_token: token.then(|| find(pg.next_token_field())).flatten(),
        has_more: token.then(|| find(pg.has_more_field())).flatten(),
        total: (!token).then(|| find(pg.total_field())).flatten(),
    })
}

fn event_ir(service: &str, ev: &EventFile) -> EventIr {
    let variant = event_variant(service, &ev.event_type);
    let mut doc = format!(
        "{}\n\nEvent type `{}`.",
        bilingual_line(ev.summary_en.as_deref(), &ev.summary),
        ev.event_type
    );
    let description = bilingual(ev.description_en.as_deref(), &ev.description);
    if !description.is_empty() {
        doc.push_str(&format!("\n\n{description}"));
    }
    if let Some(u) = &ev.doc_url {
        doc.push_str(&format!("\n\n[Official documentation]({u})"));
    }
    EventIr {
        event_type: ev.event_type.clone(),
        type_name: names::event_type_name(&variant),
        variant,
        doc,
        fields: ev.fields.iter().map(field_ir).collect(),
    }
}
