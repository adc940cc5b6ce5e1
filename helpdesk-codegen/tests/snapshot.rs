//! The generated code for the whole spec is pinned in
//! `tests/expected/helpdesk.rs`, so a spec or generator change shows up as a
//! reviewable diff. After reviewing the diff, accept it with
//! `UPDATE_EXPECT=1 cargo test -p helpdesk-codegen --test snapshot`.

use std::path::Path;

#[test]
fn generated_code_matches_the_checked_in_expected_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let checked =
        helpdesk_codegen::check_dir(&root.join("../spec")).unwrap_or_else(|e| panic!("{e}"));
    let actual = helpdesk_codegen::generate(&checked.spec);
    let expected_path = root.join("tests/expected/helpdesk.rs");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&expected_path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "generated code differs from tests/expected/helpdesk.rs from line {} on:\n  expected: {:?}\n  actual:   {:?}\n\
             Review with `cargo run -p helpdesk-tools --bin helpdesk-spec -- expand spec`, then accept with \
             UPDATE_EXPECT=1 cargo test -p helpdesk-codegen --test snapshot",
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

#[test]
fn generation_is_deterministic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let a = helpdesk_codegen::generate(
        &helpdesk_codegen::check_dir(&root.join("../spec"))
            .unwrap()
            .spec,
    );
    let b = helpdesk_codegen::generate(
        &helpdesk_codegen::check_dir(&root.join("../spec"))
            .unwrap()
            .spec,
    );
    assert_eq!(a, b);
}

#[test]
fn the_repository_spec_has_no_warnings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let checked = helpdesk_codegen::check_dir(&root.join("../spec")).unwrap();
    let w: Vec<String> = checked.warnings.iter().map(|d| d.to_string()).collect();
    assert!(w.is_empty(), "warnings:\n{}", w.join("\n"));
}
