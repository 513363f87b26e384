#!/bin/sh
# trace-cmd report -l (latency format: flags column after the cpu), overlapping workload
. "$(dirname "$0")/tc-lib.sh"
tc_record -F -c -- "$WL/overlapping" 2 0.03 32 2000 300
trace-cmd report -l -i "$DAT" 2>/dev/null > "$(dirname "$0")/tc-latency.report.txt"
