package vmalock.cli.report;

import java.io.PrintWriter;
import java.util.List;
import vmalock.db.Query;
import vmalock.db.ResultTable;

/** GitHub-flavoured Markdown tables, one per section, under a heading. */
final class MarkdownResultWriter extends TableSectionWriter {
    MarkdownResultWriter(PrintWriter out) {
        super(out);
    }

    @Override
    protected void section(Query q, ResultTable t) {
        out.println("### " + Cells.title(q, t));
        out.println();
        int n = t.columns().size();
        StringBuilder h = new StringBuilder("|");
        StringBuilder a = new StringBuilder("|");
        boolean[] right = numericColumns(t);
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

    private static String esc(String s) {
        return s.replace("|", "\\|");
    }
}
