package vmalock.cli.report;

import java.io.PrintWriter;
import java.util.List;
import vmalock.db.Query;
import vmalock.db.ResultTable;

/** GitHub-flavoured Markdown tables, one per section, under a heading. */
final class MarkdownResultWriter implements ResultFormat.ResultWriter {
    private final PrintWriter out;
    private boolean first = true;

    MarkdownResultWriter(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void report(Query q, List<ResultTable> sections) {
        for (ResultTable t : sections) {
            if (!first) {
                out.println();
            }
            first = false;
            out.println("### " + Cells.title(q, t));
            out.println();
            int n = t.columns().size();
            StringBuilder h = new StringBuilder("|");
            StringBuilder a = new StringBuilder("|");
            boolean[] right = new boolean[n];
            for (Object[] row : t.rows()) {
                for (int c = 0; c < n; c++) {
                    right[c] |= Cells.numeric(row[c]);
                }
            }
            for (int c = 0; c < n; c++) {
                h.append(' ').append(esc(Cells.header(t.columns().get(c)))).append(" |");
                a.append(right[c] ? "---:|" : "---|");
            }
            out.println(h);
            out.println(a);
            for (Object[] row : t.rows()) {
                StringBuilder b = new StringBuilder("|");
                for (int c = 0; c < n; c++) {
                    b.append(' ').append(esc(Cells.text(row[c]))).append(" |");
                }
                out.println(b);
            }
        }
    }

    private static String esc(String s) {
        return s.replace("|", "\\|");
    }

    @Override
    public void finish() {
        out.flush();
    }
}
