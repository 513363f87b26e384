#!/usr/bin/env bash
# Replay memory on a >= 1 GB trace: ingest, then `vmalock replay` in a JVM with a small heap
# (default -Xmx256m), reporting wall time, peak RSS (/usr/bin/time), the heap after each GC (GC log)
# and how much work the replay spilled to its temporary file. The work builder keeps at most
# WorkBuilder.DEFAULT_MEMORY_OPS operations in memory and streams each task's work back at replay,
# and address spaces exist only while active, so the heap is bounded by per-mm state.
# Input: the shared real ftrace capture repeated until SIZE_MB, each copy shifted 1 s later than the
# previous one (the plain concatenation of bench/parse-bench.sh repeats timestamps: time runs
# backwards in it, which no kernel trace does).
# Usage: bench/replay-memory.sh [SIZE_MB=1100]   (BENCH_XMX=256m, BENCH_FILE, BENCH_WS)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${VMALOCK_SHARED:-$ROOT/../shared}
SIZE_MB=${1:-1100}
BIG=${BENCH_FILE:-/tmp/vmalock-bench-replay-${SIZE_MB}m.txt}
WS=${BENCH_WS:-/tmp/vmalock-bench-replay-ws}
XMX=${BENCH_XMX:-256m}
AWK=$(command -v mawk || command -v awk)
src="$SHARED/traces/ftrace-overlap-default.txt"
want=$((SIZE_MB * 1000 * 1000))
if [ ! -f "$BIG" ] || [ "$(stat -c %s "$BIG")" -lt "$want" ]; then
  : > "$BIG"
  k=0
  while [ "$(stat -c %s "$BIG")" -lt "$want" ]; do
    # shift the timestamp (the token ending in ':' before the event name) by k seconds
    "$AWK" -v off="$k" '/^#/ { if (off == 0) print; next }
      { if (match($0, / [0-9]+\.[0-9]+: /)) {
          ts = substr($0, RSTART + 1, RLENGTH - 3) + off
          printf "%s %.6f: %s\n", substr($0, 1, RSTART - 1), ts, substr($0, RSTART + RLENGTH) } }' "$src" >> "$BIG"
    k=$((k + 1))
  done
fi
"$ROOT/vmalock" --version > /dev/null   # builds the jar if needed
echo "input: $BIG ($(stat -c %s "$BIG") bytes); heap -Xmx$XMX; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$WS"
VMALOCK_JAVA_OPTS="-Xmx$XMX" /usr/bin/time -f "ingest: %e s wall, peak RSS %M KiB" "$ROOT/vmalock" ingest -w "$WS" "$BIG" 2>&1 >/dev/null | tail -1
gc=$(mktemp)
out=$(mktemp)
VMALOCK_JAVA_OPTS="-Xmx$XMX -Xlog:gc:file=$gc" /usr/bin/time -f "replay: %e s wall, peak RSS %M KiB" \
  "$ROOT/vmalock" replay -w "$WS" --policy vma-refcount --json 2>&1 >"$out" | tail -1
"$AWK" '/Pause/ { split($(NF-1), a, "->"); h = a[2]; sub(/M.*/, "", h); if (h + 0 > m) m = h + 0; n++ }
  END { printf "heap after GC: max %d MiB over %d collections\n", m, n }' "$gc"
grep -o '"operations" *: *[0-9]*\|"work_spilled_bytes" *: *[0-9]*\|"address_spaces" *: *[0-9]*\|"events" *: *[0-9]*' "$out" | head -4 | tr '\n' ' '; echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$gc" "$out"
