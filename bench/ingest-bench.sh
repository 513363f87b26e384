#!/usr/bin/env bash
# Cold ingest as a user runs it (issue 13 target 2): `./vmalock ingest` of a ~600 MB raw ftrace file (a cold
# JVM each run, the file in the page cache), on the default threads (every processor) and with --threads 1,
# with the tables built (the default) and with --no-tables, next to `wc -l` and the awk truth script
# (sample-traces/expected.awk) on the same file in the same run. Prints MB/s, the ratios, the load average.
#
# Usage: bench/ingest-bench.sh [SIZE_MB]        (default 600)
#   RUNS=3                  runs of each setting; the best (least wall time) is kept: the machine is shared
#   RUNS_TABLES=$RUNS       runs of the two settings that build the tables (minutes each on a busy machine)
#   BIG=/tmp/vmalock-bench-ftrace-shifted-600m.txt   built on first use (never committed): the shared ftrace
#                           traces (ftrace-overlap-default.txt and the cf-overlap-*.txt.xz captures) concatenated
#                           again and again, each copy's timestamps shifted to start 1 s after the previous
#                           copy's last, header lines kept from the first copy only: one long, well-ordered trace
#   WS_DIR=/tmp             where the workspaces go (deleted after each run)
#   SKIP_TABLES=1           measure --no-tables only (the table load is the slow part on a busy machine)
# Wall seconds and CPU seconds (user+sys of the process: every thread, the JVM's own included) per run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${VMALOCK_SHARED:-$ROOT/../shared}
[ -d "$SHARED/traces" ] || SHARED=$ROOT/sample-traces/shared
SIZE_MB=${1:-600}
RUNS=${RUNS:-3}
RUNS_TABLES=${RUNS_TABLES:-$RUNS}
BIG=${BIG:-/tmp/vmalock-bench-ftrace-shifted-${SIZE_MB}m.txt}
WS_DIR=${WS_DIR:-/tmp}
V="$ROOT/vmalock"
AWK=$(command -v mawk || command -v awk)
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

build_input() {
  local want=$((SIZE_MB * 1000 * 1000))
  if [ -f "$BIG" ] && [ "$(stat -c %s "$BIG")" -ge "$want" ]; then return; fi
  local pieces=("$SHARED/traces/ftrace-overlap-default.txt") f
  for f in "$SHARED"/traces/cf-overlap-*.txt.xz; do
    xz -dc "$f" > "$TMP/$(basename "$f" .xz)"
    pieces+=("$TMP/$(basename "$f" .xz)")
  done
  local args=() total=0 s
  while [ "$total" -lt "$want" ]; do
    for f in "${pieces[@]}"; do
      s=$(stat -c %s "$f"); args+=("$f"); total=$((total + s))
      [ "$total" -ge "$want" ] && break
    done
  done
  # the timestamp is the first field of the form SECS.FRACTION: (the flags column, if any, comes before it)
  "$AWK" '
    FNR == 1 { copy++; fresh = 1 }
    /^#/ { if (copy == 1) print; next }
    {
      for (i = 1; i <= NF && i <= 8; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) break
      if (i > NF || i > 8) { print; next }
      dot = index($i, "."); sec = substr($i, 1, dot - 1) + 0
      if (fresh) { shift = (copy == 1 ? 0 : last + 1 - sec); fresh = 0 }
      s = sec + shift; if (s > last) last = s
      p = index($0, " " $i)
      print substr($0, 1, p) s substr($i, dot) substr($0, p + 1 + length($i))
    }' "${args[@]}" > "$BIG.tmp"
  mv "$BIG.tmp" "$BIG"
}

one() {               # one run of "$@" (stdout to $TMP/out); appends "wall cpu" to $TMP/times
  /usr/bin/time -f "%e %U %S" -o "$TMP/t" "$@" > "$TMP/out" 2> "$TMP/err" || [ $? -le 1 ] || { cat "$TMP/err" >&2; return 1; }
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$TMP/t" >> "$TMP/times"
}
best() {              # best NAME SETUP -- CMD…: RUNS runs, keeps the least wall time (and that run's CPU) in W_NAME, C_NAME
  local name=$1 setup=$2; shift 3
  : > "$TMP/times"
  for _ in $(seq "$RUNS"); do eval "$setup"; cat "$BIG" > /dev/null; one "$@"; done
  read -r w c < <(sort -n -k1 "$TMP/times" | head -1)
  printf -v "W_$name" '%s' "$w"; printf -v "C_$name" '%s' "$c"
  printf -v "ALL_$name" '%s' "$(awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $1 }' "$TMP/times")"
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
row() {               # label name: | label | wall | MB/s | cpu | all runs | × awk | × wc | × threads 1 |
  local w c; w=$(eval echo "\$W_$2"); c=$(eval echo "\$C_$2")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$w" "$(div "$MB" "$w")" "$c" "$(eval echo "\$ALL_$2")" \
    "$(div "$W_awk" "$w")" "$(div "$W_wc" "$w")" "$3"
}

build_input
"$V" --version > /dev/null   # builds the jar and the class archive if needed, outside the measurements
cat "$BIG" > /dev/null
MB=$(awk -v b="$(stat -c %s "$BIG")" 'BEGIN { printf "%.1f", b / 1e6 }')
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
WS="$WS_DIR/vmalock-ingest-bench-ws"
best wc : -- wc -l "$BIG"
LINES=$(awk '{ print $1 }' "$TMP/out")
echo "input: $BIG ($MB MB, $LINES lines); $(nproc) cores; $(java -version 2>&1 | head -1)"
echo "load average at start: $LOAD0 (best of $RUNS runs each, $RUNS_TABLES with the tables; a cold JVM per run, the file in the page cache)"
echo
echo "| command | wall s (best) | MB/s | CPU s | wall s of every run | awk / this | wc -l / this | threads 1 / this |"
echo "|---|---|---|---|---|---|---|---|"
best awk : -- "$AWK" -f "$ROOT/sample-traces/expected.awk" "$BIG"
row '`wc -l`' wc "–"
row '`awk -f sample-traces/expected.awk` (truth script)' awk "–"
best n1 'rm -rf "$WS"' -- "$V" ingest --no-tables --threads 1 "$BIG" -w "$WS"
row '`vmalock ingest --no-tables --threads 1`' n1 1
best nd 'rm -rf "$WS"' -- "$V" ingest --no-tables "$BIG" -w "$WS"
row "\`vmalock ingest --no-tables\` ($(nproc) threads)" nd "$(div "$W_n1" "$W_nd")"
if [ "${SKIP_TABLES:-0}" != 1 ]; then
  RUNS=$RUNS_TABLES
  best t1 'rm -rf "$WS"' -- "$V" ingest --threads 1 "$BIG" -w "$WS"
  row '`vmalock ingest --threads 1` (tables built)' t1 1
  best td 'rm -rf "$WS"' -- "$V" ingest "$BIG" -w "$WS"
  row "\`vmalock ingest\` ($(nproc) threads, tables built)" td "$(div "$W_t1" "$W_td")"
  echo
  echo "tables built / --no-tables (wall, default threads): $(div "$W_td" "$W_nd"); (--threads 1): $(div "$W_t1" "$W_n1")"
fi
rm -rf "$WS"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
