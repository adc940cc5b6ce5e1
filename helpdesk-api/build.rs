//! Generates the client from the spec at build time (prost-build's model):
//! a spec error fails the build with `file:line:col` diagnostics.
//!
//! The spec directory is found from `CARGO_MANIFEST_DIR` read when the
//! script *runs*, not baked in when it was compiled: a build script compiled
//! in one checkout and reused from a shared target dir by another checkout
//! must read the second checkout's spec.

fn main() {
    let Some(manifest) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        eprintln!("CARGO_MANIFEST_DIR is not set: run through cargo");
        std::process::exit(1);
    };
    // `spec` is a link to the workspace's spec/ (so that a packaged crate
    // carries its spec); fall back to the workspace directory.
    let manifest = std::path::PathBuf::from(manifest);
    let spec = [manifest.join("spec"), manifest.join("../spec")]
        .into_iter()
        .find(|p| p.join("service.json").is_file())
        .unwrap_or_else(|| manifest.join("../spec"));
    if let Err(e) = helpdesk_codegen::Config::new(spec).run() {
        eprintln!("{e}");
        std::process::exit(1);
    }
    // The generator's fixture specs (one feature each), compiled into
    // `helpdesk_api::__fixtures` for the workspace's tests only.
    if std::env::var_os("CARGO_FEATURE_FIXTURE_SPECS").is_some() {
        let Some(out_dir) = std::env::var_os("OUT_DIR") else {
            eprintln!("OUT_DIR is not set: run through cargo");
            std::process::exit(1);
        };
        let fixtures = manifest.join("../helpdesk-codegen/tests/fixtures");
        for name in FIXTURES {
            let out = std::path::Path::new(&out_dir).join(format!("fixture_{name}.rs"));
            if let Err(e) = helpdesk_codegen::Config::new(fixtures.join(name))
                .out_file(out)
                .run()
            {
                eprintln!("fixture {name}: {e}");
                std::process::exit(1);
            }
        }
    }
}

/// The fixture specs under `helpdesk-codegen/tests/fixtures`.
const FIXTURES: [&str; 6] = [
    "binary_reply",
    "enums_events",
    "get_with_body",
    "multi_token",
    "nested_types",
    "paging",
];
