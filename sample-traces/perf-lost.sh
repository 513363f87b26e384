#!/bin/sh
# perf record with a 1-page (4 KiB) mmap ring buffer per CPU (-m 1) so the kernel drops samples, printed
# with perf script --show-lost-events (PERF_RECORD_LOST lines), overlapping workload
. "$(dirname "$0")/perf-lib.sh"
perf record -q -m 1 $PERF_EVENTS -o "$DATA" -- "$WL/overlapping" 4 0.008 64 200 100 > /dev/null
perf script -i "$DATA" --show-lost-events 2>/dev/null > "$(dirname "$0")/perf-lost.perf.txt"
