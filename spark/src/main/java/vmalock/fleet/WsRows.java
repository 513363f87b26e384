package vmalock.fleet;

import java.io.Serializable;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import vmalock.db.LazyTable;
import vmalock.db.ObservedPairing;
import vmalock.db.RunInfo;
import vmalock.db.RunTables;
import vmalock.db.Schema;
import vmalock.db.SourceRow;
import vmalock.db.ValueRows;
import vmalock.event.Event;
import vmalock.store.Manifest;

/**
 * The workspace tables of one run of a trace (queries/README.md: {@code sources}, {@code event_counts},
 * {@code lock_spans}, {@code fault_counts}, {@code tasks}, {@code mms}, {@code lost}, {@code counters},
 * {@code quality}, {@code run_figures} and the run's {@code runs} row), built from its events by the code that
 * loads them into a workspace's DuckDB ({@link RunTables}), kept as plain values for the Parquet output. The run
 * id is {@code TRACE_ID/observed} or {@code TRACE_ID/POLICY}.
 */
final class WsRows implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The workspace tables written per run, by their workspace name. */
    static final List<String> TABLES;

    static {
        List<String> t = new ArrayList<>(RunTables.TABLES);
        t.add("run_figures");
        t.add("runs");
        TABLES = List.copyOf(t);
    }

    /** The Parquet table of a workspace table: its own name, but {@code runs} (the fleet's replays) is {@code ws_runs}. */
    static String parquetName(String table) {
        return table.equals("runs") ? "ws_runs" : table;
    }

    /** Rows by table name, each in the workspace table's column order. */
    final Map<String, List<Object[]>> tables = new LinkedHashMap<>();

    /** Builds a run's tables while its events stream past ({@link #accept}); {@link #finish} completes them. */
    static final class Builder implements Consumer<Event> {
        private final Map<String, ValueRows> sinks = new LinkedHashMap<>();
        private final RunInfo info;
        private final RunTables t;

        Builder(RunInfo info, boolean hashedPointers) {
            this.info = info;
            try {
                t = new RunTables(info, src -> hashedPointers, name -> sinks.computeIfAbsent(name,
                        n -> new ValueRows(Schema.columns(n).size())), ObservedPairing.FACTORY, EnumSet.noneOf(LazyTable.class));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void accept(Event e) {
            try {
                t.event(e);
            } catch (SQLException x) {
                throw new IllegalStateException(x);
            }
        }

        /**
         * The run's rows; {@code run} is the replay's run.json (its counters and figures, as a workspace stores
         * them with a replay run) or null for the observed run.
         */
        WsRows finish(Manifest.Source src, com.fasterxml.jackson.databind.JsonNode run, int ord) {
            WsRows out = new WsRows();
            ValueRows figures = new ValueRows(Schema.columns("run_figures").size());
            String params = null;
            Long seed = null;
            if (run != null) {
                t.putCounters(RunTables.replayCounters(run));
                for (Map.Entry<String, Double> f : RunTables.replayFigures(run).entrySet()) {
                    figures.begin().str(info.run()).str(f.getKey()).f64(RunTables.figureValue(f.getValue()));
                    figures.end();
                }
                params = run.has("spec") ? run.get("spec").asText() : null;
                seed = run.has("seed") ? run.get("seed").asLong() : null;
            }
            long n;
            try {
                n = t.finish(List.of(SourceRow.of(src)));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            for (Map.Entry<String, ValueRows> s : sinks.entrySet()) {
                if (TABLES.contains(s.getKey())) out.tables.put(s.getKey(), s.getValue().rows());
            }
            out.tables.put("run_figures", figures.rows());
            // the runs row as WorkspaceDb.load writes it; ord = the run's place within its trace (the view numbers them)
            RunInfo ri = new RunInfo(info.run(), info.policy(), params, seed, info.timeUnit());
            out.tables.put("runs", List.<Object[]>of(new Object[] {ri.run(), ord, ri.policy(), ri.parameters(), ri.seed(),
                ri.timeUnit(), n, false, false, false, false, ri.description()}));
            return out;
        }
    }

    /** The observed run of a parsed trace, from its event blocks. */
    static WsRows observed(TraceInput in, Manifest.Source src, List<byte[]> blocks) {
        Builder b = new Builder(new RunInfo(in.traceId() + "/" + RunInfo.OBSERVED, RunInfo.OBSERVED, null, null, src.timeUnit),
                src.barePointers);
        vmalock.store.EventBlocks.read(blocks, b);
        return b.finish(src, null, 1);
    }

    /** A replay's builder: run {@code TRACE_ID/POLICY}; the replayed events' mm are printed as the trace's were. */
    static Builder replay(TraceInput in, String policy, Manifest.Source traceSource) {
        return new Builder(new RunInfo(in.traceId() + "/" + policy, policy, null, null, "ns"), traceSource.barePointers);
    }

    // ---- Spark rows ---------------------------------------------------------------------------------------

    /** The Parquet schema: the fleet keys (trace_id, kernel, workload, host), then the workspace table's columns. */
    static StructType schema(String table) {
        List<StructField> f = new ArrayList<>();
        for (String k : new String[] {"trace_id", "kernel", "workload", "host"}) {
            f.add(DataTypes.createStructField(k, DataTypes.StringType, true));
        }
        for (String[] c : Schema.columns(table)) f.add(DataTypes.createStructField(c[0], type(c[1]), true));
        return DataTypes.createStructType(f);
    }

    static DataType type(String duckdb) {
        return switch (duckdb) {
            case "VARCHAR" -> DataTypes.StringType;
            case "BIGINT" -> DataTypes.LongType;
            case "INTEGER" -> DataTypes.IntegerType;
            case "BOOLEAN" -> DataTypes.BooleanType;
            case "DOUBLE" -> DataTypes.DoubleType;
            case "VARCHAR[]" -> DataTypes.createArrayType(DataTypes.StringType);
            default -> throw new IllegalArgumentException("no Parquet type for DuckDB type " + duckdb);
        };
    }

    /** The sort order within each file: trace, run, then the table's columns in order (a deterministic output). */
    static String[] order(String table) {
        List<String> o = new ArrayList<>(List.of("trace_id"));
        for (String[] c : Schema.columns(table)) {
            if (!c[1].endsWith("[]")) o.add(c[0]);
        }
        return o.toArray(new String[0]);
    }

    /** One trace's rows of a table as Spark rows, keys first. */
    static Iterator<Row> rows(TraceInput in, WsRows ws, String table) {
        List<Row> l = new ArrayList<>();
        if (ws == null) return l.iterator();
        for (Object[] r : ws.tables.getOrDefault(table, List.of())) {
            Object[] v = new Object[r.length + 4];
            v[0] = in.traceId();
            v[1] = in.kernel();
            v[2] = in.workload();
            v[3] = in.host();
            System.arraycopy(r, 0, v, 4, r.length);
            l.add(RowFactory.create(v));
        }
        return l.iterator();
    }
}
