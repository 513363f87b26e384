package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

    @Test
    void aRangeChangeInOneCopyEqualsRemoveAndInsert() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int layout = 0; layout < 300; layout++) {
            VmaTree t = VmaTree.EMPTY;
            Mm mm = new Mm(0x1000, null);
            int n = rnd.nextInt(1, 10);
            long at = 0x1000;
            for (int i = 0; i < n; i++) {
                long len = rnd.nextInt(1, 5) * 0x1000L;
                t = t.with(new Vma(mm, at, at + len), at, at + len);
                at += len + rnd.nextInt(0, 3) * 0x1000L;
            }
            int i = rnd.nextInt(n);
            Vma v = t.vmas[i];
            // a new range that keeps its place (shrink, grow into a gap) or moves past a neighbour
            long start = Math.max(0, t.starts[i] + rnd.nextInt(-3, 4) * 0x1000L);
            long end = start + rnd.nextInt(1, 4) * 0x1000L;
            VmaTree one = t.withRange(t.indexOf(v), start, end);
            VmaTree two = t.without(v).with(v, start, end);
            assertArrayEquals(two.starts, one.starts);
            assertArrayEquals(two.ends, one.ends);
            assertArrayEquals(two.vmas, one.vmas);
        }
    }
}
