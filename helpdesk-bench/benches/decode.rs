//! Item 1: the seed endpoint's example reply decoded into the generated
//! types (through `runtime::decode_reply`, the code `send_with` runs) vs into
//! `serde_json::Value` vs into minimal hand-written serde structs.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use helpdesk_bench::{decode_generated, decode_hand, decode_one_pass, decode_value, example_reply};
use std::hint::black_box;
use std::time::Duration;

fn decode(c: &mut Criterion) {
    let body = example_reply();
    // The three decoders agree on the content.
    let g = decode_generated(&body).expect("generated decodes");
    let h = decode_hand(&body).expect("hand-written decodes");
    assert_eq!(
        g.notification.as_ref().map(|n| n.job_name.as_str()),
        h.notification.as_ref().map(|n| n.job_name.as_str())
    );
    decode_value(&body).expect("Value decodes");

    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.measurement_time(Duration::from_secs(5));
    group.sample_size(200);
    group.bench_function("hand_written", |b| {
        b.iter(|| decode_hand(black_box(&body)).unwrap())
    });
    group.bench_function("generated", |b| {
        b.iter(|| decode_generated(black_box(&body)).unwrap())
    });
    group.bench_function("one_pass_prototype", |b| {
        b.iter(|| {
            decode_one_pass::<helpdesk_api::notification::GetResponse>(200, black_box(&body))
                .unwrap()
        })
    });
    group.bench_function("value", |b| {
        b.iter(|| decode_value(black_box(&body)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
