package vmalock.parse;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import io.airlift.compress.zstd.ZstdInputStream;
import org.tukaani.xz.XZInputStream;

import vmalock.event.EventSink;

/**
 * Entry point of the parsers: turns a trace file or stream of any supported format into canonical
 * events delivered to an {@link EventSink}, and returns the {@link SourceResult}.
 *
 * <p>Compression ({@code .gz}, {@code .xz}, {@code .zst}) is detected from magic bytes, the format from the
 * first lines ({@link FormatDetector}) unless given. Every physical line ends up as one event, one
 * lost marker (an event of kind LOST), one non-event line, or one problem. Default mode reports bad
 * lines and goes on; {@code strict} stops at the first with a {@link TraceInputException}.
 */
public final class TraceParsers {
    /** Bytes read ahead to tell the format. */
    static final int DETECT_BYTES = 64 * 1024;

    private TraceParsers() {
    }

    /**
     * Parses a file.
     *
     * @param format      the format, or null to detect it
     * @param sourceIndex stored in every event's {@code source}
     * @throws TraceInputException missing/unreadable/empty/binary file, unknown format, corrupt compression,
     *                             or (strict) the first bad line — a one-line message naming the file. In
     *                             strict mode the bad line is reported to the sink first.
     * <p>A RuntimeException thrown by the sink is never taken for a bad line: it ends the parse and is
     * rethrown unchanged.
     */
    public static SourceResult parse(Path file, TraceFormat format, int sourceIndex, EventSink sink, boolean strict)
            throws TraceInputException {
        return parse(file, format, sourceIndex, sink, strict, null);
    }

    /**
     * Parses a file, handing every chunk of its bytes as stored (compressed, for a .gz) to {@code tap}
     * as it is read — how the ingest checksums a file in the same read that parses it.
     *
     * @param tap receives read-only views of consecutive chunks of the file, or null
     */
    public static SourceResult parse(Path file, TraceFormat format, int sourceIndex, EventSink sink, boolean strict,
            Consumer<ByteBuffer> tap) throws TraceInputException {
        return parse(file, file.toString(), format, sourceIndex, sink, strict, tap);
    }

    /** {@link #parse(Path, TraceFormat, int, EventSink, boolean, Consumer)} with {@code name} in messages instead of the path. */
    public static SourceResult parse(Path file, String name, TraceFormat format, int sourceIndex, EventSink sink,
            boolean strict, Consumer<ByteBuffer> tap) throws TraceInputException {
        return parse(file, name, format, sourceIndex, sink, strict, tap, Parallelism.ONE);
    }

    /**
     * {@link #parse(Path, String, TraceFormat, int, EventSink, boolean, Consumer)} on {@code par.threads()}
     * threads: the sink hears exactly the calls one thread makes, in the same order, and the result is the same.
     */
    public static SourceResult parse(Path file, String name, TraceFormat format, int sourceIndex, EventSink sink,
            boolean strict, Consumer<ByteBuffer> tap, Parallelism par) throws TraceInputException {
        if (Files.isDirectory(file)) throw new TraceInputException(name + ": is a directory, not a trace file");
        InputStream raw;
        try {
            raw = new FileInput(FileChannel.open(file, StandardOpenOption.READ), tap);
        } catch (NoSuchFileException x) {
            throw new TraceInputException(name + ": no such file");
        } catch (AccessDeniedException x) {
            throw new TraceInputException(name + ": cannot read (permission denied)");
        } catch (IOException x) {
            throw new TraceInputException(name + ": cannot read (" + x.getMessage() + ")");
        }
        try (InputStream in = raw) {
            SourceResult r = parse(in, name, format, sourceIndex, sink, strict, true, par);
            if (r.events() == 0 && r.lostMarkers() == 0 && r.problems() == 0) {
                throw new TraceInputException(name + ": no events (" + r.linesTotal() + " lines, all "
                        + (r.nonEventLines() == r.nonEventLines(EventSink.NonEventKind.BLANK) ? "blank" : "headers or blank") + ")");
            }
            return r;
        } catch (IOException x) {
            throw new TraceInputException(name + ": cannot read (" + x.getMessage() + ")");
        }
    }

    /**
     * Parses a stream line by line as bytes arrive (no need for EOF: a {@code trace_pipe} works). With a
     * null format the first lines are read ahead to detect it (up to {@value #DETECT_BYTES} bytes, or
     * until one event line settles it) — pass the format for live streams.
     *
     * @param name used in messages
     */
    public static SourceResult parse(InputStream in, String name, TraceFormat format, int sourceIndex, EventSink sink,
            boolean strict) throws TraceInputException {
        return parse(in, name, format, sourceIndex, sink, strict, false, Parallelism.ONE);
    }

    private static SourceResult parse(InputStream in, String name, TraceFormat format, int sourceIndex, EventSink sink,
            boolean strict, boolean readAhead, Parallelism par) throws TraceInputException {
        SourceResult result = new SourceResult(name);
        TextParser parser = null;
        long lineBefore = 0;
        try {
            InputStream s = decompress(in, result);
            if (format == null || readAhead || !"none".equals(result.compression)) {
                // read ahead: detection, and a clear error for empty/binary input even with --format
                byte[] head = new byte[DETECT_BYTES];
                int len = 0;
                TraceFormat detected = null;
                boolean eof = false;
                while (len < head.length) {
                    int n = s.read(head, len, head.length - len);
                    if (n < 0) {
                        eof = true;
                        break;
                    }
                    len += n;
                    refuseBinaryTrace(head, len, name, result.compression);
                    if (format == null) {
                        detected = FormatDetector.detect(head, len, false);
                        if (detected != null) break;
                    }
                }
                refuseBinaryTrace(head, len, name, result.compression);
                if (format == null) {
                    detected = FormatDetector.detect(head, len, eof || len == head.length);
                    format = detected;
                } else {
                    FormatDetector.detect(head, len, true); // only for empty / binary
                }
                s = new SequenceInputStream(new ByteArrayInputStream(head, 0, len), s);
            }
            if (par.threads() > 1) { // (an error message names no line: the chunks are read ahead of the ones merged)
                lastChunks = ChunkedParse.run(s, format, name, sink, result, strict, sourceIndex, par.threads(), par.chunkBytes());
            } else {
                parser = create(format, sink, result, strict, sourceIndex);
                parser.run(s);
            }
            return result;
        } catch (TextParser.SinkFailure x) {
            throw (RuntimeException) x.getCause(); // the sink's own exception, unchanged
        } catch (FormatDetector.Undetectable x) {
            throw new TraceInputException(name + ": " + x.getMessage());
        } catch (TextParser.StrictStop x) {
            throw new TraceInputException(name + ":" + x.line + ": " + x.getMessage() + " (--strict)");
        } catch (EOFException x) {
            throw new TraceInputException(name + ": truncated " + result.compression + " data" + atLine(parser));
        } catch (ZipException x) {
            throw new TraceInputException(name + ": corrupt gzip data" + atLine(parser) + " (" + x.getMessage() + ")");
        } catch (IOException | UncheckedIOException x) {
            String what = "none".equals(result.compression) ? "read error" : "corrupt " + result.compression + " data";
            throw new TraceInputException(name + ": " + what + atLine(parser) + " (" + x.getMessage() + ")");
        } catch (RuntimeException x) {
            // decompressors may throw unchecked exceptions on garbage
            if ("none".equals(result.compression)) throw x;
            throw new TraceInputException(name + ": corrupt " + result.compression + " data" + atLine(parser) + " (" + x + ")");
        }
    }

    /** Test hook: {@code [chunks, chunks parsed again]} of the last parallel parse. */
    static volatile long[] lastChunks;

    /** {@code [chunks merged, chunks parsed again]} of the last parse on several threads in this JVM, or null (benches). */
    public static long[] lastChunkCounts() {
        long[] c = lastChunks;
        return c == null ? null : c.clone();
    }

    /** trace-cmd's binary file ({@code trace.dat}) starts with these bytes: 0x17 0x08 'D' "tracing". */
    static final byte[] TRACE_CMD_MAGIC = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g'};
    /** perf's binary file ({@code perf.data}): "PERFILE2" (and "PERFFILE", the format before perf 2.6.33). */
    static final byte[][] PERF_MAGIC = {"PERFILE2".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        "PERFFILE".getBytes(java.nio.charset.StandardCharsets.US_ASCII)};

    /**
     * A binary trace.dat or perf.data (recognised by its magic bytes) is refused with the exact command that
     * turns it into the text vmalock reads.
     */
    static void refuseBinaryTrace(byte[] head, int len, String name, String compression) throws TraceInputException {
        String tool = null;
        if (startsWith(head, len, TRACE_CMD_MAGIC)) {
            tool = "trace-cmd report -i";
        } else if (startsWith(head, len, PERF_MAGIC[0]) || startsWith(head, len, PERF_MAGIC[1])) {
            tool = "perf script -i";
        }
        if (tool == null) {
            return;
        }
        String kind = tool.startsWith("trace-cmd") ? "a trace-cmd binary trace (trace.dat)" : "a perf binary trace (perf.data)";
        String plain = "none".equals(compression) ? name : name.replaceFirst("\\.(gz|xz|zst)$", "");
        if (name.equals("(standard input)")) {
            plain = tool.startsWith("trace-cmd") ? "trace.dat" : "perf.data"; // the file that was piped in
        }
        String file = shellWord(plain);
        String txt = shellWord(plain + ".txt");
        String decompress = "none".equals(compression) ? "" : "decompress it first (it is " + compression + "), then ";
        throw new TraceInputException(name + ": " + kind + ", which vmalock does not read; " + decompress + "convert it "
                + "on a machine with the tool: " + tool + " " + file + " > " + txt + " ; then ingest " + txt);
    }

    private static boolean startsWith(byte[] head, int len, byte[] magic) {
        if (len < magic.length) return false;
        for (int i = 0; i < magic.length; i++) {
            if (head[i] != magic[i]) return false;
        }
        return true;
    }

    /** A file name as one shell word (quoted when it holds anything but safe characters). */
    static String shellWord(String s) {
        if (s.matches("[A-Za-z0-9_./+:@%=,-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String atLine(TextParser p) {
        return p == null || p.lineNo == 0 ? "" : " after line " + p.lineNo;
    }

    /** The parser for a format. */
    static TextParser create(TraceFormat format, EventSink sink, SourceResult result, boolean strict, int sourceIndex) {
        switch (format) {
            case FTRACE: return new FtraceParser(sink, result, strict, sourceIndex);
            case TRACE_CMD: return new TraceCmdParser(sink, result, strict, sourceIndex);
            case PERF_SCRIPT: return new PerfScriptParser(sink, result, strict, sourceIndex);
            case CSV: return new CsvEventParser(sink, result, strict, sourceIndex);
            default: throw new IllegalArgumentException(String.valueOf(format));
        }
    }

    /** Wraps {@code in} in a decompressor when its magic bytes say gzip, xz or zstd. */
    static InputStream decompress(InputStream in, SourceResult result) throws IOException {
        BufferedInputStream bin = new BufferedInputStream(in, 1 << 16);
        bin.mark(8);
        byte[] m = new byte[6];
        int n = 0;
        while (n < m.length) {
            int r = bin.read(m, n, m.length - n);
            if (r < 0) break;
            n += r;
            if (n >= 2 && !(isGzipPrefix(m, n) || isXzPrefix(m, n) || isZstdPrefix(m, n))) break;
        }
        bin.reset();
        if (n >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) {
            result.compression = "gzip";
            return new GZIPInputStream(bin, 1 << 16);
        }
        if (n >= 6 && (m[0] & 0xff) == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z' && m[5] == 0) {
            result.compression = "xz";
            return new BufferedInputStream(new XZInputStream(bin), 1 << 16);
        }
        if (n >= 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f && (m[3] & 0xff) == 0xfd) {
            result.compression = "zstd";
            return new ZstdInputStream(bin);
        }
        return bin;
    }

    private static boolean isGzipPrefix(byte[] m, int n) {
        return (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b && n < 2;
    }

    private static boolean isXzPrefix(byte[] m, int n) {
        return (m[0] & 0xff) == 0xfd && m[1] == '7';
    }

    private static boolean isZstdPrefix(byte[] m, int n) {
        return (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5;
    }
}
