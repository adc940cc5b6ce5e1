//! TLS next to an application's own rustls provider (issue 16): an
//! application that installed a process-wide provider first (here a
//! `ring` provider cut down to one cipher suite, to tell it apart) keeps
//! it: the client builds and calls, its TLS uses the client's own
//! configuration, and the process default is still the application's. A
//! binary of its own: the provider is process-wide.

#[path = "support/net.rs"]
mod net;

use helpdesk_api::{Client, Error, RetryPolicy, UserAccessToken};
use helpdesk_mock::MockServer;
use rustls::CipherSuite;
use rustls::crypto::CryptoProvider;
use std::time::Duration;

const HD_ID: &str = "7100000000000000165";
const HD_TOKEN: &str = "hd-tls-app-token";
const USER: &str = "u-tls-app-user-token";

fn client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .no_proxy()
        .rate_limiter(false)
        .retry_policy(RetryPolicy::disabled())
        .timeout(Some(Duration::from_secs(10)))
        .build()
        .expect("builds next to the application's provider")
}

fn only_chacha() -> bool {
    CryptoProvider::get_default().is_some_and(|p| {
        p.cipher_suites.len() == 1
            && p.cipher_suites[0].suite() == CipherSuite::TLS13_CHACHA20_POLY1305_SHA256
    })
}

#[tokio::test]
async fn an_application_provider_installed_first_stays_in_place() {
    let mut app = rustls::crypto::ring::default_provider();
    app.cipher_suites
        .retain(|s| s.suite() == CipherSuite::TLS13_CHACHA20_POLY1305_SHA256);
    app.install_default()
        .expect("the application installs its provider first");
    assert!(only_chacha());

    let mock = MockServer::builder()
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .start()
        .await
        .unwrap();
    client(&mock.base_url())
        .notification()
        .get("6981801914270744596")
        .send_with(UserAccessToken::new(USER))
        .await
        .expect("a call works");

    // The client's TLS is its own configuration: it offers ring's default
    // suites, not only the application's one.
    let probe = net::TlsProbe::start().await;
    let res = client(&probe.url)
        .notification()
        .get("6981801914270744596")
        .send_with(UserAccessToken::new(USER))
        .await;
    assert!(matches!(res, Err(Error::Transport(_))), "{res:?}");
    let suites = net::offered_suites(&probe.record().await).expect("a TLS ClientHello");
    assert!(suites.contains(&0x1301), "{suites:x?}");
    assert!(suites.len() > 1, "{suites:x?}");

    // An application client built by reqwest from the process default
    // offers the application's single suite: the probe tells them apart.
    let probe = net::TlsProbe::start().await;
    let app_http = reqwest::Client::builder().no_proxy().build().unwrap();
    let res = Client::builder()
        .base_url(&probe.url)
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .http_client(app_http)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap()
        .notification()
        .get("6981801914270744596")
        .send_with(UserAccessToken::new(USER))
        .await;
    assert!(matches!(res, Err(Error::Transport(_))), "{res:?}");
    let suites = net::offered_suites(&probe.record().await).expect("a TLS ClientHello");
    assert_eq!(suites, [0x1303], "{suites:x?}");

    assert!(
        only_chacha(),
        "the process default is still the application's"
    );
    mock.shutdown().await;
}
