#!/usr/bin/env bash
# Resident memory of `ingest` and `compare` as a user runs them (issue 13 targets 2 and 4): peak RSS
# (/usr/bin/time) and wall time with the launcher's default heap (sized from the input: see ./vmalock) next to
# the JVM's own default (a quarter of the RAM: VMALOCK_HEAP=jvm), on the same trace in the same run; the
# outputs of both must be equal (the script says so or fails).
#
# Usage: bench/heap-bench.sh [SIZE_MB]        (default 120)
#   BIG=/tmp/vmalock-bench-ftrace-120m.txt   the shared ftrace capture repeated to SIZE_MB (as bench/startup-bench.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/repeat-trace.sh"
SIZE_MB=${1:-120}
BIG=${BIG:-/tmp/vmalock-bench-ftrace-${SIZE_MB}m.txt}
V="$ROOT/vmalock"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
repeat_trace "$BIG" "$SIZE_MB"
"$V" --version > /dev/null
cat "$BIG" > /dev/null
echo "input: $BIG ($(awk -v b="$(stat -c %s "$BIG")" 'BEGIN { printf "%.0f", b / 1e6 }') MB); $(nproc) cores; $(free -m | awk '/Mem:/ { print $2 }') MB of RAM; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | heap | wall s | peak RSS MB |"
echo "|---|---|---|---|"
measure() {           # measure LABEL HEAP CMD…: one run; prints a row; stdout kept in $TMP/LABEL-HEAP.out
  local label=$1 heap=$2; shift 2
  VMALOCK_HEAP=$heap /usr/bin/time -f "%e %M" -o "$TMP/t" "$@" > "$TMP/$label-$heap.out" 2> "$TMP/err" || [ $? -le 1 ] \
    || { cat "$TMP/err" >&2; return 1; }
  read -r w k < "$TMP/t"
  printf '| `%s` | %s | %s | %s |\n' "$label" "$([ "$heap" = jvm ] && echo "JVM default (1/4 of RAM)" || echo "launcher default")" \
    "$w" "$((k / 1024))"
}
for heap in auto jvm; do
  rm -rf "$TMP/ws"
  measure ingest "$heap" "$V" ingest "$BIG" -w "$TMP/ws"
  measure compare "$heap" "$V" compare -w "$TMP/ws"
done
cmp -s "$TMP/compare-auto.out" "$TMP/compare-jvm.out" && echo && echo "compare output identical under both heaps" \
  || { echo "compare output differs between heaps" >&2; exit 1; }
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
