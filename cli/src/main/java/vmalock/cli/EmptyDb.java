package vmalock.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import vmalock.db.Schema;
import vmalock.db.WorkspaceDb;

/**
 * A workspace database with the schema and nothing else, kept beside the jar (issue 13, start-up): a new
 * workspace's database starts as a copy of it, so that {@code ingest} does not run the schema's DDL (~0.1 s and a
 * write transaction on a small trace's critical path). {@link WorkspaceDb#open} then finds the schema text it
 * would run already recorded and goes on as with any existing database; a template of other DDL, another schema
 * version or a damaged one is handled there as for any such file (rebuilt or re-initialised), so a bad template
 * only costs the speed-up. The name carries the DDL's hash; a template older than the jar is made again.
 */
final class EmptyDb {
    private EmptyDb() {
    }

    /** The template's path in {@code dir}. */
    static Path template(Path dir) {
        return dir.resolve("vmalock-empty-" + Integer.toHexString(Schema.DDL.hashCode()) + "-v" + Schema.VERSION + ".duckdb");
    }

    /** The jar these classes run from, or null when they are not run from a jar (tests, the IDE). */
    static Path jar() {
        try {
            Path here = Path.of(EmptyDb.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(here) && here.toString().endsWith(".jar") ? here : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** Where the template is kept when the classes are not run from a jar; tests set it. */
    static volatile Path folder;

    /** The template beside the running jar (or in {@link #folder}), or null when there is none. */
    static Path besideJar() {
        if (folder != null) return template(folder);
        Path jar = jar();
        return jar == null ? null : template(jar.getParent());
    }

    /**
     * Makes {@code template} unless it exists and is newer than {@code than} (the jar; null: any age): a database
     * opened in a folder of its own beside it, closed (checkpointed: one file) and renamed into place. Quiet: false
     * when it could not (a read-only folder, no DuckDB).
     */
    static boolean ensure(Path template, Path than) {
        try {
            if (Files.isRegularFile(template)
                    && (than == null || Files.getLastModifiedTime(template).compareTo(Files.getLastModifiedTime(than)) > 0)) {
                return true;
            }
            Path tmp = Files.createTempDirectory(template.getParent(), ".vmalock-empty-");
            try {
                WorkspaceDb.open(tmp).close(); // the schema is in place once open returns
                Path f = WorkspaceDb.file(tmp);
                if (Files.exists(f.resolveSibling(WorkspaceDb.FILE + ".wal"))) return false; // not one file: not a template
                Files.move(f, template, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return true;
            } finally {
                DbCommands.deleteTree(tmp);
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Copies the template to the workspace's database file when the workspace has none; false (nothing written)
     * when there is no template or the file exists. The copy is made beside it and linked into place, so a command
     * opening the database at the same time (a query after an ingest that left no database) sees no file or a whole
     * one; a failed copy removes what it wrote.
     */
    static boolean seed(Path template, Path workspaceDir) {
        Path f = WorkspaceDb.file(workspaceDir);
        if (template == null || !Files.isRegularFile(template) || Files.exists(f)
                || Files.exists(f.resolveSibling(WorkspaceDb.FILE + ".wal"))) {
            return false;
        }
        Path tmp = f.resolveSibling(".vmalock-empty-" + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.copy(template, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.createLink(f, tmp); // fails if another command made the file meanwhile
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a stray temporary file: WorkspaceDb ignores it
            }
        }
    }
}
