#!/bin/sh
# perf script --ns (nanosecond timestamps), default fields, overlapping workload
. "$(dirname "$0")/perf-lib.sh"
perf record -q $PERF_EVENTS -o "$DATA" -- "$WL/overlapping" 2 0.03 32 2000 300 > /dev/null
perf script -i "$DATA" --ns > "$(dirname "$0")/perf-ns.perf.txt"
