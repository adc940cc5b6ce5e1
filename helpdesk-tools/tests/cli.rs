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
        "sdk-diff",
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
    for cmd in ["check", "expand", "openapi", "import", "sdk-diff"] {
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
        &["sdk-diff"],
        &["sdk-diff", "a", "b", "c"],
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
    let checked = helpdesk_spec::check_dir(&spec_dir()).unwrap();
    assert_eq!(r.stdout, helpdesk_codegen::generate(&checked.spec));
    assert!(r.stdout.contains("pub struct Notification"));
}

#[test]
fn expand_one_endpoint() {
    let r = run(&["expand", s(&spec_dir()), "--endpoint", "notification.get"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let checked = helpdesk_spec::check_dir(&spec_dir()).unwrap();
    let only = helpdesk_tools::filter::only_endpoint(&checked.spec, "notification.get").unwrap();
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

// ---------------------------------------------------------------- openapi

const VALIDATOR_INSTALL: &str = "python3 -m pip install 'openapi-spec-validator==0.9.0'";

/// Runs the real OpenAPI validator (PyPI `openapi-spec-validator`) on `file`.
/// Fails, never skips, when the validator is not installed.
fn openapi_validator(file: &Path) -> std::process::Output {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import openapi_spec_validator"])
        .output();
    match probe {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!(
            "the OpenAPI validator is not installed ({}); install it with:\n    {VALIDATOR_INSTALL}",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) => panic!(
            "python3 is needed to run the OpenAPI validator ({e}); install python3, then:\n    {VALIDATOR_INSTALL}"
        ),
    }
    std::process::Command::new("python3")
        .args(["-m", "openapi_spec_validator"])
        .arg(file)
        .output()
        .unwrap()
}

fn openapi_doc() -> serde_json::Value {
    let r = run(&["openapi", s(&spec_dir())]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

#[test]
fn openapi_document_passes_a_real_validator() {
    let d = scratch("openapi_valid");
    let f = d.join("openapi.json");
    let r = run(&["openapi", s(&spec_dir()), "-o", s(&f)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "with -o nothing goes to stdout");
    let out = openapi_validator(&f);
    assert!(
        out.status.success(),
        "openapi-spec-validator rejects the document:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn openapi_validator_is_not_vacuous() {
    // The same document with one broken value must be rejected, so the test
    // above cannot pass because the validator accepts anything.
    let mut doc = openapi_doc();
    doc["paths"]["/open-apis/helpdesk/v1/notifications/{notification_id}"]["get"]["parameters"]
        [0]["required"] = serde_json::json!("yes");
    let d = scratch("openapi_invalid");
    let f = d.join("broken.json");
    std::fs::write(&f, serde_json::to_string(&doc).unwrap()).unwrap();
    let out = openapi_validator(&f);
    assert!(
        !out.status.success(),
        "the validator accepted a broken document"
    );
}

#[test]
fn openapi_document_content() {
    let doc = openapi_doc();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["version"], "v1");
    assert!(doc["info"]["title"].as_str().unwrap().contains("Helpdesk"));
    let urls: Vec<&str> = doc["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        ["https://open.feishu.cn", "https://open.larksuite.com"]
    );

    let op = &doc["paths"]["/open-apis/helpdesk/v1/notifications/{notification_id}"]["get"];
    assert_eq!(op["operationId"], "notification.get");
    let params = op["parameters"].as_array().unwrap();
    assert_eq!(params[0]["name"], "notification_id");
    assert_eq!(params[0]["in"], "path");
    assert_eq!(params[0]["required"], true);
    assert_eq!(params[1]["name"], "user_id_type");
    assert_eq!(params[1]["in"], "query");
    assert_eq!(
        params[1]["schema"]["enum"],
        serde_json::json!(["open_id", "union_id", "user_id"])
    );
    assert_eq!(params[1]["schema"]["default"], "open_id");
    assert_eq!(params[1]["example"], "open_id");
    assert!(
        params[1]["schema"]["description"]
            .as_str()
            .unwrap()
            .contains("`union_id`")
    );

    // security: user token AND the helpdesk header
    assert_eq!(
        op["security"],
        serde_json::json!([{"user_access_token": [], "helpdesk_token": []}])
    );
    let schemes = &doc["components"]["securitySchemes"];
    for k in [
        "user_access_token",
        "tenant_access_token",
        "app_access_token",
    ] {
        assert_eq!(schemes[k]["type"], "http");
        assert_eq!(schemes[k]["scheme"], "bearer");
        assert_eq!(schemes[k]["x-token-kind"], k);
    }
    assert_eq!(schemes["helpdesk_token"]["type"], "apiKey");
    assert_eq!(schemes["helpdesk_token"]["in"], "header");
    assert_eq!(
        schemes["helpdesk_token"]["name"],
        "X-Lark-Helpdesk-Authorization"
    );

    // envelope and example
    let ok = &op["responses"]["200"]["content"]["application/json"];
    assert_eq!(ok["schema"]["properties"]["code"]["const"], 0);
    assert_eq!(
        ok["schema"]["properties"]["data"]["properties"]["notification"]["$ref"],
        "#/components/schemas/Notification"
    );
    let endpoint: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(spec_dir().join("endpoints/notification.get.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(ok["example"], endpoint["example_response"]);

    // errors by status; platform errors merged in
    let e400 = &op["responses"]["400"];
    let codes = e400["content"]["application/json"]["schema"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap();
    assert!(
        codes.contains(&serde_json::json!(154000)) && codes.contains(&serde_json::json!(99991661))
    );
    assert!(e400["description"].as_str().unwrap().contains("154000"));
    for status in ["401", "403", "404", "405", "429", "500"] {
        assert!(op["responses"][status].is_object(), "no {status} response");
    }
    assert_eq!(
        op["x-rate-limit"]["limits"][0],
        serde_json::json!({"requests": 100, "per": "minute"})
    );
    assert_eq!(op["x-scopes"]["any_of"][0]["name"], "helpdesk:all:readonly");

    // named types and scalar refinements
    let schemas = &doc["components"]["schemas"];
    let n = &schemas["Notification"]["properties"];
    assert_eq!(n["created_at"]["type"], "string");
    assert_eq!(n["created_at"]["pattern"], "^-?[0-9]+$");
    assert!(
        n["created_at"]["description"]
            .as_str()
            .unwrap()
            .contains("milliseconds")
    );
    assert_eq!(n["push_content"]["type"], "string");
    assert_eq!(n["push_content"]["contentMediaType"], "application/json");
    assert_eq!(n["target_user_count"]["type"], "integer");
    assert_eq!(n["target_user_count"]["format"], "int32");
    assert_eq!(
        n["user_list"]["items"]["$ref"],
        "#/components/schemas/NotificationUser"
    );
    let req = schemas["Notification"]["required"].as_array().unwrap();
    assert!(
        req.contains(&serde_json::json!("job_name")) && !req.contains(&serde_json::json!("id"))
    );
    assert_eq!(schemas["PushScopeType"]["type"], "integer");
    assert_eq!(
        schemas["PushScopeType"]["enum"],
        serde_json::json!([0, 1, 2, 3])
    );
}

#[test]
fn openapi_of_a_bad_spec_exits_1() {
    let r = run(&["openapi", s(&fixture("bad_spec"))]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("error"), "{}", r.stderr);
    let r = run(&["openapi", "/definitely/not/here"]);
    assert_eq!(r.code, 1);
}

// ---------------------------------------------------------------- import

/// The vendored doc pages (`tests/pages/`, see its README): copies of the
/// shared reference pages, read relative to the crate so that a clean clone
/// runs these tests too.
fn pages_dir() -> PathBuf {
    root().join("tests/pages")
}

const SEED_TEXT: &str = "seed/000_413277861cd63ad7.txt";
const SEED_MD: &str = "docs/notification.get.md";

/// A vendored page; a missing one fails the test.
fn page(rel: &str) -> PathBuf {
    let p = pages_dir().join(rel);
    assert!(
        p.is_file(),
        "{} is missing: the vendored pages are incomplete (see tests/pages/README.md)",
        p.display()
    );
    p
}

fn import(page_file: &Path) -> serde_json::Value {
    let r = run(&["import", s(page_file)]);
    assert_eq!(r.code, 0, "import {}: {}", page_file.display(), r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

/// A field tree resolved through named types, keeping what the wire shows.
#[derive(Debug, PartialEq)]
enum Wire {
    /// JSON string (string, timestamp_ms, json_string, int64_string).
    String,
    /// JSON integer (int, int64, timestamp_ms_number, timestamp_s).
    Integer,
    Number,
    Bool,
    Any,
    /// An enum: its representation and its value set.
    Enum(String, Vec<String>),
    List(Box<Wire>),
    /// Fields: name → (required, wire).
    Object(std::collections::BTreeMap<String, (bool, Wire)>),
}

fn type_map(
    type_files: &[serde_json::Value],
) -> std::collections::BTreeMap<String, serde_json::Value> {
    let mut m = std::collections::BTreeMap::new();
    for f in type_files {
        for t in f["types"].as_array().unwrap() {
            m.insert(t["name"].as_str().unwrap().to_string(), t.clone());
        }
    }
    m
}

fn resolve(
    ty: &str,
    types: &std::collections::BTreeMap<String, serde_json::Value>,
    depth: usize,
) -> Wire {
    assert!(depth < 32, "type cycle at {ty}");
    if let Some(inner) = ty.strip_suffix("[]") {
        return Wire::List(Box::new(resolve(inner, types, depth + 1)));
    }
    match ty {
        "string" | "timestamp_ms" | "json_string" | "int64_string" => Wire::String,
        "int" | "int64" | "timestamp_ms_number" | "timestamp_s" => Wire::Integer,
        "float" => Wire::Number,
        "bool" => Wire::Bool,
        "json" => Wire::Any,
        named => {
            let t = types
                .get(named)
                .unwrap_or_else(|| panic!("unknown type {named}"));
            if t["kind"] == "enum" {
                let mut vals: Vec<String> = t["values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v["value"].to_string())
                    .collect();
                vals.sort();
                Wire::Enum(t["repr"].as_str().unwrap().to_string(), vals)
            } else {
                object(t["fields"].as_array().unwrap(), types, depth + 1)
            }
        }
    }
}

fn object(
    fields: &[serde_json::Value],
    types: &std::collections::BTreeMap<String, serde_json::Value>,
    depth: usize,
) -> Wire {
    Wire::Object(
        fields
            .iter()
            .map(|f| {
                let required = f["required"].as_bool().unwrap_or(false);
                (
                    f["name"].as_str().unwrap().to_string(),
                    (required, resolve(f["type"].as_str().unwrap(), types, depth)),
                )
            })
            .collect(),
    )
}

/// Lists the differences between two resolved trees, by field path.
fn diff(path: &str, a: &Wire, b: &Wire, out: &mut Vec<String>) {
    match (a, b) {
        (Wire::Object(fa), Wire::Object(fb)) => {
            for (name, (ra, wa)) in fa {
                let p = format!("{path}.{name}");
                match fb.get(name) {
                    None => out.push(format!("{p}: only in the spec")),
                    Some((rb, wb)) => {
                        if ra != rb {
                            out.push(format!("{p}: required: spec {ra}, doc {rb}"));
                        }
                        diff(&p, wa, wb, out);
                    }
                }
            }
            for name in fb.keys().filter(|n| !fa.contains_key(*n)) {
                out.push(format!("{path}.{name}: only in the doc"));
            }
        }
        (Wire::List(ia), Wire::List(ib)) => diff(&format!("{path}[]"), ia, ib, out),
        _ if a != b => out.push(format!("{path}: wire type: spec {a:?}, doc {b:?}")),
        _ => {}
    }
}

fn params(
    ep: &serde_json::Value,
    key: &str,
    types: &std::collections::BTreeMap<String, serde_json::Value>,
) -> Vec<String> {
    ep[key]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    format!(
                        "{} {:?} required={} default={} example={}",
                        p["name"],
                        resolve(p["type"].as_str().unwrap(), types, 0),
                        p["required"].as_bool().unwrap_or(false),
                        p["default"],
                        p["example"]
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The crawled text form folds full-width punctuation to ASCII, even inside
/// the JSON example (`，` → `,`); this applies the same folding.
fn fold_punctuation(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(
            s.chars()
                .map(|c| match c {
                    '，' => ',',
                    '：' => ':',
                    '（' => '(',
                    '）' => ')',
                    '；' => ';',
                    '？' => '?',
                    '！' => '!',
                    other => other,
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(fold_punctuation).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), fold_punctuation(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Compares an imported draft with the hand-written notification.get spec.
/// Returns the differences in field trees, wire types, optionality, enum
/// values, parameters, auth, limits and error codes. Type *names* and
/// descriptions are not compared; refinements the spec makes over the doc's
/// `string` (timestamp_ms, json_string) compare as the strings they are on
/// the wire; enums compare by their value sets.
/// Drops what a page cannot give: the spec's English texts (`…_en`) and
/// maintainers' notes.
fn without_spec_only_keys(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(o) => {
            o.retain(|k, _| !k.ends_with("_en") && k != "note");
            o.values_mut().for_each(without_spec_only_keys);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(without_spec_only_keys),
        _ => {}
    }
}

fn compare_with_spec(draft: &serde_json::Value, crawled_text: bool) -> Vec<String> {
    let read = |p: PathBuf| -> serde_json::Value {
        let mut v = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        without_spec_only_keys(&mut v);
        v
    };
    let spec_ep = read(spec_dir().join("endpoints/notification.get.json"));
    let spec_types: Vec<serde_json::Value> = std::fs::read_dir(spec_dir().join("types"))
        .unwrap()
        .map(|e| read(e.unwrap().path()))
        .collect();
    let st = type_map(&spec_types);
    let dt = type_map(&[draft["types"].clone()]);
    let de = &draft["endpoint"];
    let mut out = Vec::new();

    let a = object(spec_ep["response"]["fields"].as_array().unwrap(), &st, 0);
    let b = object(de["response"]["fields"].as_array().unwrap(), &dt, 0);
    diff("data", &a, &b, &mut out);

    for key in ["path_params", "query_params"] {
        let (pa, pb) = (params(&spec_ep, key, &st), params(de, key, &dt));
        if pa != pb {
            out.push(format!("{key}: spec {pa:?}, doc {pb:?}"));
        }
    }
    for key in [
        "method",
        "path",
        "rate_limit",
        "app_types",
        "scopes",
        "auth",
        "field_scopes",
        "resource",
        "operation",
    ] {
        let (va, vb) = (&spec_ep[key], &de[key]);
        let same = if crawled_text {
            fold_punctuation(va) == *vb
        } else {
            va == vb
        };
        if !same {
            out.push(format!("{key}: spec {va}, doc {vb}"));
        }
    }
    let codes = |e: &serde_json::Value| -> Vec<(i64, i64)> {
        e["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["http_status"].as_i64().unwrap(),
                    x["code"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    if codes(&spec_ep) != codes(de) {
        out.push(format!(
            "errors: spec {:?}, doc {:?}",
            codes(&spec_ep),
            codes(de)
        ));
    }
    let msgs = |e: &serde_json::Value| -> Vec<serde_json::Value> {
        e["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| serde_json::json!([x["message"], x["advice"]]))
            .collect()
    };
    let (ma, mb) = (msgs(&spec_ep), msgs(de));
    let same_msgs = if crawled_text {
        // the text reader puts the fullwidth punctuation back (a guess that
        // may miss a mark): either form of the spec's text is right
        ma == mb || fold_punctuation(&serde_json::json!(ma)) == serde_json::json!(mb)
    } else {
        ma == mb
    };
    if !same_msgs {
        out.push("error messages or advice differ".to_string());
    }
    let (ea, eb) = (&spec_ep["example_response"], &de["example_response"]);
    let same_example = if crawled_text {
        ea == eb || fold_punctuation(ea) == *eb
    } else {
        ea == eb
    };
    if !same_example {
        out.push("example_response differs".to_string());
    }
    out
}

/// Differences between the doc and the hand-written spec that are known.
/// None are left: `NotificationDepartment.department_id`, which the spec once
/// marked required against the doc, is now optional as the doc says.
const KNOWN_DIFFERENCES: [&str; 0] = [];

#[test]
fn import_of_the_seed_text_page_matches_the_hand_written_spec() {
    let draft = import(&page(SEED_TEXT));
    let diffs = compare_with_spec(&draft, true);
    assert_eq!(
        diffs,
        KNOWN_DIFFERENCES.to_vec(),
        "differences between the imported seed page and spec/:\n{diffs:#?}"
    );
}

#[test]
fn import_of_the_markdown_page_matches_the_hand_written_spec() {
    let draft = import(&page(SEED_MD));
    let diffs = compare_with_spec(&draft, false);
    assert_eq!(
        diffs,
        KNOWN_DIFFERENCES.to_vec(),
        "differences between the imported markdown page and spec/:\n{diffs:#?}"
    );
    assert_eq!(
        draft["endpoint"]["doc_url"],
        "https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/helpdesk-v1/notification/get"
    );
}

#[test]
fn import_refines_timestamps_and_int_enums() {
    let draft = import(&page(SEED_TEXT));
    let types = type_map(&[draft["types"].clone()]);
    let n = types["Notification"]["fields"].as_array().unwrap();
    let field = |name: &str| n.iter().find(|f| f["name"] == name).unwrap().clone();
    for ts in ["created_at", "updated_at", "send_at"] {
        assert_eq!(field(ts)["type"], "timestamp_ms", "{ts}");
    }
    assert_eq!(field("push_type")["type"], "PushType");
    assert_eq!(field("push_scope_type")["type"], "PushScopeType");
    assert_eq!(field("new_staff_scope_type")["type"], "NewStaffScopeType");
    assert_eq!(field("status")["type"], "int", "status enumerates nothing");
    assert_eq!(field("create_user")["type"], "NotificationUser");
    assert_eq!(field("user_list")["type"], "NotificationUser[]");
    assert_eq!(types["PushScopeType"]["repr"], "int");
    assert_eq!(draft["endpoint"]["query_params"][0]["type"], "UserIdType");
    assert_eq!(draft["endpoint"]["query_params"][0]["default"], "open_id");
    assert_eq!(
        draft["endpoint"]["rate_limit"]["limits"][0],
        serde_json::json!({"requests": 100, "per": "minute"})
    );
}

#[test]
fn imported_drafts_pass_check() {
    for (name, p) in [("text", page(SEED_TEXT)), ("markdown", page(SEED_MD))] {
        let d = scratch(&format!("import_check_{name}"));
        std::fs::copy(spec_dir().join("service.json"), d.join("service.json")).unwrap();
        let r = run(&["import", s(&p), "--out-dir", s(&d)]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.is_empty(), "--out-dir alone writes no stdout");
        assert!(d.join("endpoints/notification.get.json").exists());
        assert!(d.join("types/notification.get.json").exists());
        let r = run(&["check", s(&d)]);
        assert_eq!(
            r.code, 0,
            "the {name} draft does not pass check:\n{}{}",
            r.stdout, r.stderr
        );
    }
}

#[test]
fn import_writes_to_a_file() {
    let d = scratch("import_out");
    let f = d.join("draft.json");
    let r = run(&["import", s(&page(SEED_TEXT)), "-o", s(&f)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
    assert_eq!(v["endpoint"]["resource"], "notification");
}

#[test]
fn import_of_a_non_doc_file_is_a_clear_error() {
    let d = scratch("import_bad");
    let cases = [
        (
            "notes.txt",
            "just some notes\nnothing to see here\n".as_bytes(),
        ),
        ("empty.txt", b""),
        ("binary.bin", &[0xff, 0xfe, 0x00, 0x12, 0x80]),
        (
            "table.md",
            "# Title\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n".as_bytes(),
        ),
    ];
    for (name, bytes) in cases {
        let f = d.join(name);
        std::fs::write(&f, bytes).unwrap();
        let r = run(&["import", s(&f)]);
        assert_eq!(r.code, 1, "{name}: {}", r.stderr);
        assert!(r.stdout.is_empty());
        assert!(r.stderr.contains(name), "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains("not an endpoint doc page")
                || r.stderr
                    .contains("does not look like a Feishu endpoint doc page")
                || r.stderr.contains("not UTF-8"),
            "{name}: {}",
            r.stderr
        );
    }
    // a page missing one of the rows names that one
    let page = std::fs::read_to_string(page("docs/notification.get.md")).unwrap();
    let no_method: String = page
        .lines()
        .filter(|l| !l.contains("HTTP Method"))
        .map(|l| format!("{l}\n"))
        .collect();
    let f = d.join("no_method.md");
    std::fs::write(&f, no_method).unwrap();
    let r = run(&["import", s(&f)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("has no `HTTP Method` row (") && !r.stderr.contains("`HTTP URL`"),
        "{}",
        r.stderr
    );
    let r = run(&["import", "/definitely/not/here.txt"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
}

#[test]
fn import_reads_the_reference_pages_beside_the_page() {
    // agent_skill.get links its operators to ref.agent_skill_rule.operator-options.md
    let page = pages_dir().join("docs/agent_skill.get.md");
    let r = run(&["import", s(&page)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "`selected_operator`: int enum `SelectedOperator` from the linked page `客服技能及运算符` (运算符列表)"
        ),
        "{}",
        r.stderr
    );
    let draft: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let op = draft["types"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "SelectedOperator")
        .unwrap();
    let values: Vec<i64> = op["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_i64().unwrap())
        .collect();
    assert_eq!(values, [2, 3, 5, 6, 7, 8]);
    // alone in a directory, the page has no reference pages: no enum
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("import-alone");
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::copy(&page, d.join("agent_skill.get.md")).unwrap();
    let r = run(&["import", s(&d.join("agent_skill.get.md"))]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("from the linked page"), "{}", r.stderr);
}

/// The crawled text form keeps no link: the reference page beside the page,
/// crawled too, is found by its title.
#[test]
fn import_of_a_crawled_page_reads_the_crawled_reference_page_beside_it() {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("import-crawled-refs");
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for name in ["agent_skill.get", "ref.agent_skill_rule.operator-options"] {
        let md = std::fs::read_to_string(pages_dir().join(format!("docs/{name}.md"))).unwrap();
        let text = helpdesk_tools::crawl::to_crawled_text(&md);
        std::fs::write(d.join(format!("{name}.txt")), text).unwrap();
    }
    let r = run(&["import", s(&d.join("agent_skill.get.txt"))]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let draft: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let values = |name: &str| -> Vec<i64> {
        let ty = draft["types"]["types"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {}\n{}", draft["types"], r.stderr));
        ty["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["value"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(values("SelectedOperator"), [2, 3, 5, 6, 7, 8]);
    assert_eq!(values("OperatorOptions"), [2, 3, 5, 6, 7, 8]);
    // without the reference page, no enum is made up
    std::fs::remove_file(d.join("ref.agent_skill_rule.operator-options.txt")).unwrap();
    let r = run(&["import", s(&d.join("agent_skill.get.txt"))]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("from the linked page"), "{}", r.stderr);
}

#[test]
fn import_never_panics_on_any_vendored_page() {
    // Every vendored doc page either imports or fails cleanly; the 50
    // endpoint pages import.
    let dir = pages_dir().join("docs");
    let mut seen = 0;
    let mut imported = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let p = e.path();
        seen += 1;
        let r = run(&["import", s(&p)]);
        assert!(
            r.code == 0 || r.code == 1,
            "{}: exit {} {}",
            p.display(),
            r.code,
            r.stderr
        );
        assert!(
            !r.stderr.contains("panicked"),
            "{}: {}",
            p.display(),
            r.stderr
        );
        let name = p.file_name().unwrap().to_str().unwrap();
        if name.starts_with("ref.") {
            // a reference page (values for other pages) is no endpoint page
            assert_eq!(r.code, 1, "{name}: {}", r.stderr);
        } else if !name.starts_with("event.helpdesk.") && name != "INDEX.md" {
            assert_eq!(r.code, 0, "{name}: {}", r.stderr);
            imported += 1;
        }
    }
    assert_eq!(
        seen,
        58,
        "INDEX.md, 54 pages and 3 ref pages in {}",
        dir.display()
    );
    assert_eq!(imported, 50);
}

#[test]
fn the_import_comparison_is_not_vacuous() {
    let mut draft = import(&page(SEED_MD));
    let types = draft["types"]["types"].as_array_mut().unwrap();
    let n = types
        .iter_mut()
        .find(|t| t["name"] == "Notification")
        .unwrap();
    let fields = n["fields"].as_array_mut().unwrap();
    fields.retain(|f| f["name"] != "ext");
    for f in fields.iter_mut() {
        if f["name"] == "created_at" {
            f["type"] = serde_json::json!("int64");
        }
        if f["name"] == "job_name" {
            f["required"] = serde_json::json!(false);
        }
    }
    let e = types.iter_mut().find(|t| t["name"] == "PushType").unwrap();
    e["values"].as_array_mut().unwrap().pop();
    draft["endpoint"]["errors"].as_array_mut().unwrap().pop();
    draft["endpoint"]["example_response"]["data"]["approval_app_link"] = serde_json::json!("x");
    let diffs = compare_with_spec(&draft, false);
    for want in [
        "data.notification.ext: only in the spec",
        "data.notification.created_at: wire type",
        "data.notification.job_name: required: spec true, doc false",
        "data.notification.push_type: wire type",
        "errors: spec",
        "example_response differs",
    ] {
        assert!(
            diffs.iter().any(|d| d.starts_with(want)),
            "no `{want}` in {diffs:#?}"
        );
    }
}

#[test]
fn openapi_request_bodies_and_webhooks() {
    // A copy of the spec plus one event, so the test does not depend on
    // which events spec/ has yet.
    let d = scratch("openapi_events");
    for sub in ["types", "endpoints"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
        for e in std::fs::read_dir(spec_dir().join(sub)).unwrap().flatten() {
            std::fs::copy(e.path(), d.join(sub).join(e.file_name())).unwrap();
        }
    }
    std::fs::copy(spec_dir().join("service.json"), d.join("service.json")).unwrap();
    std::fs::create_dir_all(d.join("events")).unwrap();
    std::fs::write(
        d.join("events/helpdesk.ticket.created_v1.json"),
        r#"{
  "event_type": "helpdesk.ticket.created_v1",
  "summary": "工单创建事件",
  "fields": [ { "name": "ticket_id", "type": "string", "description": "工单ID" } ],
  "example": { "schema": "2.0", "header": { "event_type": "helpdesk.ticket.created_v1" }, "event": { "ticket_id": "1" } }
}"#,
    )
    .unwrap();
    let r = run(&["check", s(&d)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("1 event(s)"), "{}", r.stderr);
    let f = d.join("openapi.json");
    let r = run(&["openapi", s(&d), "-o", s(&f)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = openapi_validator(&f);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
    let hook = &doc["webhooks"]["helpdesk.ticket.created_v1"]["post"];
    assert_eq!(hook["operationId"], "event.helpdesk.ticket.created_v1");
    assert_eq!(
        hook["requestBody"]["content"]["application/json"]["schema"]["properties"]["event"]["properties"]
            ["ticket_id"]["type"],
        "string"
    );
    // every endpoint with a request body has one in the document
    for e in std::fs::read_dir(spec_dir().join("endpoints"))
        .unwrap()
        .flatten()
    {
        let ep: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap();
        let path = ep["path"]
            .as_str()
            .unwrap()
            .split('/')
            .map(|seg| match seg.strip_prefix(':') {
                Some(n) => format!("{{{n}}}"),
                None => seg.to_string(),
            });
        let path = path.collect::<Vec<_>>().join("/");
        let method = ep["method"].as_str().unwrap().to_ascii_lowercase();
        let op = &doc["paths"][&path][&method];
        assert_eq!(
            op["operationId"],
            format!(
                "{}.{}",
                ep["resource"].as_str().unwrap(),
                ep["operation"].as_str().unwrap()
            )
        );
        if let Some(fields) = ep["request_body"]["fields"].as_array() {
            let props = &op["requestBody"]["content"]["application/json"]["schema"]["properties"];
            for fld in fields {
                assert!(
                    props[fld["name"].as_str().unwrap()].is_object(),
                    "{path}: body field {}",
                    fld["name"]
                );
            }
        }
        if ep["pagination"].is_object() {
            assert_eq!(op["x-pagination"]["items"], ep["pagination"]["items"]);
        }
        if ep["response"]["binary"].is_object() {
            assert!(
                op["responses"]["200"]["content"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .all(|k| !k.contains("json"))
            );
        }
    }
}

// ---------------------------------------------------------------- sdk-diff

fn sdk_reference() -> PathBuf {
    root().join("../tests/reference/helpdesk_v1_python.json")
}

fn node_reference() -> PathBuf {
    root().join("../tests/reference/helpdesk_v1_node.json")
}

fn unexplained_lines(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| !l.starts_with("explained: "))
        .collect()
}

/// A copy of the repository spec in a scratch directory.
fn spec_copy(name: &str) -> PathBuf {
    let dir = scratch(name);
    for sub in ["", "types", "endpoints", "events"] {
        let from = spec_dir().join(sub);
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for e in std::fs::read_dir(&from).unwrap().flatten() {
            if e.path().is_file() {
                std::fs::copy(e.path(), dir.join(sub).join(e.file_name())).unwrap();
            }
        }
    }
    dir
}

#[test]
fn sdk_diff_passes_on_the_real_spec_and_references() {
    let r = run(&[
        "sdk-diff",
        s(&sdk_reference()),
        s(&spec_dir()),
        "--node",
        s(&node_reference()),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("ok: compared 50 endpoint(s), 4 event(s) and 78 of 78 named type(s)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("0 unexplained"), "{}", r.stderr);
    assert!(
        r.stderr.contains("0 stale sdk_items entries"),
        "{}",
        r.stderr
    );
    assert!(unexplained_lines(&r.stdout).is_empty(), "{}", r.stdout);
    // the summary: a row per aspect, none unexplained, each with facts compared
    for aspect in [
        "path", "method", "tokens", "field", "type", "required", "enum",
    ] {
        let row = r
            .stderr
            .lines()
            .find(|l| l.split_whitespace().next() == Some(aspect))
            .unwrap_or_else(|| panic!("no summary row for {aspect}:\n{}", r.stderr));
        let n: Vec<usize> = row
            .split_whitespace()
            .skip(1)
            .map(|x| x.parse().unwrap())
            .collect();
        assert!(n[0] > 0, "{row}");
        assert_eq!(n[1], n[2], "{row}");
        assert_eq!(n[3], 0, "{row}");
    }
    // the explained differences name their deviation
    assert!(
        r.stdout.contains(
            "explained: TicketV2.comments: type: SDK `Comments`, spec `TicketComment[] (object[])` in Ticket (explained by endpoints/ticket.get.json: Ticket.comments is a list)"
        ),
        "{}",
        r.stdout
    );
    // without --node, required flags and enums are not compared, and it says so
    let r = run(&["sdk-diff", s(&sdk_reference()), s(&spec_dir())]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("no --node: required flags and enums not compared"),
        "{}",
        r.stderr
    );
}

#[test]
fn sdk_diff_fails_on_an_unexplained_difference_and_names_it() {
    let dir = scratch("sdk-diff");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sdk_reference()).unwrap()).unwrap();
    for e in v["endpoints"].as_array_mut().unwrap() {
        if e["resource"] == "faq" && e["method"] == "delete" {
            e["http_method"] = "POST".into();
        }
    }
    let altered = dir.join("sdk.json");
    std::fs::write(&altered, v.to_string()).unwrap();
    // SPEC_DIR defaults to `spec` in the working directory
    let r = run_in(&root().join(".."), &["sdk-diff", s(&altered)]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        unexplained_lines(&r.stdout),
        vec![
            "unexplained: faq.delete: method: SDK `POST`, spec `DELETE` (no sdk_deviations entry covers `method`)"
        ]
    );
    assert!(r.stderr.contains("FAILED"), "{}", r.stderr);
    assert!(r.stderr.contains("1 unexplained"), "{}", r.stderr);
}

#[test]
fn sdk_diff_fails_on_a_planted_field_level_difference_or_a_stale_item() {
    let dir = spec_copy("sdk-diff-planted");
    let edit = |file: &str, change: &dyn Fn(&mut serde_json::Value)| {
        let path = dir.join(file);
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        change(&mut v);
        std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    };
    // a required flag Node does not have, on a query parameter
    edit("endpoints/faq.search.json", &|v| {
        for p in v["query_params"].as_array_mut().unwrap() {
            if p["name"] == "base64" {
                p["required"] = true.into();
            }
        }
    });
    let args = |d: &Path| {
        vec![
            "sdk-diff".to_string(),
            s(&sdk_reference()).to_string(),
            s(d).to_string(),
            "--node".to_string(),
            s(&node_reference()).to_string(),
        ]
    };
    let a = args(&dir);
    let r = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        unexplained_lines(&r.stdout),
        vec![
            "unexplained: faq.search query.base64: required: SDK `optional`, spec `required` in faq.search query (no sdk_deviations entry covers `required` naming `faq.search query.base64`)"
        ]
    );
    assert!(
        r.stderr
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["required", "210", "15", "14", "1"]),
        "{}",
        r.stderr
    );
    // explained, but by naming an item that differs nowhere as well: stale
    edit("endpoints/faq.search.json", &|v| {
        v["sdk_deviations"].as_array_mut().unwrap().push(serde_json::json!({
            "topic": "base64 required", "sdks": "optional", "spec": "required", "why": "test",
            "covers": ["required"], "sdk_items": ["faq.search query.base64", "faq.search query.query"]
        }));
    });
    let r = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        unexplained_lines(&r.stdout),
        vec![
            "stale: endpoints/faq.search.json: base64 required: `faq.search query.query` explains nothing"
        ]
    );
    assert!(r.stderr.contains("0 unexplained"), "{}", r.stderr);
    assert!(r.stderr.contains("1 stale sdk_items entry"), "{}", r.stderr);
}

#[test]
fn sdk_diff_reports_an_unreadable_or_malformed_reference() {
    let dir = scratch("sdk-diff-bad");
    let r = run(&["sdk-diff", s(&dir.join("absent.json")), s(&spec_dir())]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"endpoints\": [{\"resource\": 1}]}").unwrap();
    let r = run(&["sdk-diff", s(&bad), s(&spec_dir())]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("endpoints[0].resource"), "{}", r.stderr);
    let r = run(&[
        "sdk-diff",
        s(&sdk_reference()),
        s(&spec_dir()),
        "--node",
        s(&bad),
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("bad.json"), "{}", r.stderr);
    let r = run(&["sdk-diff", s(&sdk_reference()), "--node"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}
