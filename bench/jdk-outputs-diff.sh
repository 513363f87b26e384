#!/usr/bin/env bash
# Are vmalock's outputs byte-identical on two JDKs (issue 13: the launcher runs on JDK 25 with its AOT cache when
# one is installed, the build and tests on 17)? For each trace: ingest, stats (text and JSON), compare (all presets,
# then --wide --format json: the replays), query (the observed run and, after compare, every run), the default
# report set, report --html and export (events), lock_spans and faults of every run as CSV, run by ./vmalock once per JDK in the same workspace path; then diff.
# (report.html: VMALOCK_JAVA set, so each side draws the page on its own JDK, which differs, see ../vmalock;
# report-launcher.html: the launcher's own choice, which must not.) Prints one line per output, "same" or "DIFFERS" (the diff is kept in OUT), and exits 1 if any differs.
#
# Usage: bench/jdk-outputs-diff.sh [TRACE…]     (default: three sample traces of three formats and sample-traces/cf/o2-u1)
#   JAVA_A=java                          the first side (VMALOCK_JAVA): `java` on the PATH (17)
#   JAVA_B=/usr/lib/jvm/temurin-25-jdk-amd64   the second side (default: the JDK the launcher picked, cli/target/vmalock.java)
#   OUT=DIR                              where the outputs stay (default: a temporary directory, removed unless one differs)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
V="$ROOT/vmalock"
"$V" --version > /dev/null                  # builds the jar and the JDK choice first
JAVA_A=${JAVA_A:-java}
if [ -z "${JAVA_B:-}" ]; then read -r _ JAVA_B < "$ROOT/cli/target/vmalock.java"; fi
for j in "$JAVA_A" "$JAVA_B"; do VMALOCK_JAVA="$j" "$V" --version > /dev/null; done   # and each side's class archive
[ "$JAVA_A" != "$JAVA_B" ] || { echo "JAVA_A and JAVA_B are the same ($JAVA_A): no JDK >= 24 found; set JAVA_B" >&2; exit 2; }
[ $# -gt 0 ] || set -- "$ROOT/sample-traces/ftrace-tgid.txt" "$ROOT/sample-traces/perf-ns.perf.txt" \
  "$ROOT/sample-traces/tc-plain.report.txt" "$ROOT/sample-traces/cf/o2-u1.txt.xz"
keep=${OUT:+1}
OUT=${OUT:-$(mktemp -d)}
WS="$OUT/ws"
differs=0
echo "A: VMALOCK_JAVA=$JAVA_A; B: VMALOCK_JAVA=$JAVA_B; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for t in "$@"; do
  name=$(basename "$t"); name=${name%%.*}
  for side in a b; do
    if [ $side = a ]; then j=$JAVA_A; else j=$JAVA_B; fi
    d="$OUT/$name/$side"; mkdir -p "$d"; rm -rf "$WS"
    run() { local f=$1; shift; VMALOCK_JAVA="$j" "$V" "$@" > "$d/$f.out" 2> "$d/$f.err" || echo "exit $?" >> "$d/$f.err"; }
    run ingest ingest "$t" -w "$WS"
    run stats stats -w "$WS"
    run stats-json stats --json -w "$WS"
    run query query -w "$WS" "SELECT name, count(*), sum(ts), sum(address % 1000003) FROM events GROUP BY ALL ORDER BY ALL"
    run report report -w "$WS"
    run compare compare -w "$WS"
    run compare-wide-json compare --wide --format json -w "$WS"
    run query-runs query --run all -w "$WS" "SELECT run, name, count(*), sum(ts) FROM events GROUP BY ALL ORDER BY ALL"
    run report-runs report --run all -w "$WS"
    run report-html report -w "$WS" --html "$d/report.html"
    env -u VMALOCK_JAVA "$V" report -w "$WS" --html "$d/report-launcher.html" > /dev/null   # the launcher's own choice
    run export export -w "$WS" -o "$OUT/events.csv"; mv "$OUT/events.csv" "$d/"   # (the path is in its message)
    run spans query --run all --format csv -w "$WS" "SELECT * FROM lock_spans ORDER BY ALL"
    run faults query --run all --format csv -w "$WS" "SELECT * FROM faults ORDER BY ALL"
    cp "$WS/stats-observed.json" "$d/" 2> /dev/null || true
    mv "$WS" "$d/ws"
  done
  for f in "$OUT/$name/a"/*.out "$OUT/$name/a"/*.err "$OUT/$name/a"/*.html "$OUT/$name/a"/*.csv "$OUT/$name/a"/stats-observed.json; do
    [ -e "$f" ] || continue
    b="$OUT/$name/b/${f##*/}"
    if cmp -s "$f" "$b"; then r=same
    elif [ "${f##*/}" = report.html ]; then r="differs (known, JDK-8176501: not what the launcher runs)"
    else r=DIFFERS; differs=1; fi
    [ "$r" = same ] || diff "$f" "$b" > "$OUT/$name/${f##*/}.diff" || true
    printf '%-14s %-22s %-8s %s bytes\n' "$name" "${f##*/}" "$r" "$(stat -c %s "$f")"
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ $differs = 1 ]; then echo "outputs differ: diffs in $OUT"; exit 1; fi
[ -n "$keep" ] || rm -rf "$OUT"
