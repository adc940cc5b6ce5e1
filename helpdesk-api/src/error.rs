//! Errors. [`Error<E>`] is what every `send_with` returns: `E` is the
//! endpoint's own error enum (one variant per documented code), the other
//! variants are failures shared by all endpoints.

use std::fmt;
use std::time::Duration;

/// Codes with which the platform rejects an access token.
pub const TOKEN_INVALID_CODES: [i64; 6] =
    [99991661, 99991663, 99991664, 99991668, 99991671, 99991677];
/// The platform's rate-limit code.
pub const RATE_LIMITED_CODE: i64 = 99991400;
/// The service's internal-error code (retried like HTTP 5xx).
pub const INTERNAL_ERROR_CODE: i64 = 155000;

/// A reply with a non-zero `code`: the service understood the request and
/// refused it. Carried by every variant of an endpoint's error enum.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status of the reply.
    pub status: u16,
    /// The `code` field.
    pub code: i64,
    /// The `msg` field.
    pub msg: String,
    /// The `X-Tt-Logid` header, to quote to Feishu support.
    pub log_id: Option<String>,
    /// The spec's troubleshooting advice (排查建议) for a documented code.
    pub advice: Option<&'static str>,
}

impl ApiError {
    /// An error for a reply. Public so tests and mocks can build one.
    pub fn new(status: u16, code: i64, msg: impl Into<String>, log_id: Option<String>) -> Self {
        ApiError {
            status,
            code,
            msg: msg.into(),
            log_id,
            advice: None,
        }
    }

    /// The same error with troubleshooting advice attached.
    pub fn with_advice(mut self, advice: &'static str) -> Self {
        self.advice = Some(advice);
        self
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "code {} (HTTP {}): {}", self.code, self.status, self.msg)?;
        if let Some(a) = self.advice {
            write!(f, "; advice: {a}")?;
        }
        if let Some(l) = &self.log_id {
            write!(f, " [log id {l}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// What kind of refusal this is, from the service-wide codes of the
    /// Helpdesk API (154000 bad request, 154001 unauthorized, 154003
    /// forbidden, 154004 not found, 155000 internal error, ...), the
    /// platform's token and rate-limit codes, and otherwise the HTTP status.
    pub fn kind(&self) -> ErrorKind {
        match self.code {
            150001 | 154000 => ErrorKind::InvalidParam,
            154001 => ErrorKind::Unauthorized,
            154003 => ErrorKind::Forbidden,
            154004 => ErrorKind::NotFound,
            155000 => ErrorKind::ServerError,
            RATE_LIMITED_CODE => ErrorKind::RateLimited,
            c if TOKEN_INVALID_CODES.contains(&c) => ErrorKind::Unauthorized,
            _ => match self.status {
                400 | 422 => ErrorKind::InvalidParam,
                401 => ErrorKind::Unauthorized,
                403 => ErrorKind::Forbidden,
                404 => ErrorKind::NotFound,
                429 => ErrorKind::RateLimited,
                500..=599 => ErrorKind::ServerError,
                _ => ErrorKind::Other,
            },
        }
    }
}

/// The kind of a failure, the same question for every endpoint: match on
/// it (or use the `is_…` methods of [`Error`]) instead of on codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request's parameters or body were refused (154000, 150001, HTTP 400).
    InvalidParam,
    /// The access token or the helpdesk credentials were refused (154001,
    /// the platform's token codes, HTTP 401).
    Unauthorized,
    /// The caller may not do this (154003, HTTP 403).
    Forbidden,
    /// The resource does not exist (154004, HTTP 404).
    NotFound,
    /// Rate limited (99991400, HTTP 429), after the retries the policy allows.
    RateLimited,
    /// The service failed (155000, HTTP 5xx).
    ServerError,
    /// No reply in time, or the call's time limit ran out.
    Timeout,
    /// Connect, TLS or I/O failure.
    Transport,
    /// A reply that could not be decoded (or a redirect, never followed).
    BadReply,
    /// Refused by the client before anything was sent.
    InvalidRequest,
    /// No access token could be obtained (token endpoint or provider failed).
    Token,
    /// Another refusal.
    Other,
}

/// A code the endpoint's documentation does not list (platform codes
/// included). Opaque on purpose: when a later version of the spec documents
/// the code, it gets its own variant, and code that matched on the number
/// here would silently stop matching. Read it through the methods, or ask
/// [`UnhandledError::kind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnhandledError(ApiError);

impl UnhandledError {
    /// Wraps the reply of an undocumented code.
    pub(crate) fn new(err: ApiError) -> Self {
        UnhandledError(err)
    }

    /// The `code` field.
    pub fn code(&self) -> i64 {
        self.0.code
    }

    /// The `msg` field.
    pub fn msg(&self) -> &str {
        &self.0.msg
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.0.status
    }

    /// The `X-Tt-Logid` header, to quote to Feishu support.
    pub fn log_id(&self) -> Option<&str> {
        self.0.log_id.as_deref()
    }

    /// What kind of refusal it is (see [`ApiError::kind`]).
    pub fn kind(&self) -> ErrorKind {
        self.0.kind()
    }

    /// The reply details.
    pub fn api_error(&self) -> &ApiError {
        &self.0
    }

    /// The reply details, by value.
    pub fn into_api_error(self) -> ApiError {
        self.0
    }
}

impl fmt::Display for UnhandledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "undocumented {}", self.0)
    }
}

impl std::error::Error for UnhandledError {}

/// The request was refused before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRequest {
    /// Why.
    pub reason: String,
}

impl fmt::Display for InvalidRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid request: {}", self.reason)
    }
}

impl std::error::Error for InvalidRequest {}

/// What was wrong with a reply that could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplyErrorKind {
    /// The body was empty.
    Empty,
    /// The body is not JSON (an HTML error page, a plain-text 404, ...).
    NotJson,
    /// The JSON ends early.
    Truncated,
    /// The envelope is not `{code, msg, data}` (e.g. `code` is missing or a string).
    BadEnvelope,
    /// `data` does not match the endpoint's reply type.
    BadData,
    /// `code` is 0 but the HTTP status is not a success.
    UnexpectedStatus,
    /// The body is larger than the client's limit.
    TooLarge,
    /// The reply is a redirect (3xx), or came from another URL than the
    /// request's because an application-supplied HTTP client followed a
    /// redirect: never used as a result (see
    /// [`crate::ClientBuilder::http_client`]).
    Redirect,
}

/// A reply the client could not turn into a result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplyError {
    /// What went wrong.
    pub kind: ReplyErrorKind,
    /// HTTP status.
    pub status: u16,
    /// The `code` field, when it could be read.
    pub code: Option<i64>,
    /// The `X-Tt-Logid` header.
    pub log_id: Option<String>,
    /// The first bytes of the body (lossy UTF-8, at most 512 bytes).
    pub excerpt: String,
    /// The decoder's message (with the JSON path for `BadData`).
    pub detail: String,
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ReplyErrorKind::Empty => "empty reply",
            ReplyErrorKind::NotJson => "reply is not JSON",
            ReplyErrorKind::Truncated => "reply JSON is truncated",
            ReplyErrorKind::BadEnvelope => "reply is not a {code, msg, data} envelope",
            ReplyErrorKind::BadData => "reply data does not match the endpoint's type",
            ReplyErrorKind::UnexpectedStatus => "reply has code 0 but an error status",
            ReplyErrorKind::TooLarge => "reply is larger than the limit",
            ReplyErrorKind::Redirect => "reply is a redirect",
        };
        write!(f, "{what} (HTTP {}", self.status)?;
        if let Some(c) = self.code {
            write!(f, ", code {c}")?;
        }
        if let Some(l) = &self.log_id {
            write!(f, ", log id {l}")?;
        }
        write!(f, ")")?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        if !self.excerpt.is_empty() {
            write!(f, "; body starts: {:?}", self.excerpt)?;
        }
        Ok(())
    }
}

impl std::error::Error for ReplyError {}

/// A failure to exchange bytes with the server (connect, TLS, I/O,
/// timeout), or a call that ran out of its time (see
/// [`crate::RequestOptions::timeout`]).
#[derive(Debug)]
pub struct TransportError {
    inner: TransportInner,
}

#[derive(Debug)]
enum TransportInner {
    Http {
        /// The error, without its URL (which can be long).
        source: reqwest::Error,
        /// The URL, cut to a few hundred bytes.
        url: Option<String>,
    },
    Deadline {
        /// What the call was doing when its time ran out.
        stage: &'static str,
        /// The call's time limit.
        limit: std::time::Duration,
    },
}

impl TransportError {
    pub(crate) fn new(source: reqwest::Error) -> Self {
        let url = source
            .url()
            .map(|u| crate::redact::bounded(u.as_str(), crate::redact::MAX_URL));
        TransportError {
            inner: TransportInner::Http {
                source: source.without_url(),
                url,
            },
        }
    }

    pub(crate) fn deadline(stage: &'static str, limit: std::time::Duration) -> Self {
        TransportError {
            inner: TransportInner::Deadline { stage, limit },
        }
    }

    /// Whether it failed while connecting (nothing was sent).
    pub fn is_connect(&self) -> bool {
        matches!(&self.inner, TransportInner::Http { source, .. } if source.is_connect())
    }

    /// Whether the call's own time limit ran out (as opposed to one HTTP
    /// exchange timing out).
    pub fn is_deadline(&self) -> bool {
        matches!(self.inner, TransportInner::Deadline { .. })
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            TransportInner::Http { source, url } => {
                // The HTTP client's own message; what caused it is
                // `source()` (the std convention: Display or source, not both).
                write!(f, "{source}")?;
                if let Some(u) = url {
                    write!(f, " (url {u})")?;
                }
                Ok(())
            }
            TransportInner::Deadline { stage, limit } => write!(
                f,
                "the call's time limit of {limit:?} ran out while {stage}"
            ),
        }
    }
}

impl std::error::Error for TransportError {
    /// What caused the HTTP client's error (its message is in `Display`).
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.inner {
            TransportInner::Http { source, .. } => std::error::Error::source(source),
            TransportInner::Deadline { .. } => None,
        }
    }
}

/// The error of every call. `E` is the endpoint's error enum.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// The service answered with a non-zero `code`: `E` has one variant
    /// per documented code and `Unhandled` for the rest.
    Api(E),
    /// Refused before sending (bad header value, missing credentials, ...).
    InvalidRequest(InvalidRequest),
    /// No reply in time.
    Timeout(TransportError),
    /// Connect, TLS or I/O failure.
    Transport(TransportError),
    /// A reply that could not be decoded (HTML page, truncated JSON, wrong types, ...).
    Reply(ReplyError),
    /// The platform rejected the access token (codes 99991661, 99991663,
    /// 99991664, 99991668, 99991671, 99991677). A managed tenant token is
    /// refetched and the request retried once before this is returned; a
    /// token given to `send_with` is never retried.
    TokenInvalid(ApiError),
    /// Still rate limited (code 99991400 / HTTP 429) after the retries the
    /// policy allows.
    RateLimited(ApiError),
    /// The managed tenant token (or the caller's token provider) could not
    /// produce a token.
    Token(TokenError),
}

impl<E: OperationError> Error<E> {
    /// The endpoint error, if the service answered with a non-zero code.
    pub fn as_api(&self) -> Option<&E> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The reply details of a service error (endpoint code, invalid token, rate limit).
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e.api_error()),
            Error::TokenInvalid(e) | Error::RateLimited(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, where there was a reply.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Reply(r) => Some(r.status),
            Error::Token(t) => t.status,
            other => other.api_error().map(|e| e.status),
        }
    }

    /// The `code` field, where it could be read.
    pub fn code(&self) -> Option<i64> {
        match self {
            Error::Reply(r) => r.code,
            Error::Token(t) => t.code,
            other => other.api_error().map(|e| e.code),
        }
    }

    /// The `X-Tt-Logid` of the reply, where there was one.
    pub fn log_id(&self) -> Option<&str> {
        match self {
            Error::Reply(r) => r.log_id.as_deref(),
            other => other.api_error().and_then(|e| e.log_id.as_deref()),
        }
    }

    /// What kind of failure this is: the same question for every endpoint.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api(e) => e.api_error().kind(),
            Error::InvalidRequest(_) => ErrorKind::InvalidRequest,
            Error::Timeout(_) => ErrorKind::Timeout,
            Error::Transport(_) => ErrorKind::Transport,
            Error::Reply(_) => ErrorKind::BadReply,
            Error::TokenInvalid(_) => ErrorKind::Unauthorized,
            Error::RateLimited(_) => ErrorKind::RateLimited,
            Error::Token(_) => ErrorKind::Token,
        }
    }

    /// The resource does not exist.
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }

    /// The caller may not do this.
    pub fn is_forbidden(&self) -> bool {
        self.kind() == ErrorKind::Forbidden
    }

    /// The access token or helpdesk credentials were refused.
    pub fn is_unauthorized(&self) -> bool {
        self.kind() == ErrorKind::Unauthorized
    }

    /// The parameters or body were refused.
    pub fn is_invalid_param(&self) -> bool {
        self.kind() == ErrorKind::InvalidParam
    }

    /// Still rate limited after the retries the policy allows.
    pub fn is_rate_limited(&self) -> bool {
        self.kind() == ErrorKind::RateLimited
    }

    /// Whether trying the same call again later may succeed: rate limits,
    /// server errors, timeouts, transport failures and token outages. (The
    /// client's retry policy has already retried what it safely could.)
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Token(t) => !t.is_permanent(),
            _ => matches!(
                self.kind(),
                ErrorKind::RateLimited
                    | ErrorKind::ServerError
                    | ErrorKind::Timeout
                    | ErrorKind::Transport
            ),
        }
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => write!(f, "API error: {e}"),
            Error::InvalidRequest(e) => write!(f, "{e}"),
            Error::Timeout(e) => write!(f, "timed out: {e}"),
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::Reply(e) => write!(f, "bad reply: {e}"),
            Error::TokenInvalid(e) => write!(f, "access token rejected: {e}"),
            Error::RateLimited(e) => write!(f, "rate limited: {e}"),
            Error::Token(e) => write!(f, "{e}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for Error<E> {
    /// The cause of the wrapped error. The wrapped error's own message is
    /// already in `Display`, so it is not repeated as a source (anyhow and
    /// eyre print each text of the chain once).
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Api(e) => e.source(),
            Error::InvalidRequest(e) => e.source(),
            Error::Timeout(e) | Error::Transport(e) => e.source(),
            Error::Reply(e) => e.source(),
            Error::TokenInvalid(e) | Error::RateLimited(e) => e.source(),
            Error::Token(e) => e.source(),
        }
    }
}

impl<E> From<InvalidRequest> for Error<E> {
    fn from(e: InvalidRequest) -> Self {
        Error::InvalidRequest(e)
    }
}

/// An error building a [`crate::Client`].
#[derive(Debug)]
pub struct BuildError {
    pub(crate) reason: String,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot build the client: {}", self.reason)
    }
}

impl std::error::Error for BuildError {}

/// The error enum of one endpoint (generated): a variant per documented
/// code, and the reply details every variant carries.
pub trait OperationError: Sized + fmt::Display + fmt::Debug {
    /// Maps a non-zero `code` to the endpoint's variant.
    fn from_api(err: ApiError) -> Self;
    /// The reply details every variant carries.
    fn api_error(&self) -> &ApiError;
    /// The reply details, by value.
    fn into_api_error(self) -> ApiError;
}

/// What kind of failure a [`TokenError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenErrorKind {
    /// The token endpoint could not be reached, reset the connection, or
    /// answered with a 5xx / 429 or a code that may pass: worth trying again later.
    Unavailable,
    /// The token endpoint did not answer within the timeout.
    Timeout,
    /// The reply is not the token JSON (an HTML page, wrong types, no token).
    BadReply,
    /// The reply is larger than the client's `max_response_bytes`.
    TooLarge,
    /// The token endpoint refused the app credentials (HTTP 4xx with a code,
    /// e.g. 10014 app secret invalid, 10003 invalid param): permanent until
    /// the configuration changes.
    Rejected,
    /// A caller-supplied [`crate::TokenProvider`] failed.
    Provider,
    /// A managed user token's refresh token expired or was revoked (or the
    /// authorization code was refused): only a new sign-in of the user
    /// helps (see [`crate::UserTokens`]).
    ReauthRequired,
}

/// A token could not be obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenError {
    /// What went wrong (never contains the app secret or a token; at most about 1 KiB).
    pub reason: String,
    /// The token endpoint's `code`, when it answered with one.
    pub code: Option<i64>,
    /// HTTP status of the token endpoint's reply, when there was one.
    pub status: Option<u16>,
    /// What kind of failure.
    pub kind: TokenErrorKind,
    /// When the managed token will ask the token endpoint again: until
    /// then, calls get this error from memory without a request.
    pub retry_after: Option<Duration>,
    /// Which token could not be obtained (for the message).
    pub(crate) subject: crate::auth::TokenKind,
}

impl TokenError {
    /// An error with a reason (kind [`TokenErrorKind::Provider`]), for
    /// [`crate::TokenProvider`] implementations.
    pub fn new(reason: impl Into<String>) -> Self {
        TokenError::of(TokenErrorKind::Provider, reason)
    }

    pub(crate) fn of(kind: TokenErrorKind, reason: impl Into<String>) -> Self {
        TokenError {
            reason: reason.into(),
            code: None,
            status: None,
            kind,
            retry_after: None,
            subject: crate::auth::TokenKind::TenantAccessToken,
        }
    }

    /// Whether trying again cannot help until the configuration changes
    /// (the app credentials were refused).
    pub fn is_permanent(&self) -> bool {
        matches!(
            self.kind,
            TokenErrorKind::Rejected | TokenErrorKind::ReauthRequired
        )
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.subject {
            crate::auth::TokenKind::UserAccessToken => "a user",
            crate::auth::TokenKind::AppAccessToken => "an app",
            crate::auth::TokenKind::TenantAccessToken => "a tenant",
        };
        write!(f, "cannot obtain {what} access token: {}", self.reason)?;
        if let Some(c) = self.code {
            write!(f, " (code {c})")?;
        }
        if let Some(s) = self.status {
            write!(f, " (HTTP {s})")?;
        }
        if let Some(r) = self.retry_after {
            write!(f, "; next attempt in {:.1} s", r.as_secs_f64())?;
        }
        Ok(())
    }
}

impl std::error::Error for TokenError {}
