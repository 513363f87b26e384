#!/bin/sh
# trace-cmd report -t (full nanosecond timestamps), disjoint workload
. "$(dirname "$0")/tc-lib.sh"
tc_record -F -c -- "$WL/disjoint" 2 0.015 32 2000 300
trace-cmd report -t -i "$DAT" 2>/dev/null > "$(dirname "$0")/tc-ns.report.txt"
