//! The page model every parser fills and the draft builder reads, and the
//! small text helpers they share (a room below the parsers and the draft
//! builder, so that none of them imports the module that calls them).

use serde_json::Value;
use std::collections::BTreeMap;

/// What a doc page documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftKind {
    /// An endpoint page (`HTTP URL` / `HTTP Method` rows).
    Endpoint,
    /// An event page (a `事件类型` row and an 事件体 table).
    Event,
}

/// A spec draft made from one doc page.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Endpoint page or event page.
    pub kind: DraftKind,
    /// `resource.operation` (an endpoint) or the event type.
    pub id: String,
    /// The `endpoints/<id>.json` file, or for an event page the
    /// `events/<event_type>.json` file.
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
    /// The older page template's `∟ name` row, which gives no depth (only
    /// "below some row"); its depth is worked out from the JSON example.
    pub flat: bool,
    /// The row's line on the page (1-based; 0 when not known).
    pub line: usize,
    /// The URLs the description links to (markdown form only).
    pub links: Vec<String>,
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
    /// The 响应 section's text when it says the reply is a file's bytes
    /// (`返回文件二进制流`) instead of a JSON body.
    pub binary_reply: Option<String>,
    /// 事件类型, on an event page.
    pub event_type: Option<String>,
    /// 事件体 rows (the whole callback body: `schema`, `header`, `event`).
    pub event_body: Vec<Row>,
    /// 事件体示例.
    pub example_event: Option<Value>,
    /// What the parser guessed or left out while reading the page.
    pub notes: Vec<String>,
}

/// The [`Page::binary_reply`] of a 响应 section whose lead lines (outside
/// any table) say the reply is a file's bytes (`返回文件二进制流`): those
/// lines joined; `None` for a JSON reply. Both page forms read it so.
pub(super) fn binary_reply<S: AsRef<str>>(lead: &[S]) -> Option<String> {
    lead.iter().any(|l| l.as_ref().contains("二进制")).then(|| {
        lead.iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join("；")
    })
}

/// Whether `c` can be part of an ASCII identifier.
pub(super) fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `s` is a snake-case identifier.
pub(super) fn is_snake(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.ends_with('_')
        && !s.contains("__")
}

/// The first JSON value that starts at or after the first `{` following
/// `heading` (a line of its own). An example with bare placeholder words
/// where values belong (`"created_at": 备注时间,`) is read with those words
/// as strings, and a note (naming the page line) says so.
pub(super) fn json_after(text: &str, heading: &str, notes: &mut Vec<String>) -> Option<Value> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim().trim_start_matches('#').trim();
        offset += line.len();
        if t == heading {
            let rest = text.get(offset..)?;
            let start = offset + rest.find('{')?;
            let first = |s: &str| {
                serde_json::Deserializer::from_str(s)
                    .into_iter::<Value>()
                    .next()
                    .and_then(Result::ok)
            };
            if let Some(v) = first(&text[start..]) {
                return Some(v);
            }
            let (fixed, bare) = quote_bare_values(&text[start..]);
            let mut v = first(&fixed).filter(|_| !bare.is_empty())?;
            drop_marked(&mut v);
            let line_of = |at: usize| text[..start + at].matches('\n').count() + 1;
            let words: Vec<String> = bare
                .iter()
                .map(|(at, w)| format!("`{w}` (line {})", line_of(*at)))
                .collect();
            notes.push(format!(
                "the {heading} is not valid JSON: the bare placeholder(s) {} are left out of the example",
                words.join(", ")
            ));
            return Some(v);
        }
    }
    None
}

/// The mark of a bare word that [`quote_bare_values`] quoted.
const BARE: char = '\u{1}';

/// Removes the object entries and list items that are marked bare words.
fn drop_marked(v: &mut Value) {
    let marked = |v: &Value| v.as_str().is_some_and(|s| s.starts_with(BARE));
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !marked(x));
            m.values_mut().for_each(drop_marked);
        }
        Value::Array(a) => {
            a.retain(|x| !marked(x));
            a.iter_mut().for_each(drop_marked);
        }
        _ => {}
    }
}

/// `s` with each bare word in a value place (after `:` or in a list, not a
/// number, `true`, `false`, `null` or a JSON opener) quoted as a string
/// marked with [`BARE`], and those words with their byte offsets in `s`.
fn quote_bare_values(s: &str) -> (String, Vec<(usize, String)>) {
    let mut out = String::with_capacity(s.len() + 16);
    let mut bare = Vec::new();
    let mut in_str = false;
    let mut escaped = false;
    let mut value_place = false;
    // the open containers: `{` or `[`
    let mut open: Vec<char> = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if in_str {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                value_place = false;
            }
            ':' => value_place = true,
            '{' | '[' => {
                open.push(c);
                value_place = c == '[';
            }
            ',' => value_place = open.last() == Some(&'['),
            '}' | ']' => {
                open.pop();
                value_place = false;
                if open.is_empty() {
                    out.push(c);
                    out.push_str(&s[at + c.len_utf8()..]);
                    break;
                }
            }
            _ => {}
        }
        if c == '-' || c.is_ascii_digit() {
            // a number (or a word right after one) is left to the parser
            value_place = false;
        }
        if !value_place || c.is_whitespace() || "\"{}[]:,".contains(c) {
            out.push(c);
            continue;
        }
        let mut end = s.len();
        while let Some(&(k, d)) = chars.peek() {
            if ",}]\n".contains(d) {
                end = k;
                break;
            }
            chars.next();
        }
        let word = s[at..end].trim_end();
        if matches!(word, "true" | "false" | "null") {
            out.push_str(&s[at..end]);
        } else {
            out.push_str(&Value::String(format!("{BARE}{word}")).to_string());
            out.push_str(&s[at + word.len()..end]);
            bare.push((at, word.to_string()));
        }
        value_place = false;
    }
    (out, bare)
}

/// The first line of a description, trimmed.
pub(super) fn first_line(desc: &str) -> String {
    desc.lines().next().unwrap_or("").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_placeholders_in_an_example_are_left_out() {
        let text = "### 响应体示例\n\n```json\n{\"a\": 1.5, \"b\": 占位, \"c\": [x, true, \"y\", -2],\n \"d\": {\"e\": null, \"f\": 时间 }}\n```\n# next {\"z\": 1}\n";
        let mut notes = Vec::new();
        let v = json_after(text, "响应体示例", &mut notes).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": 1.5, "c": [true, "y", -2], "d": {"e": null}})
        );
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].contains("`占位` (line 4), `x` (line 4), `时间` (line 5)"),
            "{notes:?}"
        );
        // a valid example is read as it is, without a note
        let mut notes = Vec::new();
        let v = json_after("## 请求体示例\n{\"a\": \"占位\"}", "请求体示例", &mut notes);
        assert_eq!(v, Some(serde_json::json!({"a": "占位"})));
        assert!(notes.is_empty());
        // nothing to repair: no example
        assert_eq!(
            json_after("## 请求体示例\n{\"a\": }", "请求体示例", &mut notes),
            None
        );
    }
}
