//! The HTTP server: hyper 1 (HTTP/1.1) on tokio, one task per connection,
//! and the request pipeline:
//!
//! 1. route (method + path template) or answer a plain-text 404;
//! 2. record the request;
//! 3. hooks (delay, then a canned reply / error / fault);
//! 4. authentication (`Authorization`, then the helpdesk header);
//! 5. the documented rate limit, when enforced;
//! 6. validation of path, query and body;
//! 7. the endpoint's `example_response`.

use crate::codes;
use crate::hooks::{self, Action, HookBuilder, HookEntry, HookSink};
use crate::record::RecordedRequest;
use crate::reply::{Fault, Reply};
use crate::spec::{Compiled, MockSpec, MockSpecError, Route, Seg, window};
use crate::validate::{self, Incoming};
use bytes::Bytes;
use helpdesk_spec::spec::{EndpointFile, ErrorSpec, PageStyle, Pagination, TokenKind};
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Frame, SizeHint};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
// tokio's clock: under a paused test runtime, rate windows and token
// expiry follow virtual time.
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Hook / record id of `POST /open-apis/auth/v3/tenant_access_token/internal`.
pub const TENANT_TOKEN_ENDPOINT: &str = "auth.tenant_access_token";
/// Hook / record id of `POST /open-apis/auth/v3/app_access_token/internal`.
pub const APP_TOKEN_ENDPOINT: &str = "auth.app_access_token";
/// Path of the self-built app tenant token endpoint.
pub const TENANT_TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";
/// Path of the self-built app app token endpoint.
pub const APP_TOKEN_PATH: &str = "/open-apis/auth/v3/app_access_token/internal";
/// Default helpdesk credentials.
pub const DEFAULT_HELPDESK_CREDENTIALS: (&str, &str) = ("mock-helpdesk-id", "mock-helpdesk-token");
/// Default app credentials.
pub const DEFAULT_APP_CREDENTIALS: (&str, &str) = ("mock-app-id", "mock-app-secret");
/// Default lifetime of issued tokens, in seconds.
pub const DEFAULT_TOKEN_EXPIRE_SECS: u64 = 7200;
/// Largest request body read; larger ones get HTTP 413.
pub const MAX_REQUEST_BODY: usize = 16 * 1024 * 1024;
/// How long a connection may take to send a request head (also the idle
/// time after which a kept-alive connection is closed).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How many requests are kept (oldest dropped first).
pub const MAX_RECORDED_REQUESTS: usize = 100_000;

/// Why the server could not start.
#[derive(Debug)]
pub enum MockError {
    /// The spec is unusable.
    Spec(MockSpecError),
    /// Binding 127.0.0.1 failed.
    Bind(std::io::Error),
}

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MockError::Spec(e) => write!(f, "invalid spec: {e}"),
            MockError::Bind(e) => write!(f, "cannot bind 127.0.0.1: {e}"),
        }
    }
}

impl std::error::Error for MockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MockError::Spec(e) => Some(e),
            MockError::Bind(e) => Some(e),
        }
    }
}

/// Configures and starts a [`MockServer`].
#[derive(Debug, Clone)]
pub struct MockServerBuilder {
    spec: Option<MockSpec>,
    helpdesk: (String, String),
    app: (String, String),
    port: u16,
    token_expire_secs: u64,
    enforce_rate_limits: bool,
    /// User tokens (`oauth.rs`).
    pub(crate) oauth: crate::oauth::OAuthConfig,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        MockServerBuilder {
            spec: None,
            helpdesk: (
                DEFAULT_HELPDESK_CREDENTIALS.0.into(),
                DEFAULT_HELPDESK_CREDENTIALS.1.into(),
            ),
            app: (
                DEFAULT_APP_CREDENTIALS.0.into(),
                DEFAULT_APP_CREDENTIALS.1.into(),
            ),
            port: 0,
            token_expire_secs: DEFAULT_TOKEN_EXPIRE_SECS,
            enforce_rate_limits: false,
            oauth: crate::oauth::OAuthConfig::default(),
        }
    }
}

impl MockServerBuilder {
    /// The spec to serve (default: [`MockSpec::embedded`]).
    pub fn spec(mut self, spec: MockSpec) -> Self {
        self.spec = Some(spec);
        self
    }

    /// The helpdesk id and token whose `base64(id:token)` the
    /// `X-Lark-Helpdesk-Authorization` header must carry
    /// (default [`DEFAULT_HELPDESK_CREDENTIALS`]).
    pub fn helpdesk_credentials(mut self, id: impl Into<String>, token: impl Into<String>) -> Self {
        self.helpdesk = (id.into(), token.into());
        self
    }

    /// The app id and secret the token endpoints accept
    /// (default [`DEFAULT_APP_CREDENTIALS`]).
    pub fn app_credentials(
        mut self,
        app_id: impl Into<String>,
        app_secret: impl Into<String>,
    ) -> Self {
        self.app = (app_id.into(), app_secret.into());
        self
    }

    /// The port on 127.0.0.1 (default 0: a free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The `expire` of issued tokens in seconds (default 7200). Issued
    /// tokens are rejected with 99991677 once that time has passed; 0 makes
    /// them expire at once.
    pub fn token_expire_secs(mut self, secs: u64) -> Self {
        self.token_expire_secs = secs;
        self
    }

    /// Whether to enforce the documented rate limits from the start
    /// (default off; see [`MockServer::enforce_rate_limits`]).
    pub fn enforce_rate_limits(mut self, on: bool) -> Self {
        self.enforce_rate_limits = on;
        self
    }

    /// Binds 127.0.0.1 and starts serving in the background of the current
    /// tokio runtime.
    pub async fn start(self) -> Result<MockServer, MockError> {
        let spec = self.spec.unwrap_or_else(MockSpec::embedded);
        let compiled = spec.inner.clone().map_err(MockError::Spec)?;
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .map_err(MockError::Bind)?;
        let addr = listener.local_addr().map_err(MockError::Bind)?;
        let header_name = compiled
            .spec
            .service
            .value
            .helpdesk_header
            .name
            .to_ascii_lowercase();
        let shared = Arc::new(Shared {
            compiled,
            helpdesk_header: HeaderName::from_bytes(header_name.as_bytes())
                .unwrap_or(HeaderName::from_static("x-lark-helpdesk-authorization")),
            helpdesk_value: helpdesk_header_value(&self.helpdesk.0, &self.helpdesk.1),
            app_id: self.app.0,
            app_secret: self.app.1,
            enforce: AtomicBool::new(self.enforce_rate_limits),
            counter: AtomicU64::new(0),
            seed: std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish(),
            state: Mutex::new(State {
                token_expire_secs: self.token_expire_secs,
                ..State::default()
            }),
            oauth: crate::oauth::OAuthState::new(self.oauth),
        });
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, shared.clone(), rx));
        Ok(MockServer {
            addr,
            shared,
            shutdown: tx,
            task: Some(task),
            spec,
        })
    }
}

/// `base64(id:token)`, the value of `X-Lark-Helpdesk-Authorization`.
pub fn helpdesk_header_value(id: &str, token: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{id}:{token}"))
}

/// A running mock Helpdesk server on 127.0.0.1. Stops on
/// [`shutdown`](MockServer::shutdown) or when dropped.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    pub(crate) shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    spec: MockSpec,
}

impl MockServer {
    /// A builder with the defaults.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// Starts a server with the defaults (embedded spec, random port).
    pub async fn start() -> Result<MockServer, MockError> {
        MockServerBuilder::default().start().await
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The spec served.
    pub fn spec(&self) -> &MockSpec {
        &self.spec
    }

    /// The value the `X-Lark-Helpdesk-Authorization` header must have.
    pub fn helpdesk_header_value(&self) -> &str {
        &self.shared.helpdesk_value
    }

    /// Starts a hook for an endpoint id (`resource.operation`, or
    /// [`TENANT_TOKEN_ENDPOINT`] / [`APP_TOKEN_ENDPOINT`]). An id the spec
    /// does not have never matches.
    pub fn on(&self, endpoint: &str) -> HookBuilder<'_> {
        HookBuilder {
            shared: &*self.shared,
            endpoint: endpoint.to_string(),
            path_params: Vec::new(),
            query: Vec::new(),
            times: None,
        }
    }

    /// Turns enforcement of the documented rate limits on or off. Each limit
    /// (`requests` per second / minute) is counted per endpoint in a fixed
    /// window that starts at the first request; the request over the limit
    /// gets HTTP 429, code 99991400, `x-ogw-ratelimit-limit` and
    /// `x-ogw-ratelimit-reset` (seconds left in the window). Turning it on
    /// starts fresh windows.
    pub fn enforce_rate_limits(&self, on: bool) {
        self.shared.enforce.store(on, Ordering::SeqCst);
        self.shared.lock().rate.clear();
    }

    /// Forgets the rate-limit windows.
    pub fn reset_rate_limits(&self) {
        self.shared.lock().rate.clear();
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.iter().cloned().collect()
    }

    /// The requests matched to one endpoint id.
    pub fn requests_for(&self, endpoint: &str) -> Vec<RecordedRequest> {
        self.shared
            .lock()
            .requests
            .iter()
            .filter(|r| r.endpoint.as_deref() == Some(endpoint))
            .cloned()
            .collect()
    }

    /// How many requests the token endpoints received (tenant and app, any
    /// outcome).
    pub fn token_fetches(&self) -> usize {
        self.shared.lock().token_fetches
    }

    /// Tokens issued so far, oldest first (`t-…` and `a-…`).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared.lock().issued.clone()
    }

    /// Makes a token (issued or not) answer 99991677 `token expire` from now on.
    pub fn expire_token(&self, token: &str) {
        self.shared
            .lock()
            .tokens
            .insert(token.to_string(), TokenState::Expired);
    }

    /// Makes a token (issued or not) invalid from now on: 99991663 for a
    /// tenant token, 99991668 for a user token, 99991664 for an app token.
    pub fn invalidate_token(&self, token: &str) {
        self.shared
            .lock()
            .tokens
            .insert(token.to_string(), TokenState::Invalid);
    }

    /// Invalidates every token issued or seen so far; tokens issued later
    /// are accepted.
    pub fn invalidate_all_tokens(&self) {
        for s in self.shared.lock().tokens.values_mut() {
            *s = TokenState::Invalid;
        }
    }

    /// Changes the `expire` of tokens issued from now on.
    pub fn set_token_expire_secs(&self, secs: u64) {
        self.shared.lock().token_expire_secs = secs;
    }

    /// Removes every hook.
    pub fn clear_hooks(&self) {
        self.shared.lock().hooks.clear();
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.lock().requests.clear();
    }

    /// Stops accepting and closes every connection; waits for the
    /// accept loop to end.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_stamps() {
        assert_eq!(super::utc_stamp(0), "19700101000000");
        assert_eq!(super::utc_stamp(1_626_332_244), "20210715065724");
        assert_eq!(super::utc_stamp(951_782_400), "20000229000000");
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenState {
    Issued { expires_at: Option<Instant> },
    Seen,
    Expired,
    Invalid,
}

#[derive(Debug, Default)]
struct State {
    hooks: Vec<HookEntry>,
    next_seq: u64,
    requests: VecDeque<RecordedRequest>,
    tokens: HashMap<String, TokenState>,
    issued: Vec<String>,
    token_fetches: usize,
    token_expire_secs: u64,
    /// (endpoint id, limit index) → (window start, requests counted).
    rate: HashMap<(String, usize), (Instant, u32)>,
}

/// State shared by the handle and the connection tasks.
#[derive(Debug)]
pub(crate) struct Shared {
    compiled: Arc<Compiled>,
    helpdesk_header: HeaderName,
    helpdesk_value: String,
    app_id: String,
    app_secret: String,
    enforce: AtomicBool,
    counter: AtomicU64,
    seed: u64,
    state: Mutex<State>,
    /// The OAuth token endpoint of user tokens (`oauth.rs`).
    pub(crate) oauth: crate::oauth::OAuthState,
}

impl HookSink for Shared {
    fn add_hook(&self, mut h: HookEntry) {
        let mut st = self.lock();
        st.next_seq += 1;
        h.seq = st.next_seq;
        st.hooks.push(h);
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state torn in a
        // way that matters to a mock; keep serving.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn next_id(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    /// A unique log id in the platform's shape (timestamp then hex).
    fn log_id(&self) -> String {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        format!(
            "{}{:08X}{:010X}",
            utc_stamp(secs),
            self.seed as u32,
            self.next_id()
        )
    }

    /// The app id and secret the token endpoints accept.
    pub(crate) fn app_credentials(&self) -> (&str, &str) {
        (&self.app_id, &self.app_secret)
    }

    /// A new unique token-like string (`oauth.rs`).
    pub(crate) fn fresh_token(&self, prefix: &str) -> String {
        self.new_token(prefix)
    }

    /// A new user access token, accepted until `expires_at` (`oauth.rs`).
    pub(crate) fn issue_user_token(&self, expires_at: Option<Instant>) -> String {
        let token = self.new_token("u-");
        let mut st = self.lock();
        st.tokens
            .insert(token.clone(), TokenState::Issued { expires_at });
        st.issued.push(token.clone());
        token
    }

    fn new_token(&self, prefix: &str) -> String {
        format!(
            "{prefix}mock{:08x}{:08x}",
            (self.seed >> 32) as u32,
            self.next_id()
        )
    }
}

/// `YYYYMMDDhhmmss` (UTC) of a Unix time.
fn utc_stamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The connection was aborted on purpose (fault injection).
#[derive(Debug)]
pub(crate) struct Abort;

impl fmt::Display for Abort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection aborted by the mock")
    }
}

impl std::error::Error for Abort {}

/// Response body: whole, or half then an error (which makes hyper close the
/// connection after the bytes are flushed).
pub(crate) enum MockBody {
    Full(Option<Bytes>),
    Truncated {
        chunk: Option<Bytes>,
        pause: Option<Pin<Box<tokio::time::Sleep>>>,
    },
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = Abort;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Abort>>> {
        match self.get_mut() {
            MockBody::Full(b) => Poll::Ready(
                b.take()
                    .filter(|b| !b.is_empty())
                    .map(|b| Ok(Frame::data(b))),
            ),
            MockBody::Truncated { chunk, pause } => {
                if let Some(c) = chunk.take() {
                    // Let hyper flush the half before the error closes the socket.
                    *pause = Some(Box::pin(tokio::time::sleep(Duration::from_millis(20))));
                    if !c.is_empty() {
                        return Poll::Ready(Some(Ok(Frame::data(c))));
                    }
                }
                if let Some(p) = pause {
                    if p.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                }
                Poll::Ready(Some(Err(Abort)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            MockBody::Full(b) => b.as_ref().is_none_or(|b| b.is_empty()),
            MockBody::Truncated { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            MockBody::Full(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            MockBody::Truncated { .. } => SizeHint::default(),
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            r = listener.accept() => r,
        };
        let stream = match accepted {
            Ok((s, _)) => s,
            Err(_) => {
                // Out of descriptors or similar: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let conn = Conn::of(&stream);
        let shared = shared.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| handle(shared.clone(), req, conn));
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), svc);
            tokio::select! {
                _ = conn => {}
                _ = stop.wait_for(|s| *s) => {}
            }
        });
    }
}

enum Matched {
    NotFound,
    OAuth,
    Token(TokenKind),
    Endpoint(usize, BTreeMap<String, String>),
}

fn route(c: &Compiled, method: &str, path: &str) -> Matched {
    if let Some(post) = crate::oauth::is_oauth_token(method, path) {
        return if post {
            Matched::OAuth
        } else {
            Matched::NotFound
        };
    }
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    if trimmed == TENANT_TOKEN_PATH || trimmed == APP_TOKEN_PATH {
        if method != "POST" {
            return Matched::NotFound;
        }
        let kind = if trimmed == TENANT_TOKEN_PATH {
            TokenKind::TenantAccessToken
        } else {
            TokenKind::AppAccessToken
        };
        return Matched::Token(kind);
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Matched::NotFound;
    };
    let segs: Vec<&str> = rest.split('/').collect();
    let mut best: Option<(usize, usize)> = None; // (literal count, route index)
    for (i, r) in c.routes.iter().enumerate() {
        if c.endpoint(r).method.as_str() != method || r.segments.len() != segs.len() {
            continue;
        }
        let ok = r.segments.iter().zip(&segs).all(|(t, s)| match t {
            Seg::Lit(l) => l == s,
            Seg::Param(_) => !s.is_empty(),
        });
        if ok {
            let lits = r
                .segments
                .iter()
                .filter(|s| matches!(s, Seg::Lit(_)))
                .count();
            if best.is_none_or(|(b, _)| lits > b) {
                best = Some((lits, i));
            }
        }
    }
    let Some((_, i)) = best else {
        return Matched::NotFound;
    };
    let params = c.routes[i]
        .segments
        .iter()
        .zip(&segs)
        .filter_map(|(t, s)| match t {
            Seg::Param(n) => Some((
                n.clone(),
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned(),
            )),
            Seg::Lit(_) => None,
        })
        .collect();
    Matched::Endpoint(i, params)
}

/// What to send.
enum Outcome {
    Send(Reply),
    Truncate(Reply),
    Abort,
}

/// What a request's handler may do to its connection.
#[derive(Clone, Copy)]
struct Conn {
    #[cfg(unix)]
    fd: std::os::fd::RawFd,
}

impl Conn {
    fn of(stream: &tokio::net::TcpStream) -> Conn {
        #[cfg(not(unix))]
        let _ = stream;
        Conn {
            #[cfg(unix)]
            fd: std::os::fd::AsRawFd::as_raw_fd(stream),
        }
    }

    /// Makes the coming close of the connection a TCP RST (`SO_LINGER` 0),
    /// as a reset by the platform's gateway looks to the client. Elsewhere
    /// than on Unix the connection is closed normally.
    fn reset_on_close(self) {
        #[cfg(unix)]
        {
            // SAFETY: handlers run inside the connection's hyper service,
            // which owns the socket: it is open for as long as this borrow.
            let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(self.fd) };
            let _ = socket2::SockRef::from(&fd).set_linger(Some(Duration::ZERO));
        }
    }
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<hyper::body::Incoming>,
    conn: Conn,
) -> Result<Response<MockBody>, Abort> {
    let log_id = shared.log_id();
    let (parts, body) = req.into_parts();
    let body = match read_body(body).await? {
        Ok(b) => b,
        Err(too_large) => return Ok(to_response(too_large, &log_id, false)),
    };
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().map(str::to_string);
    let query: Vec<(String, String)> = raw_query
        .as_deref()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let matched = route(&shared.compiled, &method, &path);
    let (endpoint, path_params) = match &matched {
        Matched::NotFound => (None, BTreeMap::new()),
        Matched::OAuth => (
            Some(crate::oauth::OAUTH_TOKEN_ENDPOINT.to_string()),
            BTreeMap::new(),
        ),
        Matched::Token(TokenKind::AppAccessToken) => {
            (Some(APP_TOKEN_ENDPOINT.to_string()), BTreeMap::new())
        }
        Matched::Token(_) => (Some(TENANT_TOKEN_ENDPOINT.to_string()), BTreeMap::new()),
        Matched::Endpoint(i, p) => (Some(shared.compiled.routes[*i].id.clone()), p.clone()),
    };
    record(
        &shared,
        &parts,
        &path,
        &path_params,
        &query,
        raw_query,
        &body,
        &endpoint,
    );
    let Some(endpoint) = endpoint else {
        let r = Reply::raw(404, "text/plain; charset=utf-8", "404 page not found");
        return Ok(to_response(r, &log_id, false));
    };
    let route = match &matched {
        Matched::Endpoint(i, _) => Some(&shared.compiled.routes[*i]),
        _ => None,
    };
    let ep = route.map(|r| shared.compiled.endpoint(r));

    // Hooks.
    let (delay, action) = {
        let mut st = shared.lock();
        let d = hooks::take(&mut st.hooks, &endpoint, &path_params, &query, true);
        let a = hooks::take(&mut st.hooks, &endpoint, &path_params, &query, false);
        (d, a)
    };
    if let Some(Action::Fault(Fault::Delay(d))) = delay {
        tokio::time::sleep(d).await;
    }
    let (hooked, truncate) = hooked_outcome(&shared, ep, action, &log_id);
    let outcome = match hooked {
        Some(o) => o,
        None => {
            let reply = match (route, ep) {
                (Some(r), Some(e)) => serve_endpoint(
                    &shared,
                    r,
                    e,
                    &parts.headers,
                    &path_params,
                    &query,
                    &body,
                    &log_id,
                ),
                _ if endpoint == crate::oauth::OAUTH_TOKEN_ENDPOINT => {
                    crate::oauth::serve(&*shared, &body)
                }
                _ => serve_token(&shared, &endpoint, &body, &log_id),
            };
            if truncate {
                Outcome::Truncate(reply)
            } else {
                Outcome::Send(reply)
            }
        }
    };
    match outcome {
        Outcome::Send(r) => Ok(to_response(r, &log_id, false)),
        Outcome::Truncate(r) => Ok(to_response(r, &log_id, true)),
        Outcome::Abort => {
            conn.reset_on_close();
            Err(Abort)
        }
    }
}

/// The request body, up to [`MAX_REQUEST_BODY`]; a larger one is answered
/// with 413 (`Ok(Err(reply))`), a broken one aborts the connection.
async fn read_body(body: hyper::body::Incoming) -> Result<Result<Bytes, Reply>, Abort> {
    match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(c) => Ok(Ok(c.to_bytes())),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Ok(Err(Reply::raw(
                413,
                "text/plain; charset=utf-8",
                "413 request body too large",
            )))
        }
        Err(_) => Err(Abort),
    }
}

/// Keeps the request for the test's assertions (the last
/// [`MAX_RECORDED_REQUESTS`]).
#[allow(clippy::too_many_arguments)]
fn record(
    shared: &Shared,
    parts: &hyper::http::request::Parts,
    path: &str,
    path_params: &BTreeMap<String, String>,
    query: &[(String, String)],
    raw_query: Option<String>,
    body: &Bytes,
    endpoint: &Option<String>,
) {
    let rec = RecordedRequest {
        method: parts.method.as_str().to_string(),
        path: path.to_string(),
        path_params: path_params.clone(),
        query: query.to_vec(),
        raw_query,
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
        endpoint: endpoint.clone(),
        received_at: Instant::now(),
    };
    let mut st = shared.lock();
    if st.requests.len() >= MAX_RECORDED_REQUESTS {
        st.requests.pop_front();
    }
    st.requests.push_back(rec);
}

/// What a fired hook answers instead of the spec (`None`: the spec answers),
/// and whether the answer is to be truncated.
fn hooked_outcome(
    shared: &Shared,
    ep: Option<&EndpointFile>,
    action: Option<Action>,
    log_id: &str,
) -> (Option<Outcome>, bool) {
    let mut truncate = false;
    let hooked = match action {
        None | Some(Action::Fault(Fault::Delay(_))) => None,
        Some(Action::Reply(r)) => Some(Outcome::Send(r)),
        Some(Action::Error(code)) => {
            Some(Outcome::Send(error_reply(shared, ep, code, None, log_id)))
        }
        Some(Action::Fault(Fault::Status(s))) => {
            let reason = StatusCode::from_u16(s)
                .ok()
                .and_then(|c| c.canonical_reason())
                .unwrap_or("Error");
            Some(Outcome::Send(Reply::raw(
                s,
                "text/plain; charset=utf-8",
                format!("{s} {reason}"),
            )))
        }
        Some(Action::Fault(Fault::RateLimited { reset_secs })) => {
            let limit = ep
                .and_then(|e| e.rate_limit.limits.first())
                .map_or(100, |l| l.requests);
            Some(Outcome::Send(rate_limited(
                shared, limit, reset_secs, log_id,
            )))
        }
        Some(Action::Fault(Fault::ConnectionReset)) => Some(Outcome::Abort),
        Some(Action::Fault(Fault::TruncatedBody)) => {
            truncate = true;
            None
        }
    };
    (hooked, truncate)
}

fn to_response(reply: Reply, log_id: &str, truncate: bool) -> Response<MockBody> {
    let len = reply.body.len();
    let body = if truncate {
        MockBody::Truncated {
            chunk: Some(reply.body.slice(..len / 2)),
            pause: None,
        }
    } else {
        MockBody::Full(Some(reply.body))
    };
    let mut resp = Response::new(body);
    *resp.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    for (n, v) in &reply.headers {
        if n.eq_ignore_ascii_case("content-length") || n.eq_ignore_ascii_case("transfer-encoding") {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(n.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            h.append(n, v);
        }
    }
    if !h.contains_key("x-tt-logid") {
        if let Ok(v) = HeaderValue::from_str(log_id) {
            h.insert("x-tt-logid", v);
        }
    }
    if truncate {
        h.insert(hyper::header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    resp
}

/// `{"code", "msg", "error": {"log_id"}}` with the given status.
fn envelope(status: u16, code: i64, msg: &str, log_id: &str) -> Reply {
    Reply::json(
        status,
        json!({ "code": code, "msg": msg, "error": { "log_id": log_id } }),
    )
}

/// Fallback rows for platform codes a spec's `platform_errors` may lack.
fn builtin_platform_error(code: i64) -> Option<(u16, &'static str)> {
    Some(match code {
        codes::TOKEN_MISSING => (400, "Need a token"),
        codes::TENANT_TOKEN_INVALID => (
            400,
            "Invalid access token for authorization. Please make a request with token attached",
        ),
        codes::APP_TOKEN_INVALID => (400, "invalid app token"),
        codes::USER_TOKEN_INVALID => (
            400,
            "Invalid access token for authorization. Please make a request with token attached.",
        ),
        codes::TOKEN_MALFORMED => (400, "Invalid token: must start with t-/u-"),
        codes::TOKEN_EXPIRED => (400, "token expire"),
        codes::RATE_LIMITED => (429, "request trigger frequency limit"),
        _ => return None,
    })
}

fn find_row(rows: &[ErrorSpec], code: i64) -> Option<(u16, &str)> {
    rows.iter()
        .find(|e| e.code == code)
        .map(|e| (e.http_status, e.message.as_str()))
}

/// The reply for an error code: the endpoint's row, else the platform's,
/// else built-in; `msg` overrides the documented message.
fn error_reply(
    shared: &Shared,
    ep: Option<&EndpointFile>,
    code: i64,
    msg: Option<&str>,
    log_id: &str,
) -> Reply {
    let platform = &shared.compiled.spec.service.value.platform_errors;
    let row = ep
        .and_then(|e| find_row(&e.errors, code))
        .or_else(|| find_row(platform, code))
        .or_else(|| builtin_platform_error(code));
    match row {
        Some((status, m)) => envelope(status, code, msg.unwrap_or(m), log_id),
        None => {
            let m = format!("mock: error code {code} is not documented for this endpoint");
            envelope(400, code, msg.unwrap_or(&m), log_id)
        }
    }
}

/// The endpoint's row by code, else by name, else `(status, code)` defaults.
fn endpoint_error(
    shared: &Shared,
    ep: &EndpointFile,
    code: i64,
    name: &str,
    default_status: u16,
    msg: Option<&str>,
    log_id: &str,
) -> Reply {
    if let Some(row) = ep
        .errors
        .iter()
        .find(|e| e.code == code)
        .or_else(|| ep.errors.iter().find(|e| e.name == name))
    {
        return envelope(
            row.http_status,
            row.code,
            msg.unwrap_or(&row.message),
            log_id,
        );
    }
    if find_row(&shared.compiled.spec.service.value.platform_errors, code).is_some() {
        return error_reply(shared, Some(ep), code, msg, log_id);
    }
    envelope(default_status, code, msg.unwrap_or(name), log_id)
}

fn rate_limited(shared: &Shared, limit: u32, reset_secs: u64, log_id: &str) -> Reply {
    error_reply(shared, None, codes::RATE_LIMITED, None, log_id)
        .header("x-ogw-ratelimit-limit", limit.to_string())
        .header("x-ogw-ratelimit-reset", reset_secs.to_string())
}

fn invalid_token_code(kind: TokenKind) -> i64 {
    match kind {
        TokenKind::UserAccessToken => codes::USER_TOKEN_INVALID,
        TokenKind::TenantAccessToken => codes::TENANT_TOKEN_INVALID,
        TokenKind::AppAccessToken => codes::APP_TOKEN_INVALID,
    }
}

/// The bearer token, `None` when absent or not a bearer.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers
        .get(hyper::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let scheme = v.get(..7)?;
    if !scheme.eq_ignore_ascii_case("bearer ") {
        return None;
    }
    let t = v.get(7..)?.trim();
    (!t.is_empty()).then_some(t)
}

fn check_auth(
    shared: &Shared,
    ep: &EndpointFile,
    headers: &HeaderMap,
    log_id: &str,
) -> Result<(), Reply> {
    let platform = |code| error_reply(shared, None, code, None, log_id);
    let Some(token) = bearer(headers) else {
        return Err(platform(codes::TOKEN_MISSING));
    };
    let kind = if token.starts_with("u-") {
        TokenKind::UserAccessToken
    } else if token.starts_with("t-") {
        TokenKind::TenantAccessToken
    } else if token.starts_with("a-") {
        TokenKind::AppAccessToken
    } else {
        return Err(platform(codes::TOKEN_MALFORMED));
    };
    let state = {
        let mut st = shared.lock();
        *st.tokens
            .entry(token.to_string())
            .or_insert(TokenState::Seen)
    };
    match state {
        TokenState::Invalid => return Err(platform(invalid_token_code(kind))),
        TokenState::Expired => return Err(platform(codes::TOKEN_EXPIRED)),
        TokenState::Issued {
            expires_at: Some(t),
        } if Instant::now() >= t => {
            return Err(platform(codes::TOKEN_EXPIRED));
        }
        _ => {}
    }
    if !ep.auth.tokens.contains(&kind) {
        return Err(platform(invalid_token_code(kind)));
    }
    if ep.auth.helpdesk_header {
        let ok = headers
            .get(&shared.helpdesk_header)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() == shared.helpdesk_value);
        if !ok {
            return Err(endpoint_error(
                shared,
                ep,
                codes::UNAUTHORIZED,
                "unauthorized",
                401,
                None,
                log_id,
            ));
        }
    }
    Ok(())
}

fn check_rate(shared: &Shared, id: &str, ep: &EndpointFile, log_id: &str) -> Result<(), Reply> {
    if !shared.enforce.load(Ordering::SeqCst) || ep.rate_limit.limits.is_empty() {
        return Ok(());
    }
    let now = Instant::now();
    let mut st = shared.lock();
    let mut over = None;
    for (i, l) in ep.rate_limit.limits.iter().enumerate() {
        let win = window(l.per);
        let slot = st.rate.entry((id.to_string(), i)).or_insert((now, 0));
        if now.duration_since(slot.0) >= win {
            *slot = (now, 0);
        }
        if slot.1 >= l.requests && over.is_none() {
            let left = win.saturating_sub(now.duration_since(slot.0));
            let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            over = Some((l.requests, secs.max(1)));
        }
    }
    if let Some((limit, reset)) = over {
        drop(st);
        return Err(rate_limited(shared, limit, reset, log_id));
    }
    for i in 0..ep.rate_limit.limits.len() {
        if let Some(slot) = st.rate.get_mut(&(id.to_string(), i)) {
            slot.1 += 1;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn serve_endpoint(
    shared: &Shared,
    route: &Route,
    ep: &EndpointFile,
    headers: &HeaderMap,
    path_params: &BTreeMap<String, String>,
    query: &[(String, String)],
    body: &[u8],
    log_id: &str,
) -> Reply {
    if let Err(r) = check_auth(shared, ep, headers, log_id) {
        return r;
    }
    if let Err(r) = check_rate(shared, &route.id, ep, log_id) {
        return r;
    }
    let types = helpdesk_spec::validate::type_index(&shared.compiled.spec);
    let incoming = Incoming {
        path_params,
        query,
        body,
    };
    if let Err(msg) = validate::validate(ep, route.body_fields.as_deref(), &incoming, &types) {
        return endpoint_error(
            shared,
            ep,
            codes::BAD_REQUEST,
            "bad_request",
            400,
            Some(&msg),
            log_id,
        );
    }
    if let Some(bin) = ep.response.as_ref().and_then(|r| r.binary.as_ref()) {
        let ct = bin
            .content_type
            .as_deref()
            .unwrap_or("application/octet-stream");
        return Reply::raw(200, ct, format!("mock file of {}", route.id));
    }
    let example = ep
        .example_response
        .clone()
        .unwrap_or_else(|| json!({ "code": 0, "msg": "success", "data": {} }));
    match &ep.pagination {
        Some(p) => Reply::json(200, example_page(example, p, query)),
        None => Reply::json(200, example),
    }
}

/// The default reply of a list endpoint as a list of two pages, so that a
/// client walking it sees a second request and a clean end. The first page
/// is the example as it is. Page-token style: asked for the token the
/// example points to, the reply is the example's items with `has_more`
/// false and no next token. Page style: page 2 repeats the example's items
/// and sets the total to the items served on pages 1 and 2; later pages are
/// empty.
fn example_page(mut example: Value, p: &Pagination, query: &[(String, String)]) -> Value {
    let arg = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(data) = example.get_mut("data").and_then(Value::as_object_mut) else {
        return example;
    };
    match p.style {
        PageStyle::PageToken => {
            let next = data.get(p.next_token_field()).and_then(Value::as_str);
            if next.is_some_and(|t| !t.is_empty() && arg(p.page_token_param()) == Some(t)) {
                data.insert(p.has_more_field().to_string(), Value::Bool(false));
                data.remove(p.next_token_field());
            }
        }
        PageStyle::Page => {
            let page: u64 = arg(p.page_param())
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            let n = data
                .get(&p.items)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if page >= 2 {
                data.insert(p.total_field().to_string(), json!(2 * n));
            }
            if page >= 3 {
                data.insert(p.items.clone(), json!([]));
            }
        }
    }
    example
}

fn serve_token(shared: &Shared, endpoint: &str, body: &[u8], log_id: &str) -> Reply {
    let mut st = shared.lock();
    st.token_fetches += 1;
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let field = |k: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let (Some(app_id), Some(secret)) = (field("app_id"), field("app_secret")) else {
        return envelope(
            400,
            codes::INVALID_PARAM,
            "invalid param: app_id and app_secret are required",
            log_id,
        );
    };
    if app_id != shared.app_id {
        return envelope(
            400,
            codes::INVALID_PARAM,
            &format!("invalid param: app_id {app_id} not found"),
            log_id,
        );
    }
    if secret != shared.app_secret {
        return envelope(400, codes::APP_SECRET_INVALID, "app secret invalid", log_id);
    }
    let expire = st.token_expire_secs;
    let expires_at = Instant::now().checked_add(Duration::from_secs(expire));
    let tenant = shared.new_token("t-");
    st.tokens
        .insert(tenant.clone(), TokenState::Issued { expires_at });
    st.issued.push(tenant.clone());
    if endpoint == APP_TOKEN_ENDPOINT {
        let app = shared.new_token("a-");
        st.tokens
            .insert(app.clone(), TokenState::Issued { expires_at });
        st.issued.push(app.clone());
        return Reply::json(
            200,
            json!({ "code": 0, "msg": "ok", "app_access_token": app, "tenant_access_token": tenant, "expire": expire }),
        );
    }
    Reply::json(
        200,
        json!({ "code": 0, "msg": "ok", "tenant_access_token": tenant, "expire": expire }),
    )
}

impl MockServerBuilder {
    /// The `expires_in` of user access tokens issued by the OAuth token
    /// endpoint, in seconds (default 7200). They are rejected with
    /// 99991677 once that time has passed.
    pub fn user_token_expire_secs(mut self, secs: u64) -> Self {
        self.oauth.user_token_expire_secs = secs;
        self
    }

    /// The `refresh_token_expires_in` of issued refresh tokens, in seconds
    /// (default 30 days); past it, a refresh answers 20037.
    pub fn refresh_token_expire_secs(mut self, secs: u64) -> Self {
        self.oauth.refresh_token_expire_secs = secs;
        self
    }
}

impl MockServer {
    /// An authorization code for `user` (any name), as the sign-in page
    /// would give it: exchangeable once, within 5 minutes, with any
    /// `redirect_uri`.
    pub fn issue_auth_code(&self, user: &str) -> String {
        let code = self.shared.fresh_token("code-");
        self.shared.oauth.issue_code(code.clone(), user, None);
        code
    }

    /// The same, exchangeable only with this `redirect_uri`.
    pub fn issue_auth_code_for(&self, user: &str, redirect_uri: &str) -> String {
        let code = self.shared.fresh_token("code-");
        self.shared
            .oauth
            .issue_code(code.clone(), user, Some(redirect_uri.to_string()));
        code
    }

    /// Revokes one refresh token: refreshing with it answers 20064.
    pub fn revoke_refresh_token(&self, refresh_token: &str) {
        self.shared.oauth.revoke_refresh_token(refresh_token)
    }

    /// Revokes every unused refresh token of `user` (the user withdrew the
    /// app's authorization); returns how many.
    pub fn revoke_user(&self, user: &str) -> usize {
        self.shared.oauth.revoke_user(user)
    }

    /// The unused refresh tokens of `user`.
    pub fn live_refresh_tokens(&self, user: &str) -> Vec<String> {
        self.shared.oauth.live_refresh_tokens(user)
    }

    /// How many `grant_type: refresh_token` requests the OAuth token
    /// endpoint received (any outcome).
    pub fn user_token_refreshes(&self) -> usize {
        self.shared.oauth.refreshes()
    }

    /// How many `grant_type: authorization_code` requests it received.
    pub fn code_exchanges(&self) -> usize {
        self.shared.oauth.exchanges()
    }

    /// The user an issued access token belongs to.
    pub fn user_of(&self, access_token: &str) -> Option<String> {
        self.shared.oauth.user_of(access_token)
    }

    /// Changes the `expires_in` of user access tokens issued from now on.
    pub fn set_user_token_expire_secs(&self, secs: u64) {
        self.shared.oauth.set_user_token_expire_secs(secs)
    }
}

impl crate::oauth::OAuthHost for Shared {
    fn oauth(&self) -> &crate::oauth::OAuthState {
        &self.oauth
    }
    fn app_credentials(&self) -> (&str, &str) {
        Shared::app_credentials(self)
    }
    fn issue_user_token(&self, expires_at: Option<Instant>) -> String {
        Shared::issue_user_token(self, expires_at)
    }
    fn fresh_token(&self, prefix: &str) -> String {
        Shared::fresh_token(self, prefix)
    }
}
