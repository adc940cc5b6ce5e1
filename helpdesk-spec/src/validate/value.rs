//! Whether a JSON value (an example, a default) matches a spec type.

use super::ctx::TypeIndex;
use crate::diag::push_pointer;
use crate::spec::{Field, TypeKind};
use crate::types::{Scalar, TypeExpr};
use serde_json::Value;

/// A mismatch: JSON pointer below the checked value, and what is wrong.
pub type Mismatch = (String, String);

/// Checks a JSON value against a type; returns `(pointer suffix, message)` pairs.
pub fn check_value(v: &Value, te: &TypeExpr, types: &TypeIndex<'_>, depth: usize) -> Vec<Mismatch> {
    if depth > 64 {
        return vec![(String::new(), "nested too deeply".into())];
    }
    let bad = |what: &str| {
        vec![(
            String::new(),
            format!("expected {what}, found {}", short(v)),
        )]
    };
    match te {
        TypeExpr::Scalar(s) => match s {
            Scalar::String => {
                if v.is_string() {
                    vec![]
                } else {
                    bad("a string")
                }
            }
            Scalar::Int => match v.as_i64() {
                Some(n) if i32::try_from(n).is_ok() => vec![],
                _ => bad("a 32-bit integer"),
            },
            Scalar::Int64 | Scalar::TimestampMsNumber | Scalar::TimestampSecs => {
                if v.as_i64().is_some() {
                    vec![]
                } else {
                    bad("an integer")
                }
            }
            Scalar::Int64String | Scalar::TimestampMs => match v.as_str() {
                Some(s) if s.parse::<i64>().is_ok() => vec![],
                _ => bad("an integer in a decimal string"),
            },
            Scalar::Float => {
                if v.is_number() {
                    vec![]
                } else {
                    bad("a number")
                }
            }
            Scalar::Bool => {
                if v.is_boolean() {
                    vec![]
                } else {
                    bad("true or false")
                }
            }
            Scalar::JsonString => match v.as_str() {
                Some(s) if serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok() => vec![],
                Some(_) => bad("a string holding JSON"),
                None => bad("a string holding JSON"),
            },
            Scalar::Json => vec![],
        },
        TypeExpr::List(inner) => match v.as_array() {
            None => bad("an array"),
            Some(items) => items
                .iter()
                .enumerate()
                .flat_map(|(i, item)| {
                    check_value(item, inner, types, depth + 1)
                        .into_iter()
                        .map(move |(p, m)| (format!("/{i}{p}"), m))
                })
                .collect(),
        },
        TypeExpr::Named(n) => match types.get(n.as_str()) {
            // reported where the reference is declared; no cascade here
            None => vec![],
            Some(t) => match t.kind {
                TypeKind::Object => {
                    check_object(v, t.fields.as_deref().unwrap_or(&[]), types, depth + 1)
                }
                TypeKind::Enum => {
                    let known = t
                        .values
                        .as_deref()
                        .unwrap_or(&[])
                        .iter()
                        .any(|ev| &ev.value == v);
                    if known {
                        vec![]
                    } else {
                        bad(&format!("one of the values of `{n}`"))
                    }
                }
            },
        },
    }
}

pub(super) fn check_object(
    v: &Value,
    fields: &[Field],
    types: &TypeIndex<'_>,
    depth: usize,
) -> Vec<Mismatch> {
    let Some(obj) = v.as_object() else {
        return vec![(
            String::new(),
            format!("expected an object, found {}", short(v)),
        )];
    };
    let mut out = Vec::new();
    for f in fields {
        match obj.get(&f.name) {
            None if f.required => out.push((
                String::new(),
                format!("required field `{}` is missing", f.name),
            )),
            None => {}
            Some(fv) => {
                if let Ok(te) = TypeExpr::parse(&f.ty) {
                    let p = push_pointer("", &f.name);
                    out.extend(
                        check_value(fv, &te, types, depth + 1)
                            .into_iter()
                            .map(|(s, m)| (format!("{p}{s}"), m)),
                    );
                }
            }
        }
    }
    for k in obj.keys() {
        if !fields.iter().any(|f| &f.name == k) {
            out.push((push_pointer("", k), format!("field `{k}` is not declared")));
        }
    }
    out
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}
