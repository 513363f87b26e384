package vmalock.db;

import java.util.ArrayList;
import java.util.List;
import vmalock.store.EventReader;
import vmalock.store.Manifest;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/**
 * The {@code observed} run of a workspace's database: loaded from the Chronicle queue through the
 * pairing of {@code vmalock.stats} ({@link ObservedPairing}), derived tables only — the raw
 * {@code events} load on first use ({@link #events}). Reloaded when the workspace's sources change.
 */
public final class ObservedRun {
    private ObservedRun() {
    }

    /** Opens the workspace's database with its observed run loaded and current. */
    public static WorkspaceDb open(Workspace ws) {
        WorkspaceDb db = WorkspaceDb.open(ws.dir());
        try {
            ensureLoaded(ws, db);
            return db;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
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
        try (EventReader r = ws.reader()) {
            db.load(RunInfo.observed(unit), sourceRows(sources), r::next, ObservedPairing.FACTORY, false);
        }
        db.setRunMeta(RunInfo.OBSERVED, "sources", fp);
    }

    /** The raw events of the observed run, for {@link QueryRunner.EventsSource}; the stream closes its reader at the end. */
    public static QueryRunner.EventsSource events(Workspace ws) {
        return run -> {
            if (!RunInfo.OBSERVED.equals(run)) {
                return null;
            }
            EventReader r = ws.reader();
            return e -> {
                if (r.next(e)) {
                    return true;
                }
                r.close();
                return false;
            };
        };
    }

    /** The manifest's sources as {@code sources} rows. */
    public static List<SourceRow> sourceRows(List<Manifest.Source> sources) {
        List<SourceRow> rows = new ArrayList<>();
        for (Manifest.Source s : sources) {
            rows.add(new SourceRow(s.index, s.path, s.name, s.size, s.sha256, s.format, s.clock, s.timeUnit,
                    s.barePointers, s.linesTotal, s.events, s.nonEventLines, kind(s, "header"), kind(s, "blank"),
                    kind(s, "other"), kind(s, "lost_marker"), s.problems, s.lostEvents, s.lostEventMarkers,
                    s.lostEventMarkersWithoutCount, s.headerEntriesInBuffer, s.headerEntriesWritten, s.firstTs, s.lastTs));
        }
        return rows;
    }

    private static long kind(Manifest.Source s, String k) {
        Long v = s.nonEventLinesByKind.get(k);
        return v == null ? 0 : v;
    }

    private static String fingerprint(List<Manifest.Source> sources) {
        StringBuilder b = new StringBuilder();
        for (Manifest.Source s : sources) {
            b.append(s.index).append(':').append(s.sha256).append(';');
        }
        return b.toString();
    }
}
