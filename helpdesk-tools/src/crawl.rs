//! The markdown form of a Feishu doc page turned into its crawled **text**
//! form (`helpdesk-spec crawl`).
//!
//! We hold one real crawled page, `tests/pages/seed/000_413277861cd63ad7.txt`,
//! the text form of `tests/pages/docs/notification.get.md`. [`to_crawled_text`]
//! reproduces it byte for byte from the markdown; the other pages are rendered
//! by the same rules. The rules below say what each markdown construct
//! becomes; those marked **guess** cover constructs the seed does not show.
//!
//! # The page
//!
//! * The `<!-- source: … -->` comment and the `---` front matter are dropped.
//! * The text starts with `Skip to content` and a blank line (the skip link of
//!   the site) and ends with a blank line and the footer
//!   `内容来源:飞书开放平台 · 自动爬取整理`, with no newline after it.
//! * Blocks (headings, paragraphs, tables, code blocks, the paragraphs of a
//!   blockquote) are separated by exactly one blank line, however many the
//!   markdown has.
//! * Fullwidth ASCII forms (U+FF01–U+FF5E: `，：；（）？`…) become their ASCII
//!   characters everywhere, code blocks included (`，` → `,`). Other characters
//!   stay: `。`, `、`, curly quotes, `·`, and the no-break space U+00A0 (so this
//!   is not NFKC, which would turn U+00A0 into a space). **Guess**: the
//!   ideographic space U+3000 stays too (no page has one).
//!
//! # Blocks
//!
//! * **Headings** (`#` to `######`): the heading text alone, no marker, every
//!   level alike (`## 响应` then `### 响应体` → `响应`, blank, `响应体`).
//! * **Paragraphs**: the inline text. **Guess**: a paragraph spread over
//!   several markdown lines keeps one line per markdown line (the pages use
//!   such lines for separate statements, e.g. the two 订阅方式 lines of the
//!   event pages), each trimmed.
//! * **Blockquotes** (`> **Tip**: …`): the `>` markers go; the quoted text is
//!   read as blocks again, so each quoted paragraph is a block of its own
//!   (`Tip: 服务台请求Header中还需添加…`, blank, `Key: X-Lark-Helpdesk-Authorization`, …).
//! * **Fenced code blocks**: the language tag on a line of its own (```` ```json ````
//!   → `json`), then the code lines verbatim (indentation, runs of spaces,
//!   `[飞书](https://…)` and backslashes all kept). **Guess**: a fence without
//!   a language tag gives the code lines only (the event pages' SDK samples).
//! * **Tables**: one line per row, the cells glued together with no separator
//!   (`| 400 | 154000 | Bad request… | 请求不合法… |` → `400154000Bad request…请求不合法…`);
//!   the separator row goes. The header row is glued the same way
//!   (`名称类型必填描述`), except that the `值` header of the two-column
//!   `项目 | 值` table is empty on the site, so that header is `项目` alone.
//!   In a table with a `必填` column the header keeps `必填` but the rows lose
//!   that cell (`是` / `否` are not text on the site): `| Authorization | string | 是 | … |`
//!   → `Authorizationstring…`. A cell is trimmed of ASCII blanks; a `<br>`
//!   inside a cell is a line break (so a row may span several lines).
//!   **Guess**: old-template rows (`∟ name`, and descriptions whose `<br>` were
//!   already flattened to spaces) follow the same rules: `∟ ` stays as text.
//! * **Lists** outside tables: **guess**, the item lines are kept as
//!   paragraph lines with their `- ` marker (no endpoint or event page has
//!   one; inside a cell, `- open_id: …` keeps its dash in the seed).
//!
//! # Inline text
//!
//! * Runs of spaces and tabs become one space (HTML whitespace), in headings,
//!   paragraphs and cells; not in code blocks.
//! * `` `code` ``: the code text, backticks gone, nothing inside it read
//!   (`` `\-` `` → `\-`, `` `notification_user\[\]` `` → `notification_user\[\]`).
//! * `**bold**`: the text, markers gone. A bold label followed by a fullwidth
//!   colon loses the colon (and the blanks after it) when a line break
//!   (`<br>`, end of cell) or a code span follows: `**可选值有**：<br>` → `可选值有`
//!   + newline, `**默认值**：`` `open_id` `` → `默认值open_id`,
//!   `**当值为 `user_id`，字段权限要求**： `contact:…`` → `当值为 user_id,字段权限要求contact:…`;
//!   otherwise the colon stays: `**示例值**：open_id` → `示例值:open_id`,
//!   `**值格式**："Bearer …"` → `值格式:"Bearer …"`. (On the site those labels
//!   are separate elements; the seed shows the colon only before plain text.)
//!   Single `*` and `_` are text (`http://*.com/*.png`, snake_case names).
//! * Links `[text](url)`: the text only; images `![alt](url)`: the alt text
//!   (**guess**; no page has an image). A bare URL stays.
//! * Escapes: `\-`, `\[`, `\]`, `\*`, `\_`, `\#`, `` \` ``, `\|`, `\\` lose
//!   the backslash (`\-` → `-`, as the seed's `data` row shows). **Guess**:
//!   `\"` keeps it, since the pages' example values are JSON texts written with
//!   `\"` on the site too (`"{\"selected_departments\":…}"`); a turndown-style
//!   converter escapes markdown syntax, never quotes.
//! * HTML: `<br>` is a line break; the entities `&nbsp;` (U+00A0, kept as is,
//!   so the nesting indent `&nbsp;&nbsp;└ ` stays `\u{a0}\u{a0}└ `), `&lt;`,
//!   `&gt;`, `&amp;`, `&quot;`, `&#39;` and numeric `&#NN;` / `&#xNN;` are
//!   decoded. **Guess**: other tags stay as text.
//! * A `>` inside a table cell is text (`字段权限要求> Tip: …`).

/// The footer the crawl appends to every page.
const FOOTER: &str = "内容来源:飞书开放平台 · 自动爬取整理";

/// The markdown form of a doc page → its crawled text form (see the module
/// docs for the rules).
pub fn to_crawled_text(markdown: &str) -> String {
    let lines: Vec<&str> = strip_preamble(markdown);
    let blocks = render_blocks(&lines);
    let mut out = String::from("Skip to content\n\n");
    for b in &blocks {
        out.push_str(b);
        out.push_str("\n\n");
    }
    out.push_str(FOOTER);
    fullwidth_to_ascii(&out)
}

/// Whether a page is in the markdown form (the source comment, the front
/// matter or a table separator row), not already crawled text.
pub fn is_markdown(text: &str) -> bool {
    text.starts_with("<!--")
        || text.starts_with("---")
        || text.lines().any(|l| is_table_line(l) && is_separator(l))
}

/// The lines after the source comment and the front matter.
fn strip_preamble(markdown: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = markdown.lines().collect();
    let mut start = 0;
    while start < lines.len() {
        let t = lines[start].trim();
        if t.starts_with("<!--") && t.ends_with("-->") || t.is_empty() {
            start += 1;
        } else {
            break;
        }
    }
    if lines.get(start).map(|l| l.trim()) == Some("---") {
        if let Some(end) = lines[start + 1..].iter().position(|l| l.trim() == "---") {
            start += end + 2;
        }
    }
    lines.drain(..start.min(lines.len()));
    lines
}

/// Whether a line opens or closes a fenced code block; the info string if so.
fn fence(line: &str) -> Option<&str> {
    let t = line.trim_start();
    t.strip_prefix("```").map(str::trim)
}

/// A heading's text, when the line is a heading.
fn heading(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let hashes = t.chars().take_while(|c| *c == '#').count();
    if (1..=6).contains(&hashes) {
        let rest = &t[hashes..];
        if rest.is_empty() || rest.starts_with([' ', '\t']) {
            return Some(rest.trim());
        }
    }
    None
}

fn is_table_line(line: &str) -> bool {
    line.trim_start().starts_with('|')
}

fn is_quote_line(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// The markdown lines as rendered blocks (no blank lines between them).
fn render_blocks(lines: &[&str]) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() {
            i += 1;
            continue;
        }
        if let Some(info) = fence(line) {
            let mut code: Vec<&str> = Vec::new();
            i += 1;
            while i < lines.len() && fence(lines[i]).is_none_or(|x| !x.is_empty()) {
                code.push(lines[i]);
                i += 1;
            }
            i += 1; // the closing fence
            let mut b = String::new();
            if !info.is_empty() {
                b.push_str(info.split_whitespace().next().unwrap_or(info));
                b.push('\n');
            }
            b.push_str(&code.join("\n"));
            blocks.push(b.trim_end_matches('\n').to_string());
            continue;
        }
        if let Some(h) = heading(line) {
            blocks.push(inline(h));
            i += 1;
            continue;
        }
        if is_table_line(line) {
            let start = i;
            while i < lines.len() && is_table_line(lines[i]) {
                i += 1;
            }
            let t = table(&lines[start..i]);
            if !t.is_empty() {
                blocks.push(t);
            }
            continue;
        }
        if is_quote_line(line) {
            let mut inner: Vec<&str> = Vec::new();
            while i < lines.len() && is_quote_line(lines[i]) {
                let t = lines[i].trim_start();
                let t = &t[1..];
                inner.push(t.strip_prefix(' ').unwrap_or(t));
                i += 1;
            }
            blocks.extend(render_blocks(&inner));
            continue;
        }
        // a paragraph: up to a blank line or another block
        let mut para: Vec<String> = Vec::new();
        while i < lines.len() {
            let l = lines[i];
            if l.trim().is_empty()
                || fence(l).is_some()
                || heading(l).is_some()
                || is_table_line(l)
                || is_quote_line(l)
            {
                break;
            }
            let r = inline(l);
            if !r.is_empty() {
                para.push(r);
            }
            i += 1;
        }
        if !para.is_empty() {
            blocks.push(para.join("\n"));
        }
    }
    blocks
}

/// The cells of a table row.
fn cells(line: &str) -> Vec<&str> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = if t.ends_with('|') && !t.ends_with("\\|") {
        &t[..t.len() - 1]
    } else {
        t
    };
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = t.as_bytes();
    for (k, &b) in bytes.iter().enumerate() {
        if b == b'|' && (k == 0 || bytes[k - 1] != b'\\') {
            out.push(&t[start..k]);
            start = k + 1;
        }
    }
    out.push(&t[start..]);
    out
}

/// Whether a row is the `| --- | --- |` separator.
fn is_separator(line: &str) -> bool {
    let c = cells(line);
    !c.is_empty()
        && c.iter().all(|x| {
            let x = x.trim();
            !x.is_empty() && x.chars().all(|ch| matches!(ch, '-' | ':' | ' '))
        })
}

/// A table: header and rows glued cell by cell, one line per row.
fn table(lines: &[&str]) -> String {
    let header: Vec<String> = lines
        .first()
        .map(|l| cells(l).iter().map(|c| inline(c)).collect())
        .unwrap_or_default();
    let has_separator = lines.get(1).is_some_and(|l| is_separator(l));
    let required = header.iter().position(|h| h == "必填");
    let mut out: Vec<String> = Vec::new();
    if has_separator {
        let shown: Vec<&str> = if header.len() == 2 && header[0] == "项目" && header[1] == "值" {
            vec!["项目"]
        } else {
            header.iter().map(String::as_str).collect()
        };
        out.push(shown.concat());
    }
    let rows = if has_separator {
        lines.get(2..).unwrap_or_default()
    } else {
        lines
    };
    for row in rows {
        let mut glued = String::new();
        for (k, c) in cells(row).iter().enumerate() {
            if has_separator && Some(k) == required {
                continue;
            }
            glued.push_str(&inline(c));
        }
        out.push(glued);
    }
    out.join("\n")
}

/// Entity at the start of `s` (which starts with `&`): (text, length).
fn entity(s: &str) -> Option<(String, usize)> {
    let end = s.get(..12.min(s.len()))?.find(';')?;
    let name = &s[1..end];
    let text = match name {
        "nbsp" => "\u{a0}".to_string(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "amp" => "&".into(),
        "quot" => "\"".into(),
        "apos" | "#39" => "'".into(),
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix(['x', 'X']) {
                Some(h) => u32::from_str_radix(h, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)?.to_string()
        }
    };
    Some((text, end + 1))
}

/// Inline markdown (one line, or one table cell) as crawled text.
fn inline(src: &str) -> String {
    let mut out = String::new();
    let mut bold = false;
    let mut rest = src;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            let ticks = rest.chars().take_while(|x| *x == '`').count();
            let marker = &rest[..ticks];
            if let Some(end) = rest[ticks..].find(marker) {
                let code = &rest[ticks..ticks + end];
                let code = if code.starts_with(' ') && code.ends_with(' ') && code.len() > 1 {
                    &code[1..code.len() - 1]
                } else {
                    code
                };
                out.push_str(code);
                rest = &rest[ticks + end + ticks..];
                continue;
            }
            out.push_str(marker);
            rest = &rest[ticks..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("**") {
            rest = after;
            if bold {
                rest = label_colon(rest);
            }
            bold = !bold;
            continue;
        }
        if let Some(after) = rest
            .strip_prefix("<br>")
            .or_else(|| rest.strip_prefix("<br/>"))
            .or_else(|| rest.strip_prefix("<br />"))
        {
            out.push('\n');
            rest = after;
            continue;
        }
        if c == '\\' {
            if let Some(n) = rest[1..].chars().next() {
                if "-[]*_#`|\\".contains(n) {
                    out.push(n);
                    rest = &rest[1 + n.len_utf8()..];
                    continue;
                }
            }
        }
        if c == '&' {
            if let Some((text, len)) = entity(rest) {
                out.push_str(&text);
                rest = &rest[len..];
                continue;
            }
        }
        if c == '[' || (c == '!' && rest[1..].starts_with('[')) {
            let open = if c == '!' { 2 } else { 1 };
            if let Some((label, len)) = link(&rest[open - 1..]) {
                out.push_str(&inline(label));
                rest = &rest[open - 1 + len..];
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    tidy(&out)
}

/// After a closing `**`: drops a fullwidth colon (and the blanks after it)
/// when a line break, the end, or a code span follows.
fn label_colon(rest: &str) -> &str {
    let Some(after) = rest.strip_prefix('：') else {
        return rest;
    };
    let after = after.trim_start_matches([' ', '\t']);
    if after.is_empty() || after.starts_with("<br") || after.starts_with('`') {
        after
    } else {
        rest
    }
}

/// A link `[label](url)` at the start of `s`: (label, length).
fn link(s: &str) -> Option<(&str, usize)> {
    let mut depth = 0usize;
    let mut close = None;
    for (k, ch) in s.char_indices() {
        match ch {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(k);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    let url = s[close + 1..].strip_prefix('(')?;
    let end = url.find(')')?;
    Some((&s[1..close], close + 2 + end + 1))
}

/// Collapses runs of spaces and tabs to one space and trims every line.
fn tidy(s: &str) -> String {
    let lines: Vec<String> = s
        .split('\n')
        .map(|l| {
            let mut o = String::new();
            let mut blank = false;
            for ch in l.chars() {
                if ch == ' ' || ch == '\t' {
                    blank = true;
                } else {
                    if blank && !o.is_empty() {
                        o.push(' ');
                    }
                    blank = false;
                    o.push(ch);
                }
            }
            o
        })
        .collect();
    lines.join("\n")
}

/// Fullwidth ASCII forms (U+FF01–U+FF5E) → ASCII.
fn fullwidth_to_ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_rules() {
        assert_eq!(inline("`\\-`"), "\\-");
        assert_eq!(inline("\\-"), "-");
        assert_eq!(
            inline("a<br>**示例值**：\"1\"<br>**默认值**：`x`"),
            "a\n示例值：\"1\"\n默认值x"
        );
        assert_eq!(inline("**可选值有**：<br>- `a`: b"), "可选值有\n- a: b");
        assert_eq!(inline("[了解 更多](https://x/y)"), "了解 更多");
        assert_eq!(inline("&nbsp;&nbsp;└ `id`"), "\u{a0}\u{a0}└ id");
        assert_eq!(inline("a    b\t c"), "a b c");
        assert_eq!(inline("&lt;x&gt; &amp; &#65;"), "<x> & A");
        assert_eq!(inline("\\\"q\\\""), "\\\"q\\\"");
    }

    #[test]
    fn blocks_and_tables() {
        let md = "<!-- source: x -->\n---\ntitle: t\n---\n\n# T\n\nlead\n\n\n## 请求\n\n| 项目 | 值 |\n| --- | --- |\n| HTTP Method | GET |\n\n| 名称 | 类型 | 必填 | 描述 |\n| --- | --- | --- | --- |\n| `a` | `int` | 是 | d<br>e |\n\n> **Tip**: x\n>   \n>   y\n\n```json\n{\n  \"a\"：1\n}\n```\n";
        assert_eq!(
            to_crawled_text(md),
            "Skip to content\n\nT\n\nlead\n\n请求\n\n项目\nHTTP MethodGET\n\n名称类型必填描述\naintd\ne\n\nTip: x\n\ny\n\njson\n{\n  \"a\":1\n}\n\n内容来源:飞书开放平台 · 自动爬取整理"
        );
    }
}
