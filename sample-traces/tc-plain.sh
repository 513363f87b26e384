#!/bin/sh
# trace-cmd report (plain), overlapping workload
. "$(dirname "$0")/tc-lib.sh"
tc_record -F -c -- "$WL/overlapping" 2 0.03 32 2000 300
trace-cmd report -i "$DAT" 2>/dev/null > "$(dirname "$0")/tc-plain.report.txt"
