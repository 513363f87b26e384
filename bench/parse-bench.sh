#!/usr/bin/env bash
# Parse throughput on a >= 1 GB ftrace text file, next to `wc -l` and a one-pass awk event count
# measured in the same run on the same (page-cached) file, printed as ratios.
#
# Usage: bench/parse-bench.sh [SIZE_MB]        (default 1100)
#   BENCH_FILE=/tmp/x.txt   input to build/reuse (default /tmp/vmalock-bench-ftrace-SIZEm.txt; never committed)
#   BENCH_CPU=0             core to pin every measured command to with taskset ("" = no pinning)
#   BENCH_RUNS=5            parse runs in one JVM (the best is reported; the first ones include JIT warm-up)
#   BENCH_XMX=256m          heap of the parsing JVM (parsing streams: memory stays bounded)
# One function per measured step, so the store's parse+store step can be added beside measure_parse.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${VMALOCK_SHARED:-$ROOT/../shared}
SIZE_MB=${1:-1100}
BIG=${BENCH_FILE:-/tmp/vmalock-bench-ftrace-${SIZE_MB}m.txt}
CPU=${BENCH_CPU-0}
RUNS=${BENCH_RUNS:-5}
XMX=${BENCH_XMX:-256m}
PIN=()
if [ -n "$CPU" ] && command -v taskset >/dev/null 2>&1; then PIN=(taskset -c "$CPU"); fi
AWK=$(command -v mawk || command -v awk)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

build_input() {       # concatenate the real ftrace capture until the file is >= SIZE_MB
  local src="$SHARED/traces/ftrace-overlap-default.txt"
  local want=$((SIZE_MB * 1000 * 1000))
  if [ -f "$BIG" ] && [ "$(stat -c %s "$BIG")" -ge "$want" ]; then return; fi
  : > "$BIG"
  while [ "$(stat -c %s "$BIG")" -lt "$want" ]; do cat "$src" "$src" "$src" "$src" >> "$BIG"; done
}

build_classpath() {   # compiled parsers + their dependencies
  (cd "$ROOT" && mvn -B -q -o compile -pl parsers >/dev/null)
  CP_FILE=/tmp/vmalock-parsers-bench.cp
  (cd "$ROOT" && mvn -B -q -o dependency:build-classpath -pl parsers -Dmdep.outputFile="$CP_FILE" >/dev/null)
  CP="$ROOT/parsers/target/classes:$(cat "$CP_FILE")"
}

warm_cache() { cat "$BIG" > /dev/null; }

measure_wc() {
  local t0 t1; t0=$(now); WC_LINES=$("${PIN[@]}" wc -l < "$BIG"); t1=$(now); WC_S=$(elapsed "$t0" "$t1")
}

measure_awk() {       # one pass: count event lines by event name (the 5th field of ftrace's default format)
  local t0 t1; t0=$(now)
  AWK_EVENTS=$("${PIN[@]}" "$AWK" '/^#/ { next } { n++; c[$5]++ } END { print n }' "$BIG")
  t1=$(now); AWK_S=$(elapsed "$t0" "$t1")
}

measure_parse() {     # vmalock.parse.ParseBench: best of RUNS parses in one JVM
  local out
  out=$("${PIN[@]}" java -Xmx"$XMX" -cp "$CP" vmalock.parse.ParseBench "$BIG" "$RUNS" ftrace)
  echo "$out" | sed 's/^/  /' >&2
  local best; best=$(echo "$out" | grep '^parse best')
  PARSE_S=$(echo "$best" | sed -E 's/.* seconds=([0-9.]+).*/\1/')
  PARSE_EVENTS=$(echo "$best" | sed -E 's/.* events=([0-9]+).*/\1/')
}

report() {
  local bytes mb; bytes=$(stat -c %s "$BIG"); mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
  local wc_mbs awk_mbs parse_mbs awk_eps parse_eps
  wc_mbs=$(div "$mb" "$WC_S"); awk_mbs=$(div "$mb" "$AWK_S"); parse_mbs=$(div "$mb" "$PARSE_S")
  awk_eps=$(div "$AWK_EVENTS" "$AWK_S"); parse_eps=$(div "$PARSE_EVENTS" "$PARSE_S")
  echo "input: $BIG ($mb MB, $WC_LINES lines), pinned: ${PIN[*]:-no}, parse heap: -Xmx$XMX"
  printf '%-22s %8s s %10s MB/s %14s events/s\n' "wc -l" "$WC_S" "$wc_mbs" "-"
  printf '%-22s %8s s %10s MB/s %14s events/s\n' "$(basename "$AWK") event count" "$AWK_S" "$awk_mbs" "$awk_eps"
  printf '%-22s %8s s %10s MB/s %14s events/s\n' "vmalock parse (best)" "$PARSE_S" "$parse_mbs" "$parse_eps"
  echo "ratios: parse/wc = $(div "$parse_mbs" "$wc_mbs"), parse/awk = $(div "$parse_mbs" "$awk_mbs") (MB/s), parse/awk = $(div "$parse_eps" "$awk_eps") (events/s)"
  if [ "$AWK_EVENTS" != "$PARSE_EVENTS" ]; then echo "WARNING: awk counted $AWK_EVENTS events, parse $PARSE_EVENTS" >&2; fi
}

build_input
build_classpath
warm_cache
measure_wc
measure_awk
measure_parse
report
