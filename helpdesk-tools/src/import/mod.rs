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

mod draft;
mod fields;
mod markdown;
mod page;
mod text;

pub use page::{Draft, DraftKind, ErrorRow, Page, Row};

/// Parses a doc page (crawled text or markdown) into a draft. `id` forces
/// the endpoint id; `hint` (e.g. the file stem) is used when it looks like
/// `resource.operation` and the page does not name itself.
pub fn import_page(text: &str, id: Option<&str>, hint: Option<&str>) -> Result<Draft, String> {
    let page = if is_markdown(text) {
        markdown::parse_markdown(text)?
    } else {
        text::parse_text(text)?
    };
    draft::build(&page, id, hint)
}

/// Whether a page is in the markdown form (it has a table separator or a `## 请求` heading).
fn is_markdown(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("| --- |") || l.starts_with("|---"))
        || text.contains("\n## 请求")
}

// ------------------------------------------------------------------ shared

#[cfg(test)]
mod tests {
    use super::*;

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
