package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Real-thread stress with the invariant checker on: faulting threads, a writer doing
 * mmap/mprotect/munmap, a remote reader and an "other" reader cycling through the §6 strategies.
 * A watchdog fails the test (with every stuck task's op stack) instead of hanging CI on a lost
 * wake-up. {@code -Dvmalock.stress.ops=N} scales the total (default 1,000,000 operations).
 */
class ThreadStressTest {
    static final long BASE = 0x100000, SZ = 0x40000;
    static final int SLOTS = 8;

    /** xorshift, per task. */
    static final class Rng {
        long s;

        Rng(long seed) {
            s = seed;
        }

        int next(int bound) {
            s ^= s << 13;
            s ^= s >>> 7;
            s ^= s << 17;
            return (int) Long.remainderUnsigned(s, bound);
        }
    }

    @Test
    void faultsWritersAndRemoteReadersUnderTheChecker() throws InterruptedException {
        long total = Long.getLong("vmalock.stress.ops", 1_000_000L);
        long watchdogSec = Long.getLong("vmalock.stress.watchdog", 120L);
        Findings findings = new Findings();
        ThreadDriver d = new ThreadDriver(findings, true);
        Mm mm = new Mm(0x1000, VmaLockDesign.REFCOUNT, null, new VmEvents(), Mm.DEFAULT_MMAP_LOCK_OFFSET);
        Vma[] slots = new Vma[SLOTS];
        for (int i = 0; i < SLOTS; i++) slots[i] = mm.addVma(BASE + i * SZ, BASE + i * SZ + SZ);
        AtomicLong ops = new AtomicLong();
        long[] outcomes = new long[6];
        // two faulters, a remote reader and an other-reader run `quota` ops each, the writer quota/4
        long quota = (long) Math.ceil(total / 4.25);

        for (int f = 0; f < 2; f++) {
            Rng rng = new Rng(0x9E3779B97F4A7C15L + f);
            Fault fault = new Fault();
            long[] done = {0};
            int tid = 100 + f;
            d.spawn(new Task(tid, "faulter"), t -> {
                if (done[0] > 0) synchronized (outcomes) {
                    outcomes[(int) t.ret]++;
                }
                if (done[0]++ >= quota) return null;
                ops.incrementAndGet();
                fault.user = rng.next(16) != 0;
                fault.set((BASE + rng.next((int) (SLOTS * SZ))) & ~4095L, rng.next(2) == 0, 0);
                fault.underVmaLock = rng.next(32) == 0 ? Fault.RETRY : Fault.DONE;
                return t.ops().userFault.init(mm, fault, Policy.vmaRefcount());
            });
        }
        {
            Rng rng = new Rng(42);
            long[] done = {0};
            d.spawn(new Task(200, "writer"), t -> {
                if (done[0]++ >= quota / 4) return null; // write sections are longer; keep the mix fault-heavy
                ops.incrementAndGet();
                int i = rng.next(SLOTS);
                Vma v = slots[i];
                WriteSection.Spec s = new WriteSection.Spec();
                if (v == null) { // mmap: a new VMA, locked before insertion
                    Vma nv = new Vma(mm, BASE + i * SZ, BASE + i * SZ + SZ);
                    slots[i] = nv;
                    s.insert(nv);
                } else if (rng.next(2) == 0) { // mprotect
                    s.lock(v).mutate(x -> v.writable = !v.writable);
                } else { // munmap: lock, detach, downgrade, zap under read
                    slots[i] = null;
                    s.lock(v).detach(v).downgrade(0);
                }
                return t.ops().writeSection.init(mm, s);
            });
        }
        {
            Rng rng = new Rng(7);
            long[] done = {0};
            d.spawn(new Task(300, "remote"), t -> {
                if (done[0]++ >= quota) return null;
                ops.incrementAndGet();
                long a = (BASE + rng.next((int) (SLOTS * SZ))) & ~4095L;
                return t.ops().remoteRead.init(mm, a, 4096 * (1 + rng.next(2)), 0, false,
                        rng.next(2) == 0 ? Policy.RemoteStrategy.VMA_LOCK_FAST_PATH : Policy.RemoteStrategy.MMAP_READ_LOCK,
                        VmaLockDesign.REFCOUNT);
            });
        }
        {
            Rng rng = new Rng(99);
            long[] done = {0};
            Policy.ReaderStrategy[] strategies = {Policy.ReaderStrategy.TRYLOCK_SKIP,
                Policy.ReaderStrategy.VMA_THEN_MMAP_TRYLOCK_SKIP, Policy.ReaderStrategy.RCU_WAIT,
                Policy.ReaderStrategy.START_READ_UNLOCKED, Policy.ReaderStrategy.VMA_LOCK_FALLBACK,
                Policy.ReaderStrategy.MMAP_TRYLOCK_SKIP, Policy.ReaderStrategy.MMAP_READ_LOCK};
            d.spawn(new Task(400, "binder"), t -> {
                if (done[0]++ >= quota) return null;
                ops.incrementAndGet();
                long a = (BASE + rng.next((int) (SLOTS * SZ))) & ~4095L;
                return t.ops().otherRead.init(mm, a, 0, strategies[rng.next(strategies.length)], false);
            });
        }
        long t0 = System.nanoTime();
        d.start();
        if (!d.await(watchdogSec, TimeUnit.SECONDS)) {
            String stuck = d.describeStuck();
            String state = "mmap_lock count=0x" + Long.toHexString(mm.mmapLock.rwsem.count()) + " queue="
                    + mm.mmapLock.rwsem.queueString();
            d.abort();
            fail("watchdog after " + watchdogSec + " s: lost wake-up or deadlock\n" + stuck + state);
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        assertNull(d.failure(), () -> "task thread threw: " + d.failure());
        System.out.printf("stress: %d operations in %.1f s (%.0f ops/s), %d checker hook calls, outcomes %s, %s%n",
                ops.get(), sec, ops.get() / sec, d.checker().checks(), java.util.Arrays.toString(outcomes),
                mm.vmEvents.toString().replace('\n', ' '));
        assertEquals(0, findings.total(), findings::toString);
        assertTrue(ops.get() >= total, "ran " + ops.get());
        assertEquals(0, mm.mmapLock.rwsem.count(), "mmap_lock free at the end");
        for (Vma v : mm.vmas()) assertEquals(1, v.refcnt(), () -> v + " leaked a reference");
        assertTrue(outcomes[UserFault.HANDLED_VMA] > 0 && outcomes[UserFault.HANDLED_MMAP] > 0
                && outcomes[UserFault.SIGSEGV] > 0, java.util.Arrays.toString(outcomes));
    }
}
