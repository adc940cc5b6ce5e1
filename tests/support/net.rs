//! Tiny loopback network helpers for the HTTP-client tests: a forward
//! proxy that counts what it carries, and a raw server that records each
//! request and answers with a fixed reply. Each stops (its listener and
//! every connection it serves) when dropped.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// Reads a request head (up to and including the blank line); returns the
/// head and whatever was read past it. `None` if the peer closed first.
async fn read_head(sock: &mut TcpStream) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Some((buf, rest));
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Reads the body that follows a head with `content-length` (none: empty).
async fn read_body(sock: &mut TcpStream, head: &[u8], mut body: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let len = text
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut chunk = [0u8; 4096];
    while body.len() < len {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    body
}

/// What the proxy carried: one entry per request (`GET http://…` as the
/// request line says it, or `CONNECT host:port`).
#[derive(Clone, Default)]
pub struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
    pub fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// The header the proxy adds to every request it forwards.
pub const VIA: &str = "1.1 helpdesk-test-proxy";

/// A forward HTTP proxy on 127.0.0.1: absolute-form requests
/// (`GET http://host:port/path HTTP/1.1`) are forwarded to `host:port` in
/// origin form with `Via: 1.1 helpdesk-test-proxy` and `Connection: close`
/// (so each connection carries one request and every request is counted);
/// `CONNECT host:port` is counted and tunnelled.
pub struct Proxy {
    pub url: String,
    pub seen: Seen,
    task: JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // Dropping the task drops its JoinSet: every connection stops too.
        self.task.abort();
    }
}

impl Proxy {
    pub async fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Seen::default();
        let s = seen.clone();
        let task = tokio::spawn(async move {
            let mut conns = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((sock, _)) = accepted else { return };
                        conns.spawn(proxy_one(sock, s.clone()));
                    }
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                }
            }
        });
        Proxy { url, seen, task }
    }
}

async fn proxy_one(mut client: TcpStream, seen: Seen) {
    let Some((head, rest)) = read_head(&mut client).await else {
        return;
    };
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or("").to_string();
    let mut parts = request_line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    seen.0.lock().unwrap().push(format!("{method} {target}"));
    if method == "CONNECT" {
        let Ok(mut upstream) = TcpStream::connect(target).await else {
            let _ = client
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                .await;
            return;
        };
        if client
            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
        let _ = upstream.write_all(&rest).await;
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        return;
    }
    // Absolute form only: anything else is not a proxy request.
    let Some(after_scheme) = target.strip_prefix("http://") else {
        let _ = client
            .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    };
    let (authority, path) = match after_scheme.find('/') {
        Some(i) => (&after_scheme[..i], &after_scheme[i..]),
        None => (after_scheme, "/"),
    };
    let Ok(mut upstream) = TcpStream::connect(authority).await else {
        let _ = client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    };
    let mut out = format!("{method} {path} HTTP/1.1\r\n");
    for line in lines.filter(|l| !l.is_empty()) {
        let name = line.split(':').next().unwrap_or("").to_ascii_lowercase();
        if !matches!(
            name.as_str(),
            "connection" | "proxy-connection" | "keep-alive"
        ) {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str(&format!("via: {VIA}\r\nconnection: close\r\n\r\n"));
    if upstream.write_all(out.as_bytes()).await.is_err() || upstream.write_all(&rest).await.is_err()
    {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

/// One request as a [`Raw`] server saw it.
#[derive(Clone, Debug)]
pub struct RawRequest {
    pub head: String,
    pub body: Vec<u8>,
}

impl RawRequest {
    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.split("\r\n").skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }

    /// The whole request as text (head and body).
    pub fn text(&self) -> String {
        format!("{}{}", self.head, String::from_utf8_lossy(&self.body))
    }
}

/// A server on 127.0.0.1 answering every request with `reply` (a whole
/// HTTP/1.1 response, which should say `connection: close`), recording
/// each request with its body.
pub struct Raw {
    pub url: String,
    pub requests: Arc<Mutex<Vec<RawRequest>>>,
    task: JoinHandle<()>,
}

impl Drop for Raw {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Raw {
    pub async fn start(reply: String) -> Raw {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let r = requests.clone();
        let reply = Arc::new(reply);
        let task = tokio::spawn(async move {
            let mut conns = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((mut sock, _)) = accepted else { return };
                        let (r, reply) = (r.clone(), reply.clone());
                        conns.spawn(async move {
                            let Some((head, rest)) = read_head(&mut sock).await else { return };
                            let body = read_body(&mut sock, &head, rest).await;
                            r.lock().unwrap().push(RawRequest {
                                head: String::from_utf8_lossy(&head).into_owned(),
                                body,
                            });
                            let _ = sock.write_all(reply.as_bytes()).await;
                            let _ = sock.shutdown().await;
                        });
                    }
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                }
            }
        });
        Raw {
            url,
            requests,
            task,
        }
    }

    pub fn requests(&self) -> Vec<RawRequest> {
        self.requests.lock().unwrap().clone()
    }
}

/// A whole HTTP/1.1 response with a JSON body.
pub fn json_reply(status: u16, body: &str) -> String {
    format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// A whole HTTP/1.1 redirect response to `location`.
pub fn redirect_reply(status: u16, location: &str) -> String {
    format!(
        "HTTP/1.1 {status} Moved\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    )
}

/// A listener on 127.0.0.1 that takes one connection and keeps its first
/// TLS record (a ClientHello if a TLS client connected), then closes it.
pub struct TlsProbe {
    pub url: String,
    task: JoinHandle<Vec<u8>>,
}

impl TlsProbe {
    pub async fn start() -> TlsProbe {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let Ok((mut sock, _)) = listener.accept().await else {
                return Vec::new();
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // A record: 5-byte header whose last two bytes give the length.
            while buf.len() < 5 || buf.len() < 5 + usize::from(u16::from_be_bytes([buf[3], buf[4]]))
            {
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            buf
        });
        TlsProbe { url, task }
    }

    /// The first record, once the client has given up (the probe closes
    /// the connection after reading it).
    pub async fn record(self) -> Vec<u8> {
        self.task.await.unwrap()
    }
}

/// The cipher suites a ClientHello record offers; `None` if it is not one.
pub fn offered_suites(record: &[u8]) -> Option<Vec<u16>> {
    // record header (5): type 0x16 handshake; handshake header (4): 0x01
    if record.len() < 9 || record[0] != 0x16 || record[5] != 0x01 {
        return None;
    }
    let body = &record[9..];
    // version (2), random (32), session id (1 + n)
    let sid = usize::from(*body.get(34)?);
    let at = 35 + sid;
    let len = usize::from(u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]));
    let suites = body.get(at + 2..at + 2 + len)?;
    Some(
        suites
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect(),
    )
}
