#!/usr/bin/env bash
# The fleet benches' traces: each real capture of ../shared/traces (or its bundled copy) copied COPIES times into
# DIR/traces with every event's timestamp shifted by k*100 s (k = 1…COPIES); existing copies are kept.
# Usage: bash bench/fleet-traces.sh DIR COPIES [CAPTURE…]   (default captures: the three of fleet-bench.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$1
copies=$2
shift 2
caps=("$@")
[ ${#caps[@]} -gt 0 ] || caps=(ftrace-overlap-default.txt perf-disjoint.perf.txt tc-overlap.report.txt)
src="$here/../shared/traces"
[ -f "$src/tc-overlap.report.txt" ] || src="$here/sample-traces/shared/traces"
mkdir -p "$work/traces"
for t in "${caps[@]}"; do
  for k in $(seq 1 "$copies"); do
    out="$work/traces/${t%.txt}-$k.txt"
    [ -s "$out" ] && continue
    # shift the first "SECS.USECS:" of each event line by k*100 s (same width for these captures)
    python3 - "$src/$t" "$out" "$k" <<'PY'
import re, sys
pat = re.compile(rb'(\s)(\d+)(\.\d{6,9}:\s)')
k = int(sys.argv[3])
with open(sys.argv[1], 'rb') as f, open(sys.argv[2] + '.tmp', 'wb') as o:
    for line in f:
        o.write(pat.sub(lambda m: m.group(1) + str(int(m.group(2)) + 100 * k).encode() + m.group(3), line, count=1))
import os; os.rename(sys.argv[2] + '.tmp', sys.argv[2])
PY
  done
done
