//! The client: configuration, connection pool, and the one `execute` path
//! every endpoint goes through.

use crate::auth::{HelpdeskCredentials, TenantAccessToken};
use crate::error::{BuildError, Error, InvalidRequest, ReplyError, ReplyErrorKind, TransportError};
use crate::limiter::{InProcessRateLimiter, RateLimiter};
use crate::retry::RetryPolicy;
use crate::runtime::{
    Auth, Call, INTERNAL_ERROR_CODE, Method, OperationError, RATE_LIMITED_CODE,
    TOKEN_INVALID_CODES, Token, decode_reply_scrubbed,
};
use crate::tokens::{DEFAULT_REFRESH_MARGIN, ManagedTenantToken, TokenEndpoint, TokenProvider};
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

/// Base URL of Feishu (China).
pub const FEISHU_BASE_URL: &str = "https://open.feishu.cn";
/// Base URL of Lark (international).
pub const LARK_BASE_URL: &str = "https://open.larksuite.com";
/// Name of the helpdesk credential header.
pub const HELPDESK_HEADER: &str = "X-Lark-Helpdesk-Authorization";
/// Name of the reply header carrying the log id.
pub const LOG_ID_HEADER: &str = "x-tt-logid";
static LOG_ID: HeaderName = HeaderName::from_static(LOG_ID_HEADER);
static RATE_LIMIT_RESET: HeaderName = HeaderName::from_static("x-ogw-ratelimit-reset");
static HELPDESK: HeaderName = HeaderName::from_static("x-lark-helpdesk-authorization");
/// Default limit on a reply body.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// Bound on one tenant token fetch when the client has no timeout.
const DEFAULT_TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

/// A Helpdesk API client. Cheap to clone (one shared connection pool).
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use helpdesk_api::{Client, UserAccessToken, types};
/// let client = Client::builder()
///     .helpdesk_credentials("7000000000000000000", "helpdesk-token")
///     .build()?;
/// let reply = client
///     .notification()
///     .get("1624326025000")
///     .user_id_type(types::UserIdType::OpenId)
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
    /// How `http` was built (for the pools of per-request connect
    /// timeouts); `None`: it is the application's.
    config: Option<HttpConfig>,
    /// The per-exchange time limit in force, as far as the client knows:
    /// its own client's, or (application client) the builder's timeout
    /// when one was set explicitly, applied to each request.
    exchange_timeout: Option<Duration>,
    /// Whether `exchange_timeout` is set on each request (application
    /// client) rather than being the client's own.
    per_request_timeout: bool,
    /// A `User-types::Agent` set on each request (application client with an
    /// explicit [`ClientBuilder::user_agent`]).
    user_agent: Option<HeaderValue>,
    connect_timeout: Option<Duration>,
    /// Bound on a whole call (limiter, token, attempts, waits between them).
    call_timeout: Option<Duration>,
    /// Secrets a reflecting server could echo into an error body, besides
    /// the helpdesk header value: helpdesk token, app secret ("" when absent).
    secrets: [Box<str>; 2],
    /// Connection pools of requests with their own connect timeout.
    connect_pools: std::sync::Mutex<Vec<(Duration, reqwest::Client)>>,
    base_url: String,
    helpdesk: Option<HeaderValue>,
    helpdesk_id: Option<String>,
    max_response_bytes: usize,
    retry: RetryPolicy,
    limiter: Option<Arc<dyn RateLimiter>>,
    tenant: Option<Arc<dyn TokenProvider>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("helpdesk_id", &self.inner.helpdesk_id)
            .field(
                "helpdesk_token",
                &self.inner.helpdesk.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "http_client",
                &match &self.inner.config {
                    Some(c) => c.describe(),
                    None => "application-supplied".into(),
                },
            )
            .field("retry", &self.inner.retry)
            .field("rate_limiter", &self.inner.limiter)
            .field("tenant_tokens", &self.inner.tenant)
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
    call_timeout: Option<Duration>,
    max_response_bytes: usize,
    user_agent: String,
    retry: RetryPolicy,
    rate_limiter: bool,
    limiter_backend: Option<Arc<dyn RateLimiter>>,
    app: Option<AppCredentials>,
    provider: Option<Arc<dyn TokenProvider>>,
    refresh_margin: Duration,
    proxy: ProxySetting,
    http: Option<SuppliedHttp>,
    /// Which transport settings were set explicitly (they conflict with,
    /// or must be applied on top of, an application-supplied client).
    timeout_set: bool,
    connect_timeout_set: bool,
    user_agent_set: bool,
    #[cfg(feature = "redis")]
    redis: Option<crate::redis_store::RedisShared>,
}

/// Where requests go through.
#[derive(Clone, Default)]
enum ProxySetting {
    /// `HTTP_PROXY` / `HTTPS_PROXY` / `ALL_PROXY` / `NO_PROXY` as reqwest
    /// reads them (read when the client is built).
    #[default]
    Environment,
    /// Straight to the server.
    Off,
    /// These proxies, in order (the environment is not read).
    Explicit(Vec<reqwest::Proxy>),
}

impl fmt::Debug for ProxySetting {
    // A proxy URL may hold credentials: only its count is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxySetting::Environment => f.write_str("Environment"),
            ProxySetting::Off => f.write_str("Off"),
            ProxySetting::Explicit(p) => write!(f, "Explicit({} proxies)", p.len()),
        }
    }
}

/// An application's own reqwest client (its default headers may hold
/// credentials: `Debug` shows none of it).
#[derive(Clone)]
struct SuppliedHttp(reqwest::Client);

impl fmt::Debug for SuppliedHttp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<application-supplied reqwest::Client>")
    }
}

/// The environment variables reqwest's proxy matcher reads.
const PROXY_ENV: [&str; 9] = [
    "ALL_PROXY",
    "all_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
];

/// The settings of a client-built reqwest client.
#[derive(Clone)]
struct HttpConfig {
    user_agent: String,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    proxy: ProxySetting,
}

impl HttpConfig {
    /// What identifies the transport for sharing a managed token; `None`
    /// when it cannot be compared (explicit proxies).
    fn sharing_key(&self) -> Option<String> {
        let proxy = match self.proxy {
            // What reqwest reads now: clients built under another proxy
            // environment have another transport.
            ProxySetting::Environment => {
                let mut env = String::from("env");
                for var in PROXY_ENV {
                    env.push('\0');
                    if let Some(v) = std::env::var_os(var) {
                        env.push_str(&v.to_string_lossy());
                    }
                }
                env
            }
            ProxySetting::Off => "off".into(),
            ProxySetting::Explicit(_) => return None,
        };
        Some(format!(
            "{}\0{:?}\0{:?}\0{proxy}",
            self.user_agent, self.timeout, self.connect_timeout
        ))
    }

    fn describe(&self) -> String {
        format!("built-in (proxy: {:?})", self.proxy)
    }

    /// The reqwest client: rustls with its own `ring` provider (nothing
    /// process-wide), no redirects, the proxy setting; `connect_timeout`
    /// replaces the configured one.
    fn build(&self, connect_timeout: Option<Duration>) -> Result<reqwest::Client, String> {
        let mut http = reqwest::Client::builder()
            .user_agent(self.user_agent.as_str())
            .redirect(reqwest::redirect::Policy::none())
            .tls_backend_preconfigured(crate::tls::client_config()?);
        match &self.proxy {
            ProxySetting::Environment => {}
            ProxySetting::Off => http = http.no_proxy(),
            ProxySetting::Explicit(proxies) => {
                for p in proxies {
                    http = http.proxy(p.clone());
                }
            }
        }
        if let Some(t) = self.timeout {
            http = http.timeout(t);
        }
        if let Some(t) = connect_timeout {
            http = http.connect_timeout(t);
        }
        http.build().map_err(|e| e.to_string())
    }
}

#[derive(Clone)]
struct AppCredentials {
    app_id: String,
    app_secret: Box<str>,
}

impl fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCredentials")
            .field("app_id", &self.app_id)
            .field("app_secret", &"<redacted>")
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: FEISHU_BASE_URL.to_string(),
            helpdesk: None,
            timeout: Some(Duration::from_secs(30)),
            connect_timeout: Some(Duration::from_secs(10)),
            call_timeout: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            user_agent: concat!("helpdesk-api-rust/", env!("CARGO_PKG_VERSION")).to_string(),
            retry: RetryPolicy::default(),
            rate_limiter: true,
            limiter_backend: None,
            app: None,
            provider: None,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            proxy: ProxySetting::Environment,
            http: None,
            timeout_set: false,
            connect_timeout_set: false,
            user_agent_set: false,
            #[cfg(feature = "redis")]
            redis: None,
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
    pub fn helpdesk_credentials(
        mut self,
        helpdesk_id: impl Into<String>,
        helpdesk_token: impl Into<String>,
    ) -> Self {
        self.helpdesk = Some(HelpdeskCredentials::new(helpdesk_id, helpdesk_token));
        self
    }

    /// Time allowed for one HTTP exchange, reply body included (default
    /// 30 s; `None`: no limit). Each attempt of a call, and each fetch of
    /// the managed tenant token, is bounded by it; waits for a rate-limit
    /// slot and between retries are not (see [`ClientBuilder::call_timeout`]).
    ///
    /// With [`ClientBuilder::http_client`], a timeout set here is applied
    /// to each request (replacing the application client's own); when none
    /// is set, the application client's timeout is the one in force.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self.timeout_set = true;
        self
    }

    /// Time allowed for a whole call: the wait for a rate-limit slot, the
    /// wait for a tenant token, every attempt and the waits between them
    /// (default `None`: no bound beyond the per-exchange
    /// [`ClientBuilder::timeout`] and the retry policy). A call past it
    /// fails with [`Error::Timeout`]. A request's own `.timeout(d)`
    /// replaces it for that request.
    pub fn call_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Time allowed to connect (default 10 s; `None`: no limit). Not with
    /// [`ClientBuilder::http_client`] (the connection pool is the
    /// application's): `build` refuses the two together.
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self.connect_timeout_set = true;
        self
    }

    /// Largest reply body accepted (default 16 MiB); longer replies fail
    /// with [`ReplyErrorKind::TooLarge`] without being read whole.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// App credentials of a self-built app: the client then manages the
    /// tenant access token for endpoints that take one (`send()`): fetched
    /// on first use, refreshed ahead of expiry, fetched once however many
    /// requests wait.
    ///
    /// **Which clients share a token.** Clones of a [`Client`] always share
    /// it. Clients built separately share it (one token per app in the
    /// process) only when everything that shapes the token fetch is the
    /// same: app id, app secret, base URL, [`token_refresh_margin`],
    /// [`timeout`], [`max_response_bytes`], and the built-in HTTP client's
    /// settings ([`user_agent`], [`connect_timeout`], proxy from the
    /// environment or [`no_proxy`]). A client with an explicit
    /// [`proxy`](ClientBuilder::proxy) or its own
    /// [`http_client`](ClientBuilder::http_client) always has a token of its
    /// own (its transport cannot be compared with another's): to share
    /// that token, clone the client. So no client ever fetches its token
    /// with another client's settings.
    ///
    /// [`token_refresh_margin`]: ClientBuilder::token_refresh_margin
    /// [`timeout`]: ClientBuilder::timeout
    /// [`max_response_bytes`]: ClientBuilder::max_response_bytes
    /// [`user_agent`]: ClientBuilder::user_agent
    /// [`connect_timeout`]: ClientBuilder::connect_timeout
    /// [`no_proxy`]: ClientBuilder::no_proxy
    pub fn app_credentials(
        mut self,
        app_id: impl Into<String>,
        app_secret: impl Into<String>,
    ) -> Self {
        self.app = Some(AppCredentials {
            app_id: app_id.into(),
            app_secret: app_secret.into().into_boxed_str(),
        });
        self
    }

    /// A caller-supplied tenant token source (takes precedence over
    /// [`ClientBuilder::app_credentials`]).
    pub fn token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.provider = Some(provider);
        self
    }

    /// How long before expiry a managed token is refreshed (default 3 minutes;
    /// never more than half the token's lifetime).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]; [`RetryPolicy::disabled`] turns retries off).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The client-side rate limiter, seeded per endpoint from the spec's
    /// documented limits. **On by default, and it blocks**: a call beyond
    /// an endpoint's limit waits for the next window rather than being
    /// sent, so a batch job or a benchmark looping over `notification.get`
    /// sees 100 calls a minute. `rate_limiter(false)` turns it off (the
    /// server's 429s are then waited out and retried by the retry policy).
    pub fn rate_limiter(mut self, on: bool) -> Self {
        self.rate_limiter = on;
        self
    }

    /// Use this limiter instead of the in-process one (e.g. one shared
    /// through Redis by many processes). Ignored when the limiter is off.
    pub fn rate_limiter_backend(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.limiter_backend = Some(limiter);
        self
    }

    /// Share the managed tenant token and the rate limiter with every other
    /// process that uses the same Redis (feature `redis`). The limiter's
    /// quota is per app id (from [`ClientBuilder::app_credentials`]).
    #[cfg(feature = "redis")]
    pub fn redis(mut self, shared: crate::redis_store::RedisShared) -> Self {
        self.redis = Some(shared);
        self
    }

    /// The `User-types::Agent` header (default `helpdesk-api-rust/<version>`).
    /// With [`ClientBuilder::http_client`], one set here is sent on each
    /// request; when none is set, the application client's is.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self.user_agent_set = true;
        self
    }

    /// Sends every request, the token fetch included, through this proxy
    /// (call again to add more; the first that matches a URL is used, as
    /// in reqwest). The proxy environment variables are then not read.
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = helpdesk_api::Client::builder()
    ///     .proxy(reqwest::Proxy::https("http://egress.corp.example:3128")?)
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    ///
    /// Not with [`ClientBuilder::http_client`] (configure the proxy on that
    /// client): `build` refuses the two together.
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        match &mut self.proxy {
            ProxySetting::Explicit(list) => list.push(proxy),
            other => *other = ProxySetting::Explicit(vec![proxy]),
        }
        self
    }

    /// Connects straight to the server: no proxy, whatever the environment
    /// says (and forgets proxies given with [`ClientBuilder::proxy`]).
    ///
    /// By default the client uses the proxy environment the way reqwest
    /// does: `HTTPS_PROXY` for `https://` URLs, `HTTP_PROXY` for `http://`
    /// ones, `ALL_PROXY` for both (lower-case names too), read when the
    /// client is built; hosts listed in `NO_PROXY` are reached directly.
    /// Loopback is **not** exempt by itself: with a proxy in the
    /// environment, a client of a local mock server (`http://127.0.0.1:…`)
    /// goes through the proxy unless `NO_PROXY` lists `127.0.0.1` /
    /// `localhost`, or the client is built with `no_proxy()`.
    ///
    /// Not with [`ClientBuilder::http_client`]: `build` refuses the two
    /// together.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxySetting::Off;
        self
    }

    /// Sends every request, the tenant token fetch included, with the
    /// application's own reqwest client (its connection pool, proxy, TLS,
    /// DNS, default headers, middleware-free settings), progenitor's
    /// `new_with_client` shape.
    ///
    /// The builder then no longer controls, and `build` refuses together
    /// with it: [`proxy`](ClientBuilder::proxy),
    /// [`no_proxy`](ClientBuilder::no_proxy) and
    /// [`connect_timeout`](ClientBuilder::connect_timeout) (a request's own
    /// `.connect_timeout(…)` fails with [`Error::InvalidRequest`]). TLS
    /// (roots, provider, versions) and the connection pool are the
    /// application's. [`timeout`](ClientBuilder::timeout) and
    /// [`user_agent`](ClientBuilder::user_agent) apply to each request only
    /// when set explicitly, otherwise the application client's own are in
    /// force. Everything else is unchanged: the managed token's fetch bound
    /// (the builder's `timeout`, 30 s by default), `call_timeout`, retries,
    /// the rate limiter, `max_response_bytes`, redaction.
    ///
    /// **Redirects.** The client's own HTTP client never follows redirects:
    /// a bearer token must not reach another host. The redirect policy of a
    /// `reqwest::Client` cannot be read, so build yours with
    /// `.redirect(reqwest::redirect::Policy::none())`. If it follows
    /// redirects anyway, the runtime still refuses to use what comes back:
    /// a reply whose URL differs from the request's (the redirect was
    /// followed) or that is a 3xx is an error ([`ReplyErrorKind::Redirect`],
    /// or a token error for the token fetch), never a result. What reqwest
    /// does on the way: it drops `Authorization` when a redirect leaves the
    /// host, and the client's request bodies (the token request with the
    /// app secret included) are never re-sent by a 307/308 (they are sent as
    /// streams, which reqwest does not replay); but a followed 301/302/303
    /// repeats the other headers, the `X-Lark-Helpdesk-Authorization`
    /// credential among them, to the new location. Only
    /// `Policy::none()` prevents that.
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()?;
    /// let client = helpdesk_api::Client::builder()
    ///     .app_credentials("cli_xxx", "app-secret")
    ///     .http_client(http)
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(SuppliedHttp(client));
        self
    }

    /// The HTTP client the calls use: the application's (refusing the
    /// settings that cannot apply to it), or one built from the settings.
    fn http_client_and_config(&self) -> Result<(reqwest::Client, Option<HttpConfig>), BuildError> {
        match &self.http {
            Some(SuppliedHttp(http)) => {
                let conflict = match &self.proxy {
                    ProxySetting::Explicit(_) => Some("proxy"),
                    ProxySetting::Off => Some("no_proxy"),
                    ProxySetting::Environment => {
                        self.connect_timeout_set.then_some("connect_timeout")
                    }
                };
                if let Some(setting) = conflict {
                    return Err(BuildError {
                        reason: format!(
                            "ClientBuilder::{setting} cannot be applied to an application-supplied \
                                 HTTP client (ClientBuilder::http_client): configure it on that client"
                        ),
                    });
                }
                Ok((http.clone(), None))
            }
            None => {
                let config = HttpConfig {
                    user_agent: self.user_agent.clone(),
                    timeout: self.timeout,
                    connect_timeout: self.connect_timeout,
                    proxy: self.proxy.clone(),
                };
                let http = config
                    .build(self.connect_timeout)
                    .map_err(|reason| BuildError { reason })?;
                Ok((http, Some(config)))
            }
        }
    }

    /// With a Redis store: the shared rate limiter and tenant token, unless
    /// the application chose its own.
    #[cfg(feature = "redis")]
    fn use_redis(&mut self, token_endpoint: Option<&TokenEndpoint>) {
        if let Some(shared) = self.redis.take() {
            let app = self
                .app
                .as_ref()
                .map_or("default", |a| a.app_id.as_str())
                .to_string();
            if self.limiter_backend.is_none() {
                self.limiter_backend = Some(Arc::new(crate::redis_store::RedisRateLimiter::new(
                    shared.clone(),
                    app,
                )));
            }
            if let (None, Some(endpoint)) = (&self.provider, token_endpoint) {
                self.provider = Some(Arc::new(crate::redis_store::RedisTenantToken::new(
                    shared,
                    (*endpoint).clone(),
                    &self.base_url,
                )));
            }
        }
    }

    /// Builds the client.
    pub fn build(#[allow(unused_mut)] mut self) -> Result<Client, BuildError> {
        if !(self.base_url.starts_with("https://") || self.base_url.starts_with("http://")) {
            return Err(BuildError {
                reason: format!(
                    "base URL `{}` must start with https:// or http://",
                    self.base_url
                ),
            });
        }
        let helpdesk = match &self.helpdesk {
            None => None,
            Some(c) => {
                let mut v = HeaderValue::from_str(&c.header_value()).map_err(|_| BuildError {
                    reason: "helpdesk credentials do not form a valid header value".into(),
                })?;
                v.set_sensitive(true);
                Some(v)
            }
        };
        let (http, config) = self.http_client_and_config()?;
        let supplied = config.is_none();
        let user_agent = match supplied && self.user_agent_set {
            false => None,
            true => Some(
                HeaderValue::from_str(&self.user_agent).map_err(|_| BuildError {
                    reason: "the user agent is not a valid header value".into(),
                })?,
            ),
        };
        let token_endpoint = self.app.as_ref().map(|a| TokenEndpoint {
            http: http.clone(),
            user_agent: user_agent.clone(),
            sharing: config
                .as_ref()
                .and_then(HttpConfig::sharing_key)
                .map(Into::into),
            url: format!("{}{}", self.base_url, crate::tokens::TENANT_TOKEN_PATH).into(),
            app_id: a.app_id.as_str().into(),
            app_secret: (*a.app_secret).into(),
            timeout: self.timeout.unwrap_or(DEFAULT_TOKEN_TIMEOUT),
            max_bytes: self.max_response_bytes,
            margin: self.refresh_margin,
        });
        #[cfg(feature = "redis")]
        self.use_redis(token_endpoint.as_ref());
        let tenant: Option<Arc<dyn TokenProvider>> = match (self.provider, token_endpoint) {
            (Some(p), _) => Some(p),
            (None, Some(endpoint)) => Some(ManagedTenantToken::shared(endpoint, &self.base_url)),
            (None, None) => None,
        };
        let secrets = [
            self.helpdesk.as_ref().map_or("", |c| c.token()).into(),
            self.app.as_ref().map_or("", |a| &*a.app_secret).into(),
        ];
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                config,
                exchange_timeout: match supplied && !self.timeout_set {
                    true => None,
                    false => self.timeout,
                },
                per_request_timeout: supplied && self.timeout_set,
                user_agent,
                connect_timeout: self.connect_timeout,
                call_timeout: self.call_timeout,
                secrets,
                connect_pools: std::sync::Mutex::new(Vec::new()),
                base_url: self.base_url,
                helpdesk,
                helpdesk_id: self.helpdesk.map(|c| c.id().to_string()),
                max_response_bytes: self.max_response_bytes,
                retry: self.retry,
                limiter: self.rate_limiter.then(|| {
                    self.limiter_backend
                        .unwrap_or_else(|| Arc::new(InProcessRateLimiter::default()))
                }),
                tenant,
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

    /// What the OAuth token endpoint of a managed user token is called
    /// with (`user_token.rs`): this client's HTTP client, `User-types::Agent`,
    /// reply bound and exchange timeout.
    pub(crate) fn oauth_transport(
        &self,
    ) -> (
        reqwest::Client,
        Option<HeaderValue>,
        usize,
        Option<Duration>,
    ) {
        let i = &self.inner;
        (
            i.http.clone(),
            i.user_agent.clone(),
            i.max_response_bytes,
            i.exchange_timeout,
        )
    }

    /// Sends a call and decodes the reply: the one path every generated
    /// `send_with` / `send` takes (tokens, limiter, retries, tracing).
    pub(crate) async fn execute<T, E>(&self, call: Call<'_>) -> Result<T, Error<E>>
    where
        T: DeserializeOwned + Send,
        E: OperationError,
    {
        self.run::<JsonReply<T>, E>(call).await
    }

    /// Like [`Client::execute`] for endpoints that reply with a file: a
    /// success is handed over unread, as a stream; an error reply is decoded.
    pub(crate) async fn execute_download<E>(&self, call: Call<'_>) -> Result<Download, Error<E>>
    where
        E: OperationError,
    {
        self.run::<FileReply, E>(call).await
    }

    async fn run<M, E>(&self, call: Call<'_>) -> Result<M::Out, Error<E>>
    where
        M: ReplyMode,
        E: OperationError,
    {
        let inner = &*self.inner;
        let ep = call.endpoint;
        let policy = call.options.retry.as_ref().unwrap_or(&inner.retry);
        let idempotent = ep.method == Method::Get
            || call.options.retry_non_idempotent
            || policy.retry_non_idempotent;
        let url = self.url(&call);
        let body = call.body.map(bytes::Bytes::from);
        let started = tokio::time::Instant::now();
        let limit = call.options.timeout.or(inner.call_timeout);
        let deadline = Deadline {
            at: limit.and_then(|l| started.checked_add(l)),
            limit: limit.unwrap_or_default(),
        };
        let mut transport = Transport {
            http: self.http_for(call.options.connect_timeout)?,
            timeout: None,
        };
        let mut attempt: u32 = 0;
        let mut token_retried = false;
        loop {
            attempt += 1;
            let (secret, managed) = self.call_token(call.auth, ep, &deadline).await?;
            // The slot is taken last, just before sending: a slot granted
            // before a slow token fetch would let requests bunch up.
            if let Some(l) = &inner.limiter {
                deadline
                    .bound("waiting for a rate-limit slot", l.acquire(ep))
                    .await?;
            }
            let span = tracing::info_span!(
                "helpdesk.request",
                endpoint = ep.id,
                method = ep.method.as_str(),
                attempt,
                status = tracing::field::Empty,
                code = tracing::field::Empty,
                log_id = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let t0 = tokio::time::Instant::now();
            transport.timeout = deadline.remaining()?;
            let fut = self.attempt::<M, E>(ep, &url, &secret, body.clone(), &transport);
            // Entering a span on every poll costs; skip it when no subscriber wants it.
            let (result, reset) = if span.is_disabled() {
                fut.await
            } else {
                fut.instrument(span.clone()).await
            };
            span.record("duration_ms", t0.elapsed().as_millis() as u64);
            let err = match result {
                Ok(out) => {
                    span.record("code", 0);
                    tracing::debug!(parent: &span, "request succeeded");
                    return Ok(out);
                }
                Err(e) => e,
            };
            record_failure(&span, &err);
            // Error Display never holds a token or secret (tested).
            tracing::debug!(parent: &span, error = %err, "request failed");
            let can_retry = attempt < policy.max_attempts
                && started.elapsed() < policy.max_elapsed
                && deadline.remaining::<E>().is_ok();
            let code = err.code();
            let retry_after: Option<(Duration, &str)> = match &err {
                Error::Api(_) | Error::Reply(_)
                    if code.is_some_and(|c| TOKEN_INVALID_CODES.contains(&c)) =>
                {
                    let Error::Api(e) = err else {
                        return Err(err);
                    };
                    let api = e.into_api_error();
                    match (&inner.tenant, managed) {
                        (Some(p), Some(tok)) if !token_retried => {
                            // Evict, refetch, retry once; not counted as an attempt.
                            tracing::info!(parent: &span, code = api.code, "token rejected: refreshing and retrying once");
                            p.invalidate(&tok).await;
                            token_retried = true;
                            attempt -= 1;
                            continue;
                        }
                        _ => return Err(Error::TokenInvalid(api)),
                    }
                }
                other => retry_wait(other, reset, policy, attempt, can_retry, idempotent),
            };
            match retry_after {
                // A wait that would outlast the call's time limit is not worth starting.
                Some((wait, _))
                    if deadline
                        .at
                        .is_some_and(|at| tokio::time::Instant::now() + wait >= at) =>
                {
                    return Err(err);
                }
                Some((wait, reason)) => {
                    tracing::info!(parent: &span, wait_ms = wait.as_millis() as u64, reason, "retrying");
                    tokio::time::sleep(wait).await;
                }
                None => return Err(give_up(err)),
            }
        }
    }

    /// The access token of one attempt: the one given to `send_with`, or the
    /// managed tenant token (waited for within the call's time limit).
    async fn call_token<'c, E>(
        &self,
        auth: Auth<'c>,
        ep: &'static crate::runtime::Endpoint,
        deadline: &Deadline,
    ) -> Result<(std::borrow::Cow<'c, str>, Option<TenantAccessToken>), Error<E>> {
        match auth {
            Auth::Given(s) => Ok((s.into(), None)),
            Auth::Tenant => {
                let Some(p) = &self.inner.tenant else {
                    return Err(Error::InvalidRequest(InvalidRequest {
                        reason: format!(
                            "{} needs a tenant access token: configure ClientBuilder::app_credentials or \
                             ClientBuilder::token_provider, or pass one to send_with",
                            ep.id
                        ),
                    }));
                };
                let t = deadline
                    .bound("waiting for a tenant access token", p.tenant_access_token())
                    .await?
                    .map_err(Error::Token)?;
                Ok((t.secret().to_owned().into(), Some(t)))
            }
        }
    }

    fn url(&self, call: &Call<'_>) -> String {
        let base = &self.inner.base_url;
        let q = call.query.as_str();
        let mut url = String::with_capacity(base.len() + call.path.len() + q.len() + 1);
        url.push_str(base);
        url.push_str(&call.path);
        if !q.is_empty() {
            url.push('?');
            url.push_str(q);
        }
        url
    }

    /// For a call with its own connect timeout, a client whose pool opens
    /// connections with it; `None` for the client's own.
    fn http_for<E>(
        &self,
        connect_timeout: Option<Duration>,
    ) -> Result<Option<reqwest::Client>, Error<E>> {
        let inner = &*self.inner;
        let Some(ct) = connect_timeout else {
            return Ok(None);
        };
        let Some(config) = &inner.config else {
            return Err(Error::InvalidRequest(InvalidRequest {
                reason: "a request's connect timeout cannot be applied to an application-supplied \
                         HTTP client (ClientBuilder::http_client): configure it on that client"
                    .into(),
            }));
        };
        if Some(ct) == inner.connect_timeout {
            return Ok(None);
        }
        let mut pools = inner
            .connect_pools
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some((_, http)) = pools.iter().find(|(d, _)| *d == ct) {
            return Ok(Some(http.clone()));
        }
        let http = config.build(Some(ct)).map_err(|e| {
            Error::InvalidRequest(InvalidRequest {
                reason: format!("cannot make an HTTP client with connect timeout {ct:?}: {e}"),
            })
        })?;
        if pools.len() < MAX_CONNECT_POOLS {
            pools.push((ct, http.clone()));
        }
        Ok(Some(http))
    }

    /// One attempt: send, then decode (or hand over a download). Also
    /// returns `x-ogw-ratelimit-reset` when the reply had it.
    async fn attempt<M, E>(
        &self,
        ep: &'static crate::runtime::Endpoint,
        url: &str,
        token: &str,
        body: Option<bytes::Bytes>,
        transport: &Transport,
    ) -> (Result<M::Out, Error<E>>, Option<u64>)
    where
        M: ReplyMode,
        E: OperationError,
    {
        let resp = match self.send(ep, url, token, body, transport).await {
            Ok(r) => r,
            Err(e) => return (Err(e), None),
        };
        let status = resp.status().as_u16();
        let log_id = resp
            .headers()
            .get(&LOG_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let reset = resp
            .headers()
            .get(&RATE_LIMIT_RESET)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let resp = match M::unread(resp, status, &log_id, self.inner.max_response_bytes) {
            ControlFlow::Break(out) => return (Ok(out), reset),
            ControlFlow::Continue(resp) => resp,
        };
        let bytes = match read_body(
            resp,
            self.inner.max_response_bytes,
            status,
            log_id.as_deref(),
        )
        .await
        {
            Ok(b) => b,
            Err(e) => return (Err(e), reset),
        };
        let [hd_token, app_secret] = &self.inner.secrets;
        let hd_header = self
            .inner
            .helpdesk
            .as_ref()
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let secrets = [token, hd_token, hd_header, app_secret];
        (M::decode(status, log_id, &bytes, &secrets), reset)
    }

    async fn send<E>(
        &self,
        endpoint: &'static crate::runtime::Endpoint,
        url: &str,
        token: &str,
        body: Option<bytes::Bytes>,
        transport: &Transport,
    ) -> Result<reqwest::Response, Error<E>> {
        let inner = &*self.inner;
        let mut auth = HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| InvalidRequest {
            reason: "the access token holds characters not allowed in a header (CR, LF, NUL or other control characters)".into(),
        })?;
        auth.set_sensitive(true);
        let http = transport.http.as_ref().unwrap_or(&inner.http);
        let mut req = http
            .request(endpoint.method.to_reqwest(), url)
            .header(AUTHORIZATION, auth);
        if let Some(ua) = &inner.user_agent {
            req = req.header(reqwest::header::USER_AGENT, ua.clone());
        }
        if endpoint.helpdesk_header {
            match &inner.helpdesk {
                Some(h) => req = req.header(HELPDESK.clone(), h.clone()),
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
                .header(
                    reqwest::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                )
                .body(crate::runtime::stream_body(body));
        }
        let mut timeout = inner.exchange_timeout.filter(|_| inner.per_request_timeout);
        if let Some(t) = transport.timeout {
            // The call's remaining time, when shorter than the exchange's limit.
            if inner.exchange_timeout.is_none_or(|ct| t < ct) {
                timeout = Some(t);
            }
        }
        if let Some(t) = timeout {
            req = req.timeout(t);
        }
        let request = req.build().map_err(transport_error)?;
        let sent = request.url().clone();
        let resp = http.execute(request).await.map_err(transport_error)?;
        if let Some(detail) = crate::runtime::redirect_problem(&sent, &resp) {
            return Err(Error::Reply(ReplyError {
                kind: ReplyErrorKind::Redirect,
                status: resp.status().as_u16(),
                code: None,
                log_id: resp
                    .headers()
                    .get(&LOG_ID)
                    .and_then(|v| v.to_str().ok())
                    .map(|s| crate::redact::bounded(s, crate::redact::MAX_TEXT)),
                excerpt: String::new(),
                detail,
            }));
        }
        Ok(resp)
    }
}

/// At most this many extra connection pools for per-request connect
/// timeouts; a request with yet another value gets a pool of its own.
const MAX_CONNECT_POOLS: usize = 8;

/// How one call's attempts are sent.
struct Transport {
    /// A client for the call's own connect timeout; `None`: the client's.
    http: Option<reqwest::Client>,
    /// What is left of the call's time limit, if it has one.
    timeout: Option<Duration>,
}

/// The time limit of one call, if it has one.
struct Deadline {
    at: Option<tokio::time::Instant>,
    limit: Duration,
}

impl Deadline {
    /// Time left (`None`: no limit), or the timeout error if none is.
    fn remaining<E>(&self) -> Result<Option<Duration>, Error<E>> {
        let Some(at) = self.at else { return Ok(None) };
        let now = tokio::time::Instant::now();
        if now >= at {
            return Err(Error::Timeout(TransportError::deadline(
                "between attempts",
                self.limit,
            )));
        }
        Ok(Some(at - now))
    }

    /// `fut`, bounded by the time left; `stage` names the wait in the error.
    async fn bound<F: std::future::Future, E>(
        &self,
        stage: &'static str,
        fut: F,
    ) -> Result<F::Output, Error<E>> {
        match self.at {
            None => Ok(fut.await),
            Some(at) => tokio::time::timeout_at(at, fut)
                .await
                .map_err(|_| Error::Timeout(TransportError::deadline(stage, self.limit))),
        }
    }
}

/// Puts a failed attempt's status, code and log id on its span.
fn record_failure<E>(span: &tracing::Span, err: &Error<E>)
where
    E: OperationError,
{
    if let Some(s) = err.status() {
        span.record("status", s);
    }
    if let Some(c) = err.code() {
        span.record("code", c);
    }
    if let Some(l) = err.log_id() {
        span.record("log_id", l);
    }
}

/// How long to wait before the next attempt after `err`, and why; `None`:
/// do not retry. Rate limits wait for `x-ogw-ratelimit-reset` when the reply
/// had it; server errors and timeouts are retried only when idempotent;
/// a connection that failed to open always may be.
fn retry_wait<E>(
    err: &Error<E>,
    reset: Option<u64>,
    policy: &RetryPolicy,
    attempt: u32,
    can_retry: bool,
    idempotent: bool,
) -> Option<(Duration, &'static str)>
where
    E: OperationError,
{
    let status = err.status().unwrap_or(0);
    let code = err.code();
    let backoff = || policy.jittered(policy.backoff(attempt));
    match err {
        _ if code == Some(RATE_LIMITED_CODE) || status == 429 => can_retry.then(|| {
            let wait = match reset {
                Some(secs) => Duration::from_secs(secs).min(policy.max_rate_limit_wait),
                None => backoff(),
            };
            (wait, "rate limited")
        }),
        Error::Api(_) | Error::Reply(_) if status >= 500 || code == Some(INTERNAL_ERROR_CODE) => {
            (can_retry && idempotent).then(|| (backoff(), "server error"))
        }
        Error::Transport(t) if t.is_connect() => can_retry.then(|| (backoff(), "connect failed")),
        Error::Transport(_) | Error::Timeout(_) => {
            (can_retry && idempotent).then(|| (backoff(), "transport error"))
        }
        _ => None,
    }
}

/// The error of a call that will not be retried: a rate limit that
/// outlasted the policy is reported as such.
fn give_up<E>(err: Error<E>) -> Error<E>
where
    E: OperationError,
{
    let limited = err.code() == Some(RATE_LIMITED_CODE) || err.status() == Some(429);
    match err {
        Error::Api(e) if limited => Error::RateLimited(e.into_api_error()),
        other => other,
    }
}

/// How a reply becomes the call's result: decoded JSON for most endpoints,
/// a file for those whose spec says the reply is binary.
trait ReplyMode {
    /// What a successful call returns.
    type Out: Send;

    /// A reply handed over without reading it (`Break`: a file), or given
    /// back to be read and decoded (`Continue`).
    fn unread(
        resp: reqwest::Response,
        status: u16,
        log_id: &Option<String>,
        limit: usize,
    ) -> ControlFlow<Self::Out, reqwest::Response>;

    /// Decodes a reply that was read.
    fn decode<E: OperationError>(
        status: u16,
        log_id: Option<String>,
        body: &[u8],
        secrets: &[&str],
    ) -> Result<Self::Out, Error<E>>;
}

/// The `{code, msg, data}` envelope, `data` decoded as `T`.
struct JsonReply<T>(std::marker::PhantomData<fn() -> T>);

impl<T: DeserializeOwned + Send> ReplyMode for JsonReply<T> {
    type Out = T;

    fn unread(
        resp: reqwest::Response,
        _: u16,
        _: &Option<String>,
        _: usize,
    ) -> ControlFlow<T, reqwest::Response> {
        ControlFlow::Continue(resp)
    }

    fn decode<E: OperationError>(
        status: u16,
        log_id: Option<String>,
        body: &[u8],
        secrets: &[&str],
    ) -> Result<T, Error<E>> {
        decode_reply_scrubbed(status, log_id.as_deref(), body, secrets)
    }
}

/// A file: a 2xx reply that is not JSON is handed over as a stream; a JSON
/// reply is an error envelope (and one with code 0 is not a file).
struct FileReply;

impl ReplyMode for FileReply {
    type Out = Download;

    fn unread(
        resp: reqwest::Response,
        status: u16,
        log_id: &Option<String>,
        limit: usize,
    ) -> ControlFlow<Download, reqwest::Response> {
        let is_json = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        if (200..300).contains(&status) && !is_json {
            ControlFlow::Break(Download::new(resp, log_id.clone(), limit))
        } else {
            ControlFlow::Continue(resp)
        }
    }

    fn decode<E: OperationError>(
        status: u16,
        log_id: Option<String>,
        body: &[u8],
        secrets: &[&str],
    ) -> Result<Download, Error<E>> {
        decode_reply_scrubbed::<serde::de::IgnoredAny, E>(
            status,
            log_id.as_deref(),
            body,
            secrets,
        )?;
        Err(Error::Reply(ReplyError {
            kind: ReplyErrorKind::BadEnvelope,
            status,
            code: Some(0),
            log_id,
            excerpt: crate::runtime::excerpt_scrubbed(body, secrets),
            detail: "expected a file, got a JSON reply".into(),
        }))
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
        Download {
            resp,
            log_id,
            file_name,
            limit,
        }
    }

    /// The file name from `Content-Disposition`, if the server sent one.
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&str> {
        self.resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
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

    /// Streams the whole file into `out` (a file, a socket, a hasher...),
    /// chunk by chunk: memory use stays at one chunk whatever the file's
    /// size, and the client's `max_response_bytes` does not apply. Returns
    /// the number of bytes written; a transport failure is an
    /// [`std::io::Error`] wrapping the [`TransportError`].
    pub async fn write_to<W>(mut self, out: &mut W) -> std::io::Result<u64>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        use tokio::io::AsyncWriteExt;
        let mut written = 0u64;
        while let Some(chunk) = self.chunk().await.map_err(std::io::Error::other)? {
            out.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        out.flush().await?;
        Ok(written)
    }

    /// The whole file in memory, up to the client's `max_response_bytes`
    /// (a larger file is a [`ReplyErrorKind::TooLarge`] error: use
    /// [`Download::chunk`] or [`Download::write_to`] for those).
    pub async fn bytes(self) -> Result<Vec<u8>, Error<std::convert::Infallible>> {
        let status = self.resp.status().as_u16();
        read_body(self.resp, self.limit, status, self.log_id.as_deref())
            .await
            .map(|b| b.to_vec())
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
) -> Result<bytes::Bytes, Error<E>> {
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
    // Most replies arrive in one chunk: keep it as it is, no copy.
    let Some(first) = resp.chunk().await.map_err(transport_error)? else {
        return Ok(bytes::Bytes::new());
    };
    if first.len() > limit {
        return Err(too_large(&first));
    }
    let Some(second) = resp.chunk().await.map_err(transport_error)? else {
        return Ok(first);
    };
    let mut body = Vec::with_capacity((declared as usize).max(first.len() + second.len()));
    body.extend_from_slice(&first);
    let mut next = Some(second);
    while let Some(chunk) = next {
        if body.len() + chunk.len() > limit {
            return Err(too_large(&body));
        }
        body.extend_from_slice(&chunk);
        next = resp.chunk().await.map_err(transport_error)?;
    }
    Ok(body.into())
}
