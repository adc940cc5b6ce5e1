//! A worker process for the Redis integration tests (`tests/redis_shared.rs`):
//! one OS process of a deployment that shares its tenant token and rate
//! limiter through Redis. Configured by environment variables, it sends
//! `HD_CALLS` concurrent calls of `HD_ENDPOINT` (`ticket.get`, the default,
//! or `bot_message.create`) and prints one summary line:
//! `ok=<n> err=<n> rate_limited=<n> first_error=<...>`.

use helpdesk_api::redis_store::RedisShared;
use helpdesk_api::{Client, Error, JsonString, RetryPolicy, types};
use std::time::Duration;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set"));
    let calls: usize = var("HD_CALLS").parse().expect("HD_CALLS is a number");
    // milliseconds from the environment, with a default
    let ms = |k: &str, default: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (lock_ms, op_ms) = (ms("HD_LOCK_MS", 5000), ms("HD_OP_TIMEOUT_MS", 250));
    // Warnings (e.g. "redis unreachable") go to stderr, which the tests read.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    // HD_REDIS_CLUSTER: comma-separated node URLs of a Redis Cluster.
    let connected = match std::env::var("HD_REDIS_CLUSTER") {
        Ok(nodes) => {
            let nodes: Vec<&str> = nodes.split(',').collect();
            RedisShared::connect_cluster(&nodes).await
        }
        Err(_) => RedisShared::connect(&var("HD_REDIS_URL")).await,
    };
    let mut shared = connected
        .expect("redis reachable at start")
        .lock_timeout(Duration::from_millis(lock_ms))
        .op_timeout(Duration::from_millis(op_ms));
    // The share of each limit this process keeps to while Redis is down.
    if let Ok(n) = std::env::var("HD_PROCESSES") {
        shared = shared.processes(n.parse().expect("HD_PROCESSES is a number"));
    }
    let soak_secs = ms("HD_SOAK_SECS", 0);
    let client = Client::builder()
        .base_url(var("HD_BASE_URL"))
        .helpdesk_credentials(var("HD_HELPDESK_ID"), var("HD_HELPDESK_TOKEN"))
        .app_credentials(var("HD_APP_ID"), var("HD_APP_SECRET"))
        .redis(shared)
        // A 429 must surface, not be retried away (the soak retries).
        .retry_policy(if soak_secs > 0 {
            RetryPolicy::default()
        } else {
            RetryPolicy::disabled()
        })
        .timeout(Some(Duration::from_secs(if soak_secs > 0 {
            2
        } else {
            120
        })))
        .build()
        .expect("client builds");
    if soak_secs > 0 {
        return soak(client, Duration::from_secs(soak_secs)).await;
    }
    let endpoint = std::env::var("HD_ENDPOINT").unwrap_or_else(|_| "ticket.get".into());
    // Connected; the test may now break Redis before the burst starts.
    println!("ready");
    tokio::time::sleep(Duration::from_millis(ms("HD_START_DELAY_MS", 0))).await;
    let handles: Vec<_> = (0..calls)
        .map(|i| {
            let c = client.clone();
            let endpoint = endpoint.clone();
            let id = format!("{}-{i}", std::process::id());
            tokio::spawn(async move {
                match endpoint.as_str() {
                    "ticket.get" => outcome(c.ticket().get(id).send().await),
                    "bot_message.create" => outcome(
                        c.bot_message()
                            .create(helpdesk_api::bot_message::CreateArgs {
                                msg_type: types::BotMessageType::Text,
                                content: JsonString::new(r#"{"text":"hello"}"#),
                                receiver_id: format!("ou_{id}"),
                            })
                            .send()
                            .await,
                    ),
                    other => panic!("HD_ENDPOINT {other} is not supported"),
                }
            })
        })
        .collect();
    let (mut ok, mut err, mut limited) = (0, 0, 0);
    let mut first_error = String::new();
    for h in handles {
        match h.await.expect("task") {
            Ok(()) => ok += 1,
            Err((rate_limited, e)) => {
                limited += usize::from(rate_limited);
                if first_error.is_empty() {
                    first_error = e;
                }
                err += 1;
            }
        }
    }
    println!("ok={ok} err={err} rate_limited={limited} first_error={first_error}");
    std::process::exit(if err == 0 { 0 } else { 1 });
}

/// A call's outcome: `Err((was it rate limited, the error's text))`.
fn outcome<T, E: std::fmt::Display>(r: Result<T, Error<E>>) -> Result<(), (bool, String)> {
    r.map(drop)
        .map_err(|e| (matches!(e, Error::RateLimited(_)), e.to_string()))
}

/// The chaos soak (`HD_SOAK_SECS`): 8 tasks call `ticket.get` back to back
/// for that long, each call bounded by a 5 s time limit; prints
/// `soak calls=<n> ok=<n> max_ms=<longest call> errors=<kind:count,...>`.
/// A panicking task fails the process.
async fn soak(client: Client, length: Duration) {
    use std::collections::BTreeMap;
    let end = tokio::time::Instant::now() + length;
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let c = client.clone();
            tokio::spawn(async move {
                let mut seen: Vec<(Result<(), &'static str>, Duration)> = Vec::new();
                let mut i = 0;
                while tokio::time::Instant::now() < end {
                    i += 1;
                    let t0 = tokio::time::Instant::now();
                    let r = c
                        .ticket()
                        .get(format!("{}-{t}-{i}", std::process::id()))
                        .timeout(Duration::from_secs(5))
                        .send()
                        .await;
                    if let Err(Error::Token(e)) = &r {
                        if i % 200 == 1 {
                            eprintln!("token error at {:?}: {e}", t0.elapsed());
                        }
                    }
                    let kind = r.map(drop).map_err(|e| match e {
                        Error::Api(_) => "api",
                        Error::Timeout(_) => "timeout",
                        Error::Transport(_) => "transport",
                        Error::Reply(_) => "reply",
                        Error::TokenInvalid(_) => "token_invalid",
                        Error::RateLimited(_) => "rate_limited",
                        Error::Token(_) => "token",
                        Error::InvalidRequest(_) => "invalid_request",
                        _ => "other",
                    });
                    if kind.is_err() {
                        // a failed call does not spin
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    seen.push((kind, t0.elapsed()));
                }
                seen
            })
        })
        .collect();
    let (mut calls, mut ok, mut max) = (0, 0, Duration::ZERO);
    let mut errors: BTreeMap<&str, usize> = BTreeMap::new();
    for t in tasks {
        for (kind, took) in t.await.expect("no soak task panics") {
            calls += 1;
            max = max.max(took);
            match kind {
                Ok(()) => ok += 1,
                Err(k) => *errors.entry(k).or_default() += 1,
            }
        }
    }
    let errors: Vec<String> = errors.iter().map(|(k, n)| format!("{k}:{n}")).collect();
    println!(
        "soak calls={calls} ok={ok} max_ms={} errors={}",
        max.as_millis(),
        errors.join(",")
    );
}
