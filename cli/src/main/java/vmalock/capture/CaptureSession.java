package vmalock.capture;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import vmalock.parse.SourceResult;
import vmalock.parse.TraceFormat;
import vmalock.store.Checksums;
import vmalock.store.IngestSession;
import vmalock.store.MapsSnapshots;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/**
 * One capture, start to finish: checks the machine, takes the capture lock, sets up a tracefs
 * instance of its own, starts the command stopped (so tracing begins before its first instruction),
 * streams {@code trace_pipe} through the ftrace parser into a new workspace, snapshots
 * {@code /proc/PID/maps}, and on every way out — normal end, error, {@link #requestStop()} (Ctrl-C,
 * SIGTERM), or the JVM shutting down — puts tracefs back as it found it.
 *
 * <p>Workspace contents: the store's {@code queue/} and {@code manifest.json} (one source: the
 * captured text), {@value #TEXT_FILE} (that text, verbatim as read from trace_pipe),
 * {@value MapsSnapshots#FILE} and {@value CaptureReport#FILE}.
 */
public final class CaptureSession {
    public static final String TEXT_FILE = "capture-trace.txt";
    public static final int DEFAULT_BUFFER_KB = 8192;
    public static final String DEFAULT_CLOCK = "mono";

    /** What to capture. {@code durationSeconds} ≤ 0: no time limit. */
    public record Options(Path workspace, double durationSeconds, List<Integer> pids, int bufferKb, String events,
                          String clock, long mapsIntervalMillis, List<String> command, Path tracefsRoot, Path lockFile) {
        public Options {
            pids = pids == null ? List.of() : List.copyOf(pids);
            command = command == null ? List.of() : List.copyOf(command);
            if (clock == null) clock = DEFAULT_CLOCK;
            if (tracefsRoot == null) tracefsRoot = Tracefs.DEFAULT_ROOT;
            if (lockFile == null) lockFile = CaptureLock.DEFAULT;
        }
    }

    private final Options opt;
    private volatile boolean stopRequested;
    private volatile Process child;
    private volatile CaptureInstance instance;
    private final List<String> notes = new ArrayList<>();
    private static final boolean DEBUG = System.getenv("VMALOCK_DEBUG") != null;
    private long phaseStart = System.nanoTime();

    /** With VMALOCK_DEBUG set: how long each phase took, on stderr. */
    private void phase(String name) {
        if (DEBUG) {
            long now = System.nanoTime();
            System.err.printf("vmalock capture: %-28s %8.1f ms%n", name, (now - phaseStart) / 1e6);
            phaseStart = now;
        }
    }

    public CaptureSession(Options opt) {
        this.opt = opt;
    }

    /** Ends the capture early (Ctrl-C / SIGTERM); the run finishes normally and writes the workspace. */
    public void requestStop() {
        stopRequested = true;
    }

    /** The running command, if any (signals are forwarded to it). */
    public Process child() {
        return child;
    }

    /** Puts tracefs back now (for a shutdown hook); safe to call at any time, any number of times. */
    public void restoreNow() {
        CaptureInstance i = instance;
        if (i != null) {
            try {
                i.close();
            } catch (CaptureException e) {
                System.err.println("vmalock capture: " + e.getMessage());
            }
        }
    }

    public CaptureReport run() throws CaptureException {
        if (!opt.command.isEmpty() && !opt.pids.isEmpty()) {
            throw new CaptureException(CaptureException.Kind.INPUT, "give either a command or --pid, not both");
        }
        if (opt.bufferKb < 4) {
            throw new CaptureException(CaptureException.Kind.INPUT, "--buffer-kb must be at least 4 (KiB per CPU)");
        }
        String mode = !opt.command.isEmpty() ? "command" : !opt.pids.isEmpty() ? "pids" : "machine";
        boolean follow = !mode.equals("machine");
        List<String> cmd = opt.command.isEmpty() ? List.of() : resolveCommand(opt.command);
        for (int p : opt.pids) {
            if (ProcessHandle.of(p).isEmpty()) {
                throw new CaptureException(CaptureException.Kind.INPUT, "--pid " + p + ": no such process");
            }
        }
        EventPlan plan = EventPlan.parse(opt.events);
        checkWorkspaceDir(opt.workspace);
        Tracefs fs = Tracefs.open(opt.tracefsRoot, true);
        EventPlan.Resolved resolved = plan.resolve(fs, libcs(opt.pids), UPROBE_GROUP_PREFIX + ProcessHandle.current().pid());
        if (resolved.enable().isEmpty()) {
            throw new CaptureException(CaptureException.Kind.ENVIRONMENT, "none of the requested events exist on this kernel ("
                    + String.join(", ", resolved.skipped().keySet()) + ")");
        }
        Path dir = prepareWorkspaceDir(opt.workspace);
        phase("checks");

        long t0 = System.nanoTime();
        Thread hook = new Thread(this::restoreNow, "vmalock-capture-restore");
        try (CaptureLock lock = CaptureLock.acquire(opt.lockFile, fs, notes)) {
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                return capture(fs, resolved, dir, mode, follow, cmd, t0);
            } finally {
                restore();
                phase("tracefs restored");
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is already shutting down: the hook restores (idempotently)
                }
            }
        }
    }

    /** Where the kernel's /proc and /boot are ({@code /}; a directory of fake files in tests). */
    Path kernelRoot = Path.of("/");
    private KernelFacts kernelFacts = new KernelFacts(kernelRoot);
    private Map<String, Long> vmstatBefore;
    private Map<String, Long> vmstatAfter;

    void kernelRoot(Path root) {
        kernelRoot = root;
        kernelFacts = new KernelFacts(root);
    }

    /** Records uname -r, the config lines and the vmstat counters in the source's manifest entry. */
    private void recordKernel(vmalock.store.Manifest.Source e) {
        e.kernel = kernelFacts.release();
        e.kernelFrom = "recorded by capture";
        StringBuilder where = new StringBuilder();
        e.kernelConfig = kernelFacts.config(e.kernel, where);
        if (e.kernelConfig == null) {
            notes.add("kernel config not readable (/proc/config.gz, /boot/config-" + e.kernel + "): CONFIG_PER_VMA_LOCK "
                    + "assumed from the release");
        }
        if (vmstatBefore != null && vmstatAfter != null) {
            e.vmstatBefore = vmstatBefore;
            e.vmstatAfter = vmstatAfter;
        } else {
            notes.add("no vma_lock_* counters in /proc/vmstat (CONFIG_PER_VMA_LOCK_STATS off): stats shows none");
        }
    }

    private void restore() throws CaptureException {
        CaptureInstance i = instance;
        if (i != null) i.close();
    }

    private CaptureReport capture(Tracefs fs, EventPlan.Resolved resolved, Path dir, String mode, boolean follow,
                                  List<String> cmd, long t0) throws CaptureException {
        // the workspace first (Chronicle takes a while to start): the instance exists only while needed
        Path text = dir.resolve(TEXT_FILE);
        Workspace ws;
        try {
            ws = Workspace.forIngest(dir);
        } catch (StoreException e) {
            throw new CaptureException(CaptureException.Kind.WORKSPACE, e.getMessage(), e);
        }
        try (ws; OutputStream copy = new BufferedOutputStream(Files.newOutputStream(text), 1 << 16)) {
            IngestSession session = ws.beginSource(text, 0, "capture-" + UUID.randomUUID());
            phase("workspace opened");
            CaptureInstance inst = CaptureInstance.create(fs, ProcessHandle.current().pid());
            instance = inst;
            inst.configure(opt.bufferKb, opt.clock, true);
            Map<String, String> skipped = new LinkedHashMap<>(resolved.skipped());
            List<String> enable = new ArrayList<>(resolved.enable());
            for (String refused : inst.defineProbes(resolved.kprobeDefs())) {
                String event = refused.substring(0, refused.indexOf(':'));
                enable.remove(event.replace('/', ':'));
                skipped.put("kprobes:" + event.substring(event.indexOf('/') + 1), "the kernel refused the probe: " + refused);
            }
            for (String refused : inst.defineProbes("uprobe_events", resolved.uprobeDefs())) {
                String event = refused.substring(0, refused.indexOf(':'));
                skipped.put("uprobes:" + event.substring(event.indexOf('/') + 1), "the kernel refused the probe: " + refused);
            }
            for (String d : inst.definedProbes("uprobe_events")) enable.add(d.replace('/', ':'));
            inst.enable(enable);
            if (!follow) {
                inst.setNotracePids(ownThreads());
            }
            phase("instance + events enabled");
            LongSupplier now = opt.clock.equals("mono") ? System::nanoTime : () -> traceNow(inst);
            MapsSnapshotter maps = new MapsSnapshotter(new MapsSnapshots.Writer(dir, opt.clock), follow,
                    opt.mapsIntervalMillis, now);
            Integer exitStatus = null;
            long tracedFrom;
            long tracedNanos;
            CaptureSink sink;
            TracePipeReader reader = null;
            SourceResult result;
            CaptureInstance.Stats stats;
            try {
                int rootPid = -1;
                Process p = null;
                if (mode.equals("command")) {
                    p = startStopped(cmd);
                    child = p;
                    rootPid = (int) p.pid();
                }
                sink = new CaptureSink(session, maps, follow, rootPid);
                vmstatBefore = kernelFacts.vmstat();
                reader = new TracePipeReader(inst.tracePipe(), copy, sink, session.sourceIndex());
                reader.start();
                tracedFrom = System.nanoTime();
                switch (mode) {
                    case "command":
                        inst.setPids(List.of(rootPid));
                        inst.tracingOn(true);
                        maps.startAfterExec(rootPid);
                        signal(p.pid(), "CONT");
                        exitStatus = waitForCommand(p);
                        break;
                    case "pids":
                        List<Integer> all = new ArrayList<>();
                        for (int pid : opt.pids) all.addAll(threadsOf(pid));
                        inst.setPids(all);
                        inst.tracingOn(true);
                        for (int pid : opt.pids) maps.start(pid);
                        waitForPids();
                        break;
                    default:
                        inst.tracingOn(true);
                        waitForDuration();
                        break;
                }
                inst.tracingOn(false);
                tracedNanos = System.nanoTime() - tracedFrom;
                vmstatAfter = kernelFacts.vmstat();
                phase("traced");
                result = reader.finish(() -> {
                    try {
                        return inst.stats().entries() == 0;
                    } catch (CaptureException e) {
                        return true;
                    }
                }, 300, 60_000);
                stats = inst.stats();
                phase("drained");
            } catch (CaptureException | RuntimeException e) {
                if (reader != null) reader.abort();
                session.abort();
                throw e;
            } finally {
                try {
                    maps.close();
                } catch (IOException e) {
                    notes.add("maps snapshots incomplete: " + e.getMessage());
                }
            }
            copy.flush();
            IngestSession.Details d = new IngestSession.Details();
            d.format = TraceFormat.FTRACE.cliName();
            d.clock = opt.clock;
            d.counterClock = opt.clock.equals("counter") || opt.clock.equals("x86-tsc");
            d.barePointers = true;
            d.linesTotal = result.linesTotal();
            try {
                session.entry().size = Files.size(text);
                session.entry().checksum = Checksums.of(text);
            } catch (IOException e) {
                throw new CaptureException(CaptureException.Kind.WORKSPACE, text + ": " + e.getMessage(), e);
            }
            recordKernel(session.entry());
            session.commit(d);
            phase("committed");
            long wall = System.nanoTime() - t0;
            CaptureReport r = new CaptureReport(dir.toString(), mode, cmd, opt.pids, inst.name(), opt.clock, opt.bufferKb,
                    inst.enabled(), skipped, wall, tracedNanos, reader.bytes(), result.linesTotal(), sink.events(), sink.eventsByName(),
                    sink.problems(), sink.firstProblem(), sink.lostMarkers(), sink.lostEvents(), stats.lost(),
                    stats.overrunByCpu(), maps.written(), maps.gone(), exitStatus, stopRequested, List.copyOf(notes));
            CaptureReportJson.write(r, dir.resolve(CaptureReport.FILE));
            return r;
        } catch (IOException e) {
            throw new CaptureException(CaptureException.Kind.WORKSPACE, dir + ": " + e.getMessage(), e);
        } catch (StoreException e) {
            throw new CaptureException(CaptureException.Kind.WORKSPACE, e.getMessage(), e);
        }
    }

    /** Group of the open-path uprobes: {@code vmalock_PID}, one per capture (removed by the next capture if it was killed). */
    public static final String UPROBE_GROUP_PREFIX = "vmalock_";

    /**
     * The C libraries to put the open-path uprobes on: those mapped by this JVM and by the {@code --pid}
     * processes (a command started by the capture is a child of this one and uses the system's C library,
     * as does whatever it runs unless it brings its own — a statically linked or container program, whose
     * opens then carry no path).
     */
    static List<Path> libcs(List<Integer> pids) {
        java.util.Set<Path> out = new java.util.LinkedHashSet<>();
        List<String> sources = new ArrayList<>();
        sources.add("self");
        for (int p : pids) sources.add(Integer.toString(p));
        for (String src : sources) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of("/proc", src, "maps"));
            } catch (IOException | RuntimeException e) {
                continue; // gone meanwhile
            }
            for (String l : lines) {
                int slash = l.indexOf('/');
                if (slash < 0) continue;
                String file = l.substring(slash);
                String base = file.substring(file.lastIndexOf('/') + 1);
                if (!(base.equals("libc.so.6") || base.matches("libc-[0-9.]+\\.so") || base.startsWith("ld-musl-"))) continue;
                try {
                    out.add(Path.of(file).toRealPath());
                } catch (IOException | RuntimeException e) {
                    // deleted since it was mapped: nothing to probe
                }
            }
        }
        return new ArrayList<>(out);
    }

    // ---- the workspace ---------------------------------------------------------------------------

    /** A capture writes a new workspace: DIR must not exist or be empty. */
    static Path prepareWorkspaceDir(Path dir) throws CaptureException {
        dir = checkWorkspaceDir(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CaptureException(CaptureException.Kind.WORKSPACE, dir + ": cannot create the workspace: "
                    + Tracefs.reason(e), e);
        }
        return dir;
    }

    static Path checkWorkspaceDir(Path dir) throws CaptureException {
        dir = dir.toAbsolutePath().normalize();
        try {
            if (Files.exists(dir)) {
                if (!Files.isDirectory(dir)) {
                    throw new CaptureException(CaptureException.Kind.WORKSPACE, dir + ": exists and is not a directory");
                }
                try (Stream<Path> s = Files.list(dir)) {
                    if (s.findAny().isPresent()) {
                        throw new CaptureException(CaptureException.Kind.WORKSPACE, dir
                                + ": not empty; a capture writes a new workspace (choose a new -w DIR)");
                    }
                }
            }
        } catch (IOException e) {
            throw new CaptureException(CaptureException.Kind.WORKSPACE, dir + ": cannot read: " + Tracefs.reason(e), e);
        }
        return dir;
    }

    // ---- the traced command ----------------------------------------------------------------------

    /** Resolves argv[0] on PATH (so "not found" is our clear error, not the shell's). */
    static List<String> resolveCommand(List<String> cmd) throws CaptureException {
        String c = cmd.get(0);
        Path exe = null;
        if (c.contains("/")) {
            exe = Paths.get(c);
        } else {
            String path = System.getenv("PATH");
            for (String d : (path == null ? "/usr/local/bin:/usr/bin:/bin" : path).split(":")) {
                Path cand = Paths.get(d.isEmpty() ? "." : d, c);
                if (Files.isRegularFile(cand) && Files.isExecutable(cand)) {
                    exe = cand;
                    break;
                }
            }
        }
        if (exe == null || !Files.exists(exe)) {
            throw new CaptureException(CaptureException.Kind.INPUT, c + ": command not found");
        }
        if (!Files.isRegularFile(exe) || !Files.isExecutable(exe)) {
            throw new CaptureException(CaptureException.Kind.INPUT, c + ": not an executable file");
        }
        return cmd;
    }

    /**
     * Starts {@code sh -c 'kill -STOP $$; exec "$@"'} with the command: the shell stops itself before
     * exec'ing it, so the capture can put its pid in the filter and turn tracing on before the command's
     * first instruction; {@code SIGCONT} then lets it go. stdin/stdout/stderr are inherited.
     */
    private static Process startStopped(List<String> cmd) throws CaptureException {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "kill -STOP $$; exec \"$@\"", "vmalock-capture"));
        argv.addAll(cmd);
        Process p;
        try {
            p = new ProcessBuilder(argv).inheritIO().start();
        } catch (IOException e) {
            throw new CaptureException(CaptureException.Kind.INPUT, cmd.get(0) + ": cannot start: " + e.getMessage());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!isStopped(p.pid())) {
            if (!p.isAlive() || System.nanoTime() - deadline > 0) {
                p.destroyForcibly();
                throw new CaptureException(CaptureException.Kind.INPUT, cmd.get(0) + ": the launcher shell did not start");
            }
            sleep(1);
        }
        return p;
    }

    /** State {@code T} (stopped) in /proc/PID/stat. */
    static boolean isStopped(long pid) {
        try {
            String s = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"));
            int rp = s.lastIndexOf(')');
            return rp > 0 && rp + 2 < s.length() && s.charAt(rp + 2) == 'T';
        } catch (IOException e) {
            return false;
        }
    }

    static void signal(long pid, String sig) throws CaptureException {
        try {
            Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
            if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
                throw new CaptureException(CaptureException.Kind.TRACEFS, "kill -" + sig + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new CaptureException(CaptureException.Kind.TRACEFS, "cannot run kill: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the command to exit, the duration to pass, or a stop request (forwarded as SIGINT). */
    private Integer waitForCommand(Process p) throws CaptureException {
        long deadline = opt.durationSeconds > 0 ? System.nanoTime() + (long) (opt.durationSeconds * 1e9) : Long.MAX_VALUE;
        boolean forwarded = false;
        while (true) {
            try {
                if (p.waitFor(20, TimeUnit.MILLISECONDS)) return p.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopRequested = true;
            }
            if (stopRequested && !forwarded) {
                forwarded = true;
                if (p.isAlive()) signal(p.pid(), "INT");
                deadline = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
            }
            if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0) {
                notes.add("stopped before the command ended; it is still running (pid " + p.pid() + ")");
                return null;
            }
        }
    }

    private void waitForPids() {
        long deadline = opt.durationSeconds > 0 ? System.nanoTime() + (long) (opt.durationSeconds * 1e9) : Long.MAX_VALUE;
        while (!stopRequested && System.nanoTime() - deadline < 0) {
            boolean any = false;
            for (int p : opt.pids) any |= !CaptureInstance.exited(p);
            if (!any) return;
            sleep(20);
        }
    }

    private void waitForDuration() {
        long deadline = opt.durationSeconds > 0 ? System.nanoTime() + (long) (opt.durationSeconds * 1e9) : Long.MAX_VALUE;
        while (!stopRequested && System.nanoTime() - deadline < 0) {
            sleep(20);
        }
    }

    static List<Integer> threadsOf(int pid) {
        List<Integer> out = new ArrayList<>();
        out.add(pid);
        try (Stream<Path> s = Files.list(Paths.get("/proc", Integer.toString(pid), "task"))) {
            s.map(p -> p.getFileName().toString()).map(Integer::parseInt).filter(t -> t != pid).sorted().forEach(out::add);
        } catch (IOException | NumberFormatException e) {
            // gone: the pid alone
        }
        return out;
    }

    private static List<Integer> ownThreads() {
        return threadsOf((int) ProcessHandle.current().pid());
    }

    /** The instance's trace clock "now" from per_cpu/cpu0/stats (µs resolution), in ns (or ticks). */
    static long traceNow(CaptureInstance inst) {
        try {
            String s = inst.tracefs().read(inst.rel("per_cpu/cpu0/stats"));
            for (String l : s.split("\n")) {
                if (l.startsWith("now ts:")) {
                    String v = l.substring(7).trim();
                    int dot = v.indexOf('.');
                    if (dot < 0) return Long.parseLong(v);
                    String frac = (v.substring(dot + 1) + "000000000").substring(0, 9);
                    return Long.parseLong(v.substring(0, dot)) * 1_000_000_000L + Long.parseLong(frac);
                }
            }
        } catch (CaptureException | NumberFormatException e) {
            // fall through
        }
        return -1;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
