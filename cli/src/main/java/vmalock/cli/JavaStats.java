package vmalock.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import vmalock.db.ObservedRun;
import vmalock.stats.StatsDocument;
import vmalock.stats.WorkspaceStats;
import vmalock.store.JsonTrees;
import vmalock.store.Manifest;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/**
 * The observed run's {@code stats} figures without DuckDB (issue 13, start-up): the Java aggregation
 * ({@link WorkspaceStats}, one pass over the queue), which gives the bundled SQL report's document field for field
 * ({@code SqlStatsTest}; {@code ingest} stores it in place of the report's for runs of up to
 * {@value #MAX_RECORDS} records). Used by an {@code ingest} that leaves the tables for later ({@link #store}) and by
 * {@code stats} on a workspace without stored figures ({@link #compute}).
 */
final class JavaStats {
    private JavaStats() {
    }

    /**
     * Up to this many stored records the Java aggregation stands in for the SQL report (the bound {@code ingest}'s
     * {@code ObservedRun.materialize} uses for the figures it stores); above it {@code stats} runs the report.
     */
    static final long MAX_RECORDS = 200_000;

    /** Whether the workspace's observed run is one the Java aggregation computes: small, one time unit. */
    static boolean applies(Workspace ws) {
        List<Manifest.Source> sources = ws.manifest().sources;
        if (sources.isEmpty() || Workspace.records(sources) > MAX_RECORDS) {
            return false;
        }
        for (Manifest.Source s : sources) {
            if (!s.timeUnit.equals(sources.get(0).timeUnit)) {
                return false; // the database refuses a run of two units: the command says so, as before
            }
        }
        return true;
    }

    /**
     * The {@code stats --json} document of every source, as {@link ObservedRun#cachedStats} would read it back
     * from the stored figures (written and parsed again: the same nodes, so the same output byte for byte).
     */
    static ObjectNode compute(Workspace ws) {
        try {
            return (ObjectNode) JsonTrees.read(JsonTrees.prettyBytes(document(ws)));
        } catch (IOException e) {
            throw new StoreException(ws.dir() + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode document(Workspace ws) {
        return StatsDocument.build(WorkspaceStats.compute(ws, null));
    }

    /**
     * Stores the figures in {@value ObservedRun#STATS_CACHE} in the form {@code ObservedRun.materialize} writes
     * (the sources they describe, the orphan block count, the document), so that {@code stats} prints them without
     * computing anything; written to a temporary file and renamed into place.
     */
    static void store(Workspace ws) {
        // Chronicle counts the tailers created while the ingest's queue is open (metadata.cq4t, listing.modCount): an
        // ingest that builds the tables creates two (the load's pass, then the figures'). One more here keeps the
        // queue's files byte-identical to that ingest's, whichever way the tables went.
        ws.reader().close();
        ObjectNode cache = JsonNodeFactory.instance.objectNode();
        cache.put("sources", fingerprint(ws.manifest().sources));
        cache.put("orphan_blocks", ws.orphanBlocks());
        cache.set("stats", document(ws));
        Path f = ws.dir().resolve(ObservedRun.STATS_CACHE);
        Path tmp = ws.dir().resolve(ObservedRun.STATS_CACHE + ".tmp");
        try {
            Files.write(tmp, JsonTrees.prettyBytes(cache));
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the message below names the file
            }
            throw new StoreException(f + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** The sources a stored document describes, as {@link ObservedRun#cachedStats} checks them: index and checksum. */
    static String fingerprint(List<Manifest.Source> sources) {
        StringBuilder b = new StringBuilder();
        for (Manifest.Source s : sources) {
            b.append(s.index).append(':').append(s.checksum).append(';');
        }
        return b.toString();
    }
}
