package vmalock.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import vmalock.stats.StatsJson;
import vmalock.stats.WorkspaceStats;
import vmalock.store.Ingester;
import vmalock.store.Workspace;

/**
 * {@code stats --json} computed by SQL over DuckDB ({@link SqlStats}, queries/stats.sql) equals, field for
 * field, the document of the Java aggregation ({@link StatsJson}) — on the three real traces of
 * {@code shared/traces} and every bundled sample capture (lossy, overwritten, counter clock, …) — and
 * its headline figures equal the truth / independently computed expected JSON.
 */
class SqlStatsTest {
    @TempDir
    Path tmp;

    static Stream<Path> traces() throws Exception {
        List<Path> l = new ArrayList<>();
        for (String n : new String[]{"ftrace-overlap-default.txt", "perf-disjoint.perf.txt", "tc-overlap.report.txt"}) {
            l.add(Traces.shared(n));
        }
        try (Stream<Path> s = Files.list(Traces.sample(""))) {
            s.filter(p -> p.toString().endsWith(".txt") && !p.getFileName().toString().startsWith("ftrace-overlap-default"))
                    .sorted().forEach(l::add);
        }
        return l.stream();
    }

    @ParameterizedTest
    @MethodSource("traces")
    void sqlStatsEqualJavaStatsAndTruth(Path trace) throws Exception {
        Path dir = tmp.resolve("ws");
        try (Workspace ws = Workspace.forIngest(dir)) {
            Ingester.ingest(ws, trace, null, false, null);
        }
        try (Workspace ws = Workspace.open(dir); WorkspaceDb db = ObservedRun.open(ws)) {
            ObjectNode java = StatsJson.build(WorkspaceStats.compute(ws, null));
            ObjectNode sql = SqlStats.build(db, RunInfo.OBSERVED);
            assertEquals(StatsJson.JSON.writeValueAsString(java), StatsJson.JSON.writeValueAsString(sql), trace.toString());
            JsonNode truth = ReportsOnRealTracesTest.truthFor(trace);
            for (String f : new String[]{"total_events", "page_faults", "fallback_faults", "fallback_faults_strict",
                "lost_events", "distinct_mm"}) {
                if (truth.has(f)) {
                    assertEquals(truth.get(f).asLong(), sql.get(f).asLong(), f + " of " + trace);
                }
            }
            String unit = sql.get("time_unit").asText();
            for (String f : new String[]{"writer_wait", "reader_wait", "write_hold", "read_hold"}) {
                JsonNode t = truth.get(f + "_" + unit);
                if (t != null) {
                    for (String k : new String[]{"count", "sum", "p50", "p90", "p99", "max"}) {
                        if (t.hasNonNull(k)) {
                            assertEquals(t.get(k).asDouble(), sql.get(f + "_" + unit).get(k).asDouble(), f + "." + k + " of " + trace);
                        }
                    }
                }
            }
        }
    }
}
