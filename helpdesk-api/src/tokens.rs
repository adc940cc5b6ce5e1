//! Tenant access tokens: the managed source (app_id + app_secret, cached,
//! refreshed ahead of expiry, fetched once however many requests wait) and
//! the [`TokenProvider`] trait for callers who manage tokens themselves.
//!
//! Under faults the managed source keeps these bounds:
//! - one fetch at a time per cache: every caller that needs a token while a
//!   fetch runs waits for that fetch and shares its outcome, failure
//!   included; the fetch runs on its own task, so callers that give up do
//!   not cancel it for the others;
//! - a fetch is bounded by the client's timeout (30 s when none is set);
//! - a failure is remembered and answered from memory until a backoff
//!   passes: 1 s, doubling to 30 s for failures that may pass (5xx, resets,
//!   timeouts, malformed replies), 30 s doubling to 5 min for refusals of
//!   the credentials (HTTP 4xx with a code, e.g. 10014 app secret invalid);
//! - a token past its refresh time but not yet expired is still used while
//!   the refresh runs, so a token endpoint outage shorter than the refresh
//!   margin is not seen by callers;
//! - the `expire` of a reply is clamped to [60 s, 1 day]: no arithmetic on
//!   it can overflow, and a token announced with no lifetime is not
//!   fetched again on every call (it is used until the platform rejects it).

use crate::auth::TenantAccessToken;
use crate::auth::Token;
use crate::error::{TokenError, TokenErrorKind};
use crate::redact;
use crate::runtime::BoxFuture;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// Path of the self-built app tenant token endpoint.
pub const TENANT_TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";

/// Default time before expiry at which a managed token is refreshed.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(180);

/// Shortest lifetime assumed for a token, whatever its reply's `expire`.
pub const MIN_TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// Longest lifetime assumed for a token (the platform's are 2 hours).
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// Token endpoint codes that refuse the credentials themselves: no retry
/// helps until the configuration changes (10003 invalid param, 10014 app
/// secret invalid).
const CREDENTIALS_REFUSED: [i64; 2] = [10003, 10014];

/// A source of tenant access tokens supplied by the caller (ISV apps,
/// tokens shared through a cache of the caller's own, ...).
pub trait TokenProvider: Send + Sync + fmt::Debug + 'static {
    /// A currently valid tenant access token.
    fn tenant_access_token(&self) -> BoxFuture<'_, Result<TenantAccessToken, TokenError>>;

    /// Called when the platform rejected `token` as invalid or expired; the
    /// next [`TokenProvider::tenant_access_token`] should not return it.
    fn invalidate(&self, token: &TenantAccessToken) -> BoxFuture<'_, ()> {
        let _ = token;
        Box::pin(async {})
    }
}

/// How long a fetched token may be used.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lifetime {
    /// Until a refresh is due.
    pub(crate) refresh_in: Duration,
    /// Until the token expires (it is still used, while a refresh runs).
    pub(crate) expires_in: Duration,
}

impl Lifetime {
    /// A lifetime whose refresh falls no later than its expiry.
    pub(crate) fn new(refresh_in: Duration, expires_in: Duration) -> Lifetime {
        Lifetime {
            refresh_in: refresh_in.min(expires_in),
            expires_in,
        }
    }

    /// The lifetime of a token announced with `expire` seconds, clamped to
    /// [`MIN_TOKEN_LIFETIME`, `MAX_TOKEN_LIFETIME`]; refreshed `margin`
    /// before expiry, but never sooner than half the lifetime.
    pub(crate) fn from_expire(expire_secs: u64, margin: Duration) -> Lifetime {
        let ttl = Duration::from_secs(expire_secs).clamp(MIN_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME);
        Lifetime {
            refresh_in: ttl - margin.min(ttl / 2),
            expires_in: ttl,
        }
    }
}

/// Backoff before asking the token endpoint again after `streak`
/// consecutive failures.
pub(crate) fn backoff(e: &TokenError, streak: u32) -> Duration {
    let (first, cap) = if e.is_permanent() {
        (Duration::from_secs(30), Duration::from_secs(300))
    } else {
        (Duration::from_secs(1), Duration::from_secs(30))
    };
    first
        .saturating_mul(2u32.saturating_pow(streak.saturating_sub(1).min(16)))
        .min(cap)
}

fn later(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .unwrap_or_else(|| now + MAX_TOKEN_LIFETIME)
}

type Outcome<T> = Option<Result<T, TokenError>>;

/// A process-local token cache with one fetch in flight at a time, shared
/// outcomes and remembered failures (see the module docs for the bounds).
/// Used by the managed token and, in front of Redis, by the shared one;
/// with `T = UserAccessToken`, by the managed user token (`user_token.rs`).
pub(crate) struct TokenCell<T = TenantAccessToken> {
    state: Arc<Mutex<CellState<T>>>,
}

impl<T> Default for TokenCell<T> {
    fn default() -> Self {
        TokenCell {
            state: Arc::new(Mutex::new(CellState {
                cached: None,
                flight: None,
                failure: None,
                streak: 0,
            })),
        }
    }
}

struct CellState<T> {
    cached: Option<Cached<T>>,
    flight: Option<watch::Receiver<Outcome<T>>>,
    failure: Option<(TokenError, Instant)>,
    streak: u32,
}

struct Cached<T> {
    token: T,
    refresh_at: Instant,
    expires_at: Instant,
}

impl<T: Token + Clone + Send + Sync + 'static> TokenCell<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, CellState<T>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cached token, or the outcome of the fetch in flight, or of a new
    /// fetch made by `fetch` (called only when one starts).
    pub(crate) async fn get<F>(&self, fetch: F) -> Result<T, TokenError>
    where
        F: Fn() -> BoxFuture<'static, Result<(T, Lifetime), TokenError>>,
    {
        // A fetch task that disappeared (its runtime shut down) is replaced once.
        for _ in 0..2 {
            let mut rx = {
                let mut st = self.lock();
                let now = Instant::now();
                let valid = match &st.cached {
                    Some(c) if now < c.refresh_at => return Ok(c.token.clone()),
                    Some(c) if now < c.expires_at => Some(c.token.clone()),
                    _ => None,
                };
                if st.flight.is_none() {
                    if let Some((e, retry_at)) = &st.failure {
                        if now < *retry_at {
                            return match valid {
                                Some(t) => Ok(t),
                                None => Err(TokenError {
                                    retry_after: Some(*retry_at - now),
                                    ..e.clone()
                                }),
                            };
                        }
                    }
                    st.flight = Some(self.launch(fetch()));
                }
                // Due for refresh but still valid: the refresh runs in the background.
                if let Some(t) = valid {
                    return Ok(t);
                }
                match &st.flight {
                    Some(rx) => rx.clone(),
                    None => continue,
                }
            };
            let abandoned = match rx.wait_for(Option::is_some).await {
                Ok(outcome) => match &*outcome {
                    Some(result) => return result.clone(),
                    None => true,
                },
                Err(_) => true,
            };
            if abandoned {
                let mut st = self.lock();
                if st.flight.as_ref().is_some_and(|f| f.same_channel(&rx)) {
                    st.flight = None;
                }
            }
        }
        Err(TokenError::of(
            TokenErrorKind::Unavailable,
            "the token fetch was abandoned (its runtime shut down)",
        ))
    }

    /// Runs `fut` on its own task: callers that give up do not cancel it.
    fn launch(
        &self,
        fut: BoxFuture<'static, Result<(T, Lifetime), TokenError>>,
    ) -> watch::Receiver<Outcome<T>> {
        let (tx, rx) = watch::channel(None);
        let state = self.state.clone();
        tokio::spawn(async move {
            let outcome = fut.await;
            let result = {
                let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
                st.flight = None;
                let now = Instant::now();
                match outcome {
                    Ok((token, life)) => {
                        st.cached = Some(Cached {
                            token: token.clone(),
                            refresh_at: later(now, life.refresh_in),
                            expires_at: later(now, life.expires_in),
                        });
                        st.failure = None;
                        st.streak = 0;
                        Ok(token)
                    }
                    Err(mut e) => {
                        // A source that knows when to ask again (a failure
                        // another process remembered) says so; else back off.
                        let wait = match e.retry_after {
                            Some(w) => w,
                            None => {
                                st.streak = st.streak.saturating_add(1);
                                backoff(&e, st.streak)
                            }
                        };
                        e.retry_after = Some(wait);
                        tracing::warn!(error = %e, kind = ?T::KIND, "access token fetch failed");
                        st.failure = Some((e.clone(), later(now, wait)));
                        Err(e)
                    }
                }
            };
            let _ = tx.send(Some(result));
        });
        rx
    }

    /// Caches `token` (obtained outside a fetch, e.g. by a code exchange)
    /// and forgets any remembered failure.
    // Used by the managed user token (user_token.rs).
    pub(crate) fn put(&self, token: T, life: Lifetime) {
        let mut st = self.lock();
        let now = Instant::now();
        st.cached = Some(Cached {
            token,
            refresh_at: later(now, life.refresh_in),
            expires_at: later(now, life.expires_in),
        });
        st.failure = None;
        st.streak = 0;
    }

    /// Forgets `token` if it is the cached one.
    pub(crate) fn invalidate(&self, token: &T) {
        let mut st = self.lock();
        if st
            .cached
            .as_ref()
            .is_some_and(|c| c.token.secret() == token.secret())
        {
            st.cached = None;
        }
    }
}

/// Everything that identifies one shared managed token cache: the app, its
/// secret, the server, and every setting of the fetch (refresh margin,
/// timeout, reply limit, the HTTP client's settings). Clients that differ
/// in any of them never share, so none fetches with another's settings.
#[derive(PartialEq, Eq, Hash)]
struct Key {
    app_id: String,
    app_secret: String,
    base_url: String,
    margin: Duration,
    timeout: Duration,
    max_bytes: usize,
    transport: Arc<str>,
}

/// How to call the token endpoint.
#[derive(Clone)]
pub(crate) struct TokenEndpoint {
    pub(crate) http: reqwest::Client,
    /// A `User-types::Agent` to send (set on an application-supplied client).
    pub(crate) user_agent: Option<reqwest::header::HeaderValue>,
    pub(crate) url: Arc<str>,
    pub(crate) app_id: Arc<str>,
    pub(crate) app_secret: Arc<str>,
    /// The settings of the client-built HTTP client, comparable between
    /// clients; `None` (an application's client, explicit proxies): this
    /// endpoint's token is never shared with another client's.
    pub(crate) sharing: Option<Arc<str>>,
    /// Bound on one fetch.
    pub(crate) timeout: Duration,
    /// Bound on the reply body.
    pub(crate) max_bytes: usize,
    pub(crate) margin: Duration,
}

impl fmt::Debug for TokenEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenEndpoint")
            .field("url", &self.url)
            .field("app_id", &self.app_id)
            .field("app_secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl TokenEndpoint {
    /// One fetch, bounded by the timeout.
    pub(crate) async fn fetch(&self) -> Result<(TenantAccessToken, Lifetime), TokenError> {
        let fetched = tokio::time::timeout(self.timeout, fetch_tenant_token(self)).await;
        let (token, expire) = fetched.unwrap_or_else(|_| {
            Err(TokenError::of(
                TokenErrorKind::Timeout,
                format!("no reply within {:?}", self.timeout),
            ))
        })?;
        Ok((token, Lifetime::from_expire(expire, self.margin)))
    }
}

/// The managed tenant token of one (app_id, app_secret, base URL, fetch
/// settings). Clients built with the same [`Key`] share one instance, so
/// one process fetches one token per app; different apps never share, and
/// a client whose HTTP client cannot be compared (an application's own,
/// explicit proxies) has its own.
pub(crate) struct ManagedTenantToken {
    endpoint: TokenEndpoint,
    cell: TokenCell,
    fetches: Arc<AtomicU64>,
}

impl fmt::Debug for ManagedTenantToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManagedTenantToken")
            .field("app_id", &self.endpoint.app_id)
            .field("app_secret", &"<redacted>")
            .field("url", &self.endpoint.url)
            .field("fetches", &self.fetches.load(Ordering::Relaxed))
            .finish()
    }
}

fn registry() -> &'static Mutex<HashMap<Key, Weak<ManagedTenantToken>>> {
    static REGISTRY: OnceLock<Mutex<HashMap<Key, Weak<ManagedTenantToken>>>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

impl ManagedTenantToken {
    /// The shared instance for these credentials and settings, created on
    /// first use; a new one of its own for an endpoint that cannot share.
    pub(crate) fn shared(endpoint: TokenEndpoint, base_url: &str) -> Arc<ManagedTenantToken> {
        let key = endpoint.sharing.as_ref().map(|transport| Key {
            app_id: endpoint.app_id.to_string(),
            app_secret: endpoint.app_secret.to_string(),
            base_url: base_url.to_string(),
            margin: endpoint.margin,
            timeout: endpoint.timeout,
            max_bytes: endpoint.max_bytes,
            transport: transport.clone(),
        });
        let new = |endpoint| {
            Arc::new(ManagedTenantToken {
                endpoint,
                cell: TokenCell::default(),
                fetches: Arc::default(),
            })
        };
        let Some(key) = key else {
            return new(endpoint);
        };
        let mut reg = registry().lock().unwrap_or_else(|e| e.into_inner());
        reg.retain(|_, w| w.strong_count() > 0);
        if let Some(m) = reg.get(&key).and_then(Weak::upgrade) {
            return m;
        }
        let m = new(endpoint);
        reg.insert(key, Arc::downgrade(&m));
        m
    }

    async fn get(&self) -> Result<TenantAccessToken, TokenError> {
        self.cell
            .get(|| {
                let endpoint = self.endpoint.clone();
                let fetches = self.fetches.clone();
                Box::pin(async move {
                    fetches.fetch_add(1, Ordering::Relaxed);
                    endpoint.fetch().await
                })
            })
            .await
    }
}

/// Reads a reply body up to `limit` bytes.
pub(crate) async fn read_bounded(
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, TokenError> {
    let status = resp.status().as_u16();
    let too_large = || TokenError {
        status: Some(status),
        ..TokenError::of(
            TokenErrorKind::TooLarge,
            format!("the token reply is larger than {limit} bytes"),
        )
    };
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => {
                return Err(TokenError {
                    status: Some(status),
                    ..transport_failure(e, "reading the token reply")
                });
            }
        }
    }
}

pub(crate) fn transport_failure(e: reqwest::Error, doing: &str) -> TokenError {
    let kind = if e.is_timeout() {
        TokenErrorKind::Timeout
    } else {
        TokenErrorKind::Unavailable
    };
    TokenError::of(kind, format!("{doing}: {}", e.without_url()))
}

/// A reply's `expire` as whole seconds, whatever JSON it is (a negative
/// number is 0, a huge one saturates); `None` when it is not a number.
pub(crate) fn expire_secs(v: &serde_json::Value) -> Option<u64> {
    match v {
        serde_json::Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_i64().map(|i| i.max(0) as u64))
            .or_else(|| n.as_f64().map(|f| f.clamp(0.0, u64::MAX as f64) as u64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Calls the tenant token endpoint: the token and its announced lifetime
/// in seconds (7200 when the reply has none).
pub(crate) async fn fetch_tenant_token(
    ep: &TokenEndpoint,
) -> Result<(TenantAccessToken, u64), TokenError> {
    let body =
        serde_json::json!({"app_id": &*ep.app_id, "app_secret": &*ep.app_secret}).to_string();
    tracing::debug!(app_id = %ep.app_id, "fetching tenant access token");
    let mut req = ep.http.post(&*ep.url).header(
        reqwest::header::CONTENT_TYPE,
        "application/json; charset=utf-8",
    );
    if let Some(ua) = &ep.user_agent {
        req = req.header(reqwest::header::USER_AGENT, ua.clone());
    }
    // A stream: a client that follows redirects does not replay the app
    // secret to a 307/308's location.
    let request = req
        .body(crate::runtime::stream_body(body.into()))
        .build()
        .map_err(|e| transport_failure(e, "token request"))?;
    let sent = request.url().clone();
    let resp = ep
        .http
        .execute(request)
        .await
        .map_err(|e| transport_failure(e, "token endpoint unreachable"))?;
    let status = resp.status().as_u16();
    if let Some(detail) = crate::runtime::redirect_problem(&sent, &resp) {
        return Err(TokenError {
            status: Some(status),
            ..TokenError::of(TokenErrorKind::BadReply, format!("token reply: {detail}"))
        });
    }
    let bytes = read_bounded(resp, ep.max_bytes).await?;
    let scrub = |s: &str| redact::scrub(s, &[&ep.app_secret], redact::MAX_TEXT);
    let with_status = |kind, reason: String| TokenError {
        status: Some(status),
        ..TokenError::of(kind, reason)
    };
    let unavailable = status >= 500 || status == 429;
    let reply: serde_json::Map<String, serde_json::Value> = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(_) if unavailable => {
            return Err(with_status(
                TokenErrorKind::Unavailable,
                format!(
                    "the token endpoint answered HTTP {status}: {}",
                    scrub(&crate::runtime::excerpt(&bytes))
                ),
            ));
        }
        Err(e) => {
            return Err(with_status(
                TokenErrorKind::BadReply,
                format!(
                    "the token reply is not the expected JSON: {}",
                    scrub(&e.to_string())
                ),
            ));
        }
    };
    let code = reply.get("code").and_then(serde_json::Value::as_i64);
    let token = reply
        .get("tenant_access_token")
        .and_then(serde_json::Value::as_str);
    match (code, token) {
        (Some(0), Some(t)) if !t.is_empty() && (200..300).contains(&status) => {
            let expire = reply.get("expire").and_then(expire_secs).unwrap_or(7200);
            Ok((TenantAccessToken::new(t), expire))
        }
        (code, _) => {
            let msg = reply
                .get("msg")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("the token endpoint gave no token");
            let kind = match code {
                Some(c) if CREDENTIALS_REFUSED.contains(&c) => TokenErrorKind::Rejected,
                Some(c) if c != 0 && (400..500).contains(&status) && status != 429 => {
                    TokenErrorKind::Rejected
                }
                Some(c) if c != 0 => TokenErrorKind::Unavailable,
                _ if unavailable => TokenErrorKind::Unavailable,
                _ => TokenErrorKind::BadReply,
            };
            Err(TokenError {
                code,
                ..with_status(kind, scrub(msg))
            })
        }
    }
}

impl TokenProvider for ManagedTenantToken {
    fn tenant_access_token(&self) -> BoxFuture<'_, Result<TenantAccessToken, TokenError>> {
        Box::pin(self.get())
    }

    fn invalidate(&self, token: &TenantAccessToken) -> BoxFuture<'_, ()> {
        self.cell.invalidate(token);
        Box::pin(async {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_are_clamped_whatever_the_wire_says() {
        let m = DEFAULT_REFRESH_MARGIN;
        let l = Lifetime::from_expire(u64::MAX, m);
        assert_eq!(l.expires_in, MAX_TOKEN_LIFETIME);
        let l = Lifetime::from_expire(0, m);
        assert_eq!(l.expires_in, MIN_TOKEN_LIFETIME);
        assert_eq!(l.refresh_in, MIN_TOKEN_LIFETIME / 2);
        let l = Lifetime::from_expire(7200, m);
        assert_eq!(l.refresh_in, Duration::from_secs(7200 - 180));
        let now = Instant::now();
        assert!(later(now, Duration::MAX) > now);
    }

    #[test]
    fn expire_of_any_json_shape_is_a_number_or_none() {
        use serde_json::json;
        assert_eq!(expire_secs(&json!(u64::MAX)), Some(u64::MAX));
        assert_eq!(expire_secs(&json!(-5)), Some(0));
        assert_eq!(expire_secs(&json!(1.5e300)), Some(u64::MAX));
        assert_eq!(expire_secs(&json!("7200")), Some(7200));
        assert_eq!(expire_secs(&json!(null)), None);
        assert_eq!(expire_secs(&json!([1])), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let transient = TokenError::of(TokenErrorKind::Unavailable, "x");
        let waits: Vec<_> = (1..=8).map(|n| backoff(&transient, n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30, 30]);
        let refused = TokenError::of(TokenErrorKind::Rejected, "x");
        assert_eq!(backoff(&refused, 1), Duration::from_secs(30));
        assert_eq!(backoff(&refused, u32::MAX), Duration::from_secs(300));
    }
}
