//! Client-side rate limiter per endpoint, seeded from the spec's documented
//! limits: at most N requests start in any window of the documented length
//! (a sliding-window log), so a busy program stays under the limit instead
//! of hitting it.

use crate::runtime::Endpoint;
use crate::tokens::BoxFuture;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

struct Window {
    cap: usize,
    len: Duration,
    starts: VecDeque<Instant>,
}

/// A client-side rate limiter: decides when a request of an endpoint may
/// start. The in-process [`InProcessRateLimiter`] is the default; the
/// `redis` feature adds one shared by many processes.
pub trait RateLimiter: Send + Sync + std::fmt::Debug + 'static {
    /// Waits until a request of `endpoint` may start, and counts it.
    fn acquire(&self, endpoint: &'static Endpoint) -> BoxFuture<'_, ()>;
}

/// The in-process limiter: per endpoint, at most N requests start in any
/// window of the documented length (plus a small margin).
#[derive(Default)]
pub struct InProcessRateLimiter {
    windows: Mutex<HashMap<&'static str, Vec<Window>>>,
}

impl std::fmt::Debug for InProcessRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessRateLimiter")
            .finish_non_exhaustive()
    }
}

impl RateLimiter for InProcessRateLimiter {
    fn acquire(&self, endpoint: &'static Endpoint) -> BoxFuture<'_, ()> {
        Box::pin(self.wait(endpoint))
    }
}

/// A window is lengthened by 2% (at least 50 ms) so that requests released
/// just as a window ends do not reach a server whose window has not.
pub(crate) fn with_margin(secs: u32) -> Duration {
    let w = Duration::from_secs(u64::from(secs));
    w + (w / 50).max(Duration::from_millis(50))
}

impl InProcessRateLimiter {
    /// Reserves the earliest start time for a request of `ep` and returns
    /// it (now, when under the limit).
    pub(crate) fn reserve(&self, ep: &'static Endpoint) -> Instant {
        let now = Instant::now();
        if ep.rate_limits.is_empty() {
            return now;
        }
        let mut map = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let windows = map.entry(ep.id).or_insert_with(|| {
            ep.rate_limits
                .iter()
                .map(|l| Window {
                    cap: l.requests.max(1) as usize,
                    len: with_margin(l.per_seconds),
                    starts: VecDeque::new(),
                })
                .collect()
        });
        let mut at = now;
        for w in windows.iter_mut() {
            while w.starts.front().is_some_and(|&s| s + w.len <= now) {
                w.starts.pop_front();
            }
        }
        // The earliest time at which every window has room; reservations
        // may lie in the future, so iterate until stable.
        loop {
            let mut moved = false;
            for w in windows.iter() {
                let inside = w.starts.iter().filter(|&&s| s + w.len > at).count();
                if inside >= w.cap {
                    // the (inside - cap + 1)-th oldest start inside the window must leave it
                    let mut inside_starts = w.starts.iter().filter(|&&s| s + w.len > at);
                    if let Some(&s) = inside_starts.nth(inside - w.cap) {
                        let free = s + w.len;
                        if free > at {
                            at = free;
                            moved = true;
                        }
                    }
                }
            }
            if !moved {
                break;
            }
        }
        for w in windows.iter_mut() {
            let pos = w
                .starts
                .iter()
                .position(|&s| s > at)
                .unwrap_or(w.starts.len());
            w.starts.insert(pos, at);
        }
        at
    }

    /// Waits for a slot.
    pub(crate) async fn wait(&self, ep: &'static Endpoint) {
        let at = self.reserve(ep);
        if at > Instant::now() {
            tracing::debug!(
                endpoint = ep.id,
                wait_ms = (at - Instant::now()).as_millis() as u64,
                "client-side rate limit: waiting"
            );
            tokio::time::sleep_until(at).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::{Method, RateLimit};

    static EP: Endpoint = Endpoint {
        id: "x.y",
        method: Method::Get,
        path: "/",
        tokens: &[],
        helpdesk_header: false,
        rate_limits: &[RateLimit {
            requests: 3,
            per_seconds: 10,
        }],
    };

    #[tokio::test(start_paused = true)]
    async fn at_most_cap_starts_in_any_window() {
        let l = InProcessRateLimiter::default();
        let t0 = Instant::now();
        let times: Vec<_> = (0..7).map(|_| l.reserve(&EP)).collect();
        let len = with_margin(10);
        assert_eq!(&times[..3], &[t0, t0, t0]);
        assert_eq!(&times[3..6], &[t0 + len, t0 + len, t0 + len]);
        assert_eq!(times[6], t0 + len * 2);
        for (i, a) in times.iter().enumerate() {
            let inside = times[i..].iter().filter(|&&b| b < *a + len).count();
            assert!(inside <= 3, "window starting at {i} holds {inside}");
        }
    }
}
