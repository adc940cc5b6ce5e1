//! Property: for random valid-looking specs whose parameter, field, enum
//! value and error names are drawn from Rust keywords, the generator's
//! reserved names and ordinary words, either `check` reports an error, or
//! the generated code parses with syn and declares no item, field, variant,
//! method or argument twice. (Before names came from one list, a query
//! parameter named `timeout` passed `check` and generated two `timeout`
//! methods.)

use helpdesk_spec::names;
use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeSet;

const ORDINARY: &[&str] = &["id", "name", "user_id", "page_size", "status", "x_1", "x1"];
const KEYWORD_LIKE: &[&str] = &["type", "self", "crate", "move", "async", "fn", "r#x"];
const CAMEL: &[&str] = &["userId", "pageSize", "jobName"];

fn name_pool() -> Vec<String> {
    let mut pool: Vec<String> = ORDINARY.iter().map(|s| s.to_string()).collect();
    pool.extend(KEYWORD_LIKE.iter().map(|s| s.to_string()));
    pool.extend(CAMEL.iter().map(|s| s.to_string()));
    for list in [
        names::REQUEST_METHODS,
        names::PAGING_METHODS,
        names::REQUEST_FIELDS,
        names::CLIENT_METHODS,
    ] {
        pool.extend(list.iter().map(|s| s.to_string()));
    }
    pool.extend(names::REQUEST_METHODS.iter().map(|s| format!("body_{s}")));
    pool.push("add_ids".into());
    pool.push("ids".into());
    pool
}

fn any_name() -> impl Strategy<Value = String> {
    proptest::sample::select(name_pool())
}

#[derive(Debug, Clone)]
struct Shape {
    resource: String,
    path_param: String,
    query: Vec<(String, bool, bool)>, // name, required, list
    body: Vec<(String, bool)>,
    reply: Vec<String>,
    type_fields: Vec<String>,
    enum_values: Vec<String>,
    errors: Vec<String>,
    paged: bool,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        proptest::sample::select(vec!["thing", "builder", "send", "type", "items"]),
        any_name(),
        proptest::collection::vec((any_name(), any::<bool>(), any::<bool>()), 0..4),
        proptest::collection::vec((any_name(), any::<bool>()), 0..4),
        proptest::collection::vec(any_name(), 0..3),
        proptest::collection::vec(any_name(), 1..4),
        proptest::collection::vec(any_name(), 1..4),
        proptest::collection::vec(any_name(), 0..3),
        any::<bool>(),
    )
        .prop_map(
            |(
                resource,
                path_param,
                query,
                body,
                reply,
                type_fields,
                enum_values,
                errors,
                paged,
            )| {
                Shape {
                    resource: resource.to_string(),
                    path_param,
                    query,
                    body,
                    reply,
                    type_fields,
                    enum_values,
                    errors,
                    paged,
                }
            },
        )
}

fn files(s: &Shape) -> Vec<(String, String)> {
    let service = json!({
        "service": "helpdesk", "version": "v1", "title": "t", "description": "d",
        "base_urls": {"feishu": "https://open.feishu.cn"},
        "helpdesk_header": {"name": "X-Lark-Helpdesk-Authorization", "format": "f", "description": "d"}
    });
    let fields: Vec<_> = s
        .type_fields
        .iter()
        .map(|n| json!({"name": n, "type": "string", "description": "d"}))
        .collect();
    let values: Vec<_> = s
        .enum_values
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"value": i as i64 + 1, "name": n, "description": "d"}))
        .collect();
    let types = json!({"description": "d", "types": [
        {"name": "Thing", "kind": "object", "description": "d", "fields": fields},
        {"name": "Colour", "kind": "enum", "repr": "int", "description": "d", "values": values},
    ]});
    let mut query: Vec<_> = s
        .query
        .iter()
        .map(|(n, req, list)| {
            json!({"name": n, "type": if *list {"string[]"} else {"string"}, "required": req, "description": "d"})
        })
        .collect();
    let mut reply: Vec<_> = s
        .reply
        .iter()
        .map(|n| json!({"name": n, "type": "Thing", "description": "d"}))
        .collect();
    let mut endpoint = json!({
        "resource": s.resource, "operation": "get", "summary": "s", "description": "d",
        "method": "POST",
        "path": format!("/open-apis/helpdesk/v1/things/:{}", s.path_param),
        "path_params": [{"name": s.path_param, "type": "string", "description": "d"}],
        "rate_limit": {"limits": [{"requests": 10, "per": "second"}]},
        "scopes": {"any_of": [{"name": "helpdesk:all", "description": "d"}]},
        "auth": {"tokens": ["tenant_access_token", "user_access_token"], "helpdesk_header": true},
        "request_body": {"fields": s.body.iter().map(|(n, req)| json!({"name": n, "type": "Colour", "required": req, "description": "d"})).collect::<Vec<_>>()},
        "errors": s.errors.iter().enumerate().map(|(i, n)| json!({"http_status": 400, "code": 150000 + i as i64, "name": n, "message": "m", "advice": "a"})).collect::<Vec<_>>(),
    });
    if s.paged {
        query.push(json!({"name": "page_token", "type": "string", "description": "d"}));
        query.push(json!({"name": "page_size", "type": "int", "description": "d"}));
        reply.push(json!({"name": "items", "type": "Thing[]", "description": "d"}));
        reply.push(json!({"name": "has_more", "type": "bool", "description": "d"}));
        reply.push(json!({"name": "page_token", "type": "string", "description": "d"}));
        endpoint["pagination"] = json!({"style": "page_token", "items": "items"});
    }
    endpoint["query_params"] = json!(query);
    endpoint["response"] = json!({"fields": reply});
    vec![
        ("service.json".into(), service.to_string()),
        ("types/things.json".into(), types.to_string()),
        (
            format!("endpoints/{}.get.json", s.resource),
            endpoint.to_string(),
        ),
    ]
}

/// Every duplicate the compiler would reject, as a description (each
/// module is its own namespace).
fn duplicates(file: &syn::File) -> Vec<String> {
    let mut out = Vec::new();
    module_duplicates("crate", &file.items, &mut out);
    out
}

fn module_duplicates(module: &str, items: &[syn::Item], out: &mut Vec<String>) {
    let mut top = BTreeSet::new();
    let dup = |set: &mut BTreeSet<String>, what: String, out: &mut Vec<String>| {
        if !set.insert(what.clone()) {
            out.push(what);
        }
    };
    let mut impls: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for item in items {
        match item {
            syn::Item::Mod(m) => {
                dup(&mut top, format!("{module}::{}", m.ident), out);
                if let Some((_, content)) = &m.content {
                    module_duplicates(&format!("{module}::{}", m.ident), content, out);
                }
            }
            syn::Item::Struct(s) => {
                dup(&mut top, format!("type {module}::{}", s.ident), out);
                let mut f = BTreeSet::new();
                for field in &s.fields {
                    if let Some(i) = &field.ident {
                        dup(&mut f, format!("field {module}::{}.{i}", s.ident), out);
                    }
                }
            }
            syn::Item::Enum(e) => {
                dup(&mut top, format!("type {module}::{}", e.ident), out);
                let mut v = BTreeSet::new();
                for var in &e.variants {
                    dup(
                        &mut v,
                        format!("variant {module}::{}::{}", e.ident, var.ident),
                        out,
                    );
                }
            }
            syn::Item::Trait(t) => dup(&mut top, format!("type {module}::{}", t.ident), out),
            syn::Item::Static(s) => dup(&mut top, format!("value {module}::{}", s.ident), out),
            syn::Item::Impl(i) if i.trait_.is_none() => {
                let ty = quote::ToTokens::to_token_stream(&i.self_ty).to_string();
                // `impl crate::Client` blocks of every module extend one type.
                let key = if ty.contains("Client") {
                    ty.clone()
                } else {
                    format!("{module}::{ty}")
                };
                let set = impls.entry(key.clone()).or_default();
                for it in &i.items {
                    if let syn::ImplItem::Fn(f) = it {
                        dup(set, format!("method {key}::{}", f.sig.ident), out);
                        let mut args = BTreeSet::new();
                        for a in &f.sig.inputs {
                            if let syn::FnArg::Typed(p) = a {
                                let n = quote::ToTokens::to_token_stream(&p.pat).to_string();
                                dup(&mut args, format!("argument {}({n})", f.sig.ident), out);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn accepted_specs_generate_code_without_clashes(s in shape()) {
        let files = files(&s);
        match helpdesk_spec::check_files(&files) {
            Err(e) => {
                // Rejected: every error is located in a file of the spec.
                for d in &e.diagnostics {
                    prop_assert!(files.iter().any(|(n, _)| *n == d.file), "{d}");
                }
            }
            Ok(checked) => {
                let code = helpdesk_codegen::generate(&checked.spec);
                let file = syn::parse_file(&code);
                prop_assert!(file.is_ok(), "does not parse: {:?}\n{code}", file.err());
                let dups = duplicates(&file.unwrap());
                prop_assert!(dups.is_empty(), "accepted spec {s:?} generates duplicates {dups:?}");
                // The runtime's own client methods and items are not redeclared.
                prop_assert!(!names::CLIENT_METHODS.contains(&s.resource.as_str()));
            }
        }
    }
}

#[test]
fn the_pool_reaches_both_outcomes() {
    // A spec of ordinary names is accepted; one with a query parameter named
    // like a builder method is rejected: the property above sees both.
    let ok = Shape {
        resource: "thing".into(),
        path_param: "id".into(),
        query: vec![("status".into(), false, true)],
        body: vec![("name".into(), true)],
        reply: vec!["user_id".into()],
        type_fields: vec!["type".into(), "self".into()],
        enum_values: vec!["x1".into()],
        errors: vec!["not_found".into()],
        paged: true,
    };
    let checked = helpdesk_spec::check_files(&files(&ok)).unwrap_or_else(|e| panic!("{e}"));
    let code = helpdesk_codegen::generate(&checked.spec);
    let file = syn::parse_file(&code).expect("parses");
    assert!(duplicates(&file).is_empty());
    let mut bad = ok;
    bad.query.push(("timeout".into(), false, false));
    assert!(helpdesk_spec::check_files(&files(&bad)).is_err());
}
