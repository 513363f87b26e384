package vmalock.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 12: {@code compare} of a 1.1 GB trace in a 256 MB heap ran out of memory in the statistics of its
 * fourth run (faults-on-mmap-lock alone did too: nothing accumulated across policies). Three of the run's wait
 * and hold {@link Samples} held 8 M samples each in one int array, and the next doubling asked G1 for a 64 MB
 * humongous array (a copy beside the 32 MB one) that 256 MB with 156 MB live could not place. In a child JVM
 * with a 40 MB heap: 6.6 M samples (26 MB of ints) in three {@link Samples} of 2.2 M each, then their figures — one
 * array grown by doubling held 16 MB for each (4 M slots) and failed here; chunks fit.
 */
class SamplesSmallHeapTest {
    static final int PER = 2_200_000;

    @TempDir
    Path tmp;

    /** The child: fills three Samples and prints the figures (exit 0), or runs out of heap (exit 10). */
    public static void main(String[] args) {
        try {
            Samples[] s = {new Samples(), new Samples(), new Samples()};
            long seed = 1;
            for (Samples x : s) {
                for (int i = 0; i < PER; i++) {
                    seed = seed * 6364136223846793005L + 1442695040888963407L;
                    x.add((seed >>> 40) & 0xffffff); // up to 16.7 ms in ns: every sample an int
                }
            }
            StringBuilder out = new StringBuilder();
            for (Samples x : s) out.append(x.count()).append(' ').append(x.percentile(99)).append(' ').append(x.max()).append('\n');
            System.out.print(out);
            System.exit(0);
        } catch (OutOfMemoryError e) {
            System.exit(10);
        }
    }

    @Test
    void millionsOfSamplesFitInAFortyMegabyteHeap() throws Exception {
        Path log = tmp.resolve("child.log");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx40m",
                "-XX:+UseG1GC", "-cp", System.getProperty("java.class.path"), SamplesSmallHeapTest.class.getName()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child did not end");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), "out of heap (exit 10) or failed: " + out);
        assertEquals(3, out.strip().split("\n").length, out);
        assertTrue(out.startsWith(PER + " "), out);
    }
}
