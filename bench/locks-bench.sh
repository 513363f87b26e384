#!/bin/sh
# JMH benches of the lock model (vmalock.lock): uncontended read lock/unlock on the real-thread
# driver next to ReentrantReadWriteLock and StampedLock, measured in the same run, and simulated lock
# operations per second of the deterministic driver on a contended scenario.
#   bench/locks-bench.sh                 # all lock benches
#   bench/locks-bench.sh Uncontended     # a regex over benchmark names; extra args go to JMH
set -eu
cd "$(dirname "$0")/.."
filter="${1:-vmalock.lock.bench}"
[ $# -gt 0 ] && shift
mvn -B -q -o test-compile -pl replay-engine -am >&2
cp=replay-engine/target/cp.txt
mvn -B -q -o dependency:build-classpath -pl replay-engine -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test >&2
exec java -cp "replay-engine/target/test-classes:replay-engine/target/classes:$(cat "$cp")" \
    org.openjdk.jmh.Main "$filter" -rf text -rff replay-engine/target/locks-bench.txt "$@"
