//! Auth and resilience against the mock server with fault injection:
//! managed tenant tokens (single flight, refresh on rejection), retries with
//! backoff, rate limits (server resets and the client-side limiter),
//! timeouts, and nothing secret in what the client emits.

mod common;

use common::capture;
use helpdesk_api::{Client, Error, RetryPolicy, TenantAccessToken, UserAccessToken};
use helpdesk_mock::{Fault, MockServer};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const HD_ID: &str = "7100000000000000009";
const HD_TOKEN: &str = "hd-very-secret-helpdesk-token";
const APP_ID: &str = "cli_resilience_app";
const APP_SECRET: &str = "app-secret-never-printed";
const USER: &str = "u-user-token-never-printed";

async fn mock() -> MockServer {
    MockServer::builder()
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .start()
        .await
        .unwrap()
}

fn builder(mock: &MockServer) -> helpdesk_api::ClientBuilder {
    Client::builder()
        .base_url(mock.base_url())
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .timeout(Some(Duration::from_secs(10)))
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(100),
        jitter: false,
        ..RetryPolicy::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_concurrent_requests_fetch_the_token_once() {
    let mock = mock().await;
    let client = builder(&mock).rate_limiter(false).build().unwrap();
    let calls = (0..500).map(|i| {
        let c = client.clone();
        tokio::spawn(async move { c.category().get(format!("cat-{i}")).send().await })
    });
    let results = futures_join(calls).await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        500,
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    assert_eq!(mock.token_fetches(), 1);
    let issued = mock.issued_tokens();
    assert_eq!(issued.len(), 1);
    let reqs = mock.requests_for("category.get");
    assert_eq!(reqs.len(), 500);
    assert!(
        reqs.iter()
            .all(|r| r.header("authorization") == Some(format!("Bearer {}", issued[0]).as_str()))
    );
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn clients_of_the_same_app_share_one_token_and_other_apps_do_not() {
    let mock = mock().await;
    let a = builder(&mock).build().unwrap();
    let b = builder(&mock).build().unwrap();
    a.category().get("1").send().await.unwrap();
    b.category().get("1").send().await.unwrap();
    assert_eq!(mock.token_fetches(), 1);
    // another app (unknown to the mock): its own fetch, and a typed error
    let other = Client::builder()
        .base_url(mock.base_url())
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials("cli_other", "other-secret")
        .build()
        .unwrap();
    let err = other.category().get("1").send().await.unwrap_err();
    assert!(matches!(err, Error::Token(_)), "{err:?}");
    assert!(!err.to_string().contains("other-secret"));
    assert_eq!(mock.token_fetches(), 2);
}

#[tokio::test]
async fn an_expired_token_is_refetched_once_and_the_request_retried() {
    let mock = mock().await;
    let client = builder(&mock).build().unwrap();
    client.category().get("1").send().await.unwrap();
    let first = mock.issued_tokens()[0].clone();
    mock.expire_token(&first);
    mock.clear_requests();
    let reply = client.category().get("2").send().await;
    assert!(reply.is_ok(), "{reply:?}");
    assert_eq!(mock.token_fetches(), 2);
    let reqs = mock.requests_for("category.get");
    assert_eq!(reqs.len(), 2, "the failed request and its retry");
    assert_eq!(
        reqs[0].header("authorization"),
        Some(format!("Bearer {first}").as_str())
    );
    let second = mock.issued_tokens()[1].clone();
    assert_ne!(first, second);
    assert_eq!(
        reqs[1].header("authorization"),
        Some(format!("Bearer {second}").as_str())
    );
}

#[tokio::test]
async fn a_token_rejected_twice_is_a_typed_error_not_a_loop() {
    let mock = mock().await;
    let client = builder(&mock).build().unwrap();
    mock.on("category.get").reply(helpdesk_mock::Reply::json(
        400,
        serde_json::json!({"code": 99991663, "msg": "Invalid access token for authorization"}),
    ));
    let err = client.category().get("1").send().await.unwrap_err();
    match &err {
        Error::TokenInvalid(e) => assert_eq!(e.code, 99991663),
        other => panic!("{other:?}"),
    }
    assert_eq!(mock.requests_for("category.get").len(), 2);
    assert_eq!(mock.token_fetches(), 2);
}

#[tokio::test]
async fn a_caller_supplied_provider_is_used_and_told_about_rejections() {
    #[derive(Debug, Default)]
    struct Fixed {
        invalidated: Mutex<Vec<String>>,
    }
    impl helpdesk_api::TokenProvider for Fixed {
        fn tenant_access_token(
            &self,
        ) -> helpdesk_api::BoxFuture<'_, Result<TenantAccessToken, helpdesk_api::TokenError>>
        {
            Box::pin(async { Ok(TenantAccessToken::new("t-from-the-callers-cache")) })
        }
        fn invalidate(&self, _token: &TenantAccessToken) -> helpdesk_api::BoxFuture<'_, ()> {
            self.invalidated.lock().unwrap().push("called".into());
            Box::pin(async {})
        }
    }
    let mock = mock().await;
    let provider = Arc::new(Fixed::default());
    let client = Client::builder()
        .base_url(mock.base_url())
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .token_provider(provider.clone())
        .build()
        .unwrap();
    client.category().get("1").send().await.unwrap();
    assert_eq!(
        mock.requests()[0].header("authorization"),
        Some("Bearer t-from-the-callers-cache")
    );
    assert_eq!(mock.token_fetches(), 0);
    mock.expire_token("t-from-the-callers-cache");
    assert!(matches!(
        client.category().get("1").send().await,
        Err(Error::TokenInvalid(_))
    ));
    assert_eq!(provider.invalidated.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn send_without_a_token_source_is_refused_before_sending() {
    let mock = mock().await;
    let client = Client::builder()
        .base_url(mock.base_url())
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .build()
        .unwrap();
    let err = client.category().get("1").send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn five_oh_three_twice_then_success_with_growing_waits() {
    let mock = mock().await;
    let client = builder(&mock)
        .retry_policy(quick_retries())
        .build()
        .unwrap();
    mock.on("notification.get")
        .times(2)
        .fault(Fault::Status(503));
    let (events, reply) = capture(
        client
            .notification()
            .get("1")
            .send_with(UserAccessToken::new(USER)),
    )
    .await;
    assert!(reply.is_ok(), "{reply:?}");
    assert_eq!(mock.requests_for("notification.get").len(), 3);
    let waits: Vec<u64> = events
        .lines()
        .filter(|l| l.contains("retrying"))
        .filter_map(|l| {
            l.split("wait_ms=")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .collect();
    assert_eq!(waits, vec![100, 200], "{events}");
}

#[tokio::test]
async fn a_post_is_not_retried_after_a_503_unless_opted_in() {
    let mock = mock().await;
    let client = builder(&mock)
        .retry_policy(quick_retries())
        .build()
        .unwrap();
    mock.on("ticket_message.create")
        .times(2)
        .fault(Fault::Status(503));
    let err = client
        .ticket_message()
        .create(helpdesk_api::ticket_message::CreateArgs {
            ticket_id: "6948728206392295444".into(),
            msg_type: helpdesk_api::types::TicketMessageType::Text,
            content: helpdesk_api::JsonString::new(r#"{"text":"hi"}"#),
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(mock.requests_for("ticket_message.create").len(), 1);
    // opted in: 503 (the second planted one), then success
    let ok = client
        .ticket_message()
        .create(helpdesk_api::ticket_message::CreateArgs {
            ticket_id: "6948728206392295444".into(),
            msg_type: helpdesk_api::types::TicketMessageType::Text,
            content: helpdesk_api::JsonString::new(r#"{"text":"hi"}"#),
        })
        .retry_non_idempotent()
        .send()
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    assert_eq!(mock.requests_for("ticket_message.create").len(), 3);
}

#[tokio::test]
async fn a_post_is_retried_when_the_connection_was_refused() {
    // Nothing listens on this port: the request provably never left.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .retry_policy(quick_retries())
        .build()
        .unwrap();
    let (events, res) = capture(
        client
            .notification()
            .cancel_approve("1")
            .send_with(UserAccessToken::new(USER)),
    )
    .await;
    assert!(matches!(res, Err(Error::Transport(_))), "{res:?}");
    assert_eq!(events.matches("retrying").count(), 2, "{events}");
}

/// A 429 with `x-ogw-ratelimit-reset: 2` is retried after 2 s, measured on
/// virtual time: the mock runs on the same paused runtime, which jumps over
/// the wait; client timeouts are off so that no other timer is due.
#[tokio::test(start_paused = true)]
async fn a_429_waits_what_the_reset_header_says() {
    let mock = mock().await;
    let client = builder(&mock)
        .timeout(None)
        .connect_timeout(None)
        .retry_policy(RetryPolicy {
            max_rate_limit_wait: Duration::from_secs(60),
            max_elapsed: Duration::from_secs(120),
            ..quick_retries()
        })
        .build()
        .unwrap();
    mock.on("notification.get")
        .once()
        .fault(Fault::RateLimited { reset_secs: 2 });
    let real = Instant::now();
    let virt = tokio::time::Instant::now();
    let reply = client
        .notification()
        .get("1")
        .send_with(UserAccessToken::new(USER))
        .await;
    assert!(reply.is_ok(), "{reply:?}");
    let waited = virt.elapsed();
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_millis(2500),
        "{waited:?}"
    );
    assert!(
        real.elapsed() < Duration::from_secs(5),
        "{:?}",
        real.elapsed()
    );
    assert_eq!(mock.requests_for("notification.get").len(), 2);
}

#[tokio::test]
async fn rate_limited_after_the_last_attempt_is_a_typed_error() {
    let mock = mock().await;
    let client = builder(&mock)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    mock.on("notification.get")
        .fault(Fault::RateLimited { reset_secs: 1 });
    match client
        .notification()
        .get("1")
        .send_with(UserAccessToken::new(USER))
        .await
        .unwrap_err()
    {
        Error::RateLimited(e) => assert_eq!((e.status, e.code), (429, 99991400)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn per_request_timeout_overrides_the_clients() {
    let mock = mock().await;
    let client = builder(&mock)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    mock.on("notification.get")
        .fault(Fault::Delay(Duration::from_millis(500)));
    let err = client
        .notification()
        .get("1")
        .timeout(Duration::from_millis(50))
        .send_with(UserAccessToken::new(USER))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
}

/// A loopback listener that never accepts, its accept queue filled: a new
/// connection to it hangs in the SYN stage, as to an unreachable host.
async fn unconnectable() -> (String, tokio::net::TcpListener, Vec<tokio::net::TcpStream>) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    loop {
        let c = tokio::net::TcpStream::connect(addr);
        match tokio::time::timeout(Duration::from_millis(300), c).await {
            Ok(Ok(s)) if queued.len() < 16 => queued.push(s),
            Ok(Ok(_)) => panic!("the accept queue never filled"),
            _ => break,
        }
    }
    (format!("http://{addr}"), listener, queued)
}

#[tokio::test]
async fn connect_timeouts_per_client_and_per_request() {
    let (url, _listener, _queued) = unconnectable().await;
    let client = Client::builder()
        .base_url(&url)
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .retry_policy(RetryPolicy::disabled())
        .rate_limiter(false)
        .timeout(Some(Duration::from_secs(20)))
        .connect_timeout(Some(Duration::from_millis(400)))
        .build()
        .unwrap();
    let call = |c: &Client| {
        c.notification()
            .get("1")
            .send_with(UserAccessToken::new(USER))
    };
    // the client's connect timeout
    let t0 = Instant::now();
    let err = call(&client).await.unwrap_err();
    let took = t0.elapsed();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_millis(1500),
        "{took:?}"
    );
    // a request's own, shorter and longer than the client's
    for (own, min, max) in [(100, 100, 390), (1200, 1200, 2500)] {
        let t0 = Instant::now();
        let err = client
            .notification()
            .get("1")
            .connect_timeout(Duration::from_millis(own))
            .send_with(UserAccessToken::new(USER))
            .await
            .unwrap_err();
        let took = t0.elapsed();
        assert!(matches!(err, Error::Timeout(_)), "{err:?}");
        assert!(
            took >= Duration::from_millis(min) && took < Duration::from_millis(max),
            "connect timeout {own} ms: took {took:?}"
        );
    }
}

/// 150 calls in one burst at notification.get (100/min in the spec). With
/// the limiter on, the mock (enforcing the spec's limit) never answers
/// 99991400; the last 50 calls wait for the window: a minute, on virtual
/// time (the mock's windows and the client's limiter both use tokio's
/// clock, so the paused runtime jumps over the wait).
#[tokio::test(start_paused = true)]
async fn a_burst_over_the_documented_limit_stays_under_it() {
    let mock = mock().await;
    mock.enforce_rate_limits(true);
    // Control: without the limiter the same burst is rate limited.
    let unlimited = builder(&mock)
        .timeout(None)
        .connect_timeout(None)
        .rate_limiter(false)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let res = burst(&unlimited, 150).await;
    assert_eq!(
        res.iter()
            .filter(|r| matches!(r, Err(Error::RateLimited(_))))
            .count(),
        50
    );
    mock.reset_rate_limits();
    mock.clear_requests();
    let limited = builder(&mock)
        .timeout(None)
        .connect_timeout(None)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let (real, virt) = (Instant::now(), tokio::time::Instant::now());
    let res = burst(&limited, 150).await;
    assert!(
        res.iter().all(|r| r.is_ok()),
        "{:?}",
        res.iter().find(|r| r.is_err())
    );
    assert!(
        virt.elapsed() >= Duration::from_secs(60),
        "the last 50 calls waited for the window ({:?})",
        virt.elapsed()
    );
    assert!(
        real.elapsed() < Duration::from_secs(20),
        "{:?}",
        real.elapsed()
    );
    let reqs = mock.requests_for("notification.get");
    assert_eq!(reqs.len(), 150);
    common::assert_at_most_per_window(&reqs, 100, Duration::from_secs(60));
}

async fn burst(
    client: &Client,
    n: usize,
) -> Vec<Result<helpdesk_api::notification::GetResponse, Error<helpdesk_api::notification::GetError>>>
{
    let handles = (0..n).map(|i| {
        let c = client.clone();
        tokio::spawn(async move {
            c.notification()
                .get(format!("n{i}"))
                .send_with(UserAccessToken::new(USER))
                .await
        })
    });
    futures_join(handles).await
}

#[tokio::test]
async fn spans_carry_endpoint_attempt_status_code_and_log_id_but_no_secret() {
    let mock = mock().await;
    let client = builder(&mock)
        .retry_policy(quick_retries())
        .build()
        .unwrap();
    mock.on("category.get").once().fault(Fault::Status(503));
    mock.on("notification.get").reply_error(154004);
    let (text, _) = capture(async {
        client.category().get("1").send().await.unwrap();
        let first = mock.issued_tokens()[0].clone();
        mock.expire_token(&first);
        client.category().get("2").send().await.unwrap();
        let _ = client
            .notification()
            .get("x")
            .send_with(UserAccessToken::new(USER))
            .await;
        let _ = client
            .notification()
            .get("y")
            .send_with(UserAccessToken::new("u-bad\r\nX: 1"))
            .await;
    })
    .await;
    assert!(text.contains("helpdesk.request"), "{text}");
    assert!(
        text.contains("endpoint=\"category.get\"") || text.contains("endpoint=category.get"),
        "{text}"
    );
    assert!(text.contains("attempt=2"), "{text}");
    assert!(
        text.contains("status=404") && text.contains("code=154004") && text.contains("log_id="),
        "{text}"
    );
    let mut secrets = vec![
        APP_SECRET.to_string(),
        HD_TOKEN.to_string(),
        USER.to_string(),
    ];
    secrets.extend(mock.issued_tokens());
    for s in &secrets {
        assert!(
            !text.contains(s.as_str()),
            "secret {s:?} in tracing output:\n{text}"
        );
    }
    let shown = format!("{client:?}");
    for s in &secrets {
        assert!(
            !shown.contains(s.as_str()),
            "secret {s:?} in Debug: {shown}"
        );
    }
}
