#!/usr/bin/env bash
# Replay speed in one run: simulated lock operations per second on one thread (per core) and the
# speed-up of per-address-space parallelism (N threads vs 1 thread on the same work), plus event
# emission throughput. Work: every address space of the three shared real traces, repeated COPIES times.
# Usage: bench/replay-bench.sh [COPIES=8] [TRACE…]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${VMALOCK_SHARED:-$ROOT/../shared}
copies=${1:-8}; shift || true
if [ $# -gt 0 ]; then traces=("$@"); else traces=("$SHARED"/traces/*.txt); fi
"$ROOT/vmalock" --version > /dev/null   # builds the jar if needed
exec java -Xmx2g @"$ROOT/cli/jvm-flags.args" -cp "$ROOT/cli/target/vmalock.jar" vmalock.replay.ReplayBench "$copies" "${traces[@]}"
