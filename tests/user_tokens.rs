//! Managed user access tokens against the mock's OAuth token endpoint
//! (`POST /open-apis/authen/v2/oauth/token`): code exchange, refresh ahead
//! of expiry, one refresh for many callers, a revoked refresh token, and
//! stores that outlive the manager.
//!
//! Expiry is simulated on tokio's paused clock (`start_paused`), moved on
//! with `tokio::time::advance`; the client's and the token endpoint's
//! timeouts are off, since a paused clock jumps to the next timer whenever
//! the runtime waits on a socket. The mock's tokens expire by the same
//! clock.

use helpdesk_api::runtime::Token;
use helpdesk_api::{
    AuthorizationCode, Client, Error, FileUserTokenStore, ManagedUserToken, MemoryUserTokenStore,
    RetryPolicy, TokenErrorKind, UserAccessToken, UserTokenStore, UserTokens,
};
use helpdesk_mock::{Fault, MockServer, OAUTH_TOKEN_ENDPOINT, Reply};
use std::time::Duration;

const HD_ID: &str = "7100000000000000016";
const HD_TOKEN: &str = "hd-user-token-test";
const APP_ID: &str = "cli_user_token_app";
const APP_SECRET: &str = "user-token-app-secret";
const NOTIFICATION: &str = "6981801914270744596";
/// The mock's default user token lifetime (the platform's: about 2 h).
const LIFE: Duration = Duration::from_secs(7200);

async fn mock() -> MockServer {
    MockServer::builder()
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .start()
        .await
        .expect("mock starts")
}

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .base_url(mock.base_url())
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .rate_limiter(false)
        .retry_policy(RetryPolicy::disabled())
        .timeout(None)
        .no_proxy()
        .build()
        .expect("client builds")
}

fn users(client: &Client, store: impl UserTokenStore) -> UserTokens {
    UserTokens::builder(client, APP_ID, APP_SECRET)
        .store(store)
        .timeout(None)
        .build()
}

async fn sign_in(mock: &MockServer, users: &UserTokens, user: &str) -> ManagedUserToken {
    let code = mock.issue_auth_code_for(user, "https://app.example/cb");
    users
        .exchange_code(
            user,
            AuthorizationCode::new(code).redirect_uri("https://app.example/cb"),
        )
        .await
        .expect("code exchange")
}

/// `notification.get` with the managed token: the reply, or the error.
async fn get_notification(
    client: &Client,
    user: &ManagedUserToken,
) -> Result<helpdesk_api::notification::GetResponse, Error<helpdesk_api::notification::GetError>> {
    client
        .notification()
        .get(NOTIFICATION)
        .send_with(user.access_token().await?)
        .await
}

#[tokio::test(start_paused = true)]
async fn code_exchange_then_a_user_token_call() {
    let mock = mock().await;
    let client = client(&mock);
    let users = users(&client, MemoryUserTokenStore::new());
    let alice = sign_in(&mock, &users, "alice").await;

    let reply = get_notification(&client, &alice)
        .await
        .expect("notification.get");
    assert!(reply.notification.is_some());
    let token = alice.access_token().await.unwrap();
    assert_eq!(mock.user_of(token.secret()).as_deref(), Some("alice"));
    let sent = mock.requests_for("notification.get");
    assert_eq!(sent.len(), 1);
    let auth = sent[0]
        .headers
        .iter()
        .find(|(n, _)| n == "authorization")
        .map(|(_, v)| v.clone());
    assert_eq!(auth, Some(format!("Bearer {}", token.secret())));
    // The exchange sent what the v2 endpoint documents.
    let ex = mock.requests_for(OAUTH_TOKEN_ENDPOINT);
    assert_eq!(ex.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&ex[0].body).unwrap();
    assert_eq!(body["grant_type"], "authorization_code");
    assert_eq!(body["client_id"], APP_ID);
    assert_eq!(body["client_secret"], APP_SECRET);
    assert_eq!(body["redirect_uri"], "https://app.example/cb");
    assert_eq!((mock.code_exchanges(), mock.user_token_refreshes()), (1, 0));

    // A code is single use: a second exchange is a typed reauth error.
    let code = mock.issue_auth_code("bob");
    users
        .exchange_code("bob", AuthorizationCode::new(code.clone()))
        .await
        .unwrap();
    let again = users
        .exchange_code("bob", AuthorizationCode::new(code.clone()))
        .await
        .expect_err("a used code");
    assert!(again.is_reauth_required(), "{again:?}");
    assert_eq!(again.status, Some(400));
    assert!(!again.to_string().contains(&code), "{again}");
    mock.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn three_refreshes_across_simulated_expiry() {
    let mock = mock().await;
    let client = client(&mock);
    let users = users(&client, MemoryUserTokenStore::new());
    let alice = sign_in(&mock, &users, "alice").await;
    let mut seen = vec![alice.access_token().await.unwrap()];
    get_notification(&client, &alice).await.unwrap();

    for round in 1..=3 {
        // Past the expiry the mock enforces: the old token is refused...
        tokio::time::advance(LIFE + Duration::from_secs(1)).await;
        let old = client
            .notification()
            .get(NOTIFICATION)
            .send_with(seen.last().unwrap().clone())
            .await
            .expect_err("expired at the mock");
        assert_eq!(old.code(), Some(99991677), "{old}");
        // ...and the managed token refreshes by itself.
        get_notification(&client, &alice)
            .await
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        let now = alice.access_token().await.unwrap();
        assert!(!seen.contains(&now), "round {round}: a new token");
        seen.push(now);
        assert_eq!(mock.user_token_refreshes(), round);
        assert_eq!(users.refreshes(), round as u64);
    }
    // Each refresh sent the refresh token the previous one returned.
    let sent: Vec<String> = mock
        .requests_for(OAUTH_TOKEN_ENDPOINT)
        .iter()
        .filter_map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).ok())
        .filter(|b| b["grant_type"] == "refresh_token")
        .map(|b| b["refresh_token"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sent.len(), 3);
    assert_eq!(
        sent.iter().collect::<std::collections::HashSet<_>>().len(),
        3
    );
    assert_eq!(mock.live_refresh_tokens("alice").len(), 1);
    assert_eq!(mock.code_exchanges(), 1);
    mock.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_refresh_is_done_ahead_of_expiry() {
    let mock = mock().await;
    let client = client(&mock);
    let users = users(&client, MemoryUserTokenStore::new());
    let alice = sign_in(&mock, &users, "alice").await;
    let first = alice.access_token().await.unwrap();
    // Within the refresh margin (3 min before expiry), not expired: the
    // valid token is handed out while the refresh runs in the background.
    tokio::time::advance(LIFE - Duration::from_secs(60)).await;
    let during = alice.access_token().await.unwrap();
    assert_eq!(during, first);
    let mut next = alice.access_token().await.unwrap();
    for _ in 0..100 {
        if next != first {
            break;
        }
        tokio::task::yield_now().await;
        next = alice.access_token().await.unwrap();
    }
    assert_ne!(next, first, "refreshed before expiry");
    assert_eq!(mock.user_token_refreshes(), 1);
    mock.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_hundred_calls_during_a_refresh_make_one_refresh_request() {
    let mock = mock().await;
    let client = client(&mock);
    let users = users(&client, MemoryUserTokenStore::new());
    let alice = sign_in(&mock, &users, "alice").await;
    get_notification(&client, &alice).await.unwrap();
    // The refresh takes a (virtual) second: every call arrives while it runs.
    mock.on(OAUTH_TOKEN_ENDPOINT)
        .fault(Fault::Delay(Duration::from_secs(1)));
    tokio::time::advance(LIFE + Duration::from_secs(1)).await;

    let mut tasks = Vec::new();
    for _ in 0..100 {
        let client = client.clone();
        // A handle of its own for each: the same user shares one refresh.
        let alice = users.user("alice").await.unwrap().expect("known user");
        tasks.push(tokio::spawn(async move {
            alice
                .call(|token| client.notification().get(NOTIFICATION).send_with(token))
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap().expect("call with the refreshed token");
    }
    assert_eq!(mock.user_token_refreshes(), 1);
    assert_eq!(users.refreshes(), 1);
    assert_eq!(mock.requests_for("notification.get").len(), 101);
    mock.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_revoked_refresh_token_is_a_typed_reauth_error_not_a_loop() {
    let mock = mock().await;
    let client = client(&mock);
    let users = users(&client, MemoryUserTokenStore::new());
    let alice = sign_in(&mock, &users, "alice").await;
    assert_eq!(mock.revoke_user("alice"), 1);
    tokio::time::advance(LIFE + Duration::from_secs(1)).await;

    let e = alice.access_token().await.expect_err("revoked");
    assert_eq!(e.kind, TokenErrorKind::ReauthRequired);
    assert!(e.is_reauth_required() && e.is_permanent());
    assert_eq!((e.code, e.status), (Some(20064), Some(400)));
    assert!(e.to_string().contains("user access token"), "{e}");
    assert_eq!(mock.user_token_refreshes(), 1);

    // Again: the same error from memory, no request.
    let again = alice.access_token().await.expect_err("still revoked");
    assert!(again.is_reauth_required());
    assert!(again.retry_after.is_some());
    assert_eq!(mock.user_token_refreshes(), 1);
    // A call surfaces it as Error::Token, without reaching the endpoint.
    let call = alice
        .call(|t| client.notification().get(NOTIFICATION).send_with(t))
        .await
        .expect_err("no token");
    assert!(
        matches!(&call, Error::Token(t) if t.is_reauth_required()),
        "{call:?}"
    );
    // Past every backoff: the dead refresh token is never sent again.
    for _ in 0..5 {
        tokio::time::advance(Duration::from_secs(600)).await;
        let later = alice.access_token().await.expect_err("must sign in");
        assert!(later.is_reauth_required());
    }
    assert_eq!(mock.user_token_refreshes(), 1);
    assert!(mock.requests_for("notification.get").is_empty());

    // Signing in again clears it.
    let alice = sign_in(&mock, &users, "alice").await;
    get_notification(&client, &alice)
        .await
        .expect("signed in again");
    mock.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_expired_refresh_token_is_a_reauth_error() {
    let mock = MockServer::builder()
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .refresh_token_expire_secs(3600)
        .start()
        .await
        .unwrap();
    let client = client(&mock);
    let users = users(&client, MemoryUserTokenStore::new());
    let alice = sign_in(&mock, &users, "alice").await;
    tokio::time::advance(LIFE + Duration::from_secs(1)).await;
    let e = alice
        .access_token()
        .await
        .expect_err("refresh token expired");
    assert!(e.is_reauth_required());
    assert_eq!(e.code, Some(20037));
    mock.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_token_rejected_early_is_refreshed_and_the_call_retried_once() {
    let mock = mock().await;
    let client = client(&mock);
    let users = users(&client, MemoryUserTokenStore::new());
    let alice = sign_in(&mock, &users, "alice").await;
    let t = alice.access_token().await.unwrap();
    mock.invalidate_token(t.secret());
    let reply = alice
        .call(|t| client.notification().get(NOTIFICATION).send_with(t))
        .await
        .expect("retried with a refreshed token");
    assert!(reply.notification.is_some());
    assert_eq!(mock.user_token_refreshes(), 1);
    assert_eq!(mock.requests_for("notification.get").len(), 2);
    // A given token is never retried: the plain call fails.
    let e = client
        .notification()
        .get(NOTIFICATION)
        .send_with(t)
        .await
        .expect_err("invalid");
    assert!(matches!(e, Error::TokenInvalid(_)), "{e:?}");
    mock.shutdown().await;
}

/// A scratch directory, removed on drop.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("helpdesk-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test(start_paused = true)]
async fn the_file_store_survives_a_restart() {
    let mock = mock().await;
    let dir = TempDir::new("user-token-file");
    {
        let client = client(&mock);
        let users = users(&client, FileUserTokenStore::new(&dir.0));
        let alice = sign_in(&mock, &users, "alice").await;
        get_notification(&client, &alice).await.unwrap();
    } // the first "process" is gone: client, manager, tokens.

    let store = FileUserTokenStore::new(&dir.0);
    let path = store.path_of("alice");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        let dmode = std::fs::metadata(&dir.0).unwrap().permissions().mode();
        assert_eq!(dmode & 0o777, 0o700, "{dmode:o}");
    }
    let files: Vec<_> = std::fs::read_dir(&dir.0).unwrap().collect();
    assert_eq!(files.len(), 1, "no temporary file left: {files:?}");

    let client = client(&mock);
    let users = users(&client, store);
    assert!(users.user("bob").await.unwrap().is_none());
    let alice = users
        .user("alice")
        .await
        .unwrap()
        .expect("resumed from the file");
    get_notification(&client, &alice)
        .await
        .expect("the stored access token");
    assert_eq!((mock.code_exchanges(), mock.user_token_refreshes()), (1, 0));

    // Expiry: the stored refresh token refreshes, and the new one is saved.
    tokio::time::advance(LIFE + Duration::from_secs(1)).await;
    get_notification(&client, &alice).await.expect("refreshed");
    assert_eq!((mock.code_exchanges(), mock.user_token_refreshes()), (1, 1));
    let saved = FileUserTokenStore::new(&dir.0)
        .load("alice")
        .await
        .unwrap()
        .expect("record");
    assert_eq!(
        mock.live_refresh_tokens("alice"),
        vec![saved.refresh_token().to_string()]
    );
    let (t, _) = saved.access_token().unwrap();
    assert_eq!(*t, alice.access_token().await.unwrap());

    // A garbled file is a typed error, not a panic.
    std::fs::write(&path, b"{\"refresh_token\": 12").unwrap();
    let e = UserTokens::builder(&client, APP_ID, APP_SECRET)
        .store(FileUserTokenStore::new(&dir.0))
        .build()
        .user("alice")
        .await
        .expect_err("garbled");
    assert_eq!(e.kind, TokenErrorKind::BadReply);
    mock.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn malformed_oauth_replies_are_typed_and_scrubbed() {
    let mock = mock().await;
    let client = client(&mock);
    let users = users(&client, MemoryUserTokenStore::new());

    mock.on(OAUTH_TOKEN_ENDPOINT).times(1).reply(Reply::raw(
        502,
        "text/html",
        "<html>Bad Gateway</html>",
    ));
    let e = users
        .exchange_code("x", AuthorizationCode::new("code-one-secret"))
        .await
        .expect_err("502");
    assert_eq!((e.kind, e.status), (TokenErrorKind::Unavailable, Some(502)));
    assert!(e.reason.contains("Bad Gateway"), "{e}");

    mock.on(OAUTH_TOKEN_ENDPOINT).times(1).reply(Reply::raw(
        200,
        "application/json",
        "{\"code\":0,\"access_",
    ));
    let e = users
        .exchange_code("x", AuthorizationCode::new("code-two-secret"))
        .await
        .expect_err("truncated");
    assert_eq!((e.kind, e.status), (TokenErrorKind::BadReply, Some(200)));

    mock.on(OAUTH_TOKEN_ENDPOINT).times(1).reply(Reply::json(
        200,
        serde_json::json!({"code": 0, "access_token": 7}),
    ));
    let e = users
        .exchange_code("x", AuthorizationCode::new("code-three-secret"))
        .await
        .expect_err("no token");
    assert_eq!(e.kind, TokenErrorKind::BadReply);

    // A reply echoing the secrets it was sent.
    mock.on(OAUTH_TOKEN_ENDPOINT).times(1).reply(Reply::json(
        400,
        serde_json::json!({
            "code": 20050,
            "error": "server_error",
            "error_description": format!("bad {APP_SECRET} with code-four-secret-value"),
        }),
    ));
    let e = users
        .exchange_code(
            "x",
            AuthorizationCode::new("code-four-secret-value").code_verifier("verifier-secret-xyz"),
        )
        .await
        .expect_err("refused");
    assert_eq!((e.code, e.status), (Some(20050), Some(400)));
    let text = format!("{e} {e:?}");
    assert!(!text.contains(APP_SECRET), "{text}");
    assert!(!text.contains("code-four-secret-value"), "{text}");

    // A wrong app secret is the platform refusing the credentials.
    let wrong = UserTokens::builder(&client, APP_ID, "not-the-secret")
        .timeout(None)
        .build();
    let e = wrong
        .exchange_code("x", AuthorizationCode::new(mock.issue_auth_code("x")))
        .await
        .expect_err("invalid client");
    assert_eq!(e.kind, TokenErrorKind::Rejected);
    mock.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn nothing_prints_a_secret() {
    let mock = mock().await;
    let client = client(&mock);
    let users = users(&client, MemoryUserTokenStore::new());
    let code = mock.issue_auth_code("alice");
    let ac = AuthorizationCode::new(code.clone()).code_verifier("pkce-verifier-secret");
    let alice = users.exchange_code("alice", ac.clone()).await.unwrap();
    let token: UserAccessToken = alice.access_token().await.unwrap();
    let refresh = mock.live_refresh_tokens("alice").pop().unwrap();
    let shown = format!("{users:?} {alice:?} {ac:?} {token:?}");
    for secret in [
        APP_SECRET,
        code.as_str(),
        "pkce-verifier-secret",
        token.secret(),
        refresh.as_str(),
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    mock.shutdown().await;
}

#[tokio::test]
async fn the_sign_in_link() {
    let client = Client::builder().build().unwrap();
    let users = UserTokens::builder(&client, "cli_a5d611352af9d00b", "s").build();
    let url = users.authorize_url(
        "https://example.com/api/oauth/callback",
        &["helpdesk:all", "offline_access"],
        "st&ate",
    );
    assert_eq!(
        url.origin().ascii_serialization(),
        "https://accounts.feishu.cn"
    );
    assert_eq!(url.path(), "/open-apis/authen/v1/authorize");
    let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(
        q,
        [
            ("client_id".into(), "cli_a5d611352af9d00b".into()),
            (
                "redirect_uri".into(),
                "https://example.com/api/oauth/callback".into()
            ),
            ("scope".into(), "helpdesk:all offline_access".into()),
            ("state".into(), "st&ate".into()),
        ]
    );
    let lark = Client::builder()
        .base_url(helpdesk_api::LARK_BASE_URL)
        .build()
        .unwrap();
    let url = UserTokens::builder(&lark, "cli_x", "s")
        .build()
        .authorize_url("https://e.example/cb", &[], "s");
    assert!(
        url.as_str().starts_with(helpdesk_api::LARK_AUTHORIZE_URL),
        "{url}"
    );
}

/// A store whose saves fail after the first one (a full disk, Redis down).
#[derive(Debug, Clone, Default)]
struct FailingSaves {
    inner: MemoryUserTokenStore,
    saves: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl UserTokenStore for FailingSaves {
    fn load<'a>(
        &'a self,
        user: &'a str,
    ) -> helpdesk_api::BoxFuture<
        'a,
        Result<Option<helpdesk_api::UserTokenRecord>, helpdesk_api::TokenError>,
    > {
        self.inner.load(user)
    }

    fn save<'a>(
        &'a self,
        user: &'a str,
        record: &'a helpdesk_api::UserTokenRecord,
    ) -> helpdesk_api::BoxFuture<'a, Result<(), helpdesk_api::TokenError>> {
        if self.saves.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            return self.inner.save(user, record);
        }
        Box::pin(async { Err(helpdesk_api::TokenError::new("disk full")) })
    }
}

#[tokio::test(start_paused = true)]
async fn a_store_that_fails_to_save_does_not_bring_back_a_spent_refresh_token() {
    let mock = mock().await;
    let client = client(&mock);
    let store = FailingSaves::default();
    let users = users(&client, store.clone());
    let alice = sign_in(&mock, &users, "alice").await; // saved
    for round in 1..=2 {
        tokio::time::advance(LIFE + Duration::from_secs(1)).await;
        get_notification(&client, &alice)
            .await
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
    }
    // The store still holds the sign-in's (spent) refresh token; the
    // manager kept refreshing with the ones in memory.
    assert_eq!(mock.user_token_refreshes(), 2);
    assert_eq!(store.saves.load(std::sync::atomic::Ordering::SeqCst), 3);
    let refreshes: Vec<serde_json::Value> = mock
        .requests_for(OAUTH_TOKEN_ENDPOINT)
        .iter()
        .filter_map(|r| serde_json::from_slice(&r.body).ok())
        .filter(|b: &serde_json::Value| b["grant_type"] == "refresh_token")
        .collect();
    assert_ne!(refreshes[0]["refresh_token"], refreshes[1]["refresh_token"]);
    mock.shutdown().await;
}
