#!/bin/sh
# trace-cmd report of a recording whose per-CPU recorder processes were paused (SIGSTOP, by pid)
# for 0.3 s while the workload ran, with a 16 KiB-per-CPU kernel buffer (-b 16): the ring buffer
# overruns and the report carries "CPU:N [EVENTS DROPPED]" / "CPU:N [M EVENTS DROPPED]" lines;
# overlapping workload (started 0.5 s after the recording)
. "$(dirname "$0")/tc-lib.sh"
trace-cmd record -q -d --no-filter $TC_EVENTS -b 16 -o "$DAT" -F -c -- \
  sh -c 'sleep 0.5; exec "$0" "$@"' "$WL/overlapping" 2 0.3 32 2000 300 > /dev/null 2>&1 &
tc=$!
sleep 0.3
rec=$(ps -o pid=,comm= --ppid "$tc" | awk '$2 == "trace-cmd" { print $1 }')
[ -n "$rec" ] || { echo "no trace-cmd recorder processes found" >&2; exit 1; }
kill -STOP $rec
sleep 0.6
kill -CONT $rec
wait "$tc" || true
trace-cmd report -i "$DAT" 2>/dev/null > "$(dirname "$0")/tc-dropped.report.txt"
