//! Proxies (issue 16): `ClientBuilder::proxy` sends every request, the
//! tenant token fetch included, through the given forward proxy, and
//! `no_proxy` sends none through it. The proxy is a tiny one in
//! `support/net.rs` that adds a `Via` header, so the mock shows which
//! requests came through it. (The proxy environment variables are tested
//! in `tests/proxy_env.rs`, a binary of its own: the environment is
//! process-wide.)

#[path = "support/net.rs"]
mod net;

use helpdesk_api::{Client, ClientBuilder, Error, RetryPolicy, UserAccessToken};
use helpdesk_mock::{MockServer, TENANT_TOKEN_PATH};
use net::{Proxy, VIA};
use std::time::Duration;

const HD_ID: &str = "7100000000000000161";
const HD_TOKEN: &str = "hd-proxy-test-token";
const APP_ID: &str = "cli_proxy_tests";
const APP_SECRET: &str = "proxy-tests-app-secret";
const USER: &str = "u-proxy-tests-user-token";

async fn mock() -> MockServer {
    MockServer::builder()
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .start()
        .await
        .unwrap()
}

fn builder(base: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base)
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .rate_limiter(false)
        .retry_policy(RetryPolicy::disabled())
        .timeout(Some(Duration::from_secs(10)))
}

/// A tenant-token call (token fetch, then the call) and a user-token call.
async fn two_calls(client: &Client) {
    client
        .category()
        .get("6948728206392295444")
        .send()
        .await
        .expect("category.get through the client's transport");
    client
        .notification()
        .get("6981801914270744596")
        .send_with(UserAccessToken::new(USER))
        .await
        .expect("notification.get through the client's transport");
}

#[tokio::test]
async fn an_explicit_proxy_carries_every_request_the_token_fetch_included() {
    let mock = mock().await;
    let proxy = Proxy::start().await;
    let client = builder(&mock.base_url())
        .proxy(reqwest::Proxy::all(&proxy.url).unwrap())
        .build()
        .unwrap();
    two_calls(&client).await;

    let base = mock.base_url();
    let seen = proxy.seen.lines();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(seen[0], format!("POST {base}{TENANT_TOKEN_PATH}"));
    assert_eq!(
        seen[1],
        format!("GET {base}/open-apis/helpdesk/v1/categories/6948728206392295444")
    );
    assert!(
        seen[2].starts_with(&format!(
            "GET {base}/open-apis/helpdesk/v1/notifications/6981801914270744596"
        )),
        "{seen:?}"
    );
    // The mock got exactly these three, each through the proxy.
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 3);
    for r in &reqs {
        assert_eq!(
            r.header("via"),
            Some(VIA),
            "{} {} came directly",
            r.method,
            r.path
        );
    }
}

#[tokio::test]
async fn no_proxy_wins_over_an_earlier_proxy_and_the_proxy_sees_nothing() {
    let mock = mock().await;
    let proxy = Proxy::start().await;
    let client = builder(&mock.base_url())
        .proxy(reqwest::Proxy::all(&proxy.url).unwrap())
        .no_proxy()
        .build()
        .unwrap();
    two_calls(&client).await;
    assert_eq!(proxy.seen.len(), 0, "{:?}", proxy.seen.lines());
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 3);
    assert!(reqs.iter().all(|r| r.header("via").is_none()));
}

#[tokio::test]
async fn https_goes_through_the_proxy_as_a_connect_tunnel() {
    // The tunnel leads to the plain-HTTP mock, so the TLS handshake fails
    // after the CONNECT: what matters is that the client asked the proxy
    // for the tunnel rather than connecting itself.
    let mock = mock().await;
    let proxy = Proxy::start().await;
    let target = format!("127.0.0.1:{}", mock.port());
    let client = builder(&format!("https://{target}"))
        .proxy(reqwest::Proxy::https(&proxy.url).unwrap())
        .build()
        .unwrap();
    let res = client
        .notification()
        .get("6981801914270744596")
        .send_with(UserAccessToken::new(USER))
        .await;
    assert!(matches!(res, Err(Error::Transport(_))), "{res:?}");
    assert_eq!(proxy.seen.lines(), vec![format!("CONNECT {target}")]);
    // An `https`-only proxy is not used for `http://` URLs.
    let plain = builder(&mock.base_url())
        .proxy(reqwest::Proxy::https(&proxy.url).unwrap())
        .build()
        .unwrap();
    two_calls(&plain).await;
    assert_eq!(proxy.seen.len(), 1);
    assert!(mock.requests().iter().all(|r| r.header("via").is_none()));
}

#[test]
fn a_proxy_with_credentials_is_not_shown_in_debug() {
    let b = Client::builder()
        .proxy(reqwest::Proxy::all("http://user:hunter2@proxy.example:3128").unwrap());
    let shown = format!("{b:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("Explicit(1 proxies)"), "{shown}");
    let c = b.build().unwrap();
    assert!(!format!("{c:?}").contains("hunter2"));
}
