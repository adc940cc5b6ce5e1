//! De-duplication of re-delivered events.
//!
//! Feishu re-delivers an event whose delivery it counts as failed (no HTTP
//! 200 within its window), up to four more times over about seven hours,
//! with the same event id (`header.event_id`; `uuid` in v1 callbacks). A
//! [`Dedupe`] store remembers the ids it has seen so that each event reaches
//! the application once:
//!
//! - [`InMemoryDedupe`]: the last `capacity` ids of this process, each for
//!   `ttl` (bounded memory);
//! - `RedisDedupe` (feature `redis`): one `SET NX EX` per event in the Redis
//!   the processes of a deployment share, so an event re-delivered to
//!   another process is recognised too;
//! - or your own store: implement [`Dedupe`].

use crate::runtime::BoxFuture;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// How long an id is remembered by default: Feishu's last re-delivery
/// comes about 6 h 5 min after the first (retries after about 15 s, 5 min,
/// 1 h and 6 h), so 8 h covers every one.
pub const DEFAULT_DEDUPE_TTL: Duration = Duration::from_secs(8 * 3600);

/// How many ids [`InMemoryDedupe::default`] remembers.
pub const DEFAULT_DEDUPE_CAPACITY: usize = 10_000;

/// A store of the event ids already seen.
pub trait Dedupe: Send + Sync + 'static {
    /// Records `event_id`; `true` if it was not seen before (deliver the
    /// event), `false` for a re-delivery (drop it). Called once per
    /// delivery, with a non-empty id. A store that cannot tell (its backend
    /// is down) should answer `true`: a duplicate is better than a loss.
    fn first_delivery<'a>(&'a self, event_id: &'a str) -> BoxFuture<'a, bool>;
}

/// The ids seen by this process: at most `capacity` of them, each for
/// `ttl`; the oldest are forgotten first.
pub struct InMemoryDedupe {
    capacity: usize,
    ttl: Duration,
    state: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    at: HashMap<Box<str>, Instant>,
    order: VecDeque<(Box<str>, Instant)>,
}

impl Seen {
    fn forget_oldest(&mut self) {
        if let Some((id, _)) = self.order.pop_front() {
            self.at.remove(&id);
        }
    }
}

impl fmt::Debug for InMemoryDedupe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryDedupe")
            .field("capacity", &self.capacity)
            .field("ttl", &self.ttl)
            .field("len", &self.len())
            .finish()
    }
}

impl Default for InMemoryDedupe {
    /// [`DEFAULT_DEDUPE_CAPACITY`] ids for [`DEFAULT_DEDUPE_TTL`] each.
    fn default() -> Self {
        InMemoryDedupe::new(DEFAULT_DEDUPE_CAPACITY, DEFAULT_DEDUPE_TTL)
    }
}

impl InMemoryDedupe {
    /// Remembers at most `capacity` ids (at least 1), each for `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        InMemoryDedupe {
            capacity: capacity.max(1),
            ttl,
            state: Mutex::default(),
        }
    }

    /// How many ids are remembered now (expired ones included until the
    /// next call prunes them).
    pub fn len(&self) -> usize {
        self.lock().order.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The synchronous form of [`Dedupe::first_delivery`].
    pub fn check(&self, event_id: &str) -> bool {
        let now = Instant::now();
        let mut seen = self.lock();
        while seen
            .order
            .front()
            .is_some_and(|(_, at)| now.duration_since(*at) >= self.ttl)
        {
            seen.forget_oldest();
        }
        if seen.at.contains_key(event_id) {
            return false;
        }
        while seen.order.len() >= self.capacity {
            seen.forget_oldest();
        }
        let id: Box<str> = event_id.into();
        seen.at.insert(id.clone(), now);
        seen.order.push_back((id, now));
        true
    }
}

impl Dedupe for InMemoryDedupe {
    fn first_delivery<'a>(&'a self, event_id: &'a str) -> BoxFuture<'a, bool> {
        let first = self.check(event_id);
        Box::pin(async move { first })
    }
}

#[cfg(feature = "redis")]
pub use redis_dedupe::RedisDedupe;

#[cfg(feature = "redis")]
mod redis_dedupe {
    use super::{BoxFuture, DEFAULT_DEDUPE_TTL, Dedupe, InMemoryDedupe};
    use crate::redis_store::RedisShared;
    use sha2::{Digest, Sha256};
    use std::fmt;
    use std::time::Duration;

    /// Event ids in the Redis that the processes of a deployment share
    /// (feature `redis`): one `SET {prefix}:evt:{id} 1 NX EX ttl` per
    /// delivery, so a re-delivery that reaches another process is
    /// recognised too. While Redis is unreachable (each try bounded by the
    /// [`RedisShared`] operation timeout), the ids are checked in this
    /// process's memory instead, and a re-delivery that another process saw
    /// then gets through.
    pub struct RedisDedupe {
        shared: RedisShared,
        ttl: Duration,
        fallback: InMemoryDedupe,
    }

    impl fmt::Debug for RedisDedupe {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("RedisDedupe")
                .field("shared", &self.shared)
                .field("ttl", &self.ttl)
                .finish()
        }
    }

    impl RedisDedupe {
        /// Ids kept for [`DEFAULT_DEDUPE_TTL`] (8 h).
        pub fn new(shared: RedisShared) -> Self {
            RedisDedupe {
                shared,
                ttl: DEFAULT_DEDUPE_TTL,
                fallback: InMemoryDedupe::default(),
            }
        }

        /// How long an id is kept (at least 1 s).
        pub fn ttl(mut self, ttl: Duration) -> Self {
            self.ttl = ttl.max(Duration::from_secs(1));
            self.fallback = InMemoryDedupe::new(super::DEFAULT_DEDUPE_CAPACITY, self.ttl);
            self
        }
    }

    /// The key part for an id: the id itself when short and plain, else
    /// its SHA-256 (ids come from signed or token-checked callbacks, but
    /// keys stay bounded whatever they hold).
    fn key_part(id: &str) -> String {
        if id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            id.to_string()
        } else {
            Sha256::digest(id.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        }
    }

    impl Dedupe for RedisDedupe {
        fn first_delivery<'a>(&'a self, event_id: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                match self
                    .shared
                    .set_event_seen(&key_part(event_id), self.ttl)
                    .await
                {
                    Some(first) => first,
                    None => self.fallback.check(event_id),
                }
            })
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn key_parts_are_bounded_and_plain() {
            assert_eq!(
                super::key_part("5e3702a84e847582be8db7fb73283c02"),
                "5e3702a84e847582be8db7fb73283c02"
            );
            let odd = super::key_part("a}{b:c");
            assert_eq!(odd.len(), 64);
            assert!(odd.bytes().all(|b| b.is_ascii_hexdigit()));
            assert_eq!(super::key_part(&"x".repeat(10_000)).len(), 64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn ids_are_remembered_for_the_ttl() {
        let d = InMemoryDedupe::new(100, Duration::from_secs(60));
        assert!(d.first_delivery("a").await);
        assert!(!d.first_delivery("a").await);
        assert!(d.first_delivery("b").await);
        tokio::time::advance(Duration::from_secs(59)).await;
        assert!(!d.first_delivery("a").await);
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(d.first_delivery("a").await, "expired after the ttl");
        // b expired too and was pruned; a is remembered again
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn memory_is_bounded_by_the_capacity() {
        let d = InMemoryDedupe::new(3, Duration::from_secs(3600));
        for i in 0..1000 {
            assert!(d.check(&format!("id-{i}")));
            assert!(d.len() <= 3);
        }
        // the newest are remembered, the oldest forgotten
        assert!(!d.check("id-999"));
        assert!(!d.check("id-998"));
        assert!(d.check("id-0"));
    }
}
