#!/usr/bin/env bash
# Fleet bench: `vmalock fleet` over 50+ traces (the real captures of ../shared/traces, or their bundled copies,
# each copied FLEET_BENCH_COPIES times with its timestamps shifted by k*100 s) on local[1] and local[2]
# (1 and 2 executor cores: in local mode the driver JVM is the executor), every policy replayed.
# Prints wall time, CPU time, traces/s, MB/s and the speed-up of 2 cores over the baseline, 1 core, run by this
# same script. The two settings alternate (1, 2, 1, 2, … FLEET_BENCH_REPEATS times each) and each one's best wall
# time counts, so a burst of load from other processes hits both alike; CPU time / wall time shows how many cores
# a run really got. FLEET_BENCH_FANOUT=auto|trace|policy|mm (default auto: one task per trace at this size).
# Usage: bash bench/fleet-bench.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
copies=${FLEET_BENCH_COPIES:-18}
work=${FLEET_BENCH_DIR:-${TMPDIR:-/tmp}/vmalock-fleet-bench-$(basename "$here")}
bash "$here/bench/fleet-traces.sh" "$work" "$copies"
n=$(ls "$work"/traces/*.txt | wc -l)
mb=$(du -cm "$work"/traces/*.txt | tail -1 | cut -f1)
repeats=${FLEET_BENCH_REPEATS:-2}
fanout=${FLEET_BENCH_FANOUT:-auto}
echo "fleet bench: $n traces, $mb MB, all policies, --fanout $fanout, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
"$here/vmalock" fleet --help >/dev/null   # builds the spark module on first use
declare -A best
for r in $(seq 1 "$repeats"); do
  for c in 1 2; do
    rm -rf "$work/out-$c"
    t0=$(date +%s.%N)
    /usr/bin/env time -f "%U %S" -o "$work/time-$c" "$here/vmalock" fleet "$work"/traces/*.txt -o "$work/out-$c" \
      --master "local[$c]" --fanout "$fanout" 2> "$work/log-$c-$r" || { cat "$work/log-$c-$r" >&2; exit 1; }
    t1=$(date +%s.%N)
    wall=$(echo "$t1 - $t0" | bc -l)
    cpu=$(awk '{print $1 + $2}' "$work/time-$c")
    printf 'run %d, local[%d] (%d executor core%s): wall %.1f s, CPU %.1f s (%.2f cores busy), %.2f traces/s, %.1f MB/s, load %s\n' \
      "$r" "$c" "$c" "$([ "$c" = 1 ] || echo s)" "$wall" "$cpu" "$(echo "$cpu / $wall" | bc -l)" "$(echo "$n / $wall" | bc -l)" \
      "$(echo "$mb / $wall" | bc -l)" "$(cut -d' ' -f1 /proc/loadavg)"
    grep -E 'stage [0-9](-[0-9])?/3( done|: replays)' "$work/log-$c-$r" | sed 's/^vmalock fleet: /    /'
    if [ -z "${best[$c]:-}" ] || [ "$(echo "$wall < ${best[$c]}" | bc -l)" = 1 ]; then best[$c]=$wall; fi
  done
done
for c in 1 2; do
  printf 'best of %d, local[%d]: wall %.1f s, %.2f traces/s\n' "$repeats" "$c" "${best[$c]}" "$(echo "$n / ${best[$c]}" | bc -l)"
done
printf 'speed-up local[2] / local[1] (baseline): %.2fx\n' "$(echo "${best[1]} / ${best[2]}" | bc -l)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
