#!/usr/bin/env bash
# The first `report --html` after `compare` (issue 13: it loads the replay runs into the database), this checkout
# against an older one (BASE) alternating run by run, each run on a fresh copy of the same compared workspace; then
# the second page of each. Prints wall / CPU seconds (user+sys) of every run, the medians, whether the pages are
# byte-identical, and the load average.
#
# Usage: BASE=DIR bench/report-after-compare.sh WS     (WS: a workspace after `ingest` and `compare`; not modified)
#   RUNS=3
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${BASE:?set BASE to a checkout of the older code}"
SRC=${1:?usage: BASE=DIR bench/report-after-compare.sh WS}
RUNS=${RUNS:-3}
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
"$ROOT/vmalock" --version > /dev/null; "$BASE/vmalock" --version > /dev/null   # builds, outside the measurements
echo "$(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg); workspace $SRC ($(ls "$SRC/runs" | wc -l) runs)"
t() { /usr/bin/time -f "%e %U %S" -o "$TMP/t" "$@" > /dev/null 2> "$TMP/err" || { cat "$TMP/err" >&2; exit 1; }
      awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$TMP/t"; }
for _ in $(seq "$RUNS"); do
  for side in before after; do
    if [ $side = before ]; then v="$BASE/vmalock"; else v="$ROOT/vmalock"; fi
    rm -rf "$TMP/ws"; cp -a "$SRC" "$TMP/ws"
    echo "$side first $(t "$v" report -w "$TMP/ws" --html "$TMP/$side.html")" >> "$TMP/all"
    echo "$side second $(t "$v" report -w "$TMP/ws" --html "$TMP/$side-2.html")" >> "$TMP/all"
  done
done
echo
echo "| report --html | before: wall s / CPU s (every run) | after | median after/before wall, CPU |"
echo "|---|---|---|---|"
for k in first second; do
  med() { awk -v s="$1" -v k="$k" -v c="$2" '$1 == s && $2 == k { print $c }' "$TMP/all" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  runs() { awk -v s="$1" -v k="$k" '$1 == s && $2 == k { printf "%s%s / %s", (n++ ? ", " : ""), $3, $4 }' "$TMP/all"; }
  awk -v k="$k" -v b="$(runs before)" -v a="$(runs after)" -v bw="$(med before 3)" -v bc="$(med before 4)" \
      -v aw="$(med after 3)" -v ac="$(med after 4)" 'BEGIN { printf "| %s | %s | %s | %.2f, %.2f |\n", k, b, a, aw / bw, ac / bc }'
done
echo
cmp -s "$TMP/before.html" "$TMP/after.html" && cmp -s "$TMP/before-2.html" "$TMP/after-2.html" \
  && echo "pages byte-identical" || echo "PAGES DIFFER"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
