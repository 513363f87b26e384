package vmalock.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The baseline policy from the traced kernel's release, its config, or — named as such — a guess. */
class KernelBaselineTest {
    private static String policy(String release) {
        return KernelBaseline.of(release, "ingest --kernel", null, "memcg_id").policy;
    }

    @Test
    void releasesMapToTheirLockDesignAndFaultPath() {
        assertEquals("no-vma-lock", policy("6.1.112"));
        assertEquals("no-vma-lock", policy("5.15.0-125-generic"));
        assertEquals("vma-rwsem-6.4", policy("6.4.16"));
        assertEquals("vma-rwsem-6.4", policy("6.5.0-45-generic"));
        assertEquals("vma-rwsem-6.6", policy("6.6.58"));
        assertEquals("vma-rwsem", policy("6.8.0-49-generic"));
        assertEquals("vma-rwsem", policy("6.14"));
        assertEquals("vma-refcount", policy("6.15.2"));
        assertEquals("vma-refcount", policy("6.18.44"));
        assertEquals("vma-refcount", policy("7.0-rc3"));
        assertEquals("vma-refcount", policy("v6.16"));
        for (String p : new String[] {"vma-rwsem-6.4", "vma-rwsem-6.6", "vma-rwsem", "vma-refcount", "no-vma-lock"}) {
            assertEquals(p, PolicyPreset.preset(p).name, "every baseline is a preset");
        }
    }

    @Test
    void aKnownReleaseIsNotAGuessAndSaysWhereItCameFrom() {
        KernelBaseline b = KernelBaseline.of("6.18.44", "recorded by capture", "y", "memcg_id");
        assertFalse(b.guessed);
        assertEquals("kernel 6.18.44 (recorded by capture)", b.basis);
    }

    @Test
    void perVmaLocksConfiguredOutMeansNoVmaLock() {
        KernelBaseline b = KernelBaseline.of("6.18.44", "recorded by capture", "n", "memcg_id");
        assertEquals("no-vma-lock", b.policy);
        assertTrue(b.basis.contains("CONFIG_PER_VMA_LOCK=n"), b.basis);
    }

    @Test
    void withoutAReleaseTheMemcgFieldIsAGuessNamedInTheBasis() {
        KernelBaseline id = KernelBaseline.of(null, null, null, "memcg_id");
        assertTrue(id.guessed);
        assertEquals("vma-refcount", id.policy);
        assertTrue(id.basis.contains("memcg_id") && id.basis.contains("6.14 itself had vma-rwsem")
                && id.basis.contains("--kernel"), id.basis);
        KernelBaseline path = KernelBaseline.of(null, null, null, "memcg_path");
        assertTrue(path.guessed);
        assertEquals("vma-rwsem", path.policy);
        assertTrue(path.basis.contains("memcg_path"), path.basis);
        KernelBaseline none = KernelBaseline.of(null, null, null, null);
        assertTrue(none.guessed && none.basis.contains("no mmap_lock events"), none.basis);
        KernelBaseline bad = KernelBaseline.of("unknown-kernel", "ingest --kernel", null, "memcg_id");
        assertTrue(bad.guessed && bad.basis.contains("'unknown-kernel'"), bad.basis);
    }
}
