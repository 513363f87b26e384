package vmalock.db;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import vmalock.event.Event;

/**
 * The derived tables of one run, built while its events stream past in order: {@code sources},
 * {@code event_counts}, {@code tasks}, {@code mms}, {@code lost}, {@code quality}, {@code counters},
 * {@code fault_counts}, {@code lock_spans} (through the pairing of {@code vmalock.stats}) and, when asked, the
 * per-row {@link LazyTable}s. The one place that decides these rows: {@link WorkspaceDb#load} appends them to
 * DuckDB, the fleet job ({@code spark/}) collects them as plain values ({@link ValueRows}) and writes Parquet.
 * No DuckDB class is touched here.
 */
public final class RunTables {
    /** The tables written for every run, in {@link Schema#RUN_TABLES} order (the lazy ones are not among them). */
    public static final List<String> TABLES = List.of("sources", "event_counts", "lock_spans", "fault_counts", "tasks", "mms",
            "lost", "counters", "quality");

    private final RowSink counters;
    private final RowSink faultCounts;
    private final RunHandler[] handlers;
    private final ContentionPairs contention;
    private final SyscallPairs syscalls;
    private final FaultRows faultRows;
    private final PairingSink pairing;
    private final String run;
    private final RowSink sourceRows;
    private List<SourceRow> sources = List.of();
    private final Map<String, Long> extra = new TreeMap<>();
    private long seq;

    /**
     * @param table   the sink of each table by name (called once per table written)
     * @param pairing the lock-span / fault pairing, or null to leave lock_spans and faults empty
     * @param lazy    the per-row tables to build as well
     */
    public RunTables(RunInfo info, List<SourceRow> sources, Function<String, RowSink> table, PairingSink.Factory pairing,
                     Set<LazyTable> lazy) throws SQLException {
        this(info, src -> hashed(sources, src), table, pairing, lazy);
        this.sources = sources;
    }

    /**
     * For a run whose sources are known only at its end (a replay measured as it runs): they are given to
     * {@link #finish(List)}. {@code hashedPointers}: whether a source prints {@code %p} hashed (mm shown as 16 hex digits).
     */
    public RunTables(RunInfo info, java.util.function.IntPredicate hashedPointers, Function<String, RowSink> table,
                     PairingSink.Factory pairing, Set<LazyTable> lazy) throws SQLException {
        run = info.run();
        sourceRows = table.apply("sources");
        List<RunHandler> hs = new ArrayList<>();
        if (lazy.contains(LazyTable.EVENTS)) {
            hs.add(new EventsTable(table.apply("events"), run));
        }
        hs.add(new EventCounts(table.apply("event_counts"), run));
        hs.add(new TasksTable(table.apply("tasks"), run));
        hs.add(new MmsTable(table.apply("mms"), run, hashedPointers));
        contention = new ContentionPairs(lazy.contains(LazyTable.CONTENTION) ? table.apply("contention") : null, run);
        syscalls = new SyscallPairs(lazy.contains(LazyTable.SYSCALLS) ? table.apply("syscalls") : null, run);
        hs.add(contention);
        hs.add(syscalls);
        hs.add(new LostTable(table.apply("lost"), run, () -> sources));
        hs.add(new QualityTable(table.apply("quality"), run));
        counters = table.apply("counters");
        hs.add(new VmaLockCounters(counters, run));
        faultRows = new FaultRows(lazy.contains(LazyTable.FAULTS) ? table.apply("faults") : null, run);
        faultCounts = table.apply("fault_counts");
        this.pairing = pairing == null ? null : pairing.create(new LockSpanRows(table.apply("lock_spans"), run), faultRows);
        handlers = hs.toArray(new RunHandler[0]);
    }

    /** The run's next event ({@code e} may be reused once this returns). */
    public void event(Event e) throws SQLException {
        for (RunHandler h : handlers) {
            h.event(seq, e);
        }
        if (pairing != null) {
            pairing.event(seq, e);
        }
        seq++;
    }

    /**
     * Counters set from outside the event stream (a replay's exact {@code vma_lock_*} and {@code retries}, from its
     * run.json): written by {@link #finish} in place of counters of the same name.
     */
    public void putCounters(Map<String, Long> c) {
        extra.putAll(c);
    }

    /** The stream ended: writes the sources, what is still open, the counters and fault_counts. Returns the events streamed. */
    public long finish() throws SQLException {
        return finish(sources);
    }

    /** As {@link #finish()}, with the run's sources. */
    public long finish(List<SourceRow> runSources) throws SQLException {
        sources = runSources;
        writeSources(sourceRows, run, runSources);
        for (RunHandler h : handlers) {
            h.finish();
        }
        Map<String, Long> count = new TreeMap<>();
        if (pairing != null) {
            pairing.finish().forEach((k, v) -> count.put("pairing." + k, v));
        }
        count.putAll(contention.unpaired());
        count.putAll(syscalls.unpaired());
        count.putAll(syscalls.latency());
        count.putAll(extra);
        for (Map.Entry<String, Long> c : count.entrySet()) {
            counters.begin().str(run).str(c.getKey()).i64(c.getValue());
            counters.end();
        }
        faultRows.writeCounts(faultCounts);
        return seq;
    }

    /** Events streamed so far. */
    public long events() {
        return seq;
    }

    static void writeSources(RowSink rs, String run, List<SourceRow> sources) throws SQLException {
        for (SourceRow s : sources) {
            rs.begin().str(run).i32(s.source()).str(s.path()).str(s.name()).i64(s.size()).str(s.checksum())
                    .str(s.format()).str(s.clock()).str(s.timeUnit()).i64(s.linesTotal()).i64(s.events())
                    .i64(s.nonEventLines()).i64(s.headerLines()).i64(s.blankLines()).i64(s.otherLines())
                    .i64(s.lostMarkerLines()).i64(s.problems()).bool(s.hashedPointers()).i64(s.lostEvents()).i64(s.lostEventMarkers())
                    .i64(s.lostEventMarkersWithoutCount()).boxed(s.headerEntriesInBuffer())
                    .boxed(s.headerEntriesWritten()).boxed(s.firstTs()).boxed(s.lastTs());
            rs.end();
        }
    }

    private static boolean hashed(List<SourceRow> sources, int src) {
        for (SourceRow s : sources) {
            if (s.source() == src) {
                return s.hashedPointers();
            }
        }
        return false;
    }

    /** A replay's {@code counters} rows from its run.json (or compare's entry for it): vma_lock_*, retries. */
    public static Map<String, Long> replayCounters(com.fasterxml.jackson.databind.JsonNode j) {
        Map<String, Long> counters = new TreeMap<>();
        j.path("vma_lock").fields().forEachRemaining(en -> counters.put("vma_lock_" + en.getKey(), en.getValue().asLong()));
        if (j.has("retries")) {
            counters.put("retries", j.get("retries").asLong());
        }
        return counters;
    }

    /** A replay's {@code run_figures} rows from its run.json (or compare's entry for it). */
    public static Map<String, Double> replayFigures(com.fasterxml.jackson.databind.JsonNode j) {
        Map<String, Double> figures = new TreeMap<>();
        for (String f : new String[] {"faults_per_s", "makespan_us", "faults_on_mmap_lock", "faults_on_mmap_lock_rate", "changed_ops"}) {
            if (j.hasNonNull(f)) figures.put(f, j.get(f).asDouble());
        }
        for (String f : new String[] {"fault_latency_us", "syscall_latency_us", "observed_syscall_latency_us"}) {
            j.path(f).fields().forEachRemaining(en -> {
                if (en.getValue().isNumber()) figures.put(f + "." + en.getKey(), en.getValue().asDouble());
            });
        }
        return figures;
    }

    /** A figure as {@code run_figures} stores it: rounded to 6 decimals. */
    public static double figureValue(double v) {
        return Double.parseDouble(String.format(java.util.Locale.ROOT, "%.6f", v));
    }
}
