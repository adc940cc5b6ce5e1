//! Validation: everything serde cannot check by itself. Collects all problems
//! (errors and warnings), each located in its file.

use crate::diag::{Diagnostic, push_pointer};
use crate::load::{Located, Spec};
mod ctx;
mod generated;
mod value;

use ctx::Ctx;
pub use ctx::{TypeIndex, type_index};

use value::check_object;
pub use value::{Mismatch, check_value};

use crate::spec::{
    Deviation, DeviationAspect, DocDeviation, EndpointFile, EnumRepr, ErrorSpec, EventFile, Field,
    Param, ServiceFile, TypeDef, TypeKind,
};
use crate::types::{Scalar, TypeExpr};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn is_snake(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && s.chars().all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        && !s.ends_with('_')
        && !s.contains("__")
}

fn is_pascal(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('A'..='Z')) && chars.all(|c| c.is_ascii_alphanumeric())
}

/// Validates the whole spec. Returns every diagnostic, errors first.
pub fn validate(spec: &Spec) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let types = type_index(spec);
    check_service(&mut Ctx {
        file: &spec.service,
        out: &mut out,
    });
    check_type_files(spec, &types, &mut out);
    let mut seen = Seen::default();
    for f in &spec.endpoints {
        let mut c = Ctx {
            file: f,
            out: &mut out,
        };
        check_endpoint_identity(&mut c, f, &mut seen);
        check_path(&mut c, &types);
        check_access(&mut c, &types);
        check_payloads(&mut c, &types);
        generated::check_builder_names(&mut c);
    }
    for f in &spec.events {
        let mut c = Ctx {
            file: f,
            out: &mut out,
        };
        check_event(&mut c, f, &types, &mut seen);
    }
    generated::check_generated_names(spec, &mut out);
    generated::check_recursion(spec, &types, &mut out);
    out.sort_by_key(|d| d.severity);
    out
}

/// Names seen so far across files, to report duplicates.
#[derive(Default)]
struct Seen<'a> {
    ops: BTreeMap<(String, String), &'a str>,
    routes: BTreeMap<(String, String), &'a str>,
    events: BTreeMap<&'a str, &'a str>,
}

fn check_service(c: &mut Ctx<'_, ServiceFile>) {
    let s = &c.file.value;
    if !is_snake(&s.service) {
        c.err(
            "/service",
            format!("service name `{}` must be snake_case", s.service),
        );
    }
    for (k, url) in &s.base_urls {
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.ends_with('/') {
            c.err(
                &push_pointer("/base_urls", k),
                format!("base URL `{url}` must start with http(s):// and have no trailing slash"),
            );
        }
    }
    check_errors(c, &s.platform_errors, "/platform_errors");
    check_deviations(c, &s.sdk_deviations, "", DeviationHome::Service);
}

/// The type files: names, duplicates, and each definition.
fn check_type_files(spec: &Spec, types: &TypeIndex<'_>, out: &mut Vec<Diagnostic>) {
    let mut seen_types: BTreeMap<&str, &str> = BTreeMap::new();
    for f in &spec.type_files {
        let mut c = Ctx { file: f, out };
        for (i, t) in f.value.types.iter().enumerate() {
            let p = format!("/types/{i}");
            if !is_pascal(&t.name) {
                c.err(
                    &format!("{p}/name"),
                    format!("type name `{}` must be PascalCase", t.name),
                );
            }
            if let Some(first) = seen_types.insert(&t.name, &f.file) {
                c.err(
                    &format!("{p}/name"),
                    format!("type `{}` is declared twice (first in {first})", t.name),
                );
            }
            if t.description.trim().is_empty() {
                c.warn(&p, format!("type `{}` has no description", t.name));
            }
            check_typedef(&mut c, t, &p, types);
            check_deviations(&mut c, &t.sdk_deviations, &p, DeviationHome::Nested);
            check_doc_deviations(&mut c, &t.doc_deviations, &p, false);
        }
    }
}

/// Names of an endpoint: snake_case, declared once, one route per method and path.
fn check_endpoint_identity<'a>(
    c: &mut Ctx<'_, EndpointFile>,
    f: &'a Located<EndpointFile>,
    seen: &mut Seen<'a>,
) {
    let e = &f.value;
    check_deviations(c, &e.sdk_deviations, "", DeviationHome::Endpoint);
    check_doc_deviations(c, &e.doc_deviations, "", true);
    if !is_snake(&e.resource) {
        c.err(
            "/resource",
            format!("resource `{}` must be snake_case", e.resource),
        );
    }
    if !is_snake(&e.operation) {
        c.err(
            "/operation",
            format!("operation `{}` must be snake_case", e.operation),
        );
    }
    let key = (e.resource.clone(), e.operation.clone());
    if let Some(first) = seen.ops.insert(key, &f.file) {
        c.err(
            "/operation",
            format!(
                "endpoint {}.{} is declared twice (first in {first})",
                e.resource, e.operation
            ),
        );
    }
    let expected_name = format!("{}.{}.json", e.resource, e.operation);
    if !f.file.ends_with(&expected_name) {
        c.warn("", format!("file should be named {expected_name}"));
    }
    let template = e
        .path
        .split('/')
        .map(|seg| if seg.starts_with(':') { ":" } else { seg })
        .collect::<Vec<_>>()
        .join("/");
    if let Some(first) = seen
        .routes
        .insert((e.method.as_str().to_string(), template), &f.file)
    {
        c.err(
            "/path",
            format!(
                "{} {} has the same route as {first}",
                e.method.as_str(),
                e.path
            ),
        );
    }
    if e.summary.trim().is_empty() {
        c.warn("/summary", "endpoint has no summary");
    }
}

/// The path template against the declared path parameters, and the parameters.
fn check_path(c: &mut Ctx<'_, EndpointFile>, types: &TypeIndex<'_>) {
    let e = &c.file.value;
    // path template
    if !e.path.starts_with("/open-apis/") {
        c.err(
            "/path",
            format!("path `{}` must start with /open-apis/", e.path),
        );
    }
    let mut tpl_params = Vec::new();
    for seg in e.path.split('/').skip(1) {
        if seg.is_empty() {
            c.err("/path", format!("path `{}` has an empty segment", e.path));
        } else if let Some(name) = seg.strip_prefix(':') {
            if !is_snake(name) {
                c.err(
                    "/path",
                    format!("path parameter `:{name}` must be snake_case"),
                );
            }
            tpl_params.push(name);
        } else if seg
            .chars()
            .any(|ch| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '-' || ch == '.'))
        {
            c.err(
                "/path",
                format!("path segment `{seg}` has characters that need encoding"),
            );
        }
    }
    let declared: Vec<&str> = e.path_params.iter().map(|p| p.name.as_str()).collect();
    for (i, p) in e.path_params.iter().enumerate() {
        if !tpl_params.contains(&p.name.as_str()) {
            c.err(
                &format!("/path_params/{i}/name"),
                format!(
                    "path parameter `{}` does not appear in the path `{}`",
                    p.name, e.path
                ),
            );
        }
    }
    for name in &tpl_params {
        if !declared.contains(name) {
            c.err(
                "/path",
                format!(
                    "path `{}` uses `:{name}`, which path_params does not declare",
                    e.path
                ),
            );
        }
    }
    check_params(c, &e.path_params, "/path_params", types, true);
    check_params(c, &e.query_params, "/query_params", types, false);
}

/// Token kinds, scopes, rate limits and field scopes.
fn check_access(c: &mut Ctx<'_, EndpointFile>, types: &TypeIndex<'_>) {
    let e = &c.file.value;
    // auth
    if e.auth.tokens.is_empty() {
        c.err("/auth/tokens", "auth must accept at least one token kind");
    }
    let set: BTreeSet<_> = e.auth.tokens.iter().collect();
    if set.len() != e.auth.tokens.len() {
        c.err("/auth/tokens", "a token kind is listed twice");
    }
    if e.scopes.any_of.is_empty() {
        c.warn("/scopes/any_of", "endpoint lists no scope");
    }
    for (i, l) in e.rate_limit.limits.iter().enumerate() {
        if l.requests == 0 {
            c.err(
                &format!("/rate_limit/limits/{i}/requests"),
                "a rate limit of 0 requests cannot be met",
            );
        }
    }
    if e.rate_limit.limits.is_empty() && e.rate_limit.note.is_none() {
        c.warn("/rate_limit", "no rate limit and no note saying why");
    }
    for (i, fs) in e.field_scopes.iter().enumerate() {
        if let Some(w) = &fs.when {
            let p = format!("/field_scopes/{i}/when");
            match e.query_params.iter().find(|q| q.name == w.param) {
                None => c.err(
                    &format!("{p}/param"),
                    format!("`{}` is not a query parameter of this endpoint", w.param),
                ),
                Some(q) => {
                    if let Ok(ty) = TypeExpr::parse(&q.ty) {
                        for m in check_value(&w.equals, &ty, types, 0) {
                            c.err(&format!("{p}/equals{}", m.0), m.1);
                        }
                    }
                }
            }
        }
    }
}

/// Request body, reply, paging, errors and the examples against them.
fn check_payloads(c: &mut Ctx<'_, EndpointFile>, types: &TypeIndex<'_>) {
    let e = &c.file.value;
    // request body
    if let Some(b) = &e.request_body {
        check_fields(c, &b.fields, "/request_body/fields", types);
        if let Some(ex) = &e.example_request {
            for (sub, m) in check_object(ex, &b.fields, types, 0) {
                c.err(&format!("/example_request{sub}"), m);
            }
        }
    } else if e.example_request.is_some() {
        c.err("/example_request", "example_request without request_body");
    }
    // response
    let mut resp_fields: &[Field] = &[];
    let mut binary = false;
    if let Some(r) = &e.response {
        resp_fields = &r.fields;
        binary = r.binary.is_some();
        if binary && !r.fields.is_empty() {
            c.err("/response/fields", "a binary reply has no JSON fields");
        }
        check_fields(c, &r.fields, "/response/fields", types);
    }
    if let Some(pg) = &e.pagination {
        check_pagination(c, pg, &e.query_params, resp_fields);
    }
    check_errors(c, &e.errors, "/errors");
    if e.errors.is_empty() && e.errors_note.is_none() {
        c.warn(
            "/errors",
            "endpoint documents no error code (say why in `errors_note`)",
        );
    }
    match &e.example_response {
        None if !binary => c.warn("", "endpoint has no example_response"),
        None => {}
        Some(_) if binary => c.err("/example_response", "a binary reply has no JSON example"),
        Some(ex) => check_example_response(c, ex, resp_fields, types),
    }
}

/// An event: its type name, declared once, and its example.
fn check_event<'a>(
    c: &mut Ctx<'_, EventFile>,
    f: &'a Located<EventFile>,
    types: &TypeIndex<'_>,
    seen: &mut Seen<'a>,
) {
    let ev = &f.value;
    check_deviations(c, &ev.sdk_deviations, "", DeviationHome::Nested);
    check_doc_deviations(c, &ev.doc_deviations, "", true);
    let ok_name = ev.event_type.split('.').count() >= 3
        && ev.event_type.split('.').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        });
    if !ok_name {
        c.err(
            "/event_type",
            format!(
                "event type `{}` must look like `helpdesk.ticket.created_v1`",
                ev.event_type
            ),
        );
    }
    if let Some(first) = seen.events.insert(&ev.event_type, &f.file) {
        c.err(
            "/event_type",
            format!(
                "event `{}` is declared twice (first in {first})",
                ev.event_type
            ),
        );
    }
    check_fields(c, &ev.fields, "/fields", types);
    match &ev.example {
        None => c.warn("", "event has no example"),
        Some(ex) => {
            if ex.get("schema").and_then(Value::as_str) != Some("2.0") {
                c.err(
                    "/example/schema",
                    "the example must be a schema 2.0 envelope (\"schema\": \"2.0\")",
                );
            }
            match ex.pointer("/header/event_type").and_then(Value::as_str) {
                Some(t) if t == ev.event_type => {}
                _ => c.err(
                    "/example/header/event_type",
                    format!(
                        "the example's header.event_type must be `{}`",
                        ev.event_type
                    ),
                ),
            }
            let event = ex.get("event").cloned().unwrap_or(Value::Null);
            for (sub, m) in check_object(&event, &ev.fields, types, 0) {
                c.err(&format!("/example/event{sub}"), m);
            }
        }
    }
}

fn check_pagination<T>(
    c: &mut Ctx<'_, T>,
    pg: &crate::spec::Pagination,
    query: &[Param],
    resp: &[Field],
) {
    use crate::spec::PageStyle;
    let q = |name: &str| query.iter().any(|p| p.name == name);
    let field = |name: &str| resp.iter().find(|f| f.name == name);
    let need_query = |c: &mut Ctx<'_, T>, key: &str, name: &str| {
        if !q(name) {
            c.err(
                &format!("/pagination/{key}"),
                format!("`{name}` is not a query parameter of this endpoint"),
            );
        }
    };
    need_query(c, "page_size_param", pg.page_size_param());
    let need_field = |c: &mut Ctx<'_, T>, key: &str, name: &str, want: &str| match field(name) {
        None => c.err(
            &format!("/pagination/{key}"),
            format!("`{name}` is not a field of the reply"),
        ),
        Some(f) if !want.is_empty() && f.ty != want => c.err(
            &format!("/pagination/{key}"),
            format!("reply field `{name}` is `{}`, paging needs `{want}`", f.ty),
        ),
        Some(_) => {}
    };
    match field(&pg.items) {
        Some(f) if f.ty.ends_with("[]") => {}
        Some(f) => c.err(
            "/pagination/items",
            format!("reply field `{}` is `{}`, not a list", f.name, f.ty),
        ),
        None => c.err(
            "/pagination/items",
            format!("`{}` is not a field of the reply", pg.items),
        ),
    }
    match pg.style {
        PageStyle::PageToken => {
            need_query(c, "page_token_param", pg.page_token_param());
            need_field(c, "next_token_field", pg.next_token_field(), "string");
            need_field(c, "has_more_field", pg.has_more_field(), "bool");
        }
        PageStyle::Page => {
            need_query(c, "page_param", pg.page_param());
            need_field(c, "total_field", pg.total_field(), "");
        }
    }
}

fn check_errors<T>(c: &mut Ctx<'_, T>, errors: &[ErrorSpec], base: &str) {
    let mut codes = BTreeSet::new();
    let mut names = BTreeMap::new();
    for (i, e) in errors.iter().enumerate() {
        let p = format!("{base}/{i}");
        if !(100..=599).contains(&e.http_status) {
            c.err(
                &format!("{p}/http_status"),
                format!("{} is not an HTTP status", e.http_status),
            );
        }
        if e.code == 0 {
            c.err(
                &format!("{p}/code"),
                "code 0 means success and cannot be an error",
            );
        }
        if !codes.insert(e.code) {
            c.err(
                &format!("{p}/code"),
                format!("error code {} is listed twice", e.code),
            );
        }
        if !is_snake(&e.name) {
            c.err(
                &format!("{p}/name"),
                format!("error name `{}` must be snake_case", e.name),
            );
        } else if crate::names::variant(&e.name) == crate::names::UNHANDLED_VARIANT {
            c.err(
                &format!("{p}/name"),
                "`unhandled` is reserved for undocumented codes",
            );
        }
        if let Some(first) = names.insert(crate::names::variant(&e.name), e.name.as_str()) {
            c.err(
                &format!("{p}/name"),
                if first == e.name {
                    format!("error name `{}` is used twice", e.name)
                } else {
                    format!(
                        "error names `{first}` and `{}` both become the variant `{}`",
                        e.name,
                        crate::names::variant(&e.name)
                    )
                },
            );
        }
        if e.advice.trim().is_empty() {
            c.warn(
                &p,
                format!("error {} has no troubleshooting advice", e.code),
            );
        }
    }
}

fn check_typedef<T>(c: &mut Ctx<'_, T>, t: &TypeDef, p: &str, types: &TypeIndex<'_>) {
    match t.kind {
        TypeKind::Object => {
            if t.repr.is_some() {
                c.err(&format!("{p}/repr"), "`repr` is only for enums");
            }
            if t.values.is_some() {
                c.err(&format!("{p}/values"), "`values` is only for enums");
            }
            match &t.fields {
                None => c.err(p, format!("object type `{}` needs `fields`", t.name)),
                Some(fields) => check_fields(c, fields, &format!("{p}/fields"), types),
            }
        }
        TypeKind::Enum => {
            if t.fields.is_some() {
                c.err(&format!("{p}/fields"), "`fields` is only for objects");
            }
            let Some(repr) = t.repr else {
                c.err(p, format!("enum `{}` needs `repr` (int or string)", t.name));
                return;
            };
            let Some(values) = &t.values else {
                c.err(p, format!("enum `{}` needs `values`", t.name));
                return;
            };
            if values.is_empty() {
                c.err(
                    &format!("{p}/values"),
                    format!("enum `{}` has no values", t.name),
                );
            }
            let mut seen_v = BTreeSet::new();
            let mut seen_n = BTreeMap::new();
            for (i, v) in values.iter().enumerate() {
                let vp = format!("{p}/values/{i}");
                let ok = match repr {
                    EnumRepr::Int => v.value.as_i64().is_some(),
                    EnumRepr::String => v.value.is_string(),
                };
                if !ok {
                    c.err(
                        &format!("{vp}/value"),
                        format!(
                            "value {} is not a{} as `repr` says",
                            v.value,
                            if repr == EnumRepr::Int {
                                "n integer"
                            } else {
                                " string"
                            }
                        ),
                    );
                }
                if !seen_v.insert(v.value.to_string()) {
                    c.err(
                        &format!("{vp}/value"),
                        format!("enum value {} is listed twice", v.value),
                    );
                }
                if !is_snake(&v.name) {
                    c.err(
                        &format!("{vp}/name"),
                        format!("enum value name `{}` must be snake_case", v.name),
                    );
                } else if crate::names::variant(&v.name) == crate::names::UNKNOWN_VARIANT {
                    c.err(
                        &format!("{vp}/name"),
                        "`unknown` is reserved for values the spec does not list",
                    );
                }
                let variant = crate::names::variant(&v.name);
                if let Some(first) = seen_n.insert(variant.clone(), v.name.as_str()) {
                    c.err(
                        &format!("{vp}/name"),
                        if first == v.name {
                            format!("enum value name `{}` is used twice", v.name)
                        } else {
                            format!(
                                "enum value names `{first}` and `{}` both become the variant `{variant}`",
                                v.name
                            )
                        },
                    );
                }
                if v.description.trim().is_empty() {
                    c.warn(&vp, format!("enum value {} has no meaning", v.value));
                }
            }
        }
    }
}

fn check_type_ref<T>(
    c: &mut Ctx<'_, T>,
    ty: &str,
    p: &str,
    types: &TypeIndex<'_>,
) -> Option<TypeExpr> {
    match TypeExpr::parse(ty) {
        Err(m) => {
            c.err(p, m);
            None
        }
        Ok(te) => {
            if let Some(n) = te.named() {
                if !types.contains_key(n) {
                    c.err(p, format!("unknown type `{n}`"));
                    return None;
                }
            }
            Some(te)
        }
    }
}

fn check_fields<T>(c: &mut Ctx<'_, T>, fields: &[Field], base: &str, types: &TypeIndex<'_>) {
    let mut names = BTreeSet::new();
    for (i, f) in fields.iter().enumerate() {
        let p = format!("{base}/{i}");
        if f.name.is_empty()
            || f.name
                .chars()
                .any(|ch| !(ch.is_ascii_alphanumeric() || ch == '_'))
        {
            c.err(
                &format!("{p}/name"),
                format!("field name `{}` must be letters, digits and `_`", f.name),
            );
        }
        if !names.insert(f.name.as_str()) {
            c.err(
                &format!("{p}/name"),
                format!("field `{}` is declared twice", f.name),
            );
        }
        if f.description.trim().is_empty() {
            c.warn(&p, format!("field `{}` has no description", f.name));
        }
        if let Some(te) = check_type_ref(c, &f.ty, &format!("{p}/type"), types) {
            if let Some(ex) = &f.example {
                for (sub, m) in check_value(ex, &te, types, 0) {
                    c.err(
                        &format!("{p}/example{sub}"),
                        format!("example does not match `{}`: {m}", f.ty),
                    );
                }
            }
        }
    }
}

fn check_params<T>(
    c: &mut Ctx<'_, T>,
    params: &[Param],
    base: &str,
    types: &TypeIndex<'_>,
    path: bool,
) {
    let mut names = BTreeSet::new();
    for (i, prm) in params.iter().enumerate() {
        let p = format!("{base}/{i}");
        if !is_snake(&prm.name) {
            c.err(
                &format!("{p}/name"),
                format!("parameter `{}` must be snake_case", prm.name),
            );
        }
        if !names.insert(prm.name.as_str()) {
            c.err(
                &format!("{p}/name"),
                format!("parameter `{}` is declared twice", prm.name),
            );
        }
        if path && prm.default.is_some() {
            c.err(
                &format!("{p}/default"),
                "a path parameter cannot have a default",
            );
        }
        if prm.description.trim().is_empty() {
            c.warn(&p, format!("parameter `{}` has no description", prm.name));
        }
        let Some(te) = check_type_ref(c, &prm.ty, &format!("{p}/type"), types) else {
            continue;
        };
        let scalar_ok = |te: &TypeExpr| match te {
            TypeExpr::Scalar(s) => !matches!(s, Scalar::Json | Scalar::JsonString),
            TypeExpr::Named(n) => types
                .get(n.as_str())
                .is_some_and(|t| t.kind == TypeKind::Enum),
            TypeExpr::List(_) => false,
        };
        let ok = match &te {
            TypeExpr::List(inner) if !path => scalar_ok(inner),
            other => scalar_ok(other),
        };
        if !ok {
            c.err(
                &format!("{p}/type"),
                format!(
                    "`{}` cannot be a {} parameter: use a scalar or an enum{}",
                    prm.ty,
                    if path { "path" } else { "query" },
                    if path { "" } else { " (or a list of them)" }
                ),
            );
            continue;
        }
        for (key, v) in [("example", &prm.example), ("default", &prm.default)] {
            if let Some(v) = v {
                for (sub, m) in check_value(v, &te, types, 0) {
                    c.err(
                        &format!("{p}/{key}{sub}"),
                        format!("{key} does not match `{}`: {m}", prm.ty),
                    );
                }
            }
        }
    }
}

fn check_example_response(
    c: &mut Ctx<'_, EndpointFile>,
    ex: &Value,
    fields: &[Field],
    types: &TypeIndex<'_>,
) {
    let Some(obj) = ex.as_object() else {
        c.err(
            "/example_response",
            "example_response must be the whole reply object {code, msg, data}",
        );
        return;
    };
    if obj.get("code").and_then(Value::as_i64) != Some(0) {
        c.err(
            "/example_response",
            "example_response must have \"code\": 0",
        );
    }
    if let Some(k) = obj
        .keys()
        .find(|k| !["code", "msg", "data"].contains(&k.as_str()))
    {
        c.err(
            &push_pointer("/example_response", k),
            format!("unexpected key `{k}` in the reply envelope"),
        );
    }
    let data = obj
        .get("data")
        .cloned()
        .unwrap_or(Value::Object(Default::default()));
    for (sub, m) in check_object(&data, fields, types, 0) {
        c.err(&format!("/example_response/data{sub}"), m);
    }
}

/// The doc deviations: patterns and a reason. In an endpoint or event file a
/// pattern is a whole fact key, so it starts with a fact category (`*` aside).
fn check_doc_deviations<T>(c: &mut Ctx<'_, T>, devs: &[DocDeviation], base: &str, keyed: bool) {
    const CATEGORIES: [&str; 7] = [
        "endpoint", "query", "body", "reply", "errors", "paging", "events",
    ];
    for (i, d) in devs.iter().enumerate() {
        let at = format!("{base}/doc_deviations/{i}");
        if d.reason.trim().is_empty() {
            c.err(
                &format!("{at}/reason"),
                "say why the spec differs from the page",
            );
        }
        if d.facts.is_empty() {
            c.err(&format!("{at}/facts"), "name at least one fact pattern");
        }
        for (j, pat) in d.facts.iter().enumerate() {
            let head = pat.split(['/', '#']).next().unwrap_or("");
            let bad = pat.trim().is_empty()
                || (keyed && !pat.starts_with('*') && !CATEGORIES.contains(&head));
            if bad {
                c.err(
                    &format!("{at}/facts/{j}"),
                    format!(
                        "fact pattern `{pat}` must start with one of {} (or `*`)",
                        CATEGORIES.join(", ")
                    ),
                );
            }
        }
    }
}

/// Which file a deviation list is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DeviationHome {
    /// service.json: any aspect.
    Service,
    /// An endpoint file: anything but `endpoint` / `event`.
    Endpoint,
    /// A named type or an event file: field-level aspects only.
    Nested,
}

/// `covers` / `sdk_items` of the SDK deviations: an SDK endpoint or event
/// left out of the spec can only be recorded in service.json; field-level
/// deviations (`field`, `type`, `required`, `enum`) name the SDK items they
/// explain, other aspects name none.
fn check_deviations<T>(c: &mut Ctx<'_, T>, devs: &[Deviation], base: &str, home: DeviationHome) {
    use DeviationAspect as A;
    for (i, d) in devs.iter().enumerate() {
        let at = format!("{base}/sdk_deviations/{i}");
        let omits = d.covers.iter().any(|a| matches!(a, A::Endpoint | A::Event));
        let itemized = d
            .covers
            .iter()
            .any(|a| matches!(a, A::Field | A::Type | A::Required | A::Enum));
        if omits && home != DeviationHome::Service {
            c.err(
                &format!("{at}/covers"),
                "`endpoint` and `event` deviations (an SDK item the spec leaves out) belong in service.json",
            );
        }
        if home == DeviationHome::Nested {
            if let Some(a) = d
                .covers
                .iter()
                .find(|a| !matches!(a, A::Field | A::Type | A::Required | A::Enum | A::Fields))
            {
                c.err(
                    &format!("{at}/covers"),
                    format!(
                        "a type or an event can only deviate in `field`, `type`, `required` or `enum`, not `{}`",
                        a.as_str()
                    ),
                );
            }
        }
        if (omits || itemized) && d.sdk_items.is_empty() {
            c.err(
                &format!("{at}/sdk_items"),
                "name the SDK endpoints (resource.method), event types, fields (SdkType.field) or inputs (`resource.method body.a.b`) this deviation explains",
            );
        }
        if !omits && !itemized && !d.sdk_items.is_empty() {
            c.err(
                &format!("{at}/sdk_items"),
                "`sdk_items` is only for deviations that cover `endpoint`, `event`, `field`, `type`, `required` or `enum`",
            );
        }
        let mut seen = BTreeSet::new();
        for (j, item) in d.sdk_items.iter().enumerate() {
            if item.trim().is_empty() || !seen.insert(item.as_str()) {
                c.err(
                    &format!("{at}/sdk_items/{j}"),
                    format!("SDK item `{item}` is empty or named twice"),
                );
            }
        }
    }
}
