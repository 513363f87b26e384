#!/bin/sh
# raw tracefs `trace` file with options/irq-info=0 (no flags column, 6 header lines), overlapping workload
. "$(dirname "$0")/ftrace-lib.sh"
echo 0 > "$I/options/irq-info"
inst_run "$WL/overlapping" 2 0.03 32 2000 300
cat "$I/trace" > "$(dirname "$0")/ftrace-noirqinfo.txt"
