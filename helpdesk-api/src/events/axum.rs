//! The HTTP endpoint Feishu posts event callbacks to, for [axum] 0.8
//! (feature `axum`).
//!
//! [`EventReceiver`] answers every request the way the platform expects and
//! hands each new event to the application's async handler:
//!
//! 1. the body is read up to a limit ([`DEFAULT_MAX_BODY_BYTES`], 1 MiB;
//!    larger: `413`);
//! 2. with an encrypt key configured, the signature is checked:
//!    `X-Lark-Signature` must be the hex SHA-256 of
//!    `X-Lark-Request-Timestamp + X-Lark-Request-Nonce + encrypt key + raw
//!    body` (compared in constant time), and the timestamp (Unix seconds)
//!    must be within [`DEFAULT_TIMESTAMP_TOLERANCE`] (5 min) of this
//!    machine's clock, so a captured request cannot be replayed later;
//!    otherwise `401`. URL verification requests are exempt, as the
//!    platform does not sign them; events without the headers are refused
//!    (see [`EventReceiver::require_signature`]);
//! 3. the body is decrypted if it is `{"encrypt": …}` and decoded by
//!    [`EventDecoder`], which checks the verification token (`token` in v1
//!    callbacks, `header.token` in schema 2.0; wrong token: `403`; bad
//!    JSON, base64 or padding: `400`);
//! 4. a URL verification (`{"type": "url_verification", "challenge": …}`)
//!    is answered `{"challenge": …}`;
//! 5. an event whose id was seen before ([`Dedupe`], by default the last
//!    10 000 ids for 8 h in memory) is acknowledged and dropped;
//! 6. any other event, of a known type or not ([`Event::Unknown`]), is put
//!    on a bounded queue and acknowledged with `200` at once: the reply
//!    never waits for the handler. Workers take events off the queue and run
//!    the handler, at most [`DEFAULT_CONCURRENCY`] (16) at a time, so events
//!    may be handled out of order (set [`EventReceiver::concurrency`] to 1
//!    for arrival order).
//!
//! **When the queue is full** ([`DEFAULT_QUEUE_CAPACITY`], 1024 events
//! waiting), the event is refused with `503` and its id is not recorded:
//! Feishu counts the delivery as failed and delivers it again later (after
//! about 15 s, 5 min, 1 h and 6 h), so a burst is absorbed by the platform's
//! retries instead of by unbounded memory. A handler that panics is logged
//! and does not stop the workers. Events are acknowledged before they are
//! handled: an event whose handler fails or that is still queued when the
//! process stops is not re-delivered (persist it in the handler if that
//! matters).
//!
//! Replies to refused requests are a short plain-text reason; neither they
//! nor the logs (`tracing`, target `helpdesk_api::events::axum`) hold the
//! encrypt key or the verification token.
//!
//! ```no_run
//! use helpdesk_api::Event;
//! use helpdesk_api::events::EventDecoder;
//! use helpdesk_api::events::axum::EventReceiver;
//!
//! # async fn demo() -> std::io::Result<()> {
//! let decoder = EventDecoder::new()
//!     .verification_token("v-token-from-the-console")
//!     .encrypt_key("encrypt-key-from-the-console");
//! let events = EventReceiver::new(decoder).router(|cb: helpdesk_api::events::EventCallback| async move {
//!     match cb.event {
//!         Event::TicketCreatedV1(t) => println!("new ticket {:?}", t.ticket_id),
//!         Event::TicketMessageCreatedV1(m) => println!("message {:?}", m.ticket_message_id),
//!         other => println!("{} (id {})", other.event_type(), cb.header.event_id),
//!     }
//! });
//! let app = axum::Router::new().nest("/feishu/events", events);
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await?;
//! axum::serve(listener, app).await
//! # }
//! ```
//!
//! Sources for the platform's rules (facts, not code): "将事件发送至开发者
//! 服务器" (Encrypt Key and Verification Token; the URL verification request
//! must be answered within 1 s),
//! <https://open.larkoffice.com/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/choose-a-subscription-mode/send-notifications-to-developers-server>;
//! "接收事件" (signature = SHA-256 of timestamp + nonce + encrypt key + raw
//! body, URL verification excluded; decryption),
//! <https://open.larkoffice.com/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/encrypt-key-encryption-configuration-case>;
//! "Event Subscription Optimization Guide" (HTTP 200 within 3 s, else the
//! delivery fails and is retried, four times at most),
//! <https://open.feishu.cn/document/event-subscription-guide/event-subscriptions/event-callback-optimization-guide>.
//!
//! [axum]: https://docs.rs/axum/0.8
//! [`Event::Unknown`]: crate::Event::Unknown

use super::dedupe::{Dedupe, InMemoryDedupe};
use super::{Callback, EventCallback, EventDecoder, EventError};
use crate::runtime::BoxFuture;
use ::axum::Router;
use ::axum::body::{Body, Bytes};
use ::axum::extract::State;
use ::axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::{MethodRouter, post};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{Semaphore, mpsc};

/// The signature header: hex SHA-256 of timestamp + nonce + encrypt key + body.
pub const SIGNATURE_HEADER: &str = "x-lark-signature";
/// The request timestamp header (Unix seconds), part of the signed text.
pub const TIMESTAMP_HEADER: &str = "x-lark-request-timestamp";
/// The request nonce header, part of the signed text.
pub const NONCE_HEADER: &str = "x-lark-request-nonce";

/// Default limit of a callback body (1 MiB; a helpdesk event is a few KiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;
/// Default tolerance between the signed timestamp and this machine's clock.
pub const DEFAULT_TIMESTAMP_TOLERANCE: Duration = Duration::from_secs(5 * 60);
/// Default number of acknowledged events that may wait for a worker.
pub const DEFAULT_QUEUE_CAPACITY: usize = 1024;
/// Default number of handler calls running at once.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// The event endpoint's configuration; [`EventReceiver::router`] or
/// [`EventReceiver::method_router`] turns it into an axum service. Clones
/// share the de-duplication store.
#[derive(Clone)]
pub struct EventReceiver {
    decoder: EventDecoder,
    max_body_bytes: usize,
    tolerance: Duration,
    require_signature: bool,
    dedupe: Option<Arc<dyn Dedupe>>,
    queue_capacity: usize,
    concurrency: usize,
}

impl fmt::Debug for EventReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventReceiver")
            .field("decoder", &self.decoder)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("timestamp_tolerance", &self.tolerance)
            .field("require_signature", &self.require_signature)
            .field("dedupe", &self.dedupe.is_some())
            .field("queue_capacity", &self.queue_capacity)
            .field("concurrency", &self.concurrency)
            .finish()
    }
}

impl EventReceiver {
    /// A receiver with the decoder's verification token and encrypt key,
    /// and the defaults: 1 MiB bodies, 5 min timestamp tolerance,
    /// signatures required (when an encrypt key is set), in-memory
    /// de-duplication ([`InMemoryDedupe::default`]), a queue of 1024
    /// events, 16 handler calls at once.
    pub fn new(decoder: EventDecoder) -> Self {
        EventReceiver {
            decoder,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            tolerance: DEFAULT_TIMESTAMP_TOLERANCE,
            require_signature: true,
            dedupe: Some(Arc::new(InMemoryDedupe::default())),
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }

    /// Largest accepted body; larger ones get `413` without being read whole.
    pub fn max_body_bytes(mut self, n: usize) -> Self {
        self.max_body_bytes = n;
        self
    }

    /// How far `X-Lark-Request-Timestamp` may be from this machine's clock,
    /// either way (default 5 min). Keep the clock synchronised (NTP). The
    /// platform's documents do not say whether a re-delivery is signed
    /// anew; reports say each delivery is signed when it is sent. Should
    /// your logs show re-deliveries refused as outside the window, widen
    /// it: de-duplication (8 h by default) still stops replays inside it.
    pub fn timestamp_tolerance(mut self, d: Duration) -> Self {
        self.tolerance = d;
        self
    }

    /// Whether events without the signature headers are refused when an
    /// encrypt key is configured (default `true`). Signed requests are
    /// checked either way; without an encrypt key nothing can be checked.
    pub fn require_signature(mut self, yes: bool) -> Self {
        self.require_signature = yes;
        self
    }

    /// The store of event ids already seen (default: [`InMemoryDedupe`]).
    pub fn dedupe(mut self, store: impl Dedupe) -> Self {
        self.dedupe = Some(Arc::new(store));
        self
    }

    /// Hands every delivery to the handler, re-deliveries included.
    pub fn without_dedupe(mut self) -> Self {
        self.dedupe = None;
        self
    }

    /// How many acknowledged events may wait for a worker (at least 1);
    /// beyond that, events are refused with `503` and re-delivered later.
    pub fn queue_capacity(mut self, n: usize) -> Self {
        self.queue_capacity = n.max(1);
        self
    }

    /// How many handler calls run at once (at least 1; 1 keeps arrival order).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// A router that serves the endpoint at its root (`POST /`): mount it
    /// with `Router::nest("/your/path", …)` or `merge` it. The workers start
    /// with the first request, in its runtime; they stop when the router
    /// (every clone) is dropped and the queue is empty.
    pub fn router<S, F, Fut>(self, handler: F) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
        F: Fn(EventCallback) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Router::new().route("/", self.method_router(handler))
    }

    /// The endpoint as a `POST` method router, for
    /// `Router::route("/your/path", …)`.
    pub fn method_router<S, F, Fut>(self, handler: F) -> MethodRouter<S>
    where
        S: Clone + Send + Sync + 'static,
        F: Fn(EventCallback) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        if self.decoder.verification_token.is_none() && !self.decoder.has_encrypt_key() {
            tracing::warn!(
                "event receiver without verification token or encrypt key: any request is accepted"
            );
        }
        let handler: Handler = Arc::new(move |cb| Box::pin(handler(cb)));
        let (tx, rx) = mpsc::channel(self.queue_capacity);
        let inner = Arc::new(Inner {
            workers: Mutex::new(Some(Workers {
                rx,
                handler,
                concurrency: self.concurrency,
            })),
            config: self,
            tx,
        });
        post(receive).with_state(inner)
    }
}

type Handler = Arc<dyn Fn(EventCallback) -> BoxFuture<'static, ()> + Send + Sync>;

struct Inner {
    config: EventReceiver,
    tx: mpsc::Sender<EventCallback>,
    /// Taken (and started) by the first request.
    workers: Mutex<Option<Workers>>,
}

struct Workers {
    rx: mpsc::Receiver<EventCallback>,
    handler: Handler,
    concurrency: usize,
}

impl Workers {
    async fn run(mut self) {
        let slots = Arc::new(Semaphore::new(self.concurrency));
        loop {
            // A free slot first, then an event: events wait in the queue
            // (and count against its capacity) until a handler can run.
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return; // never closed
            };
            let Some(cb) = self.rx.recv().await else {
                return; // every sender dropped: the router is gone
            };
            let handler = self.handler.clone();
            let event_type = cb.event.event_type().to_string();
            let event_id = cb.header.event_id.clone();
            tokio::spawn(async move {
                let run = tokio::spawn(handler(cb)).await;
                drop(slot);
                if let Err(e) = run {
                    if e.is_panic() {
                        tracing::error!(target: "helpdesk_api::events::axum", %event_type, %event_id, "event handler panicked");
                    }
                }
            });
        }
    }
}

/// Why a request is refused: the status and a short reason for the reply.
struct Refused(StatusCode, &'static str);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        (
            self.0,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )],
            self.1,
        )
            .into_response()
    }
}

fn json(body: String) -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

async fn receive(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: Body) -> Response {
    match handle(&inner, &headers, body).await {
        Ok(r) => r,
        Err(Refused(status, reason)) => {
            tracing::warn!(target: "helpdesk_api::events::axum", status = status.as_u16(), reason, "event callback refused");
            Refused(status, reason).into_response()
        }
    }
}

async fn handle(inner: &Inner, headers: &HeaderMap, body: Body) -> Result<Response, Refused> {
    let cfg = &inner.config;
    let body = read_body(headers, body, cfg.max_body_bytes).await?;
    let signed = check_signature(cfg, headers, &body)?;
    let callback = cfg.decoder.decode(&body).map_err(|e| {
        tracing::debug!(target: "helpdesk_api::events::axum", error = %e, "event callback not decoded");
        refusal(&e)
    })?;
    let cb = match callback {
        Callback::UrlVerification { challenge } => {
            let reply = serde_json::json!({ "challenge": challenge }).to_string();
            return Ok(json(reply));
        }
        Callback::Event(cb) => *cb,
    };
    if !signed && cfg.require_signature && cfg.decoder.has_encrypt_key() {
        return Err(Refused(
            StatusCode::UNAUTHORIZED,
            "missing signature headers",
        ));
    }
    // The slot first: an event refused for a full queue must not be
    // recorded as seen, or its re-delivery would be dropped.
    let slot = match inner.tx.clone().try_reserve_owned() {
        Ok(slot) => slot,
        Err(mpsc::error::TrySendError::Full(_)) => {
            return Err(Refused(
                StatusCode::SERVICE_UNAVAILABLE,
                "event queue full, deliver again later",
            ));
        }
        Err(mpsc::error::TrySendError::Closed(_)) => {
            return Err(Refused(StatusCode::SERVICE_UNAVAILABLE, "receiver stopped"));
        }
    };
    if let Some(store) = &cfg.dedupe {
        if !cb.header.event_id.is_empty() && !store.first_delivery(&cb.header.event_id).await {
            tracing::debug!(target: "helpdesk_api::events::axum", event_id = %cb.header.event_id, "re-delivered event dropped");
            return Ok(json("{}".into()));
        }
    }
    start_workers(inner);
    tracing::debug!(target: "helpdesk_api::events::axum", event_type = %cb.header.event_type, event_id = %cb.header.event_id, "event queued");
    slot.send(cb);
    Ok(json("{}".into()))
}

fn start_workers(inner: &Inner) {
    let workers = inner
        .workers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    if let Some(w) = workers {
        tokio::spawn(w.run());
    }
}

async fn read_body(headers: &HeaderMap, body: Body, max: usize) -> Result<Bytes, Refused> {
    const TOO_LARGE: Refused = Refused(StatusCode::PAYLOAD_TOO_LARGE, "body too large");
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(TOO_LARGE);
    }
    match Limited::new(body, max).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(TOO_LARGE),
        Err(_) => Err(Refused(StatusCode::BAD_REQUEST, "cannot read body")),
    }
}

/// Checks the signature headers if an encrypt key is configured: `Ok(true)`
/// if the request is signed and the signature and timestamp are good,
/// `Ok(false)` if there is nothing to check.
fn check_signature(cfg: &EventReceiver, headers: &HeaderMap, body: &[u8]) -> Result<bool, Refused> {
    if !cfg.decoder.has_encrypt_key() {
        return Ok(false);
    }
    let get = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or(""));
    let (ts, nonce, sig) = match (
        get(TIMESTAMP_HEADER),
        get(NONCE_HEADER),
        get(SIGNATURE_HEADER),
    ) {
        (None, None, None) => return Ok(false),
        (Some(ts), Some(nonce), Some(sig)) => (ts, nonce, sig),
        _ => {
            return Err(Refused(
                StatusCode::UNAUTHORIZED,
                "missing signature headers",
            ));
        }
    };
    let secs: u64 = ts
        .trim()
        .parse()
        .map_err(|_| Refused(StatusCode::UNAUTHORIZED, "bad request timestamp"))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if now.abs_diff(secs) > cfg.tolerance.as_secs() {
        return Err(Refused(
            StatusCode::UNAUTHORIZED,
            "request timestamp outside the accepted window",
        ));
    }
    cfg.decoder
        .verify_signature(ts, nonce, body, sig)
        .map_err(|_| Refused(StatusCode::UNAUTHORIZED, "bad signature"))?;
    Ok(true)
}

fn refusal(e: &EventError) -> Refused {
    let reason = match e {
        EventError::Malformed(_) => "malformed body",
        EventError::NoEncryptKey => "encrypted body but no encrypt key configured",
        EventError::Decrypt(_) => "cannot decrypt body",
        EventError::TokenMismatch => {
            return Refused(StatusCode::FORBIDDEN, "verification token mismatch");
        }
        EventError::BadSignature => return Refused(StatusCode::UNAUTHORIZED, "bad signature"),
        EventError::UnsupportedSchema(_) => "unsupported callback schema",
        EventError::BadEvent { .. } => "event does not match its type",
    };
    Refused(StatusCode::BAD_REQUEST, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receiver() -> EventReceiver {
        EventReceiver::new(EventDecoder::new().encrypt_key("k"))
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused_declared_or_not() {
        let declared = headers(&[("content-length", "11")]);
        let r = read_body(&declared, Body::from("x".repeat(11)), 10).await;
        assert!(matches!(r, Err(Refused(StatusCode::PAYLOAD_TOO_LARGE, _))));
        let r = read_body(&HeaderMap::new(), Body::from("x".repeat(11)), 10).await;
        assert!(matches!(r, Err(Refused(StatusCode::PAYLOAD_TOO_LARGE, _))));
        let r = read_body(&HeaderMap::new(), Body::from("x".repeat(10)), 10).await;
        assert_eq!(r.ok().unwrap().len(), 10);
    }

    #[test]
    fn signature_headers_all_or_none() {
        let cfg = receiver();
        assert_eq!(
            check_signature(&cfg, &HeaderMap::new(), b"").ok(),
            Some(false)
        );
        let some = headers(&[(SIGNATURE_HEADER, "00")]);
        assert!(matches!(
            check_signature(&cfg, &some, b""),
            Err(Refused(
                StatusCode::UNAUTHORIZED,
                "missing signature headers"
            ))
        ));
        // without an encrypt key there is nothing to check them against
        let plain = EventReceiver::new(EventDecoder::new());
        assert_eq!(check_signature(&plain, &some, b"").ok(), Some(false));
    }

    #[test]
    fn non_ascii_and_non_numeric_headers_are_refused_not_panics() {
        let cfg = receiver();
        let mut h = headers(&[(NONCE_HEADER, "n"), (SIGNATURE_HEADER, "00")]);
        h.insert(
            TIMESTAMP_HEADER,
            HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
        );
        assert!(matches!(
            check_signature(&cfg, &h, b""),
            Err(Refused(StatusCode::UNAUTHORIZED, _))
        ));
        h.insert(TIMESTAMP_HEADER, HeaderValue::from_static("-1"));
        assert!(check_signature(&cfg, &h, b"").is_err());
    }

    #[test]
    fn refusal_reasons_hold_no_detail() {
        let e = EventError::Malformed("secret-looking detail".into());
        let Refused(status, reason) = refusal(&e);
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(!reason.contains("secret"));
        assert_eq!(refusal(&EventError::TokenMismatch).0, StatusCode::FORBIDDEN);
    }
}
