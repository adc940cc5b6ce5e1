//! `spec/schema.json` is a real JSON Schema (draft 2020-12) and every spec
//! file validates against it. Checked with the Python `jsonschema` package
//! (installed by `.ci/run`), an implementation independent of our loader.

use std::path::Path;
use std::process::Command;

#[test]
fn every_spec_file_validates_against_schema_json() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let script = r#"
import glob, json, os, sys
import jsonschema
root = sys.argv[1]
schema = json.load(open(os.path.join(root, "schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
files = ["service.json"] + sorted(glob.glob("types/*.json", root_dir=root)) + sorted(glob.glob("endpoints/*.json", root_dir=root)) + sorted(glob.glob("events/*.json", root_dir=root))
bad = 0
for f in files:
    doc = json.load(open(os.path.join(root, f)))
    if doc.get("$schema") not in ("./schema.json", "../schema.json"):
        print(f"{f}: $schema does not point at schema.json"); bad += 1
    for e in v.iter_errors(doc):
        print(f"{f}: {'/'.join(map(str, e.absolute_path))}: {e.message}"); bad += 1
print(f"checked {len(files)} files")
sys.exit(1 if bad else 0)
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&spec)
        .output()
        .expect("python3 runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !text.contains("No module named 'jsonschema'"),
        "the Python package jsonschema is missing: pip install jsonschema (.ci/run does)"
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("checked "), "{text}");
}

#[test]
fn schema_rejects_a_typo() {
    // The schema is not vacuous: an unknown key in an endpoint file fails it.
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let script = r#"
import json, os, sys
import jsonschema
root = sys.argv[1]
schema = json.load(open(os.path.join(root, "schema.json")))
doc = json.load(open(os.path.join(root, "endpoints/notification.get.json")))
doc["metod"] = doc.pop("method")
errs = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))
sys.exit(0 if errs else 1)
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&spec)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
