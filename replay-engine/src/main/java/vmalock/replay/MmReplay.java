package vmalock.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import vmalock.event.Event;
import vmalock.lock.Fault;
import vmalock.lock.Findings;
import vmalock.lock.LockEventListener;
import vmalock.lock.Mm;
import vmalock.lock.Op;
import vmalock.lock.OtherRead;
import vmalock.lock.Policy;
import vmalock.lock.Program;
import vmalock.lock.SimScheduler;
import vmalock.lock.Task;
import vmalock.lock.UserFault;
import vmalock.lock.VmEvents;
import vmalock.lock.VmaLockDesign;
import vmalock.lock.WriteSection;

/**
 * The replay of one address space under one policy on the locks package's deterministic
 * {@link SimScheduler}: one simulated task per traced task, each running its operations in order
 * with its think times; the policy picks the acquisition ops, the locks decide who waits. Emitted
 * tracepoint events are buffered per time window for the engine's deterministic merge.
 */
final class MmReplay implements LockEventListener {
    /**
     * Remote reads (outside process_vm_readv) holding mmap_lock at most this long are taken to be one
     * {@code __access_remote_vm} copy of ≤ one page in one VMA (/proc/PID/cmdline, environ, a page of
     * mem): on the remote-reader captures those hold 0–3 µs, while /proc/PID/smaps fills (a page-table
     * walk per VMA, never on the per-VMA path) hold 6–40 µs — a bimodal distribution split at 5 µs.
     */
    static final long SHORT_REMOTE_NS = 5_000;

    /**
     * madvise behaviours that zap the range's page tables (include/uapi/asm-generic/mman-common.h):
     * MADV_DONTNEED, MADV_REMOVE, MADV_DONTNEED_LOCKED. MADV_FREE (8) is not one: madvise_free_pte_range
     * only clears the dirty and young bits, the pages stay mapped until reclaim frees them, which the trace
     * does not show.
     */
    static boolean zapsPages(long behavior) {
        return behavior == 4 || behavior == 9 || behavior == 24;
    }

    final MmWork work;
    final ReplayOptions opt;
    final Policy policy;
    final VmaLockDesign design;
    final SimScheduler sim;
    /** --live: the real-thread driver instead of the simulator (wall clock, not deterministic). */
    final vmalock.lock.ThreadDriver threads;
    final List<Event> liveEvents = new ArrayList<>();
    final Mm mm;
    final AddressSpace as;
    final WritePlanner planner;
    /** The timing this address space is replayed with (AUTO resolved). */
    final ReplayOptions.Timing timing;
    /** Modelled CPUs (0 = unlimited). */
    final int ncpus;
    final Findings findings = new Findings(1000);
    final VmEvents vmEvents = new VmEvents();
    final EventBuffer buf = new EventBuffer();
    final ReplayCounters c = new ReplayCounters();
    /** This address space's task programs by tid (the simulator's: wake-up dependencies between them). */
    private final java.util.Map<Integer, TaskProgram> programs = new java.util.HashMap<>();
    long firstStart = Long.MAX_VALUE;
    long lastEnd = Long.MIN_VALUE;
    boolean done;
    /** Virtual time the replay stopped at a modelled oops, or -1. */
    long haltedAtNs = -1;

    /** Resolution of the trace's timestamps (ns): observed times are truncations, true times lie within. */
    final long resolution;

    MmReplay(MmWork work, ReplayOptions opt, long acquireCostNs, long resolution, long[] wakeSamples) {
        this(work, opt, acquireCostNs, resolution, wakeSamples, null);
    }

    /**
     * The traced kernel serves madvise(MADV_DONTNEED…) under the per-VMA lock (≈6.17+): the trace shows such calls with
     * no mmap_lock events. Then a madvise it served under mmap_lock had failed its lock_vma_under_rcu() (see read()).
     */
    private final boolean madviseUnderVmaLock;

    /** {@code wl}: the workload (its sched data decide AUTO timing and the CPU count); null = none. */
    MmReplay(MmWork work, ReplayOptions opt, long acquireCostNs, long resolution, long[] wakeSamples, Workload wl) {
        this.resolution = resolution;
        this.madviseUnderVmaLock = wl != null && wl.madviseZapCalls > 0;
        this.timing = wl == null ? (opt.timing == ReplayOptions.Timing.AUTO ? ReplayOptions.Timing.TRACE : opt.timing)
                : opt.effectiveTiming(wl);
        this.ncpus = wl == null ? Math.max(0, opt.cpus) : opt.effectiveCpus(wl);
        if (wl != null) wakeSamples = wl.sleeperWakeSamples(timing == ReplayOptions.Timing.SCHED);
        this.work = work;
        this.opt = opt;
        Policy p = opt.policy.policy.withSmp(ncpus != 1);
        this.policy = p;
        this.design = p.effectiveDesign();
        this.sim = new SimScheduler(findings, opt.check);
        this.threads = opt.live ? new vmalock.lock.ThreadDriver(findings, opt.check) : null;
        this.mm = new Mm(work.key, design, this, vmEvents, Mm.DEFAULT_MMAP_LOCK_OFFSET);
        this.mm.mmapLock.acquireCostNs = acquireCostNs;
        if (wl != null && opt.acquireCostNs < 0 && acquireCostNs > 0) {
            // the trace's own hot and cold acquisition costs (a constant --acquire-cost applies to both)
            this.mm.mmapLock.acquireCostHotNs = wl.acquireCostHotNs;
            this.mm.mmapLock.acquireCostColdNs = wl.acquireCostColdNs;
        }
        this.mm.era = p.era;
        this.mm.vmaWriteWaits = ns -> {
            synchronized (c) { // --live: writers on several threads
                c.vmaWriteWait.add(ns);
            }
        };
        if (opt.wakeLatencyNs >= 0) {
            sim.wakeLatencyNs = opt.wakeLatencyNs;
        } else if (wakeSamples.length > 0) {
            SplittableRandom wr = new SplittableRandom(opt.seed * 0xD1B54A32D192ED03L + work.index);
            final long[] samples = wakeSamples;
            if (timing == ReplayOptions.Timing.SCHED) {
                // every sleeper pays the scheduler's wake-up latency onto an idle CPU (the modelled CPUs
                // add any queueing): rw_semaphore waiters (mmap_lock, the VMA rwsem) and rcuwait writers
                // of vm_refcnt alike — both are woken by the scheduler (audit R5)
                sim.wakeLatency = task -> samples[wr.nextInt(samples.length)];
                if (wl != null && opt.rcuwaitSwitchOutApplies(wl)) {
                    // a VMA writer woken by the last reader's vma_end_read before it was off its CPU was never asleep
                    final long[] so = wl.switchOutLatencies;
                    SplittableRandom sr = new SplittableRandom(opt.seed * 0x9E3779B97F4A7C15L + work.index);
                    sim.rcuwaitSwitchOut = task -> so[sr.nextInt(so.length)];
                }
            } else {
                // open loop: the samples are the trace's mmap_lock sleepers' release→acquire gaps, queueing
                // on the traced machine included; applied to rw_semaphore sleepers only, as measured
                sim.wakeLatency = task -> {
                    Op top = task.depth() == 0 ? null : task.opAt(task.depth() - 1);
                    return top instanceof vmalock.lock.Rwsem.DownRead || top instanceof vmalock.lock.Rwsem.DownWrite
                            ? samples[wr.nextInt(samples.length)] : 0;
                };
            }
        }
        this.as = work.initialAddressSpace();
        for (Vma v : as.vmas()) WritePlanner.seed(mm, v);
        this.planner = new WritePlanner(mm, as);
        if (ncpus > 0) sim.cpus = ncpus;
        sim.kernelPreemption = opt.effectiveKernelPreemption(wl);
        if (opt.sliceNs > 0) sim.sliceNs = opt.sliceNs;
        sim.wakeupPreemption = opt.wakeupPreemption;
        sim.migrationCostNs = opt.effectiveMigrationCostNs(wl);
        sim.wakePreemptPrevCpu = opt.wakeupPreemptPrevCpu;
        if (opt.eevdf) {
            sim.eevdf = true;
            sim.delayDequeue = opt.delayDequeue;
            // the kernel's base slice, 0.75 ms × (1 + log2 CPUs, at most 8): sysctl_sched_base_slice
            if (opt.sliceNs <= 0) sim.sliceNs = 750_000L * (1 + 31 - Integer.numberOfLeadingZeros(Math.max(1, Math.min(8, ncpus))));
        }
        if (opt.effectiveWakeOnPrevCpu(wl)) {
            // the traced kernel wakes a task onto its previous CPU: it preempts that CPU's task or waits there
            // (the EEVDF queues decide that themselves; the single-queue models through wakePreemptPrevCpu)
            sim.wakeOnPrevCpu = true;
            if (!opt.eevdf) sim.wakePreemptPrevCpu = true;
            double share = opt.effectiveWakeIdleShare(wl);
            if (share > 0) { // … and an idle CPU as often as the trace shows: drawn per such wake-up
                SplittableRandom ir = new SplittableRandom(opt.seed * 0xBF58476D1CE4E5B9L + work.index + 2);
                sim.wakeFindsIdle = () -> ir.nextDouble() < share;
            }
        }
        if (opt.wakerCostApplies(wl)) {
            // waking a sleeper costs the waker what it cost the trace's wakers (an IPI to the wakee's CPU and more)
            final long[] wc = wl.wakerCosts;
            SplittableRandom cr = new SplittableRandom(opt.seed * 0x94D049BB133111EBL + work.index + 3);
            sim.wakerCost = task -> wc[cr.nextInt(wc.length)];
        }
        if (opt.wakeupPreemptMinRun && wl != null) sim.wakePreemptMinRunNs = Math.max(0, wl.wakePreemptMinRunNs());
        if (opt.wakeupPreemptFromTrace && wl != null && wl.busyWakeLatencies.length > 0) {
            final long[] bw = wl.busyWakeLatencies;
            SplittableRandom pr = new SplittableRandom(opt.seed * 0x9E3779B97F4A7C15L + work.index + 1);
            sim.wakePreemptDelay = t -> bw[pr.nextInt(bw.length)];
        }
        if (p.fault == Policy.FaultStrategy.START_READ_UNLOCKED_V2 || p.reader == Policy.ReaderStrategy.START_READ_UNLOCKED_V2) {
            // v2 as posted oopses at its first NULL dereference with mmap_lock held for read: the replay of this
            // address space stops there (the defect names task, time and address), no figures after it
            sim.afterStep = () -> {
                if (findings.defects() > 0) {
                    haltedAtNs = sim.now();
                    sim.halt();
                }
            };
        }
        for (TaskWork tw : work.tasks()) {
            if (tw.size() == 0) continue;
            Task t = new Task(tw.tid, tw.comm == null ? "<" + tw.tid + ">" : tw.comm);
            if (timing == ReplayOptions.Timing.SCHED) t.homeCpu = tw.firstCpu; // its first run on the CPU the trace shows
            TaskProgram prog = new TaskProgram(tw, t);
            programs.put(tw.tid, prog);
            long start = tw.firstStart() + (timing == ReplayOptions.Timing.SCHED ? 0 : prog.jitter());
            int fw = threads == null && timing == ReplayOptions.Timing.SCHED && tw.timeline != null
                    ? tw.timeline.firstOpWake(tw.firstStart()) : -1;
            if (fw >= 0) {
                // its first operation waits for the traced task that woke it: it starts asleep, from the sleep's start
                // (not before its address space's first operation)
                start = Math.max(tw.timeline.start(fw), work.firstStart());
                prog.phase = TaskProgram.DEP0;
            }
            firstStart = Math.min(firstStart, start);
            if (threads != null) threads.spawn(t, prog);
            else sim.spawn(t, prog, start);
        }
    }

    @Override
    public void event(Event e) {
        if (!opt.emit) return;
        if (threads != null) {
            synchronized (liveEvents) {
                liveEvents.add(e.copy());
            }
        } else {
            buf.add(e);
        }
    }

    /** --live: runs every task on its own thread against the real-thread driver; false if it timed out. */
    boolean runLive(long timeoutMs) throws InterruptedException {
        long t0 = System.nanoTime();
        threads.start();
        boolean ok = threads.await(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (!ok) {
            findings.report("replay-stuck", null, mm, null, "live replay did not finish within " + timeoutMs
                    + " ms (a lost wake-up or deadlock in the lock model?): " + threads.describeStuck());
            threads.abort();
        }
        firstStart = 0;
        lastEnd = System.nanoTime() - t0;
        done = true;
        finish();
        return ok;
    }

    /** Runs simulated time up to {@code limitNs}; true once every task has finished (or is stuck). */
    boolean runUntil(long limitNs) {
        if (done) return true;
        sim.runUntil(limitNs);
        if (sim.halted()) {
            done = true;
            lastEnd = Math.max(lastEnd, haltedAtNs);
        } else if (sim.live() == 0) {
            done = true;
        } else if (!sim.hasPending()) {
            // nothing can happen any more: tasks blocked forever (lost wake-up / deadlock in the model)
            for (Task t : sim.stuck()) {
                findings.report("replay-stuck", t, mm, null, "task still blocked when the replay ran out of events: "
                        + SimScheduler.describe(t));
            }
            done = true;
        }
        if (done) finish();
        return done;
    }

    private void finish() {
        c.vmaLockSuccess = vmEvents.success();
        c.vmaLockAbort = vmEvents.abort();
        c.vmaLockMiss = vmEvents.miss();
        c.vmaLockRetry = vmEvents.retry();
        c.vmasLocked = planner.vmasLocked;
        c.unmapsOfLaterMappings = as.unmapsOfLaterMappings;
        c.cpuWaitNs = sim.cpuWaitNs();
        c.kernelPreemptions = sim.kernelPreemptions();
        c.kernelPreemptionsInVmaSyscall = sim.kernelPreemptionsInCondResched();
        c.steps = sim.steps();
        if (haltedAtNs >= 0) c.haltedMms++;
    }

    /** The findings that are modelled defects, and the invariant violations, in time order. */
    List<vmalock.lock.Finding> findingsList() {
        return new ArrayList<>(findings.list());
    }

    /** A sleeper waiting for its waker to get to the point where the trace shows it woke it. */
    private static final class WakeWait extends Op {
        boolean released;

        WakeWait init() {
            released = false;
            pc = 0;
            return this;
        }

        @Override
        public int step(Task t) {
            return released ? DONE : BLOCK;
        }

        @Override
        public String name() {
            return "wake-dependency";
        }
    }

    /** A sleeper's wake-up at {@code computeNs} of on-CPU time into its waker's think before operation k. */
    private static final class WakePoint {
        final long computeNs;
        final TaskProgram sleeper;
        final Task sleeperTask;

        WakePoint(long computeNs, TaskProgram sleeper, Task sleeperTask) {
            this.computeNs = computeNs;
            this.sleeper = sleeper;
            this.sleeperTask = sleeperTask;
        }
    }

    /** One traced task's operations as a {@link Program}. */
    private final class TaskProgram implements Program {
        private static final int THINK = 0, CPU = 1, OP = 2, AFTER = 3, SLEEP = 4, SPLIT = 5, DEP = 6, DEP0 = 7;
        private final TaskWork tw;
        /** Sleepers to wake in the think before operation k (k → points), registered before this task got there. */
        private java.util.TreeMap<Integer, List<WakePoint>> points;
        /** The think being run (SPLIT): its operation, when it began, its length, how much is done, its points. */
        private int thinkOp = -1;
        private long thinkStart, thinkTotal, thinkDone;
        private List<WakePoint> due;
        private int dueNext;
        private boolean finished;
        /** Its first operation's sleep was a dependency, waited for before its think (DEP0). */
        private boolean firstDep;
        private final WakeWait wakeWait = new WakeWait();
        private final Ops ops;
        private final Fault fault = new Fault();
        private final WriteSection.Spec spec = new WriteSection.Spec();
        private final SplittableRandom rnd;
        private int i;
        private int phase;
        private int kind;
        /** Simulated time the current operation was issued. */
        private long opStart;

        TaskProgram(TaskWork tw, Task t) {
            this.tw = tw;
            this.ops = tw.replayOps();
            this.rnd = new SplittableRandom(opt.seed * 0x9E3779B97F4A7C15L + work.index * 0x632BE59BD9B4E019L + tw.tid);
            spec.plan = task -> planner.plan(spec, ops, i, task);
        }

        @Override
        public Op next(Task t) {
            for (;;) {
                switch (phase) {
                    case THINK: {
                        if (i >= ops.size()) {
                            ops.release();
                            lastEnd = Math.max(lastEnd, t.now());
                            finished = true;
                            if (points != null) { // wake-ups after its last operation: now
                                for (List<WakePoint> l : points.values()) for (WakePoint w : l) release(t, w);
                                points = null;
                            }
                            return null;
                        }
                        phase = CPU;
                        long think = ops.think(i);
                        if (threads != null) {
                            // live: wall clock, think times as traced (closed loop)
                        } else if (timing == ReplayOptions.Timing.SCHED) {
                            // on-CPU compute after the simulated end of the previous op, then the sleep; the
                            // compute is split where a sleeper waits for this task's wake-up of it
                            thinkOp = i;
                            thinkStart = t.now();
                            thinkTotal = think;
                            thinkDone = 0;
                            due = points == null ? null : points.remove(i);
                            if (due != null) due.sort((a, b) -> Long.compare(a.computeNs, b.computeNs));
                            dueNext = 0;
                            phase = SPLIT;
                            break;
                        } else if (timing == ReplayOptions.Timing.TRACE) think = ops.start(i) + jitter() - t.now();
                        else if (timing == ReplayOptions.Timing.ANCHORED) think = Math.max(think, ops.start(i) + jitter() - t.now());
                        if (think > 0) return t.ops().hold.initUser(think);
                        break;
                    }
                    case SPLIT: {
                        while (due != null && dueNext < due.size() && Math.min(due.get(dueNext).computeNs, thinkTotal) <= thinkDone) {
                            release(t, due.get(dueNext++));
                        }
                        long to = due != null && dueNext < due.size() ? Math.min(due.get(dueNext).computeNs, thinkTotal) : thinkTotal;
                        if (to > thinkDone) {
                            long d = to - thinkDone;
                            thinkDone = to;
                            return t.ops().hold.initUser(d);
                        }
                        thinkOp = -1;
                        due = null;
                        phase = SLEEP;
                        break;
                    }
                    case SLEEP: {
                        phase = threads == null && timing == ReplayOptions.Timing.SCHED ? DEP : CPU;
                        long slept = ops.sleep(i);
                        if (slept > 0) return t.ops().hold.initSleep(slept);
                        break;
                    }
                    case DEP: {
                        phase = CPU;
                        if (i == 0 && firstDep) break; // waited for before its think (DEP0)
                        Op w = wakeDependency(t);
                        if (w != null) return w;
                        break;
                    }
                    case DEP0: { // the first operation's wake-up by a traced task, before its think
                        phase = THINK;
                        firstDep = true;
                        Op w = wakeDependency(t);
                        if (w != null) return w;
                        break;
                    }
                    case CPU:
                        phase = OP;
                        break;
                    case OP: {
                        phase = AFTER;
                        opStart = t.now();
                        Op op = build(t);
                        if (op != null) return op;
                        break;
                    }
                    default:
                        if (threads != null) {
                            synchronized (c) { // --live: tasks account from their own threads
                                account(t);
                            }
                        } else {
                            account(t);
                        }
                        i++;
                        phase = THINK;
                }
            }
        }

        /**
         * Where within its truncation interval the observed time really was: uniform, from the seed
         * (0 for ns-resolution traces).
         */
        long jitter() {
            return resolution > 1 ? rnd.nextLong(resolution) : 0;
        }

        /**
         * The end of the last sleep before operation {@code i} when a traced task woke it (sched_waking in task
         * context): when that task gets to where the trace shows the wake-up — after the operations it had begun by
         * then and its on-CPU time since its last event before it — in this replay; at once if it is past that point
         * already. A waker on another address space (replayed apart) leaves the sleep its recorded length.
         */
        private Op wakeDependency(Task t) {
            int wk = ops.wake(i);
            if (wk < 0) return null;
            int by = wk & 7;
            c.sleepsWokenBy[by]++;
            long recorded = ops.depSleep(i);
            if (by != SchedTimeline.WOKEN_BY_TRACED_TASK || recorded <= 0) return null;
            SchedTimeline tl = ops.timeline;
            SchedTimeline.WakeDep d = tl == null ? null : tl.dep(wk >>> 3);
            TaskProgram waker = d == null ? null : programs.get(d.wakerTid);
            int k = waker == null ? -1 : d.begunOn(work);
            if (k < 0) {
                c.sleepsWokenByTaskElsewhere++;
                return t.ops().hold.initSleep(recorded);
            }
            long compute = d.computeNs();
            if (waker.finished || waker.i > k || waker.i == k && waker.phase != THINK && waker.phase != SPLIT
                    && waker.phase != DEP0) {
                return null; // the waker is past the point: the sleep is over
            }
            if (waker.i == k && waker.phase == SPLIT && waker.thinkOp == k) {
                // the waker is in that very think: its point is where its compute gets to (preemption aside)
                long at = waker.thinkStart + Math.min(compute, waker.thinkTotal);
                return at > t.now() ? t.ops().hold.initSleep(at - t.now()) : null;
            }
            if (waker.points == null) waker.points = new java.util.TreeMap<>();
            waker.points.computeIfAbsent(k, x -> new ArrayList<>()).add(new WakePoint(compute, this, t));
            return wakeWait.init();
        }

        /** Wakes a sleeper that waits for this task. */
        private void release(Task t, WakePoint w) {
            w.sleeper.wakeWait.released = true;
            t.driver().wake(w.sleeperTask);
        }

        private Op build(Task t) {
            kind = ops.kind(i);
            long svc = ops.service(i);
            // a VMA syscall walks page tables (zap, change_protection) with cond_resched() in the loop: under
            // preempt=none a woken task can take its CPU there; a fault's path has no such point
            t.condResched = kind == Ops.WRITE || kind == Ops.VMA_SYSCALL || kind == Ops.READ && ops.sub(i) == Ops.CLASS_MADVISE;
            switch (kind) {
                case Ops.FAULT: {
                    long err = ops.a1(i);
                    fault.set(ops.addr(i), (err & Fault.PF_WRITE) != 0, svc);
                    fault.errorCode = err;
                    fault.user = true;
                    return t.ops().userFault.init(mm, fault, policy);
                }
                case Ops.WRITE:
                    if ((ops.flags(i) & Ops.F_FAILED) != 0) {
                        kind = -1;
                        c.writesSkipped++;
                        return null;
                    }
                    spec.lock = NONE;
                    spec.insert = NONE;
                    spec.detach = NONE;
                    spec.mutate = null;
                    spec.holdNs = svc;
                    spec.downgrade = (ops.flags(i) & Ops.F_DOWNGRADE) != 0;
                    spec.readHoldNs = Math.max(0, ops.post(i));
                    spec.killable = true;
                    return t.ops().writeSection.init(mm, spec);
                case Ops.VMA_SYSCALL: {
                    // madvise(MADV_DONTNEED…) drops the VMA read lock before tlb_finish_mmu (Ops#tail)
                    long tail = Math.min(svc, ops.tail(i));
                    return t.ops().otherRead.initWithTail(mm, ops.addr(i), svc - tail, tail, Policy.ReaderStrategy.VMA_LOCK_FALLBACK);
                }
                default:
                    return read(t, svc);
            }
        }

        private Op read(Task t, long svc) {
            int cls = ops.sub(i);
            if (cls == Ops.CLASS_MADVISE) {
                // a madvise the traced kernel served under mmap_lock: on a kernel that serves its behaviour under the
                // per-VMA lock (MADV_DONTNEED…; the trace shows such calls) that was an outcome — its lock_vma_under_rcu()
                // failed, the VMA write-locked by a writer then — so the replay tries the VMA lock first as the kernel
                // does (as for Ops.VMA_SYSCALL); a policy without VMA locks falls back at once
                Policy.ReaderStrategy s = madviseUnderVmaLock && Ops.zapUnderVmaLock(ops.a2(i))
                        ? Policy.ReaderStrategy.VMA_LOCK_FALLBACK : Policy.ReaderStrategy.MMAP_READ_LOCK;
                return t.ops().otherRead.init(mm, ops.addr(i), svc, s, false);
            }
            if (cls == Ops.CLASS_MAPS) {
                // a traced read() of /proc/PID/maps: the whole read under mmap_read_lock where the policy's kernel
                // reads maps that way (no per-VMA locks, or the rw_semaphore era before 6.17), else lock_next_vma
                return t.ops().mapsRead.init(mm, svc, policy.mapsReadersUnderMmapLock());
            }
            Vma target;
            synchronized (as) { // --live: writers change the model concurrently
                target = as.size() == 0 ? null : as.get(rnd.nextInt(as.size()));
            }
            long base = target == null ? 0 : target.start;
            if (cls == Ops.CLASS_REMOTE && (ops.flags(i) & Ops.F_MEM) != 0 && ops.addr(i) != 0) {
                // a /proc/PID/mem page (assumption 7a): __access_remote_vm at the traced address, whatever
                // its hold — baseline mmap_read_lock_killable, or van Riel's per-page fast path
                long len = Math.max(1, ops.a1(i));
                long addr = ops.addr(i);
                long pages = (addr + len - (addr & ~(AddressSpace.PAGE - 1)) + AddressSpace.PAGE - 1) / AddressSpace.PAGE;
                c.remoteMem++;
                // the traced address: the fast path needs each page it copies present (vmalock.lock.Vma#pages)
                return t.ops().remoteRead.init(mm, addr, len, svc / pages, false, policy.remote, design, true);
            }
            if (cls == Ops.CLASS_REMOTE) {
                long pages = target == null ? 1 : Math.max(1, (target.end - target.start) / AddressSpace.PAGE);
                long addr = target == null ? 0 : target.start + rnd.nextLong(pages) * AddressSpace.PAGE;
                int f = ops.flags(i);
                // what the section copies: by evidence (process_vm_readv; the /proc file read, from capture's
                // open-path probes) first, by the ≤5 µs hold rule otherwise
                boolean onePage;
                if ((f & Ops.F_GUP) != 0) {
                    c.remoteGup++;
                    onePage = false;
                } else if ((f & Ops.F_PROC_ARGS) != 0) {
                    c.remoteProcArgs++;
                    onePage = true;
                } else if ((f & Ops.F_PROC_WALK) != 0) {
                    c.remoteProcWalk++;
                    onePage = false;
                } else if (svc <= SHORT_REMOTE_NS) {
                    c.remoteShortInferred++;
                    onePage = true;
                } else {
                    c.remoteWalkInferred++;
                    onePage = false;
                }
                if (target != null && onePage) {
                    return t.ops().remoteRead.init(mm, addr, AddressSpace.PAGE, svc, policy);
                }
                // process_vm_readv (pin_user_pages_remote) and walks (smaps) hold mmap_read_lock whatever
                // the policy: van Riel's fast path is in __access_remote_vm only (spec §6 h)
                return t.ops().remoteRead.init(mm, addr, AddressSpace.PAGE, svc, false, Policy.RemoteStrategy.MMAP_READ_LOCK,
                        design);
            }
            Policy.ReaderStrategy s = policy.reader;
            if (s == Policy.ReaderStrategy.MMAP_READ_LOCK && (ops.flags(i) & Ops.F_TRYLOCK) != 0
                    && (ops.flags(i) & Ops.F_FAILED) != 0) {
                s = Policy.ReaderStrategy.MMAP_TRYLOCK_SKIP; // as traced: a trylock that gives up
            }
            return t.ops().otherRead.init(mm, base, svc, s, policy.tracedGuard);
        }

        private void account(Task t) {
            switch (kind) {
                case Ops.FAULT: {
                    c.faults++;
                    c.faultLatency.add(t.now() - opStart);
                    UserFault uf = t.ops().userFault;
                    if (t.ret == UserFault.HANDLED_VMA) c.faultsVma++;
                    else if (t.ret == UserFault.HANDLED_MMAP) c.faultsMmap++;
                    else c.faultsFailed++;
                    boolean observedVma = ops.sub(i) == Ops.PATH_VMA;
                    if (observedVma && t.ret == UserFault.HANDLED_MMAP) c.faultsVmaToMmap++;
                    if (!observedVma && t.ret == UserFault.HANDLED_VMA) c.faultsMmapToVma++;
                    c.retries += uf.rcuWaitRetries();
                    break;
                }
                case Ops.WRITE:
                    c.writes++;
                    if (t.ret != 0) c.writesFailed++;
                    if (ops.scPre(i) >= 0 && ops.scTail(i) >= 0 && ops.sub(i) != vmalock.event.Syscall.OTHER.ordinal()) {
                        c.addSyscall(ops.sub(i), ops.scPre(i) + (t.now() - opStart) + ops.scTail(i));
                    }
                    break;
                case Ops.VMA_SYSCALL:
                    c.vmaSyscalls++;
                    c.addSyscall(ops.sub(i), t.now() - opStart);
                    if (ops.sub(i) == vmalock.event.Syscall.MADVISE.ordinal() && !SyscallEffect.failed(ops.ret(i))) {
                        zap(ops.addr(i), ops.a1(i), ops.a2(i));
                    }
                    break;
                case Ops.READ:
                    if (ops.sub(i) == Ops.CLASS_MADVISE) {
                        zap(ops.addr(i), ops.a1(i), ops.a2(i));
                        if (ops.scPre(i) >= 0 && ops.scTail(i) >= 0) { // in the VMA-syscall population, as in the trace's
                            c.addSyscall(vmalock.event.Syscall.MADVISE.ordinal(), ops.scPre(i) + (t.now() - opStart) + ops.scTail(i));
                        }
                    }
                    if (ops.sub(i) == Ops.CLASS_MAPS) {
                        c.mapsReads++;
                        if (policy.mapsReadersUnderMmapLock()) c.mapsReadsMmapLock++;
                        c.mapsReadFallbacks += t.ops().mapsRead.fallbacks();
                        if ((ops.flags(i) & Ops.F_MAPS_SECTIONS) != 0) c.mapsReadsTracedSections++;
                    } else if (ops.sub(i) == Ops.CLASS_REMOTE) {
                        c.remote++;
                        if (t.ops().remoteRead.fastPages() > 0 && !t.ops().remoteRead.fellBack()) c.remoteFast++;
                    } else {
                        c.otherReads++;
                        if (t.ret == OtherRead.SKIPPED) c.otherSkipped++;
                    }
                    break;
                default:
                    break;
            }
        }
    }

    /**
     * A traced madvise that zaps [addr, addr + len): its pages are no longer present in the VMAs that hold
     * them (applied when the replayed madvise's lock section ends).
     */
    private void zap(long addr, long len, long behavior) {
        if (!zapsPages(behavior) || len <= 0) return;
        long end = addr + AddressSpace.pageAlign(len);
        for (vmalock.lock.Vma v = mm.findVma(addr); v != null && v.vmStart < end; v = mm.findVma(v.vmEnd)) {
            v.pages.remove(Math.max(addr, v.vmStart), Math.min(end, v.vmEnd));
        }
    }

    private static final vmalock.lock.Vma[] NONE = new vmalock.lock.Vma[0];
}
