package vmalock.cli.report;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import vmalock.db.Query;
import vmalock.db.ResultTable;

/** How {@code report} and {@code query} print results: {@code --format table|csv|json|markdown}. */
public enum ResultFormat {
    TABLE, CSV, JSON, MARKDOWN;

    /** A writer of this format onto {@code out}, for results that are not about a workspace's runs (fleet output). */
    public ResultWriter writer(PrintWriter out) {
        switch (this) {
            case CSV: return new CsvResultWriter(out);
            case JSON: return new JsonResultWriter(out, null);
            case MARKDOWN: return new MarkdownResultWriter(out);
            default: return new TextTableWriter(out);
        }
    }

    /**
     * A writer of this format onto {@code out} whose output first says which runs the results cover
     * (text: a {@code runs:} line; markdown: an italic line; JSON: a {@code runs} array; CSV: nothing, see the caller).
     */
    public ResultWriter writer(PrintWriter out, List<String> runs) {
        String line = "runs: " + String.join(", ", runs);
        switch (this) {
            case CSV:
                // a single table stays plain CSV for any reader: the caller says the runs on stderr
                return new CsvResultWriter(out);
            case JSON: return new JsonResultWriter(out, runs);
            case MARKDOWN:
                out.println("_" + line + "_");
                out.println();
                return new MarkdownResultWriter(out);
            default:
                out.println(line);
                out.println();
                return new TextTableWriter(out);
        }
    }

    public static ResultFormat parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown format '" + s + "' (expected table, csv, json or markdown)");
        }
    }

    /** Writes the reports' results; {@link #finish} once at the end. */
    public interface ResultWriter {
        void report(Query q, List<ResultTable> sections);

        void finish();
    }
}
