package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-VMA set of present pages: runs of pages, coalesced, split by removals, restricted and shifted. */
class PagesTest {
    static final long P = Pages.PAGE;
    static final long BASE = 0x7f0000000000L;

    @Test
    void adjacentFaultsCoalesceIntoOneRunAndRemovalSplitsIt() {
        Pages p = new Pages();
        p.add(BASE + 2 * P + 17);
        p.add(BASE);
        p.add(BASE + P);
        assertEquals("[7f0000000000-7f0000003000]", p.toString());
        assertEquals(3, p.count());
        p.remove(BASE + P, BASE + P + 1); // rounds out to the whole page
        assertEquals("[7f0000000000-7f0000001000, 7f0000002000-7f0000003000]", p.toString());
        assertTrue(p.contains(BASE + P - 1));
        assertFalse(p.contains(BASE + P));
        assertTrue(p.contains(BASE + 2 * P));
        assertFalse(p.contains(BASE + 3 * P));
        p.addRange(BASE - 4 * P, BASE + 8 * P); // swallows both runs
        assertEquals(12, p.count());
        p.remove(BASE - 100 * P, BASE + 100 * P);
        assertTrue(p.isEmpty());
    }

    @Test
    void aManyGigabyteVmaIsOneRunAndSparseFaultsCostOneRunEach() {
        long gib = 1L << 30;
        Pages all = Pages.of(BASE, BASE + 64 * gib);
        assertEquals(64 * gib / P, all.count());
        all.remove(BASE + gib, BASE + gib + P);
        assertFalse(all.contains(BASE + gib));
        assertTrue(all.contains(BASE + gib + P));
        assertEquals(2, all.toString().split(",").length);
        Pages sparse = new Pages();
        for (long k = 0; k < 1000; k++) sparse.add(BASE + k * 2 * P);
        assertEquals(1000, sparse.count());
    }

    @Test
    void restrictAndShiftCarryPagesThroughSplitsAndMoves() {
        Pages p = Pages.of(BASE, BASE + 4 * P);
        p.add(BASE + 10 * P);
        Pages tail = p.restrict(BASE + 2 * P, BASE + 16 * P);
        assertEquals("[7f0000002000-7f0000004000, 7f000000a000-7f000000b000]", tail.toString());
        Pages moved = new Pages();
        moved.addAll(tail, 0x1000000);
        assertTrue(moved.contains(BASE + 0x1000000 + 10 * P));
        assertFalse(moved.contains(BASE + 10 * P));
        assertEquals(3, moved.count());
    }
}
