#!/usr/bin/env bash
# Parse and ingest (parse + store into a Chronicle workspace) throughput on a >= 1 GB ftrace text
# file, next to `wc -l` and a one-pass awk event count measured in the same run on the same
# (page-cached) file, printed as ratios.
#
# Usage: bench/parse-bench.sh [SIZE_MB]        (default 1100)
#   BENCH_FILE=/tmp/x.txt   input to build/reuse (default /tmp/vmalock-bench-ftrace-SIZEm.txt; never committed)
#   BENCH_CPU=0             core to pin every measured command to with taskset ("" = no pinning)
#   BENCH_RUNS=5            parse runs in one JVM (the best is reported; the first ones include JIT warm-up)
# Each step reports wall time and CPU time (user+sys; for the parse: the parsing thread's own CPU time):
# on a machine shared with other work the CPU-time figures are the stable ones.
#   BENCH_XMX=256m          heap of the parsing and ingesting JVMs (both stream: memory stays bounded)
#   BENCH_WS_DIR=/tmp       where the ingest workspaces go (deleted after each run)
#   BENCH_CSV_MB=100        ftrace megabytes (the start of the big file) exported to CSV for the CSV step
#                           (CSV is ~1.3x larger than the ftrace text it came from; "" or 0 skips the step)
# One function per measured step: wc, awk, parse (ParseBench), ingest (IngestBench: checksum + parse +
# store, best of RUNS in one JVM), the same ingest with chunks of the file parsed on 2 threads while the
# first stores them (not pinned: a separate, clearly labelled figure, not the one-core one), the end-to-end `./vmalock ingest` (one run, JVM start included), and
# the CSV format: `vmalock export` of the first BENCH_CSV_MB of the trace, parsed and ingested back
# (best of RUNS) next to an awk event count of the same CSV file.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${VMALOCK_SHARED:-$ROOT/../shared}
SIZE_MB=${1:-1100}
BIG=${BENCH_FILE:-/tmp/vmalock-bench-ftrace-${SIZE_MB}m.txt}
CPU=${BENCH_CPU-0}
RUNS=${BENCH_RUNS:-5}
XMX=${BENCH_XMX:-256m}
WS_DIR=${BENCH_WS_DIR:-/tmp}
CSV_MB=${BENCH_CSV_MB-100}
PIN=()
if [ -n "$CPU" ] && command -v taskset >/dev/null 2>&1; then PIN=(taskset -c "$CPU"); fi
AWK=$(command -v mawk || command -v awk)

elapsed_of() {        # run "$@", stdout to $OUT; sets WALL and CPU (user+sys) seconds
  local tf; tf=$(mktemp)
  local TIMEFORMAT='%R %U %S'
  { time "$@" > "$OUT" ; } 2> "$tf"
  read -r WALL U S < "$tf"; rm -f "$tf"
  CPU=$(awk -v u="$U" -v s="$S" 'BEGIN { printf "%.3f", u + s }')
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
OUT=$(mktemp); trap 'rm -f "$OUT"' EXIT

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
  elapsed_of "${PIN[@]}" wc -l "$BIG"
  WC_LINES=$(awk '{ print $1 }' "$OUT"); WC_S=$WALL; WC_CPU=$CPU
}

measure_awk() {       # one pass: count event lines by event name (the 5th field of ftrace's default format)
  elapsed_of "${PIN[@]}" "$AWK" '/^#/ { next } { n++; c[$5]++ } END { print n }' "$BIG"
  AWK_EVENTS=$(cat "$OUT"); AWK_S=$WALL; AWK_CPU=$CPU
}

run_bench() {         # run_bench PREFIX FILE FORMAT [THREADS]: ParseBench or IngestBench (best of RUNS in one JVM) on
                      # FILE; sets BEST_S (wall), BEST_CPU (the working thread's CPU time) and BEST_EVENTS.
                      # THREADS=2: chunks parsed on 2 threads, stored in file order by this one, not pinned to one core
  local prefix=$1 file=$2 format=$3 threads=${4:-1} best pin=("${PIN[@]}")
  if [ "$threads" = 2 ]; then pin=(); fi
  if [ "$prefix" = parse ]; then
    "${pin[@]}" java -Xmx"$XMX" -cp "$CP" vmalock.parse.ParseBench "$file" "$RUNS" "$format" > "$OUT"
  else
    "${pin[@]}" java -Xmx"$XMX" @"$ROOT/cli/jvm-flags.args" -cp "$CP" vmalock.store.IngestBench "$file" "$WS_DIR" "$RUNS" "$format" "$threads" > "$OUT"
  fi
  sed "s/^/  $format /" "$OUT" >&2
  best=$(grep "^$prefix best" "$OUT")
  BEST_S=$(echo "$best" | sed -E 's/.* seconds=([0-9.]+).*/\1/')
  BEST_CPU=$(echo "$best" | sed -E 's/.* cpu_seconds=([0-9.]+).*/\1/')
  BEST_EVENTS=$(echo "$best" | sed -E 's/.* events=([0-9]+).*/\1/')
}

measure_parse() {     # vmalock.parse.ParseBench: best of RUNS parses in one JVM (wall and parsing-thread CPU time)
  run_bench parse "$BIG" ftrace
  PARSE_S=$BEST_S; PARSE_CPU=$BEST_CPU; PARSE_EVENTS=$BEST_EVENTS
}

measure_ingest() {    # vmalock.store.IngestBench: best of RUNS ingests in one JVM (wall and ingesting-thread CPU time)
  run_bench ingest "$BIG" ftrace
  INGEST_S=$BEST_S; INGEST_CPU=$BEST_CPU; INGEST_EVENTS=$BEST_EVENTS
}

measure_ingest2() {   # the parallel ingest: chunks parsed on 2 threads, stored by the first (2 cores, NOT the one-core figure)
  run_bench ingest "$BIG" ftrace 2
  INGEST2_S=$BEST_S; INGEST2_CPU=$BEST_CPU; INGEST2_EVENTS=$BEST_EVENTS
}

measure_cli_ingest() { # ./vmalock ingest, end to end: JVM start, JIT, checksum, parse, store, manifest (process CPU)
  local ws="$WS_DIR/vmalock-bench-cli-ws"
  rm -rf "$ws"
  (cd "$ROOT" && mvn -B -q -o package -DskipTests >/dev/null)   # the launcher's jar, built outside the timing
  VMALOCK_JAVA_OPTS="-Xmx$XMX" elapsed_of "${PIN[@]}" "$ROOT/vmalock" ingest --threads 1 "$BIG" -w "$ws"
  sed 's/^/  /' "$OUT" >&2
  CLI_S=$WALL; CLI_CPU=$CPU
  CLI_EVENTS=$(sed -nE 's/.* lines: ([0-9,]+) events.*/\1/p' "$OUT" | tr -d ,)
  rm -rf "$ws"
}

build_csv() {         # the first CSV_MB of the trace (whole lines), ingested and exported as CSV (kept for reuse)
  CSV=/tmp/vmalock-bench-${CSV_MB}m.csv
  if [ -s "$CSV" ]; then return; fi
  local part="$WS_DIR/vmalock-bench-csv-src.txt" ws="$WS_DIR/vmalock-bench-csv-ws"
  head -c $((CSV_MB * 1000 * 1000)) "$BIG" | sed '$d' > "$part"
  rm -rf "$ws"
  "$ROOT/vmalock" ingest "$part" -w "$ws" > /dev/null
  "$ROOT/vmalock" export -w "$ws" -o "$CSV" > /dev/null
  rm -rf "$ws" "$part"
}

measure_csv() {       # awk count, parse and ingest of the CSV file (same JVM settings as the ftrace steps)
  cat "$CSV" > /dev/null
  elapsed_of "${PIN[@]}" "$AWK" -F, '/^#/ { next } $3 != "kind" { n++; c[$3]++ } END { print n }' "$CSV"
  CSV_AWK_EVENTS=$(cat "$OUT"); CSV_AWK_S=$WALL; CSV_AWK_CPU=$CPU
  run_bench parse "$CSV" csv
  CSV_PARSE_S=$BEST_S; CSV_PARSE_CPU=$BEST_CPU; CSV_PARSE_EVENTS=$BEST_EVENTS
  run_bench ingest "$CSV" csv
  CSV_INGEST_S=$BEST_S; CSV_INGEST_CPU=$BEST_CPU; CSV_INGEST_EVENTS=$BEST_EVENTS
}

report_csv() {
  local bytes; bytes=$(stat -c %s "$CSV"); MB=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
  echo "csv input: $CSV ($MB MB, vmalock export of the first $CSV_MB MB of the trace)"
  row "$(basename "$AWK") csv event count" "$CSV_AWK_S" "$CSV_AWK_CPU" "$CSV_AWK_EVENTS"
  row "vmalock csv parse (best)" "$CSV_PARSE_S" "$CSV_PARSE_CPU" "$CSV_PARSE_EVENTS"
  row "vmalock csv ingest (best)" "$CSV_INGEST_S" "$CSV_INGEST_CPU" "$CSV_INGEST_EVENTS"
  echo "ratios (wall):  csv-parse/awk = $(div "$CSV_AWK_S" "$CSV_PARSE_S"), csv-ingest/awk = $(div "$CSV_AWK_S" "$CSV_INGEST_S")"
  echo "ratios (cpu):   csv-parse/awk = $(div "$CSV_AWK_CPU" "$CSV_PARSE_CPU"), csv-ingest/awk = $(div "$CSV_AWK_CPU" "$CSV_INGEST_CPU")"
  if [ "$CSV_AWK_EVENTS" != "$CSV_PARSE_EVENTS" ] || [ "$CSV_AWK_EVENTS" != "$CSV_INGEST_EVENTS" ]; then
    echo "WARNING: awk counted $CSV_AWK_EVENTS csv events, parse $CSV_PARSE_EVENTS, ingest $CSV_INGEST_EVENTS" >&2
  fi
}

row() {               # name wall_s cpu_s events
  local name=$1 wall=$2 cpu=$3 ev=$4
  printf '%-24s %8s s %9s MB/s %12s ev/s | cpu %8s s %9s MB/s %12s ev/s\n' "$name" \
    "$wall" "$(div "$MB" "$wall")" "$( [ "$ev" = - ] && echo - || div "$ev" "$wall")" \
    "$cpu" "$(div "$MB" "$cpu")" "$( [ "$ev" = - ] && echo - || div "$ev" "$cpu")"
}

report() {
  local bytes; bytes=$(stat -c %s "$BIG"); MB=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
  echo "input: $BIG ($MB MB, $WC_LINES lines), pinned: ${PIN[*]:-no}, parse heap: -Xmx$XMX, load: $(cut -d' ' -f1-3 /proc/loadavg)"
  row "wc -l" "$WC_S" "$WC_CPU" -
  row "$(basename "$AWK") event count" "$AWK_S" "$AWK_CPU" "$AWK_EVENTS"
  row "vmalock parse (best)" "$PARSE_S" "$PARSE_CPU" "$PARSE_EVENTS"
  row "vmalock ingest (best)" "$INGEST_S" "$INGEST_CPU" "$INGEST_EVENTS"
  row "./vmalock ingest (1 run)" "$CLI_S" "$CLI_CPU" "$CLI_EVENTS"
  row "ingest 2 threads (best)" "$INGEST2_S" "$INGEST2_CPU" "$INGEST2_EVENTS"
  echo "  (2 threads: not pinned, chunks parsed on 2 threads; its cpu column is the storing thread's alone)"
  echo "ratios (wall):  parse/wc = $(div "$WC_S" "$PARSE_S"), parse/awk = $(div "$AWK_S" "$PARSE_S") (MB/s; events/s the same, equal event counts)"
  echo "ratios (cpu):   parse/wc = $(div "$WC_CPU" "$PARSE_CPU"), parse/awk = $(div "$AWK_CPU" "$PARSE_CPU")"
  echo "ratios (wall):  ingest/wc = $(div "$WC_S" "$INGEST_S"), ingest/awk = $(div "$AWK_S" "$INGEST_S"), cli-ingest/awk = $(div "$AWK_S" "$CLI_S")"
  echo "ratios (cpu):   ingest/wc = $(div "$WC_CPU" "$INGEST_CPU"), ingest/awk = $(div "$AWK_CPU" "$INGEST_CPU"), cli-ingest/awk = $(div "$AWK_CPU" "$CLI_CPU")"
  echo "ratio (wall, 2 threads, unpinned): ingest2/awk = $(div "$AWK_S" "$INGEST2_S")"
  echo "ingest heap: -Xmx$XMX (IngestBench and ./vmalock ingest both ran with it)"
  if [ "$AWK_EVENTS" != "$PARSE_EVENTS" ]; then echo "WARNING: awk counted $AWK_EVENTS events, parse $PARSE_EVENTS" >&2; fi
  if [ "$AWK_EVENTS" != "$INGEST_EVENTS" ] || [ "$AWK_EVENTS" != "$CLI_EVENTS" ]; then
    echo "WARNING: awk counted $AWK_EVENTS events, ingest $INGEST_EVENTS, ./vmalock ingest $CLI_EVENTS" >&2
  fi
}

build_input
build_classpath
warm_cache
measure_wc
measure_awk
measure_parse
measure_ingest
measure_ingest2
measure_cli_ingest
if [ -n "$CSV_MB" ] && [ "$CSV_MB" != 0 ]; then build_csv; measure_csv; fi
report
if [ -n "$CSV_MB" ] && [ "$CSV_MB" != 0 ]; then report_csv; fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
