package vmalock.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import vmalock.store.MapsSnapshots;

/**
 * Snapshots {@code /proc/PID/maps} of the traced processes into the workspace
 * ({@link MapsSnapshots}), on its own thread so the trace reader never waits for /proc.
 *
 * <p>Triggers: {@link #start} (a process present at the beginning), {@link #startAfterExec} (the
 * traced command, as soon as its launcher has exec'd it), {@link #exec} ({@code sched_process_exec}), {@link #fork} (a new process — not a new
 * thread — of a followed tree), {@link #seen} (whole-machine mode: the first event of a process), a
 * periodic poll in follow mode that re-reads the maps and stores them when they changed, and
 * {@link #exit}: the kernel tears the mm down before {@code sched_process_exit} fires, so the exit
 * snapshot is the last poll (at most one poll interval old), tagged with the exit event's time.
 *
 * <p>Limits, stated honestly: an exec/start snapshot is taken when the event reaches the reader —
 * typically well under a millisecond later, by which time the new image may have mapped more; a
 * process that lives shorter than that has no snapshot; reading maps takes the target's mmap lock
 * (or per-VMA locks) for read, a small perturbation (polling can be turned off with interval 0,
 * which also turns off exit snapshots). Whole-machine mode does not poll (too many processes).
 */
public final class MapsSnapshotter implements AutoCloseable {
    /** At most this many processes are snapshotted in whole-machine mode; more are counted as skipped. */
    static final int MAX_PROCESSES = 2048;

    private enum What { START, START_AFTER_EXEC, EXEC, FORK, SEEN, EXIT, STOP }

    private record Request(What what, int pid, long ts, String before) {
        Request(What what, int pid, long ts) {
            this(what, pid, ts, null);
        }
    }

    private static final class Tracked {
        String maps;
        long readTs;
        long readNs;
        String comm;
        String exe;
    }

    private final MapsSnapshots.Writer writer;
    private final LongSupplier now;
    private final boolean follow;
    private final long pollNanos;
    private final long selfPid = ProcessHandle.current().pid();
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Map<Integer, Tracked> tracked = new HashMap<>();
    /** Whole-machine mode: tgids already queued (touched by the reader thread only). */
    private final Set<Integer> seenTgids = new HashSet<>();
    private final Thread thread;
    private volatile int written;
    private volatile int gone;
    private volatile int skipped;
    private IOException writeError;

    /**
     * @param follow       true when following a command or pids (poll + exit snapshots), false for whole machine
     * @param pollMillis   poll interval in follow mode; 0 turns polling (and exit snapshots) off
     * @param now          the trace clock's current time (ns), to stamp snapshots on the events' time axis
     */
    public MapsSnapshotter(MapsSnapshots.Writer writer, boolean follow, long pollMillis, LongSupplier now) {
        this.writer = writer;
        this.follow = follow;
        this.pollNanos = TimeUnit.MILLISECONDS.toNanos(pollMillis);
        this.now = now;
        this.thread = new Thread(this::loop, "vmalock-maps");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public void start(int pid) {
        queue.add(new Request(What.START, pid, -1));
    }

    /**
     * The traced command: its launcher shell is about to exec it. Watches {@code /proc/PID/cmdline} (every
     * 100 µs, up to 2 s) for the exec, then for the program file to appear in the maps (the kernel
     * switches to the new mm before it maps the program), and snapshots then — much sooner than the
     * {@code sched_process_exec} event would arrive through a busy trace_pipe. The dynamic loader
     * maps the libraries after that: the next poll records them.
     */
    public void startAfterExec(int pid) {
        // read now, while the launcher is still stopped: after SIGCONT it may exec at any moment
        queue.add(new Request(What.START_AFTER_EXEC, pid, -1, readTrim(cmdline(pid))));
    }

    private static Path cmdline(int pid) {
        return Paths.get("/proc", Integer.toString(pid), "cmdline");
    }

    public void exec(int pid) {
        queue.add(new Request(What.EXEC, pid, -1));
    }

    /** A fork in a followed tree: snapshotted only if the child is a new process (its own tgid). */
    public void fork(int childPid) {
        if (follow) queue.add(new Request(What.FORK, childPid, -1));
    }

    /** Whole-machine mode: the first event of a tgid triggers one snapshot. Called by the reader thread. */
    public void seen(int tgid) {
        if (follow || tgid <= 0 || tgid == selfPid || seenTgids.contains(tgid)) return;
        if (seenTgids.size() >= MAX_PROCESSES) {
            if (seenTgids.add(tgid)) skipped++;
            return;
        }
        seenTgids.add(tgid);
        queue.add(new Request(What.SEEN, tgid, -1));
    }

    /** {@code sched_process_exit} of {@code pid} at trace time {@code ts}. */
    public void exit(int pid, long ts) {
        if (follow) queue.add(new Request(What.EXIT, pid, ts));
    }

    public int written() {
        return written;
    }

    /** Snapshots that could not be taken because the process was already gone. */
    public int gone() {
        return gone;
    }

    /** Whole-machine processes not snapshotted because of {@link #MAX_PROCESSES}. */
    public int skipped() {
        return skipped;
    }

    private void loop() {
        long nextPoll = System.nanoTime() + pollNanos;
        try {
            while (true) {
                Request r;
                if (follow && pollNanos > 0) {
                    long wait = nextPoll - System.nanoTime();
                    r = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
                } else {
                    r = queue.take();
                }
                if (r != null) {
                    if (r.what == What.STOP) {
                        return;
                    }
                    handle(r);
                }
                if (follow && pollNanos > 0 && System.nanoTime() - nextPoll >= 0) {
                    poll();
                    nextPoll = System.nanoTime() + pollNanos;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            writeError = e;
        }
    }

    private void handle(Request r) throws IOException {
        switch (r.what) {
            case START:
                snapshot(r.pid, "start");
                break;
            case START_AFTER_EXEC: {
                // the command line changes at exec even when the command is /bin/sh like its launcher
                Path cmdline = cmdline(r.pid);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                String now;
                while (!(now = readTrim(cmdline)).equals("?") && now.equals(r.before) && System.nanoTime() - deadline < 0) {
                    LockSupport.parkNanos(100_000);
                }
                // the new mm exists before the kernel has mapped the program: wait until its file is in the maps
                String exe = exeOf(r.pid);
                String m;
                while (exe != null && (m = read(r.pid)) != null && !m.contains(" " + exe + "\n")
                        && System.nanoTime() - deadline < 0) {
                    LockSupport.parkNanos(100_000);
                }
                snapshot(r.pid, "start");
                break;
            }
            case EXEC:
                snapshot(r.pid, "exec");
                break;
            case SEEN:
                snapshot(r.pid, "first-seen");
                break;
            case FORK:
                if (tgidOf(r.pid) == r.pid && !tracked.containsKey(r.pid)) snapshot(r.pid, "fork");
                break;
            case EXIT: {
                Tracked t = tracked.remove(r.pid);
                if (t != null && t.maps != null) {
                    writer.write(t.readTs, t.readNs, r.pid, r.pid, "exit", t.comm, t.exe, r.ts, t.maps);
                    written++;
                }
                break;
            }
            default:
                break;
        }
    }

    private void poll() throws IOException {
        for (Map.Entry<Integer, Tracked> e : tracked.entrySet()) {
            int pid = e.getKey();
            Tracked t = e.getValue();
            long t0 = now.getAsLong();
            String maps = read(pid);
            long ts = now.getAsLong();
            if (maps == null) continue; // exited (its exit request follows) or unreadable
            if (!maps.equals(t.maps)) {
                writer.write(ts, ts - t0, pid, pid, "poll", t.comm, t.exe, -1, maps);
                written++;
            }
            t.maps = maps;
            t.readTs = ts;
            t.readNs = ts - t0;
        }
    }

    private void snapshot(int pid, String reason) throws IOException {
        // the program file is read before and after the maps: an exec between the two (a fork snapshot of a
        // child that execs at once) would label the parent's copied maps with the new program; read again
        String exe;
        long t0;
        String maps;
        long ts;
        int tries = 0;
        do {
            exe = exeOf(pid);
            t0 = now.getAsLong();
            maps = read(pid);
            ts = now.getAsLong();
        } while (maps != null && ++tries < 3 && !Objects.equals(exe, exeOf(pid)));
        if (maps == null) {
            gone++;
            return;
        }
        Tracked t = new Tracked();
        t.comm = readTrim(Paths.get("/proc", Integer.toString(pid), "comm"));
        t.exe = exe == null ? "?" : exe;
        t.maps = maps;
        t.readTs = ts;
        t.readNs = ts - t0;
        writer.write(ts, ts - t0, pid, pid, reason, t.comm, t.exe, -1, maps);
        written++;
        if (follow) tracked.put(pid, t);
    }

    private static String exeOf(int pid) {
        try {
            return Files.readSymbolicLink(Paths.get("/proc", Integer.toString(pid), "exe")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static String read(int pid) {
        try {
            String m = Files.readString(Paths.get("/proc", Integer.toString(pid), "maps"));
            return m.isEmpty() ? null : m; // a zombie (mm already gone) or a kernel thread reads as empty
        } catch (IOException e) {
            return null;
        }
    }

    private static String readTrim(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    /** The thread-group id of a task, or -1 if it is gone. */
    static int tgidOf(int pid) {
        try {
            for (String l : Files.readAllLines(Paths.get("/proc", Integer.toString(pid), "status"))) {
                if (l.startsWith("Tgid:")) return Integer.parseInt(l.substring(5).trim());
            }
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Finishes pending requests, stops the thread and closes the file. */
    @Override
    public void close() throws IOException {
        queue.add(new Request(What.STOP, 0, 0));
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.close();
        if (writeError != null) throw writeError;
    }
}
