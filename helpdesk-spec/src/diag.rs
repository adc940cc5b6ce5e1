//! Located diagnostics: every spec problem names its file, its JSON location
//! (as a JSON pointer and as `line:col`) and what is wrong.

use std::fmt;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The spec cannot be used.
    Error,
    /// The spec works but smells (missing description, ...).
    Warning,
}

/// One problem in one spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as given to the loader (relative to the spec root when loaded from a directory).
    pub file: String,
    /// JSON pointer (RFC 6901) of the offending value; empty for the whole file.
    pub pointer: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {sev}: {}",
            self.file, self.line, self.column, self.message
        )?;
        if !self.pointer.is_empty() {
            write!(f, " (at {})", self.pointer)?;
        }
        Ok(())
    }
}

/// A spec that could not be loaded or validated: all its errors at once.
#[derive(Debug, Clone)]
pub struct SpecError {
    /// Every diagnostic found (errors first, then warnings).
    pub diagnostics: Vec<Diagnostic>,
}

impl SpecError {
    /// Only the errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors().count();
        writeln!(f, "the spec has {n} error(s):")?;
        for d in self.errors() {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecError {}

/// Appends one reference token to a JSON pointer, escaping `~` and `/`.
pub fn push_pointer(pointer: &str, token: &str) -> String {
    let escaped = token.replace('~', "~0").replace('/', "~1");
    format!("{pointer}/{escaped}")
}

/// Finds the `(line, column)` (1-based) where the value at `pointer` starts in
/// the JSON text `src`. Falls back to the deepest ancestor that exists, and to
/// `(1, 1)` for the empty pointer. Never panics, whatever `src` holds.
pub fn locate(src: &str, pointer: &str) -> (usize, usize) {
    let tokens: Vec<String> = if pointer.is_empty() {
        Vec::new()
    } else {
        pointer
            .split('/')
            .skip(1)
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect()
    };
    let mut s = Scanner {
        b: src.as_bytes(),
        i: 0,
    };
    let mut best = 0usize;
    s.ws();
    best = best.max(s.i);
    for tok in &tokens {
        match s.descend(tok) {
            Some(()) => best = s.i,
            None => break,
        }
    }
    line_col(src, best)
}

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}

/// A tolerant JSON scanner: just enough to walk to a pointer.
struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }
    /// Moves from the start of a container value to the start of its child `tok`.
    fn descend(&mut self, tok: &str) -> Option<()> {
        match self.peek()? {
            b'{' => {
                self.i += 1;
                loop {
                    self.ws();
                    if self.peek()? != b'"' {
                        return None;
                    }
                    let key = self.string()?;
                    self.ws();
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.i += 1;
                    self.ws();
                    if key == tok {
                        return Some(());
                    }
                    self.skip_value(0)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let want: usize = tok.parse().ok()?;
                self.i += 1;
                let mut idx = 0;
                loop {
                    self.ws();
                    if self.peek()? == b']' {
                        return None;
                    }
                    if idx == want {
                        return Some(());
                    }
                    self.skip_value(0)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        _ => return None,
                    }
                    idx += 1;
                }
            }
            _ => None,
        }
    }
    fn string(&mut self) -> Option<String> {
        // at '"'
        self.i += 1;
        let start = self.i;
        loop {
            match self.peek()? {
                b'\\' => self.i += 2,
                b'"' => break,
                _ => self.i += 1,
            }
        }
        let raw = self.b.get(start..self.i)?;
        self.i += 1;
        let quoted = format!("\"{}\"", String::from_utf8_lossy(raw));
        serde_json::from_str::<String>(&quoted).ok()
    }
    fn skip_value(&mut self, depth: usize) -> Option<()> {
        if depth > 256 {
            return None;
        }
        match self.peek()? {
            b'"' => {
                self.string()?;
            }
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.i += 1;
                loop {
                    self.ws();
                    if self.peek()? == close {
                        self.i += 1;
                        return Some(());
                    }
                    if open == b'{' {
                        self.string()?;
                        self.ws();
                        if self.peek()? != b':' {
                            return None;
                        }
                        self.i += 1;
                        self.ws();
                    }
                    self.skip_value(depth + 1)?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.i += 1,
                        c if c == close => {}
                        _ => return None,
                    }
                }
            }
            _ => {
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    self.i += 1;
                }
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_values() {
        let src = "{\n  \"a\": [1, {\"b/c\": \"x\"}],\n  \"d\": true\n}";
        assert_eq!(locate(src, ""), (1, 1));
        assert_eq!(locate(src, "/a"), (2, 8));
        assert_eq!(locate(src, "/a/1/b~1c"), (2, 20));
        assert_eq!(locate(src, "/d"), (3, 8));
        // missing child: the deepest existing ancestor
        assert_eq!(locate(src, "/a/7"), (2, 8));
    }

    #[test]
    fn survives_garbage() {
        for src in ["", "{", "[[[[", "{\"a\":", "\"\\", "{\"a\" 1}"] {
            let _ = locate(src, "/a/0/b");
        }
    }
}
