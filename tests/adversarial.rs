//! Adversarial replies: each case has a bounded, typed outcome. The mock's
//! canned replies serve the malformed bodies; a tiny raw TCP server in this
//! file does what the mock cannot (headers then silence, an endless body, a
//! 100 MB body, a redirect to another host). Retries are off so that each
//! outcome is the first attempt's; every call has a deadline.

mod common;

use common::read_head;
use helpdesk_api::*;
use helpdesk_mock::{MockServer, Reply};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

const HD_ID: &str = "7100000000000000088";
const HD_TOKEN: &str = "hd-adversarial-token";
const USER: &str = "u-adversarial-user-token";

/// The outer bound of every call in this file.
const DEADLINE: Duration = Duration::from_secs(10);

fn builder(base: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base)
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .rate_limiter(false)
        .retry_policy(RetryPolicy::disabled())
        .timeout(Some(Duration::from_secs(2)))
        .connect_timeout(Some(Duration::from_secs(2)))
}

async fn get(client: &Client) -> Result<notification::GetResponse, Error<notification::GetError>> {
    tokio::time::timeout(
        DEADLINE,
        client
            .notification()
            .get("6981801914270744596")
            .send_with(UserAccessToken::new(USER)),
    )
    .await
    .expect("the call ends within the deadline")
}

async fn mock_replying(reply: Reply) -> (MockServer, Client) {
    let mock = MockServer::builder()
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .start()
        .await
        .unwrap();
    mock.on("notification.get").reply(reply);
    let client = builder(&mock.base_url()).build().unwrap();
    (mock, client)
}

fn reply_error<T: std::fmt::Debug>(
    r: Result<T, Error<notification::GetError>>,
) -> (ReplyErrorKind, ReplyError) {
    match r {
        Err(Error::Reply(e)) => (e.kind, e),
        other => panic!("expected a reply error, got {other:?}"),
    }
}

// ---- the raw server ----

/// A server on `ip` that runs `serve` on each connection after reading the
/// request head; counts connections and keeps the heads.
struct Raw {
    url: String,
    connections: Arc<AtomicUsize>,
    heads: Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Raw {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn raw<F, Fut>(ip: &str, serve: F) -> Raw
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind((ip, 0)).await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let heads = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (c, h) = (connections.clone(), heads.clone());
    let serve = Arc::new(serve);
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            c.fetch_add(1, Ordering::SeqCst);
            let (h, serve) = (h.clone(), serve.clone());
            tokio::spawn(async move {
                let head = read_head(&mut sock).await;
                h.lock().unwrap().push(head);
                serve(sock).await;
            });
        }
    });
    Raw {
        url,
        connections,
        heads,
        task,
    }
}

// ---- cases ----

#[tokio::test]
async fn slowloris_headers_then_silence_times_out() {
    let server = raw("127.0.0.1", |mut sock| async move {
        let _ = sock
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"co")
            .await;
        tokio::time::sleep(Duration::from_secs(60)).await;
    })
    .await;
    let client = builder(&server.url)
        .timeout(Some(Duration::from_millis(800)))
        .build()
        .unwrap();
    let t0 = Instant::now();
    let res = get(&client).await;
    assert!(matches!(res, Err(Error::Timeout(_))), "{res:?}");
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = raw("127.0.0.1", |sock| async move {
        let _held_open = sock;
        tokio::time::sleep(Duration::from_secs(60)).await;
    })
    .await;
    let client = builder(&server.url)
        .timeout(Some(Duration::from_millis(800)))
        .build()
        .unwrap();
    let t0 = Instant::now();
    let res = get(&client).await;
    assert!(matches!(res, Err(Error::Timeout(_))), "{res:?}");
    assert!(t0.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn an_endless_chunked_body_stops_at_the_size_limit() {
    let server = raw("127.0.0.1", |mut sock| async move {
        let _ = sock
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n")
            .await;
        let chunk = format!("{:x}\r\n{}\r\n", 8192, " ".repeat(8192));
        while sock.write_all(chunk.as_bytes()).await.is_ok() {}
    })
    .await;
    let client = builder(&server.url)
        .max_response_bytes(256 * 1024)
        .build()
        .unwrap();
    let t0 = Instant::now();
    let (kind, e) = reply_error(get(&client).await);
    assert_eq!(kind, ReplyErrorKind::TooLarge, "{e}");
    assert_eq!(e.status, 200);
    assert!(e.excerpt.len() <= 512);
    assert!(t0.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn an_endless_body_with_no_limit_ends_at_the_timeout() {
    let server = raw("127.0.0.1", |mut sock| async move {
        let _ = sock
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n")
            .await;
        loop {
            if sock.write_all(b"1\r\n \r\n").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let client = builder(&server.url)
        .max_response_bytes(usize::MAX)
        .timeout(Some(Duration::from_millis(800)))
        .build()
        .unwrap();
    let res = get(&client).await;
    assert!(matches!(res, Err(Error::Timeout(_))), "{res:?}");
}

#[tokio::test]
async fn a_100_mb_body_is_refused_by_the_default_limit_without_being_read() {
    const SIZE: usize = 100 * 1024 * 1024;
    let sent = Arc::new(AtomicUsize::new(0));
    let s = sent.clone();
    let server = raw("127.0.0.1", move |mut sock| {
        let s = s.clone();
        async move {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {SIZE}\r\n\r\n"
            );
            let _ = sock.write_all(head.as_bytes()).await;
            let block = vec![b' '; 64 * 1024];
            while s.load(Ordering::SeqCst) < SIZE {
                if sock.write_all(&block).await.is_err() {
                    return;
                }
                s.fetch_add(block.len(), Ordering::SeqCst);
            }
        }
    })
    .await;
    // the default limit (16 MiB), untouched
    let client = builder(&server.url).build().unwrap();
    let t0 = Instant::now();
    let (kind, e) = reply_error(get(&client).await);
    assert_eq!(kind, ReplyErrorKind::TooLarge, "{e}");
    assert!(
        e.detail.contains(&DEFAULT_MAX_RESPONSE_BYTES.to_string()),
        "{e}"
    );
    assert!(t0.elapsed() < Duration::from_secs(3));
    assert!(
        sent.load(Ordering::SeqCst) < SIZE / 2,
        "the client read {} bytes",
        sent.load(Ordering::SeqCst)
    );
}

#[tokio::test]
async fn a_100_mb_chunked_body_stops_at_the_default_limit() {
    const SIZE: usize = 100 * 1024 * 1024;
    let sent = Arc::new(AtomicUsize::new(0));
    let s = sent.clone();
    let server = raw("127.0.0.1", move |mut sock| {
        let s = s.clone();
        async move {
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n")
                .await;
            let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
            while s.load(Ordering::SeqCst) < SIZE {
                if sock.write_all(chunk.as_bytes()).await.is_err() {
                    return;
                }
                s.fetch_add(64 * 1024, Ordering::SeqCst);
            }
            let _ = sock.write_all(b"0\r\n\r\n").await;
        }
    })
    .await;
    let client = builder(&server.url)
        .timeout(Some(Duration::from_secs(8)))
        .build()
        .unwrap();
    let (kind, e) = reply_error(get(&client).await);
    assert_eq!(kind, ReplyErrorKind::TooLarge, "{e}");
    assert!(
        sent.load(Ordering::SeqCst) < SIZE / 2,
        "the client read {} bytes",
        sent.load(Ordering::SeqCst)
    );
}

#[tokio::test]
async fn a_gzip_reply_is_not_decompressed_compression_is_off() {
    // A gzip-framed body (magic 1f 8b) labelled `content-encoding: gzip`:
    // the client is built without decompression, neither asks for it nor
    // inflates it, so no bomb can go off; the bytes are just not JSON.
    let gz: &[u8] = &[
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xed, 0xc1, 0x01, 0x0d, 0x00,
        0x00, 0x00, 0xc2, 0xa0, 0xf7, 0x4f, 0x6d, 0x0e, 0x37, 0xa0, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    let (mock, client) =
        mock_replying(Reply::raw(200, "application/json", gz).header("content-encoding", "gzip"))
            .await;
    let (kind, e) = reply_error(get(&client).await);
    assert_eq!(kind, ReplyErrorKind::NotJson, "{e}");
    let req = &mock.requests()[0];
    assert_eq!(req.header("accept-encoding"), None, "{req:?}");
}

#[tokio::test]
async fn invalid_utf8_is_a_typed_error() {
    let (_mock, client) = mock_replying(Reply::raw(
        200,
        "application/json",
        b"{\"code\":0,\"msg\":\"ok\",\"data\":{\"approval_app_link\":\"\xff\xfe\"}}",
    ))
    .await;
    let (kind, e) = reply_error(get(&client).await);
    assert_eq!(kind, ReplyErrorKind::NotJson, "{e}");
    // the excerpt is lossy text, never a panic
    assert!(e.excerpt.contains('\u{fffd}'), "{e:?}");

    let (_mock, client) = mock_replying(Reply::raw(
        200,
        "application/json",
        b"{\"code\":154004,\"msg\":\"\xc3\x28\"}",
    ))
    .await;
    let (kind, e) = reply_error(get(&client).await);
    assert_eq!(kind, ReplyErrorKind::NotJson, "{e}");
}

#[tokio::test]
async fn duplicate_keys_are_refused() {
    let (_mock, client) = mock_replying(Reply::raw(
        200,
        "application/json",
        r#"{"code":0,"code":154004,"msg":"ok","data":{}}"#,
    ))
    .await;
    let (kind, e) = reply_error(get(&client).await);
    assert_eq!(kind, ReplyErrorKind::BadEnvelope, "{e}");
    assert!(e.detail.contains("duplicate field"), "{e}");

    let (_mock, client) = mock_replying(Reply::raw(
        200,
        "application/json",
        r#"{"code":0,"msg":"ok","data":{"approval_app_link":"a","approval_app_link":"b"}}"#,
    ))
    .await;
    let (kind, e) = reply_error(get(&client).await);
    assert_eq!(kind, ReplyErrorKind::BadData, "{e}");
    assert!(e.detail.contains("duplicate field"), "{e}");
}

#[tokio::test]
async fn numbers_out_of_range_for_their_rust_type_are_bad_data_with_the_path() {
    let (_mock, client) = mock_replying(Reply::raw(
        200,
        "application/json",
        r#"{"code":0,"msg":"ok","data":{"notification":{"status":4294967296}}}"#,
    ))
    .await;
    let (kind, e) = reply_error(get(&client).await);
    assert_eq!(kind, ReplyErrorKind::BadData, "{e}");
    assert!(e.detail.contains("data.notification.status"), "{e}");

    // `code` beyond i64, and a fractional code
    for body in [
        r#"{"code":18446744073709551616,"msg":"x"}"#,
        r#"{"code":0.5,"msg":"x"}"#,
        r#"{"code":1e400,"msg":"x"}"#,
    ] {
        let (_mock, client) = mock_replying(Reply::raw(200, "application/json", body)).await;
        let (kind, e) = reply_error(get(&client).await);
        assert!(
            matches!(kind, ReplyErrorKind::BadEnvelope | ReplyErrorKind::NotJson),
            "{body}: {e}"
        );
    }
}

#[tokio::test]
async fn code_as_a_string_is_a_bad_envelope() {
    let (_mock, client) = mock_replying(Reply::raw(
        200,
        "application/json",
        r#"{"code":"0","msg":"ok","data":{}}"#,
    ))
    .await;
    let (kind, e) = reply_error(get(&client).await);
    assert_eq!(kind, ReplyErrorKind::BadEnvelope, "{e}");
    assert_eq!(e.code, None);
}

#[tokio::test]
async fn data_as_a_string_or_a_number_is_bad_data() {
    for data in [r#""x""#, "7", "true"] {
        let body = format!(r#"{{"code":0,"msg":"ok","data":{data}}}"#);
        let (_mock, client) = mock_replying(Reply::raw(200, "application/json", body)).await;
        let (kind, e) = reply_error(get(&client).await);
        assert_eq!(kind, ReplyErrorKind::BadData, "{data}: {e}");
        assert_eq!(e.code, Some(0));
    }
}

/// BUG: `data` as a JSON array decodes as a success. serde's derived
/// `Deserialize` for a struct also accepts a sequence, filling fields by
/// position, and every reply field has `#[serde(default)]`: so `[]` gives
/// an empty `notification::GetResponse`, and `[null, "x"]` sets
/// `approval_app_link` to "x". Minimal input (HTTP 200):
/// `{"code":0,"msg":"ok","data":[]}` → `Ok(notification::GetResponse { notification: None, approval_app_link: None })`.
/// Fix: `decode_reply` refuses a `data` that is not an object (or null) as
/// `ReplyErrorKind::BadData`. (`EventDecoder` has the same positional
/// decoding for `header` and `event`.)
#[tokio::test]
async fn data_as_an_array_is_bad_data() {
    for data in ["[]", r#"[null,"x"]"#] {
        let body = format!(r#"{{"code":0,"msg":"ok","data":{data}}}"#);
        let (_mock, client) = mock_replying(Reply::raw(200, "application/json", body)).await;
        let (kind, e) = reply_error(get(&client).await);
        assert_eq!(kind, ReplyErrorKind::BadData, "{data}: {e}");
        assert_eq!(e.code, Some(0));
    }
}

#[tokio::test]
async fn a_200_with_a_nonzero_code_is_the_endpoints_error() {
    let (_mock, client) = mock_replying(Reply::raw(
        200,
        "application/json",
        r#"{"code":154004,"msg":"not found","data":{}}"#,
    ))
    .await;
    match get(&client).await {
        Err(Error::Api(notification::GetError::NotFound(e))) => {
            assert_eq!(e.status, 200);
            assert_eq!(e.code, 154004);
            assert!(e.log_id.is_some());
        }
        other => panic!("{other:?}"),
    }
    // an undocumented code: Unhandled, not a success
    let (_mock, client) = mock_replying(Reply::raw(
        200,
        "application/json",
        r#"{"code":-1,"msg":"odd","data":{}}"#,
    ))
    .await;
    assert!(matches!(
        get(&client).await,
        Err(Error::Api(notification::GetError::Unhandled(_)))
    ));
}

#[tokio::test]
async fn a_cross_host_redirect_is_not_followed_and_the_token_stays_home() {
    let other = raw("127.0.0.2", |mut sock| async move {
        let _ = sock
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 31\r\n\r\n{\"code\":0,\"msg\":\"ok\",\"data\":{}}")
            .await;
    })
    .await;
    for status in [301u16, 302, 303, 307, 308] {
        let location = format!("{}/open-apis/helpdesk/v1/notifications/1", other.url);
        let home = raw("127.0.0.1", move |mut sock| {
            let location = location.clone();
            async move {
                let head = format!(
                    "HTTP/1.1 {status} Moved\r\nlocation: {location}\r\ncontent-length: 0\r\n\r\n"
                );
                let _ = sock.write_all(head.as_bytes()).await;
            }
        })
        .await;
        let client = builder(&home.url).build().unwrap();
        let res = get(&client).await;
        match &res {
            Err(Error::Reply(e)) => {
                assert_eq!(e.status, status, "{e}");
                assert_eq!(e.kind, ReplyErrorKind::Redirect, "{e}");
            }
            other => panic!("{status}: {other:?}"),
        }
        // the home server got the token; the other host got nothing at all
        let heads = home.heads.lock().unwrap().clone();
        assert_eq!(heads.len(), 1);
        assert!(String::from_utf8_lossy(&heads[0]).contains(USER));
    }
    assert_eq!(other.connections.load(Ordering::SeqCst), 0);
    assert!(other.heads.lock().unwrap().is_empty());
}

#[tokio::test]
async fn limits_are_configurable_with_safe_defaults() {
    assert_eq!(DEFAULT_MAX_RESPONSE_BYTES, 16 * 1024 * 1024);
    // a reply just under a small limit decodes; one byte over does not
    let body = br#"{"code":0,"msg":"ok","data":{}}"#;
    let (_mock, client) = mock_replying(Reply::raw(200, "application/json", body)).await;
    drop(client);
    let mock = _mock;
    let exact = builder(&mock.base_url())
        .max_response_bytes(body.len())
        .build()
        .unwrap();
    assert!(get(&exact).await.is_ok());
    let under = builder(&mock.base_url())
        .max_response_bytes(body.len() - 1)
        .build()
        .unwrap();
    let (kind, _) = reply_error(get(&under).await);
    assert_eq!(kind, ReplyErrorKind::TooLarge);
}
