#!/bin/sh
# trace-cmd report -l (latency format: the flags column after the cpu) with sched_switch and sched_waking:
# the flags column's hardirq/softirq character tells a timer's wake-up from a task's (the cf workload's
# writer releasing mmap_lock to a waiting faulter), and sched_switch's "[120]" priorities are brackets in
# the fields, not a cpu column
. "$(dirname "$0")/tc-lib.sh"
CF=${CF:-/tmp/wl/cf}
[ -x "$CF" ] || { mkdir -p "$(dirname "$CF")"; gcc -O2 -pthread -o "$CF" "$(dirname "$0")/../../shared/workloads/cf.c"; }
TC_EVENTS="$TC_EVENTS -e sched:sched_switch -e sched:sched_waking"
tc_record -F -c -- "$CF" u o 2 0.02 16 300 200 32
trace-cmd report -l -i "$DAT" 2>/dev/null > "$(dirname "$0")/tc-latency-sched.report.txt"
