#!/bin/sh
# perf script -F comm,pid,tid,cpu,time,event,trace (PID/TID column), overlapping workload
. "$(dirname "$0")/perf-lib.sh"
perf record -q $PERF_EVENTS -o "$DATA" -- "$WL/overlapping" 2 0.03 32 2000 300 > /dev/null
perf script -i "$DATA" -F comm,pid,tid,cpu,time,event,trace 2>/dev/null > "$(dirname "$0")/perf-fields.perf.txt"
