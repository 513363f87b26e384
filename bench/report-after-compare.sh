#!/usr/bin/env bash
# The first `report --html` after `compare` (issue 13: it loads the replay runs into the database, unless compare
# did), this checkout against an older one (BASE) alternating run by run, each run on a fresh copy of the same
# workspace; then the second page of each. Given an ingested workspace without replay runs, each side first runs its
# own `compare` on its copy (timed too, with its peak RSS: where compare loads its runs, that cost is in compare).
# Prints wall / CPU seconds (user+sys) of every run, the medians, whether compare's output and the pages are
# byte-identical, and the load average.
#
# Usage: BASE=DIR bench/report-after-compare.sh WS     (WS: a workspace after `ingest`, and maybe `compare`; not modified)
#   RUNS=3
#   CMD="replay --policy vma-refcount"   the command each side runs instead of `compare` (issue 13: replay loads its
#                                        run into the database as compare does)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${BASE:?set BASE to a checkout of the older code}"
SRC=${1:?usage: BASE=DIR bench/report-after-compare.sh WS}
RUNS=${RUNS:-3}
read -r -a CMD <<< "${CMD:-compare}"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
"$ROOT/vmalock" --version > /dev/null; "$BASE/vmalock" --version > /dev/null   # builds, outside the measurements
compare=0; [ -d "$SRC/runs" ] || compare=1
echo "$(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg); workspace $SRC" \
  "($([ $compare = 1 ] && echo "no runs: each side runs ${CMD[*]}" || echo "$(ls "$SRC/runs" | wc -l) runs"))"
t() { local out=$1; shift
      /usr/bin/time -f "%e %U %S %M" -o "$TMP/t" "$@" > "$out" 2> "$TMP/err" || { cat "$TMP/err" >&2; exit 1; }
      awk '{ printf "%.2f %.2f %d\n", $1, $2 + $3, $4 / 1024 }' "$TMP/t"; }
for _ in $(seq "$RUNS"); do
  for side in before after; do
    if [ $side = before ]; then v="$BASE/vmalock"; else v="$ROOT/vmalock"; fi
    rm -rf "$TMP/ws"; cp -a "$SRC" "$TMP/ws"
    [ $compare = 1 ] && echo "$side ${CMD[0]} $(t "$TMP/$side.compare" "$v" "${CMD[@]}" -w "$TMP/ws")" >> "$TMP/all"
    echo "$side first $(t /dev/null "$v" report -w "$TMP/ws" --html "$TMP/$side.html")" >> "$TMP/all"
    echo "$side second $(t /dev/null "$v" report -w "$TMP/ws" --html "$TMP/$side-2.html")" >> "$TMP/all"
  done
done
echo
echo "| command | before: wall s / CPU s / peak RSS MB (every run) | after | median after/before wall, CPU |"
echo "|---|---|---|---|"
for k in $([ $compare = 1 ] && echo "${CMD[0]}") first second; do
  med() { awk -v s="$1" -v k="$k" -v c="$2" '$1 == s && $2 == k { print $c }' "$TMP/all" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  runs() { awk -v s="$1" -v k="$k" '$1 == s && $2 == k { printf "%s%s / %s / %s", (n++ ? ", " : ""), $3, $4, $5 }' "$TMP/all"; }
  awk -v k="$k" -v b="$(runs before)" -v a="$(runs after)" -v bw="$(med before 3)" -v bc="$(med before 4)" \
      -v aw="$(med after 3)" -v ac="$(med after 4)" 'BEGIN { printf "| %s | %s | %s | %.2f, %.2f |\n", k, b, a, aw / bw, ac / bc }'
done
echo
[ $compare = 0 ] || { cmp -s "$TMP/before.compare" "$TMP/after.compare" && echo "${CMD[0]} output byte-identical" || echo "${CMD[0]} OUTPUT DIFFERS"; }
cmp -s "$TMP/before.html" "$TMP/after.html" && cmp -s "$TMP/before-2.html" "$TMP/after-2.html" \
  && echo "pages byte-identical" || echo "PAGES DIFFER"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
