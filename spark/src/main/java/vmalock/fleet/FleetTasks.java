package vmalock.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import vmalock.event.EventSink;
import vmalock.parse.SourceResult;
import vmalock.parse.TraceFormat;
import vmalock.parse.TraceInputException;
import vmalock.parse.TraceParsers;
import vmalock.lock.Finding;
import vmalock.replay.Comparison;
import vmalock.replay.MmWork;
import vmalock.replay.ReplayCounters;
import vmalock.replay.PolicyPreset;
import vmalock.replay.ReplayEngine;
import vmalock.replay.ReplayOptions;
import vmalock.replay.ReplayResult;
import vmalock.replay.ReplayRunner;
import vmalock.replay.Workload;
import vmalock.stats.ObservedStats;
import vmalock.stats.StatsJson;
import vmalock.stats.WorkspaceStats;
import vmalock.store.Checksums;
import vmalock.store.EventBlocks;
import vmalock.store.Manifest;

/**
 * The work of the fleet job's tasks, the same code paths as {@code ingest} + {@code stats --json} and
 * {@code compare --format json} on one machine, with the events held as {@link EventBlocks} instead of a
 * Chronicle workspace. Pure Java: tested without Spark too.
 */
public final class FleetTasks {
    static final ObjectMapper PLAIN = new ObjectMapper();

    private FleetTasks() {}

    /** Parses one trace (once, in one task), computes its observed statistics, keeps its events for the replays. */
    public static ParsedTrace parse(TraceInput in, HadoopConf conf) {
        long t0 = System.nanoTime();
        ParsedTrace p = new ParsedTrace();
        p.input = in;
        try {
            Path path = new Path(in.path());
            String name = path.getName();
            FileSystem fs = path.getFileSystem(conf == null ? new org.apache.hadoop.conf.Configuration() : conf.get());
            EventBlocks.Writer blocks = new EventBlocks.Writer();
            SourceCounter counter = new SourceCounter(in.path(), name, blocks);
            Checksums.Running sum = new Checksums.Running();
            SourceResult r;
            try (InputStream raw = new Tap(open(fs, path, in.path()), sum)) {
                r = TraceParsers.parse(raw, in.path(), null, 0, counter, false);
            } catch (IOException x) {
                throw new TraceInputException(in.path() + ": cannot read (" + x.getMessage() + ")");
            }
            if (r.events() == 0 && r.lostMarkers() == 0 && r.problems() == 0) {
                throw new TraceInputException(in.path() + ": no events (" + r.linesTotal() + " lines, all "
                        + (r.nonEventLines() == r.nonEventLines(EventSink.NonEventKind.BLANK) ? "blank" : "headers or blank") + ")");
            }
            Long inBuffer = r.headerEntriesInBuffer() >= 0 ? r.headerEntriesInBuffer() : null;
            Long written = r.headerEntriesInBuffer() >= 0 ? r.headerEntriesWritten() : null;
            Manifest.Source src = counter.commit(r.format().cliName(), r.clock(), r.isCounterClock(),
                    r.format() == TraceFormat.FTRACE, inBuffer, written);
            src.size = sum.bytes();
            src.checksum = sum.value();
            if (in.kernel() != null && !in.kernel().isBlank()) { // the manifest's kernel column: the baseline's release
                src.kernel = in.kernel().trim();
                src.kernelFrom = "fleet manifest";
            }
            p.blocks = blocks.finish();
            p.bytes = sum.bytes();
            // statistics from the decoded events, exactly what `stats` reads back from a workspace
            ObservedStats st = new ObservedStats();
            EventBlocks.read(p.blocks, st::accept);
            st.endSource();
            ObjectNode stats = StatsJson.build(WorkspaceStats.of(List.of(src), st, src.counterClock()));
            StatsJson.kernel(stats, List.of(src)); // as `stats --json` shows the trace
            p.statsJson = StatsJson.JSON.writeValueAsString(stats);
            p.sourceJson = PLAIN.writeValueAsString(src);
            p.ws = WsRows.observed(in, src, p.blocks); // the workspace tables of the observed run
            if (src.counterClock()) {
                p.replayNote = in.path() + ": uses the " + src.clock + " clock (ticks, not time): the replay needs a time clock";
            }
        } catch (TraceInputException x) {
            p.error = x.getMessage();
            p.blocks = null;
        } catch (RuntimeException | IOException x) {
            p.error = in.path() + ": " + describe(x);
            p.blocks = null;
        }
        p.parseMs = (System.nanoTime() - t0) / 1_000_000;
        return p;
    }

    private static InputStream open(FileSystem fs, Path path, String shown) throws TraceInputException {
        try {
            if (fs.getFileStatus(path).isDirectory()) throw new TraceInputException(shown + ": is a directory, not a trace file");
            return fs.open(path);
        } catch (java.io.FileNotFoundException x) {
            throw new TraceInputException(shown + ": no such file");
        } catch (org.apache.hadoop.security.AccessControlException x) {
            throw new TraceInputException(shown + ": cannot read (permission denied)");
        } catch (IOException x) {
            throw new TraceInputException(shown + ": cannot read (" + x.getMessage() + ")");
        }
    }

    /** The replay options of {@code compare}'s defaults (seed 0, CPUs auto, timing auto, wake latency auto). */
    static ReplayOptions options(PolicyPreset p) {
        ReplayOptions o = new ReplayOptions().seed(0).cpus(-1).threads(1).check(false);
        o.timing(ReplayOptions.Timing.AUTO);
        o.wakeLatency(-1);
        o.policy(p);
        return o;
    }

    /** Replays one parsed trace under one policy: compare's run entry for it. */
    public static RunOutcome replay(ParsedTrace p, String policy, int order) {
        return replay(p, policy, order, 0);
    }

    /** A replay past its time limit: ends it from inside the event sink (the engine emits events all along). */
    static final class TimedOut extends RuntimeException {
        TimedOut(String m) {
            super(m, null, false, false);
        }
    }

    /**
     * {@code timeoutSeconds} > 0: a replay still running after that long (checked at the first emitted event and every 4096 after it)
     * is stopped and reported as failed.
     */
    public static RunOutcome replay(ParsedTrace p, String policy, int order, long timeoutSeconds) {
        return replayWithDeadline(p, policy, order, timeoutSeconds > 0 ? System.nanoTime() + timeoutSeconds * 1_000_000_000L : 0,
                timeoutSeconds);
    }

    /** {@code deadline}: System.nanoTime() after which the replay stops (0: none); {@code seconds} for the message. */
    static RunOutcome replayWithDeadline(ParsedTrace p, String policy, int order, long deadline, long timeoutSeconds) {
        long t0 = System.nanoTime();
        RunOutcome out = new RunOutcome();
        out.input = p.input;
        out.policy = policy;
        out.order = order;
        try {
            Manifest.Source src = PLAIN.readValue(p.sourceJson, Manifest.Source.class);
            ReplayOptions o = options(PolicyPreset.preset(policy));
            Workload w = load(p, o);
            Measure m = new Measure(p.input, policy, src);
            ReplayResult r;
            try {
                r = ReplayEngine.run(w, o, withDeadline(m.counter, deadline, policy, timeoutSeconds));
            } finally {
                w.close();
            }
            out.entryJson = m.entry(src, o, policy, order, w, r);
            out.ws = m.tables;
            out.kernelPolicy = w.kernelPolicy();
        } catch (TimedOut x) {
            out.error = p.input.path() + ": " + x.getMessage();
        } catch (RuntimeException | IOException x) {
            out.error = p.input.path() + ": replay under " + policy + ": " + describe(x);
        }
        out.replayMs = (System.nanoTime() - t0) / 1_000_000;
        return out;
    }

    /** The per-VMA fault cost the fleet replays with: compare's default, calibrated from the trace (-1). */
    static final long FAULT_COST = -1;

    /** The trace's events turned into work (ReplayRunner.load, as compare does). */
    static Workload load(ParsedTrace p, ReplayOptions o) {
        return load(p, o, vmalock.replay.WorkBuilder.DEFAULT_MEMORY_OPS);
    }

    /**
     * Operations the plan task of {@code --fanout mm} keeps in memory (~100 bytes each) so that it can cut shares of the
     * work: a work that spills to a local file cannot be sent to other tasks.
     */
    static final int PLAN_MEMORY_OPS = 2 * 1024 * 1024;

    static Workload load(ParsedTrace p, ReplayOptions o, int memoryOps) {
        Workload w = ReplayRunner.load(sink -> EventBlocks.read(p.blocks, sink), FAULT_COST, o.faultCostScale, memoryOps);
        Manifest.Source src;
        try {
            src = PLAIN.readValue(p.sourceJson, Manifest.Source.class);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        w.kernelRelease = src.kernel; // the baseline policy from the manifest's kernel column, as ingest --kernel
        w.kernelReleaseFrom = src.kernelFrom;
        w.perVmaLockConfig = src.perVmaLockConfig();
        return w;
    }

    /** {@code sink}, stopped with {@link TimedOut} once past {@code deadline} (0: never; checked every 4096 events). */
    static java.util.function.Consumer<vmalock.event.Event> withDeadline(java.util.function.Consumer<vmalock.event.Event> sink,
                                                                         long deadline, String policy, long timeoutSeconds) {
        if (deadline == 0) return sink;
        long[] n = {0};
        return e -> {
            if ((++n[0] & 4095) == 1 && System.nanoTime() - deadline > 0) {
                throw new TimedOut("replay under " + policy + " timed out after " + timeoutSeconds + " s ("
                        + n[0] + " events replayed)");
            }
            sink.accept(e);
        };
    }

    /** Measures a replay's events as {@code stats --run} does and builds compare's entry for the run. */
    static final class Measure {
        final ObservedStats st = new ObservedStats();
        final SourceCounter counter;
        final WsRows.Builder ws;
        /** The run's workspace tables, once {@link #entry} has run. */
        WsRows tables;

        Measure(TraceInput in, String policy, Manifest.Source src) {
            ws = WsRows.replay(in, policy, src);
            counter = new SourceCounter("replay-of-" + src.name, "replay-of-" + src.name, e -> {
                st.accept(e);
                ws.accept(e);
            });
        }

        String entry(Manifest.Source src, ReplayOptions o, String policy, int order, Workload w, ReplayResult r) throws IOException {
            st.endSource();
            Manifest.Source rs = counter.commit("replay", src.clock, false, src.barePointers, null, null);
            String id = ReplayRunner.runId(o);
            ObjectNode runJson = ReplayRunner.runJson(id, o, List.of(src), List.of(w), List.of(r), FAULT_COST);
            ObjectNode stats = StatsJson.build(WorkspaceStats.of(List.of(rs), st, false));
            ReplayRunner.withReplayFigures(stats, runJson);
            ObjectNode e = Comparison.entry(policy, id, stats, runJson);
            tables = ws.finish(rs, runJson, order + 2);
            return StatsJson.JSON.writeValueAsString(e);
        }
    }

    /**
     * The plan of a trace's {@code --fanout mm} tasks, from one build of its work: its address spaces
     * ({index, operations}, index order), their groups ({@link #groups}) and each group's share of the work
     * ({@link Workload#share}, Kryo-encoded) for the group's tasks — so a task replays its share without
     * building the trace's work again. No shares when the work spilled to a local file (the tasks then build
     * the work themselves); no address spaces when the work cannot be built (the replay tasks report why).
     */
    public static MmPlan plan(ParsedTrace p, int mmTasks) {
        return plan(p, mmTasks, PLAN_MEMORY_OPS);
    }

    /** As above, keeping up to {@code memoryOps} operations of the work in memory (a work that spills has no shares). */
    static MmPlan plan(ParsedTrace p, int mmTasks, int memoryOps) {
        MmPlan plan = new MmPlan();
        plan.index = p.input.index();
        try (Workload w = load(p, options(PolicyPreset.preset("vma-refcount")), memoryOps)) {
            List<long[]> l = new ArrayList<>();
            for (MmWork m : w.mms) if (m.firstStart() != Long.MAX_VALUE) l.add(new long[] {m.index, m.operations()});
            l.sort(java.util.Comparator.comparingLong(a -> a[0]));
            plan.spaces = l.toArray(new long[0][]);
            plan.groups = groups(plan.spaces, mmTasks);
            if (w.spilledBytes() == 0) {
                plan.shares = new ArrayList<>();
                for (int[] g : plan.groups) {
                    java.util.Set<Integer> only = new java.util.HashSet<>();
                    for (int m : g) only.add(m);
                    plan.shares.add(encode(w.share(only::contains)));
                }
            }
        } catch (RuntimeException x) {
            plan.spaces = new long[0][];
            plan.groups = new ArrayList<>();
            plan.shares = null;
        }
        return plan;
    }

    static byte[] encode(Object o) {
        com.esotericsoftware.kryo.io.Output k = new com.esotericsoftware.kryo.io.Output(4096, -1);
        KRYO.get().writeClassAndObject(k, o);
        return k.toBytes();
    }

    static Object decode(byte[] b) {
        return KRYO.get().readClassAndObject(new com.esotericsoftware.kryo.io.Input(b));
    }

    /**
     * Splits address spaces ({index, operations}, index order) into at most {@code max} runs of consecutive indexes
     * with about the same operations each (0: one per address space). Consecutive, so that merging the parts by
     * (timestamp, first index) orders events as by (timestamp, address-space index).
     */
    public static List<int[]> groups(long[][] mms, int max) {
        List<int[]> out = new ArrayList<>();
        if (mms.length == 0) return out;
        int g = max <= 0 ? mms.length : Math.min(max, mms.length);
        long total = 0;
        for (long[] m : mms) total += m[1];
        List<Integer> cur = new ArrayList<>();
        long acc = 0;
        for (int i = 0; i < mms.length; i++) {
            cur.add((int) mms[i][0]);
            acc += mms[i][1];
            int left = mms.length - i - 1;
            int groupsLeft = g - out.size() - 1;
            // close the group once it reaches its share, or when every remaining address space needs a group of its own
            if (left > 0 && groupsLeft > 0 && (acc * g >= total * (out.size() + 1) || left == groupsLeft)) {
                out.add(cur.stream().mapToInt(Integer::intValue).toArray());
                cur.clear();
            }
        }
        out.add(cur.stream().mapToInt(Integer::intValue).toArray());
        return out;
    }

    private static final ThreadLocal<com.esotericsoftware.kryo.Kryo> KRYO = ThreadLocal.withInitial(() -> {
        com.esotericsoftware.kryo.Kryo k = new com.esotericsoftware.kryo.Kryo();
        k.setRegistrationRequired(false);
        // the work's classes have no no-argument constructors: objects are created as Java serialization does
        k.setInstantiatorStrategy(new com.esotericsoftware.kryo.Kryo.DefaultInstantiatorStrategy(
                new org.objenesis.strategy.StdInstantiatorStrategy()));
        return k;
    });

    /** Replays address spaces {@code mms} of a trace under one policy, building the trace's work. */
    public static MmPart replayMms(ParsedTrace p, String policy, int order, int[] mms, long timeoutSeconds) {
        return replayMms(p.input, p, null, policy, order, mms, timeoutSeconds);
    }

    /**
     * A {@code --fanout mm} task: replays address spaces {@code mms} of a trace under one policy — from their share of
     * the work ({@link #plan}) when there is one, else from the work built from the trace's events ({@code p}).
     */
    public static MmPart replayMms(TraceInput in, ParsedTrace p, byte[] share, String policy, int order, int[] mms,
                                   long timeoutSeconds) {
        long t0 = System.nanoTime();
        MmPart out = new MmPart();
        out.input = in;
        out.policy = policy;
        out.order = order;
        out.mms = mms;
        try {
            ReplayOptions o = options(PolicyPreset.preset(policy));
            java.util.Set<Integer> only = new java.util.HashSet<>();
            for (int m : mms) only.add(m);
            EventBlocks.Writer ev = new EventBlocks.Writer();
            ReplayResult r;
            try (Workload w = share != null ? (Workload) decode(share) : load(p, o)) {
                long deadline = timeoutSeconds > 0 ? System.nanoTime() + timeoutSeconds * 1_000_000_000L : 0;
                r = ReplayEngine.runAddressSpaces(w, o, only::contains, withDeadline(ev, deadline, policy, timeoutSeconds));
            }
            out.events = ev.finish();
            com.esotericsoftware.kryo.io.Output k = new com.esotericsoftware.kryo.io.Output(4096, -1);
            KRYO.get().writeObject(k, r.counters);
            out.counters = k.toBytes();
            out.findings = new ArrayList<>();
            for (Finding f : r.findings) {
                out.findings.add(new Object[] {f.invariant(), f.timeNs(), f.tid(), f.comm(), f.mm(), f.vmaStart(), f.detail()});
            }
            out.defects = r.defects;
            out.violations = r.violations;
            out.firstNs = r.firstNs;
            out.lastNs = r.lastNs;
            out.eventCount = r.events;
            out.operations = r.operations;
            out.wallNs = r.wallNs;
            out.workloadMms = r.mms;
        } catch (TimedOut x) {
            out.error = in.path() + ": " + x.getMessage();
        } catch (RuntimeException x) {
            out.error = in.path() + ": replay under " + policy + ": " + describe(x);
        }
        out.replayMs = (System.nanoTime() - t0) / 1_000_000;
        return out;
    }

    private static ReplayResult result(MmPart m, ReplayOptions o) {
        ReplayCounters c = KRYO.get().readObject(new com.esotericsoftware.kryo.io.Input(m.counters), ReplayCounters.class);
        List<Finding> f = new ArrayList<>();
        for (Object[] x : m.findings) {
            f.add(new Finding((String) x[0], (Long) x[1], (Integer) x[2], (String) x[3], (Long) x[4], (Long) x[5], (String) x[6]));
        }
        return new ReplayResult(o.policy.name, o, c, f, m.defects, m.violations, m.firstNs, m.lastNs, m.eventCount,
                m.workloadMms, m.operations, m.wallNs);
    }

    /**
     * The merge task of {@code --fanout mm}: for each policy, the trace's parts merged back into one replay — their
     * events by (timestamp, address-space index, emission order), each timestamp rounded to the trace's resolution
     * as {@link ReplayEngine#run} does, measured as {@link #replay} measures them; their results combined — so the
     * run entry is the one {@link #replay} gives. A failed part fails its policy's run.
     */
    public static List<RunOutcome> merge(ParsedTrace p, List<MmPart> parts, List<String> policies) {
        List<RunOutcome> outs = new ArrayList<>();
        Workload w = null;
        try {
            Manifest.Source src = PLAIN.readValue(p.sourceJson, Manifest.Source.class);
            for (int k = 0; k < policies.size(); k++) {
                long t0 = System.nanoTime();
                String policy = policies.get(k);
                RunOutcome out = new RunOutcome();
                out.input = p.input;
                out.policy = policy;
                out.order = k;
                outs.add(out);
                List<MmPart> mine = new ArrayList<>();
                long partMs = 0;
                for (MmPart m : parts) {
                    if (m.order != k) continue;
                    mine.add(m);
                    partMs += m.replayMs;
                    if (m.error != null && out.error == null) out.error = m.error;
                }
                mine.sort(java.util.Comparator.comparingInt(m -> m.mms[0]));
                try {
                    if (out.error != null) continue;
                    ReplayOptions o = options(PolicyPreset.preset(policy));
                    if (w == null) w = load(p, o);
                    Measure me = new Measure(p.input, policy, src);
                    List<ReplayResult> rs = new ArrayList<>();
                    List<List<byte[]>> evs = new ArrayList<>();
                    for (MmPart m : mine) {
                        rs.add(result(m, o));
                        evs.add(m.events);
                    }
                    mergeEvents(evs, o.resolutionNs > 0 ? o.resolutionNs : w.resolutionNs, me.counter);
                    ReplayResult r = rs.isEmpty() ? ReplayEngine.run(w, o, me.counter) : ReplayEngine.combine(rs);
                    out.entryJson = me.entry(src, o, policy, k, w, r);
                    out.ws = me.tables;
                    out.kernelPolicy = w.kernelPolicy();
                } catch (RuntimeException | IOException x) {
                    out.error = p.input.path() + ": replay under " + policy + ": " + describe(x);
                } finally {
                    out.replayMs = partMs + (System.nanoTime() - t0) / 1_000_000;
                }
            }
        } catch (RuntimeException | IOException x) {
            for (int k = outs.size(); k < policies.size(); k++) {
                RunOutcome out = new RunOutcome();
                out.input = p.input;
                out.policy = policies.get(k);
                out.order = k;
                out.error = p.input.path() + ": replay under " + out.policy + ": " + describe(x);
                outs.add(out);
            }
        } finally {
            if (w != null) w.close();
        }
        return outs;
    }

    /** k-way merge of the parts' event streams (each in time order) by (unrounded timestamp, part order). */
    static void mergeEvents(List<List<byte[]>> parts, long resolution, java.util.function.Consumer<vmalock.event.Event> sink) {
        int k = parts.size();
        EventBlocks.Reader[] rd = new EventBlocks.Reader[k];
        vmalock.event.Event[] cur = new vmalock.event.Event[k];
        java.util.PriorityQueue<Integer> heap = new java.util.PriorityQueue<>(Math.max(1, k),
                (x, y) -> cur[x].ts != cur[y].ts ? Long.compare(cur[x].ts, cur[y].ts) : Integer.compare(x, y));
        for (int j = 0; j < k; j++) {
            rd[j] = new EventBlocks.Reader(parts.get(j));
            cur[j] = new vmalock.event.Event();
            if (rd[j].next(cur[j])) heap.add(j);
        }
        vmalock.event.Event out = new vmalock.event.Event();
        while (!heap.isEmpty()) {
            int j = heap.poll();
            out.copyFrom(cur[j]);
            if (resolution > 1) out.ts = out.ts - Math.floorMod(out.ts, resolution);
            sink.accept(out);
            if (rd[j].next(cur[j])) heap.add(j);
        }
    }

    static String describe(Throwable x) {
        String m = x.getMessage();
        String s = m == null || m.isBlank() ? x.getClass().getSimpleName() : x.getClass().getSimpleName() + ": " + m;
        return s.replace('\n', ' ');
    }

    /**
     * compare's JSON for one trace (default baseline: its kernel policy), rebuilt from its observed statistics
     * and its run entries in policy order by compare's own code.
     */
    public static ObjectNode compareJson(String statsJson, List<String> entries, String kernelPolicy) throws IOException {
        ObjectNode observed = (ObjectNode) StatsJson.JSON.readTree(statsJson);
        var runs = StatsJson.JSON.createArrayNode();
        JsonNode calibrated = null;
        for (String s : entries) {
            JsonNode r = StatsJson.JSON.readTree(s);
            runs.add(r);
            if (r.get("policy").asText().equals(kernelPolicy)) calibrated = r;
        }
        ObjectNode out = Comparison.assemble(observed, runs, null, kernelPolicy, calibrated == null ? null : calibrated.get("stats"),
                calibrated);
        Comparison.kernelFields(out, runs.size() == 0 ? calibrated : runs.get(0));
        return out;
    }

    /** Feeds the raw (possibly compressed) bytes to the checksum as the parser reads them. */
    private static final class Tap extends FilterInputStream {
        private final Checksums.Running sum;

        Tap(InputStream in, Checksums.Running sum) {
            super(in);
            this.sum = sum;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) sum.accept(ByteBuffer.wrap(new byte[] {(byte) b}));
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) sum.accept(ByteBuffer.wrap(b, off, n));
            return n;
        }
    }
}
