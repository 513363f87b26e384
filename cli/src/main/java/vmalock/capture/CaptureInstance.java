package vmalock.capture;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The tracefs instance a capture records into: {@code instances/vmalock-PID}. Its ring buffer,
 * enabled events, options, clock, buffer size and pid filters are its own, so the top-level tracing
 * setup (and any other user's instance) is never touched. The only global thing it may change is
 * {@code kprobe_events} and {@code uprobe_events} (probe definitions), and it removes exactly what it added.
 *
 * <p>{@link #close()} puts everything back — tracing off, events disabled, pid filters cleared, the
 * instance removed, the probes it defined deleted — and is idempotent and thread-safe, so both the
 * normal path and the shutdown hook (Ctrl-C, SIGTERM, errors) may call it.
 */
public final class CaptureInstance implements AutoCloseable {
    public static final String PREFIX = "vmalock-";

    private final Tracefs fs;
    private final String name;
    private final String dir;
    private final List<String> enabled = new ArrayList<>();
    private final List<String> probesDefined = new ArrayList<>();
    private boolean created;
    private boolean closed;

    private CaptureInstance(Tracefs fs, String name) {
        this.fs = fs;
        this.name = name;
        this.dir = "instances/" + name;
    }

    /** Creates {@code instances/vmalock-<pid>}; fails if it exists. */
    public static CaptureInstance create(Tracefs fs, long pid) throws CaptureException {
        CaptureInstance i = new CaptureInstance(fs, PREFIX + pid);
        Path p = fs.path(i.dir);
        try {
            Files.createDirectory(p);
        } catch (IOException e) {
            throw fs.error("cannot create the tracefs instance", i.dir, e);
        }
        i.created = true;
        return i;
    }

    public String name() {
        return name;
    }

    /** Path of a file inside the instance, relative to the tracefs root. */
    public String rel(String file) {
        return dir + "/" + file;
    }

    public Path tracePipe() {
        return fs.path(rel("trace_pipe"));
    }

    public Tracefs tracefs() {
        return fs;
    }

    /** Buffer size per CPU (KiB), trace clock, record-tgid and event-fork options. Tracing stays off. */
    public void configure(int bufferKb, String clock, boolean eventFork) throws CaptureException {
        fs.write(rel("tracing_on"), "0");
        fs.write(rel("buffer_size_kb"), Integer.toString(bufferKb));
        String clocks = fs.readValue(rel("trace_clock"));
        if (!(" " + clocks.replace("[", "").replace("]", "") + " ").contains(" " + clock + " ")) {
            throw new CaptureException(CaptureException.Kind.INPUT, "--clock " + clock + ": this kernel offers only: "
                    + clocks.replace("[", "").replace("]", ""));
        }
        fs.write(rel("trace_clock"), clock);
        fs.write(rel("options/record-tgid"), "1");
        fs.write(rel("options/event-fork"), eventFork ? "1" : "0");
    }

    /**
     * Defines kprobes (global {@code kprobe_events}); returns the definitions the kernel refused, with
     * its reason from {@code error_log}, so the caller can report them as skipped.
     */
    public List<String> defineProbes(List<String> defs) throws CaptureException {
        return defineProbes("kprobe_events", defs);
    }

    /**
     * Defines probes in {@code file} ({@code kprobe_events} or {@code uprobe_events}, both global); returns
     * the definitions the kernel refused, with its reason from {@code error_log}. {@link #close()} deletes
     * every probe defined here.
     */
    public List<String> defineProbes(String file, List<String> defs) throws CaptureException {
        List<String> refused = new ArrayList<>();
        for (String d : defs) {
            String event = d.substring(2, d.indexOf(' ')); // "group/name"
            try {
                fs.append(file, d);
                probesDefined.add(file + "|" + event);
            } catch (CaptureException e) {
                String log = "";
                try {
                    String[] lines = fs.read("error_log").strip().split("\n");
                    log = lines.length > 0 ? " — " + lines[lines.length - 1].trim() : "";
                } catch (CaptureException ignored) {
                    // no error_log on old kernels
                }
                refused.add(event + ": " + e.getMessage() + log);
            }
        }
        return refused;
    }

    /** The {@code group/name} of the probes this capture defined in {@code file}. */
    public List<String> definedProbes(String file) {
        List<String> out = new ArrayList<>();
        for (String p : probesDefined) if (p.startsWith(file + "|")) out.add(p.substring(file.length() + 1));
        return out;
    }

    /** Enables {@code sys:event} entries in this instance. */
    public void enable(List<String> events) throws CaptureException {
        for (String e : events) {
            int c = e.indexOf(':');
            fs.write(rel("events/" + e.substring(0, c) + "/" + e.substring(c + 1) + "/enable"), "1");
            enabled.add(e);
        }
    }

    /** Restricts events to these pids (and, with event-fork, their future children). */
    public void setPids(Collection<Integer> pids) throws CaptureException {
        writePids("set_event_pid", pids);
    }

    /** Excludes these pids (used for the capture's own threads in whole-machine mode). */
    public void setNotracePids(Collection<Integer> pids) throws CaptureException {
        if (fs.exists(rel("set_event_notrace_pid"))) writePids("set_event_notrace_pid", pids);
    }

    private void writePids(String file, Collection<Integer> pids) throws CaptureException {
        fs.write(rel(file), "");
        for (int p : pids) {
            try {
                fs.append(rel(file), Integer.toString(p));
            } catch (CaptureException e) {
                if (!exited(p)) throw e; // a thread that exited meanwhile is fine
            }
        }
    }

    /** Gone, or a zombie (exited, not yet reaped). */
    static boolean exited(int pid) {
        try {
            String st = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            int rp = st.lastIndexOf(')');
            return rp > 0 && rp + 2 < st.length() && (st.charAt(rp + 2) == 'Z' || st.charAt(rp + 2) == 'X');
        } catch (IOException e) {
            return true;
        }
    }

    public void tracingOn(boolean on) throws CaptureException {
        fs.write(rel("tracing_on"), on ? "1" : "0");
    }

    /** Events currently enabled by this capture. */
    public List<String> enabled() {
        return List.copyOf(enabled);
    }

    /** Sum over CPUs of the instance's per_cpu/cpuN/stats counters. */
    public record Stats(long entries, long overrun, long dropped, long read, List<Long> overrunByCpu) {
        public long lost() {
            return overrun + dropped;
        }
    }

    public Stats stats() throws CaptureException {
        long entries = 0, overrun = 0, dropped = 0, read = 0;
        List<Long> byCpu = new ArrayList<>();
        for (String cpu : fs.list(rel("per_cpu"))) {
            String s = fs.read(rel("per_cpu/" + cpu + "/stats"));
            long o = field(s, "overrun:") + field(s, "dropped events:");
            entries += field(s, "entries:");
            overrun += field(s, "overrun:");
            dropped += field(s, "dropped events:");
            read += field(s, "read events:");
            int n = Integer.parseInt(cpu.substring(3));
            while (byCpu.size() <= n) byCpu.add(0L);
            byCpu.set(n, o);
        }
        return new Stats(entries, overrun, dropped, read, byCpu);
    }

    static long field(String stats, String key) {
        for (String l : stats.split("\n")) {
            if (l.startsWith(key)) {
                try {
                    return Long.parseLong(l.substring(key.length()).trim());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /**
     * Puts tracefs back: tracing off, events disabled, pid filters cleared, instance removed, probes
     * deleted. Every step is attempted even if an earlier one fails; the first failure is rethrown.
     */
    @Override
    public synchronized void close() throws CaptureException {
        if (closed || !created) {
            closed = true;
            return;
        }
        closed = true;
        CaptureException first = null;
        first = attempt(first, () -> fs.write(rel("tracing_on"), "0"));
        for (String e : enabled) {
            int c = e.indexOf(':');
            first = attempt(first, () -> fs.write(rel("events/" + e.substring(0, c) + "/" + e.substring(c + 1) + "/enable"), "0"));
        }
        first = attempt(first, () -> fs.write(rel("set_event_pid"), ""));
        if (fs.exists(rel("set_event_notrace_pid"))) first = attempt(first, () -> fs.write(rel("set_event_notrace_pid"), ""));
        first = attempt(first, this::removeDir);
        for (String p : probesDefined) {
            int bar = p.indexOf('|');
            first = attempt(first, () -> fs.append(p.substring(0, bar), "-:" + p.substring(bar + 1)));
        }
        if (first != null) throw first;
    }

    private void removeDir() throws CaptureException {
        Path p = fs.path(dir);
        // EBUSY while a reader still has trace_pipe open: give it a moment to close
        for (int i = 0; ; i++) {
            try {
                Files.deleteIfExists(p);
                return;
            } catch (FileSystemException e) {
                if (i >= 50) throw fs.error("cannot remove the tracefs instance", dir, e);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw fs.error("cannot remove the tracefs instance", dir, e);
                }
            } catch (IOException e) {
                throw fs.error("cannot remove the tracefs instance", dir, e);
            }
        }
    }

    private interface Step {
        void run() throws CaptureException;
    }

    private static CaptureException attempt(CaptureException first, Step s) {
        try {
            s.run();
        } catch (CaptureException e) {
            return first == null ? e : first;
        }
        return first;
    }
}
