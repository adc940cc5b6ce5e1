//! Every field or parameter the spec describes as a timestamp has a
//! timestamp type: `timestamp_ms` (milliseconds in a decimal string),
//! `timestamp_ms_number` (milliseconds as a JSON number) or `timestamp_s`
//! (seconds as a JSON number), or a list of one of them. A description
//! mentions a timestamp when it says 时间戳, "timestamp", 毫秒 or
//! "millisecond" (the pages write "单位毫秒" for instants too); durations
//! (时长, "duration") are not instants and are not checked.

use serde_json::Value;
use std::path::Path;

/// Fields or parameters whose description mentions a timestamp but which are
/// deliberately not a timestamp type, as `file: pointer`. Each entry needs a
/// comment saying why.
const ALLOWED: &[&str] = &[];

const TIMESTAMP_TYPES: &[&str] = &["timestamp_ms", "timestamp_ms_number", "timestamp_s"];

fn mentions_timestamp(text: &str) -> bool {
    let lower = text.to_lowercase();
    let instant = ["时间戳", "timestamp", "毫秒", "millisecond"]
        .iter()
        .any(|w| lower.contains(w));
    let duration = ["时长", "duration"].iter().any(|w| lower.contains(w));
    instant && !duration
}

fn walk(v: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(o) => {
            if let (Some(Value::String(_)), Some(Value::String(ty))) =
                (o.get("name"), o.get("type"))
            {
                let text = ["description", "description_en"]
                    .iter()
                    .filter_map(|k| o.get(*k).and_then(Value::as_str))
                    .collect::<Vec<_>>()
                    .join(" ");
                if mentions_timestamp(&text)
                    && !TIMESTAMP_TYPES.contains(&ty.trim_end_matches("[]"))
                {
                    out.push((pointer.to_string(), ty.clone()));
                }
            }
            for (k, child) in o {
                if k.starts_with("example") {
                    continue;
                }
                walk(child, &format!("{pointer}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                walk(child, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_timestamp_has_a_timestamp_type() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let files = helpdesk_spec::load::read_dir(&dir).expect("spec readable");
    assert!(files.len() > 50, "only {} spec files", files.len());
    let mut wrong = Vec::new();
    for (name, text) in &files {
        let v: Value = serde_json::from_str(text).expect("valid JSON");
        let mut here = Vec::new();
        walk(&v, "", &mut here);
        for (pointer, ty) in here {
            let at = format!("{name}: {pointer}");
            if !ALLOWED.contains(&at.as_str()) {
                wrong.push(format!("{at} is `{ty}`"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} timestamps without a timestamp type (use timestamp_ms, timestamp_ms_number or timestamp_s, or allow-list with a reason):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_walk_sees_an_untyped_timestamp() {
    let v: Value = serde_json::json!({
        "fields": [
            {"name": "a", "type": "int64", "description": "创建时间（毫秒时间戳）"},
            {"name": "b", "type": "timestamp_ms", "description": "更新时间（毫秒时间戳）"},
            {"name": "c", "type": "int", "description_en": "Resolution duration, in milliseconds."},
            {"name": "d", "type": "string", "description_en": "Unix timestamp in seconds."},
            {"name": "e", "type": "timestamp_s[]", "description_en": "Unix timestamps."}
        ],
        "example_request": {"name": "x", "type": "int", "description": "时间戳"}
    });
    let mut out = Vec::new();
    walk(&v, "", &mut out);
    assert_eq!(
        out,
        [
            ("/fields/0".to_string(), "int64".to_string()),
            ("/fields/3".to_string(), "string".to_string())
        ]
    );
}
