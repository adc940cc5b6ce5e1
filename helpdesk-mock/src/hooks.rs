//! Test hooks: canned replies, documented errors and faults for an endpoint.

use crate::reply::{Fault, Reply};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where a [`HookBuilder`] registers its hook (the server's shared state).
/// A trait so that this room does not import the server (which imports it).
pub(crate) trait HookSink: Sync + std::fmt::Debug {
    /// Registers `hook` (its `seq` is assigned by the sink).
    fn add_hook(&self, hook: HookEntry);
}

/// What a hook does when it fires.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    Reply(Reply),
    Error(i64),
    Fault(Fault),
}

impl Action {
    pub(crate) fn is_delay(&self) -> bool {
        matches!(self, Action::Fault(Fault::Delay(_)))
    }
}

/// A registered hook.
#[derive(Debug)]
pub(crate) struct HookEntry {
    pub seq: u64,
    pub endpoint: String,
    pub path_params: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    /// `None`: sticky.
    pub remaining: Option<usize>,
    pub action: Action,
    pub hits: Arc<AtomicUsize>,
}

impl HookEntry {
    fn matches(
        &self,
        endpoint: &str,
        params: &BTreeMap<String, String>,
        query: &[(String, String)],
    ) -> bool {
        self.endpoint == endpoint
            && self.remaining != Some(0)
            && self
                .path_params
                .iter()
                .all(|(k, v)| params.get(k) == Some(v))
            && self
                .query
                .iter()
                .all(|(k, v)| query.iter().any(|(qk, qv)| qk == k && qv == v))
    }

    fn specificity(&self) -> usize {
        self.path_params.len() + self.query.len()
    }
}

/// Picks the hook to fire (the most specific; among equals, the first
/// registered), counts the hit and drops it when used up.
pub(crate) fn take(
    hooks: &mut Vec<HookEntry>,
    endpoint: &str,
    params: &BTreeMap<String, String>,
    query: &[(String, String)],
    delay: bool,
) -> Option<Action> {
    let idx = hooks
        .iter()
        .enumerate()
        .filter(|(_, h)| h.action.is_delay() == delay && h.matches(endpoint, params, query))
        .max_by(|(_, a), (_, b)| {
            a.specificity()
                .cmp(&b.specificity())
                .then(b.seq.cmp(&a.seq))
        })
        .map(|(i, _)| i)?;
    let h = &mut hooks[idx];
    h.hits.fetch_add(1, Ordering::SeqCst);
    let action = h.action.clone();
    if let Some(n) = &mut h.remaining {
        *n = n.saturating_sub(1);
        if *n == 0 {
            hooks.remove(idx);
        }
    }
    Some(action)
}

/// Builds a hook for one endpoint; made by [`MockServer::on`](crate::MockServer::on).
///
/// A hook is sticky unless limited with [`times`](HookBuilder::times) or
/// [`once`](HookBuilder::once). When several hooks match a request, the
/// most specific one (most `path_param` / `query_param` filters) fires; among
/// equally specific ones the first registered. So
/// `on(id).times(2).fault(Fault::Status(503))` followed by `on(id).reply(..)`
/// gives "503, 503, then the reply".
///
/// Hooks answer before authentication, rate limiting and validation, except
/// [`Fault::Delay`], which only delays the answer, and
/// [`Fault::TruncatedBody`], which truncates the normal answer.
#[derive(Debug)]
#[must_use = "a hook does nothing until reply, reply_error or fault is called"]
pub struct HookBuilder<'a> {
    pub(crate) shared: &'a dyn HookSink,
    pub(crate) endpoint: String,
    pub(crate) path_params: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) times: Option<usize>,
}

impl HookBuilder<'_> {
    /// Fires only when the (decoded) path parameter has this value.
    pub fn path_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.path_params.push((name.into(), value.into()));
        self
    }

    /// Fires only when the query has this (decoded) pair.
    pub fn query_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Fires `n` times, then is removed.
    pub fn times(mut self, n: usize) -> Self {
        self.times = Some(n);
        self
    }

    /// Fires once: `times(1)`.
    pub fn once(self) -> Self {
        self.times(1)
    }

    /// Fires on every matching request until cleared (the default).
    pub fn always(mut self) -> Self {
        self.times = None;
        self
    }

    /// Answers with this reply.
    pub fn reply(self, reply: Reply) -> HookHandle {
        self.register(Action::Reply(reply))
    }

    /// Answers with a documented error of the endpoint, by code: the row's
    /// HTTP status and message from the endpoint's `errors` table (or the
    /// service's `platform_errors`), as `{"code", "msg", "error": {"log_id"}}`.
    /// An undocumented code is answered with HTTP 400 and a `msg` saying so.
    pub fn reply_error(self, code: i64) -> HookHandle {
        self.register(Action::Error(code))
    }

    /// Injects a fault.
    pub fn fault(self, fault: Fault) -> HookHandle {
        self.register(Action::Fault(fault))
    }

    fn register(self, action: Action) -> HookHandle {
        let hits = Arc::new(AtomicUsize::new(0));
        self.shared.add_hook(HookEntry {
            seq: 0,
            endpoint: self.endpoint,
            path_params: self.path_params,
            query: self.query,
            remaining: self.times,
            action,
            hits: hits.clone(),
        });
        HookHandle { hits }
    }
}

/// Tells how often a hook fired.
#[derive(Debug, Clone)]
pub struct HookHandle {
    hits: Arc<AtomicUsize>,
}

impl HookHandle {
    /// How many requests the hook has answered (or delayed) so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}
