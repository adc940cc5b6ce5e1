//! Type expressions used in spec files: `string`, `int`, `NotificationUser[]`, ...

use std::fmt;

/// Built-in scalar types of the spec format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// UTF-8 string.
    String,
    /// 32-bit integer (the doc's `int`).
    Int,
    /// 64-bit integer sent as a JSON number.
    Int64,
    /// 64-bit integer sent as a decimal string (the doc's `string` holding an int64).
    Int64String,
    /// Floating point number.
    Float,
    /// Boolean.
    Bool,
    /// Milliseconds since the Unix epoch, sent as a decimal string.
    TimestampMs,
    /// Milliseconds since the Unix epoch, sent as a JSON number.
    TimestampMsNumber,
    /// Seconds since the Unix epoch, sent as a JSON number.
    TimestampSecs,
    /// A JSON document carried inside a string.
    JsonString,
    /// Any JSON value.
    Json,
}

impl Scalar {
    /// All scalars with their spec spelling.
    pub const ALL: [(&'static str, Scalar); 11] = [
        ("string", Scalar::String),
        ("int", Scalar::Int),
        ("int64", Scalar::Int64),
        ("int64_string", Scalar::Int64String),
        ("float", Scalar::Float),
        ("bool", Scalar::Bool),
        ("timestamp_ms", Scalar::TimestampMs),
        ("timestamp_ms_number", Scalar::TimestampMsNumber),
        ("timestamp_s", Scalar::TimestampSecs),
        ("json_string", Scalar::JsonString),
        ("json", Scalar::Json),
    ];

    /// The spec spelling.
    pub fn name(self) -> &'static str {
        Scalar::ALL
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("?", |(n, _)| n)
    }
}

/// A parsed type expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeExpr {
    /// A built-in scalar.
    Scalar(Scalar),
    /// A named type declared under `spec/types/` (or an endpoint).
    Named(String),
    /// A JSON array of the inner type (`T[]`).
    List(Box<TypeExpr>),
}

impl TypeExpr {
    /// Parses `string`, `Name`, `T[]`, `T[][]`.
    pub fn parse(s: &str) -> Result<TypeExpr, String> {
        if let Some(inner) = s.strip_suffix("[]") {
            return Ok(TypeExpr::List(Box::new(TypeExpr::parse(inner)?)));
        }
        if let Some((_, sc)) = Scalar::ALL.iter().find(|(n, _)| *n == s) {
            return Ok(TypeExpr::Scalar(*sc));
        }
        let mut chars = s.chars();
        match chars.next() {
            Some(c) if c.is_ascii_uppercase() && chars.all(|c| c.is_ascii_alphanumeric()) => {
                Ok(TypeExpr::Named(s.to_string()))
            }
            _ => Err(format!(
                "`{s}` is not a type: expected one of {}, a PascalCase type name, or `T[]`",
                Scalar::ALL.map(|(n, _)| n).join(", ")
            )),
        }
    }

    /// The named type this expression refers to, if any (looking through lists).
    pub fn named(&self) -> Option<&str> {
        match self {
            TypeExpr::Named(n) => Some(n),
            TypeExpr::List(inner) => inner.named(),
            TypeExpr::Scalar(_) => None,
        }
    }
}

impl fmt::Display for TypeExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeExpr::Scalar(s) => f.write_str(s.name()),
            TypeExpr::Named(n) => f.write_str(n),
            TypeExpr::List(inner) => write!(f, "{inner}[]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        for s in [
            "string",
            "int64_string",
            "NotificationUser",
            "NotificationUser[]",
            "int[][]",
        ] {
            assert_eq!(TypeExpr::parse(s).unwrap().to_string(), s);
        }
        assert!(TypeExpr::parse("notification_user").is_err());
        assert!(TypeExpr::parse("").is_err());
        assert!(TypeExpr::parse("[]").is_err());
    }
}
