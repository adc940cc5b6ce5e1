//! Item 2: one `notification.get` through the generated client vs the same
//! request hand-written with reqwest + serde_json, sequential and with 64
//! requests in flight, against two loopback servers: a minimal fixed-reply
//! hyper server (`fixed`) and the spec-driven mock (`mock`). The client's
//! rate limiter is off (`rate_limiter(false)`), retries at their default.
//! The servers run on their own thread; the clients on a current-thread
//! runtime (sequential) or a 2-worker runtime (concurrent).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use helpdesk_bench::{
    Baseline, FixedServer, MockThread, call_baseline, call_generated, concurrent_baseline,
    concurrent_generated, example_reply, generated_client,
};
use std::time::{Duration, Instant};

fn bench_server(c: &mut Criterion, name: &str, base_url: &str) {
    let seq = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = generated_client(base_url);
    let baseline = Baseline::new(base_url);
    // Connections are opened (and checked) before measuring.
    seq.block_on(async {
        call_generated(&client).await;
        call_baseline(&baseline).await;
    });

    let mut group = c.benchmark_group(format!("call_{name}_sequential"));
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(8));
    group.sample_size(60);
    group.bench_function("hand_written", |b| {
        b.iter_custom(|n| {
            seq.block_on(async {
                let t = Instant::now();
                for _ in 0..n {
                    call_baseline(&baseline).await;
                }
                t.elapsed()
            })
        })
    });
    group.bench_function("generated", |b| {
        b.iter_custom(|n| {
            seq.block_on(async {
                let t = Instant::now();
                for _ in 0..n {
                    call_generated(&client).await;
                }
                t.elapsed()
            })
        })
    });
    group.finish();

    // A pooled connection lives on the runtime that opened it: the
    // concurrent runs get their own clients (and pools) on their runtime.
    let client = generated_client(base_url);
    let baseline = Baseline::new(base_url);
    multi.block_on(async {
        concurrent_generated(&client, 64).await;
        concurrent_baseline(&baseline, 64).await;
    });

    let mut group = c.benchmark_group(format!("call_{name}_concurrent64"));
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(8));
    group.sample_size(40);
    group.bench_function("hand_written", |b| {
        b.iter_custom(|n| {
            multi.block_on(async {
                let t = Instant::now();
                concurrent_baseline(&baseline, n).await;
                t.elapsed()
            })
        })
    });
    group.bench_function("generated", |b| {
        b.iter_custom(|n| {
            multi.block_on(async {
                let t = Instant::now();
                concurrent_generated(&client, n).await;
                t.elapsed()
            })
        })
    });
    group.finish();
}

fn call(c: &mut Criterion) {
    let fixed = FixedServer::start(example_reply());
    bench_server(c, "fixed", &fixed.base_url());
    drop(fixed);
    let mock = MockThread::start();
    bench_server(c, "mock", mock.base_url());
}

criterion_group!(benches, call);
criterion_main!(benches);
