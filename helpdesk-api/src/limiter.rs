//! Client-side rate limiter per endpoint, seeded from the spec's documented
//! limits: at most N requests start in any window of the documented length
//! (a sliding-window log), so a busy program stays under the limit instead
//! of hitting it.

use crate::runtime::BoxFuture;
use crate::runtime::Endpoint;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

struct Window {
    cap: usize,
    len: Duration,
    starts: VecDeque<Instant>,
}

impl Window {
    /// The window's length when a process keeps to a share of the limit:
    /// a quarter longer, leaving room for the other processes' requests
    /// arriving late or early at the server.
    fn share_len(&self) -> Duration {
        self.len + self.len / 4
    }

    /// Drops the starts no window length (with or without share) still sees.
    fn prune(&mut self, now: Instant) {
        let keep = self.share_len();
        while self.starts.front().is_some_and(|&s| s + keep <= now) {
            self.starts.pop_front();
        }
    }

    /// Counts a start at `at`, keeping the starts in order.
    fn insert(&mut self, at: Instant) {
        let pos = self
            .starts
            .iter()
            .position(|&s| s > at)
            .unwrap_or(self.starts.len());
        self.starts.insert(pos, at);
    }
}

/// A client-side rate limiter: decides when a request of an endpoint may
/// start. The in-process [`InProcessRateLimiter`] is the default; the
/// `redis` feature adds one shared by many processes.
///
/// A caller that drops the future returned by [`RateLimiter::acquire`]
/// before it completes must not keep a slot: the built-in limiters give
/// the reservation back.
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

/// A start time held for a caller; given back if the caller goes away
/// before it starts.
pub(crate) struct Reservation<'a> {
    limiter: &'a InProcessRateLimiter,
    endpoint: &'static str,
    at: Instant,
    kept: bool,
}

impl Reservation<'_> {
    /// When the request may start.
    pub(crate) fn at(&self) -> Instant {
        self.at
    }

    /// The request starts: the slot is used.
    pub(crate) fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        let mut map = self.limiter.lock();
        if let Some(windows) = map.get_mut(self.endpoint) {
            for w in windows.iter_mut() {
                if let Some(pos) = w.starts.iter().position(|&s| s == self.at) {
                    w.starts.remove(pos);
                }
            }
        }
    }
}

impl InProcessRateLimiter {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<&'static str, Vec<Window>>> {
        self.windows.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reserves the earliest start time for a request of `ep` (now, when
    /// under the limit). `share` divides every limit (at least 1 request
    /// per window stays): a process that knows it is one of `share`
    /// processes sharing the quota uses only its part.
    pub(crate) fn reserve(&self, ep: &'static Endpoint, share: u32) -> Reservation<'_> {
        let now = Instant::now();
        let mut res = Reservation {
            limiter: self,
            endpoint: ep.id,
            at: now,
            kept: false,
        };
        if ep.rate_limits.is_empty() {
            res.kept = true;
            return res;
        }
        let mut map = self.lock();
        let windows = windows_of(&mut map, ep);
        let share = share.max(1) as usize;
        let len = |w: &Window| if share > 1 { w.share_len() } else { w.len };
        let mut at = now;
        for w in windows.iter_mut() {
            w.prune(now);
        }
        // The earliest time at which every window has room; reservations
        // may lie in the future, so iterate until stable.
        loop {
            let mut moved = false;
            for w in windows.iter() {
                let (cap, l) = ((w.cap / share).max(1), len(w));
                let inside = w.starts.iter().filter(|&&s| s + l > at).count();
                if inside >= cap {
                    // the (inside - cap + 1)-th oldest start inside the window must leave it
                    let mut inside_starts = w.starts.iter().filter(|&&s| s + l > at);
                    if let Some(&s) = inside_starts.nth(inside - cap) {
                        let free = s + l;
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
            w.insert(at);
        }
        res.at = at;
        res
    }

    /// Counts a request of `ep` that starts now without asking (one that
    /// another limiter let through), so that a later switch to this
    /// limiter knows the recent past.
    // Used by the Redis store (feature `redis`) only.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn record(&self, ep: &'static Endpoint) {
        if ep.rate_limits.is_empty() {
            return;
        }
        let now = Instant::now();
        let mut map = self.lock();
        for w in windows_of(&mut map, ep).iter_mut() {
            w.prune(now);
            w.insert(now);
        }
    }

    /// Waits for a slot; dropped while waiting, it gives the slot back.
    pub(crate) async fn wait(&self, ep: &'static Endpoint) {
        self.wait_share(ep, 1).await
    }

    /// [`InProcessRateLimiter::wait`] for one of `share` processes.
    pub(crate) async fn wait_share(&self, ep: &'static Endpoint, share: u32) {
        let res = self.reserve(ep, share);
        let at = res.at();
        if at > Instant::now() {
            tracing::debug!(
                endpoint = ep.id,
                wait_ms = (at - Instant::now()).as_millis() as u64,
                "client-side rate limit: waiting"
            );
            tokio::time::sleep_until(at).await;
        }
        res.keep();
    }
}

fn windows_of<'m>(
    map: &'m mut HashMap<&'static str, Vec<Window>>,
    ep: &'static Endpoint,
) -> &'m mut Vec<Window> {
    map.entry(ep.id).or_insert_with(|| {
        ep.rate_limits
            .iter()
            .map(|l| Window {
                cap: l.requests.max(1) as usize,
                len: with_margin(l.per_seconds),
                starts: VecDeque::new(),
            })
            .collect()
    })
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
        let times: Vec<_> = (0..7)
            .map(|_| {
                let r = l.reserve(&EP, 1);
                let at = r.at();
                r.keep();
                at
            })
            .collect();
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

#[cfg(test)]
mod more_tests {
    use super::*;
    use crate::runtime::{Method, RateLimit};

    static EP: Endpoint = Endpoint {
        id: "x.z",
        method: Method::Get,
        path: "/",
        tokens: &[],
        helpdesk_header: false,
        rate_limits: &[RateLimit {
            requests: 4,
            per_seconds: 10,
        }],
    };

    #[tokio::test(start_paused = true)]
    async fn a_dropped_reservation_frees_its_slot() {
        let l = InProcessRateLimiter::default();
        let t0 = Instant::now();
        for _ in 0..4 {
            l.reserve(&EP, 1).keep();
        }
        let late = l.reserve(&EP, 1);
        assert!(late.at() > t0);
        drop(late);
        let again = l.reserve(&EP, 1);
        assert_eq!(again.at(), t0 + with_margin(10), "the freed slot is reused");
        again.keep();
    }

    #[tokio::test(start_paused = true)]
    async fn a_share_divides_the_limit_and_recorded_starts_count() {
        let l = InProcessRateLimiter::default();
        let t0 = Instant::now();
        l.record(&EP);
        // one of two processes: 2 per window, one already used
        l.reserve(&EP, 2).keep();
        let third = l.reserve(&EP, 2);
        let len = with_margin(10);
        assert_eq!(third.at(), t0 + len + len / 4);
    }
}
