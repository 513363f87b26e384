-- hold_times: How long was mmap_lock held once acquired? hold = ts(released) - ts(acquire_returned) of the
-- task's pending successful acquisition of the same mm and mode (rule 4); a write hold ended by
-- mmap_write_downgrade() is never measured. Write holds then read holds: count, sum, min,
-- p50/p90/p99/p99.9 (nearest rank), max and a bpftrace-style log2 histogram in whole µs.

-- section: write hold (µs), nearest-rank percentiles
SELECT run, count(*) AS count, sum(v) / 1000.0 AS sum_us, min(v) / 1000.0 AS min_us,
  quantile_disc(v, 0.5) / 1000.0 AS p50_us, quantile_disc(v, 0.9) / 1000.0 AS p90_us,
  quantile_disc(v, 0.99) / 1000.0 AS p99_us, quantile_disc(v, 0.999) / 1000.0 AS p99_9_us,
  max(v) / 1000.0 AS max_us
FROM (SELECT run, hold_ns AS v FROM lock_spans WHERE write AND hold_ns IS NOT NULL)
GROUP BY run ORDER BY run;

-- section: write hold, log2 histogram of whole µs in bpftrace's [lo, hi) buckets
WITH v AS (SELECT run, hold_ns // 1000 AS us FROM lock_spans WHERE write AND hold_ns >= 0),
b AS (SELECT run, log2_lo(us) AS lo, count(*) AS n FROM v GROUP BY ALL),
r AS (SELECT run, min(lo) AS lo_min, max(lo) AS lo_max, max(n) AS n_max FROM b GROUP BY run),
k AS (SELECT 0::BIGINT AS lo UNION ALL SELECT 1 UNION ALL SELECT CAST(1 AS BIGINT) << CAST(i AS INTEGER) FROM range(1, 62) t(i))
SELECT r.run, log2_bucket(k.lo) AS bucket, k.lo AS lo_us, log2_hi(k.lo) AS hi_us, coalesce(b.n, 0) AS count,
  '|' || rpad(repeat('@', CAST(coalesce(b.n, 0) * 52 // r.n_max AS INTEGER)), 52, ' ') || '|' AS histogram
FROM r JOIN k ON k.lo BETWEEN r.lo_min AND r.lo_max LEFT JOIN b ON b.run = r.run AND b.lo = k.lo
ORDER BY r.run, k.lo;

-- section: read hold (µs), nearest-rank percentiles
SELECT run, count(*) AS count, sum(v) / 1000.0 AS sum_us, min(v) / 1000.0 AS min_us,
  quantile_disc(v, 0.5) / 1000.0 AS p50_us, quantile_disc(v, 0.9) / 1000.0 AS p90_us,
  quantile_disc(v, 0.99) / 1000.0 AS p99_us, quantile_disc(v, 0.999) / 1000.0 AS p99_9_us,
  max(v) / 1000.0 AS max_us
FROM (SELECT run, hold_ns AS v FROM lock_spans WHERE NOT write AND hold_ns IS NOT NULL)
GROUP BY run ORDER BY run;

-- section: read hold, log2 histogram of whole µs in bpftrace's [lo, hi) buckets
WITH v AS (SELECT run, hold_ns // 1000 AS us FROM lock_spans WHERE NOT write AND hold_ns >= 0),
b AS (SELECT run, log2_lo(us) AS lo, count(*) AS n FROM v GROUP BY ALL),
r AS (SELECT run, min(lo) AS lo_min, max(lo) AS lo_max, max(n) AS n_max FROM b GROUP BY run),
k AS (SELECT 0::BIGINT AS lo UNION ALL SELECT 1 UNION ALL SELECT CAST(1 AS BIGINT) << CAST(i AS INTEGER) FROM range(1, 62) t(i))
SELECT r.run, log2_bucket(k.lo) AS bucket, k.lo AS lo_us, log2_hi(k.lo) AS hi_us, coalesce(b.n, 0) AS count,
  '|' || rpad(repeat('@', CAST(coalesce(b.n, 0) * 52 // r.n_max AS INTEGER)), 52, ' ') || '|' AS histogram
FROM r JOIN k ON k.lo BETWEEN r.lo_min AND r.lo_max LEFT JOIN b ON b.run = r.run AND b.lo = k.lo
ORDER BY r.run, k.lo;
