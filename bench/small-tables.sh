#!/usr/bin/env bash
# Where ingest should stop building the database's tables (issue 13 target 1, IngestCommand.TABLES_FROM_EVENTS):
# per size N (lines of the shared ftrace capture, repeated), R rounds alternating
#   A: `ingest --tables T`    then the first `query … FROM events` (the tables exist)
#   B: `ingest --no-tables T` then the first `query … FROM events` (a small workspace's first query builds every
#      table, as ingest --tables would have, then runs)
# and prints per round: N, A's ingest and query, B's ingest and query (wall s and CPU s each), the load average.
# The first query's extra is B's query minus A's; ingest + first query costs about the same either way.
# Usage: bench/small-tables.sh R N…   e.g. bench/small-tables.sh 5 1000 10000 50000
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/repeat-trace.sh"
V="$ROOT/vmalock"
R=$1; shift
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
repeat_trace "$TMP/rep.txt" $(( ($(printf '%s\n' "$@" | sort -n | tail -1) * 120 + 999999) / 1000000 ))
"$V" --version > /dev/null
t() { /usr/bin/time -f "%e %U %S" -o "$TMP/t" "$@" > /dev/null 2> "$TMP/err" || cat "$TMP/err" >&2; awk '{ printf "%.2f %.2f", $1, $2 + $3 }' "$TMP/t"; }
echo "N | A: ingest --tables wall cpu, first query wall cpu | B: ingest --no-tables wall cpu, first query wall cpu | load"
for n in "$@"; do
  head -n "$n" "$TMP/rep.txt" > "$TMP/T.txt"
  for _ in $(seq "$R"); do
    rm -rf "$TMP/a"; a1=$(t "$V" ingest --tables "$TMP/T.txt" -w "$TMP/a"); a2=$(t "$V" query -w "$TMP/a" "SELECT count(*) FROM events")
    rm -rf "$TMP/b"; b1=$(t "$V" ingest --no-tables "$TMP/T.txt" -w "$TMP/b"); b2=$(t "$V" query -w "$TMP/b" "SELECT count(*) FROM events")
    echo "$n | $a1 $a2 | $b1 $b2 | $(cut -d' ' -f1 /proc/loadavg)"
  done
done
