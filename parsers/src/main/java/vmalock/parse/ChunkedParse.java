package vmalock.parse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.EventSink;

/**
 * One source parsed on several threads: the input is cut into chunks at line ends, each chunk is parsed on
 * a worker by a parser of its own into a {@link Recorder}, and this thread hands the recorded calls to the
 * sink in file order, with line numbers moved by the lines of the chunks before. The sink, the
 * {@link SourceResult} and therefore the stored workspace are exactly those of one parser reading the
 * whole input ({@code ChunkedParseTest}, {@code ParallelIngestTest}).
 *
 * <p>Why it is exact. A line's parse depends on the line and on a small state earlier lines leave
 * ({@link TextParser.CarriedState}: timestamp style, clock, the ftrace header's entry counts and cpus, the
 * function-tracer header, CSV's header row); everything else a parser keeps is a cache that never changes
 * a result. A chunk is parsed from the state the chunks merged so far ended in when it was handed out
 * (after the first chunk, parsed here, that is the state of every ordinary trace); when it is merged, its
 * start state is compared with the real one, and a chunk that started from another is parsed again, here,
 * from the real one. Line numbers are counted from the chunk's start and moved at the merge. CSV records may
 * span lines (a quoted newline): a chunk whose last record is still open at its end is held and parsed
 * again joined to the next. A line longer than {@link TextParser#MAX_LINE} is skipped by the reader, as
 * {@link TextParser#run} skips it, and counted as a chunk of one problem line (CSV: the rest of the input
 * is parsed on this thread, which handles it the same way).
 */
final class ChunkedParse {
    /** Bytes of input per chunk by default: big enough to make the hand-over negligible, small enough to spread. */
    static final int DEFAULT_CHUNK = 2 << 20;

    private final TraceFormat format;
    private final String name;
    private final EventSink sink;
    private final SourceResult result;
    private final boolean strict;
    private final int sourceIndex;
    private final int chunkBytes;
    private final int window;
    private final ExecutorService pool;
    private final ArrayDeque<Chunk> inflight = new ArrayDeque<>();
    private final ArrayDeque<Chunk> free = new ArrayDeque<>();
    /** The state after the chunks merged so far, and their lines. */
    private TextParser.CarriedState state;
    private long lines;
    /** A CSV chunk that ended inside a record: parsed again together with the next. */
    private Chunk pending;
    /** Chunks merged so far, and how many of them had to be parsed again (for tests and the bench). */
    long merged;
    long reparsed;

    private ChunkedParse(TraceFormat format, String name, EventSink sink, SourceResult result, boolean strict,
            int sourceIndex, int threads, int chunkBytes) {
        this.format = format;
        this.name = name;
        this.sink = sink;
        this.result = result;
        this.strict = strict;
        this.sourceIndex = sourceIndex;
        this.chunkBytes = Math.max(1, chunkBytes);
        this.window = 2 * threads;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "vmalock-parse");
            t.setDaemon(true);
            return t;
        });
        this.state = TraceParsers.create(format, new Recorder(), new SourceResult(name), strict, sourceIndex)
                .carriedState();
        result.format = format;
    }

    /**
     * Parses {@code in} to its end on {@code threads} workers (this thread reads, and merges in order).
     *
     * @return the parse's statistics: {@code [chunks, chunks parsed again]}
     * @throws TextParser.StrictStop at the first problem, in strict mode (after the sink has heard of it)
     * @throws TextParser.SinkFailure the sink's own failure
     */
    static long[] run(InputStream in, TraceFormat format, String name, EventSink sink, SourceResult result, boolean strict,
            int sourceIndex, int threads, int chunkBytes) throws IOException {
        ChunkedParse c = new ChunkedParse(format, name, sink, result, strict, sourceIndex, threads, chunkBytes);
        try {
            c.read(in);
            return new long[] {c.merged, c.reparsed};
        } finally {
            c.pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // reading: chunks cut at line ends

    private void read(InputStream in) throws IOException {
        byte[] carry = new byte[0];
        int carryLen = 0;
        boolean eof = false;
        boolean first = true;
        while (true) {
            Chunk c = obtain(Math.max(chunkBytes, carryLen) + 1);
            System.arraycopy(carry, 0, c.data, 0, carryLen);
            int len = carryLen;
            carryLen = 0;
            int target = Math.max(chunkBytes, len + 1);
            int scanned = 0; // no newline in c.data[0, scanned)
            while (true) {
                while (len < target && !eof) {
                    c.data = grow(c.data, target);
                    int n = in.read(c.data, len, target - len);
                    if (n < 0) {
                        eof = true;
                    } else {
                        len += n;
                        result.bytes += n;
                    }
                }
                if (eof) { // the rest, a last line without a newline included
                    c.len = len;
                    break;
                }
                int nl = lastNewline(c.data, scanned, len);
                scanned = len;
                if (nl >= 0) {
                    c.len = nl + 1;
                    carryLen = len - c.len;
                    if (carry.length < carryLen) carry = new byte[Math.max(carryLen, 1 << 16)];
                    System.arraycopy(c.data, c.len, carry, 0, carryLen);
                    break;
                }
                if (len > TextParser.MAX_LINE) { // a line too long for any buffer
                    if (format == TraceFormat.CSV) {
                        tail(c, len, in);
                        return;
                    }
                    long[] skipped = skipLine(in, len, c);
                    eof = skipped[1] != 0;
                    c.len = 0;
                    c.longLine = skipped[0];
                    carryLen = (int) skipped[2];
                    if (carry.length < carryLen) carry = new byte[Math.max(carryLen, 1 << 16)];
                    System.arraycopy(c.data, 0, carry, 0, carryLen);
                    break;
                }
                target = len + Math.max(chunkBytes, Math.min(len, TextParser.MAX_LINE)); // a line longer than the chunk: read on
            }
            c.last = eof && carryLen == 0;
            if (c.len == 0 && c.longLine < 0) { // nothing (an empty input, or nothing after the last newline)
                free.add(c);
            } else if (first) {
                parse(c, state); // the first chunk here: its end state is what every later chunk starts from
                merge(c);
                first = false;
            } else {
                submit(c);
            }
            if (c.last) break;
        }
        while (!inflight.isEmpty()) {
            merge(await(inflight.poll()));
        }
        if (pending != null) { // the input ended inside a CSV record: as one parser ends
            Chunk p = pending;
            pending = null;
            p.last = true;
            emit(p);
        }
    }

    /**
     * Skips the rest of an overlong line whose first {@code len} bytes are in {@code c.data}; returns
     * {@code [line bytes, 1 if the input ended, bytes after the newline now at the start of c.data]}.
     */
    private long[] skipLine(InputStream in, int len, Chunk c) throws IOException {
        long skipped = len;
        while (true) {
            int n = in.read(c.data, 0, c.data.length);
            if (n < 0) return new long[] {skipped, 1, 0};
            result.bytes += n;
            int nl = TextParser.indexOfNewline(c.data, 0, n);
            if (nl >= 0) {
                skipped += nl;
                System.arraycopy(c.data, nl + 1, c.data, 0, n - nl - 1);
                return new long[] {skipped, 0, n - nl - 1};
            }
            skipped += n;
        }
    }

    private static int lastNewline(byte[] b, int from, int len) {
        for (int i = len - 1; i >= from; i--) {
            if (b[i] == '\n') return i;
        }
        return -1;
    }

    private static byte[] grow(byte[] b, int size) {
        return b.length >= size ? b : java.util.Arrays.copyOf(b, Math.max(size, b.length * 2));
    }

    /**
     * CSV with an overlong line: what is merged stays, the rest of the input (after a held chunk's bytes)
     * is parsed here by one parser from the merged state, numbering lines on from the merged ones.
     */
    private void tail(Chunk c, int len, InputStream rest) throws IOException {
        while (!inflight.isEmpty()) {
            merge(await(inflight.poll()));
        }
        InputStream s = new SequenceInputStream(new ByteArrayInputStream(c.data, 0, len), rest);
        long counted = len; // bytes this reader has counted already
        if (pending != null) {
            s = new SequenceInputStream(new ByteArrayInputStream(pending.data, 0, pending.len), s);
            counted += pending.len;
            pending = null;
        }
        SourceResult r = new SourceResult(name);
        TextParser p = TraceParsers.create(format, sink, r, strict, sourceIndex);
        p.startFrom(state);
        p.startAtLine(lines);
        p.run(s);
        result.bytes += r.bytes - counted;
        result.append(r, 0);
        lines += r.linesTotal;
    }

    // ---------------------------------------------------------------------------------------------
    // parsing and merging

    private void submit(Chunk c) throws IOException {
        TextParser.CarriedState from = state;
        c.future = pool.submit(() -> {
            parse(c, from);
            return null;
        });
        inflight.add(c);
        while (inflight.size() >= window) {
            merge(await(inflight.poll()));
        }
    }

    private Chunk await(Chunk c) throws IOException {
        try {
            c.future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("parse interrupted");
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error er) throw er;
            if (t instanceof IOException io) throw io;
            throw new IllegalStateException(t);
        }
        return c;
    }

    /** Parses chunk {@code c} on its own from {@code from}: the recorded calls, its result and its end state. */
    private void parse(Chunk c, TextParser.CarriedState from) throws IOException {
        c.rec.clear();
        c.res = new SourceResult(name);
        c.stop = null;
        TextParser p = TraceParsers.create(format, c.rec, c.res, strict, sourceIndex);
        p.startFrom(from);
        c.start = from;
        try {
            if (c.longLine >= 0) {
                p.longLineChunk(c.longLine);
            } else {
                p.runChunk(c.data, 0, c.len);
            }
        } catch (TextParser.StrictStop s) {
            c.stop = s;
        }
        c.end = p.carriedState();
        c.betweenRecords = p.endsBetweenRecords();
    }

    private void merge(Chunk c) throws IOException {
        if (pending != null) {
            Chunk p = pending;
            pending = null;
            p.data = grow(p.data, p.len + c.len);
            System.arraycopy(c.data, 0, p.data, p.len, c.len);
            p.len += c.len;
            p.last = c.last;
            free.add(c);
            c = p;
            reparsed++;
            parse(c, state); // the held chunk's start state was the real one, and nothing was merged since
        } else if (!c.start.equals(state)) {
            reparsed++;
            parse(c, state);
        }
        if (!c.betweenRecords && !c.last) { // (a --strict stop at that open record may not be one once joined)
            pending = c;
            return;
        }
        emit(c);
    }

    private void emit(Chunk c) {
        merged++;
        long offset = lines;
        c.rec.replay(sink, offset, format != TraceFormat.CSV);
        result.append(c.res, offset);
        lines += c.res.linesTotal;
        state = c.end;
        TextParser.StrictStop stop = c.stop;
        c.res = null;
        c.rec.clear();
        free.add(c);
        if (stop != null) throw new TextParser.StrictStop(offset + stop.line, stop.getMessage());
    }

    private Chunk obtain(int size) {
        Chunk c = free.poll();
        if (c == null) c = new Chunk();
        c.data = grow(c.data, size);
        c.len = 0;
        c.longLine = -1;
        c.last = false;
        c.future = null;
        return c;
    }

    private static final class Chunk {
        byte[] data = new byte[0];
        int len;
        /** >= 0: the chunk is one overlong line of this many bytes, not in {@link #data}. */
        long longLine = -1;
        boolean last;
        Future<?> future;
        final Recorder rec = new Recorder();
        SourceResult res;
        TextParser.CarriedState start;
        TextParser.CarriedState end;
        boolean betweenRecords;
        TextParser.StrictStop stop;
    }

    /**
     * The sink calls of one chunk, in order. The parser's event is a flyweight, so each event's fields are
     * copied: its numbers into a reused {@code long[]} (no garbage, and no write barrier: no references), its
     * strings into arrays new for every chunk (young arrays: storing references into long-lived event copies
     * cost the G1 collector's write barrier on every field, ~40 % more CPU than the whole one-thread ingest; a
     * new copy per event made a gigabyte of garbage per 600 MB of trace). The string arrays are segments of
     * {@value #SEG} references: a larger array is a G1 "humongous" object, which a young collection does not
     * free — with a 330 MB heap they piled up to a third of it per 100 MB of trace and cost twice the CPU.
     */
    static final class Recorder implements EventSink {
        private static final byte EVENT = 0;
        private static final byte NON_EVENT = 1;
        private static final byte PROBLEM = 2;
        private static final EventKind[] KINDS = EventKind.values();
        private static final vmalock.event.Syscall[] SYSCALLS = vmalock.event.Syscall.values();
        /** Numbers of an event before its arguments. */
        private static final int FIXED = 14;
        private byte[] type = new byte[1024];
        private long[] line = new long[1024];
        private Object[] arg = new Object[1024]; // NonEventKind or the problem's reason
        private int n;
        private long[] nums = new long[1 << 14];
        private int np;
        static final int SEG = 1 << 14;
        private Object[][] segs = new Object[8][];
        private int seg;
        private int sp;
        private final Event out = new Event();

        @Override
        public void event(Event e) {
            int i = slot(EVENT, e.line);
            arg[i] = null;
            int k = e.nargs;
            if (np + FIXED + k > nums.length) nums = java.util.Arrays.copyOf(nums, nums.length * 2);
            if (segs[seg] == null) {
                segs[seg] = new Object[SEG];
            } else if (sp + 4 + k > SEG) { // an event's strings stay in one segment
                if (++seg == segs.length) segs = java.util.Arrays.copyOf(segs, seg * 2);
                segs[seg] = new Object[SEG];
                sp = 0;
            }
            long[] d = nums;
            int p = np;
            d[p] = e.kind.ordinal() | (e.write ? 1 << 8 : 0) | (e.success ? 1 << 9 : 0) | (long) k << 10
                    | (long) e.syscall.ordinal() << 16 | (long) e.flags << 32;
            d[p + 1] = e.ts;
            d[p + 2] = e.line;
            d[p + 3] = (e.cpu & 0xffffffffL) | (long) e.tid << 32;
            d[p + 4] = (e.tgid & 0xffffffffL) | (long) e.source << 32;
            d[p + 5] = e.mm;
            d[p + 6] = e.memcgId;
            d[p + 7] = e.address;
            d[p + 8] = e.ip;
            d[p + 9] = e.errorCode;
            d[p + 10] = e.lockAddr;
            d[p + 11] = e.ret;
            d[p + 12] = (e.otherPid & 0xffffffffL) | (long) e.irqContext << 32;
            d[p + 13] = e.count;
            System.arraycopy(e.args, 0, d, p + FIXED, k);
            np = p + FIXED + k;
            Object[] s = segs[seg];
            int q = sp;
            s[q] = e.name;
            s[q + 1] = e.comm;
            s[q + 2] = e.memcgPath;
            s[q + 3] = e.text;
            System.arraycopy(e.argNames, 0, s, q + 4, k);
            sp = q + 4 + k;
        }

        @Override
        public void nonEventLine(NonEventKind kind, long l) {
            int i = slot(NON_EVENT, l); // (before naming arg: slot may grow it)
            arg[i] = kind;
        }

        @Override
        public void problem(long l, String reason) {
            int i = slot(PROBLEM, l);
            arg[i] = reason;
        }

        private int slot(byte t, long l) {
            if (n == type.length) {
                type = java.util.Arrays.copyOf(type, n * 2);
                line = java.util.Arrays.copyOf(line, n * 2);
                arg = java.util.Arrays.copyOf(arg, n * 2);
            }
            type[n] = t;
            line[n] = l;
            return n++;
        }

        void clear() {
            java.util.Arrays.fill(arg, 0, n, null);
            n = 0;
            np = 0;
            java.util.Arrays.fill(segs, 0, seg + 1, null); // new ones for the next chunk
            seg = 0;
            sp = 0;
        }

        /** Fills the flyweight {@link #out} from the event at {@code nums[p]}, {@code s[q]}. */
        private Event load(int p, Object[] s, int q) {
            long[] d = nums;
            Event e = out;
            long h = d[p];
            int k = (int) (h >>> 10) & 0x3f;
            e.kind = KINDS[(int) h & 0xff];
            e.write = (h & 1 << 8) != 0;
            e.success = (h & 1 << 9) != 0;
            e.syscall = SYSCALLS[(int) (h >>> 16) & 0xffff];
            e.flags = (int) (h >>> 32);
            e.ts = d[p + 1];
            e.line = d[p + 2];
            e.cpu = (int) d[p + 3];
            e.tid = (int) (d[p + 3] >>> 32);
            e.tgid = (int) d[p + 4];
            e.source = (int) (d[p + 4] >>> 32);
            e.mm = d[p + 5];
            e.memcgId = d[p + 6];
            e.address = d[p + 7];
            e.ip = d[p + 8];
            e.errorCode = d[p + 9];
            e.lockAddr = d[p + 10];
            e.ret = d[p + 11];
            e.otherPid = (int) d[p + 12];
            e.irqContext = (int) (d[p + 12] >> 32);
            e.count = d[p + 13];
            e.name = (String) s[q];
            e.comm = (String) s[q + 1];
            e.memcgPath = (String) s[q + 2];
            e.text = (String) s[q + 3];
            e.nargs = k;
            for (int i = 0; i < Event.MAX_ARGS; i++) {
                e.args[i] = i < k ? d[p + FIXED + i] : 0;
                e.argNames[i] = i < k ? (String) s[q + 4 + i] : null;
            }
            return e;
        }

        /**
         * Makes the recorded calls on {@code sink}, lines moved by {@code offset} (an event's own line too when
         * {@code eventLines}: the text formats number it; CSV carries the original trace's). A failure of the
         * sink is a {@link TextParser.SinkFailure}, as in the parser.
         */
        void replay(EventSink sink, long offset, boolean eventLines) {
            int p = 0;
            int sg = 0;
            int q = 0;
            try {
                for (int i = 0; i < n; i++) {
                    switch (type[i]) {
                        case EVENT -> {
                            int k = (int) (nums[p] >>> 10) & 0x3f;
                            if (q + 4 + k > SEG) {
                                sg++;
                                q = 0;
                            }
                            Event e = load(p, segs[sg], q);
                            p += FIXED + k;
                            q += 4 + k;
                            if (eventLines) e.line += offset;
                            sink.event(e);
                        }
                        case NON_EVENT -> sink.nonEventLine((NonEventKind) arg[i], line[i] + offset);
                        default -> sink.problem(line[i] + offset, (String) arg[i]);
                    }
                }
            } catch (TextParser.SinkFailure | TextParser.StrictStop x) {
                throw x;
            } catch (RuntimeException x) {
                throw new TextParser.SinkFailure(x);
            }
        }
    }
}
