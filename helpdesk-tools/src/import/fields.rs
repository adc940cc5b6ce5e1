//! Field and type inference: doc rows → draft fields, enums and object types.

use super::page::{Row, first_line, is_ident_char, is_snake};
use super::refs::RefPages;
use helpdesk_spec::names::pascal;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// A draft type.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum DType {
    Object {
        fields: Vec<Value>,
    },
    Enum {
        repr: &'static str,
        values: Vec<(Value, String, String)>,
    },
}

pub(super) struct Builder {
    pub(super) types: Vec<(String, String, DType)>,
    pub(super) notes: Vec<String>,
    /// Object types being built (outermost first), so that a row typed with
    /// one of them (a recursive `children`) refers to it.
    pub(super) open: Vec<String>,
    /// The reference pages that descriptions may link to for their values.
    pub(super) refs: RefPages,
    /// The body is a partial update (a PATCH): a field whose 必填 column
    /// says 否 is optional even when its description says 必填.
    pub(super) partial: bool,
}

impl Builder {
    /// The type added under `name`, if any.
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

/// Whether two types have the same field names/types or the same enum values.
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

/// How an enum item's key is joined to its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// `0(meaning)` / `REJECTED（meaning）`
    Paren,
    /// `1:meaning`, `1：meaning`, `text：meaning`
    Colon,
    /// `1-meaning`, `1 - Monday`
    Dash,
    /// `1. meaning`, `1、meaning`
    Dot,
    /// `1 for bot`
    For,
}

/// One `KEY SEP meaning` item of a value list in a description.
#[derive(Debug, Clone)]
struct Item {
    /// Byte start of the key.
    start: usize,
    key: String,
    sep: Sep,
    /// Byte start of the meaning.
    meaning: usize,
}

/// Whether an item may start after `prev` (at a word start: the text start,
/// a space or a list punctuation).
fn opens_item(prev: Option<char>) -> bool {
    prev.is_none_or(|c| c.is_whitespace() || ",，;；:：、(（".contains(c))
}

/// The separator at the start of `after` (the text after a key) and its
/// length including the spaces after it; the dash, dot and `for` forms only
/// follow numbers.
fn separator(after: &str, ident: bool) -> Option<(Sep, usize)> {
    let first = after.chars().next()?;
    let (sep, len) = match first {
        '(' | '（' => (Sep::Paren, first.len_utf8()),
        ':' | '：' => (Sep::Colon, first.len_utf8()),
        '、' if !ident => (Sep::Dot, first.len_utf8()),
        '.' if !ident && after[1..].starts_with(char::is_whitespace) => (Sep::Dot, 1),
        _ if ident => return None,
        _ => {
            let spaces = after.len() - after.trim_start_matches(' ').len();
            let rest = &after[spaces..];
            if rest.starts_with('-') && !rest.starts_with("->") {
                (Sep::Dash, spaces + 1)
            } else if spaces > 0 && rest.starts_with("for ") {
                (Sep::For, spaces + 3)
            } else {
                return None;
            }
        }
    };
    let rest = &after[len..];
    let skip = len + rest.len() - rest.trim_start_matches(' ').len();
    let meaning = &after[skip..];
    // a time (`10:30`), a range (`1-100`), a URL (`http://`) or nothing is no meaning
    let bad = meaning.is_empty()
        || meaning.starts_with(|c: char| c.is_ascii_digit() || c == '\n')
        || meaning.starts_with("//");
    (!bad).then_some((sep, skip))
}

/// The items of a value list in `desc`: numbers (`ident` false) or
/// identifiers (`ident` true) at word starts followed by a separator. Only
/// the items of the most used separator are kept.
fn items_in(desc: &str, ident: bool) -> Vec<Item> {
    let mut found = Vec::new();
    let mut prev = None;
    for (pos, c) in desc.char_indices() {
        let before = prev;
        prev = Some(c);
        if !opens_item(before) {
            continue;
        }
        let key: String = if ident {
            if !(c.is_ascii_alphabetic() || c == '_') {
                continue;
            }
            desc[pos..]
                .chars()
                .take_while(|c| is_ident_char(*c))
                .collect()
        } else {
            if !c.is_ascii_digit() {
                continue;
            }
            desc[pos..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect()
        };
        let after = &desc[pos + key.len()..];
        if let Some((sep, skip)) = separator(after, ident) {
            found.push(Item {
                start: pos,
                meaning: pos + key.len() + skip,
                key,
                sep,
            });
        }
    }
    let count = |s: Sep| found.iter().filter(|i| i.sep == s).count();
    let Some(best) = found.iter().map(|i| i.sep).max_by_key(|s| {
        (
            count(*s),
            std::cmp::Reverse(found.iter().position(|i| i.sep == *s)),
        )
    }) else {
        return Vec::new();
    };
    found.retain(|i| i.sep == best);
    found
}

/// Trailing list punctuation and spaces cut off a meaning.
fn trim_meaning(m: &str) -> String {
    m.trim()
        .trim_end_matches([',', '，', ';', '；', '、', '。', '.', ' '])
        .trim()
        .to_string()
}

/// A value list in a description: `0（定时推送…） 1（…）`, `0：… 1：…`,
/// `1:bot 2:人工`, `1：在线；2：离线`, `1-知识库，2-工单信息`,
/// `1 - Monday, 2 - Tuesday`, `1. 机器人 2. 人工`, `1 for bot, 2 for guest`
/// (numbers), or `text：纯文本；post：富文本`, `REJECTED(审核不通过)
/// APPROVED(审核通过)` (identifiers, which must follow each other with
/// nothing but punctuation between them): (key, meaning) pairs and the
/// description without them. `None` without two distinct keys.
fn keyed_values(desc: &str, ident: bool) -> Option<(String, Vec<(String, String)>)> {
    let items = items_in(desc, ident);
    if items.len() < 2 {
        return None;
    }
    let mut values = Vec::new();
    let mut tail = String::new();
    for (i, it) in items.iter().enumerate() {
        let next = items.get(i + 1).map_or(desc.len(), |n| n.start);
        let raw = &desc[it.meaning..next];
        let line_end = raw.find('\n').unwrap_or(raw.len());
        let raw = &raw[..line_end];
        let (meaning, used) = match it.sep {
            Sep::Paren => paren_meaning(raw),
            Sep::Colon => {
                let (m, _) = word_meaning(raw.trim_start());
                let lead = raw.len() - raw.trim_start().len();
                (m.clone(), lead + m.len())
            }
            Sep::Dash | Sep::Dot | Sep::For => (raw.to_string(), raw.len()),
        };
        let rest = &raw[used.min(raw.len())..];
        if i + 1 == items.len() {
            tail = rest.trim().to_string();
        } else if ident
            && !rest
                .chars()
                .all(|c| c.is_whitespace() || ",，;；、".contains(c))
        {
            return None;
        }
        values.push((it.key.clone(), trim_meaning(&meaning)));
    }
    let distinct: BTreeSet<&String> = values.iter().map(|v| &v.0).collect();
    if distinct.len() != values.len() || values.iter().any(|v| v.1.is_empty()) {
        return None;
    }
    let head = desc[..items[0].start]
        .trim()
        .trim_end_matches([',', '，', ';', '；', ':', '：', '-'])
        .trim();
    let mut rest = head.to_string();
    if !tail.is_empty() {
        rest = format!("{rest} {tail}").trim().to_string();
    }
    Some((rest, values))
}

/// A list of integer values in a description (see [`keyed_values`]).
#[cfg(test)]
fn int_enum_values(desc: &str) -> Option<(String, Vec<(i64, String)>)> {
    let (rest, values) = keyed_values(desc, false)?;
    let values = values
        .into_iter()
        .map(|(k, m)| k.parse::<i64>().ok().map(|v| (v, m)))
        .collect::<Option<Vec<_>>>()?;
    Some((rest, values))
}

/// A parenthesised meaning: the text up to the matching close paren, and the
/// byte length of `raw` it spans with that paren.
fn paren_meaning(raw: &str) -> (String, usize) {
    let mut depth = 1;
    let mut cut = raw.len();
    let mut end = raw.len();
    for (ix, c) in raw.char_indices() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => {
                depth -= 1;
                if depth == 0 {
                    cut = ix;
                    end = ix + c.len_utf8();
                    break;
                }
            }
            _ => {}
        }
    }
    (raw[..cut].trim().to_string(), end)
}

/// A `:` meaning: the text up to the first whitespace outside parentheses, and
/// the text after it.
fn word_meaning(raw: &str) -> (String, String) {
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
    (raw[..cut].trim().to_string(), raw[cut..].trim().to_string())
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

/// A default stated inside a sentence (`示例值：10；默认为20`): the word or
/// number after 默认为 / 默认值为 / 默认是.
fn inline_default(desc: &str) -> Option<Value> {
    let at = ["默认值为", "默认为", "默认是"]
        .iter()
        .find_map(|k| desc.find(k).map(|i| i + k.len()))?;
    let raw: String = desc[at..]
        .trim_start_matches([' ', ':', '：', '`'])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect();
    if raw.is_empty() {
        return None;
    }
    Some(serde_json::from_str(&raw).unwrap_or(Value::String(raw)))
}

/// Coerces a doc example to the draft type; `None` when it does not fit.
fn fit(v: &Value, ty: &str, b: &Builder) -> Option<Value> {
    match ty {
        "string" => Some(match v {
            Value::String(_) => v.clone(),
            Value::Number(n) => Value::String(n.to_string()),
            _ => return None,
        }),
        "json_string" => v
            .as_str()
            .filter(|s| serde_json::from_str::<Value>(s).is_ok())
            .map(|_| v.clone()),
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
        "int64" | "timestamp_ms_number" | "timestamp_s" => v.as_i64().map(Value::from),
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

/// The draft scalar of a doc scalar type (`timestamp_ms` for millisecond strings).
fn scalar_of(doc_ty: &str, desc: &str) -> Option<&'static str> {
    Some(match doc_ty {
        "string" if desc.contains("毫秒时间戳") => "timestamp_ms",
        "string" => "string",
        "int" | "int32" => "int",
        "int64" => "int64",
        "float" | "float64" | "double" | "number" | "number(float)" | "number(double)" => "float",
        "boolean" | "bool" => "bool",
        _ => return None,
    })
}

/// Turns a list of rows (a subtree) into draft fields.
pub(super) fn fields_of(
    rows: &[Row],
    example: Option<&Value>,
    b: &mut Builder,
    in_body: bool,
) -> Vec<Value> {
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
        let mut field = field_of(r, children, sub_example, b, in_body);
        // a request example that leaves a required field out shows it is not required
        let left_out = example.is_some_and(|e| e.is_object() && sub_example.is_none());
        if in_body && left_out && field.get("required").is_some() {
            if let Some(m) = field.as_object_mut() {
                m.remove("required");
            }
            b.notes.push(format!(
                "line {}: `{}` is marked required, but the request example leaves it out: drafted optional",
                r.line, r.name
            ));
        }
        out.push(field);
        i = end;
    }
    out
}

/// Turns one row (with its subtree) into a draft field, adding the types it needs.
fn field_of(
    r: &Row,
    children: &[Row],
    example: Option<&Value>,
    b: &mut Builder,
    in_body: bool,
) -> Value {
    let list = r.ty.ends_with("[]");
    let item_example = match example {
        Some(Value::Array(a)) if list => a.first(),
        other => other,
    };
    let (ty, description) = match linked_enum(r, example, b) {
        Some(found) if children.is_empty() => found,
        _ => field_type(r, children, item_example, b, in_body),
    };
    let ty = widen_big_int(ty, r, item_example, b);
    let ty = timestamp_type(ty, r, item_example, b);
    let ty = widen_structured_string(ty, r, item_example, b, in_body);
    let ty = json_in_string(ty, r, item_example, b);
    let full_ty = if list { format!("{ty}[]") } else { ty.clone() };
    let mut m = Map::new();
    m.insert("name".into(), json!(r.name));
    m.insert("type".into(), json!(full_ty));
    // a PATCH updates in part: a 必填 that only the description says (the
    // column says 否, or the crawled form has no column) is not taken
    let desc_only = r.required != Some(true) && required_in(&r.desc) == Some(true);
    if in_body && b.partial && desc_only {
        let column = match r.required {
            Some(_) => "the 必填 column says 否",
            None => "no 必填 column says so",
        };
        b.notes.push(format!(
            "`{}`: the description says 必填 but {column}; a PATCH updates in part: drafted optional",
            r.name
        ));
    } else if field_required(r, in_body) {
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

/// The int enum of a row whose description lists no values but links to a
/// reference page with value tables: the one table that has every example
/// value (or the only table). A link to a page whose tables the example
/// does not tell apart gives no enum, with a note.
fn linked_enum(r: &Row, example: Option<&Value>, b: &mut Builder) -> Option<(String, String)> {
    if !matches!(base_type(r), "int" | "int32" | "int64") || listed_enum(r, None).is_some() {
        return None;
    }
    let page = b
        .refs
        .linked(&r.links)
        .or_else(|| b.refs.named(&r.desc))?
        .clone();
    let ex = example
        .cloned()
        .or_else(|| labelled_value(&r.desc, "示例值"));
    let shown: Vec<i64> = match &ex {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_i64).collect(),
        Some(v) => v.as_i64().into_iter().collect(),
        None => Vec::new(),
    };
    let fits: Vec<_> = page
        .tables
        .iter()
        .filter(|t| shown.iter().all(|v| t.values.iter().any(|x| x.0 == *v)))
        .collect();
    let [table] = fits.as_slice() else {
        let headings: Vec<&str> = page.tables.iter().map(|t| t.heading.as_str()).collect();
        b.notes.push(format!(
            "`{}` links to `{}`, whose value tables ({}) its example does not tell apart: no enum",
            r.name,
            page.title,
            headings.join(", ")
        ));
        return None;
    };
    let values = table
        .values
        .iter()
        .map(|(v, m)| (Value::from(*v), format!("value_{v}"), m.clone()))
        .collect();
    let desc_line = first_line(&r.desc);
    let name = b.add(
        &pascal(&r.name),
        &strip_required(&desc_line),
        DType::Enum {
            repr: "int",
            values,
        },
    );
    b.notes.push(format!(
        "`{}`: int enum `{name}` from the linked page `{}` ({}); rename its values",
        r.name, page.title, table.heading
    ));
    Some((name, desc_line))
}

/// The row's doc type without its `[]` list suffix.
fn base_type(r: &Row) -> &str {
    r.ty.trim_end_matches("[]").trim()
}

/// The draft type of a row's item (object, int enum, string enum or scalar) and
/// the field's description.
fn field_type(
    r: &Row,
    children: &[Row],
    item_example: Option<&Value>,
    b: &mut Builder,
    in_body: bool,
) -> (String, String) {
    let base = base_type(r);
    let desc_line = first_line(&r.desc);
    if names_other_values(&r.desc) && keyed_values(&r.desc, false).is_some() {
        b.notes.push(format!(
            "`{}`: the listed values are open (an item stands for all other values): no enum",
            r.name
        ));
    }
    if !children.is_empty() {
        let ty = object_type(r, children, item_example, b, in_body);
        (ty, desc_line)
    } else if let Some(listed) = listed_enum(r, item_example)
        .filter(|l| l.repr == "int" || string_enum_values(&r.desc).is_empty())
    {
        listed_enum_type(r, listed, b)
    } else if !string_enum_values(&r.desc).is_empty()
        && matches!(base, "string" | "int" | "int32" | "int64")
    {
        (string_enum_type(r, b), desc_line)
    } else {
        (scalar_type(r, b), desc_line)
    }
}

/// Adds the object type of a row with children and returns its name.
fn object_type(
    r: &Row,
    children: &[Row],
    item_example: Option<&Value>,
    b: &mut Builder,
    in_body: bool,
) -> String {
    let base = base_type(r);
    let type_name = if scalar_of(base, "").is_some() || matches!(base, "object" | "map" | "-" | "")
    {
        pascal(&r.name)
    } else {
        pascal(base)
    };
    b.open.push(type_name.clone());
    let fields = fields_of(children, item_example, b, in_body);
    b.open.pop();
    let tdesc = strip_required(&first_line(&r.desc));
    b.add(
        &type_name,
        if tdesc.is_empty() { &r.name } else { &tdesc },
        DType::Object { fields },
    )
}

/// An enum a row's description lists (see [`keyed_values`]).
struct Listed {
    /// `int` or `string`.
    repr: &'static str,
    /// (wire value, value name, meaning).
    values: Vec<(Value, String, String)>,
    /// The description without the values.
    rest: String,
}

/// The enum that an int or string row's description lists, numbers first
/// (a string row's numbers are string values); identifiers only for a
/// string row. An example outside listed numbers means the list is not the
/// set.
fn listed_enum(r: &Row, item_example: Option<&Value>) -> Option<Listed> {
    let base = base_type(r);
    let int = matches!(base, "int" | "int32" | "int64");
    if !int && base != "string" {
        return None;
    }
    let line = first_line(&r.desc);
    let in_desc = |ident: bool| keyed_values(&line, ident).or_else(|| keyed_values(&r.desc, ident));
    let (ident, (rest, pairs)) = match in_desc(false) {
        Some(found) => (false, found),
        None if !int => (true, in_desc(true)?),
        None => return None,
    };
    if names_other_values(&r.desc) {
        return None;
    }
    let mut values = Vec::new();
    for (k, (key, meaning)) in pairs.into_iter().enumerate() {
        let wire = if int {
            Value::from(key.parse::<i64>().ok()?)
        } else {
            Value::String(key.clone())
        };
        let lower = key.to_ascii_lowercase();
        let name = if !ident {
            format!("value_{key}")
        } else if is_snake(&lower) && lower != "unknown" {
            lower
        } else {
            format!("value_{k}")
        };
        values.push((wire, name, meaning));
    }
    if !ident {
        let ex = item_example
            .cloned()
            .or_else(|| labelled_value(&r.desc, "示例值"));
        let key = ex.as_ref().map(|e| match e {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        let listed = |k: &String| {
            values.iter().any(|v| {
                v.0.as_str() == Some(k) || v.0.as_i64().is_some_and(|n| &n.to_string() == k)
            })
        };
        if key.is_some_and(|k| !listed(&k)) {
            return None;
        }
    }
    Some(Listed {
        repr: if int { "int" } else { "string" },
        values,
        rest,
    })
}

/// Whether a value list has an item for all other values (`其他数字：其他渠道`,
/// `其它值(保留)`): then it is open, no enum. A sentence that rules other
/// values out (`不支持其他消息类型`) is no such item.
fn names_other_values(desc: &str) -> bool {
    ["其他", "其它"].iter().any(|w| {
        desc.match_indices(w).any(|(at, _)| {
            let after = &desc[at + w.len()..];
            let key_end = after
                .char_indices()
                .take(4)
                .find(|(_, c)| !('\u{4e00}'..='\u{9fff}').contains(c))
                .map_or(after.len().min(12), |(i, _)| i);
            after[key_end..]
                .trim_start_matches(' ')
                .starts_with([':', '：', '-', '(', '（'])
        })
    })
}

/// Adds the enum that a row's description lists (with a note) and returns
/// its name and the description without the values.
fn listed_enum_type(r: &Row, listed: Listed, b: &mut Builder) -> (String, String) {
    let desc_line = first_line(&r.desc);
    let Listed { repr, values, rest } = listed;
    let description = if rest.is_empty() {
        desc_line.clone()
    } else {
        rest.clone()
    };
    let name = b.add(
        &pascal(&r.name),
        &if strip_required(&rest).is_empty() {
            r.name.clone()
        } else {
            strip_required(&rest)
        },
        DType::Enum { repr, values },
    );
    b.notes.push(format!(
        "`{}`: {repr} enum `{name}` from the description; rename its values",
        r.name
    ));
    (name, description)
}

/// Adds the string (or int) enum of a row's `可选值有` items and returns its name.
fn string_enum_type(r: &Row, b: &mut Builder) -> String {
    let items = string_enum_values(&r.desc);
    let int = base_type(r) != "string";
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
        &first_line(&r.desc),
        DType::Enum {
            repr: if int { "int" } else { "string" },
            values,
        },
    )
}

/// The scalar type of a row without fields, or the object type it names when
/// that one is being built or was built (a recursive `children`); `json`
/// (with a note) when there is none.
fn scalar_type(r: &Row, b: &mut Builder) -> String {
    let named = pascal(base_type(r));
    match scalar_of(base_type(r), &r.desc) {
        Some(s) => s.to_string(),
        None if !named.is_empty()
            && (b.open.contains(&named)
                || matches!(b.find(&named), Some(DType::Object { .. }))) =>
        {
            named
        }
        None => {
            b.notes.push(format!(
                "`{}`: doc type `{}` without fields; typed as `json`",
                r.name, r.ty
            ));
            "json".into()
        }
    }
}

/// `json` (with a note) for a `string` whose example is an object or a list:
/// the doc's type cannot decode its own example. In a request body, a row
/// whose own 示例值 is written as a string confirms the type column: the
/// field stays a string (the request example shows the value decoded), with
/// a note.
fn widen_structured_string(
    ty: String,
    r: &Row,
    item_example: Option<&Value>,
    b: &mut Builder,
    in_body: bool,
) -> String {
    if ty == "string" && item_example.is_some_and(|v| v.is_object() || v.is_array()) {
        let quoted = row_example_text(&r.desc).is_some_and(|t| t.starts_with('"'));
        if in_body && quoted {
            b.notes.push(format!(
                "`{}`: the request example shows an object or a list, but the row's type and its own 示例值 say string: typed `json_string` (the example's value is serialized)",
                r.name
            ));
            return "json_string".into();
        }
        b.notes.push(format!(
            "`{}`: doc type string, but the example is a JSON object or list; typed as `json`",
            r.name
        ));
        return "json".into();
    }
    ty
}

/// `json_string` (with a note) for a `string` that carries JSON: its
/// description says so (`json格式结构序列化成string`, `Json Array格式`,
/// `JSON 序列化`) or its example is a string holding a JSON object or list
/// (`"{\"config\": …}"`, `"{}"`).
fn json_in_string(ty: String, r: &Row, item_example: Option<&Value>, b: &mut Builder) -> String {
    if ty != "string" {
        return ty;
    }
    let desc = first_line(&r.desc).to_ascii_lowercase().replace(' ', "");
    let said = [
        "json格式",
        "jsonarray",
        "json序列化",
        "序列化成string",
        "序列化后的字符串",
    ]
    .iter()
    .any(|w| desc.contains(w));
    let holds_json = |v: &Value| {
        v.as_str().is_some_and(|s| {
            let t = s.trim();
            (t.starts_with('{') || t.starts_with('['))
                && serde_json::from_str::<Value>(t).is_ok_and(|j| j.is_object() || j.is_array())
        })
    };
    let shown = item_example.is_some_and(holds_json)
        || labelled_value(&r.desc, "示例值").is_some_and(|v| holds_json(&v));
    if !said && !shown {
        return ty;
    }
    b.notes.push(format!(
        "`{}`: a string that carries JSON ({}): typed `json_string`",
        r.name,
        if said {
            "the description says so"
        } else {
            "its example is serialized JSON"
        }
    ));
    "json_string".into()
}

/// The raw text of a row's `示例值` line, after the label.
fn row_example_text(desc: &str) -> Option<&str> {
    let line = desc
        .lines()
        .find(|l| l.trim_start().starts_with("示例值"))?;
    let raw = line.trim_start()["示例值".len()..]
        .trim()
        .trim_start_matches([':', '：'])
        .trim();
    (!raw.is_empty()).then_some(raw)
}

/// `int64` (with a note) for an `int` whose example does not fit 32 bits; else `ty`.
fn widen_big_int(ty: String, r: &Row, item_example: Option<&Value>, b: &mut Builder) -> String {
    if ty != "int" {
        return ty;
    }
    let big = |v: &Value| v.as_i64().is_some_and(|n| i32::try_from(n).is_err());
    let ex_big = item_example.is_some_and(big)
        || labelled_value(&r.desc, "示例值").as_ref().is_some_and(big);
    if ex_big {
        b.notes.push(format!(
            "`{}`: doc type int, but the example does not fit 32 bits; typed as `int64`",
            r.name
        ));
        return "int64".into();
    }
    ty
}

/// The unit of a point in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeUnit {
    Millis,
    Secs,
}

/// The unit a description gives a time in: 毫秒 / `ms`, else 秒.
fn unit_in(desc: &str) -> Option<TimeUnit> {
    let ms_word = desc
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w.eq_ignore_ascii_case("ms"));
    if desc.contains("毫秒") || ms_word {
        Some(TimeUnit::Millis)
    } else if desc.contains('秒') {
        Some(TimeUnit::Secs)
    } else {
        None
    }
}

/// The unit a Unix time example shows by its digits: 13 for milliseconds,
/// 10 for seconds; `None` for anything else (a duration, a count, a word).
fn unit_of_example(v: &Value) -> Option<TimeUnit> {
    let digits = match v {
        Value::Number(n) => n.as_i64()?.to_string(),
        Value::String(s) if s.bytes().all(|c| c.is_ascii_digit()) => s.clone(),
        _ => return None,
    };
    match digits.len() {
        13 => Some(TimeUnit::Millis),
        10 => Some(TimeUnit::Secs),
        _ => None,
    }
}

/// A timestamp type for an integer or string row that names a point in
/// time (时间, 时间戳, `time`, a `_at` name; not a 时长 / 间隔 / duration),
/// with its unit from the description (毫秒 / `ms` / 秒) or else from the
/// example's digits: `timestamp_ms_number` / `timestamp_s` for integers,
/// `timestamp_ms` for strings (a string of seconds stays a string). An
/// example that is no Unix time of that unit (`68` for 单位秒) means the row
/// is not a timestamp. Each choice is noted.
fn timestamp_type(ty: String, r: &Row, item_example: Option<&Value>, b: &mut Builder) -> String {
    let int = matches!(ty.as_str(), "int" | "int64");
    if !int && !matches!(ty.as_str(), "string" | "timestamp_ms") {
        return ty;
    }
    let desc = first_line(&r.desc);
    let lower = format!("{} {}", r.name, desc).to_ascii_lowercase();
    let span = ["时长", "间隔", "用时", "耗时", "duration"];
    let point = desc.contains("时间") || lower.contains("time") || r.name.ends_with("_at");
    if !point || span.iter().any(|w| lower.contains(w)) {
        return ty;
    }
    let ex = item_example
        .cloned()
        .or_else(|| labelled_value(&r.desc, "示例值"));
    let shown = ex.as_ref().and_then(unit_of_example);
    if ex.is_some() && shown.is_none() {
        // the example is no Unix time (a duration, a count, a clock time)
        return ty;
    }
    let (unit, from) = match (unit_in(&desc), shown) {
        (Some(u), Some(e)) if u != e => return ty,
        (Some(u), _) => (u, "the description"),
        (None, Some(e)) => (e, "the example's digits"),
        (None, None) => return ty,
    };
    let new = match (int, unit) {
        (true, TimeUnit::Millis) => "timestamp_ms_number",
        (true, TimeUnit::Secs) => "timestamp_s",
        (false, TimeUnit::Millis) => "timestamp_ms",
        (false, TimeUnit::Secs) => {
            b.notes.push(format!(
                "`{}`: a time in seconds as a string (unit from {from}); kept `string`",
                r.name
            ));
            return ty;
        }
    };
    if new != ty {
        b.notes.push(format!(
            "`{}`: a point in time, unit from {from}: typed `{new}`",
            r.name
        ));
    }
    new.to_string()
}

/// Whether a field is required, from the 必填 column and the description
/// (outside request bodies the description wins).
fn field_required(r: &Row, in_body: bool) -> bool {
    match (r.required, required_in(&r.desc)) {
        (_, Some(v)) if !in_body => v,
        (Some(col), Some(d)) => col || d,
        (Some(col), None) => col,
        (None, Some(d)) => d,
        (None, None) => false,
    }
}

/// Whether a description starts with 必填 / 非必填.
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

/// A description without its leading 必填 / 非必填.
fn strip_required(d: &str) -> String {
    d.trim()
        .trim_start_matches("非必填")
        .trim_start_matches("必填")
        .trim_start_matches([',', '，', ' '])
        .trim()
        .to_string()
}

/// Fields that an example object shows but the table does not list,
/// appended to `fields` with the type of their example value (and a note
/// each): the page documents them only by example.
pub(super) fn fields_from_example(
    fields: &mut Vec<Value>,
    example: Option<&Value>,
    b: &mut Builder,
) {
    let Some(Value::Object(ex)) = example else {
        return;
    };
    for (name, v) in ex {
        if fields.iter().any(|f| f["name"] == name.as_str()) {
            continue;
        }
        let ty = match v {
            Value::Bool(_) => "bool",
            Value::Number(n) if n.is_i64() || n.is_u64() => {
                if n.as_i64().is_some_and(|x| i32::try_from(x).is_ok()) {
                    "int"
                } else {
                    "int64"
                }
            }
            Value::Number(_) => "float",
            Value::String(_) => "string",
            _ => "json",
        };
        b.notes.push(format!(
            "`{name}` is in the example but not in the table: drafted from the example as `{ty}`"
        ));
        let mut m = Map::new();
        m.insert("name".into(), json!(name));
        m.insert("type".into(), json!(ty));
        m.insert(
            "description".into(),
            json!(format!("{name}（表格未列出，取自示例）")),
        );
        if let Some(e) = fit(v, ty, b) {
            m.insert("example".into(), e);
        }
        fields.push(Value::Object(m));
    }
}

/// Makes an example fit the drafted fields: the values of `json_string`
/// fields that it shows as objects or lists (the page's example decoded
/// them) are serialized, and a value of an enum field that is none of the
/// listed values (a placeholder like `"审核状态"`) is left out, with a note
/// in `notes`. Follows the fields' object types.
pub(super) fn fit_example(
    example: &mut Value,
    fields: &[Value],
    b: &Builder,
    notes: &mut Vec<String>,
) {
    let Some(obj) = example.as_object_mut() else {
        return;
    };
    for f in fields {
        let (Some(name), Some(ty)) = (f["name"].as_str(), f["type"].as_str()) else {
            continue;
        };
        let Some(v) = obj.get_mut(name) else { continue };
        if ty == "json_string" && (v.is_object() || v.is_array()) {
            *v = Value::String(v.to_string());
            continue;
        }
        match b.find(ty.trim_end_matches("[]")) {
            Some(DType::Object { fields: sub }) => match v {
                Value::Array(items) => items.iter_mut().for_each(|i| fit_example(i, sub, b, notes)),
                one => fit_example(one, sub, b, notes),
            },
            Some(DType::Enum { values, .. }) => {
                let listed = |x: &Value| values.iter().any(|l| &l.0 == x);
                let fits = match &*v {
                    Value::Array(items) => items.iter().all(listed),
                    one => listed(one),
                };
                if !fits {
                    notes.push(format!(
                        "`{name}`: the example's value {v} is none of the listed values; left out of the example"
                    ));
                    obj.remove(name);
                }
            }
            None => {}
        }
    }
}

/// Turns a path (`path`) or query parameter row into a draft parameter.
pub(super) fn param_of(r: &Row, path: bool, b: &mut Builder) -> Value {
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
        let default = labelled_value(&r.desc, "默认值").or_else(|| inline_default(&r.desc));
        if let Some(d) = default.and_then(|e| fit(&e, &ty, b)) {
            m.insert("default".into(), d);
        }
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_default_inside_a_sentence() {
        assert_eq!(
            inline_default("分页大小 **示例值**：10；默认为20 **数据校验规则**"),
            Some(serde_json::json!(20))
        );
        assert_eq!(
            inline_default("默认值为 open_id"),
            Some(serde_json::json!("open_id"))
        );
        assert_eq!(inline_default("没有默认"), None);
        assert_eq!(inline_default("默认为空"), None);
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
    fn finds_int_enums_in_other_list_forms() {
        let keys = |d: &str| {
            int_enum_values(d)
                .map(|(_, v)| v.into_iter().map(|x| x.0).collect::<Vec<_>>())
                .unwrap_or_default()
        };
        // full-width colon and semicolon
        let (rest, v) = int_enum_values("agent status，1：在线；2：离线").unwrap();
        assert_eq!(rest, "agent status");
        assert_eq!(v, vec![(1, "在线".into()), (2, "离线".into())]);
        // a dash, with or without spaces
        let (_, v) = int_enum_values("rule 类型，1-知识库，2-工单信息，3-用户飞书信息").unwrap();
        assert_eq!(v[2], (3, "用户飞书信息".into()));
        let (_, v) =
            int_enum_values("星期几, 1 - Monday, 2 - Tuesday, 9 - Everyday, 11 - Weekend").unwrap();
        assert_eq!(v[0], (1, "Monday".into()));
        assert_eq!(v[3], (11, "Weekend".into()));
        let (_, v) =
            int_enum_values("客服状态, 1 - online客服, 3 - off duty(下班)自动处于非服务时间段")
                .unwrap();
        assert_eq!(v[1], (3, "off duty(下班)自动处于非服务时间段".into()));
        // `N.` items after a full-width colon; `N for x`; `N: x,` after a colon
        assert_eq!(keys("工单阶段：1. 机器人 2. 人工"), vec![1, 2]);
        assert_eq!(
            keys("sender type, 1 for bot, 2 for guest, 3 for agent"),
            vec![1, 2, 3]
        );
        let (_, v) = int_enum_values("含义如下：1: 待响应, 2: 处理中, 51: 人工关闭工单").unwrap();
        assert_eq!(v[1], (2, "处理中".into()));
        // the last value's meaning ends with its line
        let (_, v) = int_enum_values("1-a，2-b\n示例值：2").unwrap();
        assert_eq!(v[1].1, "b");
        // no list: ranges, times, decimals, a single item
        assert!(int_enum_values("范围 1-100，2-200").is_none());
        assert!(int_enum_values("时间 10:30 或 11:30").is_none());
        assert!(int_enum_values("得分 0.9 或 1.5").is_none());
        assert!(int_enum_values("仅 1：在线").is_none());
    }

    #[test]
    fn finds_identifier_lists_only_when_they_follow_each_other() {
        let (rest, v) = keyed_values("消息类型；text：纯文本；post：富文本", true).unwrap();
        assert_eq!(rest, "消息类型");
        assert_eq!(
            v,
            vec![
                ("text".into(), "纯文本".into()),
                ("post".into(), "富文本".into())
            ]
        );
        let (_, v) = keyed_values(
            "REJECTED(审核不通过) APPROVED(审核通过) CANCELED(取消审核)",
            true,
        )
        .unwrap();
        assert_eq!(v[1], ("APPROVED".into(), "审核通过".into()));
        // identifiers with prose between them are no list
        assert!(keyed_values("见 user_id: 用户 ID，另有说明 open_id: 应用内 ID", true).is_none());
        assert!(keyed_values("详见 http://a.b/c 与 https://d.e/f", true).is_none());
    }

    fn row(name: &str, ty: &str, desc: &str) -> Row {
        Row {
            name: name.into(),
            ty: ty.into(),
            desc: desc.into(),
            ..Row::default()
        }
    }

    #[test]
    fn string_rows_list_numbers_or_identifiers_as_string_enums() {
        let l = listed_enum(
            &row(
                "status",
                "string",
                "知识库状态 1:在线 0:删除，可恢复 2：删除，不可恢复\n示例值：1",
            ),
            None,
        )
        .unwrap();
        assert_eq!(l.repr, "string");
        assert_eq!(
            l.values.iter().map(|v| v.0.clone()).collect::<Vec<_>>(),
            vec![json!("1"), json!("0"), json!("2")]
        );
        let l = listed_enum(
            &row("msg_type", "string", "消息类型；text：纯文本；post：富文本"),
            None,
        )
        .unwrap();
        assert_eq!(l.values[1].1, "post");
        // an example outside listed numbers: a description of something else
        assert!(
            listed_enum(
                &row(
                    "query",
                    "string",
                    "编码策略：1. url编码 2. base64编码\n示例值：wifi"
                ),
                None
            )
            .is_none()
        );
        assert!(listed_enum(&row("level", "int", "1：低 2：高\n示例值：7"), None).is_none());
        // identifiers are no int enum
        assert!(listed_enum(&row("n", "int", "text：纯文本；post：富文本"), None).is_none());
        // an item for all other values: an open list, no enum
        let channel = "工单渠道，描述： 9：Open API 2：二维码 14：分享 13：搜索 其他数字：其他渠道";
        assert!(listed_enum(&row("channel", "int", channel), None).is_none());
        assert!(listed_enum(&row("kind", "int", "1：人工 2：机器人 其它(保留)"), None).is_none());
        // other values ruled out: still a closed list
        let closed = "消息类型；text：纯文本；post：富文本，不支持其他消息类型";
        assert_eq!(
            listed_enum(&row("msg_type", "string", closed), None)
                .unwrap()
                .values
                .len(),
            2
        );
    }
}
