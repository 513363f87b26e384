package vmalock.replay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import vmalock.lock.Policy;
import vmalock.lock.Policy.FaultStrategy;
import vmalock.lock.Policy.ReaderStrategy;
import vmalock.lock.Policy.RemoteStrategy;
import vmalock.lock.VmaLockDesign;

/**
 * A named replay policy: a {@link vmalock.lock.Policy} (lock design + one acquisition strategy per
 * caller class, from the locks package) with the kernel version or patch it stands for. Presets are
 * the table of the replay issue; {@link #compose} builds others from {@code --set key=value,…}.
 */
public final class PolicyPreset {
    public final String name;
    public final Policy policy;
    public final String kernel;
    public final String description;

    public PolicyPreset(String name, Policy policy, String kernel, String description) {
        this.name = name;
        this.policy = policy;
        this.kernel = kernel;
        this.description = description;
    }

    public static final Map<String, PolicyPreset> PRESETS;

    static {
        Map<String, PolicyPreset> m = new LinkedHashMap<>();
        add(m, Policy.noVmaLock(), "CONFIG_PER_VMA_LOCK=n: every kernel before 6.4; UP and arches without ARCH_SUPPORTS_PER_VMA_LOCK",
                "faults and remote access take mmap_read_lock");
        add(m, Policy.vmaRwsem(), "6.7–6.14: per-VMA rw_semaphore + detached flag (S. Baghdasaryan, Per-VMA locks, 2023) "
                        + "with the 6.7+ fault path (page-cache faults under the VMA lock)",
                "lock_vma_under_rcu on the VMA rwsem, fallback to mmap_read_lock");
        add(m, Policy.vmaRwsem64(), "6.4–6.5: the first per-VMA lock fault path (anonymous VMAs with an anon_vma only)",
                "as vma-rwsem, but lock_vma_under_rcu aborts on file-backed VMAs and on anonymous ones without anon_vma");
        add(m, Policy.vmaRwsem66(), "6.6: per-VMA locks for file-backed VMAs (M. Wilcox, 2023), their faults retried",
                "as vma-rwsem, but file-backed faults return VM_FAULT_RETRY under the VMA lock and take the mmap path; "
                        + "anonymous VMAs without anon_vma abort");
        add(m, Policy.vmaRefcount(), "6.15+: vm_refcnt (S. Baghdasaryan, 2025-01-10)",
                "lock_vma_under_rcu on vm_refcnt, fallback to mmap_read_lock");
        add(m, Policy.faultsOnMmapLock(), "6.15+ vm_refcnt with every user fault on mmap_lock (as x86 handles faults taken in kernel mode)",
                "faults: lock_mm_and_find_vma; madvise, remote access and writers as vma-refcount; checked against real kernel-mode-fault captures");
        add(m, Policy.rcuWait(), "patch: lock_vma_under_rcu_wait v1 (D. Hansen, 2026-04-29)",
                "callers that must not fall back (tcp find_tcp_vma, binder: the 'other' readers) wait out writers "
                        + "under mmap_read_lock and retry the VMA lock; page faults unchanged");
        add(m, Policy.startReadUnlocked(),
                "patch: vma_start_read_unlocked fixed (S. Baghdasaryan v6, 2026-08-13; linux-next 2026-09-03)",
                "binder and tcp (the 'other' readers): vma_lookup + vma_start_read_locked under mmap_read_lock; page "
                        + "faults unchanged");
        add(m, Policy.startReadUnlockedV2(), "patch: PR #12438 v2 (D. Hansen, 2026-06), as posted",
                "binder and tcp (the 'other' readers); the slow path dereferences a NULL vma: reported as a defect");
        add(m, Policy.remoteVmaLock(), "patch: remote access under the per-VMA lock v2 (R. van Riel, 2026-06-24)",
                "remote reads inside one VMA use lock_vma_under_rcu per page, else mmap_read_lock");
        add(m, Policy.unconditionalPerVma(),
                "patch: mm: Make per-VMA locks available universally ([P2] PR #12438; linux-next 2026-09)",
                "vm_refcnt without the SMP restriction: UP kernels (--cpus 1) keep per-VMA locks");
        add(m, Policy.hypotheticalFault(FaultStrategy.RCU_WAIT),
                "hypothetical: no patch proposes it — the x86 fault path using lock_vma_under_rcu_wait",
                "page faults wait out writers under mmap_read_lock and retry the VMA lock, unbounded");
        add(m, Policy.hypotheticalFault(FaultStrategy.START_READ_UNLOCKED),
                "hypothetical: no patch proposes it — the x86 fault path using vma_start_read_unlocked (fixed)",
                "page faults: vma_lookup + vma_start_read_locked under an untraced guard(rwsem_read)");
        add(m, Policy.hypotheticalFault(FaultStrategy.START_READ_UNLOCKED_V2),
                "hypothetical: no patch proposes it — the x86 fault path using vma_start_read_unlocked v2 as posted",
                "page faults through v2's slow path, which dereferences a NULL vma: reported as a defect");
        PRESETS = Collections.unmodifiableMap(m);
    }

    private static void add(Map<String, PolicyPreset> m, Policy p, String kernel, String description) {
        m.put(p.name, new PolicyPreset(p.name, p, kernel, description));
    }

    /**
     * The kernel call sites a preset changes relative to the vm_refcnt kernel (6.15+), and how many of a
     * run's traced operations go through them (from the run's counters): the policy can only change what
     * those operations do. {@code kernelPolicy} is the policy of the kernel that produced the trace.
     */
    public static String callers(String preset) {
        switch (preset) {
            case "no-vma-lock": return "do_user_addr_fault, madvise (MADV_DONTNEED), __access_remote_vm, /proc/PID/maps readers, "
                    + "writers (no vma_start_write)";
            case "vma-rwsem": return "do_user_addr_fault (lock_vma_under_rcu on the VMA rwsem), /proc/PID/maps readers "
                    + "(mmap_read_lock before 6.17), writers (vma_start_write)";
            case "vma-rwsem-6.4": case "vma-rwsem-6.6":
                return "do_user_addr_fault (lock_vma_under_rcu on the VMA rwsem; fewer VMA kinds), /proc/PID/maps readers "
                        + "(mmap_read_lock before 6.17), writers (vma_start_write)";
            case "vma-refcount": return "do_user_addr_fault (lock_vma_under_rcu on vm_refcnt), writers (vma_start_write)";
            case "faults-on-mmap-lock": return "do_user_addr_fault (every fault to lock_mm_and_find_vma)";
            case "rcu-wait": return "find_tcp_vma, binder (the 'other' readers)";
            case "start-read-unlocked": case "start-read-unlocked-v2": return "find_tcp_vma, binder shrinker and page lookups (the 'other' readers)";
            case "remote-vma-lock": return "__access_remote_vm (/proc/PID/mem, cmdline, environ, ptrace)";
            case "unconditional": return "none on SMP (per-VMA locks without the SMP restriction: UP kernels, --cpus 1)";
            default: return preset.startsWith("hypothetical-fault-") ? "do_user_addr_fault (hypothetical)" : "composed with --set";
        }
    }

    /** Operations of a run that go through the preset's changed callers; -1 when it cannot tell (composed). */
    public static long changedOps(String preset, String kernelPolicy, ReplayCounters c, int cpus) {
        if (preset.equals(kernelPolicy)) return 0;
        switch (preset) {
            case "no-vma-lock": return c.faults + c.vmaSyscalls + c.remote + c.writes + c.mapsReads;
            case "vma-rwsem": case "vma-rwsem-6.4": case "vma-rwsem-6.6": return c.faults + c.writes + c.mapsReads;
            case "vma-refcount": // and the maps readers, against a kernel that read maps under mmap_lock
                return c.faults + c.writes + (kernelPolicy.startsWith("vma-rwsem") || kernelPolicy.equals("no-vma-lock") ? c.mapsReads : 0);
            case "faults-on-mmap-lock": return c.faults;
            case "rcu-wait": case "start-read-unlocked": case "start-read-unlocked-v2": return c.otherReads;
            case "remote-vma-lock": return c.remote;
            case "unconditional": return cpus == 1 ? c.faults : 0;
            default: return preset.startsWith("hypothetical-fault-") ? c.faults : -1;
        }
    }

    /** Why a preset changes nothing in a run (changedOps 0), for the output. */
    public static String noChangeReason(String preset, String kernelPolicy) {
        if (preset.equals(kernelPolicy)) return "the policy of the kernel that produced the trace";
        switch (preset) {
            case "rcu-wait": case "start-read-unlocked": case "start-read-unlocked-v2":
                return "no traced caller of find_tcp_vma or binder (no 'other' mmap_lock readers): no change";
            case "remote-vma-lock": return "no traced remote access (__access_remote_vm): no change";
            case "unconditional": return "on SMP it is vma-refcount (--cpus 1 shows the difference): no change";
            default: return "no traced operation goes through its callers: no change";
        }
    }

    /**
     * The presets 'all' runs: one per lock design and patch — not the hypothetical what-ifs, nor the 6.4/6.6
     * fault paths of the rw_semaphore era (by name, or as the baseline of a trace from such a kernel).
     */
    public static List<PolicyPreset> standard() {
        List<PolicyPreset> l = new ArrayList<>();
        for (PolicyPreset p : PRESETS.values()) {
            if (!p.name.startsWith("hypothetical-") && p.policy.era == vmalock.lock.FaultPathEra.CURRENT) l.add(p);
        }
        return l;
    }

    public static List<String> names() {
        return new ArrayList<>(PRESETS.keySet());
    }

    /** The preset named {@code name}; IllegalArgumentException listing the known names otherwise. */
    public static PolicyPreset preset(String name) {
        PolicyPreset p = PRESETS.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown policy '" + name + "' (known: " + String.join(", ", PRESETS.keySet())
                    + "; or compose one with --set)");
        }
        return p;
    }

    /** The {@code --set} spelling of this policy. */
    public String spec() {
        Policy p = policy;
        return "lock=" + key(p.design) + ",fault=" + key(p.fault) + ",remote=" + key(p.remote) + ",other=" + key(p.reader)
                + (p.unconditional ? ",smp=no" : "") + (p.era == vmalock.lock.FaultPathEra.CURRENT ? "" : ",era=" + eraKey(p.era));
    }

    static String eraKey(vmalock.lock.FaultPathEra e) {
        switch (e) {
            case V6_4: return "6.4";
            case V6_6: return "6.6";
            default: return "current";
        }
    }

    /**
     * Composes a policy over {@code base} from {@code key=value,…}: lock (none|rwsem|refcount),
     * fault (mmap-only|vma-lock-fallback|rcu-wait|start-read-unlocked|start-read-unlocked-v2),
     * remote (mmap-read-lock|vma-lock-fast-path), other (any reader strategy, e.g. trylock-skip,
     * vma-then-mmap-trylock-skip, mmap-trylock-skip, vma-lock-fallback), smp (required|no), era (6.4|6.6|current:
     * which VMAs the fault path handles under the VMA lock).
     */
    public static PolicyPreset compose(String spec, PolicyPreset base) {
        Policy b = base.policy;
        VmaLockDesign design = b.design;
        FaultStrategy fault = b.fault;
        RemoteStrategy remote = b.remote;
        ReaderStrategy reader = b.reader;
        boolean unconditional = b.unconditional;
        vmalock.lock.FaultPathEra era = b.era;
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("--set: '" + p + "' is not key=value");
            String k = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String v = p.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
            switch (k) {
                case "lock": design = pick(VmaLockDesign.values(), v, k); break;
                case "fault": fault = pick(FaultStrategy.values(), v, k); break;
                case "remote": remote = pick(RemoteStrategy.values(), v, k); break;
                case "other": reader = pick(ReaderStrategy.values(), v, k); break;
                case "smp":
                    if (!v.equals("required") && !v.equals("no")) {
                        throw new IllegalArgumentException("--set: smp=" + v + " is not one of required|no");
                    }
                    unconditional = v.equals("no");
                    break;
                case "era":
                    era = null;
                    for (vmalock.lock.FaultPathEra e : vmalock.lock.FaultPathEra.values()) if (eraKey(e).equals(v)) era = e;
                    if (era == null) throw new IllegalArgumentException("--set: era=" + v + " is not one of 6.4|6.6|current");
                    break;
                default:
                    throw new IllegalArgumentException("--set: unknown key '" + k + "' (lock, fault, remote, other, smp, era)");
            }
        }
        if (design == VmaLockDesign.NONE && fault != FaultStrategy.MMAP_ONLY) {
            throw new IllegalArgumentException("--set: fault=" + key(fault) + " needs a per-VMA lock (lock=rwsem or lock=refcount)");
        }
        Policy composed = Policy.of("custom", design, fault, remote, reader).withUnconditional(unconditional).withEra(era);
        String name = "custom[lock=" + key(design) + ",fault=" + key(fault) + ",remote=" + key(remote) + ",other="
                + key(reader) + (unconditional ? ",smp=no" : "")
                + (era == vmalock.lock.FaultPathEra.CURRENT ? "" : ",era=" + eraKey(era)) + "]";
        return new PolicyPreset(name, composed.named(name), "composed with --set over " + base.name, spec);
    }

    static String key(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static <E extends Enum<E>> E pick(E[] values, String v, String what) {
        List<String> names = new ArrayList<>();
        for (E e : values) {
            if (key(e).equals(v)) return e;
            names.add(key(e));
        }
        throw new IllegalArgumentException("--set: " + what + "=" + v + " is not one of " + String.join("|", names));
    }

    @Override
    public String toString() {
        return name;
    }
}
