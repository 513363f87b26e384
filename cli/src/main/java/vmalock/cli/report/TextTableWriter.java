package vmalock.cli.report;

import java.io.PrintWriter;
import java.util.List;
import vmalock.db.Query;
import vmalock.db.ResultTable;

/** Aligned plain-text tables: numbers right-aligned, text left-aligned, units in the headers. */
final class TextTableWriter extends TableSectionWriter {
    TextTableWriter(PrintWriter out) {
        super(out);
    }

    @Override
    protected void section(Query q, ResultTable t) {
        out.println("== " + Cells.title(q, t));
        int n = t.columns().size();
        String[] head = new String[n];
        int[] w = new int[n];
        boolean[] right = numericColumns(t);
        for (int c = 0; c < n; c++) {
            head[c] = Cells.header(t.columns().get(c));
            w[c] = head[c].length();
        }
        String[][] cells = new String[t.rows().size()][n];
        for (int r = 0; r < cells.length; r++) {
            Object[] row = t.rows().get(r);
            for (int c = 0; c < n; c++) {
                cells[r][c] = Cells.text(row[c]);
                w[c] = Math.max(w[c], cells[r][c].length());
            }
        }
        line(head, w, right);
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < n; c++) {
            rule.append(c == 0 ? "" : "  ").append("-".repeat(w[c]));
        }
        out.println(rule);
        for (String[] row : cells) {
            line(row, w, right);
        }
        if (cells.length == 0) {
            out.println("(no rows)");
        }
    }

    private void line(String[] v, int[] w, boolean[] right) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < v.length; c++) {
            if (c > 0) {
                b.append("  ");
            }
            String pad = " ".repeat(w[c] - v[c].length());
            b.append(right[c] ? pad + v[c] : (c == v.length - 1 ? v[c] : v[c] + pad));
        }
        out.println(b.toString().stripTrailing());
    }
}
