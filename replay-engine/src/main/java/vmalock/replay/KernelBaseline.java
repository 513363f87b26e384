package vmalock.replay;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The policy of the kernel that produced a trace: from its release ({@code uname -r}, recorded by
 * {@code capture} or given to {@code ingest --kernel}) and its {@code CONFIG_PER_VMA_LOCK}, else guessed
 * from the only version hint a text trace carries — which memcg field its mmap_lock events print — with
 * the guess named in the output.
 *
 * <p>Releases: before 6.4 no per-VMA locks; 6.4–6.5 the rw_semaphore VMA lock with the first fault
 * path (anonymous VMAs with an anon_vma only); 6.6 file-backed faults retried on mmap_lock; 6.7–6.14 the
 * rw_semaphore lock with today's fault path; 6.15+ vm_refcnt.
 */
public final class KernelBaseline {
    /** The preset name. */
    public final String policy;
    /** Where it came from, for the output: "kernel 6.18.44 (recorded by capture)", or the guess. */
    public final String basis;
    /** True when no release was known: the policy is a guess from the tracepoint format. */
    public final boolean guessed;

    /** The traced kernel read /proc/PID/maps under RCU ({@code lock_next_vma}, 6.17+): those reads left no mmap_lock events. */
    public final boolean mapsReadersLockless;

    private KernelBaseline(String policy, String basis, boolean guessed) {
        this(policy, basis, guessed, false);
    }

    private KernelBaseline(String policy, String basis, boolean guessed, boolean mapsReadersLockless) {
        this.policy = policy;
        this.basis = basis;
        this.guessed = guessed;
        this.mapsReadersLockless = mapsReadersLockless;
    }

    private static final Pattern RELEASE = Pattern.compile("^v?(\\d+)\\.(\\d+)");

    /**
     * @param release     {@code uname -r} or a version such as {@code 6.14}; null when unknown
     * @param releaseFrom how the release is known ("recorded by capture", "ingest --kernel"), for the basis
     * @param perVmaLock  the CONFIG_PER_VMA_LOCK value ({@code y}, {@code n}), or null when unknown
     * @param memcgField  {@code memcg_id}, {@code memcg_path} or null (the trace's mmap_lock event format)
     */
    public static KernelBaseline of(String release, String releaseFrom, String perVmaLock, String memcgField) {
        if (release != null && !release.isBlank()) {
            Matcher m = RELEASE.matcher(release.trim());
            if (m.find()) {
                int major = Integer.parseInt(m.group(1));
                int minor = Integer.parseInt(m.group(2));
                String basis = "kernel " + release.trim() + (releaseFrom == null ? "" : " (" + releaseFrom + ")");
                if ("n".equals(perVmaLock)) return new KernelBaseline("no-vma-lock", basis + ", CONFIG_PER_VMA_LOCK=n", false);
                return new KernelBaseline(forRelease(major, minor), basis, false, major * 1000 + minor >= 6017);
            }
            return guess(memcgField, "the kernel release '" + release.trim() + "' is not MAJOR.MINOR…");
        }
        return guess(memcgField, "the kernel release is unknown");
    }

    /** The preset of a release (per-VMA locks configured). */
    public static String forRelease(int major, int minor) {
        int v = major * 1000 + minor;
        if (v < 6004) return "no-vma-lock";
        if (v < 6006) return "vma-rwsem-6.4";
        if (v < 6007) return "vma-rwsem-6.6";
        if (v < 6015) return "vma-rwsem";
        return "vma-refcount";
    }

    private static KernelBaseline guess(String memcgField, String why) {
        String hint = "; pass `vmalock ingest --kernel RELEASE` (or capture with `vmalock capture`, which records it)";
        if ("memcg_path".equals(memcgField)) {
            return new KernelBaseline("vma-rwsem", String.format(Locale.ROOT, "guessed: %s; the mmap_lock events carry "
                    + "memcg_path (5.11–6.13), taken as 6.7–6.13 (vma-rwsem)%s", why, hint), true);
        }
        if ("memcg_id".equals(memcgField)) {
            return new KernelBaseline("vma-refcount", String.format(Locale.ROOT, "guessed: %s; the mmap_lock events carry "
                    + "memcg_id (6.14+), taken as 6.15+ (vma-refcount; 6.14 itself had vma-rwsem)%s", why, hint), true, true);
        }
        return new KernelBaseline("vma-refcount", String.format(Locale.ROOT, "guessed: %s and the trace has no mmap_lock "
                + "events to date it; taken as 6.15+ (vma-refcount)%s", why, hint), true);
    }
}
