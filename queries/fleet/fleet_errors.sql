-- fleet_errors: Which traces failed, where and why? One row per failure (a trace with a failed parse or
-- replay is in no other table).
SELECT trace_id, host, stage, policy, reason FROM errors ORDER BY trace_id, policy;
