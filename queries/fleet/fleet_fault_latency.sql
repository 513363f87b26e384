-- fleet_fault_latency: How is the replayed user-fault latency (µs, every replayed fault, under the policy
-- of the kernel that produced each trace) distributed across traces and hosts? Per trace p50/p99/max,
-- then their spread over traces.

-- section: across traces (kernel policy)
SELECT count(*) AS traces, round(quantile_disc(p50_us, 0.5), 3) AS p50_of_p50, round(quantile_disc(p99_us, 0.5), 3) AS p50_of_p99,
  round(quantile_disc(p99_us, 0.9), 3) AS p90_of_p99, round(max(p99_us), 3) AS max_of_p99, round(max(max_us), 3) AS max
FROM fault_latency l JOIN traces t USING (trace_id)
WHERE l.latency = 'fault' AND l.policy = t.kernel_policy AND l.count > 0;

-- section: per host (kernel policy)
SELECT l.host, count(*) AS traces, round(quantile_disc(p99_us, 0.5), 3) AS p50_of_p99, round(max(p99_us), 3) AS max_of_p99
FROM fault_latency l JOIN traces t USING (trace_id)
WHERE l.latency = 'fault' AND l.policy = t.kernel_policy AND l.count > 0 GROUP BY l.host ORDER BY l.host;

-- section: per policy, across traces
SELECT policy, count(*) AS traces, round(quantile_disc(p50_us, 0.5), 3) AS p50_of_p50,
  round(quantile_disc(p99_us, 0.5), 3) AS p50_of_p99, round(max(p99_us), 3) AS max_of_p99
FROM fault_latency WHERE latency = 'fault' AND count > 0 GROUP BY policy ORDER BY policy;
