package vmalock.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named reports: those bundled from the project's {@code queries/} folder (packed into the jar
 * under {@code vmalock/queries/}) plus any {@code .sql} files of user folders, which may override a
 * bundled name.
 */
public final class QueryLibrary {
    /** Every bundled report, in the order {@code vmalock report --list} shows them. */
    public static final List<String> BUNDLED = List.of(
            "summary", "fallback_rates", "writer_waits", "reader_waits", "hold_times", "per_mm", "top_tasks",
            "vma_lock_counters", "data_quality", "policy_compare", "stats", "wait_cdf", "policy_figures");

    /** What {@code vmalock report} runs when no name is given. */
    public static final List<String> DEFAULT_SET = List.of(
            "summary", "fallback_rates", "writer_waits", "reader_waits", "hold_times", "data_quality");

    private final Map<String, Query> queries = new LinkedHashMap<>();

    private QueryLibrary() {
    }

    /** The bundled reports only. */
    public static QueryLibrary bundled() {
        QueryLibrary lib = new QueryLibrary();
        for (String name : BUNDLED) {
            String res = "vmalock/queries/" + name + ".sql";
            try (InputStream in = QueryLibrary.class.getClassLoader().getResourceAsStream(res)) {
                if (in == null) {
                    throw new DbException("bundled report " + name + " is missing from the jar (" + res + ")");
                }
                lib.queries.put(name, Query.of(name, new String(in.readAllBytes(), StandardCharsets.UTF_8), res));
            } catch (IOException e) {
                throw new DbException("cannot read bundled report " + name + ": " + e.getMessage(), e);
            }
        }
        return lib;
    }

    /** Adds every {@code *.sql} file of a folder (name = file name without {@code .sql}). */
    public QueryLibrary addFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DbException(dir + ": not a folder of .sql reports");
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.sql")) {
            ds.forEach(files::add);
        } catch (IOException e) {
            throw new DbException(dir + ": cannot list: " + e.getMessage(), e);
        }
        files.sort(null);
        for (Path f : files) {
            add(f);
        }
        return this;
    }

    /** Adds one {@code .sql} file. */
    public Query add(Path file) {
        String fn = file.getFileName().toString();
        String name = fn.endsWith(".sql") ? fn.substring(0, fn.length() - 4) : fn;
        try {
            Query q = Query.of(name, Files.readString(file, StandardCharsets.UTF_8), file.toString());
            queries.put(name, q);
            return q;
        } catch (IOException e) {
            throw new DbException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    public Query get(String name) {
        Query q = queries.get(name);
        if (q == null) {
            throw new DbException("no report named " + name + " (known: " + String.join(", ", queries.keySet()) + ")");
        }
        return q;
    }

    public List<Query> all() {
        return new ArrayList<>(queries.values());
    }
}
