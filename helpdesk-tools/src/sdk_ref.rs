//! The spec against facts extracted from an official SDK (the endpoint list
//! of `lark-oapi` for Python, vendored as
//! `tests/reference/helpdesk_v1_python.json`).
//!
//! For every SDK endpoint the spec must have the same `resource.operation`
//! with the same path, HTTP method and access-token kinds, and for every SDK
//! event the same event type, unless a deviation in the spec records why not
//! (`sdk_deviations[].covers`: `path`, `method`, `tokens` in the endpoint's
//! file; `endpoint` / `event` with `sdk_items` in service.json). A difference
//! no deviation covers is *unexplained*: `helpdesk-spec sdk-diff` fails on it.
//! Like the rest of the spec model, this knows nothing of Rust.

use helpdesk_spec::load::Spec;
use helpdesk_spec::spec::{Deviation, DeviationAspect};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The SDK facts this comparison reads (other keys of the file are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    /// The SDK's endpoints.
    pub endpoints: Vec<RefEndpoint>,
    /// The SDK's events.
    #[serde(default)]
    pub events: Vec<RefEvent>,
}

/// One SDK endpoint.
#[derive(Debug, Clone, Deserialize)]
pub struct RefEndpoint {
    /// Resource, e.g. `notification`.
    pub resource: String,
    /// The SDK's method name: the spec's operation, e.g. `get`.
    pub method: String,
    /// HTTP method, e.g. `GET`.
    pub http_method: String,
    /// Path template with `:param` segments.
    pub path: String,
    /// Accepted token kinds: `tenant`, `user`, `app`.
    pub token_types: Vec<String>,
}

/// One SDK event.
#[derive(Debug, Clone, Deserialize)]
pub struct RefEvent {
    /// Event type, e.g. `helpdesk.ticket.created_v1`.
    pub event_type: String,
}

/// Parses a reference file; the error names the JSON location.
pub fn parse_reference(text: &str) -> Result<Reference, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        format!(
            "line {}, column {}: {} (at {})",
            inner.line(),
            inner.column(),
            inner,
            e.path()
        )
    })
}

/// One difference between the SDK and the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The endpoint id (`resource.operation`) or event type.
    pub item: String,
    /// What differs.
    pub aspect: DeviationAspect,
    /// What the SDK says.
    pub sdk: String,
    /// What the spec says (`missing` when it has no such item).
    pub spec: String,
    /// The deviation that records why: `(spec file, topic)`.
    pub explained_by: Option<(String, String)>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: SDK `{}`, spec `{}`",
            self.item,
            self.aspect.as_str(),
            self.sdk,
            self.spec
        )?;
        match &self.explained_by {
            Some((file, topic)) => write!(f, " (explained by {file}: {topic})"),
            None => write!(
                f,
                " (no sdk_deviations entry covers `{}`)",
                self.aspect.as_str()
            ),
        }
    }
}

/// The outcome of [`compare`].
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// SDK endpoints compared.
    pub endpoints: usize,
    /// SDK events compared.
    pub events: usize,
    /// Every difference, explained or not, in SDK order.
    pub findings: Vec<Finding>,
    /// Spec endpoints and events the SDK does not have (informative).
    pub spec_only: Vec<String>,
}

impl Report {
    /// The differences that no deviation explains.
    pub fn unexplained(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.explained_by.is_none())
    }
}

/// The first deviation in `devs` covering `aspect` (and naming `item`,
/// for `endpoint` / `event`).
fn covering(
    file: &str,
    devs: &[Deviation],
    aspect: DeviationAspect,
    item: Option<&str>,
) -> Option<(String, String)> {
    devs.iter()
        .find(|d| {
            d.covers.contains(&aspect) && item.is_none_or(|i| d.sdk_items.iter().any(|s| s == i))
        })
        .map(|d| (file.to_string(), d.topic.clone()))
}

/// Compares `spec` with the SDK facts in `reference`.
pub fn compare(spec: &Spec, reference: &Reference) -> Report {
    let service = &spec.service;
    let by_id: BTreeMap<(String, String), _> = spec
        .endpoints
        .iter()
        .map(|f| ((f.value.resource.clone(), f.value.operation.clone()), f))
        .collect();
    let mut report = Report {
        endpoints: reference.endpoints.len(),
        events: reference.events.len(),
        ..Report::default()
    };
    let mut seen = BTreeSet::new();
    for r in &reference.endpoints {
        let id = format!("{}.{}", r.resource, r.method);
        let key = (r.resource.clone(), r.method.clone());
        let Some(f) = by_id.get(&key) else {
            report.findings.push(Finding {
                explained_by: covering(
                    &service.file,
                    &service.value.sdk_deviations,
                    DeviationAspect::Endpoint,
                    Some(&id),
                ),
                item: id,
                aspect: DeviationAspect::Endpoint,
                sdk: format!("{} {}", r.http_method, r.path),
                spec: "missing".into(),
            });
            continue;
        };
        seen.insert(key);
        let e = &f.value;
        let sdk_tokens: BTreeSet<&str> = r.token_types.iter().map(String::as_str).collect();
        let spec_tokens: BTreeSet<&str> = e
            .auth
            .tokens
            .iter()
            .map(|t| t.as_str().trim_end_matches("_access_token"))
            .collect();
        let join = |s: &BTreeSet<&str>| s.iter().copied().collect::<Vec<_>>().join(", ");
        let checks = [
            (DeviationAspect::Path, r.path.clone(), e.path.clone()),
            (
                DeviationAspect::Method,
                r.http_method.clone(),
                e.method.as_str().to_string(),
            ),
            (
                DeviationAspect::Tokens,
                join(&sdk_tokens),
                join(&spec_tokens),
            ),
        ];
        for (aspect, sdk, ours) in checks {
            if sdk != ours {
                report.findings.push(Finding {
                    item: id.clone(),
                    aspect,
                    sdk,
                    spec: ours,
                    explained_by: covering(&f.file, &e.sdk_deviations, aspect, None),
                });
            }
        }
    }
    let spec_events: BTreeSet<&str> = spec
        .events
        .iter()
        .map(|f| f.value.event_type.as_str())
        .collect();
    for ev in &reference.events {
        if !spec_events.contains(ev.event_type.as_str()) {
            report.findings.push(Finding {
                item: ev.event_type.clone(),
                aspect: DeviationAspect::Event,
                sdk: ev.event_type.clone(),
                spec: "missing".into(),
                explained_by: covering(
                    &service.file,
                    &service.value.sdk_deviations,
                    DeviationAspect::Event,
                    Some(&ev.event_type),
                ),
            });
        }
    }
    for ((resource, operation), _) in by_id.iter().filter(|(k, _)| !seen.contains(*k)) {
        report.spec_only.push(format!("{resource}.{operation}"));
    }
    let sdk_events: BTreeSet<&str> = reference
        .events
        .iter()
        .map(|e| e.event_type.as_str())
        .collect();
    for ev in spec_events.difference(&sdk_events) {
        report.spec_only.push((*ev).to_string());
    }
    report
}
