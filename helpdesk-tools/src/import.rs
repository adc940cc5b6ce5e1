//! Import of Feishu doc pages into spec drafts (`helpdesk-spec import`).
//!
//! Two page forms are read:
//!
//! * the crawled **text** form, where table cells are glued together
//!   (`create_usernotification_user非必填，创建人`). Name / type / description
//!   are split by scoring the possible splits: a name that is a key of the
//!   doc's JSON example at that place, a known scalar type, a type that the
//!   page spells elsewhere (`notification_user\[\]`), a type equal to the
//!   name, a description that starts with a non-ASCII character;
//! * the **markdown** form, whose tables have real cells.
//!
//! Both are read into one page model, then turned into an endpoint file and
//! a types file. Guesses are reported as notes; the draft is checked with
//! the real validator before it is returned.

use helpdesk_spec::names::pascal;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// A spec draft made from one doc page.
#[derive(Debug, Clone)]
pub struct Draft {
    /// `resource.operation`.
    pub id: String,
    /// The `endpoints/<id>.json` file.
    pub endpoint: Value,
    /// The `types/<id>.json` file.
    pub types: Value,
    /// Guesses and gaps a person should review.
    pub notes: Vec<String>,
}

/// One row of a parameter or field table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    /// Nesting depth (0 = top level; in the response, `data`'s fields are at 1).
    pub depth: usize,
    /// Wire name.
    pub name: String,
    /// Doc type, unescaped (`notification_user[]`).
    pub ty: String,
    /// The 必填 column, when the page has one.
    pub required: Option<bool>,
    /// Description, lines joined by `\n`.
    pub desc: String,
}

/// One row of the 错误码 table.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRow {
    /// HTTP status.
    pub status: u16,
    /// Business code.
    pub code: i64,
    /// 描述.
    pub message: String,
    /// 排查建议.
    pub advice: String,
}

/// What a doc page says, in either form.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Title (the summary).
    pub title: String,
    /// Lead paragraph(s).
    pub description: String,
    /// Official URL, when the page names it.
    pub doc_url: Option<String>,
    /// `resource/operation` path of the page source, when known.
    pub source_path: Option<String>,
    /// Rows of the 项目 table: key → value.
    pub props: BTreeMap<String, String>,
    /// The Authorization header row's description.
    pub auth_row: Option<String>,
    /// Whether the page asks for `X-Lark-Helpdesk-Authorization`.
    pub helpdesk_header: bool,
    /// 路径参数.
    pub path_params: Vec<Row>,
    /// 查询参数.
    pub query_params: Vec<Row>,
    /// 请求体.
    pub body: Vec<Row>,
    /// 响应体 (including `code`, `msg`, `data` at depth 0).
    pub response: Vec<Row>,
    /// 请求体示例.
    pub example_request: Option<Value>,
    /// 响应体示例.
    pub example_response: Option<Value>,
    /// 错误码.
    pub errors: Vec<ErrorRow>,
}

/// Parses a doc page (crawled text or markdown) into a draft. `id` forces
/// the endpoint id; `hint` (e.g. the file stem) is used when it looks like
/// `resource.operation` and the page does not name itself.
pub fn import_page(text: &str, id: Option<&str>, hint: Option<&str>) -> Result<Draft, String> {
    let page = if is_markdown(text) {
        parse_markdown(text)?
    } else {
        parse_text(text)?
    };
    build(&page, id, hint)
}

fn is_markdown(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("| --- |") || l.starts_with("|---"))
        || text.contains("\n## 请求")
}

// ------------------------------------------------------------------ shared

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn snake(s: &str) -> String {
    s.trim().replace(['-', ' '], "_").to_ascii_lowercase()
}

fn is_snake(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.ends_with('_')
        && !s.contains("__")
}

/// The first JSON value that starts at or after the first `{` following
/// `heading` (a line of its own).
fn json_after(text: &str, heading: &str) -> Option<Value> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim().trim_start_matches('#').trim();
        offset += line.len();
        if t == heading {
            let rest = text.get(offset..)?;
            // stop at the next heading-ish line of another section
            let start = rest.find('{')?;
            let mut it =
                serde_json::Deserializer::from_str(rest.get(start..)?).into_iter::<Value>();
            return it.next().and_then(Result::ok);
        }
    }
    None
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

// ------------------------------------------------------------------ text form

const SECTIONS: [&str; 11] = [
    "请求",
    "请求头",
    "路径参数",
    "查询参数",
    "请求体",
    "请求体示例",
    "响应",
    "响应体",
    "响应体示例",
    "错误码",
    "项目",
];

const PRIMS: [&str; 16] = [
    "string", "int64", "int32", "int", "float64", "float", "double", "number", "boolean", "bool",
    "object", "map", "list", "file", "\\-", "-",
];

fn unescape_ty(t: &str) -> String {
    t.replace("\\[\\]", "[]")
        .replace("\\-", "-")
        .replace('`', "")
        .trim()
        .to_string()
}

/// Context for splitting a glued `nametypedescription` cell.
struct SplitCtx<'a> {
    keys: Option<&'a BTreeSet<String>>,
    has_children: bool,
    known_types: &'a BTreeSet<String>,
}

/// Splits `blob` into (name, doc type, description) by scoring every
/// possible split; `None` when nothing looks like a name followed by a type.
fn split_glued(blob: &str, ctx: &SplitCtx<'_>) -> Option<(String, String, String)> {
    let run = blob.find(|c: char| !is_ident_char(c)).unwrap_or(blob.len());
    let mut best: Option<(i32, usize, String, String, String)> = None;
    for i in 1..=run.min(blob.len()) {
        let name = &blob[..i];
        if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            continue;
        }
        let rest = &blob[i..];
        let mut cands: Vec<(String, &str, bool)> = Vec::new(); // (type, after, custom)
        for p in PRIMS {
            if let Some(after) = rest.strip_prefix(p) {
                for suf in ["\\[\\]", "[]"] {
                    if let Some(a2) = after.strip_prefix(suf) {
                        cands.push((format!("{p}[]"), a2, false));
                    }
                }
                cands.push((p.to_string(), after, false));
            }
        }
        let crun = rest.find(|c: char| !is_ident_char(c)).unwrap_or(rest.len());
        for j in 1..=crun {
            let t = &rest[..j];
            if !t.starts_with(|c: char| c.is_ascii_lowercase()) || PRIMS.contains(&t) {
                continue;
            }
            let after = &rest[j..];
            if j == crun {
                for suf in ["\\[\\]", "[]"] {
                    if let Some(a2) = after.strip_prefix(suf) {
                        cands.push((format!("{t}[]"), a2, true));
                    }
                }
            }
            cands.push((t.to_string(), after, true));
        }
        for (ty, after, custom) in cands {
            let mut score = 0i32;
            if ctx.keys.is_some_and(|k| k.contains(name)) {
                score += 100;
            }
            let base = ty.trim_end_matches("[]");
            let list = ty.ends_with("[]");
            if custom {
                if ctx.has_children {
                    score += 10;
                } else {
                    score -= 60;
                }
                if list {
                    score += 15;
                }
                if base == name {
                    score += 15;
                }
                if ctx.known_types.contains(base) {
                    score += 12;
                }
            } else if ctx.has_children {
                score += if matches!(base, "object" | "map" | "-" | "\\-") {
                    20
                } else {
                    -100
                };
            } else {
                score += 20;
            }
            if after.is_empty() || !after.starts_with(is_ident_char) {
                score += 5;
            }
            let better = match &best {
                None => true,
                Some((s, len, ..)) => score > *s || (score == *s && i > *len),
            };
            if better {
                best = Some((score, i, name.to_string(), ty, after.to_string()));
            }
        }
    }
    let (score, _, name, ty, desc) = best?;
    if score < 0 {
        return None;
    }
    Some((name, unescape_ty(&ty), desc.trim().to_string()))
}

/// Cuts the text form into (heading, lines) sections.
fn text_sections(text: &str) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let mut head = Vec::new();
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if SECTIONS.contains(&t) {
            sections.push((t.to_string(), Vec::new()));
            continue;
        }
        match sections.last_mut() {
            Some((_, lines)) => lines.push(line.to_string()),
            None => head.push(line.to_string()),
        }
    }
    (head, sections)
}

fn parse_text(text: &str) -> Result<Page, String> {
    let (head, sections) = text_sections(text);
    let get = |name: &str| {
        sections
            .iter()
            .find(|(h, _)| h == name)
            .map(|(_, l)| l.as_slice())
    };
    let items = get("项目").unwrap_or(&[]);
    let url_line = items.iter().find(|l| l.starts_with("HTTP URL"));
    if url_line.is_none() || !items.iter().any(|l| l.starts_with("HTTP Method")) {
        return Err("this does not look like a Feishu endpoint doc page: no `HTTP URL` / `HTTP Method` rows \
                    (expected the crawled text form of a page such as notification.get, or its markdown form)"
            .into());
    }
    let mut page = Page::default();
    let head: Vec<&str> = head
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && *l != "Skip to content")
        .collect();
    page.title = head.first().map(|s| s.to_string()).unwrap_or_default();
    page.description = head.get(1..).map(|r| r.join("\n")).unwrap_or_default();

    let keys = [
        "HTTP URL",
        "HTTP Method",
        "接口频率限制",
        "支持的应用类型",
        "权限要求",
        "字段权限要求",
    ];
    let mut current: Option<&str> = None;
    for l in items {
        let t = l.trim();
        if let Some(k) = keys.iter().find(|k| t.starts_with(**k)) {
            current = Some(k);
            page.props
                .insert(k.to_string(), t[k.len()..].trim().to_string());
        } else if let Some(k) = current {
            if let Some(v) = page.props.get_mut(k) {
                v.push('\n');
                v.push_str(t);
            }
        }
    }

    let example = json_after(text, "响应体示例");
    page.example_response = example.clone();
    page.example_request = json_after(text, "请求体示例");

    // Types the page spells as lists tell where custom type names end.
    let mut known = BTreeSet::new();
    for (_, lines) in &sections {
        for l in lines {
            let mut rest = l.as_str();
            while let Some(p) = rest.find("\\[\\]") {
                let before = &rest[..p];
                let start = before
                    .rfind(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
                let word = &before[start.map_or(0, |s| {
                    s + before[s..].chars().next().map_or(1, char::len_utf8)
                })..];
                if !word.is_empty() {
                    // the word may still carry the field name glued in front; keep every suffix
                    for (k, _) in word.char_indices() {
                        known.insert(word[k..].to_string());
                    }
                }
                rest = &rest[p + 4..];
            }
        }
    }
    known.retain(|k| k.len() > 2 && !PRIMS.contains(&k.as_str()));

    if let Some(lines) = get("请求头") {
        let joined = lines.join("\n");
        page.helpdesk_header = joined.contains("X-Lark-Helpdesk-Authorization");
        if let Some(l) = lines
            .iter()
            .find(|l| l.trim_start().starts_with("Authorization"))
        {
            page.auth_row = Some(l.trim().to_string());
        }
    }
    page.helpdesk_header |= text.contains("Key: X-Lark-Helpdesk-Authorization");

    let no_keys = SplitCtx {
        keys: None,
        has_children: false,
        known_types: &known,
    };
    page.path_params = text_param_rows(get("路径参数").unwrap_or(&[]), &no_keys);
    page.query_params = text_param_rows(get("查询参数").unwrap_or(&[]), &no_keys);
    page.body = text_tree_rows(
        get("请求体").unwrap_or(&[]),
        page.example_request.as_ref(),
        &known,
        false,
    );
    page.response = text_tree_rows(get("响应体").unwrap_or(&[]), example.as_ref(), &known, true);
    page.errors = text_errors(get("错误码").unwrap_or(&[]));
    Ok(page)
}

fn is_header_line(l: &str) -> bool {
    l.starts_with("名称类型")
}

fn text_param_rows(lines: &[String], ctx: &SplitCtx<'_>) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for l in lines {
        let t = l.trim();
        if t.is_empty() || is_header_line(t) {
            continue;
        }
        let starts_ascii = t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
        let cont = [
            "示例值",
            "可选值有",
            "默认值",
            "当值为",
            "- ",
            "数据校验规则",
            "最大长度",
            "最小长度",
        ];
        let split = if starts_ascii && !cont.iter().any(|c| t.starts_with(c)) {
            split_glued(t, ctx)
        } else {
            None
        };
        match split {
            Some((name, ty, desc)) => rows.push(Row {
                depth: 0,
                name,
                ty,
                required: None,
                desc,
            }),
            None => {
                if let Some(r) = rows.last_mut() {
                    r.desc.push('\n');
                    r.desc.push_str(t);
                }
            }
        }
    }
    rows
}

/// Keys of the example object at a field path (lists: their first item).
fn example_keys(example: Option<&Value>, path: &[String]) -> Option<BTreeSet<String>> {
    let mut v = example?;
    for p in path {
        v = v.get(p)?;
        while let Some(a) = v.as_array() {
            v = a.first()?;
        }
    }
    v.as_object().map(|m| m.keys().cloned().collect())
}

fn text_tree_rows(
    lines: &[String],
    example: Option<&Value>,
    known: &BTreeSet<String>,
    response: bool,
) -> Vec<Row> {
    // (depth, blob) first, so that "has children" is known when splitting.
    let mut raw: Vec<(usize, String)> = Vec::new();
    for l in lines {
        if l.trim().is_empty() || is_header_line(l.trim()) {
            continue;
        }
        let indent = l
            .chars()
            .take_while(|c| *c == ' ' || *c == '\u{a0}')
            .count();
        let rest = l.trim_start_matches([' ', '\u{a0}']);
        match rest.strip_prefix('└') {
            Some(blob) => raw.push((indent / 2, blob.trim_start().to_string())),
            None if indent == 0
                && rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') =>
            {
                raw.push((0, rest.to_string()))
            }
            None => {
                if let Some(last) = raw.last_mut() {
                    last.1.push('\n');
                    last.1.push_str(rest.trim());
                }
            }
        }
    }
    let mut rows = Vec::new();
    let mut path: Vec<String> = Vec::new();
    for (k, (depth, blob)) in raw.iter().enumerate() {
        let has_children = raw.get(k + 1).is_some_and(|(d, _)| *d > *depth);
        path.truncate(*depth);
        // example paths of the response start below `data`
        let ex_path: Vec<String> = if response {
            if *depth == 0 {
                Vec::new()
            } else {
                std::iter::once("data".to_string())
                    .chain(path[1..].iter().cloned())
                    .collect()
            }
        } else {
            path.clone()
        };
        let keys = example_keys(example, &ex_path);
        let ctx = SplitCtx {
            keys: keys.as_ref(),
            has_children,
            known_types: known,
        };
        let (first, more) = blob.split_once('\n').unwrap_or((blob, ""));
        if let Some((name, ty, mut desc)) = split_glued(first, &ctx) {
            if !more.is_empty() {
                desc.push('\n');
                desc.push_str(more);
            }
            while path.len() < *depth {
                path.push(String::new());
            }
            path.push(name.clone());
            rows.push(Row {
                depth: *depth,
                name,
                ty,
                required: None,
                desc,
            });
        }
    }
    rows
}

fn text_errors(lines: &[String]) -> Vec<ErrorRow> {
    let mut out = Vec::new();
    for l in lines {
        let t = l.trim();
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        if digits.len() < 4 || is_header_line(t) {
            continue;
        }
        let (status, code) = digits.split_at(3);
        let (Ok(status), Ok(code)) = (status.parse::<u16>(), code.parse::<i64>()) else {
            continue;
        };
        let rest = &t[digits.len()..];
        // message: up to the first CJK character (the advice is Chinese)
        let cut = rest
            .char_indices()
            .find(|(_, c)| !c.is_ascii() && c.is_alphabetic())
            .map_or(rest.len(), |x| x.0);
        let (message, advice) = if cut == 0 {
            (rest, "")
        } else {
            rest.split_at(cut)
        };
        out.push(ErrorRow {
            status,
            code,
            message: message.trim().to_string(),
            advice: advice.trim().to_string(),
        });
    }
    out
}

// ------------------------------------------------------------------ markdown form

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

fn parse_markdown(text: &str) -> Result<Page, String> {
    let mut page = Page::default();
    let mut section = String::new();
    let mut lead = Vec::new();
    let mut in_front = false;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("<!-- source:") {
            // riba2534/feishu-open-docs:helpdesk-v1/notification/get.md@...
            let path = rest
                .split(':')
                .nth(1)
                .unwrap_or("")
                .split('@')
                .next()
                .unwrap_or("");
            page.source_path = Some(path.trim_end_matches(".md").to_string());
            continue;
        }
        if t == "---" && (n < 3 || in_front) {
            in_front = !in_front;
            continue;
        }
        if in_front {
            if let Some(p) = t.strip_prefix("fullPath:") {
                page.doc_url = Some(format!(
                    "https://open.feishu.cn/document{}",
                    p.trim().trim_matches('"')
                ));
            }
            continue;
        }
        if let Some(h) = t.strip_prefix('#') {
            let h = h.trim_start_matches('#').trim();
            if t.starts_with("# ") {
                page.title = h.to_string();
                section = "lead".into();
            } else {
                section = h.to_string();
            }
            continue;
        }
        if section == "lead" && !t.is_empty() {
            lead.push(t.to_string());
        }
        if section == "请求头" && t.contains("X-Lark-Helpdesk-Authorization") {
            page.helpdesk_header = true;
        }
        let Some(cells) = md_cells(line) else {
            continue;
        };
        match section.as_str() {
            "请求" if cells.len() >= 2 => {
                let k = md_text(&cells[0]);
                let key = [
                    "HTTP URL",
                    "HTTP Method",
                    "接口频率限制",
                    "支持的应用类型",
                    "字段权限要求",
                    "权限要求",
                ]
                .into_iter()
                .find(|x| k.starts_with(x));
                if let Some(key) = key {
                    page.props.insert(key.to_string(), md_text(&cells[1]));
                }
            }
            "请求头" if cells.len() >= 4 && md_text(&cells[0]) == "Authorization" => {
                page.auth_row = Some(md_text(&cells[3]));
            }
            "路径参数" | "查询参数" | "请求体" | "响应体" if cells.len() >= 3 => {
                let name_cell = &cells[0];
                if name_cell == "名称" {
                    continue;
                }
                let depth = name_cell.matches("&nbsp;").count() / 2;
                let name = md_text(&name_cell.replace("&nbsp;", "").replace('└', ""));
                let (required, desc) = if cells.len() >= 4 {
                    (Some(cells[2].trim() == "是"), md_text(&cells[3]))
                } else {
                    (None, md_text(&cells[2]))
                };
                let row = Row {
                    depth,
                    name,
                    ty: md_text(&cells[1]),
                    required,
                    desc,
                };
                match section.as_str() {
                    "路径参数" => page.path_params.push(row),
                    "查询参数" => page.query_params.push(row),
                    "请求体" => page.body.push(row),
                    _ => page.response.push(row),
                }
            }
            "错误码" if cells.len() >= 3 => {
                if let (Ok(status), Ok(code)) = (cells[0].parse::<u16>(), cells[1].parse::<i64>()) {
                    page.errors.push(ErrorRow {
                        status,
                        code,
                        message: md_text(&cells[2]),
                        advice: cells.get(3).map(|c| md_text(c)).unwrap_or_default(),
                    });
                }
            }
            _ => {}
        }
    }
    if !page.props.contains_key("HTTP URL") || !page.props.contains_key("HTTP Method") {
        return Err(
            "this markdown page has no `HTTP URL` / `HTTP Method` rows: not an endpoint doc page"
                .into(),
        );
    }
    page.description = lead.join("\n");
    page.example_response = json_after(text, "响应体示例");
    page.example_request = json_after(text, "请求体示例");
    Ok(page)
}

// ------------------------------------------------------------------ page → draft

/// A draft type.
#[derive(Debug, Clone, PartialEq)]
enum DType {
    Object {
        fields: Vec<Value>,
    },
    Enum {
        repr: &'static str,
        values: Vec<(Value, String, String)>,
    },
}

struct Builder {
    types: Vec<(String, String, DType)>,
    notes: Vec<String>,
}

impl Builder {
    fn find(&self, name: &str) -> Option<&DType> {
        self.types.iter().find(|t| t.0 == name).map(|t| &t.2)
    }

    /// Adds a type; an equal one under the same name is reused, a different
    /// one gets a new name and a note.
    fn add(&mut self, name: &str, desc: &str, t: DType) -> String {
        match self.find(name) {
            None => {
                self.types.push((name.to_string(), desc.to_string(), t));
                name.to_string()
            }
            Some(existing) if same_shape(existing, &t) => name.to_string(),
            Some(_) => {
                let mut n = 2;
                while self.find(&format!("{name}{n}")).is_some() {
                    n += 1;
                }
                let new = format!("{name}{n}");
                self.notes.push(format!(
                    "the page describes `{name}` twice with different fields; the second is `{new}`"
                ));
                self.types.push((new.clone(), desc.to_string(), t));
                new
            }
        }
    }
}

fn same_shape(a: &DType, b: &DType) -> bool {
    match (a, b) {
        (DType::Object { fields: fa }, DType::Object { fields: fb }) => {
            let k = |f: &Vec<Value>| {
                f.iter()
                    .map(|x| (x["name"].clone(), x["type"].clone(), x["required"].clone()))
                    .collect::<Vec<_>>()
            };
            k(fa) == k(fb)
        }
        (DType::Enum { values: va, .. }, DType::Enum { values: vb, .. }) => {
            va.iter().map(|v| &v.0).collect::<Vec<_>>()
                == vb.iter().map(|v| &v.0).collect::<Vec<_>>()
        }
        _ => false,
    }
}

/// `0（定时推送…） 1（…）` or `0：… 1：…` / `1:bot 2:人工`: (value, meaning),
/// and the text before the first value.
fn int_enum_values(desc: &str) -> Option<(String, Vec<(i64, String)>)> {
    let chars: Vec<(usize, char)> = desc.char_indices().collect();
    let mut starts = Vec::new(); // (byte start of number, value, byte start of meaning, paren?)
    for (k, &(pos, c)) in chars.iter().enumerate() {
        if !c.is_ascii_digit()
            || (k > 0
                && !chars[k - 1].1.is_whitespace()
                && chars[k - 1].1 != ','
                && chars[k - 1].1 != '，')
        {
            continue;
        }
        let mut j = k;
        while j < chars.len() && chars[j].1.is_ascii_digit() {
            j += 1;
        }
        let Some(&(sep_pos, sep)) = chars.get(j) else {
            continue;
        };
        if !matches!(sep, '(' | '（' | ':' | '：') {
            continue;
        }
        let Ok(v) = desc[pos..sep_pos].parse::<i64>() else {
            continue;
        };
        let meaning_start = sep_pos + sep.len_utf8();
        starts.push((pos, v, meaning_start, matches!(sep, '(' | '（')));
    }
    if starts.len() < 2 {
        return None;
    }
    let mut values = Vec::new();
    let mut tail = String::new();
    for (i, &(_, v, m, paren)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(desc.len(), |n| n.0);
        let raw = desc[m..end].trim();
        let meaning = if paren {
            // up to the matching close paren
            let mut depth = 1;
            let mut cut = raw.len();
            for (ix, c) in raw.char_indices() {
                match c {
                    '(' | '（' => depth += 1,
                    ')' | '）' => {
                        depth -= 1;
                        if depth == 0 {
                            cut = ix;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            raw[..cut].trim().to_string()
        } else {
            // up to the first whitespace outside parentheses
            let mut depth = 0;
            let mut cut = raw.len();
            for (ix, c) in raw.char_indices() {
                match c {
                    '(' | '（' => depth += 1,
                    ')' | '）' => depth -= 1,
                    c if c.is_whitespace() && depth <= 0 => {
                        cut = ix;
                        break;
                    }
                    _ => {}
                }
            }
            if i + 1 == starts.len() {
                tail = raw[cut..].trim().to_string();
            }
            raw[..cut].trim().to_string()
        };
        values.push((v, meaning));
    }
    let distinct: BTreeSet<i64> = values.iter().map(|v| v.0).collect();
    if distinct.len() != values.len() {
        return None;
    }
    let head = desc[..starts[0].0]
        .trim()
        .trim_end_matches([',', '，'])
        .trim();
    let mut rest = head.to_string();
    if !tail.is_empty() {
        rest = format!("{rest} {tail}").trim().to_string();
    }
    Some((rest, values))
}

/// `- open_id: …` items after 可选值有.
fn string_enum_values(desc: &str) -> Vec<(String, String)> {
    let Some(p) = desc.find("可选值有") else {
        return Vec::new();
    };
    let text = &desc[p + "可选值有".len()..];
    let text = text.split("默认值").next().unwrap_or(text);
    let mut items: Vec<(usize, usize, String)> = Vec::new(); // (item start, meaning start, value)
    let mut search = 0;
    while let Some(off) = text[search..].find("- ") {
        let at = search + off;
        let ok_before = at == 0 || text[..at].ends_with(char::is_whitespace);
        let after = &text[at + 2..];
        let val: String = after
            .chars()
            .take_while(|c| is_ident_char(*c) || *c == '.' || *c == '-')
            .collect();
        let rest = &after[val.len()..];
        if ok_before && !val.is_empty() && (rest.starts_with(':') || rest.starts_with('：')) {
            let colon = rest.chars().next().map_or(1, char::len_utf8);
            items.push((at, at + 2 + val.len() + colon, val));
        }
        search = at + 2;
    }
    items
        .iter()
        .enumerate()
        .map(|(i, (_, m, v))| {
            let end = items.get(i + 1).map_or(text.len(), |n| n.0);
            let meaning = text[*m..end].lines().next().unwrap_or("").trim();
            // drop a trailing "了解更多：…" link label
            let meaning = meaning.split("了解更多").next().unwrap_or(meaning).trim();
            (v.clone(), meaning.to_string())
        })
        .collect()
}

fn first_line(desc: &str) -> String {
    desc.lines().next().unwrap_or("").trim().to_string()
}

/// `示例值:"x"` / `示例值：10` → value.
fn labelled_value(desc: &str, label: &str) -> Option<Value> {
    let line = desc.lines().find(|l| l.trim_start().starts_with(label))?;
    let raw = line.trim_start()[label.len()..]
        .trim()
        .trim_start_matches([':', '：'])
        .trim()
        .trim_matches('`');
    if raw.is_empty() {
        return None;
    }
    Some(serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string())))
}

/// Coerces a doc example to the draft type; `None` when it does not fit.
fn fit(v: &Value, ty: &str, b: &Builder) -> Option<Value> {
    match ty {
        "string" => Some(match v {
            Value::String(_) => v.clone(),
            Value::Number(n) => Value::String(n.to_string()),
            _ => return None,
        }),
        "timestamp_ms" | "int64_string" => {
            let s = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            s.parse::<i64>().ok().map(|_| Value::String(s))
        }
        "int" => v
            .as_i64()
            .filter(|n| i32::try_from(*n).is_ok())
            .map(Value::from),
        "int64" | "timestamp_s" => v.as_i64().map(Value::from),
        "float" => v.is_number().then(|| v.clone()),
        "bool" => v.is_boolean().then(|| v.clone()),
        "json" => Some(v.clone()),
        t if t.ends_with("[]") => v.is_array().then(|| v.clone()).filter(|_| false),
        named => match b.find(named) {
            Some(DType::Enum { values, .. }) => values.iter().any(|x| &x.0 == v).then(|| v.clone()),
            _ => None,
        },
    }
}

fn scalar_of(doc_ty: &str, desc: &str) -> Option<&'static str> {
    Some(match doc_ty {
        "string" if desc.contains("毫秒时间戳") => "timestamp_ms",
        "string" => "string",
        "int" | "int32" => "int",
        "int64" => "int64",
        "float" | "float64" | "double" | "number" => "float",
        "boolean" | "bool" => "bool",
        _ => return None,
    })
}

/// Turns a list of rows (a subtree) into draft fields.
fn fields_of(rows: &[Row], example: Option<&Value>, b: &mut Builder, in_body: bool) -> Vec<Value> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let r = &rows[i];
        let mut end = i + 1;
        while end < rows.len() && rows[end].depth > r.depth {
            end += 1;
        }
        let children = &rows[i + 1..end];
        let sub_example = example.and_then(|e| e.get(&r.name));
        out.push(field_of(r, children, sub_example, b, in_body));
        i = end;
    }
    out
}

fn field_of(
    r: &Row,
    children: &[Row],
    example: Option<&Value>,
    b: &mut Builder,
    in_body: bool,
) -> Value {
    let list = r.ty.ends_with("[]");
    let base = r.ty.trim_end_matches("[]").trim();
    let desc_line = r.desc.lines().next().unwrap_or("").trim().to_string();
    let mut description = desc_line.clone();
    let item_example = match example {
        Some(Value::Array(a)) if list => a.first(),
        other => other,
    };
    let ty: String = if !children.is_empty() {
        let type_name =
            if scalar_of(base, "").is_some() || matches!(base, "object" | "map" | "-" | "") {
                pascal(&r.name)
            } else {
                pascal(base)
            };
        let fields = fields_of(children, item_example, b, in_body);
        let tdesc = strip_required(&desc_line);
        b.add(
            &type_name,
            if tdesc.is_empty() { &r.name } else { &tdesc },
            DType::Object { fields },
        )
    } else if matches!(base, "int" | "int32" | "int64") && int_enum_values(&r.desc).is_some() {
        let (rest, values) = int_enum_values(&desc_line)
            .or_else(|| int_enum_values(&r.desc))
            .unwrap_or_default();
        description = if rest.is_empty() {
            desc_line.clone()
        } else {
            rest.clone()
        };
        let values = values
            .into_iter()
            .map(|(v, m)| (Value::from(v), format!("value_{}", v.unsigned_abs()), m))
            .collect();
        let name = b.add(
            &pascal(&r.name),
            &if strip_required(&rest).is_empty() {
                r.name.clone()
            } else {
                strip_required(&rest)
            },
            DType::Enum {
                repr: "int",
                values,
            },
        );
        b.notes.push(format!(
            "`{}`: int enum `{name}` from the description; rename its values",
            r.name
        ));
        name
    } else if !string_enum_values(&r.desc).is_empty()
        && matches!(base, "string" | "int" | "int32" | "int64")
    {
        let items = string_enum_values(&r.desc);
        let int = base != "string";
        let values: Vec<(Value, String, String)> = items
            .into_iter()
            .enumerate()
            .map(|(k, (v, m))| {
                let wire = if int {
                    v.parse::<i64>()
                        .map(Value::from)
                        .unwrap_or(Value::String(v.clone()))
                } else {
                    Value::String(v.clone())
                };
                let name = if is_snake(&v) && v != "unknown" {
                    v
                } else {
                    format!("value_{k}")
                };
                (wire, name, m)
            })
            .collect();
        b.add(
            &pascal(&r.name),
            &desc_line,
            DType::Enum {
                repr: if int { "int" } else { "string" },
                values,
            },
        )
    } else {
        match scalar_of(base, &r.desc) {
            Some(s) => s.to_string(),
            None => {
                b.notes.push(format!(
                    "`{}`: doc type `{}` without fields; typed as `json`",
                    r.name, r.ty
                ));
                "json".into()
            }
        }
    };
    // int values beyond 32 bits in the example mean the doc's `int` is wider
    let mut ty = ty;
    if ty == "int" {
        let big = |v: &Value| v.as_i64().is_some_and(|n| i32::try_from(n).is_err());
        let ex_big = item_example.is_some_and(big)
            || labelled_value(&r.desc, "示例值").as_ref().is_some_and(big);
        if ex_big {
            b.notes.push(format!(
                "`{}`: doc type int, but the example does not fit 32 bits; typed as `int64`",
                r.name
            ));
            ty = "int64".into();
        }
    }
    let full_ty = if list { format!("{ty}[]") } else { ty.clone() };
    let required = match (r.required, required_in(&r.desc)) {
        (_, Some(v)) if !in_body => v,
        (Some(col), Some(d)) => col || d,
        (Some(col), None) => col,
        (None, Some(d)) => d,
        (None, None) => false,
    };
    let mut m = Map::new();
    m.insert("name".into(), json!(r.name));
    m.insert("type".into(), json!(full_ty));
    if required {
        m.insert("required".into(), json!(true));
    }
    m.insert("description".into(), json!(description));
    let ex = item_example
        .cloned()
        .or_else(|| labelled_value(&r.desc, "示例值"));
    if let Some(ex) = ex
        .filter(|_| !list && children.is_empty())
        .and_then(|e| fit(&e, &ty, b))
    {
        m.insert("example".into(), ex);
    }
    Value::Object(m)
}

fn required_in(desc: &str) -> Option<bool> {
    let d = desc.trim_start();
    if d.starts_with("非必填") {
        Some(false)
    } else if d.starts_with("必填") {
        Some(true)
    } else {
        None
    }
}

fn strip_required(d: &str) -> String {
    d.trim()
        .trim_start_matches("非必填")
        .trim_start_matches("必填")
        .trim_start_matches([',', '，', ' '])
        .trim()
        .to_string()
}

fn param_of(r: &Row, path: bool, b: &mut Builder) -> Value {
    let field = field_of(r, &[], None, b, false);
    let mut m = Map::new();
    m.insert("name".into(), json!(r.name));
    let ty = field["type"].as_str().unwrap_or("string").to_string();
    // the doc's `int[]` query lists etc. stay lists; path params are scalars
    m.insert("type".into(), json!(ty));
    if !path && r.required == Some(true) {
        m.insert("required".into(), json!(true));
    }
    m.insert("description".into(), json!(first_line(&r.desc)));
    let inner = ty.trim_end_matches("[]");
    // a list parameter's doc example is one item
    let example = labelled_value(&r.desc, "示例值").and_then(|e| match e {
        Value::Array(items) => {
            let fitted: Option<Vec<Value>> = items.iter().map(|x| fit(x, inner, b)).collect();
            fitted.map(Value::Array)
        }
        one => fit(&one, inner, b).map(|x| {
            if inner == ty {
                x
            } else {
                Value::Array(vec![x])
            }
        }),
    });
    if let Some(ex) = example.filter(|e| !e.is_array() || inner != ty) {
        m.insert("example".into(), ex);
    }
    if !path {
        if let Some(d) = labelled_value(&r.desc, "默认值").and_then(|e| fit(&e, &ty, b)) {
            m.insert("default".into(), d);
        }
    }
    Value::Object(m)
}

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

fn build(page: &Page, id: Option<&str>, hint: Option<&str>) -> Result<Draft, String> {
    let mut b = Builder {
        types: Vec::new(),
        notes: Vec::new(),
    };
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
    let id = endpoint_id(page, id, hint, &method, &path)?;
    let (resource, operation) = id.split_once('.').unwrap_or((&id, ""));

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

    // rate limit
    let rate = page.props.get("接口频率限制").cloned().unwrap_or_default();
    let mut limits = Vec::new();
    let mut rest = rate.as_str();
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
    ep.insert("rate_limit".into(), Value::Object(rl));

    let apps: Vec<String> = page
        .props
        .get("支持的应用类型")
        .map(|s| {
            s.split(|c: char| !is_ident_char(c))
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    ep.insert("app_types".into(), json!(apps));

    let scope_text = page.props.get("权限要求").cloned().unwrap_or_default();
    let scopes: Vec<Value> = scopes_in(&scope_text)
        .into_iter()
        .map(|(n, d)| json!({"name": n, "description": d}))
        .collect();
    if scopes.is_empty() {
        b.notes.push("no scope found in 权限要求".into());
    }
    ep.insert("scopes".into(), json!({"any_of": scopes}));

    // field scopes: conditional ones from a query parameter's 当值为 line
    let mut field_scopes = Vec::new();
    for q in &page.query_params {
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
                field_scopes.push(json!({"scope": scope, "description": desc, "when": {"param": q.name, "equals": value}}));
            }
        }
    }
    if let Some(fs) = page.props.get("字段权限要求") {
        for (scope, desc) in scopes_in(fs) {
            if !field_scopes.iter().any(|f| f["scope"] == json!(scope)) {
                field_scopes.push(json!({"scope": scope, "description": desc}));
            }
        }
    }
    if !field_scopes.is_empty() {
        ep.insert("field_scopes".into(), json!(field_scopes));
    }

    // auth
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
    ep.insert(
        "auth".into(),
        json!({"tokens": tokens, "helpdesk_header": page.helpdesk_header}),
    );

    let path_params: Vec<Value> = page
        .path_params
        .iter()
        .map(|r| param_of(r, true, &mut b))
        .collect();
    let query_params: Vec<Value> = page
        .query_params
        .iter()
        .map(|r| param_of(r, false, &mut b))
        .collect();
    if !path_params.is_empty() {
        ep.insert("path_params".into(), json!(path_params));
    }
    if !query_params.is_empty() {
        ep.insert("query_params".into(), json!(query_params));
    }
    if !page.body.is_empty() {
        let fields = fields_of(&page.body, page.example_request.as_ref(), &mut b, true);
        ep.insert("request_body".into(), json!({"fields": fields}));
        if let Some(ex) = &page.example_request {
            ep.insert("example_request".into(), ex.clone());
        }
    }

    // response: the rows under `data`
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
    let data_example = page.example_response.as_ref().and_then(|e| e.get("data"));
    let fields = fields_of(&data_rows, data_example, &mut b, false);
    ep.insert("response".into(), json!({"fields": fields}));

    let mut used = BTreeSet::new();
    let errors: Vec<Value> = page
        .errors
        .iter()
        .map(|e| {
            let name = error_name(e, &used);
            used.insert(name.clone());
            json!({"http_status": e.status, "code": e.code, "name": name, "message": e.message, "advice": e.advice})
        })
        .collect();
    if errors.is_empty() {
        b.notes.push("no 错误码 table found".into());
    }
    ep.insert("errors".into(), json!(errors));
    match &page.example_response {
        Some(ex) => {
            ep.insert("example_response".into(), ex.clone());
        }
        None => b.notes.push("no 响应体示例 JSON found".into()),
    }

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
    let types_file = json!({
        "$schema": "../schema.json",
        "description": format!("Types of {id}, imported from its doc page (draft: review the names)."),
        "types": types,
    });
    let endpoint = Value::Object(ep);
    let mut notes = b.notes;
    notes.extend(self_check(&id, &endpoint, &types_file));
    Ok(Draft {
        id,
        endpoint,
        types: types_file,
        notes,
    })
}

/// Runs the real validator on the draft (with a minimal service.json) and
/// returns its diagnostics as notes.
fn self_check(id: &str, endpoint: &Value, types: &Value) -> Vec<String> {
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
            format!("endpoints/{id}.json"),
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
    fn splits_glued_cells() {
        let known: BTreeSet<String> = ["notification_user".to_string()].into();
        let keys: BTreeSet<String> = ["create_user".to_string(), "notification".to_string()].into();
        let ctx = SplitCtx {
            keys: Some(&keys),
            has_children: true,
            known_types: &known,
        };
        assert_eq!(
            split_glued("create_usernotification_user非必填,创建人", &ctx),
            Some((
                "create_user".into(),
                "notification_user".into(),
                "非必填,创建人".into()
            ))
        );
        assert_eq!(
            split_glued("notificationnotificationpush任务详情", &ctx),
            Some((
                "notification".into(),
                "notification".into(),
                "push任务详情".into()
            ))
        );
        let ctx = SplitCtx {
            keys: None,
            has_children: false,
            known_types: &known,
        };
        assert_eq!(
            split_glued("user_id_typestring用户 ID 类型", &ctx),
            Some((
                "user_id_type".into(),
                "string".into(),
                "用户 ID 类型".into()
            ))
        );
        assert_eq!(
            split_glued(
                "data\\--",
                &SplitCtx {
                    has_children: true,
                    ..ctx
                }
            )
            .map(|x| x.1),
            Some("-".into())
        );
        assert_eq!(split_glued("是否", &ctx), None);
    }

    #[test]
    fn finds_int_enums() {
        let (rest, v) =
            int_enum_values("必填, 0(定时推送:push_scope不能等于3) 1(新人入职推送:x)").unwrap();
        assert_eq!(rest, "必填");
        assert_eq!(
            v,
            vec![
                (0, "定时推送:push_scope不能等于3".into()),
                (1, "新人入职推送:x".into())
            ]
        );
        let (rest, v) = int_enum_values(
            "非必填， 范围（push_type为1时生效） 0：所有 1：特定的部门（x 字段不能为空） 尾巴",
        )
        .unwrap();
        assert_eq!(rest, "非必填， 范围（push_type为1时生效） 尾巴");
        assert_eq!(v[1], (1, "特定的部门（x 字段不能为空）".into()));
        assert!(int_enum_values("错误码，非 0 表示失败").is_none());
        assert_eq!(
            int_enum_values("搜索条件: 工单类型 1:bot 2:人工")
                .unwrap()
                .1
                .len(),
            2
        );
    }

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

    #[test]
    fn never_panics_on_odd_input() {
        for t in [
            "",
            "HTTP URL\nHTTP Method",
            "项目\nHTTP URLx\nHTTP MethodGET\n",
            "| a |\n| --- |\n## 请求",
            "└└└",
            "错误码\n999",
        ] {
            let _ = import_page(t, None, None);
        }
    }
}
