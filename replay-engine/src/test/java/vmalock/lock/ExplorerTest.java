package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vmalock.lock.Harness.act;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every interleaving (within a preemption bound of 2, i.e. all schedules with ≤2 preemptive context
 * switches; switches at blocking points are free) of small configurations, with the invariant
 * checker's hooks on every step and {@link InvariantChecker#checkVma} after every step.
 */
class ExplorerTest {
    static final int BOUND = 3;
    static final long MAX_EXECUTIONS = 200_000;
    static final int MAX_STEPS = 400;

    private static Explorer.Result run(Supplier<Explorer.Scenario> s) {
        Explorer.Result r = Explorer.explore(s, MAX_EXECUTIONS, MAX_STEPS, BOUND, true);
        assertTrue(r.exhaustive(), () -> "not exhausted in " + r.executions() + " executions");
        assertEquals(0, r.findings(), () -> r.firstFindings() + " schedule " + r.firstFailingSchedule());
        assertTrue(r.maxSteps() < MAX_STEPS);
        System.out.println("explored " + r.executions() + " interleavings (≤" + BOUND + " preemptions), longest " + r.maxSteps() + " steps");
        return r;
    }

    /** Reader: lock_vma_under_rcu(addr), and vma_end_read if it got the VMA. */
    private static Seq reader(Mm mm, long addr, int[] gotCount) {
        return Seq.of(t -> t.ops().lockVmaUnderRcu.init(mm, addr), act(t -> {
            if (t.retObj != null) {
                gotCount[0]++;
                VmaLock.endRead(t, (Vma) t.retObj);
            }
        }));
    }

    @Test
    void twoReadersAndAWriterOnOneVma() {
        for (VmaLockDesign design : new VmaLockDesign[] {VmaLockDesign.REFCOUNT, VmaLockDesign.RWSEM}) {
            Explorer.Result r = run(() -> new Explorer.Scenario() {
                Mm mm;
                Vma v;
                final int[] got = new int[1];

                @Override
                public void setup(Explorer x) {
                    mm = new Mm(0x1000, design, null, new VmEvents(), 0);
                    v = mm.addVma(0x10000, 0x20000);
                    x.spawn(new Task(1, "r1"), reader(mm, 0x10000, got));
                    x.spawn(new Task(2, "r2"), reader(mm, 0x10000, got));
                    x.spawn(new Task(3, "w"), Seq.of(t -> t.ops().writeSection.init(mm, new WriteSection.Spec().lock(v))));
                }

                @Override
                public void afterStep(Explorer x) {
                    x.checker().checkVma(v);
                }

                @Override
                public void atEnd(Explorer x) {
                    if (v.refcnt() != 1 || (design == VmaLockDesign.RWSEM && v.vmLock().count() != 0)) {
                        x.findings().report("end-state", null, mm, v, "refcnt " + v.refcnt());
                    }
                    if (got[0] + mm.vmEvents.abort() != 2 || mm.vmEvents.miss() != 0) {
                        x.findings().report("counters", null, mm, v, got[0] + " got, " + mm.vmEvents);
                    }
                }
            });
            assertTrue(r.executions() > 100, "explored " + r.executions());
        }
    }

    @Test
    void aReaderRacingDetachAndReplacement() {
        run(() -> new Explorer.Scenario() {
            Mm mm;
            Vma v, v2;
            final int[] got = new int[1];

            @Override
            public void setup(Explorer x) {
                mm = new Mm(0x1000, null);
                v = mm.addVma(0x10000, 0x20000);
                v2 = new Vma(mm, 0x10000, 0x20000);
                x.spawn(new Task(1, "r"), reader(mm, 0x10000, got));
                x.spawn(new Task(2, "munmap+mmap"), Seq.of(t -> t.ops().writeSection.init(mm,
                        new WriteSection.Spec().lock(v).detach(v).insert(v2))));
            }

            @Override
            public void afterStep(Explorer x) {
                x.checker().checkVma(v);
                x.checker().checkVma(v2);
            }

            @Override
            public void atEnd(Explorer x) {
                if (v.refcnt() != 0 || v2.refcnt() != 1) x.findings().report("end-state", null, mm, v, v + " " + v2);
                if (got[0] + mm.vmEvents.abort() != 1) x.findings().report("counters", null, mm, v, mm.vmEvents.toString());
            }
        });
    }

    @Test
    void aFaultRacingMunmapsDowngrade() {
        int[] outcomes = new int[6];
        run(() -> new Explorer.Scenario() {
            Mm mm;
            Vma v;
            final long[] out = {-1};

            @Override
            public void setup(Explorer x) {
                mm = new Mm(0x1000, null);
                v = mm.addVma(0x10000, 0x20000);
                Fault f = new Fault().set(0x10000, true, 100);
                x.spawn(new Task(1, "fault"), Seq.of(t -> t.ops().userFault.init(mm, f, Policy.vmaRefcount()),
                        act(t -> out[0] = t.ret)));
                x.spawn(new Task(2, "munmap"), Seq.of(t -> t.ops().writeSection.init(mm,
                        new WriteSection.Spec().lock(v).detach(v).downgrade(100))));
            }

            @Override
            public void afterStep(Explorer x) {
                x.checker().checkVma(v);
            }

            @Override
            public void atEnd(Explorer x) {
                outcomes[(int) out[0]]++;
                if (out[0] != UserFault.HANDLED_VMA && out[0] != UserFault.SIGSEGV) {
                    x.findings().report("outcome", null, mm, v, UserFault.outcomeName(out[0]));
                }
                if (v.refcnt() != 0 || mm.mmapLock.rwsem.count() != 0) x.findings().report("end-state", null, mm, v, v.toString());
            }
        });
        assertTrue(outcomes[UserFault.HANDLED_VMA] > 0 && outcomes[UserFault.SIGSEGV] > 0,
                "both orders happen: before munmap (handled under the VMA lock) and after (SIGSEGV)");
    }

    @Test
    void readersAtTheRefcountLimit() {
        run(() -> new Explorer.Scenario() {
            Mm mm;
            Vma v;
            final int[] got = new int[1];
            final long[] fault = {-1};

            @Override
            public void setup(Explorer x) {
                mm = new Mm(0x1000, null);
                v = mm.addVma(0x10000, 0x20000);
                v.setRefcntForTest(Vma.VM_REFCNT_LIMIT - 1); // LIMIT-2 readers we do not model, plus the base
                x.spawn(new Task(1, "r1"), reader(mm, 0x10000, got));
                x.spawn(new Task(2, "r2"), reader(mm, 0x10000, got));
                x.spawn(new Task(3, "fault"), Seq.of(t -> t.ops().userFault.init(mm, new Fault().set(0x10000, false, 10),
                        Policy.vmaRefcount()), act(t -> fault[0] = t.ret)));
            }

            @Override
            public void afterStep(Explorer x) {
                if (v.refcnt() > Vma.VM_REFCNT_LIMIT) x.findings().report("limit", null, mm, v, "refcnt " + v.refcnt());
            }

            @Override
            public void atEnd(Explorer x) {
                if (v.refcnt() != Vma.VM_REFCNT_LIMIT - 1) x.findings().report("end-state", null, mm, v, v.toString());
                if (fault[0] != UserFault.HANDLED_VMA && fault[0] != UserFault.HANDLED_MMAP) {
                    x.findings().report("fault", null, mm, v, UserFault.outcomeName(fault[0]));
                }
                if (mm.vmEvents.abort() + got[0] + mm.vmEvents.success() != 3) {
                    x.findings().report("counters", null, mm, v, got[0] + " " + mm.vmEvents);
                }
            }
        });
    }

    /** A broken reader without the late vm_lock_seq check: the explorer must catch it. */
    @Test
    void theExplorerCatchesAReaderWithoutTheLateSeqCheck() {
        Explorer.Result r = Explorer.explore(() -> new Explorer.Scenario() {
            Mm mm;
            Vma v;

            @Override
            public void setup(Explorer x) {
                mm = new Mm(0x1000, null);
                v = mm.addVma(0x10000, 0x20000);
                x.spawn(new Task(1, "broken"), Seq.of(t -> new BrokenStartRead(mm, v), act(t -> {
                    if (t.retObj != null) VmaLock.endRead(t, v);
                })));
                x.spawn(new Task(2, "w"), Seq.of(t -> t.ops().writeSection.init(mm, new WriteSection.Spec().lock(v))));
            }
        }, MAX_EXECUTIONS, MAX_STEPS, BOUND, true);
        assertTrue(r.findings() > 0, "expected a finding");
        assertEquals("3-read-under-vma-write-lock", r.firstFindings().get(0).invariant(), r.firstFindings()::toString);
    }

    /** vma_start_read minus step 4 (the late check) — a deliberately wrong variant. */
    static final class BrokenStartRead extends Op {
        private final Mm mm;
        private final Vma v;

        BrokenStartRead(Mm mm, Vma v) {
            this.mm = mm;
            this.v = v;
        }

        @Override
        public String name() {
            return "broken_vma_start_read";
        }

        @Override
        public int step(Task t) {
            if (pc == 0) {
                if (v.lockSeq() == mm.mmLockSeq()) {
                    t.retObj = null;
                    return DONE;
                }
                pc = 1;
                return RUN;
            }
            int o = v.refcnt();
            if (o == 0 || o >= Vma.VM_REFCNT_LIMIT) {
                t.retObj = null;
                return DONE;
            }
            if (!v.casRefcnt(o, o + 1)) return RUN;
            t.addHeldVma(v);
            t.driver().checker().vmaReadAcquired(t, v);
            t.retObj = v;
            return DONE;
        }
    }
}
