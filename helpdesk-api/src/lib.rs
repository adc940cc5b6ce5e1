//! A typed client for the Feishu / Lark **Helpdesk (服务台) Open API**,
//! generated at build time from the machine-readable spec in `spec/`.
//!
//! - every endpoint is `client.<resource>().<operation>(required…)`, with
//!   optional parameters as builder methods and `send_with(token)` taking
//!   exactly the access-token kind the spec allows (another kind does not
//!   compile);
//! - the `X-Lark-Helpdesk-Authorization` header is attached automatically
//!   where the spec requires it;
//! - each endpoint has its own error enum, one variant per documented code;
//! - unknown JSON fields are ignored and unknown enum values are kept.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use helpdesk_api::{Client, notification, UserAccessToken, Error};
//!
//! let client = Client::builder()
//!     .helpdesk_credentials("helpdesk-id", "helpdesk-token")
//!     .build()?;
//! match client.notification().get("6981801914270744596").send_with(UserAccessToken::new("u-...")).await {
//!     Ok(reply) => println!("{:?}", reply.notification),
//!     Err(Error::Api(notification::GetError::NotFound(e))) => println!("no such notification (log id {:?})", e.log_id),
//!     Err(e) => return Err(e.into()),
//! }
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

mod auth;
mod client;
mod error;
pub mod events;
mod limiter;
mod meta;
mod paging;
mod redact;
#[cfg(feature = "redis")]
pub mod redis_store;
mod retry;
#[doc(hidden)]
pub mod runtime;
mod tls;
mod tokens;
mod user_token;
mod values;

pub use auth::{
    AppAccessToken, HelpdeskCredentials, TenantAccessToken, Token, TokenKind, UserAccessToken,
};
pub use client::{
    Client, ClientBuilder, DEFAULT_MAX_RESPONSE_BYTES, Download, FEISHU_BASE_URL, HELPDESK_HEADER,
    LARK_BASE_URL, LOG_ID_HEADER,
};
pub use error::{
    ApiError, BuildError, Error, ErrorKind, InvalidRequest, ReplyError, ReplyErrorKind, TokenError,
    TokenErrorKind, TransportError, UnhandledError,
};
pub use limiter::{InProcessRateLimiter, RateLimiter};
pub use meta::{Endpoint, Method, RateLimit};
pub use paging::{Items, Pages};
pub use retry::{RequestOptions, RetryPolicy};
pub use runtime::BoxFuture;
pub use tokens::{
    DEFAULT_REFRESH_MARGIN, MAX_TOKEN_LIFETIME, MIN_TOKEN_LIFETIME, TENANT_TOKEN_PATH,
    TokenProvider,
};
#[cfg(feature = "redis")]
pub use user_token::RedisUserTokenStore;
pub use user_token::{
    AuthorizationCode, FEISHU_AUTHORIZE_URL, FileUserTokenStore, LARK_AUTHORIZE_URL,
    ManagedUserToken, MemoryUserTokenStore, REAUTH_CODES, USER_TOKEN_PATH, UserTokenRecord,
    UserTokenStore, UserTokens, UserTokensBuilder,
};
pub use values::{JsonString, TimestampMs, TimestampMsNumber, TimestampSecs, UnknownValue};

/// The reqwest this crate is built with: its `Proxy` and `Client` are what
/// [`ClientBuilder::proxy`] and [`ClientBuilder::http_client`] take, so an
/// application can name them without depending on a matching version.
pub use reqwest;

/// The code generated from `spec/` (types, request builders, error enums).
/// Everything in it is re-exported at the crate root.
#[allow(clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/helpdesk.rs"));
}

pub use generated::*;

/// The generator's fixture specs, each compiled as its own module (tests
/// only: feature `fixture-specs`). Not part of the API.
#[cfg(feature = "fixture-specs")]
#[doc(hidden)]
#[allow(missing_docs, clippy::all)]
pub mod __fixtures {
    macro_rules! fixture {
        ($($name:ident),*) => {$(
            pub mod $name {
                include!(concat!(env!("OUT_DIR"), "/fixture_", stringify!($name), ".rs"));
            }
        )*};
    }
    fixture!(
        binary_reply,
        enums_events,
        get_with_body,
        multi_token,
        nested_types,
        paging
    );
}

/// The README's examples, compiled as doc tests (with features `redis` and
/// `axum`, as `cargo test --workspace` builds the crate).
#[cfg(all(doctest, feature = "redis", feature = "axum"))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
