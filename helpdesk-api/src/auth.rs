//! Access tokens and helpdesk credentials. None of these types prints its
//! secret: `Debug` shows `<redacted>`.

use std::fmt;

pub(crate) mod sealed {
    pub trait Sealed {}
}

/// Kinds of access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum TokenKind {
    /// `user_access_token` (`u-…`).
    UserAccessToken,
    /// `tenant_access_token` (`t-…`).
    TenantAccessToken,
    /// `app_access_token` (`a-…`).
    AppAccessToken,
}

/// An access token of a known kind. Sealed: implemented by
/// [`UserAccessToken`], [`TenantAccessToken`] and
/// [`AppAccessToken`].
pub trait Token: sealed::Sealed {
    /// Its kind.
    const KIND: TokenKind;
    /// The token string, for the `Authorization` header.
    fn secret(&self) -> &str;
}

macro_rules! token_type {
    ($(#[$doc:meta])* $name:ident, $kind:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(Box<str>);

        impl $name {
            /// Wraps a token string. It is checked when sent: one holding
            /// CR, LF or other control characters is refused before any byte
            /// goes out.
            pub fn new(token: impl Into<String>) -> Self {
                $name(token.into().into_boxed_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl sealed::Sealed for $name {}

        impl Token for $name {
            const KIND: TokenKind = TokenKind::$kind;
            fn secret(&self) -> &str {
                &self.0
            }
        }
    };
}

token_type!(
    /// A `user_access_token` (Feishu issues them with the prefix `u-`):
    /// acts on behalf of a user.
    UserAccessToken,
    UserAccessToken,
    "u-"
);
token_type!(
    /// A `tenant_access_token` (prefix `t-`): acts as the app within a tenant.
    TenantAccessToken,
    TenantAccessToken,
    "t-"
);
token_type!(
    /// An `app_access_token` (prefix `a-`).
    AppAccessToken,
    AppAccessToken,
    "a-"
);

/// The helpdesk id and token sent as
/// `X-Lark-Helpdesk-Authorization: base64(helpdesk_id:helpdesk_token)`.
#[derive(Clone, PartialEq, Eq)]
pub struct HelpdeskCredentials {
    id: String,
    token: Box<str>,
}

impl HelpdeskCredentials {
    /// Credentials from the helpdesk's id and token (服务台 ID / 服务台 token).
    pub fn new(helpdesk_id: impl Into<String>, helpdesk_token: impl Into<String>) -> Self {
        HelpdeskCredentials {
            id: helpdesk_id.into(),
            token: helpdesk_token.into().into_boxed_str(),
        }
    }

    /// The helpdesk id (not secret).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The helpdesk token (secret: only for redaction of error text).
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// The header value: base64 of `id:token`, no scheme prefix.
    pub fn header_value(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", self.id, self.token))
    }
}

impl fmt::Debug for HelpdeskCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HelpdeskCredentials")
            .field("id", &self.id)
            .field("token", &"<redacted>")
            .finish()
    }
}
