#!/bin/bash
# capture-overhead.sh [RUNS=5] [faultwork args...] — the run time of a fixed amount of work
# (bench/faultwork.c: the overlapping workload's faults + mprotects, fixed counts) without tracing,
# with the same events recorded by ftrace but not read, read by `cat trace_pipe > /dev/null`
# (ftrace-baseline.sh: the kernel's own cost), under `vmalock capture` (default events, maps polled
# every 100 ms), and under `vmalock capture --maps-interval-ms 0`. Runs are interleaved; prints the median of each and the ratio to plain.
# faultwork times itself (CLOCK_MONOTONIC around its threads), so JVM start-up is not counted.
# Needs root (tracefs) and gcc.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runs=${1:-5}; shift || true
if [ $# -gt 0 ]; then args=("$@"); else args=(2 400 2000); fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
gcc -O2 -pthread -o "$tmp/faultwork" "$here/faultwork.c"
"$here/../vmalock" --version > /dev/null          # build the jar first if needed
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: > "$tmp/plain"; : > "$tmp/capture"; : > "$tmp/nopoll"; : > "$tmp/events"; : > "$tmp/record"; : > "$tmp/cat"
for i in $(seq "$runs"); do
  "$tmp/faultwork" "${args[@]}" >> "$tmp/plain"
  sh "$here/ftrace-baseline.sh" record "$tmp/faultwork" "${args[@]}" >> "$tmp/record"
  sh "$here/ftrace-baseline.sh" cat "$tmp/faultwork" "${args[@]}" >> "$tmp/cat"
  "$here/../vmalock" capture -w "$tmp/ws$i" --json -- "$tmp/faultwork" "${args[@]}" > "$tmp/out$i" 2> /dev/null
  head -1 "$tmp/out$i" >> "$tmp/capture"
  sed -n 's/^  "events" : \([0-9]*\),$/\1/p' "$tmp/out$i" >> "$tmp/events"
  "$here/../vmalock" capture -w "$tmp/wsn$i" --maps-interval-ms 0 -- "$tmp/faultwork" "${args[@]}" 2> /dev/null >> "$tmp/nopoll"
  rm -rf "$tmp/ws$i" "$tmp/wsn$i"
done
r=$(median < "$tmp/record"); k=$(median < "$tmp/cat"); p=$(median < "$tmp/plain"); c=$(median < "$tmp/capture"); n=$(median < "$tmp/nopoll"); e=$(median < "$tmp/events")
echo "faultwork ${args[*]}, $runs runs each, median wall time of the work:"
printf '  plain                                   %8.1f ms\n' "$p"
printf '  ftrace, events recorded, no reader      %8.1f ms  (x%.2f)\n' "$r" "$(echo "$r $p" | awk '{print $1/$2}')"
printf '  ftrace + cat trace_pipe > /dev/null     %8.1f ms  (x%.2f)\n' "$k" "$(echo "$k $p" | awk '{print $1/$2}')"
printf '  vmalock capture                         %8.1f ms  (x%.2f, %s events captured)\n' "$c" "$(echo "$c $p" | awk '{print $1/$2}')" "$e"
printf '  vmalock capture --maps-interval-ms 0    %8.1f ms  (x%.2f)\n' "$n" "$(echo "$n $p" | awk '{print $1/$2}')"
