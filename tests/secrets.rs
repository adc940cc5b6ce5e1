//! Nothing the client emits holds a secret: `Debug` of every public type
//! that holds one, `Display` and `Debug` of every error kind, and tracing
//! output at TRACE level across a managed-token flow, a token rejection, a
//! retry and failures. The test scans all of it for the user token, the app
//! secret, the helpdesk token (and its base64 header form), the event
//! verification token and encrypt key, and every tenant token the mock
//! issued.

use helpdesk_api::events::{Callback, EventDecoder};
use helpdesk_api::*;
use helpdesk_mock::{Fault, MockServer};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const HD_ID: &str = "7100000000000000099";
const HD_TOKEN: &str = "hd-SECRET-helpdesk-token-3f9a";
const APP_ID: &str = "cli_secrets_app";
const APP_SECRET: &str = "SECRET-app-secret-77c1";
const USER: &str = "u-SECRET-user-token-a1b2";
const GIVEN_TENANT: &str = "t-SECRET-given-tenant-c3d4";
const VERIFICATION: &str = "SECRET-verification-token-e5f6";
const ENCRYPT_KEY: &str = "SECRET-encrypt-key-0718";

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(20),
        jitter: false,
        ..RetryPolicy::default()
    }
}

fn secrets(mock: &MockServer) -> Vec<String> {
    let mut s: Vec<String> = [
        HD_TOKEN,
        APP_SECRET,
        USER,
        GIVEN_TENANT,
        VERIFICATION,
        ENCRYPT_KEY,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    s.push(helpdesk_mock::helpdesk_header_value(HD_ID, HD_TOKEN));
    s.push(HelpdeskCredentials::new(HD_ID, HD_TOKEN).header_value());
    s.extend(mock.issued_tokens());
    s
}

fn assert_clean(what: &str, text: &str, secrets: &[String]) {
    for s in secrets {
        assert!(
            !text.contains(s.as_str()),
            "{what} shows secret {s:?}:\n{text}"
        );
    }
}

#[tokio::test]
async fn no_secret_in_debug_display_or_trace_output() {
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mock = MockServer::builder()
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .start()
        .await
        .unwrap();
    let builder = Client::builder()
        .base_url(mock.base_url())
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .rate_limiter(false)
        .retry_policy(quick())
        .timeout(Some(Duration::from_secs(5)));
    let mut shown = vec![format!("{builder:?}"), format!("{builder:#?}")];
    let client = builder.build().unwrap();

    // managed token flow
    client.category().get("1").send().await.unwrap();
    // token rejection: the managed token is refreshed and the call retried once
    mock.invalidate_all_tokens();
    client.category().get("1").send().await.unwrap();
    // a retry after a 503
    mock.on("category.get").times(1).fault(Fault::Status(503));
    client.category().get("1").send().await.unwrap();
    // a failure after every retry
    mock.on("category.get").fault(Fault::Status(503));
    let exhausted = client.category().get("1").send().await.unwrap_err();
    mock.clear_hooks();
    // a given token rejected: TokenInvalid
    mock.expire_token(USER);
    let rejected = client
        .notification()
        .get("1")
        .send_with(UserAccessToken::new(USER))
        .await
        .unwrap_err();
    assert!(matches!(rejected, Error::TokenInvalid(_)), "{rejected:?}");
    let given = client
        .ticket()
        .get("1")
        .send_with(TenantAccessToken::new(GIVEN_TENANT))
        .await;
    shown.push(format!("{given:?}"));
    // an API error, a reply error
    mock.on("notification.get").reply_error(154004);
    let api = client
        .notification()
        .get("2")
        .send_with(UserAccessToken::new("u-other"))
        .await
        .unwrap_err();
    mock.on("category.get")
        .reply(helpdesk_mock::Reply::raw(200, "text/html", "<html>"));
    let reply = client.category().get("1").send().await.unwrap_err();
    mock.clear_hooks();
    // the token fetch fails: wrong app secret
    let wrong = Client::builder()
        .base_url(mock.base_url())
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, "SECRET-wrong-app-secret")
        .rate_limiter(false)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let token_err = wrong.category().get("1").send().await.unwrap_err();
    assert!(matches!(token_err, Error::Token(_)), "{token_err:?}");
    // a refused request (token with a newline), a transport failure, a timeout
    let invalid = client
        .notification()
        .get("1")
        .send_with(UserAccessToken::new(format!("{USER}\r\nx")))
        .await
        .unwrap_err();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let a = l.local_addr().unwrap();
        drop(l);
        a
    };
    let dead = Client::builder()
        .base_url(format!("http://{closed}"))
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let transport = dead
        .notification()
        .get("1")
        .send_with(UserAccessToken::new(USER))
        .await
        .unwrap_err();
    let token_transport = dead.category().get("1").send().await.unwrap_err();
    mock.on("notification.get")
        .fault(Fault::Delay(Duration::from_secs(3)));
    let timeout = client
        .notification()
        .get("1")
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::disabled())
        .send_with(UserAccessToken::new(USER))
        .await
        .unwrap_err();
    assert!(matches!(timeout, Error::Timeout(_)), "{timeout:?}");
    mock.clear_hooks();

    for e in [&exhausted, &reply, &token_err, &token_transport] {
        shown.push(e.to_string());
        shown.push(format!("{e:?}"));
        shown.push(format!("{e:#?}"));
    }
    for e in [&rejected, &api, &invalid, &transport, &timeout] {
        shown.push(e.to_string());
        shown.push(format!("{e:?}"));
        shown.push(format!("{e:#?}"));
    }
    let mut src: Option<&dyn std::error::Error> = Some(&transport);
    while let Some(s) = src {
        shown.push(s.to_string());
        src = s.source();
    }

    // Debug of everything that holds a secret
    shown.push(format!("{client:?}"));
    shown.push(format!("{client:#?}"));
    shown.push(format!("{wrong:?}"));
    shown.push(format!("{:?}", UserAccessToken::new(USER)));
    shown.push(format!("{:?}", TenantAccessToken::new(GIVEN_TENANT)));
    shown.push(format!("{:?}", AppAccessToken::new(APP_SECRET)));
    shown.push(format!("{:?}", HelpdeskCredentials::new(HD_ID, HD_TOKEN)));
    let request = client.notification().get("1");
    shown.push(format!("{request:?}"));

    // events: the decoder, a decoded header, the errors
    let decoder = EventDecoder::new()
        .verification_token(VERIFICATION)
        .encrypt_key(ENCRYPT_KEY);
    shown.push(format!("{decoder:?}"));
    shown.push(format!("{decoder:#?}"));
    let body = serde_json::json!({
        "schema": "2.0",
        "header": {"event_id": "e1", "event_type": "helpdesk.notification.approve_v1",
                   "token": VERIFICATION, "create_time": "1608725989000",
                   "app_id": APP_ID, "tenant_key": "t"},
        "event": {"notification_id": "1", "helpdesk_id": "2", "approve_status": "APPROVED"}
    })
    .to_string();
    let sealed = serde_json::json!({
        "encrypt": events::encrypt(ENCRYPT_KEY, body.as_bytes(), [7; 16])
    })
    .to_string();
    for b in [body.as_bytes(), sealed.as_bytes()] {
        match decoder.decode(b).unwrap() {
            Callback::Event(cb) => {
                shown.push(format!("{:?}", cb.header));
                shown.push(format!("{cb:?}"));
            }
            other => panic!("{other:?}"),
        }
    }
    let wrong_token = body.replace(VERIFICATION, "SECRET-not-the-token");
    for b in [
        wrong_token.as_bytes(),
        b"{\"encrypt\":\"AAAA\"}".as_slice(),
        b"{\"encrypt\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}".as_slice(),
        b"not json".as_slice(),
    ] {
        let e = decoder.decode(b).unwrap_err();
        shown.push(e.to_string());
        shown.push(format!("{e:?}"));
    }
    let e = decoder
        .verify_signature("1", "n", body.as_bytes(), "00")
        .unwrap_err();
    shown.push(format!("{e} {e:?}"));

    drop(_guard);
    let trace = String::from_utf8_lossy(&buf.0.lock().unwrap()).into_owned();
    assert!(
        trace.contains("helpdesk.request") && trace.contains("retrying"),
        "tracing captured nothing useful:\n{trace}"
    );
    let secrets = secrets(&mock);
    assert!(secrets.len() > 8, "the mock issued tokens: {secrets:?}");
    assert_clean("tracing at TRACE", &trace, &secrets);
    for (i, s) in shown.iter().enumerate() {
        assert_clean(&format!("output #{i}"), s, &secrets);
    }
    assert!(
        !shown.iter().any(|s| s.contains("SECRET-")),
        "a secret-marked string shows up: {:?}",
        shown.iter().find(|s| s.contains("SECRET-"))
    );
    assert!(!trace.contains("SECRET-"), "{trace}");
}
