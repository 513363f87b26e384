-- writer_waits: How long did tasks wait to take mmap_lock for write? One sample per
-- acquire_returned(write=true) that has a pending start_locking of the same task and mm (rule 3 of
-- shared/traces/README.md): wait = ts(acquire_returned) - ts(start_locking), failed trylocks included.
-- Count, sum, min, p50/p90/p99/p99.9 (nearest rank: the ceil(p/100*n)-th smallest sample), max, then
-- a log2 histogram like bpftrace's hist(): [0], [1], [2, 4), [4, 8), … in whole µs.

-- section: writer wait (µs), nearest-rank percentiles
SELECT * FROM sample_stats('writer_wait') ORDER BY run;

-- section: writer wait, log2 histogram of whole µs in bpftrace's [lo, hi) buckets
SELECT * FROM log2_hist('writer_wait') ORDER BY run, lo_us;
