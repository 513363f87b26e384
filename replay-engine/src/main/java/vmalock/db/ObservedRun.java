package vmalock.db;

import java.util.ArrayList;
import java.util.List;
import vmalock.store.EventReader;
import vmalock.store.Manifest;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/**
 * The runs of a workspace's database: {@code observed}, loaded from the workspace's Chronicle queue, and
 * every stored replay ({@code DIR/runs/ID/}, a workspace of replayed events plus {@code run.json}, see
 * {@code vmalock.replay.ReplayRunner}) under its own id — both through the pairing of {@code vmalock.stats}
 * ({@link ObservedPairing}), derived tables only; the raw {@code events} load on first use
 * ({@link #events}). A run is reloaded when its sources (or its run.json) change.
 */
public final class ObservedRun {
    private ObservedRun() {
    }

    /** Opens the workspace's database with its observed run and stored replay runs loaded and current. */
    public static WorkspaceDb open(Workspace ws) {
        for (int attempt = 0; ; attempt++) {
            WorkspaceDb ro = openReadOnlyIfCurrent(ws);
            if (ro != null) {
                return ro;
            }
            WorkspaceDb db = WorkspaceDb.open(ws.dir());
            try {
                ensureLoaded(ws, db);
                for (String id : replayIds(ws.dir())) {
                    ensureReplayLoaded(ws.dir(), id, db);
                }
            } catch (RuntimeException e) {
                db.close();
                throw e;
            }
            if (attempt > 0) {
                return db; // changed again in between (a concurrent ingest or compare): go on as the writer
            }
            // loaded: read on with a shared (read-only) open, so that other readers need not wait for this command
            db.close();
        }
    }

    /**
     * The database opened read-only ({@link WorkspaceDb#openReadOnly}) when it already holds the observed run
     * and every stored replay run exactly as they are now; else null.
     */
    static WorkspaceDb openReadOnlyIfCurrent(Workspace ws) {
        List<Manifest.Source> sources = ws.manifest().sources;
        if (sources.isEmpty()) {
            return null;
        }
        WorkspaceDb db = WorkspaceDb.openReadOnly(ws.dir());
        if (db == null) {
            return null;
        }
        try {
            boolean current = db.hasRun(RunInfo.OBSERVED) && fingerprint(sources).equals(db.runMeta(RunInfo.OBSERVED, "sources"));
            for (String id : replayIds(ws.dir())) {
                current = current && db.hasRun(id) && replayFingerprint(ws.dir(), id).equals(db.runMeta(id, "sources"));
            }
            if (current) {
                return db;
            }
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        db.close();
        return null;
    }

    /**
     * Loads the observed run unless the database already holds it for exactly the workspace's current
     * sources (their indexes and checksums).
     */
    public static void ensureLoaded(Workspace ws, WorkspaceDb db) {
        List<Manifest.Source> sources = ws.manifest().sources;
        if (sources.isEmpty()) {
            throw new StoreException(ws.dir() + ": the workspace has no ingested sources");
        }
        String fp = fingerprint(sources);
        if (db.hasRun(RunInfo.OBSERVED) && fp.equals(db.runMeta(RunInfo.OBSERVED, "sources"))) {
            return;
        }
        String unit = sources.get(0).timeUnit;
        for (Manifest.Source s : sources) {
            if (!unit.equals(s.timeUnit)) {
                throw new StoreException(ws.dir() + ": sources " + sources.get(0).index + " and " + s.index
                        + " count time in different units (ns and ticks); one run needs one unit");
            }
        }
        try (EventReader r = ws.unfilteredReader(sources)) { // the database holds every event, whatever a command filters
            db.load(RunInfo.observed(unit), sourceRows(sources), r::next, ObservedPairing.FACTORY, false);
        }
        db.setRunMeta(RunInfo.OBSERVED, "sources", fp);
    }

    /**
     * Issue 12 item 8 and issue 13: loads the observed run with every table, the per-row ones
     * ({@link LazyTable}) included, unless the database already holds exactly that — run by {@code ingest}
     * so that any DuckDB client sees {@code events}, {@code faults}, {@code syscalls} and {@code contention}
     * filled without vmalock loading them first, and the first query pays nothing. Then stores the
     * {@code stats} figures of the run ({@link SqlStats}) in {@value #STATS_CACHE}, so that {@code stats}
     * answers without starting DuckDB; {@code orphanBlocks} is the workspace's count at this point.
     */
    public static void materialize(Workspace ws, WorkspaceDb db, long orphanBlocks) {
        List<Manifest.Source> sources = ws.manifest().sources;
        if (sources.isEmpty()) {
            return;
        }
        String fp = fingerprint(sources);
        boolean current = db.hasRun(RunInfo.OBSERVED) && fp.equals(db.runMeta(RunInfo.OBSERVED, "sources"));
        for (LazyTable t : LazyTable.values()) {
            current = current && db.loaded(RunInfo.OBSERVED, t);
        }
        if (!current) {
            String unit = sources.get(0).timeUnit;
            for (Manifest.Source s : sources) {
                if (!unit.equals(s.timeUnit)) {
                    return; // one run needs one unit: the commands that need it say so
                }
            }
            try (EventReader r = ws.reader()) {
                db.load(RunInfo.observed(unit), sourceRows(sources), r::next, ObservedPairing.FACTORY, true);
            }
            db.setRunMeta(RunInfo.OBSERVED, "sources", fp);
        }
        com.fasterxml.jackson.databind.node.ObjectNode cache = vmalock.stats.StatsJson.JSON.createObjectNode();
        cache.put("sources", fp);
        cache.put("orphan_blocks", orphanBlocks);
        cache.set("stats", observedStats(ws, db, sources));
        java.nio.file.Path f = ws.dir().resolve(STATS_CACHE);
        java.nio.file.Path tmp = ws.dir().resolve(STATS_CACHE + ".tmp");
        try {
            java.nio.file.Files.write(tmp, vmalock.stats.StatsJson.JSON.writeValueAsBytes(cache));
            java.nio.file.Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new StoreException(f + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * Up to this many stored records, {@link #materialize} computes the cached figures with the Java aggregation
     * ({@link vmalock.stats.WorkspaceStats}, one pass over the queue) rather than the SQL report: the same document
     * field for field ({@code SqlStatsTest}), without the report's ~30 queries, which cost a small ingest more than
     * the rest of its database work (issue 13, start-up).
     */
    static final long JAVA_STATS_MAX_RECORDS = 200_000;

    /** The observed run's {@code stats --json} document: the Java aggregation for a small run, else the SQL report. */
    private static com.fasterxml.jackson.databind.node.ObjectNode observedStats(Workspace ws, WorkspaceDb db,
            List<Manifest.Source> sources) {
        long records = 0;
        for (Manifest.Source s : sources) {
            records += s.records;
        }
        if (records <= JAVA_STATS_MAX_RECORDS) {
            return vmalock.stats.StatsJson.build(vmalock.stats.WorkspaceStats.compute(ws, null));
        }
        return SqlStats.build(db, RunInfo.OBSERVED);
    }

    /** The observed run's {@code stats} figures as of the last ingest ({@link #materialize}). */
    public static final String STATS_CACHE = "stats-observed.json";

    /** Forgets the cached figures (at the start of an ingest: they describe the sources before it). */
    public static void dropStatsCache(java.nio.file.Path dir) {
        try {
            java.nio.file.Files.deleteIfExists(dir.resolve(STATS_CACHE));
        } catch (java.io.IOException e) {
            throw new StoreException(dir.resolve(STATS_CACHE) + ": cannot delete: " + e.getMessage(), e);
        }
    }

    /** The figures {@link #materialize} stored, if they are of exactly the workspace's current sources; else null. */
    public static CachedStats cachedStats(Workspace ws) {
        java.nio.file.Path f = ws.dir().resolve(STATS_CACHE);
        if (ws.manifest().sources.isEmpty() || !java.nio.file.Files.isRegularFile(f)) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode j = vmalock.store.JsonTrees.read(f); // no ObjectMapper (issue 13)
            if (!fingerprint(ws.manifest().sources).equals(j.path("sources").asText(null)) || !j.path("stats").isObject()) {
                return null;
            }
            // an ingest interrupted after the cache was written leaves blocks no source owns, and no commit to drop the
            // cache: the stored count then is stale (-1: the command counts them)
            long orphans = queueWrittenSince(ws.dir().resolve("queue"), java.nio.file.Files.getLastModifiedTime(f).toMillis())
                    ? -1 : j.path("orphan_blocks").asLong();
            return new CachedStats((com.fasterxml.jackson.databind.node.ObjectNode) j.get("stats"), orphans);
        } catch (java.io.IOException | RuntimeException e) {
            return null; // unreadable: computed afresh
        }
    }

    private static boolean queueWrittenSince(java.nio.file.Path queue, long millis) throws java.io.IOException {
        if (!java.nio.file.Files.isDirectory(queue)) return false;
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(queue)) {
            for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) s::iterator) {
                if (java.nio.file.Files.getLastModifiedTime(p).toMillis() > millis) return true;
            }
        }
        return false;
    }

    /** The cached {@code stats} document and the orphan block count at the time (-1: unknown, count them). */
    public record CachedStats(com.fasterxml.jackson.databind.node.ObjectNode stats, long orphanBlocks) {
    }

    /**
     * A database of the filtered events only ({@link Workspace#filter}), in {@code dir} (a temporary folder the
     * caller deletes): the observed run, no replay runs. The workspace's own database is not touched.
     */
    public static WorkspaceDb openFiltered(Workspace ws, java.nio.file.Path dir) {
        List<Manifest.Source> sources = ws.manifest().sources;
        if (sources.isEmpty()) {
            throw new StoreException(ws.dir() + ": the workspace has no ingested sources");
        }
        WorkspaceDb db = WorkspaceDb.open(dir);
        try (EventReader r = ws.reader(sources)) {
            db.load(RunInfo.observed(sources.get(0).timeUnit), sourceRows(sources), r::next, ObservedPairing.FACTORY, false);
            return db;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** The stored replay runs of a workspace ({@code DIR/runs/ID/run.json}), sorted. */
    public static List<String> replayIds(java.nio.file.Path dir) {
        java.nio.file.Path runs = dir.resolve(vmalock.replay.ReplayRunner.RUNS_DIR);
        List<String> ids = new ArrayList<>();
        if (!java.nio.file.Files.isDirectory(runs)) {
            return ids;
        }
        try (var s = java.nio.file.Files.list(runs)) {
            s.filter(p -> java.nio.file.Files.isRegularFile(p.resolve(vmalock.replay.ReplayRunner.RUN_FILE))
                    && java.nio.file.Files.isRegularFile(p.resolve(Manifest.FILE)))
                    .forEach(p -> ids.add(p.getFileName().toString()));
        } catch (java.io.IOException e) {
            throw new StoreException(runs + ": cannot list the replay runs: " + e.getMessage(), e);
        }
        ids.sort(null);
        if (ids.contains(RunInfo.OBSERVED)) {
            throw new StoreException(runs + ": a replay run may not be named " + RunInfo.OBSERVED);
        }
        return ids;
    }

    /**
     * Loads a stored replay run under its id (policy, spec and seed from its run.json, its
     * vma_lock_success/abort/miss/retry into {@code counters}) unless it is loaded and unchanged.
     */
    static void ensureReplayLoaded(java.nio.file.Path dir, String id, WorkspaceDb db) {
        java.nio.file.Path runDir = dir.resolve(vmalock.replay.ReplayRunner.RUNS_DIR).resolve(id);
        String runJson = runJson(runDir);
        try (Workspace rw = Workspace.open(runDir)) {
            List<Manifest.Source> sources = rw.manifest().sources;
            String fp = replayFingerprint(sources, runJson);
            if (db.hasRun(id) && fp.equals(db.runMeta(id, "sources"))) {
                return;
            }
            com.fasterxml.jackson.databind.JsonNode j;
            try {
                j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(runJson);
            } catch (java.io.IOException e) {
                throw new StoreException(runDir + ": damaged " + vmalock.replay.ReplayRunner.RUN_FILE + ": " + e.getMessage(), e);
            }
            String policy = j.path("policy").asText(id);
            String params = j.has("spec") ? j.get("spec").asText() : null;
            RunInfo info = new RunInfo(id, policy, params, j.has("seed") ? j.get("seed").asLong() : null, "ns");
            try (EventReader r = rw.reader()) {
                db.load(info, sourceRows(sources), r::next, ObservedPairing.FACTORY, false);
            }
            db.putCounters(id, replayCounters(j));
            db.putFigures(id, replayFigures(j));
            db.setRunMeta(id, "sources", fp);
        }
    }

    private static String runJson(java.nio.file.Path runDir) {
        try {
            return java.nio.file.Files.readString(runDir.resolve(vmalock.replay.ReplayRunner.RUN_FILE));
        } catch (java.io.IOException e) {
            throw new StoreException(runDir + ": cannot read " + vmalock.replay.ReplayRunner.RUN_FILE + ": " + e.getMessage(), e);
        }
    }

    /** What the database records of a stored replay run: its sources and its run.json. */
    private static String replayFingerprint(List<Manifest.Source> sources, String runJson) {
        return fingerprint(sources) + "run.json:" + runJson.hashCode() + ":" + runJson.length();
    }

    private static String replayFingerprint(java.nio.file.Path dir, String id) {
        java.nio.file.Path runDir = dir.resolve(vmalock.replay.ReplayRunner.RUNS_DIR).resolve(id);
        String json = runJson(runDir);
        return replayFingerprint(Manifest.read(runDir).sources, json);
    }

    /** A replay's {@code counters} rows from its run.json (or compare's entry for it): vma_lock_*, retries. */
    static java.util.Map<String, Long> replayCounters(com.fasterxml.jackson.databind.JsonNode j) {
        return RunTables.replayCounters(j);
    }

    /** A replay's {@code run_figures} rows from its run.json (or compare's entry for it). */
    static java.util.Map<String, Double> replayFigures(com.fasterxml.jackson.databind.JsonNode j) {
        return RunTables.replayFigures(j);
    }

    /** The raw events of a run (observed or a stored replay), for {@link QueryRunner.EventsSource}; the stream closes its reader at the end. */
    public static QueryRunner.EventsSource events(Workspace ws) {
        return run -> {
            Workspace src = RunInfo.OBSERVED.equals(run) ? ws
                    : Workspace.open(ws.dir().resolve(vmalock.replay.ReplayRunner.RUNS_DIR).resolve(run));
            EventReader r = src == ws && ws.filter() != null ? ws.reader(ws.manifest().sources) // a filtered database
                    : src.unfilteredReader(src.manifest().sources);
            return e -> {
                if (r.next(e)) {
                    return true;
                }
                r.close();
                if (src != ws) {
                    src.close();
                }
                return false;
            };
        };
    }

    /** The manifest's sources as {@code sources} rows. */
    public static List<SourceRow> sourceRows(List<Manifest.Source> sources) {
        List<SourceRow> rows = new ArrayList<>();
        for (Manifest.Source s : sources) {
            rows.add(SourceRow.of(s));
        }
        return rows;
    }

    private static String fingerprint(List<Manifest.Source> sources) {
        StringBuilder b = new StringBuilder();
        for (Manifest.Source s : sources) {
            b.append(s.index).append(":").append(s.checksum).append(';');
        }
        return b.toString();
    }
}
