-- fallback_rates: How often did a user page fault fall back from the per-VMA lock to mmap_lock? A fault
-- is a fallback when its task's next successful mmap_lock read acquisition (with a pending start_locking)
-- comes before its next fault and before any write acquisition (rule 2 of docs/statistics.md);
-- columns fallback_faults_strict / fallback_rate_strict, as in `stats --json`; fallback_faults /
-- fallback_rate are rule 1 (any next successful read acquisition). Overall, per mm, per task and per comm. page_fault_user has no mm field: a
-- task's faults count for the mm its mmap_lock events name most often (tasks without such events: mm NULL).

-- section: overall
SELECT run, sum(count) AS page_faults, coalesce(sum(count) FILTER (WHERE fallback), 0) AS fallback_faults_strict,
  round(coalesce(sum(count) FILTER (WHERE fallback), 0) / nullif(sum(count), 0), 6) AS fallback_rate_strict,
  coalesce(sum(count) FILTER (WHERE fallback_loose), 0) AS fallback_faults,
  round(coalesce(sum(count) FILTER (WHERE fallback_loose), 0) / nullif(sum(count), 0), 6) AS fallback_rate,
  coalesce(sum(count) FILTER (WHERE trylock_failed), 0) AS after_failed_trylock
FROM fault_counts GROUP BY run ORDER BY run;

-- section: per mm
WITH task_mm AS (
  SELECT run, tid, first(mm ORDER BY n DESC, mm) AS mm
  FROM (SELECT run, tid, mm, count(*) AS n FROM lock_spans GROUP BY ALL) GROUP BY run, tid)
SELECT f.run, m.mm_hex AS mm, sum(count) AS page_faults, coalesce(sum(count) FILTER (WHERE fallback), 0) AS fallback_faults_strict,
  round(coalesce(sum(count) FILTER (WHERE fallback), 0) / sum(count), 6) AS fallback_rate_strict, count(DISTINCT f.tid) AS tasks
FROM fault_counts f LEFT JOIN task_mm t USING (run, tid) LEFT JOIN mms m ON m.run = f.run AND m.mm = t.mm
GROUP BY f.run, m.mm_hex ORDER BY f.run, fallback_faults_strict DESC, page_faults DESC, mm;

-- section: per task (top 40 by fallback faults)
SELECT run, tid, arg_max(comm, count) AS comm, sum(count) AS page_faults,
  coalesce(sum(count) FILTER (WHERE fallback), 0) AS fallback_faults_strict,
  round(coalesce(sum(count) FILTER (WHERE fallback), 0) / sum(count), 6) AS fallback_rate_strict
FROM fault_counts GROUP BY run, tid
QUALIFY row_number() OVER (PARTITION BY run ORDER BY fallback_faults_strict DESC, page_faults DESC, tid) <= 40
ORDER BY run, fallback_faults_strict DESC, page_faults DESC, tid;

-- section: per comm
SELECT run, comm, sum(count) AS page_faults, coalesce(sum(count) FILTER (WHERE fallback), 0) AS fallback_faults_strict,
  round(coalesce(sum(count) FILTER (WHERE fallback), 0) / sum(count), 6) AS fallback_rate_strict, count(DISTINCT tid) AS tasks
FROM fault_counts GROUP BY run, comm ORDER BY run, fallback_faults_strict DESC, page_faults DESC, comm;
