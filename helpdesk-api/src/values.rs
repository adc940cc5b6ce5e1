//! Value types the spec's scalar kinds map to.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, sent by the API as a decimal string
/// (`"1626332244719"`). Decoding also accepts a JSON integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimestampMs(pub i64);

impl TimestampMs {
    /// Milliseconds since the Unix epoch.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// The instant as a [`SystemTime`] (times before 1970 included).
    pub fn to_system_time(self) -> SystemTime {
        let d = Duration::from_millis(self.0.unsigned_abs());
        if self.0 >= 0 {
            UNIX_EPOCH + d
        } else {
            UNIX_EPOCH - d
        }
    }

    /// The timestamp of a [`SystemTime`], truncated to milliseconds
    /// (saturating at the bounds of `i64`).
    pub fn from_system_time(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => TimestampMs(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
            Err(e) => TimestampMs(-i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX)),
        }
    }
}

impl From<TimestampMs> for SystemTime {
    fn from(t: TimestampMs) -> SystemTime {
        t.to_system_time()
    }
}

impl fmt::Display for TimestampMs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for TimestampMs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TimestampMs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_i64_string::deserialize(d).map(TimestampMs)
    }
}

/// Milliseconds since the Unix epoch, sent by the API as a JSON number
/// (`1616920429000`, e.g. a ticket's `created_at`; some fields use `-1` for
/// "no value"). Decoding also accepts a decimal string. The same instant as
/// [`TimestampMs`], for the fields whose wire form is a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimestampMsNumber(pub i64);

impl TimestampMsNumber {
    /// Milliseconds since the Unix epoch.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// The instant as a [`SystemTime`] (times before 1970 included).
    pub fn to_system_time(self) -> SystemTime {
        TimestampMs(self.0).to_system_time()
    }

    /// The timestamp of a [`SystemTime`], truncated to milliseconds
    /// (saturating at the bounds of `i64`).
    pub fn from_system_time(t: SystemTime) -> Self {
        TimestampMsNumber(TimestampMs::from_system_time(t).0)
    }
}

impl From<TimestampMsNumber> for SystemTime {
    fn from(t: TimestampMsNumber) -> SystemTime {
        t.to_system_time()
    }
}

impl From<TimestampMsNumber> for TimestampMs {
    fn from(t: TimestampMsNumber) -> TimestampMs {
        TimestampMs(t.0)
    }
}

impl From<TimestampMs> for TimestampMsNumber {
    fn from(t: TimestampMs) -> TimestampMsNumber {
        TimestampMsNumber(t.0)
    }
}

impl fmt::Display for TimestampMsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for TimestampMsNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for TimestampMsNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(I64Visitor).map(TimestampMsNumber)
    }
}

/// Seconds since the Unix epoch, sent by the API as a JSON number
/// (`1596379008`, e.g. a FAQ's `create_time`). Decoding also accepts a
/// decimal string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimestampSecs(pub i64);

impl TimestampSecs {
    /// Seconds since the Unix epoch.
    pub fn secs(self) -> i64 {
        self.0
    }

    /// The instant as a [`SystemTime`] (times before 1970 included).
    pub fn to_system_time(self) -> SystemTime {
        let d = Duration::from_secs(self.0.unsigned_abs());
        if self.0 >= 0 {
            UNIX_EPOCH + d
        } else {
            UNIX_EPOCH - d
        }
    }

    /// The timestamp of a [`SystemTime`], truncated to seconds
    /// (saturating at the bounds of `i64`).
    pub fn from_system_time(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => TimestampSecs(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
            Err(e) => TimestampSecs(-i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX)),
        }
    }
}

impl From<TimestampSecs> for SystemTime {
    fn from(t: TimestampSecs) -> SystemTime {
        t.to_system_time()
    }
}

impl fmt::Display for TimestampSecs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for TimestampSecs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for TimestampSecs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(I64Visitor).map(TimestampSecs)
    }
}

/// A JSON document carried inside a JSON string (e.g. `push_content`, a
/// message card, or `ext`). Keeps the raw text; parse it on demand.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonString(String);

impl JsonString {
    /// Wraps raw JSON text (not checked).
    pub fn new(raw: impl Into<String>) -> Self {
        JsonString(raw.into())
    }

    /// Serializes a value into a JSON string.
    pub fn from_value<T: Serialize>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_string(value).map(JsonString)
    }

    /// The raw text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the text as JSON.
    pub fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_str(&self.0)
    }

    /// Parses the text into `T`.
    pub fn parse<'a, T: Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.0)
    }

    /// The raw text.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// An enum value the spec does not list, kept as received. Opaque on
/// purpose: code cannot build one, so a later spec that gives the value a
/// variant of its own does not silently change what matches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnknownValue(Repr);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Repr {
    Int(i64),
    Str(Box<str>),
}

impl UnknownValue {
    pub(crate) fn int(v: i64) -> Self {
        UnknownValue(Repr::Int(v))
    }
    pub(crate) fn string(v: &str) -> Self {
        UnknownValue(Repr::Str(v.into()))
    }
    /// The value, for an integer enum.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Int(v) => Some(*v),
            Repr::Str(_) => None,
        }
    }
    /// The value, for a string enum.
    pub fn as_str(&self) -> Option<&str> {
        match &self.0 {
            Repr::Str(s) => Some(s),
            Repr::Int(_) => None,
        }
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Int(v) => write!(f, "{v}"),
            Repr::Str(s) => f.write_str(s),
        }
    }
}

pub(crate) struct I64Visitor;

impl Visitor<'_> for I64Visitor {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a decimal string holding one")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::custom(format!("{v} is out of range for i64")))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        v.trim()
            .parse()
            .map_err(|_| E::custom(format!("`{v}` is not a decimal integer")))
    }
}

/// `i64` carried as a decimal string (decoding also accepts a JSON integer).
pub mod serde_i64_string {
    use serde::{Deserializer, Serializer};

    /// Serializes as a decimal string.
    pub fn serialize<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    /// Deserializes from a decimal string or an integer.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        d.deserialize_any(super::I64Visitor)
    }

    /// The same for `Option<i64>`.
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};

        /// Serializes `Some` as a decimal string.
        pub fn serialize<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => s.collect_str(v),
                None => s.serialize_none(),
            }
        }

        /// Deserializes `null`, a decimal string or an integer.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
            #[derive(Deserialize)]
            struct W(#[serde(with = "super")] i64);
            Option::<W>::deserialize(d).map(|o| o.map(|w| w.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_ms_number_is_a_json_number() {
        let t: TimestampMsNumber = serde_json::from_str("1616920429000").unwrap();
        assert_eq!(t.millis(), 1_616_920_429_000);
        assert_eq!(serde_json::to_string(&t).unwrap(), "1616920429000");
        let s: TimestampMsNumber = serde_json::from_str("\"1616920429000\"").unwrap();
        assert_eq!(s, t);
        assert_eq!(TimestampMs::from(t), TimestampMs(1_616_920_429_000));
        assert_eq!(TimestampMsNumber::from_system_time(t.to_system_time()), t);
        // -1 is the pages' "no value"
        let none: TimestampMsNumber = serde_json::from_str("-1").unwrap();
        assert_eq!(none, TimestampMsNumber(-1));
        assert_eq!(serde_json::to_string(&none).unwrap(), "-1");
    }

    #[test]
    fn timestamp_secs_is_a_json_number_of_seconds() {
        let t: TimestampSecs = serde_json::from_str("1596379008").unwrap();
        assert_eq!(t.secs(), 1_596_379_008);
        assert_eq!(
            t.to_system_time(),
            UNIX_EPOCH + Duration::from_secs(1_596_379_008)
        );
        assert_eq!(serde_json::to_string(&t).unwrap(), "1596379008");
        // a decimal string is accepted on input too
        let s: TimestampSecs = serde_json::from_str("\"1596379008\"").unwrap();
        assert_eq!(s, t);
        assert_eq!(TimestampSecs::from_system_time(t.to_system_time()), t);
        let before = TimestampSecs(-5);
        assert_eq!(before.to_system_time(), UNIX_EPOCH - Duration::from_secs(5));
        assert_eq!(TimestampSecs::from_system_time(before.into()), before);
        assert!(serde_json::from_str::<TimestampSecs>("1.5").is_err());
    }
}
