-- stats: The figures of `vmalock stats --json` (the fields and pairing rules 1-6 of docs/statistics.md),
-- one section per part: totals, wait/hold samples, events by type, per mm, per comm, pairing
-- diagnostics. Sample statistics are in µs (`unit` = us), or in ticks for counter clocks (`unit` = ticks).

-- section: totals
WITH src AS (
  SELECT run, sum(lines_total) AS lines_total, sum(non_event_lines) AS non_event_lines,
    sum(header_lines) AS header_lines, sum(blank_lines) AS blank_lines, sum(other_lines) AS other_lines,
    sum(problems) AS problems, sum(header_entries_in_buffer) AS header_entries_in_buffer,
    sum(header_entries_written) AS header_entries_written, arg_min(first_ts, source) AS first_ts, arg_max(last_ts, source) AS last_ts,
    sum(lost_marker_lines) AS lost_marker_lines
  FROM sources GROUP BY run),
ev AS (SELECT run, sum(events) AS total_events FROM event_counts WHERE kind <> 'lost' GROUP BY run),
f AS (SELECT run, sum(count) AS page_faults, sum(count) FILTER (WHERE fallback) AS fallback_faults_strict,
             sum(count) FILTER (WHERE fallback_loose) AS fallback_faults
      FROM fault_counts GROUP BY run),
s AS (SELECT run,
        count(*) FILTER (WHERE acquire_ts IS NOT NULL AND success AND NOT write) AS read_acquisitions,
        count(*) FILTER (WHERE acquire_ts IS NOT NULL AND success AND write) AS write_acquisitions,
        count(*) FILTER (WHERE acquire_ts IS NOT NULL AND NOT success) AS failed_acquisitions,
        count(*) FILTER (WHERE acquire_ts IS NOT NULL AND NOT success AND NOT write) AS failed_read_acquisitions,
        count(*) FILTER (WHERE acquire_ts IS NOT NULL AND NOT success AND write) AS failed_write_acquisitions
      FROM lock_spans GROUP BY run),
l AS (SELECT run, coalesce(sum(count) FILTER (WHERE kind = 'marker'), 0) AS lost_events,
             count(*) FILTER (WHERE kind = 'marker') AS lost_event_markers,
             count(*) FILTER (WHERE kind = 'marker' AND count IS NULL) AS lost_event_markers_without_count,
             coalesce(sum(count) FILTER (WHERE kind = 'overwritten'), 0) AS header_entries_overwritten
      FROM lost GROUP BY run),
m AS (SELECT run, count(*) AS distinct_mm FROM mms GROUP BY run)
SELECT r.run, r.policy, r.time_unit,
  coalesce(src.lines_total, 0) AS lines_total, coalesce(src.non_event_lines, 0) AS non_event_lines,
  coalesce(src.header_lines, 0) AS header_lines, coalesce(src.blank_lines, 0) AS blank_lines,
  coalesce(src.other_lines, 0) AS other_lines, coalesce(src.lost_marker_lines, 0) AS lost_marker_lines, coalesce(src.problems, 0) AS problems,
  coalesce(ev.total_events, 0) AS total_events, coalesce(f.page_faults, 0) AS page_faults,
  coalesce(s.read_acquisitions, 0) AS read_acquisitions, coalesce(s.write_acquisitions, 0) AS write_acquisitions,
  coalesce(s.failed_acquisitions, 0) AS failed_acquisitions,
  coalesce(s.failed_read_acquisitions, 0) AS failed_read_acquisitions,
  coalesce(s.failed_write_acquisitions, 0) AS failed_write_acquisitions,
  coalesce(f.fallback_faults, 0) AS fallback_faults,
  round(coalesce(f.fallback_faults, 0) / nullif(f.page_faults, 0), 6) AS fallback_rate,
  coalesce(f.fallback_faults_strict, 0) AS fallback_faults_strict,
  round(coalesce(f.fallback_faults_strict, 0) / nullif(f.page_faults, 0), 6) AS fallback_rate_strict,
  coalesce(l.lost_events, 0) AS lost_events, coalesce(l.lost_event_markers, 0) AS lost_event_markers,
  coalesce(l.lost_event_markers_without_count, 0) AS lost_event_markers_without_count,
  coalesce(m.distinct_mm, 0) AS distinct_mm,
  src.header_entries_in_buffer, src.header_entries_written,
  coalesce(l.header_entries_overwritten, 0) AS header_entries_overwritten, src.first_ts, src.last_ts
FROM runs r LEFT JOIN src USING (run) LEFT JOIN ev USING (run) LEFT JOIN f USING (run) LEFT JOIN s USING (run)
  LEFT JOIN l USING (run) LEFT JOIN m USING (run)
ORDER BY r.ord;

-- section: samples
WITH v AS (SELECT * FROM lock_samples()),
metrics AS (SELECT * FROM (VALUES ('writer_wait', 1), ('reader_wait', 2), ('writer_wait_success_only', 3),
                                  ('reader_wait_success_only', 4), ('write_hold', 5), ('read_hold', 6)) t(metric, ord)),
u AS (SELECT run, CASE WHEN time_unit = 'ns' THEN 'us' ELSE time_unit END AS unit,
             CASE WHEN time_unit = 'ns' THEN 1000.0 ELSE 1.0 END AS div, ord AS rord FROM runs),
a AS (SELECT run, metric, count(*) AS count, sum(v) AS sum, min(v) AS min, quantile_disc(v, 0.5) AS p50,
             quantile_disc(v, 0.9) AS p90, quantile_disc(v, 0.99) AS p99, quantile_disc(v, 0.999) AS p99_9,
             max(v) AS max, count(*) FILTER (WHERE v < 0) AS negative_samples
      FROM v GROUP BY run, metric)
SELECT u.run, metrics.metric, u.unit, coalesce(a.count, 0) AS count, coalesce(a.sum, 0) / u.div AS sum,
  a.min / u.div AS min, a.p50 / u.div AS p50, a.p90 / u.div AS p90, a.p99 / u.div AS p99,
  a.p99_9 / u.div AS p99_9, a.max / u.div AS max, coalesce(a.negative_samples, 0) AS negative_samples
FROM u CROSS JOIN metrics LEFT JOIN a ON a.run = u.run AND a.metric = metrics.metric
ORDER BY u.rord, metrics.ord;

-- section: syscall_latency
-- VMA-changing syscalls (mmap, munmap, mprotect, madvise, mremap, brk), sys_enter to the same task's sys_exit
-- of the same syscall: the load's summary of the syscalls pairs (`counters` 'syscall_latency.*', in the
-- run's unit; the per-row syscalls table is not needed), in µs (or ticks).
WITH c AS (SELECT run,
    sum(value) FILTER (WHERE counter = 'syscall_latency.count') AS count,
    sum(value) FILTER (WHERE counter = 'syscall_latency.sum') AS sum,
    sum(value) FILTER (WHERE counter = 'syscall_latency.min') AS min,
    sum(value) FILTER (WHERE counter = 'syscall_latency.p50') AS p50,
    sum(value) FILTER (WHERE counter = 'syscall_latency.p90') AS p90,
    sum(value) FILTER (WHERE counter = 'syscall_latency.p99') AS p99,
    sum(value) FILTER (WHERE counter = 'syscall_latency.max') AS max
  FROM counters GROUP BY run),
u AS (SELECT run, ord, CASE WHEN time_unit = 'ns' THEN 1000.0 ELSE 1.0 END AS div FROM runs)
-- (the columns of the samples section)
SELECT u.run, 'syscall_latency' AS metric, NULL AS unit, coalesce(c.count, 0) AS count, coalesce(c.sum, 0) / u.div AS sum,
  c.min / u.div AS min, c.p50 / u.div AS p50, c.p90 / u.div AS p90, c.p99 / u.div AS p99, NULL AS p99_9,
  c.max / u.div AS max, 0 AS negative_samples
FROM u LEFT JOIN c USING (run)
ORDER BY u.ord;

-- section: events_by_type
SELECT run, name, sum(events) AS events FROM event_counts WHERE kind <> 'lost' GROUP BY run, name
ORDER BY run, name;

-- section: lost_events_by_cpu
SELECT run, cpu, sum(count) AS lost_events FROM lost WHERE kind = 'marker' AND count IS NOT NULL
GROUP BY run, cpu ORDER BY run, cpu NULLS FIRST;

-- section: per_mm
WITH e AS (
  SELECT run, mm, sum(events) AS events,
    sum(events) FILTER (WHERE name = 'mmap_lock_start_locking') AS start_locking,
    sum(events) FILTER (WHERE name = 'mmap_lock_acquire_returned') AS acquire_returned,
    sum(events) FILTER (WHERE name = 'mmap_lock_released') AS released,
    count(DISTINCT tid) AS tasks
  FROM event_counts WHERE mm IS NOT NULL GROUP BY run, mm),
c AS (SELECT run, mm, list({'comm': comm, 'events': n} ORDER BY n DESC, comm)[1:8] AS comms
      FROM (SELECT run, mm, coalesce(comm, ':' || tid) AS comm, sum(events) AS n FROM event_counts
            WHERE mm IS NOT NULL GROUP BY ALL) GROUP BY run, mm),
s AS (SELECT run, mm,
        count(*) FILTER (WHERE success AND NOT write) AS read_acquisitions,
        count(*) FILTER (WHERE success AND write) AS write_acquisitions,
        count(*) FILTER (WHERE NOT success) AS failed_acquisitions
      FROM lock_spans WHERE acquire_ts IS NOT NULL GROUP BY run, mm)
SELECT m.run, m.mm_hex AS mm, coalesce(e.events, 0) AS events, coalesce(e.start_locking, 0) AS start_locking,
  coalesce(e.acquire_returned, 0) AS acquire_returned, coalesce(e.released, 0) AS released,
  coalesce(s.read_acquisitions, 0) AS read_acquisitions, coalesce(s.write_acquisitions, 0) AS write_acquisitions,
  coalesce(s.failed_acquisitions, 0) AS failed_acquisitions, coalesce(e.tasks, 0) AS tasks, c.comms
FROM mms m LEFT JOIN e USING (run, mm) LEFT JOIN s USING (run, mm) LEFT JOIN c USING (run, mm)
ORDER BY m.run, events DESC, mm;

-- section: per_comm
-- comm as printed on each event's line (':TID' when the tool lost it); fallback_faults uses rule 1 (see
-- docs/statistics.md); the 40 busiest comms by events.
WITH e AS (SELECT run, coalesce(comm, ':' || tid) AS comm, sum(events) AS events,
                  sum(events) FILTER (WHERE name = 'page_fault_user') AS page_faults
           FROM event_counts WHERE kind <> 'lost' GROUP BY ALL),
f AS (SELECT run, coalesce(comm, ':' || tid) AS comm, sum(count) FILTER (WHERE fallback_loose) AS fallback_faults
      FROM fault_counts GROUP BY ALL),
s AS (SELECT run, coalesce(comm, ':' || tid) AS comm,
        count(*) FILTER (WHERE success AND NOT write) AS read_acquisitions,
        count(*) FILTER (WHERE success AND write) AS write_acquisitions,
        count(*) FILTER (WHERE NOT success) AS failed_acquisitions
      FROM lock_spans WHERE acquire_ts IS NOT NULL GROUP BY ALL)
SELECT e.run, e.comm, e.events, coalesce(e.page_faults, 0) AS page_faults,
  coalesce(f.fallback_faults, 0) AS fallback_faults, coalesce(s.read_acquisitions, 0) AS read_acquisitions,
  coalesce(s.write_acquisitions, 0) AS write_acquisitions, coalesce(s.failed_acquisitions, 0) AS failed_acquisitions
FROM e LEFT JOIN f USING (run, comm) LEFT JOIN s USING (run, comm)
QUALIFY row_number() OVER (PARTITION BY e.run ORDER BY e.events DESC, e.comm) <= 40
ORDER BY e.run, e.events DESC, e.comm;

-- section: pairing_diagnostics
-- From the lock_spans and faults rows where they show it; the pairing's own counters (counters
-- 'pairing.*') for events that leave no row (releases and start_lockings that paired with nothing) and
-- for rule-1 fallbacks matched by a downgrade's read acquisition.
WITH s AS (SELECT run,
    count(*) FILTER (WHERE ending IN ('never_released', 'downgraded') AND NOT replaced AND NOT write) AS acquire_never_released_read,
    count(*) FILTER (WHERE ending IN ('never_released', 'downgraded') AND NOT replaced AND write) AS acquire_never_released_write,
    count(*) FILTER (WHERE replaced AND NOT write) AS acquire_overwritten_without_release_read,
    count(*) FILTER (WHERE replaced AND write) AS acquire_overwritten_without_release_write,
    count(*) FILTER (WHERE start_ts IS NULL AND NOT write) AS acquire_without_start_read,
    count(*) FILTER (WHERE start_ts IS NULL AND write) AS acquire_without_start_write,
    count(*) FILTER (WHERE wait_ns IS NOT NULL AND NOT success) AS wait_samples_with_success_false
  FROM lock_spans GROUP BY run),
c AS (SELECT run,
    sum(value) FILTER (WHERE counter = 'pairing.fallback_faults_matched_by_downgrade') AS fallback_faults_matched_by_downgrade,
    sum(value) FILTER (WHERE counter = 'pairing.released_without_acquire_read') AS released_without_acquire_read,
    sum(value) FILTER (WHERE counter = 'pairing.released_without_acquire_write') AS released_without_acquire_write,
    sum(value) FILTER (WHERE counter = 'pairing.start_locking_never_acquired') AS start_locking_never_acquired,
    sum(value) FILTER (WHERE counter = 'pairing.start_locking_replaced') AS start_locking_replaced,
    sum(value) FILTER (WHERE counter = 'pairing.wait_pairs_across_lost_events') AS wait_pairs_across_lost_events,
    sum(value) FILTER (WHERE counter = 'pairing.hold_pairs_across_lost_events') AS hold_pairs_across_lost_events
  FROM counters GROUP BY run)
SELECT r.run,
  coalesce(s.acquire_never_released_read, 0) AS acquire_never_released_read,
  coalesce(s.acquire_never_released_write, 0) AS acquire_never_released_write,
  coalesce(s.acquire_overwritten_without_release_read, 0) AS acquire_overwritten_without_release_read,
  coalesce(s.acquire_overwritten_without_release_write, 0) AS acquire_overwritten_without_release_write,
  coalesce(s.acquire_without_start_read, 0) AS acquire_without_start_read,
  coalesce(s.acquire_without_start_write, 0) AS acquire_without_start_write,
  coalesce(c.fallback_faults_matched_by_downgrade, 0) AS fallback_faults_matched_by_downgrade,
  coalesce(c.hold_pairs_across_lost_events, 0) AS hold_pairs_across_lost_events,
  coalesce(c.released_without_acquire_read, 0) AS released_without_acquire_read,
  coalesce(c.released_without_acquire_write, 0) AS released_without_acquire_write,
  coalesce(c.start_locking_never_acquired, 0) AS start_locking_never_acquired,
  coalesce(c.start_locking_replaced, 0) AS start_locking_replaced,
  coalesce(c.wait_pairs_across_lost_events, 0) AS wait_pairs_across_lost_events,
  coalesce(s.wait_samples_with_success_false, 0) AS wait_samples_with_success_false
FROM runs r LEFT JOIN s USING (run) LEFT JOIN c USING (run)
ORDER BY r.ord;
