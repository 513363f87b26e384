#!/bin/sh
# make-expected.sh — writes NAME.expected.json beside every bundled sample trace, computed by
# expected.awk alone (never by vmalock). ftrace-counter/ftrace-x86tsc use bare-integer clocks
# (figures in ticks). Run after re-capturing; `sh check-expected.sh` validates expected.awk itself.
set -eu
cd "$(dirname "$0")"
for f in ftrace-*.txt perf-*.perf.txt tc-*.report.txt; do
  case $f in ftrace-overlap-default.txt) continue ;; esac    # has the shared truth JSON instead
  case $f in
    ftrace-counter.txt) clock=counter ;;
    ftrace-x86tsc.txt)  clock=x86-tsc ;;
    *) clock=local ;;
  esac
  base=${f%.txt}
  awk -v clock=$clock -f expected.awk "$f" > "$base.expected.json"
done
