#!/usr/bin/env bash
# Interleaved A/B of the small-trace start-up figure (issue 13 target 1): `ingest T -w WS` then `stats -w WS`, T the
# first 1,000 lines of the shared ftrace capture, for each launcher in turn, RUNS rounds; prints the medians of wall
# and CPU (user+sys) seconds of each command. Interleaving puts both sides under the same load on a shared machine.
#
# Usage: bench/small-ab.sh RUNS LABEL1 LAUNCHER1 LABEL2 LAUNCHER2 …
#   e.g. bench/small-ab.sh 15 before /tmp/sm-base/vmalock after ./vmalock
#   VMALOCK_JAVA_OPTS applies to every launcher.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${VMALOCK_SHARED:-$ROOT/../shared}
R=$1; shift
labels=(); launchers=()
while [ $# -gt 1 ]; do labels+=("$1"); launchers+=("$2"); shift 2; done
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
T="$TMP/trace-1000.txt"; WS="$TMP/ws"
head -n 1000 "$SHARED/traces/ftrace-overlap-default.txt" > "$T"
for v in "${launchers[@]}"; do "$v" --version > /dev/null; done   # builds jar and class archive outside the figures
one() {               # one LABEL.CMD run: appends "wall cpu"
  local f=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$TMP/t" "$@" > /dev/null 2> "$TMP/err" || { cat "$TMP/err" >&2; return 1; }
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$TMP/t" >> "$TMP/$f"
}
med() { sort -n -k"$2" "$TMP/$1" | awk -v c="$2" '{ v[NR] = $c } END { printf "%.3f", v[int((NR + 1) / 2)] }'; }
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$R"); do
  for k in "${!launchers[@]}"; do
    rm -rf "$WS"
    one "$k.ingest" "${launchers[$k]}" ingest "$T" -w "$WS"
    one "$k.stats" "${launchers[$k]}" stats -w "$WS"
  done
done
echo "| launcher | ingest wall / CPU s | stats wall / CPU s | ingest + stats wall / CPU s |"
echo "| --- | --- | --- | --- |"
for k in "${!launchers[@]}"; do
  iw=$(med "$k.ingest" 1) ic=$(med "$k.ingest" 2) sw=$(med "$k.stats" 1) sc=$(med "$k.stats" 2)
  printf "| %s | %s / %s | %s / %s | %s / %s |\n" "${labels[$k]}" "$iw" "$ic" "$sw" "$sc" \
    "$(awk -v a="$iw" -v b="$sw" 'BEGIN { printf "%.3f", a + b }')" "$(awk -v a="$ic" -v b="$sc" 'BEGIN { printf "%.3f", a + b }')"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (medians of $R, interleaved)"
