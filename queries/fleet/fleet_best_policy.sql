-- fleet_best_policy: Which policy helps which trace, and by how much? Per trace, the policy with the most
-- replayed faults per second (ties: lower fault-latency p99, lower writer wait sum, the kernel policy, then
-- the policy order of compare), its gain
-- over the trace's kernel policy (the baseline compare uses), and the change in fault-latency p99 and
-- writer wait sum; then how often each policy is the best.

-- section: per trace
WITH b AS (SELECT * FROM runs WHERE is_kernel_policy),
ranked AS (SELECT r.*, row_number() OVER (PARTITION BY r.trace_id
    ORDER BY r.faults_per_s DESC, r.fault_latency_p99_us ASC NULLS LAST, r.writer_wait_sum ASC NULLS LAST,
      r.is_kernel_policy DESC, r.policy_order) AS k FROM runs r)
SELECT r.trace_id, r.host, b.policy AS baseline, r.policy AS best, r.faults_per_s, b.faults_per_s AS baseline_faults_per_s,
  round(100 * (r.faults_per_s / nullif(b.faults_per_s, 0) - 1), 2) AS gain_pct,
  round(r.fault_latency_p99_us - b.fault_latency_p99_us, 3) AS fault_p99_delta_us,
  round(r.writer_wait_sum - b.writer_wait_sum, 1) AS writer_wait_sum_delta_us
FROM ranked r JOIN b USING (trace_id) WHERE r.k = 1 ORDER BY gain_pct DESC NULLS LAST, r.trace_id;

-- section: per policy
WITH b AS (SELECT * FROM runs WHERE is_kernel_policy),
ranked AS (SELECT r.*, row_number() OVER (PARTITION BY r.trace_id
    ORDER BY r.faults_per_s DESC, r.fault_latency_p99_us ASC NULLS LAST, r.writer_wait_sum ASC NULLS LAST,
      r.is_kernel_policy DESC, r.policy_order) AS k FROM runs r)
SELECT r.policy AS best, count(*) AS traces,
  round(quantile_disc(100 * (r.faults_per_s / nullif(b.faults_per_s, 0) - 1), 0.5), 2) AS median_gain_pct,
  round(max(100 * (r.faults_per_s / nullif(b.faults_per_s, 0) - 1)), 2) AS max_gain_pct
FROM ranked r JOIN b USING (trace_id) WHERE r.k = 1 GROUP BY r.policy ORDER BY traces DESC, r.policy;
