#!/usr/bin/env bash
# compare against ingest of the same trace, in one run (issue 13 target 4: all presets in <= 3x the ingest's
# time, both cores, <= 512 MB resident at the launcher's default heap). Prints wall and CPU (user+sys) seconds,
# peak RSS, the load average, and the ratios to ingest; every compare's output must be byte-identical (the
# script says so or fails): the policies one at a time (--jobs 1) and the default (two at once when the heap
# allows), and with BASE=DIR the same commands of another checkout (built there with mvn -pl cli -am package).
#
# Usage: bench/compare-bench.sh [SIZE_MB]        (default 120; RUNS=1 rounds, alternating the variants)
#   BIG=/tmp/vmalock-bench-ftrace-120m.txt   the shared ftrace capture repeated to SIZE_MB (as bench/startup-bench.sh)
#   BASE=/tmp/base                           a checkout of older code for "before" rows
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/repeat-trace.sh"
SIZE_MB=${1:-120}
RUNS=${RUNS:-1}
BIG=${BIG:-/tmp/vmalock-bench-ftrace-${SIZE_MB}m.txt}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
repeat_trace "$BIG" "$SIZE_MB"
"$ROOT/vmalock" --version > /dev/null
[ -n "${BASE:-}" ] && "$BASE/vmalock" --version > /dev/null
cat "$BIG" > /dev/null
echo "input: $BIG ($(awk -v b="$(stat -c %s "$BIG")" 'BEGIN { printf "%.0f", b / 1e6 }') MB); $(nproc) cores;" \
  "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
measure() {           # measure KEY CMD…: one run; appends "wall cpu rss_mb" to $TMP/KEY.t, stdout to $TMP/KEY.out
  local key=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$TMP/t" "$@" > "$TMP/$key.out" 2> "$TMP/err" || { cat "$TMP/err" >&2; return 1; }
  awk '{ printf "%.2f %.2f %d\n", $1, $2 + $3, $4 / 1024 }' "$TMP/t" >> "$TMP/$key.t"
  echo "  $key: $(tail -1 "$TMP/$key.t") (wall s, CPU s, peak RSS MB); load $(cut -d' ' -f1 /proc/loadavg)" >&2
}
variants=("new")
[ -n "${BASE:-}" ] && variants+=("base")
for r in $(seq "$RUNS"); do
  for v in "${variants[@]}"; do
    V="$ROOT/vmalock"; [ "$v" = base ] && V="$BASE/vmalock"
    rm -rf "$TMP/ws"
    measure "$v-ingest" "$V" ingest "$BIG" -w "$TMP/ws"
    if [ "$v" = new ]; then
      # each compare on the ingested workspace (compare loads its runs into the database: a second one over the
      # same runs would find them loaded)
      rm -rf "$TMP/ws0"; cp -a "$TMP/ws" "$TMP/ws0"
      measure "new-compare-jobs1" "$V" compare -w "$TMP/ws" --jobs 1
      rm -rf "$TMP/ws"; cp -a "$TMP/ws0" "$TMP/ws"
      measure "new-compare" "$V" compare -w "$TMP/ws"
    else
      measure "base-compare" "$V" compare -w "$TMP/ws"
    fi
  done
done
for k in new-compare-jobs1 base-compare; do
  [ -f "$TMP/$k.out" ] || continue
  cmp -s "$TMP/new-compare.out" "$TMP/$k.out" || { echo "compare output of $k differs from the default's" >&2; exit 1; }
done
echo
echo "| command | wall s (best) | CPU s | peak RSS MB | wall / ingest | CPU / ingest |"
echo "|---|---|---|---|---|---|"
best() { sort -n "$TMP/$1.t" | head -1; }
row() {               # row KEY LABEL INGEST_KEY
  read -r w c m < <(best "$1")
  read -r iw ic _ < <(best "$3")
  awk -v l="$2" -v w="$w" -v c="$c" -v m="$m" -v iw="$iw" -v ic="$ic" \
    'BEGIN { printf "| %s | %.2f | %.2f | %d | %.2f | %.2f |\n", l, w, c, m, w / iw, c / ic }'
}
row new-ingest '`ingest` (tables built)' new-ingest
row new-compare-jobs1 '`compare --jobs 1` (policies one at a time)' new-ingest
row new-compare '`compare` (default)' new-ingest
if [ -n "${BASE:-}" ]; then
  row base-ingest '`ingest`, before' base-ingest
  row base-compare '`compare`, before' base-ingest
fi
echo
echo "compare output identical: --jobs 1, the default${BASE:+ and before}"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
