package vmalock.replay;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import vmalock.event.Event;
import vmalock.event.EventSink;
import vmalock.parse.TraceParsers;

/**
 * Replay speed, measured in one run: simulated lock operations per second on one thread (per core),
 * and the speed-up of per-address-space parallelism (the same work on N threads against 1 thread).
 * The work is every address space of the given traces, repeated {@code copies} times (each copy is an
 * independent address space). Run by {@code bench/replay-bench.sh}; never by the tests.
 *
 * <p>A "lock operation" is one acquisition or release of mmap_lock or of a per-VMA lock
 * (vma_start_write included): 2 per fault, reader and write section, plus one per VMA write-locked.
 */
public final class ReplayBench {
    private ReplayBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ReplayBench COPIES TRACE… (e.g. 8 ../shared/traces/*.txt)");
            System.exit(2);
        }
        int copies = Integer.parseInt(args[0]);
        List<MmWork> mms = new ArrayList<>();
        Workload first = null;
        for (int a = 1; a < args.length; a++) {
            Workload w = load(Paths.get(args[a]));
            if (first == null) first = w;
            mms.addAll(w.mms);
        }
        List<MmWork> all = new ArrayList<>();
        for (int c = 0; c < copies; c++) all.addAll(mms);
        Workload w = new Workload(all, first.faultCostNs, first.faultCostSource, first.faultCostSamples,
                first.acquireCostNs, first.acquireCostSamples, first.wakeLatencies, 0, 0, 0, first.resolutionNs,
                first.memcgField, null);
        int cores = Runtime.getRuntime().availableProcessors();
        PolicyPreset p = PolicyPreset.preset("vma-refcount");
        System.out.printf(Locale.ROOT, "work: %d address spaces (%d traces × %d copies), %,d operations; %d cores%n",
                all.size(), args.length - 1, copies, w.operations(), cores);
        for (int warm = 0; warm < 3; warm++) {
            run(w, p, 1, false);
            run(w, p, cores, false);
        }
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        ReplayResult one = best(w, p, 1, false);
        double cpu1 = (mx.getCurrentThreadCpuTime() - cpu0) / 3e9; // best() runs 3 times on this thread
        ReplayResult many = best(w, p, cores, false);
        ReplayResult emit = best(w, p, 1, true);
        long lockOps = lockOps(one.counters);
        double s1 = one.wallNs / 1e9;
        double sn = many.wallNs / 1e9;
        System.out.printf(Locale.ROOT, "1 thread : %.3f s wall, %.3f s CPU (mean)  %,d lock ops  %.2f M lock ops/s per core (CPU time)"
                + "  (%.2f M trace ops/s, %,d simulator steps)%n",
                s1, cpu1, lockOps, lockOps / cpu1 / 1e6, w.operations() / cpu1 / 1e6, one.counters.steps);
        System.out.printf(Locale.ROOT, "%d threads: %.3f s wall  speed-up %.2fx over 1 thread's wall time (per-mm parallelism; "
                + "the machine is shared, so wall times are noisy)%n", cores, sn, s1 / sn);
        System.out.printf(Locale.ROOT, "1 thread emitting events (merged, not stored): %.3f s  %,d events  %.2f M events/s%n",
                emit.wallNs / 1e9, emit.events, emit.events / (emit.wallNs / 1e9) / 1e6);
    }

    static long lockOps(ReplayCounters c) {
        return 2 * (c.faults + c.otherReads + c.remote + c.vmaSyscalls + c.writes) + c.vmasLocked;
    }

    private static ReplayResult best(Workload w, PolicyPreset p, int threads, boolean emit) {
        ReplayResult b = null;
        for (int i = 0; i < 3; i++) {
            ReplayResult r = run(w, p, threads, emit);
            if (b == null || r.wallNs < b.wallNs) b = r;
        }
        return b;
    }

    private static ReplayResult run(Workload w, PolicyPreset p, int threads, boolean emit) {
        long[] n = new long[1];
        return ReplayEngine.run(w, new ReplayOptions().policy(p).threads(threads).emit(emit), emit ? e -> n[0]++ : null);
    }

    static Workload load(Path file) throws Exception {
        WorkBuilder b = new WorkBuilder(-1);
        TraceParsers.parse(file, null, 0, new EventSink() {
            @Override
            public void event(Event e) {
                b.accept(e);
            }

            @Override
            public void nonEventLine(NonEventKind kind, long line) {}

            @Override
            public void problem(long line, String reason) {}
        }, false);
        return b.finish();
    }
}
