package vmalock.cli;

import java.nio.file.Files;
import vmalock.db.ObservedRun;
import vmalock.db.RunInfo;
import vmalock.db.WorkspaceDb;
import vmalock.store.Workspace;

/**
 * After {@code compare} and {@code replay} (issue 13, targets 4 and 5): the replay runs they stored are loaded into
 * the workspace's database and their {@code report --html} stats figures kept ({@link HtmlReportPage#replayStats}),
 * by the same code the first {@code report}/{@code query} would run ({@link ObservedRun#open}), so that the first
 * page after them costs what a later one does instead of loading the runs (nine of ~1 M events after
 * {@code compare}). The database and the page are the same as when the report loads them.
 *
 * <p>Only where {@code ingest} built the database (an {@code ingest --no-tables} workspace keeps its tables for
 * the first query) and without an event filter. Nothing is printed, and only after the command's output: the
 * database may be held by another command, or unwritable; then the first report loads the runs, as before.
 */
final class RunTablesAfterReplay {
    private RunTablesAfterReplay() {
    }

    /** Whether {@link #load} would do anything for this workspace. */
    static boolean applies(Workspace ws) {
        return ws.filter() == null && Files.isRegularFile(WorkspaceDb.file(ws.dir()))
                && !ObservedRun.replayIds(ws.dir()).isEmpty();
    }

    /**
     * The replays' heap back to the system before DuckDB takes its own memory: compare's peak resident memory
     * (issue 13: at most 512 MB) is the replays' heap, which the collector otherwise keeps committed while the
     * load adds DuckDB's buffers (570-614 MB instead of 489 on the 120 MB trace). One full collection: the
     * launcher runs compare with the parallel collector and {@code -XX:+UseAdaptiveSizePolicyWithSystemGC}, so it
     * shrinks the old generation to what is live (175 MB to 7 MB there, measured with the free ratios below set).
     * The free-ratio flags are manageable: set for the rest of this process (the command ends after the load).
     */
    private static void shrinkHeap() {
        try {
            var vm = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            vm.setVMOption("MinHeapFreeRatio", "5");
            vm.setVMOption("MaxHeapFreeRatio", "20");
        } catch (RuntimeException e) {
            // not settable here: the collection below still frees what it can
        }
        System.gc();
    }

    /** Loads the stored runs and keeps their page figures; true when done, false when left to the first report. */
    static boolean load(Workspace ws) {
        if (!applies(ws)) return false;
        shrinkHeap();
        try (WorkspaceDb db = DbCommands.openWithProgress(ws)) {
            for (String id : db.runs()) {
                if (!id.equals(RunInfo.OBSERVED)) HtmlReportPage.replayStats(ws.dir(), db, id);
            }
            return true;
        } catch (RuntimeException e) {
            return false; // the database is busy or damaged: the first report loads the runs (and says why)
        }
    }
}
