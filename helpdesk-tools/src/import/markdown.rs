//! The markdown form of a doc page, whose tables have real cells.

use super::page::{ErrorRow, Page, Row, binary_reply, json_after};
use serde_json::Value;
use std::collections::BTreeSet;

/// The cells of a markdown table row; `None` for other lines and separators.
fn md_cells(line: &str) -> Option<Vec<String>> {
    let t = line.trim();
    if !t.starts_with('|') || t.starts_with("| ---") || t.starts_with("|---") {
        return None;
    }
    let inner = t
        .strip_prefix('|')?
        .strip_suffix('|')
        .unwrap_or(t.strip_prefix('|')?);
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut prev = '\0';
    for c in inner.chars() {
        if c == '|' && prev != '\\' {
            cells.push(cur.trim().to_string());
            cur.clear();
        } else {
            cur.push(c);
        }
        prev = c;
    }
    cells.push(cur.trim().to_string());
    Some(cells)
}

/// A cell as plain text: `<br>` to newlines, emphasis, code and links removed, escapes undone.
fn md_text(cell: &str) -> String {
    let mut s = cell
        .replace("<br>", "\n")
        .replace("**", "")
        .replace('`', "");
    // [text](url) → text
    while let Some(a) = s.find("](") {
        let Some(open) = s[..a].rfind('[') else { break };
        let Some(close) = s[a..].find(')') else { break };
        let label = s[open + 1..a].to_string();
        s.replace_range(open..a + close + 1, &label);
    }
    s.replace("\\-", "-")
        .replace("\\[\\]", "[]")
        .trim()
        .to_string()
}

/// The URLs of a cell's `[text](url)` links.
fn md_links(cell: &str) -> Vec<String> {
    cell.match_indices("](")
        .filter_map(|(a, _)| {
            let rest = &cell[a + 2..];
            rest.find(')').map(|close| rest[..close].trim().to_string())
        })
        .collect()
}

/// A cell that keeps its inline markdown (code spans, links, emphasis):
/// only `<br>` becomes a newline and backslash escapes are undone. Error
/// messages and advice are quoted this way, as the spec quotes them.
fn md_inline(cell: &str) -> String {
    let s = cell.replace("<br>", "\n");
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(n)) if n.is_ascii_punctuation() => {
                out.push(*n);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out.trim().to_string()
}

/// Reads a markdown doc page into the page model.
pub(super) fn parse_markdown(text: &str) -> Result<Page, String> {
    let mut page = Page::default();
    let mut section = String::new();
    let mut lead = Vec::new();
    let mut reply_lead: Vec<String> = Vec::new();
    let mut in_front = false;
    let mut in_code = false;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        // a fenced code block (the examples, the SDK samples after them):
        // its `#` comments are no headings, its `|` lines no table rows
        if t.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        if let Some(rest) = t.strip_prefix("<!-- source:") {
            page.source_path = Some(source_path(rest));
            continue;
        }
        if t == "---" && (n < 3 || in_front) {
            in_front = !in_front;
            continue;
        }
        if in_front {
            front_matter_line(&mut page, t);
            continue;
        }
        if let Some(h) = t.strip_prefix('#') {
            section = heading(&mut page, t, h);
            continue;
        }
        if section == "lead" && !t.is_empty() {
            lead.push(t.to_string());
        }
        if section == "响应" && !t.is_empty() && md_cells(line).is_none() {
            reply_lead.push(md_text(t));
        }
        if section == "请求头" && t.contains("X-Lark-Helpdesk-Authorization") {
            page.helpdesk_header = true;
        }
        if let Some(cells) = md_cells(line) {
            table_row(&mut page, &section, &cells, n + 1);
        }
    }
    page.description = lead.join("\n");
    page.binary_reply = binary_reply(&reply_lead);
    if let Some(t) = page.props.remove("事件类型") {
        if !page.props.contains_key("HTTP URL") {
            page.event_type = Some(t);
            page.example_event = json_after(text, "事件体示例", &mut page.notes);
            let notes = unflatten(&mut page.event_body, page.example_event.as_ref());
            page.notes.extend(notes);
            if page.event_body.is_empty() {
                return Err(
                    "this event page has no 事件体 table: not a complete event doc page".into(),
                );
            }
            return Ok(page);
        }
    }
    let missing: Vec<&str> = ["HTTP URL", "HTTP Method"]
        .into_iter()
        .filter(|k| !page.props.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        let rows = missing
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(" and ");
        return Err(format!(
            "this markdown page has no {rows} row{} (nor a 事件类型 row): not an endpoint doc page",
            if missing.len() > 1 { "s" } else { "" }
        ));
    }
    page.example_response = json_after(text, "响应体示例", &mut page.notes);
    page.example_request = json_after(text, "请求体示例", &mut page.notes);
    let mut notes = unflatten(&mut page.body, page.example_request.as_ref());
    notes.extend(unflatten(
        &mut page.response,
        page.example_response.as_ref(),
    ));
    page.notes.extend(notes);
    Ok(page)
}

/// The `resource/operation` path in a `<!-- source:repo:path.md@rev -->` comment.
fn source_path(rest: &str) -> String {
    // riba2534/feishu-open-docs:helpdesk-v1/notification/get.md@...
    let path = rest
        .split(':')
        .nth(1)
        .unwrap_or("")
        .split('@')
        .next()
        .unwrap_or("");
    path.trim_end_matches(".md").to_string()
}

/// Reads the doc URL from a front-matter `fullPath:` line.
fn front_matter_line(page: &mut Page, t: &str) {
    if let Some(p) = t.strip_prefix("fullPath:") {
        page.doc_url = Some(format!(
            "https://open.feishu.cn/document{}",
            p.trim().trim_matches('"')
        ));
    }
}

/// Handles a heading line (`t`, with `h` after its first `#`): the title for
/// `# `, and returns the section it opens.
fn heading(page: &mut Page, t: &str, h: &str) -> String {
    let h = h.trim_start_matches('#').trim();
    if t.starts_with("# ") {
        page.title = h.to_string();
        "lead".into()
    } else {
        h.to_string()
    }
}

/// Reads one table row of a section into the page.
fn table_row(page: &mut Page, section: &str, cells: &[String], line: usize) {
    match section {
        "请求" | "事件" if cells.len() >= 2 => request_prop(page, cells),
        "请求头" if cells.len() >= 4 && md_text(&cells[0]) == "Authorization" => {
            page.auth_row = Some(md_text(&cells[3]));
        }
        "路径参数" | "查询参数" | "请求体" | "响应体" | "事件体" if cells.len() >= 3 =>
        {
            let Some(row) = field_row(cells, line) else {
                return;
            };
            match section {
                "路径参数" => page.path_params.push(row),
                "查询参数" => page.query_params.push(row),
                "请求体" => page.body.push(row),
                "事件体" => page.event_body.push(row),
                _ => page.response.push(row),
            }
        }
        "错误码" if cells.len() >= 3 => {
            if let Some(e) = error_row(cells) {
                page.errors.push(e);
            }
        }
        _ => {}
    }
}

/// Reads a 请求 table row (HTTP URL, method, limits, scopes…) into the page's props.
fn request_prop(page: &mut Page, cells: &[String]) {
    let k = md_text(&cells[0]);
    let key = [
        "HTTP URL",
        "HTTP Method",
        "接口频率限制",
        "支持的应用类型",
        "字段权限要求",
        "权限要求",
        "事件类型",
    ]
    .into_iter()
    .find(|x| k.starts_with(x));
    if let Some(key) = key {
        page.props.insert(key.to_string(), md_text(&cells[1]));
    }
}

/// A parameter or field table row (depth from its `&nbsp;` indent); `None` for the header.
fn field_row(cells: &[String], line: usize) -> Option<Row> {
    let name_cell = &cells[0];
    if name_cell == "名称" {
        return None;
    }
    let depth = name_cell.matches("&nbsp;").count() / 2;
    let flat = depth == 0 && name_cell.trim_start().starts_with('∟');
    let name = md_text(&name_cell.replace("&nbsp;", "").replace(['└', '∟'], ""));
    let desc_cell = if cells.len() >= 4 {
        &cells[3]
    } else {
        &cells[2]
    };
    let required = (cells.len() >= 4).then(|| cells[2].trim() == "是");
    let desc = md_text(desc_cell);
    Some(Row {
        depth,
        name,
        ty: md_text(&cells[1]),
        required,
        desc,
        flat,
        line,
        links: md_links(desc_cell),
    })
}

/// Whether a doc type is an object (a named non-scalar type, `object`, or `-`).
fn is_object_type(ty: &str) -> bool {
    let base = ty.trim_end_matches("[]").trim();
    !matches!(
        base,
        "string"
            | "int"
            | "int32"
            | "int64"
            | "float"
            | "float64"
            | "double"
            | "number"
            | "number(float)"
            | "boolean"
            | "bool"
            | "map"
            | ""
    )
}

/// The first item of a list example, or the example itself.
fn item_of(v: Option<&Value>) -> Option<&Value> {
    match v {
        Some(Value::Array(a)) => a.first(),
        other => other,
    }
}

/// One open object while reading flat rows: the depth of its fields, the
/// examples of it (the section's JSON example at that place, and those of
/// the recursive rows that refer to it), its doc type, its row's name and
/// the names of the fields read into it so far.
struct Level<'a> {
    depth: usize,
    examples: Vec<&'a Value>,
    ty: String,
    name: String,
    fields: BTreeSet<String>,
}

impl Level<'_> {
    fn shows(&self, name: &str) -> bool {
        self.examples.iter().any(|e| e.get(name).is_some())
    }
}

/// Gives the older template's flat `∟` rows a depth: a flat row goes into
/// the innermost open object whose JSON example has its name (closing the
/// objects inside it), else stays in the innermost open object (with a
/// note when that object's example does not show it); a row of an object
/// type opens an object, except a row typed with an open object's type (a
/// recursive `children`): the rows after it are still that type's fields,
/// and its example counts as one of that type. A row repeating a field of
/// the same object is dropped with a note. Returns the notes, each naming
/// the page line.
pub(super) fn unflatten(rows: &mut Vec<Row>, example: Option<&Value>) -> Vec<String> {
    let mut notes = Vec::new();
    let mut levels: Vec<Level> = Vec::new();
    let mut keep = vec![true; rows.len()];
    for (k, r) in rows.iter_mut().enumerate() {
        if !r.flat {
            let ex = if r.depth == 0 {
                item_of(example.and_then(|e| e.get(&r.name)))
            } else {
                None
            };
            levels = vec![Level {
                depth: r.depth + 1,
                examples: ex.into_iter().collect(),
                ty: r.ty.trim_end_matches("[]").to_string(),
                name: r.name.clone(),
                fields: BTreeSet::new(),
            }];
            continue;
        }
        if levels.is_empty() {
            levels.push(Level {
                depth: 0,
                examples: example.into_iter().collect(),
                ty: String::new(),
                name: String::new(),
                fields: BTreeSet::new(),
            });
        }
        match levels.iter().rposition(|l| l.shows(&r.name)) {
            Some(p) => levels.truncate(p + 1),
            None => {
                if let Some(top) = levels.last().filter(|l| !l.examples.is_empty()) {
                    notes.push(format!(
                        "line {}: `{}` is not in the example; placed under `{}` by the row order",
                        r.line, r.name, top.name
                    ));
                }
            }
        }
        let Some(top) = levels.last_mut() else {
            continue;
        };
        r.depth = top.depth;
        if !top.fields.insert(r.name.clone()) {
            notes.push(format!(
                "line {}: `{}` repeats a field of `{}`; the repeat is left out",
                r.line, r.name, top.name
            ));
            keep[k] = false;
            continue;
        }
        let base = r.ty.trim_end_matches("[]").to_string();
        if !is_object_type(&r.ty) {
            continue;
        }
        let ex = top
            .examples
            .iter()
            .find_map(|e| item_of(e.get(&r.name)))
            .filter(|e| e.is_object());
        let named = !matches!(base.as_str(), "object" | "-" | "map" | "");
        if let Some(own) = levels.iter_mut().rev().find(|l| named && l.ty == base) {
            // a recursive row: its example shows more of the same type
            own.examples.extend(ex);
            continue;
        }
        let depth = r.depth + 1;
        levels.push(Level {
            depth,
            examples: ex.into_iter().collect(),
            ty: base,
            name: r.name.clone(),
            fields: BTreeSet::new(),
        });
    }
    let mut k = 0;
    rows.retain(|_| {
        k += 1;
        keep[k - 1]
    });
    notes
}

/// A 错误码 table row; `None` when its status or code is not a number.
fn error_row(cells: &[String]) -> Option<ErrorRow> {
    let (Ok(status), Ok(code)) = (cells[0].parse::<u16>(), cells[1].parse::<i64>()) else {
        return None;
    };
    Some(ErrorRow {
        status,
        code,
        message: md_inline(&cells[2]),
        advice: cells.get(3).map(|c| md_inline(c)).unwrap_or_default(),
    })
}
