//! `helpdesk-spec import PAGE --into SPEC_DIR`: a draft written into a spec
//! directory in place.
//!
//! * The endpoint id comes from the method and path, by the spec's naming
//!   rule (see [`endpoint_id`]), never from the page's file name.
//! * Each draft type is matched against the spec's named types: an existing
//!   type of the same kind whose fields (or enum values) include the
//!   draft's, compatibly typed, is reused (the draft's references are
//!   renamed to it); only the types that match none are written, under
//!   names that clash with no existing type.
//! * When the endpoint is already in the spec, its error names are kept
//!   (matched by code) and its file is replaced.

use crate::import::{Draft, DraftKind};
use crate::sdk_ref::Reference;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// One endpoint of the spec as the naming rule sees it.
#[derive(Debug, Clone)]
pub struct Known {
    /// `resource`.
    pub resource: String,
    /// `operation`.
    pub operation: String,
    /// HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
}

/// How an id was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdSource {
    /// The spec already has this method and path.
    Spec,
    /// The SDK facts name this method and path (the spec names endpoints as
    /// the SDK does: `sdk-diff` holds it to that).
    Sdk,
    /// The structural rule over the path.
    Rule,
}

/// `categories` → `category`, `faqs` → `faq`.
fn singular(s: &str) -> String {
    if let Some(b) = s.strip_suffix("ies") {
        format!("{b}y")
    } else if let Some(b) = s.strip_suffix('s') {
        b.to_string()
    } else {
        s.to_string()
    }
}

/// The structural rule, derived from the spec's 50 endpoint files: after
/// `/open-apis/helpdesk/v1/`,
///
/// * `/things` → `thing.list` (GET) / `thing.create` (POST);
/// * `/things/:id` → `thing.get` / `.patch` / `.update` (PUT) / `.delete`;
/// * `/things/:id/verb` (POST) and `/things/verb` → `thing.verb`;
/// * `/things/:id/subs` (a sub-collection) → `thing_sub.list` / `.create`,
///   or `.get` / `.patch` / `.delete` when the path is a single object
///   (the spec has PATCH or DELETE on it);
/// * `/things/:id/part/:key` → `thing.thing_part`;
///
/// and an endpoint of the spec on the same path lends its resource
/// (`agent_schedules`). Endpoints the SDK names after another resource
/// (`GET /agent_emails` is `agent.agent_email`) need the SDK facts.
pub fn rule_id(method: &str, path: &str, known: &[Known]) -> Option<String> {
    let segs: Vec<&str> = path
        .strip_prefix("/open-apis/helpdesk/v1/")?
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let is_param = |s: &&str| s.starts_with(':');
    let by_method = |get: &str| -> String {
        match method {
            "GET" => get.to_string(),
            "POST" => "create".into(),
            "PATCH" => "patch".into(),
            "PUT" => "update".into(),
            "DELETE" => "delete".into(),
            m => m.to_ascii_lowercase(),
        }
    };
    let same_path: Vec<&Known> = known.iter().filter(|k| k.path == path).collect();
    let (resource, op) = match segs.as_slice() {
        [x] => (singular(x), by_method("list")),
        [x, p] if is_param(p) => (singular(x), by_method("get")),
        [x, v] => (singular(x), v.to_string()),
        [x, p, v] if is_param(p) && method == "POST" && !v.ends_with('s') => {
            (singular(x), v.to_string())
        }
        [x, p, sub] if is_param(p) => {
            let single = same_path
                .iter()
                .any(|k| k.method == "PATCH" || k.method == "DELETE");
            (
                format!("{}_{}", singular(x), singular(sub)),
                by_method(if single { "get" } else { "list" }),
            )
        }
        [x, p, part, q] if is_param(p) && is_param(q) => {
            (singular(x), format!("{}_{}", singular(x), part))
        }
        _ => return None,
    };
    let resource = same_path.first().map_or(resource, |k| k.resource.clone());
    Some(format!("{resource}.{op}"))
}

/// The endpoint id of `method path`: the spec's own id when it has the
/// endpoint, else the SDK's name, else [`rule_id`].
pub fn endpoint_id(
    method: &str,
    path: &str,
    known: &[Known],
    sdk: Option<&Reference>,
) -> Option<(String, IdSource)> {
    if let Some(k) = known.iter().find(|k| k.method == method && k.path == path) {
        return Some((format!("{}.{}", k.resource, k.operation), IdSource::Spec));
    }
    if let Some(e) = sdk.and_then(|r| {
        r.endpoints
            .iter()
            .find(|e| e.http_method == method && e.path == path)
    }) {
        return Some((format!("{}.{}", e.resource, e.method), IdSource::Sdk));
    }
    rule_id(method, path, known).map(|id| (id, IdSource::Rule))
}

/// What [`merge`] decided.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    /// The endpoint (or event) id.
    pub id: String,
    /// `(path relative to the spec dir, content)` to write.
    pub files: Vec<(String, String)>,
    /// Draft type → existing spec type it was matched to.
    pub reused: BTreeMap<String, String>,
    /// Draft type → the name it is written under (new types).
    pub added: BTreeMap<String, String>,
    /// Notes for the maintainer.
    pub notes: Vec<String>,
}

/// The spec directory's files as `(relative path, parsed JSON)`.
pub type SpecFiles = Vec<(String, Value)>;

/// Every named type of the spec files.
fn spec_types(files: &SpecFiles) -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    for (name, v) in files {
        if name.starts_with("types/") {
            for t in v["types"].as_array().into_iter().flatten() {
                if let Some(n) = t["name"].as_str() {
                    m.insert(n.to_string(), t.clone());
                }
            }
        }
    }
    m
}

/// The wire family of a scalar type; `None` for a named type.
fn scalar_family(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "string" | "timestamp_ms" | "json_string" | "int64_string" => "string",
        "int" | "int64" | "timestamp_ms_number" | "timestamp_s" => "integer",
        "float" => "number",
        "bool" => "bool",
        "json" => "any",
        _ => return None,
    })
}

/// Whether a draft field type (names already renamed) fits an existing
/// field type: equal, the same scalar family, or a scalar the existing enum
/// refines, at the same list depth.
fn type_fits(draft: &str, existing: &str, types: &BTreeMap<String, Value>) -> bool {
    if draft == existing {
        return true;
    }
    let (db, eb) = (
        draft.trim_end_matches("[]"),
        existing.trim_end_matches("[]"),
    );
    if draft.len() - db.len() != existing.len() - eb.len() {
        return false;
    }
    match (scalar_family(db), scalar_family(eb)) {
        (Some(a), Some(b)) => a == b,
        (Some(a), None) => types
            .get(eb)
            .is_some_and(|t| t["kind"] == "enum" && (t["repr"] == "string") == (a == "string")),
        _ => false,
    }
}

/// Whether draft type `d` (fields renamed) is the existing type `e` or a
/// subset of it; with `exact`, only the same fields (or values).
fn subset_of(d: &Value, e: &Value, types: &BTreeMap<String, Value>, exact: bool) -> bool {
    if d["kind"] != e["kind"] {
        return false;
    }
    let size = |v: &Value| {
        v["fields"]
            .as_array()
            .or_else(|| v["values"].as_array())
            .map_or(0, Vec::len)
    };
    if exact && size(d) != size(e) {
        return false;
    }
    if d["kind"] == "enum" {
        let vals = |t: &Value| -> BTreeSet<String> {
            t["values"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| v["value"].to_string())
                .collect()
        };
        return d["repr"] == e["repr"] && vals(d).is_subset(&vals(e)) && !vals(d).is_empty();
    }
    let ef: BTreeMap<&str, &str> = e["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| Some((f["name"].as_str()?, f["type"].as_str()?)))
        .collect();
    let df = d["fields"].as_array().cloned().unwrap_or_default();
    !df.is_empty()
        && df.iter().all(|f| {
            let (Some(n), Some(t)) = (f["name"].as_str(), f["type"].as_str()) else {
                return false;
            };
            ef.get(n).is_some_and(|et| type_fits(t, et, types))
        })
}

/// The draft's types a request sends: reached from its path and query
/// parameters and its request body.
fn input_types(draft: &Draft) -> BTreeSet<String> {
    let defs: BTreeMap<&str, &Value> = draft.types["types"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| Some((t["name"].as_str()?, t)))
        .collect();
    let named = |v: &Value, out: &mut Vec<String>| {
        for f in v.as_array().into_iter().flatten() {
            if let Some(t) = f["type"].as_str() {
                out.push(t.trim_end_matches("[]").to_string());
            }
        }
    };
    let mut todo = Vec::new();
    let ep = &draft.endpoint;
    for part in [
        &ep["path_params"],
        &ep["query_params"],
        &ep["request_body"]["fields"],
    ] {
        named(part, &mut todo);
    }
    let mut seen = BTreeSet::new();
    while let Some(t) = todo.pop() {
        if let Some(def) = defs.get(t.as_str()) {
            if seen.insert(t) {
                named(&def["fields"], &mut todo);
            }
        }
    }
    seen
}

/// The words of a PascalCase name, lowercased (`TicketScore` → `ticket`, `score`).
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() || out.is_empty() {
            out.push(String::new());
        }
        if let Some(w) = out.last_mut() {
            w.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Whether two type names name the same thing: their last words agree, the
/// very last up to an ending (`Solve` / `TicketSolved`, `Score` /
/// `TicketScore`); when the last word says little alone (`Type`, `Status`),
/// the word before it too where both names have one (`SenderType` /
/// `TicketMessageSenderType`, not `MsgType` / `BotMessageType`).
fn related_names(a: &str, b: &str) -> bool {
    let (wa, wb) = (words(a), words(b));
    let (Some(la), Some(lb)) = (wa.last(), wb.last()) else {
        return false;
    };
    let generic = |w: &str| matches!(w, "type" | "status" | "kind" | "id" | "info" | "item");
    let ends_agree = la.len() >= 3
        && lb.len() >= 3
        && (la.starts_with(lb.as_str()) || lb.starts_with(la.as_str()));
    if !ends_agree {
        return false;
    }
    if generic(la) && wa.len() >= 2 && wb.len() >= 2 {
        return wa[wa.len() - 2] == wb[wb.len() - 2];
    }
    true
}

/// Renames named types in every `type` of a JSON tree (fields, params).
fn rename_types(v: &mut Value, map: &BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(t)) = m.get_mut("type") {
                let base = t.trim_end_matches("[]").to_string();
                if let Some(new) = map.get(&base) {
                    let lists = t.len() - base.len();
                    *t = format!("{new}{}", &t[t.len() - lists..]);
                }
            }
            for (k, x) in m.iter_mut() {
                if k != "example" && k != "example_response" && k != "example_request" {
                    rename_types(x, map);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rename_types(x, map)),
        _ => {}
    }
}

/// Merges a draft into the spec files: reuses matching types, names the new
/// ones without clashes, keeps the error names of an endpoint already in
/// the spec. Returns the files to write.
pub fn merge(draft: &Draft, files: &SpecFiles, id: &str) -> Merged {
    let mut out = Merged {
        id: id.to_string(),
        ..Merged::default()
    };
    let existing = spec_types(files);
    let mut rename: BTreeMap<String, String> = BTreeMap::new();
    let mut new_types: Vec<Value> = Vec::new();
    let mut taken: BTreeSet<String> = existing.keys().cloned().collect();
    // a type a request sends is reused only when it has the same fields:
    // a wider one would let a caller send fields the page does not list
    let input = input_types(draft);
    // children come before their parents in a draft, so a parent is
    // compared with its fields already renamed
    for t in draft.types["types"].as_array().into_iter().flatten() {
        let Some(name) = t["name"].as_str() else {
            continue;
        };
        let mut t = t.clone();
        rename_types(&mut t, &rename);
        // an enum's values are its meaning: reused only when they are the
        // same (a superset would change what the page says the field holds)
        let exact = input.contains(name) || t["kind"] == "enum";
        let same_name = existing
            .get(name)
            .filter(|e| subset_of(&t, e, &existing, exact))
            .map(|_| name.to_string());
        // fields of an object, values of an enum
        let size = |v: &Value| {
            v["fields"]
                .as_array()
                .or_else(|| v["values"].as_array())
                .map_or(0, Vec::len)
        };
        let nfields = size(&t);
        // under another name: the smallest type that includes the draft's;
        // an enum only under a related name (values alone say little: a
        // score 1-3 is not a rule category 1-3), preferring the item's own
        // resource (`Score` of a ticket page → `TicketScore`)
        let is_enum = t["kind"] == "enum";
        let resource = helpdesk_spec::names::pascal(id.split('.').next().unwrap_or(""));
        let any = || {
            existing
                .iter()
                .filter(|(n, e)| {
                    subset_of(&t, e, &existing, exact) && (!is_enum || related_names(name, n))
                })
                .min_by_key(|(n, e)| {
                    (
                        !n.ends_with(name),
                        !n.starts_with(resource.as_str()),
                        size(e),
                    )
                })
                .map(|(n, _)| n.clone())
        };
        let found = same_name.or_else(|| if nfields >= 2 { any() } else { None });
        match found {
            Some(e) => {
                out.reused.insert(name.to_string(), e.clone());
                if e != name {
                    rename.insert(name.to_string(), e);
                }
            }
            None => {
                let prefix = helpdesk_spec::names::pascal(id.split('.').next().unwrap_or(""));
                let mut new = name.to_string();
                if taken.contains(&new) {
                    new = format!("{prefix}{name}");
                    let mut n = 2;
                    while taken.contains(&new) {
                        new = format!("{prefix}{name}{n}");
                        n += 1;
                    }
                    out.notes.push(format!(
                        "type `{name}` differs from the spec's `{name}`: added as `{new}`"
                    ));
                    rename.insert(name.to_string(), new.clone());
                }
                taken.insert(new.clone());
                out.added.insert(name.to_string(), new.clone());
                t["name"] = Value::String(new);
                new_types.push(t);
            }
        }
    }
    // renames may refer to later types: apply all again
    for t in &mut new_types {
        rename_types(t, &rename);
    }
    let mut ep = draft.endpoint.clone();
    rename_types(&mut ep, &rename);
    let (dir, file) = match draft.kind {
        DraftKind::Endpoint => {
            let (r, o) = id.split_once('.').unwrap_or((id, ""));
            ep["resource"] = Value::String(r.to_string());
            ep["operation"] = Value::String(o.to_string());
            ("endpoints", format!("{id}.json"))
        }
        DraftKind::Event => ("events", format!("{id}.json")),
    };
    let path = format!("{dir}/{file}");
    // an endpoint already in the spec: keep its error names
    if let Some((_, old)) = files.iter().find(|(n, _)| *n == path) {
        let names: BTreeMap<String, Value> = old["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| (e["code"].to_string(), e["name"].clone()))
            .collect();
        for e in ep["errors"].as_array_mut().into_iter().flatten() {
            if let Some(n) = names.get(&e["code"].to_string()) {
                e["name"] = n.clone();
            }
        }
    }
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default() + "\n";
    out.files.push((path, pretty(&ep)));
    if !new_types.is_empty() {
        let mut name = format!("types/{id}.json");
        let mut n = 2;
        while files.iter().any(|(f, _)| *f == name) {
            name = format!("types/{id}.{n}.json");
            n += 1;
        }
        let mut tf = draft.types.clone();
        tf["types"] = Value::Array(new_types);
        out.files.push((name, pretty(&tf)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_are_reused_only_under_a_related_name() {
        assert!(related_names("Score", "TicketScore"));
        assert!(related_names("Solve", "TicketSolved"));
        assert!(related_names("Status", "TicketStatus"));
        assert!(!related_names("Score", "AgentSkillRuleCategory"));
        assert!(!related_names("Solve", "AgentStatus"));
        assert_eq!(words("TicketUser"), ["ticket", "user"]);
        assert_eq!(words("status"), ["status"]);
        assert!(related_names("SenderType", "TicketMessageSenderType"));
        assert!(!related_names("MsgType", "BotMessageType"));
        assert!(!related_names("TicketType", "PushScopeType"));
    }

    #[test]
    fn rule_names_routes() {
        let k = |r: &str, o: &str, m: &str, p: &str| Known {
            resource: r.into(),
            operation: o.into(),
            method: m.into(),
            path: p.into(),
        };
        let known = [k(
            "agent_schedules",
            "patch",
            "PATCH",
            "/open-apis/helpdesk/v1/agents/:agent_id/schedules",
        )];
        let id = |m: &str, p: &str| rule_id(m, &format!("/open-apis/helpdesk/v1/{p}"), &known);
        assert_eq!(id("GET", "categories").unwrap(), "category.list");
        assert_eq!(id("PUT", "tickets/:ticket_id").unwrap(), "ticket.update");
        assert_eq!(
            id("POST", "notifications/:id/cancel_send").unwrap(),
            "notification.cancel_send"
        );
        assert_eq!(id("GET", "faqs/search").unwrap(), "faq.search");
        assert_eq!(
            id("GET", "tickets/:id/messages").unwrap(),
            "ticket_message.list"
        );
        assert_eq!(
            id("POST", "tickets/:id/messages").unwrap(),
            "ticket_message.create"
        );
        assert_eq!(
            id("GET", "agents/:agent_id/schedules").unwrap(),
            "agent_schedules.get"
        );
        assert_eq!(id("GET", "faqs/:id/image/:key").unwrap(), "faq.faq_image");
        assert!(rule_id("GET", "/elsewhere", &known).is_none());
    }
}
