//! `helpdesk-spec import PAGE --into SPEC_DIR`: for each of the 50 endpoint
//! pages, a copy of the repository spec without that endpoint gets it back
//! from the page; the id must be the spec's for all 50, and the count of
//! copies that pass `check` untouched must not fall below what it is.

use assert_cmd::Command;
use helpdesk_tools::into::{Known, rule_id};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("helpdesk-spec-into")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// A checkout-like copy: `D/spec` and `D/tests/reference` (the SDK facts the
/// naming reads by default).
fn spec_copy(name: &str) -> PathBuf {
    let d = scratch(name);
    copy_dir(&root().join("../spec"), &d.join("spec"));
    copy_dir(
        &root().join("../tests/reference"),
        &d.join("tests/reference"),
    );
    d.join("spec")
}

fn endpoint_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(root().join("../spec/endpoints"))
        .unwrap()
        .flatten()
        .map(|e| e.path().file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    assert_eq!(ids.len(), 50);
    ids
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Pages that pass check untouched today: all 50 (faq.search, whose reply
/// example carries `page_size` and `total` that its reply table does not
/// list, passes since fields shown only by an example are drafted from it).
const PASS_FLOOR: usize = 50;

#[test]
fn every_endpoint_page_goes_back_into_the_spec_under_its_id() {
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    for id in endpoint_ids() {
        let spec = spec_copy(&id);
        std::fs::remove_file(spec.join(format!("endpoints/{id}.json"))).unwrap();
        // the page under another name: the id must come from the route
        let page = spec.join("../page.md");
        std::fs::copy(root().join(format!("tests/pages/docs/{id}.md")), &page).unwrap();
        let out = Command::cargo_bin("helpdesk-spec")
            .unwrap()
            .args([
                "import",
                page.to_str().unwrap(),
                "--into",
                spec.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{id}: {stderr}");
        assert!(
            stderr.contains(&format!("endpoint id {id} (")),
            "{id}: wrong id:\n{stderr}"
        );
        let file = spec.join(format!("endpoints/{id}.json"));
        assert!(file.is_file(), "{id}: not written:\n{stderr}");
        let ep = json(&file);
        assert_eq!(
            format!(
                "{}.{}",
                ep["resource"].as_str().unwrap(),
                ep["operation"].as_str().unwrap()
            ),
            id
        );
        let checked = helpdesk_spec::check_dir(&spec);
        assert_eq!(
            checked.is_ok(),
            out.status.code() == Some(0),
            "{id}: the exit code says what check says:\n{stderr}"
        );
        if checked.is_ok() {
            passed.push(id);
        } else {
            failed.push(id);
        }
    }
    eprintln!(
        "import --into: {} of 50 pass check untouched; failing: {failed:?}",
        passed.len()
    );
    assert!(
        passed.len() >= PASS_FLOOR,
        "only {} pass (floor {PASS_FLOOR}); failing: {failed:?}",
        passed.len()
    );
}

#[test]
fn types_the_spec_has_are_reused_and_new_names_never_clash() {
    let spec = spec_copy("reuse");
    std::fs::remove_file(spec.join("endpoints/ticket.get.json")).unwrap();
    let before = std::fs::read_dir(spec.join("types")).unwrap().count();
    let out = Command::cargo_bin("helpdesk-spec")
        .unwrap()
        .args([
            "import",
            root()
                .join("tests/pages/docs/ticket.get.md")
                .to_str()
                .unwrap(),
            "--into",
            spec.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for reused in [
        "reused type TicketUser for the page's TicketUser",
        "reused type I18n for the page's I18n",
        "reused type TicketComment for the page's Comments",
        "reused type TicketStatus for the page's Status",
    ] {
        assert!(stderr.contains(reused), "{reused}: {stderr}");
    }
    // the page's ticket shows one comment object where the spec's `Ticket`
    // has a list (Python SDK issue #91), so it is not a subset: a new type,
    // under a name the spec does not use, referring to the reused ones
    let types = json(&spec.join("types/ticket.get.json"));
    let new: Vec<&str> = types["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        !new.contains(&"Ticket") && !new.contains(&"TicketUser"),
        "{new:?}"
    );
    let ep = json(&spec.join("endpoints/ticket.get.json"));
    let ticket_ty = ep["response"]["fields"][0]["type"].as_str().unwrap();
    assert!(new.contains(&ticket_ty), "{ticket_ty} in {new:?}");
    let text = serde_json::to_string(&types).unwrap();
    assert!(text.contains("\"TicketUser\"") && text.contains("\"TicketStatus\""));
    let after = std::fs::read_dir(spec.join("types")).unwrap().count();
    assert_eq!(after, before + 1);
    assert!(helpdesk_spec::check_dir(&spec).is_ok());
}

#[test]
fn an_endpoint_already_in_the_spec_keeps_its_error_names() {
    let spec = spec_copy("reimport");
    let file = spec.join("endpoints/notification.get.json");
    let mut old = json(&file);
    // a maintainer's own names, which the importer would not guess
    for e in old["errors"].as_array_mut().unwrap() {
        e["name"] = serde_json::json!(format!("kept_{}", e["code"]));
    }
    std::fs::write(&file, serde_json::to_string_pretty(&old).unwrap()).unwrap();
    let out = Command::cargo_bin("helpdesk-spec")
        .unwrap()
        .args([
            "import",
            root()
                .join("tests/pages/docs/notification.get.md")
                .to_str()
                .unwrap(),
            "--into",
            spec.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("endpoint id notification.get (the spec's"),
        "{stderr}"
    );
    let new = json(&file);
    let names = |v: &serde_json::Value| -> Vec<String> {
        v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&new), names(&old), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

/// The path rule alone (no SDK facts, the spec without the endpoint):
/// right for 45 of 50. The five it cannot name are those the SDK files under
/// another resource than their path's: `GET /agent_emails` (agent),
/// `POST /message` (bot_message), `GET /customized_fields`, `POST
/// /start_service`, `GET /ticket_images` (ticket).
#[test]
fn the_path_rule_alone_names_45_of_50() {
    let mut known = Vec::new();
    for id in endpoint_ids() {
        let v = json(&root().join(format!("../spec/endpoints/{id}.json")));
        known.push(Known {
            resource: v["resource"].as_str().unwrap().into(),
            operation: v["operation"].as_str().unwrap().into(),
            method: v["method"].as_str().unwrap().into(),
            path: v["path"].as_str().unwrap().into(),
        });
    }
    let mut wrong = Vec::new();
    for (i, k) in known.iter().enumerate() {
        let others: Vec<Known> = known
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, o)| o.clone())
            .collect();
        let want = format!("{}.{}", k.resource, k.operation);
        let got = rule_id(&k.method, &k.path, &others);
        if got.as_deref() != Some(want.as_str()) {
            wrong.push(want);
        }
    }
    assert_eq!(
        wrong,
        [
            "agent.agent_email",
            "bot_message.create",
            "ticket.customized_fields",
            "ticket.start_service",
            "ticket.ticket_image"
        ]
    );
}
