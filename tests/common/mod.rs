//! Shared set-up and wire assertions of the per-endpoint tests
//! (`tests/endpoints_*.rs`): one mock server per test, a client pointed at
//! it, and one check of the exact request the mock saw.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use futures_core::Stream;
use helpdesk_api::{Client, RetryPolicy, TenantAccessToken, UserAccessToken};
use helpdesk_mock::{MockServer, MockSpec, RecordedRequest};
use serde_json::Value;
use std::pin::Pin;
use std::time::Duration;

pub const HD_ID: &str = "7100000000000000042";
pub const HD_TOKEN: &str = "hd-endpoint-tests-token";
/// `base64("7100000000000000042:hd-endpoint-tests-token")`, worked out by
/// hand (not with the code under test), with no scheme prefix.
pub const HD_HEADER: &str = "NzEwMDAwMDAwMDAwMDAwMDA0MjpoZC1lbmRwb2ludC10ZXN0cy10b2tlbg==";
pub const APP_ID: &str = "cli_endpoint_tests";
pub const APP_SECRET: &str = "endpoint-tests-app-secret";
pub const USER: &str = "u-7f1bcd13fc57d46bac21793a18e560";
/// A tenant token the caller obtained elsewhere and passes to `send_with`.
pub const GIVEN_TENANT: &str = "t-g1045bbbd2a1c4e2b8c5b9e3a7f0d6c1";

pub const JSON_UTF8: &str = "application/json; charset=utf-8";

/// A mock serving the embedded spec, and a client for it with helpdesk and
/// app credentials (the app's managed tenant token serves `send()`).
pub async fn setup() -> (MockServer, Client) {
    let mock = MockServer::builder()
        .spec(MockSpec::embedded())
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .start()
        .await
        .expect("mock server starts");
    let client = Client::builder()
        .base_url(mock.base_url())
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        // Some endpoints allow only 10 requests a minute; the client-side
        // limiter must not make these tests wait for a window.
        .rate_limiter(false)
        // Each test sees exactly the requests it made, failures included
        // (retries are tested in tests/resilience.rs).
        .retry_policy(RetryPolicy::disabled())
        .timeout(Some(Duration::from_secs(5)))
        .build()
        .expect("client builds");
    (mock, client)
}

pub fn user() -> UserAccessToken {
    UserAccessToken::new(USER)
}

pub fn tenant() -> TenantAccessToken {
    TenantAccessToken::new(GIVEN_TENANT)
}

/// Which token the request must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// [`USER`], given to `send_with`.
    User,
    /// [`GIVEN_TENANT`], given to `send_with` / `items_with`.
    GivenTenant,
    /// The tenant token the mock issued to the client's one token fetch.
    Managed,
}

/// What the request on the wire must be, exactly.
#[derive(Debug, Clone)]
pub struct Wire<'a> {
    pub method: &'a str,
    /// Still percent-encoded.
    pub path: &'a str,
    /// Decoded pairs, in order; empty means no query string at all.
    pub query: &'a [(&'a str, &'a str)],
    /// The JSON body; `None` means no body and no content type.
    pub body: Option<Value>,
    pub auth: Auth,
}

/// The one request the mock recorded for `id`.
pub fn the_request(mock: &MockServer, id: &str) -> RecordedRequest {
    let reqs = mock.requests_for(id);
    assert_eq!(reqs.len(), 1, "{id}: expected one request, got {reqs:#?}");
    reqs.into_iter().next().unwrap()
}

/// Asserts the one request recorded for `id` is exactly `want`, and returns
/// it.
pub fn assert_wire(mock: &MockServer, id: &str, want: Wire<'_>) -> RecordedRequest {
    let r = the_request(mock, id);
    assert_request(mock, id, &r, &want);
    r
}

/// Asserts one recorded request of `id` is exactly `want`.
pub fn assert_request(mock: &MockServer, id: &str, r: &RecordedRequest, want: &Wire<'_>) {
    assert_eq!(r.endpoint.as_deref(), Some(id));
    assert_eq!(r.method, want.method, "{id}: method");
    assert_eq!(r.path, want.path, "{id}: path");
    let query: Vec<(&str, &str)> = r
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(query, want.query, "{id}: query (raw {:?})", r.raw_query);
    if want.query.is_empty() {
        assert_eq!(r.raw_query, None, "{id}: no query string expected");
    }

    let bearer = match want.auth {
        Auth::User => {
            assert_eq!(mock.token_fetches(), 0, "{id}: a user token needs no fetch");
            format!("Bearer {USER}")
        }
        Auth::GivenTenant => {
            assert_eq!(
                mock.token_fetches(),
                0,
                "{id}: a given tenant token needs no fetch"
            );
            format!("Bearer {GIVEN_TENANT}")
        }
        Auth::Managed => {
            assert_eq!(mock.token_fetches(), 1, "{id}: one tenant token fetch");
            let issued = mock.issued_tokens();
            assert_eq!(issued.len(), 1, "{id}: {issued:?}");
            assert!(issued[0].starts_with("t-"), "{id}: {issued:?}");
            format!("Bearer {}", issued[0])
        }
    };
    assert_eq!(
        r.header("authorization"),
        Some(bearer.as_str()),
        "{id}: Authorization"
    );
    assert_eq!(
        r.headers
            .iter()
            .filter(|(n, _)| n == "authorization")
            .count(),
        1,
        "{id}: one Authorization header"
    );

    let spec = mock.spec().endpoint(id).expect("endpoint in the spec");
    if spec.auth.helpdesk_header {
        assert_eq!(
            r.header("x-lark-helpdesk-authorization"),
            Some(HD_HEADER),
            "{id}: X-Lark-Helpdesk-Authorization"
        );
    } else {
        assert_eq!(r.header("x-lark-helpdesk-authorization"), None, "{id}");
    }

    match &want.body {
        Some(body) => {
            assert_eq!(
                r.header("content-type"),
                Some(JSON_UTF8),
                "{id}: content type"
            );
            let got = r.json().unwrap_or_else(|| {
                panic!(
                    "{id}: body is not JSON: {:?}",
                    String::from_utf8_lossy(&r.body)
                )
            });
            assert_eq!(&got, body, "{id}: body");
        }
        None => {
            assert!(
                r.body.is_empty(),
                "{id}: unexpected body {:?}",
                String::from_utf8_lossy(&r.body)
            );
            assert_eq!(
                r.header("content-type"),
                None,
                "{id}: no body, no content type"
            );
        }
    }
}

/// The `data` of the endpoint's `example_response` (what the mock serves by
/// default); `{}` when the example has none.
pub fn example_data(mock: &MockServer, id: &str) -> Value {
    let spec = mock.spec().endpoint(id).expect("endpoint in the spec");
    spec.example_response
        .as_ref()
        .and_then(|e| e.get("data"))
        .cloned()
        .unwrap_or_else(|| serde_json::json!({}))
}

/// The typed reply, serialized again, equals the example's `data`: every
/// field of the example was decoded into the typed reply and none was lost.
pub fn assert_round_trip<T: serde::Serialize>(mock: &MockServer, id: &str, reply: &T) {
    let again = serde_json::to_value(reply).expect("reply serializes");
    assert_eq!(again, example_data(mock, id), "{id}: decoded reply");
}

/// The next item of a stream (no futures crate needed).
pub async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    std::future::poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await
}

/// Every item of a stream, in order.
pub async fn collect<S: Stream + Unpin>(mut stream: S) -> Vec<S::Item> {
    let mut out = Vec::new();
    while let Some(item) = next(&mut stream).await {
        out.push(item);
    }
    out
}

/// A `{"code":0,"msg":"success","data":data}` reply.
pub fn ok_reply(data: Value) -> helpdesk_mock::Reply {
    helpdesk_mock::Reply::json(
        200,
        serde_json::json!({"code": 0, "msg": "success", "data": data}),
    )
}

/// A few bytes that start like a PNG file.
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01";

/// Runs `fut` with a TRACE-level `tracing` subscriber writing into a
/// buffer; returns what was written and the future's output.
pub async fn capture<F: std::future::Future>(fut: F) -> (String, F::Output) {
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let out = fut.await;
    let text = String::from_utf8_lossy(&buf.0.lock().unwrap()).into_owned();
    (text, out)
}

/// Reads one HTTP request head from a raw socket (for the tests' own tiny
/// servers); returns it, or what came before the peer closed.
pub async fn read_head(sock: &mut tokio::net::TcpStream) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    buf
}

/// Asserts that no `window` of the requests' receive times holds more than
/// `limit` of them (a sliding window over the sorted times), as a rate
/// limit of `limit` per `window` requires.
pub fn assert_at_most_per_window(
    reqs: &[RecordedRequest],
    limit: usize,
    window: std::time::Duration,
) {
    let mut at: Vec<_> = reqs.iter().map(|r| r.received_at).collect();
    at.sort();
    for (first, past_limit) in at.iter().zip(&at[limit.min(at.len())..]) {
        assert!(
            *past_limit - *first >= window,
            "{} requests within {:?}",
            limit + 1,
            *past_limit - *first
        );
    }
}
