#!/usr/bin/env bash
# CPU seconds of commands, interleaved and repeated, as medians of `perf stat -e task-clock` (user + system CPU
# of the whole process tree, µs resolution): the figure to compare on a shared, loaded machine, where wall time is
# the scheduler's. Prints the load average at the end.
#
# Usage: bench/cpu-medians.sh N LABEL1 'CMD1' LABEL2 'CMD2' …   (each CMD runs N times, through bash -c)
# e.g.   bench/cpu-medians.sh 8 java-version 'java -version' vmalock-version './vmalock --version'
set -euo pipefail
N=$1; shift
labels=(); cmds=()
while [ $# -gt 1 ]; do labels+=("$1"); cmds+=("$2"); shift 2; done
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
for _ in $(seq "$N"); do
  for k in "${!cmds[@]}"; do
    perf stat -x, -e task-clock bash -c "${cmds[$k]}" 2>&1 >/dev/null | awk -F, '/task-clock/ { print $1 }' >> "$TMP/$k"
  done
done
for k in "${!cmds[@]}"; do
  sort -n "$TMP/$k" | awk -v l="${labels[$k]}" '{ v[NR] = $1 } END { printf "%-28s median %6.0f ms CPU (min %.0f, n=%d)\n", l, v[int((NR + 1) / 2)], v[1], NR }'
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
