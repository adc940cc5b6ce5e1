//! Runs one benchmark case `n` times, for instruction counting under
//! `valgrind --tool=callgrind` (see `scripts/bench.sh`): per-case cost is
//! the difference between two runs with different `n`, divided by the
//! difference of `n`, so start-up costs cancel out.
//!
//! ```text
//! bench-count decode-hand|decode-generated|decode-one-pass|decode-value N
//! bench-count call-hand|call-generated URL N            # sequential
//! bench-count call-hand-64|call-generated-64 URL N      # 64 in flight, 2 workers
//! bench-count codegen N          # check_dir + generate, N times
//! bench-count serve-fixed        # prints its URL, serves until killed
//! bench-count serve-mock         # the same with the mock server
//! ```

use helpdesk_bench::{
    Baseline, FixedServer, MockThread, call_baseline, call_generated, concurrent_baseline,
    concurrent_generated, decode_generated, decode_hand, decode_one_pass, decode_value,
    example_reply, generated_client,
};
use std::hint::black_box;
use std::io::Write;

fn usage() -> ! {
    eprintln!("usage: bench-count decode-hand|decode-generated|decode-one-pass|decode-value N");
    eprintln!("       bench-count call-hand|call-generated|call-hand-64|call-generated-64 URL N");
    eprintln!("       bench-count codegen N");
    eprintln!("       bench-count serve-fixed|serve-mock");
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = |i: usize| -> u64 {
        args.get(i)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| usage())
    };
    match args.first().map(String::as_str) {
        Some("decode-hand") => {
            let body = example_reply();
            for _ in 0..n(1) {
                black_box(decode_hand(black_box(&body)).unwrap());
            }
        }
        Some("decode-generated") => {
            let body = example_reply();
            for _ in 0..n(1) {
                black_box(decode_generated(black_box(&body)).unwrap());
            }
        }
        Some("decode-one-pass") => {
            let body = example_reply();
            for _ in 0..n(1) {
                black_box(
                    decode_one_pass::<helpdesk_api::notification::GetResponse>(
                        200,
                        black_box(&body),
                    )
                    .unwrap(),
                );
            }
        }
        Some("decode-value") => {
            let body = example_reply();
            for _ in 0..n(1) {
                black_box(decode_value(black_box(&body)).unwrap());
            }
        }
        Some(which @ ("call-hand" | "call-generated")) => {
            let url = args.get(1).unwrap_or_else(|| usage()).clone();
            let count = n(2);
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if which == "call-hand" {
                    let b = Baseline::new(&url);
                    for _ in 0..count {
                        call_baseline(&b).await;
                    }
                } else {
                    let c = generated_client(&url);
                    for _ in 0..count {
                        call_generated(&c).await;
                    }
                }
            });
        }
        Some("codegen") => {
            // CPU time per run: `time bench-count codegen N` (user+sys / N).
            let dir = helpdesk_bench::spec_dir();
            for _ in 0..n(1) {
                let checked = helpdesk_codegen::check_dir(&dir).expect("spec checks");
                black_box(helpdesk_codegen::generate(&checked.spec));
            }
        }
        Some("serve-fixed") => {
            let s = FixedServer::start(example_reply());
            println!("{}", s.base_url());
            std::io::stdout().flush().unwrap();
            loop {
                std::thread::park();
            }
        }
        Some("serve-mock") => {
            let s = MockThread::start();
            println!("{}", s.base_url());
            std::io::stdout().flush().unwrap();
            loop {
                std::thread::park();
            }
        }
        Some(which @ ("call-hand-64" | "call-generated-64")) => {
            let url = args.get(1).unwrap_or_else(|| usage()).clone();
            let count = n(2);
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if which == "call-hand-64" {
                    concurrent_baseline(&Baseline::new(&url), count).await;
                } else {
                    concurrent_generated(&generated_client(&url), count).await;
                }
            });
        }
        _ => usage(),
    }
}
