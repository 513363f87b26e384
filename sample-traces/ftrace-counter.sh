#!/bin/sh
# raw tracefs `trace` file with trace_clock=counter (bare integer timestamps counting events), overlapping workload
. "$(dirname "$0")/ftrace-lib.sh"
echo counter > "$I/trace_clock"
inst_run "$WL/overlapping" 2 0.03 32 2000 300
cat "$I/trace" > "$(dirname "$0")/ftrace-counter.txt"
