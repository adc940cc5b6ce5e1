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
//! A difference is *explained* by a `doc_deviations` entry of the spec:
//! in the endpoint's or event's own file (`{facts, reason}`, `facts` being
//! fact-key patterns where `*` stands for any run of characters), or in a
//! named type (patterns relative to the type, e.g. `email*`, covering that
//! field wherever an endpoint or event uses the type). A deviation that
//! explains no difference is *stale*, and fails the run like an
//! unexplained difference: the record says only what is true.

use crate::import::{DraftKind, RefPages, import_page_with};
use helpdesk_spec::load::Spec;
use helpdesk_spec::spec::DocDeviation;
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

/// Where a doc deviation is recorded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// In the file of this endpoint (`resource.operation`) or event (event type).
    Item(String),
    /// In this named type.
    Type(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Item(id) => write!(f, "{id}"),
            Origin::Type(name) => write!(f, "type {name}"),
        }
    }
}

/// A recorded doc deviation and how many differences it explained.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Where it is recorded.
    pub origin: Origin,
    /// The entry.
    pub deviation: DocDeviation,
    /// Differences it explained in this run.
    pub explained: usize,
}

impl Recorded {
    /// The one-line form: where, which facts, why.
    pub fn line(&self) -> String {
        format!(
            "{}: {}: {}",
            self.origin,
            self.deviation.facts.join(", "),
            self.deviation.reason
        )
    }
}

/// Every `doc_deviations` entry of the spec.
fn recorded(spec: &Spec) -> Vec<Recorded> {
    let mut out = Vec::new();
    let mut push = |origin: Origin, devs: &[DocDeviation]| {
        for d in devs {
            out.push(Recorded {
                origin: origin.clone(),
                deviation: d.clone(),
                explained: 0,
            });
        }
    };
    for f in &spec.endpoints {
        let id = format!("{}.{}", f.value.resource, f.value.operation);
        push(Origin::Item(id), &f.value.doc_deviations);
    }
    for f in &spec.events {
        push(
            Origin::Item(f.value.event_type.clone()),
            &f.value.doc_deviations,
        );
    }
    for f in &spec.type_files {
        for t in &f.value.types {
            push(Origin::Type(t.name.clone()), &t.doc_deviations);
        }
    }
    out
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
    /// The reason of the doc deviation that covers it.
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
    /// Spec facts that differ from the page where a doc deviation says why.
    pub explained_spec: usize,
    /// Page facts that differ from the spec where a doc deviation says why.
    pub explained_page: usize,
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
    /// The same with the recorded deviations counted as agreeing.
    pub fn aside(&self) -> Tally {
        Tally {
            matched: self.matched,
            spec: self.spec - self.explained_spec,
            page: self.page - self.explained_page,
            ..Tally::default()
        }
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
    /// Every doc deviation of the spec, with the differences it explained
    /// (none: stale).
    pub deviations: Vec<Recorded>,
    /// Facts the crawled text form does not carry (a body or query row's
    /// required flag: that form has no 必填 cells), left out of both sides.
    pub not_in_form: usize,
    /// Pages read in the crawled text form.
    pub text_form_pages: usize,
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
            explained_spec: a.explained_spec + t.explained_spec,
            explained_page: a.explained_page + t.explained_page,
        })
    }

    /// Deviations that explained nothing.
    pub fn stale(&self) -> impl Iterator<Item = &Recorded> {
        self.deviations.iter().filter(|d| d.explained == 0)
    }

    /// Whether the run passes: every page read, every difference explained,
    /// every deviation explaining something. Stale entries are judged on
    /// markdown pages only: the crawled text form lacks facts (required
    /// flags, markup) that some entries are about.
    pub fn ok(&self) -> bool {
        self.failed.is_empty() && self.unexplained().next().is_none() && (self.stale_fails() == 0)
    }

    /// Stale entries that fail the run (none when text-form pages were read).
    pub fn stale_fails(&self) -> usize {
        if self.text_form_pages > 0 {
            0
        } else {
            self.stale().count()
        }
    }

    /// The summary lines: per category, recall and precision with their
    /// counts; then the same with the facts a recorded deviation explains
    /// left out of both sides (`deviations aside: …`).
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
        for c in Category::ALL {
            let t = self.tally.get(&c).copied().unwrap_or_default();
            out.push(format!(
                "deviations aside: {}",
                line(c.as_str(), &t.aside())
            ));
        }
        out.push(format!(
            "deviations aside: {}",
            line("all", &self.total().aside())
        ));
        if self.not_in_form > 0 {
            out.push(format!(
                "not compared: {} body and query required flag(s) the crawled text form does not carry (no 必填 cells)",
                self.not_in_form
            ));
        }
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
pub fn conform(pages: &[(String, String)], spec: &Spec) -> Report {
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
    let mut report = Report {
        deviations: recorded(spec),
        ..Report::default()
    };
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
        let mut page_facts = facts(&draft.endpoint, &draft_types, draft.kind);
        let text_form = !crate::crawl::is_markdown(text);
        let unstated = if text_form {
            unstated_in_text_form(&mut page_facts)
        } else {
            Vec::new()
        };
        let spec_side = match draft.kind {
            DraftKind::Endpoint => {
                let key = (
                    draft.endpoint["method"].as_str().unwrap_or("").to_string(),
                    draft.endpoint["path"].as_str().unwrap_or("").to_string(),
                );
                endpoints.get(&key).map(|(id, v)| {
                    seen_endpoints.insert(key.clone());
                    (id.clone(), v)
                })
            }
            DraftKind::Event => events.get(&draft.id).map(|v| {
                seen_events.insert(draft.id.clone());
                (draft.id.clone(), v)
            }),
        };
        let mut spec_facts = match &spec_side {
            Some((_, v)) => collect(v, &spec_types, draft.kind, &page_facts),
            None => {
                let mut c = Collected::default();
                c.facts.insert("endpoint/exists".into(), "missing".into());
                c
            }
        };
        if text_form {
            for k in &unstated {
                spec_facts.facts.remove(k);
            }
            report.not_in_form += unstated.len();
            report.text_form_pages += 1;
            for (k, v) in spec_facts.facts.iter_mut() {
                if k.starts_with("errors/") {
                    *v = plain_text(v);
                }
            }
        }
        let item = spec_side.map(|(id, _)| id);
        compare_facts(name, item.as_deref(), &page_facts, &spec_facts, &mut report);
    }
    // spec items no page documents: their facts are not found
    for ((m, p), (id, v)) in &endpoints {
        if !seen_endpoints.contains(&(m.clone(), p.clone())) {
            report.spec_only.push(id.clone());
            let c = collect(v, &spec_types, DraftKind::Endpoint, &Facts::new());
            compare_facts(id, Some(id), &Facts::new(), &c, &mut report);
        }
    }
    for (t, v) in &events {
        if !seen_events.contains(t) {
            report.spec_only.push(t.clone());
            let c = collect(v, &spec_types, DraftKind::Event, &Facts::new());
            compare_facts(t, Some(t), &Facts::new(), &c, &mut report);
        }
    }
    report
}

/// An endpoint (`resource.operation`) or event (event type) of a spec, as
/// JSON, with its kind.
fn item_of(spec: &Spec, id: &str) -> Option<(Value, DraftKind)> {
    let parse = |src: &str| serde_json::from_str(src).unwrap_or(Value::Null);
    spec.endpoints
        .iter()
        .find(|f| format!("{}.{}", f.value.resource, f.value.operation) == id)
        .map(|f| (parse(&f.source), DraftKind::Endpoint))
        .or_else(|| {
            spec.events
                .iter()
                .find(|f| f.value.event_type == id)
                .map(|f| (parse(&f.source), DraftKind::Event))
        })
}

/// Compares one item of two specs fact by fact: `other` (a spec the item
/// was imported back into) against `original`, whose doc deviations explain
/// what they record. The report's differences are what is not fact-equal.
pub fn compare_item(original: &Spec, other: &Spec, id: &str) -> Result<Report, String> {
    let (a, kind) = item_of(original, id).ok_or(format!("`{id}` is not in the original spec"))?;
    let (b, kind_b) = item_of(other, id).ok_or(format!("`{id}` is not in the other spec"))?;
    if kind != kind_b {
        return Err(format!(
            "`{id}` is an endpoint in one spec, an event in the other"
        ));
    }
    let theirs = collect(&b, &types_of(other), kind, &Facts::new()).facts;
    let ours = collect(&a, &types_of(original), kind, &theirs);
    let mut report = Report {
        deviations: recorded(original),
        pages: 1,
        ..Report::default()
    };
    compare_facts(id, Some(id), &theirs, &ours, &mut report);
    Ok(report)
}

/// The deviation that explains a difference at `key` of the spec item
/// `item`: one of the item's own, or one of the named type that holds the
/// field (as the spec resolves it).
fn explaining(
    deviations: &[Recorded],
    item: Option<&str>,
    key: &str,
    page_says: Option<&String>,
    spec: &Collected,
) -> Option<usize> {
    let applies = |d: &DocDeviation| !d.page_omits || page_says.is_none();
    let own = deviations.iter().position(|d| {
        matches!(&d.origin, Origin::Item(id) if Some(id.as_str()) == item)
            && d.deviation.covers(key)
            && applies(&d.deviation)
    });
    own.or_else(|| {
        spec.owners(key).into_iter().find_map(|(ty, rel)| {
            deviations.iter().position(|d| {
                matches!(&d.origin, Origin::Type(name) if name == ty)
                    && d.deviation.covers(rel)
                    && applies(&d.deviation)
            })
        })
    })
}

/// Counts and lists the differences between one page's facts and the spec's.
fn compare_facts(
    page: &str,
    item: Option<&str>,
    page_facts: &Facts,
    spec: &Collected,
    report: &mut Report,
) {
    let spec_facts = &spec.facts;
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
        let by = explaining(&report.deviations, item, key, p, spec);
        if let Some(i) = by {
            report.deviations[i].explained += 1;
            t.explained_spec += usize::from(s.is_some());
            t.explained_page += usize::from(p.is_some());
        }
        report.differences.push(Difference {
            page: page.to_string(),
            fact: key.clone(),
            page_says: p.cloned(),
            spec_says: s.cloned(),
            explained_by: by.map(|i| report.deviations[i].deviation.reason.clone()),
        });
    }
}

/// The body and query `#required` facts a text-form page drafted as
/// `false`: that form has no 必填 cells, so `false` there means "not
/// stated". They are removed from the page's facts and returned, to be
/// removed from the spec's too. (`true` is stated: the description said 必填.)
fn unstated_in_text_form(page: &mut Facts) -> Vec<String> {
    let keys: Vec<String> = page
        .iter()
        .filter(|(k, v)| {
            (k.starts_with("body/") || k.starts_with("query/"))
                && k.ends_with("#required")
                && v.as_str() == "false"
        })
        .map(|(k, _)| k.clone())
        .collect();
    for k in &keys {
        page.remove(k);
    }
    keys
}

/// Markdown inline markup taken out, as the crawled text form shows it:
/// `` `x` `` → `x`, `[text](url)` → `text`.
fn plain_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(['`', '[']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(t) = tail.strip_prefix('`') {
            rest = t;
            continue;
        }
        // `[text](url)`
        let link = tail.find("](").and_then(|close| {
            let end = tail[close..].find(')')? + close;
            Some((close, end))
        });
        match link {
            Some((close, end)) if !tail[1..close].contains('[') => {
                out.push_str(&tail[1..close]);
                rest = &tail[end + 1..];
            }
            _ => {
                out.push('[');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
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

/// Facts, and which named type holds the fields under each object prefix.
#[derive(Debug, Clone, Default)]
struct Collected {
    facts: Facts,
    /// `reply/items[].create_user.` → `TicketUser`.
    holders: BTreeMap<String, String>,
    /// The page's fact keys (how deep to expand a recursive type).
    page: BTreeSet<String>,
}

impl Collected {
    /// The named types holding the field of `key`, innermost first, each
    /// with the key relative to it (`email#type`). A field only the page
    /// has is held by the spec's nearest type above it.
    fn owners<'a>(&'a self, key: &'a str) -> Vec<(&'a str, &'a str)> {
        let field_end = key.find('#').unwrap_or(key.len());
        let mut out = Vec::new();
        for (dot, _) in key[..field_end].rmatch_indices('.') {
            let (prefix, rel) = key.split_at(dot + 1);
            if let Some(t) = self.holders.get(prefix) {
                out.push((t.as_str(), rel));
            }
        }
        out
    }
}

/// The facts of an endpoint or event file.
pub fn facts(file: &Value, types: &Types, kind: DraftKind) -> Facts {
    collect(file, types, kind, &Facts::new()).facts
}

/// The facts of an endpoint or event file, with the holders of fields. A
/// recursive type is expanded again as deep as the page (`page`) goes.
fn collect(file: &Value, types: &Types, kind: DraftKind, page: &Facts) -> Collected {
    let mut c = Collected {
        page: page.keys().cloned().collect(),
        ..Collected::default()
    };
    if kind == DraftKind::Event {
        field_facts("events/", &file["fields"], types, &mut Vec::new(), &mut c);
        return c;
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
    let out = &mut c.facts;
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
        param_facts("endpoint/path_params.", p, types, out);
    }
    for p in file["query_params"].as_array().into_iter().flatten() {
        param_facts("query/", p, types, out);
    }
    field_facts(
        "body/",
        &file["request_body"]["fields"],
        types,
        &mut Vec::new(),
        &mut c,
    );
    field_facts(
        "reply/",
        &file["response"]["fields"],
        types,
        &mut Vec::new(),
        &mut c,
    );
    let out = &mut c.facts;
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
    c
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
    c: &mut Collected,
) {
    for f in fields.as_array().into_iter().flatten() {
        let out = &mut c.facts;
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
            let inner = format!("{key}{lists}.");
            let page_goes_deeper = || {
                c.page
                    .range(inner.clone()..)
                    .next()
                    .is_some_and(|k| k.starts_with(&inner))
            };
            if stack.len() > 12 || (stack.contains(&tname) && !page_goes_deeper()) {
                continue;
            }
            c.holders.insert(inner.clone(), tname.clone());
            stack.push(tname);
            field_facts(&inner, &sub, types, stack, c);
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
        let mut c = Collected::default();
        field_facts(
            "reply/",
            &json!([{"name": "a", "type": "A"}]),
            &types,
            &mut Vec::new(),
            &mut c,
        );
        assert_eq!(c.owners("reply/a.e#enum"), [("A", "e#enum")]);
        assert_eq!(
            c.owners("reply/a.again[].x#type"),
            [("A", "again[].x#type")]
        );
        assert!(c.owners("reply/a#type").is_empty());
        let out = c.facts;
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
        // a recursive type goes as deep as the page does, and no deeper
        let mut c = Collected::default();
        c.page.insert("reply/a.again[].x#type".into());
        field_facts(
            "reply/",
            &json!([{"name": "a", "type": "A"}]),
            &types,
            &mut Vec::new(),
            &mut c,
        );
        assert_eq!(c.facts["reply/a.again[].x#type"], "string");
        assert_eq!(
            c.owners("reply/a.again[].x#type"),
            [("A", "x#type"), ("A", "again[].x#type")]
        );
        assert!(!c.facts.contains_key("reply/a.again[].again[].x#type"));
    }

    #[test]
    fn text_form_comparisons_leave_out_what_that_form_cannot_carry() {
        assert_eq!(
            plain_text("检查 `ticket_id`，请联系[技术支持](https://applink.feishu.cn/x)"),
            "检查 ticket_id，请联系技术支持"
        );
        assert_eq!(plain_text("a [b] c"), "a [b] c");
        let mut page: Facts = [
            ("body/a#required", "false"),
            ("body/b#required", "true"),
            ("query/c#required", "false"),
            ("endpoint/path_params.id#required", "false"),
            ("reply/d#required", "false"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let gone = unstated_in_text_form(&mut page);
        assert_eq!(gone, ["body/a#required", "query/c#required"]);
        assert!(page.contains_key("body/b#required"));
        assert!(page.contains_key("endpoint/path_params.id#required"));
        assert!(page.contains_key("reply/d#required"));
    }

    #[test]
    fn deviations_explain_by_item_then_by_holding_type() {
        let dev = |facts: &[&str]| DocDeviation {
            facts: facts.iter().map(|f| f.to_string()).collect(),
            page_omits: false,
            page: None,
            reason: "r".into(),
        };
        let mut deviations = vec![
            Recorded {
                origin: Origin::Item("ticket.list".into()),
                deviation: dev(&["reply/tickets[].comments*"]),
                explained: 0,
            },
            Recorded {
                origin: Origin::Type("TicketUser".into()),
                deviation: dev(&["email#*"]),
                explained: 0,
            },
        ];
        let mut c = Collected::default();
        c.holders
            .insert("reply/tickets[].guest.".into(), "TicketUser".into());
        let key = "reply/tickets[].comments.content#type";
        let at = |d: &[Recorded], item: &str, key: &str, page: Option<&str>| {
            let page = page.map(String::from);
            explaining(d, Some(item), key, page.as_ref(), &c)
        };
        assert_eq!(at(&deviations, "ticket.list", key, None), Some(0));
        assert_eq!(at(&deviations, "ticket.get", key, None), None);
        let email = "reply/tickets[].guest.email#type";
        assert_eq!(at(&deviations, "ticket.get", email, None), Some(1));
        assert_eq!(
            at(&deviations, "ticket.get", email, Some("integer")),
            Some(1)
        );
        let name = "reply/tickets[].guest.name#type";
        assert_eq!(at(&deviations, "ticket.get", name, None), None);
        // an entry for what the page leaves out does not hide what it says
        deviations[1].deviation.page_omits = true;
        assert_eq!(at(&deviations, "ticket.get", email, None), Some(1));
        assert_eq!(at(&deviations, "ticket.get", email, Some("integer")), None);
    }
}
