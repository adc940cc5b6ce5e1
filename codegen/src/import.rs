//! Import of Feishu doc pages into spec drafts.

use serde_json::Value;

/// A spec draft made from one doc page.
#[derive(Debug, Clone)]
pub struct Draft {
    /// `resource.operation`.
    pub id: String,
    /// The `endpoints/<id>.json` file.
    pub endpoint: Value,
    /// The `types/<id>.json` file.
    pub types: Value,
    /// Guesses a person should review.
    pub notes: Vec<String>,
}

/// Parses a doc page (crawled text or markdown) into a draft.
pub fn import_page(_page: &str, _id: Option<&str>) -> Result<Draft, String> {
    Err("import is not implemented yet".into())
}
