#!/usr/bin/env bash
# Build cost of helpdesk-api (issue 6, item 4). Prints:
#   1. cold `cargo build -p helpdesk-api` (dev profile) wall time, and the
#      share of the summed compile time taken by helpdesk-api itself (the
#      generated code + runtime, and its build script running the generator),
#      by the generator crate (helpdesk-codegen + its own deps) and by the
#      other dependencies (from `cargo build --timings`);
#   2. the incremental rebuild after a one-line spec edit (a space appended
#      inside a description of spec/endpoints/notification.get.json);
#   3. the TLS backend: the same cold build with reqwest's default `rustls`
#      feature (aws-lc-rs provider) instead of `rustls-no-provider` + ring.
#
# Everything happens in copies of the committed HEAD under $BUILD_COST_DIR
# (default /tmp/helpdesk-build-cost), each with its own CARGO_TARGET_DIR:
# the repository, its spec/ and the shared target dir are never touched.
# Cold builds take minutes on 2 cores.
#
# Usage: scripts/build-cost.sh            # all three
#        scripts/build-cost.sh --no-tls   # skip the aws-lc-rs build
#        scripts/build-cost.sh --report   # re-print from an earlier run
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${BUILD_COST_DIR:-/tmp/helpdesk-build-cost}"
MODE="${1:-all}"

report() {
  python3 - "$WORK" <<'PY'
import json, re, sys, glob, os
work = sys.argv[1]

def units(html_path):
    text = open(html_path, encoding="utf-8").read()
    m = re.search(r"const UNIT_DATA = (\[.*?\]);\n", text, re.S)
    if not m:
        sys.exit(f"no UNIT_DATA in {html_path}: cargo changed its timings format")
    return json.loads(m.group(1))

def wall(tag):
    p = os.path.join(work, f"{tag}.wall")
    return float(open(p).read()) if os.path.exists(p) else float("nan")

def html(tag):
    p = os.path.join(work, f"{tag}.html")
    return p if os.path.exists(p) else None

CODEGEN_ONLY = {"helpdesk-codegen", "syn", "quote", "proc-macro2", "prettyplease", "lexopt",
                "unicode-ident"}

def classify(u):
    n, t = u["name"], u.get("target", "")
    if n == "helpdesk-api":
        return "helpdesk-api build script (runs the generator)" if "build" in t else \
               "helpdesk-api lib (generated code + runtime)"
    if n in CODEGEN_ONLY:
        return "generator: helpdesk-codegen + syn/quote/prettyplease"
    if n.startswith("aws-lc"):
        return "TLS provider: aws-lc-rs + aws-lc-sys"
    if n == "ring":
        return "TLS provider: ring"
    return "other dependencies (reqwest, hyper, tokio, rustls, serde, ...)"

def show(tag, title):
    h = html(tag)
    if not h:
        print(f"\n## {title}: not run"); return None
    us = units(h)
    total = sum(u["duration"] for u in us)
    groups = {}
    for u in us:
        groups.setdefault(classify(u), []).append(u)
    print(f"\n## {title}")
    print(f"wall clock: {wall(tag):.1f} s; {len(us)} units; summed unit time {total:.1f} s (2 jobs)")
    for g, lst in sorted(groups.items(), key=lambda kv: -sum(u['duration'] for u in kv[1])):
        s = sum(u["duration"] for u in lst)
        print(f"  {s:7.1f} s  {100*s/total:5.1f} %  {g} ({len(lst)} units)")
    print("  slowest units:")
    for u in sorted(us, key=lambda u: -u["duration"])[:8]:
        print(f"    {u['duration']:6.1f} s  {u['name']} {u.get('target','').strip()}")
    return us

show("cold", "cold build, ring provider (current: reqwest rustls-no-provider + rustls ring)")
us = show("incr", "incremental rebuild after a one-line spec edit")
show("awslc", "cold build, aws-lc-rs provider (reqwest default `rustls` feature)")
c, a = wall("cold"), wall("awslc")
if c == c and a == a:
    print(f"\naws-lc-rs / ring cold wall-clock ratio: {a/c:.2f}x ({a:.1f} s vs {c:.1f} s)")
PY
}

if [ "$MODE" = "--report" ]; then report; exit 0; fi

command -v python3 >/dev/null || { echo "python3 is needed to read cargo's timings" >&2; exit 1; }
rm -rf "$WORK"
mkdir -p "$WORK"
export CARGO_TERM_COLOR=never

copy() { # $1: destination; the committed HEAD, without target/
  mkdir -p "$1"
  git -C "$ROOT" archive HEAD | tar -x -C "$1"
}

timed_build() { # $1: tag, $2: source dir, $3: target dir
  local t0 t1
  t0=$(date +%s.%N)
  (cd "$2" && CARGO_TARGET_DIR="$3" cargo build -p helpdesk-api --timings --quiet)
  t1=$(date +%s.%N)
  python3 -c "print($t1 - $t0)" > "$WORK/$1.wall"
  cp "$(ls -t "$3"/cargo-timings/cargo-timing-*.html | head -1)" "$WORK/$1.html"
}

echo "== cold build (ring), in $WORK/ring" >&2
copy "$WORK/ring"
timed_build cold "$WORK/ring" "$WORK/target-ring"

echo "== incremental rebuild after a one-line spec edit" >&2
spec="$WORK/ring/spec/endpoints/notification.get.json"
cp "$spec" "$WORK/spec.orig"
# Append a space inside the first description (a one-line edit).
python3 - "$spec" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, encoding="utf-8").read().split("\n")
for i, l in enumerate(lines):
    if '"description": "' in l:
        j = l.rindex('"')
        lines[i] = l[:j] + ' ' + l[j:]
        break
open(p, "w", encoding="utf-8").write("\n".join(lines))
PY
timed_build incr "$WORK/ring" "$WORK/target-ring"
cp "$WORK/spec.orig" "$spec"

if [ "$MODE" != "--no-tls" ]; then
  echo "== cold build with aws-lc-rs (reqwest feature rustls), in $WORK/awslc" >&2
  copy "$WORK/awslc"
  # Switch reqwest to its default TLS feature; rustls keeps `ring` because
  # helpdesk-api installs the ring provider explicitly (src/tls.rs).
  sed -i 's/features = \["rustls-no-provider"\]/features = ["rustls"]/' "$WORK/awslc/Cargo.toml"
  grep -q 'features = \["rustls"\]' "$WORK/awslc/Cargo.toml" || { echo "could not switch the reqwest feature" >&2; exit 1; }
  timed_build awslc "$WORK/awslc" "$WORK/target-awslc"
fi

report
