-- policy_figures: What did each replayed policy do to throughput and latency? Per stored replay:
-- faults per second of makespan, fault latency (issue to completion, every wait included, µs),
-- VMA-syscall latency p99 (µs), the share of faults completed under mmap_lock by the model's count, and
-- how many traced operations went through the callers the policy changes (0: the row repeats the baseline).
-- runs: all (this report compares runs: without --run it sees every run, not only observed)
-- section: replay figures (µs)
SELECT run,
       max(value) FILTER (WHERE figure = 'faults_per_s') AS faults_per_s,
       max(value) FILTER (WHERE figure = 'fault_latency_us.p50') AS fault_latency_p50_us,
       max(value) FILTER (WHERE figure = 'fault_latency_us.p99') AS fault_latency_p99_us,
       max(value) FILTER (WHERE figure = 'fault_latency_us.max') AS fault_latency_max_us,
       max(value) FILTER (WHERE figure = 'syscall_latency_us.p99') AS syscall_latency_p99_us,
       round(max(value) FILTER (WHERE figure = 'faults_on_mmap_lock_rate'), 6) AS faults_on_mmap_lock_rate,
       CAST(max(value) FILTER (WHERE figure = 'changed_ops') AS BIGINT) AS changed_ops,
       CAST(max(value) FILTER (WHERE figure = 'makespan_us') AS BIGINT) AS makespan_us
FROM run_figures GROUP BY run ORDER BY run;
