//! Shared pieces of the benchmarks (issue 6): the seed endpoint's example
//! reply, the hand-written baseline (serde structs and a reqwest + serde_json
//! call), a minimal fixed-reply loopback server, the mock server on its own
//! thread, and the calls measured. See `BENCHMARKS.md` at the repository root.

#![deny(missing_docs)]

use base64::Engine as _;
use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The helpdesk id both clients send (and the mock expects).
pub const HELPDESK_ID: &str = helpdesk_mock::DEFAULT_HELPDESK_CREDENTIALS.0;
/// The helpdesk token both clients send.
pub const HELPDESK_TOKEN: &str = helpdesk_mock::DEFAULT_HELPDESK_CREDENTIALS.1;
/// The user access token both clients send.
pub const USER_TOKEN: &str = "u-bench-user-access-token";
/// The notification id of every call.
pub const NOTIFICATION_ID: &str = "6981801914270744596";
/// Requests in flight in the concurrent benchmarks.
pub const CONCURRENCY: usize = 64;

/// The repository's `spec/` directory.
pub fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

/// The seed endpoint's (`notification.get`) example reply from the spec,
/// as compact JSON: the body every benchmark decodes.
pub fn example_reply() -> Vec<u8> {
    let path = spec_dir().join("endpoints/notification.get.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let spec: serde_json::Value = serde_json::from_str(&text).expect("spec file is JSON");
    serde_json::to_vec(&spec["example_response"]).expect("example_response serializes")
}

/// The minimal hand-written serde structs a programmer would write for the
/// `notification.get` reply: the same fields as the generated types, plain
/// types (timestamps and JSON-in-strings kept as `String`, enums as `i64`),
/// envelope and data decoded in one pass.
#[allow(missing_docs, dead_code)]
pub mod hand {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    pub struct Envelope {
        pub code: i64,
        #[serde(default)]
        pub msg: String,
        #[serde(default)]
        pub data: Option<Data>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Data {
        pub notification: Option<Notification>,
        pub approval_app_link: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Notification {
        pub id: Option<String>,
        pub job_name: String,
        pub status: Option<i64>,
        pub create_user: Option<User>,
        pub created_at: Option<String>,
        pub update_user: Option<User>,
        pub updated_at: Option<String>,
        pub target_user_count: Option<i64>,
        pub sent_user_count: Option<i64>,
        pub read_user_count: Option<i64>,
        pub send_at: Option<String>,
        pub push_content: String,
        pub push_type: i64,
        pub push_scope_type: i64,
        pub new_staff_scope_type: Option<i64>,
        pub new_staff_scope_department_list: Option<Vec<Department>>,
        pub user_list: Option<Vec<User>>,
        pub department_list: Option<Vec<Department>>,
        pub chat_list: Option<Vec<Chat>>,
        pub ext: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    pub struct User {
        pub user_id: Option<String>,
        pub avatar_url: Option<String>,
        pub name: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Department {
        pub department_id: Option<String>,
        pub name: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    pub struct Chat {
        pub chat_id: Option<String>,
        pub name: Option<String>,
    }
}

/// Decodes a reply the hand-written way: one `serde_json::from_slice` into
/// [`hand::Envelope`], then a check of `code`.
pub fn decode_hand(body: &[u8]) -> Result<hand::Data, String> {
    let env: hand::Envelope = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if env.code != 0 {
        return Err(format!("code {}: {}", env.code, env.msg));
    }
    env.data.ok_or_else(|| "no data".to_string())
}

/// Decodes a reply into `serde_json::Value`, then checks `code`.
pub fn decode_value(body: &[u8]) -> Result<serde_json::Value, String> {
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if v["code"].as_i64() != Some(0) {
        return Err("code is not 0".into());
    }
    Ok(v)
}

/// Decodes a reply with the exact code the generated `send_with` runs.
pub fn decode_generated(
    body: &[u8],
) -> Result<
    helpdesk_api::notification::GetResponse,
    helpdesk_api::Error<helpdesk_api::notification::GetError>,
> {
    helpdesk_api::runtime::decode_reply::<
        helpdesk_api::notification::GetResponse,
        helpdesk_api::notification::GetError,
    >(200, Some("20240101000000bench"), body)
}

/// A loopback HTTP/1.1 server (hyper, keep-alive) that answers every request
/// with the same bytes, on its own thread and single-threaded runtime.
#[derive(Debug)]
pub struct FixedServer {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FixedServer {
    /// Starts serving `body` (as `application/json`, with an `x-tt-logid`) on 127.0.0.1.
    pub fn start(body: Vec<u8>) -> FixedServer {
        let body = Bytes::from(body);
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("server runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
                    .await
                    .expect("bind 127.0.0.1");
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                tokio::select! {
                    _ = stop_rx => {}
                    _ = serve_fixed(listener, body) => {}
                }
            });
        });
        let addr = addr_rx.recv().expect("server started");
        FixedServer {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:port`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for FixedServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Serves `body` to every request on every connection accepted from `listener`.
pub async fn serve_fixed(listener: tokio::net::TcpListener, body: Bytes) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let body = body.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |_req| {
                let body = body.clone();
                async move {
                    let mut resp = hyper::Response::new(http_body_util::Full::new(body));
                    let h = resp.headers_mut();
                    h.insert(
                        hyper::header::CONTENT_TYPE,
                        hyper::header::HeaderValue::from_static("application/json; charset=utf-8"),
                    );
                    h.insert(
                        "x-tt-logid",
                        hyper::header::HeaderValue::from_static("20240101000000bench"),
                    );
                    Ok::<_, std::convert::Infallible>(resp)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                .await;
        });
    }
}

/// The spec-driven mock server (`helpdesk-mock`) on its own thread and
/// single-threaded runtime; its request log is cleared every second so
/// that it does not grow during a benchmark.
#[derive(Debug)]
pub struct MockThread {
    base_url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MockThread {
    /// Starts the mock with the default credentials.
    pub fn start() -> MockThread {
        let (url_tx, url_rx) = std::sync::mpsc::channel();
        let (stop, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("mock runtime");
            rt.block_on(async move {
                let mock = helpdesk_mock::MockServer::builder()
                    .helpdesk_credentials(HELPDESK_ID, HELPDESK_TOKEN)
                    .start()
                    .await
                    .expect("mock server starts");
                url_tx.send(mock.base_url()).unwrap();
                let mut tick = tokio::time::interval(Duration::from_secs(1));
                loop {
                    tokio::select! {
                        _ = &mut stop_rx => break,
                        _ = tick.tick() => mock.clear_requests(),
                    }
                }
                mock.shutdown().await;
            });
        });
        let base_url = url_rx.recv().expect("mock started");
        MockThread {
            base_url,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The mock's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl Drop for MockThread {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The generated client as the benchmarks use it: helpdesk credentials set,
/// the client-side rate limiter OFF (notification.get is documented at
/// 100/min, which would otherwise be what is measured), retries at their
/// default (they cost nothing on success).
pub fn generated_client(base_url: &str) -> helpdesk_api::Client {
    helpdesk_api::Client::builder()
        .base_url(base_url)
        .helpdesk_credentials(HELPDESK_ID, HELPDESK_TOKEN)
        .rate_limiter(false)
        // Like the baseline: loopback, whatever proxy the environment names.
        .no_proxy()
        .build()
        .expect("client builds")
}

/// One `notification.get` through the generated client.
pub async fn call_generated(client: &helpdesk_api::Client) {
    let r = client
        .notification()
        .get(NOTIFICATION_ID)
        .send_with(helpdesk_api::UserAccessToken::new(USER_TOKEN))
        .await
        .expect("generated call succeeds");
    std::hint::black_box(r);
}

/// The same request written by hand with reqwest + serde_json: the same
/// reqwest configuration as [`helpdesk_api::Client`] (keep-alive pool, no
/// proxy, no redirects, same timeouts and User-Agent), the same URL and
/// headers (`Authorization: Bearer …` and `X-Lark-Helpdesk-Authorization`),
/// the reply decoded into [`hand::Envelope`].
#[derive(Debug, Clone)]
pub struct Baseline {
    http: reqwest::Client,
    base_url: String,
    helpdesk: HeaderValue,
}

impl Baseline {
    /// A baseline client for `base_url`.
    pub fn new(base_url: &str) -> Baseline {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("helpdesk-api-rust/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .expect("reqwest client builds");
        let b64 = base64::engine::general_purpose::STANDARD
            .encode(format!("{HELPDESK_ID}:{HELPDESK_TOKEN}"));
        Baseline {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            helpdesk: HeaderValue::from_str(&b64).expect("header value"),
        }
    }

    /// One hand-written `GET /open-apis/helpdesk/v1/notifications/:id`.
    pub async fn get(&self, notification_id: &str) -> Result<hand::Data, String> {
        let url = format!(
            "{}/open-apis/helpdesk/v1/notifications/{notification_id}",
            self.base_url
        );
        let resp = self
            .http
            .get(url)
            .header(AUTHORIZATION, format!("Bearer {USER_TOKEN}"))
            .header("X-Lark-Helpdesk-Authorization", self.helpdesk.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("status {status}"));
        }
        decode_hand(&body)
    }
}

/// One `notification.get` through the hand-written baseline.
pub async fn call_baseline(b: &Baseline) {
    let r = b
        .get(NOTIFICATION_ID)
        .await
        .expect("baseline call succeeds");
    std::hint::black_box(r);
}

/// `n` calls of the generated client, [`CONCURRENCY`] in flight, on the current runtime.
pub async fn concurrent_generated(client: &helpdesk_api::Client, n: u64) {
    let mut set = tokio::task::JoinSet::new();
    for share in shares(n) {
        let c = client.clone();
        set.spawn(async move {
            for _ in 0..share {
                call_generated(&c).await;
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r.expect("task");
    }
}

/// `n` calls of the baseline, [`CONCURRENCY`] in flight, on the current runtime.
pub async fn concurrent_baseline(b: &Baseline, n: u64) {
    let mut set = tokio::task::JoinSet::new();
    for share in shares(n) {
        let b = b.clone();
        set.spawn(async move {
            for _ in 0..share {
                call_baseline(&b).await;
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r.expect("task");
    }
}

fn shares(n: u64) -> impl Iterator<Item = u64> {
    let c = CONCURRENCY as u64;
    (0..c).map(move |i| n / c + u64::from(i < n % c))
}

/// PROTOTYPE of the one-pass decode proposed in BENCHMARKS.md for
/// `runtime::decode_reply` (not used by the client): validate UTF-8 once
/// for the whole body, then decode envelope and `data` in one
/// `serde_json::from_str`, skipping `msg`. Anything else (non-zero code,
/// missing or null data, non-2xx status, a decode error) would fall back to
/// the existing two-pass path, which keeps today's errors unchanged; here it
/// returns `None`.
pub fn decode_one_pass<T: serde::de::DeserializeOwned>(status: u16, body: &[u8]) -> Option<T> {
    #[derive(serde::Deserialize)]
    struct Fast<T> {
        code: i64,
        data: Option<T>,
    }
    if !(200..300).contains(&status) {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    match serde_json::from_str::<Fast<T>>(text) {
        Ok(Fast {
            code: 0,
            data: Some(v),
        }) => Some(v),
        _ => None,
    }
}
