package vmalock.lock.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import vmalock.lock.Fault;
import vmalock.lock.Findings;
import vmalock.lock.Mm;
import vmalock.lock.Policy;
import vmalock.lock.SimScheduler;
import vmalock.lock.Task;
import vmalock.lock.Vma;
import vmalock.lock.WriteSection;

/**
 * The deterministic driver on a contended scenario: 16 faulting tasks (1 µs faults, 0–3 µs think
 * time) on 8 VMAs and one writer doing mprotect-style write sections (20 µs held, 50 µs apart) on the
 * same mm, so faults collide with write-locked VMAs, fall back, and queue on mmap_lock. The score is
 * faults + write sections per second; the secondary rates {@code lockOps} (acquire attempts,
 * releases, downgrades, VMA write locks, attach/detach) and {@code steps} (op steps) come from the
 * model's own counters. Per core: {@code cpuNs} and {@code lockOpsDone} are totals (events) over the
 * measured iterations, so lock operations per CPU-second of the benchmark thread are
 * lockOpsDone / cpuNs × 10⁹ — meaningful on a shared machine where wall-clock rates are not;
 * {@code bench/locks-bench.sh} prints that ratio.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class SimSchedulerBench {
    /** Secondary rates: lock operations (acquire attempts, releases, downgrades, VMA write locks…) and steps. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Counters {
        public long lockOps;
        public long steps;
    }

    /** Totals for the per-CPU-second rate (the benchmark thread's CPU time, not wall time). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Cpu {
        public long cpuNs;
        public long lockOpsDone;
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    static final int FAULTERS = 16, FAULTS_EACH = 20_000, WRITES = 4_000, OPS = FAULTERS * FAULTS_EACH + WRITES;

    @Param({"vma-refcount", "no-vma-lock"})
    public String policy;

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void contended(Blackhole bh, Counters c, Cpu cpu) {
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        Policy p = policy.equals("no-vma-lock") ? Policy.noVmaLock() : Policy.vmaRefcount();
        SimScheduler s = new SimScheduler(new Findings(), false);
        Mm mm = new Mm(0x1000, p.effectiveDesign(), null, new vmalock.lock.VmEvents(), Mm.DEFAULT_MMAP_LOCK_OFFSET);
        Vma[] v = new Vma[8];
        for (int i = 0; i < v.length; i++) v[i] = mm.addVma(0x100000L * (i + 1), 0x100000L * (i + 1) + 0x40000);
        for (int f = 0; f < FAULTERS; f++) {
            Fault fault = new Fault();
            int[] n = {0};
            long[] rng = {0x9E3779B97F4A7C15L * (f + 1)};
            s.spawn(new Task(100 + f, "faulter"), t -> {
                int k = n[0]++;
                if (k >= 2 * FAULTS_EACH) return null;
                long r = rng[0];
                r ^= r << 13;
                r ^= r >>> 7;
                r ^= r << 17;
                rng[0] = r;
                if ((k & 1) == 1) return t.ops().hold.init(r & 3071); // think time
                fault.set(0x100000L * (1 + ((r >>> 8) & 7)) + ((r >>> 16) & 0x3f000), true, 1_000);
                return t.ops().userFault.init(mm, fault, p);
            }, 0);
        }
        WriteSection.Spec spec = new WriteSection.Spec().hold(20_000);
        int[] w = {0};
        s.spawn(new Task(1, "writer"), t -> {
            int k = w[0]++;
            if (k >= 2 * WRITES) return null;
            if ((k & 1) == 1) return t.ops().hold.init(30_000);
            spec.lock(v[(k >>> 1) & 7]);
            return t.ops().writeSection.init(mm, spec);
        }, 0);
        s.run();
        cpu.cpuNs += THREADS.getCurrentThreadCpuTime() - cpu0;
        long ops = 0;
        for (Task t : s.tasks()) ops += t.lockOps();
        c.lockOps += ops;
        cpu.lockOpsDone += ops;
        c.steps += s.steps();
        bh.consume(s.steps());
        bh.consume(mm.vmEvents.success());
    }
}
