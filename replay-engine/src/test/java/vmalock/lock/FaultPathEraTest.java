package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vmalock.lock.Harness.act;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rw_semaphore era's three fault paths (spec §3 "History"), state by state on the simulator and on
 * real threads: which VMA kinds {@code lock_vma_under_rcu} refuses (6.4: file-backed, no anon_vma; 6.6:
 * no anon_vma), which faults come back with VM_FAULT_RETRY (6.6: file-backed), and what 6.7+ handles.
 */
class FaultPathEraTest {
    Harness h;
    Mm mm;
    Vma v;
    long[] out = new long[1];

    static Stream<Harness> drivers() {
        return Harness.both();
    }

    private void setUp(Harness harness, FaultPathEra era, boolean anonymous, boolean hasAnonVma) {
        h = harness;
        mm = h.mm(VmaLockDesign.RWSEM);
        mm.era = era;
        v = mm.addVma(0x10000, 0x20000);
        v.anonymous = anonymous;
        v.hasAnonVma = hasAnonVma;
    }

    private Policy policy(FaultPathEra era) {
        return Policy.vmaRwsem().withEra(era);
    }

    private void fault(boolean write, FaultPathEra era) {
        h.spawn(new Task(1, "f1"), Seq.of(t -> t.ops().userFault.init(mm, new Fault().set(0x10000, write, 500), policy(era)),
                act(t -> out[0] = t.ret)));
        h.runAll();
    }

    private String counters() {
        VmEvents e = mm.vmEvents;
        return e.success() + "/" + e.abort() + "/" + e.retry() + "/" + e.miss();
    }

    static final List<String> MMAP_PATH = List.of("pf_user", "start w0", "acq w0 1", "rel w0");

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void v64AbortsOnAFileBackedVma(Harness harness) {
        setUp(harness, FaultPathEra.V6_4, false, true);
        fault(false, FaultPathEra.V6_4);
        assertEquals(MMAP_PATH, h.shapes(1));
        assertEquals(UserFault.HANDLED_MMAP, out[0]);
        assertEquals("0/1/0/0", counters(), "success/abort/retry/miss: ABORT before vma_start_read");
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void v64AbortsOnAnAnonymousVmaWithoutAnonVmaEvenForAReadFault(Harness harness) {
        setUp(harness, FaultPathEra.V6_4, true, false);
        fault(false, FaultPathEra.V6_4);
        assertEquals(MMAP_PATH, h.shapes(1));
        assertEquals("0/1/0/0", counters());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void v64HandlesAnAnonymousVmaWithAnonVma(Harness harness) {
        setUp(harness, FaultPathEra.V6_4, true, true);
        fault(true, FaultPathEra.V6_4);
        assertEquals(List.of("pf_user"), h.shapes(1));
        assertEquals(UserFault.HANDLED_VMA, out[0]);
        assertEquals("1/0/0/0", counters());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void v66RetriesAFileBackedFaultOnMmapLock(Harness harness) {
        setUp(harness, FaultPathEra.V6_6, false, true);
        fault(false, FaultPathEra.V6_6);
        assertEquals(MMAP_PATH, h.shapes(1));
        assertEquals(UserFault.HANDLED_MMAP, out[0]);
        assertEquals("0/0/1/0", counters(), "the VMA lock was taken, handle_mm_fault returned VM_FAULT_RETRY");
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void v66StillAbortsWithoutAnonVma(Harness harness) {
        setUp(harness, FaultPathEra.V6_6, true, false);
        fault(true, FaultPathEra.V6_6);
        assertEquals(MMAP_PATH, h.shapes(1));
        assertEquals("0/1/0/0", counters());
        assertTrue(v.hasAnonVma, "the write fault on the mmap path prepared the anon_vma");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void currentHandlesFileBackedFaults(Harness harness) {
        setUp(harness, FaultPathEra.CURRENT, false, true);
        fault(false, FaultPathEra.CURRENT);
        assertEquals(List.of("pf_user"), h.shapes(1));
        assertEquals("1/0/0/0", counters());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void currentPreparesTheAnonVmaUnderTheVmaLock(Harness harness) {
        setUp(harness, FaultPathEra.CURRENT, true, false);
        fault(true, FaultPathEra.CURRENT);
        assertEquals(List.of("pf_user", "start w0", "acq w0 1", "rel w0"), h.shapes(1), "vmf_anon_prepare's trylock");
        assertEquals(UserFault.HANDLED_VMA, out[0]);
    }
}
