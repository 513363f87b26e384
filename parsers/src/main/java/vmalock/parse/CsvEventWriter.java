package vmalock.parse;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;

import vmalock.event.Event;
import vmalock.event.EventSink;

/**
 * Writes canonical events as CSV (Apache Commons CSV): an optional {@code # vmalock-events clock=…}
 * comment line, a header row ({@link #COLUMNS}), then one row per event — every field of
 * {@link Event}, so {@link CsvEventParser} reads back an identical event stream. Addresses are
 * {@code 0x…} hex, timestamps exact integers (ns or ticks), {@code \N} stands for null (an absent
 * comm or memcg_path; the empty string stays empty), syscall/probe arguments are {@code name=0xvalue}
 * separated by spaces.
 *
 * <p>Also an {@link EventSink} (non-event lines and problems are not written), so a parser can feed it.
 */
public final class CsvEventWriter implements EventSink, Flushable, Closeable {
    /** Column names, in order. */
    public static final List<String> COLUMNS = List.of("source", "line", "kind", "name", "ts", "cpu", "tid", "tgid",
            "comm", "mm", "write", "success", "memcg_id", "memcg_path", "address", "ip", "error_code", "lock_addr",
            "flags", "syscall", "args", "ret", "other_pid", "text", "count");
    /** The header row as it appears in the file (also what the format detector looks for). */
    public static final String HEADER_LINE = String.join(",", COLUMNS);
    /** First line of files written with a clock. */
    public static final String COMMENT_PREFIX = "# vmalock-events";
    static final String NULL = "\\N";

    static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder()
            .setRecordSeparator('\n')
            .setNullString(NULL)
            .setQuoteMode(QuoteMode.MINIMAL)
            .get();

    private final CSVPrinter out;
    private final Object[] row = new Object[COLUMNS.size()];

    /**
     * @param clock the source clock ({@code local}, {@code counter}, …) written in a leading comment line so
     *              that re-ingesting keeps it; null writes no comment line
     */
    public CsvEventWriter(Appendable out, String clock) throws IOException {
        this.out = new CSVPrinter(out, FORMAT);
        if (clock != null) {
            out.append(COMMENT_PREFIX).append(" clock=").append(clock).append('\n');
        }
        this.out.printRecord(COLUMNS);
    }

    /** Writes one event row. */
    public void write(Event e) throws IOException {
        Object[] r = row;
        int i = 0;
        r[i++] = e.source;
        r[i++] = e.line;
        r[i++] = e.kind.name();
        r[i++] = e.name;
        r[i++] = e.ts;
        r[i++] = e.cpu;
        r[i++] = e.tid;
        r[i++] = e.tgid;
        r[i++] = e.comm;
        r[i++] = hex(e.mm);
        r[i++] = e.write;
        r[i++] = e.success;
        r[i++] = e.memcgId;
        r[i++] = e.memcgPath;
        r[i++] = hex(e.address);
        r[i++] = hex(e.ip);
        r[i++] = hex(e.errorCode);
        r[i++] = hex(e.lockAddr);
        r[i++] = e.flags;
        r[i++] = e.syscall.name();
        r[i++] = args(e);
        r[i++] = e.ret;
        r[i++] = e.otherPid;
        r[i++] = e.text;
        r[i++] = e.count;
        out.printRecord(r);
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static String args(Event e) {
        if (e.nargs == 0) return "";
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < e.nargs; k++) {
            if (k > 0) sb.append(' ');
            sb.append(e.argNames[k]).append('=').append(hex(e.args[k]));
        }
        return sb.toString();
    }

    @Override
    public void event(Event e) {
        try {
            write(e);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    @Override
    public void nonEventLine(NonEventKind kind, long line) {
    }

    @Override
    public void problem(long line, String reason) {
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

}
