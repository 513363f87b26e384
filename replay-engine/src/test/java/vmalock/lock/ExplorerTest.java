package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vmalock.lock.Harness.act;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every interleaving of small configurations — no preemption bound; the explorer's visited-state
 * cache makes that affordable — with the invariant checker's hooks on every step and
 * {@link InvariantChecker#checkVma} after every step. Each test asserts that the search completed
 * (the choice tree exhausted, no execution cut at the step limit) and prints how many distinct states
 * and executions it took.
 */
class ExplorerTest {
    static final long MAX_EXECUTIONS = 2_000_000;
    static final int MAX_STEPS = 400;

    private static Explorer.Result run(String name, Supplier<Explorer.Scenario> s) {
        Explorer.Result r = Explorer.exploreAll(s, MAX_EXECUTIONS, MAX_STEPS, true);
        assertTrue(r.complete(), () -> name + ": " + r);
        assertEquals(0, r.findings(), () -> r.firstFindings() + " schedule " + r.firstFailingSchedule());
        System.out.println("exhaustive exploration, " + name + ": " + r);
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
            Explorer.Result r = run("two readers and a writer on one VMA (" + design + ")", () -> new Explorer.Scenario() {
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
            assertTrue(r.states() > 100, "explored " + r);
        }
    }

    @Test
    void aReaderRacingDetachAndReplacement() {
        run("a reader racing detach and replacement", () -> new Explorer.Scenario() {
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
        run("a fault racing munmap's downgrade", () -> new Explorer.Scenario() {
            Mm mm;
            Vma v;
            long[] out;

            @Override
            public void setup(Explorer x) {
                mm = new Mm(0x1000, null);
                v = mm.addVma(0x10000, 0x20000);
                long[] out = {-1}; // captured by the task's program: part of the explored state
                this.out = out;
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
        run("readers at the refcount limit", () -> new Explorer.Scenario() {
            Mm mm;
            Vma v;
            final int[] got = new int[1];
            long[] fault;

            @Override
            public void setup(Explorer x) {
                long[] fault = {-1};
                this.fault = fault;
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

    /**
     * The visited-state cache loses nothing. On a configuration small enough for plain stateless search
     * of every interleaving (no bound, no cache) both searches reach the same set of end states; on the
     * detach race, the cached search reaches every end state the preemption-bounded search (≤3) does.
     */
    @Test
    void stateCachingReachesTheSameEndStatesAsPlainExhaustiveSearch() {
        java.util.Set<String> plain = new java.util.TreeSet<>(), cached = new java.util.TreeSet<>();
        Explorer.Result all = Explorer.explore(() -> readerVsWriter(plain), MAX_EXECUTIONS, MAX_STEPS, Integer.MAX_VALUE, true);
        Explorer.Result r = Explorer.exploreAll(() -> readerVsWriter(cached), MAX_EXECUTIONS, MAX_STEPS, true);
        assertTrue(all.complete() && r.complete(), all + " / " + r);
        assertEquals(plain, cached);
        assertTrue(plain.size() > 1, plain::toString);
        assertTrue(r.executions() < all.executions(), "the cache prunes: " + r + " vs " + all);
        System.out.println("plain exhaustive search: " + all + "; with the state cache: " + r + "; end states " + plain);

        java.util.Set<String> bounded = new java.util.TreeSet<>(), cached2 = new java.util.TreeSet<>();
        Explorer.Result b = Explorer.explore(() -> detachRace(bounded), MAX_EXECUTIONS, MAX_STEPS, 3, true);
        Explorer.Result r2 = Explorer.exploreAll(() -> detachRace(cached2), MAX_EXECUTIONS, MAX_STEPS, true);
        assertTrue(b.complete() && r2.complete(), b + " / " + r2);
        assertTrue(cached2.containsAll(bounded), bounded + " vs " + cached2);
        System.out.println("detach race, ≤3 preemptions: " + b + "; with the state cache: " + r2 + "; end states " + cached2);
    }

    /** vma_start_read + vma_end_read against mmap_write_lock + vma_start_write + mmap_write_unlock. */
    private static Explorer.Scenario readerVsWriter(java.util.Set<String> ends) {
        return readerAndWriter(ends, (mm, v) -> t -> new VmaLock.StartRead().init(mm, v),
                (mm, v) -> Seq.of(t -> t.ops().mmapWriteLock.init(mm, true), t -> t.ops().vmaStartWrite.init(v, false),
                        act(t -> mm.mmapLock.writeUnlock(t))));
    }

    /** A reader (lock_vma_under_rcu) racing munmap's detach of its VMA. */
    private static Explorer.Scenario detachRace(java.util.Set<String> ends) {
        return readerAndWriter(ends, (mm, v) -> t -> t.ops().lockVmaUnderRcu.init(mm, 0x10000),
                (mm, v) -> Seq.of(t -> t.ops().writeSection.init(mm, new WriteSection.Spec().lock(v).detach(v))));
    }

    /** One reader op (vma_end_read if it got the VMA) and one writer program on one VMA; end states go to {@code ends}. */
    private static Explorer.Scenario readerAndWriter(java.util.Set<String> ends,
                                                     java.util.function.BiFunction<Mm, Vma, java.util.function.Function<Task, Op>> reader,
                                                     java.util.function.BiFunction<Mm, Vma, Program> writer) {
        return new Explorer.Scenario() {
            Mm mm;
            Vma v;
            long[] out;

            @Override
            public void setup(Explorer x) {
                mm = new Mm(0x1000, null);
                v = mm.addVma(0x10000, 0x20000);
                long[] out = {-9}; // captured by the reader's program: part of the explored state
                this.out = out;
                x.spawn(new Task(1, "r"), Seq.of(reader.apply(mm, v), act(t -> {
                    out[0] = t.reason;
                    if (t.retObj != null) VmaLock.endRead(t, (Vma) t.retObj);
                })));
                x.spawn(new Task(2, "w"), writer.apply(mm, v));
            }

            @Override
            public void afterStep(Explorer x) {
                x.checker().checkVma(v);
            }

            @Override
            public void atEnd(Explorer x) {
                ends.add(Reason.name((int) out[0]) + " abort=" + mm.vmEvents.abort() + " miss=" + mm.vmEvents.miss()
                        + " refcnt=" + v.refcnt() + " seq=" + mm.mmLockSeq());
            }
        };
    }

    /** A broken reader without the late vm_lock_seq check: the explorer must catch it. */
    @Test
    void theExplorerCatchesAReaderWithoutTheLateSeqCheck() {
        Explorer.Result r = Explorer.exploreAll(() -> new Explorer.Scenario() {
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
        }, MAX_EXECUTIONS, MAX_STEPS, true);
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
