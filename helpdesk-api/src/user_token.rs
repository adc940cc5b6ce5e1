//! Managed **user access tokens**: the OAuth 2.0 authorization-code flow of
//! a self-built app, and tokens that refresh themselves.
//!
//! Half of the Helpdesk API (e.g. `notification.get`) accepts only a
//! `user_access_token`, which lives about two hours and is renewed with a
//! single-use refresh token. [`UserTokens`] does that dance:
//!
//! 1. [`UserTokens::authorize_url`] builds the sign-in link
//!    (`GET https://accounts.feishu.cn/open-apis/authen/v1/authorize`,
//!    documented at
//!    <https://open.feishu.cn/document/common-capabilities/sso/api/obtain-oauth-code>);
//! 2. [`UserTokens::exchange_code`] trades the code the redirect brings
//!    for tokens (`POST /open-apis/authen/v2/oauth/token`,
//!    `grant_type=authorization_code` with `client_id`, `client_secret`,
//!    `code`, optional `redirect_uri` and `code_verifier`; documented at
//!    <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/authentication-management/access-token/get-user-access-token>);
//! 3. [`ManagedUserToken::access_token`] returns a valid token, refreshing
//!    it ahead of expiry (`grant_type=refresh_token` with `client_id`,
//!    `client_secret`, `refresh_token`; documented at
//!    <https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/authentication-management/access-token/refresh-user-access-token>).
//!
//! The reply read is the v2 one: `code` (0 on success, a number or a
//! numeric string), `access_token`, `expires_in` (seconds),
//! `refresh_token`, `refresh_token_expires_in`, `scope`, `token_type`; an
//! error has a non-zero `code` with `error` / `error_description`
//! (RFC 6749 §5.2). A refresh token is single use: each refresh returns a
//! new one, which is handed to the [`UserTokenStore`] at once. A
//! `refresh_token` is only issued when the app has the `offline_access`
//! scope and the sign-in asked for it.
//!
//! Bounds kept (the machinery of the tenant token, `tokens.rs`):
//! - one refresh at a time per user: every caller waiting meanwhile gets
//!   the outcome of that refresh; a token due for refresh but not expired
//!   is still handed out while the refresh runs;
//! - a failed refresh is remembered (1 s doubling to 30 s when it may pass;
//!   30 s doubling to 5 min for a refusal);
//! - **a refresh token refused as expired, revoked or invalid** (codes
//!   20026, 20037, 20064, or OAuth `error: invalid_grant`) gives
//!   [`TokenErrorKind::ReauthRequired`]: the user must sign in again. That
//!   refresh token is never sent again: later calls get the error without
//!   a request (after the backoff, the store is read again, in case another
//!   process signed the user in), until a new code exchange.
//!
//! Nothing here prints a secret: access and refresh tokens, the app
//! secret, codes and code verifiers are `<redacted>` in `Debug`, and
//! error text is scrubbed of them.

use crate::runtime::Token;
use crate::tokens::{Lifetime, TokenCell};
use crate::{BoxFuture, Client, Error, TokenError, TokenErrorKind, UserAccessToken};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Path of the OAuth token endpoint (code exchange and refresh), v2.
pub const USER_TOKEN_PATH: &str = "/open-apis/authen/v2/oauth/token";
/// The Feishu sign-in page an application sends its user to.
pub const FEISHU_AUTHORIZE_URL: &str = "https://accounts.feishu.cn/open-apis/authen/v1/authorize";
/// The Lark sign-in page.
pub const LARK_AUTHORIZE_URL: &str = "https://accounts.larksuite.com/open-apis/authen/v1/authorize";
/// Token endpoint codes after which only a new sign-in helps: 20026
/// (refresh token invalid), 20037 (refresh token expired), 20064 (refresh
/// token revoked). Any reply with OAuth `error: invalid_grant` counts too.
/// (The codes could not be checked against the refresh page's error table
/// when this was written; `invalid_grant`, RFC 6749 §5.2, covers the rest.)
pub const REAUTH_CODES: [i64; 3] = [20026, 20037, 20064];

/// Longest lifetime assumed for a refresh token without
/// `refresh_token_expires_in` (the platform's are about 30 days), and the
/// longest a store keeps a record.
const DEFAULT_REFRESH_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn from_unix(secs: u64) -> SystemTime {
    UNIX_EPOCH
        .checked_add(Duration::from_secs(secs))
        .unwrap_or(UNIX_EPOCH)
}

fn user_error(kind: TokenErrorKind, reason: impl Into<String>) -> TokenError {
    TokenError {
        subject: crate::runtime::TokenKind::UserAccessToken,
        ..TokenError::of(kind, reason)
    }
}

// ---------------------------------------------------------------------------
// What is stored.

/// What a [`UserTokenStore`] keeps for one user: the refresh token (the
/// secret that outlives the process), and the access token with its
/// expiry (so that a restarted process need not refresh at once).
/// `Debug` prints no secret.
#[derive(Clone, PartialEq, Eq)]
pub struct UserTokenRecord {
    refresh_token: Box<str>,
    refresh_expires_at: Option<SystemTime>,
    access: Option<(UserAccessToken, SystemTime)>,
    scope: Option<String>,
}

impl fmt::Debug for UserTokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserTokenRecord")
            .field("refresh_token", &"<redacted>")
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("access_token", &self.access.as_ref().map(|_| "<redacted>"))
            .field("access_expires_at", &self.access.as_ref().map(|a| a.1))
            .field("scope", &self.scope)
            .finish()
    }
}

impl UserTokenRecord {
    /// A record holding only a refresh token (e.g. one obtained elsewhere).
    pub fn new(refresh_token: impl Into<String>) -> Self {
        UserTokenRecord {
            refresh_token: refresh_token.into().into_boxed_str(),
            refresh_expires_at: None,
            access: None,
            scope: None,
        }
    }

    /// The refresh token (secret: for store implementations only).
    pub fn refresh_token(&self) -> &str {
        &self.refresh_token
    }

    /// When the refresh token expires, when the platform said.
    pub fn refresh_expires_at(&self) -> Option<SystemTime> {
        self.refresh_expires_at
    }

    /// The last access token and when it expires (wall clock).
    pub fn access_token(&self) -> Option<(&UserAccessToken, SystemTime)> {
        self.access.as_ref().map(|(t, at)| (t, *at))
    }

    /// The scopes granted, space-separated, when the platform said.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// How long a store should keep the record: until the refresh token
    /// expires (30 days when unknown).
    pub fn time_to_live(&self) -> Duration {
        self.refresh_expires_at
            .and_then(|t| t.duration_since(SystemTime::now()).ok())
            .unwrap_or(DEFAULT_REFRESH_LIFETIME)
            .min(DEFAULT_REFRESH_LIFETIME)
    }

    /// The record as JSON (holds the secrets: store it as such).
    pub fn to_json(&self) -> String {
        let mut m = serde_json::Map::new();
        m.insert("v".into(), 1.into());
        m.insert("refresh_token".into(), (*self.refresh_token).into());
        if let Some(t) = self.refresh_expires_at {
            m.insert("refresh_expires_at".into(), unix(t).into());
        }
        if let Some((t, at)) = &self.access {
            m.insert("access_token".into(), t.secret().into());
            m.insert("access_expires_at".into(), unix(*at).into());
        }
        if let Some(s) = &self.scope {
            m.insert("scope".into(), s.as_str().into());
        }
        serde_json::Value::Object(m).to_string()
    }

    /// A record from [`UserTokenRecord::to_json`]'s text; a typed error
    /// (kind `BadReply`, no secret in it) for anything else.
    pub fn from_json(text: &str) -> Result<Self, TokenError> {
        let bad = |why: &str| {
            user_error(
                TokenErrorKind::BadReply,
                format!("the stored user token record is not valid: {why}"),
            )
        };
        let v: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).map_err(|_| bad("not a JSON object"))?;
        let s = |k: &str| v.get(k).and_then(serde_json::Value::as_str);
        let n = |k: &str| v.get(k).and_then(serde_json::Value::as_u64);
        let refresh = s("refresh_token")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| bad("no refresh_token"))?;
        Ok(UserTokenRecord {
            refresh_token: refresh.into(),
            refresh_expires_at: n("refresh_expires_at").map(from_unix),
            access: match (s("access_token"), n("access_expires_at")) {
                (Some(t), Some(at)) if !t.is_empty() => {
                    Some((UserAccessToken::new(t), from_unix(at)))
                }
                _ => None,
            },
            scope: s("scope").map(str::to_string),
        })
    }
}

// ---------------------------------------------------------------------------
// Stores.

/// Where a managed user token keeps its record between refreshes and
/// across restarts. `user` is the application's handle for the user (an
/// open id, an account id: not secret). `save` is called after every
/// code exchange and refresh with the new refresh token: the old one is
/// already dead.
pub trait UserTokenStore: Send + Sync + fmt::Debug + 'static {
    /// The user's record, `None` if there is none.
    fn load<'a>(
        &'a self,
        user: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserTokenRecord>, TokenError>>;
    /// Replaces the user's record.
    fn save<'a>(
        &'a self,
        user: &'a str,
        record: &'a UserTokenRecord,
    ) -> BoxFuture<'a, Result<(), TokenError>>;
}

/// Records in memory (the default): lost when the process ends. Clones
/// share the records.
#[derive(Clone, Default)]
pub struct MemoryUserTokenStore {
    records: Arc<Mutex<HashMap<String, UserTokenRecord>>>,
}

impl MemoryUserTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl fmt::Debug for MemoryUserTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.records.lock().map_or(0, |r| r.len());
        f.debug_struct("MemoryUserTokenStore")
            .field("users", &n)
            .finish()
    }
}

impl UserTokenStore for MemoryUserTokenStore {
    fn load<'a>(
        &'a self,
        user: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserTokenRecord>, TokenError>> {
        let r = self
            .records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(user)
            .cloned();
        Box::pin(async move { Ok(r) })
    }

    fn save<'a>(
        &'a self,
        user: &'a str,
        record: &'a UserTokenRecord,
    ) -> BoxFuture<'a, Result<(), TokenError>> {
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(user.to_string(), record.clone());
        Box::pin(async { Ok(()) })
    }
}

/// Records as files in a directory, one per user (`<hex of user>.json`),
/// surviving restarts. A write goes to a temporary file in the same
/// directory (mode 0600 on unix), is flushed to disk, then renamed over
/// the record: a crash leaves the old record or the new one, never half
/// of one. The directory is created (mode 0700 on unix) if missing.
#[derive(Debug, Clone)]
pub struct FileUserTokenStore {
    dir: PathBuf,
}

impl FileUserTokenStore {
    /// A store in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FileUserTokenStore { dir: dir.into() }
    }

    /// The file holding `user`'s record.
    pub fn path_of(&self, user: &str) -> PathBuf {
        let name: String = user.bytes().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("u{name}.json"))
    }
}

fn io_error(doing: &str, e: std::io::Error) -> TokenError {
    user_error(
        TokenErrorKind::Provider,
        format!("user token file store: {doing}: {}", e.kind()),
    )
}

fn write_atomically(
    dir: &std::path::Path,
    path: &std::path::Path,
    text: &str,
) -> std::io::Result<()> {
    use std::io::Write;
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)?;
    let tmp = path.with_extension(format!(
        "tmp.{}.{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let result = (|| {
        let mut f = o.open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

impl UserTokenStore for FileUserTokenStore {
    fn load<'a>(
        &'a self,
        user: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserTokenRecord>, TokenError>> {
        let path = self.path_of(user);
        Box::pin(async move {
            let read = tokio::task::spawn_blocking(move || std::fs::read_to_string(path))
                .await
                .map_err(|_| {
                    user_error(
                        TokenErrorKind::Provider,
                        "user token file store: read task failed",
                    )
                })?;
            match read {
                Ok(text) => UserTokenRecord::from_json(&text).map(Some),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(io_error("reading", e)),
            }
        })
    }

    fn save<'a>(
        &'a self,
        user: &'a str,
        record: &'a UserTokenRecord,
    ) -> BoxFuture<'a, Result<(), TokenError>> {
        let path = self.path_of(user);
        let dir = self.dir.clone();
        let text = record.to_json();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || write_atomically(&dir, &path, &text))
                .await
                .map_err(|_| {
                    user_error(
                        TokenErrorKind::Provider,
                        "user token file store: write task failed",
                    )
                })?
                .map_err(|e| io_error("writing", e))
        })
    }
}

/// Records in Redis (feature `redis`), under `{prefix}:utok:{user}`,
/// expiring with the refresh token: every process of a deployment sees
/// the refresh token the last refresh produced. Each process refreshes on
/// its own (there is no cross-process lock for user tokens); before a
/// refresh, a process adopts a newer access token another one stored.
/// Redis holds the tokens in clear: it must be as trusted as the app.
#[cfg(feature = "redis")]
#[derive(Debug, Clone)]
pub struct RedisUserTokenStore {
    shared: crate::redis_store::RedisShared,
}

#[cfg(feature = "redis")]
impl RedisUserTokenStore {
    /// A store in this Redis.
    pub fn new(shared: crate::redis_store::RedisShared) -> Self {
        RedisUserTokenStore { shared }
    }
}

#[cfg(feature = "redis")]
impl UserTokenStore for RedisUserTokenStore {
    fn load<'a>(
        &'a self,
        user: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserTokenRecord>, TokenError>> {
        Box::pin(async move {
            match self.shared.user_record_get(user).await {
                Ok(Some(text)) => UserTokenRecord::from_json(&text).map(Some),
                Ok(None) => Ok(None),
                Err(e) => Err(user_error(
                    TokenErrorKind::Unavailable,
                    format!("user token redis store: {e}"),
                )),
            }
        })
    }

    fn save<'a>(
        &'a self,
        user: &'a str,
        record: &'a UserTokenRecord,
    ) -> BoxFuture<'a, Result<(), TokenError>> {
        Box::pin(async move {
            self.shared
                .user_record_set(user, &record.to_json(), record.time_to_live())
                .await
                .map_err(|e| {
                    user_error(
                        TokenErrorKind::Unavailable,
                        format!("user token redis store: {e}"),
                    )
                })
        })
    }
}

// ---------------------------------------------------------------------------
// The manager.

/// An authorization code to exchange, with what the sign-in used.
/// `Debug` prints no secret.
#[derive(Clone)]
pub struct AuthorizationCode {
    code: Box<str>,
    redirect_uri: Option<String>,
    code_verifier: Option<Box<str>>,
}

impl fmt::Debug for AuthorizationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationCode")
            .field("code", &"<redacted>")
            .field("redirect_uri", &self.redirect_uri)
            .field(
                "code_verifier",
                &self.code_verifier.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl AuthorizationCode {
    /// The `code` query parameter of the redirect (valid 5 minutes, once).
    pub fn new(code: impl Into<String>) -> Self {
        AuthorizationCode {
            code: code.into().into_boxed_str(),
            redirect_uri: None,
            code_verifier: None,
        }
    }

    /// The `redirect_uri` of the sign-in link (sent when given; the
    /// platform checks that it matches).
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// The PKCE `code_verifier`, when the sign-in link had a `code_challenge`.
    pub fn code_verifier(mut self, verifier: impl Into<String>) -> Self {
        self.code_verifier = Some(verifier.into().into_boxed_str());
        self
    }
}

/// Configures [`UserTokens`].
pub struct UserTokensBuilder {
    http: reqwest::Client,
    user_agent: Option<reqwest::header::HeaderValue>,
    max_bytes: usize,
    base_url: String,
    authorize_url: Option<String>,
    app_id: String,
    app_secret: Box<str>,
    store: Arc<dyn UserTokenStore>,
    margin: Duration,
    timeout: Option<Duration>,
}

impl fmt::Debug for UserTokensBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserTokensBuilder")
            .field("base_url", &self.base_url)
            .field("app_id", &self.app_id)
            .field("app_secret", &"<redacted>")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl UserTokensBuilder {
    /// Where records are kept (default: [`MemoryUserTokenStore`]).
    pub fn store(mut self, store: impl UserTokenStore) -> Self {
        self.store = Arc::new(store);
        self
    }

    /// Time before expiry at which an access token is refreshed (default
    /// [`crate::DEFAULT_REFRESH_MARGIN`], 3 min; never more than half a
    /// token's life).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Bound on one call of the token endpoint (default: the client's
    /// timeout, or 30 s); `None`: unbounded (tests on a paused clock).
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// The sign-in page (default: [`FEISHU_AUTHORIZE_URL`] for the Feishu
    /// base URL, [`LARK_AUTHORIZE_URL`] for Lark's, else the client's base
    /// URL + `/open-apis/authen/v1/authorize`, which is what the mock
    /// server answers).
    pub fn authorize_url(mut self, url: impl Into<String>) -> Self {
        self.authorize_url = Some(url.into());
        self
    }

    /// The manager.
    pub fn build(self) -> UserTokens {
        let authorize_url = self
            .authorize_url
            .unwrap_or_else(|| match self.base_url.as_str() {
                crate::FEISHU_BASE_URL => FEISHU_AUTHORIZE_URL.to_string(),
                crate::LARK_BASE_URL => LARK_AUTHORIZE_URL.to_string(),
                other => format!("{other}/open-apis/authen/v1/authorize"),
            });
        UserTokens {
            inner: Arc::new(Manager {
                token_url: format!("{}{USER_TOKEN_PATH}", self.base_url),
                authorize_url,
                http: self.http,
                user_agent: self.user_agent,
                max_bytes: self.max_bytes,
                app_id: self.app_id,
                app_secret: self.app_secret,
                store: self.store,
                margin: self.margin,
                timeout: self.timeout,
                users: Mutex::default(),
                refreshes: AtomicU64::new(0),
                exchanges: AtomicU64::new(0),
            }),
        }
    }
}

/// The user tokens of one app: signs users in (code exchange), keeps
/// their tokens fresh, hands refresh tokens to a [`UserTokenStore`].
/// Clones share everything. `Debug` prints no secret.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use helpdesk_api::{AuthorizationCode, Client, FileUserTokenStore, UserTokens};
/// let client = Client::builder().helpdesk_credentials("hd-id", "hd-token").build()?;
/// let users = UserTokens::builder(&client, "cli_app_id", "app-secret")
///     .store(FileUserTokenStore::new("/var/lib/myapp/user-tokens"))
///     .build();
/// // 1. send the user to this link; 2. the redirect brings `code`:
/// let link = users.authorize_url("https://myapp.example/callback", &["helpdesk:all", "offline_access"], "csrf-state");
/// # let code = String::new();
/// let alice = users
///     .exchange_code("alice", AuthorizationCode::new(code).redirect_uri("https://myapp.example/callback"))
///     .await?;
/// let n = client.notification().get("6981801914270744596").send_with(alice.access_token().await?).await?;
/// # let _ = (link, n); Ok(()) }
/// ```
#[derive(Clone)]
pub struct UserTokens {
    inner: Arc<Manager>,
}

struct Manager {
    http: reqwest::Client,
    user_agent: Option<reqwest::header::HeaderValue>,
    max_bytes: usize,
    token_url: String,
    authorize_url: String,
    app_id: String,
    app_secret: Box<str>,
    store: Arc<dyn UserTokenStore>,
    margin: Duration,
    timeout: Option<Duration>,
    users: Mutex<HashMap<String, Weak<UserState>>>,
    refreshes: AtomicU64,
    exchanges: AtomicU64,
}

impl fmt::Debug for UserTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.inner;
        f.debug_struct("UserTokens")
            .field("token_url", &m.token_url)
            .field("app_id", &m.app_id)
            .field("app_secret", &"<redacted>")
            .field("store", &m.store)
            .field("refreshes", &m.refreshes.load(Ordering::Relaxed))
            .finish()
    }
}

/// One user's state, shared by every [`ManagedUserToken`] of that user.
struct UserState {
    user: String,
    cell: TokenCell<UserAccessToken>,
    record: Mutex<Refresh>,
}

#[derive(Default)]
struct Refresh {
    record: Option<UserTokenRecord>,
    /// A refresh token the platform refused for good: never sent again.
    dead: Option<Box<str>>,
    /// The refresh tokens this process spent last (newest last): a stored
    /// record holding one of them is older than ours (a save failed).
    spent: std::collections::VecDeque<Box<str>>,
}

/// How many spent refresh tokens are remembered.
const SPENT_KEPT: usize = 8;

/// A user's access token that refreshes itself. Clones (and every handle
/// [`UserTokens`] gives for the same user) share one refresh at a time.
/// `Debug` prints no secret.
#[derive(Clone)]
pub struct ManagedUserToken {
    manager: Arc<Manager>,
    state: Arc<UserState>,
}

impl fmt::Debug for ManagedUserToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManagedUserToken")
            .field("user", &self.state.user)
            .finish_non_exhaustive()
    }
}

impl UserTokens {
    /// A manager for the app `app_id` / `app_secret` (the OAuth
    /// `client_id` / `client_secret`), calling the token endpoint at the
    /// client's base URL with the client's HTTP client.
    pub fn builder(
        client: &Client,
        app_id: impl Into<String>,
        app_secret: impl Into<String>,
    ) -> UserTokensBuilder {
        let (http, user_agent, max_bytes, timeout) = client.oauth_transport();
        UserTokensBuilder {
            http,
            user_agent,
            max_bytes,
            base_url: client.base_url().trim_end_matches('/').to_string(),
            authorize_url: None,
            app_id: app_id.into(),
            app_secret: app_secret.into().into_boxed_str(),
            store: Arc::new(MemoryUserTokenStore::new()),
            margin: crate::DEFAULT_REFRESH_MARGIN,
            timeout: Some(timeout.unwrap_or(Duration::from_secs(30))),
        }
    }

    /// The sign-in link: `client_id`, `redirect_uri`, `scope`
    /// (space-separated; add `offline_access` to get a refresh token) and
    /// `state` (check it when the redirect comes back). Append
    /// `code_challenge` / `code_challenge_method` for PKCE.
    pub fn authorize_url(&self, redirect_uri: &str, scopes: &[&str], state: &str) -> reqwest::Url {
        let mut url = reqwest::Url::parse(&self.inner.authorize_url)
            .unwrap_or_else(|_| reqwest::Url::parse(FEISHU_AUTHORIZE_URL).expect("constant URL"));
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.inner.app_id);
            q.append_pair("redirect_uri", redirect_uri);
            if !scopes.is_empty() {
                q.append_pair("scope", &scopes.join(" "));
            }
            q.append_pair("state", state);
        }
        url
    }

    /// Exchanges the code of `user`'s sign-in for tokens, saves the
    /// record, and returns the user's managed token (replacing any earlier
    /// sign-in of that user, a remembered reauth error included). A code
    /// refused (used, expired, another app's) gives
    /// [`TokenErrorKind::ReauthRequired`]. A store that fails to save is
    /// logged, not an error: the tokens are kept in memory, and saved
    /// again with the next refresh.
    pub async fn exchange_code(
        &self,
        user: &str,
        code: AuthorizationCode,
    ) -> Result<ManagedUserToken, TokenError> {
        let m = &self.inner;
        let mut body = serde_json::json!({
            "grant_type": "authorization_code",
            "client_id": m.app_id,
            "client_secret": &*m.app_secret,
            "code": &*code.code,
        });
        if let Some(r) = &code.redirect_uri {
            body["redirect_uri"] = r.as_str().into();
        }
        if let Some(v) = &code.code_verifier {
            body["code_verifier"] = (**v).into();
        }
        let mut secrets: Vec<&str> = vec![&code.code];
        if let Some(v) = &code.code_verifier {
            secrets.push(v);
        }
        m.exchanges.fetch_add(1, Ordering::Relaxed);
        let granted = m.call_token_endpoint(body, &secrets).await?;
        let record = granted.record(None);
        if let Err(e) = m.store.save(user, &record).await {
            tracing::warn!(user, error = %e, "user token store failed to save after sign-in; kept in memory");
        }
        let state = self.state_of(user);
        {
            let mut r = state.record.lock().unwrap_or_else(|e| e.into_inner());
            r.record = Some(record);
        }
        let life = granted.lifetime(m.margin);
        state.cell.put(granted.access, life);
        Ok(ManagedUserToken {
            manager: self.inner.clone(),
            state,
        })
    }

    /// The managed token of a user who signed in before (in this process,
    /// or in an earlier one whose store this is): `None` when the store
    /// has no record. A stored access token that is still valid is used
    /// without a refresh.
    pub async fn user(&self, user: &str) -> Result<Option<ManagedUserToken>, TokenError> {
        if let Some(state) = self.existing(user) {
            return Ok(Some(self.handle(state)));
        }
        let Some(record) = self.inner.store.load(user).await? else {
            return Ok(None);
        };
        let state = self.state_of(user);
        let mut r = state.record.lock().unwrap_or_else(|e| e.into_inner());
        if r.record.is_none() {
            if let Some((t, life)) = usable_access(&record, self.inner.margin) {
                state.cell.put(t, life);
            }
            r.record = Some(record);
        }
        drop(r);
        Ok(Some(self.handle(state)))
    }

    /// How many refresh requests this manager sent (any outcome).
    pub fn refreshes(&self) -> u64 {
        self.inner.refreshes.load(Ordering::Relaxed)
    }

    /// How many code exchanges this manager sent (any outcome).
    pub fn code_exchanges(&self) -> u64 {
        self.inner.exchanges.load(Ordering::Relaxed)
    }

    fn handle(&self, state: Arc<UserState>) -> ManagedUserToken {
        ManagedUserToken {
            manager: self.inner.clone(),
            state,
        }
    }

    fn existing(&self, user: &str) -> Option<Arc<UserState>> {
        let users = self.inner.users.lock().unwrap_or_else(|e| e.into_inner());
        users.get(user).and_then(Weak::upgrade)
    }

    fn state_of(&self, user: &str) -> Arc<UserState> {
        let mut users = self.inner.users.lock().unwrap_or_else(|e| e.into_inner());
        users.retain(|_, w| w.strong_count() > 0);
        if let Some(s) = users.get(user).and_then(Weak::upgrade) {
            return s;
        }
        let s = Arc::new(UserState {
            user: user.to_string(),
            cell: TokenCell::default(),
            record: Mutex::default(),
        });
        users.insert(user.to_string(), Arc::downgrade(&s));
        s
    }
}

/// The record's access token and its remaining lifetime, if it has at
/// least a minute left (wall clock).
fn usable_access(
    record: &UserTokenRecord,
    margin: Duration,
) -> Option<(UserAccessToken, Lifetime)> {
    let (t, at) = record.access_token()?;
    let left = at.duration_since(SystemTime::now()).ok()?;
    if left < Duration::from_secs(60) {
        return None;
    }
    let left = left.min(crate::MAX_TOKEN_LIFETIME);
    Some((t.clone(), Lifetime::new(left - margin.min(left / 2), left)))
}

impl ManagedUserToken {
    /// The user's handle.
    pub fn user(&self) -> &str {
        &self.state.user
    }

    /// A valid access token: the cached one, or one refreshed now (one
    /// refresh at a time, whatever the number of callers). A refresh token
    /// refused as expired or revoked gives
    /// [`TokenErrorKind::ReauthRequired`] ([`TokenError::is_reauth_required`]).
    pub async fn access_token(&self) -> Result<UserAccessToken, TokenError> {
        let manager = self.manager.clone();
        let state = self.state.clone();
        self.state
            .cell
            .get(move || {
                let manager = manager.clone();
                let state = state.clone();
                Box::pin(async move { refresh(&manager, &state).await })
            })
            .await
    }

    /// Forgets `token` (the platform rejected it): the next
    /// [`ManagedUserToken::access_token`] refreshes.
    pub fn invalidate(&self, token: &UserAccessToken) {
        self.state.cell.invalidate(token);
    }

    /// Runs `call` with the access token; if the platform rejects the
    /// token ([`Error::TokenInvalid`]: expired early, revoked), refreshes
    /// and runs it once more.
    ///
    /// ```no_run
    /// # async fn demo(client: helpdesk_api::Client, alice: helpdesk_api::ManagedUserToken) -> Result<(), Box<dyn std::error::Error>> {
    /// let reply = alice
    ///     .call(|token| client.notification().get("6981801914270744596").send_with(token))
    ///     .await?;
    /// # let _ = reply; Ok(()) }
    /// ```
    pub async fn call<T, E, F, Fut>(&self, call: F) -> Result<T, Error<E>>
    where
        F: Fn(UserAccessToken) -> Fut,
        Fut: Future<Output = Result<T, Error<E>>>,
    {
        let token = self.access_token().await?;
        match call(token.clone()).await {
            Err(Error::TokenInvalid(api)) => {
                tracing::info!(user = %self.state.user, code = api.code, "user token rejected: refreshing and retrying once");
                self.invalidate(&token);
                call(self.access_token().await?).await
            }
            other => other,
        }
    }
}

impl TokenError {
    /// Whether the user must sign in again (their refresh token expired or
    /// was revoked, or the authorization code was refused).
    pub fn is_reauth_required(&self) -> bool {
        self.kind == TokenErrorKind::ReauthRequired
    }
}

/// `?` on a token error inside a function returning a call's error.
impl<E> From<TokenError> for Error<E> {
    fn from(e: TokenError) -> Self {
        Error::Token(e)
    }
}

/// One refresh (inside the cell's single flight).
async fn refresh(
    m: &Manager,
    state: &UserState,
) -> Result<(UserAccessToken, Lifetime), TokenError> {
    // What the store holds now: another process may have refreshed (its
    // access token is then adopted) or signed the user in again.
    let stored = match m.store.load(&state.user).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(user = %state.user, error = %e, "user token store failed to load; using the record in memory");
            None
        }
    };
    let current = {
        let mut r = state.record.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = stored {
            // Another refresh token than ours was written by another
            // process (or sign-in), unless it is one we spent ourselves (a
            // save of ours failed): adopted only in the first case.
            let newer = match r.record.as_ref() {
                None => true,
                Some(o) => {
                    o.refresh_token != s.refresh_token
                        && !r.spent.iter().any(|t| *t == s.refresh_token)
                }
            };
            if newer {
                let usable = usable_access(&s, m.margin);
                r.record = Some(s);
                if let Some(fresh) = usable {
                    return Ok(fresh);
                }
            }
        }
        let Some(rec) = r.record.clone() else {
            return Err(user_error(
                TokenErrorKind::ReauthRequired,
                format!(
                    "no refresh token stored for user {}: the user must sign in",
                    state.user
                ),
            ));
        };
        if r.dead.as_deref() == Some(&*rec.refresh_token) {
            return Err(user_error(
                TokenErrorKind::ReauthRequired,
                "the refresh token was refused (expired or revoked): the user must sign in again",
            ));
        }
        if rec
            .refresh_expires_at
            .is_some_and(|at| at <= SystemTime::now())
        {
            r.dead = Some(rec.refresh_token.clone());
            return Err(user_error(
                TokenErrorKind::ReauthRequired,
                "the refresh token has expired: the user must sign in again",
            ));
        }
        rec
    };
    let body = serde_json::json!({
        "grant_type": "refresh_token",
        "client_id": m.app_id,
        "client_secret": &*m.app_secret,
        "refresh_token": &*current.refresh_token,
    });
    m.refreshes.fetch_add(1, Ordering::Relaxed);
    let granted = match m.call_token_endpoint(body, &[&current.refresh_token]).await {
        Ok(g) => g,
        Err(e) => {
            if e.is_reauth_required() {
                let mut r = state.record.lock().unwrap_or_else(|e| e.into_inner());
                r.dead = Some(current.refresh_token.clone());
            }
            return Err(e);
        }
    };
    let record = granted.record(Some(&current));
    if let Err(e) = m.store.save(&state.user, &record).await {
        tracing::warn!(user = %state.user, error = %e, "user token store failed to save the new refresh token; kept in memory");
    }
    let life = granted.lifetime(m.margin);
    let mut r = state.record.lock().unwrap_or_else(|e| e.into_inner());
    if r.spent.len() >= SPENT_KEPT {
        r.spent.pop_front();
    }
    r.spent.push_back(current.refresh_token.clone());
    r.record = Some(record);
    drop(r);
    Ok((granted.access, life))
}

/// A successful token reply.
struct Granted {
    access: UserAccessToken,
    expires_in: u64,
    refresh_token: Option<String>,
    refresh_expires_in: Option<u64>,
    scope: Option<String>,
}

impl Granted {
    fn lifetime(&self, margin: Duration) -> Lifetime {
        Lifetime::from_expire(self.expires_in, margin)
    }

    /// The record to store; a reply without a refresh token keeps the
    /// previous one (RFC 6749 §6 allows that).
    fn record(&self, previous: Option<&UserTokenRecord>) -> UserTokenRecord {
        let now = SystemTime::now();
        let ttl = Duration::from_secs(self.expires_in)
            .clamp(crate::MIN_TOKEN_LIFETIME, crate::MAX_TOKEN_LIFETIME);
        let (refresh_token, refresh_expires_at) = match (&self.refresh_token, previous) {
            (Some(t), _) => (
                t.as_str().into(),
                self.refresh_expires_in.map(|s| {
                    now.checked_add(Duration::from_secs(s).min(DEFAULT_REFRESH_LIFETIME))
                        .unwrap_or(now)
                }),
            ),
            (None, Some(p)) => (p.refresh_token.clone(), p.refresh_expires_at),
            (None, None) => ("".into(), None),
        };
        UserTokenRecord {
            refresh_token,
            refresh_expires_at,
            access: Some((self.access.clone(), now.checked_add(ttl).unwrap_or(now))),
            scope: self
                .scope
                .clone()
                .or_else(|| previous.and_then(|p| p.scope.clone())),
        }
    }
}

/// A `code` as a number, whatever JSON carries it (`0`, `"0"`).
fn code_of(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl Manager {
    /// One call of the token endpoint, bounded by the timeout.
    async fn call_token_endpoint(
        &self,
        body: serde_json::Value,
        secrets: &[&str],
    ) -> Result<Granted, TokenError> {
        let Some(limit) = self.timeout else {
            return self.post(body, secrets).await;
        };
        match tokio::time::timeout(limit, self.post(body, secrets)).await {
            Ok(r) => r,
            Err(_) => Err(user_error(
                TokenErrorKind::Timeout,
                format!("no reply from the OAuth token endpoint within {limit:?}"),
            )),
        }
    }

    async fn post(&self, body: serde_json::Value, secrets: &[&str]) -> Result<Granted, TokenError> {
        let with_user = |e: TokenError| TokenError {
            subject: crate::runtime::TokenKind::UserAccessToken,
            ..e
        };
        let mut req = self.http.post(&self.token_url).header(
            reqwest::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        );
        if let Some(ua) = &self.user_agent {
            req = req.header(reqwest::header::USER_AGENT, ua.clone());
        }
        // A stream: a client that follows redirects does not replay the
        // secret and the code to a 307/308's location.
        let request = req
            .body(crate::runtime::stream_body(body.to_string().into()))
            .build()
            .map_err(|e| with_user(crate::tokens::transport_failure(e, "OAuth token request")))?;
        let sent = request.url().clone();
        let resp = self.http.execute(request).await.map_err(|e| {
            with_user(crate::tokens::transport_failure(
                e,
                "OAuth token endpoint unreachable",
            ))
        })?;
        let status = resp.status().as_u16();
        let with_status = |kind, reason: String| TokenError {
            status: Some(status),
            ..user_error(kind, reason)
        };
        if let Some(detail) = crate::runtime::redirect_problem(&sent, &resp) {
            return Err(with_status(
                TokenErrorKind::BadReply,
                format!("OAuth token reply: {detail}"),
            ));
        }
        let bytes = crate::tokens::read_bounded(resp, self.max_bytes)
            .await
            .map_err(with_user)?;
        let mut all: Vec<&str> = secrets.to_vec();
        all.push(&self.app_secret);
        let scrub = |s: &str| crate::redact::scrub(s, &all, crate::redact::MAX_TEXT);
        let unavailable = status >= 500 || status == 429;
        let reply: serde_json::Map<String, serde_json::Value> = match serde_json::from_slice(&bytes)
        {
            Ok(v) => v,
            Err(_) => {
                let kind = if unavailable {
                    TokenErrorKind::Unavailable
                } else {
                    TokenErrorKind::BadReply
                };
                return Err(with_status(
                    kind,
                    format!(
                        "the OAuth token endpoint answered HTTP {status} with no token JSON: {}",
                        crate::runtime::excerpt_scrubbed(&bytes, &all)
                    ),
                ));
            }
        };
        let code = reply.get("code").and_then(code_of);
        let text = |k: &str| reply.get(k).and_then(serde_json::Value::as_str);
        let access = text("access_token").filter(|t| !t.is_empty());
        match (code, access) {
            (Some(0) | None, Some(t)) if (200..300).contains(&status) => Ok(Granted {
                access: UserAccessToken::new(t),
                expires_in: reply
                    .get("expires_in")
                    .and_then(crate::tokens::expire_secs)
                    .unwrap_or(7200),
                refresh_token: text("refresh_token")
                    .filter(|t| !t.is_empty())
                    .map(str::to_string),
                refresh_expires_in: reply
                    .get("refresh_token_expires_in")
                    .and_then(crate::tokens::expire_secs),
                scope: text("scope").map(str::to_string),
            }),
            (code, _) => {
                let error = text("error");
                let what = match (error, text("error_description").or(text("msg"))) {
                    (Some(e), Some(d)) => format!("{e}: {d}"),
                    (Some(e), None) => e.to_string(),
                    (None, Some(d)) => d.to_string(),
                    (None, None) => "the OAuth token endpoint gave no token".to_string(),
                };
                let kind = match code {
                    Some(c) if REAUTH_CODES.contains(&c) => TokenErrorKind::ReauthRequired,
                    _ if error == Some("invalid_grant") => TokenErrorKind::ReauthRequired,
                    _ if unavailable => TokenErrorKind::Unavailable,
                    _ if error == Some("invalid_client") => TokenErrorKind::Rejected,
                    Some(c) if c != 0 && (400..500).contains(&status) => TokenErrorKind::Rejected,
                    Some(c) if c != 0 => TokenErrorKind::Unavailable,
                    _ => TokenErrorKind::BadReply,
                };
                Err(TokenError {
                    code: code.filter(|c| *c != 0),
                    ..with_status(kind, scrub(&what))
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_hide_secrets_in_debug() {
        let mut r = UserTokenRecord::new("ur-secret-refresh");
        r.access = Some((
            UserAccessToken::new("u-secret-access"),
            from_unix(2_000_000_000),
        ));
        r.scope = Some("offline_access".into());
        r.refresh_expires_at = Some(from_unix(2_100_000_000));
        let back = UserTokenRecord::from_json(&r.to_json()).expect("round trip");
        assert_eq!(back, r);
        let dbg = format!("{r:?}");
        assert!(!dbg.contains("secret"), "{dbg}");
    }

    #[test]
    fn malformed_records_are_typed_errors_without_content() {
        for bad in [
            "",
            "[]",
            "{}",
            r#"{"refresh_token":""}"#,
            r#"{"refresh_token":5}"#,
            "{\"refresh_token\":\"ur-x\"",
        ] {
            let e = UserTokenRecord::from_json(bad).expect_err(bad);
            assert_eq!(e.kind, TokenErrorKind::BadReply);
            assert!(
                e.to_string()
                    .starts_with("cannot obtain a user access token"),
                "{e}"
            );
        }
    }

    #[test]
    fn codes_of_any_json_shape() {
        use serde_json::json;
        assert_eq!(code_of(&json!(0)), Some(0));
        assert_eq!(code_of(&json!("20037")), Some(20037));
        assert_eq!(code_of(&json!(null)), None);
        assert_eq!(code_of(&json!(1.5)), None);
    }
}
