//! The vendored doc pages (`tests/pages/`) are a complete copy, and where the
//! shared reference directory exists beside the checkout
//! (`CARGO_MANIFEST_DIR/../../shared/ref/docs`, `.../shared/seed`), an
//! identical one.
//!
//! Without the shared directory (a clean clone, CI) this cannot compare
//! bytes; it then asserts only what the repository itself can show: the
//! vendored INDEX.md lists 50 endpoint pages, 4 event pages and 3 `ref.*`
//! pages, each of them is here, and nothing else is. That half always runs, so the test
//! asserts something in every checkout.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn vendored() -> PathBuf {
    root().join("tests/pages")
}

fn shared() -> PathBuf {
    root().join("../../shared")
}

/// The `ref.*` pages that INDEX.md lists in its *General and supporting
/// pages* section: the pages endpoint pages link to for values and formats.
fn listed_refs(index: &str) -> Vec<String> {
    let mut in_general = false;
    let mut refs = Vec::new();
    for line in index.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            in_general = h.starts_with("General");
            continue;
        }
        if !in_general || !line.starts_with("| [ref.") {
            continue;
        }
        if let Some(file) = line
            .split("](")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
        {
            refs.push(file.to_string());
        }
    }
    refs
}

/// The page files that INDEX.md lists in its *Endpoints* and *Events* sections.
fn listed(index: &str) -> (Vec<String>, Vec<String>) {
    let mut section = "";
    let mut endpoints = Vec::new();
    let mut events = Vec::new();
    for line in index.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            section = if h.starts_with("Endpoints") {
                "endpoints"
            } else if h.starts_with("Events") {
                "events"
            } else {
                ""
            };
            continue;
        }
        if section.is_empty() || !line.starts_with('|') {
            continue;
        }
        // the first `[file.md](file.md)` link of the row
        let Some(start) = line.find("](") else {
            continue;
        };
        let rest = &line[start + 2..];
        let Some(end) = rest.find(')') else { continue };
        let file = rest[..end].to_string();
        if section == "endpoints" {
            endpoints.push(file);
        } else {
            events.push(file);
        }
    }
    (endpoints, events)
}

fn names_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn the_vendored_pages_are_complete() {
    let docs = vendored().join("docs");
    let index = std::fs::read_to_string(docs.join("INDEX.md")).expect("tests/pages/docs/INDEX.md");
    let (endpoints, events) = listed(&index);
    assert_eq!(endpoints.len(), 50, "endpoint pages listed: {endpoints:?}");
    assert_eq!(events.len(), 4, "event pages listed: {events:?}");
    let mut want: BTreeSet<String> = endpoints.iter().chain(&events).cloned().collect();
    assert_eq!(want.len(), 54, "a page listed twice");
    want.insert("INDEX.md".into());
    for f in &want {
        let len = std::fs::metadata(docs.join(f)).unwrap().len();
        assert!(len > 1000, "{f} is only {len} bytes");
    }
    // the reference pages (short: a table or two each)
    let refs = listed_refs(&index);
    assert_eq!(refs.len(), 3, "ref pages listed: {refs:?}");
    for f in &refs {
        let text = std::fs::read_to_string(docs.join(f)).unwrap();
        assert!(text.contains("fullPath:") && text.contains('|'), "{f}");
    }
    want.extend(refs);
    assert_eq!(
        names_in(&docs),
        want,
        "tests/pages/docs holds exactly INDEX.md, the listed pages and the ref pages"
    );
    assert_eq!(
        names_in(&vendored().join("seed")),
        BTreeSet::from(["000_413277861cd63ad7.txt".to_string()])
    );
}

#[test]
fn the_vendored_pages_are_the_shared_ones_where_those_exist() {
    let shared_docs = shared().join("ref/docs");
    let shared_seed = shared().join("seed");
    if !shared_docs.is_dir() {
        // A clean clone: nothing to compare against. Completeness is what
        // `the_vendored_pages_are_complete` asserts; say so, and assert the
        // same here, so this test never passes on nothing.
        eprintln!(
            "{} is absent: checking only that the vendored copy is complete",
            shared_docs.display()
        );
        let index = std::fs::read_to_string(vendored().join("docs/INDEX.md")).unwrap();
        let (endpoints, events) = listed(&index);
        assert_eq!(endpoints.len() + events.len(), 54);
        let refs = listed_refs(&index);
        for f in endpoints.iter().chain(&events).chain(&refs) {
            assert!(vendored().join("docs").join(f).is_file(), "{f} missing");
        }
        return;
    }
    let index = std::fs::read_to_string(shared_docs.join("INDEX.md")).unwrap();
    let (endpoints, events) = listed(&index);
    let refs = listed_refs(&index);
    let mut compared = 0;
    for f in std::iter::once(&"INDEX.md".to_string())
        .chain(endpoints.iter().chain(&events))
        .chain(&refs)
    {
        let theirs = std::fs::read(shared_docs.join(f))
            .unwrap_or_else(|e| panic!("the shared INDEX.md lists {f}, but: {e}"));
        let ours = std::fs::read(vendored().join("docs").join(f))
            .unwrap_or_else(|e| panic!("{f} is not vendored: {e}"));
        assert!(
            ours == theirs,
            "tests/pages/docs/{f} differs from {}",
            shared_docs.join(f).display()
        );
        compared += 1;
    }
    assert_eq!(compared, 58);
    for f in names_in(&vendored().join("seed")) {
        let theirs = std::fs::read(shared_seed.join(&f)).unwrap();
        let ours = std::fs::read(vendored().join("seed").join(&f)).unwrap();
        assert!(
            ours == theirs,
            "tests/pages/seed/{f} differs from the shared seed"
        );
    }
}
