package vmalock.db;

import java.util.List;

/**
 * The DuckDB schema of a workspace database. Every table except {@code meta} has a {@code run} column
 * first: {@code observed} for the trace as captured, a replay's id for each replay (see {@code runs}).
 * Documented column by column in {@code queries/README.md}; keep the two in step.
 *
 * <p>Durations ({@code *_ns}) and timestamps are in the run's time unit: ns, or ticks for counter
 * clocks ({@code runs.time_unit}). Addresses (mm, address, ip, lock_addr) are stored as BIGINT with
 * the 64-bit pattern of the address (kernel addresses are negative); {@code hex(mm)} prints them.
 */
public final class Schema {
    private Schema() {
    }

    /** Bumped whenever a table changes shape; a database of another version is rebuilt. */
    public static final int VERSION = 11;

    /** Derived tables loaded for every run, in load order. */
    /** Number of syscall arguments kept in {@code syscalls.arg0…}. */
    public static final int SYSCALL_ARGS = 6;

    /**
     * Fills {@code syscalls.args} from the plain columns after a load: the Appender's MAP path costs
     * microseconds a row, the plain columns and this one vectorized UPDATE almost nothing.
     */
    static final String SYSCALL_ARGS_MAP = "UPDATE %s SET args = map_from_entries(list_zip(string_split(arg_names, ','),"
            + " [arg0, arg1, arg2, arg3, arg4, arg5][1:len(string_split(arg_names, ','))])) WHERE run = %s AND arg_names IS NOT NULL";

    public static final List<String> RUN_TABLES = List.of(
            "runs", "sources", "event_counts", "lock_spans", "fault_counts", "faults", "contention", "syscalls", "tasks", "mms",
            "lost", "counters", "run_figures", "quality", "events");

    public static final String DDL = String.join("\n",
            "CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR);",
            "CREATE TABLE IF NOT EXISTS run_meta (run VARCHAR, key VARCHAR, value VARCHAR);",
            "CREATE TABLE IF NOT EXISTS runs (run VARCHAR, ord INTEGER, policy VARCHAR, parameters VARCHAR, seed BIGINT,",
            "  time_unit VARCHAR, events BIGINT, events_loaded BOOLEAN, faults_loaded BOOLEAN, syscalls_loaded BOOLEAN,",
            "  contention_loaded BOOLEAN, description VARCHAR);",
            "CREATE TABLE IF NOT EXISTS sources (run VARCHAR, source INTEGER, path VARCHAR, name VARCHAR, size BIGINT,",
            "  checksum VARCHAR, format VARCHAR, clock VARCHAR, time_unit VARCHAR, lines_total BIGINT, events BIGINT,",
            "  non_event_lines BIGINT, header_lines BIGINT, blank_lines BIGINT, other_lines BIGINT, lost_marker_lines BIGINT,",
            "  problems BIGINT, hashed_pointers BOOLEAN,",
            "  lost_events BIGINT, lost_event_markers BIGINT, lost_event_markers_without_count BIGINT,",
            "  header_entries_in_buffer BIGINT, header_entries_written BIGINT, first_ts BIGINT, last_ts BIGINT);",
            "CREATE TABLE IF NOT EXISTS event_counts (run VARCHAR, source INTEGER, tid INTEGER, comm VARCHAR,",
            "  kind VARCHAR, name VARCHAR, mm BIGINT, events BIGINT, first_ts BIGINT, last_ts BIGINT);",
            "CREATE TABLE IF NOT EXISTS lock_spans (run VARCHAR, span BIGINT, tid INTEGER, comm VARCHAR, mm BIGINT, write BOOLEAN,",
            "  start_ts BIGINT, acquire_ts BIGINT, release_ts BIGINT, wait_ns BIGINT, hold_ns BIGINT,",
            "  success BOOLEAN, ending VARCHAR, replaced BOOLEAN, acquire_seq BIGINT, release_seq BIGINT);",
            "CREATE TABLE IF NOT EXISTS faults (run VARCHAR, fault BIGINT, tid INTEGER, comm VARCHAR, ts BIGINT, address BIGINT,",
            "  ip BIGINT, error_code BIGINT, path VARCHAR, fallback BOOLEAN, fallback_loose BOOLEAN, trylock_failed BOOLEAN,",
            "  span BIGINT);",
            "CREATE TABLE IF NOT EXISTS fault_counts (run VARCHAR, tid INTEGER, comm VARCHAR, fallback BOOLEAN,",
            "  fallback_loose BOOLEAN, trylock_failed BOOLEAN, count BIGINT);",
            "CREATE TABLE IF NOT EXISTS contention (run VARCHAR, tid INTEGER, lock_addr BIGINT, flags INTEGER,",
            "  begin_ts BIGINT, end_ts BIGINT, wait_ns BIGINT, ret BIGINT, begin_seq BIGINT, end_seq BIGINT);",
            "CREATE TABLE IF NOT EXISTS syscalls (run VARCHAR, tid INTEGER, syscall VARCHAR, enter_ts BIGINT,",
            "  exit_ts BIGINT, dur_ns BIGINT, args MAP(VARCHAR, BIGINT), ret BIGINT, range_start BIGINT, range_len BIGINT,",
            "  enter_seq BIGINT, exit_seq BIGINT, arg_names VARCHAR, arg0 BIGINT, arg1 BIGINT, arg2 BIGINT, arg3 BIGINT,",
            "  arg4 BIGINT, arg5 BIGINT);",
            "CREATE TABLE IF NOT EXISTS tasks (run VARCHAR, tid INTEGER, tgid INTEGER, comm VARCHAR, comms VARCHAR[],",
            "  events BIGINT, first_ts BIGINT, last_ts BIGINT);",
            "CREATE TABLE IF NOT EXISTS mms (run VARCHAR, mm BIGINT, mm_hex VARCHAR, events BIGINT, tasks BIGINT,",
            "  comms VARCHAR[], first_ts BIGINT, last_ts BIGINT);",
            "CREATE TABLE IF NOT EXISTS lost (run VARCHAR, source INTEGER, line BIGINT, ts BIGINT, cpu INTEGER,",
            "  count BIGINT, kind VARCHAR);",
            "CREATE TABLE IF NOT EXISTS counters (run VARCHAR, counter VARCHAR, value BIGINT);",
            // a replay's own figures (run.json): fault_latency_us.p99, faults_per_s, … in the JSON's names and units
            "CREATE TABLE IF NOT EXISTS run_figures (run VARCHAR, figure VARCHAR, value DOUBLE);",
            "CREATE TABLE IF NOT EXISTS quality (run VARCHAR, source INTEGER, metric VARCHAR, value BIGINT);",
            "CREATE TABLE IF NOT EXISTS events (run VARCHAR, seq BIGINT, source INTEGER, line BIGINT, ts BIGINT,",
            "  cpu INTEGER, tid INTEGER, tgid INTEGER, comm VARCHAR, kind VARCHAR, name VARCHAR, mm BIGINT,",
            "  write BOOLEAN, success BOOLEAN, memcg_id BIGINT, memcg_path VARCHAR, address BIGINT, ip BIGINT,",
            "  error_code BIGINT, lock_addr BIGINT, flags INTEGER, syscall VARCHAR, args MAP(VARCHAR, BIGINT),",
            "  ret BIGINT, other_pid INTEGER, text VARCHAR, count BIGINT);",
            // nearest-rank percentile (rule 5): the 1-based rank ceil(p/100 * n), exact for p with up to 3 decimals.
            "CREATE OR REPLACE MACRO nearest_rank(n, p) AS",
            "  CASE WHEN n = 0 THEN NULL ELSE greatest(1, (CAST(round(p * 1000) AS BIGINT) * n + 99999) // 100000) END;",
            // bpftrace hist() bucket of a non-negative integer: 0, 1, then powers of two.
            "CREATE OR REPLACE MACRO log2_lo(v) AS CASE WHEN v < 2 THEN v",
            "  ELSE CAST(1 AS BIGINT) << CAST(floor(log2(v)) - CASE WHEN (CAST(1 AS BIGINT) << CAST(floor(log2(v)) AS INTEGER)) > v THEN 1 ELSE 0 END AS INTEGER) END;",
            "CREATE OR REPLACE MACRO log2_hi(v) AS CASE WHEN v < 2 THEN v + 1 ELSE 2 * log2_lo(v) END;",
            // bpftrace's size suffixes: 1K, 2M, …
            "CREATE OR REPLACE MACRO bpf_num(v) AS CASE",
            "  WHEN v >= 1099511627776 AND v % 1099511627776 = 0 THEN (v // 1099511627776)::VARCHAR || 'T'",
            "  WHEN v >= 1073741824 AND v % 1073741824 = 0 THEN (v // 1073741824)::VARCHAR || 'G'",
            "  WHEN v >= 1048576 AND v % 1048576 = 0 THEN (v // 1048576)::VARCHAR || 'M'",
            "  WHEN v >= 1024 AND v % 1024 = 0 THEN (v // 1024)::VARCHAR || 'K'",
            "  ELSE v::VARCHAR END;",
            "CREATE OR REPLACE MACRO log2_bucket(v) AS CASE WHEN v < 2 THEN '[' || v::VARCHAR || ']'",
            "  ELSE '[' || bpf_num(log2_lo(v)) || ', ' || bpf_num(log2_hi(v)) || ')' END;",
            // the run named `name` of the same trace as `run`: in a fleet output (`vmalock report --parquet`) run ids are
            // TRACE_ID/observed and TRACE_ID/POLICY; in a workspace (no '/' in run ids) just `name`
            "CREATE OR REPLACE MACRO run_in_trace(run, name) AS",
            "  CASE WHEN strpos(run, '/') > 0 THEN left(run, strpos(run, '/')) || name ELSE name END;",
            // an address as the tools print it: 16 hex digits
            "CREATE OR REPLACE MACRO hex16(a) AS lower(printf('%016x', a));",
            // ns → the µs of the reports; 1 when every run the reports see is in ticks (counter/TSC clocks):
            // QueryRunner sets the variable time_div and then names the columns *_ticks instead of *_us
            "CREATE OR REPLACE MACRO time_div() AS coalesce(TRY_CAST(getvariable('time_div') AS DOUBLE), 1000.0);",
            // the wait and hold samples of rules 3-4, one row per sample (v in the run's unit, ns or ticks)
            "CREATE OR REPLACE MACRO lock_samples() AS TABLE",
            "  SELECT run, CASE WHEN write THEN 'writer_wait' ELSE 'reader_wait' END AS metric, wait_ns AS v",
            "  FROM lock_spans WHERE wait_ns IS NOT NULL",
            "  UNION ALL SELECT run, CASE WHEN write THEN 'writer_wait_success_only' ELSE 'reader_wait_success_only' END,",
            "  wait_ns FROM lock_spans WHERE wait_ns IS NOT NULL AND success",
            "  UNION ALL SELECT run, CASE WHEN write THEN 'write_hold' ELSE 'read_hold' END, hold_ns",
            "  FROM lock_spans WHERE hold_ns IS NOT NULL;",
            // count, sum, min, nearest-rank percentiles, max of one metric per run, in µs
            "CREATE OR REPLACE MACRO sample_stats(m) AS TABLE",
            "  SELECT run, count(*) AS count, sum(v) / time_div() AS sum_us, min(v) / time_div() AS min_us,",
            "    quantile_disc(v, 0.5) / time_div() AS p50_us, quantile_disc(v, 0.9) / time_div() AS p90_us,",
            "    quantile_disc(v, 0.99) / time_div() AS p99_us, quantile_disc(v, 0.999) / time_div() AS p99_9_us,",
            "    max(v) / time_div() AS max_us",
            "  FROM lock_samples() WHERE metric = m GROUP BY run;",
            // bpftrace-style log2 histogram of one metric per run, in whole µs, empty buckets in between kept
            "CREATE OR REPLACE MACRO log2_hist(m) AS TABLE",
            "  WITH b AS (SELECT run, log2_lo(CAST(floor(v / time_div()) AS BIGINT)) AS lo, count(*) AS n FROM lock_samples()",
            "             WHERE metric = m AND v >= 0 GROUP BY ALL),",
            "  r AS (SELECT run, min(lo) AS lo_min, max(lo) AS lo_max, max(n) AS n_max FROM b GROUP BY run),",
            "  k AS (SELECT 0::BIGINT AS lo UNION ALL SELECT 1",
            "        UNION ALL SELECT CAST(1 AS BIGINT) << CAST(i AS INTEGER) FROM range(1, 62) t(i))",
            "  SELECT r.run, log2_bucket(k.lo) AS bucket, k.lo AS lo_us, log2_hi(k.lo) AS hi_us, coalesce(b.n, 0) AS count,",
            "    '|' || rpad(repeat('@', CAST(coalesce(b.n, 0) * 52 // r.n_max AS INTEGER)), 52, ' ') || '|' AS histogram",
            "  FROM r JOIN k ON k.lo BETWEEN r.lo_min AND r.lo_max LEFT JOIN b ON b.run = r.run AND b.lo = k.lo;");

    /** The columns of a table of {@link #DDL}, each {name, DuckDB type}, in order; empty for an unknown table. */
    public static List<String[]> columns(String table) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("CREATE TABLE IF NOT EXISTS " + table + " \\((.*?)\\);",
                java.util.regex.Pattern.DOTALL).matcher(DDL);
        List<String[]> out = new java.util.ArrayList<>();
        if (!m.find()) {
            return out;
        }
        String body = m.group(1);
        int depth = 0;
        int from = 0;
        for (int i = 0; i <= body.length(); i++) {
            char c = i < body.length() ? body.charAt(i) : ',';
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                String col = body.substring(from, i).strip();
                int sp = col.indexOf(' ');
                out.add(new String[] {col.substring(0, sp), col.substring(sp + 1).strip()});
                from = i + 1;
            }
        }
        return out;
    }
}
