package vmalock.replay;

/** What a replay counted besides its events (summed over address spaces). */
public final class ReplayCounters {
    public long faults, faultsVma, faultsMmap, faultsFailed;
    public long vmaLockSuccess, vmaLockAbort, vmaLockMiss, vmaLockRetry;
    /** lock_vma_under_rcu_wait passes beyond the first (the v1 loop). */
    public long retries;
    public long writes, writesFailed, writesSkipped, vmasLocked;
    public long remote, remoteFast;
    /**
     * Remote reads by the evidence for their target: a /proc/PID/mem pread64 (address and length from the
     * trace), process_vm_readv (target VMA and page inferred: its iovecs are not in the trace), and the rest
     * classified by hold time alone — ≤5 µs one __access_remote_vm page (cmdline, environ; target inferred), longer
     * a page-table walk (smaps-like, mmap_read_lock under every policy).
     */
    public long remoteMem, remoteGup, remoteShortInferred, remoteWalkInferred;
    /** Remote reads inside a read() of /proc/PID/cmdline|environ, and of smaps-like files (open-path evidence). */
    public long remoteProcArgs, remoteProcWalk;
    /**
     * /proc/PID/maps reads from the open-path evidence: all, those replayed holding mmap_read_lock for the whole
     * read, VMAs that fell back from vma_start_read to mmap_read_lock (lock_next_vma_under_mmap_lock), reads in
     * which the traced kernel took the target's mmap_lock.
     */
    public long mapsReads, mapsReadsMmapLock, mapsReadFallbacks, mapsReadsTracedSections;
    public long otherReads, otherSkipped;
    public long vmaSyscalls;
    /** Per-fault agreement with the trace: observed per-VMA but replayed under mmap_lock, and the reverse. */
    public long faultsVmaToMmap, faultsMmapToVma;
    /** munmaps replayed after an mmap traced later had reused part of their range (AddressSpace#tracedAt). */
    public long unmapsOfLaterMappings;
    public long cpuWaitNs;
    /** Preemptions of a task in kernel work, and of those at a VMA syscall's cond_resched() points (SimScheduler). */
    public long kernelPreemptions, kernelPreemptionsInVmaSyscall;
    public long steps;
    /**
     * The sleeps between a task's operations, by what ended them ({@link SchedTimeline#WOKEN_NOT_SEEN} …): index
     * {@code WOKEN_BY_TRACED_TASK} counts those replayed as a dependency (the sleeper wakes when its waker gets
     * there in the replay); {@link #sleepsWokenByTaskElsewhere} the traced wakers' that keep their recorded length
     * (the waker's work is on another address space, replayed apart, or the replay runs on real threads).
     */
    public final long[] sleepsWokenBy = new long[5];
    public long sleepsWokenByTaskElsewhere;
    /** Address spaces whose replay stopped at a modelled oops (v2's NULL dereference). */
    public long haltedMms;
    /** Per user fault: from its issue to its completion, every wait included (ns). */
    public final vmalock.stats.Samples faultLatency = new vmalock.stats.Samples();
    /**
     * Per VMA-changing syscall (mmap, munmap, mprotect, madvise, mremap, brk) replayed: sys_enter to
     * sys_exit, the traced time outside its mmap_lock section plus the replayed section (ns).
     */
    public final vmalock.stats.Samples syscallLatency = new vmalock.stats.Samples();
    /** {@link #syscallLatency} by syscall ({@link vmalock.event.Syscall} ordinal; null: none replayed). */
    public final vmalock.stats.Samples[] syscallLatencyBy = new vmalock.stats.Samples[vmalock.event.Syscall.values().length];

    /** One replayed VMA-changing syscall of kind {@code sc} (a {@link vmalock.event.Syscall} ordinal) took {@code ns}. */
    void addSyscall(int sc, long ns) {
        syscallLatency.add(ns);
        bySyscall(syscallLatencyBy, sc).add(ns);
    }

    static vmalock.stats.Samples bySyscall(vmalock.stats.Samples[] by, int sc) {
        if (by[sc] == null) by[sc] = new vmalock.stats.Samples();
        return by[sc];
    }

    static void addAll(vmalock.stats.Samples[] into, vmalock.stats.Samples[] from) {
        for (int k = 0; k < from.length; k++) if (from[k] != null) bySyscall(into, k).addAll(from[k]);
    }
    /**
     * Per VMA write-lock or detach: the writer's wait for the VMA's readers to leave (ns) — on vm_refcnt's
     * rcuwait or the rwsem design's down_write; untraced in the kernel, known to the model.
     */
    public final vmalock.stats.Samples vmaWriteWait = new vmalock.stats.Samples();

    void add(ReplayCounters o) {
        faults += o.faults;
        faultsVma += o.faultsVma;
        faultsMmap += o.faultsMmap;
        faultsFailed += o.faultsFailed;
        vmaLockSuccess += o.vmaLockSuccess;
        vmaLockAbort += o.vmaLockAbort;
        vmaLockMiss += o.vmaLockMiss;
        vmaLockRetry += o.vmaLockRetry;
        retries += o.retries;
        writes += o.writes;
        writesFailed += o.writesFailed;
        writesSkipped += o.writesSkipped;
        vmasLocked += o.vmasLocked;
        remote += o.remote;
        remoteFast += o.remoteFast;
        remoteMem += o.remoteMem;
        remoteGup += o.remoteGup;
        remoteShortInferred += o.remoteShortInferred;
        remoteWalkInferred += o.remoteWalkInferred;
        remoteProcArgs += o.remoteProcArgs;
        remoteProcWalk += o.remoteProcWalk;
        mapsReads += o.mapsReads;
        mapsReadsMmapLock += o.mapsReadsMmapLock;
        mapsReadFallbacks += o.mapsReadFallbacks;
        mapsReadsTracedSections += o.mapsReadsTracedSections;
        otherReads += o.otherReads;
        otherSkipped += o.otherSkipped;
        vmaSyscalls += o.vmaSyscalls;
        faultsVmaToMmap += o.faultsVmaToMmap;
        faultsMmapToVma += o.faultsMmapToVma;
        unmapsOfLaterMappings += o.unmapsOfLaterMappings;
        cpuWaitNs += o.cpuWaitNs;
        kernelPreemptions += o.kernelPreemptions;
        kernelPreemptionsInVmaSyscall += o.kernelPreemptionsInVmaSyscall;
        steps += o.steps;
        for (int k = 0; k < sleepsWokenBy.length; k++) sleepsWokenBy[k] += o.sleepsWokenBy[k];
        sleepsWokenByTaskElsewhere += o.sleepsWokenByTaskElsewhere;
        haltedMms += o.haltedMms;
        faultLatency.addAll(o.faultLatency);
        syscallLatency.addAll(o.syscallLatency);
        addAll(syscallLatencyBy, o.syscallLatencyBy);
        vmaWriteWait.addAll(o.vmaWriteWait);
    }
}
