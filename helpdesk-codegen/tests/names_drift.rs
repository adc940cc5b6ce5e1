//! The lists of reserved names in `helpdesk_spec::names` against what is
//! really there: the methods the emitter gives every request builder, the
//! methods of `helpdesk_api::Client`, and the items at the root of
//! `helpdesk_api`. A name added on either side without the other fails here.

use helpdesk_spec::names;
use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn parse(path: &str) -> syn::File {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn generated() -> syn::File {
    let checked = helpdesk_spec::check_dir(&root().join("spec")).unwrap_or_else(|e| panic!("{e}"));
    syn::parse_file(&helpdesk_codegen::generate(&checked.spec)).expect("generated code parses")
}

fn impl_methods(file: &syn::File, ty: impl Fn(&str) -> bool) -> BTreeSet<String> {
    items_methods(&file.items, &ty)
}

/// The items of the module at `path` (`["notification"]`) of a file.
fn module_items<'a>(items: &'a [syn::Item], module: &str) -> &'a [syn::Item] {
    items
        .iter()
        .find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == module => m.content.as_ref().map(|(_, c)| &c[..]),
            _ => None,
        })
        .unwrap_or(&[])
}

fn items_methods(items: &[syn::Item], ty: &dyn Fn(&str) -> bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for item in items {
        if let syn::Item::Impl(i) = item {
            let name = quote::ToTokens::to_token_stream(&i.self_ty).to_string();
            if i.trait_.is_none() && ty(&name) {
                for it in &i.items {
                    if let syn::ImplItem::Fn(f) = it {
                        out.insert(f.sig.ident.to_string().trim_start_matches("r#").to_string());
                    }
                }
            }
        }
    }
    out
}

#[test]
fn request_methods_list_matches_the_emitted_builders() {
    let checked = helpdesk_spec::check_dir(&root().join("spec")).unwrap();
    let file = generated();
    let mut own_seen = BTreeSet::new();
    for f in &checked.spec.endpoints {
        let e = &f.value;
        let req = names::request_type(&names::endpoint_stem(&e.resource, &e.operation));
        let methods = items_methods(
            module_items(&file.items, &names::resource_module(&e.resource)),
            &|t| t == req,
        );
        let from_spec: BTreeSet<String> = names::builder_names(e)
            .into_iter()
            .filter(|n| n.namespace == names::Namespace::Method && !n.pointer.is_empty())
            .map(|n| n.ident.trim_start_matches("r#").to_string())
            .collect();
        for m in &methods {
            if from_spec.contains(m) {
                continue;
            }
            assert!(
                names::REQUEST_METHODS.contains(&m.as_str())
                    || names::PAGING_METHODS.contains(&m.as_str()),
                "{req} has the method `{m}`, which names::REQUEST_METHODS / PAGING_METHODS do not list"
            );
            own_seen.insert(m.clone());
        }
    }
    for m in names::REQUEST_METHODS.iter().chain(names::PAGING_METHODS) {
        assert!(
            own_seen.contains(*m),
            "names lists `{m}`, which no request builder has: remove it"
        );
    }
}

#[test]
fn client_methods_list_matches_helpdesk_api() {
    let file = parse("helpdesk-api/src/client.rs");
    let methods = impl_methods(&file, |t| t == "Client");
    assert!(!methods.is_empty(), "no `impl Client` found in client.rs");
    for m in &methods {
        assert!(
            names::CLIENT_METHODS.contains(&m.as_str()),
            "Client has the method `{m}`, which names::CLIENT_METHODS does not list \
             (a resource of that name would not compile)"
        );
    }
}

#[test]
fn runtime_items_list_matches_the_root_of_helpdesk_api() {
    let file = parse("helpdesk-api/src/lib.rs");
    let mut items = BTreeSet::new();
    fn leaves(tree: &syn::UseTree, out: &mut BTreeSet<String>) {
        match tree {
            syn::UseTree::Path(p) => leaves(&p.tree, out),
            syn::UseTree::Name(n) => {
                out.insert(n.ident.to_string());
            }
            syn::UseTree::Rename(r) => {
                out.insert(r.rename.to_string());
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| leaves(t, out)),
            syn::UseTree::Glob(_) => {}
        }
    }
    for item in &file.items {
        match item {
            syn::Item::Use(u) if matches!(u.vis, syn::Visibility::Public(_)) => {
                leaves(&u.tree, &mut items)
            }
            syn::Item::Mod(m) if matches!(m.vis, syn::Visibility::Public(_)) => {
                items.insert(m.ident.to_string());
            }
            _ => {}
        }
    }
    assert!(items.contains("Client"), "{items:?}");
    for i in &items {
        assert!(
            names::RUNTIME_ITEMS.contains(&i.as_str()),
            "helpdesk_api's root has `{i}`, which names::RUNTIME_ITEMS does not list \
             (a spec type of that name would be shadowed)"
        );
    }
}
