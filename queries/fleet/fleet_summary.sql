-- fleet_summary: What does the fleet output hold? Traces, hosts, kernels and workloads, events and bytes
-- parsed, replays, and how many traces failed (their reasons are in fleet_errors).

-- section: overall
SELECT (SELECT count(*) FROM traces) AS traces, (SELECT count(DISTINCT host) FROM traces) AS hosts,
  (SELECT count(DISTINCT kernel) FROM traces) AS kernels, (SELECT count(DISTINCT workload) FROM traces) AS workloads,
  (SELECT sum(total_events) FROM traces) AS events, (SELECT round(sum(bytes) / 1e6, 1) FROM traces) AS mb,
  (SELECT count(*) FROM traces WHERE replay_note IS NOT NULL) AS not_replayable,
  (SELECT count(*) FROM runs) AS replays, (SELECT count(DISTINCT trace_id) FROM errors) AS failed_traces;

-- section: per host
SELECT host, count(*) AS traces, sum(total_events) AS events, count(*) FILTER (WHERE lossy) AS lossy,
  string_agg(DISTINCT kernel, ',' ORDER BY kernel) AS kernels
FROM traces GROUP BY host ORDER BY host;
