package vmalock.lock;

/**
 * One {@code read()} of {@code /proc/PID/maps} (fs/proc/task_mmu.c: {@code m_start} … {@code show_map} per
 * VMA … {@code m_stop}), under either locking of the kernel:
 * <ul>
 * <li><b>mmap_read_lock</b> (kernels before 6.17, and any kernel without per-VMA locks:
 *     {@code lock_vma_range} takes {@code mmap_read_lock_killable} in {@code m_start} and
 *     {@code m_stop} drops it): the whole read holds mmap_lock for read, {@code holdNs}.</li>
 * <li><b>lock_next_vma</b> (6.17+, per-VMA locks): for each VMA in address order, under RCU,
 *     {@code vma_start_read}; when that fails (the VMA is write-locked or being detached)
 *     {@code lock_next_vma_under_mmap_lock}: {@code mmap_read_lock_killable}, find the VMA again,
 *     {@code vma_start_read_locked}, {@code mmap_read_unlock}. The VMA is shown holding its read lock
 *     ({@code holdNs} split evenly over the VMAs present when the read starts), then {@code vma_end_read}.</li>
 * </ul>
 * Result {@link Task#ret}: 0, or -EINTR; {@link #fallbacks()} counts the VMAs that needed mmap_lock.
 */
public final class MapsRead extends Op {
    private final VmaLock.StartRead startRead = new VmaLock.StartRead();
    private final MmapLock.ReadLock readLock = new MmapLock.ReadLock();
    private Mm mm;
    private long holdNs, perVmaNs, cur;
    private boolean underMmap;
    private Vma vma;
    private int fallbacks;

    /**
     * @param underMmap true: the pre-6.17 locking (mmap_read_lock for the whole read); false: lock_next_vma
     */
    public MapsRead init(Mm mm, long holdNs, boolean underMmap) {
        this.mm = mm;
        this.holdNs = holdNs;
        this.underMmap = underMmap || mm.design == VmaLockDesign.NONE;
        this.cur = 0;
        this.vma = null;
        this.fallbacks = 0;
        pc = 0;
        return this;
    }

    /** VMAs of the last read that fell back to mmap_read_lock (lock_next_vma_under_mmap_lock). */
    public int fallbacks() {
        return fallbacks;
    }

    @Override
    public String name() {
        return underMmap ? "proc maps read(mmap_read_lock)" : "proc maps read(lock_next_vma)";
    }

    @Override
    public int step(Task t) {
        switch (pc) {
            case 0:
                if (underMmap) {
                    pc = 10;
                    return t.call(readLock.init(mm, true, true));
                }
                perVmaNs = holdNs / Math.max(1, mm.vmaCount());
                pc = 1;
                return RUN;
            case 1: { // lock_next_vma: under RCU, the next VMA from cur
                Vma v = mm.findVma(cur);
                if (v == null) return done(t, 0);
                vma = v;
                pc = 2;
                return t.call(startRead.init(mm, v));
            }
            case 2:
                if (t.retObj != null) {
                    pc = 5;
                    return RUN;
                }
                // lock_next_vma_under_mmap_lock
                fallbacks++;
                pc = 3;
                return t.call(readLock.init(mm, true, true));
            case 3: {
                if (t.ret != 0) return done(t, t.ret);
                Vma v = mm.findVma(cur);
                boolean locked = v != null && VmaLock.startReadLocked(t, v);
                mm.mmapLock.readUnlock(t);
                if (v == null) return done(t, 0);
                if (!locked) { // overflow or detached: skip it, as the kernel's retry would find the next one
                    cur = v.vmEnd;
                    pc = 1;
                    return RUN;
                }
                vma = v;
                pc = 5;
                return RUN;
            }
            case 5: { // show_map under the VMA read lock
                InvariantChecker ck = t.driver.checker();
                if (ck != null) ck.stabilised(t, vma);
                pc = 6;
                t.delay = perVmaNs;
                return perVmaNs > 0 ? DELAY : RUN;
            }
            case 6:
                cur = vma.vmEnd;
                VmaLock.endRead(t, vma);
                vma = null;
                pc = 1;
                return RUN;
            case 10: // m_start .. m_stop under mmap_read_lock
                if (t.ret != 0) return done(t, t.ret);
                pc = 11;
                t.delay = holdNs;
                return holdNs > 0 ? DELAY : RUN;
            case 11:
                mm.mmapLock.readUnlock(t);
                return done(t, 0);
            default:
                throw new IllegalStateException(name() + " pc=" + pc);
        }
    }

    private static int done(Task t, long ret) {
        return returnToUser(t, "maps read", ret, 0);
    }
}
