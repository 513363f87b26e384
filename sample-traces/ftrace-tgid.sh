#!/bin/sh
# raw tracefs `trace` file with options/record-tgid=1 (the "(  tgid)" column), overlapping workload
. "$(dirname "$0")/ftrace-lib.sh"
echo 1 > "$I/options/record-tgid"
inst_run "$WL/overlapping" 2 0.03 32 2000 300
cat "$I/trace" > "$(dirname "$0")/ftrace-tgid.txt"
