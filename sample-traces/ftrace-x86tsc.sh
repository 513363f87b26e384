#!/bin/sh
# raw tracefs `trace` file with trace_clock=x86-tsc (bare integer TSC cycles), disjoint workload
. "$(dirname "$0")/ftrace-lib.sh"
echo x86-tsc > "$I/trace_clock"
inst_run "$WL/disjoint" 2 0.015 32 2000 300
cat "$I/trace" > "$(dirname "$0")/ftrace-x86tsc.txt"
