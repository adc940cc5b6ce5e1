//! Retry policy: exponential backoff with jitter, bounded attempts and
//! total time; what is retried depends on whether the failure proves the
//! request was not processed.

use std::time::Duration;

/// How failed requests are retried. `RetryPolicy::default()` retries up to
/// 3 attempts in all; [`RetryPolicy::disabled`] never retries.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = no retry).
    pub max_attempts: u32,
    /// Wait before the first retry; doubles each time.
    pub initial_backoff: Duration,
    /// Longest wait between two attempts.
    pub max_backoff: Duration,
    /// No retry starts after this much time since the first attempt.
    pub max_elapsed: Duration,
    /// Longest wait honoured from `x-ogw-ratelimit-reset`.
    pub max_rate_limit_wait: Duration,
    /// Randomize each wait in [50%, 100%] of its value.
    pub jitter: bool,
    /// Also retry POST/PUT/PATCH/DELETE after failures that do not prove the
    /// request was unprocessed (5xx, timeouts). Off by default.
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(60),
            max_rate_limit_wait: Duration::from_secs(60),
            jitter: true,
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `retry` (1-based), before jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    pub(crate) fn jittered(&self, d: Duration) -> Duration {
        if !self.jitter {
            return d;
        }
        // [50%, 100%] of d, from a cheap per-process generator: jitter
        // needs spread, not cryptographic quality.
        let r = next_random() % 1001;
        d.mul_f64(0.5 + (r as f64) / 2000.0)
    }
}

fn next_random() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    let mut x = STATE.load(Ordering::Relaxed);
    if x == 0 {
        x = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64)
            | 1;
    }
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    STATE.store(x, Ordering::Relaxed);
    x
}

/// Per-request settings that override the client's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestOptions {
    /// Total time for this call (token and rate-limiter waits, every attempt and
    /// the pauses between retries), instead of the client's call timeout.
    pub timeout: Option<Duration>,
    /// Time to open a new connection for this request, instead of the
    /// client's. reqwest sets connect timeouts per connection pool, so a
    /// request with its own value uses a pool kept for that value.
    pub connect_timeout: Option<Duration>,
    /// Retry policy for this request, instead of the client's.
    pub retry: Option<RetryPolicy>,
    /// Retry this request after 5xx/timeouts even if it changes state.
    pub retry_non_idempotent: bool,
}
