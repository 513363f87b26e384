#!/usr/bin/env bash
# `--fanout mm` against `--fanout trace`, before and after a change, in one run: CPU seconds (user + sys of the
# whole `vmalock fleet` JVM) and wall time of each, on local[2], every policy. The code before is the git revision
# FLEET_MM_BENCH_BASE (default 8730b3f: every mm task rebuilt its trace's whole work from the events), exported
# with `git archive` and built in the bench folder (`mvn package -pl spark -am`: nothing installed in ~/.m2); the
# code after is this checkout. The four settings alternate (base trace, base mm, this trace, this mm; REPEATS
# times) and each keeps its least CPU time. Checks that this checkout's two fan-outs give the same run entries.
# Traces: FLEET_MM_BENCH_COPIES (default 2) time-shifted copies of each capture of bench/fleet-traces.sh.
# Usage: bash bench/fleet-mm-bench.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
rev=${FLEET_MM_BENCH_BASE:-8730b3f}
copies=${FLEET_MM_BENCH_COPIES:-2}
repeats=${FLEET_MM_BENCH_REPEATS:-2}
work=${FLEET_MM_BENCH_DIR:-${TMPDIR:-/tmp}/vmalock-fleet-mm-bench-$(basename "$here")}
bash "$here/bench/fleet-traces.sh" "$work" "$copies"
base="$work/base-$rev"
if [ ! -f "$base/spark/target/vmalock-spark.jar" ]; then
  rm -rf "$base" && mkdir -p "$base"
  (cd "$here" && git archive "$rev") | tar -x -C "$base"
  echo "building revision $rev in $base …" >&2
  (cd "$base" && mvn -q -B -o -DskipTests -pl spark -am package) >&2
fi
n=$(ls "$work"/traces/*.txt | wc -l)
mb=$(du -cm "$work"/traces/*.txt | tail -1 | cut -f1)
echo "fleet mm bench: $n traces, $mb MB, all policies, local[2], $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
"$here/vmalock" fleet --help >/dev/null   # builds this checkout's spark module when needed
declare -A cpu wall
for r in $(seq 1 "$repeats"); do
  for v in base this; do
    dir=$([ "$v" = base ] && echo "$base" || echo "$here")
    for f in trace mm; do
      out="$work/out-$v-$f"
      rm -rf "$out"
      t0=$(date +%s.%N)
      /usr/bin/env time -f "%U %S" -o "$work/time" "$dir/spark/fleet" "$work"/traces/*.txt -o "$out" --master 'local[2]' \
        --fanout "$f" 2> "$work/log-$v-$f-$r" || { cat "$work/log-$v-$f-$r" >&2; exit 1; }
      t1=$(date +%s.%N)
      w=$(echo "$t1 - $t0" | bc -l)
      c=$(awk '{print $1 + $2}' "$work/time")
      printf 'run %d, %s (%s), --fanout %s: wall %.1f s, CPU %.1f s, load %s\n' "$r" "$v" \
        "$([ "$v" = base ] && echo "revision $rev" || echo "this checkout")" "$f" "$w" "$c" "$(cut -d' ' -f1 /proc/loadavg)"
      grep -E 'stage 2/3: replays' "$work/log-$v-$f-$r" | sed 's/^vmalock fleet: /    /' || true
      k="$v-$f"
      if [ -z "${cpu[$k]:-}" ] || [ "$(echo "$c < ${cpu[$k]}" | bc -l)" = 1 ]; then cpu[$k]=$c; wall[$k]=$w; fi
    done
  done
done
q="SELECT trace_id, policy, json FROM runs ORDER BY trace_id, policy_order"
if [ "$("$here/vmalock" query --parquet "$work/out-this-trace" --format csv "$q" | md5sum)" = \
     "$("$here/vmalock" query --parquet "$work/out-this-mm" --format csv "$q" | md5sum)" ]; then
  echo "this checkout: the run entries of --fanout mm and --fanout trace are identical"
else
  echo "this checkout: the run entries of --fanout mm and --fanout trace DIFFER" && exit 1
fi
for v in base this; do
  printf '%s: least CPU of %d, --fanout trace %.1f s (wall %.1f s), --fanout mm %.1f s (wall %.1f s): mm / trace = %.2fx CPU\n' \
    "$v" "$repeats" "${cpu[$v-trace]}" "${wall[$v-trace]}" "${cpu[$v-mm]}" "${wall[$v-mm]}" \
    "$(echo "${cpu[$v-mm]} / ${cpu[$v-trace]}" | bc -l)"
done
printf 'mm CPU, this / base: %.2fx\n' "$(echo "${cpu[this-mm]} / ${cpu[base-mm]}" | bc -l)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
