# ftrace-lib.sh — sourced by the sample-traces/ftrace-*.sh capture scripts (run as root).
# Each capture uses a tracefs INSTANCE of its own (instances/vmalock-sample-PID): its buffer, events,
# options, clock and pid filter are private and vanish with `rmdir`, so the top-level tracefs
# settings are never touched. The instance is removed on exit, error, Ctrl-C and SIGTERM.
set -eu
T=/sys/kernel/tracing
[ -e "$T/trace" ] || mount -t tracefs nodev "$T"
I="$T/instances/vmalock-sample-$$"
WL=${WL:-/tmp/wl}          # where the workloads were built: gcc -O2 -pthread -o $WL/X ../shared/workloads/X.c
inst_cleanup() {
  [ -d "$I" ] || return 0
  echo 0 > "$I/tracing_on" 2>/dev/null || true
  echo > "$I/set_event" 2>/dev/null || true
  rmdir "$I"
}
trap 'inst_cleanup' EXIT
trap 'exit 130' INT TERM
mkdir "$I"
echo 0 > "$I/tracing_on"
# the events of ../shared/traces/README.md plus sched_process_fork/exit
EVENTS=${EVENTS:-"mmap_lock:* exceptions:page_fault_user lock:contention_begin lock:contention_end
  syscalls:sys_enter_mmap syscalls:sys_exit_mmap syscalls:sys_enter_munmap syscalls:sys_exit_munmap
  syscalls:sys_enter_mprotect syscalls:sys_exit_mprotect syscalls:sys_enter_madvise syscalls:sys_exit_madvise
  syscalls:sys_enter_brk syscalls:sys_exit_brk syscalls:sys_enter_mremap syscalls:sys_exit_mremap
  sched:sched_process_exec sched:sched_process_fork sched:sched_process_exit"}
inst_events() { for e in $EVENTS; do echo "$e" >> "$I/set_event"; done; }
# inst_run CMD ARGS...: trace CMD and everything it forks (event-fork) from its exec to its exit
inst_run() {
  echo 1 > "$I/options/event-fork"
  inst_events
  sh -c 'echo $$ > "$0/set_event_pid"; echo 1 > "$0/tracing_on"; exec "$@"' "$I" "$@" > /dev/null
  echo 0 > "$I/tracing_on"
}
