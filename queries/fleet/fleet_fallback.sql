-- fleet_fallback: How is the observed fallback rate (rule 2: a user fault that fell back from the per-VMA
-- lock to mmap_lock) distributed across traces, overall and per host? Nearest-rank quantiles over traces
-- with page faults; the fault-weighted rate is all fallback faults over all faults.

-- section: across traces
SELECT count(*) AS traces, sum(page_faults) AS page_faults,
  round(sum(fallback_faults_strict) / nullif(sum(page_faults), 0), 6) AS weighted_rate,
  round(min(fallback_rate_strict), 6) AS min, round(quantile_disc(fallback_rate_strict, 0.5), 6) AS p50,
  round(quantile_disc(fallback_rate_strict, 0.9), 6) AS p90, round(quantile_disc(fallback_rate_strict, 0.99), 6) AS p99,
  round(max(fallback_rate_strict), 6) AS max
FROM stats WHERE page_faults > 0;

-- section: per host
SELECT host, count(*) AS traces, sum(page_faults) AS page_faults,
  round(sum(fallback_faults_strict) / nullif(sum(page_faults), 0), 6) AS weighted_rate,
  round(quantile_disc(fallback_rate_strict, 0.5), 6) AS p50, round(max(fallback_rate_strict), 6) AS max
FROM stats WHERE page_faults > 0 GROUP BY host ORDER BY host;

-- section: highest traces
SELECT trace_id, host, kernel, workload, page_faults, fallback_faults_strict, round(fallback_rate_strict, 6) AS fallback_rate
FROM stats WHERE page_faults > 0 ORDER BY fallback_rate_strict DESC, trace_id LIMIT 10;
