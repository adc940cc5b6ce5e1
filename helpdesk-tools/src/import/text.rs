//! The crawled text form of a doc page, where table cells are glued together.
//!
//! What the crawl loses, and how it is read back (see `crate::crawl` for the
//! crawl's rules):
//!
//! * cells are glued: name / type / description are split by scoring (see
//!   [`split_glued`]);
//! * the 必填 cells are gone: a field is required only when its description
//!   says 必填 (nothing else on the page tells);
//! * a `<br>` in a cell is a line break, so a description may go on over
//!   several lines, some of which start like a field name (`string - 单行文本`):
//!   an unindented line starts a new row only when it splits into a field of
//!   the example or a field of a scalar type;
//! * fullwidth punctuation is ASCII: [`restore_fullwidth`] puts it back
//!   where it stands between Chinese characters;
//! * the older template's `∟ name` rows have no depth: they are flat rows,
//!   placed by the JSON example as in the markdown form.

use super::page::{ErrorRow, Page, Row, binary_reply, is_ident_char, is_snake, json_after};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const SECTIONS: [&str; 15] = [
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
    "事件",
    "事件体",
    "事件体示例",
    "事件订阅示例代码",
];

const PRIMS: [&str; 16] = [
    "string", "int64", "int32", "int", "float64", "float", "double", "number", "boolean", "bool",
    "object", "map", "list", "file", "\\-", "-",
];

/// A doc type with markdown escapes and backticks removed.
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
        for (ty, after, custom) in type_candidates(&blob[i..]) {
            let score = split_score(name, &ty, after, custom, ctx);
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

/// The possible doc types at the start of `rest`: (type, text after it, custom?),
/// known scalars first, then every prefix of the identifier run (with `[]`).
fn type_candidates(rest: &str) -> Vec<(String, &str, bool)> {
    let mut cands: Vec<(String, &str, bool)> = Vec::new();
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
    // a custom type may be qualified (`ticket.message\[\]`)
    let crun = rest
        .find(|c: char| !(is_ident_char(c) || c == '.'))
        .unwrap_or(rest.len());
    for j in 1..=crun {
        let t = &rest[..j];
        if !t.starts_with(|c: char| c.is_ascii_lowercase())
            || t.ends_with('.')
            || t.contains("..")
            || PRIMS.contains(&t)
        {
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
    cands
}

/// How plausible the split `name` / `ty` / `after` is (higher is better).
fn split_score(name: &str, ty: &str, after: &str, custom: bool, ctx: &SplitCtx<'_>) -> i32 {
    let mut score = 0i32;
    if ctx.keys.is_some_and(|k| k.contains(name)) {
        score += 100;
    }
    // wire names and type names are snake case: `options_` + `x` is no split
    if !is_snake(name) {
        score -= 20;
    }
    if custom && !is_snake(ty.trim_end_matches("[]")) && !ty.contains('.') {
        score -= 20;
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
        } else if base.ends_with(&format!("_{name}")) || base.starts_with(&format!("{name}_")) {
            // `headerevent_header`, `contentticket_message_content`
            score += 8;
        }
        if ctx.known_types.contains(base) {
            score += 12;
        }
        if ctx.known_types.contains(&format!("{SHARED}{base}")) {
            score += 10;
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
    if after.starts_with("[]") || after.starts_with("\\[\\]") {
        // a `[]` right after the type is the type's own (`string[]ids of …`)
        score -= 50;
    } else if after.is_empty() || !after.starts_with(is_ident_char) {
        score += 5;
    }
    // `int\[\]rule…`: the list marker belongs to the type, not to the description
    if list && !custom {
        score += 6;
    }
    score
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

/// The page line (1-based) of a section's heading; its lines follow it.
fn section_line(text: &str, name: &str) -> usize {
    text.lines()
        .position(|l| l.trim() == name)
        .map_or(0, |i| i + 1)
}

/// Reads a crawled text doc page into the page model.
pub(super) fn parse_text(text: &str) -> Result<Page, String> {
    let (head, sections) = text_sections(text);
    let get = |name: &str| {
        sections
            .iter()
            .find(|(h, _)| h == name)
            .map(|(_, l)| l.as_slice())
    };
    let items = get("项目").unwrap_or(&[]);
    let url_line = items.iter().find(|l| l.starts_with("HTTP URL"));
    if url_line.is_none() {
        if let Some(page) = event_page(text, &head, &sections)? {
            return Ok(page);
        }
    }
    if url_line.is_none() || !items.iter().any(|l| l.starts_with("HTTP Method")) {
        return Err("this does not look like a Feishu endpoint doc page: no `HTTP URL` / `HTTP Method` rows \
                    (expected the crawled text form of a page such as notification.get, or its markdown form)"
            .into());
    }
    let mut page = Page::default();
    let (title, description) = title_and_lead(&head);
    page.title = title;
    page.description = description;
    page.props = text_props(items);
    page.example_response = json_after(text, "响应体示例", &mut page.notes);
    page.example_request = json_after(text, "请求体示例", &mut page.notes);
    let request_keys = page
        .example_request
        .clone()
        .or_else(|| lenient_json_after(text, "请求体示例"));
    let response_keys = page
        .example_response
        .clone()
        .or_else(|| lenient_json_after(text, "响应体示例"));
    let known = known_list_types(&sections);
    if let Some(lines) = get("请求头") {
        read_request_header(&mut page, lines);
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
        section_line(text, "请求体"),
        request_keys.as_ref(),
        &known,
        false,
        &mut page.notes,
    );
    page.response = text_tree_rows(
        get("响应体").unwrap_or(&[]),
        section_line(text, "响应体"),
        response_keys.as_ref(),
        &known,
        true,
        &mut page.notes,
    );
    page.errors = text_errors(get("错误码").unwrap_or(&[]));
    // a file reply: the 响应 section's lead says so (`返回文件二进制流`)
    let reply_lead: Vec<&str> = get("响应")
        .unwrap_or(&[])
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    page.binary_reply = binary_reply(&reply_lead);
    restore_page(&mut page);
    Ok(page)
}

/// An event page (a 事件类型 row, no `HTTP URL`): its 事件体 rows; `None`
/// when the page has no 事件类型 row.
fn event_page(
    text: &str,
    head: &[String],
    sections: &[(String, Vec<String>)],
) -> Result<Option<Page>, String> {
    let get = |name: &str| {
        sections
            .iter()
            .find(|(h, _)| h == name)
            .map(|(_, l)| l.as_slice())
    };
    let mut props = text_props(get("项目").unwrap_or(&[]));
    let Some(event_type) = props.remove("事件类型") else {
        return Ok(None);
    };
    // the markdown reader keeps no 推送方式 either
    props.remove("推送方式");
    let mut page = Page::default();
    let (title, description) = title_and_lead(head);
    page.title = title;
    page.description = description;
    page.props = props;
    page.event_type = Some(event_type);
    page.example_event = json_after(text, "事件体示例", &mut page.notes);
    let known = known_list_types(sections);
    // the keys that split the glued cells may come from an example that is
    // not quite JSON (`"created_at": 备注时间,`); the draft gets none then
    let keys_example = page
        .example_event
        .clone()
        .or_else(|| lenient_json_after(text, "事件体示例"));
    page.event_body = text_tree_rows(
        get("事件体").unwrap_or(&[]),
        section_line(text, "事件体"),
        keys_example.as_ref(),
        &known,
        false,
        &mut page.notes,
    );
    if page.event_body.is_empty() {
        return Err("this event page has no 事件体 table: not a complete event doc page".into());
    }
    restore_page(&mut page);
    Ok(Some(page))
}

/// The example after `heading` read leniently: a value that is no JSON
/// (`"created_at": 备注时间,`) becomes `null`. Only for the keys.
fn lenient_json_after(text: &str, heading: &str) -> Option<Value> {
    let at = text
        .split_inclusive('\n')
        .scan(0usize, |off, l| {
            let start = *off;
            *off += l.len();
            Some((start + l.len(), l.trim()))
        })
        .find(|(_, l)| *l == heading)?
        .0;
    let rest = text.get(at..)?;
    let rest = rest.get(rest.find('{')?..)?;
    let mut out = String::new();
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    let mut after_colon = false;
    let mut skipping = false;
    for c in rest.chars() {
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        if skipping {
            if matches!(c, ',' | '}' | ']' | '\n') {
                skipping = false;
            } else {
                continue;
            }
        }
        if after_colon && !c.is_whitespace() {
            after_colon = false;
            if !(c == '"'
                || c == '{'
                || c == '['
                || c == '-'
                || c.is_ascii_digit()
                || "tfn".contains(c))
            {
                out.push_str("null");
                skipping = !matches!(c, ',' | '}' | ']');
                if skipping {
                    continue;
                }
            }
        }
        if matches!(c, '}' | ']') && out.trim_end().ends_with(',') {
            // a trailing comma (`],\n }`)
            let keep = out.trim_end().len() - 1;
            out.truncate(keep);
        }
        match c {
            '"' => in_str = true,
            ':' => after_colon = true,
            '{' | '[' => depth += 1,
            '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push(c);
        if depth == 0 {
            break;
        }
    }
    serde_json::from_str(&out).ok()
}

/// Whether a character is CJK (ideographs, CJK punctuation, fullwidth forms…).
fn is_cjk(c: char) -> bool {
    c as u32 >= 0x2E80
}

/// Puts back the fullwidth punctuation the crawl turned into ASCII (`，` → `,`):
/// a `,` `;` `:` `!` `?` next to a Chinese character (not followed by a
/// space before ASCII text), a `(` next to one, and the `)` closing such a
/// `（`. A guess: the pages mix both kinds (`国家代号(CountryCode)`), so a few
/// come back wrong; over the vendored pages about 97% come back right.
pub(super) fn restore_fullwidth(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut open: Vec<bool> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let p = i.checked_sub(1).and_then(|k| chars.get(k)).copied();
        let n = chars.get(i + 1).copied();
        let n2 = chars.get(i + 2).copied();
        let cjk_p = p.is_some_and(is_cjk);
        let cjk_n = n.is_some_and(is_cjk);
        let wide = match c {
            ',' | ';' | '!' | '?' => {
                (cjk_p && !(n == Some(' ') && n2.is_some_and(|x| x.is_ascii())))
                    || (cjk_n && p.is_some_and(|x| x != ' '))
            }
            ':' => (cjk_p && n != Some(' ')) || (cjk_n && p.is_some_and(|x| x != ' ')),
            '(' => {
                let w = cjk_p || cjk_n;
                open.push(w);
                w
            }
            ')' => open.pop().unwrap_or(false),
            _ => false,
        };
        if wide {
            out.push(char::from_u32(c as u32 + 0xFEE0).unwrap_or(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// The fullwidth punctuation put back in every text of the page model.
fn restore_page(page: &mut Page) {
    page.title = restore_fullwidth(&page.title);
    page.description = restore_fullwidth(&page.description);
    for rows in [
        &mut page.path_params,
        &mut page.query_params,
        &mut page.body,
        &mut page.response,
        &mut page.event_body,
    ] {
        for r in rows.iter_mut() {
            r.desc = restore_fullwidth(&r.desc);
        }
    }
    for e in &mut page.errors {
        e.advice = restore_fullwidth(&e.advice);
    }
    if let Some(a) = &mut page.auth_row {
        *a = restore_fullwidth(a);
    }
    for ex in [
        &mut page.example_request,
        &mut page.example_response,
        &mut page.example_event,
    ]
    .into_iter()
    .flatten()
    {
        restore_strings(ex);
    }
}

/// [`restore_fullwidth`] over every string of a JSON example.
fn restore_strings(v: &mut Value) {
    match v {
        Value::String(s) => *s = restore_fullwidth(s),
        Value::Array(a) => a.iter_mut().for_each(restore_strings),
        Value::Object(m) => m.values_mut().for_each(restore_strings),
        _ => {}
    }
}

/// The title (first non-empty head line) and the lead paragraph (the other lines).
fn title_and_lead(head: &[String]) -> (String, String) {
    let head: Vec<&str> = head
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty() && *l != "Skip to content")
        .collect();
    let title = head.first().map(|s| s.to_string()).unwrap_or_default();
    let lead = head.get(1..).map(|r| r.join("\n")).unwrap_or_default();
    (title, lead)
}

/// The 项目 rows (HTTP URL, method, limits, scopes…) as key → value; a value
/// continues on the lines that start with no key.
fn text_props(items: &[String]) -> BTreeMap<String, String> {
    let keys = [
        "HTTP URL",
        "HTTP Method",
        "接口频率限制",
        "支持的应用类型",
        "权限要求",
        "字段权限要求",
        "事件类型",
        "推送方式",
    ];
    let mut props = BTreeMap::new();
    let mut current: Option<&str> = None;
    for l in items {
        let t = l.trim();
        if let Some(k) = keys.iter().find(|k| t.starts_with(**k)) {
            current = Some(k);
            props.insert(k.to_string(), t[k.len()..].trim().to_string());
        } else if let Some(k) = current {
            if let Some(v) = props.get_mut(k) {
                v.push('\n');
                v.push_str(t);
            }
        }
    }
    props
}

/// Types the page spells as lists (`notification_user\[\]`), with every suffix of
/// the word before `\[\]`: they tell where custom type names end.
///
/// Every suffix is a weak hint (`ion` as much as `dropdown_option`); the
/// suffixes two different glued words share (`dropdown_optionsdropdown_option`,
/// `childrendropdown_option` → `dropdown_option`) are a strong one, kept with
/// the [`SHARED`] mark in front.
fn known_list_types(sections: &[(String, Vec<String>)]) -> BTreeSet<String> {
    let mut known = BTreeSet::new();
    let mut words: BTreeSet<String> = BTreeSet::new();
    // the glued `nametype` runs that start rows (a list type's word may share its type with them)
    let mut runs: BTreeSet<String> = BTreeSet::new();
    for (_, lines) in sections {
        for l in lines {
            let row = l.trim_start_matches([' ', '\u{a0}', '└', '∟']);
            let run = row
                .find(|c: char| {
                    !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
                })
                .unwrap_or(row.len());
            if run > 0 {
                runs.insert(row[..run].to_string());
            }
            // the older template writes `dropdown_option[]` unescaped
            let unescaped = l.replace("\\[\\]", "[]");
            let mut rest = unescaped.as_str();
            while let Some(p) = rest.find("[]") {
                let before = &rest[..p];
                let start = before.rfind(|c: char| {
                    !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
                });
                let word = &before[start.map_or(0, |s| {
                    s + before[s..].chars().next().map_or(1, char::len_utf8)
                })..];
                if !word.is_empty() {
                    words.insert(word.to_string());
                    // the word may still carry the field name glued in front; keep every suffix
                    for (k, _) in word.char_indices() {
                        known.insert(word[k..].to_string());
                    }
                }
                rest = &rest[p + 2..];
            }
        }
    }
    known.retain(|k| k.len() > 2 && !PRIMS.contains(&k.as_str()));
    for a in &words {
        for b in words.iter().chain(&runs) {
            if a == b {
                continue;
            }
            let common = a
                .bytes()
                .rev()
                .zip(b.bytes().rev())
                .take_while(|(x, y)| x == y)
                .count();
            let suffix = a[a.len() - common..].trim_start_matches(['_', '.']);
            if suffix.len() > 2 && !PRIMS.contains(&suffix) {
                known.insert(format!("{SHARED}{suffix}"));
            }
        }
    }
    known
}

/// The mark of a type suffix that two glued words share (see [`known_list_types`]).
const SHARED: char = '=';

/// Reads the 请求头 section: the helpdesk header and the Authorization row.
fn read_request_header(page: &mut Page, lines: &[String]) {
    let joined = lines.join("\n");
    page.helpdesk_header = joined.contains("X-Lark-Helpdesk-Authorization");
    if let Some(l) = lines
        .iter()
        .find(|l| l.trim_start().starts_with("Authorization"))
    {
        page.auth_row = Some(l.trim().to_string());
    }
}

/// Whether a line is a table header (`名称类型…`).
fn is_header_line(l: &str) -> bool {
    l.starts_with("名称类型")
}

/// Rows of a flat parameter table; lines that start no row continue the last description.
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
                flat: false,
                line: 0,
                links: Vec::new(),
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

/// Every key of the example objects, at any depth (the flat `∟` rows do not
/// say where they are).
fn all_keys(example: Option<&Value>, keys: &mut BTreeSet<String>) {
    match example {
        Some(Value::Object(m)) => {
            for (k, v) in m {
                keys.insert(k.clone());
                all_keys(Some(v), keys);
            }
        }
        Some(Value::Array(a)) => a.iter().for_each(|v| all_keys(Some(v), keys)),
        _ => {}
    }
}

/// One row of a nested table before splitting: depth, flat (`∟`), the glued text.
struct RawRow {
    depth: usize,
    flat: bool,
    blob: String,
    /// The page line the row starts on.
    line: usize,
}

/// Rows of a nested field table (`└` indents, or the older template's flat
/// `∟` rows), split with the example's keys at each place.
fn text_tree_rows(
    lines: &[String],
    heading_line: usize,
    example: Option<&Value>,
    known: &BTreeSet<String>,
    response: bool,
    notes: &mut Vec<String>,
) -> Vec<Row> {
    let top_keys = example_keys(example, &[]);
    let mut every_key = BTreeSet::new();
    all_keys(example, &mut every_key);
    // (depth, blob) first, so that "has children" is known when splitting.
    let mut raw: Vec<RawRow> = Vec::new();
    for (li, l) in lines.iter().enumerate() {
        if l.trim().is_empty() || is_header_line(l.trim()) {
            continue;
        }
        let indent = l
            .chars()
            .take_while(|c| *c == ' ' || *c == '\u{a0}')
            .count();
        let rest = l.trim_start_matches([' ', '\u{a0}']);
        if let Some(blob) = rest.strip_prefix('└') {
            raw.push(RawRow {
                depth: indent / 2,
                flat: false,
                blob: blob.trim_start().to_string(),
                line: heading_line + li + 1,
            });
            continue;
        }
        if let Some(blob) = rest.strip_prefix('∟') {
            raw.push(RawRow {
                depth: 0,
                flat: true,
                blob: blob.trim_start().to_string(),
                line: heading_line + li + 1,
            });
            continue;
        }
        // An unindented line is a top-level row, or (after the first row)
        // a description going on over a line break: a row only when it
        // splits into a top-level key of the example or a scalar field, or
        // into an object field whose `└` rows follow.
        let children_follow = lines.get(li + 1).is_some_and(|n| {
            let rest = n.trim_start_matches([' ', '\u{a0}']);
            (rest.starts_with('└') && n.chars().count() - rest.chars().count() == 2)
                || rest.starts_with('∟')
        });
        let starts_row = indent == 0
            && rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && (raw.is_empty() || {
                let ctx = |has_children| SplitCtx {
                    keys: top_keys.as_ref(),
                    has_children,
                    known_types: known,
                };
                split_glued(rest, &ctx(false)).is_some()
                    || (children_follow && split_glued(rest, &ctx(true)).is_some())
            });
        if starts_row {
            raw.push(RawRow {
                depth: 0,
                flat: false,
                blob: rest.to_string(),
                line: heading_line + li + 1,
            });
        } else if let Some(last) = raw.last_mut() {
            last.blob.push('\n');
            last.blob.push_str(rest.trim());
        }
    }
    let mut rows = Vec::new();
    let mut path: Vec<String> = Vec::new();
    for (k, r) in raw.iter().enumerate() {
        let (first, more) = r.blob.split_once('\n').unwrap_or((&r.blob, ""));
        let split = if r.flat {
            // no depth: any key of the example; a scalar first, then an object
            let ctx = |has_children| SplitCtx {
                keys: Some(&every_key),
                has_children,
                known_types: known,
            };
            split_glued(first, &ctx(false)).or_else(|| split_glued(first, &ctx(true)))
        } else {
            let depth = r.depth;
            let has_children = raw.get(k + 1).is_some_and(|n| n.flat || n.depth > depth);
            path.truncate(depth);
            // example paths of the response start below `data`
            let ex_path: Vec<String> = if response {
                if depth == 0 {
                    Vec::new()
                } else {
                    // An indented first row has no parent on the path: `get`
                    // keeps a page that starts deeper than expected from panicking.
                    std::iter::once("data".to_string())
                        .chain(path.get(1..).unwrap_or_default().iter().cloned())
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
            split_glued(first, &ctx)
        };
        if let Some((name, ty, mut desc)) = split {
            if !more.is_empty() {
                desc.push('\n');
                desc.push_str(more);
            }
            if !r.flat {
                while path.len() < r.depth {
                    path.push(String::new());
                }
                path.push(name.clone());
            }
            rows.push(Row {
                depth: r.depth,
                name,
                ty,
                required: None,
                desc,
                flat: r.flat,
                line: r.line,
                links: Vec::new(),
            });
        }
    }
    notes.extend(super::markdown::unflatten(&mut rows, example));
    rows
}

/// Rows of the 错误码 table (`<status><code><message><advice>` glued).
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
        // a list type followed by text that starts like a name keeps its `[]`
        for blob in [
            "agent_idsstring[]ids of the agents",
            "agent_idsstring\\[\\]ids",
        ] {
            let (name, ty, desc) = split_glued(blob, &ctx).unwrap();
            assert_eq!(
                (name.as_str(), ty.as_str()),
                ("agent_ids", "string[]"),
                "{blob}"
            );
            assert!(desc.starts_with("ids"), "{blob}: {desc}");
        }
        let listed: BTreeSet<String> = ["user_list".to_string()].into();
        let with_keys = SplitCtx {
            keys: Some(&listed),
            has_children: false,
            known_types: &known,
        };
        let (_, ty, desc) =
            split_glued("user_listnotification_user[]users to push to", &with_keys).unwrap();
        assert_eq!(
            (ty.as_str(), desc.as_str()),
            ("notification_user[]", "users to push to")
        );
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
}
