#!/bin/sh
# JMH benches of the lock model (vmalock.lock): uncontended read lock/unlock on the real-thread
# driver next to ReentrantReadWriteLock and StampedLock, measured in the same run, and simulated lock
# operations per second of the deterministic driver on a contended scenario — per wall-second (JMH's
# score) and per CPU-second of the benchmark thread (printed at the end: the per-core figure, which a
# shared machine does not distort).
#   bench/locks-bench.sh                 # all lock benches
#   bench/locks-bench.sh Uncontended     # a regex over benchmark names; extra args go to JMH
set -eu
cd "$(dirname "$0")/.."
filter="${1:-vmalock.lock.bench}"
[ $# -gt 0 ] && shift
mvn -B -q -o test-compile -pl replay-engine -am >&2
cp=replay-engine/target/cp.txt
mvn -B -q -o dependency:build-classpath -pl replay-engine -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test >&2
out=replay-engine/target/locks-bench.txt
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "replay-engine/target/test-classes:replay-engine/target/classes:$(cat "$cp")" \
    org.openjdk.jmh.Main "$filter" -rf text -rff "$out" "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# lock operations per CPU-second (SimSchedulerBench's cpuNs / lockOpsDone totals)
awk '$1 ~ /contended:cpuNs$/ { cpu[$2] = $(NF-1) } $1 ~ /contended:lockOpsDone$/ { ops[$2] = $(NF-1) }
     END { for (p in cpu) if (cpu[p] > 0) printf "SimScheduler %-14s %.2f M lock ops per CPU-second (%d ops in %.2f s of thread CPU time)\n", p, ops[p] / cpu[p] * 1000, ops[p], cpu[p] / 1e9 }' "$out"
