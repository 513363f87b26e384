#!/bin/sh
# raw tracefs `trace` file (record-tgid=1) of ../shared/workloads/run_remote.sh, heavier than
# ftrace-remote.sh: one slow faulter and a busy writer (mprotect/madvise every 50 µs) in the target,
# so that writers really queue on mmap_lock behind the two remote_reader processes' read sections
# (/proc/PID/{maps,smaps,cmdline}, process_vm_readv). Same capture as ftrace-remote.sh otherwise
# (event-fork, sched_process_exec/fork/exit, process_vm_readv syscalls); 8 MiB buffer per CPU.
# `awk -f writer-blockers.awk ftrace-remote-heavy.txt` shows what the writers waited behind.
here=$(cd "$(dirname "$0")" && pwd)
REMOTE_ARGS="overlapping ${SECS:-0.15} 1 16 2000 50" BUFFER_KB=8192 OUT="${OUT:-$here/ftrace-remote-heavy.txt}" \
  exec sh "$here/ftrace-remote.sh"
