//! The fuzz targets as an ordinary test, for machines without a nightly
//! toolchain: every saved corpus input (`fuzz/corpus/<target>/`), every
//! saved crash input (`fuzz/regressions/<target>/`), then inputs from a
//! fixed-seed generator until a time or count budget runs out.
//!
//! - `FUZZ_SMOKE_SECONDS` (default 5): time budget per target for the
//!   generated inputs (the saved corpus always runs whole);
//! - `FUZZ_SMOKE_SEED` (default 1): the generator's seed;
//! - `FUZZ_SMOKE_MAX` (default 100000): most generated inputs per target.
//!
//! Each target prints `fuzz-smoke <target>: N executions (…)`.
//! `cargo test -p helpdesk-fuzz-targets --test smoke -- --ignored write_seed_corpus`
//! rewrites the seed corpus from `spec/`.

use helpdesk_fuzz_targets as ft;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn saved_inputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_file() {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                if name.starts_with('.') || name.ends_with(".md") {
                    continue;
                }
                out.push((name, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Runs one input on a thread with libFuzzer's stack size (8 MiB, the main
/// thread's), so that a stack overflow shows the same as under libFuzzer.
fn run_one(target: &'static str, what: &str, data: Vec<u8>) {
    let res = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || ft::run(target, &data))
        .unwrap()
        .join();
    if res.is_err() {
        panic!("fuzz target {target} failed on {what}");
    }
}

/// A generated input for `target`: random bytes, JSON-ish token soup, or a
/// mutation of a real input.
fn generate(target: &str, rng: &mut ft::Rng, corpus: &[(String, Vec<u8>)]) -> Vec<u8> {
    let base = || -> Vec<u8> { Vec::new() };
    match rng.below(4) {
        0 => {
            let len = rng.below(256);
            rng.bytes(len)
        }
        1 => {
            const TOKENS: &[&str] = &[
                "{",
                "}",
                "[",
                "]",
                ",",
                ":",
                "\"",
                "\"code\"",
                "\"data\"",
                "\"msg\"",
                "0",
                "-1",
                "1e999",
                "18446744073709551616",
                "null",
                "true",
                "\"schema\"",
                "\"2.0\"",
                "\"header\"",
                "\"event\"",
                "\"encrypt\"",
                "\"token\"",
                "\"type\"",
                "\\u0000",
                "\\ud800",
                "\u{ff}",
                "\"name\"",
                "\"fields\"",
                "\"type\":\"string\"",
            ];
            let mut v = base();
            if target == "spec" || target == "reply" {
                v.push(rng.next_u64() as u8);
            }
            if target == "spec" {
                v.push(rng.next_u64() as u8);
            }
            for _ in 0..rng.below(64) {
                v.extend_from_slice(rng.pick(TOKENS).as_bytes());
            }
            v
        }
        _ if !corpus.is_empty() => {
            let (_, seed) = rng.pick(corpus);
            let mut v = seed.clone();
            match target {
                // spec_mutate: its bytes already steer the mutations
                "spec_mutate" => {
                    for b in v.iter_mut() {
                        if rng.one_in(3) {
                            *b = rng.next_u64() as u8;
                        }
                    }
                    let n = rng.below(8);
                    v.extend(rng.bytes(n));
                }
                _ => {
                    let skip = match target {
                        "spec" => 2,
                        "reply" => 1,
                        _ => 0,
                    }
                    .min(v.len());
                    let (head, body) = v.split_at(skip);
                    let text = String::from_utf8_lossy(body).into_owned();
                    let text = match serde_json::from_str::<serde_json::Value>(&text) {
                        Ok(mut value) if rng.below(3) > 0 => {
                            let rounds = 1 + rng.below(3);
                            ft::mutate_value(&mut value, rng, rounds);
                            value.to_string()
                        }
                        _ => ft::mutate_text(text, rng),
                    };
                    let mut out = head.to_vec();
                    if target == "reply" && rng.one_in(4) {
                        out = vec![rng.next_u64() as u8];
                    }
                    out.extend_from_slice(text.as_bytes());
                    v = out;
                }
            }
            v
        }
        _ => rng.bytes(16),
    }
}

fn smoke(target: &'static str) {
    let dir = fuzz_dir();
    let corpus = saved_inputs(&dir.join("corpus").join(target));
    let regressions = saved_inputs(&dir.join("regressions").join(target));
    let started = Instant::now();
    for (name, data) in corpus.iter().chain(&regressions) {
        run_one(target, name, data.clone());
    }
    let saved = corpus.len() + regressions.len();
    let budget = Duration::from_secs(env_num("FUZZ_SMOKE_SECONDS", 5));
    let max = env_num("FUZZ_SMOKE_MAX", 100_000);
    let seed = env_num("FUZZ_SMOKE_SEED", 1);
    let mut rng = ft::Rng::new(seed ^ target.len() as u64);
    let gen_started = Instant::now();
    let mut generated = 0u64;
    while generated < max && gen_started.elapsed() < budget {
        let data = generate(target, &mut rng, &corpus);
        let what = format!("generated input #{generated} (seed {seed})");
        let keep = data.clone();
        let res = std::panic::catch_unwind(|| run_one(target, &what, data));
        if res.is_err() {
            let p = std::env::temp_dir().join(format!("fuzz-smoke-{target}-{seed}-{generated}"));
            let _ = std::fs::write(&p, &keep);
            panic!("{target}: {what} failed; input saved as {}", p.display());
        }
        generated += 1;
    }
    eprintln!(
        "fuzz-smoke {target}: {} executions ({saved} saved + {generated} generated, seed {seed}) in {:.1}s, 0 failures",
        saved as u64 + generated,
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn spec() {
    smoke("spec");
}

#[test]
fn spec_mutate() {
    smoke("spec_mutate");
}

#[test]
fn reply() {
    smoke("reply");
}

#[test]
fn events() {
    smoke("events");
}

#[test]
fn the_reply_target_covers_every_endpoint_of_the_spec() {
    let mut want: Vec<String> = ft::spec_files()
        .iter()
        .filter_map(|(n, _)| n.strip_prefix("endpoints/"))
        .map(|n| n.trim_end_matches(".json").to_string())
        .collect();
    want.sort();
    let mut got: Vec<String> = ft::ENDPOINT_IDS.iter().map(|s| s.to_string()).collect();
    got.sort();
    assert_eq!(got, want);
    assert_eq!(got.len(), 50);
}

#[test]
fn deeply_nested_json_is_a_located_error_not_a_stack_overflow() {
    for depth in [129usize, 100_000] {
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let obj = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        for text in [&deep, &obj] {
            for role in 0..4 {
                run_one(
                    "spec",
                    "deep nesting",
                    ft::spec_input(role, 0, text.as_bytes()),
                );
                run_one(
                    "spec",
                    "deep nesting",
                    ft::spec_input(role, 255, text.as_bytes()),
                );
            }
            let mut reply = vec![0u8];
            reply.extend_from_slice(format!("{{\"code\":0,\"data\":{text}}}").as_bytes());
            run_one("reply", "deep nesting", reply);
            run_one(
                "reply",
                "deep nesting",
                [&[0u8][..], obj.as_bytes()].concat(),
            );
            run_one("events", "deep nesting", text.as_bytes().to_vec());
        }
    }
}

/// Rewrites the seed corpus: every spec file (for `spec`, with its role and
/// index bytes; for `spec_mutate`, its selector byte), every example reply,
/// and the sample event callbacks.
#[test]
#[ignore = "rewrites fuzz/corpus; run by hand"]
fn write_seed_corpus() {
    let root = fuzz_dir().join("corpus");
    let write = |target: &str, name: &str, data: &[u8]| {
        let d = root.join(target);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(name), data).unwrap();
    };
    let files = ft::spec_files();
    let mut per_role = [0usize; 4];
    for (i, (name, text)) in files.iter().enumerate() {
        let role = ft::SPEC_ROLES
            .iter()
            .rposition(|r| !r.is_empty() && name.starts_with(r))
            .unwrap_or(0);
        let seed_name = name.replace('/', "_");
        write(
            "spec",
            &seed_name,
            &ft::spec_input(role, per_role[role], text.as_bytes()),
        );
        per_role[role] += 1;
        write("spec_mutate", &seed_name, &[i as u8, 1, 1]);
        if let Some(rest) = name.strip_prefix("endpoints/") {
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            if let Some(ex) = v.get("example_response") {
                let mut data = vec![0u8];
                data.extend_from_slice(ex.to_string().as_bytes());
                write("reply", rest, &data);
            }
        }
    }
    write(
        "reply",
        "error_envelope",
        b"\x05{\"code\":154004,\"msg\":\"not found\",\"error\":{\"log_id\":\"x\"}}",
    );
    write(
        "reply",
        "html_502",
        b"\x0b<html><body>502 Bad Gateway</body></html>",
    );
    write(
        "reply",
        "code_string",
        b"\x00{\"code\":\"0\",\"msg\":\"ok\",\"data\":{}}",
    );
    write(
        "reply",
        "data_array",
        b"\x00{\"code\":0,\"msg\":\"ok\",\"data\":[]}",
    );
    for (name, text) in files.iter().filter(|(n, _)| n.starts_with("events/")) {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        let Some(mut example) = v.get("example").cloned() else {
            continue;
        };
        // the example carries the doc's token: use the one the target checks
        if let Some(h) = example.get_mut("header") {
            h["token"] = ft::EVENT_VERIFICATION_TOKEN.into();
        }
        let event_type = name.trim_start_matches("events/").trim_end_matches(".json");
        write("events", event_type, example.to_string().as_bytes());
    }
    let url = serde_json::json!({
        "type": "url_verification", "challenge": "c", "token": ft::EVENT_VERIFICATION_TOKEN
    });
    write("events", "url_verification", url.to_string().as_bytes());
}
