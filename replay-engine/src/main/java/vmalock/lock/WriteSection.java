package vmalock.lock;

import java.util.function.Consumer;

/**
 * An mmap write section (spec §4): mmap_write_lock[_killable]; vma_start_write each VMA whose metadata
 * changes; new VMAs write-locked before insertion, then inserted and attached; VMAs being unmapped
 * write-locked, detached (waiting for transient readers) and erased; an optional mutation (range
 * changes via {@link Mm#setRange}); hold for {@code holdNs}; then mmap_write_unlock — or, for
 * munmap/brk-shrink/mremap, mmap_write_downgrade (seq++ ends every VMA write lock), hold the read
 * lock for {@code readHoldNs} (zap, free page tables) and mmap_read_unlock.
 * Result {@link Task#ret}: 0 or -EINTR (killable lock interrupted).
 */
public final class WriteSection extends Op {
    /** What the section does (reusable; fill and pass to {@link #init}). */
    public static final class Spec {
        public Vma[] lock = new Vma[0];
        public Vma[] insert = new Vma[0];
        public Vma[] detach = new Vma[0];
        /** Called with the locks held, before the hold (e.g. {@code mm.setRange(t, v, s, e)}); may be null. */
        public Consumer<Task> mutate;
        /**
         * Added for the replay: called once mmap_lock is held for write, before any VMA is locked; it
         * may fill {@link #lock}/{@link #insert}/{@link #detach}/{@link #mutate} (the replay plans the
         * syscall here, so its address-space model advances in lock order). May be null.
         */
        public Consumer<Task> plan;
        public long holdNs;
        public boolean downgrade;
        public long readHoldNs;
        public boolean killable = true;

        public Spec lock(Vma... v) {
            lock = v;
            return this;
        }

        public Spec insert(Vma... v) {
            insert = v;
            return this;
        }

        public Spec detach(Vma... v) {
            detach = v;
            return this;
        }

        public Spec hold(long ns) {
            holdNs = ns;
            return this;
        }

        public Spec downgrade(long readHoldNs) {
            downgrade = true;
            this.readHoldNs = readHoldNs;
            return this;
        }

        public Spec mutate(Consumer<Task> m) {
            mutate = m;
            return this;
        }
    }

    private final MmapLock.WriteLock writeLock = new MmapLock.WriteLock();
    private final VmaLock.StartWrite startWrite = new VmaLock.StartWrite();
    private final VmaLock.MarkDetached markDetached = new VmaLock.MarkDetached();
    private Mm mm;
    private Spec spec;
    private int i;

    public WriteSection init(Mm mm, Spec spec) {
        this.mm = mm;
        this.spec = spec;
        this.i = 0;
        pc = 0;
        return this;
    }

    @Override
    public String name() {
        return "mmap write section";
    }

    @Override
    public int step(Task t) {
        Spec s = spec;
        switch (pc) {
            case 0:
                pc = 1;
                return t.call(writeLock.init(mm, s.killable));
            case 1:
                if (t.ret != 0) {
                    t.ret = -Trace.EINTR;
                    return DONE;
                }
                if (s.plan != null) s.plan.accept(t);
                i = 0;
                pc = 2;
                return RUN;
            case 2: // vma_start_write every VMA that changes
                if (i < s.lock.length) return t.call(startWrite.init(s.lock[i++], false));
                i = 0;
                pc = 3;
                return RUN;
            case 3: // new VMAs: locked before insertion
                if (i < s.insert.length) {
                    pc = 4;
                    return t.call(startWrite.init(s.insert[i], false));
                }
                i = 0;
                pc = 5;
                return RUN;
            case 4: {
                Vma v = s.insert[i++];
                mm.insert(t, v);
                VmaLock.markAttached(t, v);
                pc = 3;
                return RUN;
            }
            case 5: // unmapped VMAs: lock (no-op if already), detach, erase
                if (i < s.detach.length) {
                    pc = 6;
                    return t.call(startWrite.init(s.detach[i], false));
                }
                pc = 8;
                return RUN;
            case 6:
                pc = 7;
                return t.call(markDetached.init(s.detach[i]));
            case 7:
                mm.erase(t, s.detach[i++]);
                pc = 5;
                return RUN;
            case 8:
                if (s.mutate != null) s.mutate.accept(t);
                pc = 9;
                t.delay = s.holdNs;
                return s.holdNs > 0 ? DELAY : RUN;
            case 9:
                if (!s.downgrade) {
                    mm.mmapLock.writeUnlock(t);
                    return done(t);
                }
                mm.mmapLock.writeDowngrade(t);
                pc = 10;
                t.delay = s.readHoldNs;
                return s.readHoldNs > 0 ? DELAY : RUN;
            case 10:
                mm.mmapLock.readUnlock(t);
                return done(t);
            default:
                throw new IllegalStateException(name() + " pc=" + pc);
        }
    }

    private int done(Task t) {
        InvariantChecker ck = t.driver.checker();
        if (ck != null) ck.returnToUser(t, "write section");
        t.ret = 0;
        return DONE;
    }
}
