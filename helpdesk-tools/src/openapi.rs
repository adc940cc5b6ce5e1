//! Export of the spec as an OpenAPI 3.1 document (`helpdesk-spec openapi`).
//!
//! The mapping:
//!
//! * `info` from `service.json`, `servers` from its `base_urls`;
//! * one operation per endpoint, `operationId` = `resource.operation`,
//!   `:param` path segments become `{param}`;
//! * the three access-token kinds are HTTP bearer schemes (the kind is in the
//!   description and in `x-token-kind`); the helpdesk credential is an
//!   `apiKey` scheme in the `X-Lark-Helpdesk-Authorization` header. Each
//!   operation requires one of its token kinds, together with the helpdesk
//!   header when the endpoint needs it;
//! * replies are the `{code, msg, data}` envelope; documented error codes
//!   (the endpoint's table plus the platform's) are grouped by HTTP status;
//! * named types are `components/schemas`; the spec's scalar refinements keep
//!   their wire type (`timestamp_ms`, `int64_string`: strings with a digit
//!   pattern; `timestamp_ms_number`, `timestamp_s`: int64 integers; `json_string`: a string with
//!   `contentMediaType`);
//! * rate limits, scopes and app types are `x-rate-limit`, `x-scopes`,
//!   `x-field-scopes` and `x-app-types`.

use helpdesk_spec::load::Spec;
use helpdesk_spec::spec::{
    Deviation, EndpointFile, EnumRepr, ErrorSpec, Field, FieldScope, PageStyle, Pagination, Param,
    RateLimit, TokenKind, TypeDef, TypeKind, Window,
};
use helpdesk_spec::types::{Scalar, TypeExpr};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Name of the security scheme for the helpdesk credential header.
pub const HELPDESK_SCHEME: &str = "helpdesk_token";

/// Pattern of integers carried in decimal strings.
pub const INT_STRING_PATTERN: &str = "^-?[0-9]+$";

/// The OpenAPI 3.1 document for a validated spec.
pub fn document(spec: &Spec) -> Value {
    let s = &spec.service.value;
    let mut info = Map::new();
    info.insert("title".into(), json!(s.title));
    info.insert("version".into(), json!(s.version));
    if !s.description.is_empty() {
        info.insert("description".into(), json!(s.description));
    }
    if !s.sdk_deviations.is_empty() {
        info.insert("x-sdk-deviations".into(), deviations(&s.sdk_deviations));
    }
    let servers: Vec<Value> = s
        .base_urls
        .iter()
        .map(|(name, url)| json!({"url": url, "description": name}))
        .collect();

    let mut paths = Map::new();
    let mut tags = BTreeMap::new();
    for e in &spec.endpoints {
        let ep = &e.value;
        tags.entry(ep.resource.clone()).or_insert(());
        let path = openapi_path(&ep.path);
        let item = paths
            .entry(path)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = item {
            m.insert(
                ep.method.as_str().to_ascii_lowercase(),
                operation(ep, &s.platform_errors, spec),
            );
        }
    }

    let mut schemas = Map::new();
    for f in &spec.type_files {
        for t in &f.value.types {
            schemas.insert(t.name.clone(), type_schema(t));
        }
    }
    schemas.insert(
        "ErrorReply".into(),
        json!({
            "type": "object",
            "description": "The reply envelope of a failed call: a non-zero business code and a message.",
            "required": ["code", "msg"],
            "properties": {
                "code": {"type": "integer", "format": "int64", "description": "Business error code, non-zero."},
                "msg": {"type": "string", "description": "Error message."}
            }
        }),
    );

    let mut security_schemes = Map::new();
    for kind in [
        TokenKind::UserAccessToken,
        TokenKind::TenantAccessToken,
        TokenKind::AppAccessToken,
    ] {
        security_schemes.insert(
            kind.as_str().into(),
            json!({
                "type": "http",
                "scheme": "bearer",
                "description": format!(
                    "Feishu {} (tokens start with `{}`), sent as `Authorization: Bearer <token>`.",
                    kind.as_str(),
                    kind.prefix()
                ),
                "x-token-kind": kind.as_str(),
            }),
        );
    }
    security_schemes.insert(
        HELPDESK_SCHEME.into(),
        json!({
            "type": "apiKey",
            "in": "header",
            "name": s.helpdesk_header.name,
            "description": format!("{} Value: {}.", s.helpdesk_header.description, s.helpdesk_header.format),
        }),
    );

    json!({
        "openapi": "3.1.0",
        "info": info,
        "servers": servers,
        "tags": tags.keys().map(|t| json!({"name": t})).collect::<Vec<_>>(),
        "paths": paths,
        "webhooks": webhooks(spec),
        "components": {
            "schemas": schemas,
            "securitySchemes": security_schemes,
        },
    })
}

/// `/a/:b/c` → `/a/{b}/c`.
pub fn openapi_path(path: &str) -> String {
    path.split('/')
        .map(|seg| match seg.strip_prefix(':') {
            Some(name) => format!("{{{name}}}"),
            None => seg.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The OpenAPI operation object for one endpoint.
fn operation(ep: &EndpointFile, platform: &[ErrorSpec], spec: &Spec) -> Value {
    let types = helpdesk_spec::validate::type_index(spec);
    let mut op = Map::new();
    op.insert(
        "operationId".into(),
        json!(format!("{}.{}", ep.resource, ep.operation)),
    );
    op.insert("summary".into(), json!(ep.summary));
    if !ep.description.is_empty() {
        op.insert("description".into(), json!(ep.description));
    }
    op.insert("tags".into(), json!([ep.resource]));
    if let Some(url) = &ep.doc_url {
        op.insert(
            "externalDocs".into(),
            json!({"url": url, "description": "Official documentation"}),
        );
    }
    let params = parameters(ep, &types);
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Array(params));
    }
    op.insert("security".into(), security(ep));
    if let Some(body) = request_body(ep) {
        op.insert("requestBody".into(), body);
    }
    op.insert("responses".into(), responses(ep, platform));
    if let Some(pg) = &ep.pagination {
        op.insert("x-pagination".into(), pagination(pg));
    }
    if !ep.sdk_deviations.is_empty() {
        op.insert("x-sdk-deviations".into(), deviations(&ep.sdk_deviations));
    }
    insert_access_extensions(&mut op, ep);
    Value::Object(op)
}

/// The operation's path parameters, then its query parameters.
fn parameters(ep: &EndpointFile, types: &helpdesk_spec::validate::TypeIndex<'_>) -> Vec<Value> {
    let mut params = Vec::new();
    for p in &ep.path_params {
        params.push(parameter(p, "path", true, types));
    }
    for p in &ep.query_params {
        params.push(parameter(p, "query", p.required, types));
    }
    params
}

/// The security requirements: one per token kind, with the helpdesk header when needed.
fn security(ep: &EndpointFile) -> Value {
    let security: Vec<Value> = ep
        .auth
        .tokens
        .iter()
        .map(|k| {
            let mut req = Map::new();
            req.insert(k.as_str().into(), json!([]));
            if ep.auth.helpdesk_header {
                req.insert(HELPDESK_SCHEME.into(), json!([]));
            }
            Value::Object(req)
        })
        .collect();
    Value::Array(security)
}

/// The `requestBody` object (JSON schema and example), when the endpoint has a body.
fn request_body(ep: &EndpointFile) -> Option<Value> {
    let body = ep.request_body.as_ref()?;
    let mut media = Map::new();
    media.insert("schema".into(), object_schema(&body.fields, None));
    if let Some(ex) = &ep.example_request {
        media.insert("example".into(), ex.clone());
    }
    Some(json!({"required": true, "content": {"application/json": Value::Object(media)}}))
}

/// The `x-pagination` extension: the paging style and its parameter and field names.
fn pagination(pg: &Pagination) -> Value {
    match pg.style {
        PageStyle::PageToken => json!({
            "style": "page_token",
            "items": pg.items,
            "page_token_param": pg.page_token_param(),
            "next_token_field": pg.next_token_field(),
            "has_more_field": pg.has_more_field(),
            "page_size_param": pg.page_size_param(),
        }),
        PageStyle::Page => json!({
            "style": "page",
            "items": pg.items,
            "page_param": pg.page_param(),
            "total_field": pg.total_field(),
            "page_size_param": pg.page_size_param(),
        }),
    }
}

/// Adds `x-rate-limit`, `x-scopes`, `x-field-scopes` and `x-app-types` to an operation.
fn insert_access_extensions(op: &mut Map<String, Value>, ep: &EndpointFile) {
    op.insert("x-rate-limit".into(), rate_limit(&ep.rate_limit));
    let scopes: Vec<Value> = ep
        .scopes
        .any_of
        .iter()
        .map(|s| json!({"name": s.name, "description": s.description}))
        .collect();
    op.insert("x-scopes".into(), json!({"any_of": scopes}));
    if !ep.field_scopes.is_empty() {
        op.insert("x-field-scopes".into(), field_scopes(&ep.field_scopes));
    }
    if !ep.app_types.is_empty() {
        op.insert("x-app-types".into(), json!(ep.app_types));
    }
}

/// The `x-rate-limit` extension: the limits and the note, if any.
fn rate_limit(rate: &RateLimit) -> Value {
    let limits: Vec<Value> = rate
        .limits
        .iter()
        .map(|l| {
            let per = match l.per {
                Window::Second => "second",
                Window::Minute => "minute",
            };
            json!({"requests": l.requests, "per": per})
        })
        .collect();
    let mut rl = Map::new();
    rl.insert("limits".into(), Value::Array(limits));
    if let Some(n) = &rate.note {
        rl.insert("note".into(), json!(n));
    }
    Value::Object(rl)
}

/// The `x-field-scopes` extension: each scope with its condition, if any.
fn field_scopes(scopes: &[FieldScope]) -> Value {
    let fs: Vec<Value> = scopes
        .iter()
        .map(|f| {
            let mut m = Map::new();
            m.insert("scope".into(), json!(f.scope));
            m.insert("description".into(), json!(f.description));
            if let Some(w) = &f.when {
                m.insert("when".into(), json!({"param": w.param, "equals": w.equals}));
            }
            Value::Object(m)
        })
        .collect();
    Value::Array(fs)
}

fn parameter(
    p: &Param,
    location: &str,
    required: bool,
    types: &helpdesk_spec::validate::TypeIndex<'_>,
) -> Value {
    let mut schema = match TypeExpr::parse(&p.ty) {
        // Enums inline, so that a reader of the parameter sees the values.
        Ok(TypeExpr::Named(n)) => match types.get(n.as_str()) {
            Some(t) => type_schema(t),
            None => json!({}),
        },
        Ok(te) => expr_schema(&te),
        Err(_) => json!({}),
    };
    if let (Some(d), Value::Object(m)) = (&p.default, &mut schema) {
        m.insert("default".into(), d.clone());
    }
    let mut m = Map::new();
    m.insert("name".into(), json!(p.name));
    m.insert("in".into(), json!(location));
    m.insert("required".into(), json!(required));
    if !p.description.is_empty() {
        m.insert("description".into(), json!(p.description));
    }
    m.insert("schema".into(), schema);
    if let Some(ex) = &p.example {
        m.insert("example".into(), ex.clone());
    }
    if location == "query" && p.ty.ends_with("[]") {
        m.insert("style".into(), json!("form"));
        m.insert("explode".into(), json!(true));
    }
    Value::Object(m)
}

fn responses(ep: &EndpointFile, platform: &[ErrorSpec]) -> Value {
    let mut out = Map::new();
    if let Some(bin) = ep.response.as_ref().and_then(|r| r.binary.as_ref()) {
        let ct = bin
            .content_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into());
        let desc = if bin.description.is_empty() {
            "The file.".to_string()
        } else {
            bin.description.clone()
        };
        let mut content = Map::new();
        content.insert(
            ct.clone(),
            json!({"schema": {"type": "string", "contentMediaType": ct}}),
        );
        out.insert(
            "200".into(),
            json!({"description": desc, "content": content}),
        );
        add_errors(&mut out, ep, platform);
        return Value::Object(out);
    }
    let data = match &ep.response {
        Some(r) => object_schema(&r.fields, None),
        None => json!({"type": "object", "description": "No data."}),
    };
    let mut ok_media = Map::new();
    ok_media.insert(
        "schema".into(),
        json!({
            "type": "object",
            "required": ["code", "msg"],
            "properties": {
                "code": {"type": "integer", "const": 0, "description": "0 on success."},
                "msg": {"type": "string", "description": "`success` on success."},
                "data": data,
            }
        }),
    );
    if let Some(ex) = &ep.example_response {
        ok_media.insert("example".into(), ex.clone());
    }
    out.insert(
        "200".into(),
        json!({"description": "Success: `code` is 0 and `data` holds the result.", "content": {"application/json": ok_media}}),
    );

    add_errors(&mut out, ep, platform);
    Value::Object(out)
}

/// Adds the documented errors, grouped by HTTP status.
fn add_errors(out: &mut Map<String, Value>, ep: &EndpointFile, platform: &[ErrorSpec]) {
    // status → rows (endpoint table first, then platform errors not shadowed by it)
    let mut by_status: BTreeMap<u16, Vec<(&ErrorSpec, &str)>> = BTreeMap::new();
    for e in &ep.errors {
        by_status
            .entry(e.http_status)
            .or_default()
            .push((e, "endpoint"));
    }
    for e in platform {
        if !ep.errors.iter().any(|x| x.code == e.code) {
            by_status
                .entry(e.http_status)
                .or_default()
                .push((e, "platform"));
        }
    }
    for (status, rows) in by_status {
        let list = rows
            .iter()
            .map(|(e, _)| format!("`{}` {}: {}", e.code, e.name, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        let description = if rows.len() == 1 {
            format!("Error {list}")
        } else {
            format!("One of the errors {list}")
        };
        let codes: Vec<i64> = rows.iter().map(|(e, _)| e.code).collect();
        let mut examples = Map::new();
        for (e, _) in &rows {
            examples.insert(
                e.name.clone(),
                json!({"summary": format!("{} {}", e.code, e.name), "description": e.advice, "value": {"code": e.code, "msg": e.message}}),
            );
        }
        let details: Vec<Value> = rows
            .iter()
            .map(|(e, source)| {
                json!({"code": e.code, "name": e.name, "message": e.message, "advice": e.advice, "source": source})
            })
            .collect();
        out.insert(
            status.to_string(),
            json!({
                "description": description,
                "content": {"application/json": {
                    "schema": {
                        "allOf": [{"$ref": "#/components/schemas/ErrorReply"}],
                        "properties": {"code": {"enum": codes}}
                    },
                    "examples": examples,
                }},
                "x-error-codes": details,
            }),
        );
    }
}

fn deviations(devs: &[Deviation]) -> Value {
    Value::Array(
        devs.iter()
            .map(|d| {
                let mut v = json!({"topic": d.topic, "sdks": d.sdks, "spec": d.spec, "why": d.why});
                if !d.covers.is_empty() {
                    v["covers"] = d.covers.iter().map(|a| a.as_str()).collect();
                }
                if !d.sdk_items.is_empty() {
                    v["sdk_items"] = json!(d.sdk_items);
                }
                v
            })
            .collect(),
    )
}

/// Events as OpenAPI 3.1 `webhooks`: a POST of the schema 2.0 callback body.
fn webhooks(spec: &Spec) -> Map<String, Value> {
    let mut out = Map::new();
    for e in &spec.events {
        let ev = &e.value;
        let mut media = Map::new();
        media.insert(
            "schema".into(),
            json!({
                "type": "object",
                "required": ["schema", "header", "event"],
                "properties": {
                    "schema": {"type": "string", "const": "2.0"},
                    "header": {
                        "type": "object",
                        "properties": {"event_type": {"type": "string", "const": ev.event_type}},
                    },
                    "event": object_schema(&ev.fields, None),
                }
            }),
        );
        if let Some(ex) = &ev.example {
            media.insert("example".into(), ex.clone());
        }
        let mut op = Map::new();
        op.insert(
            "operationId".into(),
            json!(format!("event.{}", ev.event_type)),
        );
        op.insert("summary".into(), json!(ev.summary));
        if !ev.description.is_empty() {
            op.insert("description".into(), json!(ev.description));
        }
        if let Some(url) = &ev.doc_url {
            op.insert("externalDocs".into(), json!({"url": url}));
        }
        op.insert(
            "requestBody".into(),
            json!({"required": true, "content": {"application/json": media}}),
        );
        op.insert(
            "responses".into(),
            json!({"200": {"description": "The app received the event."}}),
        );
        if let Some(sc) = &ev.scopes {
            let scopes: Vec<Value> = sc
                .any_of
                .iter()
                .map(|s| json!({"name": s.name, "description": s.description}))
                .collect();
            op.insert("x-scopes".into(), json!({"any_of": scopes}));
        }
        if !ev.app_types.is_empty() {
            op.insert("x-app-types".into(), json!(ev.app_types));
        }
        out.insert(ev.event_type.clone(), json!({"post": op}));
    }
    out
}

/// The schema of a named type.
pub fn type_schema(t: &TypeDef) -> Value {
    match t.kind {
        TypeKind::Object => {
            let mut s = object_schema(t.fields.as_deref().unwrap_or(&[]), Some(&t.description));
            if let Value::Object(m) = &mut s {
                m.insert("title".into(), json!(t.name));
            }
            s
        }
        TypeKind::Enum => {
            let values = t.values.as_deref().unwrap_or(&[]);
            let mut m = Map::new();
            m.insert("title".into(), json!(t.name));
            match t.repr {
                Some(EnumRepr::Int) => {
                    m.insert("type".into(), json!("integer"));
                    m.insert("format".into(), json!("int32"));
                }
                _ => {
                    m.insert("type".into(), json!("string"));
                }
            }
            let listing = values
                .iter()
                .map(|v| {
                    let wire = v
                        .value
                        .as_str()
                        .map_or_else(|| v.value.to_string(), str::to_string);
                    format!("- `{wire}` ({}): {}", v.name, v.description)
                })
                .collect::<Vec<_>>()
                .join("\n");
            let desc = if t.description.is_empty() {
                listing
            } else {
                format!("{}\n\n{listing}", t.description)
            };
            m.insert("description".into(), json!(desc));
            m.insert(
                "enum".into(),
                Value::Array(values.iter().map(|v| v.value.clone()).collect()),
            );
            m.insert(
                "x-enum-varnames".into(),
                json!(values.iter().map(|v| &v.name).collect::<Vec<_>>()),
            );
            m.insert(
                "x-enum-descriptions".into(),
                json!(values.iter().map(|v| &v.description).collect::<Vec<_>>()),
            );
            m.insert(
                "x-open-enum".into(),
                json!("Clients keep values the spec does not list instead of failing."),
            );
            Value::Object(m)
        }
    }
}

fn object_schema(fields: &[Field], description: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!("object"));
    if let Some(d) = description.filter(|d| !d.is_empty()) {
        m.insert("description".into(), json!(d));
    }
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.name.as_str())
        .collect();
    if !required.is_empty() {
        m.insert("required".into(), json!(required));
    }
    let mut props = Map::new();
    for f in fields {
        let mut s = match TypeExpr::parse(&f.ty) {
            Ok(te) => expr_schema(&te),
            Err(_) => json!({}),
        };
        if let Value::Object(sm) = &mut s {
            if !f.description.is_empty() {
                let d = match sm.get("description").and_then(Value::as_str) {
                    Some(scalar_note) => format!("{} ({scalar_note})", f.description),
                    None => f.description.clone(),
                };
                sm.insert("description".into(), json!(d));
            }
            if let Some(ex) = &f.example {
                sm.insert("examples".into(), json!([ex]));
            }
        }
        props.insert(f.name.clone(), s);
    }
    m.insert("properties".into(), Value::Object(props));
    Value::Object(m)
}

/// The schema of a type expression; named types are `$ref`s.
pub fn expr_schema(te: &TypeExpr) -> Value {
    match te {
        TypeExpr::Named(n) => json!({"$ref": format!("#/components/schemas/{n}")}),
        TypeExpr::List(inner) => json!({"type": "array", "items": expr_schema(inner)}),
        TypeExpr::Scalar(s) => match s {
            Scalar::String => json!({"type": "string"}),
            Scalar::Int => json!({"type": "integer", "format": "int32"}),
            Scalar::Int64 => json!({"type": "integer", "format": "int64"}),
            Scalar::Int64String => json!({
                "type": "string",
                "pattern": INT_STRING_PATTERN,
                "description": "a 64-bit integer in a decimal string",
            }),
            Scalar::Float => json!({"type": "number", "format": "double"}),
            Scalar::Bool => json!({"type": "boolean"}),
            Scalar::TimestampMs => json!({
                "type": "string",
                "pattern": INT_STRING_PATTERN,
                "description": "milliseconds since the Unix epoch, in a decimal string",
                "x-spec-type": "timestamp_ms",
            }),
            Scalar::TimestampMsNumber => json!({
                "type": "integer",
                "format": "int64",
                "description": "milliseconds since the Unix epoch",
                "x-spec-type": "timestamp_ms_number",
            }),
            Scalar::TimestampSecs => json!({
                "type": "integer",
                "format": "int64",
                "description": "seconds since the Unix epoch",
                "x-spec-type": "timestamp_s",
            }),
            Scalar::JsonString => json!({
                "type": "string",
                "contentMediaType": "application/json",
                "description": "a JSON document carried in a string",
            }),
            Scalar::Json => json!({"description": "any JSON value"}),
        },
    }
}
