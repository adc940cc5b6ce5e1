//! A local, spec-driven Feishu / Lark **Helpdesk (服务台)** server for tests.
//!
//! Every endpoint of the spec (`spec/endpoints/*.json`) is served with no
//! per-endpoint code: the route comes from `method` + `path`, authentication
//! from `auth`, validation from `path_params` / `query_params` (and a
//! `request_body` with `fields`, when an endpoint declares one), the default
//! reply from `example_response`, the error rows from `errors` and the
//! service's `platform_errors`, the rate limit from `rate_limit`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use helpdesk_mock::{Fault, MockServer, MockSpec, Reply};
//!
//! let mock = MockServer::builder()
//!     .spec(MockSpec::embedded())
//!     .helpdesk_credentials("hd-id", "hd-token")
//!     .start()
//!     .await?;
//! mock.on("notification.get").path_param("notification_id", "missing").reply_error(154004);
//! mock.on("notification.get").times(2).fault(Fault::Status(503));
//! // ... point a client at mock.base_url() ...
//! for r in mock.requests() {
//!     println!("{} {} -> {:?}", r.method, r.path, r.endpoint);
//! }
//! mock.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # What a request goes through
//!
//! 1. **Routing**: method + path template (`:param` segments match one
//!    non-empty segment, percent-decoded; literal segments win over
//!    parameters). No match, or a wrong method: HTTP 404, `text/plain`,
//!    `404 page not found`, as the platform's gateway answers.
//! 2. **Recording** ([`MockServer::requests`]).
//! 3. **Hooks** ([`MockServer::on`]): a canned [`Reply`], a documented error
//!    by code, or a [`Fault`].
//! 4. **Authentication**, with these platform codes (all HTTP 400):
//!    - no `Authorization: Bearer <token>`: 99991661 `token_missing`;
//!    - a token not starting with `u-`, `t-` or `a-`: 99991671 `token_malformed`;
//!    - a token marked with [`MockServer::expire_token`], or an issued token
//!      past its `expire`: 99991677 `token_expired`;
//!    - a token marked invalid ([`MockServer::invalidate_token`],
//!      [`MockServer::invalidate_all_tokens`]) **or** of a kind the endpoint
//!      does not accept: the invalid-token code of the kind sent, 99991668
//!      (user), 99991663 (tenant) or 99991664 (app), since the platform
//!      answers "this token is not valid here" the same way in both cases;
//!    - where `auth.helpdesk_header` is true, a missing or wrong
//!      `X-Lark-Helpdesk-Authorization` (it must be `base64(id:token)` of the
//!      configured helpdesk credentials): the endpoint's 154001 row (HTTP 401).
//! 5. **Rate limit**, when enforced ([`MockServer::enforce_rate_limits`]):
//!    HTTP 429, 99991400, `x-ogw-ratelimit-limit` and `x-ogw-ratelimit-reset`.
//! 6. **Validation**: a missing required parameter, an unknown enum value or a
//!    value of the wrong scalar type gives the endpoint's 154000 row (HTTP 400)
//!    with a `msg` naming the field, e.g.
//!    `invalid query parameter user_id_type: unknown value "foo"`.
//! 7. **Reply**: the endpoint's `example_response` with HTTP 200,
//!    `content-type: application/json; charset=utf-8` and a unique
//!    `X-Tt-Logid` (every reply carries one). An endpoint whose `response`
//!    is `binary` answers a few placeholder bytes with its `content_type`
//!    (default `application/octet-stream`). A list endpoint (`pagination`)
//!    answers as a list of two pages: the example is page 1; asked for the
//!    next token the example gives (page-token style) or for page 2 (page
//!    style), the example's items again as the last page (`has_more` false,
//!    or `total` = the items of both pages); page 3 and later are empty.
//!
//! Error replies made by the mock are `{"code", "msg", "error": {"log_id"}}`.
//!
//! # Time
//!
//! Rate-limit windows, token expiry, delays and the receive times of recorded
//! requests use tokio's clock. A test on a paused runtime
//! (`#[tokio::test(start_paused = true)]`, tokio feature `test-util`) can run
//! the mock and a client through minutes of rate limiting or hours of token
//! life in milliseconds; turn the client's timeouts off there, or they fire
//! as soon as the runtime is idle.
//!
//! # Token endpoints
//!
//! `POST /open-apis/auth/v3/tenant_access_token/internal` (and
//! `.../app_access_token/internal`) take `{"app_id", "app_secret"}` and answer
//! `{"code":0,"msg":"ok","tenant_access_token":"t-…","expire":7200}` (the app
//! one adds `app_access_token`). Each call issues a new token, which the
//! authentication step accepts. A wrong secret gets HTTP 400 with code 10014
//! `app secret invalid`; a missing field, a body that is not JSON or an
//! unknown app id gets HTTP 400 with code 10003 `invalid param…`. Hooks work on
//! them too, under [`TENANT_TOKEN_ENDPOINT`] and [`APP_TOKEN_ENDPOINT`].
//!
//! `POST /open-apis/authen/v2/oauth/token` ([`OAUTH_TOKEN_PATH`], hook id
//! [`OAUTH_TOKEN_ENDPOINT`]) exchanges the codes of
//! [`MockServer::issue_auth_code`] for user tokens and refreshes them
//! (single-use refresh tokens; [`MockServer::revoke_refresh_token`],
//! [`MockServer::revoke_user`], [`MockServer::user_token_refreshes`]);
//! the user access tokens it issues are accepted by the Helpdesk endpoints
//! until they expire ([`MockServerBuilder::user_token_expire_secs`]).

#![deny(missing_docs)]

mod hooks;
mod oauth;
mod record;
mod reply;
mod server;
mod spec;
mod validate;

pub use hooks::{HookBuilder, HookHandle};
pub use oauth::{
    AUTH_CODE_LIFETIME, DEFAULT_REFRESH_TOKEN_EXPIRE_SECS, DEFAULT_USER_TOKEN_EXPIRE_SECS,
    OAUTH_TOKEN_ENDPOINT, OAUTH_TOKEN_PATH, oauth_codes,
};
pub use record::RecordedRequest;
pub use reply::{Fault, Reply};
pub use server::{
    APP_TOKEN_ENDPOINT, APP_TOKEN_PATH, DEFAULT_APP_CREDENTIALS, DEFAULT_HELPDESK_CREDENTIALS,
    DEFAULT_TOKEN_EXPIRE_SECS, HEADER_READ_TIMEOUT, MAX_RECORDED_REQUESTS, MAX_REQUEST_BODY,
    MockError, MockServer, MockServerBuilder, TENANT_TOKEN_ENDPOINT, TENANT_TOKEN_PATH,
    helpdesk_header_value,
};
pub use spec::{MockSpec, MockSpecError};

/// Platform and Helpdesk codes the mock answers with by itself.
pub mod codes {
    /// No `Authorization: Bearer` token (HTTP 400).
    pub const TOKEN_MISSING: i64 = 99991661;
    /// Tenant token invalid, expired or not accepted by the endpoint (HTTP 400).
    pub const TENANT_TOKEN_INVALID: i64 = 99991663;
    /// App token invalid or not accepted by the endpoint (HTTP 400).
    pub const APP_TOKEN_INVALID: i64 = 99991664;
    /// User token invalid or not accepted by the endpoint (HTTP 400).
    pub const USER_TOKEN_INVALID: i64 = 99991668;
    /// Token of no known kind (prefix not `u-`/`t-`/`a-`) (HTTP 400).
    pub const TOKEN_MALFORMED: i64 = 99991671;
    /// Token expired (HTTP 400).
    pub const TOKEN_EXPIRED: i64 = 99991677;
    /// Rate limited (HTTP 429).
    pub const RATE_LIMITED: i64 = 99991400;
    /// Helpdesk: bad request, e.g. a parameter failing validation (HTTP 400).
    pub const BAD_REQUEST: i64 = 154000;
    /// Helpdesk: wrong or missing `X-Lark-Helpdesk-Authorization` (HTTP 401).
    pub const UNAUTHORIZED: i64 = 154001;
    /// Token endpoint: missing or malformed parameter, unknown app id (HTTP 400).
    pub const INVALID_PARAM: i64 = 10003;
    /// Token endpoint: wrong app secret (HTTP 400).
    pub const APP_SECRET_INVALID: i64 = 10014;
}
