//! An event endpoint for the Helpdesk events: serves `POST /feishu/events`
//! on loopback and prints each event it receives.
//!
//! ```text
//! cargo run --example events_server            # serves until Ctrl-C
//! cargo run --example events_server -- --demo  # also posts one signed, encrypted event to itself, then exits
//! ```
//!
//! Configure it with what the app's "事件与回调 > 加密策略" page shows:
//!
//! ```text
//! FEISHU_EVENT_VERIFICATION_TOKEN=...   # default: a local-only placeholder
//! FEISHU_EVENT_ENCRYPT_KEY=...          # default: a local-only placeholder; empty: plain bodies, no signatures
//! EVENTS_ADDR=127.0.0.1:3000            # where to listen (a tunnel or reverse proxy forwards the platform to it)
//! ```

use helpdesk_api::Event;
use helpdesk_api::events::axum::EventReceiver;
use helpdesk_api::events::{EventCallback, EventDecoder};

const LOCAL_TOKEN: &str = "local-verification-token";
const LOCAL_KEY: &str = "local-encrypt-key";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .init();
    let env = |k: &str, default: &str| std::env::var(k).unwrap_or_else(|_| default.to_string());
    let token = env("FEISHU_EVENT_VERIFICATION_TOKEN", LOCAL_TOKEN);
    let key = env("FEISHU_EVENT_ENCRYPT_KEY", LOCAL_KEY);
    let addr = env("EVENTS_ADDR", "127.0.0.1:3000");
    let demo = std::env::args().any(|a| a == "--demo");

    let mut decoder = EventDecoder::new().verification_token(token.clone());
    if !key.is_empty() {
        decoder = decoder.encrypt_key(key.clone());
    }
    let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel::<String>();
    let events = EventReceiver::new(decoder).router(move |cb: EventCallback| {
        let seen_tx = seen_tx.clone();
        async move {
            let id = cb.header.event_id.clone();
            print_event(cb);
            let _ = seen_tx.send(id);
        }
    });
    let app = axum::Router::new().nest("/feishu/events", events);

    let listener = tokio::net::TcpListener::bind(if demo { "127.0.0.1:0" } else { &addr }).await?;
    let local = listener.local_addr()?;
    println!("listening on http://{local}/feishu/events (POST)");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                tokio::select! {
                    _ = stopped => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            })
            .await
    });

    if demo {
        let event_id = demo_post(&format!("http://{local}/feishu/events"), &token, &key).await?;
        // wait until the handler printed it
        while let Some(id) = seen.recv().await {
            if id == event_id {
                break;
            }
        }
        let _ = stop.send(());
    }
    server.await??;
    Ok(())
}

fn print_event(cb: EventCallback) {
    let h = &cb.header;
    match &cb.event {
        Event::TicketCreatedV1(t) => println!(
            "[{}] ticket created: {:?} (helpdesk {:?}, status {:?})",
            h.event_id, t.ticket_id, t.helpdesk_id, t.status
        ),
        Event::TicketUpdatedV1(t) => {
            let now = t.object.as_ref();
            println!(
                "[{}] ticket updated: {:?} (status {:?})",
                h.event_id,
                now.and_then(|o| o.ticket_id.as_deref()),
                now.and_then(|o| o.status.as_ref())
            )
        }
        Event::TicketMessageCreatedV1(m) => println!(
            "[{}] ticket message {:?} in ticket {:?}: {:?}",
            h.event_id,
            m.ticket_message_id,
            m.ticket.as_ref().and_then(|t| t.ticket_id.as_deref()),
            m.text
        ),
        Event::NotificationApproveV1(n) => println!(
            "[{}] notification {:?}: {:?}",
            h.event_id, n.notification_id, n.approve_status
        ),
        other => println!(
            "[{}] {} (not a helpdesk event this crate knows): {:?}",
            h.event_id,
            other.event_type(),
            other
        ),
    }
}

/// Posts the spec's `helpdesk.ticket.created_v1` example to `url` the way
/// the platform would: encrypted and signed when a key is set.
async fn demo_post(
    url: &str,
    token: &str,
    key: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    use sha2::{Digest, Sha256};
    let _ = rustls::crypto::ring::default_provider().install_default();
    let spec: serde_json::Value = serde_json::from_str(include_str!(
        "../spec/events/helpdesk.ticket.created_v1.json"
    ))?;
    let mut event = spec["example"].clone();
    event["header"]["token"] = token.into();
    let event_id = event["header"]["event_id"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let mut body = event.to_string();
    let mut req = reqwest::Client::new().post(url);
    if !key.is_empty() {
        let iv: [u8; 16] = std::array::from_fn(|i| (i as u8).wrapping_mul(37));
        body = serde_json::json!({ "encrypt": helpdesk_api::events::encrypt(key, body.as_bytes(), iv) })
            .to_string();
        let ts = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs()
            .to_string();
        let nonce = "demo-nonce";
        let sig: String = Sha256::digest(format!("{ts}{nonce}{key}{body}").as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        req = req
            .header("X-Lark-Request-Timestamp", ts)
            .header("X-Lark-Request-Nonce", nonce)
            .header("X-Lark-Signature", sig);
    }
    let reply = req.body(body).send().await?;
    println!("demo post: HTTP {}", reply.status());
    if !reply.status().is_success() {
        return Err(format!(
            "the endpoint refused the demo event: {}",
            reply.text().await?
        )
        .into());
    }
    Ok(event_id)
}
