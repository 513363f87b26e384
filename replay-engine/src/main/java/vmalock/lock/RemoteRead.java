package vmalock.lock;

/**
 * Remote access to another process's memory (spec §6 h): /proc/pid/{cmdline,environ,mem}, ptrace,
 * process_vm_readv.
 * <ul>
 * <li>{@link Policy.RemoteStrategy#MMAP_READ_LOCK}: __access_remote_vm — mmap_read_lock_killable for
 *     the whole transfer ({@code perPageNs} per page).</li>
 * <li>{@link Policy.RemoteStrategy#VMA_LOCK_FAST_PATH} (van Riel v2, 2026-06-24): read-only, per page:
 *     lock_vma_under_rcu, re-check read permission, folio_walk_start(FW_VMA_LOCKED) on a present page,
 *     copy ≤ one page, vma_end_read. Simulation rule: the fast path only while [addr, addr+len) lies in
 *     one VMA and its pages are present (Suren: multi-VMA spans must fall back); anything else — a
 *     non-present page, hugetlb/IO/PFNMAP, lock failure, a write — falls back to the baseline for the
 *     remainder. Presence is checked page by page in {@link Vma#pages} when the address is the traced one
 *     ({@code perPage}), else by the VMA-level {@link Vma#populated} (an address the replay drew).</li>
 * </ul>
 * Result {@link Task#ret}: 0, or -EINTR; {@link #fastPages()} / {@link #fellBack()} tell which path.
 */
public final class RemoteRead extends Op {
    public static final long PAGE = 4096;
    private final LockVmaUnderRcu lookup = new LockVmaUnderRcu();
    private final MmapLock.ReadLock readLock = new MmapLock.ReadLock();
    private Mm mm;
    private long addr, end, cur, perPageNs;
    private boolean write;
    private boolean perPage;
    private Policy.RemoteStrategy strategy;
    private Vma vma;
    private long fastPages;
    private boolean fellBack;

    public RemoteRead init(Mm mm, long addr, long len, long perPageNs, Policy policy) {
        return init(mm, addr, len, perPageNs, false, policy.remote, policy.effectiveDesign());
    }

    public RemoteRead init(Mm mm, long addr, long len, long perPageNs, boolean write, Policy.RemoteStrategy strategy,
                           VmaLockDesign design) {
        return init(mm, addr, len, perPageNs, write, strategy, design, false);
    }

    /**
     * {@code perPage}: {@code addr} is where the copy really was (a traced /proc/PID/mem offset), so the fast
     * path requires each page it copies to be present in {@link Vma#pages}; otherwise the VMA-level
     * {@link Vma#populated} decides.
     */
    public RemoteRead init(Mm mm, long addr, long len, long perPageNs, boolean write, Policy.RemoteStrategy strategy,
                           VmaLockDesign design, boolean perPage) {
        this.perPage = perPage;
        this.mm = mm;
        this.addr = addr;
        this.end = addr + Math.max(1, len);
        this.cur = addr;
        this.perPageNs = perPageNs;
        this.write = write;
        this.strategy = design == VmaLockDesign.NONE ? Policy.RemoteStrategy.MMAP_READ_LOCK : strategy;
        this.fastPages = 0;
        this.fellBack = false;
        pc = 0;
        return this;
    }

    public long fastPages() {
        return fastPages;
    }

    public boolean fellBack() {
        return fellBack;
    }

    @Override
    public String name() {
        return strategy == Policy.RemoteStrategy.VMA_LOCK_FAST_PATH ? "access_remote_vm(vma fast path)" : "__access_remote_vm";
    }

    private static long pages(long from, long to) {
        long first = from & ~(PAGE - 1);
        return (to - first + PAGE - 1) / PAGE;
    }

    @Override
    public int step(Task t) {
        switch (pc) {
            case 0:
                pc = strategy == Policy.RemoteStrategy.VMA_LOCK_FAST_PATH && !write ? 1 : 10;
                return RUN;
            case 1: // fast path, one page at a time
                if (cur >= end) return done(t, 0);
                pc = 2;
                return t.call(lookup.init(mm, cur));
            case 2: {
                Vma v = (Vma) t.retObj;
                if (v == null) {
                    pc = 10;
                    return RUN;
                }
                boolean present = perPage ? v.pages.contains(cur) : v.populated;
                if (!v.readable || v.special || !present || end > v.vmEnd) {
                    VmaLock.endRead(t, v);
                    pc = 10;
                    return RUN;
                }
                InvariantChecker ck = t.driver.checker();
                if (ck != null) ck.stabilised(t, v);
                vma = v;
                pc = 3;
                t.delay = perPageNs;
                return perPageNs > 0 ? DELAY : RUN;
            }
            case 3:
                VmaLock.endRead(t, vma);
                fastPages++;
                cur = (cur & ~(PAGE - 1)) + PAGE;
                pc = 1;
                return RUN;
            case 10: // baseline for the remainder
                if (cur >= end) return done(t, 0);
                fellBack = strategy == Policy.RemoteStrategy.VMA_LOCK_FAST_PATH;
                pc = 11;
                return t.call(readLock.init(mm, true, true));
            case 11: {
                if (t.ret != 0) return done(t, t.ret);
                InvariantChecker ck = t.driver.checker();
                Vma v = mm.vmaLookup(cur);
                if (ck != null && v != null) ck.stabilised(t, v);
                long d = perPageNs * pages(cur, end);
                pc = 12;
                t.delay = d;
                return d > 0 ? DELAY : RUN;
            }
            case 12:
                mm.mmapLock.readUnlock(t);
                return done(t, 0);
            default:
                throw new IllegalStateException(name() + " pc=" + pc);
        }
    }

    private int done(Task t, long ret) {
        InvariantChecker ck = t.driver.checker();
        if (ck != null) ck.returnToUser(t, "remote access");
        t.ret = ret;
        return DONE;
    }
}
