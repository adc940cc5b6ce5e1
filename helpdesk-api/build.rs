//! Generates the client from `../spec` at build time (prost-build's model):
//! a spec error fails the build with `file:line:col` diagnostics.

fn main() {
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    if let Err(e) = helpdesk_codegen::Config::new(spec).run() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
