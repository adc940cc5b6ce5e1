//! The spec against the official SDKs' facts (`tests/reference/`: copies of
//! `../shared/ref/helpdesk_v1_python.json` and `helpdesk_v1_node.json`):
//! every SDK endpoint, event, named type field, required flag and enum must
//! match the spec, or a recorded deviation must say why. The comparison
//! itself is tested on altered copies of the references and of the spec, and
//! its counts are checked against the references' own, so a passing run means
//! something.

use helpdesk_spec::spec::DeviationAspect;
use helpdesk_spec::{Spec, check_files};
use helpdesk_tools::sdk_ref::{self, Finding, NodeReference, Reference, Report};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const PYTHON: &str = "helpdesk_v1_python.json";
const NODE: &str = "helpdesk_v1_node.json";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A vendored reference; a missing copy fails the test (never skips it).
fn vendored(name: &str) -> String {
    let path = root().join("tests/reference").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the vendored SDK reference {} is missing: {e}",
            path.display()
        )
    })
}

fn reference_text() -> String {
    vendored(PYTHON)
}

fn python_json() -> Value {
    serde_json::from_str(&vendored(PYTHON)).unwrap()
}

fn node_json() -> Value {
    serde_json::from_str(&vendored(NODE)).unwrap()
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

fn node_of(v: &Value) -> NodeReference {
    sdk_ref::parse_node_reference(&v.to_string()).expect("Node reference parses")
}

fn unexplained(spec: &Spec, r: &Reference) -> Vec<Finding> {
    sdk_ref::compare(spec, r, None)
        .unexplained()
        .cloned()
        .collect()
}

fn full_report(files: &[(String, String)]) -> Report {
    sdk_ref::compare(
        &spec_of(files),
        &reference_of(&python_json()),
        Some(&node_of(&node_json())),
    )
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

/// Edits the spec file `file` as JSON.
fn edit(files: &mut [(String, String)], file: &str, change: impl FnOnce(&mut Value)) {
    let f = files.iter_mut().find(|(n, _)| n == file).expect("file");
    let mut v: Value = serde_json::from_str(&f.1).unwrap();
    change(&mut v);
    f.1 = serde_json::to_string_pretty(&v).unwrap();
}

/// The named type `name` of a types file, to edit.
fn spec_type<'a>(v: &'a mut Value, name: &str) -> &'a mut Value {
    v["types"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("type {name}"))
}

/// The field `name` of a field list, to edit.
fn field<'a>(fields: &'a mut Value, name: &str) -> &'a mut Value {
    fields
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("field {name}"))
}

fn add_deviation(files: &mut [(String, String)], file: &str, deviation: Value) {
    edit(files, file, |v| {
        v.as_object_mut()
            .unwrap()
            .entry("sdk_deviations")
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .unwrap()
            .push(deviation);
    });
}

/// `(item, aspect, sdk, spec, spec_at)` of the unexplained findings, sorted.
fn bad(report: &Report) -> Vec<(String, DeviationAspect, String, String, String)> {
    let mut v: Vec<_> = report
        .unexplained()
        .map(|f| {
            (
                f.item.clone(),
                f.aspect,
                f.sdk.clone(),
                f.spec.clone(),
                f.spec_at.clone(),
            )
        })
        .collect();
    v.sort();
    v
}

fn row(
    item: &str,
    aspect: DeviationAspect,
    sdk: &str,
    spec: &str,
    at: &str,
) -> (String, DeviationAspect, String, String, String) {
    (item.into(), aspect, sdk.into(), spec.into(), at.into())
}

// ------------------------------------------------------------ the real spec

#[test]
fn every_sdk_fact_is_in_the_spec_or_its_difference_is_explained() {
    let report = full_report(&spec_files());
    assert_eq!(report.endpoints, 50);
    assert_eq!(report.events, 4);
    let bad: Vec<String> = report.unexplained().map(Finding::to_string).collect();
    assert!(bad.is_empty(), "unexplained:\n{}", bad.join("\n"));
    assert!(
        report.stale.is_empty(),
        "stale:\n{}",
        report.stale.join("\n")
    );
    assert!(report.spec_only.is_empty(), "{:?}", report.spec_only);
    // the known SDK errors are explained by deviations saying so
    let why = |item: &str, aspect| {
        report
            .findings
            .iter()
            .find(|f| f.item == item && f.aspect == aspect)
            .and_then(|f| f.explained_by.clone())
            .unwrap_or_else(|| panic!("{item} is an explained difference"))
    };
    assert_eq!(
        why("TicketV2.comments", DeviationAspect::Type),
        (
            "endpoints/ticket.get.json".into(),
            "Ticket.comments is a list".into()
        )
    );
    assert_eq!(
        why("TicketV2.dissatisfaction_reason", DeviationAspect::Type).1,
        "dissatisfaction_reason is a list of i18n objects"
    );
}

/// Python `int`/`float`/`boolean`/`string`/`any`, a type name, `[]`.
fn sdk_items_of(v: &Value) -> BTreeSet<String> {
    let mut items = BTreeSet::new();
    for (name, fields) in v["types"].as_object().unwrap() {
        for f in fields.as_array().unwrap() {
            items.insert(format!("{name}.{}", f["name"].as_str().unwrap()));
        }
    }
    for e in v["endpoints"].as_array().unwrap() {
        let id = format!(
            "{}.{}",
            e["resource"].as_str().unwrap(),
            e["method"].as_str().unwrap()
        );
        for (list, owner) in [("path_params", "path"), ("query_params", "query")] {
            for p in e[list].as_array().unwrap() {
                items.insert(format!("{id} {owner}.{}", p["name"].as_str().unwrap()));
            }
        }
    }
    for ev in v["events"].as_array().unwrap() {
        for f in ev["fields"].as_array().unwrap() {
            items.insert(format!(
                "{}.{}",
                ev["event_type"].as_str().unwrap(),
                f["name"].as_str().unwrap()
            ));
        }
    }
    items
}

/// Every Node input as `resource.method kind.a.b`, and those with enum values.
fn node_inputs_of(v: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    fn walk(
        prefix: &str,
        fields: &Value,
        all: &mut BTreeSet<String>,
        enums: &mut BTreeSet<String>,
    ) {
        for f in fields.as_array().into_iter().flatten() {
            let item = format!("{prefix}.{}", f["name"].as_str().unwrap());
            if f.get("enum").is_some_and(|e| !e.is_null()) {
                enums.insert(item.clone());
            }
            walk(&item, &f["fields"], all, enums);
            all.insert(item);
        }
    }
    let (mut all, mut enums) = (BTreeSet::new(), BTreeSet::new());
    for e in v["endpoints"].as_array().unwrap() {
        let id = format!(
            "{}.{}",
            e["resource"].as_str().unwrap(),
            e["method"].as_str().unwrap()
        );
        for (list, kind) in [
            ("path_params", "path"),
            ("query_params", "query"),
            ("body_fields", "body"),
        ] {
            walk(&format!("{id} {kind}"), &e[list], &mut all, &mut enums);
        }
    }
    (all, enums)
}

#[test]
fn the_comparison_covers_every_fact_of_the_references() {
    let py = python_json();
    let node = node_json();
    let report = full_report(&spec_files());
    let compared = |a: DeviationAspect| report.compared.get(&a).cloned().unwrap_or_default();
    for a in [
        DeviationAspect::Path,
        DeviationAspect::Method,
        DeviationAspect::Tokens,
    ] {
        assert_eq!(compared(a).len(), 50, "{}", a.as_str());
    }
    // every named type of the Python SDK met a spec counterpart
    let types: BTreeSet<String> = py["types"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(types.len(), 78);
    assert_eq!(report.sdk_types, types);
    assert_eq!(
        report.type_map["AgentSkillRule"],
        [
            "AgentSkillCreateRule",
            "AgentSkillPatchRule",
            "AgentSkillRule"
        ]
        .map(String::from)
        .into()
    );
    assert_eq!(
        report.type_map["TicketV2"],
        ["Ticket", "TicketListItem"].map(String::from).into()
    );
    // every field of them (and every parameter and event field) was compared
    let items = sdk_items_of(&py);
    assert!(items.len() > 400, "{}", items.len());
    let fields = compared(DeviationAspect::Field);
    let missing: Vec<_> = items.difference(&fields).collect();
    assert!(missing.is_empty(), "never compared: {missing:?}");
    // ... and its wire type, unless the spec has no such field
    let absent: BTreeSet<String> = report
        .findings
        .iter()
        .filter(|f| f.aspect == DeviationAspect::Field && f.spec == "missing")
        .map(|f| f.item.clone())
        .collect();
    let typed = compared(DeviationAspect::Type);
    for item in &items {
        assert!(
            typed.contains(item) || absent.contains(item),
            "type of {item} never compared"
        );
    }
    assert!(types.iter().all(|t| typed.contains(t)));
    // every Node input: its required flag, unless the spec lacks an optional one
    let (inputs, enums) = node_inputs_of(&node);
    assert!(inputs.len() > 150, "{}", inputs.len());
    let required = compared(DeviationAspect::Required);
    let skipped: BTreeSet<String> = report.node_absent.iter().cloned().collect();
    assert_eq!(
        inputs,
        required.union(&skipped).cloned().collect::<BTreeSet<_>>()
    );
    // (server-assigned notification fields and their members, agent_skill_id,
    // editable: each the Python comparison reports as a `field` difference)
    assert!(skipped.len() < 40, "{skipped:?}");
    // every Node enum
    assert_eq!(enums.len(), 6);
    let compared_enums = compared(DeviationAspect::Enum);
    assert!(enums.is_subset(&compared_enums), "{compared_enums:?}");
    for (a, t) in &report.tally {
        assert!(t.compared > 0, "{}", a.as_str());
    }
}

/// The copies in the repository are the shared references, where those exist
/// (a fresh CI clone has only the copies; a missing copy fails).
#[test]
fn the_vendored_references_are_the_shared_ones() {
    for name in [PYTHON, NODE] {
        let copy = vendored(name);
        let shared = root().join("../shared/ref").join(name);
        match std::fs::read_to_string(&shared) {
            Ok(text) => assert!(
                text == copy,
                "tests/reference/{name} differs from {}: copy it again and re-run",
                shared.display()
            ),
            Err(_) => eprintln!("{} is absent: nothing to compare", shared.display()),
        }
    }
}

// -------------------------------------------------- planted differences

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
            // the reply type of the renamed endpoint now has no spec counterpart
            want(
                "ListCategoryResponseBody",
                DeviationAspect::Type,
                "ListCategoryResponseBody",
                "no counterpart"
            ),
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
    let report = sdk_ref::compare(&spec, &reference_of(&v), None);
    assert_eq!(report.spec_only, vec!["category.list".to_string()]);
}

#[test]
fn a_field_or_type_difference_in_the_sdk_types_is_reported_by_name() {
    use DeviationAspect::{Field, Type};
    let spec = spec_of(&spec_files());
    let mut v = python_json();
    let types = v["types"].as_object_mut().unwrap();
    // a wire type: a second timestamp of a FAQ as a string
    for f in types["Faq"].as_array_mut().unwrap() {
        if f["name"] == "update_time" {
            f["type"] = json!("string");
        }
    }
    // a field only the SDK has, one only the spec has, a list vs one object
    types["Richtext"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "style", "type": "string"}));
    types["I18n"]
        .as_array_mut()
        .unwrap()
        .retain(|f| f["name"] != "ja_jp");
    for f in types["AgentSchedule"].as_array_mut().unwrap() {
        if f["name"] == "agent" {
            f["type"] = json!("AgentUser[]");
        }
    }
    // an event field and a query parameter
    for f in v["events"][0]["fields"].as_array_mut().unwrap() {
        if f["name"] == "approve_status" {
            f["type"] = json!("int");
        }
    }
    endpoint(&mut v, "category", "list")["query_params"][2]["type"] = json!("string");
    let report = sdk_ref::compare(&spec, &reference_of(&v), None);
    assert_eq!(
        bad(&report),
        vec![
            row(
                "AgentSchedule.agent",
                Type,
                "AgentUser[]",
                "AgentUser (object)",
                "AgentSchedule"
            ),
            row(
                "Faq.update_time",
                Type,
                "string",
                "timestamp_s (int)",
                "Faq"
            ),
            row("I18n.ja_jp", Field, "missing", "string", "I18n"),
            row("Richtext.style", Field, "string", "missing", "Richtext"),
            row(
                "category.list query.asc",
                Type,
                "string",
                "bool",
                "category.list query"
            ),
            row(
                "helpdesk.notification.approve_v1.approve_status",
                Type,
                "int",
                "NotificationApproveStatus (string)",
                "event helpdesk.notification.approve_v1"
            ),
        ]
    );
}

#[test]
fn planted_differences_in_a_copy_of_the_spec_fail_and_name_the_item() {
    use DeviationAspect::{Enum, Field, Required, Type};
    let mut files = spec_files();
    edit(&mut files, "types/ticket.json", |v| {
        // a wire type: a translation as any JSON
        field(&mut spec_type(v, "I18n")["fields"], "ja_jp")["type"] = json!("json");
        // refinements are not differences: an id as int64_string is still a string
        field(&mut spec_type(v, "TicketTag")["fields"], "id")["type"] = json!("int64_string");
    });
    edit(&mut files, "types/notification.json", |v| {
        // a field the spec has and the SDK does not
        spec_type(v, "NotificationChat")["fields"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "avatar_url", "type": "string"}));
    });
    edit(&mut files, "endpoints/ticket.start_service.json", |v| {
        // a required flag Node does not have
        field(&mut v["request_body"]["fields"], "human_service")["required"] = json!(true);
    });
    edit(&mut files, "types/bot_message.json", |v| {
        // an enum value Node does not have
        spec_type(v, "BotMessageReceiveType")["values"]
            .as_array_mut()
            .unwrap()
            .push(json!({"value": "group", "name": "group"}));
    });
    let report = full_report(&files);
    assert_eq!(
        bad(&report),
        vec![
            row("I18n.ja_jp", Type, "string", "json (any)", "I18n"),
            row(
                "NotificationChat.avatar_url",
                Field,
                "missing",
                "string",
                "NotificationChat"
            ),
            row(
                "bot_message.create body.receive_type",
                Enum,
                "chat, user",
                "BotMessageReceiveType: chat, group, user",
                "bot_message.create request body"
            ),
            row(
                "ticket.start_service body.human_service",
                Required,
                "optional",
                "required",
                "ticket.start_service request body"
            ),
        ]
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
    let line = report
        .unexplained()
        .find(|f| f.item == "I18n.ja_jp")
        .unwrap()
        .to_string();
    assert_eq!(
        line,
        "I18n.ja_jp: type: SDK `string`, spec `json (any)` in I18n (no sdk_deviations entry covers `type` naming `I18n.ja_jp`)"
    );
}

#[test]
fn a_node_difference_in_required_or_enum_is_reported() {
    use DeviationAspect::{Enum, Required};
    let mut node = node_json();
    for e in node["endpoints"].as_array_mut().unwrap() {
        if e["resource"] == "faq" && e["method"] == "search" {
            e["query_params"][1]["required"] = json!(true); // base64
        }
        if e["resource"] == "notification" && e["method"] == "get" {
            e["query_params"][0]["enum"] = json!(["user_id", "open_id"]);
        }
        if e["resource"] == "event" && e["method"] == "subscribe" {
            // a nested input of a named spec type, and one the spec lacks
            let events = &mut e["body_fields"][0]["fields"];
            events[1]["required"] = json!(false);
            events
                .as_array_mut()
                .unwrap()
                .push(json!({"name": "scope", "type": "string", "required": true}));
        }
    }
    let report = sdk_ref::compare(
        &spec_of(&spec_files()),
        &reference_of(&python_json()),
        Some(&node_of(&node)),
    );
    assert_eq!(
        bad(&report),
        vec![
            row(
                "event.subscribe body.events.scope",
                Required,
                "required",
                "missing",
                "HelpdeskEvent"
            ),
            row(
                "event.subscribe body.events.subtype",
                Required,
                "optional",
                "required",
                "HelpdeskEvent"
            ),
            row(
                "faq.search query.base64",
                Required,
                "required",
                "optional",
                "faq.search query"
            ),
            row(
                "notification.get query.user_id_type",
                Enum,
                "open_id, user_id",
                "UserIdType: open_id, union_id, user_id",
                "notification.get query"
            ),
        ]
    );
}

// ---------------------------------------------------------- deviations

#[test]
fn a_deviation_explains_only_what_it_covers() {
    let mut v: Value = serde_json::from_str(&reference_text()).unwrap();
    endpoint(&mut v, "notification", "get")["path"] = json!("/open-apis/helpdesk/v1/push/:id");
    // ticket.get already has a deviation, but it covers `type`, not `tokens`
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
    let report = sdk_ref::compare(&spec, &reference_of(&v), None);
    let explained: Vec<(String, String, String)> = report
        .findings
        .iter()
        .filter(|f| matches!(f.item.as_str(), "notification.get" | "ghost.get"))
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
fn a_field_deviation_explains_only_the_items_it_names_where_it_is() {
    let mut files = spec_files();
    edit(&mut files, "types/notification.json", |v| {
        for t in ["NotificationChat", "NotificationDepartment"] {
            spec_type(v, t)["fields"]
                .as_array_mut()
                .unwrap()
                .push(json!({"name": "size", "type": "int"}));
        }
        // on the type: explains NotificationChat.size, and names a ghost
        spec_type(v, "NotificationChat")["sdk_deviations"] = json!([{
            "topic": "Chat sizes", "sdks": "none", "spec": "size", "why": "test",
            "covers": ["field"], "sdk_items": ["NotificationChat.size", "NotificationChat.ghost"]
        }]);
    });
    // NotificationDepartment.size named in a file the walk to it never passes
    add_deviation(
        &mut files,
        "endpoints/faq.get.json",
        json!({
            "topic": "Wrong place", "sdks": "none", "spec": "size", "why": "test",
            "covers": ["field"], "sdk_items": ["NotificationDepartment.size"]
        }),
    );
    let report = full_report(&files);
    let chat = report
        .findings
        .iter()
        .find(|f| f.item == "NotificationChat.size")
        .unwrap();
    assert_eq!(
        chat.explained_by,
        Some(("types/notification.json".into(), "Chat sizes".into()))
    );
    let bad: Vec<String> = report.unexplained().map(|f| f.item.clone()).collect();
    assert_eq!(bad, vec!["NotificationDepartment.size".to_string()]);
    assert_eq!(
        report.stale,
        vec![
            "endpoints/faq.get.json: Wrong place: `NotificationDepartment.size` explains nothing"
                .to_string(),
            "types/notification.json (NotificationChat): Chat sizes: `NotificationChat.ghost` explains nothing"
                .to_string(),
        ]
    );
}

#[test]
fn itemized_deviations_must_name_items_and_live_where_they_can() {
    let mut files = spec_files();
    add_deviation(
        &mut files,
        "endpoints/faq.get.json",
        json!({"topic": "t", "sdks": "s", "spec": "p", "why": "w", "covers": ["field"]}),
    );
    edit(&mut files, "types/faq.json", |v| {
        spec_type(v, "Richtext")["sdk_deviations"] = json!([{
            "topic": "t", "sdks": "s", "spec": "p", "why": "w",
            "covers": ["path"]
        }]);
    });
    add_deviation(
        &mut files,
        "events/helpdesk.ticket.created_v1.json",
        json!({"topic": "t", "sdks": "s", "spec": "p", "why": "w",
               "covers": ["type"], "sdk_items": ["TicketEvent.x", "TicketEvent.x"]}),
    );
    let e = check_files(&files).unwrap_err().to_string();
    assert!(e.contains("endpoints/faq.get.json"), "{e}");
    assert!(e.contains("name the SDK endpoints"), "{e}");
    assert!(e.contains("can only deviate in `field`"), "{e}");
    assert!(e.contains("`TicketEvent.x` is empty or named twice"), "{e}");
}

#[test]
fn a_malformed_reference_is_an_error_naming_the_location() {
    let e = sdk_ref::parse_reference(r#"{"endpoints": [{"resource": "faq", "method": 3}]}"#)
        .unwrap_err();
    assert!(e.contains("endpoints[0].method"), "{e}");
    assert!(e.contains("line 1"), "{e}");
    let e = sdk_ref::parse_reference("[").unwrap_err();
    assert!(e.contains("EOF"), "{e}");
    let e = sdk_ref::parse_node_reference(
        r#"{"endpoints": [{"resource": "faq", "method": "get", "body_fields": [{"name": 1}]}]}"#,
    )
    .unwrap_err();
    assert!(e.contains("endpoints[0].body_fields[0].name"), "{e}");
}
