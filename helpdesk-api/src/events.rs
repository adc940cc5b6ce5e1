//! Event callbacks (schema 2.0, and the v1 envelope): URL verification, the
//! verification-token check, signature check, and decryption of
//! `{"encrypt": …}` bodies (AES-256-CBC, key = SHA-256 of the app's encrypt
//! key, IV = the first 16 bytes, PKCS#7 padding), as Feishu documents.
//!
//! [`EventDecoder`] is framework-free: give it a body, get a [`Callback`].
//! With feature `axum`, `events::axum::EventReceiver` is the whole HTTP endpoint
//! (checks, replay window, de-duplication through [`dedupe`], hand-off to
//! the application's handler).
//!
//! ```
//! use helpdesk_api::events::{Callback, EventDecoder};
//! use helpdesk_api::Event;
//!
//! let decoder = EventDecoder::new().verification_token("v-token");
//! let body = br#"{"schema":"2.0","header":{"event_id":"e1","event_type":"helpdesk.notification.approve_v1",
//!   "token":"v-token","create_time":"1608725989000","app_id":"cli_x","tenant_key":"t"},
//!   "event":{"notification_id":"6985032626234982420","helpdesk_id":"6965758993839079444","approve_status":"APPROVED"}}"#;
//! match decoder.decode(body).unwrap() {
//!     Callback::Event(cb) => match cb.event {
//!         Event::NotificationApproveV1(e) => assert_eq!(e.notification_id.as_deref(), Some("6985032626234982420")),
//!         other => panic!("{other:?}"),
//!     },
//!     other => panic!("not an event: {other:?}"),
//! }
//! ```

use crate::Event;
use crate::values::TimestampMs;
use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine;
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::fmt;

#[cfg(feature = "axum")]
pub mod axum;
pub mod dedupe;

/// Decodes event callbacks. Configure it with what the app's event
/// subscription page shows: the verification token and, if set, the
/// encrypt key.
#[derive(Clone, Default)]
pub struct EventDecoder {
    verification_token: Option<Box<str>>,
    encrypt_key: Option<Box<str>>,
}

impl fmt::Debug for EventDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventDecoder")
            .field(
                "verification_token",
                &self.verification_token.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "encrypt_key",
                &self.encrypt_key.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A decoded callback.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Callback {
    /// The platform checks the URL: answer `{"challenge": challenge}`.
    UrlVerification {
        /// The value to echo.
        challenge: String,
    },
    /// An event.
    Event(Box<EventCallback>),
}

/// An event with its header.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EventCallback {
    /// The envelope header.
    pub header: EventHeader,
    /// The typed event.
    pub event: Event,
}

/// The schema 2.0 envelope header.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct EventHeader {
    /// Unique id of the event, the same on every re-delivery: de-duplicate
    /// on it (a v1 callback's `uuid`).
    #[serde(default)]
    pub event_id: String,
    /// Event type, e.g. `helpdesk.ticket.created_v1`.
    pub event_type: String,
    /// When the event was created.
    #[serde(default)]
    pub create_time: Option<TimestampMs>,
    /// The app's verification token (checked by the decoder; not shown in `Debug`).
    #[serde(default)]
    pub token: String,
    /// The app id.
    #[serde(default)]
    pub app_id: String,
    /// The tenant.
    #[serde(default)]
    pub tenant_key: String,
}

impl fmt::Debug for EventHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventHeader")
            .field("event_id", &self.event_id)
            .field("event_type", &self.event_type)
            .field("create_time", &self.create_time)
            .field("token", &"<redacted>")
            .field("app_id", &self.app_id)
            .field("tenant_key", &self.tenant_key)
            .finish()
    }
}

/// Why a callback was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventError {
    /// The body (or the decrypted body) is not the expected JSON.
    Malformed(String),
    /// The body is encrypted but no encrypt key is configured.
    NoEncryptKey,
    /// Decryption failed (wrong key, bad base64, bad padding).
    Decrypt(String),
    /// The token in the callback is not the configured verification token.
    TokenMismatch,
    /// The `X-Lark-Signature` does not match.
    BadSignature,
    /// Not a schema 2.0 callback.
    UnsupportedSchema(String),
    /// The `event` object does not match the event type's spec.
    BadEvent {
        /// The event type.
        event_type: String,
        /// The decoder's message.
        detail: String,
    },
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventError::Malformed(m) => write!(f, "malformed event callback: {m}"),
            EventError::NoEncryptKey => write!(
                f,
                "the callback is encrypted but no encrypt key is configured"
            ),
            EventError::Decrypt(m) => write!(f, "cannot decrypt the callback: {m}"),
            EventError::TokenMismatch => {
                write!(f, "the callback's token is not the verification token")
            }
            EventError::BadSignature => write!(f, "the callback's signature does not match"),
            EventError::UnsupportedSchema(s) => {
                write!(f, "unsupported callback schema {s:?} (expected 2.0)")
            }
            EventError::BadEvent { event_type, detail } => {
                write!(f, "event {event_type} does not match its spec: {detail}")
            }
        }
    }
}

impl std::error::Error for EventError {}

#[derive(Deserialize)]
struct Encrypted {
    encrypt: String,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(default)]
    schema: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    challenge: Option<String>,
    #[serde(default)]
    token: Option<String>,
    /// v1 callbacks: the delivery id.
    #[serde(default)]
    uuid: Option<String>,
    #[serde(default)]
    header: Option<EventHeader>,
    #[serde(default, borrow)]
    event: Option<&'a RawValue>,
}

impl EventDecoder {
    /// A decoder that checks nothing and cannot decrypt (configure it).
    pub fn new() -> Self {
        EventDecoder::default()
    }

    /// The verification token: callbacks carrying another token are refused.
    pub fn verification_token(mut self, token: impl Into<String>) -> Self {
        self.verification_token = Some(token.into().into_boxed_str());
        self
    }

    /// The encrypt key, to decrypt `{"encrypt": …}` bodies and check signatures.
    pub fn encrypt_key(mut self, key: impl Into<String>) -> Self {
        self.encrypt_key = Some(key.into().into_boxed_str());
        self
    }

    /// Decodes one callback body (decrypting it if needed) and checks its token.
    pub fn decode(&self, body: &[u8]) -> Result<Callback, EventError> {
        let plain;
        let body = if let Ok(Encrypted { encrypt }) = serde_json::from_slice::<Encrypted>(body) {
            let key = self
                .encrypt_key
                .as_deref()
                .ok_or(EventError::NoEncryptKey)?;
            plain = decrypt(key, &encrypt)?;
            &plain[..]
        } else {
            body
        };
        let env: Envelope<'_> =
            serde_json::from_slice(body).map_err(|e| EventError::Malformed(e.to_string()))?;
        if env.kind.as_deref() == Some("url_verification") {
            self.check_token(env.token.as_deref())?;
            let challenge = env.challenge.ok_or_else(|| {
                EventError::Malformed("url_verification without challenge".into())
            })?;
            return Ok(Callback::UrlVerification { challenge });
        }
        if env.schema.is_none() && env.kind.as_deref() == Some("event_callback") {
            return self.decode_v1(env);
        }
        match env.schema.as_deref() {
            Some("2.0") => {}
            other => {
                return Err(EventError::UnsupportedSchema(
                    other.unwrap_or("none").to_string(),
                ));
            }
        }
        let header = env
            .header
            .ok_or_else(|| EventError::Malformed("no header".into()))?;
        self.check_token(Some(&header.token))?;
        let raw = env.event.map_or("{}", RawValue::get);
        if !raw.starts_with('{') {
            return Err(EventError::BadEvent {
                event_type: header.event_type.clone(),
                detail: "`event` is not a JSON object".into(),
            });
        }
        let event =
            Event::from_parts(&header.event_type, raw).map_err(|e| EventError::BadEvent {
                event_type: header.event_type.clone(),
                detail: e.to_string(),
            })?;
        Ok(Callback::Event(Box::new(EventCallback { header, event })))
    }

    /// A v1 callback (`{"uuid", "token", "ts", "type": "event_callback",
    /// "event": {"type", …}}`): its header is made from the envelope
    /// (`event_id` = `uuid`, `event_type` = `event.type`, `app_id` and
    /// `tenant_key` from the event). No helpdesk event is a v1 event, so
    /// these come out as [`Event::Unknown`] unless a type matches.
    fn decode_v1(&self, env: Envelope<'_>) -> Result<Callback, EventError> {
        self.check_token(env.token.as_deref())?;
        #[derive(Deserialize)]
        struct V1Event {
            #[serde(rename = "type")]
            kind: String,
            #[serde(default)]
            app_id: String,
            #[serde(default)]
            tenant_key: String,
        }
        let raw = env
            .event
            .map(RawValue::get)
            .ok_or_else(|| EventError::Malformed("v1 callback without event".into()))?;
        if !raw.starts_with('{') {
            return Err(EventError::Malformed(
                "v1 `event` is not a JSON object".into(),
            ));
        }
        let v1: V1Event = serde_json::from_str(raw)
            .map_err(|e| EventError::Malformed(format!("v1 event: {e}")))?;
        let event = Event::from_parts(&v1.kind, raw).map_err(|e| EventError::BadEvent {
            event_type: v1.kind.clone(),
            detail: e.to_string(),
        })?;
        let header = EventHeader {
            event_id: env.uuid.unwrap_or_default(),
            event_type: v1.kind,
            create_time: None,
            token: env.token.unwrap_or_default(),
            app_id: v1.app_id,
            tenant_key: v1.tenant_key,
        };
        Ok(Callback::Event(Box::new(EventCallback { header, event })))
    }

    /// Whether an encrypt key is configured (so signatures can be checked).
    pub fn has_encrypt_key(&self) -> bool {
        self.encrypt_key.is_some()
    }

    /// Checks `X-Lark-Signature`: hex SHA-256 of `timestamp + nonce + encrypt_key + body`
    /// (headers `X-Lark-Request-Timestamp`, `X-Lark-Request-Nonce`).
    pub fn verify_signature(
        &self,
        timestamp: &str,
        nonce: &str,
        body: &[u8],
        signature: &str,
    ) -> Result<(), EventError> {
        let key = self
            .encrypt_key
            .as_deref()
            .ok_or(EventError::NoEncryptKey)?;
        let mut h = Sha256::new();
        h.update(timestamp.as_bytes());
        h.update(nonce.as_bytes());
        h.update(key.as_bytes());
        h.update(body);
        let expected: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        if constant_time_eq(
            expected.as_bytes(),
            signature.trim().to_ascii_lowercase().as_bytes(),
        ) {
            Ok(())
        } else {
            Err(EventError::BadSignature)
        }
    }

    fn check_token(&self, got: Option<&str>) -> Result<(), EventError> {
        match (&self.verification_token, got) {
            (None, _) => Ok(()),
            (Some(want), Some(got)) if constant_time_eq(want.as_bytes(), got.as_bytes()) => Ok(()),
            _ => Err(EventError::TokenMismatch),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;
type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;

fn decrypt(key: &str, encrypt: &str) -> Result<Vec<u8>, EventError> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(encrypt.trim())
        .map_err(|e| EventError::Decrypt(format!("not base64: {e}")))?;
    if raw.len() < 32 || raw.len() % 16 != 0 {
        return Err(EventError::Decrypt(format!(
            "{} bytes is not an IV plus whole AES blocks",
            raw.len()
        )));
    }
    let (iv, ct) = raw.split_at(16);
    let key = Sha256::digest(key.as_bytes());
    let mut buf = ct.to_vec();
    let plain = Aes256CbcDec::new_from_slices(&key, iv)
        .map_err(|e| EventError::Decrypt(e.to_string()))?
        .decrypt_padded_mut::<Pkcs7>(&mut buf)
        .map_err(|_| EventError::Decrypt("bad padding (wrong encrypt key?)".into()))?;
    Ok(plain.to_vec())
}

/// Encrypts a callback body as Feishu does (`{"encrypt": …}`'s value), with
/// the given 16-byte IV. For tests and mock servers that send events.
pub fn encrypt(encrypt_key: &str, plaintext: &[u8], iv: [u8; 16]) -> String {
    let key = Sha256::digest(encrypt_key.as_bytes());
    let mut buf = vec![0u8; plaintext.len() + 16];
    buf[..plaintext.len()].copy_from_slice(plaintext);
    let n = Aes256CbcEnc::new_from_slices(&key, &iv)
        .expect("32-byte key and 16-byte IV")
        .encrypt_padded_mut::<Pkcs7>(&mut buf, plaintext.len())
        .expect("buffer has room for the padding")
        .len();
    let mut out = iv.to_vec();
    out.extend_from_slice(&buf[..n]);
    base64::engine::general_purpose::STANDARD.encode(out)
}
