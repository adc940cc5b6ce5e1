//! The proxy environment (issue 16): a client built without a proxy
//! setting uses `HTTP_PROXY` / `HTTPS_PROXY` / `ALL_PROXY` / `NO_PROXY` the
//! way reqwest does, read when the client is built. The environment is
//! process-wide, so this binary holds one test that changes it step by
//! step, on a current-thread runtime: no other thread of the test runs
//! while a variable changes.

#[path = "support/net.rs"]
mod net;

use helpdesk_api::{Client, ClientBuilder, Error, RetryPolicy, UserAccessToken};
use helpdesk_mock::{MockServer, TENANT_TOKEN_PATH};
use net::{Proxy, VIA};
use std::time::Duration;

const HD_ID: &str = "7100000000000000162";
const HD_TOKEN: &str = "hd-proxy-env-token";
const APP_ID: &str = "cli_proxy_env_tests";
const APP_SECRET: &str = "proxy-env-tests-app-secret";
const USER: &str = "u-proxy-env-user-token";

const VARS: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

fn set(pairs: &[(&str, &str)]) {
    // SAFETY: the only test of this binary, on a current-thread runtime
    // that is not running (called between `block_on`s): no other thread
    // reads the environment meanwhile.
    unsafe {
        for v in VARS.iter().chain(["REQUEST_METHOD"].iter()) {
            std::env::remove_var(v);
        }
        for (k, v) in pairs {
            std::env::set_var(k, v);
        }
    }
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

/// A tenant-token call (token fetch, then the call) and a user-token call:
/// the mock's requests, and whether each came through the proxy.
async fn calls(mock: &MockServer, client: &Client) -> Vec<(String, bool)> {
    mock.clear_requests();
    client
        .category()
        .get("6948728206392295444")
        .send()
        .await
        .expect("category.get");
    client
        .notification()
        .get("6981801914270744596")
        .send_with(UserAccessToken::new(USER))
        .await
        .expect("notification.get");
    mock.requests()
        .iter()
        .map(|r| (r.path.clone(), r.header("via") == Some(VIA)))
        .collect()
}

#[test]
fn the_proxy_environment_is_honoured_when_the_client_is_built() {
    set(&[]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (mock, proxy) = rt.block_on(async {
        let mock = MockServer::builder()
            .helpdesk_credentials(HD_ID, HD_TOKEN)
            .app_credentials(APP_ID, APP_SECRET)
            .start()
            .await
            .unwrap();
        (mock, Proxy::start().await)
    });
    let base = mock.base_url();
    let through = |seen: &[(String, bool)]| seen.iter().filter(|(_, via)| *via).count();

    // 1. No proxy in the environment: straight to the mock.
    let direct = builder(&base).build().unwrap();
    let seen = rt.block_on(calls(&mock, &direct));
    assert_eq!((seen.len(), through(&seen)), (3, 0), "{seen:?}");
    assert_eq!(proxy.seen.len(), 0);

    // 2. HTTP_PROXY (NO_PROXY unset: loopback is not exempt): every
    //    request of a client built now goes through it, the token fetch
    //    first (a token of its own: its transport differs from step 1's).
    set(&[("HTTP_PROXY", &proxy.url)]);
    let via_env = builder(&base).build().unwrap();
    let seen = rt.block_on(calls(&mock, &via_env));
    assert_eq!((seen.len(), through(&seen)), (3, 3), "{seen:?}");
    assert_eq!(seen[0].0, TENANT_TOKEN_PATH);
    assert_eq!(proxy.seen.len(), 3);
    //    The client built before the variable was set still goes direct.
    let seen = rt.block_on(calls(&mock, &direct));
    assert_eq!((seen.len(), through(&seen)), (2, 0), "{seen:?}");

    // 3. `no_proxy()` ignores the environment.
    let off = builder(&base).no_proxy().build().unwrap();
    let seen = rt.block_on(calls(&mock, &off));
    assert_eq!(through(&seen), 0, "{seen:?}");
    assert_eq!(proxy.seen.len(), 3);

    // 4. NO_PROXY listing 127.0.0.1 exempts the loopback mock.
    set(&[
        ("HTTP_PROXY", &proxy.url),
        ("NO_PROXY", "localhost,127.0.0.1"),
    ]);
    let exempt = builder(&base).build().unwrap();
    let seen = rt.block_on(calls(&mock, &exempt));
    assert_eq!(through(&seen), 0, "{seen:?}");
    assert_eq!(proxy.seen.len(), 3);

    // 5. ALL_PROXY (lower case) serves http:// too.
    set(&[("all_proxy", &proxy.url)]);
    let all = builder(&base).build().unwrap();
    let seen = rt.block_on(calls(&mock, &all));
    assert_eq!(through(&seen), seen.len(), "{seen:?}");
    assert_eq!(proxy.seen.len(), 3 + seen.len());

    // 6. HTTPS_PROXY is for https:// URLs: a CONNECT tunnel is asked of
    //    the proxy (to the plain-HTTP mock, so TLS then fails), while an
    //    http:// client goes direct.
    set(&[("HTTPS_PROXY", &proxy.url)]);
    let before = proxy.seen.len();
    let target = format!("127.0.0.1:{}", mock.port());
    let tls = builder(&format!("https://{target}")).build().unwrap();
    let res = rt.block_on(
        tls.notification()
            .get("6981801914270744596")
            .send_with(UserAccessToken::new(USER)),
    );
    assert!(matches!(res, Err(Error::Transport(_))), "{res:?}");
    assert_eq!(proxy.seen.lines()[before..], [format!("CONNECT {target}")]);
    let plain = builder(&base).build().unwrap();
    let seen = rt.block_on(calls(&mock, &plain));
    assert_eq!(through(&seen), 0, "{seen:?}");
    assert_eq!(proxy.seen.len(), before + 1);

    set(&[]);
    drop(proxy);
    rt.block_on(mock.shutdown());
}
