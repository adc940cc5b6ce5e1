//! Binary replies (faq.faq_image, ticket.ticket_image) are streamed: a file
//! many times larger than the client's body limit arrives whole, byte for
//! byte, while the heap grows by no more than a few chunks. A counting
//! global allocator in this test binary measures the peak of live heap
//! bytes; the tests take a lock so that they never measure each other.

mod common;

use common::read_head;
use helpdesk_api::*;
use helpdesk_mock::{MockServer, Reply};
use std::alloc::{GlobalAlloc, Layout, System};
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncWrite, AsyncWriteExt};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is passed on to the system allocator unchanged; only
// counters are updated around it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Starts a peak measurement; returns the live bytes at the start.
fn measure_from_here() -> usize {
    let now = LIVE.load(Relaxed);
    PEAK.store(now, Relaxed);
    now
}

static SERIAL: Mutex<()> = Mutex::new(());

const HD_ID: &str = "7100000000000000077";
const HD_TOKEN: &str = "hd-download-token";
const TENANT: &str = "t-download-tenant-token";
const MIB: usize = 1024 * 1024;

/// Byte `i` of the test file: a pattern with no short period, so a lost,
/// repeated or reordered chunk shows.
fn pattern(i: usize) -> u8 {
    ((i ^ (i >> 11) ^ (i >> 19)).wrapping_mul(31) % 251) as u8
}

/// An `AsyncWrite` that checks every byte against [`pattern`] and keeps
/// nothing.
#[derive(Default)]
struct Verify {
    seen: usize,
    wrong_at: Option<usize>,
}

impl Verify {
    /// Checks the next bytes of the file.
    fn check(&mut self, buf: &[u8]) {
        for (k, b) in buf.iter().enumerate() {
            let i = self.seen + k;
            if *b != pattern(i) && self.wrong_at.is_none() {
                self.wrong_at = Some(i);
            }
        }
        self.seen += buf.len();
    }
}

impl AsyncWrite for Verify {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.check(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A loopback server that answers every request with a `size`-byte image
/// generated on the fly (it holds 64 KiB at a time, never the file).
async fn image_server(size: usize) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                if read_head(&mut sock).await.is_empty() {
                    return;
                }
                // One reply per connection, and it says so: a client must
                // not send its next request on this connection.
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: {size}\r\n\
                     connection: close\r\ncontent-disposition: attachment; filename=\"big.png\"\r\nx-tt-logid: 20261126big\r\n\r\n"
                );
                if sock.write_all(reply.as_bytes()).await.is_err() {
                    return;
                }
                let mut block = vec![0u8; 64 * 1024];
                let mut at = 0;
                while at < size {
                    let n = block.len().min(size - at);
                    for (k, x) in block[..n].iter_mut().enumerate() {
                        *x = pattern(at + k);
                    }
                    if sock.write_all(&block[..n]).await.is_err() {
                        return;
                    }
                    at += n;
                }
            });
        }
    });
    (url, task)
}

fn client(base: &str, limit: usize) -> Client {
    Client::builder()
        .base_url(base)
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .rate_limiter(false)
        .retry_policy(RetryPolicy::disabled())
        .max_response_bytes(limit)
        .timeout(Some(Duration::from_secs(30)))
        .build()
        .unwrap()
}

async fn ticket_image(c: &Client) -> Download {
    c.ticket()
        .ticket_image(helpdesk_api::ticket::TicketImageArgs {
            ticket_id: "6948728206392295444".into(),
            msg_id: "6949088236610273307".into(),
        })
        .send_with(TenantAccessToken::new(TENANT))
        .await
        .unwrap()
}

/// Runs `body` on its own runtime while holding the measurement lock.
fn serial<F: std::future::Future<Output = ()>>(body: F) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(body);
}

#[test]
fn a_64_mib_image_streams_whole_in_bounded_memory() {
    serial(streams_whole_in_bounded_memory());
}

async fn streams_whole_in_bounded_memory() {
    const SIZE: usize = 64 * MIB;
    let (url, server) = image_server(SIZE).await;
    // the default body limit (16 MiB) is a quarter of the file
    let c = client(&url, DEFAULT_MAX_RESPONSE_BYTES);

    // the counter sees allocations (else the bounds below would prove nothing)
    let start = measure_from_here();
    let probe = vec![1u8; 2 * MIB];
    assert!(PEAK.load(Relaxed) - start >= 2 * MIB);
    drop(std::hint::black_box(probe));

    let mut d = ticket_image(&c).await;
    assert_eq!(d.file_name(), Some("big.png"));
    assert_eq!(d.content_length(), Some(SIZE as u64));
    assert_eq!(d.log_id(), Some("20261126big"));
    let start = measure_from_here();
    let (mut check, mut largest) = (Verify::default(), 0usize);
    while let Some(chunk) = d.chunk().await.unwrap() {
        largest = largest.max(chunk.len());
        check.check(&chunk);
    }
    let (seen, wrong_at) = (check.seen, check.wrong_at);
    let peak = PEAK.load(Relaxed) - start;
    eprintln!("chunk(): {SIZE} bytes streamed, heap peak +{peak} bytes, largest chunk {largest}");
    assert_eq!(seen, SIZE);
    assert_eq!(wrong_at, None, "the file differs from what was sent");
    assert!(
        peak < 4 * MIB,
        "the heap grew by {peak} bytes while streaming a {SIZE}-byte file (largest chunk {largest})"
    );

    // write_to: the same, into any AsyncWrite
    let d = ticket_image(&c).await;
    let start = measure_from_here();
    let mut sink = Verify::default();
    let written = d.write_to(&mut sink).await.unwrap();
    let peak = PEAK.load(Relaxed) - start;
    eprintln!("write_to(): {SIZE} bytes streamed, heap peak +{peak} bytes");
    assert_eq!((written, sink.seen), (SIZE as u64, SIZE));
    assert_eq!(sink.wrong_at, None);
    assert!(peak < 4 * MIB, "write_to grew the heap by {peak} bytes");

    // bytes() holds the file in memory, so it keeps to the body limit
    let d = ticket_image(&c).await;
    match d.bytes().await {
        Err(Error::Reply(e)) => {
            assert_eq!(e.kind, ReplyErrorKind::TooLarge);
            assert_eq!(e.log_id.as_deref(), Some("20261126big"));
        }
        other => panic!("{:?}", other.map(|b| b.len())),
    }
    server.abort();
}

#[test]
fn a_multi_megabyte_faq_image_from_the_mock_streams_past_the_body_limit() {
    serial(streams_past_the_body_limit());
}

async fn streams_past_the_body_limit() {
    const SIZE: usize = 8 * MIB;
    let file: Vec<u8> = (0..SIZE).map(pattern).collect();
    let mock = MockServer::builder()
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .start()
        .await
        .unwrap();
    mock.on("faq.faq_image").reply(
        Reply::raw(200, "image/jpeg", file)
            .header("Content-Disposition", "attachment; filename=\"faq.jpg\""),
    );
    // a 1 MiB limit: an eighth of the file
    let c = client(&mock.base_url(), MIB);
    let d = c
        .faq()
        .faq_image(helpdesk_api::faq::FaqImageArgs {
            id: "12345".into(),
            image_key: "img_v2_0c2d3b5a".into(),
        })
        .send_with(TenantAccessToken::new(TENANT))
        .await
        .unwrap();
    assert_eq!(d.file_name(), Some("faq.jpg"));
    assert_eq!(d.content_type(), Some("image/jpeg"));
    let mut sink = Verify::default();
    assert_eq!(d.write_to(&mut sink).await.unwrap(), SIZE as u64);
    assert_eq!(sink.wrong_at, None);
    let req = &mock.requests_for("faq.faq_image")[0];
    assert_eq!(
        req.path,
        "/open-apis/helpdesk/v1/faqs/12345/image/img_v2_0c2d3b5a"
    );
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {TENANT}").as_str())
    );
}
