package vmalock.replay;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import vmalock.event.Event;
import vmalock.lock.Finding;
import vmalock.stats.StatsJson;
import vmalock.stats.WorkspaceStats;
import vmalock.store.EventReader;
import vmalock.store.IngestSession;
import vmalock.store.Manifest;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/**
 * Runs replays of a workspace's sources and stores each run as a workspace of its own under
 * {@code DIR/runs/RUN-ID/} (the same Chronicle format, one replayed source per observed source) plus
 * {@code run.json} (policy, parameters, counters, findings, modelling assumptions), so that
 * {@code stats --run RUN-ID} measures a replay with exactly the code that measures a trace.
 */
public final class ReplayRunner {
    public static final String RUNS_DIR = "runs";
    public static final String RUN_FILE = "run.json";
    static final int MAX_FINDINGS_IN_JSON = 50;

    private ReplayRunner() {}

    /** The CPU model's scheduler, as {@code --wakeup-preempt} names it. */
    public static String schedulerModel(ReplayOptions o) {
        return o.eevdf ? "eevdf" : !o.wakeupPreemption ? "off" : o.wakeupPreemptFromTrace ? "trace"
                : o.wakeupPreemptMinRun ? "min-run" : o.wakeupPreemptPrevCpu ? "prev-cpu" : "on";
    }

    /** The run id for these options: {@code POLICY-sSEED[-cCPUS][-TIMING]…}, a scheduler other than eevdf as {@code -qMODEL}. */
    public static String runId(ReplayOptions o) {
        String p = o.policy.name;
        if (!PolicyPreset.PRESETS.containsKey(p)) {
            p = "custom-" + sha256(o.policy.spec()).substring(0, 8);
        }
        StringBuilder sb = new StringBuilder(p).append("-s").append(o.seed);
        if (o.cpus > 0) sb.append("-c").append(o.cpus);
        if (o.timing != ReplayOptions.Timing.AUTO) sb.append('-').append(o.timing.name().toLowerCase(Locale.ROOT));
        if (o.wakeLatencyNs >= 0) sb.append("-w").append(o.wakeLatencyNs);
        if (o.faultCostScale != 1) sb.append("-fx").append(o.faultCostScale);
        if (o.migrationCostNs > 0) sb.append("-m").append(o.migrationCostNs);
        if (!o.eevdf) sb.append("-q").append(schedulerModel(o)); // the single-queue models (the default, eevdf, adds nothing)
        else if (o.delayDequeue != ReplayOptions.DEFAULT_DELAY_DEQUEUE) sb.append(o.delayDequeue ? "-dd" : "-nodd");
        if (o.rcuwaitSwitchOut != ReplayOptions.DEFAULT_RCUWAIT_SWITCH_OUT) sb.append(o.rcuwaitSwitchOut ? "-rso" : "-norso");
        if (o.wakerCost != ReplayOptions.DEFAULT_WAKER_COST) sb.append(o.wakerCost ? "-wk" : "-nowk");
        if (o.wakeOnPrevCpu != null) sb.append(o.wakeOnPrevCpu ? "-wcprev" : "-wcidle");
        if (o.live) sb.append("-live");
        if (o.filter != null) sb.append("-f").append(sha256(o.filter), 0, 8); // a filtered run never replaces the whole one
        return sb.toString();
    }

    public static Path runDir(Path workspace, String runId) {
        return workspace.resolve(RUNS_DIR).resolve(runId);
    }

    /** Reads one source's events into work. */
    public static Workload load(Workspace ws, Manifest.Source src, long faultCostNs) {
        return load(ws, src, faultCostNs, 1);
    }

    /** {@code faultCostScale} multiplies the chosen per-VMA fault cost (sensitivity sweeps). */
    public static Workload load(Workspace ws, Manifest.Source src, long faultCostNs, double faultCostScale) {
        if (src.counterClock()) {
            throw new StoreException(ws.dir() + ": source " + src.index + " (" + src.name + ") uses the " + src.clock
                    + " clock (ticks, not time): the replay needs a time clock");
        }
        WorkBuilder b = new WorkBuilder(faultCostNs);
        b.faultCostScale = faultCostScale;
        try (EventReader r = ws.reader(List.of(src))) {
            Event e = new Event();
            while (r.next(e)) b.accept(e);
        }
        if (java.nio.file.Files.isRegularFile(ws.dir().resolve(vmalock.store.MapsSnapshots.FILE))) {
            b.useMapsSnapshots(vmalock.store.MapsSnapshots.read(ws.dir()));
        }
        Workload w = b.finish();
        w.kernelRelease = src.kernel;
        w.kernelReleaseFrom = src.kernelFrom;
        w.perVmaLockConfig = src.perVmaLockConfig();
        return w;
    }

    /**
     * Every source's work as {@link #run} builds it, for several replays of it ({@link #run} with {@code work}):
     * read-only from then on, so replays may share it at once (each streams a spilled task back through a reader
     * of its own). The caller closes each workload when its replays are done.
     */
    static List<Workload> loadAll(Workspace ws, List<Manifest.Source> sources, long faultCostNs, double faultCostScale) {
        List<Workload> out = new ArrayList<>(sources.size());
        try {
            for (Manifest.Source src : sources) {
                Workload w = load(ws, src, faultCostNs, faultCostScale);
                out.add(w);
                for (MmWork m : w.mms) m.firstStart(); // its lazily computed value, set before other threads read it
            }
        } catch (RuntimeException | Error e) {
            closeAll(out);
            throw e;
        }
        return out;
    }

    /** Closes every workload of {@link #loadAll} (null: none). */
    static void closeAll(List<Workload> work) {
        if (work == null) return;
        for (Workload w : work) w.close();
    }

    /**
     * Work from events read elsewhere (the fleet job's event blocks, no workspace): {@code events} hands every
     * event of one source to the consumer it is given, in order — the same building as {@link #load}.
     */
    public static Workload load(java.util.function.Consumer<java.util.function.Consumer<Event>> events, long faultCostNs,
                                double faultCostScale) {
        return load(events, faultCostNs, faultCostScale, WorkBuilder.DEFAULT_MEMORY_OPS);
    }

    /** As above, keeping up to {@code memoryOps} operations in memory before spilling finished ones to a temporary file. */
    public static Workload load(java.util.function.Consumer<java.util.function.Consumer<Event>> events, long faultCostNs,
                                double faultCostScale, int memoryOps) {
        WorkBuilder b = new WorkBuilder(faultCostNs, memoryOps, null);
        b.faultCostScale = faultCostScale;
        events.accept(b::accept);
        return b.finish();
    }

    /**
     * What this run's figures cannot show, or show from inferred inputs, for its policy: work the trace does
     * not contain (lock-free /proc/PID/maps readers that the policy would put under mmap_lock) and remote
     * reads whose target the trace does not give.
     */
    static com.fasterxml.jackson.databind.node.ArrayNode caveats(PolicyPreset p, KernelBaseline kb, ReplayCounters c,
                                                                 long openPathEvents, int cpus) {
        com.fasterxml.jackson.databind.node.ArrayNode a = StatsJson.JSON.createArrayNode();
        boolean mapsUnderMmap = p.policy.withSmp(cpus != 1).mapsReadersUnderMmapLock();
        if (kb != null && kb.mapsReadersLockless && mapsUnderMmap && openPathEvents == 0) {
            a.add("/proc/PID/maps readers: the traced kernel" + (kb.guessed ? " (if 6.17+)" : "") + " reads maps under RCU "
                    + "(lock_next_vma) and leaves no mmap_lock events, and the trace was captured without the open-path "
                    + "uprobes that show them; under " + p.name + " each such read would hold mmap_read_lock: not replayed, "
                    + "so waits are under-predicted where a workload reads its maps");
        }
        long inferred = c.remoteGup + c.remoteShortInferred + c.remoteWalkInferred + c.remoteProcArgs + c.remoteProcWalk;
        if (c.remote > 0 && inferred > 0 && p.policy.remote == vmalock.lock.Policy.RemoteStrategy.VMA_LOCK_FAST_PATH) {
            a.add(String.format(java.util.Locale.ROOT, "remote reads: %d of %d have no traced target (process_vm_readv %d: "
                    + "iovecs not traced; %d classified by the /proc file read, from the open-path probes: cmdline/environ "
                    + "%d, smaps-like walks %d; %d by hold alone: ≤5 µs one page of cmdline/environ, longer a smaps-like "
                    + "walk %d): their VMA and page are drawn at random; %d /proc/PID/mem reads use the traced address",
                    inferred, c.remote, c.remoteGup, c.remoteProcArgs + c.remoteProcWalk, c.remoteProcArgs, c.remoteProcWalk,
                    c.remoteShortInferred + c.remoteWalkInferred, c.remoteWalkInferred, c.remoteMem));
        }
        return a;
    }

    /** One stored run: its id, directory, per-source results and the run.json written. */
    public static final class Run {
        public final String id;
        public final Path dir;
        public final List<ReplayResult> results;
        /**
         * The policy of the kernel that made the first source's trace (vma-refcount without sources). The
         * workloads themselves are not kept: once run.json is written a run's figures need none of their
         * per-task work, and holding it through the run's statistics doubled a replay's heap.
         */
        public final String kernelPolicy;
        public final ObjectNode json;

        Run(String id, Path dir, List<ReplayResult> results, String kernelPolicy, ObjectNode json) {
            this.id = id;
            this.dir = dir;
            this.results = results;
            this.kernelPolicy = kernelPolicy;
            this.json = json;
        }
    }

    /**
     * Replays every given source of {@code ws} under {@code o} and stores the run (replacing a run
     * with the same id). {@code faultCostNs} -1 calibrates the per-VMA fault cost from each trace.
     */
    public static Run run(Workspace ws, List<Manifest.Source> sources, ReplayOptions o, long faultCostNs) {
        return run(ws, sources, o, faultCostNs, null);
    }

    /**
     * As above; {@code work}: the sources' work built once by {@link #loadAll} with the same fault cost and scale
     * (compare's policies share it: the work does not depend on the policy), replayed as it is and left open;
     * null builds each source's work here and deletes it after its replay.
     */
    static Run run(Workspace ws, List<Manifest.Source> sources, ReplayOptions o, long faultCostNs, List<Workload> work) {
        String id = runId(o);
        if (o.onRun != null) o.onRun.accept(id);
        Path dir = runDir(ws.dir(), id);
        for (Manifest.Source src : sources) {
            if (src.counterClock()) {
                // refuse before anything is written
                throw new StoreException(ws.dir() + ": source " + src.index + " (" + src.name + ") uses the " + src.clock
                        + " clock (ticks, not time): the replay needs a time clock");
            }
        }
        Path staging = dir.resolveSibling(STAGING_DIR);
        Path stage = staging.resolve(ProcessHandle.current().pid() + "-" + id + "-" + STAGE_SEQ.incrementAndGet());
        try {
            synchronized (STAGE_SEQ) { // replays of one process (compare's policies at once) never delete another's stage folder
                sweepAbandoned(staging);
                try {
                    Files.createDirectories(stage);
                } catch (IOException e) {
                    throw new StoreException(stage + ": cannot create the run's folder: " + e.getMessage(), e);
                }
            }
            Run run = runInto(ws, sources, o, faultCostNs, id, dir, stage, work);
            publish(stage, dir);
            synchronized (STAGE_SEQ) {
                try (Stream<Path> left = Files.list(staging)) {
                    if (left.findAny().isEmpty()) Files.deleteIfExists(staging);
                } catch (IOException e) {
                    // a concurrent replay still stages there; it removes the folder when done
                }
            }
            return run;
        } catch (RuntimeException | Error e) {
            deleteQuietly(stage);
            throw e;
        }
    }

    /** Where runs are written before they appear under their id: {@code runs/.staging/PID-ID-N}. */
    static final String STAGING_DIR = ".staging";
    private static final java.util.concurrent.atomic.AtomicLong STAGE_SEQ = new java.util.concurrent.atomic.AtomicLong();

    private static Run runInto(Workspace ws, List<Manifest.Source> sources, ReplayOptions o, long faultCostNs,
                               String id, Path dir, Path stage, List<Workload> work) {
        List<ReplayResult> results = new ArrayList<>();
        List<Workload> workloads = new ArrayList<>();
        try (Workspace out = Workspace.forIngest(stage)) {
            for (Manifest.Source src : sources) {
                Workload w = work != null ? work.get(workloads.size()) : load(ws, src, faultCostNs, o.faultCostScale);
                workloads.add(w);
                String key = src.checksum + "|" + o.policy.spec() + "|" + id + "|" + faultCostNs + "|" + o.faultCostScale;
                IngestSession s = out.beginSource(dir.resolve("replay-of-" + src.name), 0, sha256(key));
                ReplayResult r;
                try {
                    try {
                        r = o.live ? ReplayEngine.runLive(w, o, s::event) : ReplayEngine.run(w, o, s::event);
                    } catch (InterruptedException x) {
                        Thread.currentThread().interrupt();
                        throw new StoreException(dir + ": live replay interrupted", x);
                    } finally {
                        if (work == null) w.close(); // the temporary work file; the workload's figures stay readable
                    }
                    IngestSession.Details d = new IngestSession.Details();
                    d.format = "replay";
                    d.clock = src.clock;
                    d.counterClock = false;
                    d.barePointers = src.barePointers;
                    s.commit(d);
                } finally {
                    s.close();
                }
                results.add(r);
            }
        }
        ObjectNode json = runJson(id, o, sources, workloads, results, faultCostNs);
        try {
            Files.writeString(stage.resolve(RUN_FILE), StatsJson.JSON.writeValueAsString(json) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StoreException(dir + ": cannot write " + RUN_FILE + ": " + e.getMessage(), e);
        }
        return new Run(id, dir, results, workloads.isEmpty() ? "vma-refcount" : workloads.get(0).kernelPolicy(), json);
    }

    /** Replaces the run directory by the finished stage (a concurrent replay of the same id may win a race: retried). */
    private static void publish(Path stage, Path dir) {
        for (int attempt = 0; ; attempt++) {
            deleteRun(dir);
            try {
                Files.move(stage, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                return;
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                if (attempt >= 3) {
                    throw new StoreException(dir + ": cannot replace the previous run: " + e.getMessage(), e);
                }
            } catch (IOException e) {
                throw new StoreException(dir + ": cannot store the run: " + e.getMessage(), e);
            }
        }
    }

    /** Deletes the stages of replays whose process is gone (killed, out of memory): they are never read. */
    private static void sweepAbandoned(Path staging) {
        if (!Files.isDirectory(staging)) return;
        try (Stream<Path> s = Files.list(staging)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                int dash = n.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(dash < 0 ? n : n.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                deleteQuietly(p);
            }
        } catch (IOException e) {
            // an unreadable staging folder hides nothing: the replay below creates its own stage
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        } catch (IOException | java.io.UncheckedIOException e) {
            // best effort: the error that made us clean up is the one to report
        }
        // runs/.staging and runs/ themselves, when this replay created them and nothing else is there
        for (Path parent = dir.getParent(); parent != null && (parent.getFileName().toString().equals(STAGING_DIR)
                || parent.getFileName().toString().equals(RUNS_DIR)); parent = parent.getParent()) {
            try (Stream<Path> s = Files.list(parent)) {
                if (s.findAny().isPresent()) return;
                Files.deleteIfExists(parent);
            } catch (IOException e) {
                return; // a concurrent replay still stages there
            }
        }
    }

    /** The statistics ({@code stats --json} shape) of a stored run. */
    public static ObjectNode stats(Path workspace, String runId) {
        Path dir = runDir(workspace, runId);
        if (!Files.isDirectory(dir)) {
            throw new StoreException(workspace + ": no run '" + runId + "' (runs: " + String.join(", ", runIds(workspace)) + ")");
        }
        ObjectNode o;
        try (Workspace rw = Workspace.open(dir)) {
            o = StatsJson.build(WorkspaceStats.compute(rw, null));
        }
        com.fasterxml.jackson.databind.JsonNode run;
        try {
            run = StatsJson.JSON.readTree(dir.resolve(RUN_FILE).toFile());
        } catch (IOException e) {
            throw new StoreException(dir.resolve(RUN_FILE) + ": cannot read: " + e.getMessage(), e);
        }
        withReplayFigures(o, run);
        return o;
    }

    /**
     * A replay's statistics document with the replay's own makespan, throughput and latencies from its run.json
     * ({@link StatsJson#replayFigures}, as {@code run_figures} stores them): the single-machine and fleet paths alike.
     */
    public static void withReplayFigures(ObjectNode stats, com.fasterxml.jackson.databind.JsonNode runJson) {
        Map<String, Double> figures = vmalock.db.RunTables.replayFigures(runJson);
        StatsJson.replayFigures(stats, f -> figures.containsKey(f) ? vmalock.db.RunTables.figureValue(figures.get(f)) : null);
    }

    /** The ids of the stored runs, sorted. */
    public static List<String> runIds(Path workspace) {
        Path runs = workspace.resolve(RUNS_DIR);
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(runs)) return ids;
        try (Stream<Path> s = Files.list(runs)) {
            s.filter(p -> Files.isRegularFile(p.resolve(RUN_FILE))).forEach(p -> ids.add(p.getFileName().toString()));
        } catch (IOException e) {
            throw new StoreException(runs + ": cannot list runs: " + e.getMessage(), e);
        }
        ids.sort(null);
        return ids;
    }

    private static void deleteRun(Path dir) {
        if (!Files.exists(dir)) return;
        if (!Files.isRegularFile(dir.resolve(RUN_FILE)) && !Files.exists(dir.resolve(Manifest.FILE))
                && !Files.exists(dir.resolve(".lock"))) {
            throw new StoreException(dir + ": exists and is not a vmalock run; remove it first");
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.delete(p);
        } catch (IOException e) {
            throw new StoreException(dir + ": cannot replace the previous run: " + e.getMessage(), e);
        }
    }

    // ---- run.json -----------------------------------------------------------------------------------

    /** run.json of a run (also the fleet job's, whose replays are stored in no workspace). */
    public static ObjectNode runJson(String id, ReplayOptions o, List<Manifest.Source> sources, List<Workload> ws,
                              List<ReplayResult> rs, long faultCostOption) {
        ObjectNode j = StatsJson.JSON.createObjectNode();
        j.put("run", id);
        j.put("policy", o.policy.name);
        j.put("spec", o.policy.spec());
        j.put("kernel", o.policy.kernel);
        j.put("description", o.policy.description);
        j.put("seed", o.seed);
        j.put("cpus", o.cpus == 0 ? "unlimited" : o.cpus < 0 ? "auto" : Integer.toString(o.cpus));
        j.put("timing", o.timing.name().toLowerCase(Locale.ROOT));
        j.put("preempt", o.kernelPreemption == null ? "auto" : o.kernelPreemption ? "full" : "none");
        j.put("wakeup_preempt", schedulerModel(o));
        if (o.eevdf) j.put("delay_dequeue", o.delayDequeue);
        j.put("rcuwait_switch_out", o.rcuwaitSwitchOut);
        j.put("waker_cost", o.wakerCost);
        if (o.migrationCostNs > 0) j.put("migration_cost_us", o.migrationCostNs / 1000.0);
        j.put("wake_cpu", o.wakeOnPrevCpu == null ? "auto" : o.wakeOnPrevCpu ? "prev" : "idle");
        j.put("deterministic", !o.live);
        if (o.live) j.put("driver", "live: real threads (ThreadDriver), wall-clock times, think times as traced");
        if (o.filter != null) j.put("filter", o.filter);
        ArrayNode in = j.putArray("inputs");
        ReplayCounters total = new ReplayCounters();
        long defects = 0;
        long violations = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long events = 0;
        long ops = 0;
        long known = 0;
        long inferred = 0;
        long rangesKnown = 0;
        long rangesInferred = 0;
        long spaces = 0;
        long fromMaps = 0;
        List<Finding> findings = new ArrayList<>();
        for (int k = 0; k < sources.size(); k++) {
            Manifest.Source src = sources.get(k);
            Workload w = ws.get(k);
            ReplayResult r = rs.get(k);
            ObjectNode s = in.addObject();
            s.put("source", src.index);
            s.put("name", src.name);
            s.put("checksum", src.checksum);
            s.put("address_spaces", w.mms.size());
            s.put("operations", w.operations());
            s.put("work_spilled_bytes", w.spilledBytes());
            s.put("timing", o.effectiveTiming(w).name().toLowerCase(Locale.ROOT));
            int nc = o.effectiveCpus(w);
            s.put("cpus", nc == 0 ? "unlimited" : Integer.toString(nc));
            s.put("sched_switch_events", w.schedSwitches);
            s.put("fault_cost_ns", w.faultCostNs);
            s.put("fault_cost_source", w.faultCostSource);
            s.put("fault_cost_samples", w.faultCostSamples);
            s.put("fault_cost_shape", w.faultCostShape);
            if (w.faultGapScale > 0) s.put("fault_cost_gap_scale", Math.round(w.faultGapScale * 1000) / 1000.0);
            s.put("fault_cost_anon_prepare_sections", w.anonPrepareSections);
            s.put("madvise_zap_source", w.madviseZapSource);
            s.put("madvise_zap_calls", w.madviseZapCalls);
            s.put("madvise_zap_tlb_flushes", w.madviseZapFlushes);
            s.put("madvise_zap_ns_per_page", w.madviseZapNsPerPage);
            samplesAndP50(s, "switch_out", w.switchOutLatencies, o.rcuwaitSwitchOutApplies(w));
            samplesAndP50(s, "waker_cost", w.wakerCosts, o.wakerCostApplies(w));
            s.put("acquire_cost_ns", o.acquireCostNs >= 0 ? o.acquireCostNs : w.acquireCostNs);
            // after the task's own release within 10 µs (its cache) and otherwise: 0 = the one cost for both
            s.put("acquire_cost_hot_ns", o.acquireCostNs >= 0 ? 0 : w.acquireCostHotNs);
            s.put("acquire_cost_cold_ns", o.acquireCostNs >= 0 ? 0 : w.acquireCostColdNs);
            s.put("acquire_cost_hot_samples", w.acquireCostHotSamples);
            s.put("acquire_cost_cold_samples", w.acquireCostColdSamples);
            s.put("preempt", o.effectiveKernelPreemption(w) ? "full" : "none");
            s.put("preempt_basis", o.kernelPreemptionBasis(w));
            // the trace's in-kernel preemptions (sched_switch prev_state R+), against counters.kernel_preemptions
            s.put("kernel_preemptions", w.kernelPreemptions);
            s.put("kernel_preemptions_in_vma_syscalls", w.kernelPreemptionsInVmaSyscall);
            if (nc > 1) { // the CPU model's scheduler (a wakee's CPU matters with more than one)
                s.put("scheduler", schedulerModel(o));
                double share = o.effectiveWakeIdleShare(w);
                s.put("wake_cpu", share == 0 ? "prev" : share == 1 ? "idle" : "mixed");
                s.put("wake_cpu_idle_share", Math.round(share * 1000) / 1000.0);
                s.put("wake_cpu_basis", o.wakePlacementBasis(w));
                if (o.effectiveMigrationCostNs(w) > 0) s.put("migration_cost_us", o.effectiveMigrationCostNs(w) / 1000.0);
            }
            // the samples the replay draws a sleeper's wake-up latency from (MmReplay)
            boolean closedLoop = o.effectiveTiming(w) == ReplayOptions.Timing.SCHED;
            long[] wake = w.sleeperWakeSamples(closedLoop);
            s.put("wake_latency_source", o.wakeLatencyNs >= 0 ? "option" : w.sleeperWakeSource(closedLoop));
            s.put("wake_latency_samples", o.wakeLatencyNs >= 0 ? 0 : wake.length);
            s.put("wake_latency_p50_ns", o.wakeLatencyNs >= 0 ? o.wakeLatencyNs : wake.length == 0 ? 0 : wake[(wake.length + 1) / 2 - 1]);
            s.put("resolution_ns", o.resolutionNs > 0 ? o.resolutionNs : w.resolutionNs);
            KernelBaseline kb = w.kernelBaseline();
            s.put("kernel_policy", kb.policy);
            s.put("kernel_policy_basis", kb.basis);
            s.put("kernel_policy_guessed", kb.guessed);
            s.put("unattributed_faults", w.unattributedFaults);
            s.put("unpaired_events", w.unpairedEvents);
            s.put("lost_events", w.lostEvents);
            s.put("faults_in_known_vmas", w.faultsKnown());
            s.put("faults_in_inferred_vmas", w.faultsInferred());
            long seeded = w.mms.stream().filter(m -> m.snapshotTs >= 0).count();
            s.put("address_spaces_from_maps_snapshots", seeded);
            total.add(r.counters);
            defects += r.defects;
            violations += r.violations;
            first = Math.min(first, r.firstNs);
            last = Math.max(last, r.lastNs);
            events += r.events;
            ops += r.operations;
            known += w.faultsKnown();
            inferred += w.faultsInferred();
            rangesKnown += w.rangesKnown();
            rangesInferred += w.rangesInferred();
            spaces += w.mms.size();
            fromMaps += seeded;
            findings.addAll(r.findings);
        }
        j.put("events", events);
        j.put("operations", ops);
        long makespanNs = last > first ? last - first : 0;
        j.put("makespan_us", makespanNs / 1000);
        // throughput and latency: the figures a policy is judged by, on the same population under every
        // policy (every replayed user fault / VMA syscall), whatever the policy traces or not
        j.put("faults_per_s", makespanNs == 0 ? 0.0 : Math.round(total.faults * 1e10 / makespanNs) / 10.0);
        j.set("fault_latency_us", total.faultLatency.latencyJson());
        j.set("syscall_latency_us", total.syscallLatency.latencyJson());
        // waits no tracepoint shows: VMA writers waiting for the VMA's readers (vma_start_write, detach)
        j.set("vma_write_wait_us", total.vmaWriteWait.latencyJson());
        vmalock.stats.Samples obsSc = new vmalock.stats.Samples();
        vmalock.stats.Samples obsWs = new vmalock.stats.Samples();
        vmalock.stats.Samples[] obsBy = new vmalock.stats.Samples[vmalock.event.Syscall.values().length];
        boolean schedTraced = false;
        for (Workload w : ws) {
            obsSc.addAll(w.observedSyscallLatency);
            obsWs.addAll(w.observedWriteSectionSleeps);
            schedTraced |= w.schedSwitches > 0;
            ReplayCounters.addAll(obsBy, w.observedSyscallLatencyBy);
        }
        j.set("observed_syscall_latency_us", obsSc.latencyJson());
        // … and the trace's side of them, inferred: a writer asleep while holding mmap_lock for write (null without
        // sched_switch)
        if (schedTraced) j.set("observed_write_section_sleep_us", obsWs.latencyJson());
        else j.putNull("observed_write_section_sleep_us");
        // the same two figures by syscall: munmap's latency, say, is not hidden in the pooled p99
        j.set("syscall_latency_us_by_syscall", bySyscallJson(total.syscallLatencyBy));
        j.set("observed_syscall_latency_us_by_syscall", bySyscallJson(obsBy));
        String kp = ws.isEmpty() ? "vma-refcount" : ws.get(0).kernelPolicy();
        j.put("callers", PolicyPreset.callers(o.policy.name));
        long changed = PolicyPreset.changedOps(o.policy.name, kp, total, o.cpus);
        j.put("changed_ops", changed);
        if (changed == 0) j.put("no_change_reason", PolicyPreset.noChangeReason(o.policy.name, kp));
        else j.putNull("no_change_reason");
        long openPaths = 0;
        long mapsUnattributed = 0;
        for (Workload w : ws) {
            openPaths += w.openPathEvents;
            mapsUnattributed += w.mapsReadsUnattributed;
        }
        j.set("caveats", caveats(o.policy, ws.isEmpty() ? null : ws.get(0).kernelBaseline(), total, openPaths, o.cpus));
        // /proc/PID/maps reads from the open-path evidence (capture's uprobes on the C library's open functions)
        ObjectNode mr = j.putObject("maps_reads");
        mr.put("evidence", openPaths > 0 ? "open-path probes (" + openPaths + " opens traced)" : "none: captured without uprobes");
        mr.put("reads", total.mapsReads);
        mr.put("reads_unattributed", mapsUnattributed);
        mr.put("reads_holding_mmap_lock", total.mapsReadsMmapLock);
        mr.put("vma_fallbacks_to_mmap_lock", total.mapsReadFallbacks);
        mr.put("reads_with_traced_mmap_lock", total.mapsReadsTracedSections);
        j.put("address_spaces_stopped_at_defect", total.haltedMms);
        j.put("faults_on_mmap_lock", total.faultsMmap);
        j.put("faults_on_mmap_lock_rate", total.faults == 0 ? 0.0 : Math.round(total.faultsMmap * 1e6 / total.faults) / 1e6);
        ObjectNode as = j.putObject("address_space");
        as.put("faults_in_known_vmas", known);
        as.put("faults_in_inferred_vmas", inferred);
        as.put("known_fraction", known + inferred == 0 ? 0.0 : Math.round(1e6 * known / (double) (known + inferred)) / 1e6);
        // munmap/mprotect/madvise ranges: inside VMAs the model knew (maps snapshot, traced mmap) or inferred
        as.put("syscall_ranges_in_known_vmas", rangesKnown);
        as.put("syscall_ranges_in_inferred_vmas", rangesInferred);
        as.put("address_spaces", spaces);
        as.put("address_spaces_from_maps_snapshots", fromMaps);
        ObjectNode vl = j.putObject("vma_lock");
        vl.put("success", total.vmaLockSuccess);
        vl.put("abort", total.vmaLockAbort);
        vl.put("miss", total.vmaLockMiss);
        vl.put("retry", total.vmaLockRetry);
        j.put("retries", total.retries);
        if (ws.stream().anyMatch(w -> o.effectiveTiming(w) == ReplayOptions.Timing.SCHED)) {
            // the sleeps between operations, by what ended them: a traced task's wake-up is replayed as a dependency
            ObjectNode sl = j.putObject("sleeps");
            long[] by = total.sleepsWokenBy;
            sl.put("between_operations", by[0] + by[1] + by[2] + by[3] + by[4]);
            sl.put("woken_in_interrupt", by[SchedTimeline.WOKEN_IN_INTERRUPT]);
            sl.put("woken_by_traced_task_replayed", by[SchedTimeline.WOKEN_BY_TRACED_TASK] - total.sleepsWokenByTaskElsewhere);
            sl.put("woken_by_traced_task_recorded_length", total.sleepsWokenByTaskElsewhere);
            sl.put("woken_by_untraced_task", by[SchedTimeline.WOKEN_BY_UNTRACED_TASK]);
            sl.put("wake_context_unknown", by[SchedTimeline.WOKEN_CONTEXT_UNKNOWN]);
            sl.put("wakeup_not_seen", by[SchedTimeline.WOKEN_NOT_SEEN]);
        }
        ObjectNode c = j.putObject("counters");
        c.put("faults", total.faults);
        c.put("faults_vma", total.faultsVma);
        c.put("faults_mmap", total.faultsMmap);
        c.put("faults_failed", total.faultsFailed);
        c.put("faults_observed_vma_replayed_mmap", total.faultsVmaToMmap);
        c.put("faults_observed_mmap_replayed_vma", total.faultsMmapToVma);
        c.put("write_sections", total.writes);
        c.put("write_sections_failed", total.writesFailed);
        c.put("write_sections_skipped", total.writesSkipped);
        c.put("vmas_write_locked", total.vmasLocked);
        c.put("munmaps_after_a_later_mmap_of_their_range", total.unmapsOfLaterMappings);
        c.put("remote_reads", total.remote);
        c.put("remote_reads_fast_path", total.remoteFast);
        c.put("remote_reads_proc_mem", total.remoteMem);
        c.put("remote_reads_process_vm_readv_target_inferred", total.remoteGup);
        c.put("remote_reads_short_inferred", total.remoteShortInferred);
        c.put("remote_reads_walk_inferred", total.remoteWalkInferred);
        c.put("remote_reads_proc_args", total.remoteProcArgs);
        c.put("remote_reads_proc_walk", total.remoteProcWalk);
        c.put("other_reads", total.otherReads);
        c.put("other_reads_skipped", total.otherSkipped);
        c.put("vma_lock_syscalls", total.vmaSyscalls);
        c.put("cpu_wait_us", total.cpuWaitNs / 1000);
        // the CPU model's preemptions of kernel work (the trace's sched_switch prev_state R+: inputs[].kernel_preemptions)
        c.put("kernel_preemptions", total.kernelPreemptions);
        c.put("kernel_preemptions_in_vma_syscalls", total.kernelPreemptionsInVmaSyscall);
        c.put("simulation_steps", total.steps);
        j.put("defect_count", defects);
        j.put("violations", violations);
        j.set("defects", defectsJson(findings, true));
        j.set("findings", defectsJson(findings, false));
        ArrayNode a = j.putArray("assumptions");
        for (String s : assumptions(o, faultCostOption)) a.add(s);
        return j;
    }

    /** {@code NAME_samples} and, when the replay draws from the sorted {@code samples}, {@code NAME_p50_ns} (else null). */
    private static void samplesAndP50(ObjectNode s, String name, long[] samples, boolean drawn) {
        s.put(name + "_samples", samples.length);
        if (drawn) s.put(name + "_p50_ns", samples[(samples.length - 1) / 2]);
        else s.putNull(name + "_p50_ns");
    }

    static ArrayNode defectsJson(List<Finding> findings, boolean defects) {
        ArrayNode arr = StatsJson.JSON.createArrayNode();
        for (Finding f : findings) {
            if (defects != vmalock.lock.Findings.DEFECT.equals(f.invariant())) continue;
            if (arr.size() >= MAX_FINDINGS_IN_JSON) break;
            ObjectNode x = arr.addObject();
            x.put("invariant", f.invariant());
            x.put("time", StatsJson.formatTs(f.timeNs(), false));
            x.put("tid", f.tid());
            x.put("comm", f.comm());
            x.put("mm", String.format("%016x", f.mm()));
            if (f.vmaStart() >= 0) x.put("vma", "0x" + Long.toHexString(f.vmaStart()));
            x.put("detail", f.detail());
        }
        return arr;
    }

    /** {"mmap": latency summary, "munmap": …} for the syscalls with samples, in the enum's order. */
    private static ObjectNode bySyscallJson(vmalock.stats.Samples[] by) {
        ObjectNode o = StatsJson.JSON.createObjectNode();
        for (vmalock.event.Syscall sc : vmalock.event.Syscall.values()) {
            vmalock.stats.Samples s = by[sc.ordinal()];
            if (sc != vmalock.event.Syscall.OTHER && s != null && s.count() > 0) o.set(sc.kernelName(), s.latencyJson());
        }
        return o;
    }

    /** Every modelling assumption of a run, in words (also in the README). */
    public static List<String> assumptions(ReplayOptions o, long faultCostOption) {
        List<String> a = new ArrayList<>();
        if (o.live) {
            a.add("LIVE: real threads against the real-thread driver, wall-clock think/hold times (closed loop); "
                    + "results vary from run to run — a stress test of the Java locks, not a prediction");
        }
        a.add("CPUs: " + (o.cpus == 0 ? "unlimited (every runnable task runs at once)"
                : (o.cpus < 0 ? "the traced machine's (inputs[].cpus) in the closed loop, else unlimited," : o.cpus)
                + " per address space; a task gives its CPU up when it blocks on a lock or sleeps, keeps it while it spins")
                + (o.cpus == 1 ? "; 1 CPU = UP kernel: per-VMA locks off unless the policy is unconditional" : "")
                + (o.cpus == 0 ? "" : o.eevdf
                        ? "; scheduled as the kernel's EEVDF on per-CPU run queues (virtual runtime, lag, deadline; the running "
                        + "task keeps its CPU while eligible until its slice is used), a woken task whose previous CPU is busy "
                        + "queued there or run on an idle CPU as often as the trace shows the kernel does each (inputs[].wake_cpu, "
                        + "wake_cpu_idle_share)"
                        : "; scheduled on one run queue for all CPUs (--wakeup-preempt model, not the kernel's EEVDF)"));
        a.add("service time of a fault handled under the per-VMA lock (no end event in the trace): "
                + (faultCostOption >= 0 ? faultCostOption + " ns (--fault-cost)"
                : "the smaller of the mean read hold of the trace's own fallback faults (≥" + WorkBuilder.MIN_CALIBRATION_SAMPLES
                + " samples) and the mean gap from a per-VMA-lock fault to the task's next event (≥" + WorkBuilder.MIN_GAP_SAMPLES
                + " samples; means: unbiased under the trace's timestamp truncation), else " + WorkBuilder.SPEC_FAULT_COST_NS + " ns (≈1.1 µs per anonymous fault, single thread, as measured by P. Agrawal, 2023)")
                + (faultCostOption >= 0 ? "" : "; that is the mean: a fault whose gap to its task's next event is more than two "
                + "of the trace's resolution steps costs that gap × (estimate ÷ mean gap), the others the mean of theirs × the "
                + "same factor (fault_cost_shape trace-gaps); the fallback mean leaves out the mmap_lock sections of first "
                + "write faults in fresh anonymous VMAs (vmf_anon_prepare around anon_vma_prepare(), no fault's service)")
                + ", capped by the gap to the task's next event; other service and hold times are the trace's own, less "
                + "the time the holder was runnable (preempted) and, for a write section on a kernel with per-VMA locks, "
                + "the time it slept (vma_start_write waiting for the VMA's readers): the model recreates both");
        a.add("a madvise(MADV_DONTNEED, MADV_FREE, MADV_DONTNEED_LOCKED) served under the per-VMA lock holds it for its zap "
                + "only: vma_end_read comes before tlb_finish_mmu (the TLB flush, IPIs to the other CPUs running the mm, and "
                + "the freeing of the pages), which runs after it, unlocked. The zap ends at the call's first tlb:tlb_flush "
                + "where the trace has one (madvise_zap_source trace-tlb-flush); else it lasts at most the 10th percentile "
                + "of the trace's such calls' time per page (≥" + WorkBuilder.MIN_ZAP_SAMPLES + " calls: a call that "
                + "needed no slow remote flush: an estimate, 0.7–1.8× the zap measured where the flush "
                + "is traced), times the call's pages (trace-fast-calls-p10-per-page); "
                + "else the whole call holds the lock (whole-syscall). Under the mmap_lock fallback the whole call holds it");
        a.add("an mmap_lock acquisition (start_locking → the rwsem, trylocks included) costs the trace's mean uncontended "
                + "wait (≤2 µs samples, tracepoint + fast path): its hot mean when the acquiring task released that lock "
                + "itself within 10 µs (the lock's cache line in its CPU's cache), its cold mean otherwise (each with 20 "
                + "samples or more, else the pooled mean; acquire_cost_hot_ns, acquire_cost_cold_ns)");
        a.add("a woken rw_semaphore sleeper (mmap_lock; the VMA rwsem of vma-rwsem) runs after a wake-up latency "
                + (o.wakeLatencyNs >= 0 ? "of " + o.wakeLatencyNs + " ns" : o.timing == ReplayOptions.Timing.TRACE
                ? "drawn (seeded) from the trace's own: release → acquire_returned of waiters that slept "
                + "(contention_begin READ/WRITE)"
                : "drawn (seeded) from the trace's own wake-ups onto an idle CPU (sched_waking → sched_switch from the "
                + "idle task); every sleeper pays it, queueing for a modelled CPU comes on top — except a VMA writer "
                + "(vma_start_write's rcuwait, which does not spin) woken while still on its CPU: within a time drawn "
                + "from the trace's start_locking → switch-out of mmap_lock readers that slept (≥"
                + Workload.MIN_SWITCH_OUT_SAMPLES + "; --rcuwait-switch-out off: it pays it too)")
                + "; a granted reader owns the lock meanwhile");
        a.add("timing: " + o.timing.name().toLowerCase(Locale.ROOT) + (o.timing == ReplayOptions.Timing.TRACE
                ? " — each operation is issued when the trace shows it, or when the task's previous operation ends if later"
                : o.timing == ReplayOptions.Timing.ANCHORED ? " — max(trace time, previous end + think time)"
                : " — previous end + think time (closed loop)"));
        if (o.timing == ReplayOptions.Timing.AUTO || o.timing == ReplayOptions.Timing.SCHED) {
            a.add("with sched events, a sleep between two operations keeps its recorded length when an interrupt ended it "
                    + "(a timer or a device: its sched_waking is marked hardirq/softirq in the ftrace flags column) or when the "
                    + "trace does not say (no flags column: perf script, trace-cmd report without -l, CSV; sched_wakeup only); "
                    + "when a traced task of the same address space woke it in task context (a futex, a pipe), it ends when that "
                    + "task gets to the same point of its replayed work — after the operations it had begun and its on-CPU time "
                    + "since its last event — or at once if that task is past it (run.json sleeps counts each kind)");
        }
        a.add("address space: /proc/PID/maps snapshot when the workspace has one, else syscalls (mmap, munmap, mprotect, "
                + "madvise, mremap, brk), else inferred regions grouping uncovered fault addresses within "
                + (AddressSpace.INFER_GAP >> 10) + " KiB (permissive protections, never merged)");
        a.add("write sections lock their VMAs as soon as mmap_lock is held for write and keep the observed hold; "
                + "sections whose syscall was not traced lock no VMA (fork: all VMAs)");
        a.add("remote and other readers carry no address in the trace: the seed picks a VMA; a remote read holding "
                + "mmap_lock ≤" + MmReplay.SHORT_REMOTE_NS / 1000 + " µs outside process_vm_readv/writev is one __access_remote_vm "
                + "copy of one present page in one VMA (/proc/PID/cmdline, environ, mem: the per-VMA fast path of remote-vma-lock); "
                + "longer ones (smaps walks) and process_vm_readv/writev (pin_user_pages_remote) hold mmap_read_lock under every policy");
        a.add("a remote read inside pread64 is a /proc/PID/mem copy (mem_rw: one access_remote_vm per bounce page): "
                + "its address is the syscall's pos + k pages (k-th section of the call), whatever its hold; remote-vma-lock "
                + "copies it under lock_vma_under_rcu page by page while each page is present and the span stays in its VMA: "
                + "a page is present once a fault on it completed, until MADV_DONTNEED/REMOVE or munmap; memory that predates "
                + "the trace (maps snapshot, inferred VMAs) is taken to be present; a drawn address uses the VMA-level rule");
        a.add("the trace's timestamps are truncations: each observed issue time is placed uniformly (from the seed) "
                + "within its resolution interval, and emitted timestamps are truncated to the trace's resolution again, "
                + "so waits are measured as the trace measured them");
        a.add("address spaces replay independently (a task using two mms replays in each; no CPU contention between them)");
        return a;
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
