//! What the mock saw.

use std::collections::BTreeMap;
use tokio::time::Instant;

/// One request as the mock received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// The raw path, still percent-encoded, without the query.
    pub path: String,
    /// Path parameters of the matched endpoint, percent-decoded.
    pub path_params: BTreeMap<String, String>,
    /// Query pairs, decoded, in order (repeated keys repeat).
    pub query: Vec<(String, String)>,
    /// The raw query string (after `?`), if any.
    pub raw_query: Option<String>,
    /// Headers in order, names lower-case (values lossily decoded as UTF-8).
    pub headers: Vec<(String, String)>,
    /// The request body.
    pub body: Vec<u8>,
    /// The matched endpoint id (`resource.operation`, or
    /// [`TENANT_TOKEN_ENDPOINT`](crate::TENANT_TOKEN_ENDPOINT) /
    /// [`APP_TOKEN_ENDPOINT`](crate::APP_TOKEN_ENDPOINT)); `None` for a 404.
    pub endpoint: Option<String>,
    /// When the mock had read the whole request (before answering it), on
    /// tokio's clock (virtual time under a paused test runtime).
    pub received_at: Instant,
}

impl RecordedRequest {
    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first decoded value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}
