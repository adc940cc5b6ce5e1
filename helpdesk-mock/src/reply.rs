//! Replies and faults a test can make the mock produce.

use bytes::Bytes;
use std::time::Duration;

/// A canned HTTP reply: status, headers and body bytes.
///
/// The mock adds `X-Tt-Logid` (unless the reply sets it) and
/// `Content-Length`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
}

impl Reply {
    /// A JSON reply (`content-type: application/json; charset=utf-8`).
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply {
            status,
            headers: vec![(
                "content-type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: Bytes::from(body.to_string()),
        }
    }

    /// A reply with any body and content type, e.g.
    /// `Reply::raw(502, "text/html", "<html>Bad Gateway</html>")`.
    pub fn raw(status: u16, content_type: impl Into<String>, body: impl AsRef<[u8]>) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: Bytes::copy_from_slice(body.as_ref()),
        }
    }

    /// A reply with an empty body and no content type.
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// A Feishu error envelope `{"code": code, "msg": msg}` with the given
    /// HTTP status (any code, documented or not).
    pub fn error(status: u16, code: i64, msg: impl Into<String>) -> Reply {
        Reply::json(
            status,
            serde_json::json!({ "code": code, "msg": msg.into() }),
        )
    }

    /// Adds a header (names are case-insensitive; a later `content-type`
    /// replaces the one set by the constructor).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Reply {
        let name = name.into().to_ascii_lowercase();
        if name == "content-type" {
            self.headers.retain(|(n, _)| n != "content-type");
        }
        self.headers.push((name, value.into()));
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers set so far (lower-case names).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// A transport or gateway failure a hook can inject.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Waits, then answers as if there were no fault (other hooks and the
    /// normal pipeline still apply). Composes with one non-delay hook.
    Delay(Duration),
    /// This HTTP status (meant for 5xx) with a short `text/plain` body,
    /// e.g. `503 Service Unavailable`, as a gateway sends.
    Status(u16),
    /// HTTP 429 with `{"code":99991400,"msg":"request trigger frequency limit"}`
    /// and the headers `x-ogw-ratelimit-reset: <reset_secs>` and
    /// `x-ogw-ratelimit-limit: <the endpoint's documented limit, or 100>`.
    RateLimited {
        /// Seconds until the window resets.
        reset_secs: u64,
    },
    /// Resets the connection (a TCP RST, on Unix) without sending any reply.
    ConnectionReset,
    /// Sends the normal reply's head with its full `Content-Length`, then
    /// only the first half of the body, then closes the connection.
    TruncatedBody,
}
