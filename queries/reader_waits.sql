-- reader_waits: How long did tasks wait to take mmap_lock for read (page-fault fallbacks, /proc
-- readers, madvise, …)? One sample per acquire_returned(write=false) with a pending start_locking of the
-- same task and mm (rule 3): the acquire_returned that mmap_write_downgrade() emits has no start and gives
-- no sample; failed trylocks (success=false) are samples. Count, sum, min, p50/p90/p99/p99.9 (nearest
-- rank), max, then a bpftrace-style log2 histogram in whole µs.

-- section: reader wait (µs), nearest-rank percentiles
SELECT * FROM sample_stats('reader_wait') ORDER BY run;

-- section: reader wait, log2 histogram of whole µs in bpftrace's [lo, hi) buckets
SELECT * FROM log2_hist('reader_wait') ORDER BY run, lo_us;
