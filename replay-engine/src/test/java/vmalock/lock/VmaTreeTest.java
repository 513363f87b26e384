package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The maple-tree snapshot's lookups against a linear scan, on random layouts and addresses. */
class VmaTreeTest {
    @Test
    void walkAndFindVmaAgreeWithALinearScan() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int layout = 0; layout < 200; layout++) {
            Mm mm = new Mm(0x1000, null);
            int n = rnd.nextInt(0, 12);
            long at = 0x1000;
            for (int i = 0; i < n; i++) {
                at += rnd.nextInt(0, 4) * 0x1000L; // gaps of 0–3 pages
                long len = rnd.nextInt(1, 5) * 0x1000L;
                mm.addVma(at, at + len);
                at += len;
            }
            Vma[] vmas = mm.vmas();
            for (int q = 0; q < 200; q++) {
                long addr = rnd.nextLong(0, at + 0x3000);
                Vma walk = null, find = null;
                for (Vma v : vmas) {
                    if (walk == null && v.contains(addr)) walk = v;
                    if (find == null && v.vmEnd > addr) find = v;
                }
                assertSame(walk, mm.walk(addr), () -> "walk 0x" + Long.toHexString(addr));
                assertSame(find, mm.findVma(addr), () -> "find_vma 0x" + Long.toHexString(addr));
            }
        }
    }
}
