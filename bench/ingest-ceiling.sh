#!/usr/bin/env bash
# How far this machine lets a cold ingest go (issue 13 target 2: >= 600 MB/s wall, JVM start included): in the same
# run, alternating, `wc -l`, a JVM that only counts the lines (bench/LineScan.java, one and two threads), and
# `vmalock ingest --no-tables` (default threads, and --threads 2). Prints wall s / CPU s (user+sys) of every run,
# medians and MB/s, and the load average: on a shared 2-core machine the line scan's figures are the ceiling of
# anything that reads the file on a cold JVM.
#
# Usage: bench/ingest-ceiling.sh FILE      (RUNS=3)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIG=${1:?usage: bench/ingest-ceiling.sh FILE}
RUNS=${RUNS:-3}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
"$ROOT/vmalock" --version > /dev/null
javac -d "$TMP" "$ROOT/bench/LineScan.java"
cat "$BIG" > /dev/null
MB=$(awk -v b="$(stat -c %s "$BIG")" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "input: $BIG ($MB MB); $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
t() { local k=$1; shift
      /usr/bin/time -f "%e %U %S" -o "$TMP/t" "$@" > /dev/null 2> "$TMP/err" || { cat "$TMP/err" >&2; exit 1; }
      awk -v k="$k" '{ printf "%s %.2f %.2f\n", k, $1, $2 + $3 }' "$TMP/t" >> "$TMP/all"; }
for _ in $(seq "$RUNS"); do
  t wc wc -l "$BIG"
  t scan1 java -XX:-TieredCompilation -cp "$TMP" LineScan "$BIG" 1
  t scan2 java -XX:-TieredCompilation -cp "$TMP" LineScan "$BIG" 2
  rm -rf "$TMP/ws"; t ingest "$ROOT/vmalock" ingest --no-tables "$BIG" -w "$TMP/ws"
  rm -rf "$TMP/ws"; t ingest2 "$ROOT/vmalock" ingest --no-tables --threads 2 "$BIG" -w "$TMP/ws"
done
rm -rf "$TMP/ws"
echo
echo "| command | wall s / CPU s (every run) | median wall s | MB/s |"
echo "|---|---|---|---|"
for k in wc scan1 scan2 ingest ingest2; do
  case $k in
    wc) l='`wc -l`' ;; scan1) l='LineScan, 1 thread (a JVM counting lines)' ;; scan2) l='LineScan, 2 threads' ;;
    ingest) l='`vmalock ingest --no-tables` (default threads)' ;; ingest2) l='`vmalock ingest --no-tables --threads 2`' ;;
  esac
  runs=$(awk -v k="$k" '$1 == k { printf "%s%s / %s", (n++ ? ", " : ""), $2, $3 }' "$TMP/all")
  med=$(awk -v k="$k" '$1 == k { print $2 }' "$TMP/all" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  awk -v l="$l" -v r="$runs" -v m="$med" -v mb="$MB" 'BEGIN { printf "| %s | %s | %.2f | %.0f |\n", l, r, m, mb / m }'
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
