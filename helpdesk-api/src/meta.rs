//! Static facts about each endpoint, generated from the spec into
//! `…_ENDPOINT` statics: method, path, token kinds, helpdesk header and
//! documented rate limits. Read by the runtime, the limiter and the tokens.

use crate::auth::TokenKind;

/// HTTP methods of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    /// The method name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

/// A documented rate limit: `requests` per `per_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in the window.
    pub requests: u32,
    /// Window length in seconds.
    pub per_seconds: u32,
}

/// Static facts about one endpoint, generated from the spec.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    /// `resource.operation`.
    pub id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template, e.g. `/open-apis/helpdesk/v1/notifications/:notification_id`.
    pub path: &'static str,
    /// Accepted token kinds.
    pub tokens: &'static [TokenKind],
    /// Whether `X-Lark-Helpdesk-Authorization` is sent.
    pub helpdesk_header: bool,
    /// Documented rate limits (empty when the doc gives no number).
    pub rate_limits: &'static [RateLimit],
}
