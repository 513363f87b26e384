# tc-lib.sh — sourced by the sample-traces/tc-*.sh capture scripts (root).
# trace-cmd record works on the top-level tracefs instance, and on this kernel (6.18, no writable
# set_ftrace_filter) it needs `-d --no-filter` and still exits 1 after writing a complete .dat —
# skipping its own clean-up. So this file saves the top-level settings it touches and puts them back
# on exit: events, event pid filters, options, clock, buffer size, tracing_on, buffer contents.
set -eu
T=/sys/kernel/tracing
[ -e "$T/trace" ] || mount -t tracefs nodev "$T"
WL=${WL:-/tmp/wl}
TC_EVENTS="-e mmap_lock -e exceptions:page_fault_user -e lock:contention_begin -e lock:contention_end
  -e syscalls:sys_enter_mmap -e syscalls:sys_exit_mmap -e syscalls:sys_enter_munmap -e syscalls:sys_exit_munmap
  -e syscalls:sys_enter_mprotect -e syscalls:sys_exit_mprotect -e syscalls:sys_enter_madvise
  -e syscalls:sys_exit_madvise -e syscalls:sys_enter_brk -e syscalls:sys_exit_brk
  -e syscalls:sys_enter_mremap -e syscalls:sys_exit_mremap
  -e sched:sched_process_exec -e sched:sched_process_fork -e sched:sched_process_exit"
SAVE=$(mktemp -d /tmp/vmalock-tc-XXXXXX)
cat "$T/trace_options" > "$SAVE/options"
cat "$T/set_event" > "$SAVE/set_event"
cat "$T/set_event_pid" > "$SAVE/set_event_pid"
sed -n 's/.*\[\(.*\)\].*/\1/p' "$T/trace_clock" > "$SAVE/clock"
cat "$T/buffer_size_kb" > "$SAVE/buffer_size_kb"
cat "$T/tracing_on" > "$SAVE/tracing_on"
cat "$T/current_tracer" > "$SAVE/current_tracer"
ls "$T/instances" > "$SAVE/instances"
tc_restore() {
  echo 0 > "$T/tracing_on"
  echo > "$T/set_event"
  while read -r e; do echo "$e" >> "$T/set_event"; done < "$SAVE/set_event"
  echo > "$T/set_event_pid"
  for p in $(cat "$SAVE/set_event_pid"); do echo "$p" >> "$T/set_event_pid"; done
  while read -r o; do echo "$o" > "$T/trace_options" 2>/dev/null || true; done < "$SAVE/options"
  cat "$SAVE/clock" > "$T/trace_clock"
  # "7 (expanded: 1408)": the boot-time buffer was never expanded; trace-cmd expands it and no
  # write can undo that (the kernel's own first use does the same), so only a plain size is restored
  grep -q expanded "$SAVE/buffer_size_kb" || cat "$SAVE/buffer_size_kb" > "$T/buffer_size_kb"
  cat "$SAVE/current_tracer" > "$T/current_tracer"
  for i in $(ls "$T/instances"); do grep -qx "$i" "$SAVE/instances" || rmdir "$T/instances/$i"; done
  echo > "$T/trace"
  cat "$SAVE/tracing_on" > "$T/tracing_on"
  rm -rf "$SAVE" "${DAT:-}"
}
trap 'tc_restore' EXIT
trap 'exit 130' INT TERM
DAT=$(mktemp /tmp/vmalock-sample-XXXXXX.dat)
# tc_record [trace-cmd record options...] -- CMD...: records CMD and its children (-F -c)
tc_record() {
  trace-cmd record -q -d --no-filter $TC_EVENTS -o "$DAT" "$@" > /dev/null 2>&1 || true
  [ -s "$DAT" ] || { echo "trace-cmd record wrote nothing" >&2; exit 1; }
}
