//! The OAuth token endpoint of user access tokens,
//! `POST /open-apis/authen/v2/oauth/token` (v2, JSON body), for testing
//! the sign-in and refresh of user tokens offline.
//!
//! - `grant_type: authorization_code` with `client_id`, `client_secret`,
//!   `code` (from [`MockServer::issue_auth_code`]; valid 5 minutes, once),
//!   and `redirect_uri` when the code was issued for one;
//! - `grant_type: refresh_token` with `client_id`, `client_secret`,
//!   `refresh_token` (single use: each refresh rotates it).
//!
//! Success (HTTP 200): `{"code":0,"access_token":"u-…","expires_in":…,
//! "refresh_token":"ur-…","refresh_token_expires_in":…,"scope":…,
//! "token_type":"Bearer"}`. The access tokens are then accepted as user
//! tokens by the Helpdesk endpoints until they expire (99991677 after).
//!
//! Errors (HTTP 400, `{"code","error","error_description"}`, RFC 6749
//! §5.2): a refresh token revoked ([`MockServer::revoke_refresh_token`])
//! 20064, expired 20037, unknown or already used 20026, all with
//! `error: invalid_grant`. The other codes are the mock's own choice (not
//! taken from the platform's documentation): 20001 `invalid_request` (not
//! JSON, a missing field), 20002 `invalid_client` (wrong `client_id` /
//! `client_secret`), 20003 `invalid_grant` (a code unknown, used, expired
//! or for another `redirect_uri`), 20004 `unsupported_grant_type`.
//!
//! Lifetimes follow tokio's clock (see the crate docs on paused time).

use crate::reply::Reply;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;

/// Path of the OAuth token endpoint (v2).
pub const OAUTH_TOKEN_PATH: &str = "/open-apis/authen/v2/oauth/token";
/// Hook / record id of [`OAUTH_TOKEN_PATH`].
pub const OAUTH_TOKEN_ENDPOINT: &str = "authen.oauth_token";
/// Default `expires_in` of issued user access tokens, in seconds.
pub const DEFAULT_USER_TOKEN_EXPIRE_SECS: u64 = 7200;
/// Default `refresh_token_expires_in`, in seconds (30 days).
pub const DEFAULT_REFRESH_TOKEN_EXPIRE_SECS: u64 = 30 * 24 * 3600;
/// How long an authorization code may be exchanged.
pub const AUTH_CODE_LIFETIME: Duration = Duration::from_secs(300);

/// Codes of the OAuth token endpoint.
pub mod oauth_codes {
    /// Refresh token unknown, malformed or already used.
    pub const REFRESH_TOKEN_INVALID: i64 = 20026;
    /// Refresh token expired.
    pub const REFRESH_TOKEN_EXPIRED: i64 = 20037;
    /// Refresh token revoked.
    pub const REFRESH_TOKEN_REVOKED: i64 = 20064;
    /// (Mock's choice.) Body not JSON, or a required field missing.
    pub const INVALID_REQUEST: i64 = 20001;
    /// (Mock's choice.) Wrong `client_id` or `client_secret`.
    pub const INVALID_CLIENT: i64 = 20002;
    /// (Mock's choice.) Authorization code unknown, used, expired, or
    /// issued for another `redirect_uri`.
    pub const INVALID_CODE: i64 = 20003;
    /// (Mock's choice.) A `grant_type` other than the two supported.
    pub const UNSUPPORTED_GRANT_TYPE: i64 = 20004;
}

/// Lifetimes of what the endpoint issues.
#[derive(Debug, Clone)]
pub(crate) struct OAuthConfig {
    pub(crate) user_token_expire_secs: u64,
    pub(crate) refresh_token_expire_secs: u64,
}

impl Default for OAuthConfig {
    fn default() -> Self {
        OAuthConfig {
            user_token_expire_secs: DEFAULT_USER_TOKEN_EXPIRE_SECS,
            refresh_token_expire_secs: DEFAULT_REFRESH_TOKEN_EXPIRE_SECS,
        }
    }
}

#[derive(Debug)]
struct Code {
    user: String,
    redirect_uri: Option<String>,
    expires_at: Instant,
    used: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefreshState {
    Live,
    Used,
    Revoked,
}

#[derive(Debug)]
struct Refresh {
    user: String,
    expires_at: Instant,
    state: RefreshState,
}

#[derive(Debug)]
struct Inner {
    config: OAuthConfig,
    codes: HashMap<String, Code>,
    refresh: HashMap<String, Refresh>,
    access_user: HashMap<String, String>,
    refreshes: usize,
    exchanges: usize,
}

/// The endpoint's state, part of the server's.
#[derive(Debug)]
pub(crate) struct OAuthState {
    inner: Mutex<Inner>,
}

impl OAuthState {
    pub(crate) fn new(config: OAuthConfig) -> Self {
        OAuthState {
            inner: Mutex::new(Inner {
                config,
                codes: HashMap::new(),
                refresh: HashMap::new(),
                access_user: HashMap::new(),
                refreshes: 0,
                exchanges: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether a request goes to the OAuth token endpoint.
pub(crate) fn is_oauth_token(method: &str, path: &str) -> Option<bool> {
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    (trimmed == OAUTH_TOKEN_PATH).then_some(method == "POST")
}

fn oauth_error(code: i64, error: &str, description: &str) -> Reply {
    Reply::json(
        400,
        json!({ "code": code, "error": error, "error_description": description }),
    )
}

/// Answers one request of the endpoint.
pub(crate) fn serve(shared: &dyn OAuthHost, body: &[u8]) -> Reply {
    use oauth_codes::*;
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let field = |k: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let grant = field("grant_type");
    let mut st = shared.oauth().lock();
    match grant.as_deref() {
        Some("refresh_token") => st.refreshes += 1,
        Some("authorization_code") => st.exchanges += 1,
        _ => {}
    }
    let (Some(grant), Some(client_id), Some(secret)) =
        (grant, field("client_id"), field("client_secret"))
    else {
        return oauth_error(
            INVALID_REQUEST,
            "invalid_request",
            "grant_type, client_id and client_secret are required",
        );
    };
    let (app_id, app_secret) = shared.app_credentials();
    if client_id != app_id || secret != app_secret {
        return oauth_error(
            INVALID_CLIENT,
            "invalid_client",
            "client authentication failed",
        );
    }
    let now = Instant::now();
    let user = match grant.as_str() {
        "authorization_code" => match redeem_code(&mut st, &field, now) {
            Ok(user) => user,
            Err(reply) => return reply,
        },
        "refresh_token" => match redeem_refresh(&mut st, &field, now) {
            Ok(user) => user,
            Err(reply) => return reply,
        },
        _ => {
            return oauth_error(
                UNSUPPORTED_GRANT_TYPE,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            );
        }
    };
    let expire = st.config.user_token_expire_secs;
    let refresh_expire = st.config.refresh_token_expire_secs;
    let access = shared.issue_user_token(now.checked_add(Duration::from_secs(expire)));
    let refresh = shared.fresh_token("ur-");
    st.access_user.insert(access.clone(), user.clone());
    st.refresh.insert(
        refresh.clone(),
        Refresh {
            user,
            expires_at: now
                .checked_add(Duration::from_secs(refresh_expire))
                .unwrap_or(now + Duration::from_secs(DEFAULT_REFRESH_TOKEN_EXPIRE_SECS)),
            state: RefreshState::Live,
        },
    );
    Reply::json(
        200,
        json!({
            "code": 0,
            "access_token": access,
            "expires_in": expire,
            "refresh_token": refresh,
            "refresh_token_expires_in": refresh_expire,
            "scope": "helpdesk:all offline_access",
            "token_type": "Bearer",
        }),
    )
}

/// An `authorization_code` grant: the code's user, once, before it expires.
fn redeem_code(
    st: &mut Inner,
    field: &dyn Fn(&str) -> Option<String>,
    now: Instant,
) -> Result<String, Reply> {
    use crate::oauth_codes::*;
    let Some(code) = field("code") else {
        return Err(oauth_error(
            INVALID_REQUEST,
            "invalid_request",
            "code is required",
        ));
    };
    let redirect = field("redirect_uri");
    let Some(c) = st.codes.get_mut(&code) else {
        return Err(oauth_error(
            INVALID_CODE,
            "invalid_grant",
            "the code is invalid",
        ));
    };
    if c.used || now >= c.expires_at {
        return Err(oauth_error(
            INVALID_CODE,
            "invalid_grant",
            "the code was used or has expired",
        ));
    }
    if c.redirect_uri.is_some() && c.redirect_uri != redirect {
        return Err(oauth_error(
            INVALID_CODE,
            "invalid_grant",
            "redirect_uri does not match",
        ));
    }
    c.used = true;
    Ok(c.user.clone())
}

/// A `refresh_token` grant: the token's user, once (tokens rotate), unless
/// it was revoked or has expired.
fn redeem_refresh(
    st: &mut Inner,
    field: &dyn Fn(&str) -> Option<String>,
    now: Instant,
) -> Result<String, Reply> {
    use crate::oauth_codes::*;
    let Some(token) = field("refresh_token") else {
        return Err(oauth_error(
            INVALID_REQUEST,
            "invalid_request",
            "refresh_token is required",
        ));
    };
    let Some(r) = st.refresh.get_mut(&token) else {
        return Err(oauth_error(
            REFRESH_TOKEN_INVALID,
            "invalid_grant",
            "the refresh token is invalid",
        ));
    };
    match r.state {
        RefreshState::Revoked => {
            return Err(oauth_error(
                REFRESH_TOKEN_REVOKED,
                "invalid_grant",
                "the refresh token has been revoked",
            ));
        }
        RefreshState::Used => {
            return Err(oauth_error(
                REFRESH_TOKEN_INVALID,
                "invalid_grant",
                "the refresh token has already been used",
            ));
        }
        RefreshState::Live if now >= r.expires_at => {
            return Err(oauth_error(
                REFRESH_TOKEN_EXPIRED,
                "invalid_grant",
                "the refresh token has expired",
            ));
        }
        RefreshState::Live => {}
    }
    r.state = RefreshState::Used;
    Ok(r.user.clone())
}

/// What the OAuth endpoint needs of the server it runs in (its shared
/// state implements this; a trait so that this room does not import the
/// server, which routes to it).
pub(crate) trait OAuthHost {
    /// The OAuth state.
    fn oauth(&self) -> &OAuthState;
    /// The app id and secret the server accepts.
    fn app_credentials(&self) -> (&str, &str);
    /// A new user access token the Helpdesk endpoints accept until `expires_at`.
    fn issue_user_token(&self, expires_at: Option<Instant>) -> String;
    /// A new random token with this prefix.
    fn fresh_token(&self, prefix: &str) -> String;
}

impl OAuthState {
    /// Records an authorization code for `user`.
    pub(crate) fn issue_code(&self, code: String, user: &str, redirect_uri: Option<String>) {
        self.lock().codes.insert(
            code,
            Code {
                user: user.to_string(),
                redirect_uri,
                expires_at: Instant::now() + AUTH_CODE_LIFETIME,
                used: false,
            },
        );
    }

    /// Revokes one refresh token.
    pub(crate) fn revoke_refresh_token(&self, refresh_token: &str) {
        if let Some(r) = self.lock().refresh.get_mut(refresh_token) {
            r.state = RefreshState::Revoked;
        }
    }

    /// Revokes every unused refresh token of `user`; returns how many.
    pub(crate) fn revoke_user(&self, user: &str) -> usize {
        let mut st = self.lock();
        let mut n = 0;
        for r in st.refresh.values_mut() {
            if r.user == user && r.state == RefreshState::Live {
                r.state = RefreshState::Revoked;
                n += 1;
            }
        }
        n
    }

    /// The unused refresh tokens of `user`.
    pub(crate) fn live_refresh_tokens(&self, user: &str) -> Vec<String> {
        let st = self.lock();
        st.refresh
            .iter()
            .filter(|(_, r)| r.user == user && r.state == RefreshState::Live)
            .map(|(t, _)| t.clone())
            .collect()
    }

    /// Refresh requests received.
    pub(crate) fn refreshes(&self) -> usize {
        self.lock().refreshes
    }

    /// Code exchanges received.
    pub(crate) fn exchanges(&self) -> usize {
        self.lock().exchanges
    }

    /// The user an issued access token belongs to.
    pub(crate) fn user_of(&self, access_token: &str) -> Option<String> {
        self.lock().access_user.get(access_token).cloned()
    }

    /// The `expires_in` of user access tokens issued from now on.
    pub(crate) fn set_user_token_expire_secs(&self, secs: u64) {
        self.lock().config.user_token_expire_secs = secs;
    }
}
