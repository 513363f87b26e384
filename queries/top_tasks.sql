-- top_tasks: Which tasks spent the most time waiting for mmap_lock? Per task (thread id) of each run,
-- the 20 with the largest total wait: its comm, events, page faults and fallbacks, acquisitions, total
-- and worst wait, total hold, in µs.
WITH s AS (
  SELECT run, tid,
    count(*) FILTER (WHERE acquire_ts IS NOT NULL AND success AND NOT write) AS read_acquisitions,
    count(*) FILTER (WHERE acquire_ts IS NOT NULL AND success AND write) AS write_acquisitions,
    count(*) FILTER (WHERE acquire_ts IS NOT NULL AND NOT success) AS failed_acquisitions,
    coalesce(sum(wait_ns), 0) AS wait_ns, max(wait_ns) AS max_wait_ns, coalesce(sum(hold_ns), 0) AS hold_ns
  FROM lock_spans GROUP BY run, tid),
f AS (SELECT run, tid, sum(count) AS page_faults, sum(count) FILTER (WHERE fallback) AS fallback_faults_strict
      FROM fault_counts GROUP BY run, tid)
SELECT t.run, t.tid, t.tgid, t.comm, t.events, coalesce(f.page_faults, 0) AS page_faults,
  coalesce(f.fallback_faults_strict, 0) AS fallback_faults_strict, coalesce(s.read_acquisitions, 0) AS read_acquisitions,
  coalesce(s.write_acquisitions, 0) AS write_acquisitions, coalesce(s.failed_acquisitions, 0) AS failed_acquisitions,
  coalesce(s.wait_ns, 0) / time_div() AS total_wait_us, s.max_wait_ns / time_div() AS max_wait_us,
  coalesce(s.hold_ns, 0) / time_div() AS total_hold_us
FROM tasks t LEFT JOIN s USING (run, tid) LEFT JOIN f USING (run, tid)
QUALIFY row_number() OVER (PARTITION BY t.run ORDER BY total_wait_us DESC, t.events DESC, t.tid) <= 20
ORDER BY t.run, total_wait_us DESC, t.events DESC, t.tid;
