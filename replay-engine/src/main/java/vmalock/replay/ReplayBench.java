package vmalock.replay;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import vmalock.event.Event;
import vmalock.event.EventSink;
import vmalock.parse.TraceParsers;

/**
 * Replay speed, measured in one run: simulated lock operations per second per core, and the speed-up
 * of per-address-space parallelism — the same work replayed on 1 thread and on N threads, wall clock,
 * alternating (1, N, 1, N, …) after a warm-up so that both see the same machine load, the speed-up
 * being the median of the per-round ratios. The work is the largest address space of the given traces
 * replicated {@code copies} times: independent address spaces of identical size, so that the N
 * workers get equal shares (a trace's own address spaces are very unequal: one mm does almost all the
 * work, which no per-mm scheduler can spread). Run by {@code bench/replay-bench.sh}; never by the tests.
 *
 * <p>A "lock operation" is one acquisition or release of mmap_lock or of a per-VMA lock
 * (vma_start_write included): 2 per fault, reader and write section, plus one per VMA write-locked.
 */
public final class ReplayBench {
    private ReplayBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ReplayBench COPIES ROUNDS TRACE… (e.g. 8 7 ../shared/traces/*.txt)");
            System.exit(2);
        }
        int copies = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        MmWork biggest = null;
        Workload from = null;
        List<Workload> loaded = new ArrayList<>();
        for (int a = 2; a < args.length; a++) {
            Workload w = load(Paths.get(args[a]));
            loaded.add(w);
            for (MmWork m : w.mms) {
                if (biggest == null || m.operations() > biggest.operations()) {
                    biggest = m;
                    from = w;
                }
            }
        }
        List<MmWork> all = new ArrayList<>();
        for (int c = 0; c < copies; c++) all.add(biggest);
        Workload w = new Workload(all, from.faultCostNs, from.faultCostSource, from.faultCostSamples,
                from.acquireCostNs, from.acquireCostSamples, from.wakeLatencies, 0, 0, 0, from.resolutionNs,
                from.memcgField, null);
        int cores = Runtime.getRuntime().availableProcessors();
        PolicyPreset p = PolicyPreset.preset("vma-refcount");
        System.out.printf(Locale.ROOT, "work: %d copies of address space %s (%,d operations, %d tasks) = %,d operations; "
                + "%d cores; load average %s%n", copies, biggest.label(), biggest.operations(), biggest.tasks().size(),
                w.operations(), cores, loadAverage());
        long warmUntil = System.nanoTime() + 3_000_000_000L; // ≥10 pairs and ≥3 s: until the JIT is done
        for (int warm = 0; warm < 10 || System.nanoTime() < warmUntil; warm++) {
            run(w, p, 1, false);
            run(w, p, cores, false);
        }
        long[] one = new long[rounds];
        long[] many = new long[rounds];
        long[] oneCpu = new long[rounds];
        long[] manyCpu = new long[rounds];
        long[] manyCpuMax = new long[rounds];
        double[] ratio = new double[rounds];
        ReplayResult r1 = null;
        for (int i = 0; i < rounds; i++) {
            Measured m1 = run(w, p, 1, false);
            Measured mn = run(w, p, cores, false);
            r1 = m1.result();
            ReplayResult rn = mn.result();
            if (rn.counters.steps != r1.counters.steps || lockOps(rn.counters) != lockOps(r1.counters)) {
                throw new IllegalStateException("1 and " + cores + " threads did different work: steps " + r1.counters.steps
                        + " vs " + rn.counters.steps);
            }
            one[i] = r1.wallNs;
            many[i] = rn.wallNs;
            oneCpu[i] = m1.cpuSum();
            manyCpu[i] = mn.cpuSum();
            manyCpuMax[i] = mn.cpuMax();
            ratio[i] = one[i] / (double) many[i];
        }
        long lockOps = lockOps(r1.counters);
        double s1 = median(one) / 1e9;
        double sn = median(many) / 1e9;
        double cpu1 = median(oneCpu) / 1e9;
        double cpun = median(manyCpu) / 1e9;
        double cpuCrit = median(manyCpuMax) / 1e9;
        Arrays.sort(ratio);
        System.out.printf(Locale.ROOT, "1 thread : %.3f s wall, %.3f s worker CPU (medians of %d)  %,d lock ops  "
                + "%.2f M lock ops per CPU-second  (%.2f M/s wall; %,d trace ops, %,d simulator steps)%n",
                s1, cpu1, rounds, lockOps, lockOps / cpu1 / 1e6, lockOps / s1 / 1e6, w.operations(), r1.counters.steps);
        System.out.printf(Locale.ROOT, "%d threads: %.3f s wall, %.3f s worker CPU, busiest worker %.3f s (medians of %d)  "
                + "%.2f M lock ops per CPU-second  (%.2f M/s wall)%n", cores, sn, cpun, cpuCrit, rounds,
                lockOps / cpun / 1e6, lockOps / sn / 1e6);
        System.out.printf(Locale.ROOT, "speed-up %d threads / 1 thread: %.2fx wall (median of %d alternating rounds; min %.2f, "
                + "max %.2f)  |  %.2fx from CPU time (1 thread's CPU / busiest worker's CPU: what an idle %d-core machine "
                + "would show, barrier waits aside)%n", cores, ratio[rounds / 2], rounds, ratio[0], ratio[rounds - 1],
                cpu1 / cpuCrit, cores);
        System.out.printf(Locale.ROOT, "CPU used per wall second: %.2f (1 thread), %.2f (%d threads) — below 1 and %d: the "
                + "machine is shared and the wall figures are not to be trusted%n", cpu1 / s1, cpun / sn, cores, cores);
        ReplayResult emit = run(w, p, 1, true).result();
        System.out.printf(Locale.ROOT, "1 thread emitting events (merged, not stored): %.3f s  %,d events  %.2f M events/s%n",
                emit.wallNs / 1e9, emit.events, emit.events / (emit.wallNs / 1e9) / 1e6);
        System.out.printf(Locale.ROOT, "load average at the end: %s%n", loadAverage());
        for (Workload l : loaded) l.close();
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Paths.get("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    static long lockOps(ReplayCounters c) {
        return 2 * (c.faults + c.otherReads + c.remote + c.vmaSyscalls + c.writes) + c.vmasLocked;
    }

    /** One replay and the CPU time each of its worker threads used (ns). */
    record Measured(ReplayResult result, long[] workerCpuNs) {
        long cpuSum() {
            long n = 0;
            for (long c : workerCpuNs) n += c;
            return n;
        }

        long cpuMax() {
            long n = 0;
            for (long c : workerCpuNs) n = Math.max(n, c);
            return n;
        }
    }

    /**
     * One replay on a fresh pool of {@code threads} workers (also for 1: both configurations run the
     * same code — workers and a barrier per window); each worker reports its own CPU time when it
     * ends, so the JIT compiler and GC threads are not counted. Fresh threads for both: a long-running
     * thread is placed behind new ones by the scheduler (EEVDF) on a loaded machine — the previous
     * bench drove the 1-thread replay from the main thread and measured a speed-up above N.
     */
    private static Measured run(Workload w, PolicyPreset p, int threads, boolean emit) {
        long[] n = new long[1];
        java.util.concurrent.ConcurrentLinkedQueue<Long> cpu = new java.util.concurrent.ConcurrentLinkedQueue<>();
        List<Thread> made = java.util.Collections.synchronizedList(new ArrayList<>());
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        ReplayResult r = ReplayEngine.run(w, new ReplayOptions().policy(p).threads(threads).emit(emit),
                emit ? e -> n[0]++ : null, job -> {
                    Thread t = new Thread(() -> {
                        try {
                            job.run();
                        } finally {
                            cpu.add(mx.getCurrentThreadCpuTime());
                        }
                    }, "replay-bench-worker");
                    t.setDaemon(true);
                    made.add(t);
                    return t;
                });
        for (Thread t : made) {
            try {
                t.join();
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(x);
            }
        }
        long[] c = new long[cpu.size()];
        int k = 0;
        for (long v : cpu) c[k++] = v;
        return new Measured(r, c);
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
