//! A worker process for the Redis integration tests (`tests/redis_shared.rs`):
//! one OS process of a deployment that shares its tenant token and rate
//! limiter through Redis. Configured by environment variables, it sends
//! `HD_CALLS` concurrent calls of `HD_ENDPOINT` (`ticket.get`, the default,
//! or `bot_message.create`) and prints one summary line:
//! `ok=<n> err=<n> rate_limited=<n> first_error=<...>`.

use helpdesk_api::redis_store::RedisShared;
use helpdesk_api::{BotMessageType, Client, Error, JsonString, RetryPolicy};
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
    let client = Client::builder()
        .base_url(var("HD_BASE_URL"))
        .helpdesk_credentials(var("HD_HELPDESK_ID"), var("HD_HELPDESK_TOKEN"))
        .app_credentials(var("HD_APP_ID"), var("HD_APP_SECRET"))
        .redis(shared)
        // A 429 must surface, not be retried away.
        .retry_policy(RetryPolicy::disabled())
        .timeout(Some(Duration::from_secs(120)))
        .build()
        .expect("client builds");
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
                            .create(
                                BotMessageType::Text,
                                JsonString::new(r#"{"text":"hello"}"#),
                                format!("ou_{id}"),
                            )
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
