//! State shared by many processes through Redis (feature `redis`): the
//! tenant access token (one fetch per app, whatever the number of
//! processes) and the per-(app, endpoint) rate limiter.
//!
//! - Token: stored under `{prefix}:token:{app_id}` with a TTL that ends
//!   when a refresh is due; one process refreshes at a time, holding
//!   `{prefix}:token-lock:{app_id}` (`SET NX PX`), so a crashed holder blocks
//!   the others for at most the lock timeout. Looking for the token and
//!   taking the lock is one Lua script, so no process can miss a token
//!   stored between its read and its lock and fetch a second one.
//! - Limiter: a sliding-window log per (app, endpoint, limit) in a sorted
//!   set, checked and updated atomically by one Lua script using the Redis
//!   server's clock.
//! - Every Redis operation is bounded by a timeout; when Redis is
//!   unreachable the client degrades to in-process state (and says so in
//!   tracing), then tries Redis again after a cool-down.

use crate::auth::TenantAccessToken;
use crate::limiter::{InProcessRateLimiter, RateLimiter, with_margin};
use crate::runtime::{Endpoint, Token};
use crate::tokens::{BoxFuture, ManagedTenantToken, TokenError, TokenProvider, fetch_tenant_token};
use redis::aio::ConnectionManager;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

const LIMIT_SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
for i, key in ipairs(KEYS) do
  local cap = tonumber(ARGV[2 * i])
  local win = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - win)
  local n = redis.call('ZCARD', key)
  if n >= cap then
    local s = redis.call('ZRANGE', key, n - cap, n - cap, 'WITHSCORES')
    local w = tonumber(s[2]) + win - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i + 1]))
end
return 0
";

const DEL_IF_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

/// KEYS: token, refresh lock. ARGV: lock owner, lock TTL (ms).
/// Returns `{1, token, pttl}` when a token is stored with time left,
/// `{2, '', 0}` when the caller now holds the lock, `{0, '', 0}` when
/// another process holds it.
const TOKEN_OR_LOCK_SCRIPT: &str = r"
local tok = redis.call('GET', KEYS[1])
if tok then
  local pttl = redis.call('PTTL', KEYS[1])
  if pttl > 0 then return {1, tok, pttl} end
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2, '', 0} end
return {0, '', 0}
";

/// What [`RedisTenantToken::token_or_lock`] found.
enum Shared {
    /// The stored token and the milliseconds until it is due for refresh.
    Token(String, u64),
    /// No token; this caller holds the refresh lock.
    Locked,
    /// No token; another process is refreshing it.
    Busy,
}

/// A connection to the Redis that the processes of one deployment share.
/// Pass it to [`crate::ClientBuilder::redis`].
#[derive(Clone)]
pub struct RedisShared {
    conn: ConnectionManager,
    prefix: String,
    op_timeout: Duration,
    lock_timeout: Duration,
    cooldown: Duration,
    health: Arc<Health>,
}

impl fmt::Debug for RedisShared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisShared")
            .field("prefix", &self.prefix)
            .field("op_timeout", &self.op_timeout)
            .field("lock_timeout", &self.lock_timeout)
            .field("degraded", &self.health.degraded.load(Ordering::Relaxed))
            .finish()
    }
}

#[derive(Default)]
struct Health {
    degraded: AtomicBool,
    since: Mutex<Option<Instant>>,
}

/// Redis could not be reached when connecting.
#[derive(Debug)]
pub struct RedisSetupError(String);

impl fmt::Display for RedisSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot connect to Redis: {}", self.0)
    }
}

impl std::error::Error for RedisSetupError {}

impl RedisShared {
    /// Connects to `url` (e.g. `redis://127.0.0.1:6379/`). Defaults: key
    /// prefix `helpdesk`, 250 ms per operation, 5 s lock timeout, 2 s
    /// cool-down before trying Redis again after a failure.
    pub async fn connect(url: &str) -> Result<Self, RedisSetupError> {
        let client = redis::Client::open(url).map_err(|e| RedisSetupError(e.to_string()))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(500)))
            .set_response_timeout(Some(Duration::from_millis(500)))
            .set_number_of_retries(1);
        let conn = tokio::time::timeout(
            Duration::from_secs(2),
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| RedisSetupError("timed out".into()))?
        .map_err(|e| RedisSetupError(e.to_string()))?;
        Ok(RedisShared {
            conn,
            prefix: "helpdesk".into(),
            op_timeout: Duration::from_millis(250),
            lock_timeout: Duration::from_secs(5),
            cooldown: Duration::from_secs(2),
            health: Arc::default(),
        })
    }

    /// Prefix of every key (default `helpdesk`).
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Bound on each Redis operation (default 250 ms).
    pub fn op_timeout(mut self, t: Duration) -> Self {
        self.op_timeout = t;
        self
    }

    /// How long a token refresh lock lives if its holder dies (default 5 s).
    pub fn lock_timeout(mut self, t: Duration) -> Self {
        self.lock_timeout = t;
        self
    }

    /// Whether Redis is currently being bypassed after a failure.
    pub fn is_degraded(&self) -> bool {
        self.health.degraded.load(Ordering::Relaxed)
    }

    /// Runs one Redis operation with the timeout; `None` when Redis is
    /// bypassed or the operation failed (which starts a cool-down).
    async fn op<T, F, Fut>(&self, what: &str, f: F) -> Option<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        if self.health.degraded.load(Ordering::Relaxed) {
            let since = *self.health.since.lock().unwrap_or_else(|e| e.into_inner());
            if since.is_some_and(|s| s.elapsed() < self.cooldown) {
                return None;
            }
        }
        match tokio::time::timeout(self.op_timeout, f(self.conn.clone())).await {
            Ok(Ok(v)) => {
                if self.health.degraded.swap(false, Ordering::Relaxed) {
                    tracing::info!(
                        "redis reachable again: shared token cache and rate limiter resumed"
                    );
                }
                Some(v)
            }
            res => {
                let why = match res {
                    Ok(Err(e)) => e.to_string(),
                    _ => "timed out".to_string(),
                };
                *self.health.since.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
                if !self.health.degraded.swap(true, Ordering::Relaxed) {
                    tracing::warn!(operation = what, error = %why, "redis unreachable: degrading to in-process token cache and rate limiter");
                }
                None
            }
        }
    }
}

impl RedisShared {
    /// Deletes `key` if it still holds `value` (atomically: a lock or token
    /// that another process has replaced since is left alone).
    async fn del_if(&self, what: &str, key: String, value: String) {
        let _ = self
            .op(what, |mut c| async move {
                redis::Script::new(DEL_IF_SCRIPT)
                    .key(key)
                    .arg(value)
                    .invoke_async::<i64>(&mut c)
                    .await
            })
            .await;
    }
}

fn unique_member() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}-{}-{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The rate limiter shared through Redis, per (app, endpoint); falls back
/// to an in-process limiter while Redis is unreachable.
pub struct RedisRateLimiter {
    shared: RedisShared,
    app: String,
    fallback: InProcessRateLimiter,
}

impl fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisRateLimiter")
            .field("app", &self.app)
            .field("shared", &self.shared)
            .finish()
    }
}

impl RedisRateLimiter {
    /// A limiter for the requests of `app` (the app id, or any name that
    /// identifies the quota the processes share).
    pub fn new(shared: RedisShared, app: impl Into<String>) -> Self {
        RedisRateLimiter {
            shared,
            app: app.into(),
            fallback: InProcessRateLimiter::default(),
        }
    }

    async fn wait(&self, ep: &'static Endpoint) {
        if ep.rate_limits.is_empty() {
            return;
        }
        let keys: Vec<String> = (0..ep.rate_limits.len())
            .map(|i| format!("{}:rl:{}:{}:{i}", self.shared.prefix, self.app, ep.id))
            .collect();
        let member = unique_member();
        loop {
            let script = redis::Script::new(LIMIT_SCRIPT);
            let mut inv = script.prepare_invoke();
            for k in &keys {
                inv.key(k);
            }
            inv.arg(&member);
            for l in ep.rate_limits {
                inv.arg(l.requests)
                    .arg(with_margin(l.per_seconds).as_millis() as u64);
            }
            let res: Option<i64> = self
                .shared
                .op("rate limit", |mut c| async move {
                    inv.invoke_async(&mut c).await
                })
                .await;
            match res {
                Some(0) => return,
                Some(wait_ms) => {
                    tracing::debug!(endpoint = ep.id, wait_ms, "shared rate limit: waiting");
                    tokio::time::sleep(Duration::from_millis(wait_ms.max(1) as u64)).await;
                }
                None => return self.fallback.wait(ep).await,
            }
        }
    }
}

impl RateLimiter for RedisRateLimiter {
    fn acquire(&self, endpoint: &'static Endpoint) -> BoxFuture<'_, ()> {
        Box::pin(self.wait(endpoint))
    }
}

/// The tenant access token shared through Redis; falls back to the
/// in-process managed token while Redis is unreachable.
pub struct RedisTenantToken {
    shared: RedisShared,
    app_id: String,
    app_secret: Box<str>,
    url: String,
    http: reqwest::Client,
    margin: Duration,
    local: tokio::sync::Mutex<Option<(TenantAccessToken, Instant)>>,
    fallback: Arc<ManagedTenantToken>,
}

impl fmt::Debug for RedisTenantToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTenantToken")
            .field("app_id", &self.app_id)
            .field("app_secret", &"<redacted>")
            .field("shared", &self.shared)
            .finish()
    }
}

impl RedisTenantToken {
    pub(crate) fn new(
        shared: RedisShared,
        app_id: &str,
        app_secret: &str,
        base_url: &str,
        http: &reqwest::Client,
        margin: Duration,
    ) -> Self {
        RedisTenantToken {
            shared,
            app_id: app_id.to_string(),
            app_secret: app_secret.into(),
            url: format!("{base_url}{}", crate::tokens::TENANT_TOKEN_PATH),
            http: http.clone(),
            margin,
            local: tokio::sync::Mutex::new(None),
            fallback: ManagedTenantToken::shared(app_id, app_secret, base_url, http, margin),
        }
    }

    fn key(&self) -> String {
        format!("{}:token:{}", self.shared.prefix, self.app_id)
    }

    fn lock_key(&self) -> String {
        format!("{}:token-lock:{}", self.shared.prefix, self.app_id)
    }

    /// In one atomic step: the shared token and its remaining time to
    /// refresh if Redis has one, else the refresh lock for `owner` if it is
    /// free. Reading the token and taking the lock in two round trips would
    /// let a process that saw no token take the lock just after another
    /// process stored one and let go, and fetch a second token.
    async fn token_or_lock(&self, owner: &str) -> Option<Shared> {
        let (key, lock_key) = (self.key(), self.lock_key());
        let owner = owner.to_string();
        let ttl = self.shared.lock_timeout.as_millis() as u64;
        self.shared
            .op("read token or take refresh lock", |mut c| async move {
                let (state, tok, pttl): (i64, String, i64) =
                    redis::Script::new(TOKEN_OR_LOCK_SCRIPT)
                        .key(key)
                        .key(lock_key)
                        .arg(owner)
                        .arg(ttl.max(1))
                        .invoke_async(&mut c)
                        .await?;
                Ok(match state {
                    1 => Shared::Token(tok, pttl.max(1) as u64),
                    2 => Shared::Locked,
                    _ => Shared::Busy,
                })
            })
            .await
    }

    async fn get(&self) -> Result<TenantAccessToken, TokenError> {
        // One Redis round per process at a time; the others reuse its answer.
        let mut local = self.local.lock().await;
        if let Some((t, until)) = local.as_ref() {
            if Instant::now() < *until {
                return Ok(t.clone());
            }
        }
        let deadline = Instant::now() + self.shared.lock_timeout + Duration::from_secs(2);
        let owner = unique_member();
        loop {
            match self.token_or_lock(&owner).await {
                None => return self.fallback.tenant_access_token().await,
                Some(Shared::Token(tok, pttl)) => {
                    let t = TenantAccessToken::new(tok);
                    *local = Some((
                        t.clone(),
                        Instant::now() + Duration::from_millis(pttl.min(30_000)),
                    ));
                    return Ok(t);
                }
                Some(Shared::Locked) => return self.refresh(&owner, &mut local).await,
                Some(Shared::Busy) if Instant::now() >= deadline => {
                    tracing::warn!("token refresh lock held too long: fetching without it");
                    return self.refresh(&owner, &mut local).await;
                }
                Some(Shared::Busy) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    async fn refresh(
        &self,
        owner: &str,
        local: &mut Option<(TenantAccessToken, Instant)>,
    ) -> Result<TenantAccessToken, TokenError> {
        let fetched =
            fetch_tenant_token(&self.http, &self.url, &self.app_id, &self.app_secret).await;
        let (token, expire) = match fetched {
            Ok(v) => v,
            Err(e) => {
                self.shared
                    .del_if("release refresh lock", self.lock_key(), owner.to_string())
                    .await;
                return Err(e);
            }
        };
        let ttl = Duration::from_secs(expire);
        let fresh_for = ttl - self.margin.min(ttl / 2);
        let key = self.key();
        let value = token.secret().to_string();
        let px = fresh_for.as_millis() as u64;
        let _ = self
            .shared
            .op("store token", |mut c| async move {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(&value)
                    .arg("PX")
                    .arg(px.max(1))
                    .query_async::<()>(&mut c)
                    .await
            })
            .await;
        self.shared
            .del_if("release refresh lock", self.lock_key(), owner.to_string())
            .await;
        *local = Some((
            token.clone(),
            Instant::now() + fresh_for.min(Duration::from_secs(30)),
        ));
        Ok(token)
    }

    async fn forget(&self, token: &TenantAccessToken) {
        {
            let mut local = self.local.lock().await;
            if local
                .as_ref()
                .is_some_and(|(t, _)| t.secret() == token.secret())
            {
                *local = None;
            }
        }
        self.shared
            .del_if("invalidate token", self.key(), token.secret().to_string())
            .await;
        self.fallback.invalidate(token).await;
    }
}

impl TokenProvider for RedisTenantToken {
    fn tenant_access_token(&self) -> BoxFuture<'_, Result<TenantAccessToken, TokenError>> {
        Box::pin(self.get())
    }

    fn invalidate(&self, token: &TenantAccessToken) -> BoxFuture<'_, ()> {
        let token = token.clone();
        Box::pin(async move { self.forget(&token).await })
    }
}
