package vmalock.store;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import vmalock.event.Event;
import vmalock.event.EventKind;

/**
 * Which stored events a command looks at: the {@code --pid --tid --comm --mm --from --to} options every
 * reading command shares. Set on a {@link Workspace} ({@link Workspace#filter}) it applies to every
 * {@link EventReader} the workspace hands out, before any pairing or replay.
 *
 * <ul>
 * <li>{@code pid}: events whose thread-group id is one of these; for events whose format records no tgid
 *     (raw ftrace without the tgid option) the thread with that id ({@link #pidFellBackToTid} counts them).</li>
 * <li>{@code tid}: events of these threads. {@code comm}: events of tasks with exactly this comm.</li>
 * <li>{@code mm}: the mmap_lock events on these address spaces, and every other event of the threads
 *     that took one of their locks (page faults and syscalls carry no mm).</li>
 * <li>{@code from}/{@code to}: events with {@code from <= ts < to} (trace time, the unit of the source:
 *     ns, or ticks for counter clocks).</li>
 * </ul>
 * Lost-event markers belong to no task: they are kept when they fall in the time window, so a filtered
 * view of a lossy trace is still flagged lossy. Criteria combine with AND; values within one option with OR.
 */
public final class EventFilter {
    public final Set<Integer> pids = new HashSet<>();
    public final Set<Integer> tids = new HashSet<>();
    public final Set<String> comms = new HashSet<>();
    public final Set<Long> mms = new HashSet<>();
    public long from = Long.MIN_VALUE;
    public long to = Long.MAX_VALUE;
    /** How the user wrote it (for "filter: …" lines and run.json). */
    public String description = "";
    /** The threads that took a lock of one of {@link #mms} (filled by {@link #prepare}). */
    private final Set<Integer> mmThreads = new HashSet<>();
    private boolean prepared;
    private long seen;
    private long kept;
    private long pidFellBackToTid;
    private boolean fellBack;

    public boolean isEmpty() {
        return pids.isEmpty() && tids.isEmpty() && comms.isEmpty() && mms.isEmpty() && from == Long.MIN_VALUE
                && to == Long.MAX_VALUE;
    }

    /** An --mm filter needs one pass first to find the threads of those address spaces. */
    void prepare(Workspace ws, List<Manifest.Source> sources) {
        if (prepared || mms.isEmpty()) {
            prepared = true;
            return;
        }
        prepared = true;
        try (EventReader r = ws.unfilteredReader(sources)) {
            Event e = new Event();
            while (r.next(e)) {
                if (isLockEvent(e.kind) && mms.contains(e.mm)) {
                    mmThreads.add(e.tid);
                }
            }
        }
    }

    private static boolean isLockEvent(EventKind k) {
        return k == EventKind.MMAP_LOCK_START_LOCKING || k == EventKind.MMAP_LOCK_ACQUIRE_RETURNED
                || k == EventKind.MMAP_LOCK_RELEASED;
    }

    /** Whether {@code e} is in the filtered view (and counts it). */
    public boolean test(Event e) {
        seen++;
        fellBack = false;
        boolean ok = matches(e);
        if (ok) {
            kept++;
            if (fellBack) {
                pidFellBackToTid++;
            }
        }
        return ok;
    }

    private boolean matches(Event e) {
        if (e.ts < from || e.ts >= to) {
            return false;
        }
        if (e.kind == EventKind.LOST) {
            return true;
        }
        if (!pids.isEmpty()) {
            if (e.tgid != Event.UNKNOWN) {
                if (!pids.contains(e.tgid)) {
                    return false;
                }
            } else if (pids.contains(e.tid)) {
                fellBack = true;
            } else {
                return false;
            }
        }
        if (!tids.isEmpty() && !tids.contains(e.tid)) {
            return false;
        }
        if (!comms.isEmpty() && (e.comm == null || !comms.contains(e.comm))) {
            return false;
        }
        if (!mms.isEmpty()) {
            if (isLockEvent(e.kind)) {
                return mms.contains(e.mm);
            }
            return mmThreads.contains(e.tid);
        }
        return true;
    }

    /** Events looked at so far. */
    public long seen() {
        return seen;
    }

    /** Events kept so far. */
    public long kept() {
        return kept;
    }

    /** Events matched by --pid through their thread id because the trace records no thread-group id. */
    public long pidFellBackToTid() {
        return pidFellBackToTid;
    }

    /** Restarts the counts (a command that reads the events several times reports one pass). */
    public void resetCounts() {
        seen = 0;
        kept = 0;
        pidFellBackToTid = 0;
    }

    /** "filter: pid=…; kept N of M events" and the tgid note, for the commands' outputs. */
    public String summary() {
        String s = String.format(Locale.ROOT, "filter: %s (kept %,d of %,d events)", description, kept, seen);
        if (pidFellBackToTid > 0) {
            s += String.format(Locale.ROOT, "; the trace records no thread-group ids, so --pid matched %,d events by "
                    + "thread id only (use --mm for a whole address space)", pidFellBackToTid);
        }
        return s;
    }

    /**
     * A trace time as the options take it: a number of seconds as the trace prints them ({@code 12345.678901}),
     * or a number with a unit ({@code 1.5s}, {@code 200ms}, {@code 300us}/{@code 300µs}, {@code 100ns}); with a
     * leading {@code +}, an offset from {@code first} (the first event of the selected sources). Counter clocks
     * ({@code ticksClock}) take raw tick counts only.
     *
     * @return the time in the source unit (ns, or ticks)
     * @throws IllegalArgumentException for anything else, naming the option
     */
    public static long parseTime(String option, String value, boolean ticksClock, long first) {
        String v = value.trim();
        boolean relative = v.startsWith("+");
        if (relative) {
            v = v.substring(1).trim();
        }
        String num = v;
        long scale = 1_000_000_000L; // a bare number is seconds of trace time
        String[][] units = {{"ns", "1"}, {"us", "1000"}, {"µs", "1000"}, {"ms", "1000000"}, {"s", "1000000000"}};
        for (String[] u : units) {
            if (v.toLowerCase(Locale.ROOT).endsWith(u[0])) {
                num = v.substring(0, v.length() - u[0].length()).trim();
                scale = Long.parseLong(u[1]);
                if (ticksClock) {
                    throw new IllegalArgumentException(option + " " + value + ": the trace counts time in ticks "
                            + "(a counter clock): give a raw tick count, without a unit");
                }
                break;
            }
        }
        if (ticksClock) {
            scale = 1;
        }
        BigDecimal d;
        try {
            d = new BigDecimal(num);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + value + ": not a time (examples: 12345.678901, "
                    + "1.5s, 200ms, 300us, +2s)");
        }
        if (d.signum() < 0) {
            throw new IllegalArgumentException(option + " " + value + ": a time cannot be negative");
        }
        long t;
        try {
            t = d.multiply(BigDecimal.valueOf(scale)).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(option + " " + value + ": too large");
        }
        return relative ? Math.addExact(first, t) : t;
    }
}
