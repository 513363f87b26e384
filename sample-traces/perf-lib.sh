# perf-lib.sh — sourced by the sample-traces/perf-*.sh capture scripts (root). perf record follows
# the workload's threads and children (inherit), no -a, so nothing else on the machine is recorded.
set -eu
WL=${WL:-/tmp/wl}
PERF_EVENTS="-e mmap_lock:* -e exceptions:page_fault_user -e lock:contention_begin -e lock:contention_end
  -e syscalls:sys_enter_mmap -e syscalls:sys_exit_mmap -e syscalls:sys_enter_munmap -e syscalls:sys_exit_munmap
  -e syscalls:sys_enter_mprotect -e syscalls:sys_exit_mprotect -e syscalls:sys_enter_madvise
  -e syscalls:sys_exit_madvise -e syscalls:sys_enter_brk -e syscalls:sys_exit_brk
  -e syscalls:sys_enter_mremap -e syscalls:sys_exit_mremap
  -e sched:sched_process_exec -e sched:sched_process_fork -e sched:sched_process_exit"
DATA=$(mktemp /tmp/vmalock-sample-XXXXXX.data)
trap 'rm -f "$DATA" "$DATA.old"' EXIT
