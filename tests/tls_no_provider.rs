//! TLS without a process-wide rustls provider (issue 16): the client
//! configures rustls per client (its own `ring` provider), so it builds,
//! calls, and speaks TLS in a process where nobody installed a provider,
//! installs none itself, and leaves the application free to install its
//! own afterwards. A binary of its own: the provider is process-wide.
//! (`tests/tls_app_provider.rs`: an application that installed one first.)

#[path = "support/net.rs"]
mod net;

use helpdesk_api::{Client, Error, RetryPolicy, UserAccessToken};
use helpdesk_mock::MockServer;
use rustls::crypto::CryptoProvider;
use std::time::Duration;

const HD_ID: &str = "7100000000000000164";
const HD_TOKEN: &str = "hd-tls-token";
const USER: &str = "u-tls-user-token";

fn client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .no_proxy()
        .rate_limiter(false)
        .retry_policy(RetryPolicy::disabled())
        .timeout(Some(Duration::from_secs(10)))
        .build()
        .expect("builds with no process-wide rustls provider")
}

#[tokio::test]
async fn no_process_provider_is_needed_and_none_is_installed() {
    assert!(
        CryptoProvider::get_default().is_none(),
        "nothing installed one yet"
    );

    // Plain HTTP to the mock.
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

    // HTTPS: the client's own rustls sends a ClientHello (the probe is no
    // TLS server, so the call then fails as a transport error).
    let probe = net::TlsProbe::start().await;
    let res = client(&probe.url)
        .notification()
        .get("6981801914270744596")
        .send_with(UserAccessToken::new(USER))
        .await;
    assert!(matches!(res, Err(Error::Transport(_))), "{res:?}");
    let suites = net::offered_suites(&probe.record().await).expect("a TLS ClientHello");
    // TLS 1.3 AES-128-GCM and a TLS 1.2 ECDHE suite: ring's defaults.
    assert!(suites.contains(&0x1301), "{suites:x?}");
    assert!(suites.contains(&0xc02b), "{suites:x?}");

    assert!(
        CryptoProvider::get_default().is_none(),
        "building and using a client installed a process-wide provider"
    );
    // The application can still install the provider of its choice.
    assert!(
        rustls::crypto::ring::default_provider()
            .install_default()
            .is_ok()
    );
    mock.shutdown().await;
}
