//! The token and limiter layer when the platform misbehaves (issue 17):
//! numbers from the wire that no clock can hold, a token endpoint that
//! fails, hangs or answers without end, callers that give up, and error
//! text that must stay short and free of secrets. Each test names the
//! failure it guards against; each failed on the code before the fix.

mod common;

use helpdesk_api::{
    Client, ClientBuilder, Error, RetryPolicy, TokenErrorKind, UserAccessToken, notification,
};
use helpdesk_mock::{Fault, MockServer, Reply, TENANT_TOKEN_ENDPOINT};
use serde_json::json;
use std::time::Duration;

const HD_ID: &str = "7100000000000000017";
const HD_TOKEN: &str = "hd-faults-secret-helpdesk-token";
const APP_ID: &str = "cli_faults_app";
const APP_SECRET: &str = "faults-app-secret-never-shown";
const USER: &str = "u-faults-user-token-never-shown";

async fn mock() -> MockServer {
    MockServer::builder()
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .start()
        .await
        .unwrap()
}

/// A client of the mock with the app's managed tenant token, no retries,
/// no limiter (unless a test turns it on).
fn builder(mock: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(mock.base_url())
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .rate_limiter(false)
        .retry_policy(RetryPolicy::disabled())
        .timeout(Some(Duration::from_secs(10)))
}

fn token_fetches(mock: &MockServer) -> usize {
    mock.requests_for(TENANT_TOKEN_ENDPOINT).len()
}

/// `n` concurrent `category.get` calls (a tenant-token endpoint); their
/// outcomes and how long each took.
async fn concurrent(
    client: &Client,
    n: usize,
) -> Vec<(
    Result<helpdesk_api::category::GetResponse, Error<helpdesk_api::category::GetError>>,
    Duration,
)> {
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let c = client.clone();
            tokio::spawn(async move {
                let t0 = std::time::Instant::now();
                let r = c.category().get(format!("cat-{i}")).send().await;
                (r, t0.elapsed())
            })
        })
        .collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("no call panics"));
    }
    out
}

// ---- 1. numbers from the wire ----

#[tokio::test]
async fn an_expire_no_clock_can_hold_is_clamped_not_a_panic() {
    let mock = mock().await;
    mock.on(TENANT_TOKEN_ENDPOINT).always().reply(Reply::json(
        200,
        json!({"code": 0, "msg": "ok", "tenant_access_token": "t-forever", "expire": u64::MAX}),
    ));
    let client = builder(&mock).build().unwrap();
    // Spawned: a panic inside the client shows as a JoinError, not a test abort.
    for (r, _) in concurrent(&client, 5).await {
        r.expect("the token is used");
    }
    assert_eq!(token_fetches(&mock), 1);
    let reqs = mock.requests_for("category.get");
    assert!(
        reqs.iter()
            .all(|r| r.header("authorization") == Some("Bearer t-forever"))
    );
}

#[tokio::test]
async fn a_token_with_no_lifetime_is_not_fetched_once_per_call() {
    let mock = mock().await;
    mock.on(TENANT_TOKEN_ENDPOINT).always().reply(Reply::json(
        200,
        json!({"code": 0, "msg": "ok", "tenant_access_token": "t-zero", "expire": 0}),
    ));
    let client = builder(&mock).build().unwrap();
    for i in 0..20 {
        client
            .category()
            .get(format!("c{i}"))
            .send()
            .await
            .expect("call succeeds");
    }
    assert_eq!(
        token_fetches(&mock),
        1,
        "20 calls with a token of expire 0 (before the fix: 20 fetches)"
    );
}

#[tokio::test]
async fn negative_or_fractional_expire_is_a_typed_error_or_clamped_never_a_panic() {
    for expire in [json!(-5), json!(1.5e300), json!("7200"), json!(null)] {
        let mock = mock().await;
        mock.on(TENANT_TOKEN_ENDPOINT).always().reply(Reply::json(
            200,
            json!({"code": 0, "msg": "ok", "tenant_access_token": "t-odd", "expire": expire}),
        ));
        let client = builder(&mock).build().unwrap();
        for (r, _) in concurrent(&client, 3).await {
            if let Err(e) = r {
                assert!(matches!(e, Error::Token(_)), "expire {expire}: {e:?}");
            }
        }
    }
}

// ---- 2. a failing token endpoint: one fetch per burst, backoff after ----

/// 200 concurrent calls against a token endpoint that fails in `fault`'s
/// way: every caller gets a typed token error, from one shared fetch.
async fn burst_against_failing_token_endpoint(
    install: impl Fn(&MockServer),
) -> (usize, Vec<Error<helpdesk_api::category::GetError>>) {
    let mock = mock().await;
    install(&mock);
    let client = builder(&mock).build().unwrap();
    let results = concurrent(&client, 200).await;
    let errors: Vec<_> = results
        .into_iter()
        .map(|(r, _)| r.expect_err("no token, no call"))
        .collect();
    assert_eq!(mock.requests_for("category.get").len(), 0);
    (token_fetches(&mock), errors)
}

#[tokio::test]
async fn a_500_from_the_token_endpoint_is_fetched_once_for_200_waiters() {
    let (fetches, errors) = burst_against_failing_token_endpoint(|m| {
        m.on(TENANT_TOKEN_ENDPOINT)
            .always()
            .fault(Fault::Status(500));
    })
    .await;
    assert_eq!(fetches, 1, "before the fix: 200");
    for e in &errors {
        let Error::Token(t) = e else { panic!("{e:?}") };
        assert_eq!(t.status, Some(500));
        assert_eq!(t.kind, TokenErrorKind::Unavailable);
    }
}

#[tokio::test]
async fn an_html_200_from_the_token_endpoint_is_fetched_once_for_200_waiters() {
    let (fetches, errors) = burst_against_failing_token_endpoint(|m| {
        m.on(TENANT_TOKEN_ENDPOINT).always().reply(Reply::raw(
            200,
            "text/html",
            "<html><body>502 Bad Gateway</body></html>",
        ));
    })
    .await;
    assert_eq!(fetches, 1, "before the fix: 200");
    for e in &errors {
        let Error::Token(t) = e else { panic!("{e:?}") };
        assert_eq!(t.kind, TokenErrorKind::BadReply);
    }
}

#[tokio::test]
async fn a_reset_connection_at_the_token_endpoint_is_fetched_once_for_200_waiters() {
    let (fetches, errors) = burst_against_failing_token_endpoint(|m| {
        m.on(TENANT_TOKEN_ENDPOINT)
            .always()
            .fault(Fault::ConnectionReset);
    })
    .await;
    assert_eq!(fetches, 1, "before the fix: 200");
    for e in &errors {
        let Error::Token(t) = e else { panic!("{e:?}") };
        assert_eq!(t.kind, TokenErrorKind::Unavailable, "{t}");
    }
}

#[tokio::test]
async fn a_wrong_app_secret_is_a_permanent_typed_error_not_a_loop() {
    let mock = mock().await;
    let client = Client::builder()
        .base_url(mock.base_url())
        .app_credentials(APP_ID, "not-the-secret")
        .rate_limiter(false)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let results = concurrent(&client, 200).await;
    for (r, _) in &results {
        let Err(Error::Token(t)) = r else {
            panic!("{r:?}")
        };
        assert_eq!(t.code, Some(10014));
        assert_eq!(t.kind, TokenErrorKind::Rejected);
        assert!(t.is_permanent());
    }
    // And more calls a little later do not ask again.
    for _ in 0..20 {
        let r = client.category().get("c").send().await;
        assert!(matches!(r, Err(Error::Token(_))), "{r:?}");
    }
    assert_eq!(token_fetches(&mock), 1, "before the fix: 220");
}

#[tokio::test(start_paused = true)]
async fn under_continuous_failure_fetches_back_off() {
    let mock = mock().await;
    mock.on(TENANT_TOKEN_ENDPOINT)
        .always()
        .fault(Fault::Status(503));
    // No HTTP timeouts: the clock is virtual (see tests/resilience.rs).
    let client = builder(&mock)
        .timeout(None)
        .connect_timeout(None)
        .build()
        .unwrap();
    let t0 = tokio::time::Instant::now();
    let mut calls = 0;
    while t0.elapsed() < Duration::from_secs(10) {
        let r = client.category().get("c").send().await;
        assert!(matches!(r, Err(Error::Token(_))), "{r:?}");
        calls += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(calls >= 150, "{calls}");
    let fetches = token_fetches(&mock);
    assert!(
        (2..=6).contains(&fetches),
        "{fetches} fetches in 10 s of continuous failure (before the fix: one per call, {calls})"
    );
    // After the endpoint recovers, the next fetch (after the backoff) succeeds.
    mock.clear_hooks();
    tokio::time::sleep(Duration::from_secs(60)).await;
    client.category().get("c").send().await.expect("recovered");
}

// ---- 3. a hanging token endpoint: the waiters of one fetch fail together ----

/// The token endpoint answers nothing for an hour.
fn hang_token_endpoint(mock: &MockServer) {
    mock.on(TENANT_TOKEN_ENDPOINT)
        .always()
        .fault(Fault::Delay(Duration::from_secs(3600)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_behind_a_hanging_token_endpoint_fail_together_at_one_timeout() {
    let mock = mock().await;
    hang_token_endpoint(&mock);
    let client = builder(&mock)
        .timeout(Some(Duration::from_secs(1)))
        .build()
        .unwrap();
    let t0 = std::time::Instant::now();
    let results = tokio::time::timeout(Duration::from_secs(30), concurrent(&client, 200))
        .await
        .expect("before the fix, the k-th caller returned after about k seconds");
    let slowest = results.iter().map(|(_, d)| *d).max().unwrap();
    for (r, _) in &results {
        let Err(Error::Token(t)) = r else {
            panic!("{r:?}")
        };
        assert_eq!(t.kind, TokenErrorKind::Timeout, "{t}");
    }
    // One timeout (1 s) plus scheduling slack on a busy machine.
    assert!(
        slowest < Duration::from_secs(6),
        "slowest caller {slowest:?}"
    );
    assert!(t0.elapsed() < Duration::from_secs(8), "{:?}", t0.elapsed());
    assert!(token_fetches(&mock) <= 2, "{}", token_fetches(&mock));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_per_request_timeout_bounds_the_wait_for_a_token() {
    let mock = mock().await;
    hang_token_endpoint(&mock);
    let client = builder(&mock)
        .timeout(Some(Duration::from_secs(30)))
        .build()
        .unwrap();
    let t0 = std::time::Instant::now();
    let r = tokio::time::timeout(
        Duration::from_secs(20),
        client
            .category()
            .get("c")
            .timeout(Duration::from_secs(1))
            .send(),
    )
    .await
    .expect("before the fix: the call waited for the 30 s token fetch");
    assert!(matches!(r, Err(Error::Timeout(_))), "{r:?}");
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
}

// ---- 4. an unbounded token reply ----

#[tokio::test]
async fn the_token_reply_is_bounded_like_every_reply() {
    let mock = mock().await;
    let padding = "x".repeat(2 * 1024 * 1024);
    mock.on(TENANT_TOKEN_ENDPOINT).always().reply(Reply::json(
        200,
        json!({"code": 0, "msg": "ok", "tenant_access_token": "t-big", "expire": 7200, "pad": padding}),
    ));
    let client = builder(&mock)
        .max_response_bytes(64 * 1024)
        .build()
        .unwrap();
    let r = client.category().get("c").send().await;
    let Err(Error::Token(t)) = &r else {
        panic!("before the fix the 2 MiB token reply was read whole and used: {r:?}")
    };
    assert_eq!(t.kind, TokenErrorKind::TooLarge, "{t}");
}

// ---- 5. limiter slots of cancelled callers, and timeouts that bound the wait ----

fn get_notification(
    client: &Client,
    i: usize,
) -> impl std::future::Future<Output = Result<notification::GetResponse, Error<notification::GetError>>>
+ Send
+ 'static {
    let c = client.clone();
    async move {
        c.notification()
            .get(format!("n{i}"))
            .send_with(UserAccessToken::new(USER))
            .await
    }
}

#[tokio::test(start_paused = true)]
async fn a_dropped_caller_gives_its_limiter_slot_back() {
    let mock = mock().await;
    // notification.get: 100 per minute. No HTTP timeouts: virtual clock.
    let client = builder(&mock)
        .rate_limiter(true)
        .timeout(None)
        .connect_timeout(None)
        .build()
        .unwrap();
    let t0 = tokio::time::Instant::now();
    let handles: Vec<_> = (0..300)
        .map(|i| {
            let f = get_notification(&client, i);
            tokio::spawn(async move { tokio::time::timeout(Duration::from_secs(1), f).await })
        })
        .collect();
    let mut done = 0;
    for h in handles {
        if h.await.unwrap().is_ok() {
            done += 1;
        }
    }
    assert_eq!(done, 100, "the first window's 100 calls ran");
    assert_eq!(mock.requests_for("notification.get").len(), 100);
    // The 200 abandoned callers held reservations for the next two windows.
    let t1 = tokio::time::Instant::now();
    get_notification(&client, 1000).await.unwrap();
    let started = t1.elapsed() + (t1 - t0);
    assert!(
        started < Duration::from_secs(65),
        "the next call started {started:?} after the first (before the fix: about 182 s)"
    );
    let reqs = mock.requests_for("notification.get");
    common::assert_at_most_per_window(&reqs, 100, Duration::from_secs(60));
}

#[tokio::test(start_paused = true)]
async fn a_per_request_timeout_bounds_the_wait_for_a_limiter_slot() {
    let mock = mock().await;
    let client = builder(&mock)
        .rate_limiter(true)
        .timeout(None)
        .connect_timeout(None)
        .build()
        .unwrap();
    for i in 0..100 {
        get_notification(&client, i).await.unwrap();
    }
    let t0 = tokio::time::Instant::now();
    let r = client
        .notification()
        .get("late")
        .timeout(Duration::from_secs(1))
        .send_with(UserAccessToken::new(USER))
        .await;
    let Err(Error::Timeout(e)) = &r else {
        panic!("before the fix the call waited ~60 s for a slot and succeeded: {r:?}")
    };
    assert!(e.to_string().contains("rate-limit slot"), "{e}");
    assert!(
        t0.elapsed() <= Duration::from_millis(1100),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(mock.requests_for("notification.get").len(), 100);
    // Its slot was given back: 100 more calls fit in the next window.
    let t1 = tokio::time::Instant::now();
    for i in 0..100 {
        get_notification(&client, 200 + i).await.unwrap();
    }
    assert!(t1.elapsed() < Duration::from_secs(62), "{:?}", t1.elapsed());
}

#[tokio::test(start_paused = true)]
async fn a_call_timeout_on_the_client_bounds_every_call() {
    let mock = mock().await;
    let client = builder(&mock)
        .rate_limiter(true)
        .timeout(None)
        .connect_timeout(None)
        .call_timeout(Some(Duration::from_secs(2)))
        .build()
        .unwrap();
    for i in 0..100 {
        get_notification(&client, i).await.unwrap();
    }
    let t0 = tokio::time::Instant::now();
    let r = get_notification(&client, 100).await;
    assert!(matches!(r, Err(Error::Timeout(_))), "{r:?}");
    assert!(
        t0.elapsed() <= Duration::from_millis(2100),
        "{:?}",
        t0.elapsed()
    );
}

// ---- 8. secrets and sizes in error text ----

#[tokio::test]
async fn a_reflected_request_in_an_error_body_shows_no_secret() {
    let mock = mock().await;
    let hd_header = mock.helpdesk_header_value().to_string();
    let reflected = format!(
        "<html><pre>GET /open-apis/helpdesk/v1/notifications/n1\nAuthorization: Bearer {USER}\n\
         X-Lark-Helpdesk-Authorization: {hd_header}\nx-other: {HD_TOKEN}\n\
         {{\"app_secret\":\"{APP_SECRET}\",\"tenant_access_token\":\"t-reflected-token\"}}</pre></html>"
    );
    mock.on("notification.get")
        .always()
        .reply(Reply::raw(502, "text/html", &reflected));
    mock.on("category.get")
        .always()
        .reply(Reply::raw(502, "text/html", &reflected));
    let client = builder(&mock).build().unwrap();
    let r = get_notification(&client, 1).await;
    let e = r.unwrap_err();
    let managed = client.category().get("c").send().await.unwrap_err();
    let issued = mock.issued_tokens();
    for text in [
        e.to_string(),
        format!("{e:?}"),
        managed.to_string(),
        format!("{managed:?}"),
    ] {
        for secret in [
            USER,
            hd_header.as_str(),
            HD_TOKEN,
            APP_SECRET,
            "t-reflected-token",
        ]
        .into_iter()
        .chain(issued.iter().map(String::as_str))
        {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("<redacted>"), "{text}");
    }
}

#[tokio::test]
async fn a_token_endpoint_that_reflects_the_secret_does_not_leak_it() {
    let mock = mock().await;
    mock.on(TENANT_TOKEN_ENDPOINT).always().reply(Reply::json(
        400,
        json!({"code": 10014, "msg": format!("app secret invalid: got {APP_SECRET}")}),
    ));
    let client = builder(&mock).build().unwrap();
    let e = client.category().get("c").send().await.unwrap_err();
    for text in [e.to_string(), format!("{e:?}")] {
        assert!(!text.contains(APP_SECRET), "{text}");
    }
}

#[tokio::test]
async fn a_megabyte_path_parameter_gives_a_short_error() {
    // Nothing listens on this port: a connect error, whose text names the URL.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .rate_limiter(false)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let id = "n".repeat(1024 * 1024);
    let e = client
        .notification()
        .get(id)
        .send_with(UserAccessToken::new(USER))
        .await
        .unwrap_err();
    let (display, debug) = (e.to_string(), format!("{e:?}"));
    assert!(display.len() < 2048, "Display is {} bytes", display.len());
    assert!(debug.len() < 4096, "Debug is {} bytes", debug.len());
    assert!(display.contains("127.0.0.1"), "{display}");
}

#[tokio::test]
async fn a_megabyte_error_message_gives_a_short_error() {
    let mock = mock().await;
    let long = "m".repeat(1024 * 1024);
    mock.on("notification.get")
        .always()
        .reply(Reply::error(400, 154000, long.clone()));
    let client = builder(&mock).build().unwrap();
    let e = get_notification(&client, 1).await.unwrap_err();
    assert!(e.to_string().len() < 4096, "{}", e.to_string().len());
    assert!(format!("{e:?}").len() < 8192);
    // A wrong type around a huge value: the decoder's message is bounded too.
    let mock2 = self::mock().await;
    mock2.on("notification.get").always().reply(Reply::json(
        200,
        json!({"code": 0, "msg": "ok", "data": {"notification": {"status": long}}}),
    ));
    let client2 = builder(&mock2).build().unwrap();
    let e = get_notification(&client2, 1).await.unwrap_err();
    assert!(e.to_string().len() < 4096, "{}", e.to_string().len());
}
