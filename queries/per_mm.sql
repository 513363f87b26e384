-- per_mm: Which address spaces (mm) took mmap_lock, how often and for how long? Per mm: mmap_lock
-- events by type, acquisitions (read / write / failed), tasks and comms, and the writer-wait and
-- write-hold tails in µs. An mm address reused by a later process shows as one row.
WITH e AS (
  SELECT run, mm, sum(events) AS events,
    sum(events) FILTER (WHERE name = 'mmap_lock_start_locking') AS start_locking,
    sum(events) FILTER (WHERE name = 'mmap_lock_acquire_returned') AS acquire_returned,
    sum(events) FILTER (WHERE name = 'mmap_lock_released') AS released
  FROM event_counts WHERE mm IS NOT NULL GROUP BY run, mm),
s AS (
  SELECT run, mm,
    count(*) FILTER (WHERE acquire_ts IS NOT NULL AND success AND NOT write) AS read_acq,
    count(*) FILTER (WHERE acquire_ts IS NOT NULL AND success AND write) AS write_acq,
    count(*) FILTER (WHERE acquire_ts IS NOT NULL AND NOT success) AS failed_acq,
    quantile_disc(wait_ns, 0.99) FILTER (WHERE write) / time_div() AS writer_wait_p99_us,
    quantile_disc(wait_ns, 0.99) FILTER (WHERE NOT write) / time_div() AS reader_wait_p99_us,
    quantile_disc(hold_ns, 0.99) FILTER (WHERE write) / time_div() AS write_hold_p99_us
  FROM lock_spans GROUP BY run, mm)
SELECT m.run, m.mm_hex AS mm, e.events, e.start_locking, e.acquire_returned, e.released,
  coalesce(s.read_acq, 0) AS read_acq, coalesce(s.write_acq, 0) AS write_acq, coalesce(s.failed_acq, 0) AS failed_acq,
  m.tasks, array_to_string(m.comms, ',') AS comms,
  s.writer_wait_p99_us, s.reader_wait_p99_us, s.write_hold_p99_us
FROM mms m LEFT JOIN e USING (run, mm) LEFT JOIN s USING (run, mm)
ORDER BY m.run, e.events DESC, mm;
