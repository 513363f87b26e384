#!/bin/sh
# ftrace-baseline.sh MODE CMD ARGS… — runs CMD traced with the capture's default events in a tracefs
# instance of its own (../sample-traces/ftrace-lib.sh), 8 MiB buffer per CPU, no vmalock involved:
#   MODE=record : events recorded into the ring buffer, nobody reads them (the kernel's cost alone)
#   MODE=cat    : plus `cat trace_pipe > /dev/null` (the kernel's text formatting, a minimal reader)
# CMD's stdout passes through. Used by capture-overhead.sh as baselines.
mode=$1; shift
. "$(dirname "$0")/../sample-traces/ftrace-lib.sh"
echo 8192 > "$I/buffer_size_kb"
echo 1 > "$I/options/record-tgid"
echo mono > "$I/trace_clock"
echo 1 > "$I/options/event-fork"
inst_events
if [ "$mode" = cat ]; then
  cat "$I/trace_pipe" > /dev/null &
  reader=$!
fi
sh -c 'echo $$ > "$0/set_event_pid"; echo 1 > "$0/tracing_on"; exec "$@"' "$I" "$@"
echo 0 > "$I/tracing_on"
if [ "$mode" = cat ]; then
  wait "$reader" 2>/dev/null || true   # trace_pipe ends once tracing is off and it is drained
fi
