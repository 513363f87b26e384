package vmalock.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import vmalock.store.EventFilter;
import vmalock.store.Manifest;

/**
 * The event filters {@code stats}, {@code report}, {@code export}, {@code replay} and {@code compare} share
 * (a picocli mixin): the same options, the same meaning everywhere (see {@link EventFilter} and
 * docs/commands.md, "Filters").
 */
public final class FilterOptions {
    @Option(names = "--pid", split = ",", paramLabel = "PID",
            description = "only events of these processes (thread-group ids; a trace without tgids: the thread with that id)")
    List<Integer> pids;

    @Option(names = "--tid", split = ",", paramLabel = "TID", description = "only events of these threads")
    List<Integer> tids;

    @Option(names = "--comm", paramLabel = "NAME", description = "only events of tasks with this comm (exact; repeatable)")
    List<String> comms;

    @Option(names = "--mm", split = ",", paramLabel = "ADDR",
            description = "only these address spaces (mm, hex as in the trace): their mmap_lock events and the other "
                    + "events of the threads that took their locks")
    List<String> mms;

    @Option(names = "--from", paramLabel = "TIME",
            description = "only events at or after this trace time: seconds as the trace prints them (12345.678901), "
                    + "or with a unit (1.5s, 200ms, 300us); '+2s' = 2 s after the first event")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "only events before this trace time (as --from)")
    String to;

    /** Whether any filter option was given. */
    boolean active() {
        return pids != null || tids != null || comms != null || mms != null || from != null || to != null;
    }

    /**
     * The filter for these sources (their clock decides how --from/--to are read), or null when no option
     * was given.
     *
     * @throws IllegalArgumentException a value that is not a time or an address (a usage error)
     */
    EventFilter build(List<Manifest.Source> sources) {
        if (!active()) {
            return null;
        }
        EventFilter f = new EventFilter();
        List<String> d = new ArrayList<>();
        if (pids != null) {
            f.pids.addAll(pids);
            d.add("pid=" + join(pids));
        }
        if (tids != null) {
            f.tids.addAll(tids);
            d.add("tid=" + join(tids));
        }
        if (comms != null) {
            f.comms.addAll(comms);
            d.add("comm=" + String.join("|", comms));
        }
        if (mms != null) {
            for (String m : mms) {
                f.mms.add(parseMm(m));
            }
            d.add("mm=" + String.join("|", mms));
        }
        boolean ticks = !sources.isEmpty() && sources.get(0).counterClock();
        long first = Long.MAX_VALUE;
        for (Manifest.Source s : sources) {
            if (s.firstTs != null) first = Math.min(first, s.firstTs);
        }
        if (first == Long.MAX_VALUE) first = 0;
        if (from != null) {
            f.from = EventFilter.parseTime("--from", from, ticks, first);
            d.add("from=" + from);
        }
        if (to != null) {
            f.to = EventFilter.parseTime("--to", to, ticks, first);
            d.add("to=" + to);
        }
        if (f.from >= f.to) {
            throw new IllegalArgumentException("--from " + from + " is not before --to " + to + ": no event can match");
        }
        f.description = String.join(", ", d);
        return f;
    }

    static long parseMm(String s) {
        String h = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (h.startsWith("0x")) h = h.substring(2);
        try {
            return Long.parseUnsignedLong(h, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--mm " + s + ": not an mm address (hex, e.g. 0xffff8881234a5600 or "
                    + "ffff8881234a5600)");
        }
    }

    private static String join(List<Integer> l) {
        List<String> s = new ArrayList<>();
        l.forEach(i -> s.add(Integer.toString(i)));
        return String.join("|", s);
    }
}
