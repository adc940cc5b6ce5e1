//! Where the mock's endpoints come from: a [`MockSpec`] is the spec loaded
//! and validated by `helpdesk_spec`, compiled into a routing table.

use helpdesk_spec::Spec;
use helpdesk_spec::spec::{EndpointFile, ErrorSpec, Field, Window};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_spec.rs"));
}

/// Why a spec could not be used.
#[derive(Debug, Clone)]
pub struct MockSpecError {
    message: String,
}

impl MockSpecError {
    fn new(message: impl Into<String>) -> Self {
        MockSpecError {
            message: message.into(),
        }
    }
    /// The full message (every diagnostic of the spec, one a line).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for MockSpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MockSpecError {}

impl From<helpdesk_spec::SpecError> for MockSpecError {
    fn from(e: helpdesk_spec::SpecError) -> Self {
        MockSpecError::new(e.to_string())
    }
}

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    /// A literal segment, compared as sent.
    Lit(String),
    /// A `:name` segment.
    Param(String),
}

/// A compiled endpoint: where to find it and how to route to it.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    /// `resource.operation`.
    pub id: String,
    /// Index into `spec.endpoints`.
    pub index: usize,
    /// Path template segments (after the leading `/`).
    pub segments: Vec<Seg>,
    /// Request body fields, when the endpoint declares a `request_body`.
    pub body_fields: Option<Vec<Field>>,
}

#[derive(Debug)]
pub(crate) struct Compiled {
    pub spec: Spec,
    pub routes: Vec<Route>,
}

/// A spec the mock serves: every endpoint of it is routed, authenticated,
/// validated and answered from its `example_response`.
///
/// Cheap to clone (shared inside).
#[derive(Debug, Clone)]
pub struct MockSpec {
    pub(crate) inner: Result<Arc<Compiled>, MockSpecError>,
}

impl MockSpec {
    /// The repository's `spec/` directory as it was when this crate was
    /// built (embedded by `build.rs`). Never panics: should the embedded
    /// spec be invalid, the error is reported by
    /// [`MockServerBuilder::start`](crate::MockServerBuilder::start) and by
    /// [`MockSpec::error`].
    pub fn embedded() -> MockSpec {
        let files: Vec<(String, String)> = embedded::EMBEDDED_FILES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        MockSpec {
            inner: compile(&files).map(Arc::new),
        }
    }

    /// Like [`MockSpec::embedded`], but returns the error at once.
    pub fn try_embedded() -> Result<MockSpec, MockSpecError> {
        MockSpec::embedded().checked()
    }

    /// Reads and validates a spec directory (`service.json`, `types/*.json`,
    /// `endpoints/*.json`, `events/*.json`).
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<MockSpec, MockSpecError> {
        let files = helpdesk_spec::load::read_dir(dir.as_ref())?;
        Ok(MockSpec {
            inner: Ok(Arc::new(compile(&files)?)),
        })
    }

    /// Parses and validates spec files given as `(name, text)` pairs, named
    /// as in a spec directory (`service.json`, `types/x.json`,
    /// `endpoints/x.y.json`).
    pub fn from_files<N: AsRef<str>, T: AsRef<str>>(
        files: &[(N, T)],
    ) -> Result<MockSpec, MockSpecError> {
        let files: Vec<(String, String)> = files
            .iter()
            .map(|(n, t)| (n.as_ref().to_string(), t.as_ref().to_string()))
            .collect();
        Ok(MockSpec {
            inner: Ok(Arc::new(compile(&files)?)),
        })
    }

    /// The load or validation error, if this spec is unusable.
    pub fn error(&self) -> Option<&MockSpecError> {
        self.inner.as_ref().err()
    }

    fn checked(self) -> Result<MockSpec, MockSpecError> {
        match &self.inner {
            Ok(_) => Ok(self),
            Err(e) => Err(e.clone()),
        }
    }

    /// The loaded spec (`None` if it is unusable).
    pub fn spec(&self) -> Option<&Spec> {
        self.inner.as_ref().ok().map(|c| &c.spec)
    }

    /// The ids (`resource.operation`) of every endpoint, in file order.
    pub fn endpoint_ids(&self) -> Vec<String> {
        match &self.inner {
            Ok(c) => c.routes.iter().map(|r| r.id.clone()).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Every endpoint with its id, in file order.
    pub fn endpoints(&self) -> Vec<(String, &EndpointFile)> {
        match &self.inner {
            Ok(c) => c
                .routes
                .iter()
                .map(|r| (r.id.clone(), &c.spec.endpoints[r.index].value))
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// One endpoint by id (`resource.operation`).
    pub fn endpoint(&self, id: &str) -> Option<&EndpointFile> {
        let c = self.inner.as_ref().ok()?;
        c.routes
            .iter()
            .find(|r| r.id == id)
            .map(|r| &c.spec.endpoints[r.index].value)
    }

    /// The platform-wide error table (`service.json` `platform_errors`).
    pub fn platform_errors(&self) -> &[ErrorSpec] {
        match &self.inner {
            Ok(c) => &c.spec.service.value.platform_errors,
            Err(_) => &[],
        }
    }

    /// The endpoint's path with every `:param` replaced by the parameter's
    /// example from the spec (or `example-<name>` when it has none),
    /// percent-encoded. Handy to call every endpoint generically.
    pub fn example_path(&self, id: &str) -> Option<String> {
        let ep = self.endpoint(id)?;
        let mut out = String::new();
        for seg in ep.path.split('/').skip(1) {
            out.push('/');
            match seg.strip_prefix(':') {
                Some(name) => {
                    let ex = ep
                        .path_params
                        .iter()
                        .find(|p| p.name == name)
                        .and_then(|p| p.example.as_ref())
                        .map(|v| match v {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .unwrap_or_else(|| format!("example-{name}"));
                    out.extend(percent_encoding::utf8_percent_encode(&ex, SEGMENT));
                }
                None => out.push_str(seg),
            }
        }
        Some(out)
    }

    /// The first documented rate limit of an endpoint as `(requests, window)`.
    pub fn rate_limit(&self, id: &str) -> Option<(u32, Duration)> {
        let ep = self.endpoint(id)?;
        ep.rate_limit
            .limits
            .first()
            .map(|l| (l.requests, window(l.per)))
    }
}

/// Characters escaped in a path segment.
pub(crate) const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The length of a rate-limit window.
pub(crate) fn window(w: Window) -> Duration {
    match w {
        Window::Second => Duration::from_secs(1),
        Window::Minute => Duration::from_secs(60),
    }
}

fn compile(files: &[(String, String)]) -> Result<Compiled, MockSpecError> {
    let checked = helpdesk_spec::check_files(files)?;
    let spec = checked.spec;
    let mut routes = Vec::new();
    for (index, f) in spec.endpoints.iter().enumerate() {
        let e = &f.value;
        let segments = e
            .path
            .split('/')
            .skip(1)
            .map(|s| match s.strip_prefix(':') {
                Some(n) => Seg::Param(n.to_string()),
                None => Seg::Lit(s.to_string()),
            })
            .collect();
        routes.push(Route {
            id: format!("{}.{}", e.resource, e.operation),
            index,
            segments,
            body_fields: e.request_body.as_ref().map(|b| b.fields.clone()),
        });
    }
    Ok(Compiled { spec, routes })
}

impl Compiled {
    /// The endpoint file of a route.
    pub fn endpoint(&self, r: &Route) -> &EndpointFile {
        &self.spec.endpoints[r.index].value
    }
}
