package vmalock.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SamplesTest {
    @Test
    void nearestRankPercentiles() {
        Samples s = new Samples();
        for (int i = 10; i >= 1; i--) {
            s.add(i); // unsorted input
        }
        // n=10: p50 = v[5], p90 = v[9], p99 = v[ceil(9.9)] = v[10]
        assertEquals(5, s.percentile(50));
        assertEquals(9, s.percentile(90));
        assertEquals(10, s.percentile(99));
        assertEquals(1, s.min());
        assertEquals(10, s.max());
        assertEquals(55, s.sum());
        assertEquals(0, s.negatives());
    }

    @Test
    void singleSampleAndNegatives() {
        Samples s = new Samples();
        s.add(-3);
        assertEquals(-3, s.percentile(50));
        assertEquals(-3, s.percentile(99));
        assertEquals(1, s.negatives());
        Samples t = new Samples();
        for (int i = 1; i <= 1078; i++) {
            t.add(i);
        }
        assertEquals(1068, t.percentile(99)); // ceil(0.99 * 1078) = ceil(1067.22) = 1068
        assertEquals(971, t.percentile(90)); // ceil(970.2)
        assertEquals(539, t.percentile(50));
    }

    @Test
    void ratesRoundLikeTheTruthScript() {
        assertEquals(0.014211, StatsJson.rate(150, 10555));
        assertEquals(0.013548, StatsJson.rate(143, 10555));
        assertEquals(0.001032, StatsJson.rate(47, 45538));
        assertEquals(0.0, StatsJson.rate(0, 0));
        assertEquals("1216.415952", StatsJson.formatTs(1_216_415_952_000L, false));
        assertEquals("5.000000001", StatsJson.formatTs(5_000_000_001L, false));
        assertEquals("123", StatsJson.formatTs(123, true));
    }

    /**
     * Issue 12 item 12: samples are held as ints while they fit (half the heap of the millions of waits and
     * holds a large trace's statistics collect), as longs from the first one that does not; the figures are
     * those of the plain long array in both cases, unsorted input, negatives and merging included.
     */
    @Test
    void intSamplesUntilOneDoesNotFitSameFigures() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        Samples small = new Samples();
        Samples mixed = new Samples();
        long[] ref = new long[5000];
        for (int i = 0; i < ref.length; i++) {
            long x = r.nextLong(-1000, 2_000_000_000L);
            ref[i] = i == 3000 ? 5_000_000_000L : x; // one 5 s sample (ns) part-way
            if (i < 3000) small.add(x);
            mixed.add(ref[i]);
        }
        assertEquals(true, small.compact());
        assertEquals(false, mixed.compact());
        Samples merged = new Samples();
        merged.addAll(small);
        assertEquals(true, merged.compact());
        merged.addAll(mixed);
        java.util.Arrays.sort(ref);
        assertEquals(ref.length, mixed.count());
        assertEquals(java.util.Arrays.stream(ref).sum(), mixed.sum());
        assertEquals(ref[0], mixed.min());
        assertEquals(ref[ref.length - 1], mixed.max());
        assertEquals(ref[(99 * ref.length + 99) / 100 - 1], mixed.percentile(99));
        assertEquals(ref[(999 * ref.length + 999) / 1000 - 1], mixed.permille(999));
        assertEquals(java.util.Arrays.stream(ref).filter(x -> x < 0).count(), mixed.negatives());
        assertEquals(3000 + 5000, merged.count());
        assertEquals(5_000_000_000L, merged.max());
    }
    /**
     * Issue 12 item 12 (compare of a 1.1 GB trace in 256 MB): samples are held in chunks of {@link Samples#CHUNK}, never
     * in one array of millions (a humongous object of the G1 collector, doubled at each growth); the figures are
     * those of one sorted array — across chunk ends, with ties, negatives, unsorted input and in both int and
     * long form, samples added after a first figure included.
     */
    @Test
    void chunkedSamplesGiveTheFiguresOfOneSortedArray() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        for (int round = 0; round < 6; round++) {
            int n = new int[] {1, 17, Samples.CHUNK, Samples.CHUNK + 1, 3 * Samples.CHUNK + 5, 200_000}[round];
            boolean longs = round % 2 == 1;
            Samples s = new Samples();
            long[] ref = new long[n];
            for (int i = 0; i < n; i++) {
                long x = round == 5 ? r.nextLong(-50, 50) // many ties
                        : i % 3 == 0 ? i : r.nextLong(-1000, 2_000_000_000L); // runs in order, then not
                if (longs && i == n / 2) x = -7_000_000_000L;
                ref[i] = x;
                s.add(x);
                if (i == n / 3) s.percentile(50); // a figure mid-way sorts the chunks so far; adding goes on
            }
            assertEquals(!longs, s.compact(), "round " + round);
            assertEquals(true, s.longestArray() <= Samples.CHUNK, "round " + round + ": " + s.longestArray());
            long[] sorted = ref.clone();
            java.util.Arrays.sort(sorted);
            assertEquals(n, s.count());
            assertEquals(java.util.Arrays.stream(ref).sum(), s.sum());
            assertEquals(java.util.Arrays.stream(ref).filter(x -> x < 0).count(), s.negatives());
            assertEquals(sorted[0], s.min());
            assertEquals(sorted[n - 1], s.max());
            for (int pct = 1; pct <= 100; pct++) {
                assertEquals(sorted[Math.max(1, (pct * n + 99) / 100) - 1], s.percentile(pct), "round " + round + " p" + pct);
            }
            for (int pm : new int[] {1, 500, 900, 990, 999, 1000}) {
                assertEquals(sorted[(int) Math.max(1, ((long) pm * n + 999) / 1000) - 1], s.permille(pm), "round " + round);
            }
            Samples copy = new Samples();
            copy.addAll(s);
            assertEquals(s.sum(), copy.sum());
            assertEquals(s.percentile(99), copy.percentile(99));
        }
    }
}
