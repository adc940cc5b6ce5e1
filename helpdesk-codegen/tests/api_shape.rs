//! The rules of the generated API, checked on the code generated for the
//! real spec (parsed with syn):
//! - every request-side struct (reachable from a request body, computed
//!   here from the spec, not by the generator) is built in one expression:
//!   `new(required…)` plus a `with_…` setter per optional field;
//! - no setter or constructor takes a `Vec` (lists take `impl IntoIterator`)
//!   or a bare `String` (strings take `impl Into<String>`);
//! - no constructor takes two positional values (two IDs could be swapped):
//!   those take an `…Args` struct of named fields.

use helpdesk_spec::types::TypeExpr;
use quote::ToTokens;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn spec() -> helpdesk_spec::Spec {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    helpdesk_spec::check_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .spec
}

fn generated(spec: &helpdesk_spec::Spec) -> syn::File {
    syn::parse_file(&helpdesk_codegen::generate(spec)).expect("parses")
}

fn module<'a>(file: &'a syn::File, name: &str) -> &'a [syn::Item] {
    file.items
        .iter()
        .find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, c)| &c[..]),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no module {name}"))
}

/// `type name → method name → argument types (as text)` of the inherent impls.
fn methods(items: &[syn::Item]) -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let mut out: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for item in items {
        if let syn::Item::Impl(i) = item {
            if i.trait_.is_some() {
                continue;
            }
            let ty = i.self_ty.to_token_stream().to_string();
            let ty = ty.split('<').next().unwrap().trim().to_string();
            for it in &i.items {
                if let syn::ImplItem::Fn(f) = it {
                    let args = f
                        .sig
                        .inputs
                        .iter()
                        .filter_map(|a| match a {
                            syn::FnArg::Typed(p) => Some(p.ty.to_token_stream().to_string()),
                            _ => None,
                        })
                        .collect();
                    out.entry(ty.clone())
                        .or_default()
                        .insert(f.sig.ident.to_string(), args);
                }
            }
        }
    }
    out
}

#[test]
fn every_request_side_struct_is_built_in_one_expression() {
    let spec = spec();
    let types = helpdesk_spec::validate::type_index(&spec);
    let named = |ty: &str| TypeExpr::parse(ty).ok()?.named().map(str::to_string);
    let mut todo: Vec<String> = spec
        .endpoints
        .iter()
        .flat_map(|f| f.value.request_body.iter().flat_map(|b| &b.fields))
        .filter_map(|f| named(&f.ty))
        .collect();
    let mut request_side = BTreeSet::new();
    while let Some(n) = todo.pop() {
        let Some(t) = types.get(n.as_str()) else {
            continue;
        };
        if t.fields.is_none() || !request_side.insert(n.clone()) {
            continue;
        }
        todo.extend(t.fields.iter().flatten().filter_map(|f| named(&f.ty)));
    }
    assert!(request_side.len() >= 10, "{request_side:?}");
    let file = generated(&spec);
    let m = methods(module(&file, "types"));
    for name in &request_side {
        let t = types[name.as_str()];
        let have = m.get(name).unwrap_or_else(|| panic!("{name} has no impl"));
        assert!(have.contains_key("new"), "{name} has no new()");
        for f in t.fields.iter().flatten().filter(|f| !f.required) {
            let setter = format!("with_{}", helpdesk_spec::names::field_ident(&f.name));
            assert!(
                have.contains_key(&setter),
                "{name} has no `{setter}`: it cannot be built in one expression"
            );
        }
    }
}

#[test]
fn setters_and_constructors_follow_one_rule() {
    let spec = spec();
    let file = generated(&spec);
    let mut checked = 0;
    for f in &spec.endpoints {
        let module_name = helpdesk_spec::names::resource_module(&f.value.resource);
        let items = module(&file, &module_name);
        for (ty, ms) in methods(items) {
            for (name, args) in ms {
                for a in &args {
                    let bare = a.replace(' ', "");
                    assert!(
                        !bare.starts_with("Vec<"),
                        "{module_name}::{ty}::{name} takes `{a}`: lists take `impl IntoIterator`"
                    );
                    assert!(
                        bare != "String",
                        "{module_name}::{ty}::{name} takes `String`: strings take `impl Into<String>`"
                    );
                    checked += 1;
                }
                if ty == "Api" {
                    assert!(
                        args.len() <= 1,
                        "{module_name}::Api::{name} takes {} positional values: two IDs could be swapped",
                        args.len()
                    );
                }
            }
        }
    }
    let types = methods(module(&file, "types"));
    for (ty, ms) in types {
        for (name, args) in ms.iter().filter(|(n, _)| n.starts_with("with_")) {
            for a in args {
                let bare = a.replace(' ', "");
                assert!(
                    !bare.starts_with("Vec<") && bare != "String",
                    "types::{ty}::{name} takes `{a}`"
                );
            }
        }
    }
    assert!(checked > 100, "only {checked} arguments seen");
}
