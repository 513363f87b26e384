#!/bin/sh
# raw tracefs `trace` file from a 16 KiB-per-CPU ring buffer that the workload overruns: the header's
# entries-in-buffer/entries-written shows the overwritten entries, "##### CPU N buffer started ####"
# lines may appear; overlapping workload
. "$(dirname "$0")/ftrace-lib.sh"
echo 16 > "$I/buffer_size_kb"
inst_run "$WL/overlapping" 2 0.05 32 2000 300
cat "$I/trace" > "$(dirname "$0")/ftrace-overwrite.txt"
