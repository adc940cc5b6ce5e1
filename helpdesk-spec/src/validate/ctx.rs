//! What every check works with: the type index and the per-file context
//! that locates diagnostics.

use crate::diag::{Diagnostic, Severity};
use crate::load::{Located, Spec};
use crate::spec::TypeDef;
use std::collections::BTreeMap;

/// Index of named types: name → definition.
pub type TypeIndex<'a> = BTreeMap<&'a str, &'a TypeDef>;

/// Builds the type index (first declaration wins; duplicates are reported by [`super::validate`]).
pub fn type_index(spec: &Spec) -> TypeIndex<'_> {
    let mut idx = BTreeMap::new();
    for f in &spec.type_files {
        for t in &f.value.types {
            idx.entry(t.name.as_str()).or_insert(t);
        }
    }
    idx
}

/// One spec file being checked, and where its diagnostics go.
pub(super) struct Ctx<'a, T> {
    pub(super) file: &'a Located<T>,
    pub(super) out: &'a mut Vec<Diagnostic>,
}

impl<T> Ctx<'_, T> {
    pub(super) fn err(&mut self, pointer: &str, msg: impl Into<String>) {
        let d = self.file.diag(Severity::Error, pointer, msg);
        self.out.push(d);
    }
    pub(super) fn warn(&mut self, pointer: &str, msg: impl Into<String>) {
        let d = self.file.diag(Severity::Warning, pointer, msg);
        self.out.push(d);
    }
}
