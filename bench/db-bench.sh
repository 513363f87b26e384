#!/usr/bin/env bash
# DuckDB stage cost: on a >= 1 GB trace, `vmalock ingest` alone versus `ingest` + `stats` (stats loads the
# workspace's DuckDB database — lock_spans, faults, … through the Appender — and computes every figure
# with the bundled `stats` SQL report), measured in the same run on the same page-cached file, printed as
# a ratio (target: (ingest + stats) / ingest <= 2). Also: a second `stats` (database already loaded: SQL
# only), `report` (the default set), and `stats --source 0` (the Java aggregation, no DuckDB) for scale.
#
# Usage: bench/db-bench.sh [SIZE_MB]        (default 1100)
#   BENCH_FILE=/tmp/x.txt   input to build/reuse (default /tmp/vmalock-bench-ftrace-SIZEm.txt, as parse-bench.sh)
#   BENCH_WS_DIR=/tmp       where the workspace goes (deleted at the end)
# Each step prints wall and CPU (user+sys) seconds; on a shared machine CPU time is the steadier figure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${VMALOCK_SHARED:-$ROOT/../shared}
SIZE_MB=${1:-1100}
BIG=${BENCH_FILE:-/tmp/vmalock-bench-ftrace-${SIZE_MB}m.txt}
WS=${BENCH_WS_DIR:-/tmp}/vmalock-db-bench-ws.$$
OUT=$(mktemp); trap 'rm -rf "$OUT" "$WS"' EXIT

elapsed_of() {        # run "$@", stdout to $OUT; sets WALL and CPU (user+sys) seconds
  local tf; tf=$(mktemp)
  local TIMEFORMAT='%R %U %S'
  { time "$@" > "$OUT" ; } 2> "$tf"
  read -r WALL U S < <(tail -1 "$tf"); rm -f "$tf"
  CPU=$(awk -v u="$U" -v s="$S" 'BEGIN { printf "%.2f", u + s }')
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }

build_input() {       # concatenate the real ftrace capture until the file is >= SIZE_MB
  local src="$SHARED/traces/ftrace-overlap-default.txt"
  local want=$((SIZE_MB * 1000 * 1000))
  if [ -f "$BIG" ] && [ "$(stat -c %s "$BIG")" -ge "$want" ]; then return; fi
  : > "$BIG"
  while [ "$(stat -c %s "$BIG")" -lt "$want" ]; do cat "$src" "$src" "$src" "$src" >> "$BIG"; done
}

build_input
"$ROOT/vmalock" --version > /dev/null        # builds the jar if needed, outside the measurement
cat "$BIG" > /dev/null                        # page cache
MB=$(awk -v s="$(stat -c %s "$BIG")" 'BEGIN { printf "%.0f", s / 1e6 }')
echo "input: $BIG ($MB MB)"

rm -rf "$WS"
elapsed_of "$ROOT/vmalock" ingest "$BIG" -w "$WS"
ING_W=$WALL; ING_C=$CPU
elapsed_of "$ROOT/vmalock" stats -w "$WS" --json
ST_W=$WALL; ST_C=$CPU
grep -q '"total_events"' "$OUT"
EVENTS=$(grep -m1 '"total_events"' "$OUT" | tr -dc 0-9)
elapsed_of "$ROOT/vmalock" stats -w "$WS" --json
ST2_W=$WALL; ST2_C=$CPU
elapsed_of "$ROOT/vmalock" report -w "$WS"
REP_W=$WALL; REP_C=$CPU
elapsed_of "$ROOT/vmalock" stats -w "$WS" --json --source 0
JST_W=$WALL; JST_C=$CPU
DB=$(du -m "$WS/vmalock.duckdb" | cut -f1)

printf '%-46s %8s %8s\n' "step ($EVENTS events)" "wall s" "cpu s"
printf '%-46s %8s %8s\n' "ingest (parse + Chronicle queue)" "$ING_W" "$ING_C"
printf '%-46s %8s %8s\n' "stats, first (DuckDB load + SQL)" "$ST_W" "$ST_C"
printf '%-46s %8s %8s\n' "stats, again (SQL only)" "$ST2_W" "$ST2_C"
printf '%-46s %8s %8s\n' "report (default set, SQL only)" "$REP_W" "$REP_C"
printf '%-46s %8s %8s\n' "stats --source 0 (Java aggregation, no DuckDB)" "$JST_W" "$JST_C"
echo "database file: $DB MB"
echo "ratio (ingest + stats) / ingest: wall $(div "$(add "$ING_W" "$ST_W")" "$ING_W")  cpu $(div "$(add "$ING_C" "$ST_C")" "$ING_C")  (target <= 2)"
