package vmalock.parse;

import java.nio.charset.StandardCharsets;

/**
 * Tells the format of a trace from its first bytes (after decompression): the first line settles
 * CSV ({@link CsvEventWriter#HEADER_LINE}), trace-cmd ({@code cpus=N}) and ftrace ({@code #} header);
 * otherwise the shape of the first event lines does ({@code COMM-PID [CPU]} → ftrace, {@code COMM TID
 * [CPU]} → perf). Binary data and text that matches no format are rejected with a clear reason.
 */
public final class FormatDetector {
    /** Lines looked at before giving up. */
    static final int MAX_LINES = 1000;

    private FormatDetector() {
    }

    /** Thrown when the bytes say "not a trace we know"; the message completes "cannot tell the format: …" or names the problem. */
    public static final class Undetectable extends Exception {
        private static final long serialVersionUID = 1L;

        Undetectable(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The format of a source that begins with {@code head[0, len)}.
     *
     * @param eof whether {@code head} is the whole input
     * @return the format, or {@code null} if more bytes are needed to decide (only when {@code !eof})
     * @throws Undetectable for empty input, binary data, or text that matches no format
     */
    public static TraceFormat detect(byte[] head, int len, boolean eof) throws Undetectable {
        if (len == 0) {
            if (eof) throw new Undetectable("empty file");
            return null;
        }
        checkText(head, len);
        int pos = 0;
        int lines = 0;
        boolean sawHeaderOnly = false;
        while (pos < len && lines < MAX_LINES) {
            int nl = TextParser.indexOfNewline(head, pos, len);
            if (nl < 0 && !eof) return null;
            int e = nl < 0 ? len : nl;
            int s = pos;
            pos = nl < 0 ? len : nl + 1;
            if (e > s && head[e - 1] == '\r') e--;
            lines++;
            if (TextParser.isBlank(head, s, e)) continue;
            if (startsWith(head, s, e, CsvEventWriter.HEADER_LINE) || startsWith(head, s, e, CsvEventWriter.COMMENT_PREFIX)) {
                return TraceFormat.CSV;
            }
            if (startsWith(head, s, e, "cpus=") || startsWith(head, s, e, "version = ")) return TraceFormat.TRACE_CMD;
            if (head[s] == '#') {
                if (startsWith(head, s, e, "# tracer:")) return TraceFormat.FTRACE;
                sawHeaderOnly = true;
                continue;
            }
            TraceFormat f = lineShape(head, s, e);
            if (f != null) return f;
        }
        if (!eof && lines < MAX_LINES) return null;
        if (sawHeaderOnly) return TraceFormat.FTRACE;
        throw new Undetectable("cannot tell the format: no ftrace, trace-cmd, perf script or csv line in the first "
                + lines + " lines (give --format " + TraceFormat.cliNames().replace(", ", "|") + ")");
    }

    /**
     * Rejects binary data: more than 3% NUL or other control bytes in the first 8 KiB (random bytes have
     * about 12%; a text trace with a damaged line or two stays far below, and is parsed, the damaged
     * lines being reported as problems).
     */
    private static void checkText(byte[] head, int len) throws Undetectable {
        int n = Math.min(len, 8192);
        int control = 0;
        int firstNul = -1;
        for (int i = 0; i < n; i++) {
            int c = head[i] & 0xff;
            if (c == 0 && firstNul < 0) firstNul = i;
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b) control++;
        }
        if (control * 100 > n * 3 || (n < 64 && control > 0)) {
            throw new Undetectable("binary data, not a text trace (" + control + " control bytes in the first " + n
                    + (firstNul >= 0 ? ", first NUL at offset " + firstNul : "") + ")");
        }
    }

    /**
     * The format one event line has the shape of, or null: {@code CPU:N [LOST …]} / ftrace-style
     * {@code COMM-PID [(TGID)] [CPU]} → FTRACE, {@code CPU:N [… EVENTS DROPPED]} → TRACE_CMD,
     * {@code COMM TID [CPU]} or a {@code PERF_RECORD_} line → PERF_SCRIPT, the CSV header → CSV.
     */
    static TraceFormat lineShape(byte[] b, int s, int e) {
        if (startsWith(b, s, e, "CPU:")) {
            if (indexOf(b, s, e, "EVENTS DROPPED]") >= 0) return TraceFormat.TRACE_CMD;
            if (indexOf(b, s, e, "[LOST ") >= 0) return TraceFormat.FTRACE;
            return null;
        }
        if (startsWith(b, s, e, CsvEventWriter.HEADER_LINE)) return TraceFormat.CSV;
        if (indexOf(b, s, e, "PERF_RECORD_") >= 0) return TraceFormat.PERF_SCRIPT;
        int br = -1;
        for (int i = s + 1; i < e; i++) {
            if (b[i] == '[' && b[i - 1] == ' ' && i + 2 < e) {
                int k = i + 1;
                while (k < e && b[k] >= '0' && b[k] <= '9') k++;
                if (k > i + 1 && k < e && b[k] == ']') {
                    br = i;
                    break;
                }
            }
        }
        if (br < 0) return null;
        int j = br - 1;
        while (j > s && b[j] == ' ') j--;
        int tokEnd = j + 1;
        while (j >= s && b[j] != ' ') j--;
        int tokStart = j + 1;
        if (tokStart >= tokEnd) return null;
        if (b[tokEnd - 1] == ')') return TraceFormat.FTRACE;
        boolean digitsOnly = true;
        for (int i = tokStart; i < tokEnd; i++) {
            byte c = b[i];
            if ((c < '0' || c > '9') && c != '/') digitsOnly = false;
        }
        if (digitsOnly && tokStart > s) return TraceFormat.PERF_SCRIPT;
        int k = tokEnd - 1;
        while (k > tokStart && b[k] >= '0' && b[k] <= '9') k--;
        if (k < tokEnd - 1 && b[k] == '-') return TraceFormat.FTRACE;
        return null;
    }

    private static boolean startsWith(byte[] b, int s, int e, String lit) {
        int n = lit.length();
        if (e - s < n) return false;
        for (int i = 0; i < n; i++) {
            if (b[s + i] != (byte) lit.charAt(i)) return false;
        }
        return true;
    }

    private static int indexOf(byte[] b, int s, int e, String lit) {
        byte[] l = lit.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = s; i + l.length <= e; i++) {
            for (int k = 0; k < l.length; k++) {
                if (b[i + k] != l[k]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
