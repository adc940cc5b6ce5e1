//! Building the draft: the endpoint file and the types file from a page.

use super::fields::{Builder, DType, fields_from_example, fields_of, fit_example, param_of};
use super::page::{Draft, DraftKind, ErrorRow, Page, Row, first_line, is_ident_char, is_snake};
use super::refs::RefPages;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// A path segment as snake case (`ticket-message` → `ticket_message`).
fn snake(s: &str) -> String {
    s.trim().replace(['-', ' '], "_").to_ascii_lowercase()
}

/// Scopes in a text: runs like `helpdesk:all:readonly`, each with the text
/// that follows it as description.
fn scopes_in(text: &str) -> Vec<(String, String)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let scope_char =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | ':');
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].1.is_ascii_lowercase() && (i == 0 || !scope_char(chars[i - 1].1)) {
            let mut j = i;
            while j < chars.len() && scope_char(chars[j].1) {
                j += 1;
            }
            let end = chars.get(j).map_or(text.len(), |c| c.0);
            let run = &text[chars[i].0..end];
            let after_slash = chars.get(j).is_some_and(|c| c.1 == '/');
            if run.contains(':') && !run.ends_with(':') && !run.starts_with("http") && !after_slash
            {
                runs.push((chars[i].0, end, run.to_string()));
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    let mut out = Vec::new();
    for (k, (_, end, name)) in runs.iter().enumerate() {
        let stop = runs.get(k + 1).map_or(text.len(), |r| r.0);
        let desc = text
            .get(*end..stop)
            .unwrap_or("")
            .trim()
            .trim_matches(['`', '，', ',', '、'])
            .trim();
        out.push((name.clone(), desc.to_string()));
    }
    out
}

/// The endpoint id: `id` if given, else the hint, the page source path, or a guess from the route.
fn endpoint_id(
    page: &Page,
    id: Option<&str>,
    hint: Option<&str>,
    method: &str,
    path: &str,
) -> Result<String, String> {
    let valid = |s: &str| {
        s.split_once('.')
            .is_some_and(|(r, o)| is_snake(r) && is_snake(o))
    };
    if let Some(id) = id {
        return if valid(id) {
            Ok(id.to_string())
        } else {
            Err(format!("`{id}` is not a resource.operation id"))
        };
    }
    if let Some(h) = hint.filter(|h| valid(h)) {
        return Ok(h.to_string());
    }
    if let Some(src) = &page.source_path {
        let parts: Vec<&str> = src.split('/').collect();
        if parts.len() >= 2 {
            let cand = format!(
                "{}.{}",
                snake(parts[parts.len() - 2]),
                snake(parts[parts.len() - 1])
            );
            if valid(&cand) {
                return Ok(cand);
            }
        }
    }
    // from the route: /open-apis/helpdesk/v1/<things>/:id[/verb]
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).skip(3).collect();
    let resource = segs
        .iter()
        .rev()
        .find(|s| !s.starts_with(':'))
        .map(|s| snake(s))
        .unwrap_or_default();
    let last_is_param = segs.last().is_some_and(|s| s.starts_with(':'));
    let singular = |s: &str| {
        s.strip_suffix('s')
            .map_or_else(|| s.to_string(), str::to_string)
    };
    let (resource, op) = match (method, last_is_param) {
        ("GET", true) => (singular(&resource), "get".to_string()),
        ("GET", false) if segs.len() > 1 && segs[segs.len() - 2].starts_with(':') => {
            (singular(&snake(segs[0])), resource.clone())
        }
        ("GET", false) => (singular(&resource), "list".to_string()),
        ("POST", false) if segs.len() > 1 && segs[segs.len() - 2].starts_with(':') => {
            (singular(&snake(segs[0])), resource.clone())
        }
        ("POST", _) => (singular(&resource), "create".to_string()),
        ("PATCH", _) => (singular(&resource), "patch".to_string()),
        ("PUT", _) => (singular(&resource), "update".to_string()),
        ("DELETE", _) => (singular(&resource), "delete".to_string()),
        _ => (singular(&resource), method.to_ascii_lowercase()),
    };
    let cand = format!("{resource}.{op}");
    if valid(&cand) {
        Ok(cand)
    } else {
        Err(format!(
            "cannot derive an endpoint id from {method} {path}; pass --name resource.operation"
        ))
    }
}

/// A snake-case name for an error from its message (`error_<code>` as a fallback), unique among `used`.
fn error_name(e: &ErrorRow, used: &BTreeSet<String>) -> String {
    let head = e
        .message
        .split([',', '，', '.', '。', ';'])
        .next()
        .unwrap_or("");
    let words: Vec<String> = head
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(4)
        .map(str::to_ascii_lowercase)
        .collect();
    let mut name = words.join("_");
    if !is_snake(&name) || name == "unhandled" {
        name = format!("error_{}", e.code);
    }
    if used.contains(&name) {
        name = format!("{name}_{}", e.code);
    }
    name
}

/// Turns a parsed page into a draft: the endpoint file, the types file and notes.
pub(super) fn build(
    page: &Page,
    id: Option<&str>,
    hint: Option<&str>,
    refs: &RefPages,
) -> Result<Draft, String> {
    let mut b = Builder {
        types: Vec::new(),
        notes: page.notes.clone(),
        open: Vec::new(),
        refs: refs.clone(),
        partial: page
            .props
            .get("HTTP Method")
            .is_some_and(|m| first_line(m).eq_ignore_ascii_case("PATCH")),
    };
    if let Some(event_type) = &page.event_type {
        return build_event(page, event_type, b);
    }
    let (method, path) = route(page)?;
    let id = endpoint_id(page, id, hint, &method, &path)?;
    let mut ep = endpoint_head(page, &id, &method, &path, &mut b);
    ep.insert("rate_limit".into(), rate_limit(page));
    ep.insert("app_types".into(), json!(app_types(page)));
    ep.insert("scopes".into(), scopes(page, &mut b));
    let field_scopes = field_scopes(page);
    if !field_scopes.is_empty() {
        ep.insert("field_scopes".into(), json!(field_scopes));
    }
    ep.insert("auth".into(), auth(page, &mut b));
    insert_request(&mut ep, page, &mut b);

    let data_example = page.example_response.as_ref().and_then(|e| e.get("data"));
    let mut example_response = page.example_response.clone();
    let rows = data_rows(page);
    match &page.binary_reply {
        Some(text) if rows.is_empty() && page.example_response.is_none() => {
            b.notes.push(format!(
                "the reply is a file's bytes (the page: {text}); add its `content_type` if known"
            ));
            ep.insert("response".into(), json!({"binary": {"description": text}}));
        }
        _ => {
            let mut fields = fields_of(&rows, data_example, &mut b, false);
            if !page.response.is_empty() {
                fields_from_example(&mut fields, data_example, &mut b);
            }
            if let Some(p) = pagination(&ep, &fields) {
                ep.insert("pagination".into(), p);
            }
            if let Some(data) = example_response.as_mut().and_then(|e| e.get_mut("data")) {
                let mut notes = Vec::new();
                fit_example(data, &fields, &b, &mut notes);
                b.notes.extend(notes);
            }
            ep.insert("response".into(), json!({"fields": fields}));
        }
    }

    let errors = errors(page);
    if errors.is_empty() {
        b.notes.push("no 错误码 table found".into());
    }
    ep.insert("errors".into(), json!(errors));
    match example_response {
        Some(ex) => {
            ep.insert("example_response".into(), ex);
        }
        None if page.binary_reply.is_some() => {}
        None => b.notes.push("no 响应体示例 JSON found".into()),
    }

    let types_file = types_file(&id, &b);
    let endpoint = Value::Object(ep);
    let mut notes = b.notes;
    notes.extend(self_check(&id, &endpoint, &types_file));
    Ok(Draft {
        kind: DraftKind::Endpoint,
        id,
        endpoint,
        types: types_file,
        notes,
    })
}

/// The draft of an event page: the `event` object's fields, scopes and example.
fn build_event(page: &Page, event_type: &str, mut b: Builder) -> Result<Draft, String> {
    let ok = event_type.split('.').count() >= 3
        && event_type
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(is_ident_char));
    if !ok {
        return Err(format!(
            "the 事件类型 `{event_type}` is not an event type like helpdesk.ticket.created_v1"
        ));
    }
    // the rows under the top-level `event` row, one level up
    let mut rows = Vec::new();
    let mut under_event = false;
    for r in &page.event_body {
        if r.depth == 0 {
            under_event = r.name == "event";
            continue;
        }
        if under_event {
            rows.push(Row {
                depth: r.depth - 1,
                ..r.clone()
            });
        }
    }
    if rows.is_empty() {
        return Err("the 事件体 table has no `event` object with fields".into());
    }
    let example = page.example_event.as_ref().and_then(|e| e.get("event"));
    let fields = fields_of(&rows, example, &mut b, false);
    let mut ev = Map::new();
    ev.insert("$schema".into(), json!("../schema.json"));
    ev.insert("event_type".into(), json!(event_type));
    ev.insert("summary".into(), json!(page.title));
    ev.insert("description".into(), json!(page.description));
    if let Some(u) = &page.doc_url {
        ev.insert("doc_url".into(), json!(u));
    }
    ev.insert("app_types".into(), json!(app_types(page)));
    ev.insert("scopes".into(), scopes(page, &mut b));
    ev.insert("fields".into(), json!(fields));
    match page.example_event.clone() {
        Some(mut ex) => {
            if let Some(event) = ex.get_mut("event") {
                let mut notes = Vec::new();
                fit_example(event, &fields, &b, &mut notes);
                b.notes.extend(notes);
            }
            ev.insert("example".into(), ex);
        }
        None => b.notes.push("no 事件体示例 JSON found".into()),
    }
    let types_file = types_file(event_type, &b);
    let event = Value::Object(ev);
    let mut notes = b.notes;
    notes.extend(self_check_file(
        &format!("events/{event_type}.json"),
        event_type,
        &event,
        &types_file,
    ));
    Ok(Draft {
        kind: DraftKind::Event,
        id: event_type.to_string(),
        endpoint: event,
        types: types_file,
        notes,
    })
}

/// The paging the page documents, read from the names: a `page_token` query
/// parameter with `has_more` and a next-token field in the reply, or `page`
/// and `page_size` parameters with a `total` in the reply; the items are the
/// reply's (first) list field.
fn pagination(ep: &Map<String, Value>, reply: &[Value]) -> Option<Value> {
    let query: BTreeSet<&str> = ep
        .get("query_params")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|p| p["name"].as_str()).collect())
        .unwrap_or_default();
    let has = |n: &str| reply.iter().any(|f| f["name"] == n);
    let items = reply
        .iter()
        .find(|f| f["type"].as_str().is_some_and(|t| t.ends_with("[]")))?
        .get("name")?
        .as_str()?;
    if query.contains("page_token") && has("has_more") {
        let next = ["page_token", "next_page_token"]
            .into_iter()
            .find(|n| has(n))?;
        let mut p = json!({"style": "page_token", "items": items});
        if next != "page_token" {
            p["next_token_field"] = json!(next);
        }
        return Some(p);
    }
    if query.contains("page") && query.contains("page_size") && has("total") {
        return Some(json!({"style": "page", "items": items}));
    }
    None
}

/// The HTTP method (upper case) and the `/open-apis/...` path from the 项目 rows.
fn route(page: &Page) -> Result<(String, String), String> {
    let url = page
        .props
        .get("HTTP URL")
        .map(|s| first_line(s))
        .unwrap_or_default();
    let path = match url.find("/open-apis/") {
        Some(p) => url[p..].trim().to_string(),
        None => return Err(format!("the HTTP URL `{url}` has no /open-apis/ path")),
    };
    let method = page
        .props
        .get("HTTP Method")
        .map(|s| first_line(s).to_ascii_uppercase())
        .unwrap_or_default();
    if !matches!(method.as_str(), "GET" | "POST" | "PUT" | "PATCH" | "DELETE") {
        return Err(format!("unsupported HTTP method `{method}`"));
    }
    Ok((method, path))
}

/// The endpoint file's leading keys: schema, id parts, summary, description, doc URL, route.
fn endpoint_head(
    page: &Page,
    id: &str,
    method: &str,
    path: &str,
    b: &mut Builder,
) -> Map<String, Value> {
    let (resource, operation) = id.split_once('.').unwrap_or((id, ""));
    let mut ep = Map::new();
    ep.insert("$schema".into(), json!("../schema.json"));
    ep.insert("resource".into(), json!(resource));
    ep.insert("operation".into(), json!(operation));
    ep.insert("summary".into(), json!(page.title));
    ep.insert("description".into(), json!(page.description));
    if let Some(u) = &page.doc_url {
        ep.insert("doc_url".into(), json!(u));
    } else {
        b.notes
            .push("the page does not give its URL: add `doc_url`".into());
    }
    ep.insert("method".into(), json!(method));
    ep.insert("path".into(), json!(path));
    ep
}

/// The `rate_limit` object: the limits of the 接口频率限制 row, or a note when it has none.
fn rate_limit(page: &Page) -> Value {
    let rate = page.props.get("接口频率限制").cloned().unwrap_or_default();
    let limits = rate_limits(&rate);
    let mut rl = Map::new();
    rl.insert("limits".into(), json!(limits));
    if limits.is_empty() {
        let note = if rate.contains("特殊频控") {
            "特殊频控 (special rate control): the page gives no number".to_string()
        } else if rate.is_empty() {
            "the page has no 接口频率限制 row".to_string()
        } else {
            format!("as documented: {}", first_line(&rate))
        };
        rl.insert("note".into(), json!(note));
    }
    Value::Object(rl)
}

/// Each `N 次/分钟` or `N 次/秒` in a rate text, as `{requests, per}`.
fn rate_limits(rate: &str) -> Vec<Value> {
    let mut limits = Vec::new();
    let mut rest = rate;
    while let Some(p) = rest.find("次/") {
        let before = rest[..p].trim_end();
        let digits: String = before
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let after = &rest[p + "次/".len()..];
        let per = if after.starts_with("分钟") {
            Some("minute")
        } else if after.starts_with('秒') {
            Some("second")
        } else {
            None
        };
        if let (Ok(n), Some(per)) = (digits.parse::<u32>(), per) {
            limits.push(json!({"requests": n, "per": per}));
        }
        rest = after;
    }
    limits
}

/// The words of the 支持的应用类型 row.
fn app_types(page: &Page) -> Vec<String> {
    page.props
        .get("支持的应用类型")
        .map(|s| {
            s.split(|c: char| !is_ident_char(c))
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The helpdesk scopes as the Feishu scope list names them: (key, display
/// name). A 权限要求 cell that gives only the display name is read with it.
const KNOWN_SCOPES: [(&str, &str); 3] = [
    ("helpdesk:all:readonly", "获取服务台资源详情"),
    ("helpdesk:all", "更新服务台资源详情"),
    ("helpdesk:helpdesk:access", "访问服务台"),
];

/// The `scopes` object from the 权限要求 row (a note when it names none).
/// A row that names only a known scope's display name (no key) gets that
/// scope, with a note.
fn scopes(page: &Page, b: &mut Builder) -> Value {
    let scope_text = page.props.get("权限要求").cloned().unwrap_or_default();
    let mut scopes: Vec<Value> = scopes_in(&scope_text)
        .into_iter()
        .map(|(n, d)| json!({"name": n, "description": d}))
        .collect();
    if scopes.is_empty() {
        // by display name: a cell of its own in the markdown form, glued to
        // the row's lead text (`…即可调用获取服务台资源详情`) in the crawled one
        let mut named: Vec<(usize, &(&str, &str))> = KNOWN_SCOPES
            .iter()
            .filter_map(|k| scope_text.find(k.1).map(|at| (at, k)))
            .collect();
        named.sort();
        for (_, (key, title)) in named {
            b.notes.push(format!(
                "权限要求 names the scope `{title}` without its key; read as `{key}`"
            ));
            scopes.push(json!({"name": key, "description": title}));
        }
    }
    if scopes.is_empty() {
        b.notes.push("no scope found in 权限要求".into());
    }
    json!({"any_of": scopes})
}

/// Field scopes: conditional ones from the query parameters, then the 字段权限要求 row's.
fn field_scopes(page: &Page) -> Vec<Value> {
    let mut field_scopes: Vec<Value> = page
        .query_params
        .iter()
        .flat_map(conditional_field_scopes)
        .collect();
    if let Some(fs) = page.props.get("字段权限要求") {
        for (scope, desc) in scopes_in(fs) {
            if !field_scopes.iter().any(|f| f["scope"] == json!(scope)) {
                field_scopes.push(json!({"scope": scope, "description": desc}));
            }
        }
    }
    field_scopes
}

/// Field scopes that a query parameter's `当值为 X … 字段权限要求 …` lines ask for.
fn conditional_field_scopes(q: &Row) -> Vec<Value> {
    let mut out = Vec::new();
    for line in q.desc.lines() {
        let Some(p) = line.find("当值为") else {
            continue;
        };
        let after = &line[p + "当值为".len()..];
        let value: String = after
            .trim_start()
            .trim_start_matches('`')
            .chars()
            .take_while(|c| is_ident_char(*c))
            .collect();
        let Some(k) = after.find("字段权限要求") else {
            continue;
        };
        for (scope, desc) in scopes_in(&after[k + "字段权限要求".len()..]) {
            out.push(json!({"scope": scope, "description": desc, "when": {"param": q.name, "equals": value}}));
        }
    }
    out
}

/// The `auth` object: the token kinds of the Authorization row and the helpdesk header.
fn auth(page: &Page, b: &mut Builder) -> Value {
    let auth = page.auth_row.clone().unwrap_or_default();
    let auth_head = auth.split("值格式").next().unwrap_or(&auth);
    let tokens: Vec<&str> = [
        "user_access_token",
        "tenant_access_token",
        "app_access_token",
    ]
    .into_iter()
    .filter(|t| auth_head.contains(t))
    .collect();
    if tokens.is_empty() {
        b.notes
            .push("no token kind found in the Authorization header row".into());
    }
    json!({"tokens": tokens, "helpdesk_header": page.helpdesk_header})
}

/// Adds the path and query parameters, the request body and its example.
fn insert_request(ep: &mut Map<String, Value>, page: &Page, b: &mut Builder) {
    let path_params: Vec<Value> = page
        .path_params
        .iter()
        .map(|r| param_of(r, true, b))
        .collect();
    let query_params: Vec<Value> = page
        .query_params
        .iter()
        .map(|r| param_of(r, false, b))
        .collect();
    if !path_params.is_empty() {
        ep.insert("path_params".into(), json!(path_params));
    }
    if !query_params.is_empty() {
        ep.insert("query_params".into(), json!(query_params));
    }
    if !page.body.is_empty() {
        let mut fields = fields_of(&page.body, page.example_request.as_ref(), b, true);
        fields_from_example(&mut fields, page.example_request.as_ref(), b);
        let example = page.example_request.clone().map(|mut ex| {
            let mut notes = Vec::new();
            fit_example(&mut ex, &fields, b, &mut notes);
            b.notes.extend(notes);
            ex
        });
        ep.insert("request_body".into(), json!({"fields": fields}));
        if let Some(ex) = example {
            ep.insert("example_request".into(), ex);
        }
    }
}

/// The response rows under `data`, one level up.
fn data_rows(page: &Page) -> Vec<Row> {
    let mut data_rows = Vec::new();
    let mut under_data = false;
    for r in &page.response {
        if r.depth == 0 {
            under_data = r.name == "data";
            continue;
        }
        if under_data {
            data_rows.push(Row {
                depth: r.depth - 1,
                ..r.clone()
            });
        }
    }
    data_rows
}

/// The `errors` entries of the 错误码 table, each with a unique name.
fn errors(page: &Page) -> Vec<Value> {
    let mut used = BTreeSet::new();
    page.errors
        .iter()
        .map(|e| {
            let name = error_name(e, &used);
            used.insert(name.clone());
            json!({"http_status": e.status, "code": e.code, "name": name, "message": e.message, "advice": e.advice})
        })
        .collect()
}

/// The types file with every type the builder collected.
fn types_file(id: &str, b: &Builder) -> Value {
    let types: Vec<Value> = b
        .types
        .iter()
        .map(|(name, desc, t)| match t {
            DType::Object { fields } => json!({"name": name, "kind": "object", "description": desc, "fields": fields}),
            DType::Enum { repr, values } => json!({
                "name": name, "kind": "enum", "repr": repr, "description": desc,
                "values": values.iter().map(|(v, n, d)| json!({"value": v, "name": n, "description": d})).collect::<Vec<_>>(),
            }),
        })
        .collect();
    json!({
        "$schema": "../schema.json",
        "description": format!("Types of {id}, imported from its doc page (draft: review the names)."),
        "types": types,
    })
}

/// Runs the real validator on the draft (with a minimal service.json) and
/// returns its diagnostics as notes.
fn self_check(id: &str, endpoint: &Value, types: &Value) -> Vec<String> {
    self_check_file(&format!("endpoints/{id}.json"), id, endpoint, types)
}

/// Runs the real validator on one endpoint or event file (named `file`) with
/// its types file.
fn self_check_file(file: &str, id: &str, endpoint: &Value, types: &Value) -> Vec<String> {
    let service = json!({
        "service": "helpdesk", "version": "v1", "title": "draft check",
        "base_urls": {"feishu": "https://open.feishu.cn"},
        "helpdesk_header": {"name": "X-Lark-Helpdesk-Authorization", "format": "base64(helpdesk_id:helpdesk_token)", "description": "-"}
    });
    let files = vec![
        ("service.json".to_string(), service.to_string()),
        (
            format!("types/{id}.json"),
            serde_json::to_string_pretty(types).unwrap_or_default(),
        ),
        (
            file.to_string(),
            serde_json::to_string_pretty(endpoint).unwrap_or_default(),
        ),
    ];
    match helpdesk_spec::check_files(&files) {
        Ok(c) => c
            .warnings
            .iter()
            .map(|d| format!("draft check: {d}"))
            .collect(),
        Err(e) => e
            .diagnostics
            .iter()
            .map(|d| format!("draft check: {d}"))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_scopes() {
        let s = scopes_in(
            "调用该 API 所需的权限。开启其中任意一项权限即可调用helpdesk:all:readonly 获取服务台资源详情",
        );
        assert_eq!(
            s,
            vec![(
                "helpdesk:all:readonly".to_string(),
                "获取服务台资源详情".to_string()
            )]
        );
        assert!(scopes_in("see https://open.feishu.cn/x").is_empty());
    }
}
