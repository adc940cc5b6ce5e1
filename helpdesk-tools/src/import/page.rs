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
/// `heading` (a line of its own).
pub(super) fn json_after(text: &str, heading: &str) -> Option<Value> {
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

/// The first line of a description, trimmed.
pub(super) fn first_line(desc: &str) -> String {
    desc.lines().next().unwrap_or("").trim().to_string()
}
