//! `helpdesk-spec conform`: the doc pages against the spec, fact by fact.

mod common;

use assert_cmd::Command;
use common::figures;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("helpdesk-spec-conform")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = Command::cargo_bin("helpdesk-spec")
        .unwrap()
        .current_dir(root())
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The vendored pages against the repository spec: every difference is
/// explained by a deviation the spec records, none of which is stale, so
/// the run passes; with the recorded deviations aside, recall and precision
/// are at least 98% and 99% in every category. The raw figures (deviations
/// counted as differences) have floors too, a little below what the
/// importer achieves today (see the closing note of issue 14), so that a
/// regression fails and recording deviations cannot stand in for reading.
#[test]
fn conform_over_the_vendored_pages_computes_the_figures() {
    let docs = root().join("tests/pages/docs");
    let spec = root().join("../spec");
    let r = run(&["conform", s(&docs), "--spec", s(&spec)]);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let unexplained = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("unexplained: "))
        .count();
    let explained = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("explained: "))
        .count();
    assert_eq!(
        unexplained + explained,
        r.stdout.lines().count(),
        "{}",
        r.stdout
    );
    assert_eq!(
        (unexplained, r.code),
        (0, 0),
        "every difference between the pages and the spec is fixed or recorded as a doc deviation:\n{}{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stderr.contains(" 0 stale deviation(s)"), "{}", r.stderr);
    common::assert_aside_at_least_98_99(&r.stderr);
    assert!(
        r.stderr.contains("compared 54 page(s)"),
        "all 50 endpoint and 4 event pages are compared:\n{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("{unexplained} unexplained, {explained} explained"))
    );
    assert!(r.stderr.contains("0 page(s) not imported"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("explains nothing"),
        "a stale doc deviation in the spec:\n{}",
        r.stderr
    );
    // every line names a page, a fact, and both sides
    for l in r.stdout.lines() {
        assert!(
            l.contains(": page says ") && l.contains(", spec says "),
            "{l}"
        );
    }
    // floors: (category, recall %, precision %)
    let floors = [
        ("endpoint", 100, 100),
        ("query", 98, 100),
        // Body precision: the page lists the server-assigned fields of
        // notification.create/patch (id, status, created_at, …: 创建成功后返回),
        // which the spec leaves out of the request types on purpose (60 facts,
        // explained by doc_deviations but still counted here).
        ("body", 98, 82),
        // Reply and event recall: the spec's shared types carry fields that
        // these pages do not list (TicketUser.email/city/…, Category.children,
        // the whole Ticket in the ticket_message event, AgentSkill.rules in
        // agent_skill.list): nothing on the page to import them from.
        ("reply", 90, 97),
        ("errors", 100, 100),
        ("paging", 100, 100),
        ("events", 69, 94),
        ("all", 92, 96),
    ];
    common::assert_floors(&r.stderr, &floors);
}

/// A spec made from the page itself: no differences, exit 0.
fn fixture_spec(name: &str) -> (PathBuf, PathBuf) {
    let d = scratch(name);
    let spec = d.join("spec");
    let docs = d.join("docs");
    std::fs::create_dir_all(&spec).unwrap();
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::copy(
        root().join("../spec/service.json"),
        spec.join("service.json"),
    )
    .unwrap();
    let page = root().join("tests/pages/docs/notification.get.md");
    std::fs::copy(&page, docs.join("notification.get.md")).unwrap();
    let r = run(&["import", s(&page), "--out-dir", s(&spec)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (spec, docs)
}

#[test]
fn a_planted_difference_fails_until_explained() {
    let (spec, docs) = fixture_spec("planted");
    let r = run(&["conform", s(&docs), "--spec", s(&spec)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr.contains("0 unexplained, 0 explained"),
        "{}",
        r.stderr
    );
    let (m, spec_n, page_n) = figures(&r.stderr, "all");
    assert!(m > 50 && m == spec_n && m == page_n, "{}", r.stderr);

    // plant: a reply field changes type, an error code's status changes,
    // the rate limit goes
    let ep_file = spec.join("endpoints/notification.get.json");
    let mut ep: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ep_file).unwrap()).unwrap();
    ep["errors"][0]["http_status"] = serde_json::json!(418);
    let code = ep["errors"][0]["code"].clone();
    ep["rate_limit"] = serde_json::json!({"limits": [], "note": "planted"});
    std::fs::write(&ep_file, serde_json::to_string_pretty(&ep).unwrap()).unwrap();
    let ty_file = spec.join("types/notification.get.json");
    let mut types: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ty_file).unwrap()).unwrap();
    let mut planted = 0;
    for t in types["types"].as_array_mut().unwrap() {
        for f in t["fields"].as_array_mut().into_iter().flatten() {
            if f["name"] == "job_name" {
                f["type"] = serde_json::json!("json");
                f.as_object_mut().unwrap().remove("example");
                planted += 1;
            }
        }
    }
    assert_eq!(planted, 1, "the fixture has one job_name field");
    std::fs::write(&ty_file, serde_json::to_string_pretty(&types).unwrap()).unwrap();

    let r = run(&["conform", s(&docs), "--spec", s(&spec)]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    for want in [
        format!("unexplained: notification.get: errors/{code}#status: page says 400, spec says 418"),
        "unexplained: notification.get: endpoint/rate_limit: page says".to_string(),
        "unexplained: notification.get: reply/notification.job_name#type: page says string, spec says any".to_string(),
    ] {
        assert!(r.stdout.contains(&want), "no `{want}` in:\n{}{}", r.stdout, r.stderr);
    }
    assert!(r.stderr.contains("FAILED"), "{}", r.stderr);
    let (m, spec_n, _) = figures(&r.stderr, "reply");
    assert!(m < spec_n, "the reply recall drops: {}", r.stderr);

    // recorded in the spec: on the endpoint (its own fact keys) and on the
    // type that holds the field (keys relative to it); a stale entry fails
    // and is named
    ep["doc_deviations"] = serde_json::json!([
        {"facts": ["errors/*", "endpoint/rate_limit"], "reason": "planted status and limit"},
        {"facts": ["reply/no_such_field*"], "reason": "stale"}
    ]);
    std::fs::write(&ep_file, serde_json::to_string_pretty(&ep).unwrap()).unwrap();
    for t in types["types"].as_array_mut().unwrap() {
        if t["fields"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["name"] == "job_name"))
        {
            t["doc_deviations"] =
                serde_json::json!([{"facts": ["job_name#type"], "reason": "planted type"}]);
        }
    }
    std::fs::write(&ty_file, serde_json::to_string_pretty(&types).unwrap()).unwrap();
    let r = run(&["conform", s(&docs), "--spec", s(&spec), "--deviations"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(
            "error: stale doc deviation (explains nothing): notification.get: reply/no_such_field*: stale"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("deviation (2 explained): notification.get: errors/*, endpoint/rate_limit: planted status and limit"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout.lines().count(), 3, "{}", r.stdout);
    assert!(
        r.stdout.lines().all(|l| l.starts_with("explained: ")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("(explained: planted type)"),
        "{}",
        r.stdout
    );

    // without the stale entry: exit 0
    ep["doc_deviations"].as_array_mut().unwrap().pop();
    std::fs::write(&ep_file, serde_json::to_string_pretty(&ep).unwrap()).unwrap();
    let r = run(&["conform", s(&docs), "--spec", s(&spec)]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("0 unexplained, 3 explained difference(s), 0 stale"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_page_that_cannot_be_imported_fails_and_other_files_are_skipped() {
    let (spec, docs) = fixture_spec("bad_page");
    std::fs::write(docs.join("notes.md"), "# Notes\n\nnothing here\n").unwrap();
    let r = run(&["conform", s(&docs), "--spec", s(&spec)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("skipped (not endpoint or event pages): notes"),
        "{}",
        r.stderr
    );
    std::fs::write(
        docs.join("broken.md"),
        "# Broken\n\n## 请求\n\n| 项目 | 值 |\n| --- | --- |\n| HTTP URL | https://open.feishu.cn/open-apis/helpdesk/v1/x |\n",
    )
    .unwrap();
    let r = run(&["conform", s(&docs), "--spec", s(&spec)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("error: broken: cannot import"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("1 page(s) not imported"), "{}", r.stderr);
}

#[test]
fn conform_usage_and_unreadable_inputs() {
    assert_eq!(run(&["conform"]).code, 2);
    assert_eq!(run(&["conform", "a", "b"]).code, 2);
    let r = run(&["conform", "/definitely/not/here", "--spec", "../spec"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
    // a deviation without a reason is a spec error naming the file
    let (spec, docs) = fixture_spec("bad_deviation");
    let ep_file = spec.join("endpoints/notification.get.json");
    let mut ep: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ep_file).unwrap()).unwrap();
    ep["doc_deviations"] = serde_json::json!([{"facts": ["errors/*"], "reason": " "}]);
    std::fs::write(&ep_file, serde_json::to_string_pretty(&ep).unwrap()).unwrap();
    let r = run(&["conform", s(&docs), "--spec", s(&spec)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("notification.get.json") && r.stderr.contains("doc_deviations"),
        "{}",
        r.stderr
    );
    let r = run(&["help", "conform"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("recall"));
}
