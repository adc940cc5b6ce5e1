//! helpdesk-api's build script reads `CARGO_MANIFEST_DIR` when it runs, not
//! when it was compiled: a build script compiled in one checkout and reused
//! (shared `CARGO_TARGET_DIR`, sccache) by a second checkout must generate
//! from the second checkout's spec. This runs the compiled build script
//! itself against a copy of the spec elsewhere.

use std::path::{Path, PathBuf};

/// The newest compiled build script of helpdesk-api in this test's target
/// dir (older ones, left by earlier builds of other sources, are not what
/// this checkout builds).
fn build_scripts() -> Vec<PathBuf> {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<this test> → target/<profile>/build
    let build = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>")
        .join("build");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&build).expect("target/<profile>/build") {
        let dir = entry.expect("entry").path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let script = dir.join(format!(
            "build-script-build{}",
            std::env::consts::EXE_SUFFIX
        ));
        if name.starts_with("helpdesk-api-") && script.is_file() {
            found.push(script);
        }
    }
    let modified = |p: &PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    found.sort_by_key(modified);
    found.into_iter().next_back().into_iter().collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn the_build_script_generates_from_the_checkout_it_runs_in() {
    let scripts = build_scripts();
    assert!(
        !scripts.is_empty(),
        "no compiled build script of helpdesk-api found next to this test"
    );
    let other =
        std::env::temp_dir().join(format!("helpdesk-other-checkout-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&other);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("spec"),
        &other.join("spec"),
    );
    std::fs::create_dir_all(other.join("helpdesk-api")).unwrap();
    // A mark only the copy has.
    let ep = other.join("spec/endpoints/notification.get.json");
    let text = std::fs::read_to_string(&ep).unwrap();
    let marked = text.replacen("\"summary\": \"", "\"summary\": \"OTHER-CHECKOUT ", 1);
    assert_ne!(text, marked);
    std::fs::write(&ep, marked).unwrap();
    for script in &scripts {
        let out = other.join("out");
        std::fs::create_dir_all(&out).unwrap();
        let run = std::process::Command::new(script)
            .env("CARGO_MANIFEST_DIR", other.join("helpdesk-api"))
            .env("OUT_DIR", &out)
            .env_remove("CARGO_FEATURE_FIXTURE_SPECS")
            .output()
            .expect("build script runs");
        assert!(
            run.status.success(),
            "{}: {}",
            script.display(),
            String::from_utf8_lossy(&run.stderr)
        );
        let generated = std::fs::read_to_string(out.join("helpdesk.rs")).unwrap();
        assert!(
            generated.contains("OTHER-CHECKOUT"),
            "{} generated from another spec than the checkout it ran in",
            script.display()
        );
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            stdout.contains(&format!(
                "cargo:rerun-if-changed={}",
                other.join("helpdesk-api").display()
            )),
            "rerun-if-changed does not point into the checkout: {stdout}"
        );
        std::fs::remove_dir_all(&out).unwrap();
    }
    std::fs::remove_dir_all(&other).unwrap();
}
