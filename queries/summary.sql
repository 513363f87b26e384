-- summary: One line per run: how many faults fell back to mmap_lock, and how long writers and readers
-- waited. The headline figures of `vmalock stats`, for the observed trace and every replay side by side.
-- Waits and holds are in µs; fallback_rate_strict is fallback_faults_strict / page_faults (rule 2 of
-- shared/traces/README.md).
WITH f AS (
  SELECT run, sum(count) AS page_faults, sum(count) FILTER (WHERE fallback) AS fallback_faults_strict
  FROM fault_counts GROUP BY run),
s AS (
  SELECT run,
    count(*) FILTER (WHERE acquire_ts IS NOT NULL AND success AND NOT write) AS read_acquisitions,
    count(*) FILTER (WHERE acquire_ts IS NOT NULL AND success AND write) AS write_acquisitions,
    count(*) FILTER (WHERE acquire_ts IS NOT NULL AND NOT success) AS failed_acquisitions,
    quantile_disc(wait_ns, 0.5) FILTER (WHERE write) / time_div() AS writer_wait_p50_us,
    quantile_disc(wait_ns, 0.99) FILTER (WHERE write) / time_div() AS writer_wait_p99_us,
    max(wait_ns) FILTER (WHERE write) / time_div() AS writer_wait_max_us,
    quantile_disc(wait_ns, 0.99) FILTER (WHERE NOT write) / time_div() AS reader_wait_p99_us,
    quantile_disc(hold_ns, 0.99) FILTER (WHERE write) / time_div() AS write_hold_p99_us
  FROM lock_spans GROUP BY run),
l AS (SELECT run, sum(count) AS lost FROM lost GROUP BY run)
SELECT r.run, r.policy, r.events,
  coalesce(f.page_faults, 0) AS page_faults, coalesce(f.fallback_faults_strict, 0) AS fallback_faults_strict,
  round(coalesce(f.fallback_faults_strict, 0) / nullif(f.page_faults, 0), 6) AS fallback_rate_strict,
  coalesce(s.read_acquisitions, 0) AS read_acquisitions, coalesce(s.write_acquisitions, 0) AS write_acquisitions, coalesce(s.failed_acquisitions, 0) AS failed_acquisitions,
  s.writer_wait_p50_us, s.writer_wait_p99_us, s.writer_wait_max_us, s.reader_wait_p99_us, s.write_hold_p99_us,
  coalesce(l.lost, 0) AS lost_events
FROM runs r LEFT JOIN f USING (run) LEFT JOIN s USING (run) LEFT JOIN l USING (run)
ORDER BY r.ord;
