#!/usr/bin/env bash
# Fleet bench: `vmalock fleet` over 50+ traces (the real captures of ../shared/traces, or their bundled copies,
# each copied FLEET_BENCH_COPIES times with its timestamps shifted by k*100 s) on local[1] and local[2]
# (1 and 2 executor cores: in local mode the driver JVM is the executor), every policy replayed.
# Prints wall time, CPU time, traces/s, MB/s and the speed-up. Usage: bash bench/fleet-bench.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
copies=${FLEET_BENCH_COPIES:-18}
work=${FLEET_BENCH_DIR:-/tmp/vmalock-fleet-bench}
src="$here/../shared/traces"
[ -f "$src/tc-overlap.report.txt" ] || src="$here/sample-traces/shared/traces"
mkdir -p "$work/traces"
for t in ftrace-overlap-default.txt perf-disjoint.perf.txt tc-overlap.report.txt; do
  for k in $(seq 1 "$copies"); do
    out="$work/traces/${t%.txt}-$k.txt"
    [ -s "$out" ] && continue
    # shift the first "SECS.USECS:" of each event line by k*100 s (same width for these captures)
    python3 - "$src/$t" "$out" "$k" <<'PY'
import re, sys
pat = re.compile(rb'(\s)(\d+)(\.\d{6,9}:\s)')
k = int(sys.argv[3])
with open(sys.argv[1], 'rb') as f, open(sys.argv[2] + '.tmp', 'wb') as o:
    for line in f:
        o.write(pat.sub(lambda m: m.group(1) + str(int(m.group(2)) + 100 * k).encode() + m.group(3), line, count=1))
import os; os.rename(sys.argv[2] + '.tmp', sys.argv[2])
PY
  done
done
n=$(ls "$work"/traces/*.txt | wc -l)
mb=$(du -cm "$work"/traces/*.txt | tail -1 | cut -f1)
echo "fleet bench: $n traces, $mb MB, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
"$here/vmalock" fleet --help >/dev/null   # builds the spark module on first use
declare -A wall
for c in 1 2; do
  rm -rf "$work/out-$c"
  t0=$(date +%s.%N)
  /usr/bin/env time -f "%U %S" -o "$work/time-$c" "$here/vmalock" fleet "$work"/traces/*.txt -o "$work/out-$c" \
    --master "local[$c]" 2> "$work/log-$c" || { cat "$work/log-$c" >&2; exit 1; }
  t1=$(date +%s.%N)
  wall[$c]=$(echo "$t1 - $t0" | bc -l)
  cpu=$(awk '{print $1 + $2}' "$work/time-$c")
  grep -E 'stage [0-9]/3 done' "$work/log-$c" | sed 's/^/  /'
  printf 'local[%d]: wall %.1f s, CPU %.1f s, %.2f traces/s, %.1f MB/s\n' "$c" "${wall[$c]}" "$cpu" \
    "$(echo "$n / ${wall[$c]}" | bc -l)" "$(echo "$mb / ${wall[$c]}" | bc -l)"
done
printf 'speed-up local[2] / local[1]: %.2fx\n' "$(echo "${wall[1]} / ${wall[2]}" | bc -l)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
