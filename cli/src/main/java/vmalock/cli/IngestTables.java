package vmalock.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import vmalock.db.DbException;
import vmalock.db.ObservedRun;
import vmalock.db.WorkspaceDb;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/**
 * The workspace database built by {@code ingest} (issue 12 item 8, issue 13): DuckDB's library is
 * loaded and the database opened on a second thread while the first parses; after the last file the
 * observed run is loaded with every table ({@link ObservedRun#materialize}), so any DuckDB client
 * sees them filled and vmalock's first query or {@code stats} starts no load.
 */
final class IngestTables implements AutoCloseable {
    private final Path dir;
    private final CompletableFuture<WorkspaceDb> db;
    /** The empty database a new workspace's starts as ({@link EmptyDb}), or null. */
    private final Path template;

    /**
     * The second thread loads DuckDB's library and, when the workspace already has sources, opens the
     * database; a new workspace gets its database file only once a source is committed (a failed first
     * ingest leaves no file behind, and the directory stays a fresh one).
     */
    private IngestTables(Path dir, boolean existing) {
        this.dir = dir;
        this.template = existing ? null : EmptyDb.besideJar();
        db = CompletableFuture.supplyAsync(() -> {
            if (existing) {
                return WorkspaceDb.open(dir);
            }
            try {
                java.sql.DriverManager.getDrivers();
                Class.forName("org.duckdb.DuckDBNative", true, IngestTables.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // the open in finish reports it
            }
            // once per build: the empty database beside the jar (finish copies it)
            if (template != null) EmptyDb.ensure(template, EmptyDb.jar());
            return null;
        }, r -> {
            Thread t = new Thread(r, "vmalock-tables");
            t.setDaemon(true);
            t.start();
        });
    }

    /** Starts the second thread; {@code existing}: the workspace had sources when the ingest began. */
    static IngestTables start(Workspace ws, boolean existing) {
        return new IngestTables(ws.dir(), existing);
    }

    /** Loads the tables; a failure is a warning (the tables then load on first use, as before). */
    void finish(Workspace ws, PrintWriter err) {
        try {
            WorkspaceDb d = db.get();
            if (d == null) {
                EmptyDb.seed(template, dir); // the schema without its DDL (issue 13, start-up)
                try (WorkspaceDb opened = WorkspaceDb.open(dir)) {
                    ObservedRun.materialize(ws, opened, ws.orphanBlocks());
                }
                return;
            }
            ObservedRun.materialize(ws, d, ws.orphanBlocks());
        } catch (ExecutionException e) {
            warn(err, e.getCause());
        } catch (DbException | StoreException e) {
            warn(err, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void warn(PrintWriter err, Throwable e) {
        err.println("vmalock: warning: the workspace database was not updated (" + e.getMessage()
                + "); its tables load on first use");
        err.flush();
    }

    @Override
    public void close() {
        try {
            WorkspaceDb d = db.join();
            if (d != null) {
                d.close();
            }
        } catch (RuntimeException e) {
            // the open failed: finish reported it, or the ingest failed before
        }
    }
}
