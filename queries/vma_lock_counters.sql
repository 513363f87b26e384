-- vma_lock_counters: How did lock_vma_under_rcu() fare — the kernel's vmstat counters vma_lock_success,
-- vma_lock_abort, vma_lock_retry, vma_lock_miss? A replay records them exactly. An observed trace has
-- them only with probe events (section 8 of shared/docs/kernel-lock-semantics.md): a non-NULL return of
-- lock_vma_under_rcu is a success, a NULL one an abort or a miss (the probe cannot tell which), and
-- __vma_start_write calls are counted. NULL: the run has no such evidence.
SELECT r.run, r.policy,
  sum(value) FILTER (WHERE counter = 'vma_lock_success') AS vma_lock_success,
  sum(value) FILTER (WHERE counter = 'vma_lock_abort') AS vma_lock_abort,
  sum(value) FILTER (WHERE counter = 'vma_lock_retry') AS vma_lock_retry,
  sum(value) FILTER (WHERE counter = 'vma_lock_miss') AS vma_lock_miss,
  sum(value) FILTER (WHERE counter = 'vma_lock_abort_or_miss') AS vma_lock_abort_or_miss,
  sum(value) FILTER (WHERE counter = 'vma_start_write') AS vma_start_write
FROM runs r LEFT JOIN counters c USING (run)
GROUP BY r.run, r.policy, r.ord ORDER BY r.ord;
