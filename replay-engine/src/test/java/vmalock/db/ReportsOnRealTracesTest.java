package vmalock.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Loads each real trace of {@code shared/traces} (and the lossy / overwritten bundled captures) into
 * DuckDB, runs every bundled report, and checks the headline figures the reports compute against the
 * truth / expected JSON computed independently of the tool.
 */
class ReportsOnRealTracesTest {
    static WorkspaceDb load(Traces.Parsed p) {
        WorkspaceDb db = WorkspaceDb.inMemory();
        db.load(RunInfo.observed(p.source().timeUnit()), List.of(p.source()), EventStream.of(p.events()),
                ObservedPairing.FACTORY, true);
        return db;
    }

    static JsonNode truthFor(Path trace) throws Exception {
        String n = trace.getFileName().toString().replaceAll("\\.txt$", "");
        Path t = trace.resolveSibling(n + ".truth.json");
        if (!Files.exists(t)) {
            t = trace.resolveSibling(n + ".expected.json");
        }
        return new ObjectMapper().readTree(t.toFile());
    }

    static Map<String, Object> row(List<ResultTable> sections, String title, int i) {
        for (ResultTable t : sections) {
            if (title.equals(t.title())) {
                Map<String, Object> m = new HashMap<>();
                for (int c = 0; c < t.columns().size(); c++) {
                    m.put(t.columns().get(c), t.rows().get(i)[c]);
                }
                return m;
            }
        }
        throw new AssertionError("no section " + title);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftrace-overlap-default.txt", "perf-disjoint.perf.txt", "tc-overlap.report.txt"})
    void everyBundledReportRunsAndCountsMatchTruth(String name) throws Exception {
        Path trace = Traces.shared(name);
        JsonNode truth = truthFor(trace);
        Traces.Parsed p = Traces.parse(trace);
        try (WorkspaceDb db = load(p)) {
            QueryRunner qr = new QueryRunner(db, List.of(), Map.of(), null);
            QueryLibrary lib = QueryLibrary.bundled();
            for (Query q : lib.all()) {
                List<ResultTable> res = qr.run(q);
                assertFalse(res.isEmpty(), q.name() + " returned no result");
            }
            headlineFiguresMatchTruth(qr, lib, truth);
            List<ResultTable> stats = qr.run(lib.get("stats"));
            Map<String, Object> tot = row(stats, "totals", 0);
            assertEquals(truth.get("lines_total").asLong(), tot.get("lines_total"));
            assertEquals(truth.get("non_event_lines").asLong(), tot.get("non_event_lines"));
            assertEquals(truth.get("total_events").asLong(), tot.get("total_events"));
            assertEquals(truth.get("lost_events").asLong(), tot.get("lost_events"));
            assertEquals(truth.get("distinct_mm").asLong(), tot.get("distinct_mm"));
            // events_by_type, exactly
            Map<String, Long> byType = new HashMap<>();
            for (ResultTable t : stats) {
                if ("events_by_type".equals(t.title())) {
                    for (Object[] r : t.rows()) {
                        byType.put((String) r[1], (Long) r[2]);
                    }
                }
            }
            Map<String, Long> want = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = truth.get("events_by_type").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> en = it.next();
                want.put(en.getKey(), en.getValue().asLong());
            }
            assertEquals(want, byType);
            // per-mm event counts and keys as the tool prints them
            for (ResultTable t : stats) {
                if ("per_mm".equals(t.title())) {
                    assertEquals(truth.get("per_mm").size(), t.rows().size());
                    for (Object[] r : t.rows()) {
                        JsonNode m = truth.get("per_mm").get((String) r[1]);
                        assertTrue(m != null, "mm " + r[1] + " not in truth");
                        assertEquals(m.get("events").asLong(), r[2], "events of mm " + r[1]);
                        assertEquals(m.get("start_locking").asLong(), r[3]);
                        assertEquals(m.get("acquire_returned").asLong(), r[4]);
                        assertEquals(m.get("released").asLong(), r[5]);
                        assertEquals(m.get("tasks").asLong(), r[9]);
                    }
                }
            }
        }
    }

    /** The named reports' own headline figures: fallback_rates (overall), writer/reader waits, hold times. */
    static void headlineFiguresMatchTruth(QueryRunner qr, QueryLibrary lib, JsonNode truth) {
        Map<String, Object> fb = row(qr.run(lib.get("fallback_rates")), "overall", 0);
        // one name per figure, as in stats --json: *_strict is rule 2, plain fallback_faults/fallback_rate rule 1
        assertEquals(truth.get("page_faults").asLong(), fb.get("page_faults"));
        assertEquals(truth.get("fallback_faults_strict").asLong(), fb.get("fallback_faults_strict"));
        assertEquals(truth.get("fallback_faults").asLong(), fb.get("fallback_faults"));
        assertEquals(truth.get("fallback_rate_strict").asDouble(), ((Number) fb.get("fallback_rate_strict")).doubleValue(), 1e-9);
        String[][] metrics = {{"writer_waits", "writer wait (µs), nearest-rank percentiles", "writer_wait_us"},
            {"reader_waits", "reader wait (µs), nearest-rank percentiles", "reader_wait_us"},
            {"hold_times", "write hold (µs), nearest-rank percentiles", "write_hold_us"},
            {"hold_times", "read hold (µs), nearest-rank percentiles", "read_hold_us"}};
        for (String[] m : metrics) {
            List<ResultTable> res = qr.run(lib.get(m[0]));
            JsonNode t = truth.get(m[2]);
            Map<String, Object> st = row(res, m[1], 0);
            assertEquals(t.get("count").asLong(), st.get("count"), m[2] + ".count");
            for (String k : new String[]{"sum", "min", "p50", "p90", "p99", "max"}) {
                assertEquals(t.get(k).asDouble(), ((Number) st.get(k + "_us")).doubleValue(), 1e-9, m[2] + "." + k);
            }
            // the log2 histogram right after the percentiles counts every sample once
            ResultTable hist = res.get(res.indexOf(res.stream().filter(r -> m[1].equals(r.title())).findFirst().orElseThrow()) + 1);
            long total = 0;
            for (Object[] r : hist.rows()) {
                total += ((Number) r[hist.columns().indexOf("count")]).longValue();
            }
            assertEquals(t.get("count").asLong(), total, m[2] + " histogram total");
        }
    }
}
