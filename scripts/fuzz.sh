#!/usr/bin/env bash
# Runs every fuzz target for a bounded time and prints the executions of each.
#
#   FUZZ_SECONDS=60 scripts/fuzz.sh            # all targets, 60 s each (default)
#   FUZZ_SECONDS=10 scripts/fuzz.sh reply      # one target
#   FUZZ_MODE=smoke scripts/fuzz.sh            # force the stable fallback
#
# With a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`), each
# target runs under libFuzzer (`cargo +nightly fuzz run`, corpus in
# fuzz/corpus/<target>/, crashes in fuzz/artifacts/<target>/; its build goes
# to fuzz/target, apart from the workspace's). Without them, the same target
# functions run as an ordinary test (fuzz-targets/tests/smoke.rs) over the
# saved corpus plus inputs from a fixed-seed generator, FUZZ_SECONDS each.
# A crash input belongs in fuzz/regressions/<target>/ (the smoke test
# replays it) with a named regression test.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
mode="${FUZZ_MODE:-auto}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(spec spec_mutate reply events)

if [ "$mode" = auto ]; then
    if rustup toolchain list 2>/dev/null | grep -q '^nightly' && cargo fuzz --version >/dev/null 2>&1; then
        mode=libfuzzer
    else
        mode=smoke
    fi
fi

summary=()
if [ "$mode" = libfuzzer ]; then
    echo "fuzz.sh: libFuzzer, ${seconds}s per target"
    (cd fuzz && cargo +nightly fuzz build -O "${targets[@]:0:1}" >/dev/null)
    for t in "${targets[@]}"; do
        mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
        # Explore in a scratch copy so that the saved corpus stays the reviewed seeds.
        work="$(mktemp -d)"
        cp -r "fuzz/corpus/$t/." "$work/"
        log="fuzz/artifacts/$t/last-run.log"
        status=0
        (cd fuzz && cargo +nightly fuzz run -O "$t" "$work" -- \
            -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
            -print_final_stats=1) >"$log" 2>&1 || status=$?
        execs="$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)"
        crashes="$(find "fuzz/artifacts/$t" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)"
        rm -rf "$work"
        line="$t: ${execs:-?} executions in ${seconds}s, exit $status, $crashes crash/timeout/oom inputs in fuzz/artifacts/$t"
        echo "$line"
        summary+=("$line")
    done
else
    echo "fuzz.sh: no nightly + cargo-fuzz (or FUZZ_MODE=smoke): running the targets as a test, ${seconds}s each, fixed seed"
    filter=()
    for t in "${targets[@]}"; do filter+=("$t"); done
    FUZZ_SMOKE_SECONDS="$seconds" cargo test -p helpdesk-fuzz-targets --test smoke -- \
        --exact "${filter[@]}" --nocapture 2>&1 | tee /tmp/fuzz-smoke.$$.log
    mapfile -t summary < <(grep '^fuzz-smoke ' /tmp/fuzz-smoke.$$.log)
    rm -f /tmp/fuzz-smoke.$$.log
fi

echo
echo "== fuzz summary ($mode) =="
printf '%s\n' "${summary[@]}"
