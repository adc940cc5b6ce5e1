//! The fuzz targets of the workspace, as plain functions over bytes.
//!
//! Each target is called by two harnesses:
//!
//! - the libFuzzer harness in `fuzz/` (`cargo +nightly fuzz run <target>`),
//!   when a nightly toolchain and cargo-fuzz are available;
//! - `tests/smoke.rs`, an ordinary test: the saved corpus in
//!   `fuzz/corpus/<target>/`, the saved crash inputs in
//!   `fuzz/regressions/<target>/`, then inputs from a fixed-seed generator
//!   ([`Rng`]) for a bounded time, on any toolchain.
//!
//! A target returns normally when the code under test behaved (a value or a
//! typed, located error) and panics when it did not: a panic, a wrong kind
//! of error, or an error without a location is a finding.
//!
//! | target | input | code under test |
//! |---|---|---|
//! | [`spec`] | role byte, file-index byte, file text | loader + validator + generator |
//! | [`spec_mutate`] | bytes steering JSON-aware mutations of a real spec file | the same |
//! | [`reply`] | status byte, reply body | `decode_reply` of all 50 endpoints |
//! | [`events`] | callback body | `EventDecoder`, plain and encrypted |

#![deny(missing_docs)]

mod endpoints;
mod mutate;
mod rng;
mod targets;

pub use endpoints::{ENDPOINT_IDS, decode_all};
pub use mutate::{mutate_text, mutate_value};
pub use rng::Rng;
pub use targets::{
    EVENT_ENCRYPT_KEY, EVENT_VERIFICATION_TOKEN, SPEC_ROLES, STATUSES, events, reply, spec,
    spec_files, spec_input, spec_mutate,
};

/// The names of the targets (directories under `fuzz/corpus/`).
pub const TARGETS: [&str; 4] = ["spec", "spec_mutate", "reply", "events"];

/// Runs the named target on one input. Panics on an unknown name.
pub fn run(target: &str, data: &[u8]) {
    match target {
        "spec" => spec(data),
        "spec_mutate" => spec_mutate(data),
        "reply" => reply(data),
        "events" => events(data),
        other => panic!("no fuzz target {other:?}"),
    }
}
