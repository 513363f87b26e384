package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 4: docs/figures.md lists every figure with one name and one unit; each of its entries
 * exists in the actual outputs (stats text and --json, compare --format json, the reports' and tables'
 * SQL columns, the HTML page), and every top-level key of stats --json and of a compare run is listed.
 */
class FiguresDocTest {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    @TempDir
    Path tmp;

    @Test
    void theDocumentedFiguresAreTheOutputsFigures() throws IOException {
        List<String[]> rows = new ArrayList<>();
        boolean in = false;
        for (String line : Files.readAllLines(Cli.root().resolve("docs/figures.md"))) {
            if (line.startsWith("## ")) in = line.equals("## Figures");
            if (in && line.startsWith("| ") && !line.startsWith("| figure ")) rows.add(line.split(" \\| "));
        }
        assertTrue(rows.size() > 20, "rows of docs/figures.md");

        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-overlap-default.txt"), "-w", ws).code);
        Cli statsText = Cli.run("stats", "-w", ws);
        JsonNode stats = JSON.readTree(Cli.run("stats", "-w", ws, "--json").out);
        Cli cmp = Cli.run("compare", "-w", ws, "--policies", "vma-refcount", "--format", "json");
        assertEquals(0, cmp.code, cmp.toString());
        JsonNode run = JSON.readTree(cmp.out).get("runs").get(0);
        Path html = tmp.resolve("r.html");
        assertEquals(0, Cli.run("report", "-w", ws, "--html", html).code);
        String page = Files.readString(html).replace("<wbr>", "");
        Cli lib = Cli.run("report", "--list");
        Map<String, Set<String>> columns = new HashMap<>();

        Set<String> jsonKeys = new HashSet<>();
        List<String> missing = new ArrayList<>();
        for (String[] r : rows) {
            String figure = r[0].substring(2);
            for (String t : codes(r[2])) {
                if (t.startsWith("stats:") && !statsText.out.contains(t.substring(6))) missing.add(figure + ": text " + t);
            }
            for (String t : codes(r[3])) {
                String where = t.substring(0, t.indexOf(':'));
                String path = t.substring(t.indexOf(':') + 1);
                JsonNode root = where.equals("stats") ? stats : run;
                JsonNode n = root;
                for (String k : path.split("\\.")) n = n == null ? null : n.get(k);
                if (n == null) missing.add(figure + ": JSON " + t);
                jsonKeys.add(where + ":" + path.split("\\.")[0]);
            }
            for (String t : codes(r[4])) {
                String table = t.substring(0, t.indexOf('.'));
                String col = t.substring(t.indexOf('.') + 1);
                Set<String> cols = columns.computeIfAbsent(table, x -> columnsOf(ws, x, lib.out));
                if (!cols.contains(col)) missing.add(figure + ": SQL " + t + " (has " + cols + ")");
            }
            for (String t : codes(r[5])) {
                if (!page.contains(t)) missing.add(figure + ": HTML " + t);
            }
        }
        stats.fieldNames().forEachRemaining(k -> {
            if (!jsonKeys.contains("stats:" + k)) missing.add("stats --json key " + k + " is not in docs/figures.md");
        });
        run.fieldNames().forEachRemaining(k -> {
            if (!jsonKeys.contains("compare:" + k)) missing.add("compare run key " + k + " is not in docs/figures.md");
        });
        assertEquals(List.of(), missing);
    }

    private static List<String> codes(String cell) {
        List<String> l = new ArrayList<>();
        Matcher m = CODE.matcher(cell);
        while (m.find()) l.add(m.group(1));
        return l;
    }

    /** The columns of a bundled report (all its sections) or of a DuckDB table. */
    private static Set<String> columnsOf(Path ws, String name, String reportList) {
        Set<String> cols = new HashSet<>();
        boolean report = reportList.lines().anyMatch(l -> l.startsWith(name + " "));
        Cli c = report ? Cli.run("report", "-w", ws, "--run", "all", "--format", "json", name)
                : Cli.run("query", "-w", ws, "--run", "all", "--format", "json", "SELECT * FROM " + name + " LIMIT 1");
        assertEquals(0, c.code, c.toString());
        try {
            for (JsonNode col : JSON.readTree(c.out).findValues("columns")) col.forEach(x -> cols.add(x.asText()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return cols;
    }
}
