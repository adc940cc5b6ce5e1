//! State shared by many processes through Redis (feature `redis`; Redis
//! Cluster with feature `redis-cluster`): the tenant access token (one
//! fetch per app, whatever the number of processes) and the per-(app,
//! endpoint) rate limiter.
//!
//! - Token: a hash (`token`, `refresh_at`) under
//!   `{prefix}:tok:{<app id>.<key>}`, where `<key>` is a keyed hash
//!   (HMAC-SHA256, keyed by the app secret) of the base URL and app id: a
//!   client of another server, or with another secret, never reads this
//!   token, and the secret itself is never stored. The key expires with the
//!   token; `refresh_at` (Redis server time) says when a refresh is due. One
//!   process refreshes at a time, holding `{prefix}:tok-lock:{…}`
//!   (`SET NX PX`); the others keep using the still-valid token meanwhile.
//!   Looking for the token and taking the lock is one Lua script. A failed
//!   fetch is remembered under `{prefix}:tok-fail:{…}` for its backoff, so
//!   the processes do not take turns at a failing token endpoint.
//! - Limiter: a sliding-window log per (app, endpoint, limit) in a sorted
//!   set, checked and updated atomically by one Lua script using the Redis
//!   server's clock; the same script counts the processes using the
//!   endpoint, so that each knows its share of the limit.
//! - The keys of one script share a hash tag (`{…}`), so they live on one
//!   node of a Redis Cluster.
//! - Every Redis operation is bounded by a timeout. An operation that fails
//!   on a broken connection is retried once, at once, on a fresh one (a
//!   restarted Redis is used again by the next call). While Redis stays
//!   unreachable, each process keeps the token it last saw until it
//!   expires and limits itself to its share of each limit (the limit
//!   divided by the number of processes last seen using it), counting the
//!   requests it made just before; for one window after Redis is back, it
//!   keeps to that share too, since Redis did not see those requests.

use crate::auth::TenantAccessToken;
use crate::auth::Token;
use crate::error::{TokenError, TokenErrorKind};
use crate::limiter::{InProcessRateLimiter, RateLimiter, with_margin};
use crate::meta::Endpoint;
use crate::runtime::BoxFuture;
use crate::tokens::{
    Lifetime, MAX_TOKEN_LIFETIME, ManagedTenantToken, TokenCell, TokenEndpoint, TokenProvider,
};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// KEYS: the windows' sorted sets, then the process set. ARGV: member,
/// process id, process TTL (ms), then (cap, window ms) per window.
/// Returns `{wait_ms, processes}`; wait 0 means the start was counted.
const LIMIT_SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS - 1
local procs = KEYS[#KEYS]
redis.call('ZADD', procs, now, ARGV[2])
redis.call('ZREMRANGEBYSCORE', procs, '-inf', now - tonumber(ARGV[3]))
redis.call('PEXPIRE', procs, tonumber(ARGV[3]))
local nprocs = redis.call('ZCARD', procs)
local wait = 0
for i = 1, n do
  local key = KEYS[i]
  local cap = tonumber(ARGV[2 * i + 2])
  local win = tonumber(ARGV[2 * i + 3])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - win)
  local c = redis.call('ZCARD', key)
  if c >= cap then
    local s = redis.call('ZRANGE', key, c - cap, c - cap, 'WITHSCORES')
    local w = tonumber(s[2]) + win - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return {wait, nprocs} end
for i = 1, n do
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 * i + 3]))
end
return {0, nprocs}
";

/// KEYS: token hash. ARGV: token. Deletes the token if it is still this one.
const FORGET_SCRIPT: &str = r"
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

/// KEYS: token hash, lock, failure. ARGV: lock owner, lock TTL (ms).
/// Returns `{state, token, ms to expiry, ms to refresh, failure}`:
/// 1 = a token fresh enough (or one another process is refreshing),
/// 2 = no token and the caller now holds the lock, 3 = a valid token due
/// for refresh and the caller holds the lock, 4 = no token and a recent
/// fetch failed (`failure`, retry in `ms to expiry`), 0 = no token and
/// another process holds the lock.
const TOKEN_OR_LOCK_SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tok = redis.call('HGET', KEYS[1], 'token')
local pttl = redis.call('PTTL', KEYS[1])
local valid = tok and pttl > 0
if valid then
  local due = tonumber(redis.call('HGET', KEYS[1], 'refresh_at') or '0')
  if now < due then return {1, tok, pttl, due - now, ''} end
end
local fail = redis.call('GET', KEYS[3])
if fail and not valid then return {4, '', redis.call('PTTL', KEYS[3]), 0, fail} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  if valid then return {3, tok, pttl, 0, ''} end
  return {2, '', 0, 0, ''}
end
if valid then return {1, tok, pttl, 0, ''} end
return {0, '', 0, 0, ''}
";

/// KEYS: token hash, lock, failure. ARGV: lock owner, token, ms to refresh,
/// ms to expiry. Stores the token, clears the failure, releases the lock.
const STORE_SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'token', ARGV[2], 'refresh_at', now + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
redis.call('DEL', KEYS[3])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
";

/// KEYS: lock, failure. ARGV: owner, failure text, backoff ms.
/// Remembers a failed fetch for its backoff and releases the lock.
const FAILED_SCRIPT: &str = r"
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
";

/// What [`TokenSource::token_or_lock`] found.
enum Found {
    /// A valid token, its time to expiry, its time to the next refresh
    /// (zero: another process refreshes it now).
    Token(TenantAccessToken, Duration, Duration),
    /// This caller holds the refresh lock; the valid token due for refresh, if any.
    Locked(Option<(TenantAccessToken, Duration)>),
    /// A recent fetch failed (its `retry_after` says when to try again).
    Failed(TokenError),
    /// No token; another process is refreshing it.
    Busy,
}

/// The connection: one Redis server, or a Redis Cluster.
#[derive(Clone)]
enum Conn {
    Single(redis::aio::ConnectionManager),
    #[cfg(feature = "redis-cluster")]
    Cluster(redis::cluster_async::ClusterConnection),
}

impl redis::aio::ConnectionLike for Conn {
    fn req_packed_command<'a>(
        &'a mut self,
        cmd: &'a redis::Cmd,
    ) -> redis::RedisFuture<'a, redis::Value> {
        match self {
            Conn::Single(c) => c.req_packed_command(cmd),
            #[cfg(feature = "redis-cluster")]
            Conn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a redis::Pipeline,
        offset: usize,
        count: usize,
    ) -> redis::RedisFuture<'a, Vec<redis::Value>> {
        match self {
            Conn::Single(c) => c.req_packed_commands(cmd, offset, count),
            #[cfg(feature = "redis-cluster")]
            Conn::Cluster(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(c) => c.get_db(),
            #[cfg(feature = "redis-cluster")]
            Conn::Cluster(c) => c.get_db(),
        }
    }
}

/// A connection to the Redis that the processes of one deployment share.
/// Pass it to [`crate::ClientBuilder::redis`].
#[derive(Clone)]
pub struct RedisShared {
    conn: Conn,
    prefix: String,
    op_timeout: Duration,
    lock_timeout: Duration,
    cooldown: Duration,
    processes: Option<u32>,
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
    /// When the last failure happened (cool-down start).
    failed_at: Mutex<Option<Instant>>,
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

/// Whether a failed operation may succeed at once on a new connection.
fn is_broken_connection(e: &redis::RedisError) -> bool {
    e.is_connection_dropped()
        || e.is_io_error()
        || e.is_connection_refusal()
        || e.is_unrecoverable_error()
}

impl RedisShared {
    /// Connects to one Redis at `url` (e.g. `redis://127.0.0.1:6379/`).
    /// Defaults: key prefix `helpdesk`, 250 ms per operation, 5 s lock
    /// timeout, 1 s cool-down before trying Redis again after a failure.
    pub async fn connect(url: &str) -> Result<Self, RedisSetupError> {
        let client = redis::Client::open(url).map_err(|e| RedisSetupError(e.to_string()))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(500)))
            .set_response_timeout(Some(Duration::from_millis(500)))
            .set_number_of_retries(1);
        let conn = tokio::time::timeout(
            Duration::from_secs(2),
            redis::aio::ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| RedisSetupError("timed out".into()))?
        .map_err(|e| RedisSetupError(e.to_string()))?;
        Ok(RedisShared::with(Conn::Single(conn)))
    }

    /// Connects to a Redis Cluster through any of its nodes (feature
    /// `redis-cluster`). Keys of one script share a hash tag, so each
    /// script runs on one node.
    #[cfg(feature = "redis-cluster")]
    pub async fn connect_cluster(nodes: &[&str]) -> Result<Self, RedisSetupError> {
        let client = redis::cluster::ClusterClientBuilder::new(nodes.to_vec())
            .connection_timeout(Duration::from_millis(500))
            .response_timeout(Duration::from_millis(500))
            .retries(2)
            .build()
            .map_err(|e| RedisSetupError(e.to_string()))?;
        let conn = tokio::time::timeout(Duration::from_secs(5), client.get_async_connection())
            .await
            .map_err(|_| RedisSetupError("timed out".into()))?
            .map_err(|e| RedisSetupError(e.to_string()))?;
        Ok(RedisShared::with(Conn::Cluster(conn)))
    }

    fn with(conn: Conn) -> Self {
        RedisShared {
            conn,
            prefix: "helpdesk".into(),
            op_timeout: Duration::from_millis(250),
            lock_timeout: Duration::from_secs(5),
            cooldown: Duration::from_secs(1),
            processes: None,
            health: Arc::default(),
        }
    }

    /// Prefix of every key (default `helpdesk`; must not contain `{` or `}`).
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into().replace(['{', '}'], "_");
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

    /// How many processes share the limits while Redis is unreachable
    /// (default: the number last seen using each endpoint through Redis).
    /// Each process then uses 1/n of every limit.
    pub fn processes(mut self, n: u32) -> Self {
        self.processes = Some(n.max(1));
        self
    }

    /// Whether Redis is currently being bypassed after a failure.
    pub fn is_degraded(&self) -> bool {
        self.health.degraded.load(Ordering::Relaxed)
    }

    /// Whether Redis is unreachable, or was less than `window` ago.
    fn unsettled(&self, window: Duration) -> bool {
        let failed = *self
            .health
            .failed_at
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        self.is_degraded() || failed.is_some_and(|at| at.elapsed() < window)
    }

    /// Runs one Redis operation with the timeout; a failure on a broken
    /// connection is retried once at once (on a new connection). `None`
    /// when Redis is bypassed or the operation failed (which starts a
    /// cool-down).
    async fn op<T, F, Fut>(&self, what: &str, f: F) -> Option<T>
    where
        F: Fn(Conn) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        if self.health.degraded.load(Ordering::Relaxed) {
            let since = *self
                .health
                .failed_at
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if since.is_some_and(|s| s.elapsed() < self.cooldown) {
                return None;
            }
        }
        let mut res = tokio::time::timeout(self.op_timeout, f(self.conn.clone())).await;
        if let Ok(Err(e)) = &res {
            if is_broken_connection(e) {
                res = tokio::time::timeout(self.op_timeout, f(self.conn.clone())).await;
            }
        }
        match res {
            Ok(Ok(v)) => {
                if self.health.degraded.swap(false, Ordering::Relaxed) {
                    tracing::warn!(
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
                *self
                    .health
                    .failed_at
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
                if !self.health.degraded.swap(true, Ordering::Relaxed) {
                    tracing::warn!(operation = what, error = %why, "redis unreachable: degrading to in-process token cache and rate limiter (each process keeps to its share of the limits)");
                }
                None
            }
        }
    }

    /// Marks an event id as seen (`SET {prefix}:evt:{id} 1 NX EX ttl`):
    /// `Some(true)` if it was not seen before, `Some(false)` if it was,
    /// `None` when Redis cannot tell (bypassed or failed).
    pub(crate) async fn set_event_seen(&self, id: &str, ttl: Duration) -> Option<bool> {
        let key = format!("{}:evt:{}", self.prefix, tag_safe(id));
        let secs = ttl.as_secs().max(1);
        let set: Option<String> = self
            .op("record event id", |mut c| {
                let mut cmd = redis::cmd("SET");
                cmd.arg(&key).arg(1).arg("NX").arg("EX").arg(secs);
                async move { cmd.query_async(&mut c).await }
            })
            .await?;
        Some(set.is_some())
    }

    /// Reads `{prefix}:utok:{name}` (a managed user token's record,
    /// `user_token.rs`); `Err` when Redis cannot answer.
    pub(crate) async fn user_record_get(&self, name: &str) -> Result<Option<String>, String> {
        let key = format!("{}:utok:{}", self.prefix, tag_safe(name));
        self.op("read user token", |mut c| {
            let mut cmd = redis::cmd("GET");
            cmd.arg(&key);
            async move { cmd.query_async::<Option<String>>(&mut c).await }
        })
        .await
        .ok_or_else(|| "redis unreachable".to_string())
    }

    /// Writes `{prefix}:utok:{name}`, expiring after `ttl` (at least 1 s).
    pub(crate) async fn user_record_set(
        &self,
        name: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<(), String> {
        let key = format!("{}:utok:{}", self.prefix, tag_safe(name));
        let ms = ttl.as_millis().clamp(1000, u64::MAX as u128) as u64;
        self.op("write user token", |mut c| {
            let mut cmd = redis::cmd("SET");
            cmd.arg(&key).arg(value).arg("PX").arg(ms);
            async move { cmd.query_async::<()>(&mut c).await }
        })
        .await
        .ok_or_else(|| "redis unreachable".to_string())
    }

    /// Runs a script with these keys and arguments.
    async fn script<T: redis::FromRedisValue>(
        &self,
        what: &str,
        script: &redis::Script,
        keys: &[&str],
        args: &[String],
    ) -> Option<T> {
        self.op(what, |mut c| {
            let mut inv = script.prepare_invoke();
            for k in keys {
                inv.key(*k);
            }
            for a in args {
                inv.arg(a);
            }
            async move { inv.invoke_async(&mut c).await }
        })
        .await
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

/// A key part without hash-tag braces.
fn tag_safe(s: &str) -> String {
    s.replace(['{', '}'], "_")
}

/// HMAC-SHA256 (RFC 2104).
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| k.map(|x| x ^ b);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The rate limiter shared through Redis, per (app, endpoint); falls back
/// to an in-process limiter, at this process's share, while Redis is
/// unreachable.
pub struct RedisRateLimiter {
    shared: RedisShared,
    app: String,
    process: String,
    fallback: InProcessRateLimiter,
    /// Processes last seen using each endpoint.
    seen: Mutex<HashMap<&'static str, u32>>,
    /// When Redis last granted a start of each endpoint.
    last_grant: Mutex<HashMap<&'static str, Instant>>,
    most_seen: AtomicU32,
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
            app: tag_safe(&app.into()),
            process: unique_member(),
            fallback: InProcessRateLimiter::default(),
            seen: Mutex::default(),
            last_grant: Mutex::default(),
            most_seen: AtomicU32::new(1),
        }
    }

    /// This process's share of `ep`'s limits while Redis cannot count.
    fn share(&self, ep: &'static Endpoint) -> u32 {
        if let Some(n) = self.shared.processes {
            return n;
        }
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(ep.id)
            .copied()
            .unwrap_or_else(|| self.most_seen.load(Ordering::Relaxed))
            .max(1)
    }

    async fn wait(&self, ep: &'static Endpoint) {
        if ep.rate_limits.is_empty() {
            return;
        }
        let longest = ep
            .rate_limits
            .iter()
            .map(|l| with_margin(l.per_seconds))
            .max()
            .unwrap_or_default();
        // During an outage and for one window after it, Redis did not see
        // every recent request: keep to the local share as well.
        let unsettled = self.shared.unsettled(longest);
        if unsettled {
            self.fallback.wait_share(ep, self.share(ep)).await;
        }
        let tag = format!("{}:{}", self.app, ep.id);
        let keys: Vec<String> = (0..ep.rate_limits.len())
            .map(|i| format!("{}:rl:{{{tag}}}:{i}", self.shared.prefix))
            .chain([format!("{}:rl-procs:{{{tag}}}", self.shared.prefix)])
            .collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let member = unique_member();
        let mut args = vec![
            member,
            self.process.clone(),
            (longest.as_millis() as u64 * 2).to_string(),
        ];
        for l in ep.rate_limits {
            args.push(l.requests.max(1).to_string());
            args.push((with_margin(l.per_seconds).as_millis() as u64).to_string());
        }
        let script = redis::Script::new(LIMIT_SCRIPT);
        loop {
            let res: Option<(i64, i64)> = self
                .shared
                .script("rate limit", &script, &keys, &args)
                .await;
            match res {
                Some((wait_ms, procs)) => {
                    let procs = procs.clamp(1, 10_000) as u32;
                    self.seen
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(ep.id, procs);
                    self.most_seen.fetch_max(procs, Ordering::Relaxed);
                    if wait_ms <= 0 {
                        self.fallback.record(ep);
                        self.last_grant
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(ep.id, Instant::now());
                        return;
                    }
                    // A wait is never longer than the longest window.
                    let wait = Duration::from_millis(wait_ms as u64).min(longest);
                    tracing::debug!(endpoint = ep.id, wait_ms, "shared rate limit: waiting");
                    tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
                }
                None if unsettled => return,
                None => return self.degraded(ep, longest).await,
            }
        }
    }
}

impl RedisRateLimiter {
    /// A start while Redis is unreachable: not in a window that also holds
    /// starts Redis counted (this process cannot know the others' share of
    /// them), then at this process's share of the limit.
    async fn degraded(&self, ep: &'static Endpoint, longest: Duration) {
        let last = self
            .last_grant
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(ep.id)
            .copied();
        if let Some(last) = last {
            tokio::time::sleep_until(last + longest).await;
        }
        self.fallback.wait_share(ep, self.share(ep)).await
    }
}

impl RateLimiter for RedisRateLimiter {
    fn acquire(&self, endpoint: &'static Endpoint) -> BoxFuture<'_, ()> {
        Box::pin(self.wait(endpoint))
    }
}

/// The tenant access token shared through Redis, behind a process-local
/// `TokenCell`; falls back to the last token seen, then to the
/// in-process managed token, while Redis is unreachable.
pub struct RedisTenantToken {
    source: Arc<TokenSource>,
    cell: TokenCell,
}

struct TokenSource {
    shared: RedisShared,
    endpoint: TokenEndpoint,
    key: String,
    lock_key: String,
    fail_key: String,
    fallback: Arc<ManagedTenantToken>,
    /// The last token seen and when it expires.
    last: Mutex<Option<(TenantAccessToken, Instant)>>,
    streak: AtomicU32,
}

impl fmt::Debug for RedisTenantToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTenantToken")
            .field("app_id", &self.source.endpoint.app_id)
            .field("app_secret", &"<redacted>")
            .field("shared", &self.source.shared)
            .finish()
    }
}

fn millis(v: i64) -> Duration {
    Duration::from_millis(v.max(0) as u64).min(MAX_TOKEN_LIFETIME)
}

fn kind_code(k: TokenErrorKind) -> &'static str {
    match k {
        TokenErrorKind::Unavailable => "unavailable",
        TokenErrorKind::Timeout => "timeout",
        TokenErrorKind::BadReply => "bad-reply",
        TokenErrorKind::TooLarge => "too-large",
        TokenErrorKind::Rejected => "rejected",
        _ => "provider",
    }
}

fn kind_of(s: &str) -> TokenErrorKind {
    match s {
        "unavailable" => TokenErrorKind::Unavailable,
        "timeout" => TokenErrorKind::Timeout,
        "bad-reply" => TokenErrorKind::BadReply,
        "too-large" => TokenErrorKind::TooLarge,
        "rejected" => TokenErrorKind::Rejected,
        _ => TokenErrorKind::Provider,
    }
}

/// A failure as stored in Redis: `kind|code|status|reason`.
fn encode_failure(e: &TokenError) -> String {
    let num = |v: Option<i64>| v.map_or(String::new(), |v| v.to_string());
    format!(
        "{}|{}|{}|{}",
        kind_code(e.kind),
        num(e.code),
        num(e.status.map(i64::from)),
        e.reason
    )
}

fn decode_failure(s: &str, retry_after: Duration) -> TokenError {
    let mut parts = s.splitn(4, '|');
    let kind = kind_of(parts.next().unwrap_or(""));
    let code = parts.next().and_then(|c| c.parse().ok());
    let status = parts.next().and_then(|c| c.parse().ok());
    let reason = parts.next().unwrap_or("a recent token fetch failed");
    TokenError {
        code,
        status,
        retry_after: Some(retry_after),
        ..TokenError::of(kind, format!("{reason} (remembered from another process)"))
    }
}

impl RedisTenantToken {
    pub(crate) fn new(shared: RedisShared, endpoint: TokenEndpoint, base_url: &str) -> Self {
        let mac = hmac_sha256(
            endpoint.app_secret.as_bytes(),
            format!("helpdesk-token-cache\0{base_url}\0{}", endpoint.app_id).as_bytes(),
        );
        let hash: String = mac[..12].iter().map(|b| format!("{b:02x}")).collect();
        let tag = format!("{{{}.{hash}}}", tag_safe(&endpoint.app_id));
        let p = &shared.prefix;
        RedisTenantToken {
            source: Arc::new(TokenSource {
                key: format!("{p}:tok:{tag}"),
                lock_key: format!("{p}:tok-lock:{tag}"),
                fail_key: format!("{p}:tok-fail:{tag}"),
                fallback: ManagedTenantToken::shared(endpoint.clone(), base_url),
                shared,
                endpoint,
                last: Mutex::new(None),
                streak: AtomicU32::new(0),
            }),
            cell: TokenCell::default(),
        }
    }
}

impl TokenSource {
    fn keys(&self) -> [&str; 3] {
        [&self.key, &self.lock_key, &self.fail_key]
    }

    /// The last token seen, while it is valid, and its time to expiry.
    fn last_valid(&self) -> Option<(TenantAccessToken, Duration)> {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        last.as_ref()
            .filter(|(_, exp)| now < *exp)
            .map(|(t, exp)| (t.clone(), *exp - now))
    }

    fn remember(&self, token: &TenantAccessToken, expires_in: Duration) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((token.clone(), Instant::now() + expires_in));
    }

    /// In one atomic step: the shared token if Redis has a fresh one, else
    /// the refresh lock for `owner` if it is free.
    async fn token_or_lock(&self, owner: &str) -> Option<Found> {
        let ttl = self.shared.lock_timeout.as_millis().max(1) as u64;
        let script = redis::Script::new(TOKEN_OR_LOCK_SCRIPT);
        let (state, tok, pttl, due, fail): (i64, String, i64, i64, String) = self
            .shared
            .script(
                "read token or take refresh lock",
                &script,
                &self.keys(),
                &[owner.to_string(), ttl.to_string()],
            )
            .await?;
        Some(match state {
            1 => Found::Token(TenantAccessToken::new(tok), millis(pttl), millis(due)),
            2 => Found::Locked(None),
            3 => Found::Locked(Some((TenantAccessToken::new(tok), millis(pttl)))),
            4 => Found::Failed(decode_failure(&fail, millis(pttl))),
            _ => Found::Busy,
        })
    }

    /// One round: the token from Redis, or a refresh under the lock.
    async fn round(&self) -> Result<(TenantAccessToken, Lifetime), TokenError> {
        let deadline = Instant::now() + self.shared.lock_timeout + Duration::from_secs(2);
        let owner = unique_member();
        loop {
            match self.token_or_lock(&owner).await {
                None => return self.without_redis().await,
                Some(Found::Token(t, expires_in, refresh_in)) => {
                    self.remember(&t, expires_in);
                    // Look at Redis again within 30 s (another process may
                    // have refreshed or invalidated it), sooner when due.
                    let refresh_in = if refresh_in.is_zero() {
                        Duration::from_secs(1)
                    } else {
                        refresh_in.min(Duration::from_secs(30))
                    };
                    return Ok((t, Lifetime::new(refresh_in, expires_in)));
                }
                Some(Found::Failed(e)) => return Err(e),
                Some(Found::Locked(valid)) => return self.refresh(&owner, valid).await,
                Some(Found::Busy) if Instant::now() >= deadline => {
                    tracing::warn!("token refresh lock held too long: fetching without it");
                    return self.refresh(&owner, None).await;
                }
                Some(Found::Busy) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Redis is unreachable: the last token seen while it is valid, else
    /// the in-process managed token.
    async fn without_redis(&self) -> Result<(TenantAccessToken, Lifetime), TokenError> {
        let recheck = Duration::from_secs(2);
        if let Some((t, expires_in)) = self.last_valid() {
            return Ok((t, Lifetime::new(recheck, expires_in)));
        }
        let t = self.fallback.tenant_access_token().await?;
        Ok((t, Lifetime::new(recheck, recheck)))
    }

    /// Under the lock: stores a new token (or, after a Redis restart lost
    /// it, the still-valid one this process holds).
    async fn refresh(
        &self,
        owner: &str,
        valid: Option<(TenantAccessToken, Duration)>,
    ) -> Result<(TenantAccessToken, Lifetime), TokenError> {
        let kept = match (&valid, self.last_valid()) {
            (None, Some((t, expires_in))) if expires_in > self.endpoint.margin => {
                tracing::info!(
                    "shared token missing (Redis restarted?): storing the valid one this process holds"
                );
                Some((
                    t,
                    Lifetime::from_expire(expires_in.as_secs(), self.endpoint.margin),
                ))
            }
            _ => None,
        };
        let (token, life) = match kept {
            Some(k) => k,
            None => match self.endpoint.fetch().await {
                Ok(v) => v,
                Err(e) => return self.failed(owner, e, valid).await,
            },
        };
        self.streak.store(0, Ordering::Relaxed);
        let args = [
            owner.to_string(),
            token.secret().to_string(),
            (life.refresh_in.as_millis().max(1) as u64).to_string(),
            (life.expires_in.as_millis().max(1) as u64).to_string(),
        ];
        let stored: Option<i64> = self
            .shared
            .script(
                "store token",
                &redis::Script::new(STORE_SCRIPT),
                &self.keys(),
                &args,
            )
            .await;
        if stored.is_none() {
            tracing::warn!("could not store the new tenant token in Redis");
        }
        self.remember(&token, life.expires_in);
        Ok((token, life))
    }

    /// A fetch under the lock failed: remembered in Redis for its backoff;
    /// a token still valid is used meanwhile.
    async fn failed(
        &self,
        owner: &str,
        e: TokenError,
        valid: Option<(TenantAccessToken, Duration)>,
    ) -> Result<(TenantAccessToken, Lifetime), TokenError> {
        let streak = self.streak.fetch_add(1, Ordering::Relaxed) + 1;
        let wait = crate::tokens::backoff(&e, streak);
        let args = [
            owner.to_string(),
            encode_failure(&e),
            (wait.as_millis().max(1) as u64).to_string(),
        ];
        let _: Option<i64> = self
            .shared
            .script(
                "remember failed fetch",
                &redis::Script::new(FAILED_SCRIPT),
                &[&self.lock_key, &self.fail_key],
                &args,
            )
            .await;
        match valid {
            Some((t, expires_in)) => Ok((t, Lifetime::new(wait, expires_in))),
            None => Err(e),
        }
    }

    async fn forget(&self, token: &TenantAccessToken) {
        {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            if last
                .as_ref()
                .is_some_and(|(t, _)| t.secret() == token.secret())
            {
                *last = None;
            }
        }
        let _: Option<i64> = self
            .shared
            .script(
                "invalidate token",
                &redis::Script::new(FORGET_SCRIPT),
                &[&self.key],
                &[token.secret().to_string()],
            )
            .await;
        self.fallback.invalidate(token).await;
    }
}

impl TokenProvider for RedisTenantToken {
    fn tenant_access_token(&self) -> BoxFuture<'_, Result<TenantAccessToken, TokenError>> {
        Box::pin(self.cell.get(|| {
            let source = self.source.clone();
            Box::pin(async move { source.round().await })
        }))
    }

    fn invalidate(&self, token: &TenantAccessToken) -> BoxFuture<'_, ()> {
        self.cell.invalidate(token);
        let token = token.clone();
        Box::pin(async move { self.source.forget(&token).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn failures_round_trip_through_their_stored_form() {
        let e = TokenError {
            code: Some(10014),
            status: Some(400),
            ..TokenError::of(TokenErrorKind::Rejected, "app secret invalid | really")
        };
        let back = decode_failure(&encode_failure(&e), Duration::from_secs(3));
        assert_eq!(back.kind, TokenErrorKind::Rejected);
        assert_eq!((back.code, back.status), (Some(10014), Some(400)));
        assert!(back.reason.starts_with("app secret invalid | really"));
        assert_eq!(back.retry_after, Some(Duration::from_secs(3)));
        let junk = decode_failure("", Duration::ZERO);
        assert_eq!(junk.kind, TokenErrorKind::Provider);
    }
}
