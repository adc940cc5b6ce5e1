//! The application's own HTTP client (issue 16): `ClientBuilder::http_client`
//! carries every request, the tenant token fetch included; the settings it
//! takes over cannot be set on the builder as well; a supplied client that
//! follows redirects never gets a reply from elsewhere used, nor sends the
//! bearer token or the app secret to the other host; and the managed token
//! is shared only between clients whose token fetch is the same.

#[path = "support/net.rs"]
mod net;

use helpdesk_api::{
    Client, ClientBuilder, Error, ReplyErrorKind, RetryPolicy, TokenErrorKind, UserAccessToken,
};
use helpdesk_mock::{MockServer, TENANT_TOKEN_ENDPOINT};
use net::Raw;
use std::time::Duration;

const HD_ID: &str = "7100000000000000163";
const HD_TOKEN: &str = "hd-http-client-token";
const APP_ID: &str = "cli_http_client_tests";
const APP_SECRET: &str = "http-client-tests-app-secret";
const USER: &str = "u-http-client-user-token";

/// An application's reqwest client needs a rustls provider: like an
/// application, this binary installs the process-wide one.
fn app_http() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy()
}

async fn mock() -> MockServer {
    MockServer::builder()
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .start()
        .await
        .unwrap()
}

/// Not setting `timeout`, `connect_timeout` or `user_agent`: with a
/// supplied client those are its own.
fn builder(base: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base)
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .rate_limiter(false)
        .retry_policy(RetryPolicy::disabled())
}

fn acme_http() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-acme-deployment", "blue".parse().unwrap());
    app_http()
        .user_agent("acme-helpdesk-bot/2.1")
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_application_client_carries_the_calls_and_the_token_fetch() {
    let mock = mock().await;
    let client = builder(&mock.base_url())
        .http_client(acme_http())
        .build()
        .unwrap();
    client
        .category()
        .get("6948728206392295444")
        .send()
        .await
        .unwrap();
    client
        .notification()
        .get("6981801914270744596")
        .send_with(UserAccessToken::new(USER))
        .await
        .unwrap();
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[0].endpoint.as_deref(), Some(TENANT_TOKEN_ENDPOINT));
    for r in &reqs {
        assert_eq!(
            r.header("user-agent"),
            Some("acme-helpdesk-bot/2.1"),
            "{}",
            r.path
        );
        assert_eq!(r.header("x-acme-deployment"), Some("blue"), "{}", r.path);
    }
    assert!(format!("{client:?}").contains("application-supplied"));

    // A user agent set on the builder explicitly is sent on each request,
    // the token fetch included (a client of its own: its own token).
    mock.clear_requests();
    let named = builder(&mock.base_url())
        .http_client(acme_http())
        .user_agent("acme-nightly/3")
        .build()
        .unwrap();
    named
        .category()
        .get("6948728206392295444")
        .send()
        .await
        .unwrap();
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2, "a token of its own, then the call");
    for r in &reqs {
        assert_eq!(r.header("user-agent"), Some("acme-nightly/3"));
        assert_eq!(r.header("x-acme-deployment"), Some("blue"));
    }
}

#[tokio::test]
async fn settings_the_application_client_owns_are_refused_not_ignored() {
    let http = acme_http();
    let with = || Client::builder().http_client(http.clone());
    for (name, b) in [
        (
            "proxy",
            with().proxy(reqwest::Proxy::all("http://127.0.0.1:9").unwrap()),
        ),
        ("no_proxy", with().no_proxy()),
        (
            "connect_timeout",
            with().connect_timeout(Some(Duration::from_secs(1))),
        ),
    ] {
        let e = b.build().expect_err(name);
        assert!(e.to_string().contains(name), "{e}");
    }
    // A request's own connect timeout cannot be applied either: refused
    // before anything is sent.
    let server = Raw::start(net::json_reply(200, r#"{"code":0,"msg":"ok","data":{}}"#)).await;
    let client = builder(&server.url).http_client(http).build().unwrap();
    let res = client
        .notification()
        .get("6981801914270744596")
        .connect_timeout(Duration::from_secs(1))
        .send_with(UserAccessToken::new(USER))
        .await;
    assert!(matches!(res, Err(Error::InvalidRequest(_))), "{res:?}");
    assert!(server.requests().is_empty());
}

/// Two loopback servers: `home` answers every request with `status` and a
/// `Location` on `elsewhere`, which answers with a token and an empty
/// `data` (what a hostile host would serve to be believed).
async fn redirecting(status: u16) -> (Raw, Raw) {
    let body =
        r#"{"code":0,"msg":"ok","tenant_access_token":"t-from-elsewhere","expire":7200,"data":{}}"#;
    let elsewhere = Raw::start(net::json_reply(200, body)).await;
    let home = Raw::start(net::redirect_reply(
        status,
        &format!("{}/landing", elsewhere.url),
    ))
    .await;
    (home, elsewhere)
}

fn following_http() -> reqwest::Client {
    app_http()
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_following_client_gets_no_reply_from_elsewhere_used_and_no_token_leaks() {
    // The token fetch (POST with the app secret) meets a 302: reqwest
    // follows it as a GET without the body; the reply from the other host
    // is refused, so no token comes from there.
    let (home, elsewhere) = redirecting(302).await;
    let client = builder(&home.url)
        .http_client(following_http())
        .build()
        .unwrap();
    let res = client.category().get("6948728206392295444").send().await;
    let Err(Error::Token(e)) = &res else {
        panic!("expected a token error, got {res:?}")
    };
    assert_eq!(e.kind, TokenErrorKind::BadReply, "{e}");
    assert!(e.reason.contains("followed a redirect"), "{e}");
    assert!(!e.to_string().contains("t-from-elsewhere"));
    let away = elsewhere.requests();
    assert_eq!(away.len(), 1, "reqwest followed the 302 once");
    assert!(!away[0].text().contains(APP_SECRET), "{}", away[0].text());
    assert_eq!(home.requests().len(), 1);
    assert!(home.requests()[0].text().contains(APP_SECRET));

    // A user-token call meets a 302: followed by reqwest without the
    // `Authorization` header (and nowhere else in the request is the
    // token), and the reply is refused as a redirect.
    let res = client
        .notification()
        .get("6981801914270744596")
        .send_with(UserAccessToken::new(USER))
        .await;
    let Err(Error::Reply(e)) = &res else {
        panic!("expected a reply error, got {res:?}")
    };
    assert_eq!(e.kind, ReplyErrorKind::Redirect, "{e}");
    assert!(
        e.detail.contains(&elsewhere.url),
        "names the other origin: {e}"
    );
    let away = elsewhere.requests();
    assert_eq!(away.len(), 2);
    assert_eq!(away[1].header("authorization"), None, "{}", away[1].head);
    assert!(!away[1].text().contains(USER), "{}", away[1].text());
    assert_eq!(
        home.requests()[1].header("authorization").as_deref(),
        Some(format!("Bearer {USER}").as_str())
    );
}

#[tokio::test]
async fn a_following_client_does_not_replay_a_body_on_307_or_308() {
    for status in [307u16, 308] {
        let (home, elsewhere) = redirecting(status).await;
        let client = builder(&home.url)
            .http_client(following_http())
            .build()
            .unwrap();
        let res = client.category().get("6948728206392295444").send().await;
        let Err(Error::Token(e)) = &res else {
            panic!("{status}: expected a token error, got {res:?}")
        };
        assert_eq!(e.status, Some(status), "{e}");
        assert!(e.reason.contains("redirect"), "{e}");
        // The request with the app secret went home only.
        assert!(elsewhere.requests().is_empty(), "{status}");
        assert_eq!(home.requests().len(), 1);
    }
}

#[tokio::test]
async fn the_built_in_client_follows_no_redirect_for_the_token_either() {
    let (home, elsewhere) = redirecting(302).await;
    let client = builder(&home.url).build().unwrap();
    let res = client.category().get("6948728206392295444").send().await;
    let Err(Error::Token(e)) = &res else {
        panic!("expected a token error, got {res:?}")
    };
    assert_eq!(e.status, Some(302), "{e}");
    assert!(elsewhere.requests().is_empty());
}

#[tokio::test]
async fn the_managed_token_is_shared_only_by_clients_whose_fetch_is_the_same() {
    let mock = mock().await;
    let fetches = || mock.requests_for(TENANT_TOKEN_ENDPOINT).len();
    let call = |c: Client| async move {
        c.category()
            .get("6948728206392295444")
            .send()
            .await
            .unwrap();
    };
    let base = mock.base_url();
    let a = builder(&base).build().unwrap();
    call(a.clone()).await;
    assert_eq!(fetches(), 1);
    // Same settings, built separately: the same token.
    call(builder(&base).build().unwrap()).await;
    assert_eq!(fetches(), 1);
    // Another refresh margin, timeout, user agent: a token of their own
    // (none fetches with the settings of the first client built).
    let margin = builder(&base)
        .token_refresh_margin(Duration::from_secs(60))
        .build()
        .unwrap();
    call(margin.clone()).await;
    assert_eq!(fetches(), 2);
    call(
        builder(&base)
            .timeout(Some(Duration::from_secs(7)))
            .build()
            .unwrap(),
    )
    .await;
    assert_eq!(fetches(), 3);
    call(builder(&base).user_agent("other/1").build().unwrap()).await;
    assert_eq!(fetches(), 4);
    // An application's client: a token of its own, shared by its clones.
    let own = builder(&base).http_client(acme_http()).build().unwrap();
    call(own.clone()).await;
    call(own.clone()).await;
    assert_eq!(fetches(), 5);
    let other_own = builder(&base).http_client(acme_http()).build().unwrap();
    call(other_own).await;
    assert_eq!(fetches(), 6);
    // Meanwhile the first ones still use theirs.
    call(a).await;
    call(margin).await;
    assert_eq!(fetches(), 6);
}
