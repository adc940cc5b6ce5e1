//! Tests of the `helpdesk-spec` binary: each subcommand on good and bad input.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn spec_dir() -> PathBuf {
    root().join("../spec")
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("helpdesk-spec-cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn tool() -> Command {
    Command::cargo_bin("helpdesk-spec").unwrap()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    run_in(&root(), args)
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = tool().current_dir(dir).args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

// ---------------------------------------------------------------- help, usage

#[test]
fn help_lists_commands_and_exit_codes() {
    let r = run(&["--help"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for word in [
        "check",
        "expand",
        "openapi",
        "import",
        "EXIT CODES",
        "usage error",
    ] {
        assert!(
            r.stdout.contains(word),
            "--help lacks {word}:\n{}",
            r.stdout
        );
    }
}

#[test]
fn every_subcommand_has_help() {
    for cmd in ["check", "expand", "openapi", "import"] {
        let r = run(&[cmd, "--help"]);
        assert_eq!(r.code, 0, "{cmd} --help: {}", r.stderr);
        assert!(
            r.stdout.contains(&format!("helpdesk-spec {cmd}")),
            "{cmd} --help:\n{}",
            r.stdout
        );
        assert!(
            r.stdout.contains("EXIT CODES"),
            "{cmd} --help has no exit codes"
        );
        let r2 = run(&["help", cmd]);
        assert_eq!(r2.stdout, r.stdout);
    }
}

#[test]
fn bad_arguments_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"],
        &["check", "--no-such-flag"],
        &["check", "a", "b"],
        &["expand", "--endpoint"],
        &["openapi", "-x"],
        &["import"],
        &["help", "nope"],
    ] {
        let r = run(args);
        assert_eq!(
            r.code, 2,
            "{args:?} should be a usage error; stderr: {}",
            r.stderr
        );
        assert!(r.stderr.contains("helpdesk-spec"), "{args:?}: {}", r.stderr);
    }
}

// ---------------------------------------------------------------- check

#[test]
fn check_passes_on_the_real_spec() {
    let r = run(&["check", s(&spec_dir())]);
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("endpoint(s)") && r.stderr.contains("type(s)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("error code(s)") && r.stderr.contains("0 error(s)"),
        "{}",
        r.stderr
    );
}

#[test]
fn check_defaults_to_spec_in_the_working_directory() {
    let r = run_in(&root().join(".."), &["check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("checked spec:"), "{}", r.stderr);
}

#[test]
fn check_reports_all_errors_of_all_files_with_locations() {
    let dir = fixture("bad_spec");
    let r = run(&["check", s(&dir)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let expect = [
        (
            "service.json:5:28: error:",
            "trailing slash",
            "(at /base_urls/feishu)",
        ),
        (
            "types/things.json:5:15: error:",
            "PascalCase",
            "(at /types/0/name)",
        ),
        (
            "types/things.json:9:36: error:",
            "unknown type `Person`",
            "(at /types/0/fields/0/type)",
        ),
        (
            "endpoints/thing.get.json:6:11: error:",
            "path_params does not declare",
            "(at /path)",
        ),
        (
            "endpoints/thing.get.json:9:23: error:",
            "at least one token kind",
            "(at /auth/tokens)",
        ),
        (
            "endpoints/thing.get.json:7:45: error:",
            "0 requests",
            "(at /rate_limit/limits/0/requests)",
        ),
    ];
    for (loc, msg, ptr) in expect {
        let want = format!("{}/{loc}", dir.display());
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&want) && l.contains(msg) && l.ends_with(ptr)),
            "no line `{want} ...{msg}... {ptr}` in:\n{}",
            r.stdout
        );
    }
    assert!(
        r.stderr.contains("3 file(s)") && r.stderr.contains("6 error(s)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("FAILED"), "{}", r.stderr);
}

#[test]
fn check_reports_parse_errors_of_several_files() {
    let dir = fixture("parse_spec");
    let r = run(&["check", s(&dir)]);
    assert_eq!(r.code, 1);
    let want_t = format!(
        "{}/types/things.json:3:38: error: unknown variant `objet`",
        dir.display()
    );
    let want_e = format!(
        "{}/endpoints/thing.get.json:4:10: error: unknown field `sumary`",
        dir.display()
    );
    assert!(r.stdout.contains(&want_t), "{}", r.stdout);
    assert!(r.stdout.contains(&want_e), "{}", r.stdout);
}

#[test]
fn check_warnings_pass_unless_denied() {
    let dir = fixture("warn_spec");
    let r = run(&["check", s(&dir)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let want = format!(
        "{}/types/things.json:3:5: warning: type `Thing` has no description (at /types/0)",
        dir.display()
    );
    assert!(r.stdout.contains(&want), "{}", r.stdout);
    assert!(r.stderr.contains("1 warning(s)"), "{}", r.stderr);

    let r = run(&["check", "--deny-warnings", s(&dir)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("--deny-warnings"), "{}", r.stderr);
}

#[test]
fn check_missing_dir_exits_1_with_a_message() {
    let r = run(&["check", "/definitely/not/here"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("/definitely/not/here") && r.stderr.contains("does not exist"),
        "{}",
        r.stderr
    );
    let r = run(&["check", s(&root().join("Cargo.toml"))]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not a directory"), "{}", r.stderr);
}

#[test]
fn check_dir_without_spec_files_reports_them() {
    let d = scratch("empty_spec");
    let r = run(&["check", s(&d)]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("service.json"), "{}", r.stdout);
}

// ---------------------------------------------------------------- expand

#[test]
fn expand_prints_the_generated_code() {
    let r = run(&["expand", s(&spec_dir())]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let checked = helpdesk_codegen::check_dir(&spec_dir()).unwrap();
    assert_eq!(r.stdout, helpdesk_codegen::generate(&checked.spec));
    assert!(r.stdout.contains("pub struct Notification"));
}

#[test]
fn expand_one_endpoint() {
    let r = run(&["expand", s(&spec_dir()), "--endpoint", "notification.get"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let checked = helpdesk_codegen::check_dir(&spec_dir()).unwrap();
    let only = helpdesk_codegen::filter::only_endpoint(&checked.spec, "notification.get").unwrap();
    assert_eq!(r.stdout, helpdesk_codegen::generate(&only));
    assert!(r.stdout.contains("pub struct Notification"), "{}", r.stdout);
}

#[test]
fn expand_unknown_endpoint_lists_known_ones() {
    let r = run(&["expand", s(&spec_dir()), "-e", "notification.frobnicate"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("unknown endpoint `notification.frobnicate`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("notification.get"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn expand_bad_spec_reports_errors_and_exits_1() {
    let dir = fixture("bad_spec");
    let r = run(&["expand", s(&dir)]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr
            .contains(&format!("{}/types/things.json:5:15: error:", dir.display())),
        "{}",
        r.stderr
    );
}

#[test]
fn expand_writes_to_a_file() {
    let d = scratch("expand_out");
    let f = d.join("out.rs");
    let r = run(&["expand", s(&spec_dir()), "-o", s(&f)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(
        std::fs::read_to_string(&f)
            .unwrap()
            .contains("pub struct Notification")
    );
}
