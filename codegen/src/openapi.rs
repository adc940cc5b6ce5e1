//! Export of the spec as an OpenAPI 3.1 document.

use crate::load::Spec;
use serde_json::{Value, json};

/// The OpenAPI 3.1 document for a validated spec.
pub fn document(spec: &Spec) -> Value {
    let s = &spec.service.value;
    json!({ "openapi": "3.1.0", "info": { "title": s.title, "version": s.version }, "paths": {} })
}
