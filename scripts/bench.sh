#!/usr/bin/env bash
# Benchmarks of issue 6 (see BENCHMARKS.md): criterion wall-clock figures,
# each as a ratio against its baseline measured in the same run, then
# instruction counts under callgrind (repeatable whatever the machine load).
#
# Usage: scripts/bench.sh              # criterion (decode, call, codegen) + callgrind
#        scripts/bench.sh --criterion  # criterion only
#        scripts/bench.sh --callgrind  # instruction counts only
#        scripts/bench.sh --report     # re-print the criterion ratios of the last run
# Build cost (item 4) is scripts/build-cost.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-all}"
export CARGO_TERM_COLOR=never
TARGET="${CARGO_TARGET_DIR:-target}"

criterion_report() {
  python3 - "$TARGET/criterion" <<'PY'
import json, os, sys
root = sys.argv[1]

def est(group, name):
    p = os.path.join(root, group, name, "new", "estimates.json")
    if not os.path.exists(p):
        return None
    e = json.load(open(p))
    return e["median"]["point_estimate"], e["mean"]["confidence_interval"], e["median_abs_dev"]["point_estimate"]

def fmt(ns):
    return f"{ns/1e6:.2f} ms" if ns >= 1e6 else f"{ns/1e3:.2f} µs"

print("\n== criterion (median per iteration; ±: median absolute deviation of the samples)")
for group, base, others in [
    ("decode", "hand_written", ["generated", "one_pass_prototype", "value"]),
    ("call_fixed_sequential", "hand_written", ["generated"]),
    ("call_fixed_concurrent64", "hand_written", ["generated"]),
    ("call_mock_sequential", "hand_written", ["generated"]),
    ("call_mock_concurrent64", "hand_written", ["generated"]),
]:
    b = est(group, base)
    if not b:
        continue
    rate = f", {1e9/b[0]:,.0f} calls/s" if group.startswith("call") else ""
    print(f"{group:26} {base:13} {fmt(b[0]):>10} ±{100*b[2]/b[0]:4.1f}%{rate}")
    for o in others:
        x = est(group, o)
        if x:
            rate = f", {1e9/x[0]:,.0f} calls/s" if group.startswith("call") else ""
            print(f"{'':26} {o:13} {fmt(x[0]):>10} ±{100*x[2]/x[0]:4.1f}%  ratio {x[0]/b[0]:.3f}x{rate}")
full = est("codegen", "full")
if full:
    print(f"codegen full (check_dir + generate): {fmt(full[0])} ±{100*full[2]/full[0]:.1f}%  (goal < 50 ms)")
    for st in ["read_files", "parse", "validate", "ir", "tokens", "syn_parse", "syn_parse_unshared", "prettyplease"]:
        x = est("codegen", st)
        if x:
            print(f"  {st:13} {fmt(x[0]):>10}  {100*x[0]/full[0]:5.1f} % of full")
PY
}

if [ "$MODE" = "--report" ]; then criterion_report; exit 0; fi

cargo build --release -p helpdesk-bench --bins --benches --quiet
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average now: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$MODE" = "all" ] || [ "$MODE" = "--criterion" ]; then
  cargo bench -p helpdesk-bench --bench decode --bench call --bench codegen 2>&1 \
    | grep -E '^[a-z_0-9/]+ +time:|^ +time:|thrpt|^Benchmarking [^:]+$' || true
  criterion_report
fi

if [ "$MODE" = "all" ] || [ "$MODE" = "--callgrind" ]; then
  command -v valgrind >/dev/null || { echo "valgrind is needed for instruction counts (apt-get install valgrind)" >&2; exit 1; }
  BIN="$TARGET/release/bench-count"
  OUT="$(mktemp -d /tmp/helpdesk-callgrind.XXXXXX)"
  # Total instructions of one run (all threads of the process).
  ir() {
    local f="$OUT/cg.$RANDOM"
    valgrind --tool=callgrind --callgrind-out-file="$f" "$@" >/dev/null 2>&1
    awk '/^(summary|totals):/ {print $2; exit}' "$f"
  }
  # Instructions per case: (Ir(2n) - Ir(n)) / n, start-up cancelled out.
  per() { # $1: n, rest: command taking n last
    local n=$1; shift
    local a b
    a=$(ir "$@" "$n"); b=$(ir "$@" $((2 * n)))
    echo $(((b - a) / n))
  }
  echo
  echo "== callgrind: instructions per case (client process only for calls)"
  dh=$(per 2000 "$BIN" decode-hand)
  dg=$(per 2000 "$BIN" decode-generated)
  dv=$(per 2000 "$BIN" decode-value)
  dp=$(per 2000 "$BIN" decode-one-pass)
  python3 -c "
h,g,v,p=$dh,$dg,$dv,$dp
print(f'decode hand_written {h:>9,} Ir')
print(f'decode generated    {g:>9,} Ir  ratio {g/h:.3f}x')
print(f'decode value        {v:>9,} Ir  ratio {v/h:.3f}x')
print(f'decode one-pass prototype (proposed decode_reply) {p:>9,} Ir  ratio {p/h:.3f}x')"
  for server in fixed mock; do
    "$BIN" "serve-$server" > "$OUT/url.$server" &
    spid=$!
    for _ in $(seq 50); do [ -s "$OUT/url.$server" ] && break; sleep 0.1; done
    url=$(cat "$OUT/url.$server")
    ch=$(per 1000 "$BIN" call-hand "$url")
    cg=$(per 1000 "$BIN" call-generated "$url")
    ch64=$(per 1024 "$BIN" call-hand-64 "$url")
    cg64=$(per 1024 "$BIN" call-generated-64 "$url")
    kill "$spid"; wait "$spid" 2>/dev/null || true
    python3 -c "
h,g,h64,g64=$ch,$cg,$ch64,$cg64
print(f'call ($server server) sequential   hand_written {h:>9,} Ir')
print(f'call ($server server) sequential   generated    {g:>9,} Ir  ratio {g/h:.3f}x')
print(f'call ($server server) concurrent64 hand_written {h64:>9,} Ir')
print(f'call ($server server) concurrent64 generated    {g64:>9,} Ir  ratio {g64/h64:.3f}x')"
  done
  echo "(callgrind profiles left in $OUT)"
  echo
  echo "== codegen CPU time (user+sys, load-independent unlike wall clock), 20 runs of check_dir + generate"
  python3 - "$BIN" <<'PY'
import resource, subprocess, sys
n = 20
subprocess.run([sys.argv[1], "codegen", "1"], check=True)  # warm the page cache
before = resource.getrusage(resource.RUSAGE_CHILDREN)
subprocess.run([sys.argv[1], "codegen", str(n)], check=True)
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print(f"codegen full: {1000*cpu/n:.1f} ms CPU per run (goal < 50 ms; includes the process start once)")
PY
fi
