#!/usr/bin/env bash
# bench/cf-capture.sh OUTDIR [REPS]   (root)
# Captures the counterfactual oracle: for each configuration below, REPS runs (default 3) of cf.c in
# each mode, interleaved u1 k1 u2 k2 u3 k3, as raw ftrace text with record-tgid, in a tracefs instance
# of its own (the top-level tracefs state is never touched). Mode u faults from user space (the
# per-VMA lock path); mode k does the same work with kernel-mode faults (every fault on mmap_lock on
# x86). Configuration "remote" adds two remote_reader processes on the cf process (maps/smaps/cmdline
# reads and process_vm_readv: mmap_lock readers from another mm user).
# Output: OUTDIR/NAME-{u,k}N.txt.xz and NAME-{u,k}N.workload.log (cf's own pages/s figures).
# ONLY="o2 d2" limits the run to those configurations; CONFIGS="name layout nf secs sweep fsleep wsleep hold
# remote" replaces the list (vmalock validate uses it); NOXZ=1 leaves the text uncompressed; EXTRA_EVENTS="…" adds
# tracepoints. tlb:tlb_flush marks where a per-VMA madvise(MADV_DONTNEED) ended its zap (the sample captures predate it).
# Capture on a quiet machine: on a loaded one wait sums of one configuration vary 5x between runs.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
wl="$here/sample-traces/shared/workloads"
out=${1:?usage: cf-capture.sh OUTDIR [REPS]}; reps=${2:-3}
mkdir -p "$out"
bin=$(mktemp -d)
gcc -O2 -pthread -Wall -o "$bin/cf" "$wl/cf.c"
gcc -O2 -Wall -o "$bin/remote_reader" "$wl/remote_reader.c"
T=/sys/kernel/tracing
[ -r $T/trace_clock ] || mount -t tracefs nodev $T
I=$T/instances/vmalock-cf-$$
mkdir $I
trap 'echo 0 > $I/tracing_on; rmdir $I; rm -rf "$bin"' EXIT
echo 131072 > $I/buffer_size_kb
echo 1 > $I/options/record-tgid
for e in mmap_lock:mmap_lock_start_locking mmap_lock:mmap_lock_acquire_returned mmap_lock:mmap_lock_released \
         exceptions:page_fault_user exceptions:page_fault_kernel lock:contention_begin lock:contention_end \
         syscalls:sys_enter_mmap syscalls:sys_exit_mmap syscalls:sys_enter_munmap syscalls:sys_exit_munmap \
         syscalls:sys_enter_mprotect syscalls:sys_exit_mprotect syscalls:sys_enter_madvise syscalls:sys_exit_madvise \
         syscalls:sys_enter_pread64 syscalls:sys_exit_pread64 syscalls:sys_enter_process_vm_readv syscalls:sys_exit_process_vm_readv \
         syscalls:sys_enter_read syscalls:sys_exit_read syscalls:sys_enter_openat syscalls:sys_exit_openat \
         sched:sched_process_exec sched:sched_process_fork sched:sched_process_exit sched:sched_switch sched:sched_wakeup sched:sched_waking tlb:tlb_flush \
         ${EXTRA_EVENTS:-}; do
  echo "$e" >> $I/set_event
done
# name layout nfaulters seconds sweep faulter_sleep_us writer_sleep_us hold_pages remote_readers
configs=${CONFIGS:-"
o2    o 2 0.4 16 300 200 32  0
o4    o 4 0.1 32 100 100 64  0
d2    d 2 0.4 16 300 200 32  0
d4    d 4 0.1 64 50  50  128 0
o1    o 1 0.1 64 0   500 16  0
o3h   o 3 0.4 16 200 1000 256 0
o2r   o 2 0.4 16 300 200 32  2
"}
run_one() { # mode name layout nf secs sweep fs ws hold remote
  local mode=$1 f=$2; shift 2
  local layout=$1 nf=$2 secs=$3 sweep=$4 fs=$5 ws=$6 hold=$7 remote=$8
  : > $I/trace
  echo 1 > $I/tracing_on
  if [ "$remote" -gt 0 ]; then
    "$bin/cf" "$mode" "$layout" "$nf" "$secs" "$sweep" "$fs" "$ws" "$hold" > "$f.workload.log" &
    local cpid=$! line="" i
    for i in $(seq 100); do
      line=$(while read -r range perms _ _ _ path; do
               [ "$perms" = rw-p ] && [ -z "${path:-}" ] || continue
               a=${range%-*} b=${range#*-}
               [ $((0x$b - 0x$a)) -eq 16777216 ] && { echo "$a"; break; }
             done < /proc/$cpid/maps 2>/dev/null || true)
      [ -n "$line" ] && break; sleep 0.005
    done
    local rsecs; rsecs=$(awk -v s="$secs" 'BEGIN{printf "%.3f", s-0.05}')
    local pids=()
    local k; for k in $(seq "$remote"); do "$bin/remote_reader" "$cpid" "$line" 1048576 "$rsecs" $((300 * k)) > /dev/null & pids+=($!); done
    wait "${pids[@]}" $cpid
  else
    "$bin/cf" "$mode" "$layout" "$nf" "$secs" "$sweep" "$fs" "$ws" "$hold" > "$f.workload.log"
  fi
  echo 0 > $I/tracing_on
  cat $I/trace > "$f.txt"
  echo "$f.txt: $(tail -n 1 "$f.workload.log")" >&2
}
echo "$configs" | while read -r name layout nf secs sweep fs ws hold remote; do
  [ -n "$name" ] || continue
  if [ -n "${ONLY:-}" ]; then case " $ONLY " in *" $name "*) ;; *) continue ;; esac; fi
  for r in $(seq "$reps"); do
    for mode in u k; do run_one $mode "$out/$name-$mode$r" $layout $nf $secs $sweep $fs $ws $hold $remote; done
  done
done
[ -n "${NOXZ:-}" ] || xz -6 -T2 -f "$out"/*.txt
