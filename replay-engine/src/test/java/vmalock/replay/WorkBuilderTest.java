package vmalock.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import vmalock.event.Syscall;

class WorkBuilderTest {
    static final long MM = 0xffff888100000000L;
    static final long MM2 = 0xffff888200000000L;
    static final long REGION = 0x7f0000000000L;

    private static Ops only(MmWork m, int tid) {
        for (TaskWork t : m.tasks()) if (t.tid == tid) return t.ops;
        throw new AssertionError("no task " + tid);
    }

    @Test
    void faultPathsWriteSectionsAndThinkTimes() {
        Ev ev = new Ev();
        // main thread 10 maps a 64 MiB region (confirms its mm)
        ev.write(100, 10, MM, 5, Syscall.MMAP, REGION, 0, 64 << 20, 3, 0x22);
        // faulter 11: per-VMA fault at 120, fault at 130 that falls back after a failed trylock
        ev.fault(120, 11, REGION + 0x1000, 6);
        ev.fault(130, 11, REGION + 0x2000, 6)
                .start(131, 11, MM, false).acq(132, 11, MM, false, false)
                .start(132, 11, MM, false).acq(140, 11, MM, false, true).rel(144, 11, MM, false);
        // writer 10: mprotect inside the region at 135, holding 6 µs
        ev.write(135, 10, MM, 6, Syscall.MPROTECT, 0, REGION + 0x10000, 0x4000, 7);
        // faulter 11: madvise(DONTNEED) under the per-VMA lock (no mmap_lock events)
        ev.enter(150, 11, Syscall.MADVISE, REGION, 0x8000, 4).exit(157, 11, Syscall.MADVISE, 0);
        // munmap with downgrade
        ev.enter(200, 10, Syscall.MUNMAP, REGION + (32 << 20), 1 << 20)
                .start(200, 10, MM, true).acq(201, 10, MM, true, true)
                .acq(210, 10, MM, false, true).rel(230, 10, MM, false).exit(231, 10, Syscall.MUNMAP, 0);
        Workload w = ev.build(-1);
        assertEquals(1, w.mms.size());
        MmWork m = w.mms.get(0);
        assertEquals("spec-default", w.faultCostSource); // one fallback sample < MIN_CALIBRATION_SAMPLES
        Ops f = only(m, 11);
        assertEquals(3, f.size());
        assertEquals(Ops.FAULT, f.kind(0));
        assertEquals(Ops.PATH_VMA, f.sub(0));
        assertEquals(1000, f.service(0)); // spec default 1 µs, below the 10 µs gap
        assertEquals(Ops.PATH_TRYLOCK_FAILED, f.sub(1));
        assertEquals(4000, f.service(1)); // the read hold is the service time
        assertEquals(9000, f.think(1));   // 130 - (120 + 1)
        assertEquals(Ops.VMA_SYSCALL, f.kind(2));
        assertEquals(7000, f.service(2));
        assertEquals(6000, f.think(2));   // 150 - 144
        Ops wr = only(m, 10);
        assertEquals(3, wr.size());
        assertEquals(Ops.WRITE, wr.kind(0));
        assertEquals(Syscall.MMAP.ordinal(), wr.sub(0));
        assertEquals(REGION, wr.ret(0));
        assertEquals(Syscall.MPROTECT.ordinal(), wr.sub(1));
        assertEquals(6000, wr.service(1));
        assertEquals(REGION + 0x10000, wr.addr(1));
        assertEquals(Syscall.MUNMAP.ordinal(), wr.sub(2));
        assertTrue((wr.flags(2) & Ops.F_DOWNGRADE) != 0);
        assertEquals(9000, wr.service(2)); // 201 -> downgrade at 210
        assertEquals(20000, wr.post(2));   // read hold after the downgrade
        // the traced address space: region split by mprotect into 3, then a 1 MiB hole
        assertEquals(2, m.faultsKnown());
        assertEquals(0, m.faultsInferred());
        assertEquals(4, m.tracedVmas);
    }

    @Test
    void remoteReadersAndMmReuse() {
        Ev ev = new Ev();
        ev.write(100, 10, MM, 5, Syscall.MMAP, REGION, 0, 1 << 20, 3, 0x22);  // process A (task 10) owns MM
        ev.write(105, 20, MM2, 5, Syscall.MMAP, REGION, 0, 1 << 20, 3, 0x22); // process B (task 20) owns MM2
        ev.read(120, 20, MM, 30);   // B reads A's mm: remote
        ev.read(160, 40, MM, 3);    // a kernel thread (no own mm): other
        // task 10 forks: holds its own mm for write and write-locks a new mm that reuses key MM2
        ev.start(200, 10, MM, true).acq(200, 10, MM, true, true)
                .start(201, 10, MM2, true).acq(201, 10, MM2, true, true).rel(210, 10, MM2, true)
                .rel(212, 10, MM, true);
        Workload w = ev.build(1000);
        assertEquals(3, w.mms.size());
        MmWork a = w.mms.get(0);
        assertEquals("ffff888100000000", a.label());
        assertEquals(Ops.CLASS_REMOTE, only(a, 20).sub(0));
        assertEquals(30000, only(a, 20).service(0));
        assertEquals(Ops.CLASS_OTHER, only(a, 40).sub(0));
        assertTrue((only(a, 10).flags(1) & Ops.F_FORK) != 0);
        assertEquals("ffff888200000000#2", w.mms.get(2).label());
        assertEquals(2, w.mms.get(2).instance);
    }

    @Test
    void faultCostIsTheMeanOfTheFallbackHoldsNotTheirMedian() {
        // sub-µs fallback holds truncated to 1 µs: six read 0 µs, four read 1 µs (true mean ≈0.4 µs); their
        // median is 0, which would make every per-VMA fault free
        Ev ev = new Ev();
        ev.write(100, 10, MM, 5, Syscall.MMAP, REGION, 0, 64 << 20, 3, 0x22);
        ev.fault(150, 11, REGION, 6); // the fresh VMA's first write fault prepares its anon_vma
        for (int k = 0; k < 10; k++) {
            long t = 200 + 10 * k;
            ev.fault(t, 11, REGION + 0x1000L * k, 6).start(t, 11, MM, false).acq(t, 11, MM, false, true)
                    .rel(t + (k < 6 ? 0 : 1), 11, MM, false);
        }
        Workload w = ev.build(-1);
        assertEquals("trace-fallback-mean", w.faultCostSource);
        assertEquals(400, w.faultCostNs);
    }

    @Test
    void aFreshVmasAnonVmaPrepareSectionIsNoSampleOfAFaultsService() {
        // 12 first write faults, each in a fresh anonymous VMA: vmf_anon_prepare()'s trylock section around
        // anon_vma_prepare() (0 µs); 10 fallback faults in a VMA that has its anon_vma: 2 µs each
        Ev ev = new Ev();
        for (int k = 0; k < 12; k++) {
            long region = REGION + (0x100000L << k);
            long t = 100 + 20 * k;
            ev.write(t, 10, MM, 1, Syscall.MMAP, region, 0, 0x10000, 3, 0x22);
            ev.fault(t + 10, 10, region, 6).start(t + 10, 10, MM, false).acq(t + 10, 10, MM, false, true)
                    .rel(t + 10, 10, MM, false);
        }
        ev.write(400, 10, MM, 1, Syscall.MMAP, REGION, 0, 0x10000, 3, 0x22);
        ev.fault(410, 11, REGION, 6);
        for (int k = 0; k < 10; k++) {
            long t = 500 + 10 * k;
            ev.fault(t, 11, REGION + 0x1000L * k, 6).start(t, 11, MM, false).acq(t, 11, MM, false, true)
                    .rel(t + 2, 11, MM, false);
        }
        Workload w = ev.build(-1);
        assertEquals("trace-fallback-mean", w.faultCostSource);
        assertEquals(2000, w.faultCostNs); // not (12 × 0 + 10 × 2000) / 22
        assertEquals(10, w.faultCostSamples);
        // a read fault maps the zero page: no anon_vma, so its section is a fault's (the VMA stays fresh)
        Ev rd = new Ev();
        rd.write(100, 10, MM, 1, Syscall.MMAP, REGION, 0, 0x100000, 3, 0x22);
        for (int k = 0; k < 10; k++) {
            long t = 200 + 10 * k;
            rd.fault(t, 11, REGION + 0x1000L * k, 4).start(t, 11, MM, false).acq(t, 11, MM, false, true)
                    .rel(t + 3, 11, MM, false);
        }
        assertEquals(3000, rd.build(-1).faultCostNs);
    }

    /**
     * 10 fallback faults (mean hold 400 ns), then 101 per-VMA-lock faults 1 µs apart but one 9 µs before the
     * next: the gaps' mean is 1,080 ns, so the fallback mean (400 ns) is the estimate.
     */
    private static Ops slowPerVmaFault(long faultCost) {
        Ev ev = new Ev();
        ev.write(100, 10, MM, 5, Syscall.MMAP, REGION, 0, 64 << 20, 3, 0x22);
        for (int k = 0; k < 10; k++) {
            long t = 200 + 10 * k;
            ev.fault(t, 11, REGION + 0x1000L * k, 4).start(t, 11, MM, false).acq(t, 11, MM, false, true)
                    .rel(t + (k < 6 ? 0 : 1), 11, MM, false);
        }
        long t = 1000;
        for (int k = 0; k <= 100; k++) {
            ev.fault(t, 11, REGION + 0x1000L * (20 + k), 4);
            t += k == 50 ? 9 : 1;
        }
        Workload w = ev.build(faultCost);
        if (faultCost < 0) assertEquals(400, w.faultCostNs);
        return only(w.mms.get(0), 11);
    }

    @Test
    void aPerVmaFaultCostsItsOwnGapScaledToTheEstimatesMean() {
        Ops f = slowPerVmaFault(-1);
        assertEquals(111, f.size());
        // the gaps within two resolution steps are truncation noise: each costs their mean (1 µs) × 400/1080
        assertEquals(370, f.service(10));
        assertEquals(370, f.service(59));
        // the fault the trace shows 9 µs long keeps its length: 9 µs × 400/1080
        assertEquals(Ops.PATH_VMA, f.sub(60));
        assertEquals(3333, f.service(60));
        assertEquals(5667, f.think(61)); // 9 µs - 3.333
        assertEquals(400, f.service(110)); // the last fault: no next event, the estimate
        long sum = 0;
        for (int i = 10; i < 110; i++) sum += f.service(i);
        assertEquals(400, sum / 100.0, 1); // the same mean over the faults with a known gap
        // --fault-cost: every per-VMA fault costs what the user says (capped by its gap)
        Ops o = slowPerVmaFault(500);
        assertEquals(500, o.service(60));
        assertEquals(500, o.service(10));
    }

    /** A writer that sleeps 4 µs and waits 1 µs for a CPU inside a 10 µs mprotect hold; {@code vmaFault}: the trace shows a per-VMA-lock fault. */
    private static Ops sleepingWriter(boolean vmaFault) {
        Ev ev = new Ev();
        ev.write(100, 10, MM, 5, Syscall.MMAP, REGION, 0, 64 << 20, 3, 0x22);
        if (vmaFault) ev.fault(150, 11, REGION + 0x1000, 6);
        else ev.fault(150, 11, REGION + 0x1000, 6).start(150, 11, MM, false).acq(150, 11, MM, false, true).rel(151, 11, MM, false);
        ev.enter(200, 10, Syscall.MPROTECT, REGION, 0x4000, 1).start(200, 10, MM, true).acq(201, 10, MM, true, true)
                .sw(203, 10, "D", 0).waking(207, 11, 10).sw(208, 0, "R", 10)
                .rel(211, 10, MM, true).exit(212, 10, Syscall.MPROTECT, 0);
        return only(ev.build(1000).mms.get(0), 10);
    }

    /**
     * Each sleep between two of task 10's faults by what ended it: a traced task of the same process in task context
     * (a dependency: who, and how many operations it had begun), a hardirq (a timer, on the idle task), a task with no
     * traced operations, a wake-up whose line showed no context, none seen.
     */
    @Test
    void aSleepBetweenOperationsIsClassifiedByWhatEndedIt() {
        Ev ev = new Ev();
        ev.write(50, 10, MM, 5, Syscall.MMAP, REGION, 0, 64 << 20, 3, 0x22);
        ev.fault(100, 10, REGION, 6).sw(101, 10, "S", 0);
        ev.fault(120, 11, REGION + 0x1000, 6);
        ev.waking(150, 11, 10).ctx(vmalock.event.Event.IRQ_TASK).sw(151, 0, "R", 10).fault(160, 10, REGION + 0x2000, 6);
        ev.sw(161, 10, "S", 0).waking(200, 0, 10).ctx(vmalock.event.Event.IRQ_HARDIRQ).sw(201, 0, "R", 10)
                .fault(210, 10, REGION + 0x3000, 6);
        ev.sw(211, 10, "S", 0).waking(250, 40, 10).ctx(vmalock.event.Event.IRQ_TASK).sw(251, 0, "R", 10)
                .fault(260, 10, REGION + 0x4000, 6);
        ev.sw(261, 10, "S", 0).waking(300, 11, 10).sw(301, 0, "R", 10).fault(310, 10, REGION + 0x5000, 6);
        ev.sw(311, 10, "S", 0).sw(350, 0, "R", 10).fault(360, 10, REGION + 0x6000, 6);
        Workload w = ev.build(1000);
        Ops o = only(w.mms.get(0), 10);
        MmWork mm = w.mms.get(0);
        // op 0 is the mmap; the faults are ops 1..6
        assertEquals(-1, o.wake(1), "no sleep before the first fault");
        int dep = o.wake(2);
        assertEquals(SchedTimeline.WOKEN_BY_TRACED_TASK, dep & 7);
        SchedTimeline.WakeDep d = o.timeline.dep(dep >>> 3);
        assertEquals(11, d.wakerTid);
        assertEquals(1, d.begunOn(mm), "task 11 had begun its one fault");
        assertEquals(49_000, o.depSleep(2), "the sleep 101 → 150 µs is the dependency's, not a fixed length");
        assertEquals(0, o.sleep(2));
        assertEquals(SchedTimeline.WOKEN_IN_INTERRUPT, o.wake(3));
        assertEquals(39_000, o.sleep(3), "a timer's sleep keeps its length");
        assertEquals(SchedTimeline.WOKEN_BY_UNTRACED_TASK, o.wake(4));
        assertEquals(SchedTimeline.WOKEN_CONTEXT_UNKNOWN, o.wake(5));
        assertEquals(SchedTimeline.WOKEN_NOT_SEEN, o.wake(6));
        assertEquals(39_000, o.sleep(6));
    }

    /**
     * The acquisition cost estimate is split: acquisitions that follow their task's own release within 10 µs (hot: 1 µs
     * here) and the others (cold: 2 µs, two tasks taking turns, and the first of each run).
     */
    @Test
    void theAcquireCostIsHotAfterTheTasksOwnReleaseAndColdOtherwise() {
        Ev ev = new Ev();
        ev.write(100, 10, MM, 5, Syscall.MMAP, REGION, 0, 64 << 20, 3, 0x22); // cold (1 µs)
        for (int i = 0; i < 24; i++) {
            long t = 1000 + 4L * i;
            ev.start(t, 10, MM, true).acq(t + 1, 10, MM, true, true).rel(t + 2, 10, MM, true); // hot after the first
        }
        for (int i = 0; i < 25; i++) {
            long t = 5000 + 50L * i;
            int tid = 11 + i % 2;
            ev.start(t, tid, MM, true).acq(t + 2, tid, MM, true, true).rel(t + 3, tid, MM, true); // the other task's release
        }
        Workload w = ev.build(1000);
        assertEquals(23, w.acquireCostHotSamples);
        assertEquals(1 + 1 + 25, w.acquireCostColdSamples);
        assertEquals(1000, w.acquireCostHotNs);
        assertEquals((1000 + 1000 + 25 * 2000) / 27, w.acquireCostColdNs);
        assertEquals((23 * 1000 + 1000 + 1000 + 25 * 2000) / 50, w.acquireCostNs, "the pooled mean stays");
    }

    @Test
    void aWriteSectionsSleepIsVmaStartWriteOnlyOnAKernelWithPerVmaLocks() {
        // per-VMA locks in the trace: the sleep is vma_start_write waiting for VMA readers, which the model
        // recreates: out of the service time with the runnable microsecond (10 - 4 - 1)
        assertEquals(5000, sleepingWriter(true).service(1));
        // no per-VMA-lock fault in the trace: the sleep is something the model does not recreate (10 - 1)
        assertEquals(9000, sleepingWriter(false).service(1));
    }

    /** {@code n} in-kernel preemptions of task 12 inside an mprotect's write hold (a cond_resched() site). */
    private static Ev preemptedInSyscalls(Ev ev, int n) {
        for (int i = 0; i < n; i++) {
            long t = 1000 + 100L * i;
            ev.enter(t, 12, Syscall.MPROTECT, REGION, 0x1000, 1).start(t, 12, MM, true).acq(t + 1, 12, MM, true, true)
                    .sw(t + 2, 12, "R+", 0).sw(t + 5, 0, "R", 12)
                    .rel(t + 6, 12, MM, true).exit(t + 7, 12, Syscall.MPROTECT, 0);
        }
        return ev;
    }

    @Test
    void thePreemptionModelComesFromTheTrace() {
        ReplayOptions auto = new ReplayOptions();
        // a kernel-mode fault's mmap_lock hold preempted (R+): only a preemptible kernel switches there
        Ev full = preemptedInSyscalls(new Ev(), 3);
        full.kfault(50, 11, REGION + 0x1000).start(50, 11, MM, false).acq(50, 11, MM, false, true)
                .sw(51, 11, "R+", 0).sw(60, 0, "R", 11).rel(61, 11, MM, false);
        Workload wf = full.build(-1);
        assertEquals(4, wf.kernelPreemptions);
        assertEquals(1, wf.kernelPreemptionsInFaultHold);
        assertTrue(auto.effectiveKernelPreemption(wf));
        assertTrue(auto.kernelPreemptionBasis(wf).startsWith("trace: 1 of its 4 in-kernel preemptions"), auto.kernelPreemptionBasis(wf));
        // so is a user fault's fallback hold
        Ev fb = new Ev();
        fb.fault(50, 11, REGION + 0x1000, 6).start(50, 11, MM, false).acq(50, 11, MM, false, true)
                .sw(51, 11, "R+", 0).sw(60, 0, "R", 11).rel(61, 11, MM, false);
        assertEquals(1, fb.build(-1).kernelPreemptionsInFaultHold);
        // 20 in-kernel preemptions, all at a syscall's cond_resched(), none inside the fault's hold: preempt=none
        Ev none = preemptedInSyscalls(new Ev(), 20);
        none.kfault(50, 11, REGION + 0x1000).read(50, 11, MM, 3);
        Workload wn = none.build(-1);
        assertEquals(20, wn.kernelPreemptions);
        assertEquals(0, wn.kernelPreemptionsInFaultHold);
        assertEquals(1, wn.faultHolds);
        assertFalse(auto.effectiveKernelPreemption(wn));
        assertTrue(auto.kernelPreemptionBasis(wn).startsWith("trace: none of its 20"), auto.kernelPreemptionBasis(wn));
        // a plain R (preempted on the way back to user mode) is no in-kernel preemption
        Ev user = new Ev();
        user.kfault(50, 11, REGION + 0x1000).start(50, 11, MM, false).acq(50, 11, MM, false, true)
                .sw(51, 11, "R", 0).sw(60, 0, "R", 11).rel(61, 11, MM, false);
        assertEquals(0, user.build(-1).kernelPreemptions);
        // too few to tell: preempt=none assumed, and said so
        Workload few = preemptedInSyscalls(new Ev(), 3).build(-1);
        assertFalse(auto.effectiveKernelPreemption(few));
        assertTrue(auto.kernelPreemptionBasis(few).startsWith("assumed"), auto.kernelPreemptionBasis(few));
        // the option wins
        assertTrue(new ReplayOptions().kernelPreemption(true).effectiveKernelPreemption(wn));
        assertEquals("option", new ReplayOptions().kernelPreemption(false).kernelPreemptionBasis(wf));
    }

    /** {@code n} wake-ups of task 20 onto an idle CPU after {@code lat} µs, emitted by task 21 or by the idle task. */
    private static Ev wakeups(Ev ev, int n, boolean byTask, long lat, long from) {
        for (int i = 0; i < n; i++) {
            long t = from + 1000L * i;
            ev.sw(t, 20, "S", 0).waking(t + 100, byTask ? 21 : 0, 20).sw(t + 100 + lat, 0, "R", 20);
        }
        return ev;
    }

    @Test
    void lockWakeUpsAreSampledFromTaskEmittedWakeUps() {
        // 20 wake-ups by a task (a lock release's hand-over: 9 µs) among 50 timer wake-ups on the idle CPU (2 µs)
        Workload w = wakeups(wakeups(new Ev(), 50, false, 2, 0), 20, true, 9, 100_000).build(-1);
        assertEquals("trace-task-wakeups-onto-idle-cpu", w.idleWakeSource);
        assertEquals(20, w.idleWakeLatencies.length);
        assertEquals(9000, w.idleWakeLatencies[0]);
        // fewer than 20 by a task: every wake-up onto an idle CPU
        Workload few = wakeups(wakeups(new Ev(), 50, false, 2, 0), 19, true, 9, 100_000).build(-1);
        assertEquals("trace-wakeups-onto-idle-cpu", few.idleWakeSource);
        assertEquals(69, few.idleWakeLatencies.length);
    }

    /**
     * {@code n} mmap_lock hand-overs on mm 0x100, seen as a trace without sched_waking shows them: writer 20 (CPU 0) blocks
     * behind reader 21 (CPU 1) and sleeps; 21 releases; the remote wake-up's sched_wakeup comes from CPU 0's idle task
     * {@code lat} µs later (the IPI's delay), and 20 runs at once. With {@code busy}, task 22 runs on CPU 0 at the release.
     */
    private static Ev handovers(Ev ev, int n, long lat, boolean busy, long from) {
        for (int i = 0; i < n; i++) {
            long t = from + 1000L * i;
            ev.start(t, 21, 0x100, false).cpu(1).acq(t, 21, 0x100, false, true).cpu(1);
            ev.start(t + 1, 20, 0x100, true).cpu(0).sw(t + 2, 20, "D", busy ? 22 : 0).cpu(0);
            ev.rel(t + 10, 21, 0x100, false).cpu(1);
            if (busy) ev.sw(t + 10 + lat - 1, 22, "S", 0).cpu(0);
            ev.wakeup(t + 10 + lat, 0, 20).cpu(0).sw(t + 10 + lat + 1, 0, "R", 20).cpu(0);
            ev.acq(t + 10 + lat + 2, 20, 0x100, true, true).cpu(0).rel(t + 10 + lat + 3, 20, 0x100, true).cpu(0);
        }
        return ev;
    }

    @Test
    void withoutTaskEmittedWakeUpsLockWakeUpsAreSampledFromTheTracesOwnHandOvers() {
        // 50 timer wake-ups on the idle CPU (2 µs) and 20 hand-overs whose sched_wakeup came 30 µs after the release:
        // sched_wakeup → running says 1 µs, the release → acquire_returned 32 µs
        Workload w = handovers(wakeups(new Ev(), 50, false, 2, 0), 20, 30, false, 100_000).build(-1);
        assertEquals("trace-mmap-lock-handovers-onto-idle-cpu", w.idleWakeSource);
        assertEquals(20, w.idleWakeLatencies.length);
        assertEquals(32_000, w.idleWakeLatencies[0]);
        assertEquals(32_000, w.idleWakeLatencies[19]);
        // fewer than 20: every wake-up onto an idle CPU, as before
        Workload few = handovers(wakeups(new Ev(), 50, false, 2, 0), 19, 30, false, 100_000).build(-1);
        assertEquals("trace-wakeups-onto-idle-cpu", few.idleWakeSource);
        // a waiter whose CPU ran another task at the release waited for that CPU too: no sample of the wake-up alone
        Workload busy = handovers(handovers(wakeups(new Ev(), 50, false, 2, 0), 19, 30, false, 100_000), 5, 30, true, 200_000)
                .build(-1);
        assertEquals("trace-wakeups-onto-idle-cpu", busy.idleWakeSource);
        // task-emitted wake-ups (sched_waking in the waker's context) see the whole wake-up: they stay the source
        Workload tasks = handovers(wakeups(new Ev(), 20, true, 9, 0), 20, 30, false, 100_000).build(-1);
        assertEquals("trace-task-wakeups-onto-idle-cpu", tasks.idleWakeSource);
    }

    /**
     * madvise(MADV_DONTNEED) under the per-VMA lock holds it for the zap only (vma_end_read before tlb_finish_mmu):
     * a call whose first tlb_flush the trace shows is split there (a flush on a task switch is not its own); the
     * others zap for at most the 10th percentile of the calls' time per page; the rest of the call is its tail.
     */
    @Test
    void madviseUnderTheVmaLockHoldsItForTheZapOnly() {
        Ev ev = new Ev();
        ev.write(100, 10, MM, 5, Syscall.MMAP, REGION, 0, 64 << 20, 3, 0x22);
        ev.fault(120, 11, REGION, 6);
        for (int i = 0; i < 21; i++) { // 16 pages each: 3 fast calls (4 µs), 18 slow ones (40 µs, a slow remote flush)
            long t = 1000 + 100L * i;
            ev.enter(t, 11, Syscall.MADVISE, REGION, 0x10000, 4);
            if (i == 20) ev.tlbFlush(t + 1, 11, 0).tlbFlush(t + 3, 11, 4); // switched in at +1, its flush at +3
            ev.exit(t + (i < 3 ? 4 : 40), 11, Syscall.MADVISE, 0);
        }
        Workload w = ev.build(-1);
        assertEquals(21, w.madviseZapCalls);
        assertEquals(1, w.madviseZapFlushes);
        assertEquals(250, w.madviseZapNsPerPage); // 4 µs / 16 pages: the 10th percentile of 21 calls is a fast one
        assertEquals("trace-tlb-flush+trace-fast-calls-p10-per-page", w.madviseZapSource);
        Ops o = only(w.mms.get(0), 11);
        assertEquals(Ops.VMA_SYSCALL, o.kind(1));
        assertEquals(4000, o.service(1));
        assertEquals(0, o.tail(1));           // a fast call zaps for all of it
        assertEquals(40_000, o.service(4));
        assertEquals(36_000, o.tail(4));      // 16 pages × 250 ns under the lock, then the flush
        assertEquals(40_000, o.service(21));
        assertEquals(37_000, o.tail(21));     // measured: its flush 3 µs after sys_enter
        // fewer than 20 calls and no flush: the whole call holds the VMA lock, as before
        Ev few = new Ev();
        few.write(100, 10, MM, 5, Syscall.MMAP, REGION, 0, 64 << 20, 3, 0x22);
        few.enter(1000, 11, Syscall.MADVISE, REGION, 0x10000, 4).exit(1040, 11, Syscall.MADVISE, 0);
        Workload fw = few.build(-1);
        assertEquals("whole-syscall", fw.madviseZapSource);
        assertEquals(0, only(fw.mms.get(0), 11).tail(0));
    }

    /**
     * The trace's side of vma_write_wait_us: a writer switched out not runnable while it holds mmap_lock for write
     * (vma_start_write waiting for the VMA's readers) until it runs again; a preemption (R+) inside the section is not
     * such a sleep, nor is a sleep outside it.
     */
    @Test
    void sleepsInsideWriteSectionsAreTheObservedSideOfTheVmaWriteWaits() {
        Ev ev = new Ev();
        ev.enter(100, 20, Syscall.MPROTECT, 0x1000, 0x1000, 1).start(100, 20, 0x100, true).cpu(0)
                .acq(101, 20, 0x100, true, true).cpu(0)
                .sw(102, 20, "D", 0).cpu(0).sw(130, 0, "R", 20).cpu(0) // 28 µs asleep in the section
                .sw(131, 20, "R+", 21).cpu(0).sw(150, 21, "S", 20).cpu(0) // preempted: not counted
                .rel(151, 20, 0x100, true).cpu(0).exit(152, 20, Syscall.MPROTECT, 0)
                .sw(160, 20, "S", 0).cpu(0).sw(400, 0, "R", 20).cpu(0); // asleep outside it: not counted
        Workload w = ev.build(-1);
        assertEquals(1, w.observedWriteSectionSleeps.count());
        assertEquals(28_000, w.observedWriteSectionSleeps.sum());
    }

    /**
     * {@code toPrev} + {@code toIdle} wake-ups of task 20 by task 21 on CPU 0, 20's previous CPU, while CPU 1 is idle:
     * onto CPU 0 (queued behind 21) or onto idle CPU 1. sched_waking names the previous CPU either way (the kernel
     * emits it before it picks one); sched_wakeup names the CPU picked.
     */
    private static Ev placements(Ev ev, int toPrev, int toIdle) {
        ev.sw(0, 31, "S", 0).cpu(1);
        for (int i = 0; i < toPrev + toIdle; i++) {
            long t = 100 + 100L * i;
            ev.sw(t, 21, "R", 20).cpu(0).sw(t + 1, 20, "S", 21).cpu(0);
            ev.waking(t + 2, 21, 20, 0).cpu(0);
            if (i < toPrev) {
                ev.wakeup(t + 2, 21, 20, 0).cpu(0);
            } else {
                ev.wakeup(t + 4, 0, 20, 1).cpu(1).sw(t + 5, 0, "R", 20).cpu(1).sw(t + 8, 20, "S", 0).cpu(1);
            }
        }
        return ev;
    }

    @Test
    void whereAWakeeRunsComesFromTheTrace() {
        ReplayOptions auto = new ReplayOptions();
        // every one of 20 wake-ups onto the busy previous CPU with another idle: no idle-CPU search on that machine
        Workload prev = placements(new Ev(), 20, 0).build(-1);
        assertEquals(20, prev.wakesToPrevCpu);
        assertEquals(0, prev.wakesToIdleCpu);
        assertEquals(0, auto.effectiveWakeIdleShare(prev));
        assertTrue(auto.effectiveWakeOnPrevCpu(prev));
        assertTrue(auto.wakePlacementBasis(prev).startsWith("trace: 0 of its 20 wake-ups"), auto.wakePlacementBasis(prev));
        assertEquals(ReplayOptions.KERNEL_MIGRATION_COST_NS, auto.effectiveMigrationCostNs(prev));
        // 17 of 20 to the previous CPU: the share that found the idle one is 3 of 20
        Workload mixed = placements(new Ev(), 17, 3).build(-1);
        assertEquals(3, mixed.wakesToIdleCpu);
        assertEquals(0.15, auto.effectiveWakeIdleShare(mixed), 1e-9);
        assertTrue(auto.effectiveWakeOnPrevCpu(mixed));
        Workload idle = placements(new Ev(), 0, 20).build(-1);
        assertEquals(1, auto.effectiveWakeIdleShare(idle));
        assertFalse(auto.effectiveWakeOnPrevCpu(idle));
        // sched_waking alone says nothing of the choice (its target_cpu is the previous CPU, always)
        Ev wakingOnly = new Ev().sw(0, 31, "S", 0).cpu(1);
        for (int i = 0; i < 20; i++) {
            long t = 100 + 100L * i;
            wakingOnly.sw(t, 21, "R", 20).cpu(0).sw(t + 1, 20, "S", 21).cpu(0).waking(t + 2, 21, 20, 0).cpu(0);
        }
        Workload none = wakingOnly.build(-1);
        assertEquals(0, none.wakesToPrevCpu + none.wakesToIdleCpu);
        assertEquals(1, auto.effectiveWakeIdleShare(none));
        // per-CPU run queues (EEVDF) have the kernel's migration cost; the single-queue models none unless given
        assertEquals(ReplayOptions.KERNEL_MIGRATION_COST_NS, auto.effectiveMigrationCostNs(idle));
        ReplayOptions on = new ReplayOptions();
        on.eevdf = false;
        assertEquals(0, on.effectiveMigrationCostNs(idle));
        assertFalse(on.effectiveWakeOnPrevCpu(prev), "the single-queue models place a wakee on any idle CPU");
        assertTrue(on.wakePlacementBasis(prev).contains("--wake-cpu prev"), on.wakePlacementBasis(prev));
        // too few to tell: any idle CPU, as on CPUs that share a cache, and said so; five are enough
        assertTrue(auto.effectiveWakeOnPrevCpu(placements(new Ev(), 5, 0).build(-1)));
        Workload few = placements(new Ev(), 4, 0).build(-1);
        assertFalse(auto.effectiveWakeOnPrevCpu(few));
        assertTrue(auto.wakePlacementBasis(few).startsWith("assumed"), auto.wakePlacementBasis(few));
        // a task queued on the previous CPU (preempted there) makes it busy though the CPU's current task is idle's
        Ev q = new Ev().sw(0, 31, "S", 0).cpu(1);
        for (int i = 0; i < 6; i++) {
            long t = 100 + 100L * i;
            q.sw(t, 0, "R", 22).cpu(0).sw(t + 1, 22, "R+", 21).cpu(0) // 22 preempted by 21: queued on CPU 0
                    .sw(t + 2, 21, "S", 20).cpu(0).sw(t + 3, 20, "S", 22).cpu(0) // 20 ran last on CPU 0; 22 runs
                    .sw(t + 4, 22, "S", 0).cpu(0) // CPU 0 idle again
                    .wakeup(t + 5, 0, 21, 0).cpu(0) // 21 queued on CPU 0 …
                    .waking(t + 5, 0, 20, 0).cpu(0).wakeup(t + 6, 0, 20, 1).cpu(1) // … so 20 goes to idle CPU 1
                    .sw(t + 7, 0, "R", 20).cpu(1).sw(t + 8, 20, "S", 0).cpu(1)
                    .sw(t + 9, 0, "R", 21).cpu(0).sw(t + 10, 21, "S", 0).cpu(0);
        }
        Workload queued = q.build(-1);
        assertEquals(6, queued.wakesToIdleCpu);
        assertEquals(0, queued.wakesToPrevCpu);
        // the option wins
        ReplayOptions opt = new ReplayOptions();
        opt.wakeOnPrevCpu = false;
        assertFalse(opt.effectiveWakeOnPrevCpu(prev));
        assertEquals(1, opt.effectiveWakeIdleShare(mixed));
        assertEquals("option", opt.wakePlacementBasis(prev));
        opt.wakeOnPrevCpu = true;
        assertEquals(0, opt.effectiveWakeIdleShare(idle));
    }

    /**
     * {@code n} mprotect write sections of task 20 on mm 0x100; in each, task 21's fault falls back and waits for the
     * lock — asleep ({@code asleep}: switched out D) or still on its CPU — and 20's release is followed by its sys_exit
     * {@code tailUs} later.
     */
    private static Workload wakers(int n, boolean asleep, long tailUs) {
        Ev ev = new Ev();
        for (int i = 0; i < n; i++) {
            long t = 1000 + 1000L * i;
            ev.enter(t, 20, Syscall.MPROTECT, 0x1000, 0x1000, 1).cpu(0).start(t, 20, 0x100, true).cpu(0)
                    .acq(t + 1, 20, 0x100, true, true).cpu(0)
                    .fault(t + 2, 21, 0x5000, 4).cpu(1).start(t + 3, 21, 0x100, false).cpu(1);
            if (asleep) ev.sw(t + 4, 21, "D", 0).cpu(1);
            ev.rel(t + 10, 20, 0x100, true).cpu(0);
            if (asleep) ev.sw(t + 12, 0, "R", 21).cpu(1);
            ev.acq(t + 13, 21, 0x100, false, true).cpu(1).rel(t + 14, 21, 0x100, false).cpu(1)
                    .exit(t + 10 + tailUs, 20, Syscall.MPROTECT, 0).cpu(0);
        }
        return ev.build(-1);
    }

    @Test
    void whatWakingASleeperCostTheWakerComesFromTheTrace() {
        Workload w = wakers(25, true, 8);
        assertEquals(25, w.wakerCosts.length);
        assertEquals(8_000, w.wakerCosts[12]);
        ReplayOptions o = new ReplayOptions();
        o.timing = ReplayOptions.Timing.SCHED;
        assertTrue(o.wakerCostApplies(w));
        o.wakerCost = false;
        assertFalse(o.wakerCostApplies(w));
        // a waiter still on its CPU at the release was not asleep: no sample
        assertEquals(0, wakers(25, false, 8).wakerCosts.length);
        // too few to draw from
        Workload few = wakers(Workload.MIN_WAKER_COST_SAMPLES - 1, true, 8);
        assertFalse(new ReplayOptions().wakerCostApplies(few));
    }

    /** The trace's in-kernel preemptions (prev_state R+), and those inside a VMA-changing syscall. */
    @Test
    void inKernelPreemptionsInsideVmaSyscallsAreCounted() {
        Ev ev = new Ev();
        ev.enter(100, 20, Syscall.MPROTECT, 0x1000, 0x1000, 1).cpu(0)
                .sw(101, 20, "R+", 21).cpu(0).sw(110, 21, "S", 20).cpu(0) // preempted inside mprotect
                .exit(112, 20, Syscall.MPROTECT, 0).cpu(0)
                .sw(120, 20, "R+", 21).cpu(0).sw(130, 21, "S", 20).cpu(0) // preempted outside any syscall
                .sw(140, 20, "R", 21).cpu(0).sw(150, 21, "S", 20).cpu(0); // preempted in user mode: not counted
        Workload w = ev.build(-1);
        assertEquals(2, w.kernelPreemptions);
        assertEquals(1, w.kernelPreemptionsInVmaSyscall);
    }
}
