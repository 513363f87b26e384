#!/usr/bin/env bash
# Replay speed in one run: simulated lock operations per second per core, and the speed-up of
# per-address-space parallelism — the same work on 1 thread and on N (= cores) threads, wall clock,
# alternating rounds after a warm-up, median of the per-round ratios — plus event emission throughput.
# Work: the largest address space of the given traces (default: the three shared real traces),
# replicated COPIES times (independent address spaces of equal size).
# Usage: bench/replay-bench.sh [COPIES=32] [ROUNDS=7] [TRACE…]
# Prints, per configuration, wall time and the worker threads' own CPU time (JIT and GC threads excluded):
# "lock ops per CPU-second" is the per-core rate; the speed-up is given twice — measured wall ratio
# (only meaningful on an idle machine: "CPU used per wall second" shows how much CPU the run got) and
# 1 thread's CPU / the busiest worker's CPU (the critical path: what an idle N-core machine gives).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${VMALOCK_SHARED:-$ROOT/../shared}
copies=${1:-32}; shift || true
rounds=${1:-7}; shift || true
if [ $# -gt 0 ]; then traces=("$@"); else traces=("$SHARED"/traces/*.txt); fi
"$ROOT/vmalock" --version > /dev/null   # builds the jar if needed
exec java -Xmx${BENCH_XMX:-1g} @"$ROOT/cli/jvm-flags.args" -cp "$ROOT/cli/target/vmalock.jar" vmalock.replay.ReplayBench "$copies" "$rounds" "${traces[@]}"
