-- data_quality: Can the figures of this trace be trusted? Per source: lines, events, skipped (unparsable)
-- lines, events lost by the tracer (sum of [LOST N EVENTS] / [N EVENTS DROPPED] / PERF_RECORD_LOST markers,
-- and markers without a number), ring-buffer entries a `trace` file's header says were overwritten
-- (entries-written - entries-in-buffer), and timestamps that go backwards (lost-events markers are not
-- counted; a trace whose time runs backwards, e.g. files concatenated, is flagged in the verdict). Per run: events the pairing
-- could not pair. Any non-zero lost/overwritten figure means every other report undercounts.

-- section: input, per source
WITH q AS (SELECT run, source, sum(value) FILTER (WHERE metric = 'out_of_order_ts') AS out_of_order_ts,
                  max(value) FILTER (WHERE metric = 'max_backwards_ns') AS max_backwards_ns
           FROM quality GROUP BY run, source),
l AS (SELECT run, source, coalesce(sum(count) FILTER (WHERE kind = 'marker'), 0) AS lost_events,
             count(*) FILTER (WHERE kind = 'marker') AS lost_event_markers,
             count(*) FILTER (WHERE kind = 'marker' AND count IS NULL) AS lost_event_markers_without_count,
             coalesce(sum(count) FILTER (WHERE kind = 'overwritten'), 0) AS header_entries_overwritten
      FROM lost GROUP BY run, source)
SELECT s.run, s.source, s.name, s.format, s.clock, s.lines_total, s.events, s.problems,
  coalesce(l.lost_events, 0) AS lost_events, coalesce(l.lost_event_markers, 0) AS lost_event_markers,
  coalesce(l.lost_event_markers_without_count, 0) AS lost_event_markers_without_count,
  coalesce(l.header_entries_overwritten, 0) AS header_entries_overwritten,
  coalesce(q.out_of_order_ts, 0) AS out_of_order_ts, coalesce(q.max_backwards_ns, 0) / time_div() AS max_backwards_us,
  CASE WHEN coalesce(l.lost_events, 0) + coalesce(l.lost_event_markers, 0) + coalesce(l.header_entries_overwritten, 0) > 0
       THEN 'LOSSY: figures undercount' WHEN coalesce(q.out_of_order_ts, 0) > 0 THEN 'TIME RUNS BACKWARDS: pairings across the jumps are wrong'
       WHEN s.problems > 0 THEN 'skipped lines' ELSE 'ok' END AS verdict
FROM sources s LEFT JOIN l USING (run, source) LEFT JOIN q USING (run, source)
ORDER BY s.run, s.source;

-- section: pairing, per run (unpaired events)
WITH s AS (
  SELECT run,
    count(*) FILTER (WHERE acquire_ts IS NOT NULL AND start_ts IS NULL AND NOT write) AS acquire_without_start_read,
    count(*) FILTER (WHERE acquire_ts IS NOT NULL AND start_ts IS NULL AND write) AS acquire_without_start_write,
    count(*) FILTER (WHERE ending = 'never_acquired') AS start_locking_never_acquired,
    count(*) FILTER (WHERE ending = 'never_released' AND NOT write) AS acquire_never_released_read,
    count(*) FILTER (WHERE ending = 'never_released' AND write) AS acquire_never_released_write,
    count(*) FILTER (WHERE ending = 'replaced') AS acquire_overwritten_without_release,
    count(*) FILTER (WHERE ending = 'release_without_acquire') AS release_without_acquire,
    count(*) FILTER (WHERE ending = 'downgraded') AS write_holds_downgraded,
    count(*) FILTER (WHERE wait_ns < 0 OR hold_ns < 0) AS negative_samples
  FROM lock_spans GROUP BY run),
-- unpaired syscalls and contention from the counts the load keeps (`counters` 'unpaired.*'): the same
-- figures as counting the NULL sides of `contention` / `syscalls`, without loading those per-row tables
c AS (SELECT run,
        sum(value) FILTER (WHERE counter = 'unpaired.contention_end_without_begin') AS contention_end_without_begin,
        sum(value) FILTER (WHERE counter = 'unpaired.contention_begin_without_end') AS contention_begin_without_end,
        sum(value) FILTER (WHERE counter = 'unpaired.sys_exit_without_enter') AS sys_exit_without_enter,
        sum(value) FILTER (WHERE counter = 'unpaired.sys_enter_without_exit') AS sys_enter_without_exit
      FROM counters GROUP BY run)
SELECT r.run, coalesce(s.acquire_without_start_read, 0) AS acquire_without_start_read,
  coalesce(s.acquire_without_start_write, 0) AS acquire_without_start_write,
  coalesce(s.start_locking_never_acquired, 0) AS start_locking_never_acquired,
  coalesce(s.acquire_never_released_read, 0) AS acquire_never_released_read,
  coalesce(s.acquire_never_released_write, 0) AS acquire_never_released_write,
  coalesce(s.acquire_overwritten_without_release, 0) AS acquire_overwritten_without_release,
  coalesce(s.release_without_acquire, 0) AS release_without_acquire,
  coalesce(s.write_holds_downgraded, 0) AS write_holds_downgraded,
  coalesce(s.negative_samples, 0) AS negative_samples,
  coalesce(c.contention_end_without_begin, 0) AS contention_end_without_begin,
  coalesce(c.contention_begin_without_end, 0) AS contention_begin_without_end,
  coalesce(c.sys_exit_without_enter, 0) AS sys_exit_without_enter,
  coalesce(c.sys_enter_without_exit, 0) AS sys_enter_without_exit
FROM runs r LEFT JOIN s USING (run) LEFT JOIN c USING (run)
ORDER BY r.ord;
