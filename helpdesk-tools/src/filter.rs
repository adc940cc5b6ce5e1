//! Narrowing a loaded spec, e.g. to one endpoint for `helpdesk-spec expand --endpoint`.

use helpdesk_spec::load::Spec;

/// The `resource.operation` id of every endpoint, in file order.
pub fn endpoint_ids(spec: &Spec) -> Vec<String> {
    spec.endpoints
        .iter()
        .map(|e| format!("{}.{}", e.value.resource, e.value.operation))
        .collect()
}

/// A copy of `spec` holding only the endpoint `id` (`resource.operation`)
/// and every named type (generation of unused types is harmless, and types
/// may refer to each other).
///
/// On an unknown id, returns the known ids so the caller can list them.
pub fn only_endpoint(spec: &Spec, id: &str) -> Result<Spec, Vec<String>> {
    let mut out = spec.clone();
    out.endpoints
        .retain(|e| format!("{}.{}", e.value.resource, e.value.operation) == id);
    if out.endpoints.is_empty() {
        return Err(endpoint_ids(spec));
    }
    Ok(out)
}
