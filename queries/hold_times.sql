-- hold_times: How long was mmap_lock held once acquired? hold = ts(released) - ts(acquire_returned) of the
-- task's pending successful acquisition of the same mm and mode (rule 4); a write hold ended by
-- mmap_write_downgrade() is never measured. Write holds then read holds: count, sum, min,
-- p50/p90/p99/p99.9 (nearest rank), max and a bpftrace-style log2 histogram in whole µs.

-- section: write hold (µs), nearest-rank percentiles
SELECT * FROM sample_stats('write_hold') ORDER BY run;

-- section: write hold, log2 histogram of whole µs in bpftrace's [lo, hi) buckets
SELECT * FROM log2_hist('write_hold') ORDER BY run, lo_us;

-- section: read hold (µs), nearest-rank percentiles
SELECT * FROM sample_stats('read_hold') ORDER BY run;

-- section: read hold, log2 histogram of whole µs in bpftrace's [lo, hi) buckets
SELECT * FROM log2_hist('read_hold') ORDER BY run, lo_us;
