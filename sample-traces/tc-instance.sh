#!/bin/sh
# trace-cmd report of a recording made in a tracefs instance (`trace-cmd record -B NAME`): every
# event line carries the instance name as a prefix ("NAME:   comm-pid [cpu] ..."). Overlapping workload.
# (trace-cmd leaves the instance behind; tc-lib.sh removes it with the other restores.)
. "$(dirname "$0")/tc-lib.sh"
trace-cmd record -q -d --no-filter -o "$DAT" -B vmalock-sample-tcb $TC_EVENTS -F -c -- "$WL/overlapping" 2 0.03 32 2000 300 \
  > /dev/null 2>&1 || true
[ -s "$DAT" ] || { echo "trace-cmd record wrote nothing" >&2; exit 1; }
trace-cmd report -i "$DAT" 2>/dev/null > "$(dirname "$0")/tc-instance.report.txt"
