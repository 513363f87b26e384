package vmalock.cli.report;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import vmalock.db.Query;
import vmalock.db.ResultTable;

/**
 * CSV (RFC 4180, Commons CSV): a header row per section; with several sections, each is preceded by a
 * {@code # report — section} comment line and separated by a blank line.
 */
final class CsvResultWriter implements ResultFormat.ResultWriter {
    private final PrintWriter out;
    private int sections;
    private final StringBuilder buf = new StringBuilder();
    private int total;

    CsvResultWriter(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void report(Query q, List<ResultTable> results) {
        for (ResultTable t : results) {
            StringBuilder b = new StringBuilder();
            try (CSVPrinter p = new CSVPrinter(b, CSVFormat.RFC4180.builder().setCommentMarker('#').get())) {
                p.printComment(Cells.title(q, t));
                p.printRecord(t.columns());
                for (Object[] row : t.rows()) {
                    Object[] cells = new Object[row.length];
                    for (int c = 0; c < row.length; c++) {
                        cells[c] = Cells.text(row[c]);
                    }
                    p.printRecord(cells);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (sections++ > 0) {
                buf.append("\r\n");
            }
            buf.append(b);
            total++;
        }
    }

    @Override
    public void finish() {
        String s = buf.toString();
        if (total == 1) {
            // a single table: plain CSV without the comment line, ready for any CSV reader
            s = s.substring(s.indexOf('\n') + 1);
        }
        out.print(s);
        out.flush();
    }
}
