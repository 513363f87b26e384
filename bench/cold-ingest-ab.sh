#!/usr/bin/env bash
# Cold `vmalock ingest --no-tables` of large inputs, this checkout against an older one (BASE) in the same rounds,
# alternating run by run (issue 13, cold ingest): on a shared 2-core machine the load moves between runs, so each
# pair of runs sees about the same machine. Prints, per input and thread count, the median wall and CPU seconds
# (user+sys of the process) of each side, MB/s from the median wall, and after/before ratios; then the load average.
#
# Usage: BASE=DIR bench/cold-ingest-ab.sh FILE…      (DIR: a checkout of the older code with its jar built)
#   RUNS=5            runs of each side per input and thread count
#   THREADS="1 2"     --threads values (besides the default, which is measured as "default")
#   ARGS=--no-tables  ingest options
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${BASE:?set BASE to a checkout of the older code}"
RUNS=${RUNS:-5}
THREADS=${THREADS:-default 1}
ARGS=${ARGS:---no-tables}
WS=$(mktemp -d)/ws
TMP=$(mktemp -d); trap 'rm -rf "$TMP" "$(dirname "$WS")"' EXIT
"$ROOT/vmalock" --version > /dev/null; "$BASE/vmalock" --version > /dev/null   # builds, outside the measurements
. "$ROOT/bench/launcher-jdk.sh"
echo "$(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "BASE=$BASE ($(git -C "$BASE" rev-parse --short HEAD 2>/dev/null || echo "?")) runs $(launcher_jdk "$BASE")"
echo "this: $(git -C "$ROOT" rev-parse --short HEAD) runs $(launcher_jdk "$ROOT")"
echo
echo "| input | threads | before: wall s / CPU s (median of $RUNS) | after | MB/s before / after | after/before wall, CPU |"
echo "|---|---|---|---|---|---|"
med() { sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] }'; }
for f in "$@"; do
  mb=$(awk -v b="$(stat -c %s "$f")" 'BEGIN { printf "%.1f", b / 1e6 }')
  for t in $THREADS; do
    th=(); [ "$t" = default ] || th=(--threads "$t")
    : > "$TMP/b"; : > "$TMP/a"
    for _ in $(seq "$RUNS"); do
      for side in b a; do
        if [ $side = b ]; then v="$BASE/vmalock"; else v="$ROOT/vmalock"; fi
        rm -rf "$WS"; cat "$f" > /dev/null
        # shellcheck disable=SC2086
        /usr/bin/time -f "%e %U %S" -o "$TMP/t" "$v" ingest $ARGS "${th[@]}" "$f" -w "$WS" > /dev/null 2> "$TMP/err" \
          || { cat "$TMP/err" >&2; exit 1; }
        awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$TMP/t" >> "$TMP/$side"
      done
    done
    bw=$(cut -d' ' -f1 "$TMP/b" | med); bc=$(cut -d' ' -f2 "$TMP/b" | med)
    aw=$(cut -d' ' -f1 "$TMP/a" | med); ac=$(cut -d' ' -f2 "$TMP/a" | med)
    awk -v f="$(basename "$f")" -v mb="$mb" -v t="$t" -v bw="$bw" -v bc="$bc" -v aw="$aw" -v ac="$ac" 'BEGIN {
      printf "| %s (%s MB) | %s | %s / %s | %s / %s | %.0f / %.0f | %.2f, %.2f |\n", f, mb, t, bw, bc, aw, ac, mb / bw, mb / aw, aw / bw, ac / bc }'
  done
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
