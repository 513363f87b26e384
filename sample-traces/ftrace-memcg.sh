#!/bin/sh
# raw tracefs `trace` file of the overlapping workload run inside a fresh child memory cgroup, so the
# mmap_lock events carry that cgroup's memcg_id= (this 6.18 kernel prints memcg_id=, not memcg_path=)
. "$(dirname "$0")/ftrace-lib.sh"
mem=/sys/fs/cgroup/memory
[ -d "$mem" ] || mem=/sys/fs/cgroup            # cgroup v2
cur=$(awk -F: '$2 == "memory" || ($1 == "0" && m == "") { p = $3; if ($2 == "memory") m = 1 } END { print p }' /proc/self/cgroup)
CG="$mem$cur/vmalock-sample-$$"
mkdir "$CG"
trap 'inst_cleanup; rmdir "$CG" 2>/dev/null || true' EXIT
inst_run sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG" "$WL/overlapping" 2 0.03 32 2000 300
cat "$I/trace" > "$(dirname "$0")/ftrace-memcg.txt"
