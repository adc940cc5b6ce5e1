//! `helpdesk-spec`: maintainer tooling for the Helpdesk API spec.
//!
//! Run `helpdesk-spec --help` for the subcommands and exit codes.

use helpdesk_spec::diag::{Diagnostic, Severity};
use helpdesk_spec::{load, validate};
use helpdesk_tools::filter;
use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const HELP: &str = "\
helpdesk-spec: check, expand, export, import and compare the Helpdesk API spec

USAGE:
    helpdesk-spec <COMMAND> [OPTIONS] [ARGS]

COMMANDS:
    check [SPEC_DIR]      Validate every spec file; print all errors and warnings
    expand [SPEC_DIR]     Print the generated Rust (all endpoints, or one)
    openapi [SPEC_DIR]    Export an OpenAPI 3.1 document
    import <PAGE>         Turn a Feishu doc page (crawled text or markdown) into a spec draft
    sdk-diff <REFERENCE> [SPEC_DIR]
                          Compare the spec with an official SDK's endpoint list
    conform <DOCS_DIR> [--spec SPEC_DIR] [--crawled]
                          Compare the spec with the doc pages, fact by fact
    crawl <PAGE.md>       Turn a doc page's markdown form into its crawled text form
    help [COMMAND]        Print this help or a command's help

SPEC_DIR defaults to `spec`.

OPTIONS:
    -h, --help            Print help (also `helpdesk-spec <COMMAND> --help`)
    -V, --version         Print the version

OUTPUT:
    Data (diagnostics of `check`, code, documents) goes to stdout; progress
    and summaries go to stderr.

EXIT CODES:
    0    success (for `check`: no errors; warnings allowed unless --deny-warnings)
    1    the spec has errors (or warnings with --deny-warnings), a file cannot be
         read or written, an unknown endpoint, a page that cannot be imported,
         a difference from the SDK (or from a doc page, `conform`) that is
         not explained
    2    usage error (unknown command or option, missing or extra argument)
";

const HELP_CHECK: &str = "\
helpdesk-spec check: validate every spec file

USAGE:
    helpdesk-spec check [SPEC_DIR] [--deny-warnings]

Loads service.json, types/*.json and endpoints/*.json under SPEC_DIR (default
`spec`), validates them and prints every diagnostic on stdout as

    SPEC_DIR/FILE:LINE:COL: error|warning: MESSAGE (at /json/pointer)

then a summary on stderr (files, endpoints, types, error codes, errors, warnings).

OPTIONS:
    --deny-warnings    Fail (exit 1) when there are warnings
    -h, --help         Print this help

EXIT CODES:
    0    no errors (warnings allowed unless --deny-warnings)
    1    errors (or warnings with --deny-warnings), or SPEC_DIR cannot be read
    2    usage error
";

const HELP_EXPAND: &str = "\
helpdesk-spec expand: print the generated Rust

USAGE:
    helpdesk-spec expand [SPEC_DIR] [--endpoint RESOURCE.OPERATION] [-o FILE]

Prints the formatted Rust that the build generates from SPEC_DIR (default
`spec`): what `helpdesk-api` compiles. With --endpoint, only that endpoint
(and every named type) is generated.

OPTIONS:
    -e, --endpoint ID    Only the endpoint ID, e.g. notification.get
    -o, --output FILE    Write to FILE instead of stdout
    -h, --help           Print this help

EXIT CODES:
    0    success
    1    the spec has errors, or the endpoint is unknown (the known ones are listed)
    2    usage error
";

const HELP_OPENAPI: &str = "\
helpdesk-spec openapi: export an OpenAPI 3.1 document

USAGE:
    helpdesk-spec openapi [SPEC_DIR] [-o FILE]

Writes an OpenAPI 3.1 JSON document for the spec in SPEC_DIR (default `spec`):
paths and parameters, security schemes (bearer tokens and the
X-Lark-Helpdesk-Authorization header), the {code, msg, data} reply envelope,
named types as components/schemas, documented error codes as responses,
and x-rate-limit / x-scopes / x-app-types extensions.

OPTIONS:
    -o, --output FILE    Write to FILE instead of stdout
    -h, --help           Print this help

EXIT CODES:
    0    success
    1    the spec has errors, or FILE cannot be written
    2    usage error
";

const HELP_IMPORT: &str = "\
helpdesk-spec import: turn a Feishu doc page into a spec draft

USAGE:
    helpdesk-spec import <PAGE> [-o FILE] [--out-dir DIR] [--name RESOURCE.OPERATION]
    helpdesk-spec import <PAGE> --into SPEC_DIR [--sdk-reference FILE]

PAGE is an endpoint page of the Feishu open platform docs, either in the
crawled text form or in the markdown form (detected from the content). The
draft is printed as one JSON object {\"endpoint\": ..., \"types\": ...}, where
`endpoint` is an endpoints/*.json file and `types` a types/*.json file.
Enum value names are placeholders (value_0, ...): rename them. Review the
draft, then move the types that already exist elsewhere into place. The
pages beside PAGE (.md or crawled .txt) that have value tables (general
pages such as ref.agent_skill_rule.operator-options.md) give the values of
fields whose descriptions link to them (in the crawled form, by the page's
title).

OPTIONS:
    -o, --output FILE      Write the draft to FILE instead of stdout
    --out-dir DIR          Also write DIR/endpoints/ID.json and DIR/types/ID.json
    --name ID              The endpoint id, e.g. notification.get (default: from
                           the page's source path, else from the method and path)
    --into SPEC_DIR        Write the endpoint (or event) into SPEC_DIR in place:
                           the id from the method and path (the spec's id for
                           them, else the SDK's name, else the path rule); types
                           the spec already has (same fields, or a superset) are
                           reused, new ones get names that clash with none; an
                           endpoint already there keeps its error names. Then
                           SPEC_DIR is checked.
    --sdk-reference FILE   SDK facts for the names (default:
                           SPEC_DIR/../tests/reference/helpdesk_v1_python.json)
    -h, --help             Print this help

EXIT CODES:
    0    success (notes about guesses go to stderr)
    1    PAGE cannot be read or is not an endpoint or event doc page; with
         --into, a file cannot be written or SPEC_DIR fails check afterwards
    2    usage error
";

const HELP_SDK_DIFF: &str = "\
helpdesk-spec sdk-diff: compare the spec with facts extracted from the official SDKs

USAGE:
    helpdesk-spec sdk-diff <REFERENCE> [SPEC_DIR] [--node NODE_REFERENCE]

REFERENCE is a JSON file of facts extracted from the Python SDK: `endpoints`
({resource, method, http_method, path, token_types, path_params, query_params,
request_body, body_fields, response_body, response_data}), `types` (name →
[{name, type}]) and `events` ({event_type, fields}); the repository keeps it
as tests/reference/helpdesk_v1_python.json. NODE_REFERENCE, the Node SDK's
facts (tests/reference/helpdesk_v1_node.json), adds the required flags and
string enum values of every input.

Compared with the spec in SPEC_DIR (default `spec`), under these aspects:
  endpoint, event    an SDK endpoint (RESOURCE.METHOD) or event the spec lacks
  path, method, tokens   of each endpoint
  field              a field of an SDK type (walked side by side with the spec
                     from each endpoint's body, reply, query and path, and
                     each event) that the spec lacks, or the other way round
  type               a field's wire type (string, int, float, bool, any, list,
                     object; spec refinements such as timestamp_ms compare as
                     their wire type), or an SDK type with no spec counterpart
  required, enum     a Node input's required flag or string enum values
Each difference must be explained by an `sdk_deviations` entry that covers
its aspect: path/method/tokens in the endpoint's file; the others naming the
SDK item in `sdk_items` exactly as printed here (`SdkType.field`,
`resource.method query.name`, `resource.method body.a.b`, ...), in service.json,
in the endpoint or event file, or (field-level aspects) in the spec type
holding the field.

Every difference is printed on stdout, `unexplained:` or `explained:`, and so
is every `stale:` sdk_items entry that explains nothing; the counts per aspect,
and what only the spec has, go to stderr.

OPTIONS:
        --node FILE    The Node SDK's facts: compare required flags and enums
    -h, --help         Print this help

EXIT CODES:
    0    every difference is explained by a deviation
    1    an unexplained difference, a stale sdk_items entry, a spec with
         errors, or a reference that cannot be read or parsed
    2    usage error
";

const HELP_CONFORM: &str = "\
helpdesk-spec conform: compare the spec with the doc pages, fact by fact

USAGE:
    helpdesk-spec conform <DOCS_DIR> [--spec SPEC_DIR] [--deviations] [--crawled]

Imports every endpoint and event page in DOCS_DIR (*.md and *.txt; other
pages, such as INDEX.md or the access guide, are skipped) as `import` does,
and compares it with the spec's endpoint of the same method and path (or
event of the same type): method, path, path parameters, token kinds,
helpdesk header, rate limit, app types, scopes; query parameters (type,
required, enum values, default); request body and reply fields, with named
types resolved on both sides and compared field by field (wire type,
required, enum values); error codes (status, message, advice); paging;
event fields.

Every difference is printed on stdout as

    unexplained|explained: PAGE: FACT: page says X, spec says Y

then, on stderr, recall (spec facts the import found) and precision
(imported facts that match the spec) per category: endpoint, query, body,
reply, errors, paging, events; and the same `deviations aside` (the facts a
recorded deviation explains left out of both sides).

A difference is explained by a `doc_deviations` entry {facts, reason} that
the spec records where it deliberately differs from the page: on the
endpoint or event file (fact keys such as `body/job_name#required`), or on
the named type that holds the field (keys relative to the type, such as
`email#*`). `*` in a key matches any run of characters; `page_omits: true`
limits an entry to facts the page leaves out. An entry that
explains nothing is stale and fails the run, as an unexplained difference
does.

OPTIONS:
    --spec SPEC_DIR    The spec (default `spec`)
    --deviations       Also list every recorded doc deviation on stderr, one
                       line each, with the number of differences it explained
    --crawled          Turn every markdown page into its crawled text form
                       first (as `crawl` does), so that the text-form reader
                       is measured; pages already in the text form stay.
                       That form has no 必填 cells: body and query required
                       flags it does not state are left out of both sides
                       (counted on a `not compared` line), error texts are
                       compared without markdown markup, and stale
                       deviations are warnings (the markdown run judges them)
    -h, --help         Print this help

EXIT CODES:
    0    every difference is explained, every recorded deviation is used
    1    an unexplained difference, a stale deviation, an endpoint or event
         page that cannot be imported, a spec with errors, an unreadable
         DOCS_DIR
    2    usage error
";

const HELP_CRAWL: &str = "\
helpdesk-spec crawl: turn a doc page's markdown form into its crawled text form

USAGE:
    helpdesk-spec crawl <PAGE.md> [-o FILE]

PAGE.md is a Feishu doc page in the markdown form (tests/pages/docs/*.md).
It is printed in the text form the site crawl gives: table cells glued
together, the 必填 cells gone, markup removed, fullwidth punctuation as
ASCII, `Skip to content` first and the crawl's footer last. The rules (and
the guesses for constructs the one real crawled page does not show) are
documented in helpdesk-tools/src/crawl.rs. The output of
tests/pages/docs/notification.get.md is byte for byte the crawled seed page.

OPTIONS:
    -o, --output FILE    Write the text to FILE instead of stdout
    -h, --help           Print this help

EXIT CODES:
    0    success
    1    PAGE.md cannot be read or is not UTF-8 text, FILE cannot be written
    2    usage error
";

/// Why the command did not succeed.
enum Fail {
    /// Bad command line: exit 2.
    Usage(String),
    /// The command ran and failed: exit 1.
    Failed(String),
}

impl From<lexopt::Error> for Fail {
    fn from(e: lexopt::Error) -> Self {
        Fail::Usage(e.to_string())
    }
}

fn main() -> ExitCode {
    match run(std::env::args_os().skip(1).collect()) {
        Ok(code) => code,
        Err(Fail::Usage(msg)) => {
            say(&format!(
                "helpdesk-spec: {msg}\nRun `helpdesk-spec --help` for usage."
            ));
            ExitCode::from(2)
        }
        Err(Fail::Failed(msg)) => {
            say(&format!("helpdesk-spec: error: {msg}"));
            ExitCode::from(1)
        }
    }
}

/// A line on stderr (never panics, unlike `eprintln!`).
fn say(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Data on stdout; a closed pipe (`| head`) is not an error.
fn emit(text: &str) -> Result<(), Fail> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Fail::Failed(format!("cannot write to stdout: {e}"))),
    }
}

/// Writes `text` to `path`, or to stdout when there is no path.
fn output(path: Option<&Path>, text: &str) -> Result<(), Fail> {
    match path {
        None => emit(text),
        Some(p) => {
            std::fs::write(p, text)
                .map_err(|e| Fail::Failed(format!("cannot write {}: {e}", p.display())))?;
            say(&format!("wrote {}", p.display()));
            Ok(())
        }
    }
}

fn run(args: Vec<OsString>) -> Result<ExitCode, Fail> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let cmd = match p.next()? {
        None => {
            emit(HELP)?;
            return Err(Fail::Usage("no command given".into()));
        }
        Some(Short('h') | Long("help")) => {
            emit(HELP)?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Short('V') | Long("version")) => {
            emit(&format!("helpdesk-spec {}\n", env!("CARGO_PKG_VERSION")))?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Value(v)) => v.string()?,
        Some(other) => return Err(other.unexpected().into()),
    };
    match cmd.as_str() {
        "check" => cmd_check(&mut p),
        "expand" => cmd_expand(&mut p),
        "openapi" => cmd_openapi(&mut p),
        "import" => cmd_import(&mut p),
        "sdk-diff" => cmd_sdk_diff(&mut p),
        "conform" => cmd_conform(&mut p),
        "crawl" => cmd_crawl(&mut p),
        "help" => {
            let topic = match p.next()? {
                Some(Value(v)) => Some(v.string()?),
                None => None,
                Some(other) => return Err(other.unexpected().into()),
            };
            let text = match topic.as_deref() {
                None => HELP,
                Some("check") => HELP_CHECK,
                Some("expand") => HELP_EXPAND,
                Some("openapi") => HELP_OPENAPI,
                Some("import") => HELP_IMPORT,
                Some("sdk-diff") => HELP_SDK_DIFF,
                Some("conform") => HELP_CONFORM,
                Some("crawl") => HELP_CRAWL,
                Some(other) => return Err(Fail::Usage(format!("unknown command `{other}`"))),
            };
            emit(text)?;
            Ok(ExitCode::SUCCESS)
        }
        other => Err(Fail::Usage(format!(
            "unknown command `{other}` (expected check, expand, openapi, import, sdk-diff, conform, crawl or help)"
        ))),
    }
}

/// Stores a positional argument, refusing a second one.
fn one_positional(slot: &mut Option<PathBuf>, v: OsString, what: &str) -> Result<(), Fail> {
    if slot.is_some() {
        return Err(Fail::Usage(format!(
            "unexpected extra argument {:?} (only one {what})",
            v
        )));
    }
    *slot = Some(PathBuf::from(v));
    Ok(())
}

fn cmd_check(p: &mut lexopt::Parser) -> Result<ExitCode, Fail> {
    use lexopt::prelude::*;
    let mut dir = None;
    let mut deny = false;
    while let Some(arg) = p.next()? {
        match arg {
            Short('h') | Long("help") => {
                emit(HELP_CHECK)?;
                return Ok(ExitCode::SUCCESS);
            }
            Long("deny-warnings") => deny = true,
            Value(v) => one_positional(&mut dir, v, "SPEC_DIR")?,
            other => return Err(other.unexpected().into()),
        }
    }
    let dir = dir.unwrap_or_else(|| PathBuf::from("spec"));
    require_dir(&dir)?;
    let (files, diags) = match load::read_dir(&dir) {
        Ok(files) => {
            let diags = match load::parse_files(&files) {
                Ok(spec) => validate::validate(&spec),
                Err(e) => e.diagnostics,
            };
            (files, diags)
        }
        Err(e) => (Vec::new(), e.diagnostics),
    };
    let mut diags = diags;
    diags.sort_by_key(|d| d.severity);
    let mut text = String::new();
    for d in &diags {
        text.push_str(&prefixed(&dir, d));
        text.push('\n');
    }
    emit(&text)?;
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    let c = count(&files);
    say(&format!(
        "checked {}: {} file(s), {} endpoint(s), {} event(s), {} type(s), {} error code(s) ({} distinct)",
        dir.display(),
        c.files,
        c.endpoints,
        c.events,
        c.types,
        c.error_rows,
        c.distinct_codes,
    ));
    let failed = errors > 0 || (deny && warnings > 0);
    say(&format!(
        "{}: {errors} error(s), {warnings} warning(s){}",
        if failed { "FAILED" } else { "ok" },
        if deny && warnings > 0 && errors == 0 {
            " (warnings denied by --deny-warnings)"
        } else {
            ""
        }
    ));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn require_dir(dir: &Path) -> Result<(), Fail> {
    if dir.is_dir() {
        Ok(())
    } else if dir.exists() {
        Err(Fail::Failed(format!(
            "`{}` is not a directory (expected a spec directory)",
            dir.display()
        )))
    } else {
        Err(Fail::Failed(format!(
            "spec directory `{}` does not exist",
            dir.display()
        )))
    }
}

/// The diagnostic with its file given relative to the working directory, so
/// that editors can jump to it.
fn prefixed(dir: &Path, d: &Diagnostic) -> String {
    let mut d = d.clone();
    let f = Path::new(&d.file);
    if f.is_relative() && !f.starts_with(dir) {
        d.file = dir.join(f).display().to_string();
    }
    d.to_string()
}

/// Counts for the summary, read leniently from the raw JSON so that they
/// are there even when a file does not load.
struct Counts {
    files: usize,
    endpoints: usize,
    events: usize,
    types: usize,
    error_rows: usize,
    distinct_codes: usize,
}

fn count(files: &[(String, String)]) -> Counts {
    let mut c = Counts {
        files: files.len(),
        endpoints: 0,
        events: 0,
        types: 0,
        error_rows: 0,
        distinct_codes: 0,
    };
    let mut codes = BTreeSet::new();
    for (name, text) in files {
        let v: Json = serde_json::from_str(text).unwrap_or(Json::Null);
        let list = |key: &str| {
            v.get(key)
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default()
        };
        if name.starts_with("endpoints/") {
            c.endpoints += 1;
        }
        if name.starts_with("events/") {
            c.events += 1;
        }
        c.types += list("types").len();
        for e in list("errors").iter().chain(list("platform_errors").iter()) {
            c.error_rows += 1;
            codes.insert(e.get("code").map(Json::to_string).unwrap_or_default());
        }
    }
    c.distinct_codes = codes.len();
    c
}

/// Loads and validates `dir`; on errors prints them on stderr and fails.
fn load_checked(dir: &Path) -> Result<load::Spec, Fail> {
    require_dir(dir)?;
    match helpdesk_spec::check_dir(dir) {
        Ok(checked) => {
            for w in &checked.warnings {
                say(&prefixed(dir, w));
            }
            Ok(checked.spec)
        }
        Err(e) => {
            for d in &e.diagnostics {
                say(&prefixed(dir, d));
            }
            let n = e.errors().count();
            Err(Fail::Failed(format!(
                "the spec in {} has {n} error(s); see `helpdesk-spec check {}`",
                dir.display(),
                dir.display()
            )))
        }
    }
}

fn cmd_expand(p: &mut lexopt::Parser) -> Result<ExitCode, Fail> {
    use lexopt::prelude::*;
    let mut dir = None;
    let mut endpoint = None;
    let mut out = None;
    while let Some(arg) = p.next()? {
        match arg {
            Short('h') | Long("help") => {
                emit(HELP_EXPAND)?;
                return Ok(ExitCode::SUCCESS);
            }
            Short('e') | Long("endpoint") => endpoint = Some(p.value()?.string()?),
            Short('o') | Long("output") => out = Some(PathBuf::from(p.value()?)),
            Value(v) => one_positional(&mut dir, v, "SPEC_DIR")?,
            other => return Err(other.unexpected().into()),
        }
    }
    let dir = dir.unwrap_or_else(|| PathBuf::from("spec"));
    let mut spec = load_checked(&dir)?;
    if let Some(id) = &endpoint {
        spec = filter::only_endpoint(&spec, id).map_err(|known| {
            Fail::Failed(format!(
                "unknown endpoint `{id}`; the spec in {} has: {}",
                dir.display(),
                if known.is_empty() {
                    "no endpoints".to_string()
                } else {
                    known.join(", ")
                }
            ))
        })?;
    }
    let code = helpdesk_codegen::generate(&spec);
    output(out.as_deref(), &code)?;
    Ok(ExitCode::SUCCESS)
}

fn cmd_openapi(p: &mut lexopt::Parser) -> Result<ExitCode, Fail> {
    use lexopt::prelude::*;
    let mut dir = None;
    let mut out = None;
    while let Some(arg) = p.next()? {
        match arg {
            Short('h') | Long("help") => {
                emit(HELP_OPENAPI)?;
                return Ok(ExitCode::SUCCESS);
            }
            Short('o') | Long("output") => out = Some(PathBuf::from(p.value()?)),
            Value(v) => one_positional(&mut dir, v, "SPEC_DIR")?,
            other => return Err(other.unexpected().into()),
        }
    }
    let dir = dir.unwrap_or_else(|| PathBuf::from("spec"));
    let spec = load_checked(&dir)?;
    let doc = helpdesk_tools::openapi::document(&spec);
    let text = serde_json::to_string_pretty(&doc)
        .map_err(|e| Fail::Failed(format!("cannot serialize: {e}")))?;
    output(out.as_deref(), &format!("{text}\n"))?;
    let paths = doc
        .get("paths")
        .and_then(Json::as_object)
        .map_or(0, |m| m.len());
    say(&format!("exported {paths} path(s) as OpenAPI 3.1"));
    Ok(ExitCode::SUCCESS)
}

fn cmd_sdk_diff(p: &mut lexopt::Parser) -> Result<ExitCode, Fail> {
    use helpdesk_tools::sdk_ref;
    use lexopt::prelude::*;
    let mut reference = None;
    let mut dir = None;
    let mut node_path: Option<PathBuf> = None;
    while let Some(arg) = p.next()? {
        match arg {
            Short('h') | Long("help") => {
                emit(HELP_SDK_DIFF)?;
                return Ok(ExitCode::SUCCESS);
            }
            Long("node") => node_path = Some(PathBuf::from(p.value()?)),
            Value(v) if reference.is_none() => reference = Some(PathBuf::from(v)),
            Value(v) => one_positional(&mut dir, v, "SPEC_DIR")?,
            other => return Err(other.unexpected().into()),
        }
    }
    let Some(reference) = reference else {
        return Err(Fail::Usage(
            "missing REFERENCE (an SDK facts JSON file)".into(),
        ));
    };
    let dir = dir.unwrap_or_else(|| PathBuf::from("spec"));
    let read = |path: &Path| {
        std::fs::read_to_string(path)
            .map_err(|e| Fail::Failed(format!("cannot read {}: {e}", path.display())))
    };
    let facts = sdk_ref::parse_reference(&read(&reference)?)
        .map_err(|e| Fail::Failed(format!("{}: {e}", reference.display())))?;
    let node = match &node_path {
        Some(path) => Some(
            sdk_ref::parse_node_reference(&read(path)?)
                .map_err(|e| Fail::Failed(format!("{}: {e}", path.display())))?,
        ),
        None => None,
    };
    let spec = load_checked(&dir)?;
    let report = sdk_ref::compare(&spec, &facts, node.as_ref());
    let mut out = String::new();
    for f in &report.findings {
        let kind = if f.explained_by.is_some() {
            "explained"
        } else {
            "unexplained"
        };
        out.push_str(&format!("{kind}: {f}\n"));
    }
    for s in &report.stale {
        out.push_str(&format!("stale: {s}\n"));
    }
    emit(&out)?;
    if !report.spec_only.is_empty() {
        say(&format!(
            "only in the spec: {}",
            report.spec_only.join(", ")
        ));
    }
    if !report.node_absent.is_empty() {
        say(&format!(
            "optional Node inputs the spec does not have (see the `field` findings): {}",
            report.node_absent.join(", ")
        ));
    }
    let mut lines = vec![format!(
        "{:<10} {:>8} {:>8} {:>10} {:>12}",
        "aspect", "compared", "differ", "explained", "unexplained"
    )];
    for (aspect, t) in &report.tally {
        lines.push(format!(
            "{:<10} {:>8} {:>8} {:>10} {:>12}",
            aspect.as_str(),
            t.compared,
            t.differ,
            t.explained,
            t.differ - t.explained
        ));
    }
    say(&lines.join("\n"));
    let bad = report.unexplained().count();
    let stale = report.stale.len();
    let failed = bad > 0 || stale > 0;
    say(&format!(
        "{}: compared {} endpoint(s), {} event(s) and {} of {} named type(s) of {}{}: {bad} unexplained, {} explained difference(s), {stale} stale sdk_items entr{}",
        if failed { "FAILED" } else { "ok" },
        report.endpoints,
        report.events,
        report.sdk_types.len(),
        facts.types.len(),
        reference.display(),
        match &node_path {
            Some(p) => format!(" and the inputs of {}", p.display()),
            None => " (no --node: required flags and enums not compared)".into(),
        },
        report.findings.len() - bad,
        if stale == 1 { "y" } else { "ies" },
    ));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The `*.md` and `*.txt` files of a directory as `(file stem, text)`, sorted.
fn read_pages(dir: &Path) -> Result<Vec<(String, String)>, Fail> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Fail::Failed(format!("cannot read {}: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "md" || x == "txt"))
        .collect();
    paths.sort();
    let mut pages = Vec::new();
    for p in paths {
        let bytes = std::fs::read(&p)
            .map_err(|e| Fail::Failed(format!("cannot read {}: {e}", p.display())))?;
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        pages.push((stem, String::from_utf8_lossy(&bytes).into_owned()));
    }
    if pages.is_empty() {
        return Err(Fail::Failed(format!(
            "{} has no *.md or *.txt pages",
            dir.display()
        )));
    }
    Ok(pages)
}

fn cmd_conform(p: &mut lexopt::Parser) -> Result<ExitCode, Fail> {
    use helpdesk_tools::conform;
    use lexopt::prelude::*;
    let mut docs = None;
    let mut dir = None;
    let mut list = false;
    let mut crawled = false;
    while let Some(arg) = p.next()? {
        match arg {
            Short('h') | Long("help") => {
                emit(HELP_CONFORM)?;
                return Ok(ExitCode::SUCCESS);
            }
            Long("spec") => dir = Some(PathBuf::from(p.value()?)),
            Long("deviations") => list = true,
            Long("crawled") => crawled = true,
            Value(v) => one_positional(&mut docs, v, "DOCS_DIR")?,
            other => return Err(other.unexpected().into()),
        }
    }
    let Some(docs) = docs else {
        return Err(Fail::Usage(
            "conform needs a DOCS_DIR (a folder of doc pages)".into(),
        ));
    };
    let dir = dir.unwrap_or_else(|| PathBuf::from("spec"));
    let spec = load_checked(&dir)?;
    let mut pages = read_pages(&docs)?;
    if crawled {
        for (_, text) in &mut pages {
            if helpdesk_tools::crawl::is_markdown(text) {
                *text = helpdesk_tools::crawl::to_crawled_text(text);
            }
        }
    }
    let report = conform::conform(&pages, &spec);
    let mut out = String::new();
    for d in &report.differences {
        let kind = if d.explained_by.is_some() {
            "explained"
        } else {
            "unexplained"
        };
        out.push_str(&format!("{kind}: {d}\n"));
    }
    emit(&out)?;
    for (page, e) in &report.failed {
        say(&format!("error: {page}: cannot import: {e}"));
    }
    if !report.skipped.is_empty() {
        say(&format!(
            "skipped (not endpoint or event pages): {}",
            report.skipped.join(", ")
        ));
    }
    if !report.spec_only.is_empty() {
        say(&format!(
            "in the spec, with no page: {}",
            report.spec_only.join(", ")
        ));
    }
    let level = if report.stale_fails() > 0 {
        "error"
    } else {
        "warning"
    };
    for r in report.stale() {
        say(&format!(
            "{level}: stale doc deviation (explains nothing): {}",
            r.line()
        ));
    }
    if list {
        for r in &report.deviations {
            say(&format!(
                "deviation ({} explained): {}",
                r.explained,
                r.line()
            ));
        }
    }
    for line in report.summary() {
        say(&line);
    }
    let bad = report.unexplained().count();
    say(&format!(
        "{}: compared {} page(s) of {} with {}: {bad} unexplained, {} explained difference(s), {} stale deviation(s), {} page(s) not imported",
        if report.ok() { "ok" } else { "FAILED" },
        report.pages,
        docs.display(),
        dir.display(),
        report.differences.len() - bad,
        report.stale().count(),
        report.failed.len(),
    ));
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn cmd_crawl(p: &mut lexopt::Parser) -> Result<ExitCode, Fail> {
    use lexopt::prelude::*;
    let mut page = None;
    let mut out: Option<PathBuf> = None;
    while let Some(arg) = p.next()? {
        match arg {
            Short('h') | Long("help") => {
                emit(HELP_CRAWL)?;
                return Ok(ExitCode::SUCCESS);
            }
            Short('o') | Long("output") => out = Some(PathBuf::from(p.value()?)),
            Value(v) => one_positional(&mut page, v, "PAGE.md")?,
            other => return Err(other.unexpected().into()),
        }
    }
    let Some(page) = page else {
        return Err(Fail::Usage(
            "crawl needs a PAGE.md (a doc page in the markdown form)".into(),
        ));
    };
    let bytes = std::fs::read(&page)
        .map_err(|e| Fail::Failed(format!("cannot read {}: {e}", page.display())))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Fail::Failed(format!("{} is not UTF-8 text", page.display())))?;
    output(
        out.as_deref(),
        &helpdesk_tools::crawl::to_crawled_text(&text),
    )?;
    Ok(ExitCode::SUCCESS)
}

fn cmd_import(p: &mut lexopt::Parser) -> Result<ExitCode, Fail> {
    use lexopt::prelude::*;
    let mut page = None;
    let mut out = None;
    let mut out_dir: Option<PathBuf> = None;
    let mut name = None;
    let mut into: Option<PathBuf> = None;
    let mut sdk_reference: Option<PathBuf> = None;
    while let Some(arg) = p.next()? {
        match arg {
            Short('h') | Long("help") => {
                emit(HELP_IMPORT)?;
                return Ok(ExitCode::SUCCESS);
            }
            Long("into") => into = Some(PathBuf::from(p.value()?)),
            Long("sdk-reference") => sdk_reference = Some(PathBuf::from(p.value()?)),
            Short('o') | Long("output") => out = Some(PathBuf::from(p.value()?)),
            Long("out-dir") => out_dir = Some(PathBuf::from(p.value()?)),
            Long("name") => name = Some(p.value()?.string()?),
            Value(v) => one_positional(&mut page, v, "PAGE")?,
            other => return Err(other.unexpected().into()),
        }
    }
    let Some(page) = page else {
        return Err(Fail::Usage("import needs a PAGE (a doc page file)".into()));
    };
    let bytes = std::fs::read(&page)
        .map_err(|e| Fail::Failed(format!("cannot read {}: {e}", page.display())))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Fail::Failed(format!(
            "{} is not UTF-8 text, so not a doc page",
            page.display()
        ))
    })?;
    let draft = helpdesk_tools::import::import_page_with(
        &text,
        name.as_deref(),
        page.file_stem().and_then(|s| s.to_str()),
        &sibling_refs(&page),
    )
    .map_err(|e| Fail::Failed(format!("cannot import {}: {e}", page.display())))?;
    for note in &draft.notes {
        say(&format!("note: {note}"));
    }
    if let Some(dir) = &into {
        if out.is_some() || out_dir.is_some() {
            return Err(Fail::Usage(
                "--into goes alone, without -o or --out-dir".into(),
            ));
        }
        return import_into(
            &page,
            &draft,
            dir,
            name.as_deref(),
            sdk_reference.as_deref(),
        );
    }
    let json = |v: &Json| serde_json::to_string_pretty(v).map(|s| s + "\n");
    let whole = serde_json::json!({ "endpoint": draft.endpoint, "types": draft.types });
    let text = json(&whole).map_err(|e| Fail::Failed(format!("cannot serialize: {e}")))?;
    if let Some(d) = &out_dir {
        let main_dir = match draft.kind {
            helpdesk_tools::import::DraftKind::Endpoint => "endpoints",
            helpdesk_tools::import::DraftKind::Event => "events",
        };
        for (sub, v) in [(main_dir, &draft.endpoint), ("types", &draft.types)] {
            let sd = d.join(sub);
            std::fs::create_dir_all(&sd)
                .map_err(|e| Fail::Failed(format!("cannot create {}: {e}", sd.display())))?;
            let f = sd.join(format!("{}.json", draft.id));
            let t = json(v).map_err(|e| Fail::Failed(format!("cannot serialize: {e}")))?;
            std::fs::write(&f, t)
                .map_err(|e| Fail::Failed(format!("cannot write {}: {e}", f.display())))?;
            say(&format!("wrote {}", f.display()));
        }
    }
    if out.is_some() || out_dir.is_none() {
        output(out.as_deref(), &text)?;
    }
    say(&format!(
        "imported {} as a draft of {} {}",
        page.display(),
        kind_word(&draft),
        draft.id
    ));
    Ok(ExitCode::SUCCESS)
}

/// The reference pages among the doc pages beside `page`, markdown (`.md`)
/// or crawled text (`.txt`); unreadable files are passed over: they are not
/// the page being imported.
fn sibling_refs(page: &Path) -> helpdesk_tools::import::RefPages {
    let dir = match page.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let texts: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p != page && p.extension().is_some_and(|x| x == "md" || x == "txt"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    helpdesk_tools::import::RefPages::from_texts(texts.iter().map(String::as_str))
}

fn kind_word(draft: &helpdesk_tools::import::Draft) -> &'static str {
    match draft.kind {
        helpdesk_tools::import::DraftKind::Endpoint => "endpoint",
        helpdesk_tools::import::DraftKind::Event => "event",
    }
}

/// `import PAGE --into DIR`: merges the draft into the spec directory and checks it.
fn import_into(
    page: &Path,
    draft: &helpdesk_tools::import::Draft,
    dir: &Path,
    name: Option<&str>,
    sdk_reference: Option<&Path>,
) -> Result<ExitCode, Fail> {
    use helpdesk_tools::import::DraftKind;
    use helpdesk_tools::into;
    require_dir(dir)?;
    let files = load::read_dir(dir).map_err(|e| {
        for d in &e.diagnostics {
            say(&prefixed(dir, d));
        }
        Fail::Failed(format!("cannot read the spec in {}", dir.display()))
    })?;
    let files: into::SpecFiles = files
        .into_iter()
        .map(|(n, t)| {
            let v = serde_json::from_str(&t).unwrap_or(Json::Null);
            (n, v)
        })
        .collect();
    let id = match (draft.kind, name) {
        (DraftKind::Event, _) => draft.id.clone(),
        (DraftKind::Endpoint, Some(n)) => n.to_string(),
        (DraftKind::Endpoint, None) => {
            let known: Vec<into::Known> = files
                .iter()
                .filter(|(n, _)| n.starts_with("endpoints/"))
                .map(|(_, v)| into::Known {
                    resource: v["resource"].as_str().unwrap_or("").into(),
                    operation: v["operation"].as_str().unwrap_or("").into(),
                    method: v["method"].as_str().unwrap_or("").into(),
                    path: v["path"].as_str().unwrap_or("").into(),
                })
                .collect();
            let reference = sdk_reference.map(Path::to_path_buf).or_else(|| {
                let d = dir.join("../tests/reference/helpdesk_v1_python.json");
                d.is_file().then_some(d)
            });
            let facts = match &reference {
                None => None,
                Some(f) => {
                    let text = std::fs::read_to_string(f)
                        .map_err(|e| Fail::Failed(format!("cannot read {}: {e}", f.display())))?;
                    Some(
                        helpdesk_tools::sdk_ref::parse_reference(&text)
                            .map_err(|e| Fail::Failed(format!("{}: {e}", f.display())))?,
                    )
                }
            };
            let method = draft.endpoint["method"].as_str().unwrap_or("");
            let path = draft.endpoint["path"].as_str().unwrap_or("");
            let (id, source) =
                into::endpoint_id(method, path, &known, facts.as_ref()).ok_or_else(|| {
                    Fail::Failed(format!(
                        "cannot name {method} {path}: pass --name resource.operation"
                    ))
                })?;
            say(&format!(
                "endpoint id {id} ({})",
                match source {
                    into::IdSource::Spec => "the spec's, for this method and path",
                    into::IdSource::Sdk => "the SDK's name for this method and path",
                    into::IdSource::Rule => "from the path",
                }
            ));
            id
        }
    };
    let merged = into::merge(draft, &files, &id);
    for n in &merged.notes {
        say(&format!("note: {n}"));
    }
    for (d, e) in &merged.reused {
        say(&format!("reused type {e} for the page's {d}"));
    }
    for (rel, text) in &merged.files {
        let f = dir.join(rel);
        if let Some(parent) = f.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Fail::Failed(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&f, text)
            .map_err(|e| Fail::Failed(format!("cannot write {}: {e}", f.display())))?;
        say(&format!("wrote {}", f.display()));
    }
    match helpdesk_spec::check_dir(dir) {
        Ok(c) => {
            say(&format!(
                "imported {} into {} as {} {id}; check passes ({} warning(s))",
                page.display(),
                dir.display(),
                kind_word(draft),
                c.warnings.len()
            ));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            for d in &e.diagnostics {
                say(&prefixed(dir, d));
            }
            Err(Fail::Failed(format!(
                "wrote {} {id} into {}, but the spec now has {} error(s): review them",
                kind_word(draft),
                dir.display(),
                e.errors().count()
            )))
        }
    }
}
