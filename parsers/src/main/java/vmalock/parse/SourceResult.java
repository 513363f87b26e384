package vmalock.parse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import vmalock.event.EventSink.NonEventKind;

/**
 * What parsing one source found, besides the events themselves: the detected format and clock, line
 * accounting (every physical line is an event, a lost marker, a non-event line or a problem), lost-event
 * figures, problems and the header facts that reveal overwritten entries.
 *
 * <p>Filled by the parser while it runs (package-private mutators); read-only for everyone else.
 */
public final class SourceResult {
    /** How many problems are kept with their line number and reason (all are counted). */
    public static final int MAX_KEPT_PROBLEMS = 20;
    public static final long NONE = -1;

    /** One bad line: 1-based line number and a few words saying why. */
    public record Problem(long line, String reason) {
        @Override
        public String toString() {
            return "line " + line + ": " + reason;
        }
    }

    private final String file;
    TraceFormat format;
    String compression = "none";
    String clock;
    long linesTotal;
    long bytes;
    final long[] nonEvent = new long[NonEventKind.values().length];
    long events;
    long lostMarkers;
    long lostMarkersWithoutCount;
    long lostEvents;
    final TreeMap<Integer, Long> lostEventsByCpu = new TreeMap<>();
    long problems;
    final List<Problem> keptProblems = new ArrayList<>();
    long firstTs = Long.MIN_VALUE;
    long lastTs = Long.MIN_VALUE;
    long headerEntriesInBuffer = NONE;
    long headerEntriesWritten = NONE;
    int cpus = (int) NONE;

    SourceResult(String file) {
        this.file = file;
    }

    /** The file (or stream) name as given, used in messages. */
    public String file() { return file; }

    public TraceFormat format() { return format; }

    /** {@code none}, {@code gzip}, {@code xz} or {@code zstd} — detected from magic bytes. */
    public String compression() { return compression; }

    /** The clock of a trace whose text does not name it. */
    public static final String UNKNOWN_CLOCK = "unknown";

    /**
     * The trace's clock as far as its text reveals it: {@link #UNKNOWN_CLOCK} for timestamps printed as
     * seconds with a fraction (any ns clock: ftrace/trace-cmd {@code local}, {@code global}, {@code mono},
     * {@code boot}, …, perf's clock — the text does not say which), {@code counter} for bare integers
     * ({@code counter} or {@code x86-tsc}: ticks, not ns), a CSV's {@code # vmalock-events clock=…} comment;
     * {@code null} when there was no event.
     */
    public String clock() { return clock; }

    public boolean isCounterClock() { return "counter".equals(clock); }

    /** Physical lines, including a final line without a newline. */
    public long linesTotal() { return linesTotal; }

    /** Uncompressed bytes read. */
    public long bytes() { return bytes; }

    /** Non-event lines of one kind (header, blank, other); lost markers are counted separately. */
    public long nonEventLines(NonEventKind kind) { return nonEvent[kind.ordinal()]; }

    /** Non-event lines (header + blank + other), not counting lost markers. */
    public long nonEventLines() {
        long n = 0;
        for (long v : nonEvent) n += v;
        return n;
    }

    /** Non-event lines by truth-file kind name ({@code header}, {@code blank}, {@code other}, {@code lost_marker}); zero counts left out. */
    public Map<String, Long> nonEventLinesByKind() {
        TreeMap<String, Long> m = new TreeMap<>();
        for (NonEventKind k : NonEventKind.values()) {
            if (nonEvent[k.ordinal()] > 0) m.put(k.jsonName(), nonEvent[k.ordinal()]);
        }
        if (lostMarkers > 0) m.put("lost_marker", lostMarkers);
        return m;
    }

    /** Events delivered to the sink, not counting LOST markers. */
    public long events() { return events; }

    /** Lost-event markers (LOST events delivered to the sink), with or without a count. */
    public long lostMarkers() { return lostMarkers; }

    public long lostMarkersWithoutCount() { return lostMarkersWithoutCount; }

    /** Sum of the counts of the markers that carry one. */
    public long lostEvents() { return lostEvents; }

    /** Lost events by CPU (-1 = marker without a CPU), markers without a count add 0. */
    public Map<Integer, Long> lostEventsByCpu() { return Collections.unmodifiableMap(lostEventsByCpu); }

    public long problems() { return problems; }

    /** The first {@link #MAX_KEPT_PROBLEMS} problems. */
    public List<Problem> firstProblems() { return Collections.unmodifiableList(keptProblems); }

    public boolean hasEvents() { return firstTs != Long.MIN_VALUE; }

    /** Timestamp (ns or ticks) of the first event, in file order; {@code Long.MIN_VALUE} without events. */
    public long firstTs() { return firstTs; }

    /** Timestamp of the last event, in file order. */
    public long lastTs() { return lastTs; }

    /** {@code A} of the ftrace header's {@code entries-in-buffer/entries-written: A/B}, or -1. */
    public long headerEntriesInBuffer() { return headerEntriesInBuffer; }

    /** {@code B} of {@code entries-in-buffer/entries-written: A/B}, or -1. */
    public long headerEntriesWritten() { return headerEntriesWritten; }

    /** B − A: entries the ring buffer overwrote (lost without any marker), or 0 without that header. */
    public long headerEntriesOverwritten() {
        return headerEntriesInBuffer < 0 ? 0 : headerEntriesWritten - headerEntriesInBuffer;
    }

    /** trace-cmd's {@code cpus=N} or the ftrace header's {@code #P:N}, else -1. */
    public int cpus() { return cpus; }

    /**
     * Formats a timestamp of this source the way the tools print it: {@code secs.usecs} when the
     * value is a whole number of µs, {@code secs.nsecs} otherwise, a bare integer for counter clocks.
     */
    public String formatTs(long ts) {
        return Timestamps.format(ts, isCounterClock());
    }

    /**
     * Adds what a parse of the next lines found ({@code ChunkedParse}): counts add up, its problems' line numbers
     * move by {@code lineOffset}, the first and last timestamps and the header facts follow as they would had
     * one parser read both (the header facts and the clock are the chunk's: it started from this result's).
     */
    void append(SourceResult c, long lineOffset) {
        linesTotal += c.linesTotal;
        for (int k = 0; k < nonEvent.length; k++) nonEvent[k] += c.nonEvent[k];
        events += c.events;
        lostMarkers += c.lostMarkers;
        lostMarkersWithoutCount += c.lostMarkersWithoutCount;
        lostEvents = TextParser.saturatedAdd(lostEvents, c.lostEvents);
        c.lostEventsByCpu.forEach((cpu, n) -> lostEventsByCpu.merge(cpu, n, TextParser::saturatedAdd));
        problems += c.problems;
        for (Problem p : c.keptProblems) {
            if (keptProblems.size() >= MAX_KEPT_PROBLEMS) break;
            keptProblems.add(new Problem(p.line() + lineOffset, p.reason()));
        }
        if (firstTs == Long.MIN_VALUE) firstTs = c.firstTs;
        if (c.events > 0) lastTs = c.lastTs;
        clock = c.clock;
        headerEntriesInBuffer = c.headerEntriesInBuffer;
        headerEntriesWritten = c.headerEntriesWritten;
        cpus = c.cpus;
    }

    void addProblem(long line, String reason) {
        problems++;
        if (keptProblems.size() < MAX_KEPT_PROBLEMS) keptProblems.add(new Problem(line, reason));
    }

    @Override
    public String toString() {
        return file + ": format=" + format + " clock=" + clock + " lines=" + linesTotal + " events=" + events
                + " nonEvent=" + nonEventLinesByKind() + " lost=" + lostEvents + "/" + lostMarkers + " markers"
                + " problems=" + problems;
    }
}
