//! Tenant access tokens: the managed source (app_id + app_secret, cached,
//! refreshed ahead of expiry, fetched once however many requests wait) and
//! the [`TokenProvider`] trait for callers who manage tokens themselves.

use crate::auth::TenantAccessToken;
use crate::runtime::Token;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};
use std::time::Duration;
use tokio::time::Instant;

/// A boxed, sendable future (what [`TokenProvider`] methods return).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Path of the self-built app tenant token endpoint.
pub const TENANT_TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";

/// Default time before expiry at which a managed token is refreshed.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(180);

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

/// A token could not be obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenError {
    /// What went wrong (never contains the app secret or a token).
    pub reason: String,
    /// The token endpoint's `code`, when it answered with one.
    pub code: Option<i64>,
    /// HTTP status of the token endpoint's reply, when there was one.
    pub status: Option<u16>,
}

impl TokenError {
    /// An error with a reason.
    pub fn new(reason: impl Into<String>) -> Self {
        TokenError {
            reason: reason.into(),
            code: None,
            status: None,
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot obtain a tenant access token: {}", self.reason)?;
        if let Some(c) = self.code {
            write!(f, " (code {c})")?;
        }
        Ok(())
    }
}

impl std::error::Error for TokenError {}

#[derive(Clone)]
struct Cached {
    token: TenantAccessToken,
    refresh_at: Instant,
}

type Key = (String, String, String);

/// The managed tenant token of one (app_id, app_secret, base URL).
/// Clients built with the same three share one instance, so one process
/// fetches one token per app; different apps never share.
pub(crate) struct ManagedTenantToken {
    app_id: String,
    app_secret: Box<str>,
    url: String,
    http: reqwest::Client,
    margin: Duration,
    cached: RwLock<Option<Cached>>,
    fetch_lock: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
}

impl fmt::Debug for ManagedTenantToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManagedTenantToken")
            .field("app_id", &self.app_id)
            .field("app_secret", &"<redacted>")
            .field("url", &self.url)
            .field("fetches", &self.fetches.load(Ordering::Relaxed))
            .finish()
    }
}

fn registry() -> &'static Mutex<HashMap<Key, Weak<ManagedTenantToken>>> {
    static REGISTRY: OnceLock<Mutex<HashMap<Key, Weak<ManagedTenantToken>>>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

impl ManagedTenantToken {
    /// The shared instance for these credentials, created on first use.
    pub(crate) fn shared(
        app_id: &str,
        app_secret: &str,
        base_url: &str,
        http: &reqwest::Client,
        margin: Duration,
    ) -> Arc<ManagedTenantToken> {
        let key = (
            app_id.to_string(),
            app_secret.to_string(),
            base_url.to_string(),
        );
        let mut reg = registry().lock().unwrap_or_else(|e| e.into_inner());
        reg.retain(|_, w| w.strong_count() > 0);
        if let Some(m) = reg.get(&key).and_then(Weak::upgrade) {
            return m;
        }
        let m = Arc::new(ManagedTenantToken {
            app_id: app_id.to_string(),
            app_secret: app_secret.into(),
            url: format!("{base_url}{TENANT_TOKEN_PATH}"),
            http: http.clone(),
            margin,
            cached: RwLock::new(None),
            fetch_lock: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
        });
        reg.insert(key, Arc::downgrade(&m));
        m
    }

    fn fresh(&self) -> Option<TenantAccessToken> {
        let c = self.cached.read().unwrap_or_else(|e| e.into_inner());
        c.as_ref()
            .filter(|c| Instant::now() < c.refresh_at)
            .map(|c| c.token.clone())
    }

    async fn get(&self) -> Result<TenantAccessToken, TokenError> {
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        // Single flight: one caller fetches, the others wait for it and
        // then find the fresh token.
        let _guard = self.fetch_lock.lock().await;
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        let (token, expire) = self.fetch().await?;
        let ttl = Duration::from_secs(expire);
        // Refresh `margin` before expiry, but never sooner than half the lifetime.
        let margin = self.margin.min(ttl / 2);
        let cached = Cached {
            token: token.clone(),
            refresh_at: Instant::now() + (ttl - margin),
        };
        *self.cached.write().unwrap_or_else(|e| e.into_inner()) = Some(cached);
        Ok(token)
    }

    async fn fetch(&self) -> Result<(TenantAccessToken, u64), TokenError> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        fetch_tenant_token(&self.http, &self.url, &self.app_id, &self.app_secret).await
    }
}

/// Calls the tenant token endpoint at `url`: the token and its lifetime in seconds.
pub(crate) async fn fetch_tenant_token(
    http: &reqwest::Client,
    url: &str,
    app_id: &str,
    app_secret: &str,
) -> Result<(TenantAccessToken, u64), TokenError> {
    #[derive(Deserialize)]
    struct Reply {
        code: Option<i64>,
        msg: Option<String>,
        tenant_access_token: Option<String>,
        expire: Option<u64>,
    }
    let body = serde_json::json!({"app_id": app_id, "app_secret": app_secret}).to_string();
    tracing::debug!(app_id = %app_id, "fetching tenant access token");
    let resp = http
        .post(url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )
        .body(body)
        .send()
        .await
        .map_err(|e| TokenError::new(format!("token endpoint unreachable: {}", e.without_url())))?;
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.map_err(|e| TokenError {
        status: Some(status),
        ..TokenError::new(format!("reading the token reply: {}", e.without_url()))
    })?;
    let reply: Reply = serde_json::from_slice(&bytes).map_err(|e| TokenError {
        status: Some(status),
        ..TokenError::new(format!("token reply is not the expected JSON: {e}"))
    })?;
    match (reply.code, reply.tenant_access_token) {
        (Some(0), Some(t)) if !t.is_empty() => {
            Ok((TenantAccessToken::new(t), reply.expire.unwrap_or(7200)))
        }
        (code, _) => Err(TokenError {
            reason: reply.msg.unwrap_or_else(|| "token endpoint refused".into()),
            code,
            status: Some(status),
        }),
    }
}

impl TokenProvider for ManagedTenantToken {
    fn tenant_access_token(&self) -> BoxFuture<'_, Result<TenantAccessToken, TokenError>> {
        Box::pin(self.get())
    }

    fn invalidate(&self, token: &TenantAccessToken) -> BoxFuture<'_, ()> {
        let mut c = self.cached.write().unwrap_or_else(|e| e.into_inner());
        if c.as_ref()
            .is_some_and(|c| c.token.secret() == token.secret())
        {
            *c = None;
        }
        Box::pin(async {})
    }
}
