package vmalock.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What capture records about the kernel, read from fake /proc and /boot files. */
class KernelFactsTest {
    @TempDir
    Path root;

    private void write(String path, String text) throws Exception {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void releaseConfigFromProcConfigGzAndVmstatCounters() throws Exception {
        write("proc/sys/kernel/osrelease", "6.12.9-arch1\n");
        Files.createDirectories(root.resolve("proc"));
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(root.resolve("proc/config.gz")))) {
            o.write("CONFIG_SMP=y\nCONFIG_PER_VMA_LOCK=y\nCONFIG_PER_VMA_LOCK_STATS=y\n".getBytes(StandardCharsets.US_ASCII));
        }
        write("proc/vmstat", "nr_free_pages 12\nvma_lock_success 100\nvma_lock_abort 7\nvma_lock_retry 2\nvma_lock_miss 0\n"
                + "pgfault 5\n");
        KernelFacts k = new KernelFacts(root);
        assertEquals("6.12.9-arch1", k.release());
        StringBuilder where = new StringBuilder();
        assertEquals(Map.of("CONFIG_PER_VMA_LOCK", "y", "CONFIG_PER_VMA_LOCK_STATS", "y"), k.config(k.release(), where));
        assertEquals("/proc/config.gz", where.toString());
        assertEquals(Map.of("vma_lock_success", 100L, "vma_lock_abort", 7L, "vma_lock_retry", 2L, "vma_lock_miss", 0L), k.vmstat());
    }

    @Test
    void bootConfigNotSetLinesAndNoStats() throws Exception {
        write("proc/sys/kernel/osrelease", "6.8.0-45-generic\n");
        write("boot/config-6.8.0-45-generic", "CONFIG_PER_VMA_LOCK=y\n# CONFIG_PER_VMA_LOCK_STATS is not set\n");
        write("proc/vmstat", "nr_free_pages 12\npgfault 5\n");
        KernelFacts k = new KernelFacts(root);
        StringBuilder where = new StringBuilder();
        assertEquals(Map.of("CONFIG_PER_VMA_LOCK", "y", "CONFIG_PER_VMA_LOCK_STATS", "n"), k.config(k.release(), where));
        assertEquals("/boot/config-6.8.0-45-generic", where.toString());
        assertNull(k.vmstat(), "CONFIG_PER_VMA_LOCK_STATS off: no counters, not zeros");
    }

    @Test
    void nothingReadable() {
        KernelFacts k = new KernelFacts(root);
        assertNull(k.release());
        assertNull(k.config(null, new StringBuilder()));
        assertNull(k.vmstat());
    }
}
