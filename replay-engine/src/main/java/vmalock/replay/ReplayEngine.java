package vmalock.replay;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import vmalock.event.Event;
import vmalock.lock.Finding;

/**
 * Replays a {@link Workload} under one policy: one {@link MmReplay} per address space, advanced in
 * virtual-time windows — within a window the address spaces run in parallel (they share no lock
 * state), then their buffered events are merged by (time, address-space index, emission order) and
 * handed to the sink. The output is therefore byte-identical whatever the thread count, and memory
 * holds one window of events, not the run.
 */
public final class ReplayEngine {
    private ReplayEngine() {}

    /**
     * --live: each address space's tasks run on real threads (one after the other per address space),
     * think and hold times in wall-clock time; events are sorted by their (wall-clock) timestamp.
     * Not deterministic: a stress test of the Java locks under real concurrency.
     */
    public static ReplayResult runLive(Workload w, ReplayOptions o, Consumer<Event> sink) throws InterruptedException {
        long wall0 = System.nanoTime();
        long acquireCost = o.acquireCostNs >= 0 ? o.acquireCostNs : w.acquireCostNs;
        ReplayCounters total = new ReplayCounters();
        List<Finding> findings = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        long defects = 0;
        long violations = 0;
        long span = 0;
        for (MmWork m : w.mms) {
            MmReplay r = new MmReplay(m, o, acquireCost, 1, new long[0]);
            long traced = Math.max(0, m.lastTs - m.firstTs);
            r.runLive(30_000 + 20 * traced / 1_000_000);
            total.add(r.c);
            findings.addAll(r.findingsList());
            defects += r.findings.defects();
            violations += r.findings.violations();
            span += r.lastEnd;
            events.addAll(r.liveEvents);
        }
        events.sort(Comparator.comparingLong(e -> e.ts));
        if (sink != null) for (Event e : events) sink.accept(e);
        return new ReplayResult(o.policy.name, o, total, findings, defects, violations, 0, span, events.size(), w.addressSpaces(),
                w.operations(), System.nanoTime() - wall0);
    }

    /** Runs the replay; {@code sink} receives every emitted event in merged order (may be null). */
    public static ReplayResult run(Workload w, ReplayOptions o, Consumer<Event> sink) {
        return run(w, o, sink, null);
    }

    /**
     * {@code workers}: when non-null, the windows run on a pool of {@code threads} workers made by it,
     * even for one thread (the bench compares 1 and N workers on the same code path: worker threads
     * and a barrier per window).
     */
    static ReplayResult run(Workload w, ReplayOptions o, Consumer<Event> sink, java.util.concurrent.ThreadFactory workers) {
        return run(w, o, sink, workers, null);
    }

    /**
     * Replays only the address spaces whose {@link MmWork#index} {@code only} accepts, exactly as {@link #run}
     * replays them among all the others (an address space shares no state with another), and hands their
     * events to {@code sink} with <b>unrounded</b> timestamps: the caller merges the parts of a workload by
     * (timestamp, address-space index, emission order), rounds each timestamp down to the resolution
     * ({@code ts - floorMod(ts, resolution)}) and {@link #combine}s the results — the fleet job's per-address-space
     * tasks. Additive: {@link #run} is unchanged.
     */
    public static ReplayResult runAddressSpaces(Workload w, ReplayOptions o, java.util.function.IntPredicate only,
                                                Consumer<Event> sink) {
        return run(w, o, sink, null, only);
    }

    /** The result of a whole replay from the results of {@link #runAddressSpaces} over disjoint address spaces. */
    public static ReplayResult combine(List<ReplayResult> parts) {
        ReplayCounters total = new ReplayCounters();
        List<Finding> findings = new ArrayList<>();
        long defects = 0, violations = 0, events = 0, wall = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (ReplayResult r : parts) {
            total.add(r.counters);
            findings.addAll(r.findings);
            defects += r.defects;
            violations += r.violations;
            events += r.events;
            wall += r.wallNs;
            first = Math.min(first, r.firstNs);
            last = Math.max(last, r.lastNs);
        }
        findings.sort(Comparator.comparingLong(Finding::timeNs).thenComparingLong(Finding::mm).thenComparingInt(Finding::tid));
        ReplayResult p = parts.get(0);
        return new ReplayResult(p.policy, p.options, total, findings, defects, violations, first, last, events, p.mms,
                p.operations, wall);
    }

    private static ReplayResult run(Workload w, ReplayOptions o, Consumer<Event> sink,
                                    java.util.concurrent.ThreadFactory workers, java.util.function.IntPredicate only) {
        long wall0 = System.nanoTime();
        long resolution = o.resolutionNs > 0 ? o.resolutionNs : w.resolutionNs;
        long acquireCost = o.acquireCostNs >= 0 ? o.acquireCostNs : w.acquireCostNs;
        // address spaces are created when virtual time reaches their first operation and dropped once
        // finished, so memory holds the address spaces active in a window, not all of them
        List<MmWork> order = new ArrayList<>();
        for (MmWork m : w.mms) if (m.firstStart() != Long.MAX_VALUE && (only == null || only.test(m.index))) order.add(m);
        order.sort(Comparator.comparingLong(MmWork::firstStart).thenComparingInt(m -> m.index));
        int threads = o.threads > 0 ? o.threads : Runtime.getRuntime().availableProcessors();
        threads = Math.max(1, Math.min(threads, Math.max(1, order.size())));
        ExecutorService pool = workers != null ? Executors.newFixedThreadPool(threads, workers)
                : threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "vmalock-replay");
            t.setDaemon(true);
            return t;
        }) : null;
        long events = 0;
        ReplayCounters total = new ReplayCounters();
        List<Finding> findings = new ArrayList<>();
        long defects = 0;
        long violations = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        try {
            int nextMm = 0;
            long limit = order.isEmpty() ? 0 : order.get(0).firstStart() + o.windowNs;
            List<MmReplay> active = new ArrayList<>(); // in address-space index order: the merge's tie-break
            Event e = new Event();
            while (!active.isEmpty() || nextMm < order.size()) {
                while (nextMm < order.size() && order.get(nextMm).firstStart() < limit) {
                    MmReplay r = new MmReplay(order.get(nextMm++), o, acquireCost, resolution, w.wakeLatencies, w);
                    int at = active.size();
                    while (at > 0 && active.get(at - 1).work.index > r.work.index) at--;
                    active.add(at, r);
                }
                final long lim = limit;
                if (pool == null) {
                    for (MmReplay r : active) r.runUntil(lim);
                } else if (!active.isEmpty()) {
                    List<Callable<Boolean>> jobs = new ArrayList<>(active.size());
                    for (MmReplay r : active) jobs.add(() -> r.runUntil(lim));
                    for (Future<Boolean> f : pool.invokeAll(jobs)) f.get();
                }
                events += merge(active, e, sink, only == null ? resolution : 1);
                for (MmReplay r : active) {
                    if (!r.done) continue;
                    total.add(r.c);
                    findings.addAll(r.findingsList());
                    defects += r.findings.defects();
                    violations += r.findings.violations();
                    first = Math.min(first, r.firstStart);
                    last = Math.max(last, r.lastEnd);
                }
                active.removeIf(r -> r.done);
                long next = nextMm < order.size() ? order.get(nextMm).firstStart() : Long.MAX_VALUE;
                for (MmReplay r : active) next = Math.min(next, r.sim.nextEventTime());
                limit = Math.max(limit + o.windowNs, next == Long.MAX_VALUE ? limit : next + o.windowNs);
            }
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("replay interrupted", x);
        } catch (ExecutionException x) {
            Throwable c = x.getCause();
            if (c instanceof RuntimeException) throw (RuntimeException) c;
            if (c instanceof Error) throw (Error) c; // OutOfMemoryError in a worker: the command reports it
            throw new IllegalStateException(c);
        } finally {
            if (pool != null) pool.shutdownNow();
        }
        findings.sort(Comparator.comparingLong(Finding::timeNs).thenComparingLong(Finding::mm).thenComparingInt(Finding::tid));
        return new ReplayResult(o.policy.name, o, total, findings, defects, violations, first, last, events, w.addressSpaces(),
                w.operations(), System.nanoTime() - wall0);
    }

    /**
     * k-way merge of the window's buffers by (ts, mm index), each buffer already in time order: a
     * binary heap of buffer indexes, so a window of n events from k address spaces costs O(n log k).
     */
    private static long merge(List<MmReplay> reps, Event e, Consumer<Event> sink, long resolution) {
        int k = reps.size();
        EventBuffer[] bufs = new EventBuffer[k];
        int[] heap = new int[k];
        int size = 0;
        for (int j = 0; j < k; j++) {
            bufs[j] = reps.get(j).buf;
            if (bufs[j].hasNext()) {
                heap[size] = j;
                siftUp(heap, size++, bufs);
            }
        }
        long n = 0;
        while (size > 0) {
            int j = heap[0];
            bufs[j].next(e, resolution);
            if (sink != null) sink.accept(e);
            n++;
            if (!bufs[j].hasNext()) {
                heap[0] = heap[--size];
            }
            if (size > 0) siftDown(heap, size, bufs);
        }
        for (EventBuffer b : bufs) b.reset();
        return n;
    }

    private static boolean less(EventBuffer[] b, int x, int y) {
        long tx = b[x].peekTs();
        long ty = b[y].peekTs();
        return tx < ty || (tx == ty && x < y);
    }

    private static void siftUp(int[] h, int i, EventBuffer[] b) {
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!less(b, h[i], h[p])) break;
            int t = h[i];
            h[i] = h[p];
            h[p] = t;
            i = p;
        }
    }

    private static void siftDown(int[] h, int size, EventBuffer[] b) {
        int i = 0;
        for (;;) {
            int l = 2 * i + 1;
            if (l >= size) return;
            int m = l + 1 < size && less(b, h[l + 1], h[l]) ? l + 1 : l;
            if (!less(b, h[m], h[i])) return;
            int t = h[i];
            h[i] = h[m];
            h[m] = t;
            i = m;
        }
    }
}
