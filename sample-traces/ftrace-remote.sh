#!/bin/sh
# raw tracefs `trace` file (record-tgid=1) of ../shared/workloads/run_remote.sh: the overlapping target
# plus two remote_reader processes that take the target's mmap_lock for read from another mm's
# context (/proc/PID/maps, smaps, cmdline, process_vm_readv). Everything the script forks is traced
# (event-fork), with sched_process_exec/fork/exit, so the process tree can be rebuilt.
# REMOTE_ARGS, BUFFER_KB and OUT change the workload arguments, buffer size and output (default: this sample).
. "$(dirname "$0")/ftrace-lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
cp "$here/../../shared/workloads/run_remote.sh" "$WL/run_remote.sh" 2>/dev/null ||
  cp "$here/../shared/workloads/run_remote.sh" "$WL/run_remote.sh"
EVENTS="$EVENTS syscalls:sys_enter_process_vm_readv syscalls:sys_exit_process_vm_readv"
echo 1 > "$I/options/record-tgid"
echo "${BUFFER_KB:-4096}" > "$I/buffer_size_kb"
# shellcheck disable=SC2086  # REMOTE_ARGS is a word list (ftrace-remote-heavy.sh sets it)
inst_run bash "$WL/run_remote.sh" ${REMOTE_ARGS:-overlapping 0.08 1 16 5000 1000}
cat "$I/trace" > "${OUT:-$here/ftrace-remote.txt}"
