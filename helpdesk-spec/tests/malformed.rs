//! Malformed specs: each gives a located error (file, line:col, JSON pointer)
//! with a message that says what is wrong; none panics.

use helpdesk_spec::{Diagnostic, Severity, check_files};
use serde_json::Value;
use std::path::Path;

fn base() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    helpdesk_spec::load::read_dir(&dir).expect("repository spec readable")
}

const EP: &str = "endpoints/notification.get.json";
const NT: &str = "types/notification.json";

fn edit_text(files: &mut [(String, String)], file: &str, from: &str, to: &str) {
    let f = files
        .iter_mut()
        .find(|(n, _)| n == file)
        .expect("file exists");
    assert!(f.1.contains(from), "{from:?} not in {file}");
    f.1 = f.1.replacen(from, to, 1);
}

fn edit_json(files: &mut [(String, String)], file: &str, edit: impl FnOnce(&mut Value)) {
    let f = files
        .iter_mut()
        .find(|(n, _)| n == file)
        .expect("file exists");
    let mut v: Value = serde_json::from_str(&f.1).unwrap();
    edit(&mut v);
    f.1 = serde_json::to_string_pretty(&v).unwrap();
}

/// The 1-based line of `needle` in `file` (counted here, not by the loader).
fn line_of(files: &[(String, String)], file: &str, needle: &str) -> usize {
    let text = &files
        .iter()
        .find(|(n, _)| n == file)
        .expect("file exists")
        .1;
    let at = text.find(needle).expect("needle in file");
    text[..at].matches('\n').count() + 1
}

fn errors(files: &[(String, String)]) -> Vec<Diagnostic> {
    match check_files(files) {
        Ok(_) => panic!("the spec should be rejected"),
        Err(e) => e
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect(),
    }
}

/// Asserts one error names `file`, `pointer` and contains `msg`, with a real line:col.
fn assert_error(files: &[(String, String)], file: &str, pointer: &str, msg: &str) -> Diagnostic {
    let errs = errors(files);
    let found = errs
        .iter()
        .find(|d| d.file == file && d.pointer == pointer && d.message.contains(msg));
    match found {
        Some(d) => {
            assert!(d.line > 0 && d.column > 0, "no position in {d}");
            let shown = d.to_string();
            assert!(
                shown.starts_with(&format!("{file}:{}:{}: error: ", d.line, d.column)),
                "{shown}"
            );
            d.clone()
        }
        None => panic!(
            "no error in {file} at {pointer:?} containing {msg:?}; got:\n{}",
            errs.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

#[test]
fn the_repository_spec_is_valid() {
    check_files(&base()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn syntax_error_is_located() {
    let mut f = base();
    let line = line_of(&f, EP, "\"method\": \"GET\"");
    edit_text(&mut f, EP, "\"method\": \"GET\",", "\"method\": \"GET\",,");
    let d = assert_error(&f, EP, "", "key must be a string");
    assert_eq!(d.line, line, "{d}");
}

#[test]
fn unknown_key_is_a_typo_error() {
    let mut f = base();
    let line = line_of(&f, EP, "\"method\": \"GET\"");
    edit_text(&mut f, EP, "\"method\": \"GET\"", "\"metod\": \"GET\"");
    let d = assert_error(&f, EP, "/metod", "unknown field `metod`");
    assert_eq!(d.line, line);
}

#[test]
fn wrong_json_type_names_the_path() {
    let mut f = base();
    edit_json(&mut f, NT, |v| {
        v["types"][0]["fields"][1]["required"] = Value::from("yes")
    });
    assert_error(
        &f,
        NT,
        "/types/0/fields/1/required",
        "invalid type: string \"yes\", expected a boolean",
    );
}

#[test]
fn unknown_type_reference() {
    let mut f = base();
    edit_json(&mut f, NT, |v| {
        v["types"][0]["fields"][3]["type"] = Value::from("NotificationUsr")
    });
    assert_error(
        &f,
        NT,
        "/types/0/fields/3/type",
        "unknown type `NotificationUsr`",
    );
}

#[test]
fn malformed_type_expression() {
    let mut f = base();
    edit_json(&mut f, NT, |v| {
        v["types"][0]["fields"][3]["type"] = Value::from("notification_user")
    });
    assert_error(
        &f,
        NT,
        "/types/0/fields/3/type",
        "`notification_user` is not a type",
    );
}

#[test]
fn type_declared_twice_across_files() {
    let mut f = base();
    edit_json(&mut f, "types/common.json", |v| {
        let dup = serde_json::json!({"name": "PushType", "kind": "enum", "repr": "int", "description": "dup",
            "values": [{"value": 0, "name": "zero", "description": "zero"}]});
        v["types"].as_array_mut().unwrap().push(dup);
    });
    let errs = errors(&f);
    assert!(
        errs.iter().any(|d| d
            .message
            .contains("type `PushType` is declared twice (first in")),
        "{errs:?}"
    );
}

#[test]
fn path_param_missing_from_template() {
    let mut f = base();
    edit_json(&mut f, EP, |v| {
        v["path"] = Value::from("/open-apis/helpdesk/v1/notifications")
    });
    assert_error(
        &f,
        EP,
        "/path_params/0/name",
        "path parameter `notification_id` does not appear in the path",
    );
}

#[test]
fn template_param_not_declared() {
    let mut f = base();
    edit_json(&mut f, EP, |v| {
        v["path"] = Value::from("/open-apis/helpdesk/v1/notifications/:notification_id/:other")
    });
    assert_error(
        &f,
        EP,
        "/path",
        "uses `:other`, which path_params does not declare",
    );
}

#[test]
fn enum_value_listed_twice() {
    let mut f = base();
    edit_json(&mut f, NT, |v| {
        v["types"][5]["values"][1]["value"] = Value::from(0)
    });
    assert_error(
        &f,
        NT,
        "/types/5/values/1/value",
        "enum value 0 is listed twice",
    );
}

#[test]
fn enum_value_of_the_wrong_repr() {
    let mut f = base();
    edit_json(&mut f, NT, |v| {
        v["types"][4]["values"][0]["value"] = Value::from("zero")
    });
    assert_error(
        &f,
        NT,
        "/types/4/values/0/value",
        "is not an integer as `repr` says",
    );
}

#[test]
fn error_code_listed_twice() {
    let mut f = base();
    edit_json(&mut f, EP, |v| v["errors"][1]["code"] = Value::from(154000));
    assert_error(
        &f,
        EP,
        "/errors/1/code",
        "error code 154000 is listed twice",
    );
}

#[test]
fn example_value_of_the_wrong_type() {
    let mut f = base();
    edit_json(&mut f, EP, |v| {
        v["example_response"]["data"]["notification"]["push_type"] = Value::from("zero")
    });
    assert_error(
        &f,
        EP,
        "/example_response/data/notification/push_type",
        "expected one of the values of `PushType`, found \"zero\"",
    );
}

#[test]
fn example_missing_a_required_field() {
    let mut f = base();
    edit_json(&mut f, EP, |v| {
        v["example_response"]["data"]["notification"]
            .as_object_mut()
            .unwrap()
            .remove("job_name");
    });
    assert_error(
        &f,
        EP,
        "/example_response/data/notification",
        "required field `job_name` is missing",
    );
}

#[test]
fn example_with_an_undeclared_field() {
    let mut f = base();
    edit_json(&mut f, EP, |v| {
        v["example_response"]["data"]["notification"]["colour"] = Value::from("red")
    });
    assert_error(
        &f,
        EP,
        "/example_response/data/notification/colour",
        "field `colour` is not declared",
    );
}

#[test]
fn timestamp_example_that_is_not_a_number() {
    let mut f = base();
    edit_json(&mut f, EP, |v| {
        v["example_response"]["data"]["notification"]["created_at"] = Value::from("yesterday")
    });
    assert_error(
        &f,
        EP,
        "/example_response/data/notification/created_at",
        "expected an integer in a decimal string",
    );
}

/// `timestamp_s` (FAQ times) is a JSON integer of seconds: the pages'
/// examples (`1596379008`) pass, a decimal string does not.
#[test]
fn second_timestamp_example_must_be_a_json_integer() {
    // the repository spec (FAQ examples included) checks clean
    assert!(check_files(&base()).is_ok());
    let mut f = base();
    edit_json(&mut f, "endpoints/faq.get.json", |v| {
        v["example_response"]["data"]["faq"]["create_time"] = Value::from("1596379008")
    });
    assert_error(
        &f,
        "endpoints/faq.get.json",
        "/example_response/data/faq/create_time",
        "expected an integer",
    );
}

#[test]
fn auth_without_tokens() {
    let mut f = base();
    edit_json(&mut f, EP, |v| v["auth"]["tokens"] = serde_json::json!([]));
    assert_error(
        &f,
        EP,
        "/auth/tokens",
        "auth must accept at least one token kind",
    );
}

#[test]
fn unknown_token_kind() {
    let mut f = base();
    edit_json(&mut f, EP, |v| {
        v["auth"]["tokens"] = serde_json::json!(["robot_token"])
    });
    assert_error(&f, EP, "/auth/tokens/0", "unknown variant `robot_token`");
}

#[test]
fn object_type_without_fields() {
    let mut f = base();
    edit_json(&mut f, NT, |v| {
        v["types"][1].as_object_mut().unwrap().remove("fields");
    });
    assert_error(
        &f,
        NT,
        "/types/1",
        "object type `NotificationUser` needs `fields`",
    );
}

#[test]
fn default_outside_the_enum() {
    let mut f = base();
    edit_json(&mut f, EP, |v| {
        v["query_params"][0]["default"] = Value::from("email")
    });
    assert_error(
        &f,
        EP,
        "/query_params/0/default",
        "expected one of the values of `UserIdType`",
    );
}

#[test]
fn invalid_http_method() {
    let mut f = base();
    edit_json(&mut f, EP, |v| v["method"] = Value::from("FETCH"));
    assert_error(&f, EP, "/method", "unknown variant `FETCH`");
}

#[test]
fn field_scope_condition_on_an_unknown_param() {
    let mut f = base();
    edit_json(&mut f, EP, |v| {
        v["field_scopes"][0]["when"]["param"] = Value::from("id_type")
    });
    assert_error(
        &f,
        EP,
        "/field_scopes/0/when/param",
        "`id_type` is not a query parameter",
    );
}

#[test]
fn endpoint_declared_twice() {
    let mut f = base();
    let ep = f.iter().find(|(n, _)| n == EP).unwrap().1.clone();
    f.push(("endpoints/notification.get2.json".into(), ep));
    let errs = errors(&f);
    assert!(
        errs.iter().any(|d| d
            .message
            .contains("endpoint notification.get is declared twice")),
        "{errs:?}"
    );
}

#[test]
fn missing_service_file() {
    let f: Vec<_> = base()
        .into_iter()
        .filter(|(n, _)| n != "service.json")
        .collect();
    let errs = errors(&f);
    assert!(
        errs.iter()
            .any(|d| d.message == "the spec has no service.json"),
        "{errs:?}"
    );
}

#[test]
fn trailing_garbage_after_the_document() {
    let mut f = base();
    let t = f.iter_mut().find(|(n, _)| n == EP).unwrap();
    t.1.push_str("\n{}");
    assert_error(&f, EP, "", "trailing characters");
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    let mut f = base();
    let t = f.iter_mut().find(|(n, _)| n == EP).unwrap();
    t.1 = format!(
        "{{\"example_response\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let errs = errors(&f);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].message.contains("recursion limit exceeded"),
        "{}",
        errs[0]
    );
    assert!(
        errs[0].pointer.starts_with("/example_response/0/0/0"),
        "{}",
        errs[0]
    );
    assert_eq!((errs[0].line, errs[0].column), (1, 148));
}

#[test]
fn all_errors_are_reported_at_once() {
    let mut f = base();
    edit_json(&mut f, EP, |v| v["errors"][1]["code"] = Value::from(154000));
    edit_json(&mut f, NT, |v| {
        v["types"][0]["fields"][3]["type"] = Value::from("Nope")
    });
    edit_text(
        &mut f,
        "types/common.json",
        "\"repr\": \"string\"",
        "\"repr\": \"str\"",
    );
    let errs = errors(&f);
    // the parse error of common.json stops validation, so two rounds: parse errors first
    assert!(
        errs.iter().any(|d| d.file == "types/common.json"),
        "{errs:?}"
    );
    let mut f2 = base();
    edit_json(&mut f2, EP, |v| {
        v["errors"][1]["code"] = Value::from(154000)
    });
    edit_json(&mut f2, NT, |v| {
        v["types"][0]["fields"][3]["type"] = Value::from("Nope")
    });
    edit_json(&mut f2, EP, |v| v["auth"]["tokens"] = serde_json::json!([]));
    let errs = errors(&f2);
    let files: std::collections::BTreeSet<_> = errs.iter().map(|d| d.file.as_str()).collect();
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert_eq!(files.len(), 2);
}

#[test]
fn garbage_inputs_never_panic() {
    let inputs = [
        "",
        "null",
        "[]",
        "{",
        "\"str\"",
        "{\"types\": 5}",
        "{\"resource\": {}}",
        "\u{0}\u{1}",
        "1e999999",
    ];
    for name in ["service.json", NT, EP] {
        for input in inputs {
            let mut f = base();
            f.iter_mut().find(|(n, _)| n == name).unwrap().1 = input.to_string();
            let errs = errors(&f);
            assert!(errs.iter().all(|d| d.file == name), "{errs:?}");
        }
    }
}

#[test]
fn type_names_no_longer_clash_with_generated_or_runtime_names() {
    // Spec types live in `helpdesk_api::types`, endpoint types in their
    // resource's module: a type named like either is not a clash any more.
    for name in ["NotificationGetResponse", "Client", "GetRequest"] {
        let mut f = base();
        let old = {
            let text = &f.iter().find(|(n, _)| n == NT).unwrap().1;
            let v: Value = serde_json::from_str(text).unwrap();
            v["types"][1]["name"].as_str().unwrap().to_string()
        };
        for (file, text) in f.iter_mut() {
            if file.ends_with(".json") {
                *text = text.replace(&format!("\"{old}\""), &format!("\"{name}\""));
                *text = text.replace(&format!("\"{old}[]\""), &format!("\"{name}[]\""));
            }
        }
        check_files(&f).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn an_sdk_endpoint_left_out_is_recorded_in_service_json_naming_it() {
    let mut f = base();
    edit_json(&mut f, EP, |v| {
        v["sdk_deviations"] = serde_json::json!([{
            "topic": "t", "sdks": "s", "spec": "p", "why": "w",
            "covers": ["endpoint"], "sdk_items": ["faq.ghost"]
        }]);
    });
    assert_error(&f, EP, "/sdk_deviations/0/covers", "belong in service.json");
    let mut f = base();
    let mut at = 0;
    edit_json(&mut f, "service.json", |v| {
        let list = v["sdk_deviations"].as_array_mut().unwrap();
        at = list.len();
        list.push(serde_json::json!({
            "topic": "t", "sdks": "s", "spec": "p", "why": "w", "covers": ["event"]
        }));
    });
    assert_error(
        &f,
        "service.json",
        &format!("/sdk_deviations/{at}/sdk_items"),
        "name the SDK endpoints",
    );
}

#[test]
fn unknown_deviation_aspects_and_stray_sdk_items_are_refused() {
    let mut f = base();
    edit_json(&mut f, EP, |v| {
        v["sdk_deviations"] = serde_json::json!([{
            "topic": "t", "sdks": "s", "spec": "p", "why": "w", "covers": ["colour"]
        }]);
    });
    assert_error(
        &f,
        EP,
        "/sdk_deviations/0/covers/0",
        "unknown variant `colour`",
    );
    let mut f = base();
    edit_json(&mut f, EP, |v| {
        v["sdk_deviations"] = serde_json::json!([{
            "topic": "t", "sdks": "s", "spec": "p", "why": "w",
            "covers": ["path"], "sdk_items": ["faq.get"]
        }]);
    });
    assert_error(
        &f,
        EP,
        "/sdk_deviations/0/sdk_items",
        "only for deviations that cover",
    );
}

#[test]
fn doc_deviations_need_a_reason_and_fact_keys() {
    let mut f = base();
    edit_json(&mut f, EP, |v| {
        v["doc_deviations"] = serde_json::json!([
            {"facts": ["body/x*"], "reason": "  "},
            {"facts": ["colour/x", "*.email*"], "reason": "r"},
            {"facts": [], "reason": "r"}
        ]);
    });
    assert_error(&f, EP, "/doc_deviations/0/reason", "say why");
    assert_error(
        &f,
        EP,
        "/doc_deviations/1/facts/0",
        "must start with one of",
    );
    assert_error(&f, EP, "/doc_deviations/2/facts", "at least one");
    let errs = errors(&f);
    assert!(
        !errs
            .iter()
            .any(|d| d.pointer == "/doc_deviations/1/facts/1"),
        "a leading `*` is allowed: {errs:?}"
    );
}

// ---- names the generated code would clash on (each used to pass `check`
// and then fail in rustc) ----

fn add_query_param(files: &mut [(String, String)], file: &str, name: &str, required: bool) {
    edit_json(files, file, |v| {
        v["query_params"]
            .as_array_mut()
            .expect("query_params")
            .push(serde_json::json!({
                "name": name, "type": "string", "required": required, "description": "added by a test"
            }));
    });
}

fn add_body_field(files: &mut [(String, String)], file: &str, name: &str, required: bool) {
    edit_json(files, file, |v| {
        v["request_body"]["fields"]
            .as_array_mut()
            .expect("request_body.fields")
            .push(serde_json::json!({
                "name": name, "type": "string", "required": required, "description": "added by a test"
            }));
    });
}

#[test]
fn query_params_named_like_builder_methods_are_rejected() {
    for name in helpdesk_spec::names::REQUEST_METHODS {
        let mut f = base();
        add_query_param(&mut f, EP, name, false);
        let d = assert_error(&f, EP, "/query_params/1/name", "clashes with");
        assert!(d.message.contains(&format!("`{name}`")), "{d}");
    }
}

#[test]
fn query_params_named_like_builder_fields_are_rejected() {
    for name in helpdesk_spec::names::REQUEST_FIELDS {
        let mut f = base();
        add_query_param(&mut f, EP, name, true);
        assert_error(
            &f,
            EP,
            "/query_params/1/name",
            "request builder's own field",
        );
    }
}

#[test]
fn paging_method_names_are_reserved_on_list_endpoints_only() {
    let list = "endpoints/faq.list.json";
    let mut f = base();
    add_query_param(&mut f, list, "items", false);
    let errs = errors(&f);
    assert!(
        errs.iter()
            .any(|d| d.file == list && d.message.contains("`items`")),
        "{errs:?}"
    );
    // On an endpoint without paging `items` is an ordinary setter name.
    let mut f = base();
    add_query_param(&mut f, EP, "items", false);
    check_files(&f).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_list_adder_clashing_with_another_param_is_rejected() {
    let list = "endpoints/ticket.list.json";
    let mut f = base();
    // ticket.list has the list parameter `status_list`: its adder is `add_status_list`.
    add_query_param(&mut f, list, "add_status_list", false);
    let errs = errors(&f);
    assert!(
        errs.iter().any(|d| d.file == list
            && d.message.contains("`add_status_list`")
            && d.message.contains("clashes")),
        "{errs:?}"
    );
}

#[test]
fn body_fields_named_like_builder_members_are_renamed_not_rejected() {
    // `timeout` in a body becomes the setter `body_timeout`: it compiles.
    let ep = "endpoints/agent.patch.json";
    let mut f = base();
    add_body_field(&mut f, ep, "timeout", false);
    check_files(&f).unwrap_or_else(|e| panic!("{e}"));
    // ... unless `body_timeout` is taken too.
    add_body_field(&mut f, ep, "body_timeout", false);
    assert_error(&f, ep, "/request_body/fields/2/name", "`body_timeout`");
}

#[test]
fn two_wire_names_with_one_rust_field_are_rejected() {
    let mut f = base();
    edit_json(&mut f, NT, |v| {
        v["types"][0]["fields"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"name": "jobName", "type": "string", "description": "x"}));
    });
    let errs = errors(&f);
    assert!(
        errs.iter()
            .any(|d| d.message.contains("both become the Rust field `job_name`")),
        "{errs:?}"
    );
}

#[test]
fn resources_named_like_the_runtime_modules_are_rejected() {
    for name in ["types", "events", "runtime", "redis_store"] {
        let mut f = base();
        edit_json(&mut f, EP, |v| v["resource"] = Value::from(name));
        let errs = errors(&f);
        assert!(
            errs.iter().any(|d| d.file == EP
                && d.pointer == "/resource"
                && d.message.contains("which the runtime already has")),
            "{name}: {errs:?}"
        );
    }
}

#[test]
fn a_resource_named_like_a_client_method_is_rejected() {
    let mut f = base();
    edit_json(&mut f, EP, |v| v["resource"] = Value::from("builder"));
    // the file name no longer matches (a warning); the clash is an error
    let errs = errors(&f);
    assert!(
        errs.iter()
            .any(|d| d.pointer == "/resource" && d.message.contains("client method `builder()`")),
        "{errs:?}"
    );
}

#[test]
fn enum_values_whose_variants_collide_are_rejected() {
    let file = "types/common.json";
    let mut f = base();
    // `x_1` and `x1` both become `X1`.
    edit_json(&mut f, file, |v| {
        let t = v["types"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|t| t["kind"] == "enum" && t["repr"] == "string")
            .expect("a string enum");
        let values = t["values"].as_array_mut().unwrap();
        values.push(serde_json::json!({"value": "zz_a", "name": "x_1", "description": "a"}));
        values.push(serde_json::json!({"value": "zz_b", "name": "x1", "description": "b"}));
    });
    let errs = errors(&f);
    assert!(
        errs.iter()
            .any(|d| d.message.contains("both become the variant `X1`")),
        "{errs:?}"
    );
}

#[test]
fn a_type_holding_itself_by_value_is_rejected() {
    let mut f = base();
    edit_json(&mut f, NT, |v| {
        let name = v["types"][0]["name"].as_str().unwrap().to_string();
        v["types"][0]["fields"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"name": "parent", "type": name, "description": "x"}));
    });
    let errs = errors(&f);
    assert!(
        errs.iter()
            .any(|d| d.file == NT && d.message.contains("infinite size")),
        "{errs:?}"
    );
    // Through a list it is fine.
    let mut f = base();
    edit_json(&mut f, NT, |v| {
        let name = v["types"][0]["name"].as_str().unwrap().to_string();
        v["types"][0]["fields"].as_array_mut().unwrap().push(
            serde_json::json!({"name": "children", "type": format!("{name}[]"), "description": "x"}),
        );
    });
    check_files(&f).unwrap_or_else(|e| panic!("{e}"));
}
