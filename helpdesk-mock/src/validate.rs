//! Request validation against the spec: path parameters, query parameters
//! and (when an endpoint declares one) the JSON body. Each check returns the
//! message of the first problem, naming the field.

use helpdesk_spec::spec::{EndpointFile, EnumRepr, Field, Param, TypeKind};
use helpdesk_spec::types::{Scalar, TypeExpr};
use helpdesk_spec::validate::{TypeIndex, check_value};
use serde_json::Value;
use std::collections::BTreeMap;

/// What a request carries, decoded.
pub(crate) struct Incoming<'a> {
    pub path_params: &'a BTreeMap<String, String>,
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
}

/// Validates a request; `Err(msg)` names the offending field.
pub(crate) fn validate(
    ep: &EndpointFile,
    body_fields: Option<&[Field]>,
    req: &Incoming<'_>,
    types: &TypeIndex<'_>,
) -> Result<(), String> {
    for p in &ep.path_params {
        match req.path_params.get(&p.name) {
            None => return Err(format!("missing required path parameter {}", p.name)),
            Some(v) if v.is_empty() => {
                return Err(format!("missing required path parameter {}", p.name));
            }
            Some(v) => check_param(p, v, types)
                .map_err(|m| format!("invalid path parameter {}: {m}", p.name))?,
        }
    }
    for p in &ep.query_params {
        let mut seen = false;
        for (_, v) in req.query.iter().filter(|(k, _)| *k == p.name) {
            seen = true;
            check_param(p, v, types)
                .map_err(|m| format!("invalid query parameter {}: {m}", p.name))?;
        }
        if !seen && p.required {
            return Err(format!("missing required query parameter {}", p.name));
        }
    }
    if let Some(fields) = body_fields {
        check_body(req.body, fields, types)?;
    }
    Ok(())
}

fn check_param(p: &Param, v: &str, types: &TypeIndex<'_>) -> Result<(), String> {
    match TypeExpr::parse(&p.ty) {
        // Lists repeat the key; each occurrence is one item.
        Ok(TypeExpr::List(inner)) => check_str(v, &inner, types),
        Ok(te) => check_str(v, &te, types),
        Err(_) => Ok(()),
    }
}

/// Checks one textual parameter value against a type.
pub(crate) fn check_str(v: &str, te: &TypeExpr, types: &TypeIndex<'_>) -> Result<(), String> {
    let bad = |what: &str| Err(format!("{v:?} is not {what}"));
    match te {
        TypeExpr::Scalar(s) => match s {
            Scalar::String | Scalar::Json => Ok(()),
            Scalar::Int => v
                .parse::<i32>()
                .map(|_| ())
                .or_else(|_| bad("a 32-bit integer")),
            Scalar::Int64
            | Scalar::Int64String
            | Scalar::TimestampMs
            | Scalar::TimestampMsNumber
            | Scalar::TimestampSecs => v.parse::<i64>().map(|_| ()).or_else(|_| bad("an integer")),
            Scalar::Float => match v.parse::<f64>() {
                Ok(f) if f.is_finite() => Ok(()),
                _ => bad("a number"),
            },
            Scalar::Bool => match v {
                "true" | "false" => Ok(()),
                _ => bad("true or false"),
            },
            Scalar::JsonString => match serde_json::from_str::<Value>(v) {
                Ok(_) => Ok(()),
                Err(_) => bad("JSON"),
            },
        },
        TypeExpr::List(inner) => check_str(v, inner, types),
        TypeExpr::Named(n) => {
            let Some(t) = types.get(n.as_str()) else {
                return Ok(());
            };
            if t.kind != TypeKind::Enum {
                return Ok(());
            }
            let values = t.values.as_deref().unwrap_or(&[]);
            let wire = match t.repr {
                Some(EnumRepr::Int) => match v.parse::<i64>() {
                    Ok(n) => Value::from(n),
                    Err(_) => return bad("an integer"),
                },
                _ => Value::String(v.to_string()),
            };
            if values.iter().any(|ev| ev.value == wire) {
                Ok(())
            } else {
                Err(format!("unknown value {v:?}"))
            }
        }
    }
}

/// Checks a JSON body against the declared body fields. Undeclared fields are
/// ignored, as the platform does.
pub(crate) fn check_body(
    body: &[u8],
    fields: &[Field],
    types: &TypeIndex<'_>,
) -> Result<(), String> {
    let text = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    let v: Value = serde_json::from_slice(text)
        .map_err(|e| format!("invalid request body: not JSON ({e})"))?;
    let Some(obj) = v.as_object() else {
        return Err("invalid request body: expected a JSON object".into());
    };
    for f in fields {
        match obj.get(&f.name) {
            None | Some(Value::Null) if f.required => {
                return Err(format!("missing required request body field {}", f.name));
            }
            None | Some(Value::Null) => {}
            Some(fv) => {
                let Ok(te) = TypeExpr::parse(&f.ty) else {
                    continue;
                };
                let problems = check_value(fv, &te, types, 0);
                if let Some((ptr, msg)) = problems
                    .into_iter()
                    .find(|(_, m)| !m.ends_with("is not declared"))
                {
                    let sub: String = ptr.split('/').skip(1).map(|s| format!(".{s}")).collect();
                    return Err(format!("invalid request body field {}{sub}: {msg}", f.name));
                }
            }
        }
    }
    Ok(())
}
