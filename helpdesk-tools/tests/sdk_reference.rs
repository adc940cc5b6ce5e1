//! The spec against the official Python SDK's endpoint list
//! (`tests/reference/helpdesk_v1_python.json`, a copy of the facts in
//! `../shared/ref/`): every SDK endpoint must be in `spec/` with the same
//! path, method and token kinds, and every SDK event too, unless a recorded
//! deviation says why. The comparison itself is tested on altered copies of
//! the reference and the spec, so a passing run means something.

use helpdesk_spec::spec::DeviationAspect;
use helpdesk_spec::{Spec, check_files};
use helpdesk_tools::sdk_ref::{self, Finding, Reference};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn reference_text() -> String {
    std::fs::read_to_string(root().join("tests/reference/helpdesk_v1_python.json"))
        .expect("the vendored SDK reference is readable")
}

fn spec_files() -> Vec<(String, String)> {
    helpdesk_spec::load::read_dir(&root().join("spec")).expect("repository spec readable")
}

fn spec_of(files: &[(String, String)]) -> Spec {
    check_files(files).unwrap_or_else(|e| panic!("{e}")).spec
}

fn reference_of(v: &Value) -> Reference {
    sdk_ref::parse_reference(&v.to_string()).expect("reference parses")
}

fn unexplained(spec: &Spec, r: &Reference) -> Vec<Finding> {
    sdk_ref::compare(spec, r).unexplained().cloned().collect()
}

/// The reference endpoint `resource.method`, to edit.
fn endpoint<'a>(v: &'a mut Value, resource: &str, method: &str) -> &'a mut Value {
    v["endpoints"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["resource"] == resource && e["method"] == method)
        .unwrap_or_else(|| panic!("{resource}.{method} is in the reference"))
}

fn add_deviation(files: &mut [(String, String)], file: &str, deviation: Value) {
    let f = files.iter_mut().find(|(n, _)| n == file).expect("file");
    let mut v: Value = serde_json::from_str(&f.1).unwrap();
    let list = v
        .as_object_mut()
        .unwrap()
        .entry("sdk_deviations")
        .or_insert_with(|| json!([]));
    list.as_array_mut().unwrap().push(deviation);
    f.1 = serde_json::to_string_pretty(&v).unwrap();
}

#[test]
fn every_sdk_endpoint_and_event_is_in_the_spec_or_its_difference_is_explained() {
    let spec = spec_of(&spec_files());
    let r = sdk_ref::parse_reference(&reference_text()).unwrap();
    let report = sdk_ref::compare(&spec, &r);
    assert_eq!(report.endpoints, 50);
    assert_eq!(report.events, 4);
    let bad: Vec<String> = report.unexplained().map(Finding::to_string).collect();
    assert!(bad.is_empty(), "unexplained:\n{}", bad.join("\n"));
    assert!(report.spec_only.is_empty(), "{:?}", report.spec_only);
}

/// The copy in the repository is the shared reference, where that exists
/// (a fresh CI clone has only the copy).
#[test]
fn the_vendored_reference_is_the_shared_one() {
    let shared = root().join("../shared/ref/helpdesk_v1_python.json");
    match std::fs::read_to_string(&shared) {
        Ok(text) => assert!(
            text == reference_text(),
            "tests/reference/helpdesk_v1_python.json differs from {}: copy it again and re-run",
            shared.display()
        ),
        Err(_) => eprintln!("{} is absent: nothing to compare", shared.display()),
    }
}

#[test]
fn a_different_path_method_token_kind_or_a_missing_item_is_reported() {
    let spec = spec_of(&spec_files());
    let mut v: Value = serde_json::from_str(&reference_text()).unwrap();
    endpoint(&mut v, "notification", "get")["path"] =
        json!("/open-apis/helpdesk/v1/notification/:notification_id");
    endpoint(&mut v, "faq", "get")["http_method"] = json!("POST");
    endpoint(&mut v, "ticket", "get")["token_types"] = json!(["tenant", "user"]);
    endpoint(&mut v, "category", "list")["method"] = json!("list_all");
    v["events"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "event_type": "helpdesk.ghost.created_v1" }));
    let mut found: Vec<(String, DeviationAspect, String, String)> =
        unexplained(&spec, &reference_of(&v))
            .into_iter()
            .map(|f| (f.item, f.aspect, f.sdk, f.spec))
            .collect();
    found.sort();
    let want = |item: &str, a, sdk: &str, spec: &str| {
        (item.to_string(), a, sdk.to_string(), spec.to_string())
    };
    assert_eq!(
        found,
        vec![
            want(
                "category.list_all",
                DeviationAspect::Endpoint,
                "GET /open-apis/helpdesk/v1/categories",
                "missing"
            ),
            want("faq.get", DeviationAspect::Method, "POST", "GET"),
            want(
                "helpdesk.ghost.created_v1",
                DeviationAspect::Event,
                "helpdesk.ghost.created_v1",
                "missing"
            ),
            want(
                "notification.get",
                DeviationAspect::Path,
                "/open-apis/helpdesk/v1/notification/:notification_id",
                "/open-apis/helpdesk/v1/notifications/:notification_id"
            ),
            want(
                "ticket.get",
                DeviationAspect::Tokens,
                "tenant, user",
                "tenant"
            ),
        ]
    );
    // category.list is now only in the spec
    let report = sdk_ref::compare(&spec, &reference_of(&v));
    assert_eq!(report.spec_only, vec!["category.list".to_string()]);
}

#[test]
fn a_deviation_explains_only_what_it_covers() {
    let mut v: Value = serde_json::from_str(&reference_text()).unwrap();
    endpoint(&mut v, "notification", "get")["path"] = json!("/open-apis/helpdesk/v1/push/:id");
    // ticket.get already has a deviation, but it covers `fields`, not `tokens`
    endpoint(&mut v, "ticket", "get")["token_types"] = json!(["user"]);
    v["endpoints"].as_array_mut().unwrap().push(json!({
        "resource": "ghost", "method": "get", "http_method": "GET",
        "path": "/open-apis/helpdesk/v1/ghosts/:id", "token_types": ["tenant"]
    }));
    let mut files = spec_files();
    add_deviation(
        &mut files,
        "endpoints/notification.get.json",
        json!({
            "topic": "Path renamed", "sdks": "old path", "spec": "new path",
            "why": "test", "covers": ["path"]
        }),
    );
    add_deviation(
        &mut files,
        "service.json",
        json!({
            "topic": "No ghosts", "sdks": "has ghost.get", "spec": "leaves it out",
            "why": "test", "covers": ["endpoint"], "sdk_items": ["ghost.get"]
        }),
    );
    let spec = spec_of(&files);
    let report = sdk_ref::compare(&spec, &reference_of(&v));
    let explained: Vec<(String, String, String)> = report
        .findings
        .iter()
        .filter_map(|f| {
            f.explained_by
                .as_ref()
                .map(|(file, topic)| (f.item.clone(), file.clone(), topic.clone()))
        })
        .collect();
    assert_eq!(
        explained,
        vec![
            (
                "notification.get".to_string(),
                "endpoints/notification.get.json".to_string(),
                "Path renamed".to_string()
            ),
            (
                "ghost.get".to_string(),
                "service.json".to_string(),
                "No ghosts".to_string()
            ),
        ]
    );
    let bad: Vec<String> = report.unexplained().map(|f| f.to_string()).collect();
    assert_eq!(
        bad,
        vec![
            "ticket.get: tokens: SDK `user`, spec `tenant` (no sdk_deviations entry covers `tokens`)"
                .to_string()
        ]
    );
}

#[test]
fn a_malformed_reference_is_an_error_naming_the_location() {
    let e = sdk_ref::parse_reference(r#"{"endpoints": [{"resource": "faq", "method": 3}]}"#)
        .unwrap_err();
    assert!(e.contains("endpoints[0].method"), "{e}");
    assert!(e.contains("line 1"), "{e}");
    let e = sdk_ref::parse_reference("[").unwrap_err();
    assert!(e.contains("EOF"), "{e}");
}
