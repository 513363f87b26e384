#!/usr/bin/env bash
# compare and replay in a small heap (default -Xmx256m) on a trace of many tasks: TASKS distinct threads,
# each in its own mm with its own comm, each taking one page fault under mmap_lock (4 events per task; the
# shape of the fault-injection run's 100,000-task input). For each command: exit code, wall time, peak RSS
# (/usr/bin/time) and the first line of its error output, beside the same command at the JVM's default heap
# in the same run (the baseline). The 1.1 GB real-trace case is bench/replay-memory.sh.
# Usage: bench/memory-bench.sh [TASKS=100000]   (BENCH_XMX=256m, BENCH_DIR=/tmp/vmalock-memory-bench)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TASKS=${1:-100000}
XMX=${BENCH_XMX:-256m}
DIR=${BENCH_DIR:-/tmp/vmalock-memory-bench}
mkdir -p "$DIR"
trace="$DIR/tasks-$TASKS.txt"
if [ ! -s "$trace" ]; then
  awk -v n="$TASKS" 'BEGIN {
    print "# tracer: nop"; print "#"
    fmt = "%16s-%-7d [%03d] ..... %d.%06d: %s: %s\n"
    for (i = 0; i < n; i++) {
      comm = "t" i; pid = 1000 + i; cpu = i % 2; mm = sprintf("mm=%016x memcg_id=1", 4096 * (i + 1))
      t = 4 * i
      printf fmt, comm, pid, cpu, 100 + int(t / 1e6), t % 1e6, "page_fault_user", "address=0x1000 ip=0x400000 error_code=0x6"
      t++; printf fmt, comm, pid, cpu, 100 + int(t / 1e6), t % 1e6, "mmap_lock_start_locking", mm " write=false"
      t++; printf fmt, comm, pid, cpu, 100 + int(t / 1e6), t % 1e6, "mmap_lock_acquire_returned", mm " write=false success=true"
      t++; printf fmt, comm, pid, cpu, 100 + int(t / 1e6), t % 1e6, "mmap_lock_released", mm " write=false"
    } }' > "$trace"
fi
"$ROOT/vmalock" --version > /dev/null   # builds the jar if needed
ws="$DIR/ws-$TASKS"
rm -rf "$ws"
"$ROOT/vmalock" ingest -w "$ws" --kernel 6.18 "$trace" > /dev/null
echo "input: $trace ($(stat -c %s "$trace") bytes, $TASKS tasks); load average $(cut -d' ' -f1-3 /proc/loadavg)"
run() { # label, heap option ("" = default), command...
  local label=$1 heap=$2; shift 2
  local err="$DIR/err" rc=0
  rm -rf "$ws/runs"
  VMALOCK_JAVA_OPTS="$heap" /usr/bin/time -o "$DIR/time" -f "%e %M" "$ROOT/vmalock" "$@" -w "$ws" > /dev/null 2> "$err" || rc=$?
  read -r wall rss < <(tail -1 "$DIR/time")   # time prefixes "Command exited with non-zero status N"
  printf "%-34s %-10s exit %-3s %7.1f s wall  peak RSS %6d MiB  %s\n" "$label" "${heap:-default}" "$rc" "$wall" \
    $((rss / 1024)) "$(grep -v '^vmalock: building' "$err" | head -1 | cut -c1-90)"
}
for heap in "" "-Xmx$XMX"; do
  run "replay --policy no-vma-lock" "$heap" replay --policy no-vma-lock
  run "compare" "$heap" compare
done
