package vmalock.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import vmalock.event.EventSink;
import vmalock.parse.SourceResult;
import vmalock.parse.TraceFormat;
import vmalock.parse.TraceInputException;
import vmalock.parse.TraceParsers;
import vmalock.replay.Comparison;
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
            p.blocks = blocks.finish();
            p.bytes = sum.bytes();
            // statistics from the decoded events, exactly what `stats` reads back from a workspace
            ObservedStats st = new ObservedStats();
            EventBlocks.read(p.blocks, st::accept);
            st.endSource();
            ObjectNode stats = StatsJson.build(WorkspaceStats.of(List.of(src), st, src.counterClock()));
            p.statsJson = StatsJson.JSON.writeValueAsString(stats);
            p.sourceJson = PLAIN.writeValueAsString(src);
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
            long faultCost = -1;
            Workload w = ReplayRunner.load(sink -> EventBlocks.read(p.blocks, sink), faultCost, o.faultCostScale);
            ObservedStats st = new ObservedStats();
            SourceCounter counter = new SourceCounter("replay-of-" + src.name, "replay-of-" + src.name, st::accept);
            ReplayResult r;
            try {
                if (deadline != 0) {
                    long[] n = {0};
                    r = ReplayEngine.run(w, o, e -> {
                        if ((++n[0] & 4095) == 1 && System.nanoTime() - deadline > 0) {
                            throw new TimedOut("replay under " + policy + " timed out after " + timeoutSeconds + " s ("
                                    + n[0] + " events replayed)");
                        }
                        counter.accept(e);
                    });
                } else {
                    r = ReplayEngine.run(w, o, counter::accept);
                }
            } finally {
                w.close();
            }
            st.endSource();
            Manifest.Source rs = counter.commit("replay", src.clock, false, src.barePointers, null, null);
            String id = ReplayRunner.runId(o);
            ObjectNode runJson = ReplayRunner.runJson(id, o, List.of(src), List.of(w), List.of(r), faultCost);
            ObjectNode e = Comparison.entry(policy, id, StatsJson.build(WorkspaceStats.of(List.of(rs), st, false)), runJson);
            out.entryJson = StatsJson.JSON.writeValueAsString(e);
            out.kernelPolicy = w.kernelPolicy();
        } catch (TimedOut x) {
            out.error = p.input.path() + ": " + x.getMessage();
        } catch (RuntimeException | IOException x) {
            out.error = p.input.path() + ": replay under " + policy + ": " + describe(x);
        }
        out.replayMs = (System.nanoTime() - t0) / 1_000_000;
        return out;
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
        return Comparison.assemble(observed, runs, null, kernelPolicy, calibrated == null ? null : calibrated.get("stats"),
                calibrated);
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
