package vmalock.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import vmalock.event.Event;

/**
 * The DuckDB database of one workspace ({@value #FILE} next to its queue): open it, load a run's
 * events and derived tables with the Appender while streaming, run SQL over it.
 *
 * <pre>
 * try (WorkspaceDb db = WorkspaceDb.open(workspaceDir)) {
 *     db.load(RunInfo.replay("r1", "vma-refcount", "{…}", 1), List.of(), replayEvents::next, pairing, true);
 * }
 * </pre>
 * A run is loaded in one transaction, its {@code runs} row last: an interrupted load leaves no trace,
 * and loading a run id again replaces it.
 */
public final class WorkspaceDb implements AutoCloseable {
    public static final String FILE = "vmalock.duckdb";

    private final Path file;
    private Connection conn;
    private final String catalog;
    /** Opened with DuckDB's {@code access_mode=READ_ONLY}: several processes may hold it at once. */
    private boolean readOnly;
    /** Session statements (temporary views, variables, settings) to run again when {@link #makeWritable} reopens. */
    private final List<String> session = new ArrayList<>();

    private WorkspaceDb(Path file, Connection conn) throws SQLException {
        this.file = file;
        this.conn = conn;
        this.catalog = scalar("SELECT current_database()");
    }

    /**
     * Opens an existing, current-schema database file read-only (DuckDB lets several processes read one
     * file at once, and keeps a writer out while any reads it): what the read-only commands use when nothing
     * needs loading. Null when there is no such file, or it is of another schema or storage version, or
     * damaged: then {@link #open} (read-write, rebuilding if need be) is the way.
     */
    public static WorkspaceDb openReadOnly(Path workspaceDir) {
        Path f = file(workspaceDir);
        try {
            if (!Files.isRegularFile(f) || storageVersion(f) < 0 || storageVersion(f) > MAX_STORAGE_VERSION) {
                return null;
            }
            WorkspaceDb db;
            try {
                db = new WorkspaceDb(f, waitForLock(f, true));
            } catch (SQLException e) {
                if (damaged(e)) return null;
                throw e;
            }
            db.readOnly = true;
            try {
                if (String.valueOf(Schema.VERSION).equals(db.meta("schema_version")) && ddlTag().equals(db.meta("schema_ddl"))) {
                    return db;
                }
            } catch (SQLException e) {
                // no meta table, or unreadable: the read-write open rebuilds it
            }
            db.close();
            return null;
        } catch (SQLException e) {
            throw new DbException(f + ": cannot open the database: " + DbException.firstLine(e), e);
        } catch (IOException e) {
            throw new DbException(f + ": cannot read the database: " + e.getMessage(), e);
        }
    }

    /** Whether this database was opened read-only ({@link #openReadOnly}) and not made writable since. */
    public boolean readOnly() {
        return readOnly;
    }

    /**
     * Reopens a read-only database read-write (waiting, like {@link #open}, until no other process reads
     * it) for a load it turned out to need, and runs its {@link #session} statements again. Nothing when
     * already writable.
     */
    public void makeWritable() {
        if (!readOnly) {
            return;
        }
        try {
            conn.close();
            conn = waitForLock(file, false);
            readOnly = false;
            try (Statement s = conn.createStatement()) {
                for (String sql : session) {
                    s.execute(sql);
                }
            }
        } catch (SQLException e) {
            throw new DbException(file + ": cannot open the database for writing: " + DbException.firstLine(e), e);
        }
    }

    /** Runs a statement that sets up this connection's session (a temporary view, a variable, a setting), kept for {@link #makeWritable}. */
    public void session(String sql) throws SQLException {
        try (Statement s = conn.createStatement()) {
            s.execute(sql);
        }
        session.add(sql);
    }

    /** The database file of a workspace directory. */
    public static Path file(Path workspaceDir) {
        return workspaceDir.resolve(FILE);
    }

    /** Opens (creating if needed) the database of a workspace; a file of another schema version is rebuilt. */
    public static WorkspaceDb open(Path workspaceDir) {
        Path f = file(workspaceDir);
        try {
            if (storageVersion(f) > MAX_STORAGE_VERSION) {
                // written by an earlier vmalock in DuckDB 2.0's default format, which 1.x clients refuse:
                // derived data, rebuilt like a file of another schema version
                Files.deleteIfExists(f);
                Files.deleteIfExists(f.resolveSibling(FILE + ".wal"));
            }
            WorkspaceDb db;
            try {
                db = openFile(f);
            } catch (SQLException e) {
                if (!damaged(e)) throw e;
                // derived data: a damaged file (truncated, zeroed, a 0-byte file left by a full disk) is rebuilt
                Files.deleteIfExists(f);
                Files.deleteIfExists(f.resolveSibling(FILE + ".wal"));
                db = openFile(f);
            }
            String v = db.meta("schema_version");
            if (v != null && !v.equals(String.valueOf(Schema.VERSION))) {
                db.close();
                Files.deleteIfExists(f);
                Files.deleteIfExists(f.resolveSibling(FILE + ".wal"));
                db = openFile(f);
            }
            db.initSchema();
            return db;
        } catch (SQLException e) {
            throw new DbException(f + ": cannot open the database: " + DbException.firstLine(e), e);
        } catch (IOException e) {
            throw new DbException(f + ": cannot rebuild the database: " + e.getMessage(), e);
        }
    }

    /** An in-memory database (tests). */
    public static WorkspaceDb inMemory() {
        try {
            WorkspaceDb db = new WorkspaceDb(null, DriverManager.getConnection("jdbc:duckdb:"));
            db.initSchema();
            return db;
        } catch (SQLException e) {
            throw new DbException("cannot open an in-memory database: " + DbException.firstLine(e), e);
        }
    }

    /**
     * Whether opening failed because the file is not a readable DuckDB database (damaged, truncated,
     * zeroed, or not a database at all) — not because it is locked, read-only or on a full disk.
     */
    static boolean damaged(SQLException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Could not set lock") || m.contains("Conflicting lock") || m.contains("Read-only") || m.contains("No space")) return false;
        return m.contains("not a valid DuckDB database") || m.contains("Corruption") || m.contains("checksum")
                || m.contains("database file") || m.contains("Serialization Error");
    }

    /** How long an open waits for another vmalock process's lock on the database file (ms). */
    static final long LOCK_WAIT_MS = Long.getLong("vmalock.db.lockWaitMs", 120_000L);

    /**
     * Opens the file; while another process holds DuckDB's lock on it (a concurrent stats, report or
     * query: DuckDB admits one writing process), waits for it instead of failing with "Conflicting lock".
     */
    private static WorkspaceDb openFile(Path f) throws SQLException {
        WorkspaceDb db = new WorkspaceDb(f, waitForLock(f, false));
        db.exec("CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)");
        return db;
    }

    /**
     * Connects, waiting while DuckDB's file lock keeps us out (another process writing; or, for a writer,
     * others reading), up to {@link #LOCK_WAIT_MS}.
     */
    private static Connection waitForLock(Path f, boolean readOnly) throws SQLException {
        long deadline = System.currentTimeMillis() + LOCK_WAIT_MS;
        while (true) {
            try {
                return connect(f, readOnly);
            } catch (SQLException e) {
                String m = String.valueOf(e.getMessage());
                boolean locked = m.contains("Could not set lock") || m.contains("Conflicting lock");
                if (!locked || System.currentTimeMillis() > deadline) throw e;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static Connection connect(Path f, boolean readOnly) throws SQLException {
        java.util.Properties p = fileProperties();
        if (readOnly) {
            p.setProperty("access_mode", "READ_ONLY");
        }
        return DriverManager.getConnection("jdbc:duckdb:" + f.toAbsolutePath(), p);
    }

    /**
     * The storage format a new database file is written in. DuckDB 2.0 writes storage version 69 by
     * default, which the current stable clients (DuckDB 1.4 and 1.5: pip, the CLI, duckdb_jdbc 1.x)
     * refuse; v1.4.0 is read by every client from 1.4 on. Only a file's creation picks its format.
     */
    public static final String STORAGE_COMPATIBILITY = "v1.4.0";

    /** The storage version {@link #STORAGE_COMPATIBILITY} writes in the file header (DuckDB 1.4's). */
    static final long MAX_STORAGE_VERSION = 67;

    /** The storage version in a DuckDB file's main header (after an 8-byte checksum and "DUCK"), or -1. */
    static long storageVersion(Path f) throws IOException {
        if (!Files.isRegularFile(f)) {
            return -1;
        }
        try (var in = Files.newInputStream(f)) {
            byte[] h = in.readNBytes(20);
            if (h.length < 20 || h[8] != 'D' || h[9] != 'U' || h[10] != 'C' || h[11] != 'K') {
                return -1;
            }
            return java.nio.ByteBuffer.wrap(h, 12, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }

    static java.util.Properties fileProperties() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("storage_compatibility_version", STORAGE_COMPATIBILITY);
        return p;
    }

    /** What {@code meta.schema_ddl} holds once {@link Schema#DDL} ran on a file. */
    private static String ddlTag() {
        return Integer.toHexString(Schema.DDL.hashCode()) + ":" + Schema.DDL.length();
    }

    private void initSchema() throws SQLException {
        // the DDL (tables, macros) takes ~0.1 s and a write transaction: skipped when this exact text already ran on the file
        String ddl = ddlTag();
        if (file != null && ddl.equals(meta("schema_ddl"))) {
            return;
        }
        try (Statement s = conn.createStatement()) {
            s.execute(Schema.DDL);
            if (meta("schema_version") == null) {
                s.execute("INSERT INTO meta VALUES ('schema_version', '" + Schema.VERSION + "'), "
                        + "('duckdb_version', (SELECT library_version FROM pragma_version())), "
                        + "('written_by', 'vmalock')");
            }
            if (file != null) {
                s.execute("DELETE FROM meta WHERE key = 'schema_ddl'");
                s.execute("INSERT INTO meta VALUES ('schema_ddl', " + quote(ddl) + ")");
            }
        }
    }

    /** The database file, or null in memory. */
    public Path file() {
        return file;
    }

    /** The catalog name DuckDB gives the file (its base name). */
    public String catalog() {
        return catalog;
    }

    public Connection connection() {
        return conn;
    }

    /** The DuckDB library version in use (e.g. {@code v2.0.0}). */
    public String duckdbVersion() {
        try {
            return scalar("SELECT library_version FROM pragma_version()");
        } catch (SQLException e) {
            throw new DbException("cannot read the DuckDB version: " + DbException.firstLine(e), e);
        }
    }

    /** A {@code meta} value, or null. */
    public String meta(String key) throws SQLException {
        try (PreparedStatement p = conn.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            p.setString(1, key);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    private String scalar(String sql) throws SQLException {
        try (Statement s = conn.createStatement(); ResultSet r = s.executeQuery(sql)) {
            return r.next() ? r.getString(1) : null;
        }
    }

    /** A value recorded about a run (e.g. what it was loaded from), or null. */
    public String runMeta(String run, String key) {
        try (PreparedStatement p = conn.prepareStatement("SELECT value FROM " + t("run_meta") + " WHERE run = ? AND key = ?")) {
            p.setString(1, run);
            p.setString(2, key);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new DbException("cannot read run_meta: " + DbException.firstLine(e), e);
        }
    }

    /** Records a value about a loaded run; {@link #load} of the same run id clears it. */
    public void setRunMeta(String run, String key, String value) {
        try {
            exec("DELETE FROM " + t("run_meta") + " WHERE run = " + quote(run) + " AND key = " + quote(key));
            exec("INSERT INTO " + t("run_meta") + " VALUES (" + quote(run) + ", " + quote(key) + ", " + quote(value) + ")");
        } catch (SQLException e) {
            throw new DbException("cannot write run_meta: " + DbException.firstLine(e), e);
        }
    }

    /** The run ids loaded, in load order. */
    public List<String> runs() {
        List<String> out = new ArrayList<>();
        try (Statement s = conn.createStatement(); ResultSet r = s.executeQuery("SELECT run FROM " + t("runs") + " ORDER BY ord")) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        } catch (SQLException e) {
            throw new DbException("cannot list runs: " + DbException.firstLine(e), e);
        }
        return out;
    }

    public boolean hasRun(String run) {
        return runs().contains(run);
    }

    /** Whether the run's rows of a lazily loaded table are loaded (see {@link LazyTable}, {@link #loadLazy}). */
    public boolean loaded(String run, LazyTable table) {
        try (PreparedStatement p = conn.prepareStatement("SELECT " + table.flag() + " FROM " + t("runs") + " WHERE run = ?")) {
            p.setString(1, run);
            try (ResultSet r = p.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new DbException("cannot read runs: " + DbException.firstLine(e), e);
        }
    }

    /**
     * Loads one run: its sources and the derived tables, streaming {@code events} once, plus (if
     * {@code withLazy}) every {@link LazyTable} — else those load on first use ({@link #loadLazy}): one
     * row per event, fault or syscall is most of a trace, and the summaries need only counts. Replaces an
     * earlier load of the same run id.
     *
     * @param pairing the lock-span / fault pairing, or null to leave lock_spans and faults empty
     * @return the number of events streamed
     */
    public long load(RunInfo run, List<SourceRow> sources, EventStream events, PairingSink.Factory pairing,
                     boolean withLazy) {
        return load(run, sources, events, pairing,
                withLazy ? EnumSet.allOf(LazyTable.class) : EnumSet.noneOf(LazyTable.class));
    }

    /** As {@link #load(RunInfo, List, EventStream, PairingSink.Factory, boolean)}, loading the chosen lazy tables with the run. */
    public long load(RunInfo run, List<SourceRow> sources, EventStream events, PairingSink.Factory pairing,
                     Set<LazyTable> lazy) {
        String r = run.run();
        List<Rows> open = new ArrayList<>();
        LoadTiming time = new LoadTiming("load " + r);
        RowWriter writer = new RowWriter();
        try {
            conn.setAutoCommit(false);
            deleteRun(r);
            RunTables tables = new RunTables(run, sources, name -> rows(writer, name, open), pairing, lazy);
            time.phase("delete + sources");
            Event e = new Event();
            while (events.next(e)) {
                tables.event(e);
            }
            long n = tables.finish();
            time.phase("stream + append (" + n + " events)");
            for (Rows rs : open) {
                rs.close();
            }
            open.clear();
            time.phase("appenders closed");
            if (lazy.contains(LazyTable.SYSCALLS)) {
                exec(String.format(Schema.SYSCALL_ARGS_MAP, t("syscalls"), quote(r)));
                time.phase("syscalls.args");
            }
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + t("runs") + " VALUES (?, (SELECT coalesce(max(ord), 0) + 1 FROM " + t("runs") + "), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, r);
                ps.setString(2, run.policy());
                ps.setString(3, run.parameters());
                if (run.seed() == null) {
                    ps.setNull(4, java.sql.Types.BIGINT);
                } else {
                    ps.setLong(4, run.seed());
                }
                ps.setString(5, run.timeUnit());
                ps.setLong(6, n);
                int i = 7;
                for (LazyTable lt : LazyTable.values()) {
                    ps.setBoolean(i++, lazy.contains(lt));
                }
                ps.setString(i, run.description());
                ps.executeUpdate();
            }
            conn.commit();
            time.phase("commit");
            return n;
        } catch (SQLException e) {
            rollback(open, writer);
            throw new DbException("loading run " + r + " into " + where() + " failed: " + DbException.firstLine(e), e);
        } catch (RuntimeException e) {
            rollback(open, writer);
            throw e;
        } finally {
            writer.close();
            autoCommit();
        }
    }

    /**
     * Sets counters of a loaded run (a replay's exact {@code vma_lock_success/abort/retry/miss}, …),
     * replacing counters of the same name.
     */
    /** A replay's figures (name → value in the unit its name says), replacing the run's previous ones. */
    public void putFigures(String run, java.util.Map<String, Double> figures) {
        try {
            conn.setAutoCommit(false);
            exec("DELETE FROM " + t("run_figures") + " WHERE run = " + quote(run));
            for (java.util.Map.Entry<String, Double> en : new java.util.TreeMap<>(figures).entrySet()) {
                exec("INSERT INTO " + t("run_figures") + " VALUES (" + quote(run) + ", " + quote(en.getKey()) + ", "
                        + (en.getValue() == null ? "NULL" : String.format(java.util.Locale.ROOT, "%.6f", en.getValue())) + ")");
            }
            conn.commit();
        } catch (SQLException e) {
            rollback(List.of(), null);
            throw new DbException("cannot write the figures of run " + run + ": " + DbException.firstLine(e), e);
        } finally {
            autoCommit();
        }
    }

    public void putCounters(String run, java.util.Map<String, Long> counters) {
        try {
            conn.setAutoCommit(false);
            for (String name : counters.keySet()) {
                exec("DELETE FROM " + t("counters") + " WHERE run = " + quote(run) + " AND counter = " + quote(name));
            }
            try (Rows rs = new Rows(this, "counters")) {
                for (java.util.Map.Entry<String, Long> en : new java.util.TreeMap<>(counters).entrySet()) {
                    rs.begin().str(run).str(en.getKey()).i64(en.getValue());
                    rs.end();
                }
            }
            conn.commit();
        } catch (SQLException e) {
            rollback(List.of(), null);
            throw new DbException("cannot write the counters of run " + run + ": " + DbException.firstLine(e), e);
        } finally {
            autoCommit();
        }
    }


    /**
     * Loads the rows of lazily loaded tables ({@link LazyTable}) of an already loaded run, in one pass
     * over its events (the pairing runs again when {@code faults} is among them); tables already
     * loaded are replaced.
     */
    public long loadLazy(String run, Set<LazyTable> tables, EventStream events) {
        List<Rows> open = new ArrayList<>();
        LoadTiming time = new LoadTiming("load " + tables + " of " + run);
        RowWriter writer = new RowWriter();
        try {
            conn.setAutoCommit(false);
            for (LazyTable lt : tables) {
                exec("DELETE FROM " + t(lt.table()) + " WHERE run = " + quote(run));
            }
            List<RunHandler> hs = new ArrayList<>();
            if (tables.contains(LazyTable.EVENTS)) {
                hs.add(new EventsTable(rows(writer, "events", open), run));
            }
            if (tables.contains(LazyTable.SYSCALLS)) {
                hs.add(new SyscallPairs(rows(writer, "syscalls", open), run));
            }
            if (tables.contains(LazyTable.CONTENTION)) {
                hs.add(new ContentionPairs(rows(writer, "contention", open), run));
            }
            PairingSink p = !tables.contains(LazyTable.FAULTS) ? null
                    : ObservedPairing.FACTORY.create(new LockSpanRows(null, run), new FaultRows(rows(writer, "faults", open), run));
            RunHandler[] handlers = hs.toArray(new RunHandler[0]);
            long n = stream(events, handlers, p);
            for (RunHandler h : handlers) {
                h.finish();
            }
            if (p != null) {
                p.finish();
            }
            for (Rows rs : open) {
                rs.close();
            }
            open.clear();
            time.phase("stream + append (" + n + " events)");
            if (tables.contains(LazyTable.SYSCALLS)) {
                exec(String.format(Schema.SYSCALL_ARGS_MAP, t("syscalls"), quote(run)));
                time.phase("syscalls.args");
            }
            for (LazyTable lt : tables) {
                exec("UPDATE " + t("runs") + " SET " + lt.flag() + " = true WHERE run = " + quote(run));
            }
            conn.commit();
            time.phase("commit");
            return n;
        } catch (SQLException e) {
            rollback(open, writer);
            throw new DbException("loading " + tables + " of run " + run + " failed: " + DbException.firstLine(e), e);
        } catch (RuntimeException e) {
            rollback(open, writer);
            throw e;
        } finally {
            writer.close();
            autoCommit();
        }
    }

    // the hot loop, kept in its own method (JIT)
    private static long stream(EventStream events, RunHandler[] hs, PairingSink p) throws SQLException {
        Event e = new Event();
        long seq = 0;
        while (events.next(e)) {
            for (RunHandler h : hs) {
                h.event(seq, e);
            }
            if (p != null) {
                p.event(seq, e);
            }
            seq++;
        }
        return seq;
    }

    private Rows rows(RowWriter writer, String table, List<Rows> open) {
        Rows r = new Rows(this, table, writer);
        open.add(r);
        return r;
    }

    /** Deletes every row of a run from every table (inside the caller's transaction). */
    private void deleteRun(String run) throws SQLException {
        for (String table : Schema.RUN_TABLES) {
            exec("DELETE FROM " + t(table) + " WHERE run = " + quote(run));
        }
        exec("DELETE FROM " + t("run_meta") + " WHERE run = " + quote(run));
    }

    private void exec(String sql) throws SQLException {
        try (Statement s = conn.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * A table of this database, fully qualified: a {@link QueryRunner} shadows the plain names with
     * temporary run-filtered views, which loading must not write through.
     */
    String t(String table) {
        return "\"" + catalog.replace("\"", "\"\"") + "\".main." + table;
    }

    static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private void rollback(Collection<Rows> open, RowWriter writer) {
        if (writer != null) {
            writer.close();
        }
        for (Rows r : open) {
            r.abandon();
        }
        try {
            conn.rollback();
        } catch (SQLException ignored) {
            // nothing more to undo
        }
    }

    private void autoCommit() {
        try {
            conn.setAutoCommit(true);
        } catch (SQLException ignored) {
            // the connection is unusable anyway; close() reports it
        }
    }

    private String where() {
        return file == null ? "the in-memory database" : file.toString();
    }

    @Override
    public void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            throw new DbException(where() + ": cannot close: " + DbException.firstLine(e), e);
        }
    }
}
