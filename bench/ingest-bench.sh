#!/usr/bin/env bash
# Cold ingest and the tables as a user sees them (issue 13 targets 2, 3 and 5): `./vmalock ingest` of ~600 MB
# traces (a cold JVM each run, the file in the page cache), each figure next to its baseline from the same run,
# with the ratio and the load average (the machine has 2 cores and may be shared: compare ratios, not seconds).
#
# Usage: bench/ingest-bench.sh [SIZE_MB]        (default 600)
#   2. raw ftrace: `wc -l`, the awk truth script (sample-traces/expected.awk), `vmalock ingest` (tables built, the
#      default) and `--no-tables`, on the default threads and with --threads 1       target >= 600 MB/s,
#      >= 16x awk, >= 1/10 of wc -l; the same for trace-cmd and perf text; CSV (`vmalock export` of the ftrace
#      workspace) >= 200 MB/s
#   3. first `vmalock query` over events, faults, syscalls and contention after the default ingest, against that
#      ingest's time (target <= 1); and after `--no-tables` (each table then loads on first use)
#   5. `ingest` + `stats` against `ingest` alone on a STATS_MB (1000) MB ftrace trace      target <= 2
#
#   RUNS=2                  runs of each ingest (the best, least wall time, is kept); RUNS_TABLES=$RUNS for the
#                           ingests that build the tables (with BASE, 0 leaves out the CSV ingests that build them)
#   BIG=/tmp/vmalock-bench-ftrace-shifted-600m.txt   built on first use (never committed): the shared ftrace
#                           traces (ftrace-overlap-default.txt and the cf-overlap-*.txt.xz captures) concatenated
#                           again and again, each copy's timestamps shifted to start 1 s after the previous
#                           copy's last, header lines kept from the first copy only: one long, well-ordered trace
#   TC, PERF                the same from ../shared/traces/tc-overlap.report.txt and perf-disjoint.perf.txt
#   FORMATS="ftrace trace-cmd perf csv"   which inputs of target 2 to measure
#   STATS_MB=1000           size of the trace for target 5 (0 skips it)
#   QUERIES=1               target 3 (0 skips it)
#   WS_DIR=/tmp             where the workspaces go (deleted after each run)
#   BASE=DIR                a checkout of older code (built there with mvn -pl cli -am package): its CSV ingests run in
#                           the same rounds, alternating with this code's, and are printed as "before" rows
# Wall seconds and CPU seconds (user+sys of the process: every thread, the JVM's own included) per run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${VMALOCK_SHARED:-$ROOT/../shared}
[ -d "$SHARED/traces" ] || SHARED=$ROOT/sample-traces/shared
SIZE_MB=${1:-600}
RUNS=${RUNS:-2}
RUNS_TABLES=${RUNS_TABLES:-$RUNS}
BIG=${BIG:-/tmp/vmalock-bench-ftrace-shifted-${SIZE_MB}m.txt}
TC=${TC:-/tmp/vmalock-bench-tc-shifted-${SIZE_MB}m.txt}
PERF=${PERF:-/tmp/vmalock-bench-perf-shifted-${SIZE_MB}m.txt}
FORMATS=${FORMATS:-ftrace trace-cmd perf csv}
STATS_MB=${STATS_MB:-1000}
WS_DIR=${WS_DIR:-/tmp}
V="$ROOT/vmalock"
AWK=$(command -v mawk || command -v awk)
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

# build_input OUT SIZE_MB PIECE…: PIECEs (.xz decompressed) concatenated up to SIZE_MB, timestamps shifted
build_input() {
  local out=$1 want=$(($2 * 1000 * 1000)); shift 2
  if [ -f "$out" ] && [ "$(stat -c %s "$out")" -ge "$want" ]; then return; fi
  local pieces=() f
  for f in "$@"; do
    case "$f" in
      *.xz) xz -dc "$f" > "$TMP/$(basename "$f" .xz)"; pieces+=("$TMP/$(basename "$f" .xz)") ;;
      *) pieces+=("$f") ;;
    esac
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
    }' "${args[@]}" > "$out.tmp"
  mv "$out.tmp" "$out"
}

one() {               # one run of "$@" (stdout to $TMP/out); appends "wall cpu" to $TMP/times
  /usr/bin/time -f "%e %U %S" -o "$TMP/t" "$@" > "$TMP/out" 2> "$TMP/err" || [ $? -le 1 ] || { cat "$TMP/err" >&2; return 1; }
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$TMP/t" >> "$TMP/times"
}
# best NAME N FILE SETUP -- CMD…: N runs (FILE read into the page cache and SETUP before each), the least wall
# time (and that run's CPU) in W_NAME, C_NAME, every run's wall time in ALL_NAME
best() {
  local name=$1 n=$2 file=$3 setup=$4; shift 5
  : > "$TMP/times"
  for _ in $(seq "$n"); do eval "$setup"; [ -z "$file" ] || cat "$file" > /dev/null; one "$@"; done
  read -r w c < <(sort -n -k1 "$TMP/times" | head -1)
  printf -v "W_$name" '%s' "$w"; printf -v "C_$name" '%s' "$c"
  printf -v "ALL_$name" '%s' "$(awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $1 }' "$TMP/times")"
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1e6 }'; }
w() { eval echo "\$W_$1"; }
c() { eval echo "\$C_$1"; }
all() { eval echo "\$ALL_$1"; }
# row LABEL NAME MB BASE_LABEL: | label | wall | MB/s | CPU | every run | awk / this | wc -l / this |
row() {
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$(w "$2")" "$(div "$3" "$(w "$2")")" "$(c "$2")" "$(all "$2")" \
    "$(div "$W_awk" "$(w "$2")")" "$(div "$W_wc" "$(w "$2")")"
}

"$V" --version > /dev/null   # builds the jar and the class archive if needed, outside the measurements
WS="$WS_DIR/vmalock-ingest-bench-ws"
. "$ROOT/bench/launcher-jdk.sh"
echo "$(nproc) cores; vmalock runs $(launcher_jdk "$ROOT"); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -z "${BASE:-}" ] || echo "BASE=$BASE runs $(launcher_jdk "$BASE")"
echo "(best of $RUNS runs of each ingest without the tables, $RUNS_TABLES with; a cold JVM per run, the input in the page cache)"

# ---- target 2 ----
build_input "$BIG" "$SIZE_MB" "$SHARED/traces/ftrace-overlap-default.txt" "$SHARED"/traces/cf-overlap-*.txt.xz
MB=$(mb "$BIG")
best wc 3 "$BIG" : -- wc -l "$BIG"
LINES=$(awk '{ print $1 }' "$TMP/out")
best awk 1 "$BIG" : -- "$AWK" -f "$ROOT/sample-traces/expected.awk" "$BIG"
echo
echo "## 2. cold ingest ($BIG: $MB MB, $LINES lines)"
echo
echo "| command | wall s (best) | MB/s | CPU s | wall s of every run | awk / this | wc -l / this |"
echo "|---|---|---|---|---|---|---|"
row '`wc -l`' wc "$MB"
row '`awk -f sample-traces/expected.awk` (truth script)' awk "$MB"
for f in $FORMATS; do
  case "$f" in
    ftrace)
      if [ "$RUNS_TABLES" != 0 ]; then # (RUNS_TABLES=0: --no-tables only)
        best ft "$RUNS_TABLES" "$BIG" 'rm -rf "$WS"' -- "$V" ingest "$BIG" -w "$WS"
        row "\`vmalock ingest\` ftrace (default threads, tables built)" ft "$MB"
        best ft1 "$RUNS_TABLES" "$BIG" 'rm -rf "$WS"' -- "$V" ingest --threads 1 "$BIG" -w "$WS"
        row '`vmalock ingest --threads 1` ftrace (tables built)' ft1 "$MB"
      fi
      best ftn "$RUNS" "$BIG" 'rm -rf "$WS"' -- "$V" ingest --no-tables "$BIG" -w "$WS"
      row "\`vmalock ingest --no-tables\` ftrace (default threads)" ftn "$MB"
      best ftn1 "$RUNS" "$BIG" 'rm -rf "$WS"' -- "$V" ingest --no-tables --threads 1 "$BIG" -w "$WS"
      row '`vmalock ingest --no-tables --threads 1` ftrace' ftn1 "$MB"
      best ftn2 "$RUNS" "$BIG" 'rm -rf "$WS"' -- "$V" ingest --no-tables --threads 2 "$BIG" -w "$WS"
      row '`vmalock ingest --no-tables --threads 2` ftrace' ftn2 "$MB"
      ;;
    trace-cmd|perf)
      if [ "$f" = perf ]; then in=$PERF; src="$SHARED/traces/perf-disjoint.perf.txt"; else in=$TC; src="$SHARED/traces/tc-overlap.report.txt"; fi
      build_input "$in" "$SIZE_MB" "$src"
      n=${f/-/}
      if [ "$RUNS_TABLES" != 0 ]; then
        best "$n" "$RUNS_TABLES" "$in" 'rm -rf "$WS"' -- "$V" ingest "$in" -w "$WS"
        row "\`vmalock ingest\` $f, $(mb "$in") MB (tables built)" "$n" "$(mb "$in")"
      fi
      best "${n}n" "$RUNS" "$in" 'rm -rf "$WS"' -- "$V" ingest --no-tables "$in" -w "$WS"
      row "\`vmalock ingest --no-tables\` $f" "${n}n" "$(mb "$in")"
      ;;
    csv)
      CSV="$WS_DIR/vmalock-ingest-bench.csv"
      if [ ! -s "$CSV" ] || [ "$CSV" -ot "$BIG" ]; then
        rm -rf "$WS"; "$V" ingest --no-tables "$BIG" -w "$WS" > /dev/null; "$V" export -w "$WS" -o "$CSV" > /dev/null
      fi
      if [ -z "${BASE:-}" ]; then
        [ "$RUNS_TABLES" = 0 ] || best csv "$RUNS_TABLES" "$CSV" 'rm -rf "$WS"' -- "$V" ingest "$CSV" -w "$WS"
        best csvn "$RUNS" "$CSV" 'rm -rf "$WS"' -- "$V" ingest --no-tables "$CSV" -w "$WS"
      else # alternate with the older code's, one run at a time, and keep each one's best
        : > "$TMP/pair"
        for _ in $(seq "$RUNS"); do
          for k in csv bcsv csvn bcsvn; do
            [ "$RUNS_TABLES" = 0 ] && [ "${k%n}" = "$k" ] && continue # RUNS_TABLES=0: --no-tables only
            case $k in
              csv) best t1 1 "$CSV" 'rm -rf "$WS"' -- "$V" ingest "$CSV" -w "$WS" ;;
              bcsv) best t1 1 "$CSV" 'rm -rf "$WS"' -- "$BASE/vmalock" ingest "$CSV" -w "$WS" ;;
              csvn) best t1 1 "$CSV" 'rm -rf "$WS"' -- "$V" ingest --no-tables "$CSV" -w "$WS" ;;
              bcsvn) best t1 1 "$CSV" 'rm -rf "$WS"' -- "$BASE/vmalock" ingest --no-tables "$CSV" -w "$WS" ;;
            esac
            echo "$k $W_t1 $C_t1" >> "$TMP/pair"
          done
        done
        for k in csv bcsv csvn bcsvn; do
          grep -q "^$k " "$TMP/pair" || continue
          read -r w c < <(awk -v k="$k" '$1 == k { print $2, $3 }' "$TMP/pair" | sort -n | head -1)
          printf -v "W_$k" '%s' "$w"; printf -v "C_$k" '%s' "$c"
          printf -v "ALL_$k" '%s' "$(awk -v k="$k" '$1 == k { printf "%s%s", (n++ ? ", " : ""), $2 }' "$TMP/pair")"
        done
      fi
      if [ "$RUNS_TABLES" != 0 ]; then
        row "\`vmalock ingest\` CSV ($(mb "$CSV") MB, \`vmalock export\` of the ftrace trace; tables built)" csv "$(mb "$CSV")"
        [ -n "${BASE:-}" ] && row 'before: `vmalock ingest` CSV (tables built)' bcsv "$(mb "$CSV")"
      fi
      row "\`vmalock ingest --no-tables\` CSV ($(mb "$CSV") MB)" csvn "$(mb "$CSV")"
      [ -n "${BASE:-}" ] && row 'before: `vmalock ingest --no-tables` CSV' bcsvn "$(mb "$CSV")"
      [ -n "${BASE:-}" ] && echo "| CSV after / before | wall $(div "$W_csvn" "$W_bcsvn") (--no-tables)$( [ "$RUNS_TABLES" = 0 ] || echo ", $(div "$W_csv" "$W_bcsv") (tables built)"); CPU $(div "$C_csvn" "$C_bcsvn") (--no-tables) | | | | | |"
      ;;
  esac
done
case " $FORMATS " in *" ftrace "*)
  echo
  [ "$RUNS_TABLES" = 0 ] || echo "ftrace: tables built / --no-tables (wall, default threads): $(div "$W_ft" "$W_ftn"); wall of the default threads / wall of --threads 1: $(div "$W_ft" "$W_ft1") (tables built)"
  echo "ftrace --no-tables: wall of --threads 2 / wall of --threads 1: $(div "$W_ftn2" "$W_ftn1") (< 1: the second parsing thread gains)"
esac

# ---- target 3 ----
if [ "${QUERIES:-1}" != 0 ]; then
echo
echo "## 3. the first query over each table ($BIG), against the ingest before it"
echo
echo "| command | wall s | CPU s | / its ingest (wall) |"
echo "|---|---|---|---|"
best i3 1 "$BIG" 'rm -rf "$WS"' -- "$V" ingest "$BIG" -w "$WS"
printf '| %s | %s | %s | 1 |\n' '`vmalock ingest` (tables built)' "$W_i3" "$C_i3"
for t in events faults syscalls contention; do
  best "q$t" 1 "" : -- "$V" query -w "$WS" "SELECT count(*) FROM $t"
  printf '| first `query … FROM %s` | %s | %s | %s (target <= 1) |\n' "$t" "$(w "q$t")" "$(c "q$t")" "$(div "$(w "q$t")" "$W_i3")"
done
best n3 1 "$BIG" 'rm -rf "$WS"' -- "$V" ingest --no-tables "$BIG" -w "$WS"
printf '| %s | %s | %s | 1 |\n' '`vmalock ingest --no-tables`' "$W_n3" "$C_n3"
for t in events faults syscalls contention; do
  best "l$t" 1 "" : -- "$V" query -w "$WS" "SELECT count(*) FROM $t"
  printf '| then first `query … FROM %s` (loads it) | %s | %s | %s |\n' "$t" "$(w "l$t")" "$(c "l$t")" "$(div "$(w "l$t")" "$W_n3")"
done

fi

# ---- target 5 ----
if [ "$STATS_MB" != 0 ]; then
  BIG5=/tmp/vmalock-bench-ftrace-shifted-${STATS_MB}m.txt
  build_input "$BIG5" "$STATS_MB" "$SHARED/traces/ftrace-overlap-default.txt" "$SHARED"/traces/cf-overlap-*.txt.xz
  echo
  echo "## 5. ingest + stats on $BIG5 ($(mb "$BIG5") MB)"
  echo
  best i5 1 "$BIG5" 'rm -rf "$WS"' -- "$V" ingest "$BIG5" -w "$WS"
  best s5 1 "" : -- "$V" stats -w "$WS"
  echo "| command | wall s | CPU s |"
  echo "|---|---|---|"
  printf '| `vmalock ingest` | %s | %s |\n' "$W_i5" "$C_i5"
  printf '| then `vmalock stats` | %s | %s |\n' "$W_s5" "$C_s5"
  echo
  echo "(ingest + stats) / ingest: $(div "$(awk -v a="$W_i5" -v b="$W_s5" 'BEGIN { print a + b }')" "$W_i5") wall (target <= 2)"
fi
rm -rf "$WS"
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
