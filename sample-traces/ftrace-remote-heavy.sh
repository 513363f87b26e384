#!/bin/sh
# raw tracefs `trace` file (record-tgid=1) of ../shared/workloads/run_remote.sh, heavier than
# ftrace-remote.sh: one slow faulter and a busy writer (mprotect/madvise every 50 µs) in the target,
# so that writers really queue on mmap_lock behind the two remote_reader processes' read sections
# (/proc/PID/{maps,smaps,cmdline}, process_vm_readv). Everything the script forks is traced
# (event-fork), with sched_process_exec/fork/exit, so the process tree can be rebuilt.
. "$(dirname "$0")/ftrace-lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
cp "$here/../../shared/workloads/run_remote.sh" "$WL/run_remote.sh" 2>/dev/null ||
  cp "$here/../shared/workloads/run_remote.sh" "$WL/run_remote.sh"
EVENTS="$EVENTS syscalls:sys_enter_process_vm_readv syscalls:sys_exit_process_vm_readv"
echo 1 > "$I/options/record-tgid"
echo 8192 > "$I/buffer_size_kb"
inst_run bash "$WL/run_remote.sh" overlapping ${SECS:-0.15} 1 16 2000 50
cat "$I/trace" > "${OUT:-$here/ftrace-remote-heavy.txt}"
