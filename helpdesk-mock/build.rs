//! Embeds the repository's `spec/` directory into the library, so that
//! `MockSpec::embedded()` serves exactly the spec the crate was built with.
//! Adding a file under `spec/endpoints/` re-runs this script.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .collect();
    v.sort();
    v
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    // `spec` is a link to the workspace's spec/ (so that the packaged crate
    // carries it); fall back to the workspace directory.
    let spec = [manifest.join("spec"), manifest.join("..").join("spec")]
        .into_iter()
        .find(|p| p.join("service.json").is_file())
        .unwrap_or_else(|| manifest.join("..").join("spec"));
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={}", spec.display());
    let mut entries: Vec<(String, PathBuf)> = Vec::new();
    let service = spec.join("service.json");
    println!("cargo:rerun-if-changed={}", service.display());
    if service.is_file() {
        entries.push(("service.json".to_string(), service));
    }
    for sub in ["types", "endpoints", "events"] {
        let d = spec.join(sub);
        println!("cargo:rerun-if-changed={}", d.display());
        for f in json_files(&d) {
            println!("cargo:rerun-if-changed={}", f.display());
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            entries.push((format!("{sub}/{name}"), f));
        }
    }
    let mut out = String::from(
        "/// The spec files of the repository's `spec/`, as `(name, text)`.\n\
         pub(crate) static EMBEDDED_FILES: &[(&str, &str)] = &[\n",
    );
    for (name, path) in &entries {
        let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            abs.display().to_string()
        );
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let target = out_dir.join("embedded_spec.rs");
    if std::fs::read_to_string(&target).ok().as_deref() != Some(out.as_str()) {
        if let Err(e) = std::fs::write(&target, out) {
            println!("cargo:warning=cannot write {}: {e}", target.display());
        }
    }
}
