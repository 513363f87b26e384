#!/usr/bin/env bash
# Start-up and first-query figures of issue 13, each next to its baseline measured in the same run,
# printed as ratios (never timed assertions). The CLI runs as a user runs it: ./vmalock, cold JVM,
# input in the page cache.
#
# Usage: bench/startup-bench.sh            (RUNS=7 repetitions of each short command; the median is printed)
#   RUNS=7                 repetitions of the short commands (RUNS_V=15 of --version and java -version)
#   BIG_MB=120             size of the trace for the first-query figures ("" or 0 skips them)
#   BIG=/tmp/vmalock-bench-ftrace-120m.txt   built from ../shared/traces/ftrace-overlap-default.txt on first use
# Figures: wall seconds (median of RUNS) and CPU seconds (user+sys, median). The machine has 2 cores and
# may be shared: a load average is printed at the start and at the end; compare ratios, not seconds.
#   1. `java -version` (baseline) and `./vmalock --version`             target: ratio <= 1.5
#   2. `./vmalock ingest` + `./vmalock stats` of a 1,000-line ftrace     target: sum <= 0.6 s
#      (a small trace: no tables at ingest; then the first query, which builds them; also `--tables`, `--no-tables`
#      and without the class archive: VMALOCK_CDS=0)
#   3. BIG: ingest (tables built), then the first query over events and over faults;
#      before = ingest --no-tables, then the first query (which loads the table lazily)   target: query <= ingest
#   4. BIG: `report --html` after that ingest (tables built), against the ingest of the same trace   target: <= 2 s
#      COMPARE=1: also `compare` (all presets; with BASE, the older code's too, on the same workspace) and after it
#      the first report (loads the replay runs) and a second one
#   BASE=DIR               a checkout of the code before (e.g. `git archive 0459fbc | tar -x -C DIR`, built with
#                          `mvn -q -DskipTests -pl cli -am package`): its ./vmalock is measured in the same run,
#                          interleaved, and printed as "before" rows
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${VMALOCK_SHARED:-$ROOT/../shared}
RUNS=${RUNS:-7}
BIG_MB=${BIG_MB-120}
BIG=${BIG:-/tmp/vmalock-bench-ftrace-${BIG_MB}m.txt}
V="$ROOT/vmalock"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
SMALL="$TMP/trace-1000.txt"
head -n 1000 "$SHARED/traces/ftrace-overlap-default.txt" > "$SMALL"

"$V" --version > /dev/null   # builds the jar and the class archive if needed, outside the measurements
# the baseline is the `java -version` of the JDK the launcher runs (VMALOCK_JAVA, else its choice: a JDK 24+ when one is
# installed, docs/ingest-speed.md "Start-up on JDK 25"; bench/jdk-ab.sh compares the two JDKs)
. "$ROOT/bench/launcher-jdk.sh"
JAVA=$(launcher_java "$ROOT")

one() {               # one run of "$@"; appends "wall cpu" to $TMP/times
  /usr/bin/time -f "%e %U %S" -o "$TMP/t" "$@" > /dev/null 2> "$TMP/err" || { cat "$TMP/err" >&2; return 1; }
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$TMP/t" >> "$TMP/times"
}
median() {            # median of column $1 of $TMP/times
  sort -n -k"$1" "$TMP/times" | awk -v c="$1" '{ v[NR] = $c } END { printf "%.3f", v[int((NR + 1) / 2)] }'
}
measure() {           # measure NAME SETUP_CMD -- CMD…: RUNS runs of CMD (SETUP before each, not timed); sets W_NAME, C_NAME
  local name=$1 setup=$2; shift 3
  : > "$TMP/times"
  for _ in $(seq "$RUNS"); do eval "$setup"; one "$@"; done
  printf -v "W_$name" '%s' "$(median 1)"; printf -v "C_$name" '%s' "$(median 2)"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }
row() { printf "| %s | %s | %s | %s |\n" "$@"; }

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $("$JAVA" -version 2>&1 | head -1)"
echo
RUNS_SHORT=$RUNS RUNS=${RUNS_V:-15}   # --version: 10 ms timer steps, so more runs
echo "## 1. --version (median of $RUNS; wall s / CPU s)"
measure jv : -- "$JAVA" -version
measure vv : -- "$V" --version
[ -n "${BASE:-}" ] && measure bvv : -- "$BASE/vmalock" --version
RUNS=$RUNS_SHORT
row "command" "wall s" "CPU s" "ratio to java -version (wall / CPU)"
row "---" "---" "---" "---"
row '`java -version`' "$W_jv" "$C_jv" "1"
row '`vmalock --version`' "$W_vv" "$C_vv" "$(ratio "$W_vv" "$W_jv") / $(ratio "$C_vv" "$C_jv")"
[ -n "${BASE:-}" ] && row 'before: `vmalock --version`' "$W_bvv" "$C_bvv" "$(ratio "$W_bvv" "$W_jv") / $(ratio "$C_bvv" "$C_jv")"
echo
echo "## 2. ingest + stats of a 1,000-line ftrace trace (median of $RUNS)"
WS="$TMP/ws"
measure ing 'rm -rf "$WS"' -- "$V" ingest "$SMALL" -w "$WS"
measure sta : -- "$V" stats -w "$WS"
measure qry 'rm -f "$WS"/vmalock.duckdb*' -- "$V" query -w "$WS" "SELECT count(*) FROM events"
measure qry2 : -- "$V" query -w "$WS" "SELECT count(*) FROM events"
measure ingt 'rm -rf "$WS"' -- "$V" ingest --tables "$SMALL" -w "$WS"
measure statt : -- "$V" stats -w "$WS"
measure ingn 'rm -rf "$WS"' -- "$V" ingest --no-tables "$SMALL" -w "$WS"
measure stan 'rm -f "$WS"/vmalock.duckdb*' -- "$V" stats -w "$WS"
export VMALOCK_CDS=0
measure ing0 'rm -rf "$WS"' -- "$V" ingest "$SMALL" -w "$WS"
measure sta0 : -- "$V" stats -w "$WS"
unset VMALOCK_CDS
if [ -n "${BASE:-}" ]; then
  measure bing 'rm -rf "$WS"' -- "$BASE/vmalock" ingest "$SMALL" -w "$WS"
  measure bsta : -- "$BASE/vmalock" stats -w "$WS"
  measure bqry : -- "$BASE/vmalock" query -w "$WS" "SELECT count(*) FROM events"
fi
row "command" "wall s" "CPU s" "note"
row "---" "---" "---" "---"
row '`vmalock ingest T -w WS`' "$W_ing" "$C_ing" "a small trace: the queue and the stats figures, no DuckDB (tables on first use)"
row '`vmalock stats -w WS`' "$W_sta" "$C_sta" "prints the stored figures (no DuckDB)"
row "**ingest + stats**" "**$(sum "$W_ing" "$W_sta")**" "$(sum "$C_ing" "$C_sta")" "target <= 0.6 s wall; $(ratio "$(sum "$W_ing" "$W_sta")" "$W_jv") x java -version"
row 'then first `query … FROM events`' "$W_qry" "$C_qry" "builds every table (what ingest --tables does), then the query"
row 'then `query … FROM events` again' "$W_qry2" "$C_qry2" "first query's extra: $(awk -v a="$W_qry" -v b="$W_qry2" 'BEGIN { printf "%.2f", a - b }') s wall"
row '`vmalock ingest --tables T -w WS`' "$W_ingt" "$C_ingt" "builds every table at ingest (the default before)"
row "ingest --tables + stats" "$(sum "$W_ingt" "$W_statt")" "$(sum "$C_ingt" "$C_statt")" ""
row '`vmalock ingest --no-tables T -w WS`' "$W_ingn" "$C_ingn" "queue only"
row '`vmalock stats -w WS` (no figures stored)' "$W_stan" "$C_stan" "computes them in Java (no DuckDB)"
row "ingest --no-tables + stats" "$(sum "$W_ingn" "$W_stan")" "$(sum "$C_ingn" "$C_stan")" ""
row "ingest + stats, VMALOCK_CDS=0" "$(sum "$W_ing0" "$W_sta0")" "$(sum "$C_ing0" "$C_sta0")" "without the class archive"
if [ -n "${BASE:-}" ]; then
  row 'before: `vmalock ingest T -w WS`' "$W_bing" "$C_bing" ""
  row 'before: `vmalock stats -w WS`' "$W_bsta" "$C_bsta" ""
  row "before: ingest + stats" "$(sum "$W_bing" "$W_bsta")" "$(sum "$C_bing" "$C_bsta")" "after/before: $(ratio "$(sum "$W_ing" "$W_sta")" "$(sum "$W_bing" "$W_bsta")") wall, $(ratio "$(sum "$C_ing" "$C_sta")" "$(sum "$C_bing" "$C_bsta")") CPU"
  row 'before: then first `query … FROM events`' "$W_bqry" "$C_bqry" "its ingest built the tables"
fi
if [ -n "$BIG_MB" ] && [ "$BIG_MB" != 0 ]; then
  want=$((BIG_MB * 1000 * 1000))
  if [ ! -f "$BIG" ] || [ "$(stat -c %s "$BIG")" -lt "$want" ]; then
    : > "$BIG"
    while [ "$(stat -c %s "$BIG")" -lt "$want" ]; do cat "$SHARED/traces/ftrace-overlap-default.txt" >> "$BIG"; done
  fi
  cat "$BIG" > /dev/null
  MB=$(awk -v s="$(stat -c %s "$BIG")" 'BEGIN { printf "%.0f", s / 1e6 }')
  echo
  echo "## 3. first query on a $MB MB ftrace trace (one run each)"
  RUNS=1
  measure bi 'rm -rf "$WS"' -- "$V" ingest "$BIG" -w "$WS"
  measure bqe : -- "$V" query -w "$WS" "SELECT count(*) FROM events"
  measure bqf : -- "$V" query -w "$WS" "SELECT count(*) FROM faults"
  measure bs : -- "$V" stats -w "$WS"
  measure brh : -- "$V" report -w "$WS" --html "$TMP/report.html"
  [ -n "${BASE:-}" ] && measure obrh : -- "$BASE/vmalock" report -w "$WS" --html "$TMP/report-before.html"
  if [ "${COMPARE:-0}" = 1 ]; then
    measure bc : -- "$V" compare -w "$WS"
    [ -n "${BASE:-}" ] && measure obc : -- "$BASE/vmalock" compare -w "$WS"
    measure brh1 : -- "$V" report -w "$WS" --html "$TMP/report.html"
    measure brh2 : -- "$V" report -w "$WS" --html "$TMP/report.html"
  fi
  measure bin 'rm -rf "$WS"' -- "$V" ingest --no-tables "$BIG" -w "$WS"
  measure bqen : -- "$V" query -w "$WS" "SELECT count(*) FROM events"
  measure bqfn : -- "$V" query -w "$WS" "SELECT count(*) FROM faults"
  if [ -n "${BASE:-}" ]; then
    measure obi 'rm -rf "$WS"' -- "$BASE/vmalock" ingest "$BIG" -w "$WS"
    measure obqe : -- "$BASE/vmalock" query -w "$WS" "SELECT count(*) FROM events"
    measure obqf : -- "$BASE/vmalock" query -w "$WS" "SELECT count(*) FROM faults"
  fi
  row "command" "wall s" "CPU s" "ratio to its ingest (wall)"
  row "---" "---" "---" "---"
  row '`vmalock ingest BIG -w WS` (tables built)' "$W_bi" "$C_bi" "1"
  row 'first `query … FROM events`' "$W_bqe" "$C_bqe" "$(ratio "$W_bqe" "$W_bi") (target <= 1)"
  row 'first `query … FROM faults`' "$W_bqf" "$C_bqf" "$(ratio "$W_bqf" "$W_bi")"
  row '`stats`' "$W_bs" "$C_bs" "$(ratio "$W_bs" "$W_bi")"
  row '`report --html`' "$W_brh" "$C_brh" "$(ratio "$W_brh" "$W_bi") (target <= 2 s wall)"
  [ -n "${BASE:-}" ] && row 'before: `report --html` (same workspace)' "$W_obrh" "$C_obrh" "$(ratio "$W_obrh" "$W_bi"); after/before $(ratio "$W_brh" "$W_obrh") wall, $(ratio "$C_brh" "$C_obrh") CPU"
  if [ "${COMPARE:-0}" = 1 ]; then
    row '`compare` (all presets)' "$W_bc" "$C_bc" "$(ratio "$W_bc" "$W_bi") (target <= 3)"
    [ -n "${BASE:-}" ] && row 'before: `compare` (same workspace)' "$W_obc" "$C_obc" "$(ratio "$W_obc" "$W_bi"); after/before $(ratio "$W_bc" "$W_obc") wall, $(ratio "$C_bc" "$C_obc") CPU"
    row 'then `report --html` (loads the replay runs)' "$W_brh1" "$C_brh1" "$(ratio "$W_brh1" "$W_bi")"
    row 'then `report --html` again' "$W_brh2" "$C_brh2" "$(ratio "$W_brh2" "$W_bi") (target <= 2 s wall)"
  fi
  row '`vmalock ingest --no-tables BIG -w WS` (before)' "$W_bin" "$C_bin" "1"
  row 'first `query … FROM events` (lazy load)' "$W_bqen" "$C_bqen" "$(ratio "$W_bqen" "$W_bin")"
  row 'then first `query … FROM faults` (lazy load)' "$W_bqfn" "$C_bqfn" "$(ratio "$W_bqfn" "$W_bin")"
  if [ -n "${BASE:-}" ]; then
    row 'before: `vmalock ingest BIG -w WS`' "$W_obi" "$C_obi" "1"
    row 'before: first `query … FROM events`' "$W_obqe" "$C_obqe" "$(ratio "$W_obqe" "$W_obi")"
    row 'before: then first `query … FROM faults`' "$W_obqf" "$C_obqf" "$(ratio "$W_obqf" "$W_obi")"
    row "ingest + first events query, after / before" "$(sum "$W_bi" "$W_bqe") / $(sum "$W_obi" "$W_obqe")" "" "$(ratio "$(sum "$W_bi" "$W_bqe")" "$(sum "$W_obi" "$W_obqe")")"
  fi
  row "ingest + first events query, tables built / lazy" "$(sum "$W_bi" "$W_bqe") / $(sum "$W_bin" "$W_bqen")" "" "$(ratio "$(sum "$W_bi" "$W_bqe")" "$(sum "$W_bin" "$W_bqen")")"
fi
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
