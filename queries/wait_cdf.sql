-- wait_cdf: What fraction of mmap_lock waits were at most x µs, per run? The empirical CDF of writer and
-- reader waits (the samples of writer_waits and reader_waits: rule 3, failed trylocks included), as the
-- points (wait_us, fraction of the run's samples <= wait_us). Points are exact values of the CDF; at most
-- one per 1/50 of a decade of wait (the largest wait in it), so a run of millions of samples still gives a
-- few hundred points. Waits <= 0 (below the clock's resolution, or negative from out-of-order timestamps)
-- form one point at the smallest such wait. `vmalock report --html` draws these on a log x axis.
WITH s AS (
  SELECT run, metric, v, count(*) AS n FROM lock_samples()
  WHERE metric IN ('writer_wait', 'reader_wait') GROUP BY ALL),
c AS (
  SELECT run, metric, v,
    sum(n) OVER (PARTITION BY run, metric ORDER BY v) AS samples_le,
    sum(n) OVER (PARTITION BY run, metric) AS samples
  FROM s)
SELECT run, metric,
  CASE WHEN max(v) <= 0 THEN min(v) ELSE max(v) END / time_div() AS wait_us,
  max(samples_le) AS samples_le, any_value(samples) AS samples,
  round(max(samples_le) / any_value(samples), 9) AS fraction
FROM c
GROUP BY run, metric, CASE WHEN v <= 0 THEN -1 ELSE floor(log10(v) * 50) END
ORDER BY run, metric, max(v);
