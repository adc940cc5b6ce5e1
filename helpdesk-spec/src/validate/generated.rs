//! Rules that come from the generated code rather than from the API: every
//! name the emitter derives (from [`crate::names`], the same functions the
//! emitter calls) must be unique where Rust needs it, and no type may
//! contain itself without indirection. A spec these rules accept compiles.

use super::ctx::{Ctx, TypeIndex};
use crate::diag::{Diagnostic, Severity};
use crate::load::{Located, Spec};
use crate::names::{self, BuilderName, Namespace};
use crate::spec::{EndpointFile, Field, TypeKind};
use crate::types::TypeExpr;
use std::collections::{BTreeMap, BTreeSet};

/// Two names of one request builder that are equal in one namespace
/// (a query parameter `timeout` against the builder's own `timeout()`,
/// `user_id` against `userId`, a body field named like a parameter's
/// `add_…` method, ...).
pub(super) fn check_builder_names(c: &mut Ctx<'_, EndpointFile>) {
    let all = names::builder_names(&c.file.value);
    let mut seen: BTreeMap<(Namespace, &str), &BuilderName> = BTreeMap::new();
    for n in &all {
        let Some(first) = seen.insert((n.namespace, n.ident.as_str()), n) else {
            continue;
        };
        // Report at the spec's name; if both are the builder's own, the
        // reserved list itself is wrong (not a spec error).
        let (at, other) = if n.pointer.is_empty() {
            (first, n)
        } else {
            (n, first)
        };
        if at.pointer.is_empty() {
            continue;
        }
        let what = match n.namespace {
            Namespace::Method => "method",
            Namespace::Field => "field",
            Namespace::Argument => "argument",
        };
        let clash = if other.pointer.is_empty() {
            format!("the request builder's own {what} `{}`", other.ident)
        } else {
            format!("the {what} generated from {}", other.pointer)
        };
        c.err(
            &at.pointer,
            format!(
                "generates the {what} `{}`, which clashes with {clash}: rename it, or record the wire name under another spec name",
                at.ident
            ),
        );
    }
}

/// Resource modules and accessors against the runtime's root items and the
/// client's methods; field and event-variant names against each other.
/// (Spec types live in their own `types` module, endpoint types in their
/// resource's module: neither can clash with the runtime's names.)
pub(super) fn check_generated_names(spec: &Spec, out: &mut Vec<Diagnostic>) {
    for f in &spec.type_files {
        for (i, t) in f.value.types.iter().enumerate() {
            if let Some(fields) = &t.fields {
                check_field_idents(f, fields, &format!("/types/{i}/fields"), out);
            }
        }
    }
    for f in &spec.endpoints {
        let e = &f.value;
        if let Some(b) = &e.request_body {
            check_field_idents(f, &b.fields, "/request_body/fields", out);
        }
        if let Some(r) = &e.response {
            check_field_idents(f, &r.fields, "/response/fields", out);
        }
        let module = names::resource_module(&e.resource);
        if names::RUNTIME_ITEMS.contains(&module.as_str()) {
            out.push(f.diag(
                Severity::Error,
                "/resource",
                format!(
                    "resource `{}` would be the module `helpdesk_api::{module}`, which the runtime already has",
                    e.resource
                ),
            ));
        }
        if names::CLIENT_METHODS.contains(&module.as_str()) {
            out.push(f.diag(
                Severity::Error,
                "/resource",
                format!(
                    "resource `{}` would be the client method `{}()`, which the client already has",
                    e.resource, e.resource
                ),
            ));
        }
    }
    let service = &spec.service.value.service;
    let mut variants: BTreeMap<String, &str> = BTreeMap::new();
    for f in &spec.events {
        let v = names::event_variant(service, &f.value.event_type);
        let clash = if v == names::UNKNOWN_VARIANT {
            Some("the variant kept for undeclared event types".to_string())
        } else {
            variants
                .insert(v.clone(), &f.file)
                .map(|first| format!("the event in {first}"))
        };
        if let Some(what) = clash {
            out.push(f.diag(
                Severity::Error,
                "/event_type",
                format!("generates the `Event` variant `{v}`, which clashes with {what}"),
            ));
        }
    }
}

/// Two JSON keys of one object that become the same Rust field
/// (`userId` and `user_id`).
fn check_field_idents<T>(f: &Located<T>, fields: &[Field], base: &str, out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (i, fld) in fields.iter().enumerate() {
        let ident = names::rust_ident(&names::field_ident(&fld.name));
        if let Some(first) = seen.insert(ident.clone(), &fld.name) {
            if first != fld.name {
                out.push(f.diag(
                    Severity::Error,
                    &format!("{base}/{i}/name"),
                    format!(
                        "fields `{first}` and `{}` both become the Rust field `{ident}`",
                        fld.name
                    ),
                ));
            }
        }
    }
}

/// An object type that contains itself through required or optional
/// fields only (no list between) has infinite size (rustc E0072).
pub(super) fn check_recursion(spec: &Spec, types: &TypeIndex<'_>, out: &mut Vec<Diagnostic>) {
    // Edges: object type → object types it holds by value.
    let by_value = |fields: &[Field]| -> Vec<String> {
        fields
            .iter()
            .filter_map(|f| match TypeExpr::parse(&f.ty).ok()? {
                TypeExpr::Named(n) => types
                    .get(n.as_str())
                    .filter(|t| t.kind == TypeKind::Object)
                    .map(|_| n),
                _ => None,
            })
            .collect()
    };
    let edges: BTreeMap<&str, Vec<String>> = types
        .iter()
        .filter(|(_, t)| t.kind == TypeKind::Object)
        .map(|(n, t)| (*n, by_value(t.fields.as_deref().unwrap_or(&[]))))
        .collect();
    let mut reported = BTreeSet::new();
    for f in &spec.type_files {
        for (i, t) in f.value.types.iter().enumerate() {
            if let Some(cycle) = cycle_from(&t.name, &edges) {
                if reported.insert(t.name.clone()) {
                    out.push(f.diag(
                        Severity::Error,
                        &format!("/types/{i}"),
                        format!(
                            "type `{}` contains itself without a list in between ({}), so it would have infinite size: make one of these fields a list, or a json value",
                            t.name,
                            cycle.join(" → ")
                        ),
                    ));
                }
            }
        }
    }
}

/// A path of by-value edges from `start` back to `start`, if any.
fn cycle_from(start: &str, edges: &BTreeMap<&str, Vec<String>>) -> Option<Vec<String>> {
    let mut stack: Vec<(String, Vec<String>)> = vec![(start.to_string(), vec![start.to_string()])];
    let mut visited = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in edges.get(node.as_str()).into_iter().flatten() {
            if next == start {
                let mut p = path.clone();
                p.push(next.clone());
                return Some(p);
            }
            if visited.insert(next.clone()) {
                let mut p = path.clone();
                p.push(next.clone());
                stack.push((next.clone(), p));
            }
        }
    }
    None
}
