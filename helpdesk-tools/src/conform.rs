//! The spec against the doc pages, fact by fact (`helpdesk-spec conform`).
//!
//! Every page is imported (as `helpdesk-spec import` does) and matched with
//! the spec's endpoint of the same method and path, or the spec's event of the
//! same event type. Both sides are then read into the same *facts*: keys such
//! as `reply/notification.create_user.name#type` with a value (`string`).
//! Named types are resolved on both sides, so facts compare structure field
//! by field, never type names. Wire types are compared as the wire shows
//! them: the spec's refinements of a string (`timestamp_ms`, `json_string`,
//! `int64_string`) are `string`, `int`/`int64` are `integer`, an enum is its
//! representation plus a separate `#enum` fact with its value set.
//!
//! A fact of one side that the other side lacks or gives another value is a
//! *difference*. Per category, recall is the share of the spec's facts the
//! importer found (same key, same value) and precision the share of the
//! importer's facts that match the spec.
//!
//! A difference is *explained* by an entry of the explanation file
//! (`helpdesk-tools/conform-deviations.json`): `{page, fact, reason}`, where
//! `page` is the page's file stem (or `*`) and `fact` a fact key, or a prefix
//! of one ending in `*`. The spec model has no place for doc deviations yet
//! (its `sdk_deviations` explain differences from the SDKs), so they live
//! beside the tool for now.

use crate::import::{DraftKind, RefPages, import_page_with};
use helpdesk_spec::load::Spec;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What a fact is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Method, path, path parameters, tokens, helpdesk header, rate limit, app types, scopes.
    Endpoint,
    /// Query parameters: names, types, required, enum values, defaults.
    Query,
    /// Request body fields, recursively.
    Body,
    /// Reply (`data`) fields, recursively; a binary reply.
    Reply,
    /// Error codes: HTTP status, message, advice.
    Errors,
    /// Paging style, items field, next-token field.
    Paging,
    /// Event fields, recursively.
    Events,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 7] = [
        Category::Endpoint,
        Category::Query,
        Category::Body,
        Category::Reply,
        Category::Errors,
        Category::Paging,
        Category::Events,
    ];

    /// The key prefix and report name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Endpoint => "endpoint",
            Category::Query => "query",
            Category::Body => "body",
            Category::Reply => "reply",
            Category::Errors => "errors",
            Category::Paging => "paging",
            Category::Events => "events",
        }
    }

    fn of_key(key: &str) -> Category {
        let head = key.split(['/', '#']).next().unwrap_or("");
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == head)
            .unwrap_or(Category::Endpoint)
    }
}

/// The facts of one side: key → value.
pub type Facts = BTreeMap<String, String>;

/// Named types by name (the JSON of each type definition).
type Types = BTreeMap<String, Value>;

/// One explanation of the explanation file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    /// The page's file stem, e.g. `ticket.list`, or `*` for every page.
    pub page: String,
    /// A fact key, or a prefix ending in `*`.
    pub fact: String,
    /// Why the spec says otherwise than the page (or why the importer misreads it).
    pub reason: String,
}

/// The explanation file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Explanations {
    /// Editor hint / human note; ignored.
    #[serde(default, rename = "$comment")]
    pub comment: Option<String>,
    /// The entries.
    #[serde(default)]
    pub explanations: Vec<Explanation>,
}

/// Parses an explanation file; the error names the JSON location.
pub fn parse_explanations(text: &str) -> Result<Explanations, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        format!(
            "line {}, column {}: {} (at {})",
            inner.line(),
            inner.column(),
            inner,
            e.path()
        )
    })
}

impl Explanation {
    fn covers(&self, page: &str, fact: &str) -> bool {
        let page_ok = self.page == "*" || self.page == page;
        let fact_ok = match self.fact.strip_suffix('*') {
            Some(prefix) => fact.starts_with(prefix),
            None => self.fact == fact,
        };
        page_ok && fact_ok
    }
}

/// One difference between a page and the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The page's file stem.
    pub page: String,
    /// The fact key.
    pub fact: String,
    /// What the imported page says (`None`: nothing).
    pub page_says: Option<String>,
    /// What the spec says (`None`: nothing).
    pub spec_says: Option<String>,
    /// The reason of the explanation that covers it.
    pub explained_by: Option<String>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let say = |v: &Option<String>| v.clone().unwrap_or_else(|| "nothing".into());
        write!(
            f,
            "{}: {}: page says {}, spec says {}",
            self.page,
            self.fact,
            say(&self.page_says),
            say(&self.spec_says)
        )?;
        if let Some(r) = &self.explained_by {
            write!(f, " (explained: {r})")?;
        }
        Ok(())
    }
}

/// Fact counts of one category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Facts of the spec (of the items that have a page, and of those that have none).
    pub spec: usize,
    /// Facts of the imported pages.
    pub page: usize,
    /// Facts on both sides with the same value.
    pub matched: usize,
}

impl Tally {
    /// matched / spec; `None` when the spec has no facts here.
    pub fn recall(&self) -> Option<f64> {
        (self.spec > 0).then(|| self.matched as f64 / self.spec as f64)
    }
    /// matched / page; `None` when the pages gave no facts here.
    pub fn precision(&self) -> Option<f64> {
        (self.page > 0).then(|| self.matched as f64 / self.page as f64)
    }
}

/// The outcome of [`conform`].
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Pages imported and compared.
    pub pages: usize,
    /// Files that are not endpoint or event pages (general pages, the index): skipped.
    pub skipped: Vec<String>,
    /// Endpoint or event pages the importer could not read: `(page, error)`.
    pub failed: Vec<(String, String)>,
    /// Spec endpoints and events no page documents.
    pub spec_only: Vec<String>,
    /// Every difference, explained or not, page by page.
    pub differences: Vec<Difference>,
    /// Counts per category.
    pub tally: BTreeMap<Category, Tally>,
    /// Explanations that explained nothing (stale): `(page, fact)`.
    pub unused: Vec<(String, String)>,
}

impl Report {
    /// The differences no explanation covers.
    pub fn unexplained(&self) -> impl Iterator<Item = &Difference> {
        self.differences.iter().filter(|d| d.explained_by.is_none())
    }

    /// All categories together.
    pub fn total(&self) -> Tally {
        self.tally.values().fold(Tally::default(), |a, t| Tally {
            spec: a.spec + t.spec,
            page: a.page + t.page,
            matched: a.matched + t.matched,
        })
    }

    /// Whether the run passes: every page read, every difference explained.
    pub fn ok(&self) -> bool {
        self.failed.is_empty() && self.unexplained().next().is_none()
    }

    /// The summary lines: per category, recall and precision with their counts.
    pub fn summary(&self) -> Vec<String> {
        let pct = |v: Option<f64>| v.map_or("n/a".to_string(), |x| format!("{:.1}%", x * 100.0));
        let line = |name: &str, t: &Tally| {
            format!(
                "{name:<9} recall {:>6} ({}/{})  precision {:>6} ({}/{})",
                pct(t.recall()),
                t.matched,
                t.spec,
                pct(t.precision()),
                t.matched,
                t.page
            )
        };
        let mut out: Vec<String> = Category::ALL
            .into_iter()
            .map(|c| line(c.as_str(), &self.tally.get(&c).copied().unwrap_or_default()))
            .collect();
        out.push(line("all", &self.total()));
        out
    }
}

/// A page is an endpoint or event page when it has these rows.
fn looks_like_doc_page(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim().trim_start_matches('|').trim();
        t.starts_with("HTTP URL") || t.starts_with("事件类型")
    })
}

/// Compares the pages (`(file stem, text)`) with the spec.
pub fn conform(pages: &[(String, String)], spec: &Spec, explanations: &Explanations) -> Report {
    let spec_types = types_of(spec);
    let mut endpoints: BTreeMap<(String, String), (String, Value)> = BTreeMap::new();
    for f in &spec.endpoints {
        let v: Value = serde_json::from_str(&f.source).unwrap_or(Value::Null);
        let id = format!("{}.{}", f.value.resource, f.value.operation);
        endpoints.insert(
            (f.value.method.as_str().to_string(), f.value.path.clone()),
            (id, v),
        );
    }
    let mut events: BTreeMap<String, Value> = BTreeMap::new();
    for f in &spec.events {
        let v: Value = serde_json::from_str(&f.source).unwrap_or(Value::Null);
        events.insert(f.value.event_type.clone(), v);
    }
    let mut report = Report::default();
    let mut used = vec![false; explanations.explanations.len()];
    let mut seen_endpoints = BTreeSet::new();
    let mut seen_events = BTreeSet::new();
    // the general pages among them, which descriptions link to for values
    let refs = RefPages::from_texts(pages.iter().map(|(_, t)| t.as_str()));
    for (name, text) in pages {
        if !looks_like_doc_page(text) {
            report.skipped.push(name.clone());
            continue;
        }
        let draft = match import_page_with(text, None, None, &refs) {
            Ok(d) => d,
            Err(e) => {
                report.failed.push((name.clone(), e));
                continue;
            }
        };
        report.pages += 1;
        let draft_types = types_in(&draft.types);
        let page_facts = facts(&draft.endpoint, &draft_types, draft.kind);
        let spec_side = match draft.kind {
            DraftKind::Endpoint => {
                let key = (
                    draft.endpoint["method"].as_str().unwrap_or("").to_string(),
                    draft.endpoint["path"].as_str().unwrap_or("").to_string(),
                );
                endpoints.get(&key).map(|(_, v)| {
                    seen_endpoints.insert(key.clone());
                    v
                })
            }
            DraftKind::Event => events.get(&draft.id).inspect(|_| {
                seen_events.insert(draft.id.clone());
            }),
        };
        let spec_facts = match spec_side {
            Some(v) => facts(v, &spec_types, draft.kind),
            None => {
                let mut f = Facts::new();
                f.insert("endpoint/exists".into(), "missing".into());
                f
            }
        };
        compare_facts(
            name,
            &page_facts,
            &spec_facts,
            explanations,
            &mut used,
            &mut report,
        );
    }
    // spec items no page documents: their facts are not found
    for ((m, p), (id, v)) in &endpoints {
        if !seen_endpoints.contains(&(m.clone(), p.clone())) {
            report.spec_only.push(id.clone());
            let f = facts(v, &spec_types, DraftKind::Endpoint);
            compare_facts(id, &Facts::new(), &f, explanations, &mut used, &mut report);
        }
    }
    for (t, v) in &events {
        if !seen_events.contains(t) {
            report.spec_only.push(t.clone());
            let f = facts(v, &spec_types, DraftKind::Event);
            compare_facts(t, &Facts::new(), &f, explanations, &mut used, &mut report);
        }
    }
    for (e, u) in explanations.explanations.iter().zip(used) {
        if !u {
            report.unused.push((e.page.clone(), e.fact.clone()));
        }
    }
    report
}

/// Counts and lists the differences between one page's facts and the spec's.
fn compare_facts(
    page: &str,
    page_facts: &Facts,
    spec_facts: &Facts,
    explanations: &Explanations,
    used: &mut [bool],
    report: &mut Report,
) {
    let keys: BTreeSet<&String> = page_facts.keys().chain(spec_facts.keys()).collect();
    for key in keys {
        let cat = Category::of_key(key);
        let (p, s) = (page_facts.get(key), spec_facts.get(key));
        let t = report.tally.entry(cat).or_default();
        t.page += usize::from(p.is_some());
        t.spec += usize::from(s.is_some());
        if p.is_some() && p == s {
            t.matched += 1;
            continue;
        }
        let by = explanations
            .explanations
            .iter()
            .position(|e| e.covers(page, key));
        if let Some(i) = by {
            used[i] = true;
        }
        report.differences.push(Difference {
            page: page.to_string(),
            fact: key.clone(),
            page_says: p.cloned(),
            spec_says: s.cloned(),
            explained_by: by.map(|i| explanations.explanations[i].reason.clone()),
        });
    }
}

/// Every named type of the spec.
fn types_of(spec: &Spec) -> Types {
    let mut m = Types::new();
    for f in &spec.type_files {
        let v: Value = serde_json::from_str(&f.source).unwrap_or(Value::Null);
        m.extend(types_in(&v));
    }
    m
}

/// The named types of one types file.
fn types_in(file: &Value) -> Types {
    file["types"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| Some((t["name"].as_str()?.to_string(), t.clone())))
                .collect()
        })
        .unwrap_or_default()
}

/// The facts of an endpoint or event file.
pub fn facts(file: &Value, types: &Types, kind: DraftKind) -> Facts {
    let mut out = Facts::new();
    if kind == DraftKind::Event {
        field_facts("events/", &file["fields"], types, &mut Vec::new(), &mut out);
        return out;
    }
    let s = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let sorted = |v: &Value, key: Option<&str>| {
        let mut items: Vec<String> = v
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| s(key.map_or(x, |k| &x[k])))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        items.sort();
        items.join(", ")
    };
    out.insert("endpoint/method".into(), s(&file["method"]));
    out.insert("endpoint/path".into(), s(&file["path"]));
    out.insert(
        "endpoint/tokens".into(),
        sorted(&file["auth"]["tokens"], None),
    );
    out.insert(
        "endpoint/helpdesk_header".into(),
        file["auth"]["helpdesk_header"]
            .as_bool()
            .unwrap_or(false)
            .to_string(),
    );
    let limits = sorted(&file["rate_limit"]["limits"], None);
    out.insert(
        "endpoint/rate_limit".into(),
        if limits.is_empty() {
            "none stated".into()
        } else {
            limits
        },
    );
    out.insert(
        "endpoint/app_types".into(),
        sorted(&file["app_types"], None),
    );
    out.insert(
        "endpoint/scopes".into(),
        sorted(&file["scopes"]["any_of"], Some("name")),
    );
    for p in file["path_params"].as_array().into_iter().flatten() {
        param_facts("endpoint/path_params.", p, types, &mut out);
    }
    for p in file["query_params"].as_array().into_iter().flatten() {
        param_facts("query/", p, types, &mut out);
    }
    field_facts(
        "body/",
        &file["request_body"]["fields"],
        types,
        &mut Vec::new(),
        &mut out,
    );
    field_facts(
        "reply/",
        &file["response"]["fields"],
        types,
        &mut Vec::new(),
        &mut out,
    );
    if file["response"].get("binary").is_some() {
        out.insert("reply#binary".into(), "true".into());
    }
    for e in file["errors"].as_array().into_iter().flatten() {
        let code = s(&e["code"]);
        out.insert(format!("errors/{code}#status"), s(&e["http_status"]));
        out.insert(format!("errors/{code}#message"), s(&e["message"]));
        out.insert(format!("errors/{code}#advice"), s(&e["advice"]));
    }
    if let Some(p) = file.get("pagination").filter(|p| p.is_object()) {
        let style = s(&p["style"]);
        out.insert("paging#style".into(), style.clone());
        out.insert("paging#items".into(), s(&p["items"]));
        if style == "page_token" {
            let next = p["next_token_field"].as_str().unwrap_or("page_token");
            out.insert("paging#next_token_field".into(), next.to_string());
        }
    }
    out
}

/// The facts of a path or query parameter.
fn param_facts(prefix: &str, p: &Value, types: &Types, out: &mut Facts) {
    let name = p["name"].as_str().unwrap_or("?");
    let ty = p["type"].as_str().unwrap_or("");
    let w = wire(ty, types);
    let key = format!("{prefix}{name}");
    out.insert(format!("{key}#type"), w.kind);
    out.insert(
        format!("{key}#required"),
        p["required"].as_bool().unwrap_or(false).to_string(),
    );
    if let Some(vals) = w.values {
        out.insert(format!("{key}#enum"), vals);
    }
    if let Some(d) = p.get("default") {
        out.insert(format!("{key}#default"), d.to_string());
    }
}

/// A type as the wire shows it.
struct Wire {
    /// `string`, `integer`, `number`, `bool`, `any`, `object`, each with a `[]` per list level.
    kind: String,
    /// The enum's values, sorted (an enum only).
    values: Option<String>,
    /// The object's fields and its type name (an object only).
    fields: Option<(String, Value)>,
}

fn wire(ty: &str, types: &Types) -> Wire {
    let base = ty.trim_end_matches("[]");
    let lists = "[]".repeat((ty.len() - base.len()) / 2);
    let scalar = |k: &str| Wire {
        kind: format!("{k}{lists}"),
        values: None,
        fields: None,
    };
    match base {
        "string" | "timestamp_ms" | "json_string" | "int64_string" => scalar("string"),
        "int" | "int64" | "timestamp_ms_number" | "timestamp_s" => scalar("integer"),
        "float" => scalar("number"),
        "bool" => scalar("bool"),
        "json" => scalar("any"),
        named => match types.get(named) {
            None => scalar(&format!("unknown type {named}")),
            Some(t) if t["kind"] == "enum" => {
                let mut vals: Vec<String> = t["values"]
                    .as_array()
                    .map(|a| a.iter().map(|v| v["value"].to_string()).collect())
                    .unwrap_or_default();
                vals.sort();
                let repr = if t["repr"] == "string" {
                    "string"
                } else {
                    "integer"
                };
                Wire {
                    kind: format!("{repr}{lists}"),
                    values: Some(vals.join(", ")),
                    fields: None,
                }
            }
            Some(t) => Wire {
                kind: format!("object{lists}"),
                values: None,
                fields: Some((named.to_string(), t["fields"].clone())),
            },
        },
    }
}

/// The facts of a list of fields under `prefix`, recursing into object
/// types (a type already being expanded above is not expanded again).
fn field_facts(
    prefix: &str,
    fields: &Value,
    types: &Types,
    stack: &mut Vec<String>,
    out: &mut Facts,
) {
    for f in fields.as_array().into_iter().flatten() {
        let name = f["name"].as_str().unwrap_or("?");
        let ty = f["type"].as_str().unwrap_or("");
        let key = format!("{prefix}{name}");
        let w = wire(ty, types);
        let lists = "[]".repeat(w.kind.matches("[]").count());
        out.insert(format!("{key}#type"), w.kind);
        out.insert(
            format!("{key}#required"),
            f["required"].as_bool().unwrap_or(false).to_string(),
        );
        if let Some(v) = w.values {
            out.insert(format!("{key}#enum"), v);
        }
        if let Some((tname, sub)) = w.fields {
            if stack.contains(&tname) || stack.len() > 12 {
                continue;
            }
            stack.push(tname);
            field_facts(&format!("{key}{lists}."), &sub, types, stack, out);
            stack.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn named_types_resolve_structurally() {
        let types: Types = [
            (
                "A".to_string(),
                json!({"name": "A", "kind": "object", "fields": [
                    {"name": "x", "type": "timestamp_ms"},
                    {"name": "e", "type": "E[]", "required": true},
                    {"name": "again", "type": "A[]"}
                ]}),
            ),
            (
                "E".to_string(),
                json!({"name": "E", "kind": "enum", "repr": "int", "values": [{"value": 2}, {"value": 1}]}),
            ),
        ]
        .into_iter()
        .collect();
        let mut out = Facts::new();
        field_facts(
            "reply/",
            &json!([{"name": "a", "type": "A"}]),
            &types,
            &mut Vec::new(),
            &mut out,
        );
        assert_eq!(out["reply/a#type"], "object");
        assert_eq!(out["reply/a.x#type"], "string");
        assert_eq!(out["reply/a.e#type"], "integer[]");
        assert_eq!(out["reply/a.e#enum"], "1, 2");
        assert_eq!(out["reply/a.e#required"], "true");
        assert_eq!(out["reply/a.again#type"], "object[]");
        assert!(
            !out.contains_key("reply/a.again[].x#type"),
            "no endless recursion"
        );
    }

    #[test]
    fn explanations_match_pages_and_prefixes() {
        let e = Explanation {
            page: "ticket.list".into(),
            fact: "reply/tickets[].comments*".into(),
            reason: "r".into(),
        };
        assert!(e.covers("ticket.list", "reply/tickets[].comments#type"));
        assert!(!e.covers("ticket.get", "reply/tickets[].comments#type"));
        assert!(!e.covers("ticket.list", "reply/tickets#type"));
    }
}
