//! A tiny HTTP/1.1 client over a tokio `TcpStream`: one request per
//! connection (`Connection: close`), read to EOF. It shows exactly what the
//! server sent, which the fault tests need.

#![allow(dead_code)]

use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn code(&self) -> i64 {
        self.json()["code"].as_i64().expect("code")
    }
    pub fn msg(&self) -> String {
        self.json()["msg"].as_str().expect("msg").to_string()
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends raw bytes, returns everything received until EOF.
pub async fn raw(addr: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut s = TcpStream::connect(addr).await?;
    s.write_all(request).await?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).await?;
    Ok(out)
}

/// Sends raw bytes, closes the write side, returns everything received.
pub async fn raw_half_close(addr: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut s = TcpStream::connect(addr).await?;
    s.write_all(request).await?;
    s.shutdown().await?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).await?;
    Ok(out)
}

/// Splits a raw reply into status, headers and body (the body as received).
pub fn parse(bytes: &[u8]) -> Option<Resp> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&bytes[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some(Resp {
        status,
        headers,
        body: bytes[end + 4..].to_vec(),
    })
}

pub fn request_bytes(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut r = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (n, v) in headers {
        r.push_str(&format!("{n}: {v}\r\n"));
    }
    if !body.is_empty() || method != "GET" {
        r.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    r.push_str("\r\n");
    let mut b = r.into_bytes();
    b.extend_from_slice(body);
    b
}

/// One request; panics if the reply is not a complete HTTP reply.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let bytes = raw(addr, &request_bytes(method, target, headers, body))
        .await
        .expect("io");
    let resp = parse(&bytes)
        .unwrap_or_else(|| panic!("not an HTTP reply: {:?}", String::from_utf8_lossy(&bytes)));
    if let Some(len) = resp.header("content-length") {
        assert_eq!(
            len.parse::<usize>().unwrap(),
            resp.body.len(),
            "body shorter than Content-Length"
        );
    }
    resp
}

pub const USER: &str = "u-test-user-token";
pub const TENANT: &str = "t-test-tenant-token";
pub const APP: &str = "a-test-app-token";

/// `Bearer <token>` and the helpdesk header of the given server.
pub fn auth<'a>(token: &'a str, helpdesk: &'a str) -> Vec<(&'static str, String)> {
    vec![
        ("Authorization", format!("Bearer {token}")),
        ("X-Lark-Helpdesk-Authorization", helpdesk.to_string()),
    ]
}

/// Converts owned header pairs for [`send`].
pub fn hdrs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(n, s)| (*n, s.as_str())).collect()
}

/// The spec under test: the embedded one, or the directory named by
/// `HELPDESK_MOCK_TEST_SPEC` (to try a spec in progress).
pub fn spec() -> helpdesk_mock::MockSpec {
    match std::env::var_os("HELPDESK_MOCK_TEST_SPEC") {
        Some(dir) => helpdesk_mock::MockSpec::from_dir(&dir).unwrap_or_else(|e| panic!("{e}")),
        None => helpdesk_mock::MockSpec::try_embedded()
            .unwrap_or_else(|e| panic!("the embedded spec: {e}")),
    }
}

/// A server on [`spec`] with default credentials.
pub async fn start() -> helpdesk_mock::MockServer {
    helpdesk_mock::MockServer::builder()
        .spec(spec())
        .start()
        .await
        .expect("start")
}
