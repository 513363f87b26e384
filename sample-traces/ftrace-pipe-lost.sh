#!/bin/sh
# raw tracefs `trace_pipe` (no header) read by a deliberately slow reader from an 8 KiB-per-CPU ring
# buffer, so the kernel overwrites unread events and prints "CPU:N [LOST M EVENTS]" markers;
# overlapping workload
. "$(dirname "$0")/ftrace-lib.sh"
out="$(dirname "$0")/ftrace-pipe-lost.txt"
echo 8 > "$I/buffer_size_kb"
# slow reader: cat copies trace_pipe into a pipe drained by awk that naps 20 ms every 50 lines
fifo=$(mktemp -u); mkfifo "$fifo"
awk '{ print; if (NR % 50 == 0) { fflush(); system("sleep 0.02") } }' < "$fifo" > "$out" &
awkpid=$!
cat "$I/trace_pipe" > "$fifo" &
catpid=$!
inst_run "$WL/overlapping" 2 0.05 32 2000 300
# drain: wait until the ring buffer is empty and the output stops growing, then stop the reader
prev=-1
while :; do
  sleep 0.5
  size=$(wc -c < "$out")
  left=$(cat "$I"/per_cpu/cpu*/stats | awk '/^entries:/ { s += $2 } END { print s + 0 }')
  [ "$size" = "$prev" ] && [ "$left" = 0 ] && break
  prev=$size
done
kill "$catpid" 2>/dev/null || true  # cat normally ends by itself: trace_pipe returns EOF once tracing is off and drained
wait "$catpid" || true
wait "$awkpid"; rm -f "$fifo"
