//! The crawled text form of a doc page, where table cells are glued together.

use super::page::{ErrorRow, Page, Row, is_ident_char, json_after};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

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
    cands
}

/// How plausible the split `name` / `ty` / `after` is (higher is better).
fn split_score(name: &str, ty: &str, after: &str, custom: bool, ctx: &SplitCtx<'_>) -> i32 {
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
    if after.starts_with("[]") || after.starts_with("\\[\\]") {
        // a `[]` right after the type is the type's own (`string[]ids of …`)
        score -= 50;
    } else if after.is_empty() || !after.starts_with(is_ident_char) {
        score += 5;
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
        page.example_request.as_ref(),
        &known,
        false,
    );
    page.response = text_tree_rows(
        get("响应体").unwrap_or(&[]),
        page.example_response.as_ref(),
        &known,
        true,
    );
    page.errors = text_errors(get("错误码").unwrap_or(&[]));
    Ok(page)
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
fn known_list_types(sections: &[(String, Vec<String>)]) -> BTreeSet<String> {
    let mut known = BTreeSet::new();
    for (_, lines) in sections {
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
    known
}

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

/// Rows of a nested field table (`└` indents), split with the example's keys at each place.
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
                flat: false,
                line: 0,
                links: Vec::new(),
            });
        }
    }
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
