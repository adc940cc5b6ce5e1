//! Item 3: the generator on the whole spec: load + validate + generate +
//! format (`check_dir` + `generate`, what build.rs runs), and each stage
//! alone to say what dominates.

use criterion::{Criterion, criterion_group, criterion_main};
use helpdesk_bench::spec_dir;
use helpdesk_codegen::{check_dir, generate, ir};
use helpdesk_spec::{load, validate};
use std::hint::black_box;
use std::time::Duration;

fn codegen(c: &mut Criterion) {
    let dir = spec_dir();
    let files = load::read_dir(&dir).expect("spec reads");
    let spec = load::parse_files(&files).expect("spec parses");
    let api = ir::build(&spec);
    let tokens = helpdesk_codegen::emit::tokens(&api);
    let file = syn::parse2::<syn::File>(tokens.clone()).expect("tokens parse");

    let mut group = c.benchmark_group("codegen");
    group.measurement_time(Duration::from_secs(10));
    group.sample_size(30);
    group.bench_function("full", |b| {
        b.iter(|| {
            let checked = check_dir(black_box(&dir)).expect("spec checks");
            generate(&checked.spec)
        })
    });
    group.bench_function("read_files", |b| {
        b.iter(|| load::read_dir(black_box(&dir)).unwrap())
    });
    group.bench_function("parse", |b| {
        b.iter(|| load::parse_files(black_box(&files)).unwrap())
    });
    group.bench_function("validate", |b| {
        b.iter(|| validate::validate(black_box(&spec)))
    });
    group.bench_function("ir", |b| b.iter(|| ir::build(black_box(&spec))));
    group.bench_function("tokens", |b| {
        b.iter(|| helpdesk_codegen::emit::tokens(black_box(&api)))
    });
    group.bench_function("syn_parse", |b| {
        b.iter(|| syn::parse2::<syn::File>(black_box(tokens.clone())).unwrap())
    });
    // What `emit::render` does today: parse a clone while the original
    // stream is still alive (shared, so syn copies every token out of it) ...
    // ... vs parsing a stream nobody else holds.
    group.bench_function("syn_parse_unshared", |b| {
        b.iter_batched(
            || helpdesk_codegen::emit::tokens(&api),
            |t| syn::parse2::<syn::File>(t).unwrap(),
            criterion::BatchSize::PerIteration,
        )
    });
    group.bench_function("prettyplease", |b| {
        b.iter(|| prettyplease::unparse(black_box(&file)))
    });
    group.finish();
}

criterion_group!(benches, codegen);
criterion_main!(benches);
