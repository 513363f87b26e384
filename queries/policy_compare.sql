-- policy_compare: What would each policy have changed? Every run against a baseline run (the DuckDB
-- variable `baseline`, set by `vmalock report --baseline RUN`; default `observed`): faults, fallback
-- rate, vma_lock counters, writer-wait p50/p99/max, reader-wait p99 and write-hold p99 in µs, each with
-- its delta (run - baseline). Percentiles are nearest rank.
-- runs: all (this report compares runs: without --run it sees every run, not only observed)
WITH f AS (
  SELECT run, sum(count) AS page_faults,
    coalesce(sum(count) FILTER (WHERE fallback), 0) / nullif(sum(count), 0) AS fallback_rate_strict
  FROM fault_counts GROUP BY run),
s AS (
  SELECT run,
    quantile_disc(wait_ns, 0.5) FILTER (WHERE write) / time_div() AS writer_wait_p50_us,
    quantile_disc(wait_ns, 0.99) FILTER (WHERE write) / time_div() AS writer_wait_p99_us,
    max(wait_ns) FILTER (WHERE write) / time_div() AS writer_wait_max_us,
    quantile_disc(wait_ns, 0.99) FILTER (WHERE NOT write) / time_div() AS reader_wait_p99_us,
    quantile_disc(hold_ns, 0.99) FILTER (WHERE write) / time_div() AS write_hold_p99_us
  FROM lock_spans GROUP BY run),
c AS (
  SELECT run, sum(value) FILTER (WHERE counter = 'vma_lock_success') AS vma_lock_success,
    sum(value) FILTER (WHERE counter IN ('vma_lock_abort', 'vma_lock_abort_or_miss')) AS vma_lock_abort,
    sum(value) FILTER (WHERE counter = 'vma_lock_miss') AS vma_lock_miss,
    sum(value) FILTER (WHERE counter = 'vma_lock_retry') AS vma_lock_retry
  FROM counters GROUP BY run),
m AS (
  SELECT r.ord AS ord, r.run, r.policy, coalesce(f.page_faults, 0) AS page_faults, f.fallback_rate_strict,
    c.vma_lock_success, c.vma_lock_abort, c.vma_lock_miss, c.vma_lock_retry,
    s.writer_wait_p50_us, s.writer_wait_p99_us, s.writer_wait_max_us, s.reader_wait_p99_us, s.write_hold_p99_us
  FROM runs r LEFT JOIN f USING (run) LEFT JOIN s USING (run) LEFT JOIN c USING (run)),
-- the baseline of each run is in the same trace (a fleet output holds many: run_in_trace)
b AS (SELECT * FROM m WHERE run = run_in_trace(run, coalesce(getvariable('baseline'), 'observed')))
SELECT m.run, m.policy, b.run AS baseline,
  m.page_faults, m.page_faults - b.page_faults AS d_page_faults,
  round(m.fallback_rate_strict, 6) AS fallback_rate_strict, round(m.fallback_rate_strict - b.fallback_rate_strict, 6) AS d_fallback_rate_strict,
  m.vma_lock_success, m.vma_lock_abort, m.vma_lock_miss, m.vma_lock_retry,
  m.writer_wait_p50_us, m.writer_wait_p50_us - b.writer_wait_p50_us AS d_writer_wait_p50_us,
  m.writer_wait_p99_us, m.writer_wait_p99_us - b.writer_wait_p99_us AS d_writer_wait_p99_us,
  m.writer_wait_max_us, m.writer_wait_max_us - b.writer_wait_max_us AS d_writer_wait_max_us,
  m.reader_wait_p99_us, m.reader_wait_p99_us - b.reader_wait_p99_us AS d_reader_wait_p99_us,
  m.write_hold_p99_us, m.write_hold_p99_us - b.write_hold_p99_us AS d_write_hold_p99_us
FROM m LEFT JOIN b ON b.run = run_in_trace(m.run, coalesce(getvariable('baseline'), 'observed'))
ORDER BY m.ord;
