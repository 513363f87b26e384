#!/bin/sh
# raw tracefs `trace` file (record-tgid=1) of ../shared/workloads/run_remote.sh with its two
# remote_reader processes replaced by remote_mem_reader (remote_mem_reader.c, same arguments): every
# remote read is a pread64() of a WIN-byte (default 64 KiB) window of the target's region from
# /proc/PID/mem. On this kernel mem_rw() copies through a one-page bounce buffer: one access_remote_vm()
# (one mmap_read_lock_killable section) per page, so a 64 KiB pread shows 16 short read sections. The harness is run_remote.sh
# itself, copied into a scratch directory where `remote_reader` is the mem reader and the target is the
# built ../shared/workloads/disjoint (one faulter in its own VMA — the region the readers read — and a
# busy writer doing mmap/mremap/munmap of OTHER VMAs every 50 µs).
# Same capture as ftrace-remote.sh plus sys_{enter,exit}_pread64 and sched_switch (of the traced tasks:
# shows a reader preempted inside its mmap_lock section, or granted the lock while off-CPU); 8 MiB
# buffer per CPU.
# `awk -f writer-blockers.awk ftrace-remote-mem.txt` shows what the writers waited behind.
. "$(dirname "$0")/ftrace-lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
D=$(mktemp -d)
trap 'inst_cleanup; rm -rf "$D"' EXIT
cp "$here/../../shared/workloads/run_remote.sh" "$D/run_remote.sh" 2>/dev/null ||
  cp "$here/../shared/workloads/run_remote.sh" "$D/run_remote.sh"
ln -s "$WL/disjoint" "$D/disjoint"
gcc -O2 -o "$D/remote_reader" "$here/remote_mem_reader.c"
export WIN="${WIN:-65536}"
EVENTS="$EVENTS sched:sched_switch syscalls:sys_enter_pread64 syscalls:sys_exit_pread64"
echo 1 > "$I/options/record-tgid"
echo "${BUFFER_KB:-8192}" > "$I/buffer_size_kb"
# shellcheck disable=SC2086  # REMOTE_ARGS is a word list
inst_run bash "$D/run_remote.sh" ${REMOTE_ARGS:-disjoint 0.1 1 16 2000 50}
cat "$I/trace" > "${OUT:-$here/ftrace-remote-mem.txt}"
