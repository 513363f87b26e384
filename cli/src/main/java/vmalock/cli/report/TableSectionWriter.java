package vmalock.cli.report;

import java.io.PrintWriter;
import java.util.List;
import vmalock.db.Query;
import vmalock.db.ResultTable;

/** A writer that prints each result section as a table, sections separated by a blank line. */
abstract class TableSectionWriter implements ResultFormat.ResultWriter {
    protected final PrintWriter out;
    private boolean first = true;

    TableSectionWriter(PrintWriter out) {
        this.out = out;
    }

    @Override
    public final void report(Query q, List<ResultTable> sections) {
        for (ResultTable t : sections) {
            if (!first) {
                out.println();
            }
            first = false;
            section(q, t);
        }
    }

    /** Prints one section (its title, header and rows). */
    protected abstract void section(Query q, ResultTable t);

    /** Columns to right-align: those holding a number in any row. */
    protected static boolean[] numericColumns(ResultTable t) {
        boolean[] right = new boolean[t.columns().size()];
        for (Object[] row : t.rows()) {
            for (int c = 0; c < right.length; c++) {
                right[c] |= Cells.numeric(row[c]);
            }
        }
        return right;
    }

    @Override
    public void finish() {
        out.flush();
    }
}
