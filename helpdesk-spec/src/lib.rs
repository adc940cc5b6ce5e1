//! The Helpdesk API spec: its model, loader, diagnostics and validation.
//!
//! This crate is the bottom room of the workspace. It knows JSON and the
//! spec's rules, nothing of Rust tokens or HTTP:
//!
//! 1. [`load`]: spec files → [`Spec`] (serde structs that reject unknown
//!    keys; every error located as `file:line:col` plus a JSON pointer);
//! 2. [`validate`]: cross-file checks (names, references, path params,
//!    examples against their types, names the generated code would clash
//!    on, ...), all problems at once;
//! 3. [`names`]: the one list of rules by which spec names become Rust
//!    identifiers, read by the validator and by `helpdesk-codegen`.
//!
//! `helpdesk-codegen` (IR and emitter), `helpdesk-mock` (the local server)
//! and `helpdesk-tools` (the maintainer CLI) build on it.

#![deny(missing_docs)]

pub mod diag;
pub mod load;
pub mod names;
pub mod spec;
pub mod types;
pub mod validate;

pub use diag::{Diagnostic, Severity, SpecError};
pub use load::Spec;

use std::path::Path;

/// A loaded and validated spec with its warnings.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The spec.
    pub spec: Spec,
    /// Warnings (smells that do not stop generation).
    pub warnings: Vec<Diagnostic>,
}

/// Parses and validates spec files given as `(name, text)` pairs.
pub fn check_files(files: &[(String, String)]) -> Result<Checked, SpecError> {
    let spec = load::parse_files(files)?;
    let diags = validate::validate(&spec);
    if diags.iter().any(|d| d.severity == Severity::Error) {
        return Err(SpecError { diagnostics: diags });
    }
    Ok(Checked {
        spec,
        warnings: diags,
    })
}

/// Reads, parses and validates the spec directory.
pub fn check_dir(dir: &Path) -> Result<Checked, SpecError> {
    let files = load::read_dir(dir)?;
    check_files(&files)
}
