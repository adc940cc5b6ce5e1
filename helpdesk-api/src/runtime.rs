//! The hand-written runtime every generated endpoint calls into: URL
//! building (percent-encoding), query encoding, reply decoding, paging
//! cursors. Written once, shared by all endpoints.
//!
//! **Not part of the API**: public (and hidden from the docs) only because
//! the generated code, the benchmarks and the fuzzers reach it by path; it
//! may change in any release.

use crate::error::{ApiError, Error, InvalidRequest, ReplyError, ReplyErrorKind};
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

// The rooms below the runtime, re-exported here for the generated code
// (`crate::runtime::…`): endpoint facts and token kinds (meta, auth), the
// per-endpoint error trait (error), the i64-as-string serde helper (values).
pub use crate::auth::{Token, TokenKind};
pub use crate::error::OperationError;
pub use crate::meta::{Endpoint, Method, RateLimit};
pub use crate::values::serde_i64_string;

pub use crate::error::{INTERNAL_ERROR_CODE, RATE_LIMITED_CODE, TOKEN_INVALID_CODES};

/// Where a request's access token comes from.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    /// A token given to `send_with`: never refreshed, never retried on rejection.
    Given(&'a str),
    /// The client's tenant token source (managed app credentials or a provider).
    Tenant,
}

/// Everything about one call that the runtime needs.
#[derive(Debug)]
pub struct Call<'a> {
    /// The endpoint.
    pub endpoint: &'static Endpoint,
    /// Path, already encoded.
    pub path: String,
    /// Query, already encoded.
    pub query: Query,
    /// JSON body.
    pub body: Option<Vec<u8>>,
    /// Token source.
    pub auth: Auth<'a>,
    /// Per-request overrides.
    pub options: &'a crate::retry::RequestOptions,
}

/// A value that can be written into a query string or a path segment.
pub trait QueryValue {
    /// Appends the unencoded text form.
    fn write_query(&self, out: &mut String);
    /// The unencoded text form.
    fn to_query_string(&self) -> String {
        let mut s = String::new();
        self.write_query(&mut s);
        s
    }
}

impl QueryValue for str {
    fn write_query(&self, out: &mut String) {
        out.push_str(self)
    }
}
impl QueryValue for String {
    fn write_query(&self, out: &mut String) {
        out.push_str(self)
    }
}
impl QueryValue for bool {
    fn write_query(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" })
    }
}
macro_rules! display_query {
    ($($t:ty),*) => {$(
        impl QueryValue for $t {
            fn write_query(&self, out: &mut String) {
                use std::fmt::Write;
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
display_query!(
    i32,
    i64,
    f64,
    crate::values::TimestampMs,
    crate::values::TimestampMsNumber,
    crate::values::TimestampSecs
);

impl<T: QueryValue + ?Sized> QueryValue for &T {
    fn write_query(&self, out: &mut String) {
        (**self).write_query(out)
    }
}

/// An encoded query string under construction.
#[derive(Debug, Default, Clone)]
pub struct Query {
    buf: String,
    scratch: String,
}

impl Query {
    /// An empty query.
    pub fn new() -> Self {
        Query::default()
    }

    /// Appends `key=value`, percent-encoding both.
    pub fn push<V: QueryValue + ?Sized>(&mut self, key: &str, value: &V) {
        if !self.buf.is_empty() {
            self.buf.push('&');
        }
        encode_into(&mut self.buf, key);
        self.buf.push('=');
        self.scratch.clear();
        value.write_query(&mut self.scratch);
        encode_into(&mut self.buf, &self.scratch);
    }

    /// The encoded query string, without the leading `?`.
    pub fn as_str(&self) -> &str {
        &self.buf
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if s.bytes().all(unreserved) {
        out.push_str(s);
        return;
    }
    for &b in s.as_bytes() {
        if unreserved(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
}

/// Appends `value` to `path` as exactly one path segment: `/`, `?`, `#`,
/// `%` and all non-unreserved bytes are percent-encoded. Values that no URL
/// can carry as a segment are refused: the empty string, `.` and `..`
/// (URL parsers fold even their encoded forms `%2E%2E`), since they would
/// address another route.
pub fn push_path_segment(path: &mut String, name: &str, value: &str) -> Result<(), InvalidRequest> {
    match value {
        "" | "." | ".." => Err(InvalidRequest {
            reason: format!(
                "path parameter `{name}` cannot be {value:?}: it would address another route"
            ),
        }),
        v => {
            encode_into(path, v);
            Ok(())
        }
    }
}

/// Deserializes a string (borrowed or owned) through `f`.
pub fn deserialize_str_with<'de, D, T>(d: D, f: fn(&str) -> T) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct V<T>(fn(&str) -> T);
    impl<T> Visitor<'_> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok((self.0)(v))
        }
    }
    d.deserialize_str(V(f))
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default, borrow)]
    msg: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    data: Option<&'a RawValue>,
}

/// Longest body excerpt kept in errors.
pub const EXCERPT_BYTES: usize = 512;

pub(crate) fn excerpt(body: &[u8]) -> String {
    excerpt_scrubbed(body, &[])
}

/// The first bytes of `body` as text, with `secrets`, `Bearer` values and
/// token-like keyed values redacted.
pub(crate) fn excerpt_scrubbed(body: &[u8], secrets: &[&str]) -> String {
    let cut = &body[..body.len().min(EXCERPT_BYTES)];
    crate::redact::scrub(&String::from_utf8_lossy(cut), secrets, EXCERPT_BYTES * 2)
}

/// The success envelope read in one pass: `code` and `data` (which must
/// be an object); `msg` and unknown keys are skipped.
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
struct FastEnvelope<T> {
    code: i64,
    #[serde(default = "no_data")]
    data: Option<ObjectOnly<T>>,
}

fn no_data<T>() -> Option<T> {
    None
}

/// `T` read from a JSON object only (serde would also read a struct from an array).
struct ObjectOnly<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = ObjectOnly<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(ObjectOnly)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// Decodes a whole reply: `{code, msg, data}` → `data` as `T`, a non-zero
/// `code` → `E`, anything else → [`ReplyError`]. Never panics.
///
/// A successful reply is decoded in one pass; anything else (or a success
/// that does not decode) takes the careful path, which classifies the
/// failure.
pub fn decode_reply<T, E>(status: u16, log_id: Option<&str>, body: &[u8]) -> Result<T, Error<E>>
where
    T: DeserializeOwned,
    E: OperationError,
{
    decode_reply_scrubbed(status, log_id, body, &[])
}

/// [`decode_reply`] for a request that sent `secrets` (its token, the
/// helpdesk credentials): a server that reflects them in its reply does not
/// get them into the error.
pub(crate) fn decode_reply_scrubbed<T, E>(
    status: u16,
    log_id: Option<&str>,
    body: &[u8],
    secrets: &[&str],
) -> Result<T, Error<E>>
where
    T: DeserializeOwned,
    E: OperationError,
{
    if (200..300).contains(&status) {
        if let Ok(FastEnvelope { code: 0, data }) = serde_json::from_slice::<FastEnvelope<T>>(body)
        {
            match data {
                Some(ObjectOnly(v)) => return Ok(v),
                None => {
                    if let Ok(v) = serde_json::from_str::<T>("{}") {
                        return Ok(v);
                    }
                }
            }
        }
    }
    decode_reply_slow(status, log_id, body, secrets)
}

fn decode_reply_slow<T, E>(
    status: u16,
    log_id: Option<&str>,
    body: &[u8],
    secrets: &[&str],
) -> Result<T, Error<E>>
where
    T: DeserializeOwned,
    E: OperationError,
{
    let fail = |kind, code, detail: String| {
        Error::Reply(ReplyError {
            kind,
            status,
            code,
            log_id: log_id.map(str::to_owned),
            excerpt: excerpt_scrubbed(body, secrets),
            detail: crate::redact::scrub(&detail, secrets, crate::redact::MAX_TEXT),
        })
    };
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let Some(&first) = first else {
        return Err(fail(ReplyErrorKind::Empty, None, String::new()));
    };
    if first != b'{' {
        return Err(fail(ReplyErrorKind::NotJson, None, String::new()));
    }
    let env: Envelope<'_> = match serde_json::from_slice(body) {
        Ok(env) => env,
        Err(e) => {
            let kind = match e.classify() {
                serde_json::error::Category::Eof => ReplyErrorKind::Truncated,
                serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
                    ReplyErrorKind::NotJson
                }
                serde_json::error::Category::Data => ReplyErrorKind::BadEnvelope,
            };
            return Err(fail(kind, None, e.to_string()));
        }
    };
    let Some(code) = env.code else {
        return Err(fail(
            ReplyErrorKind::BadEnvelope,
            None,
            "the reply has no `code`".into(),
        ));
    };
    if code != 0 {
        let msg = env
            .msg
            .map(|m| crate::redact::scrub(&m, secrets, crate::redact::MAX_TEXT))
            .unwrap_or_default();
        return Err(Error::Api(E::from_api(ApiError::new(
            status,
            code,
            msg,
            log_id.map(str::to_owned),
        ))));
    }
    if !(200..300).contains(&status) {
        return Err(fail(
            ReplyErrorKind::UnexpectedStatus,
            Some(0),
            String::new(),
        ));
    }
    let raw = match env.data {
        Some(raw) if raw.get() != "null" => raw.get(),
        _ => "{}",
    };
    // `data` is always an object: serde would otherwise read an array
    // positionally into a struct whose fields are all optional.
    if !raw.starts_with('{') {
        return Err(fail(
            ReplyErrorKind::BadData,
            Some(0),
            "`data` is not a JSON object".into(),
        ));
    }
    match serde_json::from_str::<T>(raw) {
        Ok(v) => Ok(v),
        Err(_) => {
            // Slow path, errors only: decode again to name the JSON path.
            let mut de = serde_json::Deserializer::from_str(raw);
            let detail = match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(e) => format!("at data.{}: {}", e.path(), e.inner()),
                Ok(_) => "data does not decode".to_string(),
            };
            Err(fail(ReplyErrorKind::BadData, Some(0), detail))
        }
    }
}

/// Serializes a request body.
pub fn encode_body<B: serde::Serialize>(body: &B) -> Result<Vec<u8>, InvalidRequest> {
    serde_json::to_vec(body).map_err(|e| InvalidRequest {
        reason: format!("cannot encode the request body: {e}"),
    })
}

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// A page token (`page_token` style).
    Token(String),
    /// A 1-based page number and the items seen so far (`page` style).
    Page {
        /// Page number.
        page: i64,
        /// Items seen before this page.
        seen: u64,
    },
}

/// The cursor after a token-style page: none when `has_more` is not true;
/// an error when the server says there is more but gives no token, or gives
/// back the token this page was requested with (either would otherwise
/// stop silently or loop forever).
pub fn next_token_cursor(
    has_more: Option<bool>,
    token: Option<String>,
    sent: Option<&str>,
) -> Result<Option<Cursor>, ReplyError> {
    if has_more != Some(true) {
        return Ok(None);
    }
    let stuck = |detail: &str| ReplyError {
        kind: ReplyErrorKind::BadData,
        status: 200,
        code: Some(0),
        log_id: None,
        excerpt: String::new(),
        detail: detail.to_string(),
    };
    match token {
        Some(t) if t.is_empty() => Err(stuck(
            "has_more is true but the reply carries no next page token",
        )),
        Some(t) if sent == Some(t.as_str()) => Err(stuck(
            "has_more is true but the next page token is the one this page was requested with",
        )),
        Some(t) => Ok(Some(Cursor::Token(t))),
        None => Err(stuck(
            "has_more is true but the reply carries no next page token",
        )),
    }
}

/// The cursor after a page-style page: none after an empty page or once
/// `total` items were seen.
pub fn next_page_cursor(current: Cursor, got: usize, total: Option<i64>) -> Option<Cursor> {
    let (page, seen) = match current {
        Cursor::Page { page, seen } => (page, seen),
        Cursor::Token(_) => (1, 0),
    };
    let seen = seen + got as u64;
    if got == 0 || total.is_some_and(|t| seen >= t.max(0) as u64) {
        None
    } else {
        Some(Cursor::Page {
            page: page + 1,
            seen,
        })
    }
}

/// The file name of a `Content-Disposition` header (`filename*=UTF-8''…`
/// preferred over `filename="…"`).
pub fn content_disposition_file_name(header: &str) -> Option<String> {
    let mut plain = None;
    for part in header.split(';').map(str::trim) {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        match k.trim().to_ascii_lowercase().as_str() {
            "filename*" => {
                let v = v.trim();
                let encoded = v.split_once("''").map_or(v, |(_, rest)| rest);
                if let Some(name) = percent_decode(encoded) {
                    return Some(name);
                }
            }
            "filename" => plain = Some(v.trim().trim_matches('"').to_string()),
            _ => {}
        }
    }
    plain.filter(|n| !n.is_empty())
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A boxed, sendable future (what [`crate::TokenProvider`] and the other
/// pluggable traits return).
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// A request body reqwest cannot replay: a client that follows redirects
/// (an application's) does not re-send it on a 307/308 to another place.
pub(crate) fn stream_body(body: bytes::Bytes) -> reqwest::Body {
    reqwest::Body::wrap(http_body_util::Full::new(body))
}

/// Why a reply must not be used: a 3xx (redirects are never followed), or
/// a reply from another URL than the request's (the HTTP client, an
/// application's, followed a redirect). Names at most the other origin.
pub(crate) fn redirect_problem(sent: &reqwest::Url, resp: &reqwest::Response) -> Option<String> {
    let status = resp.status().as_u16();
    if resp.url() != sent {
        let to = resp.url();
        let origin = if to.origin() == sent.origin() {
            "the same host".to_string()
        } else {
            crate::redact::bounded(&to.origin().ascii_serialization(), crate::redact::MAX_URL)
        };
        return Some(format!(
            "the HTTP client followed a redirect (to {origin}, HTTP {status}); the reply is not \
             used: build the reqwest::Client given to ClientBuilder::http_client with \
             redirect::Policy::none()"
        ));
    }
    (300..400).contains(&status).then(|| {
        format!("HTTP {status} redirect, not followed (credentials must not reach another server)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, Deserialize)]
    struct Ids {
        #[serde(with = "serde_i64_string")]
        id: i64,
        #[serde(default, with = "serde_i64_string::option")]
        parent: Option<i64>,
    }

    #[test]
    fn int64_carried_as_decimal_strings() {
        let v: Ids = serde_json::from_str(r#"{"id":"6981801914270744596","parent":"-1"}"#).unwrap();
        assert_eq!(
            v,
            Ids {
                id: 6_981_801_914_270_744_596,
                parent: Some(-1)
            }
        );
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"id":"6981801914270744596","parent":"-1"}"#
        );
        // a JSON integer is accepted too; null and absence are None
        let v: Ids = serde_json::from_str(r#"{"id":7,"parent":null}"#).unwrap();
        assert_eq!(
            v,
            Ids {
                id: 7,
                parent: None
            }
        );
        let v: Ids = serde_json::from_str(r#"{"id":"7"}"#).unwrap();
        assert_eq!(v.parent, None);
        assert!(serde_json::from_str::<Ids>(r#"{"id":"7x"}"#).is_err());
        assert!(serde_json::from_str::<Ids>(r#"{"id":"99999999999999999999"}"#).is_err());
    }

    #[test]
    fn path_segments_and_queries_are_encoded() {
        let mut p = String::new();
        push_path_segment(&mut p, "id", "a/b?c#d").unwrap();
        assert_eq!(p, "a%2Fb%3Fc%23d");
        assert!(push_path_segment(&mut p, "id", "..").is_err());
        let mut q = Query::new();
        q.push("flag", &true);
        q.push("name", "服 务");
        q.push("n", &-5i64);
        assert_eq!(q.as_str(), "flag=true&name=%E6%9C%8D%20%E5%8A%A1&n=-5");
    }
}
