-- fallback_rates: How often did a user page fault fall back from the per-VMA lock to mmap_lock? A fault
-- is a fallback when its task's next successful mmap_lock read acquisition (with a pending start_locking)
-- comes before its next fault and before any write acquisition (rule 2 of shared/traces/README.md);
-- fallback_loose is rule 1. Overall, per mm, per task and per comm. page_fault_user has no mm field: a
-- task's faults count for the mm its mmap_lock events name most often (tasks without such events: mm NULL).

-- section: overall
SELECT run, count(*) AS page_faults, count(*) FILTER (WHERE fallback) AS fallback_faults,
  round(count(*) FILTER (WHERE fallback) / nullif(count(*), 0), 6) AS fallback_rate,
  count(*) FILTER (WHERE fallback_loose) AS fallback_faults_loose,
  round(count(*) FILTER (WHERE fallback_loose) / nullif(count(*), 0), 6) AS fallback_rate_loose,
  count(*) FILTER (WHERE trylock_failed) AS after_failed_trylock
FROM faults GROUP BY run ORDER BY run;

-- section: per mm
WITH task_mm AS (
  SELECT run, tid, first(mm ORDER BY n DESC, mm) AS mm
  FROM (SELECT run, tid, mm, count(*) AS n FROM lock_spans GROUP BY ALL) GROUP BY run, tid)
SELECT f.run, m.mm_hex AS mm, count(*) AS page_faults, count(*) FILTER (WHERE fallback) AS fallback_faults,
  round(count(*) FILTER (WHERE fallback) / count(*), 6) AS fallback_rate, count(DISTINCT f.tid) AS tasks
FROM faults f LEFT JOIN task_mm t USING (run, tid) LEFT JOIN mms m ON m.run = f.run AND m.mm = t.mm
GROUP BY f.run, m.mm_hex ORDER BY f.run, fallback_faults DESC, page_faults DESC, mm;

-- section: per task (top 40 by fallback faults)
SELECT run, tid, arg_max(comm, fault) AS comm, count(*) AS page_faults,
  count(*) FILTER (WHERE fallback) AS fallback_faults,
  round(count(*) FILTER (WHERE fallback) / count(*), 6) AS fallback_rate
FROM faults GROUP BY run, tid
QUALIFY row_number() OVER (PARTITION BY run ORDER BY fallback_faults DESC, page_faults DESC, tid) <= 40
ORDER BY run, fallback_faults DESC, page_faults DESC, tid;

-- section: per comm
SELECT run, comm, count(*) AS page_faults, count(*) FILTER (WHERE fallback) AS fallback_faults,
  round(count(*) FILTER (WHERE fallback) / count(*), 6) AS fallback_rate, count(DISTINCT tid) AS tasks
FROM faults GROUP BY run, comm ORDER BY run, fallback_faults DESC, page_faults DESC, comm;
