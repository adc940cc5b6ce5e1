//! Reference pages: general doc pages that field descriptions link to for
//! their values (`参考[客服技能运算符选项](…/operator-options)`), read into
//! their value tables.

/// One table of a reference page whose first column holds integer values.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ValueTable {
    /// The bold line or heading above the table (`运算符列表`).
    pub(super) heading: String,
    /// (value, meaning: the other cells joined).
    pub(super) values: Vec<(i64, String)>,
}

/// A reference page: its doc path, title and value tables.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RefPage {
    /// The front matter's `fullPath` (`/ukTMukTMukTM/…/operator-options`).
    pub(super) path: String,
    pub(super) title: String,
    pub(super) tables: Vec<ValueTable>,
}

/// The reference pages beside the imported page, looked up by the links
/// of a row's description.
#[derive(Debug, Clone, Default)]
pub struct RefPages {
    pages: Vec<RefPage>,
}

impl RefPages {
    /// Reads every page text that has a `fullPath` and at least one value
    /// table; other texts (endpoint pages, the index) add nothing.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> RefPages {
        RefPages {
            pages: texts
                .into_iter()
                .filter_map(|t| ref_page(t).or_else(|| crawled_ref_page(t)))
                .collect(),
        }
    }

    /// How many reference pages were read.
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    /// Whether no reference page was read.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// The page one of `links` points to (a URL ending with its doc path).
    pub(super) fn linked(&self, links: &[String]) -> Option<&RefPage> {
        links.iter().find_map(|url| {
            let url = url.split(['#', '?']).next().unwrap_or(url);
            self.pages
                .iter()
                .find(|p| !p.path.is_empty() && url.ends_with(&p.path))
        })
    }

    /// The page a description names when its link is gone (the crawled text
    /// form keeps only the link text): by its whole title
    /// (`rule操作数value,客服技能及运算符`), or after `参考` by a link text that
    /// differs from the title (`参考客服技能运算符选项` for `客服技能及运算符`)
    /// but holds at least 3/4 of its characters; the page holding the most
    /// wins, and a tie names none.
    pub(super) fn named(&self, desc: &str) -> Option<&RefPage> {
        let whole: Vec<&RefPage> = self
            .pages
            .iter()
            .filter(|p| !p.title.is_empty() && desc.contains(&p.title))
            .collect();
        if let [page] = whole.as_slice() {
            return Some(page);
        }
        // (characters of the title held, page) for every 参考 and page
        let mut held: Vec<(usize, &RefPage)> = Vec::new();
        for (at, _) in desc.match_indices("参考") {
            let named: String = desc[at + "参考".len()..]
                .trim_start_matches([' ', ':', '：', '['])
                .chars()
                .take_while(|c| {
                    !matches!(c, ',' | '，' | '。' | ';' | '；' | '\n' | '(' | '（' | ']')
                })
                .take(40)
                .collect();
            for page in &self.pages {
                let title: Vec<char> = page.title.chars().filter(|c| !c.is_whitespace()).collect();
                let n = title.iter().filter(|c| named.contains(**c)).count();
                if !title.is_empty() && n * 4 >= title.len() * 3 {
                    held.push((n, page));
                }
            }
        }
        let most = held.iter().map(|h| h.0).max()?;
        let mut top = held.iter().filter(|h| h.0 == most).map(|h| h.1);
        let first = top.next()?;
        top.all(|p| std::ptr::eq(p, first)).then_some(first)
    }
}

/// The cells of a `|a|b|c` line (a trailing `|` optional); `None` for other lines.
fn cells(line: &str) -> Option<Vec<String>> {
    let inner = line.trim().strip_prefix('|')?;
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    Some(inner.split('|').map(|c| c.trim().to_string()).collect())
}

/// Whether a row is a table's separator (`|--|--|`, `| --- |`).
fn separator(c: &[String]) -> bool {
    c.iter()
        .all(|x| !x.is_empty() && x.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
}

/// A line as plain text: no `<br>`, emphasis or heading marks.
fn plain(line: &str) -> String {
    line.replace("<br>", " ")
        .replace("**", "")
        .trim_start_matches('#')
        .trim()
        .to_string()
}

/// Reads a reference page in the crawled text form, where the front matter
/// is gone (no doc path: it is found by title, see [`RefPages::named`]) and
/// a table row's cells are glued (`2大于等于>=`): a table is a header line
/// starting with `value` and the lines under it that start with a number.
/// `None` for an endpoint or event page, or without a value table.
fn crawled_ref_page(text: &str) -> Option<RefPage> {
    let mut lines = text
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty() || *l == "Skip to content");
    if text.contains("HTTP URL") || text.contains("事件类型") {
        return None;
    }
    let title = lines.next()?.to_string();
    let mut tables = Vec::new();
    let mut above = String::new();
    let mut lines = lines.filter(|l| !l.is_empty()).peekable();
    while let Some(line) = lines.next() {
        let head = line.to_ascii_lowercase();
        if !(head.starts_with("value") || line.starts_with("取值") || line.starts_with('值')) {
            above = line.to_string();
            continue;
        }
        let mut values = Vec::new();
        while let Some(row) = lines.peek() {
            let digits = row
                .char_indices()
                .take_while(|(k, c)| c.is_ascii_digit() || (*k == 0 && *c == '-'))
                .count();
            let Ok(v) = row[..digits].parse::<i64>() else {
                break;
            };
            values.push((v, row[digits..].trim().to_string()));
            lines.next();
        }
        if values.len() >= 2 {
            tables.push(ValueTable {
                heading: above.clone(),
                values,
            });
        }
    }
    (!tables.is_empty()).then_some(RefPage {
        path: String::new(),
        title,
        tables,
    })
}

/// Reads a reference page; `None` without a `fullPath` or a value table.
fn ref_page(text: &str) -> Option<RefPage> {
    let path = text
        .lines()
        .take(12)
        .find_map(|l| l.trim().strip_prefix("fullPath:"))
        .map(|p| p.trim().trim_matches('"').to_string())?;
    let title = text
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(plain)
        .unwrap_or_default();
    let mut tables = Vec::new();
    let mut above = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(head) = cells(line) else {
            if !line.trim().is_empty() {
                above = plain(line);
            }
            continue;
        };
        let is_value = head
            .first()
            .is_some_and(|h| matches!(h.to_ascii_lowercase().as_str(), "value" | "值" | "取值"));
        let sep = lines
            .peek()
            .and_then(|l| cells(l))
            .is_some_and(|c| separator(&c));
        if !is_value || !sep {
            continue;
        }
        lines.next();
        let mut values = Vec::new();
        let mut numeric = true;
        while let Some(row) = lines.peek().and_then(|l| cells(l)) {
            lines.next();
            match row.first().and_then(|v| v.parse::<i64>().ok()) {
                Some(v) => {
                    let meaning: Vec<&str> = row[1..]
                        .iter()
                        .map(String::as_str)
                        .filter(|c| !c.is_empty())
                        .collect();
                    values.push((v, plain(&meaning.join("：")).replace('\\', "")));
                }
                None => numeric = false,
            }
        }
        if numeric && values.len() >= 2 {
            tables.push(ValueTable {
                heading: above.clone(),
                values,
            });
        }
    }
    (!tables.is_empty()).then_some(RefPage {
        path,
        title,
        tables,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "---\ntitle: \"客服技能及运算符\"\nfullPath: \"/abc/def/operator-options\"\n---\n\n\
        # 客服技能及运算符\n**技能列表**<br> \n|value|名称|value说明|\n|--|--|--|\n|3|城市|城市名称\n\
        |9|来源|工单来源, 0: 客服端 1: 服务端\n\n\n**运算符列表**<br> \n|value|名称|说明|\n|--|--|--|\n\
        |2|大于等于|>=\n|8|是右侧任一|如果数组里某一个元素是右侧数组的成员，返回true。\n\n\
        |value|名称|\n|--|--|\n|x|not a number|\n|1|one|\n";

    #[test]
    fn reads_value_tables_and_finds_linked_pages() {
        let refs = RefPages::from_texts([
            PAGE,
            "# no front matter\n|value|a|\n|--|--|\n|1|x|\n|2|y|\n",
        ]);
        assert_eq!(refs.len(), 1);
        let p = &refs.pages[0];
        assert_eq!(p.title, "客服技能及运算符");
        // a table with a value that is no number is left out
        assert_eq!(p.tables.len(), 2);
        assert_eq!(p.tables[0].heading, "技能列表");
        assert_eq!(
            p.tables[1].values,
            vec![
                (2, "大于等于：>=".to_string()),
                (
                    8,
                    "是右侧任一：如果数组里某一个元素是右侧数组的成员，返回true。".to_string()
                )
            ]
        );
        let link = |u: &str| vec!["https://x.y/z".to_string(), u.to_string()];
        assert!(
            refs.linked(&link(
                "https://open.larkoffice.com/document/abc/def/operator-options"
            ))
            .is_some()
        );
        assert!(
            refs.linked(&link("https://open.larkoffice.com/document/abc/def/other"))
                .is_none()
        );
        // the crawled form keeps the link text only; it names the page by
        // most of its title's characters
        assert_eq!(
            refs.named("运算符比较, 参考客服技能运算符选项")
                .map(|p| p.title.as_str()),
            Some("客服技能及运算符")
        );
        assert!(refs.named("运算符比较, 参考运算符").is_none());
        assert!(refs.named("rule操作数value，客服技能及运算符").is_some());
        assert!(refs.named("客服技能运算符选项").is_none(), "no 参考");

        // the same page in the crawled text form: no front matter, glued cells
        let crawled = crate::crawl::to_crawled_text(PAGE);
        let refs = RefPages::from_texts([crawled.as_str()]);
        assert_eq!(refs.len(), 1, "{crawled}");
        let c = &refs.pages[0];
        assert_eq!(
            (c.title.as_str(), c.path.as_str()),
            ("客服技能及运算符", "")
        );
        assert_eq!(c.tables.len(), 2, "{crawled}");
        assert_eq!(c.tables[1].heading, "运算符列表");
        let values: Vec<i64> = c.tables[1].values.iter().map(|v| v.0).collect();
        assert_eq!(values, [2, 8]);
        assert!(refs.named("参考客服技能运算符选项").is_some());
        // an endpoint page is no reference page, whatever its tables
        let endpoint = "Skip to content\n\n标题\n\n项目\nHTTP URLhttps://x\n\nvalue名称\n1a\n2b\n";
        assert!(RefPages::from_texts([endpoint]).is_empty());
    }
}
