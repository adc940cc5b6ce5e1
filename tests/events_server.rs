//! The events endpoint (`helpdesk_api::events::axum::EventReceiver`) over
//! real HTTP: a server on 127.0.0.1:0 per test, callbacks built from the
//! spec's event examples (`spec/events/*.json`) and posted with reqwest,
//! signed and encrypted the way the platform does it (the signature is
//! computed here, independently of the crate).
//!
//! "The handler was not called" is never inferred from waiting: the
//! receivers run one handler at a time from a FIFO queue, so after a
//! refused or dropped callback the test posts a sentinel event and checks
//! that the next event the handler saw is that sentinel.

use base64::Engine;
use helpdesk_api::Event;
use helpdesk_api::events::axum::EventReceiver;
use helpdesk_api::events::{EventCallback, EventDecoder, encrypt};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{Notify, mpsc, oneshot};

const TOKEN: &str = "rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV";
const KEY: &str = "test-encrypt-key-local-only";
/// Bound on every wait, so a bug fails the test instead of hanging it.
const LIMIT: Duration = Duration::from_secs(20);

fn example(event_type: &str) -> serde_json::Value {
    let path = format!(
        "{}/spec/events/{event_type}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    spec["example"].clone()
}

/// The spec example of `event_type` with another event id.
fn event_body(event_type: &str, event_id: &str) -> String {
    let mut v = example(event_type);
    assert_eq!(v["header"]["token"], TOKEN, "the spec examples carry TOKEN");
    v["header"]["event_id"] = event_id.into();
    v.to_string()
}

fn encrypted(plain: &str, iv: u8) -> String {
    serde_json::json!({ "encrypt": encrypt(KEY, plain.as_bytes(), [iv; 16]) }).to_string()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The platform's signature, written out here: hex(sha256(ts + nonce + key + body)).
fn signature(ts: &str, nonce: &str, key: &str, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(format!("{ts}{nonce}{key}").as_bytes());
    h.update(body.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn signed_at(ts: u64, body: &str) -> Vec<(&'static str, String)> {
    let ts = ts.to_string();
    let nonce = format!("nonce-{}", body.len());
    let sig = signature(&ts, &nonce, KEY, body);
    vec![
        ("X-Lark-Request-Timestamp", ts),
        ("X-Lark-Request-Nonce", nonce),
        ("X-Lark-Signature", sig),
    ]
}

fn signed(body: &str) -> Vec<(&'static str, String)> {
    signed_at(now_secs(), body)
}

fn full_decoder() -> EventDecoder {
    EventDecoder::new()
        .verification_token(TOKEN)
        .encrypt_key(KEY)
}

/// What the test handler reports.
enum Seen {
    Entered(String),
    Done(Box<EventCallback>),
}

/// The handler's hold: events whose id starts with `hold` wait for `release`.
#[derive(Clone, Default)]
struct Hold {
    release: Arc<Notify>,
    finished: Arc<AtomicBool>,
}

struct Server {
    url: String,
    client: reqwest::Client,
    seen: mpsc::UnboundedReceiver<Seen>,
    calls: Arc<AtomicUsize>,
    hold: Hold,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// The receiver, one handler at a time, mounted at `/feishu/events`.
    async fn start(receiver: EventReceiver) -> Server {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let (tx, seen) = mpsc::unbounded_channel();
        let calls = Arc::new(AtomicUsize::new(0));
        let hold = Hold::default();
        let (c, h) = (calls.clone(), hold.clone());
        let events = receiver.concurrency(1).router(move |cb: EventCallback| {
            let (tx, calls, hold) = (tx.clone(), c.clone(), h.clone());
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                let _ = tx.send(Seen::Entered(cb.header.event_id.clone()));
                if cb.header.event_id.starts_with("hold") {
                    hold.release.notified().await;
                    hold.finished.store(true, Ordering::SeqCst);
                }
                let _ = tx.send(Seen::Done(Box::new(cb)));
            }
        });
        let app = axum::Router::new().nest("/feishu/events", events);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Server {
            url: format!("http://{addr}/feishu/events"),
            client: reqwest::Client::builder().build().unwrap(),
            seen,
            calls,
            hold,
            stop: Some(stop),
            task,
        }
    }

    async fn post(&self, body: &str, headers: &[(&'static str, String)]) -> (u16, String) {
        let mut req = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body.to_string());
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let reply = tokio::time::timeout(LIMIT, req.send())
            .await
            .expect("a reply within the limit")
            .expect("the server answers");
        let status = reply.status().as_u16();
        let text = reply.text().await.unwrap();
        assert!(
            !text.contains(TOKEN) && !text.contains(KEY),
            "a reply shows a secret: {text}"
        );
        (status, text)
    }

    /// The next event the handler finished.
    async fn next_done(&mut self) -> EventCallback {
        loop {
            match tokio::time::timeout(LIMIT, self.seen.recv()).await {
                Ok(Some(Seen::Done(cb))) => return *cb,
                Ok(Some(Seen::Entered(_))) => {}
                other => panic!("no event handled: {:?}", other.map(|o| o.is_some())),
            }
        }
    }

    /// Posts a signed sentinel event and checks that it is the next event
    /// handled: nothing posted before it reached the handler.
    async fn assert_nothing_handled_before_sentinel(&mut self, sentinel: &str) {
        let body = event_body("helpdesk.ticket.updated_v1", sentinel);
        assert_eq!(self.post(&body, &signed(&body)).await.0, 200);
        let cb = self.next_done().await;
        assert_eq!(
            cb.header.event_id, sentinel,
            "an earlier callback was handled"
        );
    }

    async fn stop(mut self) {
        drop(self.client);
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(LIMIT, self.task)
            .await
            .expect("the server stops")
            .unwrap();
    }
}

#[tokio::test]
async fn plain_events_reach_the_handler_typed() {
    // No encrypt key: plain bodies, only the verification token is checked.
    let mut s = Server::start(EventReceiver::new(
        EventDecoder::new().verification_token(TOKEN),
    ))
    .await;
    for (i, t) in Event::EVENT_TYPES.iter().enumerate() {
        let body = event_body(t, &format!("plain-{i}"));
        let (status, reply) = s.post(&body, &[]).await;
        assert_eq!((status, reply.as_str()), (200, "{}"), "{t}");
        let cb = s.next_done().await;
        assert_eq!(cb.header.event_id, format!("plain-{i}"));
        assert_eq!(cb.event.event_type(), *t);
        assert!(!matches!(cb.event, Event::Unknown { .. }), "{t} untyped");
    }
    let body = event_body("helpdesk.ticket.created_v1", "typed");
    assert_eq!(s.post(&body, &[]).await.0, 200);
    match s.next_done().await.event {
        Event::TicketCreatedV1(e) => {
            assert_eq!(e.ticket_id.as_deref(), Some("6626871355780366331"))
        }
        other => panic!("{other:?}"),
    }
    s.stop().await;
}

#[tokio::test]
async fn encrypted_signed_events_are_decrypted_and_dispatched() {
    let mut s = Server::start(EventReceiver::new(full_decoder())).await;
    for (i, t) in Event::EVENT_TYPES.iter().enumerate() {
        let body = encrypted(&event_body(t, &format!("enc-{i}")), i as u8);
        let (status, _) = s.post(&body, &signed(&body)).await;
        assert_eq!(status, 200, "{t}");
        let cb = s.next_done().await;
        assert_eq!(cb.header.event_id, format!("enc-{i}"));
        assert_eq!(cb.event.event_type(), *t);
        assert!(!matches!(cb.event, Event::Unknown { .. }));
    }
    s.stop().await;
}

#[tokio::test]
async fn url_verification_plain_and_encrypted() {
    let s = Server::start(EventReceiver::new(full_decoder())).await;
    let plain =
        format!(r#"{{"challenge":"ajls384kdjx98XX","token":"{TOKEN}","type":"url_verification"}}"#);
    // The platform does not sign URL verification requests.
    for body in [plain.clone(), encrypted(&plain, 9)] {
        let (status, reply) = s.post(&body, &[]).await;
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
        assert_eq!(v, serde_json::json!({"challenge": "ajls384kdjx98XX"}));
    }
    // signed is fine too
    assert_eq!(s.post(&plain, &signed(&plain)).await.0, 200);
    let forged = plain.replace(TOKEN, "forged");
    assert_eq!(s.post(&forged, &[]).await.0, 403);
    assert_eq!(s.post(&encrypted(&forged, 3), &[]).await.0, 403);
    assert_eq!(
        s.calls.load(Ordering::SeqCst),
        0,
        "verification is no event"
    );
    s.stop().await;
}

#[tokio::test]
async fn bad_signatures_are_refused() {
    let mut s = Server::start(EventReceiver::new(full_decoder())).await;
    let body = encrypted(&event_body("helpdesk.ticket.created_v1", "forged"), 1);
    let ts = now_secs().to_string();
    let cases: Vec<Vec<(&'static str, String)>> = vec![
        // signed with another key
        vec![
            ("X-Lark-Request-Timestamp", ts.clone()),
            ("X-Lark-Request-Nonce", "n".into()),
            (
                "X-Lark-Signature",
                signature(&ts, "n", "another-key", &body),
            ),
        ],
        // signature of another body
        vec![
            ("X-Lark-Request-Timestamp", ts.clone()),
            ("X-Lark-Request-Nonce", "n".into()),
            ("X-Lark-Signature", signature(&ts, "n", KEY, "{}")),
        ],
        // the right signature, another nonce sent
        vec![
            ("X-Lark-Request-Timestamp", ts.clone()),
            ("X-Lark-Request-Nonce", "m".into()),
            ("X-Lark-Signature", signature(&ts, "n", KEY, &body)),
        ],
        vec![
            ("X-Lark-Request-Timestamp", ts.clone()),
            ("X-Lark-Request-Nonce", "n".into()),
            ("X-Lark-Signature", "not hex at all".into()),
        ],
        // headers missing: none, or some
        vec![],
        vec![("X-Lark-Signature", signature(&ts, "n", KEY, &body))],
        vec![
            ("X-Lark-Request-Timestamp", "soon".into()),
            ("X-Lark-Request-Nonce", "n".into()),
            ("X-Lark-Signature", signature("soon", "n", KEY, &body)),
        ],
    ];
    for (i, headers) in cases.iter().enumerate() {
        let (status, reply) = s.post(&body, headers).await;
        assert_eq!(status, 401, "case {i}: {reply}");
    }
    // a plain (unencrypted) event is no way around the signature either
    let plain = event_body("helpdesk.ticket.created_v1", "forged-plain");
    assert_eq!(s.post(&plain, &[]).await.0, 401);
    s.assert_nothing_handled_before_sentinel("after-bad-signatures")
        .await;
    assert_eq!(s.calls.load(Ordering::SeqCst), 1);
    s.stop().await;
}

#[tokio::test]
async fn stale_and_future_timestamps_are_refused() {
    let mut s = Server::start(
        EventReceiver::new(full_decoder()).timestamp_tolerance(Duration::from_secs(300)),
    )
    .await;
    let body = encrypted(&event_body("helpdesk.ticket.created_v1", "replayed"), 1);
    for ts in [now_secs() - 3600, now_secs() - 1000, now_secs() + 3600] {
        let (status, reply) = s.post(&body, &signed_at(ts, &body)).await;
        assert_eq!(status, 401, "{ts}: {reply}");
    }
    // well inside the window (a minute of skew either way) is accepted
    assert_eq!(
        s.post(&body, &signed_at(now_secs() - 60, &body)).await.0,
        200
    );
    assert_eq!(s.next_done().await.header.event_id, "replayed");
    s.stop().await;
}

#[tokio::test]
async fn a_wrong_verification_token_is_refused() {
    let mut s = Server::start(EventReceiver::new(full_decoder())).await;
    let body = event_body("helpdesk.ticket.created_v1", "wrong-token").replace(TOKEN, "forged");
    for body in [body.clone(), encrypted(&body, 4)] {
        // correctly signed (e.g. another app of the same key): the token still decides
        let (status, reply) = s.post(&body, &signed(&body)).await;
        assert_eq!(status, 403, "{reply}");
    }
    // v1 callbacks carry the token at the top level
    let v1 = r#"{"uuid":"v1-wrong","token":"forged","ts":"1502199207.7171419","type":"event_callback","event":{"type":"some_v1_event"}}"#;
    assert_eq!(s.post(v1, &signed(v1)).await.0, 403);
    s.assert_nothing_handled_before_sentinel("after-wrong-token")
        .await;
    s.stop().await;
}

#[tokio::test]
async fn a_redelivered_event_is_handled_once() {
    let mut s = Server::start(EventReceiver::new(full_decoder())).await;
    let plain = event_body("helpdesk.ticket.created_v1", "once");
    // Re-deliveries: a fresh signature, timestamp and IV each time; same event id.
    for iv in 0..3u8 {
        let body = encrypted(&plain, iv);
        assert_eq!(s.post(&body, &signed(&body)).await.0, 200, "delivery {iv}");
    }
    assert_eq!(s.next_done().await.header.event_id, "once");
    s.assert_nothing_handled_before_sentinel("after-once").await;
    // v1 callbacks are de-duplicated on their uuid
    let v1 = format!(
        r#"{{"uuid":"v1-once","token":"{TOKEN}","ts":"1502199207.7171419","type":"event_callback","event":{{"type":"some_v1_event","app_id":"cli_x"}}}}"#
    );
    assert_eq!(s.post(&v1, &signed(&v1)).await.0, 200);
    assert_eq!(s.post(&v1, &signed(&v1)).await.0, 200);
    let cb = s.next_done().await;
    assert_eq!(cb.header.event_id, "v1-once");
    assert_eq!(cb.header.app_id, "cli_x");
    s.assert_nothing_handled_before_sentinel("after-v1").await;
    assert_eq!(s.calls.load(Ordering::SeqCst), 4);
    s.stop().await;
}

#[tokio::test]
async fn unknown_event_types_are_acknowledged_and_handed_over_as_unknown() {
    let mut s = Server::start(EventReceiver::new(full_decoder())).await;
    let body = format!(
        r#"{{"schema":"2.0","header":{{"event_id":"new-kind","event_type":"helpdesk.something.new_v9","token":"{TOKEN}","create_time":"1608725989000"}},"event":{{"a":[1,2]}}}}"#
    );
    let body = encrypted(&body, 5);
    assert_eq!(s.post(&body, &signed(&body)).await, (200, "{}".to_string()));
    match s.next_done().await.event {
        Event::Unknown { event_type, event } => {
            assert_eq!(event_type, "helpdesk.something.new_v9");
            assert_eq!(event, serde_json::json!({"a": [1, 2]}));
        }
        other => panic!("dispatched as a known type: {other:?}"),
    }
    s.stop().await;
}

#[tokio::test]
async fn the_reply_does_not_wait_for_a_slow_handler() {
    let mut s = Server::start(EventReceiver::new(full_decoder())).await;
    let body = encrypted(&event_body("helpdesk.ticket.created_v1", "hold-slow"), 2);
    // The handler cannot finish before `release` is notified, which happens
    // only after this reply: had the reply waited for it, `post` would time out.
    let (status, _) = s.post(&body, &signed(&body)).await;
    assert_eq!(status, 200);
    match tokio::time::timeout(LIMIT, s.seen.recv()).await {
        Ok(Some(Seen::Entered(id))) => assert_eq!(id, "hold-slow"),
        _ => panic!("the handler did not start"),
    }
    assert!(!s.hold.finished.load(Ordering::SeqCst));
    s.hold.release.notify_one();
    assert_eq!(s.next_done().await.header.event_id, "hold-slow");
    assert!(s.hold.finished.load(Ordering::SeqCst));
    s.stop().await;
}

#[tokio::test]
async fn a_full_queue_refuses_with_503_and_the_redelivery_is_accepted() {
    let mut s = Server::start(EventReceiver::new(full_decoder()).queue_capacity(1)).await;
    let post = |id: &str| {
        let body = encrypted(&event_body("helpdesk.ticket.created_v1", id), 6);
        let headers = signed(&body);
        (body, headers)
    };
    // A runs (and blocks) in the only handler slot...
    let (a, ha) = post("hold-a");
    assert_eq!(s.post(&a, &ha).await.0, 200);
    match tokio::time::timeout(LIMIT, s.seen.recv()).await {
        Ok(Some(Seen::Entered(id))) => assert_eq!(id, "hold-a"),
        _ => panic!("the handler did not start"),
    }
    // ...B waits in the queue (capacity 1)...
    let (b, hb) = post("b");
    assert_eq!(s.post(&b, &hb).await.0, 200);
    // ...so C is refused, and not recorded as seen.
    let (c, hc) = post("c");
    let (status, reply) = s.post(&c, &hc).await;
    assert_eq!(status, 503, "{reply}");
    s.hold.release.notify_one();
    assert_eq!(s.next_done().await.header.event_id, "hold-a");
    assert_eq!(s.next_done().await.header.event_id, "b");
    // Feishu delivers C again later: accepted and handled.
    let (c, hc) = post("c");
    assert_eq!(s.post(&c, &hc).await.0, 200);
    assert_eq!(s.next_done().await.header.event_id, "c");
    s.stop().await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    // Sizes small enough for the server to read the whole request at once
    // (so closing the connection early never resets it before the reply).
    let mut s = Server::start(EventReceiver::new(full_decoder()).max_body_bytes(2048)).await;
    let big = format!(r#"{{"encrypt":"{}"}}"#, "A".repeat(4000));
    assert_eq!(s.post(&big, &signed(&big)).await.0, 413);
    // Chunked, without Content-Length: the limit holds while reading.
    let addr = s
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap();
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = String::from(
        "POST /feishu/events HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
    );
    for _ in 0..4 {
        req.push_str(&format!("400\r\n{}\r\n", "A".repeat(0x400)));
    }
    req.push_str("0\r\n\r\n");
    // The server may answer and close before reading it all.
    let _ = conn.write_all(req.as_bytes()).await;
    let mut reply = Vec::new();
    let _ = tokio::time::timeout(LIMIT, conn.read_to_end(&mut reply)).await;
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    // a body under the limit is still served
    s.assert_nothing_handled_before_sentinel("after-big").await;
    s.stop().await;
}

#[tokio::test]
async fn malformed_bodies_are_refused_with_400() {
    let mut s = Server::start(EventReceiver::new(full_decoder())).await;
    let event = event_body("helpdesk.ticket.created_v1", "bad");
    // CBC: flipping a byte of the next-to-last block flips the same byte of
    // the last plaintext block; XOR with the pad value makes the last byte
    // 0, never valid PKCS#7 padding.
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut raw = b64.decode(encrypt(KEY, event.as_bytes(), [8; 16])).unwrap();
    let pad = 16 - event.len() % 16;
    let n = raw.len();
    raw[n - 17] ^= pad as u8;
    let bad_padding = format!(r#"{{"encrypt":"{}"}}"#, b64.encode(&raw));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let bodies = [
        String::new(),
        "<html>".into(),
        "{".into(),
        "\u{0}\u{1}\u{2}".into(),
        r#"{"encrypt":"%%%not base64"}"#.into(),
        r#"{"encrypt":"AAAA"}"#.into(),
        r#"{"encrypt":""}"#.into(),
        r#"{"encrypt":12}"#.into(),
        serde_json::json!({"encrypt": encrypt("another-key", event.as_bytes(), [1; 16])})
            .to_string(),
        bad_padding,
        encrypted("not json", 2),
        deep,
        r#"{"schema":"2.0","event":{}}"#.to_string(),
        format!(r#"{{"schema":"9.9","header":{{"event_type":"x","token":"{TOKEN}"}}}}"#),
        format!(
            r#"{{"schema":"2.0","header":{{"event_type":"helpdesk.ticket.created_v1","token":"{TOKEN}"}},"event":[1,2]}}"#
        ),
        event.replace(r#""stage":1"#, r#""stage":"one""#),
        format!(r#"{{"uuid":"u","token":"{TOKEN}","type":"event_callback","event":"x"}}"#),
    ];
    for body in &bodies {
        let (status, reply) = s.post(body, &signed(body)).await;
        assert_eq!(status, 400, "{:.80}: {reply}", body);
        assert!(reply.len() < 100, "a short reason: {reply}");
    }
    s.assert_nothing_handled_before_sentinel("after-malformed")
        .await;
    s.stop().await;
}

#[tokio::test]
async fn a_method_router_at_any_path_and_only_post() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let route = EventReceiver::new(EventDecoder::new().verification_token(TOKEN)).method_router(
        move |cb: EventCallback| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(cb.header.event_id);
            }
        },
    );
    let app = axum::Router::new().route("/webhook/event", route);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook/event", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
            .unwrap()
    });
    let client = reqwest::Client::new();
    let get = client.get(&url).send().await.unwrap();
    assert_eq!(get.status().as_u16(), 405);
    let body = event_body("helpdesk.ticket.updated_v1", "routed");
    let r = client.post(&url).body(body).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let id = tokio::time::timeout(LIMIT, rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(id, "routed");
    drop(client);
    let _ = stop.send(());
    tokio::time::timeout(LIMIT, server).await.unwrap().unwrap();
}
