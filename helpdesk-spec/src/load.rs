//! Loading: spec files → [`Spec`] with located serde errors.

use crate::diag::{Diagnostic, Severity, SpecError, locate, push_pointer};
use crate::spec::{EndpointFile, EventFile, ServiceFile, TypesFile};
use serde::de::DeserializeOwned;
use std::path::Path;

/// One parsed spec file, with its source kept for locating diagnostics.
#[derive(Debug, Clone)]
pub struct Located<T> {
    /// File name as shown in diagnostics.
    pub file: String,
    /// The file's text.
    pub source: String,
    /// The parsed content.
    pub value: T,
}

impl<T> Located<T> {
    /// A diagnostic at `pointer` in this file.
    pub fn diag(
        &self,
        severity: Severity,
        pointer: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, column) = locate(&self.source, pointer);
        Diagnostic {
            severity,
            file: self.file.clone(),
            pointer: pointer.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// The whole spec as loaded (not yet validated).
#[derive(Debug, Clone)]
pub struct Spec {
    /// `service.json`.
    pub service: Located<ServiceFile>,
    /// `types/*.json`, sorted by file name.
    pub type_files: Vec<Located<TypesFile>>,
    /// `endpoints/*.json`, sorted by file name.
    pub endpoints: Vec<Located<EndpointFile>>,
    /// `events/*.json`, sorted by file name.
    pub events: Vec<Located<EventFile>>,
}

/// Reads every spec file under `dir` (`service.json`, `types/*.json`,
/// `endpoints/*.json`, `events/*.json`; a missing `events/` is fine);
/// `schema.json` and other files are ignored.
pub fn read_dir(dir: &Path) -> Result<Vec<(String, String)>, SpecError> {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    let io_err = |name: &str, e: std::io::Error| Diagnostic {
        severity: Severity::Error,
        file: name.to_string(),
        pointer: String::new(),
        line: 0,
        column: 0,
        message: format!("cannot read: {e}"),
    };
    let service = dir.join("service.json");
    match std::fs::read_to_string(&service) {
        Ok(s) => files.push(("service.json".to_string(), s)),
        Err(e) => diags.push(io_err(&service.display().to_string(), e)),
    }
    for sub in ["types", "endpoints", "events"] {
        let d = dir.join(sub);
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(_) if sub == "events" && !d.exists() => continue,
            Err(e) => {
                diags.push(io_err(&d.display().to_string(), e));
                continue;
            }
        };
        let mut names: Vec<_> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        names.sort();
        for n in names {
            let rel = format!("{sub}/{n}");
            match std::fs::read_to_string(d.join(&n)) {
                Ok(s) => files.push((rel, s)),
                Err(e) => diags.push(io_err(&rel, e)),
            }
        }
    }
    if diags.is_empty() {
        Ok(files)
    } else {
        Err(SpecError { diagnostics: diags })
    }
}

/// Parses spec files given as `(name, text)`. The name decides the role:
/// `service.json`, `types/…`, `endpoints/…`, `events/…` (a leading directory is allowed).
/// Every file is parsed even after a failure, so all errors come at once.
pub fn parse_files(files: &[(String, String)]) -> Result<Spec, SpecError> {
    let mut diags = Vec::new();
    let mut service = None;
    let mut type_files = Vec::new();
    let mut endpoints = Vec::new();
    let mut events = Vec::new();
    for (name, text) in files {
        let norm = name.replace('\\', "/");
        let base = norm.rsplit('/').next().unwrap_or(&norm);
        if base == "service.json" && !norm.contains("types/") && !norm.contains("endpoints/") {
            if let Some(v) = parse_one::<ServiceFile>(name, text, &mut diags) {
                service = Some(v);
            }
        } else if norm.contains("types/") {
            if let Some(v) = parse_one::<TypesFile>(name, text, &mut diags) {
                type_files.push(v);
            }
        } else if norm.contains("endpoints/") {
            if let Some(v) = parse_one::<EndpointFile>(name, text, &mut diags) {
                endpoints.push(v);
            }
        } else if norm.contains("events/") {
            if let Some(v) = parse_one::<EventFile>(name, text, &mut diags) {
                events.push(v);
            }
        }
    }
    if service.is_none() && !diags.iter().any(|d| d.file.ends_with("service.json")) {
        diags.push(Diagnostic {
            severity: Severity::Error,
            file: "service.json".into(),
            pointer: String::new(),
            line: 0,
            column: 0,
            message: "the spec has no service.json".into(),
        });
    }
    match service {
        Some(service) if diags.is_empty() => {
            type_files.sort_by(|a, b| a.file.cmp(&b.file));
            endpoints.sort_by(|a, b| a.file.cmp(&b.file));
            events.sort_by(|a, b| a.file.cmp(&b.file));
            Ok(Spec {
                service,
                type_files,
                endpoints,
                events,
            })
        }
        _ => Err(SpecError { diagnostics: diags }),
    }
}

fn parse_one<T: DeserializeOwned>(
    name: &str,
    text: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Located<T>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let res: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    match res {
        Ok(value) => {
            if let Err(e) = de.end() {
                diags.push(Diagnostic {
                    severity: Severity::Error,
                    file: name.to_string(),
                    pointer: String::new(),
                    line: e.line(),
                    column: e.column(),
                    message: strip_position(&e.to_string()),
                });
                return None;
            }
            Some(Located {
                file: name.to_string(),
                source: text.to_string(),
                value,
            })
        }
        Err(err) => {
            let mut pointer = String::new();
            for seg in err.path().iter() {
                use serde_path_to_error::Segment;
                match seg {
                    Segment::Seq { index } => pointer = push_pointer(&pointer, &index.to_string()),
                    Segment::Map { key } => pointer = push_pointer(&pointer, key),
                    Segment::Enum { variant } => pointer = push_pointer(&pointer, variant),
                    Segment::Unknown => break,
                }
            }
            let inner = err.inner();
            let (line, column) = if inner.line() > 0 {
                (inner.line(), inner.column())
            } else {
                locate(text, &pointer)
            };
            let msg = strip_position(&inner.to_string());
            diags.push(Diagnostic {
                severity: Severity::Error,
                file: name.to_string(),
                pointer,
                line,
                column,
                message: msg,
            });
            None
        }
    }
}

/// serde_json appends " at line L column C"; diagnostics print that themselves.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}
