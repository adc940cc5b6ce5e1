//! The generated code for the whole spec is pinned in
//! `tests/expected/helpdesk.rs`, so a spec or generator change shows up as a
//! reviewable diff. After reviewing the diff, accept it with
//! `UPDATE_EXPECT=1 cargo test -p helpdesk-codegen --test snapshot`.

use std::path::Path;

/// Compares `actual` with the expected file, or writes it under `UPDATE_EXPECT`.
fn assert_expected(expected_file: &str, actual: &str, spec_dir: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let expected_path = root.join("tests/expected").join(expected_file);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&expected_path, actual).unwrap();
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
            "generated code differs from tests/expected/{expected_file} from line {} on:\n  expected: {:?}\n  actual:   {:?}\n\
             Review with `cargo run -p helpdesk-tools --bin helpdesk-spec -- expand {spec_dir}`, then accept with \
             UPDATE_EXPECT=1 cargo test -p helpdesk-codegen --test snapshot",
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

#[test]
fn generated_code_matches_the_checked_in_expected_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let checked =
        helpdesk_codegen::check_dir(&root.join("../spec")).unwrap_or_else(|e| panic!("{e}"));
    assert_expected(
        "helpdesk.rs",
        &helpdesk_codegen::generate(&checked.spec),
        "spec",
    );
}

/// The fixture specs (one generator feature each), progenitor-style: each
/// generated file is pinned too, and compiled into helpdesk-api under the
/// `fixture-specs` feature (see tests/fixture_specs.rs at the workspace root).
#[test]
fn each_fixture_spec_matches_its_expected_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("tests/fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "binary_reply",
            "enums_events",
            "get_with_body",
            "multi_token",
            "nested_types",
            "paging"
        ],
        "a fixture was added or removed: list it here and in helpdesk-api/src/lib.rs"
    );
    for name in names {
        let checked = helpdesk_codegen::check_dir(&dir.join(&name))
            .unwrap_or_else(|e| panic!("fixture {name}: {e}"));
        assert!(
            checked.warnings.is_empty(),
            "fixture {name}: {:?}",
            checked.warnings
        );
        assert_expected(
            &format!("fixture_{name}.rs"),
            &helpdesk_codegen::generate(&checked.spec),
            &format!("helpdesk-codegen/tests/fixtures/{name}"),
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
