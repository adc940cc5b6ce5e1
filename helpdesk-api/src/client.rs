//! The client: configuration, connection pool, and the one `execute` path
//! every endpoint goes through.

use crate::auth::HelpdeskCredentials;
use crate::error::{BuildError, Error, InvalidRequest, ReplyError, ReplyErrorKind, TransportError};
use crate::runtime::{decode_reply, Endpoint, OperationError, Query};
use reqwest::header::{HeaderValue, AUTHORIZATION};
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Base URL of Feishu (China).
pub const FEISHU_BASE_URL: &str = "https://open.feishu.cn";
/// Base URL of Lark (international).
pub const LARK_BASE_URL: &str = "https://open.larksuite.com";
/// Name of the helpdesk credential header.
pub const HELPDESK_HEADER: &str = "X-Lark-Helpdesk-Authorization";
/// Name of the reply header carrying the log id.
pub const LOG_ID_HEADER: &str = "x-tt-logid";
/// Default limit on a reply body.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// A Helpdesk API client. Cheap to clone (one shared connection pool).
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use helpdesk_api::{Client, UserAccessToken, UserIdType};
/// let client = Client::builder()
///     .helpdesk_credentials("7000000000000000000", "helpdesk-token")
///     .build()?;
/// let reply = client
///     .notification()
///     .get("1624326025000")
///     .user_id_type(UserIdType::OpenId)
///     .send_with(UserAccessToken::new("u-..."))
///     .await?;
/// println!("{:?}", reply.notification.map(|n| n.job_name));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    helpdesk: Option<HeaderValue>,
    helpdesk_id: Option<String>,
    max_response_bytes: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("helpdesk_id", &self.inner.helpdesk_id)
            .field("helpdesk_token", &self.inner.helpdesk.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Configures a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    helpdesk: Option<HelpdeskCredentials>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_response_bytes: usize,
    user_agent: String,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: FEISHU_BASE_URL.to_string(),
            helpdesk: None,
            timeout: Some(Duration::from_secs(30)),
            connect_timeout: Some(Duration::from_secs(10)),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            user_agent: concat!("helpdesk-api-rust/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }
}

impl ClientBuilder {
    /// The server to talk to: [`FEISHU_BASE_URL`] (default), [`LARK_BASE_URL`],
    /// or any URL (a local mock server in tests). A trailing `/` is ignored.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        let mut url = url.into();
        while url.ends_with('/') {
            url.pop();
        }
        self.base_url = url;
        self
    }

    /// The helpdesk id and token, sent as `X-Lark-Helpdesk-Authorization`
    /// on every endpoint whose spec requires it.
    pub fn helpdesk_credentials(mut self, helpdesk_id: impl Into<String>, helpdesk_token: impl Into<String>) -> Self {
        self.helpdesk = Some(HelpdeskCredentials::new(helpdesk_id, helpdesk_token));
        self
    }

    /// Total time allowed for one request, reply body included (default 30 s; `None`: no limit).
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to connect (default 10 s; `None`: no limit).
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Largest reply body accepted (default 16 MiB); longer replies fail
    /// with [`ReplyErrorKind::TooLarge`] without being read whole.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, BuildError> {
        if !(self.base_url.starts_with("https://") || self.base_url.starts_with("http://")) {
            return Err(BuildError { reason: format!("base URL `{}` must start with https:// or http://", self.base_url) });
        }
        let helpdesk = match &self.helpdesk {
            None => None,
            Some(c) => {
                let mut v = HeaderValue::from_str(&c.header_value())
                    .map_err(|_| BuildError { reason: "helpdesk credentials do not form a valid header value".into() })?;
                v.set_sensitive(true);
                Some(v)
            }
        };
        crate::tls::ensure_crypto_provider();
        let mut http = reqwest::Client::builder()
            .user_agent(self.user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy();
        if let Some(t) = self.timeout {
            http = http.timeout(t);
        }
        if let Some(t) = self.connect_timeout {
            http = http.connect_timeout(t);
        }
        let http = http.build().map_err(|e| BuildError { reason: e.to_string() })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url: self.base_url,
                helpdesk,
                helpdesk_id: self.helpdesk.map(|c| c.id().to_string()),
                max_response_bytes: self.max_response_bytes,
            }),
        })
    }
}

impl Client {
    /// A builder with the defaults (Feishu, 30 s timeout, no helpdesk credentials).
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Sends one request of `endpoint` and decodes the reply. The one path
    /// every generated `send_with` takes.
    pub(crate) async fn execute<T, E>(
        &self,
        endpoint: &'static Endpoint,
        path: String,
        query: Query,
        token: &str,
        body: Option<Vec<u8>>,
    ) -> Result<T, Error<E>>
    where
        T: DeserializeOwned,
        E: OperationError,
    {
        let resp = self.send(endpoint, path, query, token, body).await?;
        let status = resp.status().as_u16();
        let log_id = resp.headers().get(LOG_ID_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = read_body(resp, self.inner.max_response_bytes, status, log_id.as_deref()).await?;
        decode_reply(status, log_id.as_deref(), &body)
    }

    /// Like [`Client::execute`] for endpoints that reply with a file: a
    /// success is handed over unread, as a stream; an error reply is decoded.
    pub(crate) async fn execute_download<E>(
        &self,
        endpoint: &'static Endpoint,
        path: String,
        query: Query,
        token: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Download, Error<E>>
    where
        E: OperationError,
    {
        let resp = self.send(endpoint, path, query, token, body).await?;
        let status = resp.status().as_u16();
        let log_id = resp.headers().get(LOG_ID_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let is_json = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        if (200..300).contains(&status) && !is_json {
            return Ok(Download::new(resp, log_id, self.inner.max_response_bytes));
        }
        let body = read_body(resp, self.inner.max_response_bytes, status, log_id.as_deref()).await?;
        // A JSON reply here is an error envelope; one with code 0 is not a file.
        match decode_reply::<serde::de::IgnoredAny, E>(status, log_id.as_deref(), &body) {
            Err(e) => Err(e),
            Ok(_) => Err(Error::Reply(ReplyError {
                kind: ReplyErrorKind::BadEnvelope,
                status,
                code: Some(0),
                log_id,
                excerpt: crate::runtime::excerpt(&body),
                detail: "expected a file, got a JSON reply".into(),
            })),
        }
    }

    async fn send<E>(
        &self,
        endpoint: &'static Endpoint,
        path: String,
        query: Query,
        token: &str,
        body: Option<Vec<u8>>,
    ) -> Result<reqwest::Response, Error<E>> {
        let inner = &*self.inner;
        let q = query.as_str();
        let mut url = String::with_capacity(inner.base_url.len() + path.len() + q.len() + 1);
        url.push_str(&inner.base_url);
        url.push_str(&path);
        if !q.is_empty() {
            url.push('?');
            url.push_str(q);
        }
        let mut auth = HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| InvalidRequest {
            reason: "the access token holds characters not allowed in a header (CR, LF, NUL or other control characters)".into(),
        })?;
        auth.set_sensitive(true);
        let mut req = inner.http.request(endpoint.method.to_reqwest(), url).header(AUTHORIZATION, auth);
        if endpoint.helpdesk_header {
            match &inner.helpdesk {
                Some(h) => req = req.header(HELPDESK_HEADER, h.clone()),
                None => {
                    return Err(Error::InvalidRequest(InvalidRequest {
                        reason: format!(
                            "{} requires helpdesk credentials: set them with ClientBuilder::helpdesk_credentials",
                            endpoint.id
                        ),
                    }));
                }
            }
        }
        if let Some(body) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"))
                .body(body);
        }
        req.send().await.map_err(transport_error)
    }
}

/// A file reply (e.g. an FAQ or ticket image), streamed: nothing is read
/// until asked for.
#[derive(Debug)]
pub struct Download {
    resp: reqwest::Response,
    log_id: Option<String>,
    file_name: Option<String>,
    limit: usize,
}

impl Download {
    fn new(resp: reqwest::Response, log_id: Option<String>, limit: usize) -> Self {
        let file_name = resp
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::runtime::content_disposition_file_name);
        Download { resp, log_id, file_name, limit }
    }

    /// The file name from `Content-Disposition`, if the server sent one.
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&str> {
        self.resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// The declared length, if any.
    pub fn content_length(&self) -> Option<u64> {
        self.resp.content_length()
    }

    /// The reply's log id.
    pub fn log_id(&self) -> Option<&str> {
        self.log_id.as_deref()
    }

    /// The next chunk of the file; `None` at the end.
    pub async fn chunk(&mut self) -> Result<Option<bytes::Bytes>, TransportError> {
        self.resp.chunk().await.map_err(TransportError::new)
    }

    /// The whole file, up to the client's `max_response_bytes`.
    pub async fn bytes(self) -> Result<Vec<u8>, Error<std::convert::Infallible>> {
        let status = self.resp.status().as_u16();
        read_body(self.resp, self.limit, status, self.log_id.as_deref()).await
    }
}

fn transport_error<E>(e: reqwest::Error) -> Error<E> {
    if e.is_timeout() {
        Error::Timeout(TransportError::new(e))
    } else {
        Error::Transport(TransportError::new(e))
    }
}

async fn read_body<E>(
    mut resp: reqwest::Response,
    limit: usize,
    status: u16,
    log_id: Option<&str>,
) -> Result<Vec<u8>, Error<E>> {
    let too_large = |body: &[u8]| {
        Error::Reply(ReplyError {
            kind: ReplyErrorKind::TooLarge,
            status,
            code: None,
            log_id: log_id.map(str::to_owned),
            excerpt: crate::runtime::excerpt(body),
            detail: format!("limit is {limit} bytes"),
        })
    };
    let declared = resp.content_length().unwrap_or(0);
    if declared > limit as u64 {
        return Err(too_large(&[]));
    }
    let mut body = Vec::with_capacity(declared as usize);
    while let Some(chunk) = resp.chunk().await.map_err(transport_error)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large(&body));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
