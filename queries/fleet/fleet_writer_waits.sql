-- fleet_writer_waits: How long did mmap_lock writers wait in the traces (observed, rule 3), across traces and
-- hosts? Per trace sum, p99 and max of the waits (µs; ticks for counter clocks, left out here), then their spread.

-- section: across traces
SELECT count(*) AS traces, sum(writer_wait_count) AS waits, round(sum(writer_wait_sum), 1) AS sum_us,
  round(quantile_disc(writer_wait_p99, 0.5), 3) AS p50_of_p99, round(quantile_disc(writer_wait_p99, 0.9), 3) AS p90_of_p99,
  round(max(writer_wait_max), 3) AS max_us
FROM stats WHERE time_unit = 'us' AND writer_wait_count > 0;

-- section: per host
SELECT host, count(*) AS traces, sum(writer_wait_count) AS waits, round(sum(writer_wait_sum), 1) AS sum_us,
  round(max(writer_wait_max), 3) AS max_us
FROM stats WHERE time_unit = 'us' AND writer_wait_count > 0 GROUP BY host ORDER BY host;

-- section: replayed, per policy (sum over traces)
SELECT policy, count(*) AS traces, sum(writer_wait_count) AS waits, round(sum(writer_wait_sum), 1) AS sum_us,
  round(max(writer_wait_max), 3) AS max_us
FROM runs GROUP BY policy ORDER BY policy;
