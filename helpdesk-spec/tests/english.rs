//! Every text of the spec that reaches rustdoc has English: endpoint and
//! event summaries and descriptions, types, fields, parameters, enum values
//! and error messages. (Example payloads are data, not text; maintainers'
//! notes live in `note`, which never reaches rustdoc.)

use serde_json::Value;
use std::path::Path;

fn walk(v: &Value, pointer: &str, in_errors: bool, in_example: bool, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if !in_example {
                for key in ["summary", "description"] {
                    if let Some(Value::String(s)) = o.get(key) {
                        if !s.trim().is_empty() && !o.contains_key(&format!("{key}_en")) {
                            out.push(format!("{pointer}/{key}"));
                        }
                    }
                }
                if in_errors {
                    if let Some(Value::String(s)) = o.get("message") {
                        if !s.trim().is_empty() && !o.contains_key("message_en") {
                            out.push(format!("{pointer}/message"));
                        }
                    }
                }
            }
            for (k, child) in o {
                let example = in_example || k.starts_with("example");
                let errors = k == "errors" || k == "platform_errors";
                walk(child, &format!("{pointer}/{k}"), errors, example, out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                walk(child, &format!("{pointer}/{i}"), in_errors, in_example, out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_doc_text_has_english() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let files = helpdesk_spec::load::read_dir(&dir).expect("spec readable");
    assert!(files.len() > 50, "only {} spec files", files.len());
    let mut missing = Vec::new();
    for (name, text) in &files {
        let v: Value = serde_json::from_str(text).expect("valid JSON");
        let mut here = Vec::new();
        walk(&v, "", false, false, &mut here);
        missing.extend(here.into_iter().map(|p| format!("{name}: {p}")));
    }
    assert!(
        missing.is_empty(),
        "{} texts have no English (`…_en`):\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn the_walk_sees_a_missing_english_text() {
    let v: Value = serde_json::json!({
        "summary": "查询", "summary_en": "Get",
        "errors": [{"message": "坏", "code": 1}],
        "example_response": {"data": {"description": "示例"}}
    });
    let mut out = Vec::new();
    walk(&v, "", false, false, &mut out);
    assert_eq!(out, ["/errors/0/message"]);
}
