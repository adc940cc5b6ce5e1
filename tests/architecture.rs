//! The module import graph of every crate has no circles: rooms are layered
//! (in helpdesk-api: auth/values/redact → meta → error → runtime →
//! tokens/limiter/paging → redis_store → client). An edge is a path that
//! names another module of the same crate (`crate::a::b`, `super::x`, or a
//! child module by name); the crate root (lib.rs, the façade that re-exports)
//! is not a node.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `a/b.rs` or `a/b/mod.rs` → `a::b`; lib.rs and main.rs → "" (the root).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts.join("::")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "bin") {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Code lines only (comments and doc comments dropped, and an inline
/// `#[cfg(test)] mod tests { … }`, whose `super::` is the file itself).
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Module paths after `prefix` in `text`, e.g. `crate::a::b::Item` → `a::b::Item`.
fn paths_after<'a>(text: &'a str, prefix: &'a str) -> impl Iterator<Item = String> + 'a {
    text.match_indices(prefix).filter_map(move |(i, _)| {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            return None;
        }
        let rest = &text[i + prefix.len()..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        Some(rest[..end].trim_end_matches(':').to_string())
    })
}

/// The longest prefix of `path` (`a::b::c`) that is a module.
fn resolve(path: &str, modules: &BTreeSet<String>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|m| modules.contains(m))
}

fn graph(crate_dir: &str) -> BTreeMap<String, BTreeSet<String>> {
    graph_of(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(crate_dir)
            .join("src"),
    )
}

fn graph_of(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let src = src.to_path_buf();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let me = module_of(&src, f);
        if me.is_empty() {
            continue;
        }
        let text = code(&std::fs::read_to_string(f).unwrap());
        let parent = me.rsplit_once("::").map_or("", |(p, _)| p).to_string();
        let mut targets = BTreeSet::new();
        for p in paths_after(&text, "crate::") {
            targets.extend(resolve(&p, &modules));
        }
        for p in paths_after(&text, "super::") {
            let full = if parent.is_empty() {
                p
            } else {
                format!("{parent}::{p}")
            };
            targets.extend(resolve(&full, &modules).or(Some(parent.clone())));
        }
        // Children named directly (`mod c;` then `c::item` / `use c::…`).
        for m in &modules {
            if let Some(child) = m.strip_prefix(&format!("{me}::")) {
                if !child.contains("::")
                    && paths_after(&text, &format!("{child}::")).next().is_some()
                {
                    targets.insert(m.clone());
                }
            }
        }
        targets.retain(|t| !t.is_empty() && *t != me);
        edges.insert(me, targets);
    }
    edges
}

fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == n) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for next in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, edges, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in edges.keys() {
        if let Some(c) = visit(n, edges, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn no_crate_has_an_import_circle() {
    for krate in [
        "helpdesk-spec",
        "helpdesk-codegen",
        "helpdesk-tools",
        "helpdesk-api",
        "helpdesk-mock",
    ] {
        let g = graph(krate);
        assert!(g.len() > 1, "{krate}: no modules found");
        if let Some(c) = find_cycle(&g) {
            panic!("{krate}: import circle {}", c.join(" → "));
        }
    }
}

#[test]
fn the_cycle_finder_sees_a_circle() {
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    g.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    g.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(find_cycle(&g).map(|c| c.len()), Some(4));
    // The parser finds the two shapes of circle this workspace had: siblings
    // naming each other (the mock's hooks ↔ server) and a parent and child
    // (emit/mod.rs ↔ emit/endpoint.rs).
    let dir = std::env::temp_dir().join(format!("arch-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("emit")).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod hooks;\nmod server;\nmod emit;\n").unwrap();
    std::fs::write(dir.join("hooks.rs"), "use crate::server::Shared;\n").unwrap();
    std::fs::write(
        dir.join("server.rs"),
        "use crate::hooks::{self, HookEntry};\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("emit/mod.rs"),
        "mod endpoint;\nfn f() { endpoint::gen(); }\n",
    )
    .unwrap();
    std::fs::write(dir.join("emit/endpoint.rs"), "use super::{doc, ident};\n").unwrap();
    let g = graph_of(&dir);
    assert!(
        g["hooks"].contains("server") && g["server"].contains("hooks"),
        "{g:?}"
    );
    assert!(
        g["emit"].contains("emit::endpoint") && g["emit::endpoint"].contains("emit"),
        "{g:?}"
    );
    assert!(find_cycle(&g).is_some());
    std::fs::remove_dir_all(&dir).unwrap();
    // And the real graphs have edges (the parser finds imports).
    let api = graph("helpdesk-api");
    assert!(api["client"].contains("tokens"), "{api:?}");
    assert!(api["tokens"].contains("runtime"), "{api:?}");
}
